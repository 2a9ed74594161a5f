"""Reading the review snapshot (`linkage.snapshot`) for the web application: conflicts, records, possible
matches and links, indexed by person, by (province, commune) and by pair. The web application never opens the
DuckDB workspace; it reloads the snapshot when `meta.json` changes (the batch side replaces the folder whole).

Everything is held in memory (one office's conflicts: tens of thousands of rows)."""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from linkage.review.decisions import ConflictInfo, Key, pair_subject

Group = tuple[str | None, str | None]  # (province_code, commune)
FILES = ("conflicts.parquet", "records.parquet", "possible_matches.parquet", "links.parquet")


@dataclass(frozen=True)
class Match:
    """A possible match for a steward: two records (and their persons) with the engine's probability."""

    id: str  # pair subject without its `pair:` prefix
    left: dict[str, Any]
    right: dict[str, Any]
    match_probability: float | None
    match_weight: float | None
    reason: str | None

    @property
    def left_key(self) -> Key:
        return (str(self.left["source"]), str(self.left["record_id"]))

    @property
    def right_key(self) -> Key:
        return (str(self.right["source"]), str(self.right["record_id"]))

    @property
    def subject(self) -> str:
        return "pair:" + self.id


@dataclass
class Snapshot:
    version: str  # meta.json's text ('' when there is no snapshot)
    published: str | None = None
    conflicts: dict[str, ConflictInfo] = field(default_factory=dict)
    agrees: dict[str, dict[Key, bool]] = field(default_factory=dict)  # conflict → record → agrees with suggestion
    by_person: dict[str, list[str]] = field(default_factory=dict)  # person → conflict ids
    by_group: dict[Group, list[str]] = field(default_factory=dict)  # (province, commune) → conflict ids
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # person → records
    by_uid: dict[int, dict[str, Any]] = field(default_factory=dict)
    by_key: dict[Key, dict[str, Any]] = field(default_factory=dict)
    links: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # person → scored pairs
    matches: dict[str, Match] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.version

    def person_place(self, person_id: str) -> Group | None:
        ids = self.by_person.get(person_id)
        if not ids:
            return None
        c = self.conflicts[ids[0]]
        return (c.province_code, c.commune)

    def display_name(self, person_id: str) -> str:
        recs = self.records.get(person_id) or []
        for source in ("civil_status", "citizen_id", "household"):
            for r in recs:
                if r.get("source") == source and r.get("full_name"):
                    return str(r["full_name"])
        for cid in self.by_person.get(person_id, ()):
            c = self.conflicts[cid]
            if c.field == "full_name" and c.suggested_value:
                return c.suggested_value
        return ""


def _read(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return pq.read_table(path).to_pylist()


def format_birth(rec: dict[str, Any]) -> str | None:
    """dd/mm/yyyy, mm/yyyy or yyyy from a record's birth_year/month/day and precision."""
    y, m, d = rec.get("birth_year"), rec.get("birth_month"), rec.get("birth_day")
    precision = rec.get("birth_date_precision")
    if y is None:
        return None
    if precision == "day" and m and d:
        return f"{int(d):02d}/{int(m):02d}/{int(y)}"
    if precision in ("day", "month") and m:
        return f"{int(m):02d}/{int(y)}"
    return str(int(y))


def _text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return value


def _read_encrypted(path: Path, key: str | None) -> dict[str, list[dict[str, Any]]]:
    """The tables of an encrypted snapshot (`snapshot.duckdb`), opened read-only with the workspace's key."""
    import duckdb

    from linkage.workspace import resolve_key, sql_string

    key = key or resolve_key()
    if not key:
        raise RuntimeError(f"the review snapshot {path} is encrypted: give the workspace key with "
                           f"$LINKAGE_DB_KEY or $LINKAGE_DB_KEY_FILE (dữ liệu được mã hoá: cần khoá)")
    con = duckdb.connect()
    try:
        try:
            con.execute(f"ATTACH '{sql_string(str(path))}' AS snap (ENCRYPTION_KEY '{sql_string(key)}', READ_ONLY)")
        except duckdb.Error as exc:
            if "Wrong encryption key" in str(exc):
                raise RuntimeError(f"the key does not open the review snapshot {path}: wrong key") from None
            if not path.exists():  # the folder was replaced while we read: read again
                raise FileNotFoundError(str(path)) from None
            raise RuntimeError(f"cannot open the review snapshot {path}: {exc.__class__.__name__}") from None
        names = {r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'snap'").fetchall()}
        return {f: con.sql(f"SELECT * FROM snap.{f.removesuffix('.parquet')}").to_arrow_table().to_pylist()
                if f.removesuffix(".parquet") in names else [] for f in FILES}
    finally:
        con.close()


def load_snapshot(folder: Path, key: str | None = None) -> Snapshot:
    """Reads the snapshot folder (an empty Snapshot when it has none). An encrypted snapshot is opened with
    `key`, else the key in $LINKAGE_DB_KEY / $LINKAGE_DB_KEY_FILE."""
    meta_path = folder / "meta.json"
    for _attempt in range(5):  # the folder may be replaced while we read: read until meta.json is unchanged
        try:
            before = meta_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return Snapshot(version="")
        try:
            if (folder / "snapshot.duckdb").exists():
                tables = _read_encrypted(folder / "snapshot.duckdb", key)
            else:
                tables = {name: _read(folder / name) for name in FILES}
            after = meta_path.read_text(encoding="utf-8")
        except (FileNotFoundError, OSError):
            time.sleep(0.2)
            continue
        if after == before:
            return _build(before, tables)
        time.sleep(0.2)
    raise RuntimeError(f"the review snapshot in {folder} keeps changing; try again")


def _build(version: str, tables: dict[str, list[dict[str, Any]]]) -> Snapshot:
    try:
        published = json.loads(version).get("published")
    except (ValueError, AttributeError):
        published = None
    snap = Snapshot(version=version, published=published)
    by_person: dict[str, list[str]] = defaultdict(list)
    by_group: dict[Group, list[str]] = defaultdict(list)
    for row in tables["conflicts.parquet"]:
        c = ConflictInfo.from_mapping(row)
        snap.conflicts[c.conflict_id] = c
        snap.agrees[c.conflict_id] = {(str(v["source"]), str(v["record_id"])): bool(v.get("agrees", True))
                                      for v in row.get("values") or []}
        by_person[c.person_id].append(c.conflict_id)
        by_group[(c.province_code, c.commune)].append(c.conflict_id)
    snap.by_person = dict(by_person)
    snap.by_group = dict(by_group)
    records: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rec in tables["records.parquet"]:
        rec = {k: _text(v) for k, v in rec.items()}
        rec["birth_date"] = format_birth(rec)
        rec["key"] = (str(rec["source"]), str(rec["record_id"]))
        records[str(rec["person_id"])].append(rec)
        if rec.get("uid") is not None:
            snap.by_uid[int(rec["uid"])] = rec
        snap.by_key[rec["key"]] = rec
    snap.records = dict(records)
    links: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in tables["links.parquet"]:
        links[str(row["person_id"])].append(row)
    snap.links = dict(links)
    for row in tables["possible_matches.parquet"]:
        left, right = snap.by_uid.get(int(row["uid_l"])), snap.by_uid.get(int(row["uid_r"]))
        if left is None or right is None:
            continue
        pid = pair_subject(left["key"], right["key"])[5:]
        snap.matches[pid] = Match(pid, left, right, row.get("match_probability"), row.get("match_weight"),
                                  row.get("reason"))
    return snap


class SnapshotHolder:
    """The current snapshot of a folder, reloaded when its meta.json changes (checked at most every
    `check_every` seconds)."""

    def __init__(self, folder: Path, check_every: float = 1.0) -> None:
        self.folder = Path(folder)
        self.check_every = check_every
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._stamp: tuple[int, int, int] | None = None
        self._checked = 0.0

    def _meta_stamp(self) -> tuple[int, int, int] | None:
        try:
            st = (self.folder / "meta.json").stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def get(self) -> Snapshot:
        now = time.monotonic()
        snap = self._snapshot
        if snap is not None and now - self._checked < self.check_every:
            return snap
        with self._lock:
            self._checked = time.monotonic()
            stamp = self._meta_stamp()
            if self._snapshot is None or stamp != self._stamp:
                self._snapshot = load_snapshot(self.folder)
                self._stamp = stamp
            return self._snapshot
