"""Coded fields: sex, ethnicity (the 54 official groups), nationality, religion, relation to the household head.

Each parser takes one raw value and returns the canonical value, or None when the value is blank or not
recognised (the caller flags an unrecognised non-blank value).

Sex: `M` or `F`. Words: Nam/nam/NAM/Male/M/trai → M; Nữ/Nu/NU/nữ/Female/F/gái → F. Digits follow the usual
Vietnamese exports: `1` = Nam, `0` or `2` = Nữ (the boolean "is male" column and the census code 1/2). A file
that codes them the other way passes `mapping` (folded raw value → 'M'/'F'/None), which wins over the defaults.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from linkage.normalise.text import clean_text, fold, title_vi

DATA = Path(__file__).resolve().parent.parent / "data"


def _key(value: str | None) -> str | None:
    """Folded, without spaces, hyphens or apostrophes: `H'Mông` → `hmong`, `Ê-đê` → `ede`."""
    f = fold(value)
    return f.replace(" ", "") if f else None


def _lower_key(value: str | None) -> str | None:
    """Lower case with diacritics, without spaces, hyphens or apostrophes (tells Tày from Thái)."""
    s = clean_text(value)
    if s is None:
        return None
    return re.sub(r"[\s\-–'.]", "", s.lower()) or None


# ---------------------------------------------------------------------------------------------------- sex

SEX_DEFAULTS: dict[str, str] = {
    "nam": "M", "m": "M", "male": "M", "man": "M", "trai": "M", "contrai": "M", "gioitinhnam": "M", "1": "M",
    "nu": "F", "f": "F", "female": "F", "woman": "F", "gai": "F", "congai": "F", "gioitinhnu": "F",
    "0": "F", "2": "F",
}


def parse_sex(value: object, mapping: Mapping[str, str | None] | None = None) -> str | None:
    """'M' | 'F' | None. `mapping` (keys folded like `nu`, `1`) overrides the defaults."""
    if value is None:
        return None
    k = _key(re.sub(r"^(\d+)\.0+$", r"\1", str(value).strip()))  # `1.0` from a float column
    if k is None:
        return None
    if mapping is not None:
        mk = {(_key(key) or key): v for key, v in mapping.items()}
        if k in mk:
            return mk[k]
    return SEX_DEFAULTS.get(k)


# ------------------------------------------------------------------------------------------------ ethnicity


@dataclass(frozen=True)
class Ethnicity:
    code: str
    name: str


@cache
def ethnicities() -> tuple[Ethnicity, ...]:
    with open(DATA / "ethnicities.csv", encoding="utf-8", newline="") as fh:
        return tuple(Ethnicity(r["code"], r["name"]) for r in csv.DictReader(fh))


@cache
def _ethnicity_index() -> tuple[dict[str, str], dict[str, str]]:
    """(diacritic key → code, folded key → code); folded keys shared by two groups are left out."""
    exact: dict[str, str] = {}
    folded: dict[str, set[str]] = {}
    with open(DATA / "ethnicities.csv", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            names = [r["name"]] + [a for a in (r["aliases"] or "").split("|") if a.strip()]
            for n in names:
                lk, fk = _lower_key(n), _key(n)
                if lk:
                    exact.setdefault(lk, r["code"])
                if fk:
                    folded.setdefault(fk, set()).add(r["code"])
    return exact, {k: next(iter(v)) for k, v in folded.items() if len(v) == 1}


_ETH_PREFIX = re.compile(r"^(?:dân tộc|dan toc|dt|người|nguoi)[\s.:]+", re.IGNORECASE)


def parse_ethnicity(value: object) -> tuple[str | None, str | None]:
    """(official code `01`..`54`, official name) or (None, None). Accepts names with or without diacritics,
    common variants (Mèo/H'Mông → Mông, Khơ-me → Khmer, Ede/Rhade → Ê Đê, Jrai → Gia Rai, Việt → Kinh) and
    numeric codes (`1`, `01`)."""
    if value is None:
        return None, None
    s = clean_text(str(value))
    if s is None:
        return None, None
    s = _ETH_PREFIX.sub("", s)
    by_code = {e.code: e.name for e in ethnicities()}
    digits = s[:-2] if s.endswith(".0") else s
    if digits.isdigit():
        code = f"{int(digits):02d}"
        return (code, by_code[code]) if code in by_code else (None, None)
    exact, folded = _ethnicity_index()
    code = exact.get(_lower_key(s) or "")
    if code is None:
        code = folded.get(_key(s) or "")
    return (code, by_code[code]) if code else (None, None)


# ---------------------------------------------------------------------------------------------- nationality

_NATIONALITIES: dict[str, str] = {
    "vietnam": "Việt Nam", "vn": "Việt Nam", "vnm": "Việt Nam", "vietnamese": "Việt Nam",
    "nuocchxhcnvietnam": "Việt Nam", "chxhcnvietnam": "Việt Nam",
    "lao": "Lào", "laos": "Lào", "trungquoc": "Trung Quốc", "china": "Trung Quốc", "tq": "Trung Quốc",
    "campuchia": "Campuchia", "cambodia": "Campuchia", "hanquoc": "Hàn Quốc", "korea": "Hàn Quốc",
    "nhatban": "Nhật Bản", "japan": "Nhật Bản", "hoaky": "Hoa Kỳ", "my": "Hoa Kỳ", "usa": "Hoa Kỳ",
    "us": "Hoa Kỳ", "dailoan": "Đài Loan", "taiwan": "Đài Loan", "thailan": "Thái Lan", "thailand": "Thái Lan",
    "phap": "Pháp", "france": "Pháp", "uc": "Úc", "australia": "Úc", "nga": "Nga", "russia": "Nga",
    "khongquoctich": "Không quốc tịch",
}


def _labelled_lookup(value: object, label: str, table: Mapping[str, str]) -> str | None:
    """A value perhaps written after its label (`Quốc tịch: Việt Nam`): the table's canonical name for its key,
    else the text in Title Case; blank → None."""
    if value is None:
        return None
    s = clean_text(str(value))
    if s is None:
        return None
    k = _key(re.sub(label, "", s, flags=re.IGNORECASE))
    if not k:
        return None
    return table.get(k) or title_vi(s)


def parse_nationality(value: object) -> str | None:
    """`Việt Nam` for every spelling of Vietnam; a few common others by name; anything else Title Case."""
    return _labelled_lookup(value, r"^(?:quốc tịch|quoc tich)[\s:]+", _NATIONALITIES)


# -------------------------------------------------------------------------------------------------- religion

_RELIGIONS: dict[str, str] = {
    "khong": "Không", "khongtongiao": "Không", "khongco": "Không", "0": "Không", "none": "Không", "kh": "Không",
    "phatgiao": "Phật giáo", "phat": "Phật giáo", "daophat": "Phật giáo", "buddhism": "Phật giáo",
    "conggiao": "Công giáo", "thienchua": "Công giáo", "thienchuagiao": "Công giáo", "daothienchua": "Công giáo",
    "catholic": "Công giáo", "catholicism": "Công giáo",
    "tinlanh": "Tin lành", "daotinlanh": "Tin lành", "protestant": "Tin lành", "christian": "Tin lành",
    "caodai": "Cao Đài", "daocaodai": "Cao Đài",
    "hoahao": "Phật giáo Hòa Hảo", "phatgiaohoahao": "Phật giáo Hòa Hảo",
    "hoigiao": "Hồi giáo", "islam": "Hồi giáo", "daohoi": "Hồi giáo",
    "balamon": "Bà-la-môn", "baha'i": "Baha'i", "bahai": "Baha'i",
    "tuanhieunghia": "Tứ Ân Hiếu Nghĩa", "buusonkyhuong": "Bửu Sơn Kỳ Hương",
    "tinhdocusiphathoivietnam": "Tịnh độ Cư sĩ Phật hội Việt Nam",
}


def parse_religion(value: object) -> str | None:
    """Canonical religion name; `Không` (none) is a value, not a blank."""
    return _labelled_lookup(value, r"^(?:tôn giáo|ton giao)[\s:]+", _RELIGIONS)


# ------------------------------------------------------------------------------------ relation to the head

RELATIONS = (
    "Chủ hộ", "Vợ", "Chồng", "Con", "Con dâu", "Con rể", "Con nuôi", "Cháu", "Bố", "Mẹ", "Anh", "Chị", "Em",
    "Ông", "Bà", "Người ở nhờ",
)

_RELATION_KEYS: dict[str, str] = {
    "chuho": "Chủ hộ", "ch": "Chủ hộ", "head": "Chủ hộ", "lachuho": "Chủ hộ", "chuhokhau": "Chủ hộ",
    "vo": "Vợ", "wife": "Vợ", "chong": "Chồng", "husband": "Chồng",
    "con": "Con", "conde": "Con", "conruot": "Con", "contrai": "Con", "congai": "Con", "child": "Con",
    "son": "Con", "daughter": "Con",
    "condau": "Con dâu", "conre": "Con rể", "connuoi": "Con nuôi",
    "chau": "Cháu", "chaunoi": "Cháu", "chaungoai": "Cháu", "chauruot": "Cháu",
    "bo": "Bố", "cha": "Bố", "bode": "Bố", "chade": "Bố", "father": "Bố", "ba": "Bố",
    "me": "Mẹ", "mede": "Mẹ", "mother": "Mẹ", "ma": "Mẹ",
    "anh": "Anh", "anhtrai": "Anh", "anhruot": "Anh", "chi": "Chị", "chigai": "Chị", "chiruot": "Chị",
    "em": "Em", "emtrai": "Em", "emgai": "Em", "emruot": "Em",
    "ong": "Ông", "ongnoi": "Ông", "ongngoai": "Ông", "banoi": "Bà", "bangoai": "Bà",
    "nguoionho": "Người ở nhờ", "onho": "Người ở nhờ", "nguoioghep": "Người ở nhờ", "oghep": "Người ở nhờ",
    "nguoiothue": "Người ở nhờ", "othue": "Người ở nhờ",
}


def parse_relation(value: object) -> str | None:
    """Canonical relation to the household head (`Chủ hộ`, `Vợ`, `Con`, `Bố` for Bố/Cha …); other values are
    kept in Title Case. `Bà` (grandmother) is told from `Ba` (father, southern) by its diacritic."""
    if value is None:
        return None
    s = clean_text(str(value))
    if s is None:
        return None
    low = s.lower()
    if low in ("bà", "bà nội", "bà ngoại"):
        return "Bà"
    if low in ("ông",):
        return "Ông"
    k = _key(s)
    if not k:
        return None
    found = _RELATION_KEYS.get(k)
    if found is None:
        return title_vi(s)
    if k == "ba" and s.isascii():
        return None  # `ba` without diacritics: father (Ba) or grandmother (Bà) — unknown
    return found
