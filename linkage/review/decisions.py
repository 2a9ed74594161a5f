"""Officers' and stewards' decisions: recording them in the journal (with every check made inside the store's
write transaction) and the views the batch stages apply.

Kinds
- on a conflict (person, field): `accept` the suggestion, `choose` another record's value, `correct` with an
  entered value, `split` (the records are not the same person: a proposal);
- on records: `merge` (two persons are one: a proposal), `match` / `no_match` (a steward on a possible match);
- on an earlier decision: `approve` / `reject` a pending merge or split (a steward other than its author),
  `reverse` (the earlier decision stops counting; reversing a reversal restores it).

Every decision has a `subject`: the conflict id, or a key naming the pair / group of records. Decisions on one
subject form its history; the latest active one is the subject's current decision. A caller may pass
`expected_previous` (the current decision id it saw, None for none): if the subject changed meanwhile the new
decision is refused (`ConcurrentChange`), never silently applied over someone else's.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from enum import Enum
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from linkage.errors import UserError
from linkage.normalise.text import clean_text
from linkage.review import values as vals
from linkage.review.accounts import Account, get_account
from linkage.review.store import ReviewStore, claims, decisions, format_ts, parse_ts

Key = tuple[str, str]  # (source, record_id)

FIELD_KINDS = ("accept", "choose", "correct")
PROPOSAL_KINDS = ("merge", "split")
PAIR_KINDS = ("match", "no_match")
META_KINDS = ("approve", "reject", "reverse")
KINDS = FIELD_KINDS + PROPOSAL_KINDS + PAIR_KINDS + META_KINDS
CHANNELS = ("cli", "excel", "web", "api")
MAX_REASON = 2000


class _Unset(Enum):
    UNSET = 0


UNSET = _Unset.UNSET


# --------------------------------------------------------------------------------------------------------------
# Errors: each has a short `code` (used by the Excel import report) and a Vietnamese message for officers.


class DecisionError(UserError):
    code = "refused"

    def __init__(self, message: str, message_vi: str | None = None) -> None:
        super().__init__(message)
        self.message_vi = message_vi or message


class NotAllowed(DecisionError):
    code = "not_allowed"


class OutsideJurisdiction(NotAllowed):
    code = "outside_jurisdiction"


class MissingReason(DecisionError):
    code = "missing_reason"


class InvalidDecisionValue(DecisionError):
    code = "invalid_value"


class StaleConflict(DecisionError):
    code = "stale"


class ConcurrentChange(DecisionError):
    code = "clash"

    def __init__(self, message: str, message_vi: str, current: Decision | None) -> None:
        super().__init__(message, message_vi)
        self.current = current


class ClaimedByOther(DecisionError):
    code = "claimed"


class UnknownDecision(DecisionError):
    code = "unknown_decision"


# --------------------------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class RecordValue:
    source: str
    record_id: str
    value: str | None
    file: str | None = None
    row: int | None = None

    @property
    def key(self) -> Key:
        return (self.source, self.record_id)


@dataclass(frozen=True)
class ConflictInfo:
    """A conflict as the workspace's `conflicts` table has it now (see docs/schema.md)."""

    conflict_id: str
    person_id: str
    field: str
    fingerprint: str
    values: tuple[RecordValue, ...]
    suggested_value: str | None = None
    suggested_source: str | None = None
    suggested_record_id: str | None = None
    rule: str | None = None
    hint: str | None = None
    severity: str | None = None
    province_code: str | None = None
    commune: str | None = None
    agency: str | None = None

    @classmethod
    def from_mapping(cls, row: Mapping[str, Any]) -> ConflictInfo:
        items = row.get("values") or []
        values = tuple(
            RecordValue(str(v["source"]), str(v["record_id"]), None if v.get("value") is None else str(v["value"]),
                        v.get("file"), v.get("row"))
            for v in items
        )
        agency = row.get("agency")
        if isinstance(agency, list | tuple):
            agency = ",".join(str(a) for a in agency)
        return cls(
            conflict_id=str(row["conflict_id"]), person_id=str(row["person_id"]), field=str(row["field"]),
            fingerprint=str(row["fingerprint"]), values=values,
            suggested_value=row.get("suggested_value"), suggested_source=row.get("suggested_source"),
            suggested_record_id=row.get("suggested_record_id"), rule=row.get("rule"), hint=row.get("hint"),
            severity=row.get("severity"), province_code=row.get("province_code"), commune=row.get("commune"),
            agency=agency,
        )

    def values_json(self) -> list[list[str | None]]:
        return [[v.source, v.record_id, v.value] for v in self.values]


@dataclass(frozen=True)
class Decision:
    id: int
    kind: str
    subject: str
    conflict_id: str | None
    fingerprint: str | None
    person_id: str | None
    field: str | None
    province_code: str | None
    commune: str | None
    records_a: tuple[Key, ...]
    records_b: tuple[Key, ...]
    value: str | None
    reason: str | None
    legal_ref: str | None
    target_id: int | None
    previous_id: int | None
    actor: str
    actor_role: str
    channel: str
    origin: str | None
    decided_at: str
    before: Any
    after: Any
    hash: str

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Decision:
        def keys(text: str | None) -> tuple[Key, ...]:
            return tuple((str(s), str(r)) for s, r in json.loads(text)) if text else ()

        return cls(
            id=int(row["seq"]), kind=row["kind"], subject=row["subject"], conflict_id=row["conflict_id"],
            fingerprint=row["fingerprint"], person_id=row["person_id"], field=row["field"],
            province_code=row["province_code"], commune=row["commune"], records_a=keys(row["records_a"]),
            records_b=keys(row["records_b"]), value=row["value"], reason=row["reason"],
            legal_ref=row["legal_ref"], target_id=row["target_id"], previous_id=row["previous_id"],
            actor=row["actor"], actor_role=row["actor_role"], channel=row["channel"], origin=row["origin"],
            decided_at=row["decided_at"], before=json.loads(row["before"]) if row["before"] else None,
            after=json.loads(row["after"]) if row["after"] else None, hash=row["hash"],
        )

    def identity(self) -> tuple[Any, ...]:
        """What makes two decisions the same decision (for idempotent re-imports)."""
        return (self.kind, self.value, self.fingerprint, self.records_a, self.records_b, self.target_id)


@dataclass(frozen=True)
class Recorded:
    decision: Decision
    created: bool  # False: an identical decision was already recorded; nothing was written


class FieldDecision(NamedTuple):
    conflict_id: str
    person_id: str
    field: str
    fingerprint: str
    value: str | None
    decision_id: int


class FieldDecisionStatus(NamedTuple):
    applicable: list[FieldDecision]  # fingerprint equals the conflict's current one
    stale: list[FieldDecision]  # the conflict's values changed since: report, do not apply
    gone: list[FieldDecision]  # the conflict no longer exists


@dataclass(frozen=True)
class Claim:
    conflict_id: str
    username: str
    claimed_at: str
    expires_at: str


# --------------------------------------------------------------------------------------------------------------
# Histories


@dataclass
class History:
    """Decisions in seq order (one subject, or the whole journal) with who is active and proposal states."""

    decisions: list[Decision]
    active: dict[int, bool] = field(default_factory=dict)
    verdict: dict[int, Decision] = field(default_factory=dict)  # proposal id → its latest active approve/reject

    def __post_init__(self) -> None:
        reverses: dict[int, list[Decision]] = defaultdict(list)
        for d in self.decisions:
            if d.kind == "reverse" and d.target_id is not None:
                reverses[d.target_id].append(d)
        for d in reversed(self.decisions):  # a reversal is always later than what it reverses
            self.active[d.id] = not any(self.active.get(r.id, False) for r in reverses[d.id])
        for d in self.decisions:
            if d.kind in ("approve", "reject") and self.active[d.id] and d.target_id is not None:
                self.verdict[d.target_id] = d

    def by_id(self, decision_id: int) -> Decision | None:
        for d in self.decisions:
            if d.id == decision_id:
                return d
        return None

    def status(self, d: Decision) -> str:
        """`active`/`reversed` for decisions; proposals: `pending`, `approved`, `rejected` or `reversed`."""
        if not self.active.get(d.id, False):
            return "reversed"
        if d.kind not in PROPOSAL_KINDS:
            return "active"
        verdict = self.verdict.get(d.id)
        if verdict is None:
            return "pending"
        return "approved" if verdict.kind == "approve" else "rejected"

    def counts(self, d: Decision) -> bool:
        return d.kind not in META_KINDS and self.status(d) in ("active", "pending", "approved")

    def current(self, subject: str | None = None) -> Decision | None:
        for d in reversed(self.decisions):
            if (subject is None or d.subject == subject) and self.counts(d):
                return d
        return None


def _load(conn: Connection, *conditions: Any) -> History:
    rows = conn.execute(sa.select(decisions).where(*conditions).order_by(decisions.c.seq)).mappings()
    return History([Decision.from_row(r) for r in rows])


def load_journal(store: ReviewStore) -> History:
    with store.read() as conn:
        return _load(conn)


def history_of(store: ReviewStore, subject: str) -> History:
    with store.read() as conn:
        return _load(conn, decisions.c.subject == subject)


def get_decision(store: ReviewStore, decision_id: int) -> Decision | None:
    with store.read() as conn:
        row = conn.execute(sa.select(decisions).where(decisions.c.seq == decision_id)).mappings().first()
    return Decision.from_row(row) if row else None


def current_decisions(store: ReviewStore) -> dict[str, Decision]:
    """Each conflict's current decision (field decision or split proposal), by conflict id."""
    history = load_journal(store)
    out: dict[str, Decision] = {}
    for d in history.decisions:
        if d.conflict_id and d.subject == d.conflict_id and history.counts(d):
            out[d.conflict_id] = d
    return out


# --------------------------------------------------------------------------------------------------------------
# Subjects


def pair_subject(a: Key, b: Key) -> str:
    lo, hi = sorted([a, b])
    return "pair:" + hashlib.sha1(json.dumps([lo, hi]).encode()).hexdigest()[:24]


def group_subject(records_a: Sequence[Key], records_b: Sequence[Key]) -> str:
    groups = sorted([sorted(records_a), sorted(records_b)])
    return "merge:" + hashlib.sha1(json.dumps(groups).encode()).hexdigest()[:24]


def _keys_json(keys: Iterable[Key]) -> str | None:
    items = sorted({(str(s), str(r)) for s, r in keys})
    return json.dumps([list(k) for k in items], ensure_ascii=False) if items else None


def _dump(obj: Any) -> str | None:
    return None if obj is None else json.dumps(obj, ensure_ascii=False, sort_keys=True)


# --------------------------------------------------------------------------------------------------------------
# Checks


def _account(store: ReviewStore, username: str) -> Account:
    account = get_account(store, username)
    if account is None:
        raise NotAllowed(f"no user {username}", f"Không có tài khoản {username}")
    if not account.active:
        raise NotAllowed(f"user {account.username} is disabled", f"Tài khoản {account.username} đã bị khóa")
    if not account.decides:
        raise NotAllowed(f"user {account.username} ({account.role}) does not record decisions",
                         f"Tài khoản {account.username} không có quyền quyết định")
    return account


def _require_reason(kind: str, reason: str | None) -> str | None:
    text = clean_text(reason)
    if kind != "accept" and not text:
        raise MissingReason(f"a reason is required for '{kind}'", "Phải ghi lý do cho quyết định này")
    if text and len(text) > MAX_REASON:
        raise DecisionError(f"the reason is longer than {MAX_REASON} characters",
                            f"Lý do dài quá {MAX_REASON} ký tự")
    return text


def _require_steward(account: Account, what: str) -> None:
    if account.role != "steward":
        raise NotAllowed(f"only a data steward may {what}", "Chỉ cán bộ quản lý dữ liệu được thực hiện việc này")


def _check_jurisdiction(account: Account, province_code: str | None, commune: str | None) -> None:
    if not account.covers(province_code, commune):
        raise OutsideJurisdiction(
            f"outside the jurisdiction of {account.username} ({account.scope_text()})",
            "Xung đột này không thuộc địa bàn được giao cho tài khoản",
        )


def _check_claim(conn: Connection, store: ReviewStore, conflict_id: str, username: str) -> None:
    row = conn.execute(sa.select(claims).where(claims.c.conflict_id == conflict_id)).mappings().first()
    if row and row["username"] != username and parse_ts(row["expires_at"]) > store.clock():
        raise ClaimedByOther(
            f"conflict {conflict_id} is being handled by {row['username']} until {row['expires_at']}",
            f"Xung đột đang được {row['username']} xử lý (đến {row['expires_at']})",
        )
    conn.execute(sa.delete(claims).where(claims.c.conflict_id == conflict_id, claims.c.username == username))


def _describe(d: Decision | None) -> str:
    return "no decision" if d is None else f"decision #{d.id} ({d.kind}) by {d.actor} at {d.decided_at}"


def _record(store: ReviewStore, account: Account, entry: dict[str, Any], *, expected_previous: Any,
            before: Any = None, claim_conflict: str | None = None, extra: Any = None,
            dedupe_current: bool = True) -> Recorded:
    """Appends `entry` after the checks that must see the latest state (inside the write transaction).
    An entry identical to the subject's current decision (`dedupe_current`), or to an earlier one made on
    the same expected previous decision, is not written again."""
    subject = entry["subject"]
    probe = Decision.from_row({**{c.name: None for c in decisions.columns}, **entry, "seq": 0, "hash": "",
                               "before": None, "after": None})

    def check(conn: Connection) -> Decision | None:
        history = _load(conn, decisions.c.subject == subject)
        if extra is not None:
            extra(history)
        current = history.current()
        if dedupe_current and current is not None and current.identity() == probe.identity():
            return current
        if expected_previous is not UNSET:
            for d in history.decisions:  # the same request made before (a file imported twice)
                if d.identity() == probe.identity() and d.previous_id == expected_previous:
                    return d
            current_id = current.id if current else None
            if current_id != expected_previous:
                raise ConcurrentChange(
                    f"{subject} was changed meanwhile ({_describe(current)}); reload it and decide again",
                    "Đã có quyết định khác về xung đột này sau khi bạn mở/xuất danh sách"
                    f" (quyết định #{current_id}, {current.actor if current else ''}); hãy tải lại và quyết định lại",
                    current,
                )
        if claim_conflict:
            _check_claim(conn, store, claim_conflict, account.username)
        entry["previous_id"] = current.id if current else None
        entry["before"] = _dump(before(current) if callable(before) else before)
        return None

    entry.setdefault("actor", account.username)
    entry.setdefault("actor_role", account.role)
    result, created = store.append_decision(entry, check)
    if not created:
        return Recorded(result, False)
    return Recorded(Decision.from_row(result), True)


# --------------------------------------------------------------------------------------------------------------
# Recording


def split_groups(conflict: ConflictInfo) -> tuple[list[Key], list[Key]]:
    """For `split` on a conflict: the records that agree with the suggested value (or the first value)
    against those whose value is different from it."""
    anchor = conflict.suggested_value
    if anchor is None and conflict.values:
        anchor = conflict.values[0].value
    differs = {v.key for v in conflict.values if vals.verdict(conflict.field, v.value, anchor) == "different"}
    a = [v.key for v in conflict.values if v.key not in differs]
    b = [v.key for v in conflict.values if v.key in differs]
    return a, b


def resolve_choice(conflict: ConflictInfo, *, value: object = None, record: Key | None = None) -> tuple[str, list[Key]]:
    """For `choose`: the chosen value and the records that hold it (by record key, or by value)."""
    if record is not None:
        found = [v for v in conflict.values if v.key == tuple(record)]
        if not found or found[0].value is None:
            raise InvalidDecisionValue(f"record {record[0]}:{record[1]} holds no value of this conflict",
                                       "Hồ sơ được chọn không có giá trị trong xung đột này")
        return found[0].value or "", [v.key for v in found]
    found = [v for v in conflict.values if vals.same_value(conflict.field, v.value, value)]
    if not found:
        raise InvalidDecisionValue(
            "the chosen value is not one of the records' values (use 'correct' to enter a new value)",
            "Giá trị được chọn không trùng với giá trị của hồ sơ nào; nếu cần nhập giá trị mới hãy chọn "
            "“Nhập giá trị đã sửa”",
        )
    return found[0].value or "", [v.key for v in found]


def decide_conflict(store: ReviewStore, username: str, conflict: ConflictInfo, kind: str, *,
                    value: object = None, record: Key | None = None, reason: str | None = None,
                    legal_ref: str | None = None, seen_fingerprint: str | None = None,
                    expected_previous: int | None | _Unset = UNSET, channel: str = "cli",
                    origin: str | None = None) -> Recorded:
    """Records `accept`, `choose`, `correct` or `split` on a conflict.

    `conflict` is the conflict as the workspace has it now; `seen_fingerprint` the fingerprint the decider saw
    (default: the current one): if they differ the decision is refused as stale."""
    if kind not in FIELD_KINDS + ("split",):
        raise DecisionError(f"'{kind}' is not a decision on a conflict")
    account = _account(store, username)
    _check_jurisdiction(account, conflict.province_code, conflict.commune)
    text_reason = _require_reason(kind, reason)
    if seen_fingerprint is not None and seen_fingerprint != conflict.fingerprint:
        raise StaleConflict(f"conflict {conflict.conflict_id} changed since it was shown (new values)",
                            "Xung đột đã thay đổi (giá trị mới) kể từ khi được xuất/hiển thị; hãy xuất lại")
    records_a: list[Key] = []
    records_b: list[Key] = []
    if kind == "accept":
        if conflict.suggested_value is None:
            raise InvalidDecisionValue("this conflict has no suggested value to accept",
                                       "Xung đột này không có giá trị đề xuất để chấp nhận")
        new_value: str | None = conflict.suggested_value
        if conflict.suggested_source and conflict.suggested_record_id:
            records_a = [(conflict.suggested_source, conflict.suggested_record_id)]
    elif kind == "choose":
        new_value, records_a = resolve_choice(conflict, value=value, record=record)
    elif kind == "correct":
        try:
            new_value = vals.validate(conflict.field, value)
        except vals.InvalidValueError as exc:
            raise InvalidDecisionValue(str(exc), exc.message_vi) from None
    else:
        new_value = None
        records_a, records_b = split_groups(conflict)
        if not records_b:
            raise InvalidDecisionValue("nothing to split: every record holds the same value",
                                       "Không có hồ sơ nào để tách")
    ref = clean_text(legal_ref)
    entry: dict[str, Any] = {
        "kind": kind, "subject": conflict.conflict_id, "conflict_id": conflict.conflict_id,
        "fingerprint": conflict.fingerprint, "person_id": conflict.person_id, "field": conflict.field,
        "province_code": conflict.province_code, "commune": conflict.commune,
        "records_a": _keys_json(records_a), "records_b": _keys_json(records_b), "value": new_value,
        "reason": text_reason, "legal_ref": ref, "channel": _channel(channel), "origin": origin,
        "after": _dump({"value": new_value} if kind != "split" else
                       {"separate": [[list(k) for k in sorted(records_a)], [list(k) for k in sorted(records_b)]]}),
    }

    def before(current: Decision | None) -> dict[str, Any]:
        return {"decision": current.id if current else None,
                "value": current.value if current and current.kind in FIELD_KINDS else None,
                "suggested": conflict.suggested_value, "values": conflict.values_json()}

    return _record(store, account, entry, expected_previous=expected_previous, before=before,
                   claim_conflict=conflict.conflict_id)


def _propose(kind: str, store: ReviewStore, username: str, records_a: Sequence[Key], records_b: Sequence[Key],
             reason: str, province_code: str | None, commune: str | None, channel: str,
             origin: str | None) -> Recorded:
    """A merge or split proposal: two disjoint, non-empty groups of records; a steward's approval makes it count."""
    account = _account(store, username)
    if province_code is not None or commune is not None or account.role != "steward":
        _check_jurisdiction(account, province_code, commune)
    text_reason = _require_reason(kind, reason)
    a, b = sorted(set(map(tuple, records_a))), sorted(set(map(tuple, records_b)))
    if not a or not b or set(a) & set(b):
        raise DecisionError(f"a {kind} needs two disjoint, non-empty groups of records")
    subject = group_subject(a, b) if kind == "merge" else "split:" + group_subject(a, b)[6:]
    effect = "together" if kind == "merge" else "separate"
    entry = {"kind": kind, "subject": subject, "province_code": province_code, "commune": commune,
             "records_a": _keys_json(a), "records_b": _keys_json(b), "reason": text_reason,
             "channel": _channel(channel), "origin": origin,
             "after": _dump({effect: [[list(k) for k in a], [list(k) for k in b]]})}
    return _record(store, account, entry, expected_previous=UNSET)


def propose_merge(store: ReviewStore, username: str, records_a: Sequence[Key], records_b: Sequence[Key], *,
                  reason: str, province_code: str | None = None, commune: str | None = None,
                  channel: str = "cli", origin: str | None = None) -> Recorded:
    """Two persons are one (records_a ∪ records_b): takes effect when a second person, a steward, approves."""
    return _propose("merge", store, username, records_a, records_b, reason, province_code, commune, channel, origin)


def propose_split(store: ReviewStore, username: str, records_a: Sequence[Key], records_b: Sequence[Key], *,
                  reason: str, province_code: str | None = None, commune: str | None = None,
                  channel: str = "cli", origin: str | None = None) -> Recorded:
    """The records of records_a are not the same person as those of records_b (outside any conflict)."""
    return _propose("split", store, username, records_a, records_b, reason, province_code, commune, channel, origin)


def decide_match(store: ReviewStore, username: str, left: Key, right: Key, *, same: bool, reason: str,
                 expected_previous: int | None | _Unset = UNSET, channel: str = "cli",
                 origin: str | None = None) -> Recorded:
    """A steward's `match` / `no_match` on a possible match: effective at once (latest decision wins)."""
    account = _account(store, username)
    _require_steward(account, "decide possible matches")
    kind = "match" if same else "no_match"
    text_reason = _require_reason(kind, reason)
    a, b = tuple(left), tuple(right)
    if a == b:
        raise DecisionError("a possible match needs two different records")
    entry = {"kind": kind, "subject": pair_subject(a, b), "records_a": _keys_json([a]),
             "records_b": _keys_json([b]), "reason": text_reason, "channel": _channel(channel), "origin": origin,
             "after": _dump({"kind": kind})}

    def before(current: Decision | None) -> dict[str, Any]:
        return {"decision": current.id if current else None, "kind": current.kind if current else None}

    # A pair's effect also depends on merges and splits (other subjects): repeating the current decision
    # after one of them took effect is a new decision, not a duplicate.
    return _record(store, account, entry, expected_previous=expected_previous, before=before,
                   dedupe_current=False)


def _verdict(store: ReviewStore, username: str, decision_id: int, kind: str, reason: str,
             channel: str, origin: str | None) -> Recorded:
    account = _account(store, username)
    _require_steward(account, f"{kind} merges and splits")
    text_reason = _require_reason(kind, reason)
    target = get_decision(store, decision_id)
    if target is None:
        raise UnknownDecision(f"no decision #{decision_id}")
    if target.kind not in PROPOSAL_KINDS:
        raise DecisionError(f"decision #{decision_id} is a '{target.kind}', not a merge or split")
    if target.actor == account.username:
        raise NotAllowed(f"decision #{decision_id} must be {kind}d by someone other than its author",
                         "Người đề xuất không được tự phê duyệt")

    def still_pending(history: History) -> None:
        t = history.by_id(decision_id)
        state = history.status(t) if t else "missing"
        if state != "pending":
            raise ConcurrentChange(f"decision #{decision_id} is no longer pending ({state})",
                                   f"Đề xuất #{decision_id} không còn chờ duyệt", history.current())

    entry = {"kind": kind, "subject": target.subject, "conflict_id": target.conflict_id,
             "fingerprint": target.fingerprint, "person_id": target.person_id, "field": target.field,
             "province_code": target.province_code, "commune": target.commune, "target_id": decision_id,
             "reason": text_reason, "channel": _channel(channel), "origin": origin,
             "after": _dump({"status": "approved" if kind == "approve" else "rejected"})}
    return _record(store, account, entry, expected_previous=UNSET, before={"status": "pending"},
                   extra=still_pending)


def approve(store: ReviewStore, username: str, decision_id: int, *, reason: str, channel: str = "cli",
            origin: str | None = None) -> Recorded:
    """A steward other than its author approves a pending merge or split: it takes effect."""
    return _verdict(store, username, decision_id, "approve", reason, channel, origin)


def reject(store: ReviewStore, username: str, decision_id: int, *, reason: str, channel: str = "cli",
           origin: str | None = None) -> Recorded:
    return _verdict(store, username, decision_id, "reject", reason, channel, origin)


def reverse(store: ReviewStore, username: str, decision_id: int, *, reason: str,
            expected_previous: int | None | _Unset = UNSET, channel: str = "cli",
            origin: str | None = None) -> Recorded:
    """A later decision that makes `decision_id` stop counting (reversing a reversal restores its target).
    Officers reverse decisions on conflicts of their jurisdiction and their own proposals; stewards anything."""
    account = _account(store, username)
    text_reason = _require_reason("reverse", reason)
    target = get_decision(store, decision_id)
    if target is None:
        raise UnknownDecision(f"no decision #{decision_id}", f"Không có quyết định #{decision_id}")
    if account.role != "steward":
        if target.kind not in FIELD_KINDS + PROPOSAL_KINDS + ("reverse",):
            _require_steward(account, f"reverse a '{target.kind}'")
        if target.conflict_id or target.province_code or target.commune:
            _check_jurisdiction(account, target.province_code, target.commune)
        elif target.actor != account.username:
            _require_steward(account, "reverse someone else's proposal")

    def still_active(history: History) -> None:
        if not history.active.get(decision_id, False):
            raise ConcurrentChange(f"decision #{decision_id} is already reversed",
                                   f"Quyết định #{decision_id} đã được hủy trước đó", history.current())

    entry = {"kind": "reverse", "subject": target.subject, "conflict_id": target.conflict_id,
             "fingerprint": target.fingerprint, "person_id": target.person_id, "field": target.field,
             "province_code": target.province_code, "commune": target.commune, "target_id": decision_id,
             "reason": text_reason, "channel": _channel(channel), "origin": origin,
             "after": _dump({"reversed": decision_id})}
    return _record(store, account, entry, expected_previous=expected_previous,
                   before={"kind": target.kind, "value": target.value}, extra=still_active)


def _channel(channel: str) -> str:
    if channel not in CHANNELS:
        raise DecisionError(f"unknown channel {channel!r}")
    return channel


# --------------------------------------------------------------------------------------------------------------
# Claims (so that two officers do not work on one conflict at once)


def claim(store: ReviewStore, username: str, conflict_id: str, *, ttl: timedelta = timedelta(minutes=30)) -> Claim:
    """Claims (or renews the claim on) a conflict; refused while another person's claim runs."""
    account = _account(store, username)
    now = store.clock()
    new = Claim(conflict_id, account.username, format_ts(now), format_ts(now + ttl))
    with store.write() as conn:
        row = conn.execute(sa.select(claims).where(claims.c.conflict_id == conflict_id)).mappings().first()
        if row and row["username"] != account.username and parse_ts(row["expires_at"]) > now:
            raise ClaimedByOther(f"conflict {conflict_id} is being handled by {row['username']} until "
                                 f"{row['expires_at']}", f"Xung đột đang được {row['username']} xử lý")
        conn.execute(sa.delete(claims).where(claims.c.conflict_id == conflict_id))
        conn.execute(sa.insert(claims).values(conflict_id=conflict_id, username=account.username,
                                              claimed_at=new.claimed_at, expires_at=new.expires_at))
    return new


def release(store: ReviewStore, username: str, conflict_id: str) -> bool:
    with store.write() as conn:
        done = conn.execute(sa.delete(claims).where(claims.c.conflict_id == conflict_id,
                                                    claims.c.username == username))
    return done.rowcount > 0


def current_claim(store: ReviewStore, conflict_id: str) -> Claim | None:
    with store.read() as conn:
        row = conn.execute(sa.select(claims).where(claims.c.conflict_id == conflict_id)).mappings().first()
    if row is None or parse_ts(row["expires_at"]) <= store.clock():
        return None
    return Claim(row["conflict_id"], row["username"], row["claimed_at"], row["expires_at"])


# --------------------------------------------------------------------------------------------------------------
# Views for the batch stages


def _pairs(a: Iterable[Key], b: Iterable[Key]) -> list[tuple[Key, Key]]:
    out = []
    for x in a:
        for y in b:
            if x != y:
                out.append((x, y) if x <= y else (y, x))
    return out


def effective_links(store: ReviewStore) -> tuple[list[tuple[Key, Key]], list[tuple[Key, Key]]]:
    """(must_link, cannot_link) pairs of (source, record_id) keys from approved merges and splits and from
    stewards' match / no_match decisions; for each pair the latest effective decision wins. Each pair is
    ordered (smaller key first); both lists are sorted. The clustering stage applies them on every run."""
    history = load_journal(store)
    effect: dict[tuple[Key, Key], tuple[int, bool]] = {}
    for d in history.decisions:
        if not history.active.get(d.id, False):
            continue
        if d.kind in PAIR_KINDS:
            when, must = d.id, d.kind == "match"
        elif d.kind in PROPOSAL_KINDS and history.status(d) == "approved":
            when, must = history.verdict[d.id].id, d.kind == "merge"
        else:
            continue
        for pair in _pairs(d.records_a, d.records_b):
            if pair not in effect or effect[pair][0] < when:
                effect[pair] = (when, must)
    must_link = sorted(p for p, (_, m) in effect.items() if m)
    cannot_link = sorted(p for p, (_, m) in effect.items() if not m)
    return must_link, cannot_link


def effective_field_decisions(store: ReviewStore) -> list[FieldDecision]:
    """Each conflict's current field decision (accept / choose / correct), sorted by conflict id: the value
    the load stage applies. A conflict whose current decision is a split has none. Compare `fingerprint`
    with the conflict's current one (see `classify_field_decisions`): a stale decision is not applied."""
    out = []
    for conflict_id, d in sorted(current_decisions(store).items()):
        if d.kind in FIELD_KINDS:
            out.append(FieldDecision(conflict_id, d.person_id or "", d.field or "", d.fingerprint or "", d.value,
                                     d.id))
    return out


def classify_field_decisions(field_decisions: Iterable[FieldDecision],
                             current_fingerprints: Mapping[str, str]) -> FieldDecisionStatus:
    """Splits field decisions by the workspace's current conflicts (conflict_id → fingerprint)."""
    status = FieldDecisionStatus([], [], [])
    for fd in field_decisions:
        now = current_fingerprints.get(fd.conflict_id)
        (status.gone if now is None else status.applicable if now == fd.fingerprint else status.stale).append(fd)
    return status


def pending_proposals(store: ReviewStore) -> list[Decision]:
    """Merges and splits waiting for a steward's approval."""
    history = load_journal(store)
    return [d for d in history.decisions if d.kind in PROPOSAL_KINDS and history.status(d) == "pending"]
