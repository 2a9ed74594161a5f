"""`linkage load`: apply officers' decisions, then write golden records for persons without open blocking
conflicts and a pending list for the rest. Every input row ends in exactly one place — a loaded person's
lineage, pending review, or rejected with a reason (blank lines are counted apart: they are not records) —
and the load refuses to write if that accounting does not add up. Outputs are replaced as a whole."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from linkage.checkpoints import checkpoint
from linkage.errors import UserError
from linkage.workspace import (
    WorkspaceConfig,
    atomic_output_dir,
    connect,
    require_table,
    sql_string,
    table_exists,
)

# How a golden field is chosen among a person's records when no decision says otherwise: the most
# informative value first (diacritics, more name parts, the most precise date), the birth certificate first.
_CIVIL_FIRST = "CASE WHEN source = 'civil_status' THEN 0 ELSE 1 END"
_NAME_ORDER = (f"(coalesce(name_ascii_only, true), -length(full_name) + length(replace(full_name, ' ', '')), "
               f"{_CIVIL_FIRST}, uid)")
_DATE_ORDER = (f"(CASE WHEN birth_date_precision = 'day' AND NOT coalesce(birth_date_placeholder, false) THEN 0 "
               f"WHEN birth_date_precision = 'month' THEN 1 WHEN birth_date_precision = 'day' THEN 2 "
               f"WHEN birth_date_precision = 'year' THEN 3 ELSE 4 END, {_CIVIL_FIRST}, uid)")
_CIVIL_ORDER = f"({_CIVIL_FIRST}, uid)"
_TEXT_ORDER = f"({_CIVIL_FIRST}, -length({{col}}), uid)"
_LATEST_ORDER = "(event_date IS NULL, -epoch(coalesce(event_date, DATE '1900-01-01')), uid)"


def _pick(col: str, order: str, present: str | None = None) -> str:
    cond = present or f"{col} IS NOT NULL"
    return f"arg_min({col}, {order}) FILTER (WHERE {cond}) AS {col}"


GOLDEN_SQL = f"""
SELECT p.person_id,
       arg_min(personal_id, ({_CIVIL_FIRST}, uid)) FILTER (WHERE personal_id_status IN ('valid', 'repaired'))
           AS personal_id,
       {_pick('full_name', _NAME_ORDER)}, {_pick('surname', _NAME_ORDER, 'full_name IS NOT NULL')},
       {_pick('middle_name', _NAME_ORDER, 'full_name IS NOT NULL')},
       {_pick('given_name', _NAME_ORDER, 'full_name IS NOT NULL')},
       {_pick('birth_year', _DATE_ORDER)},
       {_pick('birth_month', _DATE_ORDER, 'birth_year IS NOT NULL')},
       {_pick('birth_day', _DATE_ORDER, 'birth_year IS NOT NULL')},
       {_pick('birth_date_precision', _DATE_ORDER, 'birth_year IS NOT NULL')},
       {_pick('sex', _CIVIL_ORDER)}, {_pick('ethnicity_code', _CIVIL_ORDER)},
       {_pick('ethnicity', _CIVIL_ORDER, 'ethnicity_code IS NOT NULL')},
       {_pick('nationality', _CIVIL_ORDER)}, {_pick('religion', _CIVIL_ORDER)},
       {_pick('hometown', _TEXT_ORDER.format(col='hometown'))},
       {_pick('hometown_province_code', _TEXT_ORDER.format(col='hometown'), 'hometown IS NOT NULL')},
       {_pick('birth_place', _TEXT_ORDER.format(col='birth_place'))},
       {_pick('birth_place_province_code', _TEXT_ORDER.format(col='birth_place'), 'birth_place IS NOT NULL')},
       {_pick('residence', _LATEST_ORDER)},
       {_pick('residence_province_code', _LATEST_ORDER, 'residence IS NOT NULL')},
       {_pick('father_name', _TEXT_ORDER.format(col='father_name'))},
       {_pick('mother_name', _TEXT_ORDER.format(col='mother_name'))},
       list(DISTINCT cmnd ORDER BY cmnd) FILTER (WHERE cmnd IS NOT NULL) AS cmnd,
       arg_min(household_id, uid) FILTER (WHERE household_id IS NOT NULL) AS household_id,
       arg_min(relation_to_head, uid) FILTER (WHERE household_id IS NOT NULL) AS relation_to_head,
       list(struct_pack(source := source, record_id := record_id, file := file, row := row)
            ORDER BY source, file, row) AS lineage
FROM records r JOIN persons p USING (uid)
GROUP BY p.person_id
"""


@dataclass
class LoadResult:
    persons_loaded: int = 0
    persons_pending: int = 0
    records_loaded: int = 0
    records_pending: int = 0
    rows_rejected: int = 0
    rows_blank: int = 0
    rows_in: int = 0
    decisions_applied: int = 0
    decisions_stale: int = 0
    decisions_gone: int = 0
    must_links: int = 0
    cannot_links: int = 0
    reclustered: bool = False
    by_source: dict[str, dict[str, int]] = field(default_factory=dict)

    def summary_line(self) -> str:
        return (f"loaded {self.persons_loaded:,} persons ({self.records_loaded:,} records); pending review "
                f"{self.persons_pending:,} persons ({self.records_pending:,} records); rejected {self.rows_rejected:,} "
                f"rows; {self.rows_in:,} input rows accounted for")


def _field_decisions(ws: WorkspaceConfig, review_store: str | None,
                     con: duckdb.DuckDBPyConnection) -> tuple[list[Any], list[Any], list[Any]]:
    from linkage.pipeline import review_store_present

    if not review_store_present(ws, review_store):
        return [], [], []
    from linkage.review import classify_field_decisions, effective_field_decisions, open_review_store

    store = open_review_store(review_store, ws.path)
    try:
        decisions = effective_field_decisions(store)
    finally:
        store.close()
    current = dict(con.execute("SELECT conflict_id, fingerprint FROM conflicts").fetchall())
    st = classify_field_decisions(decisions, current)
    return st.applicable, st.stale, st.gone


def _apply_decided_values(con: duckdb.DuckDBPyConnection, decided: list[Any]) -> None:
    """Overrides golden fields with officers' values (names re-split, dates re-parsed)."""
    from linkage.normalise.dates import parse_date
    from linkage.normalise.names import parse_name

    rows: list[dict[str, Any]] = []
    for d in decided:
        if d.value is None:
            continue
        rows.append({"person_id": d.person_id, "field": d.field, "value": d.value})
    for r in rows:
        pid, f, v = r["person_id"], r["field"], r["value"]
        if f == "full_name":
            n = parse_name(v)
            if n is not None:
                con.execute("UPDATE golden SET full_name = ?, surname = ?, middle_name = ?, given_name = ? "
                            "WHERE person_id = ?", [n.full_name, n.surname, n.middle_name, n.given_name, pid])
        elif f == "birth_date":
            dp = parse_date(v)
            con.execute("UPDATE golden SET birth_year = ?, birth_month = ?, birth_day = ?, birth_date_precision = ? "
                        "WHERE person_id = ?", [dp.year, dp.month, dp.day, dp.precision, pid])
        elif f == "sex":
            from linkage.normalise.codes import parse_sex

            con.execute("UPDATE golden SET sex = ? WHERE person_id = ?", [parse_sex(v) or v, pid])
        elif f == "ethnicity":
            from linkage.normalise.codes import parse_ethnicity

            code, name = parse_ethnicity(v)
            con.execute("UPDATE golden SET ethnicity_code = ?, ethnicity = ? WHERE person_id = ?",
                        [code, name or v, pid])
        elif f in ("nationality", "religion", "hometown", "birth_place", "father_name", "mother_name"):
            con.execute(f"UPDATE golden SET {f} = ? WHERE person_id = ?", [v, pid])


def _accounting(con: duckdb.DuckDBPyConnection, res: LoadResult) -> None:
    by_source: dict[str, dict[str, int]] = {}
    if table_exists(con, "ingest_files"):
        for src, read, blank in con.execute(
                "SELECT source, sum(rows_read), sum(blank) FROM ingest_files GROUP BY source").fetchall():
            by_source.setdefault(src, {})["rows_in"] = int(read)
            by_source[src]["blank"] = int(blank or 0)
    for src, n in con.execute("SELECT source, count(*) FROM rejected GROUP BY source").fetchall():
        by_source.setdefault(src, {})["rejected"] = int(n)
    for src, status, n in con.execute(
            """SELECT r.source, CASE WHEN g.person_id IS NULL THEN 'pending' ELSE 'loaded' END, count(*)
               FROM records r JOIN persons p USING (uid) LEFT JOIN golden g USING (person_id)
               GROUP BY ALL""").fetchall():
        by_source.setdefault(src, {})[status] = int(n)
    problems = []
    for src, c in sorted(by_source.items()):
        for k in ("rows_in", "blank", "rejected", "loaded", "pending"):
            c.setdefault(k, 0)
        if "rows_in" in c and c["rows_in"] and c["rows_in"] != c["loaded"] + c["pending"] + c["rejected"] + c["blank"]:
            problems.append(f"{src}: {c['rows_in']:,} rows in, but {c['loaded']:,} loaded + {c['pending']:,} pending"
                            f" + {c['rejected']:,} rejected + {c['blank']:,} blank")
    if problems:
        raise UserError("the accounting does not add up, nothing was written: " + "; ".join(problems))
    res.by_source = by_source
    res.rows_in = sum(c["rows_in"] for c in by_source.values())
    res.rows_rejected = sum(c["rejected"] for c in by_source.values())
    res.rows_blank = sum(c["blank"] for c in by_source.values())
    res.records_loaded = sum(c["loaded"] for c in by_source.values())
    res.records_pending = sum(c["pending"] for c in by_source.values())


def load_golden(ws: WorkspaceConfig, out: str, review_store: str | None = None,
                rules_dir: str | None = None) -> LoadResult:
    from linkage.cluster import cluster, inputs_digest, is_current, record_inputs
    from linkage.conflicts import detect_conflicts
    from linkage.model import load_rules
    from linkage.pipeline import decision_links, require_finished_run

    rules = load_rules(rules_dir)
    res = LoadResult()
    con = connect(ws)
    try:
        for t in ("records", "pairs", "persons"):
            require_table(con, t, "run `linkage run` first")
        require_finished_run(con)
        must, cannot = decision_links(ws, review_store)
        res.must_links, res.cannot_links = len(must), len(cannot)
        digest = inputs_digest(rules.match_weight, rules.possible_weight, must, cannot)
        res.reclustered = not (is_current(con, digest) and table_exists(con, "conflicts"))
        if res.reclustered:  # decisions changed since the run: re-cluster and compare again
            cluster(con, rules.match_weight, rules.possible_weight, must, cannot)
            detect_conflicts(con)
            record_inputs(con, digest)
            checkpoint("load.after_recluster")
        applicable, stale, gone = _field_decisions(ws, review_store, con)
        res.decisions_applied, res.decisions_stale, res.decisions_gone = len(applicable), len(stale), len(gone)
        dec = pa.table({
            "conflict_id": pa.array([d.conflict_id for d in applicable], pa.string()),
            "decision_id": pa.array([d.decision_id for d in applicable], pa.int64()),
            "decided_value": pa.array([d.value for d in applicable], pa.string()),
        })
        con.register("_dec", dec)
        con.execute(
            """
            CREATE OR REPLACE TABLE conflict_status AS
            SELECT c.conflict_id, c.person_id, c.field, c.severity, c.province_code, c.commune,
                   CASE WHEN d.conflict_id IS NOT NULL THEN 'settled' ELSE 'open' END AS status,
                   d.decided_value, d.decision_id
            FROM conflicts c LEFT JOIN _dec d USING (conflict_id)
            ORDER BY c.conflict_id
            """
        )
        con.unregister("_dec")
        con.execute(
            f"""
            CREATE OR REPLACE TABLE golden AS
            WITH g AS ({GOLDEN_SQL}),
            open_blocking AS (SELECT DISTINCT person_id FROM conflict_status
                              WHERE status = 'open' AND severity = 'blocking')
            SELECT g.* FROM g WHERE person_id NOT IN (SELECT person_id FROM open_blocking) ORDER BY person_id
            """
        )
        _apply_decided_values(con, [d for d in applicable])
        con.execute(
            """
            ALTER TABLE golden ADD COLUMN birth_date DATE;
            UPDATE golden SET birth_date = CASE WHEN birth_date_precision = 'day'
                THEN make_date(birth_year, birth_month, birth_day) END;
            """
        )
        checkpoint("load.after_decisions")
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE _open AS
            SELECT p.person_id,
                   list(DISTINCT s.field ORDER BY s.field) AS open_fields,
                   list(DISTINCT s.conflict_id ORDER BY s.conflict_id) AS open_conflicts,
                   any_value(s.province_code) AS province_code, any_value(s.commune) AS commune
            FROM conflict_status s JOIN (SELECT DISTINCT person_id FROM persons) p USING (person_id)
            WHERE s.status = 'open' AND s.severity = 'blocking'
            GROUP BY p.person_id ORDER BY p.person_id
            """
        )
        con.execute(
            """
            CREATE OR REPLACE TABLE pending AS
            SELECT pe.*, list(struct_pack(source := r.source, record_id := r.record_id, file := r.file, row := r.row)
                              ORDER BY r.source, r.file, r.row) AS records
            FROM _open pe JOIN persons p USING (person_id) JOIN records r USING (uid)
            GROUP BY ALL ORDER BY pe.person_id
            """
        )
        res.persons_loaded = con.execute("SELECT count(*) FROM golden").fetchall()[0][0]
        res.persons_pending = con.execute("SELECT count(*) FROM pending").fetchall()[0][0]
        _accounting(con, res)
        with atomic_output_dir(out) as tmp:
            con.execute(f"COPY (SELECT * FROM golden ORDER BY person_id) TO '{sql_string(tmp / 'golden.parquet')}' "
                        "(FORMAT parquet, COMPRESSION zstd)")
            checkpoint("load.output_partial")
            con.execute(f"COPY (SELECT * FROM pending ORDER BY person_id) TO '{sql_string(tmp / 'pending.parquet')}' "
                        "(FORMAT parquet, COMPRESSION zstd)")
            (tmp / "accounting.json").write_text(json.dumps(asdict(res), indent=1), encoding="utf-8")
        checkpoint("load.after_output_swap")
        from linkage.snapshot import publish

        publish(con, ws.path)
        return res
    finally:
        con.close()
