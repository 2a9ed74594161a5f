"""Per-distinct-value parsing spread over processes.

Normalisation parses each distinct value once in Python (names, places, dates, ID numbers); at a million
persons that is a few million calls, which one core does in about a minute. `ParsePool` shares them out among
worker processes (spawned, not forked: the parent holds DuckDB's threads), started once per normalisation and
only when a list is long enough to pay for it; below that, or with one worker, `map` is a plain loop, with
identical results."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_PARALLEL_ITEMS = 40_000
ENV_WORKERS = "LINKAGE_PARSE_WORKERS"


def default_workers() -> int:
    """`$LINKAGE_PARSE_WORKERS`, else the cores this process may use."""
    env = os.environ.get(ENV_WORKERS)
    if env:
        return max(1, int(env))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _apply_chunk(fn: Callable[[Any], Any], chunk: Sequence[Any]) -> list[Any]:
    return [fn(x) for x in chunk]


class ParsePool:
    """`with ParsePool() as pool: pool.map(fn, items)`; `fn` must be a module-level function."""

    def __init__(self, workers: int | None = None, min_items: int = MIN_PARALLEL_ITEMS) -> None:
        self.workers = workers if workers is not None else default_workers()
        self.min_items = max(min_items, 1)
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> ParsePool:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._executor is not None:
            self._executor.shutdown(cancel_futures=True)
            self._executor = None

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """`[fn(x) for x in items]`, in order."""
        if self.workers <= 1 or len(items) < self.min_items:
            return [fn(x) for x in items]
        if self._executor is None:
            self._executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=get_context("spawn"))
        size = -(-len(items) // (self.workers * 4))
        chunks = [items[i:i + size] for i in range(0, len(items), size)]
        out: list[R] = []
        for part in self._executor.map(_apply_chunk, [fn] * len(chunks), chunks):
            out.extend(part)
        return out
