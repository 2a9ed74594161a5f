"""ID numbers: the 12-digit personal identification number and the old 9-digit CMND.

12 digits `PPP G YY NNNNNN` (domain.md): PPP = one of the 63 pre-2025 province codes (birth registration),
G = century and sex (0/1 = 1900s male/female, 2/3 = 2000s, 4/5 = 2100s …), YY = last two digits of the birth
year, so birth year = 1900 + 100·⌊G/2⌋ + YY. There is no check digit.

Excel damage handled here:
- leading zeros lost: 11 digits (province 010–096) or 10 digits (001–008) are padded back only if the padded
  prefix is a valid province AND the decoded birth year equals the record's birth year AND the decoded sex
  does not contradict the record's sex (a record without a birth year cannot confirm a repair: refused);
  8 digits → a CMND only if the padded police prefix (01–09) is known;
- `1.23457E+11` (scientific notation that lost digits): unrecoverable → status `invalid`, flag `excel_scientific`;
  when the mantissa still holds every digit (`7.9080012345E+10`) the number is read and flagged the same way;
- `79080012345.0` (read as a float): the `.0` is dropped (flag `excel_float`);
- spaces, dots, dashes, a leading apostrophe and `="…"` are stripped; any other character → `invalid`.

`status`: `valid`, `repaired`, `inconsistent` (decodes, but sex or birth year disagrees with the record),
`invalid`, `missing`. Flags are short codes without the `id_` prefix (apply.py adds it).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from linkage.normalise.dates import MAX_YEAR
from linkage.normalise.text import clean_text

DATA = Path(__file__).resolve().parent.parent / "data"

STATUSES = ("valid", "repaired", "inconsistent", "invalid", "missing")


@dataclass(frozen=True)
class IdParts:
    personal_id: str | None = None  # 12 digits
    cmnd: str | None = None  # 9 digits
    status: str = "missing"
    province_code: str | None = None  # PPP of a personal ID
    id_sex: str | None = None  # 'M' | 'F'
    id_birth_year: int | None = None
    flags: tuple[str, ...] = ()

    @property
    def kind(self) -> str | None:
        """'personal_id', 'cmnd' or None (nothing usable)."""
        if self.personal_id:
            return "personal_id"
        if self.cmnd:
            return "cmnd"
        return None


MISSING = IdParts()


@cache
def province_codes() -> frozenset[str]:
    with open(DATA / "provinces.csv", encoding="utf-8", newline="") as fh:
        return frozenset(row["code"] for row in csv.DictReader(fh))


@cache
def cmnd_prefixes() -> frozenset[str]:
    with open(DATA / "cmnd_prefixes.csv", encoding="utf-8", newline="") as fh:
        return frozenset(row["prefix"] for row in csv.DictReader(fh))


_RE_SCI = re.compile(r"^(\d)[.,](\d+)e\+?(\d{1,2})$", re.IGNORECASE)
_RE_FLOAT = re.compile(r"^(\d{6,})[.,]0{1,2}$")
_RE_FORMULA = re.compile(r'^="?(.*?)"?$')
_STRIP = re.compile(r"[\s.\-\u2013\u2014]+")


def decode_personal_id(digits: str) -> tuple[str, str, int] | None:
    """(province_code, sex 'M'/'F', birth_year) of 12 digits, or None when the prefix is no province."""
    if len(digits) != 12 or not digits.isdigit():
        return None
    province = digits[:3]
    if province not in province_codes():
        return None
    g = int(digits[3])
    return province, ("M" if g % 2 == 0 else "F"), 1900 + 100 * (g // 2) + int(digits[4:6])


def parse_id(raw: object, sex: str | None = None, birth_year: int | None = None) -> IdParts:
    """Parse one raw ID value, checked against the record's sex ('M'/'F') and birth year where known."""
    if raw is None:
        return MISSING
    if isinstance(raw, str) and raw.isdigit() and raw.isascii():
        return _digits(raw, sex, birth_year, [])
    s = clean_text(str(raw))
    if s is None:
        return MISSING
    s = s.strip("'\"`‘’ ")
    m = _RE_FORMULA.match(s)
    if m and s.startswith("="):
        s = m.group(1)
    if not s or s.lower() in {"null", "none", "nan", "-", "khong", "không", "chưa có"}:
        return MISSING
    flags: list[str] = []
    m = _RE_SCI.match(s.replace(" ", ""))
    if m:
        digits = _from_scientific(m.group(1), m.group(2), int(m.group(3)))
        if digits is None:
            return IdParts(status="invalid", flags=("excel_scientific",))
        s = digits
        flags.append("excel_scientific")
    m = _RE_FLOAT.match(s)
    if m:
        s = m.group(1)
        flags.append("excel_float")
    digits = _STRIP.sub("", s)
    if not digits.isdigit() or not digits.isascii():
        return IdParts(status="invalid", flags=tuple(flags) + ("bad_characters",))
    return _digits(digits, sex, birth_year, flags)


def _digits(digits: str, sex: str | None, birth_year: int | None, flags: list[str]) -> IdParts:
    n = len(digits)
    if n == 12:
        return _personal(digits, sex, birth_year, flags, repaired=False)
    if n in (10, 11):
        padded = "0" * (12 - n) + digits
        decoded = decode_personal_id(padded) if digits[0] != "0" else None
        if decoded is not None and birth_year is not None and decoded[2] == birth_year:
            if sex is None or decoded[1] == sex:
                return _personal(padded, sex, birth_year, flags + ["leading_zero_restored"], repaired=True)
        return IdParts(status="invalid", flags=tuple(flags) + ("lost_leading_zero_unverified",))
    if n == 9:
        if digits[:2] not in cmnd_prefixes():
            flags.append("cmnd_unknown_prefix")
        return IdParts(cmnd=digits, status="valid", flags=tuple(flags))
    if n == 8:
        padded = "0" + digits
        if digits[0] != "0" and padded[:2] in cmnd_prefixes():
            return IdParts(cmnd=padded, status="repaired", flags=tuple(flags) + ("leading_zero_restored",))
        return IdParts(status="invalid", flags=tuple(flags) + ("lost_leading_zero_unverified",))
    return IdParts(status="invalid", flags=tuple(flags) + ("bad_length",))


def _personal(digits: str, sex: str | None, birth_year: int | None, flags: list[str], *, repaired: bool) -> IdParts:
    decoded = decode_personal_id(digits)
    if decoded is None:
        return IdParts(status="invalid", flags=tuple(flags) + ("bad_province",))
    province, id_sex, id_year = decoded
    if id_year > MAX_YEAR:
        return IdParts(status="invalid", flags=tuple(flags) + ("bad_century",))
    status = "repaired" if repaired else "valid"
    if sex is not None and sex != id_sex:
        flags.append("sex_mismatch")
        status = "inconsistent"
    if birth_year is not None and birth_year != id_year:
        flags.append("birth_year_mismatch")
        status = "inconsistent"
    return IdParts(digits, None, status, province, id_sex, id_year, tuple(flags))


def _from_scientific(lead: str, rest: str, exponent: int) -> str | None:
    """The digits of `L.RRRe+X` when the mantissa still carries every digit (len(RRR) == X), else None:
    Excel's General format keeps 6 significant digits, and a shorter mantissa cannot tell a real trailing
    zero from rounding."""
    if len(rest) != exponent:
        return None
    return lead + rest
