"""`linkage bench`: every stage timed and measured, accuracy and the baseline side by side."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cli import main
from linkage.bench import append_markdown


def test_bench_small_with_baseline(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    res = CliRunner().invoke(main, ["bench", "--persons", "400", "--seed", "5", "--baseline", "--no-record",
                                    "--json", str(out)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    r = json.loads(out.read_text())
    assert set(r["stages"]) == {"ingest", "normalise", "link", "cluster", "conflicts", "write", "load"}
    assert all(v["seconds"] >= 0 and v["peak_mb"] > 0 for v in r["stages"].values())
    assert r["accuracy"]["clusters"]["pairwise_f1"] > 0.95
    assert 0 < r["baseline"]["accuracy"]["clusters"]["pairwise_f1"] <= 1
    assert "| pairwise F1 |" in res.output and "baseline" in res.output
    doc = tmp_path / "benchmarks.md"
    append_markdown(r, doc, "linkage bench --persons 400 --seed 5 --baseline")
    text = doc.read_text()
    assert "400 persons" in text and "Machine:" in text and "| **total**" in text
