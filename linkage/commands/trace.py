"""`linkage trace SOURCE:RECORD_ID`: where one input row stands."""

from __future__ import annotations

import click

from linkage.commands.common import workspace_options
from linkage.workspace import WorkspaceConfig, connect


@click.command("trace")
@click.argument("ref", metavar="SOURCE:RECORD_ID")
@click.option("--review-store", default=None, envvar="LINKAGE_REVIEW_STORE", help="Review store URL or SQLite path.")
@workspace_options
def command(ws: WorkspaceConfig, ref: str, review_store: str | None) -> None:
    """Its person, the person's other records, conflicts, decisions, and whether it was loaded."""
    from linkage.pipeline import review_store_present
    from linkage.trace import add_decisions, trace

    con = connect(ws, read_only=True)
    try:
        t = trace(con, ref)
    finally:
        con.close()
    if review_store_present(ws, review_store) and t.conflicts:
        from linkage.review import open_review_store

        store = open_review_store(review_store, ws.path)
        try:
            add_decisions(t, store)
        finally:
            store.close()
    click.echo(f"record {t.key[0]}:{t.key[1]}")
    for r in t.rejected:
        click.echo(f"  rejected at {r['stage']}: {r['file']} row {r['row']}: {r['reason']}")
    for r in t.records:
        click.echo(f"  input row {r['file']} row {r['row']}")
    if t.person_id:
        click.echo(f"person {t.person_id} ({len(t.members)} records):")
        for m in t.members:
            born = "/".join(str(x) for x in (m["birth_day"], m["birth_month"], m["birth_year"]) if x is not None)
            click.echo(f"  {m['source']:<13} {m['record_id']:<20} {m['file']} row {m['row']:<6} "
                       f"{m['full_name'] or '':<28} {born}")
    if t.conflicts:
        click.echo("conflicts:")
        for c in t.conflicts:
            click.echo(f"  {c['field']:<12} {c['severity']:<9} suggested {c['suggested_value']!s:<24} "
                       f"({c['rule']}{', ' + c['hint'] if c['hint'] else ''}) {c['status'] or ''}")
    if t.decisions:
        click.echo("decisions:")
        for d in t.decisions:
            click.echo(f"  #{d['id']} {d['at']} {d['by']}: {d['kind']} {d['field']} {d['value'] or ''}"
                       f"{' — ' + d['reason'] if d['reason'] else ''}")
    click.echo(f"status: {t.status}")
