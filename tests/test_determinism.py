"""Deterministic re-runs (issue #6): the same inputs and decisions give the same persons and outputs with the same
content, whether run into a fresh workspace or again on the same one, with 1 or 2 DuckDB threads; with the rows of
each file shuffled, the partition into persons is the same and person ids follow the documented rule.

Every run is the real CLI in its own process on the bundled sample (about 2,000 persons)."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from cli import main
from linkage.review import accounts, excel
from linkage.review import decisions as dz
from linkage.review.store import ReviewStore
from linkage.review.testing import fill_workbook, use_cheap_password_hashing

LINKAGE = str(Path(sys.executable).with_name("linkage"))
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
KINDS = ("civil_status", "household", "citizen_id")
RUN_FILES = ("clusters.parquet", "conflicts.parquet", "possible_matches.parquet", "rejected.parquet")
LOAD_FILES = ("golden.parquet", "pending.parquet")
# timings, timestamps and the workspace's path are not part of a result
VOLATILE = {"started", "workspace", "timings_s", "timings", "seconds", "published"}
ACCEPT, _CHOOSE, _CORRECT, SPLIT = excel.DECISION_LABELS.values()


def sources(folder: Path) -> list[str]:
    return [a for k in KINDS for a in ("--source", f"{k}={folder / (k + '.csv')}")]


def linkage(*args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKAGE_")}
    res = subprocess.run([LINKAGE, *args], env=env, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    return res.stdout


def run(ws: Path, src: list[str], threads: int, *extra: str) -> Path:
    linkage("run", *src, "--out", str(ws / "out"), "--db", str(ws / "ws.duckdb"), "--threads", str(threads), *extra)
    return ws / "out"


def strip(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: strip(v) for k, v in obj.items() if k not in VOLATILE}
    if isinstance(obj, list):
        return [strip(v) for v in obj]
    return obj


def assert_same_files(a: Path, b: Path, names: tuple[str, ...]) -> None:
    """Same rows in the same order, column for column (floats included: they are compared exactly)."""
    for name in names:
        ta, tb = pq.read_table(a / name), pq.read_table(b / name)
        assert ta.schema == tb.schema, name
        assert ta.num_rows == tb.num_rows, name
        assert ta.equals(tb), f"{name} differs between {a} and {b}"


def assert_same_run(a: Path, b: Path) -> None:
    assert sorted(p.name for p in a.iterdir()) == sorted(p.name for p in b.iterdir())
    assert_same_files(a, b, RUN_FILES)
    ja, jb = (strip(json.loads((d / "run.json").read_text(encoding="utf-8"))) for d in (a, b))
    assert ja == jb
    assert (a / "model.json").read_bytes() == (b / "model.json").read_bytes()


def pairs(ws: Path) -> list[tuple]:
    con = duckdb.connect(str(ws / "ws.duckdb"), read_only=True)
    try:
        return con.execute("SELECT * FROM pairs ORDER BY uid_l, uid_r").fetchall()
    finally:
        con.close()


def load(ws: Path, out: str = "load") -> Path:
    linkage("load", "--out", str(ws / out), "--db", str(ws / "ws.duckdb"))
    return ws / out


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("determinism")
    src = sources(SAMPLE)
    d: dict[str, Path] = {}
    for name, threads in (("a", 2), ("b", 1)):
        (root / name).mkdir()
        d[name] = root / name
        run(d[name], src, threads)
    return d


def test_fresh_workspaces_and_thread_counts_give_identical_outputs(runs: dict[str, Path]) -> None:
    a, b = runs["a"], runs["b"]
    assert_same_run(a / "out", b / "out")
    assert pairs(a) == pairs(b)  # match weights and probabilities bit for bit (EM, sums over threads)
    assert_same_files(load(a), load(b), LOAD_FILES)


def test_rerun_on_the_same_workspace_gives_identical_outputs(runs: dict[str, Path], tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(runs["a"], ws)
    shutil.rmtree(ws / "out")
    run(ws, sources(SAMPLE), 2)
    assert_same_run(runs["a"] / "out", ws / "out")
    assert pairs(ws) == pairs(runs["a"])
    assert_same_files(load(ws, "load-again"), load(runs["a"], "load-again"), LOAD_FILES)


def test_same_decisions_give_identical_golden_records(runs: dict[str, Path], tmp_path: Path) -> None:
    """The same review store applied to two workspaces (2 threads, 1 thread): the same golden records."""
    previous = use_cheap_password_hashing()
    try:
        a, b = tmp_path / "a", tmp_path / "b"
        shutil.copytree(runs["a"], a)
        shutil.copytree(runs["b"], b)
        db = str(a / "ws.duckdb")
        conflicts = duckdb.sql(
            f"""SELECT conflict_id, province_code FROM '{a / 'out' / 'conflicts.parquet'}'
                WHERE suggested_value IS NOT NULL AND province_code IS NOT NULL ORDER BY conflict_id LIMIT 3"""
        ).fetchall()
        provinces = sorted({p for _, p in conflicts})
        for args in (["canbo", "--name", "Cán Bộ", "--role", "officer", *[x for p in provinces for x in
                                                                            ("--province", p)]],
                     ["quanly", "--name", "Quản Lý", "--role", "steward"]):
            res = CliRunner().invoke(main, ["users", "add", *args, "--password", "mk-12345", "--db", db])
            assert res.exit_code == 0, res.output
        res = CliRunner().invoke(main, ["review", "export", "--all", "--out", str(a / "phieu"), "--db", db])
        assert res.exit_code == 0, res.output
        answers = {conflicts[0][0]: (ACCEPT, None, None), conflicts[1][0]: (SPLIT, None, "hai người"),
                   conflicts[2][0]: (ACCEPT, None, None)}
        books = sorted((a / "phieu").glob("*.xlsx"))
        for book in books:
            fill_workbook(book, answers)
        res = CliRunner().invoke(main, ["review", "import", *map(str, books), "--as", "canbo", "--db", db])
        assert res.exit_code == 0, res.output
        with ReviewStore.open(str(a / "ws.review.sqlite"), create=False) as store:
            [proposal] = dz.pending_proposals(store)
            dz.approve(store, "quanly", proposal.id, reason="đã kiểm tra")
        for name in ("ws.review.sqlite", "ws.review.sqlite.chain-head"):
            shutil.copy(a / name, b / name)
    finally:
        accounts.password_hasher = previous
    la, lb = load(a), load(b)
    acc = json.loads((la / "accounting.json").read_text(encoding="utf-8"))
    assert acc["cannot_links"] >= 1 and acc["decisions_applied"] >= 1 and acc["reclustered"]
    assert_same_files(la, lb, LOAD_FILES)
    assert strip(json.loads((la / "accounting.json").read_text())) == strip(json.loads((lb / "accounting.json")
                                                                                          .read_text()))


def _shuffle(src: Path, dst: Path, rng: random.Random) -> list[int]:
    """Writes `src` with its data rows shuffled; returns, for each new row (1-based), its row in `src`."""
    with src.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    order = list(range(1, len(rows)))
    rng.shuffle(order)
    with dst.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([rows[0], *(rows[i] for i in order)])
    return order


def _scored_pairs(ws: Path, back: dict[str, list[int]] | None) -> dict[frozenset, tuple]:
    """Every scored pair by its two records' (source, original row): weight and probability."""
    con = duckdb.connect(str(ws / "ws.duckdb"), read_only=True)
    try:
        rows = con.execute("""SELECT a.source, a.row, b.source, b.row, p.match_weight, p.match_probability
                              FROM pairs p JOIN records a ON a.uid = p.uid_l JOIN records b ON b.uid = p.uid_r"""
                           ).fetchall()
    finally:
        con.close()

    def key(source: str, row: int) -> tuple[str, int]:
        return source, back[source][row - 1] if back else row

    return {frozenset((key(sa, ra), key(sb, rb))): (w, p) for sa, ra, sb, rb, w, p in rows}


def _partition(clusters: Path, back: dict[str, list[int]] | None) -> set[frozenset]:
    persons: dict[str, set] = {}
    for source, row, pid in duckdb.sql(f"SELECT source, row, person_id FROM '{clusters}'").fetchall():
        persons.setdefault(pid, set()).add((source, back[source][row - 1] if back else row))
    return {frozenset(v) for v in persons.values()}


def test_shuffled_rows_give_the_same_persons(runs: dict[str, Path], tmp_path: Path) -> None:
    """person_id is documented (linkage/cluster.py, docs/schema.md) as a hash of the smallest
    `source:record_id:file name:row` among the person's records, so moving rows changes ids legitimately; the
    partition into persons must not change, and every id must follow the rule. With the model pinned (`--model`),
    every pair's match weight is the same bit for bit; training itself samples records by their surrogate key
    (docs/reliability.md), so a re-ordered file may train a marginally different model."""
    rng = random.Random(6)
    shuffled = tmp_path / "input"
    shuffled.mkdir()
    original_row = {k: _shuffle(SAMPLE / f"{k}.csv", shuffled / f"{k}.csv", rng) for k in KINDS}
    base = _partition(runs["a"] / "out" / "clusters.parquet", None)
    assert len(base) > 1000
    base_pairs = _scored_pairs(runs["a"], None)

    pinned = tmp_path / "pinned"
    pinned.mkdir()
    out = run(pinned, sources(shuffled), 2, "--model", str(runs["a"] / "out" / "model.json"))
    assert _scored_pairs(pinned, original_row) == base_pairs
    assert _partition(out / "clusters.parquet", original_row) == base

    trained = tmp_path / "trained"
    trained.mkdir()
    out = run(trained, sources(shuffled), 2)
    assert _partition(out / "clusters.parquet", original_row) == base

    moved = duckdb.sql(f"SELECT count(*) FROM '{out / 'clusters.parquet'}' a JOIN "
                       f"'{runs['a'] / 'out' / 'clusters.parquet'}' b USING (source, record_id, person_id)").fetchall()
    assert moved[0][0] < duckdb.sql(f"SELECT count(*) FROM '{out / 'clusters.parquet'}'").fetchall()[0][0]
    rule = {}
    for source, record_id, file, row, pid in duckdb.sql(
            f"SELECT source, record_id, file, row, person_id FROM '{out / 'clusters.parquet'}'").fetchall():
        key = f"{source}:{record_id or ''}:{Path(file).name}:{row}"
        rule[pid] = min(rule.get(pid, key), key)
    assert all(pid == "P" + hashlib.sha1(key.encode()).hexdigest()[:12] for pid, key in rule.items())
