"""The review web application in a real browser (Debian's Chromium driven by Playwright) against uvicorn on
127.0.0.1, on SQLite and on PostgreSQL: an officer's keyboard-only review, a steward's possible match and
split approval, a wrong password, another commune's person by URL and by forged form, a stale form. The
SQLite run also takes the screenshots of docs/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest
import web_fixtures as wf

from linkage.review import decisions as dz
from linkage.review.decisions import current_decisions, effective_links, history_of
from linkage.web.snapshot import load_snapshot

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
P1, P3, P4 = "P000000000001", "P000000000003", "P000000000004"
C1, C3, C4 = wf.conflict_id(P1, "birth_date"), wf.conflict_id(P3, "birth_date"), wf.conflict_id(P4, "birth_date")


def tab_to(page, selector: str, max_tabs: int = 60) -> None:
    """Presses Tab until `selector` has the focus (it must be reachable by keyboard, with a visible focus)."""
    target = page.locator(selector)
    for _ in range(max_tabs):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            outline = target.evaluate("el => getComputedStyle(el).outlineStyle")
            assert outline != "none", f"{selector} has no visible focus"
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


def keyboard_login(page, url: str, username: str, password: str = wf.PASSWORD) -> None:
    page.goto(url + "/")
    assert page.url.startswith(url + "/login")
    # the user name field takes the focus by itself (autofocus, applied once the page has loaded): wait for it,
    # or the first keystrokes can land before it
    page.wait_for_function("document.activeElement && document.activeElement.id === 'username'", timeout=5000)
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def login(page, url: str, username: str, password: str = wf.PASSWORD) -> None:
    page.goto(url + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")


def test_officer_reviews_and_decides_by_keyboard_only(live, new_page):
    page = new_page()
    keyboard_login(page, live.url, "an")
    assert page.url == live.url + "/queue"
    assert page.locator(f"#q-{C1}").count() == 1
    if live.env.dialect == "sqlite":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "queue.png"))
    tab_to(page, f"#q-{C1} button")  # Nhận xử lý
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/persons/{P1}#c-{C1}")
    assert "Bạn đang xử lý" in page.locator(f"#c-{C1}").inner_text()
    if live.env.dialect == "sqlite":
        shot = page.context.new_page()
        shot.goto(f"{live.url}/persons/{P1}")
        shot.screenshot(path=str(SCREENSHOTS / "person.png"))
        shot.close()
    tab_to(page, f"#k-{C1}-accept")
    assert page.locator(f"#k-{C1}-accept").is_checked()
    tab_to(page, f"#submit-{C1}")
    page.keyboard.press("Enter")
    page.wait_for_url(live.url + "/queue")
    assert "Đã ghi nhận quyết định" in page.locator("main").inner_text()
    assert page.locator(f"#q-{C1}").count() == 0  # it left the queue
    page.goto(f"{live.url}/persons/{P1}")
    history = page.locator(f"#c-{C1} table.history").inner_text()
    assert "Chấp nhận đề xuất" in history and "an" in history and "web" in history
    d = current_decisions(live.env.store)[C1]
    assert (d.kind, d.actor, d.channel) == ("accept", "an", "web")


def test_steward_decides_a_possible_match_and_approves_a_split(live, new_page):
    officer = new_page()
    login(officer, live.url, "an")
    officer.goto(f"{live.url}/persons/{P3}")
    officer.check(f"#k-{C3}-split")
    officer.fill(f"#r-{C3}", "Hai người khác nhau: khác cha mẹ")
    officer.click(f"#submit-{C3}")
    officer.wait_for_url(live.url + "/queue")
    [split] = dz.pending_proposals(live.env.store)

    steward = new_page()
    login(steward, live.url, "cuong")
    steward.click("a[accesskey=m]")
    steward.click("table.queue a")  # open the pair
    assert "Võ Văn Giang" in steward.inner_text("table.grid") and "Vũ Văn Giang" in steward.inner_text("table.grid")
    steward.check("#v-same")
    steward.fill("#reason", "Võ/Vũ là biến thể vùng miền, cùng ngày sinh và cha mẹ")
    steward.click("form.decide button[type=submit]")
    steward.wait_for_url(live.url + "/matches")
    assert "Không còn cặp hồ sơ nào" in steward.inner_text("main")
    assert effective_links(live.env.store)[0] == [(("civil_status", "KS00006"), ("civil_status", "KS00007"))]

    steward.click("a[accesskey=p]")
    box = steward.locator(f"#p-{split.id}")
    assert "Hai người khác nhau" in box.inner_text()
    box.locator("textarea").fill("Đã đối chiếu hồ sơ gốc")
    box.locator("button[value=approve]").click()
    steward.wait_for_url(live.url + "/proposals")
    assert f"Đã phê duyệt đề xuất #{split.id}" in steward.inner_text("main")
    assert dz.pending_proposals(live.env.store) == []
    assert [d.kind for d in history_of(live.env.store, C3).decisions] == ["split", "approve"]


def test_wrong_password(live, new_page):
    page = new_page()
    login(page, live.url, "an", "not-the-password")
    assert page.url.startswith(live.url + "/login")
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in page.inner_text("[role=alert]")
    page.goto(live.url + "/queue")
    assert page.url.startswith(live.url + "/login")


def test_another_communes_person_by_url_and_forged_post(live, new_page):
    page = new_page()
    login(page, live.url, "an")
    response = page.goto(f"{live.url}/persons/{P4}")
    assert response.status == 403
    assert "Bạn không có quyền" in page.inner_text("main") and "Phạm Văn Dũng" not in page.content()
    page.goto(live.url + "/queue")
    token = page.locator("input[name=csrf]").first.get_attribute("value")
    conflict = load_snapshot(live.env.snapshot_dir).conflicts[C4]
    forged = page.request.post(f"{live.url}/conflicts/{C4}/decide", form={
        "csrf": token, "kind": "accept", "fingerprint": conflict.fingerprint, "previous": "", "reason": "x"})
    assert forged.status == 403 and "Phạm Văn Dũng" not in forged.text()
    assert C4 not in current_decisions(live.env.store)


def test_a_stale_form_is_refused_with_a_clear_message(live, new_page):
    page = new_page()
    login(page, live.url, "an")
    page.goto(f"{live.url}/persons/{P1}")
    conflict = load_snapshot(live.env.snapshot_dir).conflicts[C1]
    dz.decide_conflict(live.env.store, "binh", conflict, "choose", record=("household", "NK00001"),
                       reason="Theo sổ hộ khẩu", channel="excel")  # meanwhile, in Excel
    with page.expect_response(f"**/conflicts/{C1}/decide") as answer:
        page.click(f"#submit-{C1}")
    assert answer.value.status == 409
    message = page.inner_text(f"#err-{C1}")
    assert "Đã có quyết định khác về xung đột này" in message and "binh" in message
    assert [d.kind for d in history_of(live.env.store, C1).decisions] == ["choose"]


@pytest.mark.parametrize("path", ["/queue", f"/persons/{P1}"])
def test_pages_fit_and_load_no_outside_resources(live, new_page, path):
    page = new_page()
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live.url) else None)
    login(page, live.url, "an")
    page.goto(live.url + path)
    assert outside == []
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1366  # readable on a 1366×768 screen without scrolling sideways
