"""Decisions: values officers enter, roles and jurisdiction, reasons, staleness, expected previous decision,
idempotence, approvals of merges and splits, reversal, and the views the batch stages apply."""

from __future__ import annotations

from datetime import date

import pytest

from linkage.review import accounts
from linkage.review import decisions as dz
from linkage.review import values as vals
from linkage.review.testing import DIALECTS, temporary_store

CS, HH, ID = "civil_status", "household", "citizen_id"


@pytest.fixture(params=DIALECTS)
def store(request, tmp_path):
    with temporary_store(request.param, tmp_path) as s:
        accounts.add_account(s, "an", "Nguyễn Văn An", "officer", "password-1", communes=["26734"])
        accounts.add_account(s, "binh", "Trần Thị Bình", "officer", "password-2", provinces=["079"])
        accounts.add_account(s, "cuong", "Lê Văn Cường", "steward", "password-3")
        accounts.add_account(s, "dung", "Phạm Thị Dung", "steward", "password-4")
        accounts.add_account(s, "root", "Quản trị", "admin", "password-5")
        yield s


def conflict(n: int = 1, *, field: str = "birth_date", commune: str = "26734", province: str = "079",
             fingerprint: str | None = None, values=None, suggested: str | None = "05/09/1987") -> dz.ConflictInfo:
    values = values or ((CS, f"KS{n}", "05/09/1987"), (HH, f"NK{n}", "09/05/1987"), (ID, f"0790{n}", "09/05/1987"))
    return dz.ConflictInfo(
        conflict_id=f"C{n:016d}", person_id=f"P{n:012d}", field=field, fingerprint=fingerprint or f"fp-{n}",
        values=tuple(dz.RecordValue(s, r, v) for s, r, v in values), suggested_value=suggested,
        suggested_source=CS if suggested else None, suggested_record_id=f"KS{n}" if suggested else None,
        rule="civil_status_original", province_code=province, commune=commune,
    )


# ---------------------------------------------------------------------------------------------------- values

TODAY = date(2025, 6, 1)


@pytest.mark.parametrize(("value", "expected"), [
    ("05/09/1987", "05/09/1987"),
    ("5/9/1987", "05/09/1987"),
    ("1987-09-05", "05/09/1987"),
    ("09/1987", "09/1987"),
    ("1945", "1945"),
    (date(1990, 2, 28), "28/02/1990"),
])
def test_birth_dates_accepted(value, expected):
    assert vals.birth_date(value, today=TODAY) == expected


@pytest.mark.parametrize("value", ["31/02/1990", "29/02/2023", "00/13/1990", "12/31/1990", "abc", "01/01/2030",
                                   "1700", ""])
def test_birth_dates_refused(value):
    with pytest.raises(vals.InvalidValueError):
        vals.birth_date(value, today=TODAY)


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("ethnicity", "Kinh", "Kinh"),
    ("ethnicity", "H'Mông", "Mông"),
    ("ethnicity", "Hmong", "Mông"),
    ("ethnicity", "Ê-đê", "Ê Đê"),
    ("ethnicity", "khơ-me", "Khmer"),
    ("ethnicity", "08", "Mông"),
    ("sex", "nữ", "Nữ"),
    ("sex", "NAM", "Nam"),
    ("personal_id", "079 087 000 123", "079087000123"),
    ("cmnd", "012345678", "012345678"),
    ("full_name", "  nguyễn  thị   thủy ", "Nguyễn Thị Thủy"),
    ("full_name", "h'hen niê", "H'Hen Niê"),
    ("hometown", "Xã Tân Lập, Huyện Đan Phượng", "Xã Tân Lập, Huyện Đan Phượng"),
])
def test_values_validated_to_display_form(field, value, expected):
    assert vals.validate(field, value) == expected


@pytest.mark.parametrize(("field", "value"), [
    ("ethnicity", "Klingon"),
    ("ethnicity", "99"),
    ("sex", "X"),
    ("personal_id", "999087000123"),
    ("personal_id", "07908700012"),
    ("cmnd", "12345"),
    ("full_name", "Nguyễn Văn 2"),
    ("full_name", "=HYPERLINK(\"x\")"),
    ("hometown", "=cmd|' /C calc'!A0"),
    ("hometown", "   "),
])
def test_values_refused(field, value):
    with pytest.raises(vals.InvalidValueError) as info:
        vals.validate(field, value)
    assert info.value.message_vi


# ---------------------------------------------------------------------------------------------------- field decisions


def test_accept_choose_correct_recorded_with_before_and_after(store):
    c = conflict()
    first = dz.decide_conflict(store, "an", c, "accept").decision
    assert (first.kind, first.value, first.records_a, first.previous_id) == ("accept", "05/09/1987", ((CS, "KS1"),), None)
    assert first.before["values"][1] == [HH, "NK1", "09/05/1987"] and first.after == {"value": "05/09/1987"}
    chosen = dz.decide_conflict(store, "an", c, "choose", record=(HH, "NK1"), reason="sổ hộ khẩu đúng",
                                expected_previous=first.id).decision
    assert chosen.value == "09/05/1987"
    assert chosen.records_a == ((HH, "NK1"),)
    assert chosen.before["value"] == "05/09/1987" and chosen.previous_id == first.id
    corrected = dz.decide_conflict(store, "an", c, "correct", value="6/9/1987", reason="giấy chứng sinh",
                                   legal_ref="Quyết định cải chính số 12/2025", expected_previous=chosen.id).decision
    assert (corrected.value, corrected.legal_ref, corrected.actor) == ("06/09/1987", "Quyết định cải chính số 12/2025", "an")
    assert corrected.decided_at.endswith("Z")
    fds = dz.effective_field_decisions(store)
    assert fds == [dz.FieldDecision(c.conflict_id, c.person_id, "birth_date", "fp-1", "06/09/1987", corrected.id)]


def test_choose_by_value_matches_every_record_holding_it(store):
    c = conflict()
    d = dz.decide_conflict(store, "an", c, "choose", value="09/05/1987", reason="hai giấy tờ giống nhau").decision
    assert set(d.records_a) == {(HH, "NK1"), (ID, "07901")}


@pytest.mark.parametrize(("kind", "extra"), [
    ("choose", {"value": "01/01/1999"}),
    ("correct", {"value": "31/02/1990"}),
    ("correct", {"value": None}),
])
def test_invalid_values_refused(store, kind, extra):
    with pytest.raises(dz.InvalidDecisionValue):
        dz.decide_conflict(store, "an", conflict(), kind, reason="lý do", **extra)
    assert dz.load_journal(store).decisions == []


@pytest.mark.parametrize(("kind", "extra"), [
    ("choose", {"record": (HH, "NK1")}),
    ("correct", {"value": "06/09/1987"}),
    ("split", {}),
])
@pytest.mark.parametrize("reason", [None, "   "])
def test_reason_required_except_for_accept(store, kind, extra, reason):
    with pytest.raises(dz.MissingReason):
        dz.decide_conflict(store, "an", conflict(), kind, reason=reason, **extra)
    assert dz.decide_conflict(store, "an", conflict(), "accept", reason=reason).created


@pytest.mark.parametrize(("user", "commune", "province", "allowed"), [
    ("an", "26734", "001", True),  # by commune
    ("an", "26735", "079", False),
    ("binh", "99999", "079", True),  # by province
    ("binh", "26734", "001", False),
    ("cuong", "anything", "096", True),  # steward: everywhere
    ("root", "26734", "079", False),  # admin: accounts only
])
def test_jurisdiction(store, user, commune, province, allowed):
    c = conflict(commune=commune, province=province)
    if allowed:
        assert dz.decide_conflict(store, user, c, "accept").created
    else:
        with pytest.raises(dz.NotAllowed):
            dz.decide_conflict(store, user, c, "accept")


def test_disabled_account_cannot_decide(store):
    accounts.disable_account(store, "an")
    with pytest.raises(dz.NotAllowed, match="disabled"):
        dz.decide_conflict(store, "an", conflict(), "accept")


def test_stale_fingerprint_refused(store):
    with pytest.raises(dz.StaleConflict):
        dz.decide_conflict(store, "an", conflict(fingerprint="fp-new"), "accept", seen_fingerprint="fp-old")


def test_expected_previous_guards_against_lost_update(store):
    c = conflict()
    mine = dz.decide_conflict(store, "an", c, "accept", expected_previous=None).decision
    with pytest.raises(dz.ConcurrentChange) as info:
        dz.decide_conflict(store, "cuong", c, "correct", value="07/09/1987", reason="x", expected_previous=None)
    assert info.value.current.id == mine.id
    assert dz.decide_conflict(store, "cuong", c, "correct", value="07/09/1987", reason="x",
                              expected_previous=mine.id).created


def test_identical_decision_recorded_once(store):
    c = conflict()
    one = dz.decide_conflict(store, "an", c, "correct", value="06/09/1987", reason="a", expected_previous=None)
    two = dz.decide_conflict(store, "an", c, "correct", value="6/9/1987", reason="b", expected_previous=None)
    assert one.created and not two.created and two.decision.id == one.decision.id
    assert len(dz.load_journal(store).decisions) == 1


def test_reverse_restores_the_earlier_decision(store):
    c = conflict()
    first = dz.decide_conflict(store, "an", c, "accept").decision
    second = dz.decide_conflict(store, "an", c, "correct", value="06/09/1987", reason="sai").decision
    undo = dz.reverse(store, "an", second.id, reason="nhầm").decision
    assert dz.effective_field_decisions(store)[0].decision_id == first.id
    with pytest.raises(dz.ConcurrentChange, match="already reversed"):
        dz.reverse(store, "cuong", second.id, reason="again")
    dz.reverse(store, "cuong", undo.id, reason="the correction was right")
    assert dz.effective_field_decisions(store)[0].decision_id == second.id
    with pytest.raises(dz.MissingReason):
        dz.reverse(store, "an", first.id, reason="")
    elsewhere = dz.decide_conflict(store, "cuong", conflict(2, commune="other", province="001"), "accept").decision
    with pytest.raises(dz.OutsideJurisdiction):
        dz.reverse(store, "an", elsewhere.id, reason="not mine")


def test_split_on_conflict_waits_for_a_steward(store):
    c = conflict()
    dz.decide_conflict(store, "an", c, "accept")
    split = dz.decide_conflict(store, "an", c, "split", reason="hai người khác nhau").decision
    assert split.records_a == ((CS, "KS1"),) and split.records_b == ((ID, "07901"), (HH, "NK1"))
    assert dz.effective_field_decisions(store) == []  # the current decision on the conflict is the split
    assert dz.effective_links(store) == ([], [])  # not yet approved
    assert [p.id for p in dz.pending_proposals(store)] == [split.id]
    with pytest.raises(dz.NotAllowed):
        dz.approve(store, "binh", split.id, reason="ok")  # an officer
    dz.approve(store, "cuong", split.id, reason="đã xác minh")
    must, cannot = dz.effective_links(store)
    assert must == [] and cannot == [((ID, "07901"), (CS, "KS1")), ((CS, "KS1"), (HH, "NK1"))]
    assert dz.pending_proposals(store) == []


def test_merge_needs_a_second_different_steward(store):
    a, b = [(CS, "KS9")], [(HH, "NK9"), (ID, "0799")]
    merge = dz.propose_merge(store, "cuong", a, b, reason="cùng cha mẹ, cùng ngày sinh").decision
    with pytest.raises(dz.NotAllowed, match="someone other"):
        dz.approve(store, "cuong", merge.id, reason="self")
    assert dz.effective_links(store) == ([], [])
    approval = dz.approve(store, "dung", merge.id, reason="đồng ý").decision
    assert dz.effective_links(store)[0] == [((ID, "0799"), (CS, "KS9")), ((CS, "KS9"), (HH, "NK9"))]
    with pytest.raises(dz.ConcurrentChange, match="no longer pending"):
        dz.reject(store, "dung", merge.id, reason="changed my mind")
    dz.reverse(store, "cuong", approval.id, reason="approval by mistake")
    assert dz.effective_links(store) == ([], [])
    assert [p.id for p in dz.pending_proposals(store)] == [merge.id]
    dz.reject(store, "dung", merge.id, reason="không đủ căn cứ")
    assert dz.effective_links(store) == ([], []) and dz.pending_proposals(store) == []


def test_officer_may_propose_but_not_decide_matches(store):
    merge = dz.propose_merge(store, "an", [(CS, "A")], [(HH, "B")], reason="r", province_code="079",
                             commune="26734").decision
    with pytest.raises(dz.OutsideJurisdiction):
        dz.propose_merge(store, "an", [(CS, "A")], [(HH, "B")], reason="r", province_code="001", commune="1")
    with pytest.raises(dz.NotAllowed):
        dz.decide_match(store, "an", (CS, "A"), (HH, "B"), same=True, reason="r")
    dz.approve(store, "cuong", merge.id, reason="ok")
    assert dz.effective_links(store)[0] == [((CS, "A"), (HH, "B"))]


def test_latest_link_decision_wins(store):
    x, y = (CS, "X"), (HH, "Y")
    dz.decide_match(store, "cuong", y, x, same=True, reason="same person")
    assert dz.effective_links(store) == ([(x, y)], [])
    dz.decide_match(store, "dung", x, y, same=False, reason="twins")
    assert dz.effective_links(store) == ([], [(x, y)])
    merge = dz.propose_merge(store, "cuong", [x], [y], reason="birth notice").decision
    assert dz.effective_links(store) == ([], [(x, y)])  # pending: the no_match still holds
    dz.approve(store, "dung", merge.id, reason="ok")
    assert dz.effective_links(store) == ([(x, y)], [])
    no = dz.decide_match(store, "cuong", x, y, same=False, reason="new evidence").decision
    assert dz.effective_links(store) == ([], [(x, y)])
    dz.reverse(store, "dung", no.id, reason="evidence was wrong")
    assert dz.effective_links(store) == ([(x, y)], [])


def test_field_decisions_classified_against_current_conflicts(store):
    for n in (1, 2, 3):
        dz.decide_conflict(store, "an", conflict(n), "accept")
    status = dz.classify_field_decisions(dz.effective_field_decisions(store),
                                         {conflict(1).conflict_id: "fp-1", conflict(2).conflict_id: "fp-changed"})
    assert [fd.conflict_id for fd in status.applicable] == [conflict(1).conflict_id]
    assert [fd.conflict_id for fd in status.stale] == [conflict(2).conflict_id]
    assert [fd.conflict_id for fd in status.gone] == [conflict(3).conflict_id]


def test_accept_needs_a_suggestion(store):
    with pytest.raises(dz.InvalidDecisionValue):
        dz.decide_conflict(store, "an", conflict(suggested=None), "accept")
