"""Texts of the web application: Vietnamese (default) and English. Labels of fields, rules, hints, documents
and decisions are those of the Excel workbooks (`linkage.review.excel`), so both channels speak alike."""

from __future__ import annotations

from collections.abc import Callable

from linkage.review import excel

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"

MESSAGES: dict[str, tuple[str, str]] = {  # key → (Vietnamese, English)
    "app_title": ("Đối soát dữ liệu hộ tịch – cư trú – căn cước", "Identity records review"),
    "skip": ("Bỏ qua, đến nội dung chính", "Skip to main content"),
    "login": ("Đăng nhập", "Log in"),
    "logout": ("Đăng xuất", "Log out"),
    "username": ("Tên đăng nhập", "User name"),
    "password": ("Mật khẩu", "Password"),
    "login_failed": ("Tên đăng nhập hoặc mật khẩu không đúng.", "Wrong user name or password."),
    "login_throttled": ("Đăng nhập sai quá nhiều lần. Hãy thử lại sau {minutes} phút.",
                        "Too many failed log-ins. Try again in {minutes} minutes."),
    "session_expired": ("Phiên làm việc đã hết hạn, hãy đăng nhập lại.", "Your session expired; log in again."),
    "logged_out": ("Đã đăng xuất.", "Logged out."),
    "nav_queue": ("Xung đột cần xử lý", "Conflicts to settle"),
    "nav_matches": ("Cặp hồ sơ nghi trùng", "Possible matches"),
    "nav_proposals": ("Đề xuất chờ duyệt", "Proposals to approve"),
    "nav_users": ("Tài khoản", "Accounts"),
    "language": ("Ngôn ngữ", "Language"),
    "lang_other": ("English", "Tiếng Việt"),
    "signed_in_as": ("Đăng nhập với tên", "Signed in as"),
    "scope": ("Địa bàn", "Jurisdiction"),
    "scope_all": ("Toàn bộ", "All"),
    "no_snapshot": ("Chưa có dữ liệu đối soát: hãy chạy `linkage run` trước.",
                    "No review data yet: run `linkage run` first."),
    "snapshot_of": ("Dữ liệu lúc", "Data as of"),
    "queue_title": ("Xung đột chưa xử lý", "Open conflicts"),
    "filter": ("Lọc", "Filter"),
    "filter_reset": ("Bỏ lọc", "Clear filters"),
    "all": ("Tất cả", "All"),
    "field": ("Trường thông tin", "Field"),
    "severity": ("Mức độ", "Severity"),
    "commune": ("Xã/phường", "Commune"),
    "province": ("Tỉnh", "Province"),
    "person": ("Công dân", "Person"),
    "values": ("Các giá trị", "Values"),
    "suggested": ("Giá trị đề xuất", "Suggested value"),
    "rule": ("Căn cứ", "Rule"),
    "hint": ("Gợi ý", "Hint"),
    "claimed_by": ("Người đang xử lý", "Being handled by"),
    "claimed_by_you": ("Bạn đang xử lý (đến {until})", "You are handling it (until {until})"),
    "claimed_by_other": ("{user} đang xử lý (đến {until})", "{user} is handling it (until {until})"),
    "claim": ("Nhận xử lý", "Claim"),
    "release": ("Trả lại", "Release"),
    "open": ("Mở", "Open"),
    "count_open": ("{n} xung đột chưa xử lý", "{n} open conflicts"),
    "nothing_open": ("Không còn xung đột nào cần xử lý.", "No open conflicts."),
    "page_of": ("Trang {page}/{pages}", "Page {page} of {pages}"),
    "prev_page": ("Trang trước", "Previous page"),
    "next_page": ("Trang sau", "Next page"),
    "person_title": ("Hồ sơ công dân", "Person"),
    "documents": ("Các giấy tờ", "Documents"),
    "record_id": ("Mã hồ sơ", "Record key"),
    "file_row": ("Tệp:dòng", "File:row"),
    "conflicts": ("Xung đột", "Conflicts"),
    "disagree": ("khác với giá trị đề xuất", "differs from the suggestion"),
    "status": ("Tình trạng", "Status"),
    "undecided": ("Chưa quyết định", "Not decided"),
    "decided": ("Đã quyết định #{id} ({kind}{value}) – {actor}, {when}", "Decided #{id} ({kind}{value}) – {actor}, {when}"),
    "decided_stale": ("Quyết định #{id} đã cũ (giá trị đã thay đổi) – cần quyết định lại",
                      "Decision #{id} is stale (the values changed) – decide again"),
    "split_pending": ("Đề nghị tách #{id} đang chờ duyệt", "Split #{id} waits for approval"),
    "split_approved": ("Đã tách #{id}", "Split #{id} approved"),
    "decision": ("Quyết định", "Decision"),
    "decide": ("Ghi nhận quyết định", "Record the decision"),
    "decide_again": ("Quyết định lại", "Decide again"),
    "choose_record": ("Chọn giá trị của hồ sơ", "Choose the value of record"),
    "corrected_value": ("Giá trị đã sửa", "Corrected value"),
    "reason": ("Lý do", "Reason"),
    "reason_help": ("Bắt buộc, trừ khi chấp nhận đề xuất.", "Required unless you accept the suggestion."),
    "legal_ref": ("Số văn bản cải chính (nếu có)", "Correction document number (if any)"),
    "recorded": ("Đã ghi nhận quyết định #{id}.", "Decision #{id} recorded."),
    "unchanged": ("Quyết định này đã được ghi nhận trước đó (#{id}).", "This decision was already recorded (#{id})."),
    "claimed_ok": ("Bạn đã nhận xử lý xung đột này.", "You claimed this conflict."),
    "released_ok": ("Đã trả lại xung đột.", "Claim released."),
    "evidence": ("Căn cứ ghép hồ sơ", "Why these records were joined"),
    "evidence_none": ("Không có thông tin so khớp.", "No match scores."),
    "pair": ("Cặp hồ sơ", "Pair"),
    "probability": ("Xác suất trùng", "Match probability"),
    "weight": ("Trọng số", "Match weight"),
    "comparisons": ("Mức giống theo từng trường", "Agreement per comparison"),
    "level_null": ("thiếu", "missing"),
    "level_else": ("khác", "differs"),
    "level_n": ("giống mức {n}", "agrees (level {n})"),
    "history": ("Lịch sử quyết định", "Decision history"),
    "history_none": ("Chưa có quyết định nào.", "No decisions yet."),
    "when": ("Thời điểm", "When"),
    "who": ("Người quyết định", "By"),
    "kind": ("Loại", "Kind"),
    "value": ("Giá trị", "Value"),
    "channel": ("Kênh", "Channel"),
    "matches_title": ("Cặp hồ sơ nghi là cùng một người", "Possible matches"),
    "matches_none": ("Không còn cặp hồ sơ nào cần xem xét.", "No possible matches to review."),
    "count_matches": ("{n} cặp chưa xem xét", "{n} pairs to review"),
    "same_person": ("Cùng một người", "Same person"),
    "not_same_person": ("Không phải cùng một người", "Not the same person"),
    "record_left": ("Hồ sơ thứ nhất", "First record"),
    "record_right": ("Hồ sơ thứ hai", "Second record"),
    "held_apart": ("Lý do tách/nghi ngờ", "Why held apart"),
    "proposals_title": ("Đề xuất gộp/tách chờ duyệt", "Merges and splits waiting for approval"),
    "proposals_none": ("Không có đề xuất nào chờ duyệt.", "Nothing waits for approval."),
    "group_a": ("Nhóm hồ sơ A", "Records A"),
    "group_b": ("Nhóm hồ sơ B", "Records B"),
    "proposed_by": ("Người đề xuất", "Proposed by"),
    "approve": ("Phê duyệt", "Approve"),
    "reject": ("Từ chối", "Reject"),
    "approved": ("Đã phê duyệt đề xuất #{id}.", "Proposal #{id} approved."),
    "rejected": ("Đã từ chối đề xuất #{id}.", "Proposal #{id} rejected."),
    "forbidden": ("Bạn không có quyền xem trang này.", "You may not see this page."),
    "not_found": ("Không tìm thấy.", "Not found."),
    "bad_csrf": ("Biểu mẫu đã hết hạn hoặc không hợp lệ. Hãy tải lại trang và thử lại.",
                 "The form expired or is invalid. Reload the page and try again."),
    "error": ("Lỗi", "Error"),
    "back_to_queue": ("Về danh sách xung đột", "Back to the conflicts"),
    "users_title": ("Tài khoản", "Accounts"),
    "role": ("Vai trò", "Role"),
    "display_name": ("Họ tên", "Name"),
    "active": ("Đang hoạt động", "Active"),
    "disabled": ("Đã khóa", "Disabled"),
    "disable": ("Khóa", "Disable"),
    "enable": ("Mở khóa", "Enable"),
    "add_user": ("Thêm tài khoản", "Add an account"),
    "communes_help": ("Xã/phường (mã hoặc TỈNH:XÃ), cách nhau bởi dấu phẩy", "Communes (code or PROVINCE:COMMUNE), comma-separated"),
    "provinces_help": ("Tỉnh (mã), cách nhau bởi dấu phẩy", "Provinces (codes), comma-separated"),
    "user_added": ("Đã thêm tài khoản {user}.", "Account {user} added."),
    "user_changed": ("Đã cập nhật tài khoản {user}.", "Account {user} updated."),
    "yes": ("Có", "Yes"),
    "no": ("Không", "No"),
    "stale_web": ("Xung đột đã thay đổi (có giá trị mới) kể từ khi bạn mở trang này. Hãy xem lại các giá trị "
                  "mới bên dưới rồi quyết định lại.",
                  "The conflict changed (new values) since you opened this page. Check the new values below "
                  "and decide again."),
    "decided_meanwhile": ("Xung đột này vừa được {actor} quyết định (#{id}); hãy chọn xung đột khác.",
                          "{actor} has just decided this conflict (#{id}); pick another one."),
    "bad_form": ("Biểu mẫu không hợp lệ.", "Invalid form."),
}

FIELD_EN = {
    "full_name": "Full name", "surname": "Surname", "middle_name": "Middle name", "given_name": "Given name",
    "birth_date": "Date of birth", "sex": "Sex", "ethnicity": "Ethnicity", "nationality": "Nationality",
    "religion": "Religion", "hometown": "Hometown", "birth_place": "Place of birth registration",
    "residence": "Permanent residence", "father_name": "Father's name", "mother_name": "Mother's name",
    "personal_id": "Personal ID number", "cmnd": "Old ID card number (9 digits)",
    "household_id": "Household book number", "relation_to_head": "Relation to the head of household",
    "event_date": "Document date",
}
FIELD_VI_EXTRA = {"event_date": "Ngày lập/cấp giấy tờ"}
RULE_EN = {"civil_status_original": "The birth certificate (original civil-status record)",
           "earliest_document": "The earliest issued document", "majority": "Most documents"}
SOURCE_EN = {"civil_status": "Birth certificate", "household": "Household book", "citizen_id": "ID card (CMND/CCCD)"}
SOURCE_VI = {"civil_status": "Giấy khai sinh", "household": "Sổ hộ khẩu", "citizen_id": "CMND/CCCD"}
SEVERITY_EN = {"blocking": "Blocking (stops the final load)", "advisory": "Advisory"}
DECISION_EN = {"accept": "Accept the suggestion", "choose": "Choose another record's value",
               "correct": "Enter a corrected value", "split": "Not the same person",
               "match": "Same person", "no_match": "Not the same person", "merge": "Merge (same person)",
               "approve": "Approval", "reject": "Rejection", "reverse": "Reversal"}
DECISION_VI = {**excel.DECISION_LABELS, "match": "Cùng một người", "no_match": "Không phải cùng một người",
               "merge": "Gộp (cùng một người)", "approve": "Phê duyệt", "reject": "Từ chối", "reverse": "Hủy quyết định"}
STATE_LABELS = {"active": ("Có hiệu lực", "In force"), "reversed": ("Đã hủy", "Reversed"),
                "pending": ("Chờ duyệt", "Pending"), "approved": ("Đã duyệt", "Approved"),
                "rejected": ("Bị từ chối", "Rejected")}
ROLE_EN = {"officer": "Justice officer", "steward": "Data steward", "admin": "Account administrator"}
SEX_LABELS = {"M": ("Nam", "Male"), "F": ("Nữ", "Female")}
REASON_LABELS = {"uncertain": ("Xác suất trùng ở mức chưa chắc chắn", "Uncertain match probability"),
                 "two_birth_registrations": ("Hai giấy khai sinh", "Two birth registrations"),
                 "twins": ("Có thể là trẻ sinh đôi", "Possibly twins"),
                 "different_personal_ids": ("Khác số định danh cá nhân", "Different personal ID numbers"),
                 "cannot_link_decision": ("Đã có quyết định không ghép", "A decision keeps them apart")}


COMPARISON_LABELS = {"birth_province": ("Tỉnh nơi sinh", "Province of birth"),
                     "hometown_province": ("Tỉnh quê quán", "Hometown province"),
                     "residence_province": ("Tỉnh thường trú", "Residence province"),
                     "id_vs_record": ("Số định danh so với ngày sinh, giới tính", "ID number vs birth year and sex"),
                     "parents": ("Cha mẹ", "Parents"), "name": ("Họ tên", "Name")}


def pick_lang(value: str | None) -> str:
    return value if value in LANGS else DEFAULT_LANG


class Translator:
    """`t(key, **fmt)` and the label helpers of one language, for templates."""

    def __init__(self, lang: str) -> None:
        self.lang = pick_lang(lang)
        self.vi = self.lang == "vi"

    def __call__(self, key: str, **fmt: object) -> str:
        vi, en = MESSAGES.get(key, (key, key))
        text = vi if self.vi else en
        return text.format(**fmt) if fmt else text

    def _pick(self, vi: dict[str, str], en: dict[str, str], key: str | None) -> str:
        if key is None:
            return ""
        return (vi if self.vi else en).get(key, key)

    def field(self, name: str | None) -> str:
        return self._pick({**excel.FIELD_LABELS, **FIELD_VI_EXTRA}, FIELD_EN, name)

    def rule(self, name: str | None) -> str:
        return self._pick(excel.RULE_LABELS, RULE_EN, name)

    def hint(self, name: str | None) -> str:
        if name is None:
            return ""
        return excel.HINT_LABELS.get(name, name) if self.vi else name.replace("_", " ")

    def source(self, name: str | None) -> str:
        return self._pick(SOURCE_VI, SOURCE_EN, name)

    def severity(self, name: str | None) -> str:
        return self._pick(excel.SEVERITY_LABELS, SEVERITY_EN, name)

    def kind(self, name: str | None) -> str:
        return self._pick(DECISION_VI, DECISION_EN, name)

    def role(self, name: str | None) -> str:
        from linkage.review.accounts import ROLE_LABELS_VI

        return self._pick(ROLE_LABELS_VI, ROLE_EN, name)

    def state(self, name: str) -> str:
        vi, en = STATE_LABELS.get(name, (name, name))
        return vi if self.vi else en

    def sex(self, code: str | None) -> str | None:
        if code not in SEX_LABELS:
            return code
        vi, en = SEX_LABELS[code]
        return vi if self.vi else en

    def comparison(self, name: str) -> str:
        """A Splink comparison's name (`gamma_<name>`) in words."""
        if name in COMPARISON_LABELS:
            vi, en = COMPARISON_LABELS[name]
            return vi if self.vi else en
        return self.field(name)

    def match_reason(self, name: str | None) -> str:
        if not name:
            return ""
        vi, en = REASON_LABELS.get(name, (name, name))
        return vi if self.vi else en

    def error(self, exc: Exception) -> str:
        """A review error's message in this language (`message_vi` in Vietnamese)."""
        return getattr(exc, "message_vi", str(exc)) if self.vi else str(exc)


def translator(lang: str) -> Callable[..., str]:
    return Translator(lang)
