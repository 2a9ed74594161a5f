"""`linkage demo`: `run` + `load` + `report` on the bundled sample in data/sample/."""

from __future__ import annotations

from pathlib import Path

import click

from linkage.commands.common import workspace_options
from linkage.pipeline import RunOptions, run
from linkage.workspace import WorkspaceConfig

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data" / "sample"
SAMPLE_FILES = {"civil_status": "civil_status.csv", "household": "household.csv", "citizen_id": "citizen_id.csv"}


@click.command("demo")
@click.option("--out", default="demo-out", show_default=True, type=click.Path(file_okay=False),
              help="Output folder for the run, the load and the report.")
@click.option("--sample", "sample_dir", default=str(SAMPLE_DIR), show_default=False,
              type=click.Path(file_okay=False), help="Folder with the three sample exports.")
@workspace_options
def command(ws: WorkspaceConfig, out: str, sample_dir: str) -> None:
    """Run the whole job on the bundled sample (about 2,000 persons) with the embedded DuckDB workspace."""
    from linkage.errors import UserError

    folder = Path(sample_dir)
    missing = [f for f in SAMPLE_FILES.values() if not (folder / f).exists()]
    if missing:
        raise UserError(f"the sample folder lacks {', '.join(missing)}", file=str(folder))
    sources = [(k, str(folder / f)) for k, f in SAMPLE_FILES.items()]
    click.echo(f"linkage demo: sample in {folder}, workspace {ws.path}, outputs in {out}/", err=True)
    run_out = str(Path(out) / "run")
    summary = run(ws, RunOptions(sources=sources, out=run_out), echo=lambda s: click.echo(s, err=True))
    rows = summary["rows"]
    total = sum(rows["records_by_source"].values())
    click.echo("")
    click.echo(f"records kept      {total:>8,}   ({', '.join(f'{k} {v:,}' for k, v in rows['records_by_source'].items())})")
    click.echo(f"rows rejected     {sum(rows.get('rejected_by_source', {}).values()):>8,}")
    click.echo(f"persons           {rows['persons']:>8,}")
    multi = sum(v for k, v in rows["persons_by_sources"].items() if "+" in k)
    click.echo(f"  in 2+ sources   {multi:>8,}")
    click.echo(f"possible matches  {rows['possible_matches']:>8,}   (for a data steward to decide)")
    click.echo(f"conflicts         {rows.get('conflicts', 0):>8,}   (for Justice officers)")
    _after_run(ws, out, click.echo)
    click.echo(f"\nrun outputs: {run_out}/ (clusters, conflicts, possible_matches, rejected, run.json)")


def _after_run(ws: WorkspaceConfig, out: str, echo) -> None:
    """The load and report stages."""
    from linkage.load import load_golden
    from linkage.report import write_report

    res = load_golden(ws, str(Path(out) / "load"))
    echo(res.summary_line())
    path = Path(out) / "report.html"
    write_report(ws, str(path))
    echo(f"progress report: {path}")
