"""`linkage trace`: where one input row stands — its person, the person's other records, conflicts,
decisions, and whether it was loaded, is pending review, or was rejected."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb

from linkage.errors import UserError
from linkage.explain import parse_ref
from linkage.workspace import table_exists


@dataclass
class Trace:
    key: tuple[str, str]
    rejected: list[dict[str, Any]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)    # the matching input rows
    person_id: str | None = None
    members: list[dict[str, Any]] = field(default_factory=list)    # the person's records
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    status: str = "unknown"                                        # loaded | pending | not loaded yet | rejected


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    rel = con.execute(sql, params)
    cols = [d[0] for d in rel.description]
    return [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]


def trace(con: duckdb.DuckDBPyConnection, ref: str) -> Trace:
    source, record_id = parse_ref(ref)
    t = Trace(key=(source, record_id))
    if table_exists(con, "rejected"):
        t.rejected = _rows(con, "SELECT file, row, stage, reason FROM rejected WHERE source = ? AND record_id = ? "
                                "ORDER BY file, row", [source, record_id])
    if not table_exists(con, "records"):
        raise UserError("the workspace has no records: run `linkage run` first")
    t.records = _rows(con, "SELECT uid, file, row FROM records WHERE source = ? AND record_id = ? ORDER BY uid",
                      [source, record_id])
    if not t.records:
        if t.rejected:
            t.status = "rejected"
            return t
        raise UserError(f"no input row {source}:{record_id} in the workspace")
    if not table_exists(con, "persons"):
        t.status = "not linked yet"
        return t
    uid = t.records[0]["uid"]
    t.person_id = con.execute("SELECT person_id FROM persons WHERE uid = ?", [uid]).fetchall()[0][0]
    t.members = _rows(
        con,
        """SELECT r.source, r.record_id, r.file, r.row, r.full_name, r.birth_year, r.birth_month, r.birth_day,
                  r.birth_date_precision, r.sex
           FROM persons p JOIN records r USING (uid) WHERE p.person_id = ? ORDER BY r.source, r.file, r.row""",
        [t.person_id],
    )
    if table_exists(con, "conflicts"):
        status = ", s.status, s.decided_value" if table_exists(con, "conflict_status") else \
            ", NULL AS status, NULL AS decided_value"
        join = "LEFT JOIN conflict_status s USING (conflict_id)" if table_exists(con, "conflict_status") else ""
        t.conflicts = _rows(
            con,
            f"""SELECT c.conflict_id, c.field, c.suggested_value, c.rule, c.hint, c.severity{status}
                FROM conflicts c {join} WHERE c.person_id = ? ORDER BY c.field""",
            [t.person_id],
        )
    if table_exists(con, "golden") and con.execute(
            "SELECT count(*) FROM golden WHERE person_id = ?", [t.person_id]).fetchall()[0][0]:
        t.status = "loaded"
    elif table_exists(con, "pending") and con.execute(
            "SELECT count(*) FROM pending WHERE person_id = ?", [t.person_id]).fetchall()[0][0]:
        t.status = "pending review"
    else:
        t.status = "not loaded yet (run `linkage load`)"
    return t


def add_decisions(t: Trace, store: Any) -> None:
    from linkage.review.decisions import history_of

    for c in t.conflicts:
        for d in history_of(store, c["conflict_id"]).decisions:
            t.decisions.append({"id": d.id, "field": c["field"], "kind": d.kind, "value": d.value,
                                "by": d.actor, "at": d.decided_at, "reason": d.reason})
