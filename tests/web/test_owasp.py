"""OWASP Top 10 (2021) checks of the review web application, driven by its own route table: every route of
`app.routes` must be classified below (public / needs a log-in / needs a role), so a route added later is
refused by `test_route_table_is_fully_classified` until it is, and is then covered by every check that
iterates over the table (log-in, roles, jurisdiction, CSRF, injection, GET without writes, headers).

On SQLite and on PostgreSQL (the `env` fixture), except where a check does not touch the store.
docs/security.md says which test backs which claim."""

from __future__ import annotations

import ast
import http.client
import logging
import re
import threading
import time
from datetime import UTC, datetime
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
import web_fixtures as wf
from conftest import csrf_of, free_port, login, make_app
from markupsafe import escape
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from linkage.review import accounts as acc
from linkage.review import decisions as dz
from linkage.review.store import decisions as journal_table
from linkage.review.store import metadata, parse_ts
from linkage.web.snapshot import load_snapshot

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx`")

WEB = Path(__file__).resolve().parents[2] / "linkage" / "web"
P1, P2, P4 = "P000000000001", "P000000000002", "P000000000004"
C1, C4 = wf.conflict_id(P1, "birth_date"), wf.conflict_id(P4, "birth_date")
C2N = wf.conflict_id(P2, "full_name")

# ------------------------------------------------------------------------------------------------ the route table

PUBLIC, LOGIN = "public", "login"  # or a tuple of roles
ACCESS: dict[tuple[str, str], object] = {
    ("GET", "/"): LOGIN,
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): PUBLIC,  # ends whatever session the cookie names; CSRF-checked like every POST
    ("GET", "/lang/{code}"): PUBLIC,
    ("GET", "/queue"): ("officer", "steward"),
    ("GET", "/persons/{person_id}"): ("officer", "steward"),
    ("POST", "/conflicts/{conflict_id}/claim"): ("officer", "steward"),
    ("POST", "/conflicts/{conflict_id}/release"): ("officer", "steward"),
    ("POST", "/conflicts/{conflict_id}/decide"): ("officer", "steward"),
    ("GET", "/matches"): ("steward",),
    ("GET", "/matches/{match_id}"): ("steward",),
    ("POST", "/matches/{match_id}/decide"): ("steward",),
    ("GET", "/proposals"): ("steward",),
    ("POST", "/proposals/{decision_id:int}/decide"): ("steward",),
    ("GET", "/admin/users"): ("admin",),
    ("POST", "/admin/users"): ("admin",),
    ("POST", "/admin/users/{username}/active"): ("admin",),
    ("GET", "/static/{path}"): PUBLIC,
}
# Path parameters that name an object of one commune: an officer may only reach those of their jurisdiction.
# (Possible matches and proposals are stewards' only, and stewards cover every commune; user names are the
# admin's.)
SCOPED = {"person_id", "conflict_id"}
OBJECTS = SCOPED | {"match_id", "decision_id", "username"}  # every path parameter that names a stored object
ROLE_USER = {"officer": "an", "steward": "cuong", "admin": "root"}
PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


def route_table(app) -> list[tuple[str, str]]:
    out = []
    for r in app.routes:
        if isinstance(r, Mount):
            out.append(("GET", r.path + "/{path}"))
        else:
            assert isinstance(r, Route), r
            out += [(m, r.path) for m in sorted(r.methods or ()) if m != "HEAD"]
    return out


def fill(path: str, ids: dict[str, str]) -> str:
    return PARAM.sub(lambda m: ids[m.group(1)], path)


def user_for(access: object) -> str | None:
    if access == PUBLIC:
        return None
    if access == LOGIN:
        return "an"
    assert isinstance(access, tuple)
    return ROLE_USER[access[0]]


def client(app, **kwargs) -> TestClient:
    return TestClient(app, base_url="http://testserver", follow_redirects=False, **kwargs)


def signed_in(app, username: str, password: str = wf.PASSWORD) -> TestClient:
    c = client(app)
    r = login(c, username, password)
    assert r.status_code == 303, r.text[:300]
    return c


def anonymous(app) -> TestClient:
    c = client(app)
    assert c.get("/login").status_code == 200
    return c


def token(c: TestClient) -> str:
    """The CSRF token of the client's session, as a page shows it."""
    page = c.get("/login", follow_redirects=True)  # a logged-in user is sent on to their start page
    return csrf_of(page.text)


def store_dump(store) -> dict[str, list[str]]:
    """Every row of every table of the review store, as text."""
    with store.read() as conn:
        return {t.name: sorted(repr(tuple(row)) for row in conn.execute(sa.select(t)).all())
                for t in metadata.sorted_tables}


def journal_length(store) -> int:
    with store.read() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(journal_table)).scalar_one()


@pytest.fixture
def world(env) -> SimpleNamespace:
    """The app on the standard snapshot, with a pending split proposal (commune 26737, by steward duyen) and
    the ids that each route's path parameters take: `own` (within officer an's commune 079:26734) and
    `other` (commune 26737)."""
    app = make_app(env)
    snap = load_snapshot(env.snapshot_dir)
    proposal = dz.decide_conflict(env.store, "duyen", snap.conflicts[C4], "split", reason="Hai người").decision
    match_id = next(iter(snap.matches))
    own = {"person_id": P1, "conflict_id": C1, "match_id": match_id, "decision_id": str(proposal.id),
           "username": "binh", "code": "en", "path": "style.css"}
    other = {**own, "person_id": P4, "conflict_id": C4}
    outside = [p for p in env.builder.persons if p.commune != "26734"]  # none of these is an's
    markers = sorted({r["full_name"] for p in outside for r in p.records}
                     | {r["record_id"] for p in outside for r in p.records})
    p4 = next(p for p in env.builder.persons if p.person_id == P4)
    p4_markers = sorted({r["full_name"] for r in p4.records} | {r["record_id"] for r in p4.records}
                        | {r["hometown"] for r in p4.records} | {"1975"})
    return SimpleNamespace(app=app, env=env, snap=snap, proposal=proposal, own=own, other=other,
                           markers=markers, p4_markers=p4_markers)


def valid_form(w: SimpleNamespace, path: str, ids: dict[str, str]) -> dict[str, str]:
    """A complete form as the page would send it (without its CSRF token) for each POST route. A new POST
    route fails here until it has one."""
    conflict = w.snap.conflicts.get(ids["conflict_id"])
    forms = {
        "/login": {"username": "dung", "password": wf.PASSWORD, "next": "/queue"},
        "/logout": {},
        "/conflicts/{conflict_id}/claim": {"open_only": "1", "back": "/queue"},
        "/conflicts/{conflict_id}/release": {},
        "/conflicts/{conflict_id}/decide": {
            "fingerprint": conflict.fingerprint if conflict else "", "previous": "", "back": "/queue",
            "kind": "accept", "choice": "", "value": "", "reason": "Theo giấy khai sinh", "legal_ref": ""},
        "/matches/{match_id}/decide": {"verdict": "different", "reason": "Khác cha mẹ", "previous": ""},
        "/proposals/{decision_id:int}/decide": {"verdict": "reject", "reason": "Không đủ căn cứ"},
        "/admin/users": {"username": "moi", "display_name": "Người Mới", "role": "steward",
                         "password": "mat-khau-moi-1", "communes": "", "provinces": ""},
        "/admin/users/{username}/active": {"active": "0"},
    }
    assert path in forms, f"add a valid form for POST {path} to valid_form()"
    return dict(forms[path])


def read_names(pattern: str) -> set[str]:
    """Names the pages read (`form.get("x")`, `query_params.get("x")`) according to their source."""
    return set(re.findall(pattern, (WEB / "pages.py").read_text(encoding="utf-8")))


FORM_FIELDS_READ = r'(?:form|\bf)\.get\("(\w+)"'
QUERY_PARAMS_READ = r'(?:query_params|\bq)\.get\("(\w+)"'

LEAK = ("Traceback", 'File "', "sqlalchemy", "psycopg", "sqlite3", "OperationalError", "ProgrammingError",
        "$argon2")


def assert_no_leak(body: str, markers: list[str], what: str) -> None:
    for m in [*LEAK, *markers]:
        assert m not in body, f"{what}: {m!r} in the answer"


# ================================================================================================= A01


def test_route_table_is_fully_classified(env):
    app = make_app(env)
    table = route_table(app)
    assert len(table) == len(set(table)), "a route is declared twice"
    assert set(table) == set(ACCESS), ("classify every route in ACCESS (public / login / roles): "
                                      f"new {set(table) - set(ACCESS)}, gone {set(ACCESS) - set(table)}")
    assert {p for _, path in table for p in PARAM.findall(path)} <= {"person_id", "conflict_id", "match_id",
                                                                     "decision_id", "username", "code", "path"}
    # the application's own wrapper agrees: the role test below would find any difference by behaviour, and
    # every non-static route goes through it
    for r in app.routes:
        if isinstance(r, Route) and r.path != "/healthz":
            assert r.endpoint.__qualname__.startswith("page.<locals>"), r.path


def test_every_route_without_login_redirects_to_login_without_data(world):
    app = world.app
    checked = 0
    for case in ("no cookie", "anonymous session", "forged cookie"):
        c = anonymous(app) if case == "anonymous session" else client(app)  # the first: its own valid token
        tok = token(c) if case == "anonymous session" else "forged"
        if case == "forged cookie":
            c.cookies.set("linkage_session", "forged-session-id")
        for method, path in route_table(app):
            if ACCESS[(method, path)] == PUBLIC:
                continue
            url = fill(path, world.own)
            if method == "GET":
                r = c.get(url)
            else:
                r = c.post(url, data={**valid_form(world, path, world.own), "csrf": tok})
            assert r.status_code == 303, (method, url, r.status_code)
            assert r.headers["location"].startswith("/login"), (method, url)
            assert r.content == b"", (method, url)
            checked += 1
    assert checked >= 3 * 14
    assert journal_length(world.env.store) == 1  # the fixture's proposal only


def test_every_role_restricted_route_refuses_other_roles(world):
    app = world.app
    before = store_dump(world.env.store)
    clients = {role: signed_in(app, user) for role, user in ROLE_USER.items()}
    tokens = {role: token(c) for role, c in clients.items()}
    checked = 0
    for method, path in route_table(app):
        access = ACCESS[(method, path)]
        if not isinstance(access, tuple):
            continue
        for role, c in clients.items():
            if role in access:
                continue
            url = fill(path, world.own)
            if method == "GET":
                r = c.get(url)
            else:
                r = c.post(url, data={**valid_form(world, path, world.own), "csrf": tokens[role]})
            assert r.status_code == 403, (role, method, url, r.status_code)
            assert_no_leak(r.text, ["Nguyễn Văn An", "KS00001", "Võ Văn Giang"], f"{role} {method} {url}")
            checked += 1
    assert checked >= 20
    assert store_dump(world.env.store) == before


@pytest.mark.parametrize(("who", "ids"), [("an", "other"), ("tinh", "own")])
def test_objects_of_another_commune_are_403_without_their_data(world, who, ids):
    """Officer an (commune 079:26734) asks for commune 26737's objects; officer tinh (province 001) for an's.
    By GET and by forged POST with a valid token and a complete form, on every route whose path names an
    object: persons, conflicts (claim, release, decide), possible matches, proposals, accounts."""
    app = world.app
    c = signed_in(app, who)
    tok = token(c)
    target = getattr(world, ids)
    markers = (world.p4_markers + world.markers if ids == "other"
               else ["Nguyễn Văn An", "KS00001", "NK00001", "26734"])
    before = store_dump(world.env.store)
    seen = {"GET": 0, "POST": 0}
    for method, path in route_table(app):
        if not OBJECTS & set(PARAM.findall(path)):
            continue
        url = fill(path, target)
        if method == "GET":
            r = c.get(url)
        else:
            form = valid_form(world, path, target)
            r = c.post(url, data={**form, "csrf": tok})
        assert r.status_code == 403, (who, method, url, r.status_code)
        assert_no_leak(r.text, markers, f"{who} {method} {url}")
        seen[method] += 1
    assert seen["GET"] >= 2 and seen["POST"] >= 6
    assert store_dump(world.env.store) == before


def test_ids_in_forms_cannot_reach_other_objects(world):
    """IDOR through form fields: a record of another commune's person as the chosen value, another subject's
    decision as `previous`, a conflict decision as a proposal, `back` to another commune's person."""
    store, app = world.env.store, world.app
    snap = world.snap
    c4_decision = world.proposal.id  # the split on C4 (commune 26737)
    an = signed_in(app, "an")
    tok = token(an)
    base = {**valid_form(world, "/conflicts/{conflict_id}/decide", world.own), "csrf": tok}
    p4_record = next(v for v in snap.conflicts[C4].values)
    r = an.post(f"/conflicts/{C1}/decide", data={**base, "kind": "choose",
                                                 "choice": f"{p4_record.source}|{p4_record.record_id}"})
    assert r.status_code == 422
    assert_no_leak(r.text, world.p4_markers, "choice of P4's record")
    r = an.post(f"/conflicts/{C1}/decide", data={**base, "previous": str(c4_decision)})
    assert r.status_code == 409
    assert_no_leak(r.text, world.p4_markers, "previous = C4's decision")
    assert journal_length(store) == 1
    # a conflict decision is not a proposal: a steward cannot "approve" it through the proposal route
    plain = dz.decide_conflict(store, "an", snap.conflicts[C1], "accept").decision
    cuong = signed_in(app, "cuong")
    r = cuong.post(f"/proposals/{plain.id}/decide", data={"csrf": token(cuong), "verdict": "approve",
                                                          "reason": "ok"})
    assert r.status_code == 400 and journal_length(store) == 2


# ================================================================================================= A03


SQLI = ["' OR 1=1 --", "' OR '1'='1", '" OR ""="', "'; DROP TABLE decisions; --", '"; DROP TABLE accounts; --',
        "\u2019 OR 1=1 --", "\uff07 OR \uff071\uff07=\uff071", "1 UNION SELECT password_hash FROM accounts --",
        "x\x00' OR 1=1", "99999999999999999999999", "-1", "%27%20OR%201%3D1"]
SQLI_CORE = [SQLI[0], SQLI[4], SQLI[6], SQLI[7], SQLI[8], SQLI[9]]  # one of each kind, for each field
X_SCRIPT = '<script>alert("xss-script")</script>'
X_IMG = '"><img src=x onerror=alert("xss-img")>'
X_JS = "javascript:alert('xss-js')"
X_ATTR = "' onmouseover='alert(1)' data-x='"
XSS = [X_SCRIPT, X_IMG, X_JS, X_ATTR]


def test_every_query_parameter_resists_injection(world):
    """Every GET route, as a user who may open it, with every query parameter that a page reads set to each
    SQL-injection and XSS payload: never a 500, nothing leaks, nothing is reflected unescaped, and the
    queue's filters select nothing."""
    params = read_names(QUERY_PARAMS_READ)
    assert {"field", "severity", "commune", "page", "next", "back"} <= params
    app = world.app
    clients: dict[str | None, TestClient] = {None: client(app)}
    requests = 0
    for method, path in route_table(app):
        if method != "GET":
            continue
        who = user_for(ACCESS[(method, path)])
        if who not in clients:
            clients[who] = signed_in(app, who)
        markers = world.markers if who == "an" else []
        for payload in SQLI + XSS:
            url = fill(path, world.own)
            r = clients[who].get(url, params={p: payload for p in params})
            requests += 1
            assert r.status_code < 500, (url, payload, r.status_code)
            assert_no_leak(r.text, markers, f"{url} {payload!r}")
            if payload in XSS:
                assert payload not in r.text, (url, payload)
            for value in r.headers.values():
                assert "\r" not in value and "\n" not in value
    assert requests > 100
    an = clients["an"]
    for name in ("field", "severity", "commune"):
        for payload in SQLI:
            r = an.get("/queue", params={name: payload})
            assert r.status_code < 500
            assert re.findall(r'data-conflict="(C[0-9a-f]+)"', r.text) == [], (name, payload)


def test_every_path_parameter_resists_injection(world):
    """Every route with ids in its path, as a user who may use it, with each id replaced by each payload (an
    integer id far beyond the store's range too): never a 500, nothing leaks, nothing is written."""
    from urllib.parse import quote

    app, store = world.app, world.env.store
    before = store_dump(store)
    clients: dict[str | None, tuple[TestClient, str]] = {}
    requests = 0
    for method, path in route_table(app):
        who = user_for(ACCESS[(method, path)]) if path != "/logout" else "an"
        for name in PARAM.findall(path):
            for payload in SQLI_CORE + [X_IMG, "2147483648", "9223372036854775808"]:
                if who not in clients:
                    fresh = signed_in(app, who) if who else anonymous(app)
                    clients[who] = (fresh, token(fresh))
                c, tok = clients[who]
                url = fill(path, {**world.own, name: quote(payload, safe="")})
                if method == "GET":
                    r = c.get(url)
                else:
                    r = c.post(url, data={**valid_form(world, path, world.own), "csrf": tok})
                requests += 1
                assert r.status_code < 500, (method, url, r.status_code)
                assert r.status_code in (200, 303, 400, 403, 404), (method, url, r.status_code)
                assert_no_leak(r.text, world.markers if who == "an" else [], f"{method} {url}")
                for payload_xss in XSS:
                    assert payload_xss not in r.text
    assert requests > 60
    assert store_dump(store) == before


def test_every_form_field_resists_injection(world):
    """Every POST route, as a user who may use it, with a valid form and its CSRF token, where each field in
    turn carries each SQL-injection payload: never a 500, nothing leaks; the store's tables and hash chain
    are intact afterwards, and a payload that is stored comes back exactly as typed."""
    store, app = world.env.store, world.app
    app.state.web.throttle.per_user = app.state.web.throttle.per_ip = 10**6  # many wrong passwords here
    fields_read = read_names(FORM_FIELDS_READ)
    covered: set[str] = {"csrf"}
    clients: dict[str | None, tuple[TestClient, str]] = {}
    requests = 0

    def client_of(who: str | None, path: str) -> tuple[TestClient, str]:
        if path in ("/login", "/logout") or who not in clients:  # these two change the session
            fresh = signed_in(app, who) if who else anonymous(app)
            clients[who] = (fresh, token(fresh))
        return clients[who]

    for method, path in route_table(app):
        if method != "POST":
            continue
        who = user_for(ACCESS[(method, path)]) if path != "/logout" else "an"
        form = valid_form(world, path, world.own)
        covered |= set(form)
        markers = world.markers if who == "an" else []
        tries = [{**form, field: payload} for field in form for payload in SQLI_CORE]
        tries += [{field: payload for field in form} for payload in SQLI]  # every field at once
        for data in tries:
            c, tok = client_of(who, path)
            r = c.post(fill(path, world.own), data={**data, "csrf": tok})
            requests += 1
            assert r.status_code < 500, (path, data, r.status_code, r.text[:300])
            assert_no_leak(r.text, markers, f"{path} {data!r}")
    assert fields_read <= covered, f"form fields read by pages.py but never tested: {fields_read - covered}"
    assert requests > 100
    # the tables are all there, the accounts unchanged but for the ones added on purpose, the chain intact
    dump = store_dump(store)
    assert set(dump) == {t.name for t in metadata.sorted_tables}
    assert {a.username for a in acc.list_accounts(store)} >= {"an", "binh", "cuong", "duyen", "dung", "root"}
    assert store.verify_chain().ok
    # parameterised: an injection payload is stored and shown back verbatim
    an = signed_in(app, "an")
    form = {**valid_form(world, "/conflicts/{conflict_id}/decide", world.own), "csrf": token(an),
            "fingerprint": world.snap.conflicts[C2N].fingerprint, "reason": SQLI[3], "legal_ref": SQLI[4]}
    r = an.post(f"/conflicts/{C2N}/decide", data=form)
    assert r.status_code == 303, r.text[:300]
    d = dz.current_decisions(store)[C2N]
    assert (d.reason, d.legal_ref) == (SQLI[3], SQLI[4])
    assert str(escape(SQLI[3])) in an.get(f"/persons/{P2}").text
    assert journal_length(store) > 1 and store.verify_chain().ok


def xss_snapshot(folder: Path, published: str) -> None:
    """Person P1 (commune 079:26734) whose documents carry script in every displayed text; two possible
    matches (commune 26737) whose names do."""
    b = wf.SnapshotBuilder()
    fields = ("full_name", "ethnicity", "birth_date")  # the birth date stays open: P1 stays in the queue
    p = b.person(1, "079", "26734", f"Văn {X_SCRIPT}", conflicts=fields)
    for r in p.records:
        r.update(hometown=X_IMG, residence=X_IMG, father_name=X_JS, mother_name=X_ATTR)
    p.records[2]["file"] = X_SCRIPT
    p.records[1]["record_id"] = f"NK{X_IMG}"
    p.conflicts = [b._conflict(p, f) for f in fields]
    m = [b.person(n, "079", "26737", name, conflicts=()) for n, name in
         ((6, X_IMG), (7, X_SCRIPT), (8, X_ATTR), (9, X_JS))]
    b.possible_match(m[0], m[1])
    b.possible_match(m[2], m[3])
    b.write(folder, published=published)


class Markup(HTMLParser):
    """The elements and attributes of a page as a browser's parser sees them."""

    def __init__(self, body: str) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.feed(body)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "img" or (tag == "script" and not names.get("src")):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if name in ("href", "src", "action", "formaction") and browser_target(value or "").lower().startswith(
                    "javascript:"):
                self.found.append(f"{tag} {name}={value}")


def assert_escaped(body: str, expected: list[str], where: str) -> None:
    for payload in XSS:
        assert payload not in body, f"{where}: {payload!r} unescaped"
    for payload in expected:
        assert str(escape(payload)) in body, f"{where}: {payload!r} is not shown (escaped)"
    assert Markup(body).found == [], f"{where}: active content from the data"


def test_stored_and_reflected_xss_are_escaped_on_every_page(env):
    xss_snapshot(env.snapshot_dir, "2025-07-01T08:00:00+00:00")
    app = make_app(env)
    snap = load_snapshot(env.snapshot_dir)
    cn = wf.conflict_id(P1, "full_name")
    ce = wf.conflict_id(P1, "ethnicity")
    an = signed_in(app, "an")
    tok = token(an)
    # decisions whose reason, legal reference and proposal text carry script, made through the web
    r = an.post(f"/conflicts/{cn}/decide", data={
        "csrf": tok, "kind": "choose", "choice": f"citizen_id|{snap.conflicts[cn].values[2].record_id}",
        "reason": X_IMG, "legal_ref": X_SCRIPT, "fingerprint": snap.conflicts[cn].fingerprint, "previous": "",
        "back": X_JS})
    assert r.status_code == 303 and r.headers["location"].startswith("/")
    r = an.post(f"/conflicts/{ce}/decide", data={
        "csrf": tok, "kind": "split", "reason": X_SCRIPT + X_ATTR, "fingerprint": snap.conflicts[ce].fingerprint,
        "previous": ""})
    assert r.status_code == 303
    cuong = signed_in(app, "cuong")
    rows = cuong.get("/matches").text.split('data-match="')[1:]
    assert len(rows) == 2
    ids = [row.split('"')[0] for row in rows if str(escape(X_IMG)) in row]  # the pair P6 / P7
    r = cuong.post(f"/matches/{ids[0]}/decide", data={"csrf": token(cuong), "verdict": "different",
                                                      "reason": X_IMG + X_JS, "previous": ""})
    assert r.status_code == 303
    root = signed_in(app, "root")
    r = root.post("/admin/users", data={"csrf": token(root), "username": "xss", "display_name": X_IMG,
                                        "role": "officer", "password": "mat-khau-xss-1", "communes": "079:26734"})
    assert r.status_code == 303
    r = root.post("/admin/users", data={"csrf": token(root), "username": "bad user", "display_name": X_SCRIPT,
                                        "role": "officer", "password": "mat-khau-xss-1", "communes": X_ATTR})
    assert r.status_code == 422
    assert_escaped(r.text, [X_SCRIPT, X_ATTR], "/admin/users (refused form)")
    xss = signed_in(app, "xss", "mat-khau-xss-1")
    pages = [
        (an, "/queue", [X_SCRIPT]),
        (an, f"/persons/{P1}", XSS),
        (cuong, "/matches", [X_ATTR, X_JS]),
        (cuong, f"/matches/{ids[0]}", [X_IMG, X_SCRIPT, X_JS]),
        (cuong, "/proposals", [X_SCRIPT, X_ATTR]),
        (cuong, f"/persons/{P1}", XSS),
        (root, "/admin/users", [X_IMG]),
        (xss, "/queue", [X_IMG]),
    ]
    for c, path, expected in pages:
        r = c.get(path)
        assert r.status_code == 200, path
        assert_escaped(r.text, expected, path)
    # reflected: the user name of a failed log-in, `next` and `back`
    anon = anonymous(app)
    r = anon.post("/login", data={"csrf": token(anon), "username": X_ATTR, "password": "x" * 9,
                                  "next": "/queue" + X_IMG})
    assert r.status_code == 401
    assert_escaped(r.text, [X_ATTR], "failed log-in")
    r = an.get(f"/persons/{P1}", params={"back": X_JS})
    assert_escaped(r.text, XSS, "person with back=javascript:")
    assert 'class="crumb"><a href="/queue"' in r.text


@pytest.mark.parametrize("env", ["sqlite"], indirect=True)
def test_no_script_runs_in_the_browser(env, live, new_page):
    """Chromium on the pages that show the script-laden data: no dialog opens, and the DOM holds no inline
    script, image or event handler taken from the data."""
    xss_snapshot(env.snapshot_dir, "2025-07-01T08:00:00+00:00")
    snap = load_snapshot(env.snapshot_dir)
    ce = wf.conflict_id(P1, "ethnicity")
    dz.decide_conflict(env.store, "an", snap.conflicts[ce], "split", reason=X_SCRIPT + X_IMG)
    dialogs: list[str] = []
    for user, paths in (("an", ["/queue", f"/persons/{P1}"]), ("cuong", ["/matches", "/proposals"])):
        page = new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(live.url + "/login")
        page.fill("#username", user)
        page.fill("#password", wf.PASSWORD)
        with page.expect_navigation():
            page.click("button[type=submit]")
        visited = []
        while paths:
            path = paths.pop(0)
            page.goto(live.url + path)
            visited.append(path)
            if path == "/matches":  # then the first possible match's own page
                paths.insert(0, page.locator("tr[data-match] a").first.get_attribute("href"))
            page.mouse.move(200, 300)
            page.wait_for_timeout(50)
            found = page.evaluate("""() => ({
                inline: document.querySelectorAll('script:not([src])').length,
                imgs: document.querySelectorAll('img').length,
                handlers: [...document.querySelectorAll('*')].filter(
                    el => [...el.attributes].some(a => a.name.startsWith('on'))).length,
                jsLinks: document.querySelectorAll('a[href^="javascript:" i]').length,
                text: document.body.innerText})""")
            assert (found["inline"], found["imgs"], found["handlers"], found["jsLinks"]) == (0, 0, 0, 0), path
            assert "xss-" in found["text"], f"{path}: the data is not shown at all"
        assert len(visited) == (2 if user == "an" else 3)
    assert dialogs == []


REDIRECT_PAYLOADS = ["//evil.example/x", "/\\evil.example", "\\\\evil.example", "/\t/evil.example",
                     "/\r\n/evil.example", "https://evil.example", "http:evil.example", "javascript:alert(1)",
                     "/%0d%0aSet-Cookie:%20owned=1", "/\r\nSet-Cookie: owned=1", " //evil.example",
                     "/\x7f/evil.example", "/ /evil.example"]


def browser_target(url: str) -> str:
    """What a browser makes of a URL: leading and trailing spaces and control characters dropped, tabs and
    line breaks removed, backslashes read as slashes."""
    url = url.strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14"
                    "\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
    return re.sub(r"[\t\r\n]", "", url).replace("\\", "/")


def assert_local(url: str, what: str) -> None:
    target = browser_target(url)
    assert target.startswith("/") and not target.startswith("//"), f"{what}: {url!r} leaves the site"


def test_next_and_back_neither_inject_headers_nor_redirect_elsewhere(world):
    app = world.app
    an = signed_in(app, "an")
    for payload in REDIRECT_PAYLOADS:
        anon = anonymous(app)
        r = anon.get("/login", params={"next": payload})
        hidden = re.search(r'name="next" value="([^"]*)"', r.text).group(1)
        assert_local(unescape(hidden), f"login form next={payload!r}")
        r = anon.post("/login", data={"csrf": token(anon), "username": "dung", "password": wf.PASSWORD,
                                      "next": payload})
        assert r.status_code == 303
        assert_local(r.headers["location"], f"after log-in next={payload!r}")
        assert "owned" not in r.headers.get("set-cookie", "") and "owned" not in anon.cookies
        for response in (anon.get("/lang/en", params={"next": payload}), an.get("/lang/vi", params={"next": payload})):
            assert response.status_code == 303
            assert_local(response.headers["location"], f"/lang next={payload!r}")
            assert "owned" not in response.headers.get("set-cookie", "")
            for value in response.headers.values():
                assert "\r" not in value and "\n" not in value
        page = an.get(f"/persons/{P1}", params={"back": payload}).text
        back = re.search(r'class="crumb"><a href="([^"]*)"', page).group(1)
        assert_local(unescape(back), f"person page back={payload!r}")
        r = an.post(f"/conflicts/{C1}/claim", data={"csrf": token(an), "back": payload, "open_only": "1"})
        if r.status_code == 303:
            assert_local(r.headers["location"], f"claim back={payload!r}")


# ================================================================================================= CSRF


def test_every_post_route_refuses_a_missing_wrong_or_foreign_csrf_token(world):
    app, store = world.app, world.env.store
    checked = []
    for method, path in route_table(app):
        if method != "POST":
            continue
        who = user_for(ACCESS[(method, path)]) if path != "/logout" else "an"
        if who:
            pre = anonymous(app)
            pre_token = token(pre)
            assert login(pre, who).status_code == 303
            c = pre  # its token changed at log-in
            other = signed_in(app, who)  # the same user in another session
        else:
            c, other = anonymous(app), anonymous(app)
            pre_token = "x" * 43
        own_token = token(c)
        url = fill(path, world.own)
        form = valid_form(world, path, world.own)
        before = store_dump(store)
        for bad in (None, "", "forged", token(other), pre_token, own_token + "x", own_token[:-1]):
            data = dict(form) if bad is None else {**form, "csrf": bad}
            r = c.post(url, data=data)
            assert r.status_code == 403, (path, bad, r.status_code)
            assert "linkage_session" not in r.headers.get("set-cookie", ""), path
        assert store_dump(store) == before, path
        if who:  # still logged in: not even log-out happened
            assert c.get("/", follow_redirects=False).headers["location"] != "/login"
        r = c.post(url, data={**form, "csrf": own_token})  # the same form with its own token goes through
        assert r.status_code == 303, (path, r.status_code, r.text[:300])
        checked.append(path)
    assert len(checked) == sum(1 for m, _ in ACCESS if m == "POST")


def test_get_routes_never_write(world):
    """Every GET route, as every kind of user (and anonymous), with the ids of the store's own objects:
    the review store is the same afterwards (journal, claims, accounts, everything)."""
    app, store = world.app, world.env.store
    head = store.head()
    before = store_dump(store)
    users: list[str | None] = [None, "an", "cuong", "root"]
    hits = 0
    for who in users:
        c = signed_in(app, who) if who else client(app)
        for method, path in route_table(app):
            if method != "GET":
                continue
            for ids in (world.own, world.other):
                r = c.get(fill(path, ids), params={"open_only": "1", "verdict": "approve", "active": "0"})
                assert r.status_code < 500
                hits += 1
    assert hits >= 4 * 10 * 2
    assert store.head() == head and store_dump(store) == before


# ================================================================================================= A07


def set_cookie_of(response, name: str) -> str:
    found = [h for h in response.headers.get_list("set-cookie") if h.startswith(name + "=")]
    assert found, f"no {name} cookie set"
    return found[-1]


def test_session_fixation_is_impossible(world):
    app = world.app
    c = client(app)
    r = c.get("/login", headers={"cookie": "linkage_session=chosen-by-the-attacker"})
    issued = c.cookies.get("linkage_session")
    assert issued and issued != "chosen-by-the-attacker"  # an unknown id is never adopted
    assert login(c, "an").status_code == 303
    after = c.cookies.get("linkage_session")
    assert after not in (issued, "chosen-by-the-attacker")
    for old in (issued, "chosen-by-the-attacker"):
        replay = client(app)
        replay.cookies.set("linkage_session", old)
        assert replay.get("/queue").status_code == 303
    assert c.get("/queue").status_code == 200
    assert r.status_code == 200


def test_logout_invalidates_the_session_on_the_server(world):
    app, store = world.app, world.env.store
    c = signed_in(app, "an")
    sid, tok = c.cookies.get("linkage_session"), token(c)
    r = c.post("/logout", data={"csrf": tok})
    assert r.status_code == 303 and c.cookies.get("linkage_session") != sid
    replay = client(app)
    replay.cookies.set("linkage_session", sid)
    assert replay.get("/queue").status_code == 303
    before = store_dump(store)
    r = replay.post(f"/conflicts/{C1}/decide",
                    data={**valid_form(world, "/conflicts/{conflict_id}/decide", world.own), "csrf": tok})
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert store_dump(store) == before


@pytest.mark.parametrize("secure", [False, True])
def test_cookie_flags(env, secure):
    app = make_app(env, secure_cookies=secure)
    c = TestClient(app, base_url="https://testserver" if secure else "http://testserver", follow_redirects=False)
    r = login(c, "an")
    for cookie in (set_cookie_of(r, "linkage_session"),
                   set_cookie_of(c.get("/lang/en", params={"next": "/queue"}), "linkage_lang")):
        flags = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
        assert "httponly" in flags and flags["samesite"].lower() == "samesite=lax" and flags["path"] == "Path=/"
        assert ("secure" in flags) == secure
    session_cookie = set_cookie_of(r, "linkage_session").lower()
    assert "max-age" not in session_cookie and "expires" not in session_cookie  # gone when the browser closes
    assert ("strict-transport-security" in r.headers) == secure


def test_login_throttling_refuses_even_the_right_password(world, caplog):
    app = world.app
    c = anonymous(app)
    for _ in range(5):
        r = c.post("/login", data={"csrf": token(c), "username": "an", "password": "wrong-password"})
        assert r.status_code == 401
    with caplog.at_level(logging.WARNING, logger="linkage.web"):
        r = c.post("/login", data={"csrf": token(c), "username": "an", "password": wf.PASSWORD})
    assert r.status_code == 429 and "location" not in r.headers
    assert c.get("/queue").status_code == 303  # not logged in
    assert any("throttled" in rec.getMessage() and "user an " in rec.getMessage() for rec in caplog.records)


def test_a_disabled_account_loses_access_on_its_next_request(world):
    app, store = world.app, world.env.store
    an = signed_in(app, "an")
    tok = token(an)
    assert an.get("/queue").status_code == 200
    acc.set_active(store, "an", False)  # as `linkage users disable` does, from another process
    before = store_dump(store)
    r = an.post(f"/conflicts/{C1}/decide",
                data={**valid_form(world, "/conflicts/{conflict_id}/decide", world.own), "csrf": tok})
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert store_dump(store) == before
    acc.set_active(store, "an", True)
    assert an.get("/queue").status_code == 303  # the session ended for good
    assert login(client(app), "an").status_code == 303


# ================================================================================================= A05


def assert_security_headers(r, what: str, *, static: bool = False) -> None:
    csp = r.headers.get("content-security-policy")
    assert csp, f"{what}: no Content-Security-Policy"
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    scripts = directives.get("script-src", directives.get("default-src"))
    assert scripts == ["'self'"], f"{what}: script-src {scripts}"
    assert directives["frame-ancestors"] == ["'none'"] and directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert r.headers.get("x-frame-options") == "DENY", what
    assert r.headers.get("x-content-type-options") == "nosniff", what
    assert r.headers.get("referrer-policy") in ("same-origin", "no-referrer"), what
    assert "server" not in r.headers and "x-powered-by" not in r.headers, what
    if not static:
        assert r.headers.get("cache-control") == "no-store", what
    if r.status_code >= 400:
        for m in ("Traceback", 'File "', "RuntimeError", "boom"):
            assert m not in r.text, f"{what}: {m!r} in the error page"


def test_security_headers_on_every_route_and_every_error_page(world, monkeypatch):
    app = world.app
    clients: dict[str | None, TestClient] = {}
    for method, path in route_table(app):
        who = user_for(ACCESS[(method, path)]) if path != "/logout" else "an"
        if who not in clients:
            clients[who] = signed_in(app, who) if who else anonymous(app)
        c = clients[who]
        url = fill(path, world.own)
        if method == "GET":
            r = c.get(url)
        else:
            r = c.post(url, data={**valid_form(world, path, world.own), "csrf": token(c)})
            if path in ("/login", "/logout"):
                clients.pop(who)
        assert r.status_code in (200, 303), (method, url, r.status_code)
        assert_security_headers(r, f"{method} {url}", static=path.startswith("/static"))
    an = signed_in(app, "an")
    decide_form = {**valid_form(world, "/conflicts/{conflict_id}/decide", world.own), "csrf": token(an)}
    anon = anonymous(app)
    errors = [
        (404, an.get("/no/such/page")),
        (405, an.request("DELETE", "/queue")),
        (405, client(app).get("/logout")),
        (403, an.get(f"/persons/{P4}")),
        (403, client(app).post("/login", data={"csrf": "x"})),  # no session: no valid token
        (400, an.get("/queue", params={"field": "\x00"})),
        (401, anon.post("/login", data={"csrf": token(anon), "username": "an", "password": "wrong-password"})),
        (409, an.post(f"/conflicts/{C1}/decide", data={**decide_form, "fingerprint": "old"})),
        (422, an.post(f"/conflicts/{C1}/decide", data={**decide_form, "kind": "split", "reason": ""})),
    ]
    for status, r in errors:
        assert r.status_code == status, (status, r.status_code)
        assert_security_headers(r, f"error {status}")
    static_404 = client(app).get("/static/nothing.css")
    assert static_404.status_code == 404
    assert_security_headers(static_404, "static 404", static=True)
    # an unexpected error: a plain page with the same headers, nothing of the exception
    def boom() -> None:
        raise RuntimeError("boom: secret detail")

    monkeypatch.setattr(app.state.web.store, "head", boom)
    r = client(app, raise_server_exceptions=False, cookies=dict(an.cookies)).get("/queue")
    assert r.status_code == 500
    assert_security_headers(r, "error 500")
    assert "secret detail" not in r.text


def serve_command_app(tmp_path: Path, monkeypatch, *args: str):
    """What `linkage serve` hands to uvicorn: the app and uvicorn's options."""
    import uvicorn
    from click.testing import CliRunner

    from linkage.commands import serve

    captured = {}
    for name in ("LINKAGE_REVIEW_STORE", "LINKAGE_CHAIN_HEAD", "LINKAGE_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: captured.update(app=app, **kw))
    result = CliRunner().invoke(serve.command, ["--db", str(tmp_path / "ws.duckdb"), *args])
    assert result.exit_code == 0, result.output
    return captured


def test_as_served_no_server_version_and_no_path_traversal(tmp_path, monkeypatch):
    """`linkage serve` under uvicorn (raw HTTP, paths sent as typed): no Server header, static files only
    from the static folder (traversal, encoded or not, is 404), security headers on those answers too."""
    import uvicorn

    options = serve_command_app(tmp_path, monkeypatch)
    app = options.pop("app")
    assert options["host"] == "127.0.0.1" and options["server_header"] is False
    port = free_port()
    config = uvicorn.Config(app, **{**options, "port": port, "lifespan": "off"})
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    try:
        def get(path: str) -> tuple[int, dict[str, str], bytes]:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.putrequest("GET", path, skip_accept_encoding=True)
            conn.endheaders()
            resp = conn.getresponse()
            body = resp.read()
            conn.close()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body

        status, headers, body = get("/healthz")
        assert status == 200 and body == b"ok" and "server" not in headers
        status, headers, body = get("/static/style.css")
        assert status == 200 and "server" not in headers and headers["x-content-type-options"] == "nosniff"
        for path in ("/static/../app.py", "/static/..%2fapp.py", "/static/%2e%2e/app.py", "/static/%2e%2e%2fapp.py",
                     "/static/..%5capp.py", "/static/....//app.py", "/static/%252e%252e/app.py",
                     "/static/../../../pyproject.toml", "/static//etc/passwd", "/static/%2fetc%2fpasswd",
                     "/static/..", "/static/.%2e/templates/base.html", "/static/../templates/base.html",
                     "/static/%c0%ae%c0%ae/app.py", "/static/style.css%00.py"):
            status, headers, body = get(path)
            assert status == 404, (path, status)
            assert b"create_app" not in body and b"[project]" not in body and b"root:" not in body
            assert b"{% block" not in body and "server" not in headers
            assert headers.get("x-frame-options") == "DENY", path
    finally:
        server.should_exit = True
        thread.join(10)


# ================================================================================================= A02 A04 A08 A09


def test_passwords_are_argon2_hashes_never_plain_text(world, tmp_path):
    app, store = world.app, world.env.store
    root = signed_in(app, "root")
    secret = "Mat-khau-rieng-9137"
    r = root.post("/admin/users", data={"csrf": token(root), "username": "em", "display_name": "Võ Thị Em",
                                        "role": "steward", "password": secret, "communes": "", "provinces": ""})
    assert r.status_code == 303
    assert login(client(app), "em", secret).status_code == 303
    with store.read() as conn:
        hashes = dict(conn.execute(sa.text("SELECT username, password_hash FROM accounts")).all())
    assert len(hashes) == 8 and all(h.startswith("$argon2id$") for h in hashes.values())
    assert len(set(hashes.values())) == len(hashes)  # salted: the same password never gives the same hash
    text = repr(store_dump(store))
    assert secret not in text and wf.PASSWORD not in text
    if world.env.dialect == "sqlite":
        raw = b"".join(p.read_bytes() for p in world.env.tmp.glob("review.sqlite*"))
        assert raw and secret.encode() not in raw and wf.PASSWORD.encode() not in raw
    # outside tests the hasher is argon2-cffi's default: argon2id, 64 MiB, 3 passes (above OWASP's minimum)
    from argon2 import PasswordHasher, Type

    source = (WEB.parent / "review" / "accounts.py").read_text(encoding="utf-8")
    assert re.search(r"^password_hasher = PasswordHasher\(\)$", source, re.M)
    default = PasswordHasher()
    assert default.type is Type.ID and default.memory_cost >= 19 * 1024 and default.time_cost >= 2


def test_failed_logins_are_logged_without_the_password(world, caplog):
    app = world.app
    c = anonymous(app)
    forged_line = "an\r\n2025-01-01 log-in of root from 10.0.0.1"
    with caplog.at_level(logging.INFO, logger="linkage.web"):
        c.post("/login", data={"csrf": token(c), "username": "an", "password": "Sai-Mat-Khau-77"})
        c.post("/login", data={"csrf": token(c), "username": forged_line, "password": "Sai-Mat-Khau-78"})
        assert login(c, "binh").status_code == 303
        signed_in(app, "an").get(f"/persons/{P4}")
    messages = [rec.getMessage() for rec in caplog.records if rec.name == "linkage.web"]
    failed = [m for m in messages if "log-in failed" in m]
    assert len(failed) == 2 and "user an from testclient" in failed[0]
    assert any("log-in of binh" in m for m in messages)
    assert any("403" in m and f"/persons/{P4}" in m and " an " in m for m in messages)
    for m in messages:
        assert "Sai-Mat-Khau" not in m and wf.PASSWORD not in m
        assert "\r" not in m and "\n" not in m  # a user name cannot forge a log line


def test_decisions_are_journalled_with_who_and_when(world):
    app, store = world.app, world.env.store
    an = signed_in(app, "an")
    start = datetime.now(UTC)
    r = an.post(f"/conflicts/{C1}/decide", data={
        **valid_form(world, "/conflicts/{conflict_id}/decide", world.own), "csrf": token(an)})
    assert r.status_code == 303
    end = datetime.now(UTC)
    entry = dz.current_decisions(store)[C1]
    when = parse_ts(entry.decided_at)
    assert (entry.actor, entry.channel, entry.kind) == ("an", "web", "accept")
    assert start.replace(microsecond=0) <= when <= end
    with store.read() as conn:
        row = conn.execute(sa.select(journal_table).where(journal_table.c.seq == entry.id)).mappings().one()
    assert row["actor_role"] == "officer" and row["commune"] == "26734"
    assert store.verify_chain().ok
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.write() as conn:  # no rewriting history
        conn.execute(sa.update(journal_table).where(journal_table.c.seq == entry.id).values(actor="someone"))


# ================================================================================================= A10


def test_the_web_package_makes_no_outbound_requests():
    """SSRF needs a server that fetches URLs; the web package imports nothing that could."""
    clients = {"requests", "httpx", "urllib.request", "urllib3", "http.client", "aiohttp", "socket", "smtplib",
               "ftplib", "xmlrpc.client", "pycurl"}
    seen = set()
    for file in WEB.glob("*.py"):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                seen |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                seen.add(node.module)
    assert seen and not {m for m in seen if m in clients or m.split(".")[0] in {"requests", "httpx", "aiohttp"}}
