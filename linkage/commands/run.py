"""`linkage run`: from source files to persons, conflicts and possible matches."""

from __future__ import annotations

import click

from linkage.commands.common import parse_source_specs, workspace_options
from linkage.pipeline import RunOptions, run
from linkage.workspace import WorkspaceConfig


@click.command("run")
@click.option("--source", "sources", multiple=True, metavar="KIND=PATH",
              help="Input file; KIND is civil_status, household or citizen_id. Repeat for each file.")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Output folder (replaced as a whole).")
@click.option("--model", "model_path", type=click.Path(dir_okay=False), default=None,
              help="Reuse a trained model JSON (from an earlier run's model.json) instead of training.")
@click.option("--rules", "rules_dir", type=click.Path(), default=None, help="Rules folder (default: rules/).")
@click.option("--mapping", type=click.Path(dir_okay=False), default=None, help="Header mapping file (YAML).")
@click.option("--encoding", default=None, help="Force the input encoding (e.g. utf-8, cp1258, tcvn3, vni).")
@click.option("--review-store", default=None, envvar="LINKAGE_REVIEW_STORE",
              help="Review store URL or SQLite path (decisions applied to clustering).")
@click.option("--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb", show_default=True,
              help="Where candidate pairs are scored; spark: Splink on Spark (docs/spark.md), the rest in DuckDB.")
@click.option("--spark-master", default=None, help="Engine spark: Spark master (default: local[2], or "
              "spark-submit's --master when started by spark-submit).")
@click.option("--spark-conf", "spark_conf", multiple=True, metavar="KEY=VALUE",
              help="Engine spark: a Spark setting, e.g. spark.driver.memory=4g. Repeat for each.")
@click.option("--spark-workdir", type=click.Path(file_okay=False), default=None,
              help="Engine spark: folder for the Parquet hand-off (shared storage on a cluster; default: temporary).")
@click.option("--no-ingest", is_flag=True, help="Use the workspace's ingested tables; read no files.")
@workspace_options
def command(ws: WorkspaceConfig, sources: tuple[str, ...], out: str, model_path: str | None, rules_dir: str | None,
            mapping: str | None, encoding: str | None, review_store: str | None, engine: str,
            spark_master: str | None, spark_conf: tuple[str, ...], spark_workdir: str | None,
            no_ingest: bool) -> None:
    """Ingest, normalise, link, cluster and compare; write the results into OUT."""
    specs = parse_source_specs(sources)
    if not specs and not no_ingest:
        raise click.UsageError("give at least one --source KIND=PATH (or --no-ingest)")
    spark_options = {}
    if engine == "spark" and ws.encrypted:
        from linkage.errors import UserError

        raise UserError("--engine spark hands the records to Spark as clear Parquet files: it cannot be used with "
                        "an encrypted workspace (docs/security.md)")
    if engine == "spark":
        from pathlib import Path

        from linkage.engines.spark import parse_conf

        spark_options = {"master": spark_master, "conf": parse_conf(spark_conf),
                         "workdir": Path(spark_workdir) if spark_workdir else None}
    opts = RunOptions(sources=specs, out=out, model_path=model_path, rules_dir=rules_dir, mapping=mapping,
                      encoding=encoding, review_store=review_store, engine=engine, skip_ingest=no_ingest,
                      spark_options=spark_options)
    summary = run(ws, opts, echo=lambda s: click.echo(s, err=True))
    rows = summary["rows"]
    click.echo(f"persons: {rows['persons']:,}  records: {sum(rows['records_by_source'].values()):,}  "
               f"rejected: {sum(rows.get('rejected_by_source', {}).values()):,}  "
               f"possible matches: {rows['possible_matches']:,}  conflicts: {rows.get('conflicts', 0):,}")
    click.echo(f"outputs in {out}")
