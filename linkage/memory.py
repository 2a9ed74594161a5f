"""Peak resident memory of this process and its children (the parse workers of normalisation), sampled in a
background thread (DuckDB works in-process)."""

from __future__ import annotations

import threading

import psutil


class PeakMemory:
    """`with PeakMemory() as pm: ...` then `pm.peak_mb`. `reset()` starts a new window."""

    def __init__(self, interval: float = 0.05) -> None:
        self._proc = psutil.Process()
        self._interval = interval
        self._stop = threading.Event()
        self._peak = 0
        self._thread: threading.Thread | None = None

    def _rss(self) -> int:
        total = self._proc.memory_info().rss
        for child in self._proc.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:  # ended meanwhile
                pass
        return total

    def _sample(self) -> None:
        while not self._stop.is_set():
            self._peak = max(self._peak, self._rss())
            self._stop.wait(self._interval)

    def reset(self) -> None:
        self._peak = self._rss()

    @property
    def peak_mb(self) -> float:
        self._peak = max(self._peak, self._rss())
        return self._peak / 2**20

    def __enter__(self) -> PeakMemory:
        self.reset()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
