"""Pseudonymised extracts for analysts: records (normalised fields), clusters, conflicts and possible matches with
every name and ID number replaced by a keyed hash.

A pseudonym is HMAC-SHA256(key, value) as hex, truncated to PSEUDONYM_HEX characters (80 bits). The same value and
key always give the same pseudonym, in every column and every extract, so joins still work (a citizen-ID record's
`record_id` equals the `personal_id` pseudonym of the same number elsewhere); another key gives unlinkable ones.
The HMAC runs in DuckDB SQL, set-based: HMAC(K, m) = SHA256((K ⊕ opad) ‖ SHA256((K ⊕ ipad) ‖ m)) built from
DuckDB's `sha256` over BLOBs (checked against Python's `hmac` in tests/test_pseudonymise.py).

Columns are chosen by allow-list: a column is copied only when it is listed in KEEP, pseudonymised when listed
in PSEUDONYMISE, and dropped otherwise (a column added to `records` later never leaks by default). Derived
identifiers that are plain hashes of IDs (`person_id` and `conflict_id` are SHA-1 over keys that contain
record_ids, the conflict `fingerprint` a hash of the values) are pseudonymised or dropped too: a plain hash of a
12-digit personal ID is reversed by trying every number of a province and birth year.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from linkage.errors import UserError
from linkage.workspace import atomic_output_dir, require_table, sql_string, table_exists

ENV_PSEUDONYM_KEY = "LINKAGE_PSEUDONYM_KEY"
ENV_PSEUDONYM_KEY_FILE = "LINKAGE_PSEUDONYM_KEY_FILE"
PSEUDONYM_HEX = 20
MACRO = "_linkage_pseudo"

# records: copied as they are
KEEP = (
    "source", "name_ascii_only", "birth_year", "birth_month", "birth_day", "birth_date", "birth_date_precision",
    "birth_date_placeholder", "sex", "ethnicity_code", "ethnicity", "nationality", "religion", "personal_id_status",
    "id_province_code", "id_sex", "id_birth_year", "hometown", "hometown_province_code", "hometown_commune_key",
    "birth_place", "birth_place_province_code", "residence_province_code", "residence_commune", "relation_to_head",
    "event_date", "flags",
)
# records: replaced by their pseudonym (names and their parts and folds, ID numbers, the source's key)
PSEUDONYMISE = (
    "record_id", "full_name", "surname", "middle_name", "given_name", "name_fold", "surname_fold", "middle_fold",
    "given_fold", "surname_key", "middle_core_fold", "given_phonetic", "father_name", "father_fold", "mother_name",
    "mother_fold", "head_fold", "personal_id", "cmnd", "household_id",
)
# dropped: uid (internal), file and row (they point back into the input files), residence (a street address),
# and anything not named above
BIRTH_DETAIL = ("birth_month", "birth_day", "birth_date", "birth_date_placeholder")
# conflicts: fields whose values are shown as they are (every other field's values are pseudonymised)
CLEAR_CONFLICT_FIELDS = ("birth_date", "sex", "ethnicity", "nationality", "religion", "hometown", "birth_place",
                         "relation_to_head")


def read_pseudonym_key(key_file: str | os.PathLike[str] | None = None) -> bytes:
    """--pseudonym-key-file, else $LINKAGE_PSEUDONYM_KEY_FILE, else $LINKAGE_PSEUDONYM_KEY. Refuses to go on
    without one (an export without a key would be in clear)."""
    from linkage.workspace import check_key, read_key_file

    path = key_file or os.environ.get(ENV_PSEUDONYM_KEY_FILE)
    if path:
        key = read_key_file(path)
    else:
        key = (os.environ.get(ENV_PSEUDONYM_KEY) or "").strip()
    if not key:
        raise UserError(f"a pseudonymisation key is required: ${ENV_PSEUDONYM_KEY}, ${ENV_PSEUDONYM_KEY_FILE} or "
                        "--pseudonym-key-file (cần khoá giả danh hoá)")
    return check_key(key, "the pseudonymisation key").encode("utf-8")


def pseudonym(key: bytes, value: str) -> str:
    """The pseudonym of one value (what the SQL macro computes)."""
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:PSEUDONYM_HEX]


def key_id(key: bytes) -> str:
    """A short identifier of the key (two extracts with the same key_id can be joined); reveals nothing of it."""
    return pseudonym(key, "linkage key id")[:8]


def _pads(key: bytes) -> tuple[str, str]:
    k = hashlib.sha256(key).digest() if len(key) > 64 else key
    k = k.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in k).hex(), bytes(b ^ 0x5C for b in k).hex()


def install_macro(con: duckdb.DuckDBPyConnection, key: bytes) -> None:
    """`_linkage_pseudo(text)`: HMAC-SHA256 under `key`, truncated; NULL stays NULL (a temporary macro)."""
    ipad, opad = _pads(key)
    con.execute(
        f"""CREATE OR REPLACE TEMP MACRO {MACRO}(v) AS
            CASE WHEN v IS NULL THEN NULL ELSE
              left(sha256(unhex('{opad}') || unhex(sha256(unhex('{ipad}') || encode(CAST(v AS VARCHAR))))),
                   {PSEUDONYM_HEX}) END"""
    )


def drop_macro(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"DROP MACRO IF EXISTS temp.{MACRO}")


@dataclass
class ExportResult:
    out: Path
    rows: dict[str, int] = field(default_factory=dict)
    key_id: str = ""


def _p(expr: str) -> str:
    return f"{MACRO}({expr})"


def _record_key(alias: str) -> str:
    return _p(f"{alias}.source || ':' || {alias}.file || ':' || {alias}.row")


def export_pseudonymised(con: duckdb.DuckDBPyConnection, out: str | os.PathLike[str], key: bytes,
                         birth_year_only: bool = False) -> ExportResult:
    """Writes records.parquet, clusters.parquet, conflicts.parquet, possible_matches.parquet and manifest.json
    into `out` (replaced as a whole)."""
    for t in ("records", "persons"):
        require_table(con, t, "run `linkage run` first")
    cols = [r[0] for r in con.execute("DESCRIBE records").fetchall()]
    select: list[str] = ["r.source", f"{_record_key('r')} AS record_key", f"{_p('p.person_id')} AS person_id"]
    for c in cols:
        if c == "source":
            continue
        if c in PSEUDONYMISE:
            select.append(f"{_p('r.' + c)} AS {c}")
        elif c in KEEP:
            if birth_year_only and c in BIRTH_DETAIL:
                continue
            if birth_year_only and c == "birth_date_precision":
                select.append("CASE WHEN r.birth_year IS NOT NULL THEN 'year' END AS birth_date_precision")
                continue
            select.append(f"r.{c}")
    year = "regexp_extract(v.value, '(\\d{4})', 1)"
    suggested_year = "regexp_extract(c.suggested_value, '(\\d{4})', 1)"
    clear = ", ".join(f"'{f}'" for f in CLEAR_CONFLICT_FIELDS)

    def conflict_value(value: str, year_expr: str) -> str:
        birth = f"WHEN c.field = 'birth_date' THEN {year_expr}" if birth_year_only else ""
        return f"CASE {birth} WHEN c.field IN ({clear}) THEN {value} ELSE {_p(value)} END"

    queries: dict[str, str | None] = {
        "records": f"""SELECT {', '.join(select)} FROM records r JOIN persons p USING (uid)
                       ORDER BY person_id, record_key""",
        "clusters": f"""SELECT r.source, {_record_key('r')} AS record_key, {_p('r.record_id')} AS record_id,
                               {_p('p.person_id')} AS person_id
                        FROM records r JOIN persons p USING (uid) ORDER BY person_id, record_key""",
        "conflicts": None,
        "possible_matches": None,
    }
    if table_exists(con, "conflicts"):
        queries["conflicts"] = f"""
            SELECT {_p('c.conflict_id')} AS conflict_id, {_p('c.person_id')} AS person_id, c.field,
                   list_transform(c."values", lambda v: {{'source': v.source,
                        'record_key': {_p("v.source || ':' || v.file || ':' || v.row")},
                        'record_id': {_p('v.record_id')}, 'value': {conflict_value('v.value', year)},
                        'agrees': v.agrees}}) AS "values",
                   {conflict_value('c.suggested_value', suggested_year)} AS suggested_value, c.suggested_source,
                   {_p('c.suggested_record_id')} AS suggested_record_id, c.rule, c.hint, c.severity,
                   c.province_code, c.commune, c.agency
            FROM conflicts c ORDER BY conflict_id"""
    if table_exists(con, "possible_matches"):
        queries["possible_matches"] = f"""
            SELECT l.source AS source_l, {_record_key('l')} AS record_key_l, {_p('l.record_id')} AS record_id_l,
                   {_p('pl.person_id')} AS person_id_l,
                   r.source AS source_r, {_record_key('r')} AS record_key_r, {_p('r.record_id')} AS record_id_r,
                   {_p('pr.person_id')} AS person_id_r, m.match_weight, m.match_probability, m.reason
            FROM possible_matches m JOIN records l ON l.uid = m.uid_l JOIN records r ON r.uid = m.uid_r
            JOIN persons pl ON pl.uid = m.uid_l JOIN persons pr ON pr.uid = m.uid_r
            ORDER BY record_key_l, record_key_r"""
    res = ExportResult(out=Path(out), key_id=key_id(key))
    install_macro(con, key)
    try:
        with atomic_output_dir(out) as tmp:
            for name, sql in queries.items():
                if sql is None:
                    continue
                target = sql_string(tmp / f"{name}.parquet")
                con.execute(f"COPY ({sql}) TO '{target}' (FORMAT parquet, COMPRESSION zstd)")
                res.rows[name] = con.execute(f"SELECT count(*) FROM '{target}'").fetchall()[0][0]
            manifest = {
                "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "pseudonymisation": f"HMAC-SHA256, first {PSEUDONYM_HEX} hex characters",
                "key_id": res.key_id,
                "pseudonymised_columns": [c for c in cols if c in PSEUDONYMISE]
                + ["person_id", "conflict_id", "record_key (source:file:row)"],
                "dropped_columns": [c for c in cols if c not in PSEUDONYMISE and c not in KEEP and c != "source"]
                + (list(BIRTH_DETAIL) if birth_year_only else []) + ["conflicts.fingerprint"],
                "birth_dates": "year only" if birth_year_only else "as in the workspace",
                "conflict_fields_in_clear": list(CLEAR_CONFLICT_FIELDS),
                "rows": res.rows,
            }
            (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    finally:
        drop_macro(con)
    return res
