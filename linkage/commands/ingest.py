"""`linkage ingest`: input files → the workspace's `raw_<source>` tables and `rejected` rows."""

from __future__ import annotations

import click

from linkage.commands.common import parse_source_specs, workspace_options
from linkage.ingest import IngestReport, ingest
from linkage.workspace import WorkspaceConfig, connect


@click.command("ingest")
@click.option("--source", "sources", multiple=True, required=True, metavar="KIND=PATH",
              help="Input file (CSV, .xlsx or Parquet); KIND is civil_status, household or citizen_id. "
                   "Repeat for each file; all files of a kind replace that kind's table together.")
@click.option("--mapping", type=click.Path(dir_okay=False), default=None,
              help="Header mapping file (YAML: {kind: {field: \"Header as in file\"}}).")
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False), default=None,
              help="Rules folder: its headers.yaml adds header spellings, its mapping.yaml is the mapping.")
@click.option("--encoding", default=None,
              help="Force the text encoding (utf-8, utf-16, cp1258, tcvn3, vni, viscii); default: detected.")
@click.option("--delimiter", default=None, help="Force the CSV delimiter (, ; | or tab); default: detected.")
@click.option("--sheet", default=None, help="Excel sheet name or number (default: the first sheet with a recognisable header).")
@workspace_options
def command(ws: WorkspaceConfig, sources: tuple[str, ...], mapping: str | None, rules_dir: str | None,
            encoding: str | None, delimiter: str | None, sheet: str | None) -> None:
    """Read the input files into the workspace (rows that cannot be read go to the `rejected` table)."""
    specs = parse_source_specs(sources)
    con = connect(ws)
    try:
        report = ingest(con, specs, mapping=mapping, encoding=encoding, delimiter=delimiter, sheet=sheet,
                        rules=rules_dir)
    finally:
        con.close()
    click.echo(format_report(report))


def format_report(report: IngestReport) -> str:
    """The per-source table, then one block per file: how it was read, which columns were used and which not."""
    lines = [report.table(), ""]
    for f in report.files:
        how = [f.format]
        if f.encoding:
            how.append(f"encoding {f.encoding} ({f.encoding_method})")
        if f.delimiter:
            how.append(f"delimiter {f.delimiter!r}" if f.delimiter != "tab" else "delimiter tab")
        if f.sheet:
            how.append(f"sheet {f.sheet!r}")
        counts = f"{f.rows_read:,} rows: {f.kept:,} kept, {f.rejected:,} rejected, {f.blank:,} blank"
        lines.append(f"{f.source} {f.file}: {counts}; {', '.join(how)}")
        used = ", ".join(f"{field} ← {header!r}" for field, header in f.columns.items())
        lines.append(f"  columns used: {used}")
        if f.ignored_columns:
            lines.append(f"  columns ignored: {', '.join(f.ignored_columns)}")
        for note in f.notes:
            lines.append(f"  note: {note}")
    for s in report.sources:
        for note in s.notes:
            lines.append(f"{s.source}: note: {note}")
    if any(s.rejected for s in report.sources):
        lines.append("rejected rows (file, row, reason) are in the workspace table 'rejected' (stage 'ingest')")
    return "\n".join(lines).rstrip()
