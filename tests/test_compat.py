"""compat.compare: one table per field, every compatible rule and every different case of domain.md."""

from __future__ import annotations

import datetime as dt

import pytest

from linkage.compat import Verdict, compare, fields
from linkage.normalise.dates import parse_date
from linkage.normalise.places import parse_place

ANY = object()  # hint not asserted (owned by the module that classifies it)


def check(field: str, a: object, b: object, verdict: str, hint: object) -> None:
    got = compare(field, a, b)
    assert isinstance(got, Verdict)
    assert got.verdict == verdict, (field, a, b, got)
    if hint is not ANY:
        assert got.hint == hint, (field, a, b, got)
    # symmetric verdicts
    assert compare(field, b, a).verdict == verdict


NAMES = [
    ("NGUYỄN VĂN AN", "Nguyễn Văn An", "same", None),  # case
    ("Nguyễn  Văn   An", "Nguyễn Văn An", "same", None),  # spaces
    ("Nguyễn Văn An", "Nguyễn Văn An", "same", None),  # NFD vs NFC
    ("Lê Thị Thuỷ", "Lê Thị Thủy", "same", None),  # old vs new tone placement
    ("Nguyen Van An", "Nguyễn Văn An", "compatible", "diacritics_missing"),  # ASCII-only system
    ("Nguyễn An", "Nguyễn Văn An", "compatible", None),  # generic Văn dropped
    ("Lý Văn Nam", "Lí Văn Nam", "compatible", ANY),  # i/y
    ("Nguyễn Văn Hùng", "Nguyễn Văn Hưng", "different", ANY),
    ("Lê Thị Thủy", "Lê Thị Thúy", "different", "tone"),
    ("Vũ Thị Lan", "Võ Thị Lan", "different", "regional_surname"),
    ("Trần Văn Trung", "Trần Văn Chung", "different", "ch_tr"),
    ("Nguyễn Văn An", "Trần Văn An", "different", ANY),
    ("Nguyễn Văn An", None, "unknown", None),
    ("", "Nguyễn Văn An", "unknown", None),
]


@pytest.mark.parametrize("field", ["full_name", "father_name", "mother_name"])
@pytest.mark.parametrize(("a", "b", "verdict", "hint"), NAMES)
def test_names(field: str, a: str | None, b: str | None, verdict: str, hint: object) -> None:
    check(field, a, b, verdict, hint)


BIRTH_DATES = [
    ("05/03/1980", "1980-03-05", "same", None),
    ("1980", "00/00/1980", "same", None),
    ("05/03/1980", "1980", "compatible", None),  # year only: less information
    ("05/03/1980", "03/1980", "compatible", None),
    ("01/01/1980", "05/03/1980", "compatible", "placeholder"),  # 01/01 fill: never a hard conflict
    ("05/03/1980", "03/05/1980", "different", "day_month_swapped"),
    ("30/01/1985", "10/01/1985", "different", "lunar_calendar"),
    ("20/01/2024", "10/12/2023", "different", "lunar_calendar"),
    ("05/03/1980", "05/03/1981", "different", "one_year"),
    ("05/03/1980", "15/03/1980", "different", "typo_day"),
    ("1980", "1975", "different", None),
    ("05/03/1980", None, "unknown", None),
    ("05/03/1980", "không rõ", "unknown", None),
]


@pytest.mark.parametrize(("a", "b", "verdict", "hint"), BIRTH_DATES)
def test_birth_date(a: str | None, b: str | None, verdict: str, hint: object) -> None:
    check("birth_date", parse_date(a), parse_date(b), verdict, hint)
    check("birth_date", a, b, verdict, hint)  # raw text is parsed too


CODES = [
    ("sex", "M", "M", "same", None),
    ("sex", "M", "Nam", "same", None),
    ("sex", "M", "F", "different", None),
    ("sex", "F", None, "unknown", None),
    ("sex", "F", "x", "unknown", None),
    ("ethnicity", "01", "01", "same", None),
    ("ethnicity", "08", "Mèo", "same", None),
    ("ethnicity", ("08", "Mông"), "H'Mông", "same", None),
    ("ethnicity", "01", "02", "different", None),
    ("ethnicity", "01", None, "unknown", None),
    ("nationality", "Việt Nam", "VN", "same", None),
    ("nationality", "Việt Nam", "Lào", "different", None),
    ("nationality", "Việt Nam", "", "unknown", None),
    ("religion", "Không", "khong", "same", None),
    ("religion", "Phật giáo", "Không", "different", None),
    ("religion", "Công giáo", "Thiên Chúa", "same", None),
    ("relation_to_head", "Con", "con", "same", None),
    ("relation_to_head", "Con", "Cháu", "compatible", "relation_to_another_head"),
    ("household_id", "HK001", "HK001", "same", None),
    ("household_id", "HK001", "HK002", "compatible", "moved_household"),
    ("household_id", None, "HK002", "unknown", None),
]


@pytest.mark.parametrize(("field", "a", "b", "verdict", "hint"), CODES)
def test_codes(field: str, a: object, b: object, verdict: str, hint: object) -> None:
    check(field, a, b, verdict, hint)


IDS = [
    ("personal_id", "001080012345", "001080012345", "same", None),
    ("personal_id", "001080012345", "001 080 012 345", "same", None),
    ("personal_id", "001080012345", "001080012346", "different", "typo_digit"),
    ("personal_id", "001080012345", "001080012354", "different", "transposed_digits"),
    ("personal_id", "001080012345", "079180099999", "different", None),  # re-issued or another person
    ("personal_id", "001080012345", None, "unknown", None),
    ("cmnd", "012345678", "012345678", "same", None),
    ("cmnd", "012345678", "012345679", "different", "typo_digit"),
    ("cmnd", "012345678", "271234567", "compatible", "cmnd_reissued_possible"),  # new number after a move
    ("cmnd", None, "271234567", "unknown", None),
]


@pytest.mark.parametrize(("field", "a", "b", "verdict", "hint"), IDS)
def test_ids(field: str, a: object, b: object, verdict: str, hint: object) -> None:
    check(field, a, b, verdict, hint)


AFTER = dt.date(2025, 9, 1)
PLACES = [
    ("Hà Nội", "Thành phố Hà Nội", "same", None),
    ("HN", "Ha Noi", "same", None),
    ("Phường 12, Quận 3, TP.HCM", "P.12, Q.3, TP HCM", "same", None),
    # less information on one side
    ("Hà Nội", "Xã Tân Lập, Huyện Đan Phượng, Hà Nội", "compatible", "less_detail"),
    ("Huyện Đan Phượng, Hà Nội", "Xã Tân Lập, Huyện Đan Phượng, Hà Nội", "compatible", "less_detail"),
    ("Xã Tân Lập, Huyện Đan Phượng, Hà Nội", "Xã Tân Lập, Đan Phượng, Hà Nội", "compatible", "detail_differs"),
    ("Thôn 1, Xã Tân Lập, Huyện Đan Phượng, Hà Nội", "Thôn 2, Xã Tân Lập, Huyện Đan Phượng, Hà Nội",
     "compatible", "detail_differs"),
    # old and new unit names for the same place
    ("Hà Tây", "Hà Nội", "compatible", "old_province_name"),
    ("Xã Yên Sở, Huyện Hoài Đức, Tỉnh Hà Tây", "Xã Yên Sở, Huyện Hoài Đức, Hà Nội", "compatible",
     "old_province_name"),
    ("Hà Sơn Bình", "Hòa Bình", "compatible", "old_province_name"),
    ("Hà Bắc", "Bắc Giang", "compatible", "old_province_name"),
    ("Tỉnh Hà Giang", "Tuyên Quang", "compatible", "reform_2025"),  # Tuyên Quang may be the 2025 province
    ("Tỉnh Bắc Giang", "Bắc Ninh", "compatible", "reform_2025"),
    ("Thừa Thiên Huế", "Thành phố Huế", "compatible", ANY),
    ("Phường Phú Hội, Thành phố Huế", "Thừa Thiên Huế", "compatible", ANY),
    # different provinces
    ("Hà Nội", "Nghệ An", "different", "province_differs"),
    ("Tỉnh Hà Giang", "Tỉnh Hòa Bình", "different", "province_differs"),
    ("Hà Sơn Bình", "Nghệ An", "different", "province_differs"),
    ("Xã Tân Lập, Huyện Đan Phượng, Hà Nội", "Phường 12, Quận 3, TP.HCM", "different", "province_differs"),
    # same province, other district / commune (both old addresses)
    ("Huyện Đan Phượng, Hà Nội", "Huyện Hoài Đức, Hà Nội", "different", "district_differs"),
    ("Xã Tân Lập, Huyện Đan Phượng, Hà Nội", "Xã Tân Hội, Huyện Đan Phượng, Hà Nội", "different",
     "commune_differs"),
    # province unknown on one side
    ("Liên Xô", "Hà Nội", "unknown", None),
    ("Đan Phượng", "Huyện Đan Phượng, Hà Nội", "compatible", "less_detail"),
    (None, "Hà Nội", "unknown", None),
]


@pytest.mark.parametrize("field", ["hometown", "birth_place", "residence"])
@pytest.mark.parametrize(("a", "b", "verdict", "hint"), PLACES)
def test_places(field: str, a: str | None, b: str | None, verdict: str, hint: object) -> None:
    check(field, a, b, verdict, hint)
    check(field, parse_place(a), parse_place(b), verdict, hint)


def test_places_by_scheme() -> None:
    post = parse_place("Xã Tân Lập, Tỉnh Bắc Ninh", as_of=AFTER)  # merged Bắc Giang + Bắc Ninh
    assert compare("residence", post, parse_place("Xã Tân Lập, Huyện Lạng Giang, Tỉnh Bắc Giang")) == Verdict(
        "compatible", "reform_2025")
    assert compare("residence", post, parse_place("Tỉnh Lạng Sơn")).verdict == "different"
    # two post-2025 addresses in one unmerged province, different communes: a real difference
    a = parse_place("Phường Ba Đình, Hà Nội", as_of=AFTER)
    b = parse_place("Phường Hoàn Kiếm, Hà Nội", as_of=AFTER)
    assert compare("residence", a, b) == Verdict("different", "commune_differs")
    # one of unknown date: the commune may have been renamed by the reform
    c = parse_place("Phường Hoàn Kiếm, Hà Nội")
    assert compare("residence", a, c) == Verdict("compatible", "unit_renamed_possible")


def test_every_contract_field_has_a_rule() -> None:
    expected = {"full_name", "father_name", "mother_name", "birth_date", "sex", "ethnicity", "nationality",
                "religion", "hometown", "birth_place", "residence", "personal_id", "cmnd", "household_id",
                "relation_to_head"}
    assert set(fields()) == expected
    with pytest.raises(ValueError):
        compare("shoe_size", 1, 2)


@pytest.mark.parametrize("field", sorted({"full_name", "birth_date", "sex", "ethnicity", "nationality", "religion",
                                          "hometown", "personal_id", "cmnd", "household_id", "relation_to_head"}))
def test_missing_is_never_a_conflict(field: str) -> None:
    assert compare(field, None, None).verdict == "unknown"
    assert compare(field, "", None).verdict == "unknown"


@pytest.mark.parametrize(
    ("a", "b", "verdict"),
    [
        # an old document names the province the place belonged to before it was split
        ("Phường Phước Đông, Quận Lâm Minh, Thành phố Cần Thơ", "Phường Phước Đông, Quận Lâm Minh, Tỉnh Hậu Giang",
         "compatible"),
        ("Xã Kim Tân, Huyện Đồng Hưng, Tỉnh Điện Biên", "Xã Kim Tân, Huyện Đồng Hưng, Tỉnh Lai Châu", "compatible"),
        ("Xã Đắk Sin, Huyện Đắk R'Lấp, Tỉnh Đắk Nông", "Xã Đắk Sin, Huyện Đắk R'Lấp, Tỉnh Đắk Lắk", "compatible"),
        # the same province pair with another commune, or unrelated provinces, stays a disagreement
        ("Xã Kim Tân, Huyện Đồng Hưng, Tỉnh Điện Biên", "Xã Kim Hà, Huyện Đồng Hưng, Tỉnh Lai Châu", "different"),
        ("Xã Kim Tân, Huyện Đồng Hưng, Tỉnh Điện Biên", "Xã Kim Tân, Huyện Đồng Hưng, Tỉnh Nam Định", "different"),
        ("Tỉnh Điện Biên", "Tỉnh Lai Châu", "different"),
    ],
)
def test_places_in_provinces_split_since(a, b, verdict):
    assert compare("hometown", a, b).verdict == verdict
    assert compare("hometown", b, a).verdict == verdict
