"""Names: parsing into parts (Kinh, compound surnames, minority naming orders), derived keys, phonetic key,
comparison verdicts and difference hints."""

from __future__ import annotations

import unicodedata

import pytest

from linkage.normalise.names import compare_names, name_difference_hint, parse_name, phonetic_key


def _split(name: str) -> tuple[str | None, str | None, str | None]:
    parts = parse_name(name)
    assert parts is not None
    return parts.surname, parts.middle_name, parts.given_name


KINH_SPLITS = [
    ("Nguyễn Văn An", ("Nguyễn", "Văn", "An")),
    ("Nguyễn Thị Minh Khai", ("Nguyễn", "Thị Minh", "Khai")),
    ("Trần Phú", ("Trần", None, "Phú")),
    ("Lê Thị Quỳnh Như", ("Lê", "Thị Quỳnh", "Như")),
    ("Nguyễn Thúc Thùy Tiên", ("Nguyễn", "Thúc Thùy", "Tiên")),
    ("Huỳnh Tấn Phát", ("Huỳnh", "Tấn", "Phát")),
    ("Phạm Thị Ngọc Diệp Anh", ("Phạm", "Thị Ngọc Diệp", "Anh")),
    ("Khánh", (None, None, "Khánh")),
]

COMPOUND_SPLITS = [
    ("Tôn Nữ Thị Ninh", ("Tôn Nữ", "Thị", "Ninh")),
    ("Tôn Nữ Hà", ("Tôn Nữ", None, "Hà")),
    ("Tôn Thất Thuyết", ("Tôn Thất", None, "Thuyết")),
    ("Tôn Thất Đính", ("Tôn Thất", None, "Đính")),
    ("Công Tôn Nữ Thu Hương", ("Công Tôn Nữ", "Thu", "Hương")),
    ("Công Tằng Tôn Nữ Thị Bích", ("Công Tằng Tôn Nữ", "Thị", "Bích")),
    ("Công Huyền Tôn Nữ Minh Châu", ("Công Huyền Tôn Nữ", "Minh", "Châu")),
    ("Nguyễn Phúc Ánh", ("Nguyễn Phúc", None, "Ánh")),
    ("Nguyễn Phúc Vĩnh Lộc", ("Nguyễn Phúc", "Vĩnh", "Lộc")),
    ("Nguyễn Phước Bửu Chánh", ("Nguyễn Phước", "Bửu", "Chánh")),
    ("Âu Dương Lân", ("Âu Dương", None, "Lân")),
    ("Âu Dương Thị Hoa", ("Âu Dương", "Thị", "Hoa")),
    ("Hoàng Phủ Ngọc Tường", ("Hoàng Phủ", "Ngọc", "Tường")),
    ("TÔN THẤT THUYẾT", ("Tôn Thất", None, "Thuyết")),
    ("Ton That Thuyet", ("Ton That", None, "Thuyet")),
    # a compound needs a given name after it
    ("Nguyễn Phúc", ("Nguyễn", None, "Phúc")),
    ("Tôn Nữ", ("Tôn", None, "Nữ")),
]

# ethnic-minority naming: Ê Đê / M'nông family name last (with Y / H'), Jrai family name first (some in two
# words), Mông (A / Mí markers), Thái, Tày, Nùng, Dao, Khmer, Bahnar, Stiêng
MINORITY_SPLITS = [
    ("Y Moan Ênuôl", ("Ênuôl", None, "Y Moan")),
    ("H'Hen Niê", ("Niê", None, "H'Hen")),
    ("H’Hen Niê", ("Niê", None, "H'Hen")),
    ("H`Hen Niê", ("Niê", None, "H'Hen")),
    ("H Hen Niê", ("Niê", None, "H'Hen")),
    ("HHen Niê", ("Niê", None, "H'Hen")),
    ("h'hen niê", ("Niê", None, "H'Hen")),
    ("Y Ngông Niê Kdăm", ("Niê Kdăm", None, "Y Ngông")),
    ("Y Jut Buôn Krông", ("Buôn Krông", None, "Y Jut")),
    ("H'Nhi Byă", ("Byă", None, "H'Nhi")),
    ("Y Bih Aleo", ("Aleo", None, "Y Bih")),
    ("Y Vân", (None, None, "Y Vân")),
    ("Ksor Phước", ("Ksor", None, "Phước")),
    ("Rơ Mah Đào", ("Rơ Mah", None, "Đào")),
    ("Rơ Châm Hiền", ("Rơ Châm", None, "Hiền")),
    ("Siu Blếch", ("Siu", None, "Blếch")),
    ("Nay Der", ("Nay", None, "Der")),
    ("Kpă Thuyên", ("Kpă", None, "Thuyên")),
    ("Giàng A Páo", ("Giàng", "A", "Páo")),
    ("Sùng Mí Chá", ("Sùng", "Mí", "Chá")),
    ("Vàng Thị Mỷ", ("Vàng", "Thị", "Mỷ")),
    ("Hầu A Lềnh", ("Hầu", "A", "Lềnh")),
    ("Vừ A Dính", ("Vừ", "A", "Dính")),
    ("Lò Văn Pấng", ("Lò", "Văn", "Pấng")),
    ("Cầm Thị Hoa", ("Cầm", "Thị", "Hoa")),
    ("Lường Văn Chung", ("Lường", "Văn", "Chung")),
    ("Nông Văn Dền", ("Nông", "Văn", "Dền")),
    ("Lăng Văn Tài", ("Lăng", "Văn", "Tài")),
    ("Triệu Thị Mai", ("Triệu", "Thị", "Mai")),
    ("Thạch Thị Sa Rết", ("Thạch", "Thị Sa", "Rết")),
    ("Danh Sơn", ("Danh", None, "Sơn")),
    ("Chau Sóc Khăng", ("Chau", "Sóc", "Khăng")),
    ("Néang Sa Ly", ("Néang", "Sa", "Ly")),
    ("Đinh Núp", ("Đinh", None, "Núp")),
    ("Điểu Kré", ("Điểu", None, "Kré")),
]


@pytest.mark.parametrize(("name", "parts"), KINH_SPLITS + COMPOUND_SPLITS + MINORITY_SPLITS)
def test_split(name: str, parts: tuple[str | None, str | None, str | None]) -> None:
    assert _split(name) == parts


@pytest.mark.parametrize(
    ("raw", "full_name"),
    [
        ("  NGUYỄN   VĂN  AN ", "Nguyễn Văn An"),
        ("nguyễn thị hoà", "Nguyễn Thị Hòa"),
        (unicodedata.normalize("NFD", "Trần Thị Thuỷ"), "Trần Thị Thủy"),
        ("NguyÔn V¨n An", "Nguyễn Văn An"),  # TCVN3 mojibake
        ("Nguyeãn Vaên An", "Nguyễn Văn An"),  # VNI mojibake
        ("Nguyá»…n VÄƒn An", "Nguyễn Văn An"),  # UTF-8 read as cp1252
        ("Nguye^~n Va(n An", "Nguyễn Văn An"),  # VIQR
        ("H’HEN NIÊ", "H'Hen Niê"),
        ("nguyen van an", "Nguyen Van An"),
    ],
)
def test_full_name_display(raw: str, full_name: str) -> None:
    parts = parse_name(raw)
    assert parts is not None and parts.full_name == full_name


@pytest.mark.parametrize("raw", [None, "", "   ", "\u00a0"])
def test_blank_is_none(raw: str | None) -> None:
    assert parse_name(raw) is None


@pytest.mark.parametrize(
    ("name", "field", "expected"),
    [
        ("Đặng Thị Ngọc Thịnh", "name_fold", "dang thi ngoc thinh"),
        ("Đặng Thị Ngọc Thịnh", "surname_fold", "dang"),
        ("Đặng Thị Ngọc Thịnh", "middle_fold", "thi ngoc"),
        ("Đặng Thị Ngọc Thịnh", "given_fold", "thinh"),
        ("Huỳnh Tấn Phát", "surname_key", "hoang"),
        ("Hoàng Văn Thụ", "surname_key", "hoang"),
        ("Võ Thị Sáu", "surname_key", "vu"),
        ("Vũ Đức Đam", "surname_key", "vu"),
        ("Nguyễn Văn An", "surname_key", "nguyen"),
        ("Tôn Nữ Thị Ninh", "surname_key", "ton nu"),
        ("Nguyễn Thị Minh Khai", "middle_core_fold", "minh"),
        ("Nguyễn Văn An", "middle_core_fold", None),
        ("Nguyễn Văn Thị Hoa", "middle_core_fold", None),
        ("Nguyễn Vân Anh", "middle_core_fold", "van"),  # Vân is not the generic Văn
        ("Lê Văn Vân Anh", "middle_core_fold", "van"),
        ("Giàng A Páo", "middle_core_fold", None),  # Mông A
        ("Sùng Mí Chá", "middle_core_fold", None),  # Mông Mí
        ("Thạch Thị Sa Rết", "middle_core_fold", "sa"),
        ("Nguyen Thi Minh Khai", "middle_core_fold", "minh"),
        ("Nguyễn Văn An", "name_ascii_only", False),
        ("Nguyen Van An", "name_ascii_only", True),
        ("Ksor Kpă", "name_ascii_only", False),
        ("H'Hen Nie", "name_ascii_only", True),
        ("Nguyễn Văn Long", "given_phonetic", "non"),
        ("Trần Thị Trang", "given_phonetic", "can"),
        ("Y Moan Ênuôl", "given_fold", "y moan"),
        ("H'Hen Niê", "name_fold", "hhen nie"),
    ],
)
def test_derived_fields(name: str, field: str, expected: object) -> None:
    parts = parse_name(name)
    assert parts is not None
    assert getattr(parts, field) == expected


def test_formatting_variants_parse_identically() -> None:
    variants = [
        "Nguyễn Thị Thủy",
        "Nguyễn Thị Thuỷ",
        "NGUYỄN THỊ THUỶ",
        "  nguyễn  thị   thủy ",
        unicodedata.normalize("NFD", "Nguyễn Thị Thuỷ"),
        "Nguyễn\u00a0Thị\tThủy",
    ]
    parsed = {parse_name(v) for v in variants}
    assert len(parsed) == 1


PHONETIC_EQUAL = [
    ("Lan", "Nan"),
    ("Long", "Nong"),
    ("Chung", "Trung"),
    ("Châu", "Trâu"),
    ("Sương", "Xương"),
    ("Sinh", "Xinh"),
    ("Dung", "Rung"),
    ("Dao", "Giao"),
    ("Vinh", "Dinh"),
    ("Giang", "Dang"),
    ("Tân", "Tâng"),
    ("Lan", "Lang"),
    ("Tín", "Tính"),
    ("Kiên", "Kiêng"),
    ("Phát", "Phác"),
    ("Đạt", "Đạc"),
    ("Bích", "Bít"),
    ("Thủy", "Thúy"),
    ("Mỹ", "Mỷ"),
    ("Lý", "Lí"),
    ("Quý", "Quí"),
    ("Kỳ", "Kì"),
    ("Hùng", "Hưng"),
    ("Nguyễn", "Nguyen"),
    ("Ngọc Lan", "Ngọc Nan"),
    ("Huỳnh", "Huỳn"),
]

PHONETIC_DIFFERENT = [
    ("Lan", "Hoa"),
    ("An", "Anh"),
    ("Hùng", "Hoàng"),
    ("Minh", "Mạnh"),
    ("Thủy", "Thảo"),
    ("Tâm", "Tân"),
    ("Phát", "Pháp"),
    ("Bình", "Vinh"),
    ("Khoa", "Hoa"),
    ("Ngọc Lan", "Ngọc"),
]


@pytest.mark.parametrize(("a", "b"), PHONETIC_EQUAL)
def test_phonetic_equal(a: str, b: str) -> None:
    assert phonetic_key(a) == phonetic_key(b)


@pytest.mark.parametrize(("a", "b"), PHONETIC_DIFFERENT)
def test_phonetic_different(a: str, b: str) -> None:
    assert phonetic_key(a) != phonetic_key(b)


def test_phonetic_blank() -> None:
    assert phonetic_key(None) is None and phonetic_key("  ") is None


COMPARE = [
    # same: identical once parsed (formatting does not count)
    ("Nguyễn Văn An", "Nguyễn Văn An", "same"),
    ("Nguyễn Văn Hoà", "Nguyễn Văn Hòa", "same"),
    ("Trần Thị Thuỷ", "Trần Thị Thủy", "same"),
    (unicodedata.normalize("NFD", "Lê Thị Khánh Hòa"), "Lê Thị Khánh Hòa", "same"),
    ("NGUYỄN VĂN AN", "nguyễn văn an", "same"),
    ("  Nguyễn   Văn  An ", "Nguyễn Văn An", "same"),
    ("Nguyễn\u00a0Văn An", "Nguyễn Văn An", "same"),
    ("H’Hen Niê", "H'Hen Niê", "same"),
    ("H Hen Niê", "H'Hen Niê", "same"),
    ("NguyÔn V¨n An", "Nguyễn Văn An", "same"),
    ("Nguyeãn Vaên An", "Nguyễn Văn An", "same"),
    # compatible: diacritics stripped on one side
    ("Nguyễn Văn An", "Nguyen Van An", "compatible"),
    ("Trần Thị Thủy", "TRAN THI THUY", "compatible"),
    ("Đặng Thị Ngọc Thịnh", "Dang Thi Ngoc Thinh", "compatible"),
    ("H'Hen Niê", "H'Hen Nie", "compatible"),
    # compatible: i/y
    ("Lý Văn Minh", "Lí Văn Minh", "compatible"),
    ("Trần Văn Kỳ", "Trần Văn Kì", "compatible"),
    ("Nguyễn Thị Mỹ", "Nguyễn Thị Mĩ", "compatible"),
    ("Nguyễn Quý Cáp", "Nguyễn Quí Cáp", "compatible"),
    ("Lục Văn Sỹ", "Lục Văn Sĩ", "compatible"),
    # compatible: missing middle name, dropped or added Văn/Thị (and Mông A/Mí)
    ("Nguyễn Văn An", "Nguyễn An", "compatible"),
    ("Phạm Ngọc Thạch", "Phạm Thạch", "compatible"),
    ("Nguyễn Thị Minh Khai", "Nguyễn Minh Khai", "compatible"),
    ("Trần Minh Tuấn", "Trần Văn Minh Tuấn", "compatible"),
    ("Lê Thị Hồng Gấm", "Lê Hồng Gấm", "compatible"),
    ("Tôn Nữ Thị Ninh", "Tôn Nữ Ninh", "compatible"),
    ("Giàng A Páo", "Giàng Páo", "compatible"),
    ("Sùng Mí Chá", "Sùng Chá", "compatible"),
    ("Nguyen Thi Minh Khai", "Nguyễn Minh Khai", "compatible"),
    # different: another tone or letter
    ("Nguyễn Văn Hùng", "Nguyễn Văn Hưng", "different"),
    ("Trần Thị Thủy", "Trần Thị Thúy", "different"),
    ("Lê Thị Ly", "Lê Thị Lý", "different"),
    ("Nguyễn Thị Mỹ", "Nguyễn Thị Mỷ", "different"),
    # different: regional surnames and surnames Vi/Vy
    ("Vũ Văn An", "Võ Văn An", "different"),
    ("Hoàng Thị Lan", "Huỳnh Thị Lan", "different"),
    ("Vi Văn Thắng", "Vy Văn Thắng", "different"),
    # different: regional misspellings
    ("Nguyễn Thị Lan", "Nguyễn Thị Nan", "different"),
    ("Nguyễn Văn Chung", "Nguyễn Văn Trung", "different"),
    ("Lê Văn Sơn", "Lê Văn Xơn", "different"),
    ("Trần Thị Dao", "Trần Thị Giao", "different"),
    ("Phạm Văn Tân", "Phạm Văn Tâng", "different"),
    ("Lê Văn Phát", "Lê Văn Phác", "different"),
    ("Nguyen Thi Lan", "Nguyễn Thị Nan", "different"),
    # different: other names or parts
    ("Nguyễn Văn An", "Nguyễn Thị An", "different"),
    ("Nguyễn Văn An", "Trần Văn An", "different"),
    ("Nguyễn Văn An", "Nguyễn Văn Bình", "different"),
    ("Nguyễn Minh Tuấn", "Nguyễn Quang Tuấn", "different"),
    ("Nguyễn Minh An", "Nguyễn Minh Hoàng An", "different"),
    ("Nguyen Van Hung", "Nguyễn Văn Hoàng", "different"),
    ("Giàng A Páo", "Giàng Mí Páo", "different"),
    # unknown
    (None, "Nguyễn Văn An", "unknown"),
    ("Nguyễn Văn An", "", "unknown"),
    ("   ", None, "unknown"),
]


@pytest.mark.parametrize(("a", "b", "verdict"), COMPARE)
def test_compare_names(a: str | None, b: str | None, verdict: str) -> None:
    assert compare_names(a, b) == verdict
    assert compare_names(b, a) == verdict  # symmetric


HINTS = [
    ("Vũ Văn An", "Võ Văn An", "regional_surname"),
    ("Hoàng Thị Lan", "Huỳnh Thị Lan", "regional_surname"),
    ("Trần Thị Thủy", "Trần Thị Thúy", "tone"),
    ("Lê Thị Ly", "Lê Thị Lý", "tone"),
    ("Nguyễn Thị Mỹ", "Nguyễn Thị Mỷ", "hoi_nga"),
    ("Nguyễn Văn Lĩnh", "Nguyễn Văn Lỉnh", "hoi_nga"),
    ("Nguyễn Thị Lan", "Nguyễn Thị Nan", "l_n"),
    ("Lê Văn Long", "Lê Văn Nong", "l_n"),
    ("Nguyen Thi Lan", "Nguyễn Thị Nan", "l_n"),
    ("Nguyễn Văn Chung", "Nguyễn Văn Trung", "ch_tr"),
    ("Lê Thị Châu", "Lê Thị Trâu", "ch_tr"),
    ("Lê Văn Sơn", "Lê Văn Xơn", "s_x"),
    ("Trần Thị Sương", "Trần Thị Xương", "s_x"),
    ("Trần Thị Dao", "Trần Thị Giao", "d_gi_r"),
    ("Lê Văn Vinh", "Lê Văn Dinh", "d_gi_r"),
    ("Phạm Thị Dung", "Phạm Thị Rung", "d_gi_r"),
    ("Phạm Văn Tân", "Phạm Văn Tâng", "final_n_ng"),
    ("Trần Văn Tín", "Trần Văn Tính", "final_n_ng"),
    ("Lê Văn Phát", "Lê Văn Phác", "final_t_c"),
    ("Lê Văn Đạt", "Lê Văn Đạc", "final_t_c"),
    ("Nguyễn Văn Hùng", "Nguyễn Văn Hưng", "letter"),
    ("Vi Văn Thắng", "Vy Văn Thắng", "letter"),
    ("Trần Văn Tâm", "Trần Văn Tám", "letter"),
    ("Nguyễn Văn An", "Nguyễn Văn Bình", "different_name"),
    ("Nguyễn Văn An", "Trần Văn An", "different_name"),
    ("Nguyễn Minh An", "Nguyễn Minh Hoàng An", "different_name"),
    # not different: no hint
    ("Nguyễn Văn An", "Nguyen Van An", None),
    ("Nguyễn Văn An", "Nguyễn An", None),
    ("Nguyễn Văn Hoà", "Nguyễn Văn Hòa", None),
    (None, "Nguyễn Văn An", None),
]


@pytest.mark.parametrize(("a", "b", "hint"), HINTS)
def test_name_difference_hint(a: str | None, b: str | None, hint: str | None) -> None:
    assert name_difference_hint(a, b) == hint
    assert name_difference_hint(b, a) == hint
