"""Reading the workspace's `conflicts` table (read-only) for the review side (see docs/schema.md)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import duckdb

from linkage.errors import UserError
from linkage.review.accounts import commune_matches
from linkage.review.decisions import ConflictInfo
from linkage.workspace import CONFLICTS, require_table

REQUIRED = ("conflict_id", "person_id", "field", "values", "fingerprint")
OPTIONAL = ("suggested_value", "suggested_source", "suggested_record_id", "rule", "hint", "severity",
            "province_code", "commune", "agency")


def _columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    require_table(con, CONFLICTS, "run `linkage run` first")
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? AND table_schema = 'main'",
        [CONFLICTS],
    ).fetchall()
    present = {r[0] for r in rows}
    missing = [c for c in REQUIRED if c not in present]
    if missing:
        raise UserError(f"the workspace's conflicts table lacks column(s) {', '.join(missing)}")
    return [c for c in REQUIRED + OPTIONAL if c in present]


def _select(con: duckdb.DuckDBPyConnection) -> str:
    present = _columns(con)
    parts = []
    for c in REQUIRED + OPTIONAL:
        if c not in present:
            parts.append(f'NULL AS "{c}"')
        elif c == "agency":
            parts.append('CAST("agency" AS VARCHAR) AS "agency"')
        else:
            parts.append(f'"{c}"')
    return "SELECT " + ", ".join(parts) + f" FROM {CONFLICTS} c"


def _fetch(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[ConflictInfo]:
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [ConflictInfo.from_mapping(dict(zip(names, row, strict=True))) for row in cur.fetchall()]


def scope_groups(con: duckdb.DuckDBPyConnection, *, communes: Iterable[str] = (), province: str | None = None,
                 all_: bool = False) -> list[tuple[str | None, str | None]]:
    """The (province_code, commune) pairs of the conflicts in scope, sorted."""
    _columns(con)
    specs = [c for c in communes if c and c.strip()]
    if not (specs or province or all_):
        raise UserError("choose --commune, --province or --all")
    rows = con.execute(f"SELECT DISTINCT province_code, commune FROM {CONFLICTS} "
                       "ORDER BY province_code NULLS LAST, commune NULLS LAST").fetchall()
    groups = [(r[0], r[1]) for r in rows]
    if specs:
        return [g for g in groups if any(commune_matches(s, g[0], g[1]) for s in specs)]
    if province:
        return [g for g in groups if g[0] is not None and g[0].strip() == province.strip()]
    return groups


def conflicts_of(con: duckdb.DuckDBPyConnection, province_code: str | None, commune: str | None) -> list[ConflictInfo]:
    sql = (_select(con) + " WHERE province_code IS NOT DISTINCT FROM ? AND commune IS NOT DISTINCT FROM ?"
           " ORDER BY severity = 'blocking' DESC, person_id, field")
    return _fetch(con, sql, [province_code, commune])


def conflicts_by_id(con: duckdb.DuckDBPyConnection, conflict_ids: Iterable[str]) -> dict[str, ConflictInfo]:
    ids = sorted({c for c in conflict_ids if c})
    if not ids:
        return {}
    sql = _select(con) + " SEMI JOIN (SELECT unnest(?::VARCHAR[]) AS id) i ON c.conflict_id = i.id"
    return {c.conflict_id: c for c in _fetch(con, sql, [ids])}


def current_fingerprints(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    _columns(con)
    return dict(con.execute(f"SELECT conflict_id, fingerprint FROM {CONFLICTS}").fetchall())
