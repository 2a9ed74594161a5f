"""Accounts of the review side: Justice officers (scoped to communes and/or provinces), data stewards (all),
administrators (accounts only). Passwords are hashed with argon2."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from linkage.errors import UserError
from linkage.normalise.text import clean_text
from linkage.review.store import ReviewStore, account_scopes, accounts, format_ts

ROLES: tuple[str, ...] = ("officer", "steward", "admin")
ROLE_LABELS_VI = {"officer": "Công chức tư pháp – hộ tịch", "steward": "Cán bộ quản lý dữ liệu",
                  "admin": "Quản trị tài khoản"}
MIN_PASSWORD = 8
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")

# Module-level so that tests (and small deployments) can choose cheaper parameters.
password_hasher = PasswordHasher()


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str
    role: str
    active: bool
    communes: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()

    @property
    def decides(self) -> bool:
        """May record decisions at all (officers within their jurisdiction, stewards everywhere)."""
        return self.active and self.role in ("officer", "steward")

    def covers(self, province_code: str | None, commune: str | None) -> bool:
        """Whether a conflict settled in (province_code, commune) is within this account's jurisdiction."""
        if not self.active:
            return False
        if self.role == "steward":
            return True
        if self.role != "officer":
            return False
        if any(commune_matches(spec, province_code, commune) for spec in self.communes):
            return True
        return province_code is not None and province_code.strip() in {p.strip() for p in self.provinces}

    def scope_text(self) -> str:
        if self.role == "steward":
            return "all"
        if self.role == "admin":
            return "accounts"
        parts = [f"commune {c}" for c in self.communes] + [f"province {p}" for p in self.provinces]
        return ", ".join(parts) or "none"


def _norm(text: str) -> str:
    return (clean_text(text) or "").casefold()


def commune_matches(spec: str, province_code: str | None, commune: str | None) -> bool:
    """Whether a commune given by a user (`COMMUNE` or `PROVINCE:COMMUNE`, code or name as the workspace has
    it; case and spacing aside) names (province_code, commune). Commune names repeat across provinces: the
    qualified form keeps an officer to one."""
    if commune is None:
        return False
    province, sep, name = spec.rpartition(":")
    if sep and (province_code is None or province.strip() != province_code.strip()):
        return False
    return _norm(name) == _norm(commune)


def validate_username(username: str) -> str:
    name = username.strip().lower()
    if not _USERNAME.fullmatch(name):
        raise UserError(f"invalid user name {username!r}: 2–64 characters a-z, 0-9, '.', '_', '-'")
    return name


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password must have at least {MIN_PASSWORD} characters")
    return password_hasher.hash(password)


def add_account(store: ReviewStore, username: str, display_name: str, role: str, password: str, *,
                communes: Iterable[str] = (), provinces: Iterable[str] = ()) -> Account:
    """Creates an account. An officer needs at least one commune or province."""
    name = validate_username(username)
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    communes_t = tuple(dict.fromkeys(c.strip() for c in communes if c and c.strip()))
    provinces_t = tuple(dict.fromkeys(p.strip() for p in provinces if p and p.strip()))
    if role == "officer" and not (communes_t or provinces_t):
        raise UserError("an officer needs at least one --commune or --province")
    if role != "officer" and (communes_t or provinces_t):
        raise UserError(f"a {role} is not scoped to communes or provinces")
    if not display_name.strip():
        raise UserError("the display name is empty")
    digest = hash_password(password)
    now = format_ts(store.clock())
    with store.write() as conn:
        if conn.execute(sa.select(accounts.c.username).where(accounts.c.username == name)).first():
            raise UserError(f"user {name} already exists")
        conn.execute(sa.insert(accounts).values(username=name, display_name=display_name.strip(), role=role,
                                                password_hash=digest, active=True, created_at=now,
                                                updated_at=now))
        rows = [{"username": name, "scope": "commune", "code": c} for c in communes_t]
        rows += [{"username": name, "scope": "province", "code": p} for p in provinces_t]
        if rows:
            conn.execute(sa.insert(account_scopes), rows)
    return Account(name, display_name.strip(), role, True, communes_t, provinces_t)


def set_active(store: ReviewStore, username: str, active: bool) -> Account:
    name = username.strip().lower()
    with store.write() as conn:
        done = conn.execute(sa.update(accounts).where(accounts.c.username == name)
                            .values(active=active, updated_at=format_ts(store.clock())))
        if done.rowcount == 0:
            raise UserError(f"no user {name}")
    account = get_account(store, name)
    assert account is not None
    return account


def disable_account(store: ReviewStore, username: str) -> Account:
    return set_active(store, username, False)


def set_password(store: ReviewStore, username: str, password: str) -> None:
    digest = hash_password(password)
    with store.write() as conn:
        done = conn.execute(sa.update(accounts).where(accounts.c.username == username)
                            .values(password_hash=digest, updated_at=format_ts(store.clock())))
        if done.rowcount == 0:
            raise UserError(f"no user {username}")


def get_account(store: ReviewStore, username: str) -> Account | None:
    found = list_accounts(store, username=username.strip().lower())
    return found[0] if found else None


def require_account(store: ReviewStore, username: str) -> Account:
    account = get_account(store, username)
    if account is None:
        raise UserError(f"no user {username}")
    if not account.active:
        raise UserError(f"user {account.username} is disabled")
    return account


def list_accounts(store: ReviewStore, *, username: str | None = None) -> list[Account]:
    query = sa.select(accounts.c.username, accounts.c.display_name, accounts.c.role, accounts.c.active)
    scopes = sa.select(account_scopes.c.username, account_scopes.c.scope, account_scopes.c.code)
    if username is not None:
        query = query.where(accounts.c.username == username)
        scopes = scopes.where(account_scopes.c.username == username)
    with store.read() as conn:
        rows = conn.execute(query.order_by(accounts.c.username)).all()
        scope_rows = conn.execute(scopes.order_by(account_scopes.c.scope, account_scopes.c.code)).all()
    by_user: dict[str, dict[str, list[str]]] = {}
    for user, scope, code in scope_rows:
        by_user.setdefault(user, {"commune": [], "province": []})[scope].append(code)
    out = []
    for user, display, role, active in rows:
        sc = by_user.get(user, {"commune": [], "province": []})
        out.append(Account(user, display, role, bool(active), tuple(sc["commune"]), tuple(sc["province"])))
    return out


def authenticate(store: ReviewStore, username: str, password: str) -> Account | None:
    """The account if the password is right and the account active; None otherwise (same answer for an
    unknown user, a wrong password and a disabled account)."""
    name = username.strip().lower()
    with store.read() as conn:
        row = conn.execute(sa.select(accounts.c.password_hash, accounts.c.active)
                           .where(accounts.c.username == name)).first()
    if row is None:
        password_hasher.hash(password)  # same time as a real check: do not reveal which names exist
        return None
    try:
        password_hasher.verify(row.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if not row.active:
        return None
    if password_hasher.check_needs_rehash(row.password_hash):
        set_password(store, name, password)
    return get_account(store, name)
