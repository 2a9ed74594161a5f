"""No name or ID number in what the commands print or log: run, load, review export/import, trace, report,
evaluate, export and audit verify on data whose names and ID numbers are known, on an encrypted workspace.
Surrogate keys (source, file, row), person and conflict ids are fine. `trace SOURCE:RECORD_ID` deliberately shows
the person the user asked about (their records' names and keys): only the values of *other* persons must not appear
there."""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from cli import main
from linkage.review import accounts, excel
from linkage.review.testing import fill_workbook
from linkage.synth import generate
from linkage.workspace import ENV_ALLOW_MBEDTLS

KEY = "khoa-workspace-cho-kiem-thu-nhat-ky"
NAME_COLUMNS = {"civil_status.csv": ("Họ và tên", "Họ tên cha", "Họ tên mẹ"),
                "household.csv": ("HO_TEN", "HO_TEN_CHU_HO"), "citizen_id.csv": ("Họ và tên",)}
ID_COLUMNS = {"civil_status.csv": ("Mã hồ sơ", "Số định danh cá nhân"), "household.csv": ("SO_SO_HK", "MA_NK", "SO_CMND"),
              "citizen_id.csv": ("Số CMND/CCCD",)}
PLACE_COLUMNS = ("Quê quán", "Nơi sinh", "Nơi thường trú", "NGUYEN_QUAN", "NOI_THUONG_TRU", "Nơi đăng ký", "Nơi cấp")


def personal_values(gen: Path) -> set[str]:
    """Every name and ID number of the input (IDs of 6+ characters; a name that is also part of a place name,
    like a street named after a historical figure, is left out: places may be printed)."""
    names: set[str] = set()
    ids: set[str] = set()
    places: list[str] = []
    for fname in NAME_COLUMNS:
        with open(gen / fname, encoding="utf-8-sig") as fh:
            for row in csv.DictReader(fh):
                names.update(row[c] for c in NAME_COLUMNS[fname] if row.get(c))
                ids.update(row[c] for c in ID_COLUMNS[fname] if row.get(c) and len(row[c]) >= 6)
                places.extend(row[c] for c in PLACE_COLUMNS if row.get(c))
    place_text = "\n".join(places)
    return {n for n in names if n not in place_text} | ids


def test_commands_print_and_log_no_name_or_id_number(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv(ENV_ALLOW_MBEDTLS, "1")
    monkeypatch.setenv("LINKAGE_DB_KEY", KEY)
    monkeypatch.setenv("LINKAGE_CHAIN_HEAD", str(tmp_path / "chain-head"))
    monkeypatch.setenv("LINKAGE_PSEUDONYM_KEY", "khoa-gia-danh-kiem-thu-nhat-ky")
    monkeypatch.delenv("LINKAGE_DB_KEY_FILE", raising=False)
    monkeypatch.delenv("LINKAGE_REVIEW_STORE", raising=False)
    gen = tmp_path / "gen"
    generate(300, 23, gen, styles="default")
    secrets = personal_values(gen)
    assert len(secrets) > 700
    db = ["--db", str(tmp_path / "ws.duckdb")]
    printed: dict[str, str] = {}

    def cli(name: str, *args: str) -> str:
        res = CliRunner().invoke(main, list(args))
        assert res.exception is None or res.exit_code in (0, 1, 3), (name, res.output, repr(res.exception))
        printed[name] = res.output + res.stderr
        return res.output

    cli("run", "run", *[a for k in ("civil_status", "household", "citizen_id")
                         for a in ("--source", f"{k}={gen / k}.csv")], "--out", str(tmp_path / "out"), *db)
    cli("evaluate", "evaluate", "--truth", str(gen), "--out", str(tmp_path / "out"), *db)
    store_path = tmp_path / "ws.review.sqlite"
    from linkage.review.store import ReviewStore

    with ReviewStore.open(str(store_path)) as store:
        accounts.add_account(store, "canbo", "Cán bộ kiểm thử", "officer", "mat-khau-1", provinces=["001"])
    conflicts = duckdb.sql(f"SELECT conflict_id FROM '{tmp_path / 'out' / 'conflicts.parquet'}' "
                           "WHERE province_code = '001' ORDER BY conflict_id").fetchall()
    assert len(conflicts) >= 2
    cli("review export", "review", "export", "--province", "001", "--out", str(tmp_path / "phieu"), *db)
    workbooks = sorted((tmp_path / "phieu").glob("*.xlsx"))
    accept, split = excel.DECISION_LABELS["accept"], excel.DECISION_LABELS["split"]
    for w in workbooks:
        fill_workbook(w, {conflicts[0][0]: (accept, None, None), conflicts[1][0]: (split, None, "hai người")})
    cli("review import", "review", "import", *map(str, workbooks), "--as", "canbo", *db)
    cli("load", "load", "--out", str(tmp_path / "load"), *db)
    cli("report", "report", "--out", str(tmp_path / "report.html"), *db)
    cli("export", "export", "--out", str(tmp_path / "analysts"), "--pseudonymise", *db)
    cli("audit verify", "audit", "verify", *db)
    # trace one civil-status record: its own person's values may be shown, nobody else's
    ref = duckdb.sql(f"SELECT source, record_id, person_id FROM '{tmp_path / 'out' / 'clusters.parquet'}' "
                     "WHERE source = 'civil_status' ORDER BY record_id LIMIT 1").fetchall()[0]
    trace_out = cli("trace", "trace", f"{ref[0]}:{ref[1]}", *db)
    own = {r[0] for r in duckdb.sql(
        f"""SELECT unnest([t.record_id]) FROM '{tmp_path / 'out' / 'clusters.parquet'}' t
            WHERE t.person_id = '{ref[2]}'""").fetchall()}
    assert ref[1] in trace_out and f"person {ref[2]}" in trace_out  # it does show the person asked about
    assert "Traceback" not in "".join(printed.values())
    assert "audit verify" in printed and "INTACT" in printed["audit verify"]

    logged = caplog.text
    assert any(v in trace_out for v in secrets)  # the control: the search does find values where they are shown
    assert "imported" in printed["review import"].lower() and "canbo" in printed["review import"]
    leaks = {name: sorted(v for v in secrets if v in text) for name, text in printed.items() if name != "trace"}
    assert {k: v[:5] for k, v in leaks.items() if v} == {}
    other_people = secrets - own - {v for v in secrets if v in trace_out and _belongs_to(v, ref[2], tmp_path)}
    assert sorted(v for v in other_people if v in printed["trace"])[:5] == []
    assert sorted(v for v in secrets if v in logged)[:5] == []


def _belongs_to(value: str, person_id: str, tmp_path: Path) -> bool:
    """Whether `value` is a name or ID number of one of the person's records (in the workspace)."""
    from linkage.workspace import WorkspaceConfig, connect

    con = connect(WorkspaceConfig(str(tmp_path / "ws.duckdb")), read_only=True)
    try:
        return con.execute(
            """SELECT count(*) FROM records r JOIN persons p USING (uid) WHERE p.person_id = ? AND ? IN
               (r.full_name, r.record_id, r.personal_id, r.cmnd, r.household_id, r.father_name, r.mother_name)""",
            [person_id, value]).fetchall()[0][0] > 0
    finally:
        con.close()
