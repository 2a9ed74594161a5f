"""Alternative scoring engines for the link stage.

The workspace stays in DuckDB; an engine takes the `link_input` table and a trained model (Splink model JSON in
DuckDB's dialect) and writes the `pairs` table exactly as `linkage.link` does on DuckDB.

- `linkage.engines.spark`: Splink's Spark backend (local mode or a cluster), `linkage run --engine spark`.
"""

ENGINES: tuple[str, ...] = ("duckdb", "spark")
