"""The workspace: one DuckDB file holding every batch stage's tables, and atomic output folders."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from linkage.errors import UserError, WorkspaceInUse

DEFAULT_DB = "linkage.duckdb"

# Table names, one per stage (see docs/schema.md).
RAW_PREFIX = "raw_"
REJECTED = "rejected"
RECORDS = "records"
PAIRS = "pairs"
PERSONS = "persons"
CONFLICTS = "conflicts"
RUNS = "runs"
MODELS = "models"


def raw_table(source: str) -> str:
    return f"{RAW_PREFIX}{source}"


@dataclass(frozen=True)
class WorkspaceConfig:
    path: str = DEFAULT_DB
    memory_limit: str | None = None
    temp_dir: str | None = None
    threads: int | None = None

    @classmethod
    def from_env(
        cls,
        path: str | None = None,
        memory_limit: str | None = None,
        temp_dir: str | None = None,
        threads: int | None = None,
    ) -> WorkspaceConfig:
        return cls(
            path=path or os.environ.get("LINKAGE_DB") or DEFAULT_DB,
            memory_limit=memory_limit or os.environ.get("LINKAGE_MEMORY_LIMIT"),
            temp_dir=temp_dir or os.environ.get("LINKAGE_TEMP_DIR"),
            threads=threads,
        )


_LOCK_RE = re.compile(r"(Conflicting lock|Could not set lock|lock on file)", re.IGNORECASE)


def connect(config: WorkspaceConfig, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the workspace. A second writer stops at once with a clear message."""
    path = config.path
    if path != ":memory:":
        parent = Path(path).resolve().parent
        if not parent.exists():
            raise UserError(f"the folder for the workspace does not exist: {parent}")
    try:
        con = duckdb.connect(path, read_only=read_only)
    except duckdb.IOException as exc:
        if _LOCK_RE.search(str(exc)):
            pid = re.search(r"PID (\d+)", str(exc))
            who = f" (process {pid.group(1)})" if pid else ""
            raise WorkspaceInUse(
                f"workspace {path} is in use by another linkage job{who}; wait for it to finish "
                "or use another --db"
            ) from None
        raise UserError(f"cannot open workspace {path}: {exc}") from None
    except duckdb.Error as exc:
        raise UserError(f"cannot open workspace {path}: {exc}") from None
    if config.memory_limit:
        con.execute(f"SET memory_limit = '{_safe_setting(config.memory_limit)}'")
    if config.temp_dir:
        Path(config.temp_dir).mkdir(parents=True, exist_ok=True)
        con.execute(f"SET temp_directory = '{_safe_setting(config.temp_dir)}'")
    if config.threads:
        con.execute(f"SET threads = {int(config.threads)}")
    con.execute("SET preserve_insertion_order = true")
    return con


def _safe_setting(value: str) -> str:
    if "'" in value or ";" in value:
        raise UserError(f"invalid setting value: {value!r}")
    return value


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    rows = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ? AND table_schema = 'main'",
        [name],
    ).fetchall()
    return rows[0][0] > 0


def require_table(con: duckdb.DuckDBPyConnection, name: str, hint: str) -> None:
    if not table_exists(con, name):
        raise UserError(f"the workspace has no table '{name}': {hint}")


@contextlib.contextmanager
def atomic_output_dir(out: str | os.PathLike[str]) -> Iterator[Path]:
    """Write an output folder as a whole: the caller fills a temporary sibling folder, which replaces
    `out` only when the block ends without error. A failure leaves the previous `out` intact."""
    out_path = Path(out).resolve()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_path.name}.tmp-", dir=out_path.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if out_path.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out_path.name}.old-", dir=out_path.parent))
        os.rmdir(old)
        os.replace(out_path, old)
    os.replace(tmp, out_path)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace one file atomically."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
