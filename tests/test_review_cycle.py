"""The full cycle of the conflicts issue, end to end through the CLI: run → export → an officer fills a workbook
→ import → a steward approves a split → load. The accounting identity holds at every step, and re-running
everything reproduces the same persons and golden records."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from cli import main
from linkage.review import decisions as dz
from linkage.review import excel
from linkage.review.store import ReviewStore
from linkage.review.testing import fill_workbook as fill

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
SOURCES = [a for k in ("civil_status", "household", "citizen_id") for a in ("--source", f"{k}={SAMPLE / k}.csv")]
ACCEPT, CHOOSE, CORRECT, SPLIT = excel.DECISION_LABELS.values()


def cli(*args: str) -> str:
    res = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.output


def rows_in() -> int:
    return sum(duckdb.sql(f"SELECT count(*) FROM read_csv('{SAMPLE / k}.csv', all_varchar=true)").fetchall()[0][0]
               for k in ("civil_status", "household", "citizen_id"))


def check_accounting(load_dir: Path) -> dict:
    acc = json.loads((load_dir / "accounting.json").read_text())
    assert acc["rows_in"] == rows_in()
    assert acc["rows_in"] == acc["records_loaded"] + acc["records_pending"] + acc["rows_rejected"] + acc["rows_blank"]
    golden = duckdb.sql(f"SELECT sum(len(lineage)) FROM '{load_dir / 'golden.parquet'}'").fetchall()[0][0] or 0
    pending = duckdb.sql(f"SELECT sum(len(records)) FROM '{load_dir / 'pending.parquet'}'").fetchall()[0][0] or 0
    assert golden == acc["records_loaded"] and pending == acc["records_pending"]
    return acc


def person_of(clusters: Path, source: str, record_id: str) -> str:
    return duckdb.sql(f"SELECT person_id FROM '{clusters}' WHERE source = ? AND record_id = ?",
                      params=[source, record_id]).fetchall()[0][0]


def test_full_cycle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINKAGE_CHAIN_HEAD", str(tmp_path / "chain-head"))
    db = str(tmp_path / "ws.duckdb")
    out = tmp_path / "out"
    cli("run", *SOURCES, "--out", str(out), "--db", db)
    kept = duckdb.sql(f"SELECT count(*) FROM '{out / 'clusters.parquet'}'").fetchall()[0][0]
    rejected = duckdb.sql(f"SELECT count(*) FROM '{out / 'rejected.parquet'}'").fetchall()[0][0]
    assert kept + rejected == rows_in()
    first = check_accounting(_load(db, tmp_path / "load0"))

    # the province with most conflicts gets an officer; a steward approves splits
    conflicts = out / "conflicts.parquet"
    province = duckdb.sql(f"SELECT province_code FROM '{conflicts}' WHERE province_code IS NOT NULL "
                          "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1").fetchall()[0][0]
    cli("users", "add", "canbo", "--name", "Nguyễn Văn Cán Bộ", "--role", "officer", "--province", province,
        "--password", "mat-khau-1", "--db", db)
    cli("users", "add", "quanly", "--name", "Trần Thị Quản Lý", "--role", "steward", "--password", "mat-khau-2",
        "--db", db)
    cli("review", "export", "--province", province, "--out", str(tmp_path / "phieu"), "--db", db)
    workbooks = sorted((tmp_path / "phieu").glob("*.xlsx"))  # one per commune
    assert workbooks
    mine = duckdb.sql(f"""SELECT conflict_id, person_id, field, severity, "values" FROM '{conflicts}'
                          WHERE province_code = ? ORDER BY conflict_id""", params=[province]).fetchall()
    assert len(mine) >= 2
    # the officer accepts the first suggestion and says the records of the second are two persons
    accept_id, split = mine[0], mine[1]
    for workbook in workbooks:
        fill(workbook, {accept_id[0]: (ACCEPT, None, None), split[0]: (SPLIT, None, "hai người khác nhau")})
    files = [str(w) for w in workbooks]
    report = cli("review", "import", *files, "--as", "canbo", "--db", db)
    assert "recorded" in report or "ghi nhận" in report.lower()
    again = cli("review", "import", *files, "--as", "canbo", "--db", db)  # idempotent
    store = ReviewStore.open(str(tmp_path / "ws.review.sqlite"))
    try:
        assert len([d for d in dz.load_journal(store).decisions if d.kind in ("accept", "split")]) == 2, again
        [proposal] = dz.pending_proposals(store)
        dz.approve(store, "quanly", proposal.id, reason="đã kiểm tra hồ sơ gốc")
        assert store.verify_chain().ok
    finally:
        store.close()

    load1 = tmp_path / "load1"
    acc = check_accounting(_load(db, load1))
    assert acc["decisions_applied"] >= 1 and acc["cannot_links"] >= 1
    assert acc["rows_in"] == first["rows_in"]
    # the split took effect: the records of the second conflict's two values are in different persons now
    values = split[4]
    by_value: dict[str, list[tuple[str, str]]] = {}
    for v in values:
        by_value.setdefault(v["value"], []).append((v["source"], v["record_id"]))
    groups = list(by_value.values())
    golden = load1 / "golden.parquet"
    pending = load1 / "pending.parquet"
    where = duckdb.sql(
        f"""SELECT l.source, l.record_id, g.person_id FROM '{golden}' g, unnest(g.lineage) AS t(l)
            UNION ALL SELECT l.source, l.record_id, p.person_id FROM '{pending}' p, unnest(p.records) AS t(l)"""
    ).fetchall()
    person = {(s, r): p for s, r, p in where}
    assert person[groups[0][0]] != person[groups[1][0]]
    # the accepted conflict's person is loaded (unless another of its conflicts is still open)
    open_fields = duckdb.sql(f"SELECT count(*) FROM '{conflicts}' WHERE person_id = ? AND severity = 'blocking' "
                             "AND conflict_id <> ?", params=[accept_id[1], accept_id[0]]).fetchall()[0][0]
    if open_fields == 0:
        assert accept_id[1] in {p for _, _, p in where if p == accept_id[1]}
        assert duckdb.sql(f"SELECT count(*) FROM '{golden}' WHERE person_id = ?",
                          params=[accept_id[1]]).fetchall()[0][0] == 1

    # re-running everything reproduces the same persons and golden records
    out2 = tmp_path / "out2"
    cli("run", *SOURCES, "--out", str(out2), "--db", db)
    load2 = tmp_path / "load2"
    check_accounting(_load(db, load2))
    same = "SELECT * FROM '{}' ORDER BY person_id"
    assert duckdb.sql(same.format(golden)).fetchall() == duckdb.sql(same.format(load2 / "golden.parquet")).fetchall()
    assert duckdb.sql(f"SELECT * FROM '{pending}' ORDER BY person_id").fetchall() == \
        duckdb.sql(f"SELECT * FROM '{load2 / 'pending.parquet'}' ORDER BY person_id").fetchall()


def _load(db: str, out: Path) -> Path:
    cli("load", "--out", str(out), "--db", db)
    return out
