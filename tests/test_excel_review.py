"""The Excel round trip: export per commune → an officer fills the workbook with openpyxl → import records
decisions; and every way a row can be refused."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from linkage.commands.review import command as review_command
from linkage.review import accounts, excel
from linkage.review import decisions as dz
from linkage.review.store import ReviewStore
from linkage.review.testing import (
    DIALECTS,
    drop_schema,
    fill_workbook,
    store_target,
)

CS, HH, ID = "civil_status", "household", "citizen_id"
INJECTION = '=HYPERLINK("http://evil.example","bấm vào đây")'

CONFLICTS = [  # conflict_id, person_id, field, values, suggested, rule, hint, severity, province, commune
    ("C0000000000000001", "P000000000001", "birth_date",
     [(CS, "KS-1", "05/09/1987"), (HH, "NK-1", "09/05/1987"), (ID, "079087000001", "09/05/1987")],
     "05/09/1987", "civil_status_original", "day_month_swapped", "blocking", "001", "26734"),
    ("C0000000000000002", "P000000000002", "full_name",
     [(CS, "KS-2", "Nguyễn Thị Thủy"), (HH, "NK-2", "Nguyễn Thị Thúy"), (ID, "079087000002", INJECTION)],
     "Nguyễn Thị Thủy", "civil_status_original", None, "blocking", "001", "26734"),
    ("C0000000000000003", "P000000000003", "ethnicity",
     [(CS, "KS-3", "Kinh"), (HH, "NK-3", "Tày")],
     "Kinh", "civil_status_original", None, "advisory", "001", "26734"),
    ("C0000000000000004", "P000000000004", "sex",
     [(CS, "KS-4", "Nam"), (HH, "NK-4", "Nữ")],
     "Nam", "civil_status_original", None, "blocking", "001", "26735"),
]
C1, C2, C3, C4 = (c[0] for c in CONFLICTS)


def _make_workspace(path: Path) -> None:
    con = duckdb.connect(str(path))
    con.execute("""
        CREATE TABLE conflicts (conflict_id VARCHAR, person_id VARCHAR, field VARCHAR,
          "values" STRUCT(source VARCHAR, record_id VARCHAR, file VARCHAR, "row" BIGINT, value VARCHAR)[],
          suggested_value VARCHAR, suggested_source VARCHAR, suggested_record_id VARCHAR, rule VARCHAR,
          hint VARCHAR, severity VARCHAR, province_code VARCHAR, commune VARCHAR, agency VARCHAR,
          fingerprint VARCHAR)""")
    for cid, pid, field, values, sugg, rule, hint, sev, prov, commune in CONFLICTS:
        structs = [{"source": s, "record_id": r, "file": f"{s}.csv", "row": i + 1, "value": v}
                   for i, (s, r, v) in enumerate(values)]
        con.execute("INSERT INTO conflicts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [cid, pid, field, structs, sugg, CS, values[0][1], rule, hint, sev, prov, commune,
                     "police", f"fp-{cid}"])
    con.close()


@pytest.fixture(params=DIALECTS)
def env(request, tmp_path, monkeypatch):
    target, schema = store_target(request.param, tmp_path)
    head = tmp_path / "chain-head"
    monkeypatch.setenv("LINKAGE_CHAIN_HEAD", str(head))
    store = ReviewStore.open(target, schema=schema, chain_head=head)
    accounts.add_account(store, "an", "Nguyễn Văn An", "officer", "password-1", communes=["26734"])
    accounts.add_account(store, "binh", "Trần Thị Bình", "officer", "password-2", communes=["26735"])
    accounts.add_account(store, "cuong", "Lê Văn Cường", "steward", "password-3")
    db = tmp_path / "ws.duckdb"
    _make_workspace(db)
    cli_target = target if schema is None else f"{target}?schema={schema}"
    yield SimpleNamespace(store=store, db=db, tmp=tmp_path, cli_target=cli_target)
    store.close()
    if schema:
        drop_schema(schema)


def _export(env, out: str = "out", **scope) -> list[excel.ExportedFile]:
    con = duckdb.connect(str(env.db), read_only=True)
    try:
        scope = scope or {"communes": ["26734"]}
        return excel.export_conflicts(con, env.store, env.tmp / out, **scope)
    finally:
        con.close()


def _import(env, files, username: str = "an") -> list[excel.ImportRow]:
    con = duckdb.connect(str(env.db), read_only=True)
    try:
        return excel.import_workbooks(con, env.store, [str(f) for f in files], username)
    finally:
        con.close()


def _workspace_sql(env, sql: str) -> None:
    con = duckdb.connect(str(env.db))
    con.execute(sql)
    con.close()


_fill = fill_workbook


def _statuses(rows: list[excel.ImportRow]) -> dict[str | None, str]:
    return {r.conflict_id: r.status for r in rows}


ACCEPT, CHOOSE, CORRECT, SPLIT = excel.DECISION_LABELS.values()

# ---------------------------------------------------------------------------------------------------- export


def test_export_one_workbook_per_commune(env):
    files = _export(env, all_=True)
    assert [(f.commune, f.rows) for f in files] == [("26734", 3), ("26735", 1)]
    assert [f.path.name for f in files] == ["xung-dot_001_26734.xlsx", "xung-dot_001_26735.xlsx"]
    assert [f.commune for f in _export(env, "p", province="001")] == ["26734", "26735"]


def test_export_layout_protection_and_validation(env):
    path = _export(env)[0].path
    wb = load_workbook(path)
    assert wb.sheetnames[:2] == [excel.SHEET, excel.HELP_SHEET]
    ws = wb[excel.SHEET]
    headers = [c.value for c in ws[1]]
    assert headers[:16] == ["Mã xung đột", "Mã công dân", "Trường thông tin", "Giấy khai sinh", "Sổ hộ khẩu",
                            "CMND/CCCD", "Giá trị đề xuất", "Căn cứ", "Gợi ý", "Mức độ", "Hồ sơ liên quan",
                            "Tình trạng", "Quyết định", "Giá trị đã sửa", "Lý do", "Số văn bản cải chính"]
    col = {h: i + 1 for i, h in enumerate(headers)}
    rows = {ws.cell(row=r, column=1).value: r for r in range(2, ws.max_row + 1)}
    r1 = rows[C1]
    assert ws.cell(row=r1, column=col["Trường thông tin"]).value == "Ngày sinh"
    assert ws.cell(row=r1, column=col["Gợi ý"]).value == "Có thể nhầm ngày với tháng"
    assert ws.cell(row=r1, column=col["Căn cứ"]).value.startswith("Theo giấy khai sinh")
    assert ws.cell(row=r1, column=col["Sổ hộ khẩu"]).value == "09/05/1987"
    assert ws.cell(row=r1, column=col["Tình trạng"]).value == "Chưa quyết định"
    assert ws.protection.sheet
    for header in headers:
        locked = ws.cell(row=r1, column=col[header]).protection.locked
        assert locked == (header not in excel.EDITABLE), header
    assert ws.freeze_panes == "B2"
    for h in (excel.H_FINGERPRINT, excel.H_PREVIOUS, excel.H_CHECKSUM):
        assert ws.column_dimensions[ws.cell(row=1, column=col[h]).column_letter].hidden
    assert all(ws.column_dimensions[ws.cell(row=1, column=col[h]).column_letter].width >= 16 for h in headers[:16])
    [dv] = ws.data_validations.dataValidation
    assert dv.type == "list" and all(label in dv.formula1 for label in excel.DECISION_LABELS.values())
    decision_letter = ws.cell(row=1, column=col["Quyết định"]).column_letter
    assert str(dv.sqref) == f"{decision_letter}2:{decision_letter}4"
    assert wb[excel.META_SHEET].sheet_state == "veryHidden"


def test_formulas_are_neutralised(env):
    path = _export(env)[0].path
    ws = load_workbook(path)[excel.SHEET]
    col = {c.value: c.column for c in ws[1]}
    cells = {ws.cell(row=r, column=1).value: r for r in range(2, ws.max_row + 1)}
    cell = ws.cell(row=cells[C2], column=col["CMND/CCCD"])
    assert cell.value == "'" + INJECTION and cell.data_type == "s"
    with zipfile.ZipFile(path) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert not any("<f>" in s or "<f " in s for s in sheets)


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+84 912", "'+84 912"), ("-Tày", "'-Tày"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("Nguyễn Thị Thủy", "Nguyễn Thị Thủy"), ("05/09/1987", "05/09/1987"), (None, None), (12, 12),
])
def test_neutralise(value, expected):
    assert excel.neutralise(value) == expected


# ---------------------------------------------------------------------------------------------------- import


def test_round_trip_records_decisions(env):
    path = _export(env)[0].path
    _fill(path, {C1: (ACCEPT,), C2: (CHOOSE, "Nguyễn Thị Thúy", "khai sinh ghi sai dấu"),
                 C3: (CORRECT, "H'Mông", "giấy xác nhận dân tộc", "QĐ cải chính 15/2025")})
    rows = _import(env, [path])
    assert _statuses(rows) == {C1: "recorded", C2: "recorded", C3: "recorded"}
    fds = {fd.conflict_id: fd for fd in dz.effective_field_decisions(env.store)}
    assert {k: v.value for k, v in fds.items()} == {C1: "05/09/1987", C2: "Nguyễn Thị Thúy", C3: "Mông"}
    journal = dz.load_journal(env.store).decisions
    assert {d.channel for d in journal} == {"excel"} and {d.actor for d in journal} == {"an"}
    c3 = next(d for d in journal if d.conflict_id == C3)
    assert (c3.kind, c3.legal_ref, c3.fingerprint, c3.origin) == ("correct", "QĐ cải chính 15/2025", f"fp-{C3}",
                                                                  f"{path.name}:4")
    assert env.store.verify_chain().ok


def test_choose_by_document_name(env):
    path = _export(env)[0].path
    _fill(path, {C1: (CHOOSE, "Sổ hộ khẩu", "theo sổ")})
    assert _statuses(_import(env, [path])) == {C1: "recorded"}
    assert dz.effective_field_decisions(env.store)[0].value == "09/05/1987"


def test_split_row_becomes_a_pending_proposal(env):
    path = _export(env)[0].path
    _fill(path, {C4: (SPLIT, None, "hai người khác nhau")})
    path4 = _export(env, "b", communes=["26735"])[0].path
    _fill(path4, {C4: (SPLIT, None, "hai người khác nhau")})
    assert _statuses(_import(env, [path4], "binh")) == {C4: "recorded"}
    [pending] = dz.pending_proposals(env.store)
    assert pending.kind == "split" and pending.conflict_id == C4


def test_importing_the_same_file_twice_changes_nothing(env):
    path = _export(env)[0].path
    _fill(path, {C1: (ACCEPT,), C3: (CORRECT, "Mông", "xác minh")})
    _import(env, [path])
    head = env.store.head()
    again = _import(env, [path])
    assert _statuses(again) == {C1: "unchanged", C3: "unchanged"}
    assert env.store.head() == head


def test_reexport_prefills_decisions_and_allows_a_change(env):
    path = _export(env)[0].path
    _fill(path, {C1: (ACCEPT,)})
    first = _import(env, [path])[0].decision_id
    path2 = _export(env, "again")[0].path
    ws = load_workbook(path2)[excel.SHEET]
    col = {c.value: c.column for c in ws[1]}
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=1).value == C1)
    assert ws.cell(row=row, column=col["Quyết định"]).value == ACCEPT
    assert ws.cell(row=row, column=col["Tình trạng"]).value.startswith(f"Đã quyết định #{first}")
    assert _statuses(_import(env, [path2])) == {C1: "unchanged"}
    _fill(path2, {C1: (CORRECT, "06/09/1987", "giấy chứng sinh của bệnh viện")})
    rows = _import(env, [path2])
    assert _statuses(rows) == {C1: "recorded"}
    assert dz.get_decision(env.store, rows[0].decision_id).previous_id == first


def test_two_files_deciding_differently_clash(env):
    a, b = _export(env, "a")[0].path, _export(env, "b")[0].path
    _fill(a, {C1: (ACCEPT,), C3: (ACCEPT,)})
    _fill(b, {C1: (CORRECT, "06/09/1987", "giấy chứng sinh"), C3: (ACCEPT,)})
    rows = _import(env, [a, b])
    assert [(r.file, r.conflict_id, r.status) for r in rows] == [
        ("xung-dot_001_26734.xlsx", C1, "recorded"), ("xung-dot_001_26734.xlsx", C3, "recorded"),
        ("xung-dot_001_26734.xlsx", C1, "clash"), ("xung-dot_001_26734.xlsx", C3, "unchanged"),
    ]
    assert dz.effective_field_decisions(env.store)[0].value == "05/09/1987"


@pytest.mark.parametrize(("answers", "protected", "expected"), [
    ({C1: (CORRECT, "31/02/1987", "giấy chứng sinh")}, None, "invalid_value"),
    ({C1: (CORRECT, "", "giấy chứng sinh")}, None, "invalid_value"),
    ({C3: (CORRECT, "Klingon", "xác minh")}, None, "invalid_value"),
    ({C2: (CHOOSE, "Nguyễn Thị Thơ", "x")}, None, "invalid_value"),
    ({C1: (CORRECT, "06/09/1987")}, None, "missing_reason"),
    ({C2: (CHOOSE, "Nguyễn Thị Thúy", "  ")}, None, "missing_reason"),
    ({C1: ("Đồng ý",)}, None, "invalid_decision"),
    ({C1: (None, None, "chỉ ghi lý do")}, None, "missing_decision"),
    ({C1: (ACCEPT,)}, {C1: (excel.H_SUGGESTED, "09/05/1987")}, "tampered"),
    ({C1: (ACCEPT,)}, {C1: (excel.H_FINGERPRINT, "fp-forged")}, "tampered"),
    ({C1: (ACCEPT,)}, {C1: (excel.H_PREVIOUS, "7")}, "tampered"),
])
def test_problem_rows_are_reported_not_recorded(env, answers, protected, expected):
    path = _export(env)[0].path
    _fill(path, answers, edit_protected=protected)
    rows = _import(env, [path])
    assert [(r.conflict_id, r.status, r.row) for r in rows] == [(next(iter(answers)), expected, rows[0].row)]
    assert rows[0].message and rows[0].message_vi
    assert dz.load_journal(env.store).decisions == []


def test_stale_and_unknown_conflicts(env):
    path = _export(env)[0].path
    _fill(path, {C1: (ACCEPT,), C2: (ACCEPT,), C3: (ACCEPT,)})
    _workspace_sql(env, f"UPDATE conflicts SET fingerprint = 'fp-new' WHERE conflict_id = '{C1}'")
    _workspace_sql(env, f"DELETE FROM conflicts WHERE conflict_id = '{C2}'")
    assert _statuses(_import(env, [path])) == {C1: "stale", C2: "unknown_conflict", C3: "recorded"}


def test_rows_outside_jurisdiction(env):
    path = _export(env)[0].path
    _fill(path, {C1: (ACCEPT,)})
    assert _statuses(_import(env, [path], "binh")) == {C1: "outside_jurisdiction"}
    assert _statuses(_import(env, [path], "cuong")) == {C1: "recorded"}  # a steward may


def test_workbook_from_another_store_is_refused(env):
    other = ReviewStore.open(env.tmp / "other.sqlite")
    try:
        con = duckdb.connect(str(env.db), read_only=True)
        path = excel.export_conflicts(con, other, env.tmp / "other", communes=["26734"])[0].path
        con.close()
    finally:
        other.close()
    _fill(path, {C1: (ACCEPT,)})
    assert [r.status for r in _import(env, [path])] == ["foreign_workbook"]


# ---------------------------------------------------------------------------------------------------- correction lists


def test_correction_lists_per_agency(env):
    path = _export(env)[0].path
    _fill(path, {C1: (ACCEPT,), C3: (CORRECT, "Mông", "xác minh", "QĐ 7/2025")})
    _import(env, [path])
    con = duckdb.connect(str(env.db), read_only=True)
    try:
        police = excel.export_corrections(con, env.store, env.tmp / "police", "police", all_=True)
        justice = excel.export_corrections(con, env.store, env.tmp / "justice", "justice", all_=True)
    finally:
        con.close()
    assert [f.path.name for f in police] == ["can-sua-police_001_26734.xlsx"]
    ws = load_workbook(police[0].path)[excel.CORRECTION_SHEET]
    listed = [(r[0], r[3], r[4], r[7], r[8], r[9]) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert listed == [(C1, "Sổ hộ khẩu", "NK-1", "09/05/1987", "05/09/1987", "Sửa"),
                      (C1, "CMND/CCCD", "079087000001", "09/05/1987", "05/09/1987", "Sửa"),
                      (C3, "Sổ hộ khẩu", "NK-3", "Tày", "Mông", "Sửa")]
    assert ws.protection.sheet and all(c.protection.locked for row in ws.iter_rows() for c in row)
    jws = load_workbook(justice[0].path)[excel.CORRECTION_SHEET]
    assert [(r[0], r[3], r[7], r[8], r[11]) for r in jws.iter_rows(min_row=2, values_only=True)] == [
        (C3, "Giấy khai sinh", "Kinh", "Mông", "QĐ 7/2025")]
    assert [r.status for r in _import(env, [police[0].path])] == ["foreign_workbook"]


# ---------------------------------------------------------------------------------------------------- CLI


def test_cli_export_and_import_with_report(env):
    runner = CliRunner()
    common = ["--db", str(env.db), "--review-store", env.cli_target]
    out = env.tmp / "cli"
    result = runner.invoke(review_command, ["export", "--commune", "26734", "--out", str(out), *common])
    assert result.exit_code == 0, result.output
    assert "Wrote 1 conflict workbooks (3 rows)" in result.output
    path = out / "xung-dot_001_26734.xlsx"
    _fill(path, {C1: (ACCEPT,), C2: (CORRECT, "Nguyễn Thị Thủy", "")})
    report = env.tmp / "report.csv"
    result = runner.invoke(review_command, ["import", str(path), "--as", "an", "--report", str(report), *common])
    assert result.exit_code == 0, result.output
    assert "recorded 1" in result.output and "missing_reason 1" in result.output
    assert "Phải ghi lý do" in result.output
    with open(report, encoding="utf-8-sig", newline="") as fh:
        lines = list(csv.DictReader(fh))
    assert [(x["conflict_id"], x["status"]) for x in lines] == [(C1, "recorded"), (C2, "missing_reason")]
    assert lines[0]["row"] == "2" and lines[0]["decision_id"] == "1"


@pytest.mark.parametrize("args", [
    ["export", "--commune", "26734", "--all", "--out", "x"],
    ["export", "--out", "x"],
    ["import", "{file}", "--as", "nobody"],
])
def test_cli_user_errors_exit_2(env, args):
    (env.tmp / "f.xlsx").write_bytes(b"")
    args = [a.replace("{file}", str(env.tmp / "f.xlsx")) for a in args]
    result = CliRunner().invoke(review_command, [*args, "--db", str(env.db), "--review-store", env.cli_target])
    assert result.exit_code == 2, result.output


def test_cli_verify_journal(env):
    path = _export(env)[0].path
    _fill(path, {C1: (ACCEPT,)})
    _import(env, [path])
    args = ["verify", "--review-store", env.cli_target]
    result = CliRunner().invoke(review_command, args)
    assert result.exit_code == 0 and "RESULT: INTACT" in result.output and "decisions: 1;" in result.output, \
        result.output
    (env.tmp / "chain-head").unlink()
    result = CliRunner().invoke(review_command, args)
    assert result.exit_code == 1 and "head file" in result.output


@pytest.mark.parametrize(("communes", "expected"), [
    (["26734"], ["26734"]),
    (["001:26734"], ["26734"]),
    (["002:26734"], []),
    (["  26735 ", "26734"], ["26734", "26735"]),
])
def test_export_commune_selection(env, communes, expected):
    assert [f.commune for f in _export(env, communes=communes)] == expected


def test_correction_actions_follow_the_engine_verdict(env):
    c = dz.ConflictInfo("C9", "P9", "birth_date", "fp9", (
        dz.RecordValue(CS, "KS-9", "05/09/1987"), dz.RecordValue(HH, "NK-9", "1987"),
        dz.RecordValue(ID, "079087000009", "09/05/1987")), suggested_value="05/09/1987", suggested_source=CS,
        suggested_record_id="KS-9", province_code="001", commune="26734")
    dz.decide_conflict(env.store, "an", c, "accept")
    rows = excel.correction_rows([c], dz.current_decisions(env.store), "police")
    assert [(r[3], r[7], r[9]) for r in rows] == [("Sổ hộ khẩu", "1987", "Bổ sung / chuẩn hóa"),
                                                  ("CMND/CCCD", "09/05/1987", "Sửa")]
    assert excel.correction_rows([c], dz.current_decisions(env.store), "justice") == []
