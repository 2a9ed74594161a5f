"""A small review snapshot (the Parquet files `linkage.snapshot.publish` writes) and accounts, for the web
application's tests. Columns follow docs/schema.md (`conflicts`) and linkage/snapshot.py."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from linkage.review import accounts
from linkage.review.store import ReviewStore
from linkage.snapshot import RECORD_FIELDS

CS, HH, ID = "civil_status", "household", "citizen_id"
PASSWORD = "mat-khau-123"

VALUE_TYPE = pa.list_(pa.struct([("source", pa.string()), ("record_id", pa.string()), ("file", pa.string()),
                                 ("row", pa.int64()), ("value", pa.string()), ("agrees", pa.bool_())]))
CONFLICT_SCHEMA = pa.schema([
    ("conflict_id", pa.string()), ("person_id", pa.string()), ("field", pa.string()), ("values", VALUE_TYPE),
    ("suggested_value", pa.string()), ("suggested_source", pa.string()), ("suggested_record_id", pa.string()),
    ("rule", pa.string()), ("hint", pa.string()), ("severity", pa.string()), ("province_code", pa.string()),
    ("commune", pa.string()), ("agency", pa.string()), ("fingerprint", pa.string()),
])
INT_FIELDS = {"birth_year", "birth_month", "birth_day"}
RECORD_SCHEMA = pa.schema(
    [("person_id", pa.string()), ("uid", pa.int64()), ("source", pa.string()), ("record_id", pa.string()),
     ("file", pa.string()), ("row", pa.int64())]
    + [(f, pa.int32() if f in INT_FIELDS else pa.date32() if f == "event_date" else pa.string())
       for f in RECORD_FIELDS]
)


def conflict_id(person_id: str, field: str) -> str:
    return "C" + hashlib.sha1(f"{person_id}|{field}".encode()).hexdigest()[:16]


def fingerprint(values: list[dict[str, Any]]) -> str:
    return hashlib.sha1(json.dumps([[v["source"], v["record_id"], v["value"]] for v in values]).encode()).hexdigest()


@dataclass
class Person:
    person_id: str
    province: str
    commune: str
    records: list[dict[str, Any]]
    conflicts: list[dict[str, Any]]


class SnapshotBuilder:
    """Builds persons with three documents each, their conflicts, links and possible matches."""

    def __init__(self) -> None:
        self.persons: list[Person] = []
        self.matches: list[dict[str, Any]] = []
        self._uid = 0

    def person(self, n: int, province: str, commune: str, name: str = "Nguyễn Văn An",
               birth: tuple[int, int, int] = (1987, 9, 5), conflicts: tuple[str, ...] = ("birth_date",)) -> Person:
        pid = f"P{n:012d}"
        recs = []
        for source in (CS, HH, ID):
            self._uid += 1
            rid = {CS: f"KS{n:05d}", HH: f"NK{n:05d}", ID: f"0790870{n:05d}"}[source]
            y, m, d = birth
            if source != CS and "birth_date" in conflicts:
                m, d = d, m  # day and month swapped in the police records
            rec: dict[str, Any] = {f: None for f in RECORD_FIELDS}
            rec.update(person_id=pid, uid=self._uid, source=source, record_id=rid, file=f"{source}.csv", row=n,
                       full_name=name, birth_year=y, birth_month=m, birth_day=d, birth_date_precision="day",
                       sex="M", ethnicity="Kinh", nationality="Việt Nam", hometown=f"Xã {commune}, Tỉnh {province}",
                       residence=f"Phường {commune}", residence_commune=commune, residence_province_code=province,
                       father_name="Nguyễn Văn Bình", mother_name="Trần Thị Cúc")
            if source == ID:
                rec["personal_id"] = f"0790870{n:05d}"
            if source == HH:
                rec["household_id"] = f"HK{n:04d}"
                rec["relation_to_head"] = "Chủ hộ"
            if "ethnicity" in conflicts and source == HH:
                rec["ethnicity"] = "Tày"
            if "full_name" in conflicts and source == ID:
                rec["full_name"] = name.replace("Văn", "Vắn")
            recs.append(rec)
        person = Person(pid, province, commune, recs, [])
        for field in conflicts:
            person.conflicts.append(self._conflict(person, field))
        self.persons.append(person)
        return person

    def _conflict(self, p: Person, field: str) -> dict[str, Any]:
        def display(rec: dict[str, Any]) -> str:
            if field == "birth_date":
                return f"{rec['birth_day']:02d}/{rec['birth_month']:02d}/{rec['birth_year']}"
            return str(rec[field])

        suggested = display(p.records[0])
        values = [{"source": r["source"], "record_id": r["record_id"], "file": r["file"], "row": r["row"],
                   "value": display(r), "agrees": display(r) == suggested} for r in p.records]
        hint = {"birth_date": "day_month_swapped", "full_name": "tone"}.get(field)
        return {"conflict_id": conflict_id(p.person_id, field), "person_id": p.person_id, "field": field,
                "values": values, "suggested_value": suggested, "suggested_source": CS,
                "suggested_record_id": p.records[0]["record_id"], "rule": "civil_status_original", "hint": hint,
                "severity": "blocking" if field in ("birth_date", "full_name") else "advisory",
                "province_code": p.province, "commune": p.commune, "agency": "police",
                "fingerprint": fingerprint(values)}

    def possible_match(self, a: Person, b: Person, probability: float = 0.62, reason: str = "uncertain") -> None:
        self.matches.append({"uid_l": a.records[0]["uid"], "uid_r": b.records[0]["uid"], "person_id_l": a.person_id,
                             "person_id_r": b.person_id, "match_weight": 0.7, "match_probability": probability,
                             "reason": reason})

    def write(self, folder: Path, published: str = "2025-06-01T08:00:00+00:00") -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        conflicts = [c for p in self.persons for c in p.conflicts]
        pq.write_table(pa.Table.from_pylist(sorted(conflicts, key=lambda c: c["conflict_id"]), CONFLICT_SCHEMA),
                       folder / "conflicts.parquet")
        pq.write_table(pa.Table.from_pylist([r for p in self.persons for r in p.records], RECORD_SCHEMA),
                       folder / "records.parquet")
        pq.write_table(pa.Table.from_pylist(self.matches, pa.schema([
            ("uid_l", pa.int64()), ("uid_r", pa.int64()), ("person_id_l", pa.string()), ("person_id_r", pa.string()),
            ("match_weight", pa.float64()), ("match_probability", pa.float64()), ("reason", pa.string())])),
            folder / "possible_matches.parquet")
        links = []
        for p in self.persons:
            for i in range(len(p.records)):
                for j in range(i + 1, len(p.records)):
                    links.append({"person_id": p.person_id, "uid_l": p.records[i]["uid"],
                                  "uid_r": p.records[j]["uid"], "match_weight": 12.5 - i - j,
                                  "match_probability": 0.999, "gamma_full_name": 3, "gamma_birth_date": 1,
                                  "gamma_personal_id": -1})
        pq.write_table(pa.Table.from_pylist(links, pa.schema([
            ("person_id", pa.string()), ("uid_l", pa.int64()), ("uid_r", pa.int64()), ("match_weight", pa.float64()),
            ("match_probability", pa.float64()), ("gamma_full_name", pa.int32()), ("gamma_birth_date", pa.int32()),
            ("gamma_personal_id", pa.int32())])), folder / "links.parquet")
        (folder / "meta.json").write_text(json.dumps({"published": published, "workspace": "test.duckdb"}),
                                          encoding="utf-8")
        return folder


def standard_snapshot(folder: Path) -> SnapshotBuilder:
    """Commune 26734 (province 079): P1 birth date, P2 full name + ethnicity, P3 birth date; commune 26737:
    P4; province 001, commune 00004: P5; possible match P6/P7 (commune 26737)."""
    b = SnapshotBuilder()
    b.person(1, "079", "26734", "Nguyễn Văn An")
    b.person(2, "079", "26734", "Trần Văn Bình", conflicts=("full_name", "ethnicity"))
    b.person(3, "079", "26734", "Lê Thị Cúc", birth=(1990, 3, 12))
    b.person(4, "079", "26737", "Phạm Văn Dũng", birth=(1975, 11, 2))
    b.person(5, "001", "00004", "Hoàng Thị Em", birth=(2001, 4, 7))
    p6 = b.person(6, "079", "26737", "Võ Văn Giang", birth=(1960, 1, 1), conflicts=())
    p7 = b.person(7, "079", "26737", "Vũ Văn Giang", birth=(1960, 1, 1), conflicts=())
    b.possible_match(p6, p7)
    b.write(folder)
    return b


def standard_accounts(store: ReviewStore) -> None:
    accounts.add_account(store, "an", "Nguyễn Thị An", "officer", PASSWORD, communes=["079:26734"])
    accounts.add_account(store, "binh", "Trần Văn Bình", "officer", PASSWORD, communes=["26734"])
    accounts.add_account(store, "dung", "Phạm Thị Dung", "officer", PASSWORD, communes=["079:26737"])
    accounts.add_account(store, "tinh", "Lý Văn Tỉnh", "officer", PASSWORD, provinces=["001"])
    accounts.add_account(store, "cuong", "Lê Văn Cường", "steward", PASSWORD)
    accounts.add_account(store, "duyen", "Đỗ Thị Duyên", "steward", PASSWORD)
    accounts.add_account(store, "root", "Quản trị", "admin", PASSWORD)
