"""Real disagreements between a person's documents, planted on the structured records before rendering.

A disagreement is a different value that a Justice officer must settle (Hùng/Hưng, another birth day, the
lunar date, the other sex, another ethnicity or home town, a parent's name), not a spelling variant. It is
planted more often in household-book and citizen-ID records than in the birth registration, and sometimes
copied from the household book onto the ID card (cards were issued from household-book data)."""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass

import numpy as np

from linkage.synth import names as nm
from linkage.synth import vietnamese as vn
from linkage.synth.lunar import solar_to_lunar
from linkage.synth.places import PROVINCES, geography
from linkage.synth.population import REF, Population
from linkage.synth.sources import SOURCES, Records, commune_text

CONFLICT_FIELDS = ("full_name", "birth_date", "sex", "ethnicity", "hometown", "father_name", "mother_name")
FIELD_WEIGHTS = {"full_name": 0.34, "birth_date": 0.30, "sex": 0.05, "ethnicity": 0.08, "hometown": 0.15,
                 "father_name": 0.04, "mother_name": 0.04}
SOURCE_WEIGHTS = {"civil_status": 0.15, "household": 0.5, "citizen_id": 0.35}
# the tone and letter changes apply to almost any name; the regional ones only where their letters occur
NAME_KINDS = (("tone", 0.10), ("letter", 0.10), ("l_n", 0.16), ("ch_tr", 0.14), ("s_x", 0.14), ("d_gi_r", 0.14),
              ("n_ng", 0.12), ("t_c", 0.12), ("hoi_nga", 0.14), ("vu_vo", 0.25), ("middle", 0.05))
DATE_KINDS = (("day_month_swap", 0.25), ("other_day", 0.22), ("other_month", 0.08), ("other_year", 0.2),
              ("lunar_date", 0.25))
_VU_VO = {"Vũ": "Võ", "Võ": "Vũ"}


@dataclass
class Conflict:
    person: int
    field: str
    source: str
    rec: int
    true_value: str
    recorded_value: str
    kind: str


def _field_of(source: str, f: str) -> bool:
    if f in ("father_name", "mother_name"):
        return source == "civil_status"
    return True


def canonical_date(d: np.datetime64, year_only: bool) -> str:
    s = str(np.datetime64(d, "D"))
    return s[:4] if year_only else s


def true_value(P: Population, p: int, f: str) -> str:
    if f == "full_name":
        return str(P.full_name[p])
    if f == "birth_date":
        return canonical_date(P.dob[p], bool(P.year_only[p]))
    if f == "sex":
        return "MF"[P.sex[p]]
    if f == "ethnicity":
        return nm.SCHEMES[P.scheme[p]].ethnicity
    if f == "hometown":
        return str(commune_text("address")[P.hometown[p]])
    if f == "father_name":
        return str(P.father_name[p])
    return str(P.mother_name[p])


def recorded_value(r: Records, i: int, f: str) -> str:
    a = r.a
    if f == "full_name":
        parts = [a["middle"][i] or None, a["given"][i]]
        s = a["surname"][i]
        seq = parts + [s] if a["famlast"][i] else [s] + parts
        return " ".join(x for x in seq if x)
    if f == "birth_date":
        return canonical_date(a["dob"][i], bool(a["year_only"][i]))
    if f == "sex":
        return "MF"[a["sex"][i]]
    if f == "ethnicity":
        return nm.SCHEMES[a["scheme"][i]].ethnicity
    if f == "hometown":
        return str(commune_text("address")[a["hometown"][i]])
    return str(a[f][i])


def _weighted_order(items: tuple[tuple[str, float], ...], rnd: random.Random) -> list[str]:
    keys = [k for k, _ in items]
    w = [x for _, x in items]
    out = []
    while keys:
        k = rnd.choices(range(len(keys)), weights=w)[0]
        out.append(keys.pop(k))
        w.pop(k)
    return out


def _misspell_name(a: dict, i: int, rnd: random.Random) -> str | None:
    for kind in _weighted_order(NAME_KINDS, rnd):
        if kind == "vu_vo":
            if a["surname"][i] in _VU_VO:
                a["surname"][i] = _VU_VO[a["surname"][i]]
                return "surname_vu_vo"
            continue
        if kind == "middle":
            mid = a["middle"][i] or ""
            toks = mid.split(" ")
            spots = [k for k, t in enumerate(toks) if t and t not in ("Văn", "Thị")]
            if not spots:
                continue
            k = rnd.choice(spots)
            new = vn.misspell(toks[k], rnd.choice(("tone", "letter")), rnd)
            if new is None:
                continue
            toks[k] = new
            a["middle"][i] = " ".join(toks)
            return "middle_name"
        given = a["given"][i]
        toks = given.split(" ")
        last = toks[-1]
        if "'" in last:
            continue
        new = vn.misspell(last, kind, rnd)
        if new is None:
            continue
        toks[-1] = new
        a["given"][i] = " ".join(toks)
        return "given_" + kind
    return None


def _valid(y: int, m: int, d: int) -> bool:
    return 1 <= m <= 12 and 1 <= d <= calendar.monthrange(y, m)[1]


def _change_date(a: dict, i: int, rnd: random.Random) -> str | None:
    d0 = a["dob"][i]
    y, m, d = (int(x) for x in str(np.datetime64(d0, "D")).split("-"))
    if a["year_only"][i]:
        dy = rnd.choice((-3, -2, -1, 1, 2, 3))
        a["dob"][i] = np.datetime64(f"{y + dy:04d}-{m:02d}-{min(d, 28):02d}")
        return "other_year"
    for kind in _weighted_order(DATE_KINDS, rnd):
        ny, nmth, nd = y, m, d
        if kind == "day_month_swap":
            if d > 12 or d == m:
                continue
            nmth, nd = d, m
        elif kind == "other_day":
            nd = d + rnd.choice((-9, -5, -3, -2, -1, 1, 2, 3, 5, 10))
            if not _valid(y, m, nd):
                nd = d - 10 if d > 15 else d + 10
        elif kind == "other_month":
            nmth = m + rnd.choice((-3, -2, -1, 1, 2, 3))
        elif kind == "other_year":
            yy = y % 100
            swapped = (yy % 10) * 10 + yy // 10
            if rnd.random() < 0.25 and swapped != yy and (y - yy + swapped) <= REF.astype(object).year:
                ny = y - yy + swapped
            else:
                ny = y + rnd.choice((-2, -1, -1, 1, 1, 2, 10, -10))
        elif kind == "lunar_date":
            if y >= 1975:
                continue
            ld, lm, ly, _ = solar_to_lunar(d, m, y)
            ny, nmth, nd = ly, lm, ld
        if not _valid(ny, nmth, nd) or (ny, nmth, nd) == (y, m, d):
            continue
        new = np.datetime64(f"{ny:04d}-{nmth:02d}-{nd:02d}")
        if new >= REF or ny < 1900:
            continue
        a["dob"][i] = new
        return kind
    return None


_SCHEME_BY_NAME = {s.ethnicity: k for k, s in enumerate(nm.SCHEMES)}


def _change_ethnicity(a: dict, i: int, rnd: random.Random) -> str | None:
    cur = nm.SCHEMES[a["scheme"][i]].ethnicity
    opts = [o for o in nm.ETHNICITY_CONFUSIONS.get(cur, ("Kinh",)) if o in _SCHEME_BY_NAME and o != cur]
    if not opts:
        opts = ["Kinh"] if cur != "Kinh" else ["Mường"]
    a["scheme"][i] = _SCHEME_BY_NAME[rnd.choice(opts)]
    return "other_ethnicity"


def _change_hometown(a: dict, i: int, rnd: random.Random) -> str | None:
    g = geography()
    c = int(a["hometown"][i])
    if rnd.random() < 0.5:
        p = int(g.province[c])
    else:
        p = rnd.randrange(len(PROVINCES))
    new = int(g.first[p]) + rnd.randrange(int(g.count[p]))
    if new == c:
        new = int(g.first[p]) + (new - int(g.first[p]) + 1) % int(g.count[p])
    a["hometown"][i] = new
    return "other_hometown_province" if g.province[new] != g.province[c] else "other_hometown_commune"


def _change_parent(a: dict, i: int, f: str, scheme: int, rnd: random.Random) -> str | None:
    name = str(a[f][i])
    toks = name.split(" ")
    if rnd.random() < 0.65:
        for kind in _weighted_order(NAME_KINDS[:9], rnd):
            new = vn.misspell(toks[-1], kind, rnd)
            if new is not None and "'" not in toks[-1]:
                a[f][i] = " ".join(toks[:-1] + [new])
                return "parent_given_" + kind
    sex = 0 if f == "father_name" else 1
    v = nm.kinh_given(sex, 1) if scheme == nm.KINH else nm.minority_vocab(scheme, "given", sex, 1)
    for _ in range(10):
        g = str(v.values[rnd.choices(range(len(v.values)), weights=v.p)[0]])
        if g != toks[-1]:
            a[f][i] = " ".join(toks[:-1] + [g]) if not a["famlast"][i] else g + " " + toks[-1]
            return "parent_other_person"
    return None


def plant(P: Population, recs: dict[str, Records], rng: np.random.Generator, conflict_rate: float,
          seed: int) -> list[Conflict]:
    """Plants disagreements for about `conflict_rate` of the persons with two or more records."""
    rnd = random.Random(seed * 7919 + 17)
    src_ids, rec_ids, persons = [], [], []
    avail: dict[str, list[np.ndarray]] = {f: [] for f in CONFLICT_FIELDS}
    for k, s in enumerate(SOURCES):
        r = recs[s]
        src_ids.append(np.full(r.n, k, np.int8))
        rec_ids.append(np.arange(r.n))
        persons.append(r.person)
        for f in CONFLICT_FIELDS:
            avail[f].append(~r.missing[f] if _field_of(s, f) else np.zeros(r.n, bool))
    src = np.concatenate(src_ids)
    rec = np.concatenate(rec_ids)
    per = np.concatenate(persons)
    av = {f: np.concatenate(v) for f, v in avail.items()}
    counts = {f: np.bincount(per[av[f]], minlength=P.n) for f in CONFLICT_FIELDS}
    multi = np.bincount(per, minlength=P.n) >= 2
    eligible = np.nonzero(np.any(np.stack([counts[f] >= 2 for f in CONFLICT_FIELDS]), axis=0))[0]
    want = min(len(eligible), int(round(conflict_rate * multi.sum())))
    if want == 0:
        return []
    chosen = np.sort(rng.choice(eligible, size=want, replace=False))
    order = np.argsort(per, kind="stable")
    starts = np.searchsorted(per[order], np.arange(P.n + 1))
    out: list[Conflict] = []
    for p in chosen.tolist():
        rows = order[starts[p]:starts[p + 1]]
        fields = [f for f in CONFLICT_FIELDS if counts[f][p] >= 2]
        n_fields = 2 if rnd.random() < 0.15 and len(fields) > 1 else 1
        picked: list[str] = []
        while len(picked) < n_fields:
            # two birth registrations of one person: the parents' names often disagree between them
            w = [FIELD_WEIGHTS[x] * (6 if x in ("father_name", "mother_name") else 1) for x in fields]
            f = rnd.choices(fields, weights=w)[0]
            if f not in picked:
                picked.append(f)
        for f in picked:
            cands = [int(j) for j in rows if av[f][j]]
            w = [SOURCE_WEIGHTS[SOURCES[src[j]]] for j in cands]
            j = rnd.choices(cands, weights=w)[0]
            s = SOURCES[src[j]]
            r = recs[s]
            i = int(rec[j])
            a = r.a
            if f == "full_name":
                kind = _misspell_name(a, i, rnd)
            elif f == "birth_date":
                kind = _change_date(a, i, rnd)
            elif f == "sex":
                a["sex"][i] = 1 - a["sex"][i]
                kind = "sex_flipped"
            elif f == "ethnicity":
                kind = _change_ethnicity(a, i, rnd)
            elif f == "hometown":
                kind = _change_hometown(a, i, rnd)
            else:
                kind = _change_parent(a, i, f, int(P.scheme[p]), rnd)
            if kind is None:
                continue
            tv = true_value(P, p, f)
            rv = recorded_value(r, i, f)
            if rv == tv:
                continue
            out.append(Conflict(p, f, s, i, tv, rv, kind))
            # a household-book error copied onto the ID card
            if s == "household" and rnd.random() < 0.25:
                for j2 in cands:
                    if SOURCES[src[j2]] == "citizen_id":
                        r2 = recs["citizen_id"]
                        i2 = int(rec[j2])
                        _copy_field(r.a, i, r2.a, i2, f)
                        rv2 = recorded_value(r2, i2, f)
                        if rv2 != tv:
                            out.append(Conflict(p, f, "citizen_id", i2, tv, rv2, kind + "_copied"))
    return out


_STRUCT = {"full_name": ("surname", "middle", "given"), "birth_date": ("dob", "year_only"), "sex": ("sex",),
           "ethnicity": ("scheme",), "hometown": ("hometown",)}


def _copy_field(src: dict, i: int, dst: dict, j: int, f: str) -> None:
    for k in _STRUCT.get(f, (f,)):
        dst[k][j] = src[k][i]


def conflict_cells(conflicts: list[Conflict]) -> set[tuple[str, int, str]]:
    """(source, record, field) of every planted disagreement: formatting noise there must keep the value."""
    return {(c.source, c.rec, c.field) for c in conflicts}
