"""The workspace: one DuckDB file holding every batch stage's tables, and atomic output folders."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import stat
import tempfile
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from linkage.errors import UserError, WorkspaceInUse

DEFAULT_DB = "linkage.duckdb"

# Encryption at rest (docs/security.md). The key is never taken from the command line: it comes from
# $LINKAGE_DB_KEY, or from a file named by --key-file or $LINKAGE_DB_KEY_FILE.
ENV_KEY = "LINKAGE_DB_KEY"
ENV_KEY_FILE = "LINKAGE_DB_KEY_FILE"
# DuckDB writes encrypted files only with OpenSSL (its httpfs extension). Without it, DuckDB's built-in
# Mbed TLS can still write them, but DuckDB calls that "not securely encrypted" (its random nonces do not come
# from a cryptographic generator); this variable accepts that explicitly.
ENV_ALLOW_MBEDTLS = "LINKAGE_DB_ALLOW_MBEDTLS"
MIN_KEY_LENGTH = 16
KEY_SOURCES = f"${ENV_KEY}, ${ENV_KEY_FILE} or --key-file"

log = logging.getLogger("linkage.workspace")

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


def read_key_file(path: str | os.PathLike[str]) -> str:
    """The key in a key file (its first line, surrounding white space removed)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"key file {p} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read key file {p}: {exc.__class__.__name__}") from None
    with contextlib.suppress(OSError):
        if os.name == "posix" and p.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            log.warning("key file %s can be read by other users; restrict it with chmod 600", p)
    lines = text.strip().splitlines()
    return lines[0].strip() if lines else ""


def check_key(key: str, what: str = "the workspace key") -> str:
    if len(key) < MIN_KEY_LENGTH:
        raise UserError(f"{what} is too short ({len(key)} characters; at least {MIN_KEY_LENGTH}); "
                        "generate one with e.g. `openssl rand -base64 32`")
    return key


def resolve_key(key_file: str | os.PathLike[str] | None = None) -> str | None:
    """The workspace key: --key-file, else $LINKAGE_DB_KEY_FILE, else $LINKAGE_DB_KEY; None when none is set."""
    if key_file:
        return check_key(read_key_file(key_file))
    env_file = os.environ.get(ENV_KEY_FILE)
    if env_file:
        return check_key(read_key_file(env_file))
    env_key = os.environ.get(ENV_KEY)
    if env_key:
        return check_key(env_key.strip())
    return None


@dataclass(frozen=True)
class WorkspaceConfig:
    path: str = DEFAULT_DB
    memory_limit: str | None = None
    temp_dir: str | None = None
    threads: int | None = None
    # The encryption key (None: $LINKAGE_DB_KEY / $LINKAGE_DB_KEY_FILE at connect time, else a plain workspace).
    key: str | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_env(
        cls,
        path: str | None = None,
        memory_limit: str | None = None,
        temp_dir: str | None = None,
        threads: int | None = None,
        key_file: str | None = None,
    ) -> WorkspaceConfig:
        return cls(
            path=path or os.environ.get("LINKAGE_DB") or DEFAULT_DB,
            memory_limit=memory_limit or os.environ.get("LINKAGE_MEMORY_LIMIT"),
            temp_dir=temp_dir or os.environ.get("LINKAGE_TEMP_DIR"),
            threads=threads,
            key=resolve_key(key_file),
        )

    @property
    def encrypted(self) -> bool:
        """Whether `connect` opens (or creates) this workspace encrypted."""
        return self.path != ":memory:" and bool(self.key if self.key is not None else resolve_key())


_LOCK_RE = re.compile(r"(Conflicting lock|Could not set lock|lock on file)", re.IGNORECASE)


# Connections to an encrypted workspace → its key (for files written beside it with the same key, e.g. the
# review snapshot). Weak: an entry goes with its connection.
_KEYS: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, str] = weakref.WeakKeyDictionary()
_RESERVED_CATALOGS = {"memory", "system", "temp", "main"}


def workspace_key(con: duckdb.DuckDBPyConnection) -> str | None:
    """The key a connection's workspace was opened with (None for a plain workspace)."""
    return _KEYS.get(con)


def sql_string(value: str | os.PathLike[str]) -> str:
    """A text or path made safe inside a SQL string literal ('…')."""
    return str(value).replace("'", "''")


def enable_crypto(con: duckdb.DuckDBPyConnection) -> str:
    """Makes DuckDB able to write encrypted files on this connection's database instance: OpenSSL through the
    httpfs extension when it is installed, else (only when $LINKAGE_DB_ALLOW_MBEDTLS is set) DuckDB's built-in
    Mbed TLS. Returns which one; raises a UserError when neither is allowed."""
    try:
        con.execute("LOAD httpfs")
        return "openssl"
    except duckdb.Error:
        pass
    if os.environ.get(ENV_ALLOW_MBEDTLS, "").lower() in ("1", "true", "yes"):
        con.execute("SET force_mbedtls_unsafe = true")
        return "mbedtls"
    raise UserError(
        "an encrypted workspace needs DuckDB's httpfs extension (OpenSSL) to write encrypted data and spill files, "
        "and it is not installed: "
        "install it once with `python -c \"import duckdb; duckdb.execute('INSTALL httpfs')\"` (or from a local "
        f"extension repository), or set {ENV_ALLOW_MBEDTLS}=1 to accept DuckDB's built-in crypto "
        "(DuckDB does not rate its random nonces as secure)"
    )


def _catalog_alias(path: str) -> str:
    """The catalog name a plain `duckdb.connect(path)` would give (the file's stem)."""
    stem = Path(path).stem or "workspace"
    if stem.lower() in _RESERVED_CATALOGS or not re.fullmatch(r"[^\"\x00]+", stem):
        return "workspace"
    return stem


def _open_error(path: str, exc: Exception, key: str | None) -> UserError:
    text = str(exc)
    if key:
        text = text.replace(key, "***")
    if _LOCK_RE.search(text):
        pid = re.search(r"PID (\d+)", text)
        who = f" (process {pid.group(1)})" if pid else ""
        return WorkspaceInUse(
            f"workspace {path} is in use by another linkage job{who}; wait for it to finish or use another --db"
        )
    if "Cannot open encrypted database" in text or "without a key" in text:
        return UserError(f"workspace {path} is encrypted: give its key with {KEY_SOURCES} "
                         "(workspace được mã hoá: cần khoá)")
    if "Wrong encryption key" in text:
        return UserError(f"the key does not open workspace {path}: wrong key (khoá không đúng)")
    if "is not encrypted" in text:
        return UserError(f"workspace {path} is not encrypted, but a key was given ({KEY_SOURCES}): unset the "
                         "key to open it, or build an encrypted workspace with `linkage run` on a new --db "
                         "(workspace không được mã hoá)")
    return UserError(f"cannot open workspace {path}: {text}")


def _connect_encrypted(path: str, key: str, read_only: bool) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the workspace attached under its key and made the default catalog (`USE`), so
    that unqualified names, `information_schema … table_schema = 'main'` and Splink's DuckDBAPI see the
    workspace as with a plain file. (A `con.cursor()` starts in the in-memory catalog: avoid cursors.)"""
    con = duckdb.connect()
    try:
        enable_crypto(con)
        # spill files of an encrypted database are encrypted too (off by default in DuckDB)
        con.execute("SET temp_file_encryption = true")
        alias = _catalog_alias(path)
        options = f"ENCRYPTION_KEY '{sql_string(key)}'" + (", READ_ONLY" if read_only else "")
        con.execute(f"ATTACH '{sql_string(path)}' AS \"{alias}\" ({options})")
        con.execute(f'USE "{alias}"')
    except BaseException:
        con.close()
        raise
    _KEYS[con] = key
    return con


def connect(config: WorkspaceConfig, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the workspace. A second writer stops at once with a clear message. With a key (the config's, else
    $LINKAGE_DB_KEY / $LINKAGE_DB_KEY_FILE) the workspace is opened, or created, encrypted."""
    path = config.path
    key = None
    if path != ":memory:":
        parent = Path(path).resolve().parent
        if not parent.exists():
            raise UserError(f"the folder for the workspace does not exist: {parent}")
        key = config.key if config.key is not None else resolve_key()
    try:
        if key:
            con = _connect_encrypted(path, key, read_only)
        else:
            con = duckdb.connect(path, read_only=read_only)
    except duckdb.Error as exc:
        raise _open_error(path, exc, key) from None
    if key and not config.temp_dir:  # where a plain file database spills by default (not the current folder)
        con.execute(f"SET temp_directory = '{sql_string(path + '.tmp')}'")
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
    `out` only when the block ends without error. A failure leaves the previous `out` intact.

    The siblings carry the writer's process id: what a killed writer left behind is cleared by the next one,
    and a previous result it had moved aside (killed between the two renames) is put back first."""
    out_path = Path(out).resolve()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    _recover_siblings(out_path)
    pid = os.getpid()
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_path.name}.tmp-{pid}-", dir=out_path.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if out_path.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out_path.name}.old-{pid}-", dir=out_path.parent))
        os.rmdir(old)
        os.replace(out_path, old)
    os.replace(tmp, out_path)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _recover_siblings(out_path: Path) -> None:
    pattern = re.compile(rf"^\.{re.escape(out_path.name)}\.(tmp|old)-(\d+)-")
    for sibling in sorted(out_path.parent.iterdir()):
        m = pattern.match(sibling.name)
        if not m or not sibling.is_dir() or _alive(int(m.group(2))):
            continue
        if m.group(1) == "old" and not out_path.exists():
            os.replace(sibling, out_path)  # the previous complete result, moved aside by a killed writer
        else:
            shutil.rmtree(sibling, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


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
