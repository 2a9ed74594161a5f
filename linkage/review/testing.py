"""Helpers for tests of the review side: a throw-away review store on SQLite or on the PostgreSQL server
named by $LINKAGE_TEST_POSTGRES (default postgresql://postgres@127.0.0.1:5432/test), each in its own schema."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from argon2 import PasswordHasher

from linkage.review import accounts
from linkage.review.store import ReviewStore, to_url

DIALECTS = ("sqlite", "postgresql")
PG_URL = os.environ.get("LINKAGE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def store_target(dialect: str, folder: Path) -> tuple[str, str | None]:
    """(path or URL, schema) for a new store."""
    if dialect == "sqlite":
        return str(folder / "review.sqlite"), None
    return PG_URL, "t_" + uuid.uuid4().hex[:16]


@contextlib.contextmanager
def temporary_store(dialect: str, folder: Path) -> Iterator[ReviewStore]:
    target, schema = store_target(dialect, folder)
    store = ReviewStore.open(target, schema=schema, chain_head=folder / "review.chain-head")
    try:
        yield store
    finally:
        store.close()
        if schema:
            drop_schema(schema)


def drop_schema(schema: str) -> None:
    engine = sa.create_engine(to_url(PG_URL))
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        engine.dispose()


def use_cheap_password_hashing() -> PasswordHasher:
    """Fast argon2 parameters for tests; returns the previous hasher."""
    previous = accounts.password_hasher
    accounts.password_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return previous
