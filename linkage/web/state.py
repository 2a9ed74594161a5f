"""What the web application reads from the review store between requests: each conflict's current decision
(cached by the journal's head, read incrementally) and the claims that still run."""

from __future__ import annotations

import threading
from datetime import datetime

import sqlalchemy as sa

from linkage.review.decisions import Claim, Decision, History
from linkage.review.store import ReviewStore, claims, decisions, parse_ts


class CurrentDecisions:
    """`get()` → {conflict_id: current decision} exactly as `linkage.review.decisions.current_decisions`, but
    reading only the journal entries appended since the last call (the journal is append-only)."""

    def __init__(self, store: ReviewStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._seq = 0
        self._all: list[Decision] = []
        self._current: dict[str, Decision] = {}
        self._subjects: dict[str, Decision] = {}

    def get(self) -> dict[str, Decision]:
        self.refresh()
        return self._current

    def subjects(self) -> dict[str, Decision]:
        """Every subject's current decision (conflicts, pairs, merge and split groups)."""
        self.refresh()
        return self._subjects

    def refresh(self) -> None:
        head, _hash = self.store.head()
        if head == self._seq:
            return
        with self._lock:
            if head != self._seq:
                with self.store.read() as conn:
                    rows = conn.execute(sa.select(decisions).where(decisions.c.seq > self._seq)
                                        .order_by(decisions.c.seq)).mappings().all()
                self._all.extend(Decision.from_row(r) for r in rows)
                if self._all:
                    self._seq = self._all[-1].id
                history = History(list(self._all))
                subjects: dict[str, Decision] = {}
                for d in history.decisions:
                    if history.counts(d):
                        subjects[d.subject] = d
                self._subjects = subjects
                self._current = {d.conflict_id: d for s, d in subjects.items() if d.conflict_id and s == d.conflict_id}


def active_claims(store: ReviewStore, now: datetime | None = None) -> dict[str, Claim]:
    """Claims that have not expired, by conflict id."""
    now = now or store.clock()
    with store.read() as conn:
        rows = conn.execute(sa.select(claims)).mappings().all()
    return {r["conflict_id"]: Claim(r["conflict_id"], r["username"], r["claimed_at"], r["expires_at"])
            for r in rows if parse_ts(r["expires_at"]) > now}
