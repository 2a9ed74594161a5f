"""`linkage review export` / `review import`: the offline Excel round trip for Justice officers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from linkage.commands.common import workspace_options
from linkage.errors import UserError
from linkage.review import excel
from linkage.review.store import open_review_store
from linkage.workspace import WorkspaceConfig, connect


def review_store_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """Adds --review-store (a SQLite file or a postgresql:// URL)."""
    return click.option(
        "--review-store", "review_store", default=None, metavar="PATH|URL",
        help="Review store: SQLite file or postgresql://… URL "
             "(default $LINKAGE_REVIEW_STORE, else linkage.review.sqlite beside the workspace).",
    )(func)


@click.group("review")
def command() -> None:
    """Offline review in Excel (xét duyệt xung đột bằng Excel): export lists per commune, import decisions."""


@command.command("export")
@click.option("--commune", "communes", multiple=True, metavar="CODE",
              help="Commune as the workspace names it, or PROVINCE:COMMUNE (repeatable).")
@click.option("--province", default=None, metavar="CODE", help="Every commune of a province.")
@click.option("--all", "all_", is_flag=True, help="Every commune.")
@click.option("--agency", type=click.Choice(["justice", "police"]), default=None,
              help="Instead of conflict lists: read-only lists of the records this agency must correct.")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder for the workbooks.")
@review_store_option
@workspace_options
def export_command(ws: WorkspaceConfig, communes: tuple[str, ...], province: str | None, all_: bool,
                   agency: str | None, out: str, review_store: str | None) -> None:
    """Writes one workbook per commune (Danh sách xung đột theo xã/phường)."""
    if sum((bool(communes), province is not None, all_)) != 1:
        raise UserError("choose exactly one of --commune, --province, --all")
    store = open_review_store(review_store, ws.path)
    try:
        con = connect(ws, read_only=True)
        try:
            if agency:
                files = excel.export_corrections(con, store, out, agency, communes=communes, province=province,
                                                 all_=all_)
            else:
                files = excel.export_conflicts(con, store, out, communes=communes, province=province, all_=all_)
        finally:
            con.close()
    finally:
        store.close()
    what = f"correction lists for {agency}" if agency else "conflict workbooks"
    if not files:
        click.echo(f"No {what} to write: nothing in scope (không có dữ liệu).")
        return
    for f in files:
        click.echo(f"  {f.path}  ({f.rows} rows)")
    click.echo(f"Wrote {len(files)} {what} ({sum(f.rows for f in files)} rows) to {Path(out)}")


@command.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--as", "username", required=True, metavar="USERNAME", help="The officer who filled the files.")
@click.option("--report", "report_path", default=None, type=click.Path(dir_okay=False),
              help="Also write the per-row report as CSV.")
@review_store_option
@workspace_options
def import_command(ws: WorkspaceConfig, files: tuple[str, ...], username: str, report_path: str | None,
                   review_store: str | None) -> None:
    """Records the filled rows as decisions of USERNAME (Nhập quyết định từ tệp Excel đã điền)."""
    store = open_review_store(review_store, ws.path)
    try:
        con = connect(ws, read_only=True)
        try:
            rows = excel.import_workbooks(con, store, files, username)
        finally:
            con.close()
    finally:
        store.close()
    for r in rows:
        where = f"{r.file}:{r.row}" if r.row is not None else r.file
        click.echo(f"{where}  {r.conflict_id or '-'}  {r.status}  {r.message_vi}  ({r.message})")
    if report_path:
        excel.write_report_csv(rows, report_path)
    counts = ", ".join(f"{k} {v}" for k, v in excel.summary(rows).items()) or "no filled rows"
    click.echo(f"Imported {len(files)} file(s) as {username}: {counts}")
    if report_path:
        click.echo(f"Report: {report_path}")




@command.command("verify")
@review_store_option
@click.option("--db", "db", default=None, help="Workspace DuckDB file; the default review store lies beside it.")
@click.option("--head-file", default=None, type=click.Path(dir_okay=False),
              help="Check against this copy of the chain head file instead of the store's own.")
@click.pass_context
def verify_command(ctx: click.Context, review_store: str | None, db: str | None, head_file: str | None) -> None:
    """The same check as `linkage audit verify` (exit 0 intact, 1 broken, 3 head file behind)."""
    from linkage.commands.audit import verify_command as audit_verify

    ctx.invoke(audit_verify, review_store=review_store, db=db, head_file=head_file)
