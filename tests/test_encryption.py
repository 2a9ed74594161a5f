"""Encryption at rest: the workspace, its review snapshot and DuckDB's spill files are encrypted with the key from
$LINKAGE_DB_KEY / $LINKAGE_DB_KEY_FILE / --key-file (never an option's value); without it or with a wrong one the
commands stop with a clear message."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from cli import main
from linkage.errors import UserError
from linkage.synth import generate
from linkage.workspace import ENV_ALLOW_MBEDTLS, WorkspaceConfig, connect

KEY = "Kh0a-bi-mat-cua-so-tu-phap-2026"
OTHER_KEY = "another-key-that-is-long-enough"
# This environment has no httpfs extension for DuckDB 2.0.1 (OpenSSL): tests accept the built-in Mbed TLS.
BASE_ENV = {ENV_ALLOW_MBEDTLS: "1", "LINKAGE_DB_KEY": None, "LINKAGE_DB_KEY_FILE": None}


def invoke(*args: str, env: dict[str, str | None] | None = None) -> tuple[int, str]:
    res = CliRunner().invoke(main, list(args), env={**BASE_ENV, **(env or {})})
    return res.exit_code, res.output + (repr(res.exception) if res.exception and res.exit_code not in (0, 2) else "")


def sources(gen: Path) -> list[str]:
    return ["--source", f"civil_status={gen / 'civil_status.csv'}", "--source", f"household={gen / 'household.csv'}",
            "--source", f"citizen_id={gen / 'citizen_id.csv'}"]


def known_values(gen: Path) -> list[str]:
    """Names and ID numbers as they stand in the input files."""
    values: list[str] = []
    with open(gen / "citizen_id.csv", encoding="utf-8-sig") as fh:
        for row in list(csv.DictReader(fh))[:20]:
            values += [row["Số CMND/CCCD"], row["Họ và tên"]]
    with open(gen / "civil_status.csv", encoding="utf-8-sig") as fh:
        for row in list(csv.DictReader(fh))[:20]:
            values += [v for v in (row["Họ tên cha"], row["Họ tên mẹ"], row["Số định danh cá nhân"]) if v]
    with open(gen / "household.csv", encoding="utf-8-sig") as fh:
        for row in list(csv.DictReader(fh))[:20]:
            values += [row["SO_SO_HK"], row["HO_TEN"]]
    return sorted(set(values))


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_ALLOW_MBEDTLS, "1")
    monkeypatch.delenv("LINKAGE_DB_KEY", raising=False)
    monkeypatch.delenv("LINKAGE_DB_KEY_FILE", raising=False)


def found_in(path: Path, values: list[str]) -> list[str]:
    data = path.read_bytes()
    return [v for v in values if v.encode("utf-8") in data]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("enc")
    generate(300, 11, d / "gen", styles="default")
    (d / "key").write_text(KEY + "\n", encoding="utf-8")
    os.chmod(d / "key", 0o600)
    code, out = invoke("run", *sources(d / "gen"), "--out", str(d / "out"), "--db", str(d / "ws.duckdb"),
                       "--key-file", str(d / "key"))
    assert code == 0, out
    code, out = invoke("load", "--out", str(d / "load"), "--db", str(d / "ws.duckdb"), "--key-file", str(d / "key"))
    assert code == 0, out
    # the same job on a plain workspace: shows that the byte search below does find the values when clear
    code, out = invoke("run", *sources(d / "gen"), "--out", str(d / "plain_out"), "--db", str(d / "plain.duckdb"))
    assert code == 0, out
    return d


def test_run_and_load_work_and_leave_no_clear_personal_data(runs: Path) -> None:
    values = known_values(runs / "gen")
    assert len(values) > 40
    assert len(found_in(runs / "plain.duckdb", values)) == len(values)  # the control: clear in a plain workspace
    assert len(found_in(runs / "plain.snapshot" / "records.parquet", values)) > 0
    assert (runs / "load" / "golden.parquet").exists()
    golden = duckdb.sql(f"SELECT count(*) FROM '{runs / 'load' / 'golden.parquet'}'").fetchall()[0][0]
    assert golden > 250
    snap = runs / "ws.snapshot"
    assert sorted(p.name for p in snap.iterdir()) == ["meta.json", "snapshot.duckdb"]  # no clear Parquet
    for f in [runs / "ws.duckdb", snap / "snapshot.duckdb", *runs.glob("ws.duckdb.wal")]:
        assert found_in(f, values) == [], f
    # and after a checkpoint (everything written from the WAL into the file)
    con = connect(WorkspaceConfig(str(runs / "ws.duckdb"), key=KEY))
    try:
        assert con.execute("SELECT count(*) FROM records").fetchall()[0][0] > 600
        con.execute("CHECKPOINT")
    finally:
        con.close()
    assert found_in(runs / "ws.duckdb", values) == []


def test_without_the_key_the_workspace_cannot_be_opened(runs: Path) -> None:
    db = str(runs / "ws.duckdb")
    with pytest.raises(duckdb.Error, match="encrypted"):
        duckdb.connect(db, read_only=True)
    code, out = invoke("trace", "citizen_id:1", "--db", db)
    assert code == 2
    assert "is encrypted" in out and "LINKAGE_DB_KEY" in out and "Traceback" not in out
    code, out = invoke("report", "--out", str(runs / "r.html"), "--db", db)
    assert code == 2 and "is encrypted" in out


def test_a_wrong_key_gives_a_clear_message(runs: Path) -> None:
    db = str(runs / "ws.duckdb")
    code, out = invoke("load", "--out", str(runs / "load2"), "--db", db, env={"LINKAGE_DB_KEY": OTHER_KEY})
    assert code == 2
    assert "wrong key" in out and OTHER_KEY not in out and "Traceback" not in out
    assert not (runs / "load2").exists()
    with pytest.raises(UserError, match="wrong key"):
        connect(WorkspaceConfig(db, key=OTHER_KEY), read_only=True)


def test_a_plain_workspace_opened_with_a_key_says_so(runs: Path) -> None:
    code, out = invoke("report", "--out", str(runs / "r.html"), "--db", str(runs / "plain.duckdb"),
                       env={"LINKAGE_DB_KEY_FILE": str(runs / "key")})
    assert code == 2
    assert "is not encrypted, but a key was given" in out and KEY not in out


def test_the_key_never_comes_from_the_command_line(runs: Path) -> None:
    code, out = invoke("report", "--out", str(runs / "r.html"), "--db", str(runs / "ws.duckdb"), "--key", KEY)
    assert code == 2 and "No such option" in out
    code, out = invoke("report", "--out", str(runs / "r.html"), "--db", str(runs / "ws.duckdb"),
                       env={"LINKAGE_DB_KEY": "short"})
    assert code == 2 and "too short" in out
    code, out = invoke("report", "--out", str(runs / "r.html"), "--db", str(runs / "ws.duckdb"),
                       "--key-file", str(runs / "no-such-key"))
    assert code == 2 and "does not exist" in out


def test_the_key_from_the_environment_opens_it(runs: Path) -> None:
    code, out = invoke("report", "--out", str(runs / "r.html"), "--db", str(runs / "ws.duckdb"),
                       env={"LINKAGE_DB_KEY": KEY})
    assert code == 0, out
    assert "persons loaded" in out


def test_the_web_application_reads_the_encrypted_snapshot_with_the_key_from_the_environment(
        runs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from linkage.review.store import ReviewStore
    from linkage.web.app import WebConfig, create_app
    from linkage.web.snapshot import load_snapshot

    with pytest.raises(RuntimeError, match="encrypted"):
        load_snapshot(runs / "ws.snapshot")
    monkeypatch.setenv("LINKAGE_DB_KEY", OTHER_KEY)
    with pytest.raises(RuntimeError, match="wrong key"):
        load_snapshot(runs / "ws.snapshot")
    monkeypatch.setenv("LINKAGE_DB_KEY_FILE", str(runs / "key"))  # the file wins over the variable
    plain = load_snapshot(runs / "plain.snapshot")
    store = ReviewStore.open(runs / "web.review.sqlite", chain_head=runs / "web.chain-head")
    app = create_app(WebConfig(snapshot_dir=runs / "ws.snapshot", review_store=store, workspace_dir=runs))
    try:
        snap = app.state.web.snapshots.get()  # what every page of `linkage serve` reads
    finally:
        store.close()
    assert snap.conflicts and snap.records and snap.matches
    assert len(snap.conflicts) == len(plain.conflicts) and len(snap.matches) == len(plain.matches)


def test_spill_files_are_encrypted(tmp_path: Path) -> None:
    def spill(name: str, key: str | None) -> tuple[int, int]:
        spill_dir = tmp_path / f"{name}.spill"
        con = connect(WorkspaceConfig(str(tmp_path / f"{name}.duckdb"), memory_limit="40MB", temp_dir=str(spill_dir),
                                      threads=1, key=key))
        try:
            con.execute("CREATE TABLE t AS SELECT 'Nguyễn Thị Spill ' || (i % 1000)::VARCHAR || repeat('x', 40) AS n, "
                        "random() AS r FROM range(1500000) t(i)")
            res = con.execute("SELECT n, r FROM t ORDER BY r")
            res.fetchmany(1)  # the sorted result is held, partly in spill files
            files = [p for p in spill_dir.rglob("*") if p.is_file()]
            clear = sum("Nguyễn Thị Spill".encode() in p.read_bytes() for p in files)
            return len(files), clear
        finally:
            con.close()

    assert spill("plain", None)[1] > 0  # the control: a plain workspace spills clear text
    files, clear = spill("enc", KEY)
    assert files > 0 and clear == 0


def test_spark_engine_is_refused_on_an_encrypted_workspace(runs: Path) -> None:
    code, out = invoke("run", *sources(runs / "gen"), "--out", str(runs / "spark_out"), "--db",
                       str(runs / "ws.duckdb"), "--engine", "spark", env={"LINKAGE_DB_KEY": KEY})
    assert code == 2 and "clear Parquet" in out


def test_writing_encrypted_needs_openssl_or_the_explicit_opt_in(tmp_path: Path) -> None:
    code, out = invoke("ingest", "--source", f"civil_status={tmp_path / 'x.csv'}", "--db", str(tmp_path / "n.duckdb"),
                       env={"LINKAGE_DB_KEY": KEY, ENV_ALLOW_MBEDTLS: None})
    loaded = duckdb.connect()
    try:
        loaded.execute("LOAD httpfs")
        has_openssl = True
    except duckdb.Error:
        has_openssl = False
    finally:
        loaded.close()
    if has_openssl:  # where httpfs is installed the workspace is written with OpenSSL
        assert "httpfs" not in out
    else:
        assert code == 2 and "httpfs" in out and ENV_ALLOW_MBEDTLS in out
