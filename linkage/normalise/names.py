"""Vietnamese personal names: parsing into parts, phonetic key, comparison verdicts and difference hints.

Parsing (`parse_name`): mojibake is repaired, the text cleaned (NFC, traditional tone placement, one space),
title-cased per syllable, then split:

- Kinh and most groups: surname first, given name last, everything between is the middle name
  (`Nguyễn Thị Minh Khai` → Nguyễn | Thị Minh | Khai). Compound surnames from `data/names/surnames.txt`
  (Tôn Nữ, Tôn Thất, Công Tôn Nữ, Nguyễn Phúc/Phước, Âu Dương, Jrai Rơ Mah …) are taken whole when at least one
  more word follows. Mông names split the same way (`Giàng A Páo` → Giàng | A | Páo).
- Ê Đê and M'nông names that start with `Y` (men) or `H'` (women; also written `H’`, ``H` ``, `H ` or `H` glued
  to the name) put the family name LAST: the last word (or a known two-word family name such as Niê Kdăm) is the
  `surname`, everything before it — prefix included — is the `given_name`, and there is no middle name
  (`Y Moan Ênuôl` → surname Ênuôl, given Y Moan; `H'Hen Niê` → surname Niê, given H'Hen). A bare `Y X` has no
  family name (surname NULL, given `Y X`). `H Hen`, ``H`Hen`` and `HHen` are written `H'Hen`.
- One word: given name only.

`middle_core_fold` drops the generic middle names Văn and Thị and the Mông markers A (men) and Mí (women):
they mark sex rather than identify, and are often added or dropped between documents.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from linkage.normalise.encodings import repair_text
from linkage.normalise.text import clean_text, fold, has_diacritics, split_tone, title_vi

_DATA = Path(__file__).resolve().parent.parent / "data" / "names" / "surnames.txt"


def _load_lists() -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = ""
    for line in _DATA.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            sections[current] = []
        else:
            sections[current].append(unicodedata.normalize("NFC", line))
    return sections


_LISTS = _load_lists()
# compound surnames as tuples of folded words, longest first
_COMPOUND = sorted({tuple(fold(s).split()) for s in _LISTS["compound"]}, key=len, reverse=True)
_FAMILY_LAST_COMPOUND = sorted(
    {tuple(fold(s).split()) for s in _LISTS["family_last_compound"]}, key=len, reverse=True
)
_GENERIC_MIDDLE = frozenset(s.lower() for s in _LISTS["generic_middle"])
_GENERIC_MIDDLE_FOLD = frozenset(fold(s) for s in _GENERIC_MIDDLE)
# regional spellings of one surname (northern / southern)
_SURNAME_KEY = {"huynh": "hoang", "vo": "vu"}


@dataclass(frozen=True)
class NameParts:
    full_name: str
    surname: str | None
    middle_name: str | None
    given_name: str | None
    name_fold: str | None
    surname_fold: str | None
    middle_fold: str | None
    given_fold: str | None
    surname_key: str | None
    middle_core_fold: str | None
    given_phonetic: str | None
    name_ascii_only: bool


_H_GLUED = re.compile(r"^H(?=[bcdfghjklmnpqrstvwxzđ])", re.IGNORECASE)


def _tokens(cleaned: str) -> list[str]:
    toks = (title_vi(cleaned) or "").split(" ")
    if len(toks) >= 2 and toks[0] in ("H", "H'"):  # `H Hen Niê`, `H' Hen Niê`
        toks = ["H'" + toks[1]] + toks[2:]
    elif toks and _H_GLUED.match(toks[0]) and not toks[0].startswith("H'"):  # `HHen`, `Hhen`
        toks[0] = "H'" + toks[0][1:].capitalize()
    return [t for t in toks if t]


def _is_family_last(toks: list[str]) -> bool:
    return toks[0] == "Y" or toks[0].startswith("H'")


def _match_prefix(folds: list[str], candidates: list[tuple[str, ...]]) -> int:
    for c in candidates:
        if len(folds) > len(c) and tuple(folds[: len(c)]) == c:
            return len(c)
    return 1


def _match_suffix(folds: list[str], candidates: list[tuple[str, ...]], keep: int) -> int:
    for c in candidates:
        if len(folds) - len(c) >= keep and tuple(folds[-len(c) :]) == c:
            return len(c)
    return 1


def split_name(display: str) -> tuple[str | None, str | None, str | None]:
    """Split a cleaned, title-cased name into (surname, middle, given); see the module docstring."""
    toks = display.split(" ")
    folds = [fold(t) or "" for t in toks]
    if len(toks) == 1:
        return None, None, toks[0]
    if _is_family_last(toks):
        keep = 2 if toks[0] == "Y" else 1  # the given name keeps its prefix (+ one word after a bare Y)
        if len(toks) <= keep:
            return None, None, display
        n = _match_suffix(folds, _FAMILY_LAST_COMPOUND, keep)
        return " ".join(toks[-n:]), None, " ".join(toks[:-n])
    n = _match_prefix(folds, _COMPOUND)
    surname = " ".join(toks[:n])
    rest = toks[n:]
    if len(rest) == 1:
        return surname, None, rest[0]
    return surname, " ".join(rest[:-1]), rest[-1]


@lru_cache(maxsize=65536)
def _is_generic(token: str, ascii_only: bool) -> bool:
    if ascii_only:
        return (fold(token) or "") in _GENERIC_MIDDLE_FOLD
    return (clean_text(token) or "").lower() in _GENERIC_MIDDLE


def _surname_key(surname_fold: str | None) -> str | None:
    if surname_fold is None:
        return None
    return " ".join(_SURNAME_KEY.get(w, w) for w in surname_fold.split())


@lru_cache(maxsize=65536)
def parse_name(value: str | None) -> NameParts | None:
    """Parse a full name (any encoding mess, case, spacing) into its parts; None/blank → None."""
    if value is None:
        return None
    repaired, _ = repair_text(str(value))
    return parse_repaired_name(repaired)


def _join_folds(tokens: list[str]) -> str | None:
    """`fold(" ".join(tokens))` from the folds of the words, which `fold` caches (names are made of a few thousand
    syllables, and fold works word by word)."""
    return " ".join(f for f in map(fold, tokens) if f) or None


def parse_repaired_name(repaired: str) -> NameParts | None:
    """`parse_name` of a value whose mojibake is already repaired (`repair_text`)."""
    cleaned = clean_text(repaired)
    if cleaned is None:
        return None
    toks = _tokens(cleaned)
    if not toks:
        return None
    display = " ".join(toks)
    surname, middle, given = split_name(display)
    ascii_only = not has_diacritics(display)
    middle_core = None
    middle_toks = middle.split(" ") if middle else []
    if middle:
        core = [t for t in middle_toks if not _is_generic(t, ascii_only)]
        middle_core = _join_folds(core) if core else None
    surname_fold = _join_folds(surname.split(" ")) if surname else None
    given_fold = _join_folds(given.split(" ")) if given else None
    return NameParts(
        full_name=display,
        surname=surname,
        middle_name=middle,
        given_name=given,
        name_fold=_join_folds(toks),
        surname_fold=surname_fold,
        middle_fold=_join_folds(middle_toks) if middle else None,
        given_fold=given_fold,
        surname_key=_surname_key(surname_fold),
        middle_core_fold=middle_core,
        given_phonetic=phonetic_key(given) if given else None,
        name_ascii_only=ascii_only,
    )


# --- phonetic key -----------------------------------------------------------------------------------------

_INITIAL_KEYS = (
    ("ngh", "ng"),
    ("ng", "ng"),
    ("nh", "nh"),
    ("ch", "c"),
    ("tr", "c"),
    ("th", "th"),
    ("ph", "f"),
    ("kh", "kh"),
    ("gh", "g"),
    ("qu", "kw"),
    ("l", "n"),
    ("n", "n"),
    ("s", "s"),
    ("x", "s"),
    ("d", "d"),
    ("r", "d"),
    ("v", "d"),
    ("c", "k"),
    ("k", "k"),
    ("q", "k"),
    ("g", "g"),
    ("f", "f"),
)
_VOWELS = set("aeiouy")


def _syllable_key(syl: str) -> str:
    if not syl:
        return ""
    if syl.startswith("gi") and len(syl) > 2 and syl[2] in _VOWELS:
        initial, rhyme = "d", syl[2:]
    elif syl.startswith("gi"):
        initial, rhyme = "d", syl[1:]
    else:
        initial, rhyme = "", syl
        for spelling, key in _INITIAL_KEYS:
            if syl.startswith(spelling):
                initial, rhyme = key, syl[len(spelling) :]
                break
        else:
            if syl[0] not in _VOWELS:
                initial, rhyme = syl[0], syl[1:]
    if rhyme.startswith("y"):
        rhyme = "i" + rhyme[1:]
    # southern mergers: -n/-ng everywhere; -nh/-ch only after i/ê (Tín/Tính, Bích/Bít), not in -anh (An ≠ Anh)
    if rhyme.endswith("ng"):
        rhyme = rhyme[:-2] + "n"
    elif rhyme.endswith("nh") and rhyme[-3:-2] in ("i", "e", "y"):
        rhyme = rhyme[:-2] + "n"
    elif rhyme.endswith("ch") and rhyme[-3:-2] in ("i", "e", "y"):
        rhyme = rhyme[:-2] + "t"
    elif rhyme.endswith("c") and len(rhyme) > 1 and not rhyme.endswith("ch"):
        rhyme = rhyme[:-1] + "t"
    return initial + rhyme


def phonetic_key(s: str | None) -> str | None:
    """Per-syllable key tolerant of regional confusions: all tones and hats (ASCII fold), l/n, ch/tr, s/x,
    d/gi/r/v, final n/ng (and -inh/-in, -ênh/-ên), final t/c (and -ich/-it, -êch/-êt), i/y at the start of a
    rhyme (Lý/Lí, Quý/Quí). `An` and `Anh` stay apart. Equal folds always give equal keys."""
    f = fold(s)
    if f is None:
        return None
    return " ".join(_syllable_key(w) for w in f.split(" "))


# --- comparison ---------------------------------------------------------------------------------------------

_IY_INITIALS = (
    "l",
    "k",
    "m",
    "qu",
    "s",
    "h",
    "t",
)  # Lý/Lí, Kỳ/Kì, Mỹ/Mĩ, Quý/Quí, Sỹ/Sĩ, Hy/Hi, Ty/Ti; not Vi/Vy


def _canon_token(token: str, ascii_mode: bool) -> str:
    t = (fold(token) or "") if ascii_mode else unicodedata.normalize("NFC", token.lower())
    split = split_tone(t)
    if split is None:
        return t
    bare, tone = split
    for ini in _IY_INITIALS:
        if bare in (ini + "y", ini + "i"):
            return ini + "i" + ("" if tone is None else "|" + tone)
    return t


def _compatible_middle(a: list[str], b: list[str], generic: list[bool]) -> bool:
    """`a` (the shorter) is `b` with some words dropped, and each dropped word is generic."""
    i = 0
    for j, word in enumerate(b):
        if i < len(a) and a[i] == word:
            i += 1
        elif not generic[j]:
            return False
    return i == len(a)


def compare_names(a: str | None, b: str | None) -> str:
    """`same` (identical after parsing: formatting — NFC/NFD, tone placement, case, spaces, apostrophes —
    does not count), `compatible` (diacritics stripped on one side, i/y in Lý/Kỳ/Mỹ/Quý/Sỹ, a missing middle name,
    a dropped or added generic Văn/Thị/A/Mí), `different` (anything else) or `unknown` (either missing)."""
    pa, pb = parse_name(a), parse_name(b)
    if pa is None or pb is None:
        return "unknown"
    if pa.full_name == pb.full_name:
        return "same"
    ascii_mode = pa.name_ascii_only or pb.name_ascii_only

    def canon(part: str | None) -> list[str]:
        return [_canon_token(t, ascii_mode) for t in part.split(" ")] if part else []

    if canon(pa.surname) != canon(pb.surname) or canon(pa.given_name) != canon(pb.given_name):
        return "different"
    ma, mb = canon(pa.middle_name), canon(pb.middle_name)
    if ma == mb or not ma or not mb:
        return "compatible"
    short, long_, long_raw = (ma, mb, pb.middle_name) if len(ma) < len(mb) else (mb, ma, pa.middle_name)
    if len(short) == len(long_):
        return "different"
    generic = [_is_generic(t, ascii_mode) for t in (long_raw or "").split(" ")]
    return "compatible" if _compatible_middle(short, long_, generic) else "different"


# --- difference hint ----------------------------------------------------------------------------------------

_HINT_INITIALS = ("ngh", "ng", "nh", "ch", "tr", "th", "ph", "kh", "gh", "gi", "qu")
_DGIR = {"d", "gi", "r", "v"}


def _initial_rhyme(bare: str) -> tuple[str, str]:
    if bare.startswith("gi") and len(bare) > 2 and bare[2] in "aăâeêoôơuưy":
        return "gi", bare[2:]
    for ini in _HINT_INITIALS:
        if bare.startswith(ini):
            return ini, bare[len(ini) :]
    if bare and bare[0] not in "aăâeêiioôơuưy":
        return bare[0], bare[1:]
    return "", bare


def _final(rhyme: str) -> tuple[str, str]:
    for fin in ("ng", "nh", "ch", "c", "m", "n", "p", "t"):
        if rhyme.endswith(fin):
            return rhyme[: -len(fin)], fin
    return rhyme, ""


def _edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _classify(x: str, y: str) -> str:
    sx, sy = split_tone(x.lower()), split_tone(y.lower())
    if sx is None or sy is None:
        return "different_name"
    (bx, tx), (by, ty) = sx, sy
    if bx == by:
        return "hoi_nga" if {tx, ty} == {"hoi", "nga"} else "tone"
    ix, rx = _initial_rhyme(bx)
    iy, ry = _initial_rhyme(by)
    if rx == ry:
        pair = {ix, iy}
        if pair == {"l", "n"}:
            return "l_n"
        if pair == {"ch", "tr"}:
            return "ch_tr"
        if pair == {"s", "x"}:
            return "s_x"
        if pair <= _DGIR:
            return "d_gi_r"
    elif ix == iy:
        nx, fx = _final(rx)
        ny, fy = _final(ry)
        if nx == ny:
            if {fx, fy} <= {"n", "ng", "nh"}:
                return "final_n_ng"
            if {fx, fy} <= {"t", "c", "ch"}:
                return "final_t_c"
    return "letter" if _edit_distance(bx, by) <= 2 else "different_name"


def name_difference_hint(a: str | None, b: str | None) -> str | None:
    """Why two names that `compare_names` calls `different` differ: `regional_surname` (Vũ/Võ, Hoàng/Huỳnh),
    `tone`, `hoi_nga`, `l_n`, `ch_tr`, `s_x`, `d_gi_r`, `final_n_ng`, `final_t_c`, `letter` (another small
    spelling difference) or `different_name`. None when the names are not `different`.
    With several differing words, the first one's code is given (`different_name` wins over all)."""
    if compare_names(a, b) != "different":
        return None
    pa, pb = parse_name(a), parse_name(b)
    assert pa is not None and pb is not None
    ta, tb = pa.full_name.split(" "), pb.full_name.split(" ")
    if len(ta) != len(tb):
        return "different_name"
    ascii_mode = pa.name_ascii_only or pb.name_ascii_only
    n_surname = len((pa.surname or "").split(" ")) if pa.surname else 0
    hints: list[str] = []
    for i, (x, y) in enumerate(zip(ta, tb, strict=True)):
        if _canon_token(x, ascii_mode) == _canon_token(y, ascii_mode):
            continue
        if ascii_mode:
            x, y = fold(x) or "", fold(y) or ""
        if i < n_surname and _SURNAME_KEY.get(fold(x) or "", fold(x)) == _SURNAME_KEY.get(
            fold(y) or "", fold(y)
        ):
            hints.append("regional_surname")
        else:
            hints.append(_classify(x, y))
    if not hints:
        return "different_name"  # same words, split differently
    return "different_name" if "different_name" in hints else hints[0]
