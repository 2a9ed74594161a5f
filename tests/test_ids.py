from __future__ import annotations

import pytest

from linkage.normalise.ids import IdParts, decode_personal_id, parse_id, province_codes

# --- decoding: PPP G YY NNNNNN, birth year = 1900 + 100·⌊G/2⌋ + YY ------------------------------------------
DECODE = [
    ("001080012345", ("001", "M", 1980)),
    ("001180012345", ("001", "F", 1980)),
    ("079203001122", ("079", "M", 2003)),
    ("079303001122", ("079", "F", 2003)),
    ("027099000001", ("027", "M", 1999)),
    ("096100000001", ("096", "F", 1900)),
    ("011225123456", ("011", "M", 2025)),
    ("038401000000", ("038", "M", 2101)),
    ("038501000000", ("038", "F", 2101)),
    ("038600000000", ("038", "M", 2200)),
    ("038750000000", ("038", "F", 2250)),
    ("038899000000", ("038", "M", 2399)),
    ("038999000000", ("038", "F", 2399)),
]


@pytest.mark.parametrize(("digits", "expected"), DECODE)
def test_decode(digits: str, expected: tuple) -> None:
    assert decode_personal_id(digits) == expected


@pytest.mark.parametrize("digits", ["003080012345", "000080012345", "097080012345", "100080012345",
                                    "021080012345", "099080012345", "00108001234", "00108001234X"])
def test_decode_refuses(digits: str) -> None:
    assert decode_personal_id(digits) is None


def test_province_table_has_63_codes() -> None:
    codes = province_codes()
    assert len(codes) == 63
    assert {"001", "079", "011", "027", "096"} <= codes and "003" not in codes


# --- parse_id: status per case ------------------------------------------------------------------------------
def P(personal_id: str | None = None, status: str = "valid", cmnd: str | None = None) -> tuple:
    return (personal_id, cmnd, status)


def key(p: IdParts) -> tuple:
    return (p.personal_id, p.cmnd, p.status)


CASES = [
    # clean 12 digits
    ("001080012345", None, None, P("001080012345")),
    ("001080012345", "M", 1980, P("001080012345")),
    ("001180012345", "F", 1980, P("001180012345")),
    ("079203001122", "M", 2003, P("079203001122")),
    ("079303001122", "F", 2003, P("079303001122")),
    # decodes, but disagrees with the record: kept, inconsistent
    ("001180012345", "M", 1980, P("001180012345", "inconsistent")),
    ("001080012345", "M", 1981, P("001080012345", "inconsistent")),
    ("001080012345", "F", 1979, P("001080012345", "inconsistent")),
    ("079203001122", "M", 1903, P("079203001122", "inconsistent")),
    # invalid province prefix, future century
    ("003080012345", None, None, P(status="invalid")),
    ("097080012345", "M", 1980, P(status="invalid")),
    ("001480012345", None, None, P(status="invalid")),
    ("001580012345", "F", 2180, P(status="invalid")),
    # old 9-digit CMND
    ("012345678", None, None, P(cmnd="012345678")),
    ("280123456", "M", 1970, P(cmnd="280123456")),
    # letters, bad lengths, blanks
    ("A01080012345", None, None, P(status="invalid")),
    ("CCCD 001080012345", None, None, P(status="invalid")),
    ("0010800123", None, None, P(status="invalid")),
    ("1234567", None, None, P(status="invalid")),
    ("0010800123456", None, None, P(status="invalid")),
    (None, None, None, P(status="missing")),
    ("", None, None, P(status="missing")),
    ("   ", None, None, P(status="missing")),
    ("null", None, None, P(status="missing")),
]


@pytest.mark.parametrize(("raw", "sex", "year", "expected"), CASES)
def test_parse_id(raw: str | None, sex: str | None, year: int | None, expected: tuple) -> None:
    assert key(parse_id(raw, sex, year)) == expected


# --- Excel damage ------------------------------------------------------------------------------------------
EXCEL = [
    # lost leading zero (province 010-096): repaired only when province, sex and birth year agree
    ("79080012345", "M", 1980, P("079080012345", "repaired"), "leading_zero_restored"),
    ("79180012345", "F", 1980, P("079180012345", "repaired"), "leading_zero_restored"),
    ("79080012345", None, 1980, P("079080012345", "repaired"), "leading_zero_restored"),
    ("27203001122", "M", 2003, P("027203001122", "repaired"), "leading_zero_restored"),
    ("96303001122", "F", 2003, P("096303001122", "repaired"), "leading_zero_restored"),
    ("11080012345", "M", 1980, P("011080012345", "repaired"), "leading_zero_restored"),
    ("79080012345", "F", 1980, P(status="invalid"), "lost_leading_zero_unverified"),
    ("79080012345", "M", 1981, P(status="invalid"), "lost_leading_zero_unverified"),
    ("79080012345", "M", None, P(status="invalid"), "lost_leading_zero_unverified"),
    ("79080012345", None, None, P(status="invalid"), "lost_leading_zero_unverified"),
    ("97080012345", "M", 1980, P(status="invalid"), "lost_leading_zero_unverified"),  # 097 is no province
    ("21080012345", "M", 1980, P(status="invalid"), "lost_leading_zero_unverified"),  # 021 is no province
    ("01080012345", "M", 1980, P(status="invalid"), "lost_leading_zero_unverified"),  # not Excel: starts with 0
    # both zeros of 001-008 lost: 10 digits
    ("1080012345", "M", 1980, P("001080012345", "repaired"), "leading_zero_restored"),
    ("8180012345", "F", 1980, P("008180012345", "repaired"), "leading_zero_restored"),
    ("3080012345", "M", 1980, P(status="invalid"), "lost_leading_zero_unverified"),  # 003 is no province
    ("1080012345", "F", 1980, P(status="invalid"), "lost_leading_zero_unverified"),
    # scientific notation
    ("1.23457E+11", None, None, P(status="invalid"), "excel_scientific"),
    ("7.90800E+10", "M", 1980, P(status="invalid"), "excel_scientific"),
    ("1,23457E+11", None, None, P(status="invalid"), "excel_scientific"),
    ("1.23457e11", None, None, P(status="invalid"), "excel_scientific"),
    ("7.9080012345E+10", "M", 1980, P("079080012345", "repaired"), "excel_scientific"),
    ("1.01080012345E+11", "F", 1980, P(status="invalid"), "excel_scientific"),  # 101… is no province
    # read back as a float
    ("79080012345.0", "M", 1980, P("079080012345", "repaired"), "excel_float"),
    ("1080012345.0", "M", 1980, P("001080012345", "repaired"), "excel_float"),
    ("12345678.0", None, None, P(cmnd="012345678", status="repaired"), "excel_float"),
    # CMND that lost its leading zero
    ("12345678", None, None, P(cmnd="012345678", status="repaired"), "leading_zero_restored"),
    ("91234567", None, None, P(cmnd="091234567", status="repaired"), "leading_zero_restored"),
    ("01234567", None, None, P(status="invalid"), "lost_leading_zero_unverified"),
    # separators and Excel text markers
    ("001 080 012 345", None, None, P("001080012345"), None),
    ("001-080-012345", None, None, P("001080012345"), None),
    ("001.080.012.345", None, None, P("001080012345"), None),
    ("'001080012345", None, None, P("001080012345"), None),
    ('="001080012345"', None, None, P("001080012345"), None),
    ("\u00a0001080012345\u00a0", None, None, P("001080012345"), None),
    ("0 1 2 3 4 5 6 7 8", None, None, P(cmnd="012345678"), None),
]


@pytest.mark.parametrize(("raw", "sex", "year", "expected", "flag"), EXCEL)
def test_excel_damaged_ids(raw: str, sex: str | None, year: int | None, expected: tuple, flag: str | None) -> None:
    p = parse_id(raw, sex, year)
    assert key(p) == expected
    if flag is not None:
        assert flag in p.flags


def test_numbers_from_a_numeric_column() -> None:
    assert key(parse_id(79080012345, "M", 1980)) == P("079080012345", "repaired")


def test_decoded_fields_and_kind() -> None:
    p = parse_id("079303001122", "F", 2003)
    assert (p.province_code, p.id_sex, p.id_birth_year, p.kind) == ("079", "F", 2003, "personal_id")
    assert parse_id("012345678").kind == "cmnd"
    assert parse_id("ABC").kind is None
    bad = parse_id("001180012345", "M", 1981)
    assert set(bad.flags) == {"sex_mismatch", "birth_year_mismatch"}


def test_unknown_cmnd_prefix_is_flagged_not_refused() -> None:
    p = parse_id("991234567")
    assert p.cmnd == "991234567" and "cmnd_unknown_prefix" in p.flags
