"""Options shared by every command that uses the workspace."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from linkage.workspace import WorkspaceConfig


def workspace_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Adds --db, --memory-limit, --temp-dir, --threads and passes `ws: WorkspaceConfig`."""

    @click.option("--db", "db", default=None, help="Workspace DuckDB file (default ./linkage.duckdb or $LINKAGE_DB).")
    @click.option("--memory-limit", default=None, help="DuckDB memory limit, e.g. 8GB ($LINKAGE_MEMORY_LIMIT).")
    @click.option("--temp-dir", default=None, help="Spill directory for larger-than-memory work ($LINKAGE_TEMP_DIR).")
    @click.option("--threads", type=int, default=None, help="DuckDB threads (default: all cores).")
    @functools.wraps(func)
    def wrapper(*args: Any, db: str | None, memory_limit: str | None, temp_dir: str | None,
                threads: int | None, **kwargs: Any) -> Any:
        ws = WorkspaceConfig.from_env(db, memory_limit, temp_dir, threads)
        return func(*args, ws=ws, **kwargs)

    return wrapper


def parse_source_specs(specs: tuple[str, ...]) -> list[tuple[str, str]]:
    """Parses `KIND=PATH` options. Raises a UserError naming the bad option."""
    from linkage import SOURCES
    from linkage.errors import UserError

    out: list[tuple[str, str]] = []
    for spec in specs:
        if "=" not in spec:
            raise UserError(f"--source must be KIND=PATH (KIND one of {', '.join(SOURCES)}), got {spec!r}")
        kind, path = spec.split("=", 1)
        kind = kind.strip()
        if kind not in SOURCES:
            raise UserError(f"unknown source kind {kind!r} in --source {spec!r}; use one of {', '.join(SOURCES)}")
        out.append((kind, path))
    return out
