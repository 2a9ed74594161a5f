"""Conflict detection: fields on which a person's documents genuinely disagree.

Within each person, every field's distinct normalised values are compared pairwise with the one
compatibility function (`linkage.compat.compare`): only *different* values make a conflict; formatting
variants and less informative values (*compatible*) never reach an officer. The work is set-based: the distinct
value pairs of all persons are judged once in Python, then joined back in SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import yaml

from linkage.normalise.dates import DateParts
from linkage.normalise.parallel import ParsePool

RULES_FILE = Path(__file__).resolve().parent.parent / "rules" / "conflicts.yaml"

_DATE_KEY = ("CASE WHEN birth_year IS NULL THEN NULL ELSE concat_ws('|', birth_year, coalesce(birth_month::VARCHAR, ''), "
             "coalesce(birth_day::VARCHAR, ''), coalesce(birth_date_precision, ''), "
             "CASE WHEN birth_date_placeholder THEN 'p' ELSE '' END) END")
_DATE_DISPLAY = ("CASE birth_date_precision WHEN 'day' THEN lpad(birth_day::VARCHAR, 2, '0') || '/' || "
                 "lpad(birth_month::VARCHAR, 2, '0') || '/' || birth_year::VARCHAR "
                 "WHEN 'month' THEN lpad(birth_month::VARCHAR, 2, '0') || '/' || birth_year::VARCHAR "
                 "ELSE birth_year::VARCHAR END")

# field → (comparison key expression, display expression) over `records`
FIELD_SQL: dict[str, tuple[str, str]] = {
    "full_name": ("full_name", "full_name"),
    "birth_date": (_DATE_KEY, _DATE_DISPLAY),
    "sex": ("sex", "CASE sex WHEN 'M' THEN 'Nam' WHEN 'F' THEN 'Nữ' ELSE sex END"),
    "ethnicity": ("ethnicity_code", "coalesce(ethnicity, ethnicity_code)"),
    "nationality": ("nationality", "nationality"),
    "religion": ("religion", "religion"),
    "hometown": ("hometown", "hometown"),
    "birth_place": ("birth_place", "birth_place"),
    "father_name": ("father_name", "father_name"),
    "mother_name": ("mother_name", "mother_name"),
}


@dataclass(frozen=True)
class ConflictRules:
    severity: dict[str, str]
    agencies: dict[str, str]
    document_order: tuple[str, ...] = ("civil_status", "household", "citizen_id")


def load_conflict_rules(path: str | Path | None = None) -> ConflictRules:
    data = yaml.safe_load(Path(path or RULES_FILE).read_text(encoding="utf-8"))
    return ConflictRules(
        severity={f: spec.get("severity", "blocking") for f, spec in data["fields"].items()},
        agencies=dict(data.get("agencies", {})),
        document_order=tuple(data.get("document_order", ("civil_status", "household", "citizen_id"))),
    )


def date_from_key(key: str) -> DateParts:
    y, m, d, precision, placeholder = key.split("|")
    return DateParts(year=int(y), month=int(m) if m else None, day=int(d) if d else None,
                     precision=precision or None, placeholder=placeholder == "p")


def judge(field: str, a: str, b: str) -> tuple[str, str | None]:
    """Verdict and hint for two normalised values (comparison keys) of a field."""
    from linkage.compat import compare

    if field == "birth_date":
        v = compare(field, date_from_key(a), date_from_key(b))
    else:
        v = compare(field, a, b)
    return v.verdict, v.hint


def _judge_pair(pair: tuple[str, str, str]) -> tuple[str, str | None]:
    return judge(*pair)


def judge_pairs(pairs: Sequence[tuple[str, str, str]]) -> list[tuple[str, str | None]]:
    """`judge` of each distinct (field, key, key), in worker processes when there are many."""
    with ParsePool() as pool:
        return pool.map(_judge_pair, pairs)


def detect_conflicts(con: duckdb.DuckDBPyConnection, rules: ConflictRules | None = None) -> dict[str, Any]:
    """Reads `records` and `persons`; writes `conflicts` (docs/schema.md)."""
    rules = rules or load_conflict_rules()
    fields = [f for f in FIELD_SQL if f in rules.severity]
    cols = {r[0] for r in con.execute("DESCRIBE records").fetchall()}
    union = " UNION ALL ".join(
        f"""SELECT p.person_id, '{f}' AS field, r.uid, r.source, r.record_id, r.file, r.row, r.event_date,
                   ({FIELD_SQL[f][0]})::VARCHAR AS key, ({FIELD_SQL[f][1]})::VARCHAR AS display
            FROM records r JOIN persons p USING (uid) JOIN _multi m USING (person_id)"""
        for f in fields
    )
    con.execute("CREATE OR REPLACE TEMP TABLE _multi AS SELECT person_id FROM persons GROUP BY person_id "
                "HAVING count(*) > 1")
    con.execute(f"CREATE OR REPLACE TEMP TABLE _cv AS SELECT * FROM ({union}) WHERE key IS NOT NULL")
    pairs = con.execute(
        """SELECT DISTINCT a.field, a.key, b.key FROM _cv a JOIN _cv b
           ON a.person_id = b.person_id AND a.field = b.field AND a.key < b.key"""
    ).fetchall()
    verdicts = judge_pairs(pairs)
    tbl = pa.table({
        "field": pa.array([p[0] for p in pairs], pa.string()),
        "ka": pa.array([p[1] for p in pairs], pa.string()),
        "kb": pa.array([p[2] for p in pairs], pa.string()),
        "verdict": pa.array([v[0] for v in verdicts], pa.string()),
        "hint": pa.array([v[1] for v in verdicts], pa.string()),
    })
    con.register("_verdict_arrow", tbl)
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _verdict AS
           SELECT field, ka, kb, verdict, hint FROM _verdict_arrow
           UNION ALL SELECT field, kb, ka, verdict, hint FROM _verdict_arrow"""
    )
    con.unregister("_verdict_arrow")
    sev = pa.table({"field": pa.array(list(rules.severity)), "severity": pa.array(list(rules.severity.values()))})
    ag = pa.table({"source": pa.array(list(rules.agencies)), "agency": pa.array(list(rules.agencies.values())),
                   "doc_rank": pa.array([rules.document_order.index(s) if s in rules.document_order
                                         else len(rules.document_order) for s in rules.agencies], pa.int32())})
    con.register("_sev", sev)
    con.register("_ag", ag)
    cs_commune = "r.birth_place_commune" if "birth_place_commune" in cols else "NULL::VARCHAR"
    con.execute(
        f"""
        CREATE OR REPLACE TABLE conflicts AS
        WITH conflicted AS (
            SELECT DISTINCT a.person_id, a.field FROM _cv a JOIN _cv b
              ON a.person_id = b.person_id AND a.field = b.field AND a.key < b.key
            JOIN _verdict v ON v.field = a.field AND v.ka = a.key AND v.kb = b.key
            WHERE v.verdict = 'different'
        ), pid AS (
            -- what the person's personal ID number says (only when its valid numbers agree)
            SELECT p.person_id, CASE WHEN count(DISTINCT r.id_birth_year) = 1 THEN any_value(r.id_birth_year) END
                       AS id_year,
                   CASE WHEN count(DISTINCT r.id_sex) = 1 THEN any_value(r.id_sex) END AS id_sex
            FROM records r JOIN persons p USING (uid)
            WHERE r.personal_id_status IN ('valid', 'repaired') AND p.person_id IN (SELECT person_id FROM conflicted)
            GROUP BY p.person_id
        ), cv AS (
            SELECT c.*, CASE WHEN c.source = 'civil_status' THEN 0 ELSE 1 END AS prio,
                   coalesce(ag.doc_rank, 99) AS doc_rank,
                   CASE WHEN c.field = 'birth_date' THEN try_cast(split_part(c.key, '|', 1) AS INTEGER) = pid.id_year
                        WHEN c.field = 'sex' THEN c.key = pid.id_sex END AS id_agree,
                   count(*) OVER (PARTITION BY c.person_id, c.field, c.key) AS n_same,
                   count(*) OVER (PARTITION BY c.person_id, c.field) AS n_all
            FROM _cv c JOIN conflicted USING (person_id, field) LEFT JOIN _ag ag USING (source)
            LEFT JOIN pid USING (person_id)
        ), ranked AS (
            SELECT *, row_number() OVER (PARTITION BY person_id, field
                ORDER BY prio, id_agree DESC NULLS LAST, n_same DESC, doc_rank, event_date NULLS LAST,
                         source, file, row) AS rn
            FROM cv
        ), sugg AS (
            SELECT person_id, field, key AS s_key, display AS s_display, source AS s_source,
                   record_id AS s_record_id,
                   CASE WHEN prio = 0 THEN 'civil_status_original'
                        WHEN id_agree THEN 'matches_personal_id'
                        WHEN 2 * n_same > n_all THEN 'majority'
                        ELSE 'earliest_document' END AS rule
            FROM ranked WHERE rn = 1
        ), judged AS (
            SELECT cv.*, s.s_key, coalesce(v.verdict, 'same') AS vs_suggested, v.hint
            FROM cv JOIN sugg s USING (person_id, field)
            LEFT JOIN _verdict v ON v.field = cv.field AND v.ka = s.s_key AND v.kb = cv.key
        ), agg AS (
            SELECT person_id, field,
                   list(struct_pack(source := source, record_id := record_id, file := file, row := row,
                                    value := display, agrees := vs_suggested <> 'different')
                        ORDER BY source, file, row) AS "values",
                   min(hint ORDER BY source, file, row) FILTER (WHERE vs_suggested = 'different') AS hint,
                   string_agg(DISTINCT ag.agency, '+' ORDER BY ag.agency) FILTER (WHERE vs_suggested = 'different')
                       AS agency,
                   sha1(string_agg(source || '|' || record_id || '|' || file || '|' || row || '|' || key, '#'
                        ORDER BY source, file, row, key)) AS fingerprint
            FROM judged LEFT JOIN _ag ag USING (source)
            GROUP BY person_id, field
        ), place AS (
            SELECT p.person_id,
                   arg_min(CASE WHEN r.source = 'civil_status' THEN r.birth_place_province_code
                                ELSE r.residence_province_code END,
                           (CASE WHEN r.source = 'civil_status' THEN 0 ELSE 1 END, r.uid))
                       FILTER (WHERE (r.source = 'civil_status' AND r.birth_place_province_code IS NOT NULL)
                               OR (r.source <> 'civil_status' AND r.residence_province_code IS NOT NULL))
                       AS province_code,
                   arg_min(CASE WHEN r.source = 'civil_status' THEN {cs_commune} ELSE r.residence_commune END,
                           (CASE WHEN r.source = 'civil_status' THEN 0 ELSE 1 END, r.uid))
                       FILTER (WHERE (r.source = 'civil_status' AND {cs_commune} IS NOT NULL)
                               OR (r.source <> 'civil_status' AND r.residence_commune IS NOT NULL)) AS commune
            FROM persons p JOIN records r USING (uid) JOIN _multi USING (person_id)
            GROUP BY p.person_id
        )
        SELECT 'C' || substr(sha1(a.person_id || '|' || a.field), 1, 16) AS conflict_id,
               a.person_id, a.field, a."values",
               s.s_display AS suggested_value, s.s_source AS suggested_source, s.s_record_id AS suggested_record_id,
               s.rule, a.hint, sv.severity, pl.province_code, pl.commune, coalesce(a.agency, '') AS agency,
               a.fingerprint
        FROM agg a JOIN sugg s USING (person_id, field) JOIN _sev sv USING (field)
        LEFT JOIN place pl USING (person_id)
        ORDER BY a.person_id, a.field
        """
    )
    con.unregister("_sev")
    con.unregister("_ag")
    rows = con.execute("SELECT field, count(*) FROM conflicts GROUP BY field ORDER BY field").fetchall()
    return {"value_pairs_judged": len(pairs), "by_field": dict(rows)}
