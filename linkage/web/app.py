"""The review web application: an app factory (`create_app`) and the request plumbing shared by the pages
(sessions, CSRF, roles, language, rendering). The pages themselves are in `linkage.web.pages`.

It writes only to the review store and never opens the DuckDB workspace: it reads the review snapshot."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from linkage.review.accounts import Account, get_account
from linkage.review.store import ReviewStore
from linkage.web.i18n import LANGS, Translator, pick_lang
from linkage.web.security import (
    COOKIE,
    LANG_COOKIE,
    LoginThrottle,
    SecurityHeadersMiddleware,
    Session,
    SessionStore,
    csrf_ok,
    log,
    loggable,
    refused_input,
)
from linkage.web.snapshot import Snapshot, SnapshotHolder
from linkage.web.state import CurrentDecisions

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
MAX_FORM_FIELDS = 60


@dataclass
class WebConfig:
    """How one `linkage serve` runs. `review_store` is an open store (tests) or a path/URL."""

    snapshot_dir: Path
    review_store: ReviewStore | str
    secure_cookies: bool = False
    session_idle_minutes: float = 30
    session_hours: float = 12
    claim_minutes: float = 30
    page_size: int = 50
    login_per_user: int = 5
    login_per_ip: int = 20
    login_window_minutes: float = 15
    snapshot_check_seconds: float = 1.0
    workspace_dir: Path | None = None


@dataclass
class Web:
    """Everything the pages share, kept on `app.state.web`."""

    config: WebConfig
    store: ReviewStore
    snapshots: SnapshotHolder
    sessions: SessionStore
    throttle: LoginThrottle
    current: CurrentDecisions
    env: jinja2.Environment
    owns_store: bool = False
    static_versions: dict[str, str] = field(default_factory=dict)

    @property
    def secure(self) -> bool:
        return self.config.secure_cookies


class Ctx:
    """One request as a page sees it."""

    def __init__(self, request: Request, web: Web, form: Mapping[str, str], session: Session | None,
                 account: Account | None, lang: str) -> None:
        self.request = request
        self.web = web
        self.form = form
        self.session = session
        self.account = account
        self.lang = lang
        self.t = Translator(lang)
        self.set_session: Session | None = None
        self.clear_session = False

    @property
    def store(self) -> ReviewStore:
        return self.web.store

    @property
    def snapshot(self) -> Snapshot:
        return self.web.snapshots.get()

    @property
    def username(self) -> str:
        assert self.account is not None
        return self.account.username

    @property
    def client_ip(self) -> str:
        return self.request.client.host if self.request.client else "?"

    def flash(self, kind: str, text: str) -> None:
        if self.session is not None:
            self.session.flash.append((kind, text))

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        flashes: list[tuple[str, str]] = []
        if self.session is not None and self.session.flash:
            flashes, self.session.flash = self.session.flash, []
        snap = self.snapshot
        html = self.web.env.get_template(template).render(
            t=self.t, lang=self.lang, other_lang="en" if self.lang == "vi" else "vi", account=self.account,
            csrf=self.session.csrf if self.session else "", flashes=flashes, path=self.request.url.path,
            here=_here(self.request), snapshot=snap, **context,
        )
        return HTMLResponse(html, status_code=status)

    def redirect(self, url: str) -> RedirectResponse:
        return RedirectResponse(url, status_code=303)

    def error(self, status: int, key: str, detail: str | None = None) -> HTMLResponse:
        return self.render("error.html", status=status, message=self.t(key), detail=detail)


def _here(request: Request) -> str:
    q = request.url.query
    return request.url.path + (f"?{q}" if q else "")


def safe_next(value: str | None, default: str = "/") -> str:
    """A local path to go back to (never another site). Browsers drop tabs and line breaks from a URL and read
    a backslash as a slash, so `/<TAB>/evil.example` would be `//evil.example`: any control character, space
    or backslash is refused."""
    if (not value or not value.startswith("/") or value.startswith("//") or "\\" in value
            or any(ord(ch) <= 0x20 or ord(ch) == 0x7F for ch in value)):
        return default
    return value


Handler = Callable[..., Response]


def page(handler: Handler, *, login: bool = True, roles: tuple[str, ...] | None = None) -> Callable[[Request], Any]:
    """Wraps a page: reads the form, finds the session and account, checks the role and the CSRF token of
    every POST, then runs the page (blocking store and file work) in the thread pool."""

    async def endpoint(request: Request) -> Response:
        form: dict[str, str] = {}
        if request.method == "POST":
            data = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
            form = {k: v for k, v in data.items() if isinstance(v, str)}
        return await run_in_threadpool(_run, handler, request, form, login, roles)

    return endpoint


def _run(handler: Handler, request: Request, form: dict[str, str], login: bool,
         roles: tuple[str, ...] | None) -> Response:
    web: Web = request.app.state.web
    lang = pick_lang(request.cookies.get(LANG_COOKIE))
    session = web.sessions.get(request.cookies.get(COOKIE))
    account = None
    if session is not None and session.username is not None:
        account = get_account(web.store, session.username)
        if account is None or not account.active:
            web.sessions.drop(session)
            session, account = None, None
    ctx = Ctx(request, web, form, session, account, lang)
    refused = refused_input(request.path_params, request.query_params.multi_items(), form)
    if login and account is None:
        ctx.clear_session = request.cookies.get(COOKIE) is not None
        target = "/login"
        if request.method == "GET":
            target += "?next=" + _quote(_here(request))
        if request.cookies.get(COOKIE):
            target += ("&" if "?" in target else "?") + "expired=1"
        response: Response = ctx.redirect(target)
    elif roles is not None and (account is None or account.role not in roles):
        response = ctx.error(403, "forbidden")
    elif refused is not None:
        response = ctx.error(refused, "bad_form" if refused == 400 else "not_found")
    elif request.method == "POST" and not csrf_ok(session, form.get("csrf")):
        response = ctx.error(403, "bad_csrf")
    else:
        response = handler(ctx, **request.path_params)
    if response.status_code == 403:
        log.warning("refused (403) %s %s for %s from %s", request.method, loggable(request.url.path),
                    account.username if account else "-", ctx.client_ip)
    if ctx.set_session is not None:
        response.set_cookie(COOKIE, ctx.set_session.id, httponly=True, samesite="lax", secure=web.secure, path="/")
    elif ctx.clear_session:
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=web.secure)
    return response


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="/")


def _static_version(name: str) -> str:
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:10]


def _environment(web_versions: dict[str, str]) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)

    def static(name: str) -> str:
        if name not in web_versions:
            web_versions[name] = _static_version(name)
        return f"/static/{name}?v={web_versions[name]}"

    def pct(value: float | None) -> str:
        return "" if value is None else f"{100 * float(value):.1f}%"

    def num(value: float | None) -> str:
        return "" if value is None else f"{float(value):.2f}"

    env.globals.update(static=static, langs=LANGS)
    env.filters.update(pct=pct, num=num, shortts=lambda ts: (ts or "")[:16].replace("T", " "))
    return env


def create_app(config: WebConfig) -> Starlette:
    """The ASGI application for one review store and one snapshot folder."""
    from linkage.web import pages

    owns = not isinstance(config.review_store, ReviewStore)
    if isinstance(config.review_store, ReviewStore):
        store = config.review_store
    else:
        store = ReviewStore.open(config.review_store, workspace_dir=config.workspace_dir)
    versions: dict[str, str] = {}
    web = Web(
        config=config, store=store,
        snapshots=SnapshotHolder(Path(config.snapshot_dir), config.snapshot_check_seconds),
        sessions=SessionStore(idle=config.session_idle_minutes * 60, absolute=config.session_hours * 3600),
        throttle=LoginThrottle(per_user=config.login_per_user, per_ip=config.login_per_ip,
                               window=config.login_window_minutes * 60),
        current=CurrentDecisions(store), env=_environment(versions), owns_store=owns, static_versions=versions,
    )
    routes = [
        Route("/", page(pages.home), methods=["GET"]),
        Route("/healthz", lambda request: PlainTextResponse("ok"), methods=["GET"]),
        Route("/login", page(pages.login_form, login=False), methods=["GET"]),
        Route("/login", page(pages.login_submit, login=False), methods=["POST"]),
        Route("/logout", page(pages.logout, login=False), methods=["POST"]),
        Route("/lang/{code}", page(pages.switch_lang, login=False), methods=["GET"]),
        Route("/queue", page(pages.queue, roles=("officer", "steward")), methods=["GET"]),
        Route("/persons/{person_id}", page(pages.person, roles=("officer", "steward")), methods=["GET"]),
        Route("/conflicts/{conflict_id}/claim", page(pages.claim_conflict, roles=("officer", "steward")),
              methods=["POST"]),
        Route("/conflicts/{conflict_id}/release", page(pages.release_conflict, roles=("officer", "steward")),
              methods=["POST"]),
        Route("/conflicts/{conflict_id}/decide", page(pages.decide, roles=("officer", "steward")),
              methods=["POST"]),
        Route("/matches", page(pages.matches, roles=("steward",)), methods=["GET"]),
        Route("/matches/{match_id}", page(pages.match, roles=("steward",)), methods=["GET"]),
        Route("/matches/{match_id}/decide", page(pages.decide_pair, roles=("steward",)), methods=["POST"]),
        Route("/proposals", page(pages.proposals, roles=("steward",)), methods=["GET"]),
        Route("/proposals/{decision_id:int}/decide", page(pages.decide_proposal, roles=("steward",)),
              methods=["POST"]),
        Route("/admin/users", page(pages.users, roles=("admin",)), methods=["GET"]),
        Route("/admin/users", page(pages.add_user, roles=("admin",)), methods=["POST"]),
        Route("/admin/users/{username}/active", page(pages.user_active, roles=("admin",)), methods=["POST"]),
        Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
    ]

    async def not_found(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        text = {404: "Không tìm thấy / Not found", 405: "Không cho phép / Method not allowed"}.get(
            status, "Lỗi / Error")
        return HTMLResponse(f"<!doctype html><html lang=vi><meta charset=utf-8><title>{status}</title>"
                            f"<p>{text}</p><p><a href=\"/\">Trang chủ / Home</a></p></html>", status_code=status)

    def shutdown() -> None:
        if web.owns_store:
            store.close()

    import contextlib

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> Any:
        yield
        shutdown()

    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found}, lifespan=lifespan)
    app.state.web = web
    app.add_middleware(SecurityHeadersMiddleware, secure=config.secure_cookies)
    return app


def config_from_env() -> WebConfig:  # for `uvicorn linkage.web.app:app_from_env --factory`
    from linkage.review.store import resolve_target
    from linkage.snapshot import snapshot_dir

    db = os.environ.get("LINKAGE_DB") or "linkage.duckdb"
    return WebConfig(snapshot_dir=snapshot_dir(db), review_store=resolve_target(None, db),
                     secure_cookies=os.environ.get("LINKAGE_SECURE_COOKIES", "") not in ("", "0"),
                     workspace_dir=Path(db).resolve().parent)


def app_from_env() -> Starlette:
    return create_app(config_from_env())
