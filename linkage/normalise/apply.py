"""Set-wise normalisation: every `raw_<source>` table → one `records` table (docs/schema.md).

Each field's DISTINCT raw values are read once, run through the pure function of its module in Python, loaded
back as an Arrow table and joined to the rows in SQL — the Python work grows with the number of distinct
values, not with the number of rows. ID numbers are checked against the record's sex and birth year, so they
are normalised per distinct (value, sex, birth year) after those two fields.

Rows with no usable name and no usable ID number are not kept: they go to `rejected` (stage `normalise`).
The output is deterministic: `uid` = row_number() over (source, file, row), and the table is written ORDER BY uid.
"""

from __future__ import annotations

import datetime as _dt
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import duckdb
import pyarrow as pa

from linkage.errors import UserError
from linkage.normalise import codes
from linkage.normalise.dates import parse_date
from linkage.normalise.encodings import repair_text
from linkage.normalise.ids import parse_id
from linkage.normalise.names import parse_repaired_name
from linkage.normalise.parallel import ParsePool
from linkage.normalise.places import REFORM_DATE, parse_place, unit_key
from linkage.workspace import RAW_PREFIX, RECORDS, REJECTED, sql_string

STAGE = "normalise"

RAW_FIELDS = (
    "full_name", "birth_date", "sex", "ethnicity", "nationality", "religion", "hometown", "birth_place",
    "residence", "father_name", "mother_name", "personal_id", "cmnd", "id_number", "household_id", "head_name",
    "relation_to_head", "registration_place", "registration_date", "issue_date", "issue_place",
)
ID_COLUMNS = ("personal_id", "id_number", "cmnd")  # priority for the personal ID; the CMND prefers `cmnd`
PLACE_ALIASES = {"hometown": "hop", "birth_place": "bip", "registration_place": "rgp", "residence": "rsp"}
PLACE_FIELDS = tuple(PLACE_ALIASES)

RECORD_COLUMNS = (
    "uid", "source", "record_id", "file", "row", "full_name", "surname", "middle_name", "given_name",
    "name_fold", "surname_fold", "middle_fold", "given_fold", "surname_key", "middle_core_fold",
    "given_phonetic", "name_ascii_only", "birth_year", "birth_month", "birth_day", "birth_date",
    "birth_date_precision", "birth_date_placeholder", "sex", "ethnicity_code", "ethnicity", "nationality",
    "religion", "personal_id", "personal_id_status", "id_province_code", "id_sex", "id_birth_year", "cmnd",
    "father_name", "father_fold", "mother_name", "mother_fold", "hometown", "hometown_province_code",
    "hometown_commune_key", "birth_place", "birth_place_province_code", "residence", "residence_province_code",
    "residence_commune",
    "household_id", "relation_to_head", "head_fold", "event_date", "flags",
)

_NAME_COLS = (
    "full_name", "surname", "middle_name", "given_name", "name_fold", "surname_fold", "middle_fold",
    "given_fold", "surname_key", "middle_core_fold", "given_phonetic",
)


def raw_sources(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
        "AND starts_with(table_name, ?) AND table_type = 'BASE TABLE' ORDER BY table_name",
        [RAW_PREFIX],
    ).fetchall()
    return [r[0][len(RAW_PREFIX):] for r in rows]


def normalise(
    con: duckdb.DuckDBPyConnection,
    *,
    sex_mapping: Mapping[str, str | None] | None = None,
    workers: int | None = None,
) -> dict[str, Any]:
    """(Re)write `records` from every `raw_<source>` table and append unusable rows to `rejected`.

    Distinct values are parsed by `workers` processes (default: the cores available) when there are many.

    Returns counts: `kept`, `kept_by_source`, `rejected` (per source), `distinct` values per field family and
    `timings` (seconds per step)."""
    started = time.perf_counter()
    timings: dict[str, float] = {}
    sources = raw_sources(con)
    if not sources:
        raise UserError("the workspace has no raw_<source> table: run `linkage ingest` first")

    def lap(step: str, t0: float) -> float:
        t1 = time.perf_counter()
        timings[step] = round(t1 - t0, 3)
        return t1

    try:
        con.execute("BEGIN TRANSACTION")
        own_transaction = True
    except duckdb.TransactionException:  # the caller holds a transaction: it commits or rolls back
        own_transaction = False
    try:
        t = time.perf_counter()
        _union_raw(con, sources)
        t = lap("union", t)
        distinct: dict[str, int] = {}
        with ParsePool(workers) as pool:
            distinct["names"] = _map_names(con, pool)
            t = lap("names", t)
            distinct["dates"] = _map_dates(con, pool)
            t = lap("dates", t)
            distinct["codes"] = _map_codes(con, sex_mapping)
            t = lap("codes", t)
            _base_rows(con)
            t = lap("base", t)
            distinct["places"] = _map_places(con, pool)
            t = lap("places", t)
            distinct["ids"] = _map_ids(con, pool)
            t = lap("ids", t)
        kept_by_source, rejected = _write(con)
        t = lap("write", t)
        for name in ("_nr", "_nb", "_m_name", "_m_date", "_m_sex", "_m_eth", "_m_nat", "_m_rel", "_m_rlg",
                     "_m_place", "_m_id", "_nrows"):
            con.execute(f"DROP TABLE IF EXISTS {name}")
        if own_transaction:
            con.execute("COMMIT")
    except BaseException:
        if own_transaction:
            con.execute("ROLLBACK")
        raise
    timings["total"] = round(time.perf_counter() - started, 3)
    return {
        "kept": sum(kept_by_source.values()),
        "kept_by_source": kept_by_source,
        "rejected": rejected,
        "distinct": distinct,
        "timings": timings,
    }


# ------------------------------------------------------------------------------------------------ steps


def _union_raw(con: duckdb.DuckDBPyConnection, sources: list[str]) -> None:
    selects = []
    for src in sources:
        table = RAW_PREFIX + src
        cols = {r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ?",
            [table],
        ).fetchall()}
        for needed in ("file", "row"):
            if needed not in cols:
                raise UserError(f"table {table} has no column '{needed}': re-run `linkage ingest`")
        parts = [
            f"coalesce(CAST(source AS VARCHAR), '{sql_string(src)}') AS source" if "source" in cols
            else f"'{sql_string(src)}' AS source",
            "CAST(file AS VARCHAR) AS file",
            'CAST("row" AS BIGINT) AS "row"',
            "CAST(record_id AS VARCHAR) AS record_id" if "record_id" in cols else "NULL::VARCHAR AS record_id",
        ]
        for f in RAW_FIELDS:
            parts.append(f"NULLIF(TRIM(CAST({f} AS VARCHAR)), '') AS {f}" if f in cols else f"NULL::VARCHAR AS {f}")
        selects.append(f"SELECT {', '.join(parts)} FROM {table}")
    con.execute("CREATE OR REPLACE TEMP TABLE _nr AS " + " UNION ALL ".join(selects))


def _distinct(con: duckdb.DuckDBPyConnection, columns: Iterable[str]) -> list[str]:
    union = " UNION ".join(f"SELECT {c} AS v FROM _nr WHERE {c} IS NOT NULL" for c in columns)
    return [r[0] for r in con.execute(f"SELECT DISTINCT v FROM ({union}) ORDER BY v").fetchall()]


def _load(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, tuple[list[Any], pa.DataType]]) -> None:
    table = pa.table({k: pa.array(v, type=t) for k, (v, t) in columns.items()})
    view = f"_arrow{name}"
    con.register(view, table)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {view}")
    finally:
        con.unregister(view)


_STR = pa.string()
_FLAGS = pa.list_(pa.string())


def _name_row(value: str) -> tuple[bool, tuple[Any, ...] | None]:
    """(mojibake repaired?, the name's parts in `_NAME_COLS` order + ascii-only), for one distinct value."""
    repaired, kind = repair_text(value)
    p = parse_repaired_name(repaired)
    if p is None:
        return kind is not None, None
    return kind is not None, (*(getattr(p, c) for c in _NAME_COLS), p.name_ascii_only)


def _map_names(con: duckdb.DuckDBPyConnection, pool: ParsePool) -> int:
    values = _distinct(con, ("full_name", "father_name", "mother_name", "head_name"))
    rows = pool.map(_name_row, values)
    empty = (None,) * (len(_NAME_COLS) + 1)
    parts = [r[1] or empty for r in rows]
    cols: dict[str, tuple[list[Any], pa.DataType]] = {"v": (values, _STR)}
    cols.update({c: ([p[i] for p in parts], _STR) for i, c in enumerate(_NAME_COLS)})
    cols["name_ascii_only"] = ([p[-1] for p in parts], pa.bool_())
    cols["legacy"] = ([r[0] for r in rows], pa.bool_())
    _load(con, "_m_name", cols)
    return len(values)


def _map_dates(con: duckdb.DuckDBPyConnection, pool: ParsePool) -> int:
    values = _distinct(con, ("birth_date", "registration_date", "issue_date"))
    parts = pool.map(parse_date, values)
    _load(con, "_m_date", {
        "v": (values, _STR),
        "year": ([p.year for p in parts], pa.int32()),
        "month": ([p.month for p in parts], pa.int32()),
        "day": ([p.day for p in parts], pa.int32()),
        "d": ([p.as_date() for p in parts], pa.date32()),
        "precision": ([p.precision for p in parts], _STR),
        "placeholder": ([p.placeholder for p in parts], pa.bool_()),
        "flags": ([list(p.flags) for p in parts], _FLAGS),
    })
    return len(values)


def _map_simple(
    con: duckdb.DuckDBPyConnection,
    name: str,
    columns: Iterable[str],
    fn: Callable[[str], Any],
    outputs: dict[str, Callable[[Any], Any]],
) -> int:
    values = _distinct(con, columns)
    results = [fn(v) for v in values]
    cols: dict[str, tuple[list[Any], pa.DataType]] = {"v": (values, _STR)}
    for out, getter in outputs.items():
        cols[out] = ([getter(r) for r in results], _STR)
    _load(con, name, cols)
    return len(values)


def _map_codes(con: duckdb.DuckDBPyConnection, sex_mapping: Mapping[str, str | None] | None) -> int:
    n = _map_simple(con, "_m_sex", ("sex",), lambda v: codes.parse_sex(v, sex_mapping), {"sex": lambda r: r})
    n += _map_simple(con, "_m_eth", ("ethnicity",), codes.parse_ethnicity,
                     {"code": lambda r: r[0], "name": lambda r: r[1]})
    n += _map_simple(con, "_m_nat", ("nationality",), codes.parse_nationality, {"out": lambda r: r})
    n += _map_simple(con, "_m_rlg", ("religion",), codes.parse_religion, {"out": lambda r: r})
    n += _map_simple(con, "_m_rel", ("relation_to_head",), codes.parse_relation, {"out": lambda r: r})
    return n


def _base_rows(con: duckdb.DuckDBPyConnection) -> None:
    """Rows with their parsed birth date, sex and document date: what the places and IDs depend on."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _nb AS
        SELECT r.*,
               bd.year AS b_year, bd.month AS b_month, bd.day AS b_day, bd.d AS b_date,
               bd.precision AS b_precision, coalesce(bd.placeholder, false) AS b_placeholder, bd.flags AS b_flags,
               s.sex AS sex_n,
               coalesce(CASE WHEN rd.precision = 'day' THEN rd.d END,
                        CASE WHEN idt.precision = 'day' THEN idt.d END) AS event_date,
               CASE WHEN coalesce(CASE WHEN rd.precision = 'day' THEN rd.d END,
                                  CASE WHEN idt.precision = 'day' THEN idt.d END) IS NULL THEN NULL
                    WHEN coalesce(CASE WHEN rd.precision = 'day' THEN rd.d END,
                                  CASE WHEN idt.precision = 'day' THEN idt.d END) >= DATE '{REFORM_DATE.isoformat()}'
                    THEN 'post' ELSE 'pre' END AS era
        FROM _nr r
        LEFT JOIN _m_date bd ON bd.v = r.birth_date
        LEFT JOIN _m_date rd ON rd.v = r.registration_date
        LEFT JOIN _m_date idt ON idt.v = r.issue_date
        LEFT JOIN _m_sex s ON s.v = r.sex
    """)


_AS_OF = {"post": REFORM_DATE, "pre": REFORM_DATE - _dt.timedelta(days=1), None: None}


def _place_row(value_era: tuple[str, str | None]) -> tuple[Any, ...]:
    """(text, province code, commune, commune key, found, flags) of one distinct (value, era)."""
    v, era = value_era
    fixed, kind = repair_text(v)
    p = parse_place(fixed, as_of=_AS_OF[era])
    return (p.text, p.province_code, p.commune, unit_key(p.commune), bool(p.province_candidates),
            list(p.flags) + (["legacy_encoding"] if kind is not None else []))


def _map_places(con: duckdb.DuckDBPyConnection, pool: ParsePool) -> int:
    union = " UNION ".join(f"SELECT {c} AS v, era FROM _nb WHERE {c} IS NOT NULL" for c in PLACE_FIELDS)
    pairs = con.execute(f"SELECT DISTINCT v, era FROM ({union}) ORDER BY v, era NULLS FIRST").fetchall()
    rows = pool.map(_place_row, pairs)
    _load(con, "_m_place", {
        "v": ([p[0] for p in pairs], _STR),
        "era": ([p[1] for p in pairs], _STR),
        "text": ([r[0] for r in rows], _STR),
        "province_code": ([r[1] for r in rows], _STR),
        "commune": ([r[2] for r in rows], _STR),
        "commune_key": ([r[3] for r in rows], _STR),
        "found": ([r[4] for r in rows], pa.bool_()),
        "flags": ([r[5] for r in rows], _FLAGS),
    })
    return len(pairs)


def _id_parts(row: tuple[str, str | None, int | None]) -> Any:
    return parse_id(*row)


def _map_ids(con: duckdb.DuckDBPyConnection, pool: ParsePool) -> int:
    union = " UNION ".join(
        f"SELECT {c} AS v, sex_n AS sex, b_year AS byear FROM _nb WHERE {c} IS NOT NULL" for c in ID_COLUMNS
    )
    rows = con.execute(f"SELECT DISTINCT v, sex, byear FROM ({union}) ORDER BY v, sex NULLS FIRST, byear NULLS FIRST").fetchall()
    parts = pool.map(_id_parts, rows)
    _load(con, "_m_id", {
        "v": ([r[0] for r in rows], _STR),
        "sex": ([r[1] for r in rows], _STR),
        "byear": ([r[2] for r in rows], pa.int32()),
        "personal_id": ([p.personal_id for p in parts], _STR),
        "cmnd": ([p.cmnd for p in parts], _STR),
        "status": ([p.status for p in parts], _STR),
        "province_code": ([p.province_code for p in parts], _STR),
        "id_sex": ([p.id_sex for p in parts], _STR),
        "id_birth_year": ([p.id_birth_year for p in parts], pa.int32()),
        "flags": ([list(p.flags) for p in parts], _FLAGS),
    })
    return len(rows)


def _id_join(alias: str, column: str) -> str:
    return (f"LEFT JOIN _m_id {alias} ON {alias}.v = b.{column} AND {alias}.sex IS NOT DISTINCT FROM b.sex_n "
            f"AND {alias}.byear IS NOT DISTINCT FROM b.b_year")


def _prefixed(expr: str, prefix: str) -> str:
    return f"list_transform(coalesce({expr}, []::VARCHAR[]), lambda x: '{prefix}' || x)"


def _write(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, int], dict[str, int]]:
    place_joins = "\n".join(
        f"LEFT JOIN _m_place {a} ON {a}.v = b.{f} AND {a}.era IS NOT DISTINCT FROM b.era"
        for f, a in PLACE_ALIASES.items()
    )
    # birth_place is the place of birth registration (contract.md): `Nơi đăng ký` where it names a province,
    # else `Nơi sinh`
    reg = "(rgp.found OR bip.v IS NULL)"
    bp = {c: f"CASE WHEN {reg} THEN rgp.{c} ELSE bip.{c} END" for c in ("text", "province_code", "flags")}
    flags = ", ".join([
        "CASE WHEN n.legacy OR fa.legacy OR mo.legacy THEN ['legacy_encoding'] ELSE []::VARCHAR[] END",
        _prefixed("b.b_flags", "date_"),
        "CASE WHEN b.sex IS NOT NULL AND b.sex_n IS NULL THEN ['sex_unparsed'] ELSE []::VARCHAR[] END",
        "CASE WHEN b.ethnicity IS NOT NULL AND eth.code IS NULL THEN ['ethnicity_unparsed'] "
        "ELSE []::VARCHAR[] END",
        _prefixed("i1.flags", "id_"), _prefixed("i2.flags", "id_"), _prefixed("i3.flags", "id_"),
        "CASE WHEN 'repaired' IN (i1.status, i2.status, i3.status) THEN ['id_repaired'] ELSE []::VARCHAR[] END",
        _prefixed("hop.flags", "hometown_"), _prefixed(bp["flags"], "birth_place_"),
        _prefixed("rsp.flags", "residence_"),
    ])
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _nrows AS
        SELECT b.source, b.record_id, b.file, b."row",
               n.full_name, n.surname, n.middle_name, n.given_name, n.name_fold, n.surname_fold, n.middle_fold,
               n.given_fold, n.surname_key, n.middle_core_fold, n.given_phonetic, n.name_ascii_only,
               b.b_year AS birth_year, b.b_month AS birth_month, b.b_day AS birth_day, b.b_date AS birth_date,
               b.b_precision AS birth_date_precision,
               CASE WHEN b.b_precision IS NULL THEN NULL ELSE b.b_placeholder END AS birth_date_placeholder,
               b.sex_n AS sex, eth.code AS ethnicity_code, eth.name AS ethnicity,
               nat.out AS nationality, rlg.out AS religion,
               coalesce(i1.personal_id, i2.personal_id, i3.personal_id) AS personal_id,
               CASE WHEN i1.personal_id IS NOT NULL THEN i1.status
                    WHEN i2.personal_id IS NOT NULL THEN i2.status
                    WHEN i3.personal_id IS NOT NULL THEN i3.status
                    WHEN 'invalid' IN (i1.status, i2.status, i3.status) THEN 'invalid'
                    ELSE 'missing' END AS personal_id_status,
               coalesce(i1.province_code, i2.province_code, i3.province_code) AS id_province_code,
               coalesce(i1.id_sex, i2.id_sex, i3.id_sex) AS id_sex,
               coalesce(i1.id_birth_year, i2.id_birth_year, i3.id_birth_year) AS id_birth_year,
               coalesce(i3.cmnd, i2.cmnd, i1.cmnd) AS cmnd,
               fa.full_name AS father_name, fa.name_fold AS father_fold,
               mo.full_name AS mother_name, mo.name_fold AS mother_fold,
               hop.text AS hometown, hop.province_code AS hometown_province_code,
               hop.commune_key AS hometown_commune_key,
               {bp["text"]} AS birth_place, {bp["province_code"]} AS birth_place_province_code,
               rsp.text AS residence, rsp.province_code AS residence_province_code,
               rsp.commune AS residence_commune,
               regexp_replace(b.household_id, '\\s+', ' ', 'g') AS household_id,
               rel.out AS relation_to_head,
               hd.name_fold AS head_fold,
               b.event_date,
               list_sort(list_distinct(list_concat({flags}))) AS flags,
               (n.full_name IS NOT NULL
                OR coalesce(i1.personal_id, i2.personal_id, i3.personal_id, i1.cmnd, i2.cmnd, i3.cmnd) IS NOT NULL
               ) AS usable,
               CASE WHEN b.full_name IS NULL AND b.personal_id IS NULL AND b.id_number IS NULL AND b.cmnd IS NULL
                    THEN 'no name and no ID number'
                    WHEN b.personal_id IS NULL AND b.id_number IS NULL AND b.cmnd IS NULL
                    THEN 'no usable name and no ID number'
                    ELSE 'no usable name and no usable ID number' END AS reject_reason
        FROM _nb b
        LEFT JOIN _m_name n ON n.v = b.full_name
        LEFT JOIN _m_name fa ON fa.v = b.father_name
        LEFT JOIN _m_name mo ON mo.v = b.mother_name
        LEFT JOIN _m_name hd ON hd.v = b.head_name
        LEFT JOIN _m_eth eth ON eth.v = b.ethnicity
        LEFT JOIN _m_nat nat ON nat.v = b.nationality
        LEFT JOIN _m_rlg rlg ON rlg.v = b.religion
        LEFT JOIN _m_rel rel ON rel.v = b.relation_to_head
        {_id_join('i1', 'personal_id')}
        {_id_join('i2', 'id_number')}
        {_id_join('i3', 'cmnd')}
        {place_joins}
    """)
    columns = ", ".join(f'"{c}"' if c == "row" else c for c in RECORD_COLUMNS if c != "uid")
    con.execute(f"""
        CREATE OR REPLACE TABLE {RECORDS} AS
        SELECT row_number() OVER (ORDER BY source, file, "row") AS uid, {columns}
        FROM _nrows WHERE usable
        ORDER BY uid
    """)
    con.execute(f"""
        CREATE TABLE IF NOT EXISTS {REJECTED} (
            source VARCHAR, record_id VARCHAR, file VARCHAR, "row" BIGINT, stage VARCHAR, reason VARCHAR)
    """)
    con.execute(f"DELETE FROM {REJECTED} WHERE stage = ?", [STAGE])
    con.execute(f"""
        INSERT INTO {REJECTED} (source, record_id, file, "row", stage, reason)
        SELECT source, record_id, file, "row", '{STAGE}', reject_reason
        FROM _nrows WHERE NOT usable ORDER BY source, file, "row"
    """)
    kept = dict(con.execute(
        f"SELECT source, count(*) FROM {RECORDS} GROUP BY source ORDER BY source").fetchall())
    rejected = dict(con.execute(
        "SELECT source, count(*) FROM _nrows WHERE NOT usable GROUP BY source ORDER BY source").fetchall())
    return kept, rejected


__all__ = ["normalise", "raw_sources", "RECORD_COLUMNS"]
