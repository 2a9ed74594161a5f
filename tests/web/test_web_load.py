"""Load test on loopback: 20 officers (two per commune) each make 25 decisions concurrently against a real
`linkage serve` (uvicorn) process on 127.0.0.1, bounded in time. Every decision must be recorded exactly once,
the journal's hash chain must verify, and the pages' 95th percentile must stay under one second.
The figures are printed (run with -s to see them)."""

from __future__ import annotations

import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest
import web_fixtures as wf
from argon2 import PasswordHasher
from conftest import free_port

from linkage.review import accounts
from linkage.review.decisions import load_journal
from linkage.review.store import open_review_store
from linkage.review.testing import PG_URL, drop_schema

OFFICERS_PER_COMMUNE = 2
COMMUNES = 10
DECISIONS_EACH = 25
CONFLICTS_PER_COMMUNE = OFFICERS_PER_COMMUNE * DECISIONS_EACH
DEADLINE_S = 60
ROOT = Path(__file__).resolve().parents[2]
HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)"')


def build_snapshot(folder: Path) -> None:
    b = wf.SnapshotBuilder()
    n = 0
    for commune in range(COMMUNES):
        for _ in range(CONFLICTS_PER_COMMUNE):
            n += 1
            b.person(n, "079", f"{27000 + commune}", f"Nguyễn Văn Số{n}", birth=(1950 + n % 60, 1 + n % 12, 13 + n % 15))
    b.write(folder)


class Officer(threading.Thread):
    def __init__(self, url: str, username: str, deadline: float) -> None:
        super().__init__(daemon=True)
        self.url, self.username, self.deadline = url, username, deadline
        self.timings: list[tuple[str, float]] = []
        self.decided: list[str] = []
        self.refusals: Counter[str] = Counter()
        self.error: BaseException | None = None
        self.rng = random.Random(username)

    def call(self, client: httpx.Client, kind: str, method: str, path: str, **kw) -> httpx.Response:
        t0 = time.perf_counter()
        r = client.request(method, path, **kw)
        self.timings.append((kind, time.perf_counter() - t0))
        return r

    def run(self) -> None:
        try:
            self._run()
        except BaseException as exc:  # reported by the test
            self.error = exc

    def _run(self) -> None:
        with httpx.Client(base_url=self.url, follow_redirects=False, timeout=30) as c:
            page = self.call(c, "login_form", "GET", "/login")
            csrf = HIDDEN.search(page.text).group(2)
            r = self.call(c, "login", "POST", "/login",
                          data={"username": self.username, "password": wf.PASSWORD, "csrf": csrf, "next": "/"})
            assert r.status_code == 303, r.status_code
            q = self.call(c, "queue", "GET", "/queue")
            while len(self.decided) < DECISIONS_EACH:
                assert time.monotonic() < self.deadline, "load test ran out of time"
                assert q.status_code == 200
                ids = re.findall(r'data-conflict="(C[0-9a-f]+)"', q.text)
                assert ids, "queue empty before the officer made all decisions"
                csrf = HIDDEN.search(q.text).group(2)
                cid = self.rng.choice(ids[:10])
                r = self.call(c, "claim", "POST", f"/conflicts/{cid}/claim",
                              data={"csrf": csrf, "open_only": "1", "back": "/queue"})
                if r.status_code != 303 or not r.headers["location"].startswith("/persons/"):
                    self.refusals[f"claim {r.status_code}"] += 1
                    q = self.call(c, "queue", "GET", "/queue")
                    continue
                person = self.call(c, "person", "GET", r.headers["location"].split("#")[0])
                block = person.text[person.text.index(f'action="/conflicts/{cid}/decide"'):]
                form = dict(HIDDEN.findall(block[:block.index("</form>")]))
                r = self.call(c, "decide", "POST", f"/conflicts/{cid}/decide", data={**form, "kind": "accept"})
                if r.status_code != 303:
                    self.refusals[f"decide {r.status_code}"] += 1
                    q = self.call(c, "queue", "GET", "/queue")
                    continue
                q = self.call(c, "queue", "GET", r.headers["location"])  # the browser follows to the queue
                if "Đã ghi nhận quyết định #" in q.text:
                    self.decided.append(cid)
                else:
                    self.refusals["unchanged"] += 1


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_twenty_officers_make_five_hundred_decisions(tmp_path, dialect):
    db = tmp_path / "ws.duckdb"
    build_snapshot(tmp_path / "ws.snapshot")
    schema = None
    if dialect == "sqlite":
        target = str(tmp_path / "ws.review.sqlite")
    else:
        schema = "t_" + uuid.uuid4().hex[:16]
        target = f"{PG_URL}?schema={schema}"
    store = open_review_store(target, db)
    accounts.password_hasher = PasswordHasher()  # real argon2 parameters: log-ins cost what they cost in an office
    names = []
    for commune in range(COMMUNES):
        for k in range(OFFICERS_PER_COMMUNE):
            name = f"can-bo-{commune:02d}-{k}"
            accounts.add_account(store, name, f"Cán bộ {commune}-{k}", "officer", wf.PASSWORD,
                                 communes=[f"079:{27000 + commune}"])
            names.append(name)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "-m", "linkage.commands.serve", "--host", "127.0.0.1", "--port", str(port), "--db", str(db),
         "--review-store", target], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        started = time.monotonic()
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.stdout.read().decode()
            assert time.monotonic() - started < 30, "the server did not start"
            time.sleep(0.1)
        t0 = time.monotonic()
        officers = [Officer(url, name, t0 + DEADLINE_S) for name in names]
        for o in officers:
            o.start()
        for o in officers:
            o.join(DEADLINE_S + 5)
        wall = time.monotonic() - t0
        errors = [f"{o.username}: {o.error!r}" for o in officers if o.error or o.is_alive()]
        assert not errors, errors
    finally:
        server.terminate()
        server.wait(10)

    try:
        journal = load_journal(store).decisions
        decided = [cid for o in officers for cid in o.decided]
        assert len(decided) == len(set(decided)) == COMMUNES * CONFLICTS_PER_COMMUNE
        assert len(journal) == len(decided)  # recorded exactly once
        assert Counter(d.conflict_id for d in journal) == Counter(decided)
        assert {(d.kind, d.channel) for d in journal} == {("accept", "web")}
        report = store.verify_chain()
        assert report.ok, report.problems
    finally:
        store.close()
        if schema:
            drop_schema(schema)

    timings = [t for o in officers for t in o.timings]
    pages = [s for kind, s in timings if kind in ("queue", "person", "login_form")]
    posts = [s for kind, s in timings if kind in ("claim", "decide")]
    logins = [s for kind, s in timings if kind == "login"]
    refusals = sum((o.refusals for o in officers), Counter())
    print(f"\nload test ({dialect}): {len(names)} officers × {DECISIONS_EACH} decisions = {len(decided)} in "
          f"{wall:.1f} s ({len(decided) / wall:.1f} decisions/s, {len(timings) / wall:.0f} requests/s); "
          f"pages: {len(pages)}, p50 {statistics.median(pages) * 1000:.0f} ms, p95 {p95(pages) * 1000:.0f} ms, "
          f"max {max(pages) * 1000:.0f} ms; claims and decisions: {len(posts)}, p50 {statistics.median(posts) * 1000:.0f} ms, "
          f"p95 {p95(posts) * 1000:.0f} ms; log-ins: p95 {p95(logins) * 1000:.0f} ms; refused and retried: {dict(refusals) or 0}; chain ok "
          f"({report.entries} entries)")
    assert wall < DEADLINE_S
    assert p95(pages) < 1.0
