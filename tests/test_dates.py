from __future__ import annotations

import datetime as dt

import pytest

from linkage.normalise.dates import (
    MAX_YEAR,
    REFERENCE_YEAR,
    DateParts,
    compare_dates,
    date_difference_hint,
    parse_date,
)

YY_NOW = REFERENCE_YEAR % 100


def D(y: int | None, m: int | None = None, d: int | None = None, precision: str | None = None,
      placeholder: bool = False) -> tuple:
    if precision is None:
        precision = "day" if d else "month" if m else "year" if y else None
    return (y, m, d, precision, placeholder)


def key(p: DateParts) -> tuple:
    return (p.year, p.month, p.day, p.precision, p.placeholder)


# --- every format ------------------------------------------------------------------------------------------
FORMATS = [
    ("05/03/1980", D(1980, 3, 5)),
    ("5/3/1980", D(1980, 3, 5)),
    ("05-03-1980", D(1980, 3, 5)),
    ("05.03.1980", D(1980, 3, 5)),
    ("05 / 03 / 1980", D(1980, 3, 5)),
    ("13/12/1980", D(1980, 12, 13)),
    ("1980-03-05", D(1980, 3, 5)),
    ("1980/03/05", D(1980, 3, 5)),
    ("1980-03-05 00:00:00", D(1980, 3, 5)),
    ("1980-03-05T08:30:00", D(1980, 3, 5)),
    ("1980-03-05T08:30:00+07:00", D(1980, 3, 5)),
    ("1980-03", D(1980, 3)),
    ("03/1980", D(1980, 3)),
    ("3/1980", D(1980, 3)),
    ("1980", D(1980)),
    ("00/00/1945", D(1945, placeholder=True)),
    ("0/0/1945", D(1945, placeholder=True)),
    ("../../1945", D(1945)),
    ("__/__/1945", D(1945)),
    ("xx/xx/1945", D(1945)),
    ("??/??/1945", D(1945)),
    ("00/03/1980", D(1980, 3)),
    ("ngày 5 tháng 3 năm 1980", D(1980, 3, 5)),
    ("Ngày 05 tháng 03 năm 1980", D(1980, 3, 5)),
    ("ngay 5 thang 3 nam 1980", D(1980, 3, 5)),
    ("5 tháng 3 năm 1980", D(1980, 3, 5)),
    ("tháng 3 năm 1980", D(1980, 3)),
    ("Tháng 3/1980", D(1980, 3)),
    ("năm 1945", D(1945)),
    ("khoảng năm 1945", D(1945)),
    ("01/01/1970", D(1970, 1, 1, placeholder=True)),
    ("1970-01-01", D(1970, 1, 1, placeholder=True)),
    ("29/02/1980", D(1980, 2, 29)),
]


@pytest.mark.parametrize(("raw", "expected"), FORMATS)
def test_formats(raw: str, expected: tuple) -> None:
    assert key(parse_date(raw)) == expected


# --- Excel damage ------------------------------------------------------------------------------------------
EXCEL = [
    ("29221", D(1980, 1, 1, placeholder=True), "excel_serial"),
    ("29285", D(1980, 3, 5), "excel_serial"),
    ("29285.0", D(1980, 3, 5), "excel_serial"),
    ("29285.75", D(1980, 3, 5), "excel_serial"),  # a time of day in the fraction
    ("36526", D(2000, 1, 1, placeholder=True), "excel_serial"),
    ("44197", D(2021, 1, 1, placeholder=True), "excel_serial"),
    ("10000", D(1927, 5, 18), "excel_serial"),
    ("3654", D(1910, 1, 1, placeholder=True), "excel_serial"),
    ("1.98003E+07", D(1980, 3), "excel_scientific"),  # 19800305 shown with 6 digits: the day is lost
    ("1,98003E+07", D(1980, 3), "excel_scientific"),  # Vietnamese decimal comma
    ("1.9801E+7", D(1980), "excel_scientific"),  # 1980-1x..: only the year survives
    ("1.98E+07", D(None), "excel_scientific"),  # 1975..1984: nothing certain is left
    ("1.9800305E+7", D(1980, 3, 5), "excel_scientific"),  # every digit kept
    ("2.0051231E+07", D(2005, 12, 31), "excel_scientific"),
    ("19800305", D(1980, 3, 5), "compact"),
    ("05031980", D(1980, 3, 5), "compact"),
    ("5/3/80", D(1980, 3, 5), "two_digit_year"),
    ("05/03/80", D(1980, 3, 5), "two_digit_year"),
    ("05-03-45", D(1945, 3, 5), "two_digit_year"),
    (f"05/03/{YY_NOW:02d}", D(2000 + YY_NOW, 3, 5), "two_digit_year"),
    (f"05/03/{(YY_NOW + 1) % 100:02d}", D(1900 + (YY_NOW + 1) % 100, 3, 5), "two_digit_year"),
    ("05-Mar-80", D(1980, 3, 5), "two_digit_year"),
    ("5-Mar-1980", D(1980, 3, 5), "text_date"),
    ("05 March 1980", D(1980, 3, 5), "text_date"),
    ("Mar 5, 1980", D(1980, 3, 5), "text_date"),
    ("Mar-80", D(1980, 3), "two_digit_year"),
    ("March 1980", D(1980, 3), "text_date"),
    ("1980.0", D(1980), None),
    ("5/3/1980 12:00:00 AM", D(1980, 3, 5), None),
    ("'05/03/1980", D(1980, 3, 5), None),
]


@pytest.mark.parametrize(("raw", "expected", "flag"), EXCEL)
def test_excel_damage(raw: str, expected: tuple, flag: str | None) -> None:
    p = parse_date(raw)
    assert key(p) == expected
    if flag is not None:
        assert flag in p.flags


def test_native_values() -> None:
    assert key(parse_date(dt.date(1980, 3, 5))) == D(1980, 3, 5)
    assert key(parse_date(dt.datetime(1980, 3, 5, 10, 0))) == D(1980, 3, 5)
    assert key(parse_date(29285)) == D(1980, 3, 5)


# --- impossible, unknown, missing --------------------------------------------------------------------------
BAD = [
    ("31/02/1980", D(1980), ("impossible_date",)),
    ("30/02/1981", D(1980 + 1), ("impossible_date",)),
    ("29/02/1981", D(1981), ("impossible_date",)),
    ("32/01/1980", D(1980), ("impossible_date",)),
    ("15/13/1980", D(1980), ("impossible_date",)),
    ("03/25/1980", D(1980), ("impossible_date", "swapped_possible")),  # mm/dd is never read
    ("1066", D(None), ("implausible_year",)),
    (f"01/01/{MAX_YEAR + 5}", D(None), ("implausible_year",)),
    ("abc", D(None), ("unparsed",)),
    ("12345678901", D(None), ("unparsed",)),
    ("5/3", D(None), ("unparsed",)),
]


@pytest.mark.parametrize(("raw", "expected", "flags"), BAD)
def test_bad_dates_keep_what_is_trustworthy(raw: str, expected: tuple, flags: tuple) -> None:
    p = parse_date(raw)
    assert key(p) == expected
    for f in flags:
        assert f in p.flags


@pytest.mark.parametrize("raw", [None, "", "   ", "không rõ", "NULL", "nan"])
def test_missing(raw: str | None) -> None:
    p = parse_date(raw)
    assert p.precision is None and p.flags == ()


def test_as_date() -> None:
    assert parse_date("05/03/1980").as_date() == dt.date(1980, 3, 5)
    assert parse_date("03/1980").as_date() is None


# --- comparison --------------------------------------------------------------------------------------------
COMPARE = [
    ("05/03/1980", "1980-03-05", "same", None),
    ("1980", "00/00/1980", "same", None),
    ("03/1980", "00/03/1980", "same", None),
    ("05/03/1980", "1980", "compatible", None),
    ("05/03/1980", "03/1980", "compatible", None),
    ("01/01/1980", "05/03/1980", "compatible", "placeholder"),
    ("01/01/1980", "03/1980", "compatible", "placeholder"),
    ("05/03/1980", "03/05/1980", "different", "day_month_swapped"),
    ("05/03/1980", "05/03/1981", "different", "one_year"),
    ("05/03/1980", "05/03/1986", "different", "typo_year"),
    ("05/03/1980", "15/03/1980", "different", "typo_day"),
    ("05/03/1980", "05/08/1980", "different", "typo_month"),
    ("03/1980", "04/1980", "different", None),
    ("1980", "1981", "different", "one_year"),
    ("1980", "1990", "different", "typo_year"),
    ("1980", "1975", "different", None),
    # Vietnamese lunar calendar: Tết 1985 fell on 21 Jan 1985 (20 Feb in China), so 30 Jan 1985 is the 10th
    # day of the first lunar month; 20 Jan 2024 is the 10th day of the 12th month of the year before.
    ("30/01/1985", "10/01/1985", "different", "lunar_calendar"),
    ("10/01/1985", "30/01/1985", "different", "lunar_calendar"),
    ("20/01/2024", "10/12/2023", "different", "lunar_calendar"),
    ("19/02/2024", "10/01/2024", "different", "lunar_calendar"),
    ("", "05/03/1980", "unknown", None),
    ("abc", "05/03/1980", "unknown", None),
]


@pytest.mark.parametrize(("a", "b", "verdict", "hint"), COMPARE)
def test_compare_dates(a: str, b: str, verdict: str, hint: str | None) -> None:
    pa, pb = parse_date(a), parse_date(b)
    assert compare_dates(pa, pb) == verdict
    assert compare_dates(pb, pa) == verdict
    if verdict in ("different", "compatible"):
        assert date_difference_hint(pa, pb) == hint


def test_compare_none() -> None:
    assert compare_dates(None, parse_date("1980")) == "unknown"
    assert date_difference_hint(None, parse_date("1980")) is None
