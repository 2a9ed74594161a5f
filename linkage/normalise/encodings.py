"""Legacy Vietnamese encodings: byte codecs, mojibake repair and detection.

Codecs (`decode_bytes` / `encode_text`):

- `tcvn3` — TCVN 5712:1993 as used by the ABC / .VnTime fonts (VN3). Bytes 0xA1–0xFE hold the lower-case
  letters and Ă Â Ê Ô Ơ Ư Đ; VN3 has no upper-case toned letters (the .VnTimeH fonts draw the lower-case codes
  as capitals), so the encoder writes those as their lower-case codes. Bytes VN3 does not use (where the fuller
  VN1 puts more capitals) are read as cp1252; C0 control bytes are left alone.
- `vni` — VNI-Windows: a base letter followed by separate mark bytes (`Nguye` + `ã` = Nguyễn; `ô` = ơ, `ö` = ư,
  `ñ` = đ; the toned i and ỵ are single bytes).
- `viscii` — VISCII 1.1 (RFC 1456): 134 precomposed letters in 0x80–0xFF and six C0 positions.
- `cp1258` — Windows-1258 (Python's codec: base letters with combining tone marks), composed to NFC.
- `viqr` — the 7-bit mnemonic convention (`Nguye^~n`), as text.

Legacy text usually reaches a Unicode system as its bytes decoded with cp1252 or latin-1
(`NguyÔn V¨n An` is TCVN3, `Nguyeãn Vaên An` is VNI, `PhÃ¢n` is UTF-8). `repair_text` undoes that only when the
result is clearly better: it never touches text whose words are already valid Vietnamese syllables, and it
accepts a decoding only when every word it changes becomes a valid Vietnamese syllable.
"""

from __future__ import annotations

import codecs
import re
import string
import unicodedata
from functools import lru_cache

from linkage.normalise.text import NUCLEI, is_vietnamese_syllable, split_tone, tone_well_placed

ENCODINGS = ("tcvn3", "vni", "viscii", "cp1258")

# --- cp1252 (with latin-1 fallback) as seen by a Unicode system ------------------------------------------

_CP1252_CHAR_TO_BYTE: dict[str, int] = {}
for _b in range(256):
    try:
        _CP1252_CHAR_TO_BYTE[bytes([_b]).decode("cp1252")] = _b
    except UnicodeDecodeError:
        pass
for _b in range(0x80, 0xA0):  # C1 controls: the same bytes read as latin-1 (or cp1252's five holes)
    _CP1252_CHAR_TO_BYTE.setdefault(chr(_b), _b)


def _as_cp1252_bytes(s: str) -> bytes | None:
    """The bytes a cp1252/latin-1 reader turned into `s`; None if `s` has a character neither can produce."""
    out = bytearray()
    for ch in s:
        b = _CP1252_CHAR_TO_BYTE.get(ch)
        if b is None:
            return None
        out.append(b)
    return bytes(out)


_CP1252_HOLES = (0x81, 0x8D, 0x8F, 0x90, 0x9D)


# 256-character decoding tables for codecs.charmap_decode (fast, in C)
_CP1252_TABLE = "".join(chr(b) if b in _CP1252_HOLES else bytes([b]).decode("cp1252") for b in range(256))


def _bytes_as_cp1252(raw: bytes) -> str:
    """How a cp1252 reader shows `raw` (its five undefined bytes as the latin-1 control characters)."""
    return codecs.charmap_decode(raw, "strict", _CP1252_TABLE)[0]


# --- TCVN3 ----------------------------------------------------------------------------------------------

# 0xA0–0xFF of TCVN 5712 (VN1). VN3 — what the ABC fonts and "TCVN3" files use — keeps only 0xA1–0xAE
# (Ă Â Ê Ô Ơ Ư Đ ă â ê ô ơ ư đ) and the lower-case toned letters; VN1's capitals in the other slots and its
# combining tones (0xB0–0xB4) are not read: those bytes, like 0x80–0x9F, are taken as cp1252 (punctuation typed
# in Word such as ’ … –, stray latin-1 letters), so that an apostrophe or an `à` never turns into a letter.
_TCVN3_VN1_HIGH = (
    "\u00a0ĂÂÊÔƠƯĐăâêôơưđẰ"
    "\u0300\u0309\u0303\u0301\u0323àảãáạẲằẳẵắẴ"
    "ẮẦẨẪẤỀặầẩẫấậèỂẻẽ"
    "éẹềểễếệìỉỄẾỒĩíịò"
    "ỔỏõóọồổỗốộờởỡớợùỖ"
    "ủũúụừửữứựỳỷỹýỵỐ"
)
assert len(_TCVN3_VN1_HIGH) == 96
_TCVN3_DECODE = {
    0xA0 + i: ch
    for i, ch in enumerate(_TCVN3_VN1_HIGH)
    if 0xA1 <= 0xA0 + i <= 0xAE or (0xA0 + i >= 0xB5 and ch.islower())
}
_TCVN3_ENCODE = {ch: b for b, ch in _TCVN3_DECODE.items()}


_TCVN3_TABLE = "".join(_TCVN3_DECODE.get(b, _CP1252_TABLE[b]) for b in range(256))


_WORD_RUN = re.compile(r"\S+")


def _upper_if_capitals(m: re.Match[str]) -> str:
    word = m.group(0)
    ascii_letters = [c for c in word if c.isascii() and c.isalpha()]
    return word.upper() if len(ascii_letters) >= 2 and all(c.isupper() for c in ascii_letters) else word


def _tcvn3_decode(raw: bytes) -> str:
    """VN3 has no toned capitals (upper-case text was typed with the lower-case codes in a .VnTimeH font): a word
    whose plain letters are all capitals (at least two of them: `NGUYÔN`, `V¨N`) is put in upper case."""
    return _WORD_RUN.sub(_upper_if_capitals, codecs.charmap_decode(raw, "strict", _TCVN3_TABLE)[0])


def _tcvn3_encode(s: str) -> bytes:
    out = bytearray()
    for ch in unicodedata.normalize("NFC", s):
        if ord(ch) < 0x80:
            out.append(ord(ch))
        elif ch in _TCVN3_ENCODE:
            out.append(_TCVN3_ENCODE[ch])
        elif ch.lower() in _TCVN3_ENCODE:  # VN3 writes toned capitals with the lower-case code
            out.append(_TCVN3_ENCODE[ch.lower()])
        else:
            raise UnicodeEncodeError("tcvn3", s, 0, len(s), f"cannot encode {ch!r}")
    return bytes(out)


# --- VNI-Windows ----------------------------------------------------------------------------------------

_TONES = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")  # none, sắc, huyền, hỏi, ngã, nặng
_VNI_TONE_MARKS = ("", "ù", "ø", "û", "õ", "ï")
_VNI_HAT_MARKS = ("â", "á", "à", "å", "ã", "ä")  # circumflex + tone
_VNI_BREVE_MARKS = ("ê", "é", "è", "ú", "ü", "ë")  # breve + tone


def _build_vni() -> dict[str, str]:
    """Unicode letter → VNI text (as the cp1252 characters of its bytes), lower and upper case."""
    table: dict[str, str] = {}

    def add(base_uni: str, base_vni: str, marks: tuple[str, ...], modifier: str = "") -> None:
        for tone, mark in zip(_TONES, marks, strict=True):
            letter = unicodedata.normalize("NFC", base_uni + modifier + tone)
            table[letter] = base_vni + mark

    for v in "aeouy":
        add(v, v, _VNI_TONE_MARKS)
    add("a", "a", _VNI_HAT_MARKS, "\u0302")
    add("a", "a", _VNI_BREVE_MARKS, "\u0306")
    add("e", "e", _VNI_HAT_MARKS, "\u0302")
    add("o", "o", _VNI_HAT_MARKS, "\u0302")
    add("o", "ô", _VNI_TONE_MARKS, "\u031b")  # ơ
    add("u", "ö", _VNI_TONE_MARKS, "\u031b")  # ư
    for tone, single in zip(_TONES, ("i", "í", "ì", "æ", "ó", "ò"), strict=True):
        table[unicodedata.normalize("NFC", "i" + tone)] = single
    table["ỵ"] = "î"
    table["đ"] = "ñ"
    for letter, code in list(table.items()):
        table[letter.upper()] = code.upper()
    return table


_VNI_ENCODE = _build_vni()
# every letter of the Vietnamese alphabet, upper and lower case
_VIET_LETTERS = frozenset(_VNI_ENCODE) | frozenset(string.ascii_letters)
_VNI_DECODE = {code: letter for letter, code in _VNI_ENCODE.items() if len(code) > 1 or not code.isascii()}
# marks are also accepted in the other case than their base letter (text typed with the wrong font)
for _code, _letter in list(_VNI_DECODE.items()):
    if len(_code) == 2:
        for _alt in (_code[0] + _code[1].lower(), _code[0] + _code[1].upper()):
            _VNI_DECODE.setdefault(_alt, _letter)


# one pass: the base + mark pairs first, then the one-byte letters (ô = ơ, ö = ư, ñ = đ, æ = ỉ …)
_VNI_TOKEN = re.compile("|".join(re.escape(k) for k in sorted(_VNI_DECODE, key=len, reverse=True)))


def _vni_decode_text(s: str) -> str:
    """VNI text (as cp1252 characters) → Unicode."""
    return _VNI_TOKEN.sub(lambda m: _VNI_DECODE[m.group(0)], s)


def _vni_encode(s: str) -> bytes:
    text = "".join(_VNI_ENCODE.get(ch, ch) for ch in unicodedata.normalize("NFC", s))
    raw = _as_cp1252_bytes(text)
    if raw is None:
        raise UnicodeEncodeError("vni", s, 0, len(s), "character outside VNI")
    return raw


# --- VISCII ---------------------------------------------------------------------------------------------

_VISCII_HIGH = (
    "ẠẮẰẶẤẦẨẬẼẸẾỀỂỄỆỐ"
    "ỒỔỖỘỢỚỜỞỊỎỌỈỦŨỤỲ"
    "Õắằặấầẩậẽẹếềểễệố"
    "ồổỗỠƠộờởịỰỨỪỬơớƯ"
    "ÀÁÂÃẢĂẳẵÈÉÊẺÌÍĨỳ"
    "ĐứÒÓÔạỷừửÙÚỹỵÝỡư"
    "àáâãảăữẫèéêẻìíĩỉ"
    "đựòóôõỏọụùúũủýợỮ"
)
assert len(_VISCII_HIGH) == 128
_VISCII_DECODE = {0x80 + i: ch for i, ch in enumerate(_VISCII_HIGH)}
_VISCII_DECODE.update({0x02: "Ẳ", 0x05: "Ẵ", 0x06: "Ẫ", 0x14: "Ỷ", 0x19: "Ỹ", 0x1E: "Ỵ"})
_VISCII_ENCODE = {ch: b for b, ch in _VISCII_DECODE.items()}


_VISCII_TABLE = "".join(_VISCII_DECODE.get(b, chr(b)) for b in range(256))


def _viscii_decode(raw: bytes) -> str:
    return codecs.charmap_decode(raw, "strict", _VISCII_TABLE)[0]


def _viscii_encode(s: str) -> bytes:
    out = bytearray()
    for ch in unicodedata.normalize("NFC", s):
        if ch in _VISCII_ENCODE:
            out.append(_VISCII_ENCODE[ch])
        elif ord(ch) < 0x80:
            out.append(ord(ch))
        else:
            raise UnicodeEncodeError("viscii", s, 0, len(s), f"cannot encode {ch!r}")
    return bytes(out)


# --- VIQR -----------------------------------------------------------------------------------------------

_VIQR_HATS = {"(": "\u0306", "^": "\u0302", "+": "\u031b"}
_VIQR_HAT_BASES = {"(": "aA", "^": "aAeEoO", "+": "oOuU"}
_VIQR_TONES = {"'": "\u0301", "`": "\u0300", "?": "\u0309", "~": "\u0303", ".": "\u0323"}
_VIQR_WORD = re.compile(r"(?i)(dd)?[a-z(^+'`?~.\\]+")
_VOWEL_CHARS = "aeiouyAEIOUY"


def decode_viqr(s: str) -> str:
    """VIQR mnemonics → Unicode NFC (`Nguye^~n Va(n DDu+o+ng` → `Nguyễn Văn Đương`); `\\` escapes a mark."""
    out: list[str] = []
    i = 0
    n = len(s)
    at_word_start = True
    while i < n:
        ch = s[i]
        if at_word_start and s[i : i + 2].lower() == "dd":
            out.append("Đ" if ch == "D" else "đ")
            i += 2
            at_word_start = False
            continue
        if ch == "\\" and i + 1 < n and not s[i + 1].isalnum():
            out.append(s[i + 1])
            i += 2
            continue
        if ch in _VOWEL_CHARS:
            letter = ch
            i += 1
            if i < n and s[i] in _VIQR_HATS and ch in _VIQR_HAT_BASES[s[i]]:
                letter += _VIQR_HATS[s[i]]
                i += 1
            if i < n and s[i] in _VIQR_TONES:
                letter += _VIQR_TONES[s[i]]
                i += 1
            out.append(letter)
            at_word_start = False
            continue
        out.append(ch)
        i += 1
        at_word_start = not ch.isalnum()
    return unicodedata.normalize("NFC", "".join(out))


# a string is read as VIQR only with a clear pattern: a hat/breve/horn/tilde after a vowel, a tone mark inside
# a word, or a word starting with DD/dd + vowel
_VIQR_STRONG = re.compile(r"[aeiouyAEIOUY][(^+~]|[aeiouyAEIOUY][(^+]?['`.?][a-zA-Z]|\b[Dd][Dd][aeiouyAEIOUY]")
_VIQR_MARK = re.compile(r"[aeiouyAEIOUY][(^+~]")


# --- public codec API -----------------------------------------------------------------------------------


def decode_bytes(raw: bytes, encoding: str) -> str:
    """Decode legacy bytes (`tcvn3`, `vni`, `viscii`, `cp1258`; also `utf-8`) to NFC Unicode text."""
    enc = encoding.lower().replace("-", "").replace("_", "")
    if enc in ("tcvn3", "tcvn", "tcvn5712", "abc"):
        text = _tcvn3_decode(raw)
    elif enc in ("vni", "vniwindows"):
        text = _vni_decode_text(_bytes_as_cp1252(raw))
    elif enc == "viscii":
        text = _viscii_decode(raw)
    elif enc in ("cp1258", "windows1258"):
        text = raw.decode("cp1258", errors="replace")
    elif enc in ("utf8", "utf8sig"):
        text = raw.decode("utf-8-sig")
    else:
        raise ValueError(f"unknown Vietnamese legacy encoding: {encoding}")
    return unicodedata.normalize("NFC", text)


def _cp1258_encode(s: str) -> bytes:
    """Windows-1258 as Windows writes it: letters with their hat/breve/horn precomposed, tone marks combining."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", s):
        nfd = unicodedata.normalize("NFD", ch)
        tone = "".join(c for c in nfd if c in _TONES[1:])
        out.append(unicodedata.normalize("NFC", "".join(c for c in nfd if c not in _TONES[1:])) + tone)
    return "".join(out).encode("cp1258")


def encode_text(s: str, encoding: str) -> bytes:
    """Encode Unicode text into a legacy encoding (for tests and round trips)."""
    enc = encoding.lower().replace("-", "").replace("_", "")
    if enc in ("tcvn3", "tcvn", "abc"):
        return _tcvn3_encode(s)
    if enc in ("vni", "vniwindows"):
        return _vni_encode(s)
    if enc == "viscii":
        return _viscii_encode(s)
    if enc in ("cp1258", "windows1258"):
        return _cp1258_encode(s)
    raise ValueError(f"unknown Vietnamese legacy encoding: {encoding}")


def encode_viqr(s: str) -> str:
    """Unicode → VIQR (`Nguyễn` → `Nguye^~n`)."""
    marks = {v: k for k, v in _VIQR_HATS.items()} | {v: k for k, v in _VIQR_TONES.items()}
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", s):
        if ch in "đĐ":
            out.append("dd" if ch == "đ" else "DD")
            continue
        nfd = unicodedata.normalize("NFD", ch)
        # hat before tone, whatever the canonical order
        combining = sorted(nfd[1:], key=lambda c: 0 if c in _VIQR_HATS.values() else 1)
        out.append(nfd[0] + "".join(marks.get(c, c) for c in combining))
    return "".join(out)


def mojibake(s: str, encoding: str) -> str:
    """What a cp1252 reader shows for `s` stored in `encoding` (`utf-8`, `tcvn3`, `vni`, `viscii`):
    the inverse of `repair_text`, for tests and synthetic data."""
    raw = s.encode("utf-8") if encoding.lower().replace("-", "") == "utf8" else encode_text(s, encoding)
    return _bytes_as_cp1252(raw)


# --- repair ---------------------------------------------------------------------------------------------

_TOKEN_SPLIT = re.compile(r"[\s,;:/()\[\]\"!&|<>=_*#%@0-9.\-]+")
_VIQR_TOKEN_SPLIT = re.compile(r"[\s,;:/\"]+")


def _is_valid_token(token: str) -> bool:
    """Every apostrophe-separated part (H'Hen, K'Ho) is an ASCII word (neutral: names without diacritics,
    foreign words) or a Vietnamese syllable in consistent case."""
    for part in token.split("'"):
        if not part or (part.isascii() and part.isalpha()):
            continue
        if not (_case_ok(part) and is_vietnamese_syllable(part)):
            return False
    return True


@lru_cache(maxsize=65536)
def _valid_word(token: str) -> bool:
    return _is_valid_token(token)


# VNI mark bytes after a vowel, in pairs no Vietnamese word has (`eâ`, `aê`, `oâ`, `eá`, `aù` …); `oà`, `oá`,
# `oã` are left out: they are genuine new-style spellings (hoà, khoá)
_VNI_PAIR = re.compile(r"(?i)a[âáàåãäêéèúüëùøûõï]|e[âáàåãäùøûõï]|o[âåäùøûõï]|[uyôö][ùøûõï]")


def _mojibake_evidence(token: str) -> bool:
    """Strong signs of mojibake in a word: a symbol inside it (« ª ¨ § µ …), an impossible VNI pair, or an
    accented capital inside a lower-case word (`NguyÔn`). A foreign letter alone (ü, ñ) is not enough."""
    for i, c in enumerate(token):
        if c.isascii():
            continue
        if not unicodedata.category(c).startswith("L") or c in "ªº":
            return True
        prev = token[i - 1] if i > 0 else ""
        if c.isupper() and prev.isalpha() and (prev.islower() or token[i + 1 : i + 2].islower()):
            return True
    return bool(_VNI_PAIR.search(token))


def _plausible(token: str) -> bool:
    """Made only of Vietnamese letters with at most one tone: a minority-language word such as Ênuôl or Kdăm."""
    letters = token.replace("'", "")
    if not letters or any(c not in _VIET_LETTERS for c in letters):
        return False
    return sum(1 for c in unicodedata.normalize("NFD", letters) if c in _TONES[1:]) <= 1


def _accept(original: str, candidate: str, split: re.Pattern[str], viqr: bool = False) -> bool:
    """Whether `candidate` (a decoding of `original`) is a safe repair.

    Strict: every word it changes becomes a valid Vietnamese syllable, and some changed original word was not
    one. Relaxed (for minority-language words and mojibake that happens to spell Vietnamese words): every
    changed word becomes a plausible word (Vietnamese letters, one tone at most) and at least half of the changed
    original words carry evidence of mojibake (alien character, impossible VNI pair, capital inside a word);
    for VIQR, each changed word is a valid syllable or carries a hat/breve/horn/tilde."""
    a = split.split(original)
    b = split.split(candidate)
    if len(a) != len(b):
        return False
    changed = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    if not changed:
        return False
    if viqr:
        return all(_valid_word(y) or (_VIQR_MARK.search(x) and _plausible(y)) for x, y in changed)
    if all(_valid_word(y) for _, y in changed) and any(not _valid_word(x) for x, _ in changed):
        return True
    if not all(_valid_word(y) or _plausible(y) for _, y in changed):
        return False
    evidence = sum(1 for x, _ in changed if _mojibake_evidence(x))
    return evidence > 0 and 2 * evidence >= len(changed)


_VOWEL_RUN = re.compile(r"[aăâeêioôơuưy]+")


def _shape_ok(token: str) -> bool:
    """Every vowel run of the word is a Vietnamese nucleus (after qu/gi) and its tone is well placed."""
    split = split_tone(token.replace("'", ""))
    if split is None or not tone_well_placed(token.replace("'", "")):
        return False
    bare = split[0]
    for m in _VOWEL_RUN.finditer(bare):
        run = m.group(0)
        before = bare[m.start() - 1 : m.start()]
        if run in NUCLEI or (run[1:] in NUCLEI and (before, run[0]) in (("q", "u"), ("g", "i"))):
            continue
        return False
    return True


def _force(original: str, candidate: str, split: re.Pattern[str]) -> bool:
    a = split.split(original)
    b = split.split(candidate)
    return len(a) == len(b) and all(
        _valid_word(y) or _plausible(y) for x, y in zip(a, b, strict=True) if x != y
    )


_NBSP_ENDED = frozenset("àƠẠỠ")  # Vietnamese letters whose UTF-8 form ends in 0xA0


def _utf8_restoring_nbsp(raw: bytes) -> str | None:
    """Decodes UTF-8 whose 0xA0 continuation bytes were lost: read as CP1252 they became NBSP, which trimming
    and space normalisation removed (`Hà` → `HÃ\xa0` → `HÃ`). A byte is put back only where a sequence lacks
    exactly its last byte, a space or the end follows, the letter it completes is Vietnamese, and the text holds
    other, intact UTF-8 sequences (so `LÊ`, `NGÃ` written in Unicode are never touched)."""
    restored = 0
    for _ in range(32):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            start, lead = e.start, raw[e.start]
            need = 2 if 0xC2 <= lead < 0xE0 else 3 if 0xE0 <= lead < 0xF0 else 4 if 0xF0 <= lead < 0xF5 else 0
            j = start + 1
            while j < len(raw) and j - start < need and 0x80 <= raw[j] < 0xC0:
                j += 1
            if need == 0 or j - start != need - 1 or (j < len(raw) and raw[j] != 0x20):
                return None
            try:
                letter = (raw[start:j] + b"\xa0").decode("utf-8")
            except UnicodeDecodeError:
                return None
            if letter not in _NBSP_ENDED:
                return None
            raw = raw[:j] + b"\xa0" + raw[j:]
            restored += 1
            continue
        if restored and sum(1 for c in text if ord(c) > 0x7F) <= restored:
            return None
        return text
    return None


def _try_utf8(s: str) -> str | None:
    raw = _as_cp1252_bytes(s)
    if raw is None or raw.isascii():
        return None
    fixed = _utf8_restoring_nbsp(raw)
    if fixed is None:
        return None
    if fixed == s or any(0x80 <= ord(c) < 0xA0 for c in fixed):
        return None
    return unicodedata.normalize("NFC", fixed)


def _decode_as(s: str, kind: str) -> str | None:
    if kind == "viqr":
        return decode_viqr(s) if s.isascii() else None
    if kind == "utf8_as_cp1252":
        return _try_utf8(s)
    raw = _as_cp1252_bytes(s)
    return None if raw is None else decode_bytes(raw, kind)


REPAIR_KINDS = ("utf8_as_cp1252", "tcvn3", "vni", "viqr")


def repair_text(s: str, assume: str | None = None) -> tuple[str, str | None]:
    """Repair mojibake: returns (text, kind) with kind one of `utf8_as_cp1252`, `tcvn3`, `vni`, `viqr`,
    or (s unchanged, None) when nothing needs or can safely be repaired.

    `assume` (one of those kinds) is for a caller that already knows the column is in that encoding (most of its
    values repair as that kind): the value is then decoded whenever the result is plausible, which also repairs
    mojibake that happens to spell valid Vietnamese (VNI `Hoà` for Hồ)."""
    if not s:
        return s, None
    if assume is not None:
        if assume not in REPAIR_KINDS:
            raise ValueError(f"unknown repair kind: {assume}")
        forced = _decode_as(s, assume)
        split = _VIQR_TOKEN_SPLIT if assume == "viqr" else _TOKEN_SPLIT
        if forced is not None and forced != s and _force(s, forced, split):
            return forced, assume
        return s, None
    if s.isascii():
        if _VIQR_STRONG.search(s):
            fixed = decode_viqr(s)
            if fixed != s and _accept(s, fixed, _VIQR_TOKEN_SPLIT, viqr=True):
                return fixed, "viqr"
        return s, None
    fixed = _try_utf8(s)
    if fixed is not None:
        again = _try_utf8(fixed)  # written twice through a cp1252 reader
        return (again or fixed), "utf8_as_cp1252"
    raw = _as_cp1252_bytes(s)
    if raw is None:
        return s, None
    # ranking: more valid syllables, then more well-shaped words, then VNI first if the text has VNI pairs
    order = ("vni", "tcvn3") if _VNI_PAIR.search(s) else ("tcvn3", "vni")
    candidates: list[tuple[int, int, int, str, str]] = []
    for rank, kind in enumerate(order):
        cand = decode_bytes(raw, kind)
        if cand != s and _accept(s, cand, _TOKEN_SPLIT):
            words = [t for t in _TOKEN_SPLIT.split(cand) if t]
            valid = sum(_valid_word(t) for t in words)
            shaped = sum(_shape_ok(t) for t in words)
            candidates.append((-valid, -shaped, rank, cand, kind))
    if not candidates:
        return s, None
    *_, text, kind = min(candidates)
    return text, kind


# --- detection on file bytes ----------------------------------------------------------------------------

_BYTE_TOKEN = re.compile(rb"[^\x00-\x01\x03\x04\x07-\x13\x15-\x18\x1a-\x1d\x1f-\x40\x5b-\x60\x7b-\x7f]+")


def _case_ok(word: str) -> bool:
    """lower, UPPER or Title case: `PhÕm` (a misread letter) is none of them."""
    return (
        word == word.lower() or word == word.upper() or (word[:1].isupper() and word[1:] == word[1:].lower())
    )


@lru_cache(maxsize=65536)
def _token_ok(token: bytes, encoding: str) -> bool:
    word = decode_bytes(token, encoding)
    # VN3 has no toned capitals: upper-case TCVN3 text decodes to mixed case, so its case is not judged
    return (encoding == "tcvn3" or _case_ok(word)) and is_vietnamese_syllable(word)


def _score(tokens: list[bytes], encoding: str) -> float:
    return sum(_token_ok(tok, encoding) for tok in tokens) / len(tokens)


def detect_legacy_bytes(raw: bytes) -> str | None:
    """Guess the legacy encoding (`tcvn3`, `vni`, `viscii`, `cp1258`) of a file sample that is not UTF-8,
    from the share of its non-ASCII words that decode to valid Vietnamese syllables. None when the sample
    is UTF-8 (a multi-byte character cut at the end is allowed), has no non-ASCII word, no decoding reaches 60 %,
    or two encodings that read the sample differently score the same."""
    try:
        raw.decode("utf-8")
        return None
    except UnicodeDecodeError as err:
        if err.start >= len(raw) - 3 and "unexpected end" in str(err.reason):
            return None
    tokens = [t for t in _BYTE_TOKEN.findall(raw) if not t.isascii()][:5000]
    if not tokens:
        return None
    scores = {enc: _score(tokens, enc) for enc in ENCODINGS}
    top = max(scores.values())
    if top < 0.6:
        return None
    best = [enc for enc in ENCODINGS if scores[enc] == top]
    readings = {tuple(decode_bytes(t, enc) for t in tokens) for enc in best}
    return best[0] if len(readings) == 1 else None  # a tie between different readings: undecided
