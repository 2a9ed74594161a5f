"""Pure parts of the web application: sessions and their expiry, log-in throttling, the queue's open/closed
rule and counts, the snapshot reader, translations."""

from __future__ import annotations

import pytest
import web_fixtures as wf

from linkage.review.accounts import Account
from linkage.review.decisions import ConflictInfo, Decision, RecordValue
from linkage.web import views
from linkage.web.i18n import MESSAGES, Translator
from linkage.web.security import LoginThrottle, SessionStore, csrf_ok
from linkage.web.snapshot import SnapshotHolder, format_birth, load_snapshot


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(("user", "wait", "alive"), [
    (None, 14 * 60, True), (None, 16 * 60, False),  # anonymous (log-in form): 15 minutes
    ("an", 29 * 60, True), ("an", 31 * 60, False),  # idle: 30 minutes
])
def test_session_expiry(user, wait, alive):
    clock = Clock()
    store = SessionStore(clock=clock)
    s = store.new(user)
    clock.now += wait
    assert (store.get(s.id) is not None) == alive


def test_sessions_end_after_the_absolute_limit_even_when_active():
    clock = Clock()
    store = SessionStore(clock=clock, absolute=3600)
    s = store.new("an")
    for _ in range(7):
        clock.now += 10 * 60
        store.get(s.id)
    assert store.get(s.id) is None


def test_rotation_and_csrf():
    store = SessionStore()
    anon = store.new()
    s = store.rotate(anon, "an")
    assert s.id != anon.id and s.csrf != anon.csrf and store.get(anon.id) is None
    assert csrf_ok(s, s.csrf) and not csrf_ok(s, anon.csrf) and not csrf_ok(None, s.csrf) and not csrf_ok(s, None)


def test_session_store_is_bounded_and_evicts_anonymous_first():
    store = SessionStore(max_sessions=3)
    kept = store.new("an")
    for _ in range(10):
        store.new()
    assert len(store) <= 3 and store.get(kept.id) is not None


@pytest.mark.parametrize(("fails", "user", "ip", "blocked"), [
    ([("an", "1.1.1.1")] * 4, "an", "1.1.1.1", False),
    ([("an", "1.1.1.1")] * 5, "an", "1.1.1.1", True),
    ([("an", "1.1.1.1")] * 5, "an", "2.2.2.2", True),  # per user name, from any address
    ([("an", "1.1.1.1")] * 5, "binh", "2.2.2.2", False),
    ([(f"u{i}", "1.1.1.1") for i in range(20)], "binh", "1.1.1.1", True),  # per address, any user name
    ([(f"u{i}", "1.1.1.1") for i in range(20)], "binh", "2.2.2.2", False),
])
def test_login_throttle(fails, user, ip, blocked):
    throttle = LoginThrottle(clock=Clock())
    for u, a in fails:
        throttle.failed(u, a)
    assert (throttle.retry_after(user, ip) > 0) == blocked


def test_login_throttle_window_slides_and_success_clears_the_user():
    clock = Clock()
    throttle = LoginThrottle(clock=clock, per_user=2, window=60)
    throttle.failed("an", "ip")
    throttle.failed("an", "ip")
    assert 0 < throttle.retry_after("an", "ip") <= 60
    clock.now += 61
    assert throttle.retry_after("an", "ip") == 0
    throttle.failed("an", "ip")
    throttle.failed("an", "ip")
    throttle.succeeded("an")
    assert throttle.retry_after("AN ", "other") == 0


def _decision(fingerprint: str, kind: str = "accept") -> Decision:
    return Decision(1, kind, "C1", "C1", fingerprint, "P1", "sex", None, None, (), (), "Nam", None, None, None, None,
                    "an", "officer", "web", None, "2025-01-01T00:00:00.000000Z", None, None, "h")


CONFLICT = ConflictInfo("C1", "P1", "sex", "fp1", (RecordValue("civil_status", "KS1", "Nam"),))


@pytest.mark.parametrize(("current", "expected"), [
    (None, True), (_decision("fp1"), False), (_decision("fp0"), True), (_decision("fp1", "split"), False),
])
def test_open_means_no_decision_on_these_values(current, expected):
    assert views.is_open(CONFLICT, current) is expected


@pytest.mark.parametrize(("value", "expected"), [
    ({"birth_year": 1987, "birth_month": 9, "birth_day": 5, "birth_date_precision": "day"}, "05/09/1987"),
    ({"birth_year": 1987, "birth_month": 9, "birth_day": None, "birth_date_precision": "month"}, "09/1987"),
    ({"birth_year": 1987, "birth_month": 1, "birth_day": 1, "birth_date_precision": "year"}, "1987"),
    ({"birth_year": None}, None),
])
def test_format_birth(value, expected):
    assert format_birth(value) == expected


def test_snapshot_indexes_and_queue_counts(tmp_path):
    wf.standard_snapshot(tmp_path / "s")
    snap = load_snapshot(tmp_path / "s")
    assert len(snap.conflicts) == 6 and len(snap.matches) == 1 and snap.display_name("P000000000002") == "Trần Văn Bình"
    officer = Account("an", "An", "officer", True, communes=("079:26734",))
    q = views.build_queue(snap, officer, {}, views.QueueFilter(severity="blocking"))
    assert q.total_open == 4 and len(q.items) == 3
    assert dict(q.by_field) == {"birth_date": 2, "full_name": 1}  # counts under the other filters
    assert dict(q.by_severity) == {"blocking": 3, "advisory": 1}
    assert [g for _, g, _ in q.by_commune] == [("079", "26734")]
    assert views.groups_in_scope(snap, Account("x", "X", "admin", True)) == []


def test_missing_snapshot_is_empty_and_appears_when_published(tmp_path):
    holder = SnapshotHolder(tmp_path / "s", check_every=0)
    assert holder.get().empty
    wf.standard_snapshot(tmp_path / "s")
    assert not holder.get().empty and len(holder.get().conflicts) == 6


def test_every_message_has_both_languages_and_the_same_placeholders():
    import string

    for key, (vi, en) in MESSAGES.items():
        assert vi and en, key
        names = [{f for _, f, _, _ in string.Formatter().parse(text) if f} for text in (vi, en)]
        assert names[0] == names[1], key
    assert Translator("en")("login") == "Log in" and Translator("xx")("login") == "Đăng nhập"
