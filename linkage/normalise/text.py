"""Text basics shared by every field: Unicode NFC, one tone-placement convention, spaces, case, ASCII fold.

Tone placement follows the traditional convention used in the workspace's display forms
(`hòa`, `thủy`, `khóa`, `hòe`): in an open syllable with two vowels the tone sits on the first one.
Rules per syllable (`place_tone`):

1. the vowel nucleus starts after the initial consonant; `u` after `q` and `i` after `g` (when another
   vowel follows) belong to the initial (`quý`, `già`);
2. a nucleus vowel carrying a circumflex, breve or horn takes the tone (the last such one: `ươ` → `ơ`);
3. else in a closed syllable (a final consonant follows) the last nucleus vowel takes it (`hoàng`);
4. else (open syllable) one vowel → it, two → the first (`hòa`, `thủy`), three → the middle (`ngoài`).

Words that do not parse as one Vietnamese syllable (vowels not contiguous, unknown final, two tone marks,
letters outside Vietnamese) are left as they are.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from unidecode import unidecode

_SPACES = re.compile(r"\s+")

# combining tone marks (NFD) and the vowel modifiers
TONE_MARKS = {"\u0300": "huyen", "\u0301": "sac", "\u0303": "nga", "\u0309": "hoi", "\u0323": "nang"}
_MODIFIERS = {"\u0302", "\u0306", "\u031b"}  # circumflex, breve, horn
_VOWELS = set("aeiouy")
_FINALS = {"", "c", "ch", "m", "n", "ng", "nh", "p", "t"}

# apostrophe look-alikes (right/left quotes, grave accent, modifier letter apostrophe, acute accent, prime)
_APOSTROPHES = str.maketrans({c: "'" for c in "\u2019\u2018`\u02bc\u00b4\u2032\u02b9\u02bb"})
# Icelandic eth / African D used for Đ by some tools
_D_LOOKALIKES = str.maketrans({"\u00d0": "\u0110", "\u0189": "\u0110", "\u00f0": "\u0111"})
# a word: letters each followed by any combining marks
_WORD = re.compile(r"(?:[^\W\d_][\u0300-\u036f]*)+")


def _split_letters(word_nfd: str) -> list[tuple[str, list[str]]] | None:
    """NFD word → [(base letter, [combining marks])]; None if it starts with a mark."""
    out: list[tuple[str, list[str]]] = []
    for ch in word_nfd:
        if unicodedata.combining(ch):
            if not out:
                return None
            out[-1][1].append(ch)
        else:
            out.append((ch, []))
    return out


# Vietnamese vowel nuclei (without tone), after the u of qu and the i of gi are set aside
NUCLEI = frozenset(
    "a ă â e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iê iu oa oă oe oi oo ôi ơi ua uâ uê ui uô uơ uy ưa ưi ưu "
    "ươ yê iêu oai oao oay oeo uây uôi uya uyê uyu ươi ươu yêu".split()
)


def _nucleus_text(letters: list[tuple[str, list[str]]], nucleus: list[int]) -> str:
    bare = "".join(
        letters[i][0].lower() + "".join(m for m in letters[i][1] if m in _MODIFIERS) for i in nucleus
    )
    return unicodedata.normalize("NFC", bare)


def _analyse(word: str) -> tuple[list[tuple[str, list[str]]], int, str, list[int], str, int] | None:
    """One toned syllable → (letters, index of the toned letter, tone mark, nucleus indexes, final,
    traditional tone index); None for anything else (no tone, two tones, not one Vietnamese syllable)."""
    nfd = unicodedata.normalize("NFD", word)
    letters = _split_letters(nfd)
    if not letters:
        return None
    tones = [(i, m) for i, (_, marks) in enumerate(letters) for m in marks if m in TONE_MARKS]
    if len(tones) != 1:
        return None
    tone_idx, tone = tones[0]
    bases = [b.lower() for b, _ in letters]
    if any(not ("a" <= b <= "z" or b == "đ") for b in bases):
        return None
    vowel_pos = [i for i, b in enumerate(bases) if b in _VOWELS]
    if not vowel_pos or bases[tone_idx] not in _VOWELS:
        return None  # no vowel, or the mark sits on a consonant (ñ): not a Vietnamese tone
    start = vowel_pos[0]
    end = start
    while end + 1 < len(bases) and bases[end + 1] in _VOWELS:
        end += 1
    if any(p > end for p in vowel_pos):
        return None  # vowels not contiguous: not one Vietnamese syllable
    final = "".join(bases[end + 1 :])
    if final not in _FINALS:
        return None
    initial = "".join(bases[:start])
    nucleus = list(range(start, end + 1))
    if len(nucleus) > 1 and (
        (initial == "q" and bases[start] == "u") or (initial == "g" and bases[start] == "i")
    ):
        nucleus = nucleus[1:]
    if len(nucleus) > 3 or _nucleus_text(letters, nucleus) not in NUCLEI:
        return None  # not a Vietnamese vowel nucleus (Khmer Néang, Ê Đê Ênuôl): left as written
    modified = [i for i in nucleus if any(m in _MODIFIERS for m in letters[i][1])]
    if modified:
        target = modified[-1]
    elif final:
        target = nucleus[-1]
    elif len(nucleus) == 3:
        target = nucleus[1]
    else:
        target = nucleus[0]
    return letters, tone_idx, tone, nucleus, final, target


@lru_cache(maxsize=65536)
def place_tone(word: str) -> str:
    """Move the tone mark of one syllable to its traditional position; other words are returned unchanged."""
    analysed = _analyse(word)
    if analysed is None:
        return word
    letters, tone_idx, tone, _, _, target = analysed
    # rebuilt even when the tone stays: a tone typed before the hat (`e` + acute + circumflex) then composes
    letters[tone_idx][1].remove(tone)
    letters[target][1].append(tone)
    rebuilt = "".join(b + "".join(marks) for b, marks in letters)
    return unicodedata.normalize("NFC", rebuilt)


def tone_well_placed(word: str) -> bool:
    """True unless `word` is a toned syllable whose tone sits on neither the traditional vowel nor, for the
    open `oa`/`oe`/`uy`, the second vowel (the new convention: hoà, thuỷ)."""
    analysed = _analyse(word)
    if analysed is None:
        return True
    letters, tone_idx, _, nucleus, final, target = analysed
    if tone_idx == target:
        return True
    pair = "".join(letters[i][0].lower() for i in nucleus)
    return not final and pair in ("oa", "oe", "uy") and tone_idx == nucleus[1]


def normalise_tones(s: str) -> str:
    """Apply `place_tone` to every word of an NFC string."""
    return _WORD.sub(lambda m: place_tone(m.group(0)), s)


@lru_cache(maxsize=65536)
def clean_text(value: str | None) -> str | None:
    """NFC, traditional tone placement, apostrophe variants → `'`, single spaces, stripped.

    Case is unchanged. None or blank → None."""
    if value is None or (isinstance(value, float) and value != value):  # None or NaN (pandas)
        return None
    s = unicodedata.normalize("NFC", str(value))
    s = s.translate(_APOSTROPHES).translate(_D_LOOKALIKES)
    s = _SPACES.sub(" ", s.replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "")).strip()
    if not s:
        return None
    return normalise_tones(s)


@lru_cache(maxsize=65536)
def fold(value: str | None) -> str | None:
    """Lower-case ASCII fold (Đ→d); punctuation → space, the apostrophe dropped; single spaces.

    None/blank → None."""
    s = clean_text(value)
    if s is None:
        return None
    s = unidecode(s.replace("\u0110", "D").replace("\u0111", "d")).lower().replace("'", "")
    s = _SPACES.sub(" ", re.sub(r"[^a-z0-9]", " ", s)).strip()
    return s or None


@lru_cache(maxsize=65536)
def _title_word(word: str) -> str:
    out: list[str] = []
    capital_next = True
    prev = ""
    for ch in word.lower():
        if ch.isalpha():
            out.append(ch.upper() if capital_next else ch)
            capital_next = False
        else:
            out.append(ch)
            # a new syllable starts after a hyphen, and after the apostrophe of a one-letter prefix (H'Hen, K'Ho)
            if ch == "-" or (ch == "'" and len(prev) == 1):
                capital_next = True
        prev = prev + ch if ch.isalpha() else ""
    return "".join(out)


def title_vi(value: str | None) -> str | None:
    """Clean and Title Case every syllable (`NGUYỄN VĂN AN` → `Nguyễn Văn An`, `h'hen niê` → `H'Hen Niê`)."""
    s = clean_text(value)
    if s is None:
        return None
    return " ".join(_title_word(w) for w in s.split(" "))


def has_diacritics(value: str | None) -> bool:
    """True if the text carries any Vietnamese diacritic (tone, hat, breve, horn or đ)."""
    if not value:
        return False
    nfd = unicodedata.normalize("NFD", value)
    return any(unicodedata.combining(c) for c in nfd) or "đ" in nfd or "Đ" in nfd


# --- Vietnamese syllable shape (used to judge decodings and to parse names) ---------------------------

_INITIALS = (
    "",
    "b",
    "c",
    "ch",
    "d",
    "đ",
    "g",
    "gh",
    "gi",
    "h",
    "k",
    "kh",
    "l",
    "m",
    "n",
    "ng",
    "ngh",
    "nh",
    "p",
    "ph",
    "qu",
    "r",
    "s",
    "t",
    "th",
    "tr",
    "v",
    "x",
)
_OPEN_RHYMES = (
    "a ai ao au ay âu ây e eo ê êu i ia iu o oa oai oao oay oe oeo oi ô ôi ơ ơi u ua uây uê ui uy uya uyu "
    "uơ ư ưa ưi ưu ươi ươu uôi iêu yêu y"
).split()
_CLOSED = {
    "a": "c ch m n ng nh p t",
    "ă": "c m n ng p t",
    "â": "c m n ng p t",
    "e": "c m n ng p t",
    "ê": "ch m n nh p t",
    "i": "ch m n nh p t",
    "o": "c m n ng p t",
    "oo": "c ng",
    "ô": "c m n ng p t",
    "ơ": "m n p t",
    "u": "c m n ng p t",
    "ư": "c m n ng t",
    "iê": "c m n ng p t",
    "yê": "m n t",
    "uô": "c m n ng t",
    "ươ": "c m n ng p t",
    "oa": "c ch m n ng nh p t",
    "oă": "c m n ng t",
    "oe": "m n t",
    "uâ": "n ng t",
    "uê": "ch nh n t",
    "uy": "ch n nh p t",
    "uyê": "n t",
    "y": "n nh t",  # after qu: quýnh, quýt
}
_RHYMES = frozenset(_OPEN_RHYMES) | frozenset(
    nucleus + final for nucleus, finals in _CLOSED.items() for final in finals.split()
)
_STOP_FINALS = ("c", "ch", "p", "t")
_QU_ONLY_RHYMES = frozenset({"yn", "ynh", "yt"})


def split_tone(word: str) -> tuple[str, str | None] | None:
    """Lower-case NFC word → (toneless NFC word, tone name or None); None if it carries two tones."""
    nfd = unicodedata.normalize("NFD", word.lower())
    tones = [c for c in nfd if c in TONE_MARKS]
    if len(tones) > 1:
        return None
    bare = "".join(c for c in nfd if c not in TONE_MARKS)
    return unicodedata.normalize("NFC", bare), (TONE_MARKS[tones[0]] if tones else None)


def is_vietnamese_syllable(word: str) -> bool:
    """True if `word` (any case) has the shape of one Vietnamese syllable: initial + rhyme + at most one tone,
    and a stop final (c, ch, p, t) only with the sắc or nặng tone."""
    split = split_tone(word)
    if split is None or not tone_well_placed(word):
        return False
    bare, tone = split
    if not bare:
        return False
    for initial in _INITIALS:
        if not bare.startswith(initial):
            continue
        rhyme = bare[len(initial) :]
        if rhyme not in _RHYMES or (rhyme in _QU_ONLY_RHYMES and initial != "qu"):
            continue
        if rhyme.endswith(_STOP_FINALS) and tone not in ("sac", "nang"):
            continue
        return True
    return False
