"""`linkage generate`: a synthetic population, its three archive exports and the truth about them."""

from __future__ import annotations

import json
from pathlib import Path

import click

from linkage.synth import Rates, generate

_D = Rates()


def _rate(name: str, help_text: str):
    default = getattr(_D, name)
    return click.option(f"--{name.replace('_', '-')}", name, type=float, default=default, show_default=True,
                        help=help_text)


@click.command("generate")
@click.option("--persons", type=int, default=2000, show_default=True, help="Number of people to generate.")
@click.option("--seed", type=int, default=42, show_default=True, help="Random seed: same seed and options, same files.")
@click.option("--out", "out", type=click.Path(file_okay=False), required=True, help="Output folder.")
@_rate("noise_rate", "Share of records with formatting noise (×0.5 civil status, ×1.4 household books).")
@_rate("conflict_rate", "Share of persons with two or more records given a real disagreement.")
@_rate("duplicate_rate", "Share of persons with a second record in one source (moves, old cards).")
@_rate("reregistration_rate", "Share of birth registrations registered a second time (off by default).")
@_rate("missing_rate", "Multiplier on each field's share of empty cells.")
@_rate("twin_rate", "Chance that a child is the twin of the sibling before.")
@_rate("same_name_rate", "Share of persons who are namesakes of a stranger (same sex, birth year, province).")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "parquet"]), default="csv", show_default=True,
              help="File format of the three exports (the truth files are always Parquet).")
@click.option("--styles", type=click.Choice(["auto", "default"]), default="auto", show_default=True,
              help="auto: header spelling, date style, row-number column and BOM vary per file with the seed; "
                   "default: documented headers, dd/mm/yyyy.")
@click.option("--json", "as_json", is_flag=True, help="Print the full summary as JSON.")
def command(persons: int, seed: int, out: str, noise_rate: float, conflict_rate: float, duplicate_rate: float,
            reregistration_rate: float, missing_rate: float, twin_rate: float, same_name_rate: float, fmt: str, styles: str,
            as_json: bool) -> None:
    """Generate synthetic civil-status, household-book and citizen-ID exports of the same people, with the truth
    (who is who, planted disagreements, planted formatting variants)."""
    summary = generate(persons, seed, Path(out), noise_rate=noise_rate, conflict_rate=conflict_rate,
                       duplicate_rate=duplicate_rate, reregistration_rate=reregistration_rate,
                       missing_rate=missing_rate, twin_rate=twin_rate,
                       same_name_rate=same_name_rate, fmt=fmt, styles=styles)
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    for line in summary_lines(summary):
        click.echo(line)


def summary_lines(summary: dict) -> list[str]:
    """One line per file written, then one line of totals."""
    out = Path(summary["out"])
    notes = {
        "truth.parquet": "source, record_id → person_id",
        "truth_conflicts.parquet": f"planted disagreements ({summary['persons_with_conflicts']:,} persons)",
        "truth_noise.parquet": f"planted formatting variants ({summary['records_with_noise']:,} records)",
        "truth_persons.parquet": "the true persons",
    }
    lines = []
    for name, rows in summary["files"].items():
        stem = name.split(".")[0]
        note = notes.get(name)
        if note is None:
            st = summary["styles"].get(stem, {})
            note = f"headers {st.get('headers')}, dates {st.get('date_style')}"
        lines.append(f"{out / name}: {rows:,} rows ({note})")
    lines.append(f"{summary['persons']:,} persons in {summary['households']:,} households, "
                 f"{summary['records']:,} records, {summary['seconds']} s")
    return lines
