"""Pure functions on Vietnamese text used by the generator: tone handling, spelling variants that are
formatting (NFD, new-style tone placement, legacy encodings) and spelling changes that are real disagreements
(tone or letter changes, regional misspellings).

Everything here works on one string at a time; callers apply it to the few cells they picked."""

from __future__ import annotations

import random
import re
import unicodedata
from functools import lru_cache

# ---------------------------------------------------------------- tones and syllables
GRAVE, ACUTE, HOOK, TILDE, DOT = "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"
TONE_MARKS = (GRAVE, ACUTE, HOOK, TILDE, DOT)
_VOWELS = set("aăâeêioôơuưy")
_HAT_VOWELS = set("ăâêôơư")


def split_tone(syllable: str) -> tuple[str, str]:
    """'Hưởng' -> ('Hương', HOOK). The tone is '' for level tone."""
    d = unicodedata.normalize("NFD", syllable)
    tone = ""
    base = []
    for ch in d:
        if ch in TONE_MARKS:
            tone = ch
        else:
            base.append(ch)
    return unicodedata.normalize("NFC", "".join(base)), tone


def _vowel_cluster(low: str) -> tuple[int, int]:
    """Start and end (exclusive) of the vowel nucleus of a lower-case toneless syllable, onset qu/gi excluded."""
    start = 0
    if low.startswith("qu"):
        start = 2
    elif low.startswith("gi") and len(low) > 2 and low[2] in _VOWELS:
        start = 2
    i = start
    while i < len(low) and low[i] not in _VOWELS:
        i += 1
    j = i
    while j < len(low) and low[j] in _VOWELS:
        j += 1
    if i == j and start == 2:  # 'gì', 'quy'-like: the i/u is the vowel
        return start - 1, start
    return i, j


def tone_position(base: str, new_style: bool = False) -> int:
    """Index of the letter that carries the tone in `base` (toneless, NFC); -1 if the syllable has no vowel.

    Traditional style puts the tone of an open oa/oe/uy on the first vowel (hòa, thủy); the new style on the
    second (hoà, thuỷ)."""
    low = base.lower()
    i, j = _vowel_cluster(low)
    if i >= j:
        return -1
    cluster = low[i:j]
    hats = [k for k, ch in enumerate(cluster) if ch in _HAT_VOWELS]
    if hats:
        if "ơ" in cluster:
            return i + cluster.index("ơ")
        return i + hats[-1]
    if j < len(low):  # closed syllable
        return j - 1
    if len(cluster) == 1:
        return i
    if len(cluster) == 2:
        if new_style and cluster in ("oa", "oe", "uy"):
            return i + 1
        return i
    return i + 1


def with_tone(base: str, tone: str, new_style: bool = False) -> str:
    """Puts `tone` (one of TONE_MARKS or '') on the right vowel of a toneless syllable."""
    if not tone:
        return base
    k = tone_position(base, new_style)
    if k < 0:
        return base
    ch = unicodedata.normalize("NFC", unicodedata.normalize("NFD", base[k]) + tone)
    return base[:k] + ch + base[k + 1:]


def _map_syllables(text: str, fn) -> str:
    return " ".join(fn(w) if w else w for w in text.split(" "))


# ---------------------------------------------------------------- formatting variants (same information)
def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


_OLD_STYLE = re.compile(r"(?:[òóỏõọÒÓỎÕỌ][aeAE]|[ùúủũụÙÚỦŨỤ][yY])(?![^\W\d_])")


@lru_cache(maxsize=1 << 16)
def new_style_tones(text: str) -> str:
    """hòa -> hoà, thủy -> thuỷ, khỏe -> khoẻ (only syllables where the two conventions differ)."""
    if not _OLD_STYLE.search(unicodedata.normalize("NFC", text)):
        return text

    def one(w: str) -> str:
        base, tone = split_tone(w)
        if not tone:
            return w
        if tone_position(base) == tone_position(base, new_style=True):
            return w
        return with_tone(base, tone, new_style=True)

    return _map_syllables(text, one)


_I_Y = {"Lý": "Lí", "Kỳ": "Kì", "Kỷ": "Kỉ", "Kỹ": "Kĩ", "Mỹ": "Mĩ", "Quý": "Quí", "Sỹ": "Sĩ", "Vỹ": "Vĩ",
        "Hy": "Hi", "Thy": "Thi", "Ly": "Li", "My": "Mi", "Ý": "Í", "Kiều Mỹ": "Kiều Mĩ"}


def i_y(text: str) -> str:
    """Lý -> Lí, Mỹ -> Mĩ, Quý -> Quí (spelling reform variants; not for Vi/Vy, which are different names)."""
    words = text.split(" ")
    return " ".join(_I_Y.get(w, w) for w in words)


@lru_cache(maxsize=1 << 16)
def ascii_only(text: str) -> str:
    """What an ASCII-only system keeps: diacritics stripped, Đ -> D."""
    d = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(ch for ch in d if not unicodedata.combining(ch))


_TCVN3_LOWER = {
    "ă": "\xa8", "â": "\xa9", "ê": "\xaa", "ô": "\xab", "ơ": "\xac", "ư": "\xad", "đ": "\xae",
    "Ă": "\xa1", "Â": "\xa2", "Ê": "\xa3", "Ô": "\xa4", "Ơ": "\xa5", "Ư": "\xa6", "Đ": "\xa7",
    "à": "\xb5", "ả": "\xb6", "ã": "\xb7", "á": "\xb8", "ạ": "\xb9",
    "ằ": "\xbb", "ẳ": "\xbc", "ẵ": "\xbd", "ắ": "\xbe", "ặ": "\xc6",
    "ầ": "\xc7", "ẩ": "\xc8", "ẫ": "\xc9", "ấ": "\xca", "ậ": "\xcb",
    "è": "\xcc", "ẻ": "\xce", "ẽ": "\xcf", "é": "\xd0", "ẹ": "\xd1",
    "ề": "\xd2", "ể": "\xd3", "ễ": "\xd4", "ế": "\xd5", "ệ": "\xd6",
    "ì": "\xd7", "ỉ": "\xd8", "ĩ": "\xdc", "í": "\xdd", "ị": "\xde",
    "ò": "\xdf", "ỏ": "\xe1", "õ": "\xe2", "ó": "\xe3", "ọ": "\xe4",
    "ồ": "\xe5", "ổ": "\xe6", "ỗ": "\xe7", "ố": "\xe8", "ộ": "\xe9",
    "ờ": "\xea", "ở": "\xeb", "ỡ": "\xec", "ớ": "\xed", "ợ": "\xee",
    "ù": "\xef", "ủ": "\xf1", "ũ": "\xf2", "ú": "\xf3", "ụ": "\xf4",
    "ừ": "\xf5", "ử": "\xf6", "ữ": "\xf7", "ứ": "\xf8", "ự": "\xf9",
    "ỳ": "\xfa", "ỷ": "\xfb", "ỹ": "\xfc", "ý": "\xfd", "ỵ": "\xfe",
}
# TCVN3 has no capitals with a tone mark: the .VnTimeH font draws them from the lower-case codes
_TCVN3 = dict(_TCVN3_LOWER)
for _low, _code in _TCVN3_LOWER.items():
    _up = _low.upper()
    if _up != _low and _up not in _TCVN3:
        _TCVN3[_up] = _code
_TCVN3_TABLE = str.maketrans(_TCVN3)


def tcvn3(text: str) -> str:
    """Text typed with a TCVN3 (ABC) font, as it shows once its bytes are read as Windows-1252:
    'Nguyễn Văn Thị' -> 'NguyÔn V¨n ThÞ'."""
    return unicodedata.normalize("NFC", text).translate(_TCVN3_TABLE)


def _sloppy_cp1252() -> list[str]:
    table = []
    for b in range(256):
        try:
            table.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            table.append(chr(b))
    return table


_CP1252 = _sloppy_cp1252()


def mojibake(text: str) -> str:
    """UTF-8 bytes read as Windows-1252: 'Phân' -> 'PhÃ¢n'."""
    return "".join(_CP1252[b] for b in text.encode("utf-8"))


# ---------------------------------------------------------------- real disagreements (different spelling)
_TONE_SWAP = {HOOK: TILDE, TILDE: HOOK}
_LETTER_SWAP = {"u": "ư", "ư": "u", "o": "ôơ", "ô": "oơ", "ơ": "oô", "a": "ăâ", "ă": "aâ", "â": "aă", "e": "ê",
                "ê": "e"}
_INITIALS = (("ngh", None), ("ch", "tr"), ("tr", "ch"), ("gi", "dr"), ("gh", None), ("kh", None), ("ng", None),
             ("nh", None), ("ph", None), ("th", None), ("qu", None), ("l", "n"), ("n", "l"), ("s", "x"), ("x", "s"),
             ("d", "gr"), ("r", "dg"), ("v", "d"))
_FINALS = (("ng", "n"), ("nh", "n"), ("n", "ng"), ("c", "t"), ("t", "c"), ("ch", "t"))


def _keep_case(orig: str, new: str) -> str:
    if orig[:1].isupper():
        return new[:1].upper() + new[1:]
    return new


def _allowed_tones(base: str) -> tuple[str, ...]:
    """A syllable closed by a stop (c, ch, p, t) takes only the sắc or nặng tone."""
    if base.lower().endswith(("c", "ch", "p", "t")):
        return (ACUTE, DOT)
    return ("",) + TONE_MARKS


def change_tone(syllable: str, rng: random.Random, kind: str = "tone") -> str | None:
    """Another tone on the same letters (Thủy -> Thúy); kind 'hoi_nga' only swaps hỏi and ngã."""
    base, tone = split_tone(syllable)
    if tone_position(base) < 0:
        return None
    if kind == "hoi_nga":
        if tone not in _TONE_SWAP:
            return None
        new = _TONE_SWAP[tone]
    else:
        choices = [t for t in _allowed_tones(base) if t != tone and (t or not base.isascii())]
        if not choices:
            return None
        new = rng.choice(choices)
    out = with_tone(base, new)
    return out if out != syllable else None


def change_letter(syllable: str, rng: random.Random) -> str | None:
    """A vowel with another hat or horn (Hùng -> Hừng/Hưng, Tâm -> Tăm)."""
    base, tone = split_tone(syllable)
    low = base.lower()
    i, j = _vowel_cluster(low)
    if j - i != 1 or low[i] not in _LETTER_SWAP:  # diphthongs keep their mandatory hats (Việt, Thuận)
        return None
    k = i
    rep = rng.choice(_LETTER_SWAP[low[k]])
    if base[k].isupper():
        rep = rep.upper()
    new_base = base[:k] + rep + base[k + 1:]
    if rng.random() < 0.4:  # Hùng/Hưng: the tone often goes too
        tone = rng.choice([t for t in _allowed_tones(base) if t != tone] or [tone])
    out = with_tone(new_base, tone)
    return out if out != syllable else None


def change_initial(syllable: str, rng: random.Random, pair: str) -> str | None:
    """Regional misspelling of the onset: pair is 'l_n', 'ch_tr', 's_x' or 'd_gi_r'."""
    low = syllable.lower()
    wanted = {"l_n": ("l", "n"), "ch_tr": ("ch", "tr"), "s_x": ("s", "x"), "d_gi_r": ("d", "gi", "r")}[pair]
    for onset, _ in _INITIALS:
        if low.startswith(onset):
            if onset not in wanted:
                return None
            if onset in ("n", "l") and low.startswith(("ng", "nh")):
                return None
            others = [w for w in wanted if w != onset]
            new_onset = rng.choice(others)
            rest = syllable[len(onset):]
            if new_onset == "gi" and rest[:1].lower() in ("i", "ì", "í", "ỉ", "ĩ", "ị"):
                rest = rest[1:] or rest
            out = _keep_case(syllable, new_onset + rest)
            return out if out.lower() != low else None
    return None


def change_final(syllable: str, rng: random.Random, pair: str) -> str | None:
    """Final n/ng or t/c confusion (Toàn -> Toàng, Phát -> Phác)."""
    base, tone = split_tone(syllable)
    low = base.lower()
    finals = {"n_ng": (("ng", "n"), ("nh", "n"), ("n", "ng")), "t_c": (("ch", "t"), ("c", "t"), ("t", "c"))}[pair]
    for fin, rep in finals:
        if low.endswith(fin) and len(low) > len(fin) and low[-len(fin) - 1] in _VOWELS:
            new_base = base[: len(base) - len(fin)] + rep
            if base[-1].isupper():
                new_base = new_base.upper()
            out = with_tone(new_base, tone)
            return out if out != syllable else None
    return None


MISSPELLINGS = ("tone", "letter", "l_n", "ch_tr", "s_x", "d_gi_r", "n_ng", "t_c", "hoi_nga")


def misspell(syllable: str, kind: str, rng: random.Random) -> str | None:
    """One real spelling disagreement of `kind` (see MISSPELLINGS), or None where it does not apply."""
    if kind in ("tone", "hoi_nga"):
        return change_tone(syllable, rng, kind)
    if kind == "letter":
        return change_letter(syllable, rng)
    if kind in ("l_n", "ch_tr", "s_x", "d_gi_r"):
        return change_initial(syllable, rng, kind)
    return change_final(syllable, rng, kind)


_SPACE_RE = re.compile(" +")


def squeeze(text: str) -> str:
    return _SPACE_RE.sub(" ", text).strip()
