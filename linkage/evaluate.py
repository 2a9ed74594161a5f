"""Accuracy of a run against a generator's truth: pairwise and B-cubed precision/recall/F1, recall of
cross-source links, and a breakdown of the errors by cause."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from linkage.errors import UserError
from linkage.workspace import sql_string

TRUTH = "truth.parquet"


def load_truth_and_clusters(con: duckdb.DuckDBPyConnection, truth_dir: str | Path, out_dir: str | Path) -> None:
    """Creates temp table `_ev` (source, record_id, file, row, pred, truth) joining the run's clusters to the
    truth. Keys duplicated within a source (a CMND number issued twice) are matched in file order."""
    truth = Path(truth_dir) / TRUTH
    clusters = Path(out_dir) / "clusters.parquet"
    for p, what in ((truth, "truth"), (clusters, "clusters")):
        if not p.exists():
            raise UserError(f"no {what} file", file=str(p))
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _ev AS
        WITH t AS (
            SELECT source, record_id, person_id AS truth,
                   row_number() OVER (PARTITION BY source, record_id ORDER BY file_row_number) AS k
            FROM read_parquet('{sql_string(truth)}', file_row_number = true)
        ), c AS (
            SELECT source, record_id, file, row, person_id AS pred,
                   row_number() OVER (PARTITION BY source, record_id ORDER BY file, row) AS k
            FROM read_parquet('{sql_string(clusters)}')
        )
        SELECT c.source, c.record_id, c.file, c.row, c.pred, t.truth
        FROM c JOIN t USING (source, record_id, k)
        """
    )


def cluster_metrics(con: duckdb.DuckDBPyConnection, table: str = "_ev") -> dict[str, float]:
    """Pairwise and B-cubed metrics over a table with columns source, pred, truth."""
    row = con.execute(
        f"""
        WITH pt AS (SELECT pred, truth, count(*) n FROM {table} GROUP BY pred, truth),
        pts AS (SELECT pred, truth, source, count(*) n FROM {table} GROUP BY pred, truth, source),
        p AS (SELECT pred, count(*) n FROM {table} GROUP BY pred),
        t AS (SELECT truth, count(*) n FROM {table} GROUP BY truth),
        ts AS (SELECT truth, source, count(*) n FROM {table} GROUP BY truth, source),
        b AS (
            SELECT pt.n * pt.n / p.n AS prec_sum, pt.n * pt.n / t.n AS rec_sum
            FROM pt JOIN p USING (pred) JOIN t USING (truth)
        )
        SELECT
            (SELECT sum(n * (n - 1) / 2) FROM pt) AS tp,
            (SELECT sum(n * (n - 1) / 2) FROM p) AS pred_pairs,
            (SELECT sum(n * (n - 1) / 2) FROM t) AS true_pairs,
            (SELECT sum(n * (n - 1) / 2) FROM pt) - (SELECT sum(n * (n - 1) / 2) FROM pts) AS tp_x,
            (SELECT sum(n * (n - 1) / 2) FROM t) - (SELECT sum(n * (n - 1) / 2) FROM ts) AS true_x,
            (SELECT sum(prec_sum) FROM b) / (SELECT count(*) FROM {table}) AS b3_p,
            (SELECT sum(rec_sum) FROM b) / (SELECT count(*) FROM {table}) AS b3_r,
            (SELECT count(*) FROM {table}) AS records
        """
    ).fetchall()[0]
    tp, pred_pairs, true_pairs, tp_x, true_x, b3_p, b3_r, records = (float(x or 0) for x in row)
    p = tp / pred_pairs if pred_pairs else 1.0
    r = tp / true_pairs if true_pairs else 1.0
    return {
        "records": int(records),
        "true_pairs": int(true_pairs),
        "predicted_pairs": int(pred_pairs),
        "pairwise_precision": p,
        "pairwise_recall": r,
        "pairwise_f1": 2 * p * r / (p + r) if p + r else 0.0,
        "cross_source_recall": tp_x / true_x if true_x else 1.0,
        "bcubed_precision": b3_p,
        "bcubed_recall": b3_r,
        "bcubed_f1": 2 * b3_p * b3_r / (b3_p + b3_r) if b3_p + b3_r else 0.0,
    }


def error_breakdown(con: duckdb.DuckDBPyConnection, blocking_sql: list[str], match_weight: float) -> dict[str, int]:
    """Classifies missed and wrong pairs by cause, using the workspace's `records`, `link_input`, `pairs`
    and `possible_matches` tables."""
    admitted = " OR ".join(f"({s})" for s in blocking_sql) or "false"
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _evu AS
        SELECT e.*, r.uid FROM _ev e JOIN records r USING (source, file, row)
        """
    )
    rows = con.execute(
        f"""
        WITH fn AS (
            SELECT a.uid AS uid_l, b.uid AS uid_r FROM _evu a JOIN _evu b
              ON a.truth = b.truth AND a.uid < b.uid AND a.pred <> b.pred
        ), fp AS (
            SELECT a.uid AS uid_l, b.uid AS uid_r FROM _evu a JOIN _evu b
              ON a.pred = b.pred AND a.uid < b.uid AND a.truth <> b.truth
        ), fn_c AS (
            SELECT CASE
                WHEN p.uid_l IS NOT NULL AND p.match_weight >= {match_weight} THEN 'missed: held apart by a constraint'
                WHEN p.uid_l IS NOT NULL THEN 'missed: scored below the match threshold'
                WHEN ({admitted}) THEN 'missed: scored below the match threshold'
                ELSE 'missed: not a candidate (blocking)' END AS cause
            FROM fn
            JOIN link_input l ON l.uid = fn.uid_l JOIN link_input r ON r.uid = fn.uid_r
            LEFT JOIN pairs p ON p.uid_l = fn.uid_l AND p.uid_r = fn.uid_r
        ), fp_c AS (
            SELECT CASE WHEN p.uid_l IS NOT NULL AND p.match_weight >= {match_weight}
                        THEN 'wrong: direct link above threshold'
                        ELSE 'wrong: merged through a chain of links' END AS cause
            FROM fp LEFT JOIN pairs p ON p.uid_l = fp.uid_l AND p.uid_r = fp.uid_r
        )
        SELECT cause, count(*) FROM (SELECT cause FROM fn_c UNION ALL SELECT cause FROM fp_c)
        GROUP BY cause ORDER BY cause
        """
    ).fetchall()
    return {c: int(n) for c, n in rows}


def blocking_recall(con: duckdb.DuckDBPyConnection, blocking_sql: list[str]) -> dict[str, Any]:
    """Share of true pairs that fall directly inside at least one blocking rule, and per rule."""
    per_rule = ", ".join(f"count(*) FILTER (WHERE {s})" for s in blocking_sql)
    admitted = " OR ".join(f"({s})" for s in blocking_sql)
    row = con.execute(
        f"""
        WITH tp AS (
            SELECT a.uid AS uid_l, b.uid AS uid_r FROM _evu a JOIN _evu b ON a.truth = b.truth AND a.uid < b.uid
        )
        SELECT count(*), count(*) FILTER (WHERE {admitted}), {per_rule}
        FROM tp JOIN link_input l ON l.uid = tp.uid_l JOIN link_input r ON r.uid = tp.uid_r
        """
    ).fetchall()[0]
    total, inside = row[0], row[1]
    return {
        "true_pairs": int(total),
        "inside_a_rule": int(inside),
        "recall": inside / total if total else 1.0,
        "per_rule": [int(x) for x in row[2:]],
    }


def persons_with_two_birth_registrations(con: duckdb.DuckDBPyConnection) -> int:
    """Predicted persons holding two birth registrations (never allowed; merged twins show up here)."""
    return con.execute(
        "SELECT count(*) FROM (SELECT pred FROM _ev WHERE source = 'civil_status' GROUP BY pred HAVING count(*) > 1)"
    ).fetchall()[0][0]


def evaluate_run(con: duckdb.DuckDBPyConnection, truth_dir: str | Path, out_dir: str | Path,
                 rules_dir: str | Path | None = None) -> dict[str, Any]:
    """Every figure of `linkage evaluate`: cluster metrics, persons with two birth registrations, and — where the
    connection holds the run's workspace tables — errors by cause and blocking recall; conflict accuracy where
    the truth has planted disagreements."""
    from linkage.conflict_eval import evaluate_conflicts
    from linkage.model import load_rules
    from linkage.workspace import table_exists

    load_truth_and_clusters(con, truth_dir, out_dir)
    result: dict[str, Any] = {"clusters": cluster_metrics(con),
                              "persons_with_two_birth_registrations": persons_with_two_birth_registrations(con)}
    if all(table_exists(con, t) for t in ("records", "link_input", "pairs")):
        rules = load_rules(rules_dir)
        sqls = [b["sql"] for b in rules.blocking_rules]
        result["errors_by_cause"] = error_breakdown(con, sqls, rules.match_weight)
        result["blocking"] = blocking_recall(con, sqls)
        result["blocking"]["rules"] = [b.get("name", b["sql"]) for b in rules.blocking_rules]
    if (Path(truth_dir) / "truth_conflicts.parquet").exists():
        result["conflicts"] = evaluate_conflicts(con, truth_dir, out_dir)
    return result
