"""`linkage export --pseudonymise`: analysts' extracts with names and ID numbers replaced by HMAC pseudonyms."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner

from cli import main
from linkage.pseudonymise import PSEUDONYM_HEX, pseudonym
from linkage.synth import generate

KEY_A = "khoa-gia-danh-cho-phan-tich-A"
KEY_B = "khoa-gia-danh-cho-phan-tich-B"
FILES = ("records.parquet", "clusters.parquet", "conflicts.parquet", "possible_matches.parquet")
ENV = {"LINKAGE_PSEUDONYM_KEY": None, "LINKAGE_PSEUDONYM_KEY_FILE": None, "LINKAGE_DB_KEY": None,
       "LINKAGE_DB_KEY_FILE": None}


def invoke(*args: str, env: dict[str, str | None] | None = None) -> tuple[int, str]:
    res = CliRunner().invoke(main, list(args), env={**ENV, **(env or {})})
    return res.exit_code, res.output + (repr(res.exception) if res.exception and res.exit_code not in (0, 2) else "")


def rows(path: Path) -> list[dict[str, Any]]:
    return duckdb.sql(f"SELECT * FROM '{path}'").to_arrow_table().to_pylist()


@pytest.fixture(scope="module")
def job(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("pseudo")
    gen = d / "gen"
    generate(300, 5, gen, styles="default")
    code, out = invoke("run", "--source", f"civil_status={gen / 'civil_status.csv'}", "--source",
                       f"household={gen / 'household.csv'}", "--source", f"citizen_id={gen / 'citizen_id.csv'}",
                       "--out", str(d / "out"), "--db", str(d / "ws.duckdb"))
    assert code == 0, out
    (d / "key_a").write_text(KEY_A + "\n", encoding="utf-8")
    (d / "key_a").chmod(0o600)
    db = ["--db", str(d / "ws.duckdb")]
    for name, extra, env in (("a1", ["--pseudonym-key-file", str(d / "key_a")], None),
                             ("a2", [], {"LINKAGE_PSEUDONYM_KEY": KEY_A}),
                             ("b", [], {"LINKAGE_PSEUDONYM_KEY": KEY_B}),
                             ("year", ["--birth-year-only"], {"LINKAGE_PSEUDONYM_KEY": KEY_A})):
        code, out = invoke("export", "--out", str(d / name), "--pseudonymise", *extra, *db, env=env)
        assert code == 0, out
        assert KEY_A not in out and KEY_B not in out
    return d


def input_values(gen: Path) -> dict[str, list[str]]:
    """Names and ID numbers exactly as in the input files (and the workspace's normalised forms below)."""
    names: set[str] = set()
    ids: set[str] = set()
    for fname, name_cols, id_cols in (
        ("civil_status.csv", ("Họ và tên", "Họ tên cha", "Họ tên mẹ"), ("Mã hồ sơ", "Số định danh cá nhân")),
        ("household.csv", ("HO_TEN", "HO_TEN_CHU_HO"), ("SO_SO_HK", "MA_NK", "SO_CMND")),
        ("citizen_id.csv", ("Họ và tên",), ("Số CMND/CCCD",)),
    ):
        with open(gen / fname, encoding="utf-8-sig") as fh:
            for row in csv.DictReader(fh):
                names.update(row[c] for c in name_cols if row.get(c))
                ids.update(row[c] for c in id_cols if row.get(c))
    return {"names": sorted(names), "ids": sorted(i for i in ids if len(i) >= 6)}


def test_no_clear_name_or_id_number_anywhere_in_the_export(job: Path) -> None:
    values = input_values(job / "gen")
    con = duckdb.connect(str(job / "ws.duckdb"), read_only=True)
    normalised = {r[0] for r in con.execute(
        "SELECT unnest([full_name, father_name, mother_name, personal_id, cmnd, household_id, record_id]) "
        "FROM records").fetchall() if r[0] and len(r[0]) >= 6}
    person_ids = {r[0] for r in con.execute("SELECT person_id FROM persons").fetchall()}
    con.close()
    needles = set(values["names"]) | set(values["ids"]) | normalised | person_ids
    assert len(values["names"]) > 300 and len(values["ids"]) > 300
    for name in ("a1", "b", "year"):
        folder = job / name
        assert sorted(p.name for p in folder.iterdir()) == sorted([*FILES, "manifest.json"])
        text = "\n".join(str(rows(folder / f)) for f in FILES) + (folder / "manifest.json").read_text()
        leaked = [v for v in needles if v in text]
        assert leaked == [], leaked[:5]
        raw = b"".join((folder / f).read_bytes() for f in FILES)
        assert [v for v in needles if v.encode() in raw] == []
    # the control: the run's own outputs do hold them
    clear = str(rows(job / "out" / "conflicts.parquet")) + str(rows(job / "out" / "clusters.parquet"))
    assert sum(v in clear for v in needles) > 100


def test_pseudonyms_are_the_hmac_of_the_value_and_stable_for_a_key(job: Path) -> None:
    a1, a2, b = (rows(job / n / "records.parquet") for n in ("a1", "a2", "b"))
    assert a1 == a2  # same key (from a file, from the environment): same extract
    con = duckdb.connect(str(job / "ws.duckdb"), read_only=True)
    clear = con.execute("SELECT source, record_id, file, row, full_name, personal_id FROM records").fetchall()
    con.close()
    by_key = {r["record_key"]: r for r in a1}
    checked = 0
    for source, record_id, file, row, full_name, personal_id in clear:
        rec = by_key[pseudonym(KEY_A.encode(), f"{source}:{file}:{row}")]
        assert rec["record_id"] == pseudonym(KEY_A.encode(), record_id)
        assert rec["full_name"] == (pseudonym(KEY_A.encode(), full_name) if full_name else None)
        assert rec["personal_id"] == (pseudonym(KEY_A.encode(), personal_id) if personal_id else None)
        assert len(rec["record_id"]) == PSEUDONYM_HEX
        checked += 1
    assert checked == len(a1) > 600


def test_another_key_gives_unlinkable_pseudonyms(job: Path) -> None:
    def pseudonyms(name: str) -> set[str]:
        out: set[str] = set()
        for r in rows(job / name / "records.parquet"):
            out.update(str(r[c]) for c in ("record_key", "record_id", "person_id", "full_name", "personal_id",
                                             "household_id", "father_name") if r.get(c))
        return out

    a, b = pseudonyms("a1"), pseudonyms("b")
    assert len(a) > 1000 and len(b) > 1000
    assert a & b == set()
    ma = json.loads((job / "a1" / "manifest.json").read_text())
    mb = json.loads((job / "b" / "manifest.json").read_text())
    assert ma["key_id"] != mb["key_id"]


def test_clusters_join_records_conflicts_and_matches(job: Path) -> None:
    d = job / "a1"
    joined = duckdb.sql(f"""
        SELECT count(*), count(DISTINCT c.person_id), count(*) FILTER (WHERE c.person_id <> r.person_id)
        FROM '{d / 'clusters.parquet'}' c JOIN '{d / 'records.parquet'}' r USING (record_key)""").fetchall()[0]
    n_clusters = duckdb.sql(f"SELECT count(*) FROM '{d / 'clusters.parquet'}'").fetchall()[0][0]
    assert joined[0] == n_clusters > 600 and joined[2] == 0
    persons_clear = duckdb.connect(str(job / "ws.duckdb"), read_only=True).execute(
        "SELECT count(DISTINCT person_id) FROM persons").fetchall()[0][0]
    assert joined[1] == persons_clear  # as many persons as in the workspace: one pseudonym per person
    orphans = duckdb.sql(f"""
        SELECT count(*) FROM (SELECT unnest("values", recursive := true) FROM '{d / 'conflicts.parquet'}') v
        WHERE record_key NOT IN (SELECT record_key FROM '{d / 'clusters.parquet'}')""").fetchall()[0][0]
    n_conf = duckdb.sql(f"SELECT count(*) FROM '{d / 'conflicts.parquet'}'").fetchall()[0][0]
    assert n_conf > 0 and orphans == 0
    m = duckdb.sql(f"""
        SELECT count(*), count(c.record_key) FROM '{d / 'possible_matches.parquet'}' m
        LEFT JOIN '{d / 'clusters.parquet'}' c ON c.record_key = m.record_key_l AND c.person_id = m.person_id_l
        """).fetchall()[0]
    assert m[0] > 0 and m[0] == m[1]
    # an ID number is one pseudonym in every column: citizen-ID records' key is the ID number
    sql = ("SELECT count(*) FILTER (WHERE record_id = personal_id), count(personal_id) FROM {} "
           "WHERE source = 'citizen_id'")
    same = duckdb.sql(sql.format(f"'{d / 'records.parquet'}'")).fetchall()[0]
    con = duckdb.connect(str(job / "ws.duckdb"), read_only=True)
    same_clear = con.execute(sql.format("records")).fetchall()[0]
    con.close()
    assert same[0] > 100 and same == same_clear


def test_birth_dates_coarsened_to_the_year(job: Path) -> None:
    full, year = rows(job / "a1" / "records.parquet"), rows(job / "year" / "records.parquet")
    assert any(r["birth_day"] for r in full)
    assert all("birth_day" not in r and "birth_month" not in r and "birth_date" not in r for r in year)
    assert {r["birth_date_precision"] for r in year} <= {"year", None}
    assert {r["record_key"]: r["birth_year"] for r in year} == {r["record_key"]: r["birth_year"] for r in full}
    conf = [c for c in rows(job / "year" / "conflicts.parquet") if c["field"] == "birth_date"]
    assert conf, "the data has birth-date conflicts"
    for c in conf:
        assert all(v["value"] is None or len(v["value"]) == 4 for v in c["values"])


def test_refuses_without_a_key_or_without_the_flag(job: Path) -> None:
    code, out = invoke("export", "--out", str(job / "nokey"), "--pseudonymise", "--db", str(job / "ws.duckdb"))
    assert code == 2 and "pseudonymisation key is required" in out
    code, out = invoke("export", "--out", str(job / "noflag"), "--db", str(job / "ws.duckdb"),
                       env={"LINKAGE_PSEUDONYM_KEY": KEY_A})
    assert code == 2 and "--pseudonymise" in out
    code, out = invoke("export", "--out", str(job / "short"), "--pseudonymise", "--db", str(job / "ws.duckdb"),
                       env={"LINKAGE_PSEUDONYM_KEY": "abc"})
    assert code == 2 and "too short" in out
    assert not any((job / n).exists() for n in ("nokey", "noflag", "short"))
