"""Byte encodings of text input files: detection and streaming decoding.

Detection order: byte-order mark; UTF-8 validity (the whole file, streamed); the legacy Vietnamese encodings
(TCVN3, VNI, VISCII) recognised by `linkage.normalise.encodings.detect_legacy_bytes`; charset-normalizer; CP1258.
Legacy encodings are decoded through a line-buffered incremental decoder registered with Python's codec
registry (`linkage-tcvn3`, …), so any text file can be read as a stream with `open_text`.
"""

from __future__ import annotations

import codecs
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from linkage.errors import UserError

SAMPLE_BYTES = 256 * 1024
_CHUNK = 1 << 20

# Encodings decoded by the normalise helper's tables (not by a Python codec).
LEGACY = ("tcvn3", "vni", "viscii")

# The method of a UTF-8 file with a few invalid bytes: rows holding one are rejected, the others kept.
DAMAGED_UTF8 = "utf-8 with invalid bytes"

_ALIASES: dict[str, str] = {
    "utf8": "utf-8", "utf-8": "utf-8", "utf_8": "utf-8",
    "utf-8-sig": "utf-8-sig", "utf8-sig": "utf-8-sig", "utf_8_sig": "utf-8-sig", "utf-8-bom": "utf-8-sig",
    "utf16": "utf-16", "utf-16": "utf-16", "utf_16": "utf-16", "ucs-2": "utf-16",
    "utf-16le": "utf-16-le", "utf-16-le": "utf-16-le", "utf_16_le": "utf-16-le",
    "utf-16be": "utf-16-be", "utf-16-be": "utf-16-be", "utf_16_be": "utf-16-be",
    "utf-32": "utf-32", "utf32": "utf-32",
    "cp1258": "cp1258", "windows-1258": "cp1258", "windows1258": "cp1258", "win1258": "cp1258",
    "tcvn3": "tcvn3", "tcvn": "tcvn3", "tcvn-3": "tcvn3", "tcvn5712": "tcvn3", "tcvn-5712": "tcvn3", "abc": "tcvn3",
    "vni": "vni", "vni-windows": "vni", "vniwin": "vni", "vni-win": "vni",
    "viscii": "viscii",
}


@dataclass(frozen=True)
class DetectedEncoding:
    encoding: str  # canonical name (see `canonical_encoding`)
    method: str  # "bom", "utf-8", "legacy", "charset-normalizer", "default", "forced"

    @property
    def legacy(self) -> bool:
        """A pre-Unicode Vietnamese encoding (the normaliser may flag such rows)."""
        return self.encoding in LEGACY or self.encoding == "cp1258"


def canonical_encoding(name: str) -> str:
    """The canonical name of a user-given encoding (`--encoding`), or a UserError."""
    key = name.strip().lower().replace(" ", "-")
    if key in _ALIASES:
        return _ALIASES[key]
    try:
        return codecs.lookup(key).name
    except LookupError:
        raise UserError(
            f"unknown encoding {name!r}: use utf-8, utf-16, cp1258, tcvn3, vni, viscii or a Python codec name"
        ) from None


# --- legacy decoders -------------------------------------------------------------------------------------

def _legacy_module():  # type: ignore[no-untyped-def]
    try:
        from linkage.normalise import encodings
    except ImportError:
        return None
    return encodings


def _decode_function(encoding: str) -> Callable[[bytes], str]:
    """bytes → NFC text for a pre-Unicode encoding."""
    if encoding == "cp1258":
        def dec(raw: bytes) -> str:
            return unicodedata.normalize("NFC", raw.decode("cp1258"))
        return dec
    mod = _legacy_module()
    if mod is None or not hasattr(mod, "decode_bytes"):
        raise UserError(f"the {encoding} encoding is not available in this installation")

    def dec_legacy(raw: bytes) -> str:
        return unicodedata.normalize("NFC", mod.decode_bytes(raw, encoding))
    return dec_legacy


class _LineBufferedDecoder(codecs.IncrementalDecoder):
    """Decodes whole lines at a time, so that a multi-byte legacy sequence is never cut in two."""

    def __init__(self, func: Callable[[bytes], str], errors: str = "strict") -> None:
        super().__init__(errors)
        self._func = func
        self._buf = b""

    def decode(self, input: bytes, final: bool = False) -> str:  # noqa: A002 (codec API)
        data = self._buf + bytes(input)
        if final:
            self._buf = b""
            return self._func(data) if data else ""
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            self._buf = data
            return ""
        self._buf = data[cut:]
        return self._func(data[:cut])

    def reset(self) -> None:
        self._buf = b""

    def getstate(self) -> tuple[bytes, int]:
        return self._buf, 0

    def setstate(self, state: tuple[bytes, int]) -> None:
        self._buf = state[0]


_CODEC_PREFIX = "linkage_"


def _search(name: str) -> codecs.CodecInfo | None:
    if not name.startswith(_CODEC_PREFIX):
        return None
    enc = name[len(_CODEC_PREFIX):]
    if enc not in (*LEGACY, "cp1258"):
        return None

    def incremental(errors: str = "strict") -> _LineBufferedDecoder:
        return _LineBufferedDecoder(_decode_function(enc), errors)

    def decode(data: bytes, errors: str = "strict") -> tuple[str, int]:
        return _decode_function(enc)(bytes(data)), len(data)

    def encode(text: str, errors: str = "strict") -> tuple[bytes, int]:
        raise UnicodeError(f"writing {enc} is not supported")

    return codecs.CodecInfo(encode, decode, incrementaldecoder=incremental, name=name)  # type: ignore[arg-type]


@cache
def _register() -> None:
    codecs.register(_search)


def python_codec(encoding: str) -> str:
    """The codec name to open a file of this (canonical) encoding with."""
    if encoding in LEGACY or encoding == "cp1258":
        _register()
        return _CODEC_PREFIX + encoding
    return encoding


def open_text(path: str | Path, encoding: str, errors: str = "strict") -> io.TextIOWrapper:
    """A text stream (newline='' as the csv module wants) decoding `path` from `encoding`. With
    errors="surrogateescape" an invalid byte becomes a lone surrogate (U+DC80..U+DCFF) the caller can spot."""
    _ = _decode_function(encoding) if encoding in LEGACY else None  # fail early if unavailable
    return open(path, encoding=python_codec(encoding), newline="", errors=errors)  # noqa: SIM115


# --- detection -------------------------------------------------------------------------------------------

def bom_encoding(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith(codecs.BOM_UTF32_LE) or head.startswith(codecs.BOM_UTF32_BE):
        return "utf-32"
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    return None


def _bomless_utf16(sample: bytes) -> str | None:
    """UTF-16 without a byte-order mark: mostly-ASCII text has a NUL in every other byte."""
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) // 2
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def utf8_state(path: str | Path) -> str:
    """`valid` when the whole file decodes as UTF-8 (streamed, never loaded whole); `truncated` when all of it
    does except a multi-byte character cut at the very end (a file cut short); else `invalid`."""
    dec = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                dec.decode(chunk)
    except UnicodeDecodeError:
        return "invalid"
    try:
        dec.decode(b"", final=True)
    except UnicodeDecodeError:
        return "truncated"
    return "valid"


def is_utf8(path: str | Path) -> bool:
    """Whether the whole file decodes as UTF-8 (streamed, never loaded whole)."""
    return utf8_state(path) == "valid"


# The first bytes of common binary formats a file renamed `.csv` may really be.
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"), (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"), (b"Rar!", "a RAR archive"), (b"PK\x03\x04", "a ZIP archive"),
    (b"\x7fELF", "a program"), (b"SQLite format 3", "an SQLite database"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office (.xls/.doc) file"), (b"PAR1", "a Parquet file"),
)
_CONTROL = frozenset([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
BINARY_SAMPLE = 8192
_BINARY_MIN_SAMPLE = 256  # below this the share of control bytes says little (one NUL in a tiny file)
_BINARY_CONTROL_SHARE = 0.03  # text (even VISCII, which uses six control codes for rare capitals) stays far below


def looks_binary(head: bytes) -> str | None:
    """What a file that is not text looks like ("a PNG image", "binary data"), from its first bytes; None for
    text (UTF-16/32 included)."""
    if bom_encoding(head[:4]) or _bomless_utf16(head[:4096]):
        return None
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    if len(head) >= _BINARY_MIN_SAMPLE:
        control = sum(1 for b in head if b in _CONTROL)
        if control > _BINARY_CONTROL_SHARE * len(head):
            return "binary data"
    return None


def _sample(path: str | Path) -> bytes:
    """The file's start, and for a large file also pieces of its middle and end (whole lines only)."""
    size = Path(path).stat().st_size
    with open(path, "rb") as fh:
        if size <= SAMPLE_BYTES:
            return fh.read()
        parts = [_whole_lines(fh.read(SAMPLE_BYTES // 2), start=False)]
        for offset in (size // 2, size - SAMPLE_BYTES // 4):
            fh.seek(offset)
            parts.append(_whole_lines(fh.read(SAMPLE_BYTES // 4), start=True))
    return b"".join(parts)


def _whole_lines(data: bytes, start: bool) -> bytes:
    if start:  # drop the partial first line
        nl = data.find(b"\n")
        data = data[nl + 1:] if nl >= 0 else b""
    cut = data.rfind(b"\n")
    return data[: cut + 1] if cut >= 0 else data


def _mostly_utf8(sample: bytes) -> bool:
    """UTF-8 text with a few invalid bytes (a row pasted from another encoding), not another encoding."""
    text = sample.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for c in text if ord(c) > 127) - bad
    return good >= 20 and bad <= 0.25 * good


def _detect_legacy(sample: bytes) -> str | None:
    mod = _legacy_module()
    if mod is None or not hasattr(mod, "detect_legacy_bytes"):
        return None
    found = mod.detect_legacy_bytes(sample)
    if not found:
        return None
    return _ALIASES.get(str(found).lower(), str(found).lower())


_PLAUSIBLE = {"cp1258", "utf-16", "utf-16-le", "utf-16-be", "utf-32"}


def _charset_normalizer(sample: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    best = from_bytes(sample).best()
    if best is None:
        return None
    name = best.encoding.replace("_", "-").lower()
    if name in ("windows-1258",):
        name = "cp1258"
    return _ALIASES.get(name, name)


def _decodes(sample: bytes, codec: str) -> bool:
    try:
        sample.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def detect_encoding(path: str | Path) -> DetectedEncoding:
    """The encoding of a text file (see the module docstring for the order of the checks)."""
    sample = _sample(path)
    bom = bom_encoding(sample[:4])
    if bom:
        return DetectedEncoding(bom, "bom")
    utf16 = _bomless_utf16(sample[:4096])
    if utf16:
        return DetectedEncoding(utf16, "utf-16 without BOM")
    state = utf8_state(path)
    if state == "valid":
        return DetectedEncoding("utf-8", "utf-8")
    if state == "truncated":  # cut inside a character: the broken last row is rejected, the rest is UTF-8
        return DetectedEncoding("utf-8", DAMAGED_UTF8)
    if _mostly_utf8(sample):
        return DetectedEncoding("utf-8", DAMAGED_UTF8)
    legacy = _detect_legacy(sample)
    if legacy:
        return DetectedEncoding(legacy, "legacy")
    guess = _charset_normalizer(sample)
    if guess in _PLAUSIBLE:
        return DetectedEncoding(guess, "charset-normalizer")
    # Vietnamese text in a single-byte Windows code page is CP1258 (CP1252 cannot hold it).
    if _decodes(sample, "cp1258"):
        return DetectedEncoding("cp1258", "default")
    if guess:
        return DetectedEncoding(guess, "charset-normalizer")
    raise UserError("cannot tell the file's encoding: give it with --encoding", file=str(path))
