"""The benchmark's baseline: what a competent analyst would build with Splink's generic settings.

It uses the same ingested rows (`raw_*`), cleaned the generic way (lower case, trimmed, first token as surname,
last token as forename, dates parsed as dd/mm/yyyy or ISO), Splink's library comparisons (NameComparison,
DateOfBirthComparison, ExactMatch), generic blocking rules and the usual unsupervised training, then connected
components at match probability 0.95. It knows nothing of Vietnamese names, ID structure, date precision or
the domain's constraints."""

from __future__ import annotations

import time
from typing import Any

import duckdb

from linkage import SOURCES
from linkage.workspace import table_exists

BASELINE_INPUT = "baseline_input"


def prepare(con: duckdb.DuckDBPyConnection) -> int:
    parts = []
    for s in SOURCES:
        t = f"raw_{s}"
        if not table_exists(con, t):
            continue
        cols = {r[0] for r in con.execute(f"DESCRIBE {t}").fetchall()}

        def c(name: str, _cols: set[str] = cols) -> str:
            return name if name in _cols else "NULL"

        id_expr = f"coalesce({c('personal_id')}, {c('id_number')}, {c('cmnd')})"
        parts.append(
            f"""
            SELECT source, record_id, file, row,
                   lower(trim({c('full_name')})) AS full_name,
                   {c('birth_date')} AS dob_raw,
                   lower(trim({c('sex')})) AS sex,
                   regexp_replace({id_expr}, '[^0-9]', '', 'g') AS id_number
            FROM {t}
            """
        )
    con.execute(
        f"""
        CREATE OR REPLACE TABLE {BASELINE_INPUT} AS
        WITH u AS ({" UNION ALL ".join(parts)})
        SELECT row_number() OVER (ORDER BY source, file, row) AS unique_id, source, record_id, file, row,
               split_part(full_name, ' ', 1) AS surname,
               CASE WHEN full_name LIKE '% %' THEN regexp_extract(full_name, '(\\S+)$', 1) END AS first_name,
               full_name,
               coalesce(try_strptime(dob_raw, '%d/%m/%Y'), try_strptime(dob_raw, '%Y-%m-%d'))::DATE::VARCHAR AS dob,
               sex, nullif(id_number, '') AS id_number
        FROM u
        """
    )
    return con.execute(f"SELECT count(*) FROM {BASELINE_INPUT}").fetchall()[0][0]


def run_baseline(con: duckdb.DuckDBPyConnection, threshold: float = 0.95) -> dict[str, Any]:
    """Writes `baseline_clusters` (source, record_id, file, row, person_id); returns timings."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    prepare(con)
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("sex"),
            cl.ExactMatch("id_number"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "dob"),
            block_on("surname", "dob"),
            block_on("id_number"),
        ],
        retain_matching_columns=False,
    )
    linker = Linker(DuckDBAPI(connection=con).register(BASELINE_INPUT), settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("full_name", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=3e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"), max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("surname"), max_pairs=1e6)
    timings["train"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    pred = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, threshold_match_probability=threshold)
    con.execute(
        f"""
        CREATE OR REPLACE TABLE baseline_clusters AS
        SELECT b.source, b.record_id, b.file, b.row, 'B' || c.cluster_id::VARCHAR AS person_id
        FROM {clusters.physical_name} c JOIN {BASELINE_INPUT} b USING (unique_id)
        """
    )
    timings["predict_cluster"] = time.perf_counter() - t0
    return timings
