"""`linkage audit verify` on SQLite and PostgreSQL: an intact journal passes; an altered, removed, inserted or
reordered entry, a consistently recomputed (forged) chain, a deleted or edited head file are reported (exit 1);
a head file left behind by an interrupted decision is reported as such (exit 3) and re-running the decision
brings it up to date."""

from __future__ import annotations

import json
import shutil
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from cli import main
from linkage.review import accounts
from linkage.review import decisions as dz
from linkage.review.store import ReviewStore, entry_hash, journal_head
from linkage.review.testing import DIALECTS, drop_schema, store_target


@pytest.fixture(params=DIALECTS)
def spec(request, tmp_path):
    target, schema = store_target(request.param, tmp_path)
    url = f"{target}?schema={schema}" if schema else target
    yield SimpleNamespace(dialect=request.param, target=target, schema=schema, url=url, head=tmp_path / "chain-head",
                          tmp=tmp_path)
    if schema:
        drop_schema(schema)


@pytest.fixture
def store(spec):
    s = ReviewStore.open(spec.target, schema=spec.schema, chain_head=spec.head)
    accounts.add_account(s, "officer1", "Cán bộ Một", "officer", "password-1", communes=["X1"])
    yield s
    s.close()


def _conflict(n: int) -> dz.ConflictInfo:
    return dz.ConflictInfo(
        conflict_id=f"C{n:016x}", person_id=f"P{n:012x}", field="birth_date", fingerprint=f"fp{n}",
        values=(dz.RecordValue("civil_status", f"K{n}", "05/09/1987"), dz.RecordValue("household", f"H{n}", "09/05/1987")),
        suggested_value="05/09/1987", suggested_source="civil_status", suggested_record_id=f"K{n}",
        province_code="001", commune="X1",
    )


def _decide(store: ReviewStore, n: int) -> dz.Recorded:
    return dz.decide_conflict(store, "officer1", _conflict(n), "accept")


def _three(store: ReviewStore) -> None:
    for n in (1, 2, 3):
        assert _decide(store, n).created


def audit(spec, *extra: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, ["audit", "verify", "--review-store", spec.url, *extra],
                             env={"LINKAGE_CHAIN_HEAD": str(spec.head), "LINKAGE_REVIEW_STORE": None})
    return res.exit_code, res.output


def _sql(store: ReviewStore, sql: str, **params) -> None:
    with store.engine.begin() as conn:
        conn.execute(sa.text(sql), params)


def _unguard(store: ReviewStore) -> None:
    if store.dialect == "sqlite":
        _sql(store, "DROP TRIGGER decisions_no_update")
        _sql(store, "DROP TRIGGER decisions_no_delete")
    else:
        _sql(store, "DROP TRIGGER decisions_no_change ON decisions")


def _rows(store: ReviewStore) -> list[dict]:
    with store.engine.begin() as conn:
        return [dict(r) for r in conn.execute(sa.text("SELECT * FROM decisions ORDER BY seq")).mappings()]


def _rewrite(store: ReviewStore, rows: list[dict]) -> None:
    """Replace the whole journal by `rows`, re-chained: what a forger with write access to the store does."""
    prev = "0" * 64
    for seq, row in enumerate(rows, start=1):
        row["seq"], row["prev_hash"] = seq, prev
        row["hash"] = prev = entry_hash(row)
    with store.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM decisions"))
        for row in rows:
            cols = ", ".join(f'"{c}"' for c in row)
            conn.execute(sa.text(f"INSERT INTO decisions ({cols}) VALUES ({', '.join(':' + c for c in row)})"), row)
        conn.execute(sa.update(journal_head).values(seq=len(rows), hash=prev))


def test_intact_journal(spec, store):
    _three(store)
    code, out = audit(spec)
    assert code == 0, out
    assert "NGUYÊN VẸN" in out and "RESULT: INTACT" in out and "Số quyết định / decisions: 3" in out
    assert out.index("KẾT QUẢ") < out.index("RESULT")  # Vietnamese first


def test_altered_value(spec, store):
    _three(store)
    _unguard(store)
    _sql(store, "UPDATE decisions SET value = '01/01/1990' WHERE seq = 2")
    code, out = audit(spec)
    assert code == 1 and "NOT INTACT" in out and "journal entry #2 was altered" in out


def test_deleted_entry(spec, store):
    _three(store)
    _unguard(store)
    _sql(store, "DELETE FROM decisions WHERE seq = 2")
    code, out = audit(spec)
    assert code == 1 and "journal entry #2 is missing" in out


def test_removed_last_entry_is_caught_by_the_head_file(spec, store):
    _three(store)
    _unguard(store)
    _rewrite(store, _rows(store)[:2])
    code, out = audit(spec)
    assert code == 1 and "entries were removed" in out


def test_reordered_entries(spec, store):
    _three(store)
    _unguard(store)
    _sql(store, "UPDATE decisions SET seq = 100 WHERE seq = 2")
    _sql(store, "UPDATE decisions SET seq = 2 WHERE seq = 3")
    _sql(store, "UPDATE decisions SET seq = 3 WHERE seq = 100")
    code, out = audit(spec)
    assert code == 1 and "does not follow the previous entry's hash" in out


def test_recomputed_chain_forgery_is_caught_by_the_head_file(spec, store):
    _three(store)
    _unguard(store)
    rows = _rows(store)
    rows[1]["value"] = "01/01/1990"  # altered, and every hash after it recomputed
    _rewrite(store, rows)
    assert store.verify_chain().chain_ok  # the chain alone no longer shows it
    code, out = audit(spec)
    assert code == 1 and "the chain head file (entry #3) does not match the journal" in out
    _decide(store, 4)  # a later decision must not overwrite the evidence
    assert json.loads(spec.head.read_text())["seq"] == 3
    code, out = audit(spec)
    assert code == 1


def test_inserted_entry_is_caught_by_the_head_file(spec, store):
    _three(store)
    _unguard(store)
    rows = _rows(store)
    forged = dict(rows[0], value="01/01/1990", reason="inserted")
    _rewrite(store, [rows[0], forged, rows[1], rows[2]])
    code, out = audit(spec)
    assert code == 1 and "does not match the journal" in out


def test_head_file_deleted_or_edited(spec, store):
    _three(store)
    saved = spec.head.read_text()
    spec.head.unlink()
    code, out = audit(spec)
    assert code == 1 and "is missing" in out
    data = json.loads(saved)
    data["hash"] = "f" * 64
    spec.head.write_text(json.dumps(data))
    code, out = audit(spec)
    assert code == 1 and "does not match the journal" in out
    spec.head.write_text("not json")
    code, out = audit(spec)
    assert code == 1 and "unreadable" in out


def test_head_file_behind_after_an_interrupted_decision_is_recoverable(spec, store):
    _decide(store, 1)
    _decide(store, 2)
    after_two = spec.head.read_bytes()
    _decide(store, 3)
    spec.head.write_bytes(after_two)  # as if killed between decision 3's commit and the head file's update
    code, out = audit(spec)
    assert code == 3, out
    assert "HEAD FILE BEHIND by 1 entry" in out and "names #2" in out and "NOT INTACT" not in out
    assert "CHẬM 1 mục" in out
    again = _decide(store, 3)  # re-running the interrupted command: an identical decision, nothing written
    assert not again.created
    assert json.loads(spec.head.read_text())["seq"] == 3
    code, out = audit(spec)
    assert code == 0, out


def test_a_copy_of_the_head_file_catches_a_forger_who_rewrote_both(spec, store):
    _three(store)
    copy = spec.tmp / "worm-copy.chain-head"
    shutil.copy(spec.head, copy)
    _unguard(store)
    rows = _rows(store)
    rows[0]["value"] = "01/01/1990"
    _rewrite(store, rows)
    spec.head.unlink()
    store.publish_head()  # the forger also writes a fresh head file
    code, out = audit(spec)
    assert code == 0  # the store's own head file now agrees: this is what it cannot prove
    code, out = audit(spec, "--head-file", str(copy))
    assert code == 1 and "does not match the journal" in out
