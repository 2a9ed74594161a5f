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


def fill_workbook(path: Path, answers: dict[str, tuple], *,
                  edit_protected: dict[str, tuple[str, str]] | None = None) -> None:
    """What an officer does in Excel: decision, corrected value, reason, legal reference per conflict id
    (in the order of `excel.EDITABLE`); `edit_protected` writes into a protected cell, as tampering would."""
    from openpyxl import load_workbook

    from linkage.review import excel

    wb = load_workbook(path)
    ws = wb[excel.SHEET]
    col = {c.value: c.column for c in ws[1]}
    for row in ws.iter_rows(min_row=2):
        cid = row[col[excel.H_CONFLICT] - 1].value
        if cid in answers:
            for header, value in zip(excel.EDITABLE, answers[cid], strict=False):
                ws.cell(row=row[0].row, column=col[header], value=value)
        if edit_protected and cid in edit_protected:
            header, value = edit_protected[cid]
            ws.cell(row=row[0].row, column=col[header], value=value)
    wb.save(path)
