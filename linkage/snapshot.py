"""The review snapshot: what the review side (web application, Excel export) reads, published by the batch
side at the end of `run` and `load`, so that reviewers never need the workspace's DuckDB lock.

A folder beside the workspace (`linkage.duckdb` → `linkage.snapshot/`), replaced as a whole:
- `conflicts.parquet` — the `conflicts` table (docs/schema.md);
- `records.parquet` — every record of a person that has a conflict or a possible match, display fields;
- `possible_matches.parquet` — pairs for a steward, with both records' keys and persons;
- `links.parquet` — scored pairs inside those persons (why the records were joined: weights and levels);
- `meta.json` — when and from what it was published.

When the workspace is encrypted the four tables go instead into one DuckDB file, `snapshot.duckdb`, encrypted with
the workspace's key (Parquet files would be clear text); the web application opens it read-only with the key
from $LINKAGE_DB_KEY or $LINKAGE_DB_KEY_FILE.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import duckdb

from linkage.workspace import atomic_output_dir, sql_string, table_exists, workspace_key

SNAPSHOT_DB = "snapshot.duckdb"
SNAPSHOT_CATALOG = "linkage_snapshot"

RECORD_FIELDS = (
    "full_name", "birth_year", "birth_month", "birth_day", "birth_date_precision", "sex", "ethnicity",
    "nationality", "religion", "hometown", "birth_place", "residence", "father_name", "mother_name",
    "personal_id", "cmnd", "household_id", "relation_to_head", "event_date", "birth_place_province_code",
    "residence_province_code", "residence_commune",
)


def snapshot_dir(db: str | os.PathLike[str]) -> Path:
    """`linkage.duckdb` → `linkage.snapshot` in the same folder."""
    p = Path(db)
    if str(p) == ":memory:":
        p = Path("linkage.duckdb")
    return p.with_name(p.stem + ".snapshot")


def publish(con: duckdb.DuckDBPyConnection, db: str | os.PathLike[str]) -> Path:
    out = snapshot_dir(db)
    cols = {r[0] for r in con.execute("DESCRIBE records").fetchall()}
    fields = ", ".join(f"r.{c}" if c in cols else f"NULL AS {c}" for c in RECORD_FIELDS)
    has_conf = table_exists(con, "conflicts")
    conf_persons = "SELECT person_id FROM conflicts" if has_conf else "SELECT NULL::VARCHAR AS person_id WHERE false"
    key = workspace_key(con)
    with atomic_output_dir(out) as tmp:
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _snap_persons AS
            {conf_persons}
            UNION SELECT pl.person_id FROM possible_matches m JOIN persons pl ON pl.uid = m.uid_l
            UNION SELECT pr.person_id FROM possible_matches m JOIN persons pr ON pr.uid = m.uid_r
            """
        )
        queries = {
            "records": f"""SELECT p.person_id, r.uid, r.source, r.record_id, r.file, r.row, {fields}
                      FROM records r JOIN persons p USING (uid) JOIN _snap_persons USING (person_id)
                      ORDER BY p.person_id, r.source, r.file, r.row""",
            "conflicts": "SELECT * FROM conflicts ORDER BY conflict_id" if has_conf else None,
            "possible_matches": """SELECT m.uid_l, m.uid_r, pl.person_id AS person_id_l, pr.person_id AS person_id_r,
                             m.match_weight, m.match_probability, m.reason
                      FROM possible_matches m JOIN persons pl ON pl.uid = m.uid_l JOIN persons pr ON pr.uid = m.uid_r
                      ORDER BY m.uid_l, m.uid_r""",
            "links": """SELECT pa.person_id, x.* FROM pairs x
                      JOIN persons pa ON pa.uid = x.uid_l JOIN persons pb ON pb.uid = x.uid_r
                      WHERE pa.person_id = pb.person_id AND pa.person_id IN (SELECT person_id FROM _snap_persons)
                      ORDER BY x.uid_l, x.uid_r""",
        }
        if key:
            _write_encrypted(con, tmp / SNAPSHOT_DB, key, queries)
        else:
            for name, sql in queries.items():
                if sql is not None:
                    con.execute(f"COPY ({sql}) TO '{sql_string(tmp / (name + '.parquet'))}' (FORMAT parquet)")
        meta = {"published": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "workspace": str(db),
                "encrypted": bool(key)}
        (tmp / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return out


def _write_encrypted(con: duckdb.DuckDBPyConnection, path: Path, key: str, queries: dict[str, str | None]) -> None:
    """The snapshot tables in one DuckDB file encrypted with the workspace's key (the connection already has
    the crypto module the workspace needed)."""
    con.execute(f"ATTACH '{sql_string(path)}' AS {SNAPSHOT_CATALOG} (ENCRYPTION_KEY '{sql_string(key)}')")
    try:
        for name, sql in queries.items():
            if sql is not None:
                con.execute(f"CREATE TABLE {SNAPSHOT_CATALOG}.{name} AS {sql}")
    finally:
        con.execute(f"DETACH {SNAPSHOT_CATALOG}")
