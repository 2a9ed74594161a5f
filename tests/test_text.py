"""Text basics: NFC, traditional tone placement, spaces/apostrophes, ASCII fold, title case, syllable shape."""

from __future__ import annotations

import unicodedata

import pytest

from linkage.normalise.text import (
    clean_text,
    fold,
    has_diacritics,
    is_vietnamese_syllable,
    place_tone,
    title_vi,
    tone_well_placed,
)

# new-style (or wrongly placed) tone → the traditional placement used in every display form
TONE_REWRITES = [
    ("hoà", "hòa"),
    ("thuỷ", "thủy"),
    ("khoá", "khóa"),
    ("hoè", "hòe"),
    ("Hoà Bình", "Hòa Bình"),
    ("Thanh Hoá", "Thanh Hóa"),
    ("Khánh Hoà", "Khánh Hòa"),
    ("Trần Thị Thuỷ", "Trần Thị Thủy"),
    ("Nguyễn Thị Thuý", "Nguyễn Thị Thúy"),
    ("Lê Văn Thuỵ", "Lê Văn Thụy"),
    ("Phạm Văn Tuỳ", "Phạm Văn Tùy"),
    ("Đặng Văn Hoạ", "Đặng Văn Họa"),
    ("Ngô Thị Xoà", "Ngô Thị Xòa"),
    ("Vũ Văn Thoả", "Vũ Văn Thỏa"),
    ("uỷ ban", "ủy ban"),
    ("Luỹ", "Lũy"),
    ("khoẻ", "khỏe"),
    ("Toà án", "Tòa án"),
    ("hoá học", "hóa học"),
    ("Ngụy", "Ngụy"),
    ("Nguỵ", "Ngụy"),
    ("Huỷ", "Hủy"),
    ("xoè", "xòe"),
    ("loè", "lòe"),
    ("Đoàn Thị Hoè", "Đoàn Thị Hòe"),
    ("Suý", "Súy"),
    ("Đại uý", "Đại úy"),
    ("HOÀ", "HÒA"),
    ("THUỶ", "THỦY"),
    ("Hòang", "Hoàng"),  # tone on the wrong vowel of a closed syllable
    ("Qúy", "Quý"),  # tone on the u of qu
    ("Gìa", "Già"),  # tone on the i of gi
    ("Ngòai", "Ngoài"),  # three vowels: the middle one
    ("Nguyêñ", "Nguyêñ"),  # ñ is not a Vietnamese tone: untouched
]

# already traditional: must not move
TONE_KEPT = [
    "quý",
    "già",
    "hoàng",
    "thuyết",
    "khuyên",
    "quốc",
    "giữa",
    "người",
    "Quỳnh",
    "Nguyễn",
    "Thủy",
    "Hòa",
    "ngoài",
    "khuỷu",
    "ngoáy",
    "gìn",
    "Giàng",
    "Huỳnh",
    "Thoại",
    "Khuê",
    "quyền",
    "Tuyết",
    "Phước",
    "hướng",
    "Mùa",
    "Tài",
    "Khoa",
    "Oanh",
    "Yến",
    "Uyên",
    "Ánh",
    "Ỷ Lan",
    "Ksor",
    "H'Hen",
    "Ênuôl",
    "Kdăm",
]

# real names keyed in NFD (decomposed) by some systems: cleaned to NFC
NFD_NAMES = [
    "Nguyễn Văn An",
    "Trần Thị Thủy",
    "Lê Hoàng Phước",
    "Đặng Quốc Việt",
    "Phạm Thị Hương",
    "Hoàng Văn Thụ",
    "Vũ Thị Thu Hà",
    "Đỗ Thị Kim Oanh",
    "Bùi Văn Khoa",
    "Ngô Thị Thúy",
    "Dương Quốc Khánh",
    "Trương Mỹ Lan",
    "Huỳnh Ngọc Ánh",
    "Võ Thị Sáu",
    "Phan Bội Châu",
    "Lý Thường Kiệt",
    "Hồ Xuân Hương",
    "Tôn Đức Thắng",
    "Đinh Bộ Lĩnh",
    "Nguyễn Thị Ngọc Huyền",
    "Lường Văn Chung",
    "Giàng A Páo",
    "Y Moan Ênuôl",
    "H'Hen Niê",
    "Ưng Hoàng Phúc",
    "Ông Ích Khiêm",
    "Khổng Thị Quyên",
    "Lê Thị Quỳnh Như",
    "Thừa Thiên Huế",
    "Đắk Lắk",
]


@pytest.mark.parametrize(("raw", "expected"), TONE_REWRITES)
def test_tone_rewritten_to_traditional(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize("text", TONE_KEPT)
def test_traditional_tone_kept(text: str) -> None:
    assert clean_text(text) == text


@pytest.mark.parametrize("name", NFD_NAMES)
def test_nfd_to_nfc(name: str) -> None:
    decomposed = unicodedata.normalize("NFD", name)
    assert decomposed != name
    assert clean_text(decomposed) == name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # NFD and old-style placement at once
        (unicodedata.normalize("NFD", "Hoà Bình"), "Hòa Bình"),
        (unicodedata.normalize("NFD", "Thuỷ"), "Thủy"),
        # "Unicode tổ hợp": precomposed hat, combining tone
        ("Nguyê\u0303n", "Nguyễn"),
        ("Tra\u0302\u0300n", "Trần"),
        # tone typed before the hat
        ("Nguye\u0303\u0302n", "Nguyễn"),
        ("Vie\u0323\u0302t", "Việt"),
        # the deprecated Vietnamese tone marks U+0340/U+0341
        ("Ha\u0340", "Hà"),
        ("Tha\u0341i", "Thái"),
    ],
)
def test_composition_variants(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Nguyễn   Văn  An ", "Nguyễn Văn An"),
        ("Nguyễn\u00a0Văn\tAn", "Nguyễn Văn An"),
        ("Nguyễn\nVăn\r\nAn", "Nguyễn Văn An"),
        ("\ufeffNguyễn Văn An", "Nguyễn Văn An"),
        ("Nguy\u200bễn", "Nguyễn"),
        ("H’Hen Niê", "H'Hen Niê"),
        ("H‘Hen Niê", "H'Hen Niê"),
        ("H`Hen Niê", "H'Hen Niê"),
        ("Hʼ Hen", "H' Hen"),
        ("H´Hen", "H'Hen"),
        ("Ðặng Văn Lâm", "Đặng Văn Lâm"),  # Icelandic eth keyed for Đ
        ("nguyễn văn an", "nguyễn văn an"),  # case unchanged
        ("NGUYỄN VĂN AN", "NGUYỄN VĂN AN"),
        ("", None),
        ("   ", None),
        ("\u00a0\t", None),
        (None, None),
        (float("nan"), None),  # a missing cell read by pandas
    ],
)
def test_clean_text_spaces_apostrophes(raw: str | None, expected: str | None) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Đặng Thị Ngọc Thịnh", "dang thi ngoc thinh"),
        ("ĐỖ MƯỜI", "do muoi"),
        ("H'Hen Niê", "hhen nie"),
        ("H’Hen Niê", "hhen nie"),
        ("Nguyễn-Văn  An!", "nguyen van an"),
        ("Ê-đê", "e de"),
        ("Trương Mỹ Lan", "truong my lan"),
        (unicodedata.normalize("NFD", "Lường Văn Chung"), "luong van chung"),
        ("Thôn 3, xã Ea Kao", "thon 3 xa ea kao"),
        ("---", None),
        ("", None),
        (None, None),
    ],
)
def test_fold(raw: str | None, expected: str | None) -> None:
    assert fold(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("NGUYỄN VĂN AN", "Nguyễn Văn An"),
        ("nguyễn thị hoà", "Nguyễn Thị Hòa"),
        ("h'hen niê", "H'Hen Niê"),
        ("H’HEN NIÊ", "H'Hen Niê"),
        ("y moan ênuôl", "Y Moan Ênuôl"),
        ("k'brơi", "K'Brơi"),
        ("ê-đê", "Ê-Đê"),
        ("đặng   quốc việt", "Đặng Quốc Việt"),
        ("ÂU DƯƠNG LÂN", "Âu Dương Lân"),
        ("ưng hoàng phúc", "Ưng Hoàng Phúc"),
        ("", None),
    ],
)
def test_title_vi(raw: str, expected: str | None) -> None:
    assert title_vi(raw) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nguyễn Văn An", True),
        ("Đinh", True),
        ("đ", True),
        (unicodedata.normalize("NFD", "Hà"), True),
        ("Nguyen Van An", False),
        ("H'Hen Nie", False),
        ("Ksor", False),
        ("", False),
        (None, False),
    ],
)
def test_has_diacritics(text: str | None, expected: bool) -> None:
    assert has_diacritics(text) is expected


@pytest.mark.parametrize(
    "word",
    [
        "Nguyễn",
        "Văn",
        "An",
        "Trương",
        "Quỳnh",
        "Giàng",
        "Gìn",
        "Khuya",
        "Thuyết",
        "Khuyên",
        "Quýt",
        "Quách",
        "Hoàng",
        "Huỳnh",
        "Thủy",
        "Hoà",
        "Ngoáy",
        "Phước",
        "Đặng",
        "Từ",
        "Như",
        "Xoong",
        "Khuếch",
        "Giữa",
        "Nghiêng",
        "ĐỖ",
        "NGUYỄN",
    ],
)
def test_valid_syllables(word: str) -> None:
    assert is_vietnamese_syllable(word)


@pytest.mark.parametrize(
    "word",
    [
        "Ksor",
        "Niê",
        "Ênuôl",
        "NguyÔn",
        "V¨n",
        "Nguyeãn",
        "Vaên",
        "Phàt",
        "Hòang",
        "Qúy",
        "Leõ",
        "Dýnh",
        "Hóà",
        "Mỹller",
        "",
    ],
)
def test_invalid_syllables(word: str) -> None:
    assert not is_vietnamese_syllable(word)


@pytest.mark.parametrize(
    ("word", "ok"),
    [
        ("hòa", True),
        ("hoà", True),
        ("thủy", True),
        ("thuỷ", True),
        ("hoàng", True),
        ("hòang", False),
        ("múa", True),
        ("muá", False),
        ("ngoài", True),
        ("ngòai", False),
        ("Ksor", True),
    ],
)
def test_tone_well_placed(word: str, ok: bool) -> None:
    assert tone_well_placed(word) is ok


def test_place_tone_is_idempotent() -> None:
    for raw, _ in TONE_REWRITES:
        once = " ".join(place_tone(w) for w in raw.split(" "))
        assert " ".join(place_tone(w) for w in once.split(" ")) == once
