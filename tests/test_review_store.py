"""The review store on SQLite and on PostgreSQL: creation, migration guard, append-only journal, hash chain
with its head file, concurrent writers, claims, locating the store."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from linkage.errors import UserError
from linkage.review import accounts
from linkage.review import decisions as dz
from linkage.review.store import (
    ENV_REVIEW_STORE,
    ReviewStore,
    default_review_path,
    entry_hash,
    journal_head,
    meta,
    open_review_store,
    resolve_target,
    to_url,
)
from linkage.review.testing import DIALECTS, drop_schema, store_target


@pytest.fixture(params=DIALECTS)
def spec(request, tmp_path):
    target, schema = store_target(request.param, tmp_path)
    yield SimpleNamespace(dialect=request.param, target=target, schema=schema, head=tmp_path / "chain-head")
    if schema:
        drop_schema(schema)


def _open(spec) -> ReviewStore:
    return ReviewStore.open(spec.target, schema=spec.schema, chain_head=spec.head)


@pytest.fixture
def store(spec):
    s = _open(spec)
    yield s
    s.close()


def _conflict(n: int, commune: str = "X1") -> dz.ConflictInfo:
    return dz.ConflictInfo(
        conflict_id=f"C{n:016x}", person_id=f"P{n:012x}", field="birth_date", fingerprint=f"fp{n}",
        values=(dz.RecordValue("civil_status", f"K{n}", "05/09/1987"), dz.RecordValue("household", f"H{n}", "09/05/1987")),
        suggested_value="05/09/1987", suggested_source="civil_status", suggested_record_id=f"K{n}",
        province_code="001", commune=commune,
    )


def _people(store: ReviewStore) -> None:
    accounts.add_account(store, "officer1", "Nguyễn Văn An", "officer", "password-1", communes=["X1"])
    accounts.add_account(store, "officer2", "Trần Thị Bình", "officer", "password-2", communes=["X1"])
    accounts.add_account(store, "steward1", "Lê Văn Cường", "steward", "password-3")


def _raw(store: ReviewStore, sql: str) -> None:
    with store.engine.begin() as conn:
        conn.exec_driver_sql(sql)


def _drop_append_only_guard(store: ReviewStore) -> None:
    if store.dialect == "sqlite":
        _raw(store, "DROP TRIGGER decisions_no_update")
        _raw(store, "DROP TRIGGER decisions_no_delete")
    else:
        _raw(store, "DROP TRIGGER decisions_no_change ON decisions")


# ---------------------------------------------------------------------------------------------------- schema


def test_open_creates_then_reopens_same_store(spec, store):
    assert store.dialect == spec.dialect
    assert store.meta_value("schema_version") == "1"
    key = store.hmac_key()
    assert len(key) == 32
    again = _open(spec)
    try:
        assert again.store_id == store.store_id
        assert again.hmac_key() == key
        assert again.head() == (0, "0" * 64)
    finally:
        again.close()


def test_store_from_newer_linkage_is_refused(spec, store):
    with store.engine.begin() as conn:
        conn.execute(sa.update(meta).where(meta.c.key == "schema_version").values(value="99"))
    with pytest.raises(UserError, match="newer"):
        _open(spec)


def test_journal_refuses_update_and_delete(store):
    _people(store)
    dz.decide_conflict(store, "officer1", _conflict(1), "accept")
    for sql in ("UPDATE decisions SET value = 'x'", "DELETE FROM decisions"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            _raw(store, sql)
    assert len(dz.load_journal(store).decisions) == 1


# ---------------------------------------------------------------------------------------------------- chain


def _three_decisions(store: ReviewStore) -> None:
    _people(store)
    for n in (1, 2, 3):
        dz.decide_conflict(store, "officer1", _conflict(n), "accept")


def test_chain_verifies_and_head_file_follows(store):
    _three_decisions(store)
    report = store.verify_chain()
    assert report.ok, report.problems
    assert report.entries == 3
    on_file = json.loads(store.chain_head.read_text())
    assert (on_file["seq"], on_file["hash"]) == store.head() == (3, report.head_hash)
    journal = dz.load_journal(store).decisions
    assert [d.id for d in journal] == [1, 2, 3]


def test_altered_entry_is_detected(store):
    _three_decisions(store)
    _drop_append_only_guard(store)
    _raw(store, "UPDATE decisions SET value = '01/01/1990' WHERE seq = 2")
    report = store.verify_chain()
    assert not report.ok
    assert any("#2 was altered" in p for p in report.problems)


def test_consistently_rewritten_chain_is_caught_by_head_file(store):
    _three_decisions(store)
    _drop_append_only_guard(store)
    with store.engine.begin() as conn:
        row = dict(conn.execute(sa.text("SELECT * FROM decisions WHERE seq = 3")).mappings().one())
        row["value"] = "01/01/1990"
        row["hash"] = entry_hash(row)
        conn.execute(sa.text("UPDATE decisions SET value = :v, hash = :h WHERE seq = 3"),
                     {"v": row["value"], "h": row["hash"]})
        conn.execute(sa.update(journal_head).values(hash=row["hash"]))
    report = store.verify_chain()
    assert not report.ok
    assert report.problems == ["the chain head file (entry #3) does not match the journal"]


def test_removed_tail_is_caught_by_head_file(store):
    _three_decisions(store)
    _drop_append_only_guard(store)
    with store.engine.begin() as conn:
        prev = conn.execute(sa.text("SELECT hash FROM decisions WHERE seq = 2")).scalar_one()
        conn.execute(sa.text("DELETE FROM decisions WHERE seq = 3"))
        conn.execute(sa.update(journal_head).values(seq=2, hash=prev))
    store.publish_head()  # a later writer must not hide the truncation
    report = store.verify_chain()
    assert not report.ok
    assert any("entries were removed" in p for p in report.problems)


def test_missing_head_file_is_reported(store):
    _three_decisions(store)
    store.chain_head.unlink()
    report = store.verify_chain()
    assert not report.ok and "missing" in report.problems[0]


# ---------------------------------------------------------------------------------------------------- concurrency


def _run_threads(n: int, work) -> list[object]:
    results: list[object] = [None] * n
    barrier = threading.Barrier(n)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except Exception as exc:  # collected and asserted on below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_twenty_concurrent_writers_each_recorded_exactly_once(store):
    _people(store)
    results = _run_threads(20, lambda i: dz.decide_conflict(store, ("officer1", "officer2")[i % 2],
                                                             _conflict(i), "accept", channel="web"))
    assert all(isinstance(r, dz.Recorded) and r.created for r in results), results
    journal = dz.load_journal(store).decisions
    assert [d.id for d in journal] == list(range(1, 21))
    assert [d.decided_at for d in journal] == sorted(d.decided_at for d in journal)
    assert sorted(d.conflict_id for d in journal) == sorted(_conflict(i).conflict_id for i in range(20))
    report = store.verify_chain()
    assert report.ok, report.problems
    assert json.loads(store.chain_head.read_text())["seq"] == 20


def test_concurrent_decisions_on_one_conflict_no_lost_update(store):
    _people(store)
    conflict = _conflict(7)
    results = _run_threads(20, lambda i: dz.decide_conflict(
        store, ("officer1", "officer2")[i % 2], conflict, "correct", value=f"{i + 1:02d}/01/1980",
        reason="giấy chứng sinh", expected_previous=None, channel="web"))
    created = [r for r in results if isinstance(r, dz.Recorded)]
    refused = [r for r in results if isinstance(r, dz.ConcurrentChange)]
    assert len(created) == 1 and len(refused) == 19, results
    journal = dz.load_journal(store).decisions
    assert len(journal) == 1 and journal[0].value == created[0].decision.value
    assert all(r.current is not None and r.current.id == journal[0].id for r in refused)


# ---------------------------------------------------------------------------------------------------- claims


def test_claims_keep_two_officers_apart_until_expiry(store):
    _people(store)
    start = store.clock()
    conflict = _conflict(3)
    dz.claim(store, "officer1", conflict.conflict_id, ttl=timedelta(minutes=10))
    with pytest.raises(dz.ClaimedByOther):
        dz.claim(store, "officer2", conflict.conflict_id)
    with pytest.raises(dz.ClaimedByOther):
        dz.decide_conflict(store, "officer2", conflict, "accept")
    assert dz.current_claim(store, conflict.conflict_id).username == "officer1"
    store.clock = lambda: start + timedelta(minutes=11)
    assert dz.current_claim(store, conflict.conflict_id) is None
    taken = dz.claim(store, "officer2", conflict.conflict_id)
    assert taken.username == "officer2"
    assert dz.decide_conflict(store, "officer2", conflict, "accept").created
    assert dz.current_claim(store, conflict.conflict_id) is None  # released by the decision


def test_release_only_own_claim(store):
    _people(store)
    dz.claim(store, "officer1", "C1")
    assert not dz.release(store, "officer2", "C1")
    assert dz.release(store, "officer1", "C1")
    assert dz.current_claim(store, "C1") is None


# ---------------------------------------------------------------------------------------------------- locating


@pytest.mark.parametrize(("db", "expected"), [
    ("linkage.duckdb", "linkage.review.sqlite"),
    ("/data/ws/hanoi.duckdb", "/data/ws/hanoi.review.sqlite"),
    (None, "linkage.review.sqlite"),
])
def test_default_review_path_beside_workspace(monkeypatch, db, expected):
    monkeypatch.delenv("LINKAGE_DB", raising=False)
    assert default_review_path(db) == Path(expected)


def test_option_beats_environment_beats_default(monkeypatch):
    monkeypatch.setenv(ENV_REVIEW_STORE, "postgresql://u@h/db")
    assert resolve_target("other.sqlite", "w.duckdb") == "other.sqlite"
    assert resolve_target(None, "w.duckdb") == "postgresql://u@h/db"
    monkeypatch.delenv(ENV_REVIEW_STORE)
    assert resolve_target(None, "ws/w.duckdb") == str(Path("ws/w.review.sqlite"))


@pytest.mark.parametrize(("target", "driver", "database"), [
    ("review.sqlite", "sqlite", "review.sqlite"),
    ("sqlite:///var/r.sqlite", "sqlite", "var/r.sqlite"),
    ("postgresql://u:secret@db.local:5433/linkage", "postgresql+psycopg", "linkage"),
    ("postgres://u@db.local/linkage", "postgresql+psycopg", "linkage"),
])
def test_targets_become_urls(target, driver, database):
    url = to_url(target)
    assert (url.drivername, url.database) == (driver, database)


@pytest.mark.parametrize("target", ["mysql://u@h/db", "sqlite://", "sqlite:///:memory:"])
def test_unsupported_targets_are_user_errors(target):
    with pytest.raises(UserError):
        to_url(target)


def test_unreachable_postgres_is_one_clear_line(tmp_path):
    with pytest.raises(UserError, match=r"cannot open review store postgresql\+psycopg://u:\*\*\*@127\.0\.0\.1:1/"):
        ReviewStore.open("postgresql://u:secret@127.0.0.1:1/db", chain_head=tmp_path / "h")


def test_environment_names_the_store(monkeypatch, spec):
    url = spec.target if spec.schema is None else f"{spec.target}?schema={spec.schema}"
    monkeypatch.setenv(ENV_REVIEW_STORE, url)
    monkeypatch.setenv("LINKAGE_CHAIN_HEAD", str(spec.head))
    with open_review_store(None, "unused.duckdb") as s:
        accounts.add_account(s, "steward9", "Phạm Thị Dung", "steward", "password-9")
    with _open(spec) as s:
        assert [a.username for a in accounts.list_accounts(s)] == ["steward9"]
