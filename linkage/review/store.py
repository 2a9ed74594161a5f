"""The review store: accounts, claims and the decisions journal, shared by the web application, the Excel
import and the CLI while batch jobs run.

SQLite (a file beside the workspace by default) or PostgreSQL (`postgresql://…`), through SQLAlchemy Core.
Every write runs in a transaction that holds one store-wide lock (SQLite `BEGIN IMMEDIATE`; PostgreSQL a row
lock on `journal_head`), so concurrent writers append to the journal one after another and every check made
inside the transaction (expected previous decision, claims) sees the latest state: no lost update.

The journal is append-only (database triggers refuse UPDATE/DELETE) and hash-chained: each entry's SHA-256
covers its content and the previous entry's hash. After every decision the chain head is also written to a
file outside the store; `verify_chain()` checks both.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url

from linkage.errors import UserError

try:  # POSIX only; elsewhere the in-process lock is all we have
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

ENV_REVIEW_STORE = "LINKAGE_REVIEW_STORE"
ENV_CHAIN_HEAD = "LINKAGE_CHAIN_HEAD"
SCHEMA_VERSION = 1
GENESIS_HASH = "0" * 64

metadata = sa.MetaData()

meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("display_name", sa.Text, nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("updated_at", sa.String(32), nullable=False),
)

account_scopes = sa.Table(
    "account_scopes",
    metadata,
    sa.Column("username", sa.String(64), sa.ForeignKey("accounts.username"), primary_key=True),
    sa.Column("scope", sa.String(16), primary_key=True),  # 'commune' | 'province'
    sa.Column("code", sa.String(200), primary_key=True),
)

claims = sa.Table(
    "claims",
    metadata,
    sa.Column("conflict_id", sa.String(64), primary_key=True),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("claimed_at", sa.String(32), nullable=False),
    sa.Column("expires_at", sa.String(32), nullable=False),
)

# The journal. Column order is the order of the hashed content (see `entry_hash`).
decisions = sa.Table(
    "decisions",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),  # the decision id
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("subject", sa.String(80), nullable=False),  # conflict id, pair or merge group: one history
    sa.Column("conflict_id", sa.String(64)),
    sa.Column("fingerprint", sa.String(128)),
    sa.Column("person_id", sa.String(64)),
    sa.Column("field", sa.String(64)),
    sa.Column("province_code", sa.String(16)),
    sa.Column("commune", sa.String(200)),
    sa.Column("records_a", sa.Text),  # JSON list of [source, record_id]
    sa.Column("records_b", sa.Text),
    sa.Column("value", sa.Text),
    sa.Column("reason", sa.Text),
    sa.Column("legal_ref", sa.Text),
    sa.Column("target_id", sa.Integer),  # approve / reject / reverse
    sa.Column("previous_id", sa.Integer),  # the subject's current decision when this one was made
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("actor_role", sa.String(16), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("origin", sa.Text),
    sa.Column("decided_at", sa.String(32), nullable=False),
    sa.Column("before", sa.Text),  # JSON
    sa.Column("after", sa.Text),  # JSON
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)
sa.Index("ix_decisions_subject", decisions.c.subject)
sa.Index("ix_decisions_conflict", decisions.c.conflict_id)
sa.Index("ix_decisions_target", decisions.c.target_id)

HASHED_COLUMNS: tuple[str, ...] = tuple(c.name for c in decisions.columns if c.name != "hash")

journal_head = sa.Table(
    "journal_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

_SQLITE_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS decisions_no_update BEFORE UPDATE ON decisions "
    "BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS decisions_no_delete BEFORE DELETE ON decisions "
    "BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END",
)
_PG_TRIGGERS = (
    "CREATE OR REPLACE FUNCTION decisions_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'decisions are append-only'; END $$",
    "DROP TRIGGER IF EXISTS decisions_no_change ON decisions",
    "CREATE TRIGGER decisions_no_change BEFORE UPDATE OR DELETE ON decisions "
    "FOR EACH ROW EXECUTE FUNCTION decisions_append_only()",
    "DROP TRIGGER IF EXISTS decisions_no_truncate ON decisions",
    "CREATE TRIGGER decisions_no_truncate BEFORE TRUNCATE ON decisions "
    "FOR EACH STATEMENT EXECUTE FUNCTION decisions_append_only()",
)


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_ts(ts: datetime) -> str:
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_ts(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def canonical_json(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_hash(entry: Mapping[str, Any]) -> str:
    """SHA-256 over the entry's content (every column but `hash`, `prev_hash` included)."""
    content = {name: entry.get(name) for name in HASHED_COLUMNS}
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------------------------------------------
# Locating the store


def default_review_path(db: str | os.PathLike[str] | None) -> Path:
    """`linkage.duckdb` → `linkage.review.sqlite` in the same folder."""
    db_path = Path(db or os.environ.get("LINKAGE_DB") or "linkage.duckdb")
    if str(db_path) == ":memory:":
        db_path = Path("linkage.duckdb")
    return db_path.with_name(db_path.stem + ".review.sqlite")


def resolve_target(review_store: str | None, db: str | os.PathLike[str] | None = None) -> str:
    """`--review-store` value, else `$LINKAGE_REVIEW_STORE`, else the SQLite file beside the workspace."""
    target = review_store or os.environ.get(ENV_REVIEW_STORE)
    return target if target else str(default_review_path(db))


def to_url(target: str | os.PathLike[str]) -> URL:
    """A path or URL → SQLAlchemy URL (`postgresql://` gets the psycopg 3 driver)."""
    text = str(target)
    if "://" not in text:
        return URL.create("sqlite", database=str(Path(text)))
    try:
        url = make_url(text)
    except Exception:
        raise UserError(f"invalid review store URL: {mask_url_text(text)}") from None
    backend = url.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise UserError("the review store must be a file or a PostgreSQL database, not an in-memory SQLite")
        return url.set(drivername="sqlite")
    raise UserError(f"unsupported review store {mask_url_text(text)}: use a SQLite file path or postgresql://…")


def mask_url_text(text: str) -> str:
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", text)


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    problems: list[str] = field(default_factory=list)
    # What the chain head file says about the journal: 'ok' (it names the journal's last entry), 'behind' (it
    # names an earlier entry, with that entry's hash: what a crash between a decision's commit and the file's
    # update leaves; the entries after it are not covered), 'ahead' (entries were removed), 'mismatch' (the
    # entry it names has another hash: the journal was rewritten, or the file edited), 'missing', 'unreadable'.
    head_file: str = "ok"
    head_file_seq: int | None = None
    chain_ok: bool = True  # the entries' hashes and links alone (and the store's own head) are consistent

    @property
    def tampered(self) -> bool:
        """Evidence of tampering (anything but a head file that is merely behind or missing)."""
        return not self.chain_ok or self.head_file in ("ahead", "mismatch", "unreadable")


# --------------------------------------------------------------------------------------------------------------


class ReviewStore:
    """One review store. Open with `ReviewStore.open(path_or_url)` (or `open_review_store` for CLI defaults)."""

    def __init__(self, engine: Engine, *, chain_head: Path, description: str,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name  # 'sqlite' | 'postgresql'
        self.chain_head = chain_head
        self.description = description
        self.clock = clock
        self._head_lock = threading.Lock()
        self._meta_cache: dict[str, str] = {}

    # ---- construction ---------------------------------------------------------------------------------------

    @classmethod
    def open(cls, target: str | os.PathLike[str], *, schema: str | None = None,
             chain_head: str | os.PathLike[str] | None = None, create: bool = True,
             workspace_dir: str | os.PathLike[str] | None = None) -> ReviewStore:
        """Opens (and creates or migrates) the store at a SQLite path, `sqlite:///…` or `postgresql://…` URL.

        `schema` (PostgreSQL, or `?schema=` in the URL): the schema to use, created if missing (default: the
        server's search path).
        `chain_head`: the file that receives the journal's head after every decision (default
        `$LINKAGE_CHAIN_HEAD`, else beside the SQLite file, else in `workspace_dir` / the current folder)."""
        url = to_url(target)
        if "schema" in url.query:  # postgresql://…/db?schema=name
            schema = schema or str(url.query["schema"])
            url = url.difference_update_query(["schema"])
        description = url.render_as_string(hide_password=True) + (f" (schema {schema})" if schema else "")
        if url.get_backend_name() == "sqlite":
            path = Path(url.database or "")
            if not path.parent.exists():
                raise UserError(f"the folder for the review store does not exist: {path.parent}")
            if not create and not path.exists():
                raise UserError(f"review store {path} does not exist")
            engine = _sqlite_engine(url)
            default_head = path.with_name(path.name + ".chain-head")
        else:
            engine = _pg_engine(url, schema)
            tag = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{url.host or 'local'}-{url.database or ''}"
                         + (f"-{schema}" if schema else ""))
            default_head = Path(workspace_dir or ".") / f"linkage.review.{tag}.chain-head"
        head = Path(chain_head or os.environ.get(ENV_CHAIN_HEAD) or default_head)
        store = cls(engine, chain_head=head, description=description)
        try:
            store.migrate(schema=schema, create=create)
        except sa.exc.OperationalError as exc:
            engine.dispose()
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise UserError(f"cannot open review store {description}: {reason}") from None
        except BaseException:
            engine.dispose()
            raise
        return store

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> ReviewStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- schema ---------------------------------------------------------------------------------------------

    def migrate(self, *, schema: str | None = None, create: bool = True) -> int:
        """Creates the tables or brings an older store up to SCHEMA_VERSION. Returns the version."""
        with self.engine.connect() as conn:
            conn.execution_options(review_write=True)
            with conn.begin():
                if self.dialect == "postgresql":
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(727272001)"))
                    if schema:
                        conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{_safe_ident(schema)}"'))
                insp = sa.inspect(conn)
                version = 0
                if insp.has_table("meta"):
                    row = conn.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version")).first()
                    version = int(row[0]) if row else 0
                elif not create:
                    raise UserError(f"{self.description} is not a review store")
                if version > SCHEMA_VERSION:
                    raise UserError(
                        f"review store {self.description} has schema version {version}, newer than this "
                        f"linkage ({SCHEMA_VERSION}); upgrade linkage"
                    )
                for v in range(version + 1, SCHEMA_VERSION + 1):
                    _MIGRATIONS[v](self, conn)
                    conn.execute(sa.delete(meta).where(meta.c.key == "schema_version"))
                    conn.execute(sa.insert(meta).values(key="schema_version", value=str(v)))
        return SCHEMA_VERSION

    def meta_value(self, key: str) -> str | None:
        if key in self._meta_cache:
            return self._meta_cache[key]
        with self.read() as conn:
            row = conn.execute(sa.select(meta.c.value).where(meta.c.key == key)).first()
        if row is None:
            return None
        if key in ("store_id", "excel_hmac_key"):  # never change once created
            self._meta_cache[key] = row[0]
        return row[0]

    @property
    def store_id(self) -> str:
        value = self.meta_value("store_id")
        assert value is not None
        return value

    def hmac_key(self) -> bytes:
        """The secret that signs exported workbooks (kept in the store, never exported)."""
        value = self.meta_value("excel_hmac_key")
        assert value is not None
        return bytes.fromhex(value)

    # ---- transactions ---------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction holding the store-wide lock (writers run one after another)."""
        with self.engine.connect() as conn:
            conn.execution_options(review_write=True)
            with conn.begin():
                if self.dialect == "postgresql":
                    conn.execute(sa.select(journal_head.c.seq).where(journal_head.c.id == 1).with_for_update())
                yield conn

    def append_decision(self, entry: Mapping[str, Any],
                        check: Callable[[Connection], Any] | None = None) -> tuple[Any, bool]:
        """Appends one journal entry atomically; returns (row, True). `check(conn)` runs first inside the
        locked transaction: it may raise to refuse the entry, or return something else than None (an
        identical earlier decision), in which case nothing is written and (that, False) is returned.

        The head file is updated after the commit, also when nothing was written: a command killed between its
        decision's commit and the head file's update leaves the file one entry behind, and re-running that
        command (its decision now an identical earlier one) or any later decision brings the file up to date."""
        with self.write() as conn:
            existing = check(conn) if check is not None else None
            if existing is None:
                head = conn.execute(sa.select(journal_head.c.seq, journal_head.c.hash)
                                    .where(journal_head.c.id == 1)).one()
                row = {name: entry.get(name) for name in HASHED_COLUMNS}
                row["seq"] = head.seq + 1
                row["prev_hash"] = head.hash
                row["decided_at"] = format_ts(self.clock())  # under the lock: time order follows seq order
                row["hash"] = entry_hash(row)
                conn.execute(sa.insert(decisions).values(**row))
                conn.execute(sa.update(journal_head).where(journal_head.c.id == 1)
                             .values(seq=row["seq"], hash=row["hash"]))
        self.publish_head()
        if existing is not None:
            return existing, False
        return row, True

    # ---- chain head -----------------------------------------------------------------------------------------

    def head(self) -> tuple[int, str]:
        with self.read() as conn:
            row = conn.execute(sa.select(journal_head.c.seq, journal_head.c.hash)
                               .where(journal_head.c.id == 1)).one()
        return int(row.seq), str(row.hash)

    def read_head_file(self) -> tuple[int, str] | None:
        return self._read_head(self.chain_head)

    @staticmethod
    def _read_head(path: Path) -> tuple[int, str] | None:
        """(seq, hash) in a head file; None when it does not exist, (-1, 'unreadable') when it cannot be read."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return int(data["seq"]), str(data["hash"])
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError):
            return (-1, "unreadable")

    def entry_hash_at(self, seq: int) -> str | None:
        """The stored hash of journal entry `seq` (the genesis hash for 0; None when there is no such entry)."""
        if seq == 0:
            return GENESIS_HASH
        with self.read() as conn:
            row = conn.execute(sa.select(decisions.c.hash).where(decisions.c.seq == seq)).first()
        return None if row is None else str(row[0])

    def publish_head(self) -> None:
        """Writes the journal head to the head file. Reading the head and writing the file happen under one
        file lock, so the last writer always leaves the latest head. The file only moves forward along the
        journal: a file ahead of the store (a journal truncated behind our back), unreadable, or naming an entry
        whose hash has changed (a rewritten journal) is left as it is, for `verify_chain` to report."""
        from linkage.workspace import atomic_write_bytes

        self.chain_head.parent.mkdir(parents=True, exist_ok=True)
        with self._head_lock, open(self.chain_head.with_name(self.chain_head.name + ".lock"), "a+b") as lock:
            if fcntl is not None:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                seq, digest = self.head()
                current = self.read_head_file()
                if current is not None and (current[0] > seq or current[0] < 0
                                            or self.entry_hash_at(current[0]) != current[1]):
                    return  # ahead, unreadable or disagreeing: evidence for `audit verify`, never overwritten
                payload = {"seq": seq, "hash": digest, "store": self.description, "store_id": self.store_id,
                           "written_at": format_ts(utc_now())}
                atomic_write_bytes(self.chain_head, (canonical_json(payload) + "\n").encode("utf-8"))
            finally:
                if fcntl is not None:
                    fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def verify_chain(self, head_file: str | os.PathLike[str] | None = None) -> ChainReport:
        """Recomputes every entry's hash and link, and compares the head with the head file (`head_file`: check
        against another copy of it instead, e.g. one kept on write-once storage)."""
        problems: list[str] = []
        chain_head = Path(head_file) if head_file is not None else self.chain_head
        on_file = self._read_head(chain_head)
        file_entry_hash: str | None = GENESIS_HASH if on_file is not None and on_file[0] == 0 else None
        prev = GENESIS_HASH
        expected_seq = 1
        count = 0
        last_hash = GENESIS_HASH
        with self.read() as conn:
            head = conn.execute(sa.select(journal_head.c.seq, journal_head.c.hash)
                                .where(journal_head.c.id == 1)).one()
            result = conn.execution_options(yield_per=2000).execute(
                sa.select(decisions).order_by(decisions.c.seq))
            for row in result.mappings():
                count += 1
                seq = int(row["seq"])
                if seq != expected_seq:
                    problems.append(f"journal entry #{expected_seq} is missing (next is #{seq})")
                    expected_seq = seq
                if row["prev_hash"] != prev:
                    problems.append(f"journal entry #{seq} does not follow the previous entry's hash")
                if entry_hash(row) != row["hash"]:
                    problems.append(f"journal entry #{seq} was altered (hash mismatch)")
                if on_file is not None and seq == on_file[0]:
                    file_entry_hash = row["hash"]
                prev = row["hash"]
                last_hash = row["hash"]
                expected_seq += 1
        last_seq = expected_seq - 1
        if (head.seq, head.hash) != (last_seq, last_hash):
            problems.append(f"the store's head (#{head.seq}) does not match the journal's last entry (#{last_seq})")
        chain_ok = not problems
        status = "ok"
        if on_file is None:
            if count:
                status = "missing"
                problems.append(f"the chain head file {chain_head} is missing")
        elif on_file[0] < 0:
            status = "unreadable"
            problems.append(f"the chain head file {chain_head} is unreadable")
        elif on_file != (last_seq, last_hash):
            if on_file[0] > last_seq:
                status = "ahead"
                problems.append(f"the chain head file names entry #{on_file[0]} but the journal ends at "
                                f"#{last_seq}: entries were removed")
            elif on_file[0] < last_seq and file_entry_hash == on_file[1]:
                status = "behind"
                problems.append(f"the chain head file is behind: it names entry #{on_file[0]}, the journal ends "
                                f"at #{last_seq} (an interrupted decision; entries after #{on_file[0]} are not "
                                "covered by the file)")
            else:
                status = "mismatch"
                problems.append(f"the chain head file (entry #{on_file[0]}) does not match the journal")
        return ChainReport(ok=not problems, entries=count, head_seq=last_seq, head_hash=last_hash,
                           problems=problems, head_file=status,
                           head_file_seq=on_file[0] if on_file is not None else None, chain_ok=chain_ok)


def open_review_store(review_store: str | None = None, db: str | os.PathLike[str] | None = None,
                      **kwargs: Any) -> ReviewStore:
    """CLI default: `--review-store` or `$LINKAGE_REVIEW_STORE`, else the SQLite file beside the workspace."""
    workspace = Path(db or os.environ.get("LINKAGE_DB") or "linkage.duckdb")
    kwargs.setdefault("workspace_dir", workspace.resolve().parent)
    return ReviewStore.open(resolve_target(review_store, db), **kwargs)


# --------------------------------------------------------------------------------------------------------------
# Engines


def _sqlite_engine(url: URL) -> Engine:
    engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 60},
                              pool_size=5, max_overflow=25, pool_timeout=60)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout = 60000")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("review_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _pg_engine(url: URL, schema: str | None) -> Engine:
    connect_args: dict[str, Any] = {"connect_timeout": 10}
    if schema:
        connect_args["options"] = f"-csearch_path={_safe_ident(schema)}"
    return sa.create_engine(url, connect_args=connect_args, pool_size=5, max_overflow=25, pool_timeout=60,
                            pool_pre_ping=True)


def _safe_ident(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", name):
        raise UserError(f"invalid schema name {name!r}")
    return name


# --------------------------------------------------------------------------------------------------------------
# Migrations: version → function(store, conn). Never edit a released one; add the next.


def _migration_1(store: ReviewStore, conn: Connection) -> None:
    metadata.create_all(conn)
    for stmt in _PG_TRIGGERS if store.dialect == "postgresql" else _SQLITE_TRIGGERS:
        conn.exec_driver_sql(stmt)
    conn.execute(sa.insert(journal_head).values(id=1, seq=0, hash=GENESIS_HASH))
    conn.execute(sa.insert(meta), [
        {"key": "store_id", "value": uuid.uuid4().hex},
        {"key": "excel_hmac_key", "value": secrets.token_hex(32)},
        {"key": "created_at", "value": format_ts(utc_now())},
    ])


_MIGRATIONS: dict[int, Callable[[ReviewStore, Connection], None]] = {1: _migration_1}
