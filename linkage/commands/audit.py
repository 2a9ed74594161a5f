"""`linkage audit verify`: checks the decisions journal's hash chain and, outside the store, its chain head file.

Exit codes: 0 intact; 1 tampering, or a head file that is missing/unreadable (it cannot be told from a deletion);
3 the chain is intact but the head file is behind (an interrupted decision: re-run it, or make any decision)."""

from __future__ import annotations

import click

from linkage.commands.review import review_store_option
from linkage.review.store import ChainReport, open_review_store

EXIT_TAMPERED = 1
EXIT_BEHIND = 3

PROVES_VI = ("Chuỗi băm chứng minh: không mục nào ở giữa bị sửa, xoá, chèn hay đổi thứ tự mà không tính lại "
             "các mục sau; tệp đầu chuỗi (ngoài kho) chứng minh: cho đến mục nó ghi, nhật ký không bị viết lại "
             "hay cắt bớt.")
PROVES_EN = ("The hash chain proves that no entry was altered, removed, inserted or reordered without recomputing "
             "every later entry; the head file (outside the store) proves that, up to the entry it names, the "
             "journal was neither rewritten nor truncated.")
CANNOT_VI = ("Không chứng minh được: các mục sau mục ghi trong tệp đầu chuỗi, nếu ai đó có quyền ghi cả kho "
             "lẫn tệp đầu chuỗi; hãy giữ một bản sao tệp đầu chuỗi ở nơi khác (--head-file).")
CANNOT_EN = ("It cannot prove: entries after the one the head file names, nor anything against someone who can "
             "write both the store and the head file; keep a copy of the head file elsewhere (--head-file).")


@click.group("audit")
def command() -> None:
    """Tamper evidence of the decisions journal (kiểm tra toàn vẹn nhật ký quyết định)."""


@command.command("verify")
@review_store_option
@click.option("--db", "db", default=None, help="Workspace DuckDB file; the default review store lies beside it.")
@click.option("--head-file", default=None, type=click.Path(dir_okay=False),
              help="Check against this copy of the chain head file (e.g. kept on write-once storage) instead of "
                   "the store's own head file.")
@click.pass_context
def verify_command(ctx: click.Context, review_store: str | None, db: str | None, head_file: str | None) -> None:
    """Recomputes the journal's hash chain and compares it with the chain head file
    (Kiểm tra chuỗi băm của nhật ký quyết định và tệp đầu chuỗi)."""
    with open_review_store(review_store, db, create=False) as store:
        report = store.verify_chain(head_file=head_file)
        where = head_file or str(store.chain_head)
        description = store.description
    ctx.exit(print_report(report, description, where))


def print_report(report: ChainReport, store: str, head_file: str) -> int:
    echo = click.echo
    echo(f"Kho xét duyệt / review store: {store}")
    echo(f"Tệp đầu chuỗi / chain head file: {head_file}")
    echo(f"Số quyết định / decisions: {report.entries}; mục cuối / last entry #{report.head_seq} "
         f"{report.head_hash[:16]}…")
    if report.ok:
        echo("KẾT QUẢ: NGUYÊN VẸN — chuỗi băm đúng và khớp tệp đầu chuỗi.")
        echo("RESULT: INTACT — the hash chain is consistent and matches the head file.")
        code = 0
    elif not report.tampered and report.head_file == "behind":
        echo(f"KẾT QUẢ: CHUỖI NGUYÊN VẸN, TỆP ĐẦU CHUỖI CHẬM {report.head_seq - (report.head_file_seq or 0)} mục — "
             "một quyết định bị gián đoạn trước khi cập nhật tệp. Chạy lại lệnh bị gián đoạn (hoặc bất kỳ quyết "
             "định nào) để cập nhật.")
        echo(f"RESULT: CHAIN INTACT, HEAD FILE BEHIND by {report.head_seq - (report.head_file_seq or 0)} "
             f"entr{'y' if report.head_seq - (report.head_file_seq or 0) == 1 else 'ies'} (it names "
             f"#{report.head_file_seq}) — a decision was interrupted before the file was updated; re-run the "
             "interrupted command (or make any decision) to bring it up to date. Entries after "
             f"#{report.head_file_seq} are not covered by the head file. This is not evidence of tampering.")
        code = EXIT_BEHIND
    else:
        echo("KẾT QUẢ: KHÔNG NGUYÊN VẸN — nhật ký hoặc tệp đầu chuỗi đã bị thay đổi.", err=True)
        for problem in report.problems:
            echo(f"  VẤN ĐỀ / PROBLEM: {problem}", err=True)
        if report.head_file == "missing" and report.chain_ok:
            echo("  (Tệp đầu chuỗi bị thiếu: bị xoá, hoặc quyết định đầu tiên bị gián đoạn; chạy lại lệnh đó. / "
                 "The head file is missing: deleted, or the store's first decision was interrupted before it was "
                 "written; if so, re-run that command.)", err=True)
        echo(f"RESULT: NOT INTACT — {len(report.problems)} problem(s).", err=True)
        code = EXIT_TAMPERED
    echo(PROVES_VI)
    echo(PROVES_EN)
    echo(CANNOT_VI)
    echo(CANNOT_EN)
    return code
