"""`linkage bench`: generate data, run the pipeline stage by stage, and measure time, memory and accuracy."""

from __future__ import annotations

import datetime as dt
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

from linkage.memory import PeakMemory
from linkage.pipeline import RunOptions, StageLog, run
from linkage.workspace import WorkspaceConfig, connect

Echo = Callable[[str], None]
BENCH_DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = psutil.virtual_memory().total / 2**30
    return f"{os.cpu_count()} cores ({model}), {mem:.0f} GiB RAM, {platform.system()} {platform.release()}"


def _evaluate(ws: WorkspaceConfig, truth: Path, out: Path) -> dict[str, Any]:
    from linkage.evaluate import evaluate_run

    con = connect(ws)
    try:
        return evaluate_run(con, truth, out)
    finally:
        con.close()


def bench(persons: int, seed: int, workdir: Path, baseline: bool, echo: Echo,
          memory_limit: str | None = None, threads: int | None = None) -> dict[str, Any]:
    from linkage.synth import generate

    workdir.mkdir(parents=True, exist_ok=True)
    data = workdir / "data"
    t0 = time.perf_counter()
    generate(persons=persons, seed=seed, out=data)
    gen_s = time.perf_counter() - t0
    echo(f"generated {persons:,} persons in {gen_s:.1f} s (not counted)")
    db = workdir / "bench.duckdb"
    for p in (db, Path(str(db) + ".wal")):
        if p.exists():
            p.unlink()
    ws = WorkspaceConfig(path=str(db), memory_limit=memory_limit, threads=threads,
                         temp_dir=str(workdir / "spill"))
    out = workdir / "out"
    sources = [(k, str(data / f"{k}.csv")) for k in ("civil_status", "household", "citizen_id")]
    with PeakMemory() as pm:
        log = StageLog(echo, memory=pm, n_stages=7)
        t_all = time.perf_counter()
        summary = run(ws, RunOptions(sources=sources, out=str(out)), echo, log)
        from linkage.load import load_golden

        t_l = log.start("load", "load golden records")
        res = load_golden(ws, str(workdir / "load"))
        log.done("load", t_l, res.summary_line())
        total_s = time.perf_counter() - t_all
        overall_peak = max(log.peak_mb.values())  # the sampler restarts its window at every stage
    result: dict[str, Any] = {
        "date": dt.date.today().isoformat(), "machine": machine(), "persons": persons, "seed": seed,
        "records": sum(summary["rows"]["records_by_source"].values()),
        "pairs_kept": summary["rows"]["pairs"], "generate_s": round(gen_s, 1),
        "stages": {k: {"seconds": log.timings.get(k), "peak_mb": log.peak_mb.get(k)} for k in log.timings
                   if not k.startswith("link_")},
        "link_detail_s": {k: v for k, v in log.timings.items() if k.startswith("link_")},
        "total_s": round(total_s, 1), "peak_mb": round(overall_peak, 1),
    }
    echo("counting the comparisons the blocking rules generate …")
    con = connect(ws)
    try:
        from linkage.model import count_comparisons, load_rules

        result["comparisons_by_rule"] = count_comparisons(con, load_rules())
        result["comparisons"] = result["comparisons_by_rule"][-1]["cumulative"]
    finally:
        con.close()
    echo("evaluating against the truth …")
    result["accuracy"] = _evaluate(ws, data, out)
    if baseline:
        result["baseline"] = run_baseline_bench(ws, data, workdir, echo)
    return result


def run_baseline_bench(ws: WorkspaceConfig, truth: Path, workdir: Path, echo: Echo) -> dict[str, Any]:
    from linkage.baseline import run_baseline

    echo("baseline: plain Splink with generic settings …")
    bout = workdir / "baseline"
    bout.mkdir(exist_ok=True)
    with PeakMemory() as pm:
        t0 = time.perf_counter()
        con = connect(ws)
        try:
            timings = run_baseline(con)
            con.execute(f"COPY baseline_clusters TO '{bout / 'clusters.parquet'}' (FORMAT parquet)")
        finally:
            con.close()
        secs = time.perf_counter() - t0
    con = connect(WorkspaceConfig(":memory:"))  # the baseline's clusters only: no engine tables
    try:
        from linkage.evaluate import evaluate_run

        acc = evaluate_run(con, truth, bout)
    finally:
        con.close()
    return {"seconds": round(secs, 1), "peak_mb": round(pm.peak_mb, 1), "detail_s": timings, "accuracy": acc}


def format_table(r: dict[str, Any]) -> str:
    lines = ["| stage | wall time (s) | peak RSS (MB) |", "|---|---:|---:|"]
    for k, v in r["stages"].items():
        lines.append(f"| {k} | {v['seconds']:.1f} | {v['peak_mb'] or 0:,.0f} |")
    lines.append(f"| **total** (generate excluded) | **{r['total_s']:.1f}** | **{r['peak_mb']:,.0f}** |")
    a = r["accuracy"]["clusters"]
    acc = [
        "", "| | engine" + (" | baseline |" if "baseline" in r else " |"),
        "|---|---:" + ("|---:|" if "baseline" in r else "|"),
    ]
    b = r.get("baseline", {}).get("accuracy", {}).get("clusters", {})

    def row(label: str, key: str) -> str:
        s = f"| {label} | {a[key]:.4f}"
        return s + (f" | {b[key]:.4f} |" if b else " |")

    for label, key in (("pairwise precision", "pairwise_precision"), ("pairwise recall", "pairwise_recall"),
                       ("pairwise F1", "pairwise_f1"), ("B-cubed F1", "bcubed_f1"),
                       ("cross-source recall", "cross_source_recall")):
        acc.append(row(label, key))
    if b:
        bl = r["baseline"]
        acc.append(f"| wall time (s) | {r['total_s']:.1f} | {bl['seconds']:.1f} |")
        acc.append(f"| peak RSS (MB) | {r['peak_mb']:,.0f} | {bl['peak_mb']:,.0f} |")
    return "\n".join(lines + acc)


def append_markdown(r: dict[str, Any], path: Path, command: str) -> None:
    acc = r["accuracy"]
    extra = []
    if "blocking" in acc:
        bl = acc["blocking"]
        extra.append(f"- blocking: {bl['recall']:.5f} of {bl['true_pairs']:,} true pairs fall directly inside a rule; "
                     f"{r.get('comparisons', 0):,} comparisons scored ({r.get('comparisons', 0) / r['records']:.1f} "
                     f"per record), {r['pairs_kept']:,} kept above the storage floor")
    if acc.get("errors_by_cause"):
        extra.append("- errors by cause (pairs): " + ", ".join(f"{k} {v:,}" for k, v in acc["errors_by_cause"].items()))
    extra.append(f"- persons with two birth registrations: {acc['persons_with_two_birth_registrations']}")
    if "conflicts" in acc:
        c = acc["conflicts"]
        extra.append(f"- conflicts: precision {c['precision']:.4f}, recall {c['recall']:.4f} "
                     f"({c['truth']:,} planted and shown, {c['detected']:,} detected; "
                     f"{c.get('masked_by_formatting') or 0:,} masked by formatting not counted); per field: "
                     + ", ".join(f"{f} {m['precision']:.3f}/{m['recall']:.3f}" for f, m in c["per_field"].items()))
        extra.append(f"- suggested value is the true one: {c['suggestion_accuracy']:.4f} of {c['suggestions_checked']:,} "
                     f"conflicts planted outside a person's birth registration; {c['suggestion_accuracy_all']:.4f} "
                     f"of {c['suggestions_checked_all']:,} including persons without one")
    text = (
        f"\n### {r['persons']:,} persons ({r['records']:,} records), seed {r['seed']} — {r['date']}\n\n"
        f"Machine: {r['machine']}. Command: `{command}`. Generation took {r['generate_s']} s (excluded).\n\n"
        + format_table(r) + "\n\n" + "\n".join(extra) + "\n"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text("# Benchmarks\n", encoding="utf-8")
    with path.open("a", encoding="utf-8") as fh:
        fh.write(text)
