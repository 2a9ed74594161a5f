"""Places (home town, place of birth registration, residence): province, district and commune.

`parse_place(s, as_of=None)` finds the province (with or without diacritics, `Tỉnh`/`TP.`/`Thành phố`/`T.`,
abbreviations HN, HCM, TP HCM, TPHCM, Sài Gòn, BRVT …, and older provinces such as Hà Tây → Hà Nội or
Hà Sơn Bình → Hà Nội/Hòa Bình), the district (Quận/Huyện/Thị xã/Thành phố under a province) and the commune
(Xã/Phường/Thị trấn/Đặc khu), and rebuilds a normalised display text (`Xã Tân Lập, Huyện Đan Phượng,
Thành phố Hà Nội`). `parse_place(parts.text)` gives the same parts again.

Codes follow the province table in `linkage/data/provinces.csv` (domain.md): `province_code` is the pre-2025
3-digit code (as in ID numbers), `successor_code` the 2-digit code of the province it belongs to since
1 July 2025. The same name means different provinces before and after the reform (Bắc Ninh after 2025 =
Bắc Giang + Bắc Ninh), so every result carries a `scheme`:
- `pre2025` when the text cannot be post-reform: it has a district, or names a province abolished in 2025 or
  an older one (Hà Tây), or `as_of` (when the document was written) is before 1 July 2025;
- `post2025` when `as_of` is on or after 1 July 2025 and the text has no district;
- `unknown` otherwise.
A post-2025 name of a merged province has no single pre-2025 code: `province_code` is None and
`province_candidates` lists the old codes it covers (likewise for an old name such as Hà Bắc).
Compare places with `linkage.compat.compare`, never as strings.
"""

from __future__ import annotations

import csv
import datetime as _dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from linkage.normalise.text import clean_text, fold, title_vi

DATA = Path(__file__).resolve().parent.parent / "data"
REFORM_DATE = _dt.date(2025, 7, 1)
SCHEMES = ("pre2025", "post2025", "unknown")


@dataclass(frozen=True)
class PlaceParts:
    text: str | None = None  # normalised display text
    province_code: str | None = None  # pre-2025 3-digit code where it is one province
    province_name: str | None = None  # pre-2025 province name (of province_code), or the old name matched
    successor_code: str | None = None  # 2-digit code of the province since 1 July 2025
    successor_name: str | None = None
    district: str | None = None  # e.g. `Huyện Đan Phượng` (or `Đan Phượng` when written without a prefix)
    commune: str | None = None  # e.g. `Xã Tân Lập`
    scheme: str = "unknown"  # 'pre2025' | 'post2025' | 'unknown'
    province_candidates: tuple[str, ...] = ()  # every pre-2025 code the province may be
    flags: tuple[str, ...] = ()


MISSING = PlaceParts()


# --------------------------------------------------------------------------------------------- the tables


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    full_name: str
    successor_code: str
    successor_name: str


@dataclass(frozen=True)
class _Alias:
    codes: tuple[str, ...]  # pre-2025 codes
    name: str  # name to report as province_name
    display: str  # text to write in the normalised address
    old: bool  # an older unit name (pre-2008 provinces)


@lru_cache(maxsize=65536)
def _key(s: str | None) -> str:
    f = fold(s)
    return f.replace(" ", "") if f else ""


@cache
def provinces() -> dict[str, Province]:
    with open(DATA / "provinces.csv", encoding="utf-8", newline="") as fh:
        return {
            r["code"]: Province(r["code"], r["name"], r["full_name"], r["successor_code"], r["successor_name"])
            for r in csv.DictReader(fh)
        }


@cache
def successors() -> dict[str, tuple[str, ...]]:
    """2025 code → pre-2025 codes merged into it."""
    out: dict[str, list[str]] = {}
    for p in provinces().values():
        out.setdefault(p.successor_code, []).append(p.code)
    return {k: tuple(sorted(v)) for k, v in out.items()}


@cache
def _aliases() -> dict[str, _Alias]:
    index: dict[str, _Alias] = {}

    def add(key: str, alias: _Alias) -> None:
        if not key:
            return
        prev = index.get(key)
        if prev is not None and prev.codes != alias.codes:
            raise ValueError(f"place alias {key!r} names two provinces")
        index.setdefault(key, alias)

    with open(DATA / "provinces.csv", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            base = _Alias((r["code"],), r["name"], r["full_name"], False)
            for n in [r["name"], r["full_name"]] + [a for a in r["aliases"].split("|") if a.strip()]:
                fk = fold(n) or ""
                display = r["full_name"]
                if r["code"] == "046" and "thua thien" not in fk:
                    display = "Thành phố Huế"  # the name since 2025 (and the city inside the old province)
                add(_key(n), _Alias(base.codes, base.name, display, False))
    with open(DATA / "old_provinces.csv", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            codes = tuple(r["codes"].split())
            name = r["name"]
            alias = _Alias(codes, name, "Tỉnh " + name, True)
            for n in [name] + [a for a in r["aliases"].split("|") if a.strip()]:
                add(_key(n), alias)
    return index


# ------------------------------------------------------------------------------------------- the prefixes

# folded token sequence → (level, display). Levels: province, city (province- or district-level),
# district, commune, lower (hamlet/street: kept in the text only).
_PREFIXES: dict[tuple[str, ...], tuple[str, str]] = {
    ("thanh", "pho"): ("city", "Thành phố"), ("tp",): ("city", "Thành phố"),
    ("tinh",): ("province", "Tỉnh"),
    ("quan",): ("district", "Quận"), ("huyen",): ("district", "Huyện"),
    ("thi", "xa"): ("district", "Thị xã"), ("tx",): ("district", "Thị xã"),
    ("xa",): ("commune", "Xã"), ("phuong",): ("commune", "Phường"),
    ("thi", "tran"): ("commune", "Thị trấn"), ("tt",): ("commune", "Thị trấn"),
    ("dac", "khu"): ("commune", "Đặc khu"),
}
# single letters count only when written with a dot (`Q.1`, `P. Bến Nghé`) or glued to a number (`Q1`)
_LETTER_PREFIXES: dict[str, tuple[str, str]] = {
    "t": ("province", "Tỉnh"), "q": ("district", "Quận"), "h": ("district", "Huyện"),
    "x": ("commune", "Xã"), "p": ("commune", "Phường"),
}
_LOWER = {
    ("thon",), ("xom",), ("ap",), ("ban",), ("to",), ("khu", "pho"), ("kp",), ("khom",), ("so", "nha"),
    ("duong",), ("ngo",), ("ngach",), ("hem",), ("khu",), ("lang",), ("buon",), ("plei",), ("to", "dan", "pho"),
    ("tdp",), ("so",), ("doi",), ("xu",), ("khu", "vuc"), ("kv",),
}
_COUNTRY = {"vietnam", "vn", "nuocchxhcnvietnam", "chxhcnvietnam"}
_CENTRAL_CITIES = {"001", "031", "048", "079", "092"}

_RE_DOTTED = re.compile(r"\b(TP|Tp|tp|TX|Tx|tx|TT|Tt|tt|[TtQqHhXxPp])\.\s*")
_RE_LETTER_NUM = re.compile(r"^([qp])(\d{1,2})$")
_RE_SPLIT = re.compile(r"[,;|\n]+")
_RE_DASH = re.compile(r"\s+[-–—]\s+")


@dataclass
class _Seg:
    raw: str  # cleaned original text of the segment
    tokens: list[str]  # original tokens (prefix excluded)
    level: str | None = None  # level of the prefix
    prefix: str | None = None  # display of the prefix
    lower: bool = False  # a hamlet/street segment
    dotted: bool = False

    @property
    def name(self) -> str:
        return " ".join(self.tokens)

    @property
    def key(self) -> str:
        return _key(self.name)


_title = lru_cache(maxsize=65536)(title_vi)


@lru_cache(maxsize=65536)
def _tokens(s: str) -> tuple[tuple[str, str, bool], ...]:
    """(original, folded, written_with_dot) per token; punctuation-only tokens dropped."""
    s = _RE_DOTTED.sub(lambda m: m.group(1) + ". ", s)
    out: list[tuple[str, str, bool]] = []
    for tok in s.split(" "):
        dotted = tok.endswith(".")
        f = fold(tok)
        if f is None:
            continue
        out.append((tok.rstrip("."), f.replace(" ", ""), dotted))
    return tuple(out)


_ACCENTED = {
    "thanh": "thành", "pho": "phố", "tinh": "tỉnh", "quan": "quận", "huyen": "huyện", "thi": "thị", "xa": "xã",
    "phuong": "phường", "tran": "trấn", "dac": "đặc", "khu": "khu",
}


def _spelled(tok: tuple[str, str, bool]) -> bool:
    """A prefix word written with diacritics must carry the prefix's own (`Phượng` is no `Phường`)."""
    orig = tok[0]
    return orig.isascii() or orig.lower() == _ACCENTED.get(tok[1], orig.lower())


def _prefix_at(toks: Sequence[tuple[str, str, bool]], i: int) -> tuple[int, str, str] | None:
    """(length, level, display) of an administrative prefix starting at token i (a name must follow)."""
    f2 = tuple(t[1] for t in toks[i:i + 2])
    if len(f2) == 2 and f2 in _PREFIXES and i + 2 < len(toks) and all(_spelled(t) for t in toks[i:i + 2]):
        return (2, *_PREFIXES[f2])
    if i + 1 >= len(toks):
        return None
    f1 = toks[i][1]
    if (f1,) in _PREFIXES and _spelled(toks[i]):
        return (1, *_PREFIXES[(f1,)])
    if f1 in _LETTER_PREFIXES and toks[i][2]:
        return (1, *_LETTER_PREFIXES[f1])
    return None


def _lower_at(toks: Sequence[tuple[str, str, bool]], i: int) -> int:
    for n in (3, 2, 1):
        if tuple(t[1] for t in toks[i:i + n]) in _LOWER and i + n <= len(toks):
            return n
    return 0


def _segments(text: str) -> list[_Seg]:
    pieces: list[str] = []
    for part in _RE_SPLIT.split(text):
        part = part.strip(" .-–—")
        if not part:
            continue
        if _RE_DASH.search(part) and not _is_alias(part):
            merged: list[str] = []
            for p in (p.strip(" .") for p in _RE_DASH.split(part)):
                if not p:
                    continue
                if merged and _is_alias(merged[-1] + " - " + p):  # `…, Bà Rịa - Vũng Tàu`
                    merged[-1] = merged[-1] + " - " + p
                else:
                    merged.append(p)
            pieces.extend(merged)
        else:
            pieces.append(part)
    while pieces and _key(pieces[-1]) in _COUNTRY:
        pieces.pop()
    if pieces and not _is_alias(pieces[-1]):
        pieces[-1:] = _split_suffix_province(pieces[-1])
    segs: list[_Seg] = []
    for piece in pieces:
        toks = _drop_agency(list(_tokens(piece)))
        if not toks:
            continue
        # split before every administrative prefix inside the piece (`Xã A Huyện B`)
        starts = [0]
        first = _prefix_at(toks, 0)
        i = first[0] + 1 if first else 1  # `Thị xã X`: the `xã` belongs to the first prefix
        while i < len(toks):
            p = _prefix_at(toks, i)
            if p is not None or _RE_LETTER_NUM.match(toks[i][1]):
                if i > starts[-1]:
                    starts.append(i)
                i += p[0] if p else 1
            else:
                i += 1
        starts.append(len(toks))
        for a, b in zip(starts, starts[1:], strict=False):
            segs.append(_make_seg(toks[a:b]))
    return [s for s in segs if s.tokens or s.prefix]


def _drop_agency(toks: list[tuple[str, str, bool]]) -> list[tuple[str, str, bool]]:
    """`UBND xã Tân Lập` / `Ủy ban nhân dân phường …` (a registration office) → the unit itself."""
    folded = [t[1] for t in toks]
    if folded[:1] == ["ubnd"] and len(toks) > 1:
        return toks[1:]
    if folded[1:4] == ["ban", "nhan", "dan"] and folded[0] in ("uy", "u") and len(toks) > 4:
        return toks[4:]
    return toks


def _is_alias(part: str) -> bool:
    aliases = _aliases()
    return _key(part) in aliases or _key(_strip_prefix(part)) in aliases


def _ends_with_prefix(toks: list[tuple[str, str, bool]]) -> bool:
    """The tokens end with a prefix written as one (capitalised, with diacritics or a dot): `Huyện`, `H.`."""
    pad = toks + [("x", "x", False)]
    for n in (1, 2):
        i = len(toks) - n
        if i < 0:
            continue
        p = _prefix_at(pad, i)
        if p is not None and p[0] == n:
            tok = toks[i][0]
            if tok[:1].isupper() or not tok.isascii() or toks[i][2]:
                return True
    return False


def _split_suffix_province(piece: str) -> list[str]:
    """Split a province name off the end of the last piece (`Huyện Đan Phượng Hà Nội`, `Q3 TPHCM`)."""
    toks = list(_tokens(piece))
    aliases = _aliases()
    for k in (4, 3, 2, 1):
        if len(toks) <= k:
            continue
        if _key(" ".join(t[0] for t in toks[-k:])) not in aliases:
            continue
        rest = toks[:-k]
        if _ends_with_prefix(rest):
            continue  # `Huyện Hòa Bình`: the name belongs to the prefix before it
        return [" ".join(t[0] + ("." if t[2] else "") for t in rest), " ".join(t[0] for t in toks[-k:])]
    return [piece]


def _strip_prefix(part: str) -> str:
    toks = _tokens(part)
    p = _prefix_at(toks, 0) if toks else None
    return " ".join(t[0] for t in toks[p[0]:]) if p else part


def _make_seg(toks: Sequence[tuple[str, str, bool]]) -> _Seg:
    raw = " ".join(t[0] + ("." if t[2] and t[1] in _LETTER_PREFIXES else "") for t in toks)
    m = _RE_LETTER_NUM.match(toks[0][1])
    if m and len(toks) == 1:
        level, display = _LETTER_PREFIXES[m.group(1)]
        return _Seg(raw, [m.group(2)], level, display)
    p = _prefix_at(toks, 0)
    if p is not None:
        n, level, display = p
        return _Seg(raw, [t[0] for t in toks[n:]], level, display, dotted=toks[0][2])
    lower = _lower_at(toks, 0) > 0
    return _Seg(raw, [t[0] for t in toks], lower=lower)


# -------------------------------------------------------------------------------------------------- parse


def parse_place(value: object, as_of: _dt.date | None = None) -> PlaceParts:
    """Parse one address or place name; `as_of` is the date the document was written, when known."""
    if value is None:
        return MISSING
    s = clean_text(str(value))
    if s is None:
        return MISSING
    segs = _segments(s)
    if not segs:
        return MISSING
    aliases = _aliases()
    found: tuple[int, _Alias] | None = None
    for i in range(len(segs) - 1, -1, -1):
        seg = segs[i]
        whole = _key(seg.raw)
        if whole in aliases:
            found = (i, aliases[whole])
        elif seg.level in (None, "province", "city") and not seg.lower and seg.key in aliases:
            found = (i, aliases[seg.key])
        if found is not None:
            break
    flags: list[str] = []
    district = commune = None
    pidx = len(segs) if found is None else found[0]
    before = segs[:pidx]
    d_i = next((j for j in range(len(before) - 1, -1, -1) if before[j].level in ("district", "city")), None)
    c_i = next((j for j in range(len(before) - 1, -1, -1) if before[j].level == "commune"), None)
    bare = [j for j, sg in enumerate(before) if sg.level is None and not sg.lower]
    if found is not None:
        if d_i is None and c_i is None and len(bare) >= 2 and bare[-1] == pidx - 1 and bare[-2] == pidx - 2:
            d_i, c_i = bare[-1], bare[-2]
        elif d_i is not None and c_i is None and d_i - 1 in bare:
            c_i = d_i - 1
        elif c_i is not None and d_i is None and c_i + 1 in bare and c_i + 1 == pidx - 1:
            d_i = c_i + 1
        elif d_i is None and c_i is None and bare:
            flags.append("level_unknown")
    if d_i is not None:
        district = _unit_display(before[d_i])
    if c_i is not None:
        commune = _unit_display(before[c_i])
    text = ", ".join(_seg_display(sg, j == pidx, found[1] if found and j == pidx else None)
                     for j, sg in enumerate(segs))
    if found is None:
        flags.append("province_not_found")
        return PlaceParts(text=text, district=district, commune=commune, scheme=_scheme(None, district, as_of),
                          flags=tuple(flags))
    alias = found[1]
    return _with_province(text, alias, district, commune, as_of, flags)


def _unit_display(seg: _Seg) -> str:
    name = _title(seg.name) or ""
    if name.isdigit():
        name = str(int(name))
    return f"{seg.prefix} {name}".strip() if seg.prefix else name


def _seg_display(seg: _Seg, is_province: bool, alias: _Alias | None) -> str:
    if is_province and alias is not None:
        return alias.display
    if seg.prefix:
        return _unit_display(seg)
    return _title(seg.raw) or seg.raw


def _scheme(alias: _Alias | None, district: str | None, as_of: _dt.date | None) -> str:
    if district is not None:
        return "pre2025"
    if alias is not None:
        if alias.old:
            return "pre2025"
        if not _alive(alias):
            return "pre2025"  # a province abolished in 2025
    if as_of is not None:
        return "post2025" if as_of >= REFORM_DATE else "pre2025"
    return "unknown"


def _alive(alias: _Alias) -> bool:
    """The name is still a province's name after 1 July 2025 (it then names the merged province)."""
    if alias.old:
        return False
    p = provinces()[alias.codes[0]]
    return p.successor_name == p.name or alias.display == "Thành phố Huế"


def _with_province(
    text: str,
    alias: _Alias,
    district: str | None,
    commune: str | None,
    as_of: _dt.date | None,
    flags: list[str],
) -> PlaceParts:
    table = provinces()
    scheme = _scheme(alias, district, as_of)
    if alias.old:
        flags.append("old_province_name")
        codes = alias.codes
        succ = {table[c].successor_code for c in codes}
        sc = succ.pop() if len(succ) == 1 else None
        if len(codes) == 1:
            p = table[codes[0]]
            return PlaceParts(text, p.code, p.name, p.successor_code, p.successor_name, district, commune,
                              scheme, codes, tuple(flags))
        return PlaceParts(text, None, alias.name, sc, _successor_name(sc), district, commune, scheme, codes,
                          tuple(flags))
    p = table[alias.codes[0]]
    if scheme == "post2025":
        codes = successors()[p.successor_code]
        if len(codes) > 1:
            flags.append("merged_province")
            return PlaceParts(text, None, None, p.successor_code, p.successor_name, district, commune, scheme,
                              codes, tuple(flags))
    if scheme == "unknown":
        codes = successors()[p.successor_code] if _alive(alias) else (p.code,)
        return PlaceParts(text, p.code, p.name, p.successor_code, p.successor_name, district, commune, scheme,
                          codes, tuple(flags))
    return PlaceParts(text, p.code, p.name, p.successor_code, p.successor_name, district, commune, scheme,
                      (p.code,), tuple(flags))


def _successor_name(code: str | None) -> str | None:
    if code is None:
        return None
    return next(p.successor_name for p in provinces().values() if p.successor_code == code)


def unit_key(unit: str | None) -> str | None:
    """Comparison key of a district or commune: folded name without its prefix, numbers without leading zeros
    (`Phường 02` → `2`, `Huyện Đan Phượng` and `Đan Phượng` → `danphuong`)."""
    if not unit:
        return None
    toks = _tokens(clean_text(unit) or "")
    if not toks:
        return None
    m = _RE_LETTER_NUM.match(toks[0][1])
    if m and len(toks) == 1:
        return str(int(m.group(2)))
    p = _prefix_at(toks, 0)
    name = [t[1] for t in toks[p[0]:]] if p else [t[1] for t in toks]
    key = "".join(name)
    return str(int(key)) if key.isdigit() else key or None
