"""`linkage export --pseudonymise`: extracts for analysts with names and ID numbers replaced by keyed hashes."""

from __future__ import annotations

import click

from linkage.commands.common import workspace_options
from linkage.workspace import WorkspaceConfig, connect


@click.command("export")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Output folder (replaced as a whole).")
@click.option("--pseudonymise", is_flag=True,
              help="Replace names and ID numbers by keyed hashes (required: there is no clear export).")
@click.option("--pseudonym-key-file", default=None, type=click.Path(dir_okay=False),
              help="File holding the pseudonymisation key (or $LINKAGE_PSEUDONYM_KEY_FILE, or the key itself in "
                   "$LINKAGE_PSEUDONYM_KEY). Same key, same pseudonyms; another key, unlinkable ones.")
@click.option("--birth-year-only", is_flag=True, help="Coarsen birth dates to the year.")
@workspace_options
def command(ws: WorkspaceConfig, out: str, pseudonymise: bool, pseudonym_key_file: str | None,
            birth_year_only: bool) -> None:
    """Writes records, clusters, conflicts and possible matches for analysts (Trích xuất dữ liệu giả danh hoá):
    names (and their parts, parents' names) and ID numbers (personal ID, CMND, household book, record keys)
    replaced by HMAC-SHA256 pseudonyms; addresses and the input file/row dropped."""
    from linkage.pseudonymise import export_pseudonymised, read_pseudonym_key

    if not pseudonymise:
        raise click.UsageError("linkage export writes pseudonymised extracts only: add --pseudonymise")
    key = read_pseudonym_key(pseudonym_key_file)
    con = connect(ws, read_only=True)
    try:
        res = export_pseudonymised(con, out, key, birth_year_only=birth_year_only)
    finally:
        con.close()
    rows = ", ".join(f"{name} {n:,}" for name, n in res.rows.items())
    click.echo(f"Đã ghi trích xuất giả danh hoá / pseudonymised extracts written to {out} ({rows}; key id {res.key_id})")
