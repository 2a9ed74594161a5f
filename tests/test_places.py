from __future__ import annotations

import datetime as dt

import pytest

from linkage.normalise.places import PlaceParts, parse_place, provinces, successors, unit_key

BEFORE = dt.date(2020, 5, 1)
AFTER = dt.date(2025, 9, 1)

# raw, (province_code, successor_code, district, commune, scheme)
PLACES = [
    ("Xã Tân Lập, Huyện Đan Phượng, Thành phố Hà Nội", ("001", "01", "Huyện Đan Phượng", "Xã Tân Lập", "pre2025")),
    ("xã tân lập, huyện đan phượng, tp. hà nội", ("001", "01", "Huyện Đan Phượng", "Xã Tân Lập", "pre2025")),
    ("Xa Tan Lap, Huyen Dan Phuong, Ha Noi", ("001", "01", "Huyện Dan Phuong", "Xã Tan Lap", "pre2025")),
    ("xa tan lap huyen dan phuong ha noi", ("001", "01", "Huyện Dan Phuong", "Xã Tan Lap", "pre2025")),
    ("Xã Tân Lập Huyện Đan Phượng Hà Nội", ("001", "01", "Huyện Đan Phượng", "Xã Tân Lập", "pre2025")),
    ("X. Tân Lập - H. Đan Phượng - TP. Hà Nội", ("001", "01", "Huyện Đan Phượng", "Xã Tân Lập", "pre2025")),
    ("Tân Lập, Đan Phượng, Hà Nội", ("001", "01", "Đan Phượng", "Tân Lập", "pre2025")),
    ("Hà Nội", ("001", "01", None, None, "unknown")),
    ("HN", ("001", "01", None, None, "unknown")),
    ("Ha Noi", ("001", "01", None, None, "unknown")),
    ("Thủ đô Hà Nội", ("001", "01", None, None, "unknown")),
    ("Hà Nội, Việt Nam", ("001", "01", None, None, "unknown")),
    ("Phường 12, Quận 3, TP.HCM", ("079", "79", "Quận 3", "Phường 12", "pre2025")),
    ("P.12, Q.3, TP HCM", ("079", "79", "Quận 3", "Phường 12", "pre2025")),
    ("Phuong 12 Q3 TPHCM", ("079", "79", "Quận 3", "Phường 12", "pre2025")),
    ("Phường 02, Quận 10, Thành phố Hồ Chí Minh", ("079", "79", "Quận 10", "Phường 2", "pre2025")),
    ("Quận 1, Sài Gòn", ("079", "79", "Quận 1", None, "pre2025")),
    ("Tp Hồ Chí Minh", ("079", "79", None, None, "unknown")),
    ("Hà Tây", ("001", "01", None, None, "pre2025")),
    ("Xã Yên Sở, Huyện Hoài Đức, Tỉnh Hà Tây", ("001", "01", "Huyện Hoài Đức", "Xã Yên Sở", "pre2025")),
    ("Hà Sơn Bình", (None, None, None, None, "pre2025")),
    ("Hà Bắc", (None, "24", None, None, "pre2025")),
    ("Vĩnh Phú", (None, "25", None, None, "pre2025")),
    ("Nghĩa Bình", (None, None, None, None, "pre2025")),
    ("Thừa Thiên Huế", ("046", "46", None, None, "pre2025")),
    ("TT Huế", ("046", "46", None, None, "unknown")),
    ("Phường Phú Hội, Thành phố Huế", ("046", "46", None, "Phường Phú Hội", "unknown")),
    ("Bà Rịa - Vũng Tàu", ("077", "79", None, None, "pre2025")),
    ("BRVT", ("077", "79", None, None, "pre2025")),
    ("Xã Long Sơn - TP Vũng Tàu - Bà Rịa - Vũng Tàu", ("077", "79", "Thành phố Vũng Tàu", "Xã Long Sơn", "pre2025")),
    ("Đắc Lắc", ("066", "66", None, None, "unknown")),
    ("Daklak", ("066", "66", None, None, "unknown")),
    ("Thôn 3, Xã Ea Tu, TP Buôn Ma Thuột, Tỉnh Đắk Lắk",
     ("066", "66", "Thành phố Buôn Ma Thuột", "Xã Ea Tu", "pre2025")),
    ("Tỉnh Bắc Giang", ("024", "24", None, None, "pre2025")),  # abolished in 2025: must be an old address
    ("Bắc Kạn", ("006", "19", None, None, "pre2025")),
    ("Bắc Cạn", ("006", "19", None, None, "pre2025")),
    ("Bắc Ninh", ("027", "24", None, None, "unknown")),
    ("Thành phố Thái Bình, Tỉnh Thái Bình", ("034", "33", "Thành phố Thái Bình", None, "pre2025")),
    ("Số 12 ngõ 34 phố Huế, Phường Phố Huế, Quận Hai Bà Trưng, Hà Nội",
     ("001", "01", "Quận Hai Bà Trưng", "Phường Phố Huế", "pre2025")),
    ("Huyện Hòa Bình, Tỉnh Bạc Liêu", ("095", "96", "Huyện Hòa Bình", None, "pre2025")),
    ("Huyện Hoà Bình Bạc Liêu", ("095", "96", "Huyện Hòa Bình", None, "pre2025")),
    ("T. Nghệ An", ("040", "40", None, None, "unknown")),
    ("Thị trấn Đông Anh, H. Đông Anh, TP. Hà Nội", ("001", "01", "Huyện Đông Anh", "Thị trấn Đông Anh", "pre2025")),
    ("Tân Lập, Huyện Đan Phượng, Hà Nội", ("001", "01", "Huyện Đan Phượng", "Tân Lập", "pre2025")),
    ("Xã Tân Lập, Đan Phượng, Hà Nội", ("001", "01", "Đan Phượng", "Xã Tân Lập", "pre2025")),
    ("Đặc khu Phú Quốc, Tỉnh An Giang", ("089", "91", None, "Đặc khu Phú Quốc", "unknown")),
    ("Thanh Hoá", ("038", "38", None, None, "unknown")),
    ("UBND xã Tân Lập, huyện Đan Phượng, TP Hà Nội", ("001", "01", "Huyện Đan Phượng", "Xã Tân Lập", "pre2025")),
    ("Ủy ban nhân dân phường Bến Nghé, Quận 1, TP HCM", ("079", "79", "Quận 1", "Phường Bến Nghé", "pre2025")),
    ("Phường Phú Thạnh, Thị xã Lạng Giang, Tỉnh Phú Thọ", ("025", "25", "Thị xã Lạng Giang", "Phường Phú Thạnh",
                                                           "pre2025")),
    ("UBND phường Phú Thạnh, thị xã Sơn Tây, TP Hà Nội", ("001", "01", "Thị xã Sơn Tây", "Phường Phú Thạnh", "pre2025")),
    ("Trạm Y tế Xã Thành Thái, Huyện Hoằng Hóa, Tỉnh Thanh Hóa",
     ("038", "38", "Huyện Hoằng Hóa", "Xã Thành Thái", "pre2025")),
    ("Bệnh viện Đa khoa tỉnh Sơn La", ("014", "14", None, None, "unknown")),
    ("Liên Xô", (None, None, None, None, "unknown")),
]


def key(p: PlaceParts) -> tuple:
    return (p.province_code, p.successor_code, p.district, p.commune, p.scheme)


@pytest.mark.parametrize(("raw", "expected"), PLACES)
def test_parse_place(raw: str, expected: tuple) -> None:
    p = parse_place(raw)
    assert key(p) == expected
    assert parse_place(p.text) == p  # the normalised text reads back to the same parts


def test_normalised_text() -> None:
    assert parse_place("P.12, Q.3, TP HCM").text == "Phường 12, Quận 3, Thành phố Hồ Chí Minh"
    assert parse_place("xã tân lập, huyện đan phượng, hà nội").text == (
        "Xã Tân Lập, Huyện Đan Phượng, Thành phố Hà Nội")
    assert parse_place("Hà Tây").text == "Tỉnh Hà Tây"  # the unit name in force when it was written
    assert parse_place("Hà Tây").province_name == "Hà Nội"
    assert parse_place("Liên Xô").flags == ("province_not_found",)


def test_old_names_list_the_provinces_they_cover() -> None:
    p = parse_place("Hà Sơn Bình")
    assert p.province_candidates == ("001", "017") and "old_province_name" in p.flags
    assert parse_place("Hà Bắc").province_candidates == ("024", "027")


def test_scheme_from_the_document_date() -> None:
    # after 1 July 2025, `Tỉnh Bắc Ninh` is the merged province (Bắc Giang + Bắc Ninh): no single old code
    post = parse_place("Xã Tân Lập, Tỉnh Bắc Ninh", as_of=AFTER)
    assert (post.scheme, post.province_code, post.successor_code) == ("post2025", None, "24")
    assert post.province_candidates == ("024", "027") and "merged_province" in post.flags
    pre = parse_place("Xã Tân Lập, Tỉnh Bắc Ninh", as_of=BEFORE)
    assert (pre.scheme, pre.province_code, pre.province_candidates) == ("pre2025", "027", ("027",))
    unknown = parse_place("Xã Tân Lập, Tỉnh Bắc Ninh")
    assert (unknown.scheme, unknown.province_code, unknown.province_candidates) == ("unknown", "027", ("024", "027"))
    # a district, or a province abolished in 2025, can only be an old address whatever the date
    assert parse_place("Xã A, Huyện B, Tỉnh Bắc Ninh", as_of=AFTER).scheme == "pre2025"
    assert parse_place("Xã A, Tỉnh Hà Giang", as_of=AFTER).scheme == "pre2025"
    # a province that was not merged keeps its one code after the reform
    hn = parse_place("Phường Ba Đình, Thành phố Hà Nội", as_of=AFTER)
    assert (hn.scheme, hn.province_code) == ("post2025", "001")


def test_province_table() -> None:
    table = provinces()
    assert len(table) == 63
    assert len(successors()) == 34
    assert table["024"].successor_name == "Bắc Ninh" and table["027"].successor_code == "24"
    assert successors()["79"] == ("074", "077", "079")


@pytest.mark.parametrize(("unit", "expected"), [
    ("Phường 02", "2"), ("P.2", "2"), ("Quận 1", "1"), ("Huyện Đan Phượng", "danphuong"), ("Đan Phượng", "danphuong"),
    ("Thị xã Sơn Tây", "sontay"), ("Thành phố Sơn Tây", "sontay"), (None, None), ("", None),
])
def test_unit_key(unit: str | None, expected: str | None) -> None:
    assert unit_key(unit) == expected


@pytest.mark.parametrize("raw", [None, "", "  ", ",", "Việt Nam"])
def test_missing(raw: str | None) -> None:
    assert parse_place(raw).text is None
