"""`linkage bench`: stage timings, memory and accuracy on generated data."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import click


@click.command("bench")
@click.option("--persons", type=int, default=10_000, show_default=True, help="Persons to generate.")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--baseline", is_flag=True, help="Also run the plain-Splink baseline on the same data.")
@click.option("--workdir", type=click.Path(file_okay=False), default=None,
              help="Keep the generated data, workspace and outputs here (default: a temporary folder).")
@click.option("--memory-limit", default=None, help="DuckDB memory limit, e.g. 8GB.")
@click.option("--threads", type=int, default=None)
@click.option("--record/--no-record", default=True, show_default=True,
              help="Append the figures to docs/benchmarks.md.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False), default=None, help="Also write the figures as JSON.")
def command(persons: int, seed: int, baseline: bool, workdir: str | None, memory_limit: str | None,
            threads: int | None, record: bool, json_out: str | None) -> None:
    """Generate PERSONS, run every stage, print wall time and peak memory per stage and accuracy."""
    from linkage.bench import BENCH_DOC, append_markdown, bench, format_table

    tmp = None
    if workdir is None:
        tmp = tempfile.mkdtemp(prefix="linkage-bench-")
        workdir = tmp
    try:
        r = bench(persons, seed, Path(workdir), baseline, lambda s: click.echo(s, err=True),
                  memory_limit=memory_limit, threads=threads)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    click.echo(format_table(r))
    if json_out:
        Path(json_out).write_text(json.dumps(r, indent=1), encoding="utf-8")
    if record:
        append_markdown(r, BENCH_DOC, "linkage " + " ".join(sys.argv[1:]))
        click.echo(f"figures appended to {BENCH_DOC}")
