from __future__ import annotations

import pytest

from linkage.normalise.codes import (
    ethnicities,
    parse_ethnicity,
    parse_nationality,
    parse_relation,
    parse_religion,
    parse_sex,
)

SEX = [
    ("Nam", "M"), ("nam", "M"), ("NAM", "M"), (" Nam ", "M"), ("M", "M"), ("m", "M"), ("Male", "M"),
    ("1", "M"), ("1.0", "M"), ("Con trai", "M"),
    ("Nữ", "F"), ("nữ", "F"), ("NỮ", "F"), ("NU", "F"), ("nu", "F"), ("Nu", "F"), ("F", "F"), ("Female", "F"),
    ("0", "F"), ("2", "F"), ("Nữ", "F"),  # the second one NFD
    ("", None), (None, None), ("x", None), ("Khác", None), ("3", None), ("N", None),
]


@pytest.mark.parametrize(("raw", "expected"), SEX)
def test_sex(raw: str | None, expected: str | None) -> None:
    assert parse_sex(raw) == expected


def test_sex_mapping_overrides_defaults() -> None:
    mapping = {"1": "F", "0": "M", "2": None}
    assert parse_sex("1", mapping) == "F"
    assert parse_sex("0", mapping) == "M"
    assert parse_sex("2", mapping) is None
    assert parse_sex("Nam", mapping) == "M"  # words keep their meaning


ETHNICITY = [
    ("Kinh", "01"), ("kinh", "01"), ("KINH", "01"), ("Việt", "01"), ("Dân tộc Kinh", "01"), ("DT: Kinh", "01"),
    ("Tày", "02"), ("Tay", "02"), ("Thái", "03"), ("Thai", "03"), ("Hoa", "04"), ("Hán", "04"),
    ("Khmer", "05"), ("Khơ-me", "05"), ("Khơ Me", "05"), ("Khome", "05"), ("Kho me", "05"),
    ("Mường", "06"), ("Muong", "06"), ("Nùng", "07"), ("Nung", "07"),
    ("Mông", "08"), ("H'Mông", "08"), ("H’Mông", "08"), ("Hmông", "08"), ("HMÔNG", "08"), ("Mèo", "08"),
    ("Hmong", "08"), ("Dao", "09"), ("Gia Rai", "10"), ("Gia-rai", "10"), ("Jrai", "10"), ("Jarai", "10"),
    ("Ngái", "11"), ("Ê Đê", "12"), ("Ê-đê", "12"), ("Êđê", "12"), ("Ede", "12"), ("Rhade", "12"),
    ("Ba Na", "13"), ("Bana", "13"), ("Xơ Đăng", "14"), ("Sán Chay", "15"), ("Cơ Ho", "16"), ("K'Ho", "16"),
    ("Chăm", "17"), ("Chàm", "17"), ("Sán Dìu", "18"), ("Hrê", "19"), ("Mnông", "20"), ("M'Nông", "20"),
    ("Raglai", "21"), ("X'Tiêng", "22"), ("Bru - Vân Kiều", "23"), ("Vân Kiều", "23"), ("Thổ", "24"),
    ("Giáy", "25"), ("Cơ Tu", "26"), ("Giẻ Triêng", "27"), ("Mạ", "28"), ("Khơ Mú", "29"), ("Co", "30"),
    ("Tà Ôi", "31"), ("Chơ Ro", "32"), ("Kháng", "33"), ("Xinh Mun", "34"), ("Hà Nhì", "35"), ("Chu Ru", "36"),
    ("Lào", "37"), ("La Chí", "38"), ("La Ha", "39"), ("Phù Lá", "40"), ("La Hủ", "41"), ("Lự", "42"),
    ("Lô Lô", "43"), ("Chứt", "44"), ("Mảng", "45"), ("Pà Thẻn", "46"), ("Cơ Lao", "47"), ("Cờ Lao", "47"),
    ("Cống", "48"), ("Bố Y", "49"), ("Si La", "50"), ("Pu Péo", "51"), ("Brâu", "52"), ("Ơ Đu", "53"),
    ("Rơ Măm", "54"), ("01", "01"), ("1", "01"), ("8", "08"), ("54", "54"),
    ("55", None), ("0", None), ("Người nước ngoài", None), ("xyz", None), ("", None), (None, None),
]


@pytest.mark.parametrize(("raw", "code"), ETHNICITY)
def test_ethnicity(raw: str | None, code: str | None) -> None:
    got_code, got_name = parse_ethnicity(raw)
    assert got_code == code
    assert (got_name is None) == (code is None)


def test_ethnicity_list_is_the_official_54() -> None:
    groups = ethnicities()
    assert len(groups) == 54
    assert [g.code for g in groups] == [f"{i:02d}" for i in range(1, 55)]
    assert [g.name for g in groups[:9]] == ["Kinh", "Tày", "Thái", "Hoa", "Khmer", "Mường", "Nùng", "Mông", "Dao"]
    assert parse_ethnicity("Mèo") == ("08", "Mông")


NATIONALITY = [
    ("Việt Nam", "Việt Nam"), ("Viet Nam", "Việt Nam"), ("VIỆT NAM", "Việt Nam"), ("Vietnam", "Việt Nam"),
    ("VN", "Việt Nam"), ("VNM", "Việt Nam"), ("Quốc tịch: Việt Nam", "Việt Nam"), ("Lào", "Lào"), ("Laos", "Lào"),
    ("Trung Quốc", "Trung Quốc"), ("china", "Trung Quốc"), ("campuchia", "Campuchia"), ("CANADA", "Canada"),
    ("", None),
]


@pytest.mark.parametrize(("raw", "expected"), NATIONALITY)
def test_nationality(raw: str, expected: str | None) -> None:
    assert parse_nationality(raw) == expected


RELIGION = [
    ("Không", "Không"), ("khong", "Không"), ("Không tôn giáo", "Không"), ("0", "Không"),
    ("Phật giáo", "Phật giáo"), ("Phật", "Phật giáo"), ("Đạo Phật", "Phật giáo"), ("phat giao", "Phật giáo"),
    ("Thiên Chúa", "Công giáo"), ("Công giáo", "Công giáo"), ("Thiên chúa giáo", "Công giáo"),
    ("Tin Lành", "Tin lành"), ("Cao Đài", "Cao Đài"), ("Hòa Hảo", "Phật giáo Hòa Hảo"), ("Hồi giáo", "Hồi giáo"),
    ("", None),
]


@pytest.mark.parametrize(("raw", "expected"), RELIGION)
def test_religion(raw: str, expected: str | None) -> None:
    assert parse_religion(raw) == expected


RELATION = [
    ("Chủ hộ", "Chủ hộ"), ("CHỦ HỘ", "Chủ hộ"), ("chu ho", "Chủ hộ"), ("CH", "Chủ hộ"), ("Vợ", "Vợ"), ("vo", "Vợ"),
    ("Chồng", "Chồng"), ("chong", "Chồng"), ("Con", "Con"), ("Con đẻ", "Con"), ("Con dâu", "Con dâu"),
    ("con dau", "Con dâu"), ("Con rể", "Con rể"), ("con re", "Con rể"), ("Con nuôi", "Con nuôi"),
    ("Cháu", "Cháu"), ("Cháu nội", "Cháu"), ("chau ngoai", "Cháu"), ("Bố", "Bố"), ("Cha", "Bố"), ("bo", "Bố"),
    ("Mẹ", "Mẹ"), ("me", "Mẹ"), ("Anh", "Anh"), ("Anh trai", "Anh"), ("Chị", "Chị"), ("chi", "Chị"),
    ("Em", "Em"), ("Em gái", "Em"), ("Ông", "Ông"), ("ong noi", "Ông"), ("Bà", "Bà"), ("Bà ngoại", "Bà"),
    ("Người ở nhờ", "Người ở nhờ"), ("nguoi o nho", "Người ở nhờ"), ("Ở nhờ", "Người ở nhờ"),
    ("ba", None),  # ASCII `ba`: southern `Ba` (father) or stripped `Bà` (grandmother) — unknown
    ("Bạn", "Bạn"), ("", None),
]


@pytest.mark.parametrize(("raw", "expected"), RELATION)
def test_relation(raw: str, expected: str | None) -> None:
    assert parse_relation(raw) == expected
