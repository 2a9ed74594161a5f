"""`linkage load`: golden records and the pending list (decisions applied first)."""

from __future__ import annotations

import click

from linkage.commands.common import workspace_options
from linkage.workspace import WorkspaceConfig


@click.command("load")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Output folder (replaced as a whole).")
@click.option("--review-store", default=None, envvar="LINKAGE_REVIEW_STORE", help="Review store URL or SQLite path.")
@click.option("--rules", "rules_dir", type=click.Path(), default=None, help="Rules folder (default: rules/).")
@workspace_options
def command(ws: WorkspaceConfig, out: str, review_store: str | None, rules_dir: str | None) -> None:
    """Apply decisions, re-cluster, and write golden.parquet, pending.parquet and accounting.json into OUT."""
    from linkage.load import load_golden

    res = load_golden(ws, out, review_store=review_store, rules_dir=rules_dir)
    click.echo(f"decisions applied: {res.decisions_applied:,}  stale (values changed since): {res.decisions_stale:,}"
               f"  for conflicts that no longer exist: {res.decisions_gone:,}")
    click.echo(f"{'source':<14}{'rows in':>10}{'loaded':>10}{'pending':>10}{'rejected':>10}{'blank':>8}")
    for src, c in sorted(res.by_source.items()):
        click.echo(f"{src:<14}{c['rows_in']:>10,}{c['loaded']:>10,}{c['pending']:>10,}{c['rejected']:>10,}"
                   f"{c['blank']:>8,}")
    click.echo(res.summary_line())
    click.echo(f"outputs in {out}")
