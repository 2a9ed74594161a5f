"""The pages of the review web application. Each takes a `Ctx` (see `linkage.web.app`) and path parameters
and returns a response. Jurisdiction is checked here for every page and form, before anything is read or
written, and again by the store's own decision functions."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from linkage.errors import UserError
from linkage.review import accounts as acc
from linkage.review import decisions as dz
from linkage.review.decisions import ConflictInfo, DecisionError, history_of, pending_proposals
from linkage.web import views
from linkage.web.app import Ctx, safe_next
from linkage.web.i18n import LANGS
from linkage.web.security import log, loggable
from linkage.web.state import active_claims

ERROR_STATUS = {"outside_jurisdiction": 403, "not_allowed": 403, "clash": 409, "stale": 409, "claimed": 409,
                "missing_reason": 422, "invalid_value": 422, "unknown_decision": 404}


def _status(exc: DecisionError) -> int:
    return ERROR_STATUS.get(exc.code, 400)


# ---------------------------------------------------------------------------------------------------- session


def home(ctx: Ctx) -> Response:
    assert ctx.account is not None
    return ctx.redirect("/admin/users" if ctx.account.role == "admin" else "/queue")


def _ensure_session(ctx: Ctx) -> None:
    if ctx.session is None:
        ctx.session = ctx.web.sessions.new()
        ctx.set_session = ctx.session


def login_form(ctx: Ctx) -> Response:
    if ctx.account is not None:
        return ctx.redirect(safe_next(ctx.request.query_params.get("next"), "/"))
    _ensure_session(ctx)
    notice = ctx.t("session_expired") if ctx.request.query_params.get("expired") else None
    return ctx.render("login.html", next=safe_next(ctx.request.query_params.get("next"), "/"), error=None,
                      notice=notice, username="")


def login_submit(ctx: Ctx) -> Response:
    username = ctx.form.get("username", "").strip()[:64]
    password = ctx.form.get("password", "")[:1024]
    target = safe_next(ctx.form.get("next"), "/")
    wait = ctx.web.throttle.retry_after(username, ctx.client_ip)
    if wait > 0:
        log.warning("log-in refused (throttled) for user %s from %s", loggable(username), ctx.client_ip)
        return ctx.render("login.html", status=429, next=target, notice=None, username=username,
                          error=ctx.t("login_throttled", minutes=max(1, math.ceil(wait / 60))))
    account = acc.authenticate(ctx.store, username, password) if username and password else None
    if account is None:
        ctx.web.throttle.failed(username, ctx.client_ip)
        log.warning("log-in failed for user %s from %s", loggable(username), ctx.client_ip)
        return ctx.render("login.html", status=401, next=target, notice=None, username=username,
                          error=ctx.t("login_failed"))
    ctx.web.throttle.succeeded(username)
    log.info("log-in of %s from %s", account.username, ctx.client_ip)
    ctx.session = ctx.web.sessions.rotate(ctx.session, account.username)
    ctx.set_session = ctx.session
    ctx.account = account
    if account.role == "admin" and target == "/":
        target = "/admin/users"
    return ctx.redirect(target)


def logout(ctx: Ctx) -> Response:
    ctx.web.sessions.drop(ctx.session)
    ctx.session = ctx.web.sessions.new()
    ctx.set_session = ctx.session
    ctx.flash("info", ctx.t("logged_out"))
    return ctx.redirect("/login")


def switch_lang(ctx: Ctx, code: str) -> Response:
    response = ctx.redirect(safe_next(ctx.request.query_params.get("next"), "/"))
    if code in LANGS:
        response.set_cookie("linkage_lang", code, max_age=365 * 86400, httponly=True, samesite="lax",
                            secure=ctx.web.secure, path="/")
    return response


# ---------------------------------------------------------------------------------------------------- queue


def queue(ctx: Ctx) -> Response:
    assert ctx.account is not None
    q = ctx.request.query_params
    flt = views.QueueFilter(field=q.get("field") or None, severity=q.get("severity") or None,
                            commune=q.get("commune") or None)
    snap = ctx.snapshot
    built = views.build_queue(snap, ctx.account, ctx.web.current.get(), flt)
    items, page_no, pages = views.paginate(built.items, _page_number(ctx), ctx.web.config.page_size)
    claims = active_claims(ctx.store)
    base = {k: v for k, v in (("field", flt.field), ("severity", flt.severity), ("commune", flt.commune)) if v}

    def page_url(n: int) -> str:
        return "/queue?" + urlencode({**base, "page": n})

    return ctx.render("queue.html", queue=built, items=items, flt=flt, page=page_no, pages=pages,
                      page_url=page_url, claims=claims, names={c.person_id: snap.display_name(c.person_id)
                                                              for c in items},
                      group_key=views.group_key)


# ---------------------------------------------------------------------------------------------------- person


def _conflict_for(ctx: Ctx, conflict_id: str) -> tuple[ConflictInfo | None, Response | None]:
    """The conflict, or the response to give: 403 outside the jurisdiction (and for an officer, whatever the
    id), 404 for a steward asking for an unknown id."""
    assert ctx.account is not None
    conflict = ctx.snapshot.conflicts.get(conflict_id)
    if conflict is None:
        return None, ctx.error(404 if ctx.account.role == "steward" else 403,
                               "not_found" if ctx.account.role == "steward" else "forbidden")
    if not views.may_see_conflict(ctx.account, conflict):
        return None, ctx.error(403, "forbidden")
    return conflict, None


def person(ctx: Ctx, person_id: str) -> Response:
    assert ctx.account is not None
    snap = ctx.snapshot
    if not views.may_see_person(snap, ctx.account, person_id):
        if ctx.account.role == "steward":
            return ctx.error(404, "not_found")
        return ctx.error(403, "forbidden")
    return render_person(ctx, person_id)


def render_person(ctx: Ctx, person_id: str, *, status: int = 200, errors: dict[str, str] | None = None,
                  entered: dict[str, dict[str, str]] | None = None) -> Response:
    assert ctx.account is not None
    snap = ctx.snapshot
    conflicts = sorted(views.visible_conflicts(snap, ctx.account, person_id),
                       key=lambda c: (views.SEVERITY_ORDER.get(c.severity or "", 9), c.field))
    records, rows = views.person_grid(snap, person_id, conflicts)
    current = ctx.web.current.get()
    claims = active_claims(ctx.store)
    histories = {}
    for c in conflicts:
        h = history_of(ctx.store, c.conflict_id)
        histories[c.conflict_id] = [(d, h.status(d)) for d in reversed(h.decisions)]
    return ctx.render(
        "person.html", status=status, person_id=person_id, name=snap.display_name(person_id), records=records,
        rows=rows, conflicts=conflicts, current=current, claims=claims, histories=histories,
        evidence=views.link_evidence(snap, person_id), options={c.conflict_id: views.choice_options(c)
                                                              for c in conflicts},
        is_open=views.is_open, errors=errors or {}, entered=entered or {},
        back=safe_next(ctx.request.query_params.get("back"), "/queue"),
    )


def claim_conflict(ctx: Ctx, conflict_id: str) -> Response:
    conflict, refused = _conflict_for(ctx, conflict_id)
    if refused is not None:
        return refused
    assert conflict is not None
    current = ctx.web.current.get().get(conflict_id)
    if ctx.form.get("open_only") and not views.is_open(conflict, current):
        assert current is not None  # taken from the queue, decided meanwhile by someone else
        ctx.flash("error", ctx.t("decided_meanwhile", id=current.id, actor=current.actor))
        return ctx.redirect(safe_next(ctx.form.get("back"), "/queue"))
    try:
        dz.claim(ctx.store, ctx.username, conflict_id, ttl=timedelta(minutes=ctx.web.config.claim_minutes))
    except DecisionError as exc:
        return render_person(ctx, conflict.person_id, status=_status(exc), errors={conflict_id: ctx.t.error(exc)})
    if ctx.form.get("open_only"):
        # A decision committed before our claim (it removed its author's claim) is visible now.
        current = ctx.web.current.get().get(conflict_id)
        if not views.is_open(conflict, current):
            assert current is not None
            dz.release(ctx.store, ctx.username, conflict_id)
            ctx.flash("error", ctx.t("decided_meanwhile", id=current.id, actor=current.actor))
            return ctx.redirect(safe_next(ctx.form.get("back"), "/queue"))
    ctx.flash("info", ctx.t("claimed_ok"))
    return ctx.redirect(f"/persons/{conflict.person_id}#c-{conflict_id}")


def release_conflict(ctx: Ctx, conflict_id: str) -> Response:
    conflict, refused = _conflict_for(ctx, conflict_id)
    if refused is not None:
        return refused
    assert conflict is not None
    dz.release(ctx.store, ctx.username, conflict_id)
    ctx.flash("info", ctx.t("released_ok"))
    return ctx.redirect(f"/persons/{conflict.person_id}#c-{conflict_id}")


def _previous(text: str | None) -> int | None:
    """The form's expected previous decision: '' → None (there was none), digits → id."""
    if text is None:
        raise ValueError("previous")
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    raise ValueError("previous")


def decide(ctx: Ctx, conflict_id: str) -> Response:
    assert ctx.account is not None
    conflict, refused = _conflict_for(ctx, conflict_id)
    if refused is not None:
        return refused
    assert conflict is not None
    form = ctx.form
    kind = form.get("kind", "")
    try:
        previous = _previous(form.get("previous"))
    except ValueError:
        return ctx.error(400, "bad_form")
    kwargs: dict[str, Any] = {}
    if kind == "choose":
        kwargs["record"] = views.parse_choice(form.get("choice"))
        if kwargs["record"] is None:
            kwargs = {"value": form.get("choice", "")}
    elif kind == "correct":
        kwargs["value"] = form.get("value", "")
    try:
        if kind not in dz.FIELD_KINDS + ("split",):
            raise DecisionError(f"unknown decision {kind!r}", "Chưa chọn quyết định")
        result = dz.decide_conflict(
            ctx.store, ctx.username, conflict, kind, reason=form.get("reason") or None,
            legal_ref=form.get("legal_ref") or None, seen_fingerprint=form.get("fingerprint") or "",
            expected_previous=previous, channel="web", origin="web", **kwargs,
        )
    except DecisionError as exc:
        message = ctx.t("stale_web") if exc.code == "stale" else ctx.t.error(exc)
        return render_person(ctx, conflict.person_id, status=_status(exc), errors={conflict_id: message},
                             entered={conflict_id: dict(form)})
    ctx.flash("ok", ctx.t("recorded" if result.created else "unchanged", id=result.decision.id))
    current = ctx.web.current.get()
    left = [c for c in views.visible_conflicts(ctx.snapshot, ctx.account, conflict.person_id)
            if views.is_open(c, current.get(c.conflict_id))]
    if left:
        return ctx.redirect(f"/persons/{conflict.person_id}#c-{left[0].conflict_id}")
    return ctx.redirect(safe_next(form.get("back"), "/queue"))


# ---------------------------------------------------------------------------------------------------- steward


def _open_matches(ctx: Ctx) -> list[Any]:
    subjects = ctx.web.current.subjects()
    ms = [m for m in ctx.snapshot.matches.values() if m.subject not in subjects]
    return sorted(ms, key=lambda m: (-(m.match_probability or 0.0), m.id))


def _page_number(ctx: Ctx) -> int:
    """The `page` query parameter; anything unreadable is the first page (paginate clamps the rest)."""
    try:
        return int(ctx.request.query_params.get("page") or 1)
    except ValueError:
        return 1


def matches(ctx: Ctx) -> Response:
    items = _open_matches(ctx)
    shown, page_no, pages = views.paginate(items, _page_number(ctx), ctx.web.config.page_size)
    return ctx.render("matches.html", items=shown, total=len(items), page=page_no, pages=pages,
                      page_url=lambda n: f"/matches?page={n}")


def _pair_rows(m: Any) -> list[tuple[str, Any, Any, bool]]:
    out = []
    for f in views.DISPLAY_FIELDS:
        a, b = m.left.get(f), m.right.get(f)
        if a in (None, "") and b in (None, ""):
            continue
        out.append((f, a, b, a not in (None, "") and b not in (None, "") and str(a) != str(b)))
    return out


def match(ctx: Ctx, match_id: str, *, status: int = 200, error: str | None = None,
          entered: dict[str, str] | None = None) -> Response:
    m = ctx.snapshot.matches.get(match_id)
    if m is None:
        return ctx.error(404, "not_found")
    h = history_of(ctx.store, m.subject)
    cur = h.current()
    nxt = [x for x in _open_matches(ctx) if x.id != match_id]
    return ctx.render("match.html", status=status, m=m, rows=_pair_rows(m), current=cur,
                      history=[(d, h.status(d)) for d in reversed(h.decisions)], error=error,
                      entered=entered or {}, next_match=nxt[0].id if nxt else None)


def decide_pair(ctx: Ctx, match_id: str) -> Response:
    m = ctx.snapshot.matches.get(match_id)
    if m is None:
        return ctx.error(404, "not_found")
    verdict = ctx.form.get("verdict")
    try:
        previous = _previous(ctx.form.get("previous"))
    except ValueError:
        return ctx.error(400, "bad_form")
    try:
        if verdict not in ("same", "different"):
            raise DecisionError(f"unknown verdict {verdict!r}", "Chưa chọn quyết định")
        result = dz.decide_match(ctx.store, ctx.username, m.left_key, m.right_key, same=verdict == "same",
                                 reason=ctx.form.get("reason", ""), expected_previous=previous, channel="web",
                                 origin="web")
    except DecisionError as exc:
        return match(ctx, match_id, status=_status(exc), error=ctx.t.error(exc), entered=dict(ctx.form))
    ctx.flash("ok", ctx.t("recorded" if result.created else "unchanged", id=result.decision.id))
    nxt = _open_matches(ctx)
    return ctx.redirect(f"/matches/{nxt[0].id}" if nxt else "/matches")


def proposals(ctx: Ctx, *, status: int = 200, errors: dict[int, str] | None = None) -> Response:
    items = pending_proposals(ctx.store)
    return ctx.render("proposals.html", status=status, items=items, errors=errors or {},
                      by_key=ctx.snapshot.by_key)


def decide_proposal(ctx: Ctx, decision_id: int) -> Response:
    verdict = ctx.form.get("verdict")
    reason = ctx.form.get("reason", "")
    try:
        if verdict == "approve":
            result = dz.approve(ctx.store, ctx.username, decision_id, reason=reason, channel="web", origin="web")
        elif verdict == "reject":
            result = dz.reject(ctx.store, ctx.username, decision_id, reason=reason, channel="web", origin="web")
        else:
            raise DecisionError(f"unknown verdict {verdict!r}", "Chưa chọn quyết định")
    except DecisionError as exc:
        return proposals(ctx, status=_status(exc), errors={decision_id: ctx.t.error(exc)})
    ctx.flash("ok", ctx.t("approved" if verdict == "approve" else "rejected", id=decision_id))
    _ = result
    return ctx.redirect("/proposals")


# ---------------------------------------------------------------------------------------------------- admin


def users(ctx: Ctx, *, status: int = 200, error: str | None = None, entered: dict[str, str] | None = None) -> Response:
    return ctx.render("users.html", status=status, users=acc.list_accounts(ctx.store), roles=acc.ROLES,
                      error=error, entered=entered or {})


def _split_list(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").replace(";", ",").split(",") if p.strip()]


def add_user(ctx: Ctx) -> Response:
    f = ctx.form
    try:
        account = acc.add_account(ctx.store, f.get("username", ""), f.get("display_name", ""), f.get("role", ""),
                                  f.get("password", ""), communes=_split_list(f.get("communes")),
                                  provinces=_split_list(f.get("provinces")))
    except UserError as exc:
        entered = {k: v for k, v in f.items() if k != "password"}
        return users(ctx, status=422, error=str(exc), entered=entered)
    ctx.flash("ok", ctx.t("user_added", user=account.username))
    return ctx.redirect("/admin/users")


def user_active(ctx: Ctx, username: str) -> Response:
    active = ctx.form.get("active") == "1"
    try:
        account = acc.set_active(ctx.store, username, active)
    except UserError as exc:
        return users(ctx, status=404, error=str(exc))
    if not active:
        ctx.web.sessions.drop_user(account.username)
    ctx.flash("ok", ctx.t("user_changed", user=account.username))
    return ctx.redirect("/admin/users")
