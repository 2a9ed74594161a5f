"""Accuracy of conflict detection against a generator's `truth_conflicts.parquet`.

A planted disagreement is a (true person, field). A detected conflict maps to the true person that most of its
person's records belong to. Only persons with two or more records can disagree, so the truth is restricted to
them. The suggestion is right when it is the same as (or compatible with) the true value."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from linkage.evaluate import _q


def normalise_value(field: str, value: Any) -> Any:
    """A raw value of a field in the form `linkage.compat.compare` takes."""
    if value is None:
        return None
    if field == "birth_date":
        from linkage.normalise.dates import parse_date

        return parse_date(value)
    if field == "sex":
        from linkage.normalise.codes import parse_sex

        return parse_sex(value)
    if field == "ethnicity":
        from linkage.normalise.codes import parse_ethnicity

        code = parse_ethnicity(value)
        return code[0] if isinstance(code, tuple) else code
    return value


def suggestion_is_true(field: str, suggested: str | None, true_value: str | None) -> bool:
    from linkage.compat import compare

    a, b = normalise_value(field, suggested), normalise_value(field, true_value)
    if a is None or b is None:
        return False
    return compare(field, a, b).verdict in ("same", "compatible")


def evaluate_conflicts(con: duckdb.DuckDBPyConnection, truth_dir: str | Path, out_dir: str | Path) -> dict[str, Any]:
    """Needs the temp table `_ev` of `linkage.evaluate.load_truth_and_clusters`."""
    truth = Path(truth_dir) / "truth_conflicts.parquet"
    conflicts = Path(out_dir) / "conflicts.parquet"
    if not conflicts.exists():
        return {"precision": 0.0, "recall": 0.0, "note": "no conflicts.parquet"}
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _tc AS
        SELECT DISTINCT t.person_id AS truth, t.field, t.source, t.record_id, t.true_value
        FROM read_parquet('{_q(truth)}') t
        WHERE t.person_id IN (SELECT truth FROM _ev GROUP BY truth HAVING count(*) > 1)
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _pc AS
        WITH c AS (SELECT person_id, field, suggested_value, suggested_source FROM read_parquet('{_q(conflicts)}')),
        m AS (
            SELECT pred, truth, count(*) n, row_number() OVER (PARTITION BY pred ORDER BY count(*) DESC, truth) rn
            FROM _ev GROUP BY pred, truth
        )
        SELECT c.person_id, c.field, m.truth, c.suggested_value, c.suggested_source
        FROM c JOIN m ON m.pred = c.person_id AND m.rn = 1
        """
    )
    per_field: dict[str, dict[str, Any]] = {}
    rows = con.execute(
        """
        WITH t AS (SELECT DISTINCT truth, field FROM _tc), p AS (SELECT DISTINCT truth, field FROM _pc)
        SELECT coalesce(t.field, p.field) AS field,
               count(*) FILTER (WHERE t.truth IS NOT NULL AND p.truth IS NOT NULL) AS tp,
               count(*) FILTER (WHERE t.truth IS NOT NULL) AS n_truth,
               count(*) FILTER (WHERE p.truth IS NOT NULL) AS n_pred
        FROM t FULL JOIN p USING (truth, field)
        GROUP BY ALL ORDER BY field
        """
    ).fetchall()
    tp_all = n_truth_all = n_pred_all = 0
    for field, tp, n_truth, n_pred in rows:
        per_field[field] = {
            "truth": n_truth, "detected": n_pred,
            "precision": tp / n_pred if n_pred else 1.0, "recall": tp / n_truth if n_truth else 1.0,
        }
        tp_all += tp
        n_truth_all += n_truth
        n_pred_all += n_pred
    # suggestion accuracy where the disagreement was planted outside the birth registration
    cand = con.execute(
        """
        SELECT p.field, p.suggested_value, any_value(t.true_value)
        FROM _pc p JOIN _tc t USING (truth, field)
        GROUP BY p.person_id, p.field, p.suggested_value
        HAVING bool_and(t.source <> 'civil_status')
        """
    ).fetchall()
    right = sum(1 for f, s, tv in cand if suggestion_is_true(f, s, tv))
    return {
        "precision": tp_all / n_pred_all if n_pred_all else 1.0,
        "recall": tp_all / n_truth_all if n_truth_all else 1.0,
        "truth": n_truth_all, "detected": n_pred_all,
        "suggestion_accuracy": right / len(cand) if cand else 1.0,
        "suggestions_checked": len(cand),
        "per_field": per_field,
    }
