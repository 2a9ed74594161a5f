"""Crash safety (issue #6): the real CLI is killed by SIGKILL at every checkpoint of `linkage.checkpoints`, and what
it leaves behind must be usable.

For each checkpoint: the command dies with -9; the DuckDB workspace and the review store open; `review verify` (and
`audit verify`, where that command exists) passes; every output folder (`--out` and the review snapshot) holds either
the complete previous result or the complete new one, file for file; re-running the same command without the switch
gives exactly the uninterrupted result. For `review import`: no decision is lost or recorded twice.

The states are built once per module (a 300-person synthetic population; the `run` cases reuse a trained model so
that a case costs two short processes) and copied per case."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from cli import main
from linkage import checkpoints
from linkage.review import accounts, excel
from linkage.review import decisions as dz
from linkage.review.store import ReviewStore
from linkage.review.testing import fill_workbook, use_cheap_password_hashing

LINKAGE = str(Path(sys.executable).with_name("linkage"))
ROOT = Path(__file__).resolve().parents[1]
ACCEPT, _CHOOSE, _CORRECT, SPLIT = excel.DECISION_LABELS.values()
KINDS = ("civil_status", "household", "citizen_id")
# Not part of a result: timings, timestamps, the workspace path of a copy, and whether `load` itself re-clustered
# (a load killed after re-clustering leaves the re-clustered tables, so its re-run has nothing left to re-cluster).
VOLATILE = {"started", "workspace", "timings_s", "timings", "seconds", "published", "reclustered"}


# ----------------------------------------------------------------------------------------------------------------
# helpers


def cli(*args: str) -> str:
    res = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.output


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKAGE_")}
    env.update(extra)
    return env


def linkage(cwd: Path, *args: str, crash_at: str | None = None) -> subprocess.CompletedProcess[str]:
    """The real CLI in its own process (optionally told where to die)."""
    env = clean_env(**({checkpoints.ENV_CRASH_AT: crash_at} if crash_at else {}))
    return subprocess.run([LINKAGE, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def strip(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: strip(v) for k, v in obj.items() if k not in VOLATILE}
    if isinstance(obj, list):
        return [strip(v) for v in obj]
    return obj


def folder_content(folder: Path) -> dict[str, Any]:
    """Every file of an output folder, read in full: Parquet as a table (in file order), JSON without timings,
    timestamps and paths. A half-written file fails to read."""
    content: dict[str, Any] = {}
    for p in sorted(folder.iterdir()):
        assert p.is_file(), p
        if p.suffix == ".parquet":
            content[p.name] = pq.read_table(p)
        elif p.suffix == ".json":
            content[p.name] = strip(json.loads(p.read_text(encoding="utf-8")))
        else:
            content[p.name] = p.read_bytes()
    return content


def same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a.keys() != b.keys():
        return False
    return all(a[k].equals(b[k]) if hasattr(a[k], "equals") else a[k] == b[k] for k in a)


def which(folder: Path, old: dict[str, Any] | None, new: dict[str, Any]) -> str:
    """'old' or 'new': the folder must be one complete result or the other, never a mix."""
    assert folder.is_dir(), f"{folder} is missing"
    got = folder_content(folder)
    if same(got, new):
        return "new"
    if old is not None and same(got, old):
        return "old"
    detail = {k: ("new" if k in new and _eq(got[k], new[k]) else "old" if old and k in old and _eq(got[k], old[k])
                  else "neither") for k in got}
    raise AssertionError(f"{folder} is neither the previous nor the new result: {detail}")


def _eq(a: Any, b: Any) -> bool:
    return a.equals(b) if hasattr(a, "equals") else a == b


def only_hidden_debris(parent: Path, expected: set[str]) -> None:
    """Beside the outputs, a killed writer may leave only its hidden temporary folder (`.NAME.tmp-…`)."""
    for p in parent.iterdir():
        if p.name in expected:
            continue
        assert re.fullmatch(r"\.(out|load|ws\.snapshot)\.(tmp|old)-[\w-]+", p.name), f"unexpected {p}"
        assert p.name.startswith(".")


def journal(ws_dir: Path) -> list[tuple]:
    """The decisions journal's content (without the time and hashes, which differ between two imports)."""
    con = sqlite3.connect(f"file:{ws_dir / 'ws.review.sqlite'}?mode=ro", uri=True)
    try:
        return con.execute(
            """SELECT seq, kind, subject, conflict_id, fingerprint, person_id, field, value, reason, legal_ref,
                      records_a, records_b, target_id, previous_id, actor, channel, origin, before, after
               FROM decisions ORDER BY seq""").fetchall()
    finally:
        con.close()


def stores_open_and_verify(ws_dir: Path) -> None:
    con = duckdb.connect(str(ws_dir / "ws.duckdb"))  # replays the WAL a killed writer left
    try:
        assert con.execute("SELECT count(*) FROM records").fetchall()[0][0] > 0
    finally:
        con.close()
    store = ReviewStore.open(str(ws_dir / "ws.review.sqlite"), create=False)
    try:
        report = store.verify_chain()
        assert report.ok, report.problems
    finally:
        store.close()
    res = CliRunner().invoke(main, ["review", "verify", "--db", str(ws_dir / "ws.duckdb")])
    assert res.exit_code == 0, res.output
    if "audit" in main.commands:  # the audit chain (another part of issue #6) where it exists
        res = CliRunner().invoke(main, ["audit", "verify", "--db", str(ws_dir / "ws.duckdb")])
        assert res.exit_code == 0, res.output


def accounting_holds(load_dir: Path) -> None:
    acc = json.loads((load_dir / "accounting.json").read_text(encoding="utf-8"))
    assert acc["rows_in"] == acc["records_loaded"] + acc["records_pending"] + acc["rows_rejected"] + acc["rows_blank"]
    golden = duckdb.sql(f"SELECT coalesce(sum(len(lineage)), 0) FROM '{load_dir / 'golden.parquet'}'").fetchall()
    pending = duckdb.sql(f"SELECT coalesce(sum(len(records)), 0) FROM '{load_dir / 'pending.parquet'}'").fetchall()
    assert (golden[0][0], pending[0][0]) == (acc["records_loaded"], acc["records_pending"])


def copy_state(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True)
    return dst


# ----------------------------------------------------------------------------------------------------------------
# the states, built once


class World:
    root: Path
    v1: list[str]  # --source options of the previous input (a shorter household file)
    v2: list[str]  # --source options of the new input (full files, and unusable rows)
    model: Path
    run_start: Path  # workspace, out/ and snapshot of a complete run on v1
    run_new: Path  # the same after an uninterrupted `run` on v2
    import_start: Path  # run on v2 done, accounts made, workbooks filled, nothing imported
    import_files: list[str]  # workbook names, in the order given to `review import`
    import_done: Path  # the same after an uninterrupted import
    load_start: Path  # imported and a split approved; load/ holds a load made before any decision
    load_new: Path  # the same after an uninterrupted `load`
    trace: list[str]  # the checkpoints passed by the uninterrupted run, import and load


def _sources(folder: Path) -> list[str]:
    return [a for k in KINDS for a in ("--source", f"{k}={folder / (k + '.csv')}")]


def _rewrite_csv(src: Path, dst: Path, keep: int | None = None, extra: list[list[str]] = ()) -> None:
    with src.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    rows = rows[: 1 + keep] if keep is not None else rows
    with dst.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([*rows, *extra])


@contextlib.contextmanager
def traced(trace: Path) -> Iterator[None]:
    """Checkpoints passed inside the block (in this process) are appended to `trace`."""
    os.environ[checkpoints.ENV_TRACE] = str(trace)
    try:
        yield
    finally:
        del os.environ[checkpoints.ENV_TRACE]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    previous_hasher = use_cheap_password_hashing()
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("LINKAGE_")}
    try:
        yield _build(tmp_path_factory.mktemp("crash"))
    finally:
        accounts.password_hasher = previous_hasher
        os.environ.update(saved)


def _build(root: Path) -> World:
    w = World()
    w.root = root
    gen = root / "gen"
    cli("generate", "--persons", "300", "--seed", "11", "--out", str(gen))
    v1, v2 = root / "input-v1", root / "input-v2"
    v1.mkdir()
    v2.mkdir()
    for k in KINDS:
        shutil.copy(gen / f"{k}.csv", v1 / f"{k}.csv")
        shutil.copy(gen / f"{k}.csv", v2 / f"{k}.csv")
    _rewrite_csv(gen / "household.csv", v1 / "household.csv", keep=230)
    width = len(next(csv.reader((gen / "civil_status.csv").open(encoding="utf-8-sig"))))
    _rewrite_csv(gen / "civil_status.csv", v2 / "civil_status.csv",
                 extra=[[f"HT-KHONG-DUNG-{i}"] + [""] * (width - 1) for i in range(3)])  # no name, no ID: rejected
    w.v1, w.v2 = _sources(v1), _sources(v2)

    a = root / "run_start"
    a.mkdir()
    cli("run", *w.v1, "--out", str(a / "out"), "--db", str(a / "ws.duckdb"))
    cli("users", "add", "quanly", "--name", "Trần Thị Quản Lý", "--role", "steward", "--password", "mk-quanly-1",
        "--db", str(a / "ws.duckdb"))
    w.model = root / "model.json"
    shutil.copy(a / "out" / "model.json", w.model)
    w.run_start = a

    trace = root / "trace.txt"
    b = copy_state(a, root / "run_new")
    with traced(trace):
        cli("run", *w.v2, "--model", str(w.model), "--out", str(b / "out"), "--db", str(b / "ws.duckdb"))
    w.run_new = b

    c = copy_state(b, root / "import_start")
    db = str(c / "ws.duckdb")
    cli("load", "--out", str(c / "load"), "--db", db)  # the "previous" load: before any decision
    conflicts = duckdb.sql(
        f"""SELECT conflict_id, province_code, commune FROM '{c / 'out' / 'conflicts.parquet'}'
            WHERE suggested_value IS NOT NULL AND province_code IS NOT NULL ORDER BY conflict_id""").fetchall()
    by_commune: dict[tuple[str, str], list[str]] = {}
    for cid, province, commune in conflicts:
        by_commune.setdefault((province, commune), []).append(cid)
    groups = sorted(by_commune.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    assert len(groups) >= 2 and len(groups[0][1]) >= 2, groups
    (first, ids1), (second, ids2) = groups[0], groups[1]
    cli("users", "add", "canbo", "--name", "Nguyễn Văn Cán Bộ", "--role", "officer", "--province", first[0],
        "--province", second[0], "--password", "mk-canbo-1", "--db", db)
    cli("review", "export", "--all", "--out", str(c / "phieu"), "--db", db)
    answers = {ids1[0]: (ACCEPT, None, None), ids1[1]: (SPLIT, None, "hai người khác nhau"),
               ids2[0]: (ACCEPT, None, None)}
    files: list[str] = []
    for wb_path in sorted((c / "phieu").glob("*.xlsx")):
        wb = load_workbook(wb_path, read_only=True)
        ids = {r[0] for r in wb[excel.SHEET].iter_rows(min_row=2, values_only=True)}
        wb.close()
        if ids & set(answers):
            fill_workbook(wb_path, answers)
            files.append(wb_path.name)
    files.sort(key=lambda name: name != _workbook_of(c / "phieu", ids1[0]))  # the two-decision workbook first
    assert len(files) == 2, files
    w.import_files = files
    w.import_start = c

    d = copy_state(c, root / "import_done")
    with traced(trace):
        cli("review", "import", *[str(d / "phieu" / f) for f in files], "--as", "canbo", "--db", str(d / "ws.duckdb"))
    assert len(journal(d)) == 3
    w.import_done = d

    e = copy_state(d, root / "load_start")
    store = ReviewStore.open(str(e / "ws.review.sqlite"), create=False)
    try:
        [proposal] = dz.pending_proposals(store)
        dz.approve(store, "quanly", proposal.id, reason="đã kiểm tra hồ sơ gốc")
    finally:
        store.close()
    w.load_start = e

    f = copy_state(e, root / "load_new")
    with traced(trace):
        cli("load", "--out", str(f / "load"), "--db", str(f / "ws.duckdb"))
    w.load_new = f
    w.trace = trace.read_text(encoding="utf-8").split()
    return w


def _workbook_of(folder: Path, conflict_id: str) -> str:
    for p in sorted(folder.glob("*.xlsx")):
        wb = load_workbook(p, read_only=True)
        ids = {r[0] for r in wb[excel.SHEET].iter_rows(min_row=2, values_only=True)}
        wb.close()
        if conflict_id in ids:
            return p.name
    raise AssertionError(conflict_id)


# ----------------------------------------------------------------------------------------------------------------
# the registry


def test_every_checkpoint_is_registered_and_reached(world: World) -> None:
    used = set()
    for path in (ROOT / "linkage").rglob("*.py"):
        used |= set(re.findall(r"""\bcheckpoint\(\s*["']([^"']+)["']\s*\)""", path.read_text(encoding="utf-8")))
    assert used == set(checkpoints.ALL_CHECKPOINTS)
    assert len(set(checkpoints.ALL_CHECKPOINTS)) == len(checkpoints.ALL_CHECKPOINTS)
    # an uninterrupted run, import (two files) and load pass each checkpoint, in the registered order
    seen = list(dict.fromkeys(world.trace))
    assert seen == list(checkpoints.ALL_CHECKPOINTS)
    with pytest.raises(ValueError):
        checkpoints.checkpoint("run.after_typo")


# ----------------------------------------------------------------------------------------------------------------
# run


@pytest.mark.parametrize("point", checkpoints.CHECKPOINTS["run"])
def test_run_killed_at(point: str, world: World, tmp_path: Path) -> None:
    case = copy_state(world.run_start, tmp_path / "case")
    old_out, new_out = folder_content(world.run_start / "out"), folder_content(world.run_new / "out")
    old_snap = folder_content(world.run_start / "ws.snapshot")
    new_snap = folder_content(world.run_new / "ws.snapshot")
    assert not same(old_out, new_out) and not same(old_snap, new_snap)  # else "old or new" would prove nothing
    args = ["run", *world.v2, "--model", str(world.model), "--out", str(case / "out"), "--db", str(case / "ws.duckdb")]

    res = linkage(case, *args, crash_at=point)
    assert res.returncode == -signal.SIGKILL, res.stderr
    stores_open_and_verify(case)
    state = which(case / "out", old_out, new_out)
    snap = which(case / "ws.snapshot", old_snap, new_snap)
    assert state == ("new" if point == "run.after_output_swap" else "old")
    assert snap == "old"
    only_hidden_debris(case, {p.name for p in world.run_start.iterdir()} | {"ws.duckdb.wal"})
    # `load` refuses a workspace whose run stopped part-way instead of mixing two runs' tables
    refused = CliRunner().invoke(main, ["load", "--out", str(case / "load"), "--db", str(case / "ws.duckdb")])
    assert refused.exit_code != 0 and "did not finish" in refused.output, refused.output
    assert not (case / "load").exists()

    res = linkage(case, *args)
    assert res.returncode == 0, res.stderr
    assert which(case / "out", None, new_out) == "new"
    assert which(case / "ws.snapshot", None, new_snap) == "new"


# ----------------------------------------------------------------------------------------------------------------
# review import


def _current(ws_dir: Path) -> dict[str, tuple]:
    store = ReviewStore.open(str(ws_dir / "ws.review.sqlite"), create=False)
    try:
        return {cid: (d.kind, d.value, d.actor) for cid, d in dz.current_decisions(store).items()}
    finally:
        store.close()


@pytest.mark.parametrize("point", checkpoints.CHECKPOINTS["review_import"])
def test_review_import_killed_at(point: str, world: World, tmp_path: Path) -> None:
    case = copy_state(world.import_start, tmp_path / "case")
    reference = journal(world.import_done)
    files = [str(case / "phieu" / f) for f in world.import_files]
    args = ["review", "import", *files, "--as", "canbo", "--db", str(case / "ws.duckdb")]
    assert journal(case) == []

    res = linkage(case, *args, crash_at=point)
    assert res.returncode == -signal.SIGKILL, res.stderr
    stores_open_and_verify(case)
    partial = journal(case)
    assert partial == reference[: len(partial)]  # what was committed is exactly the start of a complete import
    assert 0 < len(partial) < len(reference)
    assert len(partial) == (1 if point == "review_import.after_decision" else 2)

    res = linkage(case, *args)
    assert res.returncode == 0, res.stderr
    assert journal(case) == reference  # nothing lost, nothing recorded twice
    assert _current(case) == _current(world.import_done)
    stores_open_and_verify(case)
    res = linkage(case, *args)  # and importing the same files once more changes nothing
    assert res.returncode == 0, res.stderr
    assert journal(case) == reference
    assert res.stdout.splitlines()[-1].endswith(": unchanged 3"), res.stdout


_DIE_BETWEEN_COMMIT_AND_HEAD_FILE = """
import os, signal, sys
from linkage.review.store import ReviewStore
def publish_head(self):
    if self.head()[0] > (self.read_head_file() or (0, ""))[0]:
        os.kill(os.getpid(), signal.SIGKILL)
ReviewStore.publish_head = publish_head
from cli import main
sys.argv = ["linkage"] + sys.argv[1:]
main()
"""


def test_review_import_killed_between_commit_and_head_file(world: World, tmp_path: Path) -> None:
    """The window inside the review store (linkage/review/store.py, not reachable by a checkpoint in excel.py):
    the first decision is committed, the chain head file not yet written. `review verify` reports exactly that,
    and re-running the import brings the head file up to date."""
    case = copy_state(world.import_start, tmp_path / "case")
    files = [str(case / "phieu" / f) for f in world.import_files]
    args = ["review", "import", *files, "--as", "canbo", "--db", str(case / "ws.duckdb")]
    res = subprocess.run([sys.executable, "-c", _DIE_BETWEEN_COMMIT_AND_HEAD_FILE, *args], cwd=case,
                         env=clean_env(), capture_output=True, text=True, timeout=300)
    assert res.returncode == -signal.SIGKILL, res.stderr
    assert len(journal(case)) == 1
    store = ReviewStore.open(str(case / "ws.review.sqlite"), create=False)
    try:
        report = store.verify_chain()
    finally:
        store.close()
    assert not report.ok and report.entries == 1
    assert report.problems == [f"the chain head file {case / 'ws.review.sqlite.chain-head'} is missing"]

    res = linkage(case, *args)
    assert res.returncode == 0, res.stderr
    assert journal(case) == journal(world.import_done)
    stores_open_and_verify(case)


# ----------------------------------------------------------------------------------------------------------------
# load


@pytest.mark.parametrize("point", checkpoints.CHECKPOINTS["load"])
def test_load_killed_at(point: str, world: World, tmp_path: Path) -> None:
    case = copy_state(world.load_start, tmp_path / "case")
    old_load, new_load = folder_content(world.load_start / "load"), folder_content(world.load_new / "load")
    old_snap = folder_content(world.load_start / "ws.snapshot")
    new_snap = folder_content(world.load_new / "ws.snapshot")
    assert not same(old_load, new_load) and not same(old_snap, new_snap)
    decisions = journal(case)
    args = ["load", "--out", str(case / "load"), "--db", str(case / "ws.duckdb")]

    res = linkage(case, *args, crash_at=point)
    assert res.returncode == -signal.SIGKILL, res.stderr
    stores_open_and_verify(case)
    assert which(case / "load", old_load, new_load) == ("new" if point == "load.after_output_swap" else "old")
    assert which(case / "ws.snapshot", old_snap, new_snap) == "old"
    assert journal(case) == decisions  # batch stages never write the review store

    res = linkage(case, *args)
    assert res.returncode == 0, res.stderr
    assert which(case / "load", None, new_load) == "new"
    assert which(case / "ws.snapshot", None, new_snap) == "new"
    accounting_holds(case / "load")
    accounting_holds(world.load_new / "load")
    acc = json.loads((case / "load" / "accounting.json").read_text(encoding="utf-8"))
    assert acc["decisions_applied"] >= 1 and acc["cannot_links"] >= 1  # the officer's decisions took effect
