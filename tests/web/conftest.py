"""Fixtures of the web application's tests: a review snapshot in a tmp folder, a review store on SQLite or on
the PostgreSQL server (a fresh schema each), accounts, a TestClient, a live uvicorn server in a thread, and
Debian's Chromium driven by Playwright."""

from __future__ import annotations

import re
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import web_fixtures as wf

from linkage.review import accounts
from linkage.review.testing import DIALECTS, temporary_store, use_cheap_password_hashing
from linkage.web import WebConfig, create_app

with warnings.catch_warnings():  # Starlette 1.x suggests httpx2 for its TestClient; httpx still works
    warnings.simplefilter("ignore")
    from starlette import testclient  # noqa: F401

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@pytest.fixture(autouse=True)
def _cheap_hashing():
    previous = use_cheap_password_hashing()
    yield
    accounts.password_hasher = previous


@pytest.fixture(params=DIALECTS)
def env(request, tmp_path) -> Iterator[SimpleNamespace]:
    snap = tmp_path / "ws.snapshot"
    builder = wf.standard_snapshot(snap)
    with temporary_store(request.param, tmp_path) as store:
        wf.standard_accounts(store)
        yield SimpleNamespace(dialect=request.param, store=store, snapshot_dir=snap, builder=builder, tmp=tmp_path)


def make_app(env: SimpleNamespace, **kwargs):
    config = WebConfig(snapshot_dir=env.snapshot_dir, review_store=env.store, snapshot_check_seconds=0, **kwargs)
    return create_app(config)


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def login(client, username: str, password: str = wf.PASSWORD):
    page = client.get("/login")
    return client.post("/login", data={"username": username, "password": password, "csrf": csrf_of(page.text),
                                       "next": "/"})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live(env) -> Iterator[SimpleNamespace]:
    """The application served by uvicorn on 127.0.0.1 in a thread of the test process."""
    import uvicorn

    app = make_app(env)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    yield SimpleNamespace(url=f"http://127.0.0.1:{port}", app=app, env=env)
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "run `bash .ci/install-browser.sh` first (Debian's chromium)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def new_page(browser):
    contexts = []

    def make():
        ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(8000)
        return page

    yield make
    for ctx in contexts:
        ctx.close()
