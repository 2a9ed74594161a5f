"""Formatting noise: the same information written another way, which normalisation must absorb.

Applied to the rendered text of a few cells (chosen with numpy), one kind per cell, and recorded with the clean
and the noisy text. Cells that carry a planted disagreement only get kinds that keep their information."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from linkage.synth import names as nm
from linkage.synth import vietnamese as vn
from linkage.synth.places import HA_TAY_DISTRICTS, PROVINCES, geography
from linkage.synth.sources import SOURCES, Records

# chance that a record gets some formatting noise = noise_rate × this (the legacy household system is worst)
SOURCE_FACTOR = {"civil_status": 0.5, "household": 1.4, "citizen_id": 1.0}
# chance that a whole record came through an ASCII-only system = noise_rate × this
ASCII_RECORD = {"civil_status": 0.012, "household": 0.08, "citizen_id": 0.04}

FIELD_WEIGHTS: dict[str, tuple[tuple[str, float], ...]] = {
    "civil_status": (("full_name", .40), ("birth_date", .14), ("father_name", .13), ("mother_name", .13),
                     ("hometown", .06), ("birth_place", .04), ("ethnicity", .03), ("sex", .02),
                     ("personal_id", .03), ("registration_date", .02)),
    "household": (("full_name", .34), ("birth_date", .24), ("hometown", .08), ("residence", .05),
                  ("ethnicity", .06), ("sex", .07), ("cmnd", .09), ("head_name", .04), ("religion", .03)),
    "citizen_id": (("full_name", .36), ("birth_date", .20), ("hometown", .12), ("residence", .07),
                   ("ethnicity", .07), ("sex", .06), ("id_number", .05), ("issue_place", .03),
                   ("issue_date", .04)),
}
_NAME = (("case", .15), ("spaces", .12), ("nfd", .10), ("tone_placement", .12), ("ascii_only", .10),
         ("dropped_van_thi", .13), ("added_van_thi", .03), ("missing_middle", .04),
         ("mojibake_utf8_cp1252", .04), ("tcvn3", .05), ("i_y", .05), ("apostrophe", .07))
_PLACE = (("place_spelling", .55), ("place_old_name", .15), ("ascii_only", .10), ("case", .08),
          ("tone_placement", .12))
KINDS: dict[str, tuple[tuple[str, float], ...]] = {
    "full_name": _NAME, "father_name": _NAME, "mother_name": _NAME, "head_name": _NAME,
    "birth_date": (("date_format", .40), ("excel_serial_date", .10), ("date_year_only", .2),
                   ("date_placeholder_0101", .2), ("date_placeholder_0000", .1)),
    "registration_date": (("date_format", .7), ("excel_serial_date", .3)),
    "issue_date": (("date_format", .7), ("excel_serial_date", .3)),
    "sex": (("sex_spelling", 1.0),),
    "ethnicity": (("ethnicity_spelling", .7), ("ascii_only", .15), ("case", .15)),
    "religion": (("case", .4), ("ascii_only", .3), ("tone_placement", .3)),
    "hometown": _PLACE, "residence": _PLACE, "birth_place": _PLACE,
    "issue_place": (("place_spelling", .8), ("ascii_only", .2)),
    "personal_id": (("id_leading_zero_lost", .9), ("id_scientific", .1)),
    "cmnd": (("id_leading_zero_lost", .85), ("id_scientific", .15)),
    "id_number": (("id_leading_zero_lost", 1.0),),
}
FALLBACK = {"birth_date": ("date_format", "date_placeholder_0101"), "sex": ("sex_spelling",),
            "issue_place": ("place_spelling", "case"), "personal_id": ("id_leading_zero_lost",),
            "cmnd": ("id_leading_zero_lost",), "id_number": ("id_leading_zero_lost",)}
DEFAULT_FALLBACK = ("case", "spaces", "nfd")
LOSSY = {"ascii_only", "dropped_van_thi", "added_van_thi", "missing_middle", "date_year_only",
         "date_placeholder_0101", "date_placeholder_0000", "id_scientific"}
RECORD_ASCII_FIELDS = {
    "civil_status": ("full_name", "ethnicity", "birth_place", "hometown", "father_name", "mother_name",
                     "registration_place", "nationality", "sex"),
    "household": ("head_name", "relation_to_head", "full_name", "sex", "ethnicity", "religion", "hometown",
                  "residence"),
    "citizen_id": ("full_name", "sex", "ethnicity", "hometown", "residence", "issue_place"),
}


@dataclass
class NoiseRow:
    source: str
    rec: int
    field: str
    kind: str
    clean: str
    noisy: str


# ---------------------------------------------------------------- one function per kind
Fn = Callable[[str, Records, int, str, random.Random], "str | None"]


def _case(v, r, i, f, rnd):
    return v.upper() if rnd.random() < 0.75 else v.lower()


def _spaces(v, r, i, f, rnd):
    toks = v.split(" ")
    c = rnd.random()
    if c < 0.45 and len(toks) > 1:
        k = rnd.randrange(1, len(toks))
        return " ".join(toks[:k]) + "  " + " ".join(toks[k:])
    if c < 0.8:
        return rnd.choice((" " + v, v + " ", " " + v + " "))
    if len(toks) > 1:
        k = rnd.randrange(1, len(toks))
        return " ".join(toks[:k]) + "\u00a0" + " ".join(toks[k:])
    return v + " "


def _nonascii(v: str) -> bool:
    return not v.isascii()


def _nfd(v, r, i, f, rnd):
    return vn.nfd(v) if _nonascii(v) else None


def _tone(v, r, i, f, rnd):
    return vn.new_style_tones(v)


def _ascii(v, r, i, f, rnd):
    return vn.ascii_only(v)


def _mojibake(v, r, i, f, rnd):
    return vn.mojibake(v) if _nonascii(v) else None


def _tcvn3(v, r, i, f, rnd):
    return vn.tcvn3(v) if _nonascii(v) else None


def _i_y(v, r, i, f, rnd):
    return vn.i_y(v)


def _apostrophe(v, r, i, f, rnd):
    if "'" not in v:
        return None
    return v.replace("'", rnd.choice(("’", "`", "", " ", "‘")))


def _dropped_van_thi(v, r, i, f, rnd):
    toks = v.split(" ")
    spots = [k for k in range(1, len(toks) - 1) if toks[k] in ("Văn", "Thị")]
    if not spots or len(toks) < 3:
        return None
    k = rnd.choice(spots)
    return " ".join(toks[:k] + toks[k + 1:])


def _name_parts(r: Records, i: int, f: str) -> bool:
    return f == "full_name" and not r.a["famlast"][i] and r.a["surname"][i] is not None


def _added_van_thi(v, r, i, f, rnd):
    if not _name_parts(r, i, f) or r.a["scheme"][i] != nm.KINH:
        return None
    mid = r.a["middle"][i] or ""
    if "Văn" in mid.split(" ") or "Thị" in mid.split(" "):
        return None
    word = "Văn" if r.a["sex"][i] == 0 else "Thị"
    return " ".join(x for x in (r.a["surname"][i], word, mid, r.a["given"][i]) if x)


def _missing_middle(v, r, i, f, rnd):
    if not _name_parts(r, i, f) or not r.a["middle"][i]:
        return None
    return f"{r.a['surname'][i]} {r.a['given'][i]}"


def _birth_ymd(r: Records, i: int, f: str) -> tuple[int, int, int, bool]:
    key = {"birth_date": "dob", "issue_date": "issue", "registration_date": "reg_date"}[f]
    d = r.a[key][i]
    y, m, dd = (int(x) for x in str(np.datetime64(d, "D")).split("-"))
    yo = bool(r.a["year_only"][i]) if f == "birth_date" else False
    return y, m, dd, yo


def _date_format(v, r, i, f, rnd):
    y, m, d, yo = _birth_ymd(r, i, f)
    if yo:
        return None
    options = [f"{d}/{m}/{y}", f"{d}/{m}/{y % 100:02d}", f"{y}-{m:02d}-{d:02d}", f"{d:02d}-{m:02d}-{y}",
               f"{d:02d}.{m:02d}.{y}", f"{d:02d}/{m:02d}/{y % 100:02d}", f"{d:02d}/{m:02d}/{y}"]
    options = [o for o in options if o != v]
    return rnd.choice(options)


def _excel(v, r, i, f, rnd):
    y, m, d, yo = _birth_ymd(r, i, f)
    if yo:
        return None
    return str((np.datetime64(f"{y:04d}-{m:02d}-{d:02d}") - np.datetime64("1899-12-30")).astype(int))


def _year_only(v, r, i, f, rnd):
    y, m, d, yo = _birth_ymd(r, i, f)
    return None if yo or y >= 1975 else str(y)


def _placeholder_0101(v, r, i, f, rnd):
    y, m, d, yo = _birth_ymd(r, i, f)
    if not yo and y >= 1975:
        return None
    return {"iso": f"{y}-01-01", "d/m/y": f"1/1/{y}"}.get(r.date_style, f"01/01/{y}")


def _placeholder_0000(v, r, i, f, rnd):
    y, m, d, yo = _birth_ymd(r, i, f)
    if not yo and y >= 1960:
        return None
    return rnd.choice((f"00/00/{y}", f"../../{y}", f"0/0/{y}", f"??/??/{y}"))


_SEX = {"Nam": (("nam", 3), ("NAM", 3), ("M", 2), ("Male", 1), ("1", 1)),
        "Nữ": (("nữ", 3), ("NỮ", 2), ("Nu", 2), ("NU", 1), ("F", 2), ("Female", 1), ("0", 1))}


def _sex(v, r, i, f, rnd):
    opts = _SEX.get(v)
    if not opts:
        return None
    return rnd.choices([o for o, _ in opts], weights=[w for _, w in opts])[0]


def _ethnicity(v, r, i, f, rnd):
    opts = nm.ETHNICITY_SPELLINGS.get(v)
    return rnd.choice(opts) if opts else None


_ABBR = (("Xã ", "X. "), ("Phường ", "P. "), ("Thị trấn ", "TT. "), ("Huyện ", "H. "), ("Quận ", "Q. "),
         ("Thị xã ", "TX. "), ("Thành phố ", "TP. "), ("Tỉnh ", "T. "))
_ALIASES = (("Thành phố Hồ Chí Minh", ("TP.HCM", "TP HCM", "Tp. Hồ Chí Minh", "TPHCM", "Sài Gòn")),
            ("Tỉnh Thừa Thiên Huế", ("Thừa Thiên - Huế", "TT-Huế", "T. Thừa Thiên Huế")),
            ("Tỉnh Bà Rịa - Vũng Tàu", ("BR-VT", "Bà Rịa Vũng Tàu", "Tỉnh BR-VT")),
            ("Đắk Lắk", ("Đắc Lắc", "Đăk Lăk", "Dak Lak")), ("Đắk Nông", ("Đắc Nông", "Đăk Nông")),
            ("Kon Tum", ("Kontum",)), ("Bắc Kạn", ("Bắc Cạn",)), ("Thành phố Hà Nội", ("TP Hà Nội", "Hà Nội", "HN")),
            ("Công an tỉnh ", ("CA tỉnh ", "CA ", "Công an ")), ("Công an TP. ", ("CA TP ", "CA ", "Công an ")),
            ("Cục Cảnh sát quản lý hành chính về trật tự xã hội", ("Cục CS QLHC về TTXH", "Cục Cảnh sát QLHC về TTXH")),
            ("Cục Cảnh sát ĐKQL cư trú và DLQG về dân cư", ("Cục CS ĐKQL CT và DLQG về DC", "C06")))


def _place_spelling(v, r, i, f, rnd):
    ways = [0, 1, 2, 3, 4]
    rnd.shuffle(ways)
    for w in ways:
        if w == 0:
            new = v
            for a, b in _ABBR:
                new = new.replace(a, b)
        elif w == 1:
            new = v
            for a, _ in _ABBR:
                new = new.replace(a, "")
        elif w == 2:
            new = v
            for a, _ in _ABBR:
                new = new.replace(a, a.lower())
        elif w == 3:
            new = v.replace(", ", rnd.choice((" - ", ",", " , ")))
        else:
            new = v
            for a, opts in _ALIASES:
                if a in v:
                    new = v.replace(a, rnd.choice(opts))
                    break
        if new != v:
            return new
    return None


# old province names, with the last year they were in use (check)
OLD_NAMES: dict[str, tuple[tuple[str, int], ...]] = {
    "017": (("Hà Sơn Bình", 1991),), "025": (("Vĩnh Phú", 1996),), "026": (("Vĩnh Phú", 1996),),
    "024": (("Hà Bắc", 1996),), "027": (("Hà Bắc", 1996),), "030": (("Hải Hưng", 1996),),
    "033": (("Hải Hưng", 1996),), "035": (("Nam Hà", 1996), ("Hà Nam Ninh", 1991)),
    "036": (("Nam Hà", 1996), ("Hà Nam Ninh", 1991)), "037": (("Hà Nam Ninh", 1991),),
    "040": (("Nghệ Tĩnh", 1991),), "042": (("Nghệ Tĩnh", 1991),), "044": (("Bình Trị Thiên", 1989),),
    "045": (("Bình Trị Thiên", 1989),), "046": (("Bình Trị Thiên", 1989),), "048": (("Quảng Nam - Đà Nẵng", 1996),),
    "049": (("Quảng Nam - Đà Nẵng", 1996),), "051": (("Nghĩa Bình", 1989),), "052": (("Nghĩa Bình", 1989),),
    "054": (("Phú Khánh", 1989),), "056": (("Phú Khánh", 1989),), "058": (("Thuận Hải", 1991),),
    "060": (("Thuận Hải", 1991),), "062": (("Gia Lai - Kon Tum", 1991),), "064": (("Gia Lai - Kon Tum", 1991),),
    "067": (("Đắk Lắk", 2003),), "070": (("Sông Bé", 1996),), "074": (("Sông Bé", 1996),),
    "084": (("Cửu Long", 1991),), "086": (("Cửu Long", 1991),), "092": (("Hậu Giang", 1991),),
    "094": (("Hậu Giang", 1991),), "095": (("Minh Hải", 1996),), "096": (("Minh Hải", 1996),),
    "010": (("Hoàng Liên Sơn", 1991),), "015": (("Hoàng Liên Sơn", 1991),), "002": (("Hà Tuyên", 1991),),
    "008": (("Hà Tuyên", 1991),), "019": (("Bắc Thái", 1996),), "006": (("Bắc Thái", 1996),),
    "011": (("Lai Châu", 2003),),
}
_PLACE_COMMUNE = {"hometown": "hometown", "residence": "residence_c", "birth_place": "birth_commune",
                  "registration_place": "reg_commune"}


def _place_old_name(v, r, i, f, rnd):
    key = _PLACE_COMMUNE.get(f)
    if key is None or key not in r.a:
        return None
    g = geography()
    c = int(r.a[key][i])
    p = PROVINCES[g.province[c]]
    year = int(r.a["doc_year"][i])
    full = f"{p.kind} {p.name}"
    if full not in v:
        return None
    if p.code == "001" and g.district_name[c] in HA_TAY_DISTRICTS and year < 2008:
        return v.replace(full, "Tỉnh Hà Tây")
    for old, until in OLD_NAMES.get(p.code, ()):
        if year <= until:
            return v.replace(full, f"Tỉnh {old}")
    return None


def _id_zero(v, r, i, f, rnd):
    if not v.isdigit() or not v.startswith("0"):
        return None
    return str(int(v))


def _id_sci(v, r, i, f, rnd):
    """Excel shows a long number in a narrow column as 1.23457E+11 (the digits are gone)."""
    if not v.isdigit() or len(v) < 12:
        return None
    return f"{int(v):.5E}"


FUNCS: dict[str, Fn] = {
    "case": _case, "spaces": _spaces, "nfd": _nfd, "tone_placement": _tone, "ascii_only": _ascii,
    "mojibake_utf8_cp1252": _mojibake, "tcvn3": _tcvn3, "i_y": _i_y, "apostrophe": _apostrophe,
    "dropped_van_thi": _dropped_van_thi, "added_van_thi": _added_van_thi, "missing_middle": _missing_middle,
    "date_format": _date_format, "excel_serial_date": _excel, "date_year_only": _year_only,
    "date_placeholder_0101": _placeholder_0101, "date_placeholder_0000": _placeholder_0000,
    "sex_spelling": _sex, "ethnicity_spelling": _ethnicity, "place_spelling": _place_spelling,
    "place_old_name": _place_old_name, "id_leading_zero_lost": _id_zero, "id_scientific": _id_sci,
}


def _apply(kind: str, v: str, r: Records, i: int, f: str, rnd: random.Random, safe: bool) -> tuple[str, str] | None:
    """The drawn kind, else another kind of the field's menu that applies (drawn by weight), else a fallback."""
    if not (safe and kind in LOSSY):
        new = FUNCS[kind](v, r, i, f, rnd)
        if new is not None and new != v:
            return kind, new
    menu = [(k, w) for k, w in KINDS[f] if k != kind]
    others = []
    while menu:
        j = rnd.choices(range(len(menu)), weights=[w for _, w in menu])[0]
        others.append(menu.pop(j)[0])
    tried = others + [k for k in FALLBACK.get(f, DEFAULT_FALLBACK) if k != kind and k not in others]
    for k in tried:
        if safe and k in LOSSY:
            continue
        if k not in FUNCS:
            continue
        new = FUNCS[k](v, r, i, f, rnd)
        if new is not None and new != v:
            return k, new
    return None


def plant(recs: dict[str, Records], rng: np.random.Generator, noise_rate: float,
          protect: set[tuple[str, int, str]], seed: int) -> list[NoiseRow]:
    """Writes formatting noise into the rendered cells of `recs` and returns one row per noisy cell."""
    rnd = random.Random(seed * 104729 + 3)
    out: list[NoiseRow] = []
    protected_recs = {(s, i) for s, i, _ in protect}
    for s in SOURCES:
        r = recs[s]
        n = r.n
        cols = r.cols
        busy = np.zeros(n, bool)
        # whole records from an ASCII-only system
        p_ascii = min(1.0, noise_rate * ASCII_RECORD[s])
        for i in np.nonzero(rng.random(n) < p_ascii)[0].tolist():
            if (s, i) in protected_recs:
                continue
            busy[i] = True
            for f in RECORD_ASCII_FIELDS[s]:
                v = cols[f][i]
                if v is None:
                    continue
                new = vn.ascii_only(v)
                if new != v:
                    cols[f][i] = new
                    out.append(NoiseRow(s, i, f, "ascii_only", v, new))
        # one to three formatting variants in other records
        p = min(1.0, noise_rate * SOURCE_FACTOR[s])
        idx = np.nonzero((rng.random(n) < p) & ~busy)[0]
        u = rng.random(len(idx))
        nops = 1 + (u > 0.7) + (u > 0.92)
        rec = np.repeat(idx, nops)
        fw = FIELD_WEIGHTS[s]
        fields = rng.choice(len(fw), size=len(rec), p=np.array([w for _, w in fw]) / sum(w for _, w in fw))
        _, first = np.unique(rec * 64 + fields, return_index=True)
        first = np.sort(first)
        rec, fields = rec[first], fields[first]
        kinds = np.empty(len(rec), dtype=object)
        for fi, (f, _) in enumerate(fw):
            m = fields == fi
            if not m.any():
                continue
            ks = KINDS[f]
            kinds[m] = np.array([k for k, _ in ks], dtype=object)[
                rng.choice(len(ks), size=int(m.sum()), p=np.array([w for _, w in ks]) / sum(w for _, w in ks))]
        names = [f for f, _ in fw]
        for i, fi, kind in zip(rec.tolist(), fields.tolist(), kinds.tolist(), strict=True):
            f = names[fi]
            v = cols[f][i]
            if v is None:
                continue
            res = _apply(kind, v, r, i, f, rnd, (s, i, f) in protect)
            if res is None:
                continue
            k, new = res
            cols[f][i] = new
            out.append(NoiseRow(s, i, f, k, v, new))
    return out
