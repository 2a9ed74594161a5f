"""`linkage report`: progress per province and commune (HTML, works offline)."""

from __future__ import annotations

import click

from linkage.commands.common import workspace_options
from linkage.workspace import WorkspaceConfig


@click.command("report")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="HTML file to write.")
@workspace_options
def command(ws: WorkspaceConfig, out: str) -> None:
    """Records, persons, cross-source links, conflicts and loads per province and commune."""
    from linkage.report import pct, write_report

    rows = write_report(ws, out)
    persons = sum(r["persons"] for r in rows)
    loaded = sum(r["loaded"] for r in rows)
    click.echo(f"persons loaded: {pct(loaded, persons)}; report written to {out}")
