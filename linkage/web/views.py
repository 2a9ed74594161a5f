"""Pure functions that turn the snapshot and the store's state into what the pages show: jurisdiction,
the queue with its filters and counts, the person's documents side by side, the link evidence."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from linkage.review.accounts import Account
from linkage.review.decisions import ConflictInfo, Decision, Key
from linkage.web.snapshot import Group, Snapshot

SOURCE_ORDER = {"civil_status": 0, "household": 1, "citizen_id": 2}
SEVERITY_ORDER = {"blocking": 0, "advisory": 1}
# Rows of the side-by-side table, in order (records.parquet columns; birth_date is composed on load).
DISPLAY_FIELDS = ("full_name", "birth_date", "sex", "ethnicity", "nationality", "religion", "hometown",
                  "birth_place", "residence", "father_name", "mother_name", "personal_id", "cmnd", "household_id",
                  "relation_to_head", "event_date")


def group_key(group: Group) -> str:
    """A (province, commune) as one URL parameter: `PROVINCE:COMMUNE` (empty parts for unknown)."""
    return f"{group[0] or ''}:{group[1] or ''}"


def groups_in_scope(snap: Snapshot, account: Account) -> list[Group]:
    return sorted((g for g in snap.by_group if account.covers(*g)),
                  key=lambda g: (g[0] or "~", g[1] or "~"))


def may_see_conflict(account: Account, conflict: ConflictInfo) -> bool:
    return account.covers(conflict.province_code, conflict.commune)


def visible_conflicts(snap: Snapshot, account: Account, person_id: str) -> list[ConflictInfo]:
    """The person's conflicts this account may see (and decide)."""
    return [snap.conflicts[c] for c in snap.by_person.get(person_id, ()) if may_see_conflict(account, snap.conflicts[c])]


def may_see_person(snap: Snapshot, account: Account, person_id: str) -> bool:
    """Stewards see every person; officers a person with a conflict in their jurisdiction; admins none."""
    if account.role == "steward" and account.active:
        return person_id in snap.records or person_id in snap.by_person
    return account.role == "officer" and bool(visible_conflicts(snap, account, person_id))


def is_open(conflict: ConflictInfo, current: Decision | None) -> bool:
    """Open: no current decision, or one made on other values (stale: to decide again)."""
    return current is None or current.fingerprint != conflict.fingerprint


@dataclass(frozen=True)
class QueueFilter:
    field: str | None = None
    severity: str | None = None
    commune: str | None = None  # group_key

    def matches(self, c: ConflictInfo) -> bool:
        return ((self.field is None or c.field == self.field)
                and (self.severity is None or c.severity == self.severity)
                and (self.commune is None or group_key((c.province_code, c.commune)) == self.commune))


@dataclass(frozen=True)
class Queue:
    items: list[ConflictInfo]  # filtered, sorted
    total_open: int  # in scope, before filtering
    by_field: list[tuple[str, int]]
    by_severity: list[tuple[str, int]]
    by_commune: list[tuple[str, Group, int]]


def build_queue(snap: Snapshot, account: Account, current: Mapping[str, Decision], flt: QueueFilter) -> Queue:
    """The open conflicts of the account's jurisdiction; counts per field, severity and commune (each over
    the open conflicts that the *other* filters keep, so a count says what choosing it would show)."""
    open_items: list[ConflictInfo] = []
    for g in groups_in_scope(snap, account):
        for cid in snap.by_group[g]:
            c = snap.conflicts[cid]
            if is_open(c, current.get(cid)):
                open_items.append(c)
    f_field = Counter(c.field for c in open_items if QueueFilter(None, flt.severity, flt.commune).matches(c))
    f_sev = Counter(c.severity or "" for c in open_items if QueueFilter(flt.field, None, flt.commune).matches(c))
    groups: dict[str, Group] = {}
    f_com: Counter[str] = Counter()
    for c in open_items:
        if QueueFilter(flt.field, flt.severity, None).matches(c):
            k = group_key((c.province_code, c.commune))
            groups[k] = (c.province_code, c.commune)
            f_com[k] += 1
    items = sorted((c for c in open_items if flt.matches(c)),
                   key=lambda c: (SEVERITY_ORDER.get(c.severity or "", 9), c.province_code or "~", c.commune or "~",
                                  c.person_id, c.field))
    return Queue(
        items=items, total_open=len(open_items),
        by_field=sorted(f_field.items()),
        by_severity=sorted(f_sev.items(), key=lambda kv: SEVERITY_ORDER.get(kv[0], 9)),
        by_commune=[(k, groups[k], f_com[k]) for k in sorted(f_com, key=lambda k: (groups[k][0] or "~", groups[k][1] or "~"))],
    )


def sorted_records(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(records, key=lambda r: (SOURCE_ORDER.get(str(r.get("source")), 9), str(r.get("source")),
                                          str(r.get("file")), int(r.get("row") or 0)))


@dataclass(frozen=True)
class Cell:
    value: str | None
    differs: bool  # disagrees with the suggested value
    suggested: bool  # the record the suggestion comes from


@dataclass(frozen=True)
class GridRow:
    field: str
    cells: list[Cell]
    conflict: ConflictInfo | None


def person_grid(snap: Snapshot, person_id: str, conflicts: Sequence[ConflictInfo]) -> tuple[list[dict[str, Any]], list[GridRow]]:
    """The person's records (one column each) and one row per field; a field in conflict takes its values
    from the conflict (display form) and marks the cells that disagree with the suggestion."""
    records = sorted_records(snap.records.get(person_id, []))
    known = {r["key"] for r in records}
    for c in conflicts:  # a record named by a conflict but not in records.parquet still gets its column
        for v in c.values:
            if v.key not in known:
                known.add(v.key)
                records.append({"source": v.source, "record_id": v.record_id, "file": v.file, "row": v.row,
                                "key": v.key})
    by_field = {c.field: c for c in conflicts}
    rows: list[GridRow] = []
    for f in DISPLAY_FIELDS:
        c = by_field.get(f)
        cells: list[Cell] = []
        for r in records:
            if c is not None:
                values = {v.key: v.value for v in c.values}
                agrees = snap.agrees.get(c.conflict_id, {})
                value = values.get(r["key"], _text(r.get(f)))
                differs = r["key"] in values and not agrees.get(r["key"], True)
                suggested = r["key"] == (c.suggested_source, c.suggested_record_id)
                cells.append(Cell(value, differs, suggested))
            else:
                cells.append(Cell(_text(r.get(f)), False, False))
        if c is not None or any(cell.value not in (None, "") for cell in cells):
            rows.append(GridRow(f, cells, c))
    for c in conflicts:  # conflict fields outside DISPLAY_FIELDS
        if c.field not in DISPLAY_FIELDS:
            values = {v.key: v.value for v in c.values}
            agrees = snap.agrees.get(c.conflict_id, {})
            rows.append(GridRow(c.field, [Cell(values.get(r["key"]), r["key"] in values and not agrees.get(r["key"], True),
                                               r["key"] == (c.suggested_source, c.suggested_record_id)) for r in records], c))
    return records, rows


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return str(value)


@dataclass(frozen=True)
class Evidence:
    left: dict[str, Any] | None
    right: dict[str, Any] | None
    match_probability: float | None
    match_weight: float | None
    levels: list[tuple[str, int | None, float | None]]  # comparison, gamma level, its weight when known


def link_evidence(snap: Snapshot, person_id: str, limit: int = 30) -> list[Evidence]:
    """The scored pairs inside the person (strongest first): why its records were joined."""
    out = []
    rows = sorted(snap.links.get(person_id, []), key=lambda r: -(r.get("match_weight") or 0.0))[:limit]
    for row in rows:
        levels = []
        for k, v in row.items():
            if k.startswith("gamma_"):
                name = k[len("gamma_"):]
                levels.append((name, None if v is None else int(v), row.get(f"mw_{name}")))
        out.append(Evidence(snap.by_uid.get(int(row["uid_l"])), snap.by_uid.get(int(row["uid_r"])),
                            row.get("match_probability"), row.get("match_weight"), sorted(levels)))
    return out


def choice_options(conflict: ConflictInfo) -> list[tuple[str, str | None, list[Key]]]:
    """For `choose`: one option per distinct value: (option value `source|record_id`, value, records)."""
    seen: dict[str | None, list[Key]] = {}
    for v in conflict.values:
        if v.value is None:
            continue
        seen.setdefault(v.value, []).append(v.key)
    options = [(f"{keys[0][0]}|{keys[0][1]}", value, keys) for value, keys in seen.items()]
    return sorted(options, key=lambda o: o[1] == conflict.suggested_value)  # the other values first


def parse_choice(text: str | None) -> Key | None:
    if not text or "|" not in text:
        return None
    source, record_id = text.split("|", 1)
    return (source, record_id)


def paginate(items: Sequence[Any], page: int, size: int) -> tuple[list[Any], int, int]:
    pages = max(1, (len(items) + size - 1) // size)
    page = min(max(1, page), pages)
    return list(items[(page - 1) * size: page * size]), page, pages
