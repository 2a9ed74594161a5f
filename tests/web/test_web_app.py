"""The review web application through Starlette's TestClient, on SQLite and on PostgreSQL: log-in, sessions,
CSRF, headers, queues and filters, jurisdiction (403 by URL and by forged form), decisions recorded through
the same store API as Excel's, stale forms, claims, stewards' matches and approvals, admin, language."""

from __future__ import annotations

import re

import pytest
import web_fixtures as wf
from conftest import csrf_of, login, make_app
from starlette.testclient import TestClient

from linkage.review import decisions as dz
from linkage.review.decisions import current_decisions, effective_field_decisions, effective_links, history_of
from linkage.web.app import safe_next
from linkage.web.snapshot import load_snapshot

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx`")

P1, P2, P3, P4, P5 = (f"P{n:012d}" for n in range(1, 6))
C1 = wf.conflict_id(P1, "birth_date")
C2N = wf.conflict_id(P2, "full_name")
C2E = wf.conflict_id(P2, "ethnicity")
C3 = wf.conflict_id(P3, "birth_date")
C4 = wf.conflict_id(P4, "birth_date")
C5 = wf.conflict_id(P5, "birth_date")


def client_for(env, **kwargs) -> TestClient:
    return TestClient(make_app(env, **kwargs), base_url="http://testserver", follow_redirects=True)


def signed_in(env, username: str, **kwargs) -> TestClient:
    c = client_for(env, **kwargs)
    r = login(c, username)
    assert r.status_code == 200, r.text[:500]
    return c


def person_form(c: TestClient, person_id: str, conflict_id: str) -> dict[str, str]:
    """The hidden fields of a conflict's decision form as the page shows them."""
    html = c.get(f"/persons/{person_id}").text
    block = html[html.index(f'action="/conflicts/{conflict_id}/decide"'):]
    block = block[:block.index("</form>")]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', block))
    return fields


def decide(c: TestClient, person_id: str, conflict_id: str, **data: str):
    form = person_form(c, person_id, conflict_id)
    return c.post(f"/conflicts/{conflict_id}/decide", data={**form, **data})


def queue_ids(c: TestClient, query: str = "") -> list[str]:
    return re.findall(r'data-conflict="(C[0-9a-f]+)"', c.get("/queue" + query).text)


# ------------------------------------------------------------------------------------------------ log-in


def test_pages_need_a_login(env):
    c = client_for(env)
    for path in ("/queue", f"/persons/{P1}", "/matches", "/proposals", "/admin/users"):
        r = c.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


def test_login_sets_a_fresh_http_only_session(env):
    c = client_for(env)
    c.get("/login")
    before = c.cookies.get("linkage_session")
    r = login(c, "an")
    assert r.url.path == "/queue"
    after = c.cookies.get("linkage_session")
    assert before and after and before != after  # rotated: no session fixation
    cookie = [h for h in r.history[0].headers.get_list("set-cookie") if h.startswith("linkage_session=")][0]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    # the pre-login session id is dead
    old = client_for(env)
    old.cookies.set("linkage_session", before)
    assert old.get("/queue", follow_redirects=False).status_code == 303


def test_secure_cookies_and_hsts(env):
    c = client_for(env, secure_cookies=True)
    r = c.get("/login")
    assert "Secure" in r.headers["set-cookie"]
    assert r.headers["strict-transport-security"].startswith("max-age=")


def test_wrong_password_and_throttling(env):
    c = client_for(env)
    r = login(c, "an", "wrong-password")
    assert r.status_code == 401 and "Tên đăng nhập hoặc mật khẩu không đúng" in r.text
    for _ in range(4):
        login(c, "an", "wrong-password")
    r = login(c, "an")  # right password, but the user name is locked for a while
    assert r.status_code == 429 and "Đăng nhập sai quá nhiều lần" in r.text
    assert login(client_for(env), "binh").status_code == 200  # other users are not affected


def test_throttle_per_ip(env):
    c = client_for(env, login_per_ip=3)
    for name in ("x1", "x2", "x3"):
        assert login(c, name, "nope-nope").status_code == 401
    assert login(c, "binh").status_code == 429


def test_logout_ends_the_session(env):
    c = signed_in(env, "an")
    sid = c.cookies.get("linkage_session")
    c.post("/logout", data={"csrf": csrf_of(c.get("/queue").text)})
    other = client_for(env)
    other.cookies.set("linkage_session", sid)
    assert other.get("/queue", follow_redirects=False).status_code == 303


def test_idle_session_expires(env):
    app = make_app(env)
    c = TestClient(app, base_url="http://testserver", follow_redirects=True)
    login(c, "an")
    now = [1000.0]
    app.state.web.sessions.clock = lambda: now[0]
    for s in app.state.web.sessions._sessions.values():
        s.seen = s.created = now[0]
    assert c.get("/queue", follow_redirects=False).status_code == 200
    now[0] += 31 * 60
    r = c.get("/queue", follow_redirects=False)
    assert r.status_code == 303 and "expired=1" in r.headers["location"]


def test_security_headers_on_pages_and_assets(env):
    c = client_for(env)
    for path in ("/login", "/static/style.css"):
        r = c.get(path)
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert "unsafe-inline" not in r.headers["content-security-policy"]
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"]
    assert c.get("/login").headers["cache-control"] == "no-store"
    assert "<script>" not in c.get("/login").text and " on" + "click=" not in c.get("/login").text


def test_forms_without_a_valid_csrf_token_are_refused(env):
    c = signed_in(env, "an")
    form = person_form(c, P1, C1)
    for token in ("", "forged", csrf_of(signed_in(env, "binh").get("/queue").text)):
        r = c.post(f"/conflicts/{C1}/decide", data={**form, "csrf": token, "kind": "accept"})
        assert r.status_code == 403
    assert current_decisions(env.store) == {}
    assert c.post("/login", data={"username": "an", "password": wf.PASSWORD}).status_code == 403


# ------------------------------------------------------------------------------------------------ queue


def test_officer_queue_has_only_their_communes_with_counts(env):
    c = signed_in(env, "an")
    assert sorted(queue_ids(c)) == sorted([C1, C2N, C2E, C3])
    html = c.get("/queue").text
    assert "4 xung đột chưa xử lý" in html and "Ngày sinh (2)" in html and "Tham khảo (1)" in html
    assert "Phạm Văn Dũng" not in html and "Hoàng Thị Em" not in html
    assert sorted(queue_ids(signed_in(env, "tinh"))) == [C5]
    assert len(queue_ids(signed_in(env, "cuong"))) == 6  # a steward sees every commune


@pytest.mark.parametrize(("query", "expected"), [
    ("?field=birth_date", {C1, C3, C4, C5}),
    ("?severity=advisory", {C2E}),
    ("?severity=blocking&field=full_name", {C2N}),
    ("?commune=079:26737", {C4}),
    ("?commune=079:26734&field=ethnicity", {C2E}),
])
def test_queue_filters(env, query, expected):
    c = signed_in(env, "cuong")
    assert set(queue_ids(c, query)) == expected


def test_queue_pages(env):
    c = signed_in(env, "cuong", page_size=4)
    first, second = queue_ids(c, "?page=1"), queue_ids(c, "?page=2")
    assert len(first) == 4 and len(second) == 2 and not set(first) & set(second)


# ------------------------------------------------------------------------------------------------ jurisdiction


@pytest.mark.parametrize("who", ["an", "tinh", "root"])
def test_another_communes_person_by_url_is_403_without_data(env, who):
    c = signed_in(env, who)
    r = c.get(f"/persons/{P4}")
    assert r.status_code == 403
    assert "Phạm Văn Dũng" not in r.text and "1975" not in r.text and "KS00004" not in r.text


def test_forged_posts_on_another_commune_are_403(env):
    c = signed_in(env, "an")
    token = csrf_of(c.get("/queue").text)
    conflict = load_snapshot(env.snapshot_dir).conflicts[C4]
    forged = {"csrf": token, "kind": "accept", "fingerprint": conflict.fingerprint, "previous": "", "reason": "x"}
    for path in (f"/conflicts/{C4}/decide", f"/conflicts/{C4}/claim", f"/conflicts/{C4}/release"):
        r = c.post(path, data=forged)
        assert r.status_code == 403 and "Phạm Văn Dũng" not in r.text
    assert c.post("/conflicts/Cdoesnotexist/decide", data=forged).status_code == 403
    assert current_decisions(env.store) == {} and dz.current_claim(env.store, C4) is None


@pytest.mark.parametrize(("who", "path", "status"), [
    ("an", "/matches", 403), ("an", "/proposals", 403), ("an", "/admin/users", 403),
    ("cuong", "/admin/users", 403), ("root", "/queue", 403), ("cuong", "/matches", 200),
    ("root", "/admin/users", 200), ("cuong", "/persons/P999999999999", 404), ("an", "/persons/P999999999999", 403),
])
def test_roles(env, who, path, status):
    assert signed_in(env, who).get(path).status_code == status


# ------------------------------------------------------------------------------------------------ decisions


def test_accept_is_the_same_store_record_as_an_excel_decision(env):
    c = signed_in(env, "an")
    r = decide(c, P1, C1, kind="accept")
    assert r.status_code == 200 and r.url.path == "/queue"
    assert "Đã ghi nhận quyết định #1" in r.text
    assert C1 not in queue_ids(c)
    d = current_decisions(env.store)[C1]
    assert (d.kind, d.value, d.actor, d.channel, d.previous_id) == ("accept", "05/09/1987", "an", "web", None)
    assert [fd.conflict_id for fd in effective_field_decisions(env.store)] == [C1]
    page = c.get(f"/persons/{P1}").text
    assert 'data-decision="1"' in page and "Chấp nhận đề xuất" in page
    assert env.store.verify_chain().ok


def test_choose_and_correct_and_reasons(env):
    c = signed_in(env, "an")
    r = decide(c, P2, C2N, kind="choose", choice="citizen_id|079087000002", reason="")
    assert r.status_code == 422 and "Phải ghi lý do" in r.text
    r = decide(c, P2, C2N, kind="choose", choice="citizen_id|079087000002", reason="Theo CCCD")
    assert r.status_code == 200 and r.url.path == f"/persons/{P2}"  # P2 still has an open conflict
    assert current_decisions(env.store)[C2N].value == "Trần Vắn Bình"
    r = decide(c, P2, C2E, kind="correct", value="Klingon", reason="Sửa theo trích lục")
    assert r.status_code == 422 and "54 dân tộc" in r.text
    r = decide(c, P2, C2E, kind="correct", value="h'mông", reason="Sửa theo trích lục", legal_ref="12/QĐ")
    assert r.status_code == 200 and r.url.path == "/queue"
    d = current_decisions(env.store)[C2E]
    assert (d.kind, d.value, d.legal_ref) == ("correct", "Mông", "12/QĐ")


def test_a_form_on_a_conflict_changed_meanwhile_is_refused(env):
    c = signed_in(env, "an")
    form = person_form(c, P1, C1)  # the officer opens the page …
    dz.decide_conflict(env.store, "cuong", load_snapshot(env.snapshot_dir).conflicts[C1], "choose",
                       record=("household", "NK00001"), reason="Theo sổ hộ khẩu", channel="excel")
    r = c.post(f"/conflicts/{C1}/decide", data={**form, "kind": "accept"})  # … and submits it later
    assert r.status_code == 409 and "Đã có quyết định khác về xung đột này" in r.text
    assert [d.kind for d in history_of(env.store, C1).decisions] == ["choose"]
    # the page now carries the new state: deciding again on purpose works
    assert decide(c, P1, C1, kind="accept").status_code == 200
    assert current_decisions(env.store)[C1].previous_id == 1


def test_a_form_on_values_that_changed_is_refused(env):
    c = signed_in(env, "an")
    form = person_form(c, P1, C1)
    r = c.post(f"/conflicts/{C1}/decide", data={**form, "fingerprint": "old-values", "kind": "accept"})
    assert r.status_code == 409 and "Xung đột đã thay đổi (có giá trị mới)" in r.text
    assert current_decisions(env.store) == {}


def test_claims(env):
    an, binh = signed_in(env, "an"), signed_in(env, "binh")
    r = an.post(f"/conflicts/{C3}/claim", data={"csrf": csrf_of(an.get("/queue").text)})
    assert r.url.path == f"/persons/{P3}" and "Bạn đang xử lý" in r.text
    assert "an đang xử lý" in binh.get(f"/persons/{P3}").text
    r = decide(binh, P3, C3, kind="accept")
    assert r.status_code == 409 and "Xung đột đang được an xử lý" in r.text
    r = binh.post(f"/conflicts/{C3}/claim", data={"csrf": csrf_of(binh.get("/queue").text)})
    assert r.status_code == 409
    an.post(f"/conflicts/{C3}/release", data={"csrf": csrf_of(an.get("/queue").text)})
    assert decide(binh, P3, C3, kind="accept").status_code == 200


def test_split_proposal_then_steward_approval(env):
    an = signed_in(env, "an")
    r = decide(an, P1, C1, kind="split", reason="Hai người khác nhau, cùng tên")
    assert r.status_code == 200 and C1 not in queue_ids(an)
    split = dz.pending_proposals(env.store)[0]
    cuong = signed_in(env, "cuong")
    page = cuong.get("/proposals").text
    assert f'id="p-{split.id}"' in page and "Hai người khác nhau" in page
    token = csrf_of(page)
    r = cuong.post(f"/proposals/{split.id}/decide", data={"csrf": token, "verdict": "approve", "reason": ""})
    assert r.status_code == 422
    r = cuong.post(f"/proposals/{split.id}/decide", data={"csrf": token, "verdict": "approve", "reason": "Đúng"})
    assert r.status_code == 200 and f"Đã phê duyệt đề xuất #{split.id}" in r.text
    assert dz.pending_proposals(env.store) == []
    assert effective_links(env.store)[1]  # cannot-link pairs now


def test_a_steward_cannot_approve_their_own_proposal(env):
    cuong = signed_in(env, "cuong")
    decide(cuong, P4, C4, kind="split", reason="Khác người")
    split = dz.pending_proposals(env.store)[0]
    r = cuong.post(f"/proposals/{split.id}/decide",
                   data={"csrf": csrf_of(cuong.get("/proposals").text), "verdict": "approve", "reason": "ok"})
    assert r.status_code == 403 and "Người đề xuất không được tự phê duyệt" in r.text


def test_steward_decides_a_possible_match(env):
    c = signed_in(env, "cuong")
    page = c.get("/matches").text
    ids = re.findall(r'data-match="([0-9a-f]+)"', page)
    assert len(ids) == 1 and "Võ Văn Giang" in page and "Vũ Văn Giang" in page
    token = csrf_of(page)
    r = c.post(f"/matches/{ids[0]}/decide", data={"csrf": token, "verdict": "same", "reason": "", "previous": ""})
    assert r.status_code == 422
    r = c.post(f"/matches/{ids[0]}/decide",
               data={"csrf": token, "verdict": "different", "reason": "Khác cha mẹ", "previous": ""})
    assert r.status_code == 200 and "Không còn cặp hồ sơ nào" in r.text
    assert effective_links(env.store)[1] == [(("civil_status", "KS00006"), ("civil_status", "KS00007"))]
    r = c.post(f"/matches/{ids[0]}/decide",  # a stale form on the pair
               data={"csrf": token, "verdict": "same", "reason": "Cùng người", "previous": ""})
    assert r.status_code == 409


def test_current_decisions_cache_matches_the_store(env):
    snap = load_snapshot(env.snapshot_dir)
    app = make_app(env)
    cache = app.state.web.current
    dz.decide_conflict(env.store, "an", snap.conflicts[C1], "accept")
    assert cache.get() == current_decisions(env.store)
    first = dz.decide_conflict(env.store, "an", snap.conflicts[C3], "accept").decision
    dz.decide_conflict(env.store, "cuong", snap.conflicts[C4], "split", reason="x")
    assert cache.get() == current_decisions(env.store)
    dz.reverse(env.store, "cuong", first.id, reason="nhầm")
    assert cache.get() == current_decisions(env.store) and C3 not in cache.get()


def test_snapshot_is_reloaded_when_it_changes(env):
    c = signed_in(env, "an")
    assert C1 in queue_ids(c)
    b = wf.SnapshotBuilder()
    b.person(8, "079", "26734", "Đinh Văn Hải")
    b.write(env.snapshot_dir, published="2025-06-02T08:00:00+00:00")
    assert queue_ids(c) == [wf.conflict_id("P000000000008", "birth_date")]


# ------------------------------------------------------------------------------------------------ pages


@pytest.mark.parametrize(("who", "path"), [
    ("an", "/queue"), ("an", f"/persons/{P2}"), ("cuong", "/matches"), ("cuong", "/proposals"),
    ("root", "/admin/users"), ("cuong", f"/persons/{P4}"),
])
def test_pages_are_light_and_have_labelled_forms(env, who, path):
    c = signed_in(env, who)
    r = c.get(path)
    assert r.status_code == 200 and len(r.content) < 200_000
    assert '<html lang="vi">' in r.text
    for input_id in re.findall(r'<(?:input|select|textarea) id="([^"]+)"', r.text):
        assert f'for="{input_id}"' in r.text, input_id


def test_person_page_shows_documents_suggestion_evidence(env):
    page = signed_in(env, "an").get(f"/persons/{P1}").text
    for text in ("Giấy khai sinh", "Sổ hộ khẩu", "CMND/CCCD", "Theo giấy khai sinh (giấy tờ hộ tịch gốc)",
                 "Có thể nhầm ngày với tháng", "Căn cứ ghép hồ sơ", "99.9%", "Họ và tên: giống mức 3",
                 'class="differs"'):
        assert text in page, text


def test_english(env):
    c = signed_in(env, "an")
    r = c.get("/lang/en?next=/queue")
    assert r.url.path == "/queue" and "Open conflicts" in r.text and '<html lang="en">' in r.text
    assert "Date of birth" in c.get(f"/persons/{P1}").text
    assert c.get("/lang/vi?next=//evil.example", follow_redirects=False).headers["location"] == "/"


def test_admin_adds_and_disables_accounts(env):
    root = signed_in(env, "root")
    token = csrf_of(root.get("/admin/users").text)
    r = root.post("/admin/users", data={"csrf": token, "username": "em", "display_name": "Võ Thị Em",
                                        "role": "officer", "password": "short", "communes": "079:26734"})
    assert r.status_code == 422 and "at least 8" in r.text
    r = root.post("/admin/users", data={"csrf": token, "username": "em", "display_name": "Võ Thị Em",
                                        "role": "officer", "password": "mat-khau-em-1", "communes": "079:26734"})
    assert r.status_code == 200 and "Đã thêm tài khoản em" in r.text
    em = client_for(env)
    assert login(em, "em", "mat-khau-em-1").url.path == "/queue"
    root.post("/admin/users/em/active", data={"csrf": token, "active": "0"})
    assert em.get("/queue", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(("value", "expected"), [
    ("/queue?field=sex", "/queue?field=sex"), ("//evil.example/x", "/"), ("https://evil.example", "/"),
    ("/\\evil", "/"), (None, "/"), ("", "/"), ("queue", "/"),
])
def test_safe_next(value, expected):
    assert safe_next(value) == expected
