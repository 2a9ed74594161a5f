"""Accuracy of conflict detection against a generator's `truth_conflicts.parquet`.

A planted disagreement is a (true person, field). A detected conflict maps to the true person that most of its
person's records belong to. A disagreement exists only where the person's documents differ: the truth is
restricted to persons with two or more records of which at least one does not carry the planted value (a value
planted in every record of a person is invisible to any comparison), and — where the workspace is at hand — to
disagreements that the person's records really show as *different* (a counterpart only in a compatible form, such
as stripped diacritics or a `01/01` placeholder, is never shown by rule; these are counted apart as
`masked_by_formatting`). The suggestion is right when it is the same
as (or compatible with) the true value."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from linkage.workspace import sql_string


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


def _drop_masked(con: duckdb.DuckDBPyConnection) -> int | None:
    """Removes from `_tc` the planted disagreements that no pair of the true person's records shows as
    *different* — the counterpart carries the value only in a compatible form (diacritics stripped, a `01/01`
    placeholder of the same year, a year-only date) or not at all: by the conflict rules such values are never
    shown, so no detector can report them. Judged on the workspace's normalised records grouped by the *true* person, so a
    linkage error does not hide anything here. Returns how many were removed (None without a workspace)."""
    from linkage.conflicts import FIELD_SQL, judge_pairs
    from linkage.workspace import table_exists

    if not table_exists(con, "records"):
        return None
    fields = [f for (f,) in con.execute("SELECT DISTINCT field FROM _tc").fetchall() if f in FIELD_SQL]
    if not fields:
        return 0
    union = " UNION ALL ".join(
        f"SELECT source, file, \"row\", '{f}' AS field, ({FIELD_SQL[f][0]})::VARCHAR AS key FROM records"
        for f in fields)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _tv AS
            SELECT DISTINCT e.truth, v.field, v.key FROM ({union}) v JOIN _ev e USING (source, file, "row")
            WHERE v.key IS NOT NULL AND (e.truth, v.field) IN (SELECT truth, field FROM _tc)""")
    pairs = con.execute(
        """SELECT a.truth, a.field, a.key, b.key FROM _tv a JOIN _tv b
           ON a.truth = b.truth AND a.field = b.field AND a.key < b.key""").fetchall()
    distinct = sorted({(field, ka, kb) for _, field, ka, kb in pairs})
    different = {p for p, (verdict, _) in zip(distinct, judge_pairs(distinct), strict=True) if verdict == "different"}
    shown = {(truth, field) for truth, field, ka, kb in pairs if (field, ka, kb) in different}
    before = con.execute("SELECT count(*) FROM (SELECT DISTINCT truth, field FROM _tc)").fetchall()[0][0]
    con.execute("CREATE OR REPLACE TEMP TABLE _shown (truth VARCHAR, field VARCHAR)")
    if shown:
        con.executemany("INSERT INTO _shown VALUES (?, ?)", sorted(shown))
    con.execute("DELETE FROM _tc WHERE (truth, field) NOT IN (SELECT truth, field FROM _shown)")
    return before - len(shown)


def evaluate_conflicts(con: duckdb.DuckDBPyConnection, truth_dir: str | Path, out_dir: str | Path) -> dict[str, Any]:
    """Needs the temp table `_ev` of `linkage.evaluate.load_truth_and_clusters`."""
    truth = Path(truth_dir) / "truth_conflicts.parquet"
    conflicts = Path(out_dir) / "conflicts.parquet"
    if not conflicts.exists():
        return {"precision": 0.0, "recall": 0.0, "note": "no conflicts.parquet"}
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _tc AS
        WITH t AS (SELECT * FROM read_parquet('{sql_string(truth)}')),
        n AS (SELECT truth, count(*) AS n FROM _ev GROUP BY truth),
        planted AS (SELECT person_id, field, count(*) AS k, count(DISTINCT recorded_value) AS v FROM t GROUP BY ALL)
        SELECT DISTINCT t.person_id AS truth, t.field, t.source, t.record_id, t.true_value
        FROM t JOIN n ON n.truth = t.person_id JOIN planted p USING (person_id, field)
        WHERE n.n > 1 AND (p.k < n.n OR p.v > 1)
        """
    )
    planted = con.execute("SELECT count(*) FROM (SELECT DISTINCT truth, field FROM _tc)").fetchall()[0][0]
    masked = _drop_masked(con)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _pc AS
        WITH c AS (SELECT person_id, field, suggested_value, suggested_source FROM read_parquet('{sql_string(conflicts)}')),
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
    # suggestion accuracy where the disagreement was planted outside the birth registration: measured where the
    # person has a birth registration (the document the suggestion rests on), and over all such conflicts
    cand = con.execute(
        """
        SELECT p.field, p.suggested_value, any_value(t.true_value),
               EXISTS (SELECT 1 FROM _ev e WHERE e.truth = p.truth AND e.source = 'civil_status') AS has_civil
        FROM _pc p JOIN _tc t USING (truth, field)
        GROUP BY p.person_id, p.field, p.suggested_value, p.truth
        HAVING bool_and(t.source <> 'civil_status')
        """
    ).fetchall()
    judged = [(suggestion_is_true(f, s, tv), has_civil) for f, s, tv, has_civil in cand]
    with_civil = [ok for ok, hc in judged if hc]
    right = sum(1 for ok in with_civil if ok)
    return {
        "precision": tp_all / n_pred_all if n_pred_all else 1.0,
        "recall": tp_all / n_truth_all if n_truth_all else 1.0,
        "truth": n_truth_all, "detected": n_pred_all,
        "planted": planted, "masked_by_formatting": masked,
        "suggestion_accuracy": right / len(with_civil) if with_civil else 1.0,
        "suggestions_checked": len(with_civil),
        "suggestion_accuracy_all": sum(ok for ok, _ in judged) / len(judged) if judged else 1.0,
        "suggestions_checked_all": len(judged),
        "per_field": per_field,
    }
