"""`linkage run` end to end on the bundled sample: outputs, accuracy, determinism, model reuse, bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
SOURCES = ["--source", f"civil_status={SAMPLE / 'civil_status.csv'}", "--source",
           f"household={SAMPLE / 'household.csv'}", "--source", f"citizen_id={SAMPLE / 'citizen_id.csv'}"]


def invoke(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return res.exit_code, res.output


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("run")
    code, out = invoke("run", *SOURCES, "--out", str(d / "out"), "--db", str(d / "ws.duckdb"))
    assert code == 0, out
    return d


def table(path: Path) -> list[tuple]:
    return duckdb.sql(f"SELECT * FROM '{path}'").fetchall()


def test_outputs_have_the_contract_columns(first_run: Path) -> None:
    out = first_run / "out"
    cols = {f: [c[0] for c in duckdb.sql(f"DESCRIBE SELECT * FROM '{out / f}'").fetchall()]
            for f in ("clusters.parquet", "rejected.parquet", "conflicts.parquet", "possible_matches.parquet")}
    assert {"source", "record_id", "file", "row", "person_id"} <= set(cols["clusters.parquet"])
    assert {"source", "record_id", "file", "row", "reason"} <= set(cols["rejected.parquet"])
    assert {"person_id", "field", "values", "suggested_value", "rule", "severity", "commune", "agency"} \
        <= set(cols["conflicts.parquet"])
    assert {"source_l", "record_id_l", "source_r", "record_id_r", "match_probability", "reason"} \
        <= set(cols["possible_matches.parquet"])
    run = json.loads((out / "run.json").read_text())
    assert {"ingest", "normalise", "link", "cluster", "conflicts"} <= set(run["timings_s"])
    truth_rows = duckdb.sql(f"SELECT count(*) FROM '{SAMPLE / 'truth.parquet'}'").fetchall()[0][0]
    kept = duckdb.sql(f"SELECT count(*) FROM '{out / 'clusters.parquet'}'").fetchall()[0][0]
    rejected = duckdb.sql(f"SELECT count(*) FROM '{out / 'rejected.parquet'}'").fetchall()[0][0]
    assert kept + rejected == truth_rows  # every input row is kept or rejected


def test_accuracy_on_the_sample(first_run: Path) -> None:
    code, out = invoke("evaluate", "--truth", str(SAMPLE), "--out", str(first_run / "out"),
                       "--db", str(first_run / "ws.duckdb"))
    assert code == 0, out
    ev = json.loads((first_run / "out" / "evaluation.json").read_text())
    assert ev["clusters"]["pairwise_f1"] >= 0.99
    assert ev["clusters"]["bcubed_f1"] >= 0.99
    assert ev["persons_with_two_birth_registrations"] == 0
    assert ev["blocking"]["recall"] >= 0.995
    assert ev["conflicts"]["precision"] >= 0.9 and ev["conflicts"]["recall"] >= 0.9
    assert "pairwise   precision" in out and "errors by cause" in out


def test_twins_are_never_merged(first_run: Path) -> None:
    twins = duckdb.sql(
        f"""SELECT t1.person_id, t2.person_id FROM '{SAMPLE / 'truth_persons.parquet'}' t1
            JOIN '{SAMPLE / 'truth_persons.parquet'}' t2 ON t1.twin_of = t2.person_id""").fetchall()
    assert twins, "the sample has twins"
    merged = duckdb.sql(
        f"""WITH t AS (SELECT * FROM '{SAMPLE / 'truth.parquet'}'),
                 c AS (SELECT * FROM '{first_run / 'out' / 'clusters.parquet'}'),
                 tw AS (SELECT person_id AS a, twin_of AS b FROM '{SAMPLE / 'truth_persons.parquet'}'
                        WHERE twin_of IS NOT NULL)
            SELECT count(*) FROM tw
            JOIN t ta ON ta.person_id = tw.a JOIN c ca ON ca.source = ta.source AND ca.row = ta.row
            JOIN t tb ON tb.person_id = tw.b JOIN c cb ON cb.source = tb.source AND cb.row = tb.row
            WHERE ca.person_id = cb.person_id""").fetchall()[0][0]
    assert merged == 0


def test_rerun_gives_identical_persons_and_model_reuse_skips_training(first_run: Path, tmp_path: Path) -> None:
    model = first_run / "out" / "model.json"
    code, out = invoke("run", *SOURCES, "--out", str(tmp_path / "out2"), "--db", str(tmp_path / "ws2.duckdb"),
                       "--model", str(model))
    assert code == 0, out
    a = table(first_run / "out" / "clusters.parquet")
    b = table(tmp_path / "out2" / "clusters.parquet")
    assert [(r[0], r[1], r[3], r[4]) for r in a] == [(r[0], r[1], r[3], r[4]) for r in b]
    run2 = json.loads((tmp_path / "out2" / "run.json").read_text())
    assert run2["counts"]["link"]["trained"] is False
    assert not any(k.startswith("link_train") for k in run2["timings_s"])


def test_failed_run_leaves_previous_output_intact(first_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(first_run / "out", out)
    before = sorted(p.name for p in out.iterdir())
    bad = tmp_path / "empty.csv"
    bad.write_text("", encoding="utf-8")
    res = CliRunner().invoke(main, ["run", "--source", f"civil_status={bad}", "--out", str(out),
                                    "--db", str(tmp_path / "ws.duckdb")])
    assert res.exit_code == 2
    assert "empty.csv" in res.output and "Traceback" not in res.output
    assert sorted(p.name for p in out.iterdir()) == before
    assert table(out / "clusters.parquet") == table(first_run / "out" / "clusters.parquet")


def test_explain_and_trace(first_run: Path, tmp_path: Path) -> None:
    pair = duckdb.sql(
        f"""SELECT a.source || ':' || a.record_id, b.source || ':' || b.record_id
            FROM '{first_run / 'out' / 'clusters.parquet'}' a JOIN '{first_run / 'out' / 'clusters.parquet'}' b
              ON a.person_id = b.person_id AND a.source = 'civil_status' AND b.source = 'household'
            LIMIT 1""").fetchall()[0]
    chart = tmp_path / "w.html"
    code, out = invoke("explain", pair[0], pair[1], "--db", str(first_run / "ws.duckdb"), "--chart", str(chart))
    assert code == 0, out
    assert "given_name" in out and "birth_date" in out and "linked: yes" in out
    html = chart.read_text(encoding="utf-8")
    assert "<html" in html.lower() and "cdn.jsdelivr" not in html
    code, out = invoke("trace", pair[0], "--db", str(first_run / "ws.duckdb"))
    assert code == 0, out
    assert pair[1].split(":")[1] in out and "status:" in out


def test_second_writer_is_refused(first_run: Path) -> None:
    import linkage.workspace as ws

    con = ws.connect(ws.WorkspaceConfig(str(first_run / "ws.duckdb")))
    try:
        import subprocess
        import sys

        proc = subprocess.run([sys.executable, "-m", "cli", "ingest", "--source",
                               f"civil_status={SAMPLE / 'civil_status.csv'}", "--db", str(first_run / "ws.duckdb")],
                              capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1])
    finally:
        con.close()
    assert proc.returncode == 2
    assert "in use" in proc.stderr and "Traceback" not in proc.stderr
