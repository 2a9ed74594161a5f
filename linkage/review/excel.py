"""The offline review round trip: conflict workbooks per commune (Vietnamese, protected, signed row by row),
their import as officers' decisions, and read-only correction lists per agency."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from unidecode import unidecode

from linkage.checkpoints import checkpoint
from linkage.errors import UserError
from linkage.normalise.text import fold
from linkage.review import conflicts as ws_conflicts
from linkage.review import values as vals
from linkage.review.accounts import require_account
from linkage.review.decisions import (
    FIELD_KINDS,
    ConflictInfo,
    Decision,
    DecisionError,
    current_decisions,
    decide_conflict,
)
from linkage.review.store import ReviewStore, canonical_json, format_ts
from linkage.workspace import atomic_write_bytes

FORMAT_VERSION = "1"
SHEET = "Xung đột"
CORRECTION_SHEET = "Danh sách cần sửa"
HELP_SHEET = "Hướng dẫn"
META_SHEET = "_meta"

DECISION_LABELS: dict[str, str] = {
    "accept": "Chấp nhận đề xuất",
    "choose": "Chọn giá trị khác",
    "correct": "Nhập giá trị đã sửa",
    "split": "Không phải cùng một người",
}
_LABEL_TO_KIND = {fold(label): kind for kind, label in DECISION_LABELS.items()}

FIELD_LABELS: dict[str, str] = {
    "full_name": "Họ và tên", "surname": "Họ", "middle_name": "Chữ đệm", "given_name": "Tên",
    "birth_date": "Ngày sinh", "sex": "Giới tính", "ethnicity": "Dân tộc", "nationality": "Quốc tịch",
    "religion": "Tôn giáo", "hometown": "Quê quán", "birth_place": "Nơi đăng ký khai sinh",
    "residence": "Nơi thường trú", "father_name": "Họ tên cha", "mother_name": "Họ tên mẹ",
    "personal_id": "Số định danh cá nhân", "cmnd": "Số CMND (9 số)", "household_id": "Số sổ hộ khẩu",
    "relation_to_head": "Quan hệ với chủ hộ",
}
RULE_LABELS: dict[str, str] = {
    "civil_status_original": "Theo giấy khai sinh (giấy tờ hộ tịch gốc)",
    "earliest_document": "Theo giấy tờ được cấp sớm nhất",
    "majority": "Theo đa số giấy tờ",
}
HINT_LABELS: dict[str, str] = {
    "day_month_swapped": "Có thể nhầm ngày với tháng",
    "regional_surname": "Biến thể họ theo vùng miền (Hoàng/Huỳnh, Vũ/Võ)",
    "ch_tr": "Có thể nhầm ch/tr",
    "l_n": "Có thể nhầm l/n",
    "s_x": "Có thể nhầm s/x",
    "d_gi_r": "Có thể nhầm d/gi/r",
    "final_n_ng": "Có thể nhầm n/ng cuối vần",
    "final_t_c": "Có thể nhầm t/c cuối vần",
    "tone": "Khác dấu thanh",
    "tone_hoi_nga": "Có thể nhầm dấu hỏi/ngã",
    "lunar_calendar": "Có thể là ngày âm lịch",
    "year_only": "Một giấy tờ chỉ ghi năm sinh",
    "placeholder_date": "Ngày 01/01 có thể chỉ là ngày điền thay khi chỉ biết năm",
    "middle_name_dropped": "Thiếu hoặc thừa chữ đệm (Văn/Thị)",
    "ascii_only": "Một giấy tờ ghi không dấu",
    "id_repaired": "Số định danh đã được sửa số 0 ở đầu",
    "twins": "Có thể là trẻ sinh đôi",
    "hoi_nga": "Có thể nhầm dấu hỏi/ngã",
    "letter": "Khác một chữ cái",
    "different_name": "Tên khác hẳn",
    "one_year": "Lệch một năm",
    "typo_day": "Có thể gõ nhầm ngày",
    "typo_month": "Có thể gõ nhầm tháng",
    "typo_year": "Có thể gõ nhầm năm",
    "typo_digit": "Có thể gõ nhầm một chữ số",
    "transposed_digits": "Có thể đảo chỗ hai chữ số",
    "province_differs": "Khác tỉnh",
    "district_differs": "Khác huyện",
    "commune_differs": "Khác xã",
    "detail_differs": "Khác chi tiết địa chỉ",
    "relation_to_another_head": "Quan hệ với chủ hộ khác",
    "moved_household": "Có thể đã chuyển hộ",
}
SEVERITY_LABELS = {"blocking": "Bắt buộc (chặn nạp dữ liệu)", "advisory": "Tham khảo"}
SOURCE_LABELS: dict[str, str] = {"civil_status": "Giấy khai sinh", "household": "Sổ hộ khẩu", "citizen_id": "CMND/CCCD"}
SOURCE_AGENCY = {"civil_status": "justice", "household": "police", "citizen_id": "police"}
AGENCY_LABELS = {"justice": "Tư pháp (hộ tịch)", "police": "Công an (cư trú, CMND/CCCD)"}

H_CONFLICT = "Mã xung đột"
H_PERSON = "Mã công dân"
H_FIELD = "Trường thông tin"
H_SUGGESTED = "Giá trị đề xuất"
H_RULE = "Căn cứ"
H_HINT = "Gợi ý"
H_SEVERITY = "Mức độ"
H_RECORDS = "Hồ sơ liên quan"
H_STATUS = "Tình trạng"
H_DECISION = "Quyết định"
H_VALUE = "Giá trị đã sửa"
H_REASON = "Lý do"
H_LEGAL = "Số văn bản cải chính"
H_FINGERPRINT = "fingerprint"
H_PREVIOUS = "previous_decision"
H_CHECKSUM = "checksum"
EDITABLE = (H_DECISION, H_VALUE, H_REASON, H_LEGAL)
HIDDEN = (H_FINGERPRINT, H_PREVIOUS, H_CHECKSUM)

_WIDTHS = {H_CONFLICT: 20, H_PERSON: 16, H_FIELD: 20, H_SUGGESTED: 26, H_RULE: 30, H_HINT: 30, H_SEVERITY: 16,
           H_RECORDS: 36, H_STATUS: 30, H_DECISION: 28, H_VALUE: 26, H_REASON: 40, H_LEGAL: 22}
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_EDIT_FILL = PatternFill("solid", fgColor="FFF2CC")

STATUS_TEXT: dict[str, tuple[str, str]] = {  # status → (English, Vietnamese)
    "recorded": ("decision recorded", "Đã ghi nhận quyết định"),
    "unchanged": ("identical decision already recorded; nothing changed", "Quyết định này đã được ghi nhận trước đó"),
    "unknown_conflict": ("no such conflict in the workspace", "Không tìm thấy xung đột này trong dữ liệu hiện tại"),
    "stale": ("the conflict changed since export; export again",
              "Xung đột đã thay đổi sau khi xuất tệp; hãy xuất danh sách mới"),
    "invalid_value": ("invalid value", "Giá trị không hợp lệ"),
    "invalid_decision": ("unknown decision", "Quyết định không nằm trong danh sách cho phép"),
    "missing_decision": ("value or reason filled in but no decision chosen", "Chưa chọn quyết định"),
    "outside_jurisdiction": ("outside the officer's jurisdiction", "Xung đột không thuộc địa bàn được giao"),
    "tampered": ("protected cells were changed (checksum mismatch)",
                 "Dữ liệu gốc trong dòng đã bị sửa; dòng này không được ghi nhận"),
    "missing_reason": ("a reason is required", "Phải ghi lý do"),
    "clash": ("decided differently meanwhile (another file or the web); not applied",
              "Xung đột đã có quyết định khác (từ tệp khác hoặc trên web); không ghi nhận"),
    "claimed": ("being handled by another officer", "Xung đột đang được người khác xử lý"),
    "not_allowed": ("not allowed", "Không có quyền"),
    "foreign_workbook": ("workbook not exported from this review store, or altered",
                         "Tệp không phải do hệ thống này xuất ra hoặc đã bị sửa cấu trúc"),
    "unreadable": ("cannot read the workbook", "Không đọc được tệp"),
    "refused": ("refused", "Không ghi nhận"),
}
PROBLEM_STATUSES = frozenset(STATUS_TEXT) - {"recorded", "unchanged"}


@dataclass(frozen=True)
class ExportedFile:
    path: Path
    province_code: str | None
    commune: str | None
    rows: int


@dataclass(frozen=True)
class ImportRow:
    file: str
    row: int | None
    conflict_id: str | None
    status: str
    message: str
    message_vi: str
    decision_id: int | None = None

    @property
    def problem(self) -> bool:
        return self.status in PROBLEM_STATUSES


# --------------------------------------------------------------------------------------------------------------
# Small helpers


def neutralise(value: object) -> object:
    """Text a spreadsheet would execute (`=`, `+`, `-`, `@`, tab, CR first) gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        return "'" + value
    return value


def _un_neutralise(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:2] in _DANGEROUS and text[1:2] != "" else text


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _slug(text: str | None, default: str) -> str:
    s = re.sub(r"[^A-Za-z0-9]+", "-", unidecode(text or "")).strip("-").lower()
    return s[:60] or default


def _row_mac(key: bytes, headers: Sequence[str], cells: Sequence[object]) -> str:
    message = canonical_json([FORMAT_VERSION, list(headers), [_cell_text(c) for c in cells]])
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def _meta_mac(key: bytes, meta: dict[str, str]) -> str:
    message = canonical_json({k: v for k, v in sorted(meta.items()) if k != "signature"})
    return hmac.new(key, ("meta:" + message).encode("utf-8"), hashlib.sha256).hexdigest()


def _source_columns(conflicts: Iterable[ConflictInfo]) -> list[str]:
    extra = sorted({v.source for c in conflicts for v in c.values} - set(SOURCE_LABELS))
    return list(SOURCE_LABELS) + extra


def _source_header(source: str) -> str:
    return SOURCE_LABELS.get(source, source)


def _values_of(conflict: ConflictInfo, source: str) -> str:
    seen = dict.fromkeys(v.value for v in conflict.values if v.source == source and v.value is not None)
    return " | ".join(seen)


def _records_text(conflict: ConflictInfo) -> str:
    by_source: dict[str, list[str]] = {}
    for v in conflict.values:
        by_source.setdefault(v.source, []).append(v.record_id)
    return "; ".join(f"{_source_header(s)}: {', '.join(dict.fromkeys(ids))}" for s, ids in by_source.items())


def _status_text(decision: Decision | None, conflict: ConflictInfo) -> str:
    if decision is None:
        return "Chưa quyết định"
    when = decision.decided_at[:10]
    if decision.fingerprint != conflict.fingerprint:
        return f"Quyết định #{decision.id} đã cũ (giá trị đã thay đổi) – cần quyết định lại"
    if decision.kind == "split":
        return f"Đề nghị tách #{decision.id} – {decision.actor}, {when}"
    return f"Đã quyết định #{decision.id} ({DECISION_LABELS.get(decision.kind, decision.kind)}) – {decision.actor}, {when}"


def _file_name(prefix: str, province_code: str | None, commune: str | None, taken: set[str]) -> str:
    base = f"{prefix}_{_slug(province_code, 'na')}_{_slug(commune, 'khong-ro-xa')}"
    name = base + ".xlsx"
    n = 2
    while name in taken:
        name = f"{base}-{n}.xlsx"
        n += 1
    taken.add(name)
    return name


def _write_meta(wb: Workbook, key: bytes, meta: dict[str, str]) -> None:
    ws = wb.create_sheet(META_SHEET)
    meta = {**meta, "signature": _meta_mac(key, meta)}
    for i, (k, v) in enumerate(meta.items(), start=1):
        ws.cell(row=i, column=1, value=k)
        ws.cell(row=i, column=2, value=v)
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True


def _help_sheet(wb: Workbook, lines: Sequence[str]) -> None:
    ws = wb.create_sheet(HELP_SHEET)
    ws.column_dimensions["A"].width = 120
    for i, line in enumerate(lines, start=1):
        cell = ws.cell(row=i, column=1, value=neutralise(line))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if i == 1:
            cell.font = Font(bold=True, size=13)
    ws.protection.sheet = True


def _sheet_password(key: bytes) -> str:
    return hmac.new(key, b"sheet-protection", hashlib.sha256).hexdigest()[:12]


def _header_row(ws: Any, headers: Sequence[str]) -> None:
    for col, header in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=col, value=header)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.freeze_panes = "B2"
    ws.row_dimensions[1].height = 32


def _protect(ws: Any, key: bytes, *, allow_filter: bool = True) -> None:
    ws.protection.sheet = True
    ws.protection.password = _sheet_password(key)
    if allow_filter:
        ws.protection.autoFilter = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _save(wb: Workbook, path: Path) -> None:
    buf = io.BytesIO()
    wb.save(buf)
    atomic_write_bytes(path, buf.getvalue())


# --------------------------------------------------------------------------------------------------------------
# Export of conflict workbooks


HELP_LINES = (
    "Hướng dẫn xử lý danh sách xung đột thông tin",
    "Mỗi dòng là một trường thông tin mà các giấy tờ của cùng một công dân ghi khác nhau.",
    "Các cột giấy tờ (Giấy khai sinh, Sổ hộ khẩu, CMND/CCCD) cho thấy giá trị đang ghi trong từng loại giấy tờ.",
    "Cột “Quyết định”: chọn một trong bốn lựa chọn trong danh sách thả xuống:",
    "  • Chấp nhận đề xuất – dùng giá trị ở cột “Giá trị đề xuất” (không bắt buộc ghi lý do).",
    "  • Chọn giá trị khác – ghi vào cột “Giá trị đã sửa” đúng giá trị của một giấy tờ (hoặc tên loại giấy tờ, "
    "vd “Sổ hộ khẩu”).",
    "  • Nhập giá trị đã sửa – ghi giá trị đúng vào cột “Giá trị đã sửa” (ngày ghi theo dạng ngày/tháng/năm, "
    "vd 05/09/1987); nếu có văn bản cải chính hộ tịch, ghi số văn bản.",
    "  • Không phải cùng một người – các giấy tờ thuộc về những người khác nhau; cán bộ quản lý dữ liệu sẽ duyệt.",
    "Cột “Lý do” bắt buộc với mọi quyết định, trừ “Chấp nhận đề xuất”.",
    "Không sửa các cột khác: dòng có dữ liệu gốc bị sửa sẽ không được ghi nhận.",
    "Dòng để trống cột “Quyết định” sẽ được bỏ qua. Có thể nộp lại cùng một tệp nhiều lần: quyết định đã ghi "
    "nhận không bị ghi trùng.",
    "Sau khi điền xong, gửi tệp cho cán bộ quản lý dữ liệu để nhập vào hệ thống (linkage review import).",
)


def _conflict_headers(sources: Sequence[str]) -> list[str]:
    return ([H_CONFLICT, H_PERSON, H_FIELD] + [_source_header(s) for s in sources]
            + [H_SUGGESTED, H_RULE, H_HINT, H_SEVERITY, H_RECORDS, H_STATUS]
            + list(EDITABLE) + list(HIDDEN))


def build_conflict_workbook(store: ReviewStore, conflicts: Sequence[ConflictInfo],
                            current: dict[str, Decision], *, province_code: str | None,
                            commune: str | None) -> Workbook:
    key = store.hmac_key()
    sources = _source_columns(conflicts)
    headers = _conflict_headers(sources)
    protected = [h for h in headers if h not in EDITABLE and h != H_CHECKSUM]
    col = {h: i for i, h in enumerate(headers, start=1)}
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    _header_row(ws, headers)
    for r, c in enumerate(conflicts, start=2):
        decision = current.get(c.conflict_id)
        cells: dict[str, object] = {
            H_CONFLICT: c.conflict_id, H_PERSON: c.person_id, H_FIELD: FIELD_LABELS.get(c.field, c.field),
            H_SUGGESTED: c.suggested_value, H_RULE: RULE_LABELS.get(c.rule or "", c.rule),
            H_HINT: HINT_LABELS.get(c.hint or "", c.hint), H_SEVERITY: SEVERITY_LABELS.get(c.severity or "", c.severity),
            H_RECORDS: _records_text(c), H_STATUS: _status_text(decision, c), H_FINGERPRINT: c.fingerprint,
            H_PREVIOUS: str(decision.id) if decision else None,
        }
        for s in sources:
            cells[_source_header(s)] = _values_of(c, s) or None
        if decision is not None and decision.fingerprint == c.fingerprint and decision.kind in DECISION_LABELS:
            cells[H_DECISION] = DECISION_LABELS[decision.kind]
            cells[H_VALUE] = decision.value if decision.kind in ("choose", "correct") else None
            cells[H_REASON] = decision.reason
            cells[H_LEGAL] = decision.legal_ref
        written = {h: neutralise(v) if v != "" else None for h, v in cells.items()}
        for h in headers[:-1]:
            cell = ws.cell(row=r, column=col[h], value=written.get(h))
            cell.data_type = "s" if written.get(h) is not None else cell.data_type
            if h in EDITABLE:
                cell.protection = Protection(locked=False)
                cell.number_format = "@"
                cell.fill = _EDIT_FILL
            cell.alignment = Alignment(wrap_text=h in (H_RECORDS, H_REASON, H_STATUS), vertical="top")
        ws.cell(row=r, column=col[H_CHECKSUM], value=_row_mac(key, protected, [written.get(h) for h in protected]))
    last = len(conflicts) + 1
    dv = DataValidation(type="list", formula1='"' + ",".join(DECISION_LABELS.values()) + '"', allow_blank=True,
                        showErrorMessage=True, errorTitle="Quyết định không hợp lệ",
                        error="Hãy chọn một quyết định trong danh sách.", promptTitle="Quyết định",
                        prompt="Chọn trong danh sách thả xuống.", showInputMessage=True)
    ws.add_data_validation(dv)
    if conflicts:
        letter = get_column_letter(col[H_DECISION])
        dv.add(f"{letter}2:{letter}{last}")
    for h, i in col.items():
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = _WIDTHS.get(h, 24)
        if h in HIDDEN:
            ws.column_dimensions[letter].hidden = True
    ws.auto_filter.ref = f"A1:{get_column_letter(col[H_STATUS])}{last}"
    _protect(ws, key)
    _help_sheet(wb, HELP_LINES)
    _write_meta(wb, key, {"format_version": FORMAT_VERSION, "kind": "conflicts", "store_id": store.store_id,
                          "export_id": uuid.uuid4().hex, "exported_at": format_ts(store.clock()),
                          "province_code": province_code or "", "commune": commune or ""})
    return wb


def export_conflicts(con: duckdb.DuckDBPyConnection, store: ReviewStore, out_dir: str | Path, *,
                     communes: Iterable[str] = (), province: str | None = None,
                     all_: bool = False) -> list[ExportedFile]:
    """One workbook per commune in scope, named after its province code and commune."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    groups = ws_conflicts.scope_groups(con, communes=communes, province=province, all_=all_)
    current = current_decisions(store)
    taken: set[str] = set()
    written = []
    for province_code, commune in groups:
        items = ws_conflicts.conflicts_of(con, province_code, commune)
        wb = build_conflict_workbook(store, items, current, province_code=province_code, commune=commune)
        path = out / _file_name("xung-dot", province_code, commune, taken)
        _save(wb, path)
        written.append(ExportedFile(path, province_code, commune, len(items)))
    return written


# --------------------------------------------------------------------------------------------------------------
# Correction lists per agency (read-only)


CORRECTION_HEADERS = (H_CONFLICT, H_PERSON, H_FIELD, "Loại giấy tờ", "Mã hồ sơ", "Tệp nguồn", "Dòng",
                      "Giá trị đang ghi", "Giá trị đúng", "Việc cần làm", "Căn cứ quyết định", H_LEGAL, H_SEVERITY)
ACTION_LABELS = {"different": "Sửa", "compatible": "Bổ sung / chuẩn hóa"}


def correction_rows(conflicts: Iterable[ConflictInfo], current: dict[str, Decision],
                    agency: str) -> list[list[object]]:
    """The records `agency` must correct: in conflicts decided on their current values, each record whose
    value is different from the decided one (`Sửa`) or carries less of it (`Bổ sung / chuẩn hóa`)."""
    rows: list[list[object]] = []
    for c in conflicts:
        d = current.get(c.conflict_id)
        if d is None or d.kind not in FIELD_KINDS or d.fingerprint != c.fingerprint:
            continue
        for v in c.values:
            action = ACTION_LABELS.get(vals.verdict(c.field, v.value, d.value))
            if SOURCE_AGENCY.get(v.source) != agency or action is None:
                continue
            basis = f"Quyết định #{d.id} ({DECISION_LABELS[d.kind]}) – {d.actor}, {d.decided_at[:10]}"
            rows.append([c.conflict_id, c.person_id, FIELD_LABELS.get(c.field, c.field), _source_header(v.source),
                         v.record_id, v.file, v.row, v.value, d.value, action, basis, d.legal_ref,
                         SEVERITY_LABELS.get(c.severity or "", c.severity)])
    return rows


def export_corrections(con: duckdb.DuckDBPyConnection, store: ReviewStore, out_dir: str | Path, agency: str, *,
                       communes: Iterable[str] = (), province: str | None = None,
                       all_: bool = False) -> list[ExportedFile]:
    if agency not in AGENCY_LABELS:
        raise UserError(f"unknown agency {agency!r}; use justice or police")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    key = store.hmac_key()
    current = current_decisions(store)
    taken: set[str] = set()
    written = []
    for province_code, commune in ws_conflicts.scope_groups(con, communes=communes, province=province, all_=all_):
        rows = correction_rows(ws_conflicts.conflicts_of(con, province_code, commune), current, agency)
        if not rows:
            continue
        wb = Workbook()
        ws = wb.active
        ws.title = CORRECTION_SHEET
        _header_row(ws, CORRECTION_HEADERS)
        for r, values in enumerate(rows, start=2):
            for i, v in enumerate(values, start=1):
                cell = ws.cell(row=r, column=i, value=neutralise(v))
                if isinstance(v, str):
                    cell.data_type = "s"
                cell.alignment = Alignment(vertical="top", wrap_text=i == 11)
        for i, h in enumerate(CORRECTION_HEADERS, start=1):
            ws.column_dimensions[get_column_letter(i)].width = {"Dòng": 8, "Căn cứ quyết định": 40}.get(h, 22)
        ws.auto_filter.ref = f"A1:{get_column_letter(len(CORRECTION_HEADERS))}{len(rows) + 1}"
        _protect(ws, key)
        _help_sheet(wb, (
            f"Danh sách hồ sơ cần chỉnh sửa – {AGENCY_LABELS[agency]}",
            "Mỗi dòng là một hồ sơ do cơ quan quản lý đang ghi khác với giá trị đã được công chức tư pháp – hộ tịch "
            "quyết định.",
            "Tệp chỉ để đọc; không nộp lại tệp này vào hệ thống.",
        ))
        _write_meta(wb, key, {"format_version": FORMAT_VERSION, "kind": "corrections", "agency": agency,
                              "store_id": store.store_id, "export_id": uuid.uuid4().hex,
                              "exported_at": format_ts(store.clock()), "province_code": province_code or "",
                              "commune": commune or ""})
        path = out / _file_name(f"can-sua-{agency}", province_code, commune, taken)
        _save(wb, path)
        written.append(ExportedFile(path, province_code, commune, len(rows)))
    return written


# --------------------------------------------------------------------------------------------------------------
# Import


def _report(file: str, row: int | None, conflict_id: str | None, status: str, detail: str = "",
            detail_vi: str = "", decision_id: int | None = None) -> ImportRow:
    en, vi = STATUS_TEXT.get(status, (status, status))
    return ImportRow(file, row, conflict_id, status, f"{en}: {detail}" if detail else en,
                     f"{vi}: {detail_vi}" if detail_vi else vi, decision_id)


def _read_meta(wb: Any) -> dict[str, str]:
    if META_SHEET not in wb.sheetnames:
        return {}
    ws = wb[META_SHEET]
    return {str(k): _cell_text(v) for k, v in ws.iter_rows(min_col=1, max_col=2, values_only=True) if k}


def _choose_target(conflict: ConflictInfo, text: str) -> dict[str, Any]:
    """`Chọn giá trị khác`: the officer wrote a record's value, or the name of a document kind."""
    wanted = fold(text)
    for source, label in SOURCE_LABELS.items():
        if wanted in (fold(label), fold(source)):
            records = [v for v in conflict.values if v.source == source and v.value is not None]
            if records and all(vals.same_value(conflict.field, v.value, records[0].value) for v in records):
                return {"record": records[0].key}
    return {"value": text}


def import_workbooks(con: duckdb.DuckDBPyConnection, store: ReviewStore, files: Sequence[str | Path],
                     username: str) -> list[ImportRow]:
    """Applies the filled rows of exported workbooks as decisions of `username` (channel `excel`). Files are
    taken in the order given; every row with something filled in gets one report line."""
    account = require_account(store, username)
    if not account.decides:
        raise UserError(f"user {account.username} ({account.role}) does not record decisions")
    report: list[ImportRow] = []
    for i, f in enumerate(files):
        if i:
            checkpoint("review_import.between_files")
        report.extend(_import_file(con, store, Path(f), account.username))
    return report


def _import_file(con: duckdb.DuckDBPyConnection, store: ReviewStore, path: Path, username: str) -> list[ImportRow]:
    name = path.name
    key = store.hmac_key()
    try:
        wb = load_workbook(path, read_only=True, data_only=False)
    except FileNotFoundError:
        raise UserError("no such file", file=str(path)) from None
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        return [_report(name, None, None, "unreadable", type(exc).__name__, type(exc).__name__)]
    try:
        meta = _read_meta(wb)
        if meta.get("kind") == "corrections":
            return [_report(name, None, None, "foreign_workbook", "a correction list is read-only",
                            "danh sách cần sửa chỉ để đọc, không nộp lại")]
        if (not meta or meta.get("kind") != "conflicts" or meta.get("store_id") != store.store_id
                or not hmac.compare_digest(meta.get("signature", ""), _meta_mac(key, meta))
                or SHEET not in wb.sheetnames):
            return [_report(name, None, None, "foreign_workbook")]
        rows = list(wb[SHEET].iter_rows(values_only=True))
    finally:
        wb.close()
    if not rows:
        return [_report(name, None, None, "foreign_workbook", "empty sheet", "trang tính trống")]
    headers = [_cell_text(h) for h in rows[0]]
    while headers and headers[-1] == "":
        headers.pop()
    col = {h: i for i, h in enumerate(headers)}
    if any(h not in col for h in (H_CONFLICT, H_FINGERPRINT, H_PREVIOUS, H_CHECKSUM, *EDITABLE)):
        return [_report(name, None, None, "foreign_workbook", "columns missing", "thiếu cột")]
    protected = [h for h in headers if h not in EDITABLE and h != H_CHECKSUM]

    parsed = []
    for r, raw in enumerate(rows[1:], start=2):
        cells = list(raw) + [None] * (len(headers) - len(raw))
        edit = {h: _un_neutralise(_cell_text(cells[col[h]]).strip()) for h in EDITABLE}
        if not any(edit.values()):
            continue
        conflict_id = _cell_text(cells[col[H_CONFLICT]]) or None
        mac = _row_mac(key, protected, [cells[col[h]] for h in protected])
        if not hmac.compare_digest(_cell_text(cells[col[H_CHECKSUM]]), mac):
            parsed.append((r, conflict_id, None, _report(name, r, conflict_id, "tampered")))
            continue
        parsed.append((r, conflict_id, (edit, _cell_text(cells[col[H_FINGERPRINT]]),
                                        _cell_text(cells[col[H_PREVIOUS]])), None))
    found = ws_conflicts.conflicts_by_id(con, [p[1] for p in parsed if p[2] is not None])

    out: list[ImportRow] = []
    for r, conflict_id, data, early in parsed:
        if early is not None:
            out.append(early)
            continue
        edit, fingerprint, previous = data
        out.append(_apply_row(store, username, name, r, conflict_id, found.get(conflict_id or ""), edit,
                              fingerprint, previous))
        if out[-1].status == "recorded":
            checkpoint("review_import.after_decision")
    return out


def _apply_row(store: ReviewStore, username: str, name: str, r: int, conflict_id: str | None,
               conflict: ConflictInfo | None, edit: dict[str, str], fingerprint: str, previous: str) -> ImportRow:
    label = edit[H_DECISION]
    if not label:
        return _report(name, r, conflict_id, "missing_decision")
    kind = _LABEL_TO_KIND.get(fold(label))
    if kind is None:
        return _report(name, r, conflict_id, "invalid_decision", "see the drop-down list", "xem danh sách thả xuống")
    if conflict is None:
        return _report(name, r, conflict_id, "unknown_conflict")
    kwargs: dict[str, Any] = {}
    if kind == "choose":
        if not edit[H_VALUE]:
            return _report(name, r, conflict_id, "invalid_value", "write the chosen value in 'Giá trị đã sửa'",
                           "ghi giá trị được chọn vào cột “Giá trị đã sửa”")
        kwargs = _choose_target(conflict, edit[H_VALUE])
    elif kind == "correct":
        kwargs = {"value": edit[H_VALUE] or None}
    try:
        result = decide_conflict(
            store, username, conflict, kind, reason=edit[H_REASON] or None, legal_ref=edit[H_LEGAL] or None,
            seen_fingerprint=fingerprint, expected_previous=int(previous) if previous.isdigit() else None,
            channel="excel", origin=f"{name}:{r}", **kwargs,
        )
    except DecisionError as exc:
        status = exc.code if exc.code in STATUS_TEXT else "refused"
        return _report(name, r, conflict_id, status, str(exc), exc.message_vi)
    d = result.decision
    if result.created:
        return _report(name, r, conflict_id, "recorded", f"#{d.id}", f"#{d.id}", d.id)
    return _report(name, r, conflict_id, "unchanged", f"#{d.id}", f"#{d.id}", d.id)


def write_report_csv(rows: Iterable[ImportRow], path: str | Path) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["file", "row", "conflict_id", "status", "decision_id", "message", "thong_bao"])
    for x in rows:
        writer.writerow([neutralise(v) for v in (x.file, x.row, x.conflict_id, x.status, x.decision_id,
                                                   x.message, x.message_vi)])
    atomic_write_bytes(path, ("\ufeff" + buf.getvalue()).encode("utf-8"))


def summary(rows: Iterable[ImportRow]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for x in rows:
        counts[x.status] = counts.get(x.status, 0) + 1
    return dict(sorted(counts.items()))


__all__ = [
    "DECISION_LABELS", "FIELD_LABELS", "ExportedFile", "ImportRow", "build_conflict_workbook", "correction_rows",
    "export_conflicts", "export_corrections", "import_workbooks", "neutralise", "summary", "write_report_csv",
]
