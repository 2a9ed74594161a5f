"""Named crash points for the crash-safety tests (issue #6).

`checkpoint(name)` does nothing unless the environment variable `LINKAGE_CRASH_AT` equals `name`; then the
process kills itself with SIGKILL on the spot — no `finally`, no `atexit`, no flush — as a power cut or the
OOM killer would. `tests/test_crash_safety.py` runs the real CLI once per name in `CHECKPOINTS` and checks that
whatever is left behind is either the previous complete result or the new one, and that re-running the same
command recovers. Every name used in the code must be listed here (and every listed name is reached on a normal
run: a test checks both), so a new crash point is tested as soon as it is added.

See docs/reliability.md for what each point guards.
"""

from __future__ import annotations

import os
import signal

ENV_CRASH_AT = "LINKAGE_CRASH_AT"
ENV_TRACE = "LINKAGE_CHECKPOINT_TRACE"  # a file that receives the name of every checkpoint passed

# command → the checkpoints it passes, in the order it passes them.
CHECKPOINTS: dict[str, tuple[str, ...]] = {
    "run": (
        "run.after_ingest",  # raw_* and rejected written; records still the previous run's
        "run.after_normalise",  # records new; pairs and persons still the previous run's
        "run.after_link",  # pairs new; persons still the previous run's
        "run.after_cluster",  # persons and possible_matches new; conflicts still the previous run's
        "run.after_conflicts",  # every workspace table new; nothing written to --out yet
        "run.output_partial",  # clusters.parquet written into the temporary folder, the rest not yet
        "run.after_output_swap",  # --out replaced; the review snapshot still the previous one
    ),
    "review_import": (
        "review_import.after_decision",  # a row's decision committed, the rows after it not (dies at the first)
        "review_import.between_files",  # the first file's decisions committed, the next file not read
    ),
    "load": (
        "load.after_recluster",  # persons and conflicts re-computed with the new decisions
        "load.after_decisions",  # golden table built with decided values; nothing written to --out yet
        "load.output_partial",  # golden.parquet written into the temporary folder, pending.parquet not yet
        "load.after_output_swap",  # --out replaced (accounting.json with it); review snapshot still the previous one
    ),
}

ALL_CHECKPOINTS: tuple[str, ...] = tuple(name for names in CHECKPOINTS.values() for name in names)


def checkpoint(name: str) -> None:
    """Die here by SIGKILL if `$LINKAGE_CRASH_AT` is `name` (tests only; a no-op otherwise)."""
    if name not in ALL_CHECKPOINTS:  # a typo would make a crash point that no test ever exercises
        raise ValueError(f"unregistered checkpoint {name!r}; add it to linkage.checkpoints.CHECKPOINTS")
    trace = os.environ.get(ENV_TRACE)
    if trace:  # tests: record every checkpoint passed, to show that each one is reached
        with open(trace, "a", encoding="utf-8") as fh:
            fh.write(name + "\n")
    if os.environ.get(ENV_CRASH_AT) == name:
        os.kill(os.getpid(), signal.SIGKILL)
