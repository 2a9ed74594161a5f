"""Accounts: `linkage users add|disable|enable|list` and password checks, on SQLite and PostgreSQL."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from linkage.commands.users import command as users_command
from linkage.review import accounts
from linkage.review.store import ReviewStore
from linkage.review.store import accounts as accounts_table
from linkage.review.testing import DIALECTS, drop_schema, store_target


@pytest.fixture(params=DIALECTS)
def env(request, tmp_path, monkeypatch):
    target, schema = store_target(request.param, tmp_path)
    monkeypatch.setenv("LINKAGE_CHAIN_HEAD", str(tmp_path / "chain-head"))
    cli_target = target if schema is None else f"{target}?schema={schema}"
    yield SimpleNamespace(target=target, schema=schema, cli=cli_target, tmp=tmp_path)
    if schema:
        drop_schema(schema)


def _users(env, *args: str, input: str | None = None):
    return CliRunner().invoke(users_command, [*args, "--review-store", env.cli], input=input)


def _open(env) -> ReviewStore:
    return ReviewStore.open(env.target, schema=env.schema)


def test_add_list_disable_enable(env):
    r = _users(env, "add", "an.nguyen", "--name", "Nguyễn Văn An", "--role", "officer", "--commune", "26734",
               "--commune", "26735", "--password", "mật-khẩu-dài")
    assert r.exit_code == 0, r.output
    assert "Added an.nguyen (officer; commune 26734, commune 26735)" in r.output
    r = _users(env, "add", "Cuong", "--name", "Lê Văn Cường", "--role", "steward", "--password", "password-3")
    assert r.exit_code == 0, r.output
    r = _users(env, "list")
    assert r.exit_code == 0
    lines = r.output.splitlines()
    assert lines[0].split()[:4] == ["an.nguyen", "officer", "active", "commune"]
    assert lines[1].split()[:4] == ["cuong", "steward", "active", "all"]
    assert "mật-khẩu" not in r.output and "argon2" not in r.output
    assert _users(env, "disable", "an.nguyen").exit_code == 0
    assert "disabled" in _users(env, "list").output.splitlines()[0]
    with _open(env) as store:
        assert accounts.authenticate(store, "an.nguyen", "mật-khẩu-dài") is None
    assert _users(env, "enable", "an.nguyen").exit_code == 0
    with _open(env) as store:
        account = accounts.authenticate(store, "AN.NGUYEN", "mật-khẩu-dài")
        assert account is not None and account.communes == ("26734", "26735")
        assert account.covers("001", "26735") and not account.covers("001", "26736")


def test_password_prompted_and_hashed_with_argon2(env):
    r = _users(env, "add", "binh", "--name", "Trần Thị Bình", "--role", "officer", "--province", "079",
               input="bí-mật-123\nbí-mật-123\n")
    assert r.exit_code == 0, r.output
    with _open(env) as store:
        with store.read() as conn:
            digest = conn.execute(sa.select(accounts_table.c.password_hash)).scalar_one()
        assert digest.startswith("$argon2id$") and "bí-mật" not in digest
        assert accounts.authenticate(store, "binh", "bí-mật-123").provinces == ("079",)
        assert accounts.authenticate(store, "binh", "bí-mật-124") is None
        assert accounts.authenticate(store, "nobody", "bí-mật-123") is None


@pytest.mark.parametrize(("args", "message"), [
    (["add", "x1", "--name", "X", "--role", "officer", "--password", "password-1"], "at least one --commune"),
    (["add", "x1", "--name", "X", "--role", "steward", "--commune", "1", "--password", "password-1"],
     "not scoped"),
    (["add", "x1", "--name", "X", "--role", "admin", "--password", "short"], "at least 8"),
    (["add", "a b", "--name", "X", "--role", "admin", "--password", "password-1"], "invalid user name"),
    (["add", "x1", "--name", "X", "--role", "king", "--password", "password-1"], "king"),
    (["disable", "ghost"], "no user ghost"),
])
def test_user_errors_exit_2(env, args, message):
    r = _users(env, *args)
    assert r.exit_code == 2 and message in r.output, r.output


def test_duplicate_user_refused(env):
    args = ["add", "an", "--name", "An", "--role", "admin", "--password", "password-1"]
    assert _users(env, *args).exit_code == 0
    r = _users(env, *args)
    assert r.exit_code == 2 and "already exists" in r.output


def test_default_store_lies_beside_the_workspace(tmp_path, monkeypatch):
    monkeypatch.delenv("LINKAGE_REVIEW_STORE", raising=False)
    monkeypatch.delenv("LINKAGE_CHAIN_HEAD", raising=False)
    db = tmp_path / "ha-noi.duckdb"
    r = CliRunner().invoke(users_command, ["add", "root", "--name", "Quản trị", "--role", "admin",
                                           "--password", "password-1", "--db", str(db)])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "ha-noi.review.sqlite").exists()


def test_rehash_on_login_when_parameters_change(env):
    with _open(env) as store:
        accounts.add_account(store, "an", "An", "admin", "password-1")
        accounts.password_hasher = type(accounts.password_hasher)(time_cost=2, memory_cost=1024, parallelism=1)
        assert accounts.authenticate(store, "an", "password-1") is not None
        with store.read() as conn:
            digest = conn.execute(sa.select(accounts_table.c.password_hash)).scalar_one()
        assert "t=2" in digest


@pytest.mark.parametrize(("spec", "province", "commune", "expected"), [
    ("26734", "001", "26734", True),
    ("Xã Tân Lập", "001", "xã  tân lập", True),
    ("Xã Tân Lập", "001", "Xã Tấn Lập", False),  # diacritics matter: another commune
    ("001:Xã Tân Lập", "001", "Xã Tân Lập", True),
    ("001:Xã Tân Lập", "024", "Xã Tân Lập", False),  # same name, another province
    ("26734", "001", None, False),
])
def test_commune_matching(spec, province, commune, expected):
    assert accounts.commune_matches(spec, province, commune) is expected
