"""Options shared by every command that uses the workspace."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from linkage.workspace import WorkspaceConfig


def workspace_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Adds --db, --memory-limit, --temp-dir, --threads, --key-file and passes `ws: WorkspaceConfig`.

    The encryption key is read from --key-file, $LINKAGE_DB_KEY_FILE or $LINKAGE_DB_KEY, never from an option's
    value (it would show in the shell history and the process list)."""

    @click.option("--db", "db", default=None, help="Workspace DuckDB file (default ./linkage.duckdb or $LINKAGE_DB).")
    @click.option("--memory-limit", default=None, help="DuckDB memory limit, e.g. 8GB ($LINKAGE_MEMORY_LIMIT).")
    @click.option("--temp-dir", default=None, help="Spill directory for larger-than-memory work ($LINKAGE_TEMP_DIR).")
    @click.option("--threads", type=int, default=None, help="DuckDB threads (default: all cores).")
    @click.option("--key-file", default=None, type=click.Path(dir_okay=False),
                  help="File holding the workspace encryption key (or $LINKAGE_DB_KEY_FILE, or the key itself in "
                       "$LINKAGE_DB_KEY). With a key the workspace and its review snapshot are encrypted.")
    @functools.wraps(func)
    def wrapper(*args: Any, db: str | None, memory_limit: str | None, temp_dir: str | None,
                threads: int | None, key_file: str | None, **kwargs: Any) -> Any:
        ws = WorkspaceConfig.from_env(db, memory_limit, temp_dir, threads, key_file=key_file)
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
