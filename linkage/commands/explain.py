"""`linkage explain`: why two records were (not) linked."""

from __future__ import annotations

import click

from linkage.commands.common import workspace_options
from linkage.workspace import WorkspaceConfig, connect


@click.command("explain")
@click.argument("record_a", metavar="SOURCE:RECORD_ID")
@click.argument("record_b", metavar="SOURCE:RECORD_ID")
@click.option("--chart", type=click.Path(dir_okay=False), default=None,
              help="Also write Splink's waterfall chart here as self-contained HTML (works offline).")
@click.option("--hide-values", is_flag=True, help="Show levels and weights only, not the records' values.")
@workspace_options
def command(ws: WorkspaceConfig, record_a: str, record_b: str, chart: str | None, hide_values: bool) -> None:
    """Each comparison's level and match weight for two records, and whether they were linked."""
    from linkage.explain import explain, write_chart
    from linkage.link import _quiet_splink

    _quiet_splink()
    con = connect(ws)
    try:
        exp = explain(con, record_a, record_b, chart=chart is not None)
    finally:
        con.close()
    click.echo(f"{'comparison':<20} {'level':<48} {'weight':>7}  values")
    for s in exp.steps:
        name = s["column_name"]
        if name in ("Final score",):
            continue
        values = "" if hide_values else f"{s.get('value_l', '')} | {s.get('value_r', '')}"
        if name == "Prior":
            values = ""
        click.echo(f"{name:<20} {str(s['label_for_charts'])[:48]:<48} {s['log2_bayes_factor']:>7.2f}  {values}")
    click.echo(f"{'total':<20} {'match weight':<48} {exp.match_weight:>7.2f}  "
               f"(match probability {exp.match_probability:.4f})")
    if exp.same_person:
        click.echo(f"linked: yes, both in person {exp.person_ids[0]}")
    else:
        why = f"; held apart: {exp.held_reason}" if exp.held_reason else ""
        click.echo(f"linked: no, persons {exp.person_ids[0]} and {exp.person_ids[1]}{why}")
    if chart:
        write_chart(exp, chart)
        click.echo(f"waterfall chart written to {chart}")
