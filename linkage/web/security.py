"""Sessions (server-side, in memory), CSRF tokens, log-in throttling and security headers.

One `linkage serve` process holds its sessions in memory: a restart logs everyone out, which is acceptable
for an office application (run one process per store; see docs/deploy.md)."""

from __future__ import annotations

import hmac
import logging
import secrets
import threading
import time
from collections import OrderedDict, defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

COOKIE = "linkage_session"
LANG_COOKIE = "linkage_lang"
MAX_ID = 2**31 - 1  # the review store's integer columns (decision ids) are 32-bit on PostgreSQL
log = logging.getLogger("linkage.web")


def loggable(text: object, limit: int = 80) -> str:
    """A value typed by a client, safe to put in a log line: control characters (CR, LF …) become '?' so that
    nobody can forge log lines, and it is cut to `limit` characters."""
    s = str(text)[:limit]
    return "".join("?" if ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 else ch for ch in s)


def refused_input(path_params: dict[str, Any], query: list[tuple[str, str]], form: dict[str, str]) -> int | None:
    """The status for a request whose input no page may see (None: fine). NUL characters are refused with 400:
    PostgreSQL cannot store them, and no form or id has a use for them. An integer id outside the store's
    range names nothing: 404."""
    texts = [*query, *form.items(), *((k, v) for k, v in path_params.items() if isinstance(v, str))]
    if any("\x00" in k or "\x00" in v for k, v in texts):
        return 400
    if any(isinstance(v, int) and not 0 <= v <= MAX_ID for v in path_params.values()):
        return 404
    return None


@dataclass
class Session:
    id: str
    csrf: str
    username: str | None = None
    created: float = field(default_factory=time.time)
    seen: float = field(default_factory=time.time)
    flash: list[tuple[str, str]] = field(default_factory=list)  # (kind, text)


class SessionStore:
    """Sessions by id. A logged-in session ends after `idle` seconds without a request or `absolute` seconds
    after log-in; an anonymous one (log-in form) after `anonymous` seconds. At most `max_sessions` are kept
    (the oldest anonymous ones go first)."""

    def __init__(self, *, idle: float = 30 * 60, absolute: float = 12 * 3600, anonymous: float = 15 * 60,
                 max_sessions: int = 20000, clock: Callable[[], float] = time.time) -> None:
        self.idle, self.absolute, self.anonymous = idle, absolute, anonymous
        self.max_sessions = max_sessions
        self.clock = clock
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    def _expired(self, s: Session, now: float) -> bool:
        if s.username is None:
            return now - s.created > self.anonymous
        return now - s.seen > self.idle or now - s.created > self.absolute

    def get(self, sid: str | None) -> Session | None:
        if not sid:
            return None
        now = self.clock()
        with self._lock:
            s = self._sessions.get(sid)
            if s is None:
                return None
            if self._expired(s, now):
                del self._sessions[sid]
                return None
            s.seen = now
            return s

    def new(self, username: str | None = None) -> Session:
        now = self.clock()
        s = Session(id=secrets.token_urlsafe(32), csrf=secrets.token_urlsafe(32), username=username,
                    created=now, seen=now)
        with self._lock:
            self._prune(now)
            self._sessions[s.id] = s
        return s

    def rotate(self, old: Session | None, username: str) -> Session:
        """Log-in: a new session id and CSRF token (no fixation); the old session ends."""
        self.drop(old)
        return self.new(username)

    def drop(self, s: Session | None) -> None:
        if s is None:
            return
        with self._lock:
            self._sessions.pop(s.id, None)

    def drop_user(self, username: str) -> None:
        with self._lock:
            for sid in [k for k, s in self._sessions.items() if s.username == username]:
                del self._sessions[sid]

    def _prune(self, now: float) -> None:
        if len(self._sessions) < self.max_sessions:
            return
        for sid in [k for k, s in self._sessions.items() if self._expired(s, now)]:
            del self._sessions[sid]
        while len(self._sessions) >= self.max_sessions:
            victim = next((k for k, s in self._sessions.items() if s.username is None), None)
            if victim is None:
                victim = next(iter(self._sessions))
            del self._sessions[victim]

    def __len__(self) -> int:
        return len(self._sessions)


def csrf_ok(session: Session | None, token: object) -> bool:
    return session is not None and isinstance(token, str) and hmac.compare_digest(session.csrf, token)


class LoginThrottle:
    """Failed log-ins per user name and per client address in a sliding window: past the limit, further
    attempts are refused without checking the password until the window has room again."""

    def __init__(self, *, per_user: int = 5, per_ip: int = 20, window: float = 15 * 60,
                 clock: Callable[[], float] = time.time) -> None:
        self.per_user, self.per_ip, self.window = per_user, per_ip, window
        self.clock = clock
        self._fails: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _trim(self, key: str, now: float) -> deque[float]:
        q = self._fails[key]
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def retry_after(self, username: str, ip: str) -> float:
        """Seconds until another attempt is allowed (0: allowed now)."""
        now = self.clock()
        wait = 0.0
        with self._lock:
            for key, limit in ((f"u:{username.strip().lower()}", self.per_user), (f"ip:{ip}", self.per_ip)):
                q = self._trim(key, now)
                if len(q) >= limit:
                    wait = max(wait, self.window - (now - q[-limit]))
        return wait

    def failed(self, username: str, ip: str) -> None:
        now = self.clock()
        with self._lock:
            for key in (f"u:{username.strip().lower()}", f"ip:{ip}"):
                self._trim(key, now).append(now)

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._fails.pop(f"u:{username.strip().lower()}", None)


CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def security_headers(secure: bool) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"content-security-policy", CSP.encode()),
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    ]
    if secure:
        headers.append((b"strict-transport-security", b"max-age=31536000"))
    return headers


ERROR_500 = (b"<!doctype html><html lang=vi><meta charset=utf-8><title>500</title>"
             b"<p>L\xe1\xbb\x97i / Error</p><p><a href=\"/\">Trang ch\xe1\xbb\xa7 / Home</a></p></html>")


class SecurityHeadersMiddleware:
    """Adds the security headers to every response, and `Cache-Control: no-store` to every page that is not a
    static asset (pages hold citizens' data). An unexpected error gets a plain 500 page with the same headers
    (Starlette's own error page comes from outside every middleware, without them); the exception goes on
    to the server, which logs its traceback. The client never sees it."""

    def __init__(self, app: Any, secure: bool = False) -> None:
        self.app = app
        self.headers = security_headers(secure)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith("/static/")

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers += [h for h in self.headers if h[0] not in names]
                if not static and b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        started = False

        async def send_tracked(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send_with_headers(message)

        try:
            await self.app(scope, receive, send_tracked)
        except Exception:
            if not started:
                await send_with_headers({"type": "http.response.start", "status": 500, "headers": [
                    (b"content-type", b"text/html; charset=utf-8"),
                    (b"content-length", str(len(ERROR_500)).encode())]})
                await send_with_headers({"type": "http.response.body", "body": ERROR_500})
            raise
