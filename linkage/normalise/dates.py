"""Dates as Vietnamese documents and Excel exports write them.

`parse_date` reads one raw value into `DateParts` (year, month, day, precision, placeholder, flags);
`compare_dates` and `date_difference_hint` compare two parsed dates (see `linkage.compat`).

Conventions (domain.md):
- numeric dates are day first: dd/mm/yyyy, d/m/yy, dd-mm-yyyy, dd.mm.yyyy — never mm/dd. A value whose
  "month" is over 12 keeps only its year (flag `impossible_date`, plus `swapped_possible` when reading it as
  mm/dd would give a real date);
- ISO yyyy-mm-dd (with or without a time part), yyyymmdd, mm/yyyy, yyyy, Vietnamese text
  (`ngày 5 tháng 3 năm 1980`, `tháng 3/1980`, `năm 1945`, with or without diacritics), Excel's d-mmm-yy;
- two-digit years: `yy <= REFERENCE_YEAR % 100` → 20yy, else 19yy (flag `two_digit_year`);
- Excel serial day numbers (29221 = 1980-01-01) from `EXCEL_SERIAL_MIN` (2200 = 1906-01-08) to the end of next
  year; 4-digit numbers from MIN_YEAR to next year are years, never serials (flag `excel_serial`);
- scientific notation (`1.98001E+07`, an yyyymmdd number shown by Excel) keeps what its digits still say
  (flag `excel_scientific`);
- `00/00/yyyy`, `../../yyyy`, `xx/xx/yyyy` → year precision; `00/mm/yyyy` → month precision;
- `01/01/yyyy` → day precision with `placeholder=True` (the usual fill for a year-only date), and so is
  `00/00/yyyy` (schema.md);
- impossible dates (31/02/1980) keep the year only (flag `impossible_date`); years outside
  MIN_YEAR..REFERENCE_YEAR+1 keep nothing (flag `implausible_year`);
- a value that cannot be read at all gives precision None and flag `unparsed`; a blank value gives no flag.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from unidecode import unidecode

from linkage.normalise.text import clean_text

try:  # Vietnamese lunar calendar (UTC+7, differs from the Chinese one in some years)
    import lunar_vn as _lunar_vn
except ImportError:  # pragma: no cover - the approximation below is used instead
    _lunar_vn = None

REFERENCE_YEAR = _dt.date.today().year
MIN_YEAR = 1880
MAX_YEAR = REFERENCE_YEAR + 1
EXCEL_EPOCH = _dt.date(1899, 12, 30)  # valid for serials >= 61 (Excel's 1900 leap-year bug)
EXCEL_SERIAL_MIN = 2200
EXCEL_SERIAL_MAX = (_dt.date(MAX_YEAR, 12, 31) - EXCEL_EPOCH).days

PRECISIONS = ("day", "month", "year")


@dataclass(frozen=True)
class DateParts:
    year: int | None = None
    month: int | None = None
    day: int | None = None
    precision: str | None = None  # 'day' | 'month' | 'year' | None (unknown)
    placeholder: bool = False
    flags: tuple[str, ...] = ()

    def as_date(self) -> _dt.date | None:
        """The full date where precision is 'day', else None."""
        if self.precision == "day" and self.year and self.month and self.day:
            return _dt.date(self.year, self.month, self.day)
        return None


MISSING = DateParts()

_MONTHS_EN = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
_UNK = r"(?:0{1,2}|[.?x_*-]{1,2})"
_SEP = r"\s*[/.\-]\s*"
_RE_DMY = re.compile(rf"^(?P<d>\d{{1,2}}|{_UNK}){_SEP}(?P<m>\d{{1,2}}|{_UNK}){_SEP}(?P<y>\d{{4}}|\d{{2}})$")
_RE_MY = re.compile(rf"^(?P<m>\d{{1,2}}|{_UNK}){_SEP}(?P<y>\d{{4}})$")
_RE_YMD = re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})$")
_RE_YM = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})$")
_RE_NUM = re.compile(r"^(?P<i>\d+)(?:\.(?P<f>\d+))?$")
_RE_SCI = re.compile(r"^\d(?:[.,]\d+)?e\+?\d{1,2}$", re.IGNORECASE)
_RE_TIME = re.compile(
    r"(?:[ t]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:am|pm|sa|ch)?|[ t]?00:00:00)\s*(?:z|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)
_RE_EN_DMY = re.compile(r"^(?P<d>\d{1,2})[-/ ](?P<mon>[a-z]{3})[a-z]*\.?[-/ ,]+(?P<y>\d{4}|\d{2})$")
_RE_EN_MDY = re.compile(r"^(?P<mon>[a-z]{3})[a-z]*\.? (?P<d>\d{1,2}),? (?P<y>\d{4})$")
_RE_EN_MY = re.compile(r"^(?P<mon>[a-z]{3})[a-z]*\.?[-/ ](?P<y>\d{4}|\d{2})$")
_RE_VI_DMY = re.compile(
    r"^(?:ngay\s*)?(?P<d>\d{1,2})\s*(?:thang|/|-)\s*(?P<m>\d{1,2})\s*(?:nam|/|-)\s*(?P<y>\d{4})$"
)
_RE_VI_MY = re.compile(r"^thang\s*(?P<m>\d{1,2})\s*(?:nam|/|-)?\s*(?P<y>\d{4})$")
_RE_VI_Y = re.compile(r"^nam\s*(?P<y>\d{4})$")
_APPROX = re.compile(r"^(?:khoang|chung|tam|circa|ca\.|~)\s*")
_NONE_WORDS = {"khong ro", "khong", "chua ro", "khong xac dinh", "kxd", "n/a", "na", "null", "none", "nan", "-"}


def parse_date(value: object) -> DateParts:
    """Read one raw date value (see the module docstring for the formats)."""
    if value is None:
        return MISSING
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return _build(value.year, value.month, value.day, ())
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = repr(value)
    s = clean_text(str(value))
    if s is None:
        return MISSING
    s = s.strip(" '\"")
    s = _RE_TIME.sub("", s).strip()
    if not s:
        return MISSING
    f = _fold_keep(s)
    if f in _NONE_WORDS:
        return MISSING
    flags: tuple[str, ...] = ()
    m = _APPROX.match(f)
    if m and m.end() < len(f):
        f = f[m.end():]
        s = f
        flags = ("approximate",)
    parts = _parse_core(s, f)
    if parts is None:
        return DateParts(flags=flags + ("unparsed",))
    return _with_flags(parts, flags) if flags else parts


def _fold_keep(s: str) -> str:
    """Lower-case ASCII, punctuation kept, single spaces, no spaces around / . -"""
    f = " ".join(unidecode(s).lower().split())
    return re.sub(r"\s*([/.\-])\s*", r"\1", f)


def _parse_core(s: str, f: str) -> DateParts | None:
    compact = s.replace(" ", "").lower()
    if _RE_SCI.match(compact):
        return _parse_scientific(compact.replace(",", "."))
    m = _RE_NUM.match(compact)
    if m:
        return _parse_number(m.group("i"), m.group("f"))
    m = _RE_YMD.match(compact)
    if m:
        return _build(int(m["y"]), int(m["m"]), int(m["d"]), ())
    m = _RE_YM.match(compact)
    if m:
        return _build(int(m["y"]), int(m["m"]), None, ())
    m = _RE_DMY.match(compact)
    if m:
        year, extra = _year(m["y"])
        return _build(year, _num(m["m"]), _num(m["d"]), extra, explicit_fill=_is_zero(m["d"]) and _is_zero(m["m"]))
    m = _RE_MY.match(compact)
    if m:
        return _build(int(m["y"]), _num(m["m"]), None, ())
    for rx in (_RE_EN_DMY, _RE_EN_MDY):
        m = rx.match(f)
        if m and m["mon"] in _MONTHS_EN:
            year, extra = _year(m["y"])
            return _build(year, _MONTHS_EN[m["mon"]], int(m["d"]), extra + ("text_date",))
    m = _RE_EN_MY.match(f)
    if m and m["mon"] in _MONTHS_EN:
        year, extra = _year(m["y"])
        return _build(year, _MONTHS_EN[m["mon"]], None, extra + ("text_date",))
    m = _RE_VI_DMY.match(f)
    if m and ("thang" in f or "ngay" in f):
        return _build(int(m["y"]), int(m["m"]), int(m["d"]), ("text_date",))
    m = _RE_VI_MY.match(f)
    if m:
        return _build(int(m["y"]), int(m["m"]), None, ("text_date",))
    m = _RE_VI_Y.match(f)
    if m:
        return _build(int(m["y"]), None, None, ("text_date",))
    return None


def _num(token: str) -> int | None:
    """A day/month token: digits → int (0 stays 0 = unknown), fill characters → None."""
    return int(token) if token.isdigit() else None


def _is_zero(token: str) -> bool:
    return token.isdigit() and int(token) == 0


def _year(token: str) -> tuple[int, tuple[str, ...]]:
    if len(token) == 2:
        yy = int(token)
        century = 2000 if yy <= REFERENCE_YEAR % 100 else 1900
        return century + yy, ("two_digit_year",)
    return int(token), ()


def _parse_number(digits: str, fraction: str | None) -> DateParts | None:
    if fraction is not None and set(fraction) != {"0"} and len(digits) != 5:
        return None
    n = int(digits)
    if len(digits) == 4 and MIN_YEAR <= n <= MAX_YEAR:
        return _build(n, None, None, ())
    if len(digits) == 8:
        return _parse_compact(digits, ("compact",))
    if EXCEL_SERIAL_MIN <= n <= EXCEL_SERIAL_MAX and len(digits) in (4, 5):
        d = EXCEL_EPOCH + _dt.timedelta(days=n)
        return _build(d.year, d.month, d.day, ("excel_serial",))
    if len(digits) == 4:
        return _build(n, None, None, ())  # an out-of-range year: flagged implausible_year
    return None


def _parse_compact(digits: str, flags: tuple[str, ...]) -> DateParts | None:
    """yyyymmdd, else ddmmyyyy."""
    y, m, d = int(digits[:4]), int(digits[4:6]), int(digits[6:])
    if MIN_YEAR <= y <= MAX_YEAR:
        return _build(y, m, d, flags)
    d2, m2, y2 = int(digits[:2]), int(digits[2:4]), int(digits[4:])
    if MIN_YEAR <= y2 <= MAX_YEAR:
        return _build(y2, m2, d2, flags)
    return None


def _parse_scientific(s: str) -> DateParts | None:
    """An yyyymmdd (or serial) number in Excel's scientific notation; keep the digits it still carries."""
    try:
        v = Decimal(s)
    except InvalidOperation:
        return None
    mantissa, exponent = s.lower().split("e")
    sig = len(mantissa.replace(".", "").lstrip("0")) or 1
    exp = int(exponent)
    ulp = Decimal(10) ** (exp - sig + 1)
    flags = ("excel_scientific",)
    if ulp <= 1:  # every digit survived
        if v != v.to_integral_value():
            return None
        digits = str(int(v))
        p = _parse_number(digits, None)
        return _with_flags(p, flags) if p else None
    if exp != 7:
        return None
    lo = int((v - ulp / 2).to_integral_value(rounding="ROUND_CEILING"))
    hi = int((v + ulp / 2).to_integral_value(rounding="ROUND_FLOOR"))
    found = set()
    for n in range(lo, hi + 1):
        y, m, d = n // 10000, n // 100 % 100, n % 100
        if MIN_YEAR <= y <= MAX_YEAR and 1 <= m <= 12 and 1 <= d <= calendar.monthrange(y, m)[1]:
            found.add((y, m, d))
    years = {c[0] for c in found}
    if len(years) != 1:
        return DateParts(flags=flags + ("unparsed",))
    months = {c[1] for c in found}
    if len(months) == 1:
        return DateParts(years.pop(), months.pop(), None, "month", False, flags)
    return DateParts(years.pop(), None, None, "year", False, flags)


def _build(
    year: int | None,
    month: int | None,
    day: int | None,
    flags: tuple[str, ...],
    *,
    explicit_fill: bool = False,
) -> DateParts:
    if year is None or not MIN_YEAR <= year <= MAX_YEAR:
        return DateParts(flags=flags + ("implausible_year",))
    if not month:  # 0 or unknown → year only
        return DateParts(year, None, None, "year", explicit_fill, flags)
    if month > 12:
        extra = ("impossible_date",)
        if day and 1 <= day <= 12 and month <= calendar.monthrange(year, day)[1]:
            extra += ("swapped_possible",)
        return DateParts(year, None, None, "year", False, flags + extra)
    if not day:
        return DateParts(year, month, None, "month", False, flags)
    if day > calendar.monthrange(year, month)[1]:
        return DateParts(year, None, None, "year", False, flags + ("impossible_date",))
    return DateParts(year, month, day, "day", day == 1 and month == 1, flags)


def _with_flags(p: DateParts, flags: tuple[str, ...]) -> DateParts:
    return DateParts(p.year, p.month, p.day, p.precision, p.placeholder, flags + p.flags)


# ---------------------------------------------------------------------------------------------- comparison


def compare_dates(a: DateParts | None, b: DateParts | None) -> str:
    """'same' | 'compatible' | 'different' | 'unknown'.

    Compared at the precision both carry: a year-only or month-only date is compatible with a fuller date
    inside it; `01/01/yyyy` (placeholder) is compatible with any date of the same year; unknown on either
    side is 'unknown', never a conflict."""
    if a is None or b is None or a.precision is None or b.precision is None:
        return "unknown"
    if a.year != b.year:
        return "different"
    pa, pb = a.precision, b.precision
    if pa == "year" and pb == "year":
        return "same"
    if pa == "year" or pb == "year":
        return "compatible"
    if pa == "month" and pb == "month":
        return "same" if a.month == b.month else "different"
    if pa == "day" and pb == "day":
        if a.month == b.month and a.day == b.day:
            return "same"
        return "compatible" if a.placeholder or b.placeholder else "different"
    full = a if pa == "day" else b
    part = b if pa == "day" else a
    if full.month == part.month or full.placeholder:
        return "compatible"
    return "different"


def date_difference_hint(a: DateParts | None, b: DateParts | None) -> str | None:
    """Why two dates may differ: `day_month_swapped`, `lunar_calendar`, `one_year`, `typo_year`, `typo_day`,
    `typo_month`, `placeholder`; None when nothing explains it (or either date is unknown)."""
    if a is None or b is None or a.precision is None or b.precision is None:
        return None
    if a.precision == "day" and b.precision == "day":
        return _hint_days(a, b)
    if a.year == b.year and (a.placeholder or b.placeholder):
        return "placeholder"
    if {a.precision, b.precision} == {"day", "month"}:
        full = a if a.precision == "day" else b
        part = b if a.precision == "day" else a
        lunar = _lunar(full)
        if lunar is not None and (lunar[2], lunar[1]) == (part.year, part.month) and part.month != full.month:
            return "lunar_calendar"
    if a.month is not None and a.month == b.month and a.year is not None and b.year is not None:
        if abs(a.year - b.year) == 1:
            return "one_year"
        if _one_digit(a.year, b.year):
            return "typo_year"
    if a.precision == "year" and b.precision == "year" and a.year is not None and b.year is not None:
        if abs(a.year - b.year) == 1:
            return "one_year"
        if _one_digit(a.year, b.year):
            return "typo_year"
    return None


def _hint_days(a: DateParts, b: DateParts) -> str | None:
    if a.year == b.year and a.month == b.day and a.day == b.month and a.day != a.month:
        return "day_month_swapped"
    if _is_lunar_of(a, b) or _is_lunar_of(b, a):
        return "lunar_calendar"
    if (a.month, a.day) == (b.month, b.day):
        if abs((a.year or 0) - (b.year or 0)) == 1:
            return "one_year"
        if _one_digit(a.year, b.year):
            return "typo_year"
        return None
    if a.year == b.year and (a.placeholder or b.placeholder):
        return "placeholder"
    if a.year == b.year and a.month == b.month:
        return "typo_day"
    if a.year == b.year and a.day == b.day:
        return "typo_month"
    return None


def _one_digit(x: int | None, y: int | None) -> bool:
    if x is None or y is None:
        return False
    sx, sy = str(x), str(y)
    return len(sx) == len(sy) and sum(c1 != c2 for c1, c2 in zip(sx, sy, strict=True)) == 1


def _lunar(p: DateParts) -> tuple[int, int, int] | None:
    """(day, month, year) of the Vietnamese lunar date of a solar date, or None."""
    d = p.as_date()
    if d is None or _lunar_vn is None:
        return None
    lo, hi = _lunar_vn.SUPPORTED_YEAR_RANGE
    if not lo <= d.year <= hi:
        return None
    ld = _lunar_vn.solar_to_lunar(d)
    return ld.day, ld.month, ld.year


def _is_lunar_of(solar: DateParts, written: DateParts) -> bool:
    """`written` looks like the lunar date of `solar` (3–7 weeks earlier; Jan–Feb births in the year before)."""
    sd, wd = solar.as_date(), written.as_date()
    if sd is None or wd is None:
        return False
    lunar = _lunar(solar)
    if lunar is not None:
        day, month, year = lunar
        return (written.year, written.month) == (year, month) and abs((written.day or 0) - day) <= 1
    # Approximation without lunar-vn: the lunar date runs 3-7 weeks behind the solar one.
    return 20 <= (sd - wd).days <= 52
