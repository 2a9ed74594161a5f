"""Values officers enter or choose, checked with the engine's own parsers (`linkage.normalise`) and compared
with its one compatibility function (`linkage.compat`): a corrected date must be a real, definite date, an
ethnicity one of the 54 official groups, an ID number well formed. Each validator returns the value in the
display form the `conflicts` table uses (dd/mm/yyyy · mm/yyyy · yyyy, Nam/Nữ, the official ethnic name,
Title Case names)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime

from linkage import compat
from linkage.normalise import codes, ids, names
from linkage.normalise.dates import parse_date
from linkage.normalise.text import clean_text


class InvalidValueError(ValueError):
    """The entered value is not valid for its field (message in English; `message_vi` in Vietnamese)."""

    def __init__(self, message: str, message_vi: str) -> None:
        super().__init__(message)
        self.message_vi = message_vi


NAME_FIELDS = frozenset({"full_name", "father_name", "mother_name"})
# A corrected date is a definite statement: nothing guessed, approximate or ambiguous.
_DATE_REFUSED_FLAGS = frozenset({"impossible_date", "implausible_year", "unparsed", "two_digit_year", "excel_serial",
                                 "excel_scientific", "approximate", "swapped_possible"})
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['’`-][^\W\d_]*)*")


def birth_date(value: object, today: date | None = None) -> str:
    today = today or date.today()
    text = value.strftime("%d/%m/%Y") if isinstance(value, datetime | date) else (clean_text(str(value)) or "")
    p = parse_date(value)
    if p.precision is None or _DATE_REFUSED_FLAGS & set(p.flags) or p.year is None:
        raise InvalidValueError(f"{text!r} is not a real date (write dd/mm/yyyy, mm/yyyy or yyyy)",
                                f"“{text}” không phải là ngày có thật (ghi ngày/tháng/năm, vd 05/09/1987)")
    first_day = date(p.year, p.month or 1, p.day or 1)
    if first_day > today:
        raise InvalidValueError(f"{text!r} is in the future", f"Ngày “{text}” ở tương lai")
    if p.precision == "day" and p.month and p.day:
        return f"{p.day:02d}/{p.month:02d}/{p.year}"
    if p.precision == "month" and p.month:
        return f"{p.month:02d}/{p.year}"
    return str(p.year)


def sex(value: object) -> str:
    code = codes.parse_sex(value)
    if code is None:
        raise InvalidValueError("sex must be Nam or Nữ", "Giới tính phải là “Nam” hoặc “Nữ”")
    return "Nam" if code == "M" else "Nữ"


def ethnicity(value: object) -> str:
    _code, name = codes.parse_ethnicity(value)
    if name is None:
        raise InvalidValueError("not one of the 54 official ethnic groups",
                                "Không có trong danh mục 54 dân tộc")
    return name


def personal_id(value: object) -> str:
    p = ids.parse_id(value)
    if p.status != "valid" or p.personal_id is None:
        raise InvalidValueError("a personal ID number has 12 digits and starts with a province code",
                                "Số định danh cá nhân gồm 12 chữ số, bắt đầu bằng mã tỉnh nơi đăng ký khai sinh")
    return p.personal_id


def cmnd(value: object) -> str:
    p = ids.parse_id(value)
    if p.status != "valid" or p.cmnd is None:
        raise InvalidValueError("an old ID card number has 9 digits", "Số CMND cũ gồm 9 chữ số")
    return p.cmnd


def person_name(value: object) -> str:
    text = clean_text(str(value)) or ""
    if not text or len(text) > 120 or not all(_NAME_WORD.fullmatch(w) for w in text.split(" ")):
        raise InvalidValueError("a name has letters, spaces and apostrophes only",
                                "Họ tên chỉ gồm chữ cái, dấu cách và dấu nháy (vd H'Hen Niê)")
    parsed = names.parse_name(text)
    return parsed.full_name if parsed else text


def free_text(value: object) -> str:
    text = clean_text(str(value)) or ""
    if not text:
        raise InvalidValueError("the value is empty", "Chưa nhập giá trị")
    if len(text) > 300 or text[0] in "=+-@" or any(unicodedata.category(ch) == "Cc" for ch in text):
        raise InvalidValueError("the value is too long or has characters not allowed",
                                "Giá trị quá dài hoặc có ký tự không hợp lệ")
    return text


VALIDATORS: dict[str, Callable[[object], str]] = {
    "birth_date": birth_date,
    "sex": sex,
    "ethnicity": ethnicity,
    "personal_id": personal_id,
    "cmnd": cmnd,
    **{f: person_name for f in NAME_FIELDS},
}


def validate(field: str, value: object) -> str:
    """The value in display form, or InvalidValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidValueError("the value is empty", "Chưa nhập giá trị")
    if isinstance(value, float) and value.is_integer():
        value = str(int(value))
    return VALIDATORS.get(field, free_text)(value)


def verdict(field: str, a: object, b: object) -> str:
    """`same`, `compatible`, `different` or `unknown` (a blank side), as the engine judges two values."""
    if a is None or b is None or not str(a).strip() or not str(b).strip():
        return "unknown"
    try:
        return compat.compare(field, str(a), str(b)).verdict
    except ValueError:  # a field compat has no rule for
        same = (clean_text(str(a)) or "").casefold() == (clean_text(str(b)) or "").casefold()
        return "same" if same else "different"


def same_value(field: str, a: object, b: object) -> bool:
    return verdict(field, a, b) == "same"
