"""The true population: households of related people with names, birth dates, ethnicity, home towns, personal
ID numbers and old CMND numbers. Everything is vectorised over households and persons (numpy).

A household has up to 14 member slots: head, spouse, head's father and mother, five children, a child-in-law,
three grandchildren and one other relative or lodger. Parents' names, surnames, ethnicity and home town follow
the family lines, so a child's birth registration names the parents who live in the same household book."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from linkage.synth import names as nm
from linkage.synth.places import PROVINCES, geography, province_weights, random_commune

REF = np.datetime64("2025-07-01", "D")  # the day the exports are taken
DAY = np.timedelta64(1, "D")
YEAR_DAYS = 365.2425

HEAD, SPOUSE, HF, HM = 0, 1, 2, 3
KIDS = (4, 5, 6, 7, 8)
KIL = 9
GKIDS = (10, 11, 12)
OTH = 13
SLOTS = 14

# household types: nuclear, with head's parents, with married child and grandchildren, elderly, single, lone parent
TYPE_P = np.array([0.50, 0.12, 0.15, 0.12, 0.06, 0.05])
_HEAD_AGE = np.array([[24, 36, 62], [24, 32, 48], [52, 62, 86], [58, 70, 95], [18, 26, 62], [25, 40, 62]], float)
_HEAD_MALE = np.array([0.80, 0.80, 0.75, 0.60, 0.55, 0.0])
_SPOUSE_P = np.array([0.93, 0.90, 0.75, 0.60, 0.0, 0.0])
_NKIDS_P = np.array([
    [0.06, 0.28, 0.42, 0.17, 0.05, 0.02],
    [0.15, 0.35, 0.35, 0.12, 0.03, 0.00],
    [0.00, 0.55, 0.30, 0.15, 0.00, 0.00],  # type 2: the married child plus 0-2 others
    [1.00, 0, 0, 0, 0, 0],
    [1.00, 0, 0, 0, 0, 0],
    [0.00, 0.45, 0.40, 0.15, 0.00, 0.00],
])
_KID_MAX_AGE = np.array([30, 30, 38, 0, 0, 30], float)

RELATIONS = ("Chủ hộ", "Vợ", "Chồng", "Bố", "Cha", "Mẹ", "Con", "Con dâu", "Con rể", "Cháu", "Em", "Người ở nhờ")
REL = {r: i for i, r in enumerate(RELATIONS)}
RELIGIONS = ("Không", "Phật giáo", "Công giáo", "Tin lành", "Cao Đài", "Hòa Hảo")

TAG_TWIN, TAG_SAME_NAME, TAG_FATHER_SON, TAG_CMND_SHARED = 1, 2, 4, 8


@dataclass
class Households:
    n: int
    province: np.ndarray  # int16
    commune: np.ndarray  # int32 geography row
    address: np.ndarray  # object: full residence address
    book: np.ndarray  # object: SO_SO_HK
    head: np.ndarray  # int32 person index
    religion: np.ndarray  # int8


@dataclass
class Population:
    n: int
    household: np.ndarray
    slot: np.ndarray
    relation: np.ndarray  # int8 into RELATIONS
    sex: np.ndarray  # int8: 0 male, 1 female
    dob: np.ndarray  # datetime64[D]
    year_only: np.ndarray  # bool: only the birth year is known
    scheme: np.ndarray  # int16 into names.SCHEMES (= ethnicity)
    surname: np.ndarray  # object (None: no family name)
    middle: np.ndarray  # object ('' none)
    given: np.ndarray  # object
    full_name: np.ndarray  # object
    father: np.ndarray  # int32 person index or -1
    mother: np.ndarray
    father_name: np.ndarray  # object
    mother_name: np.ndarray
    hometown: np.ndarray  # int32 geography row
    reg_commune: np.ndarray  # int32 geography row of the birth registration
    reg_date: np.ndarray  # datetime64[D] of the (first) birth registration
    birth_commune: np.ndarray
    personal_id: np.ndarray  # int64 (12 digits with the leading zero implied)
    cmnd: np.ndarray  # int64 (9 digits) or -1
    cmnd_issue: np.ndarray  # datetime64 or NaT
    cmnd_province: np.ndarray  # int16 or -1
    cccd_issue: np.ndarray  # datetime64 or NaT (no 12-digit card)
    twin: np.ndarray  # int32 index of the twin or -1
    tags: np.ndarray  # int8 bit set of TAG_*
    households: Households

    @property
    def birth_year(self) -> np.ndarray:
        return self.dob.astype("datetime64[Y]").astype(int) + 1970


def _tri(rng: np.random.Generator, lmh: np.ndarray) -> np.ndarray:
    return rng.triangular(lmh[:, 0], lmh[:, 1], lmh[:, 2])


def _structure(rng: np.random.Generator, h: int, twin_rate: float, forced_type: int | None = None) -> dict:
    """Slot matrices (h × SLOTS): presence, sex, age (float years), relation; and per-household type."""
    t = rng.choice(len(TYPE_P), size=h, p=TYPE_P) if forced_type is None else np.full(h, forced_type)
    present = np.zeros((h, SLOTS), bool)
    sex = rng.choice(2, size=(h, SLOTS), p=[0.515, 0.485]).astype(np.int8)
    age = np.zeros((h, SLOTS))
    twin = np.full((h, SLOTS), -1, np.int8)

    head_male = rng.random(h) < _HEAD_MALE[t]
    head_age = np.clip(_tri(rng, _HEAD_AGE[t]), 16, 95)
    spouse = rng.random(h) < _SPOUSE_P[t]
    gap = rng.triangular(-3, 3, 12, size=h)
    husband_age = np.where(head_male, head_age, head_age + gap)
    wife_age = np.where(head_male, head_age - gap, head_age)
    present[:, HEAD] = True
    sex[:, HEAD] = np.where(head_male, 0, 1)
    age[:, HEAD] = head_age
    present[:, SPOUSE] = spouse
    sex[:, SPOUSE] = np.where(head_male, 1, 0)
    age[:, SPOUSE] = np.clip(np.where(head_male, wife_age, husband_age), 17, 95)
    mother_age = np.where(head_male & ~spouse, husband_age - gap, wife_age)

    # children of the head's couple, eldest first
    u = rng.random(h)
    cdf = np.cumsum(_NKIDS_P, axis=1)[t]
    n_kids = (u[:, None] > cdf).sum(axis=1)
    mab = rng.uniform(19, 30, size=h)
    max_age = _KID_MAX_AGE[t]
    for k, s in enumerate(KIDS):
        if k:
            mab = mab + rng.uniform(1.3, 5.5, size=h)
        a = mother_age - mab
        ok = (k < n_kids) & (a >= 0) & (a <= np.maximum(max_age, 1))
        if k == 0:  # type 2: the eldest is the married child living with the parents
            ok = ok | ((t == 2) & (a >= 18))
        present[:, s] = ok
        age[:, s] = np.maximum(a, 0.01)
        if k:
            tw = ok & present[:, s - 1] & (rng.random(h) < twin_rate)
            age[:, s] = np.where(tw, age[:, s - 1], age[:, s])
            twin[:, s] = np.where(tw, s - 1, -1)
            same_sex = tw & (rng.random(h) < 0.65)
            sex[:, s] = np.where(same_sex, sex[:, s - 1], sex[:, s])

    # type 2: married eldest child, spouse and grandchildren
    married = (t == 2) & present[:, KIDS[0]] & (age[:, KIDS[0]] >= 19)
    sex[:, KIDS[0]] = np.where(married, np.where(rng.random(h) < 0.85, 0, 1), sex[:, KIDS[0]])
    kil = married & (rng.random(h) < 0.9)
    present[:, KIL] = kil
    sex[:, KIL] = 1 - sex[:, KIDS[0]]
    age[:, KIL] = np.clip(age[:, KIDS[0]] - rng.triangular(-4, 2, 8, size=h) * np.where(sex[:, KIL] == 1, 1, -1),
                          18, 90)
    g_mother_age = np.where(sex[:, KIDS[0]] == 1, age[:, KIDS[0]], np.where(kil, age[:, KIL], age[:, KIDS[0]] - 3))
    n_g = rng.choice(4, size=h, p=[0.1, 0.3, 0.4, 0.2])
    mab = rng.uniform(19, 29, size=h)
    for k, s in enumerate(GKIDS):
        if k:
            mab = mab + rng.uniform(1.3, 5, size=h)
        a = g_mother_age - mab
        ok = married & (k < n_g) & (a >= 0)
        present[:, s] = ok
        age[:, s] = np.maximum(a, 0.01)
        if k:
            tw = ok & present[:, s - 1] & (rng.random(h) < twin_rate)
            age[:, s] = np.where(tw, age[:, s - 1], age[:, s])
            twin[:, s] = np.where(tw, s - 1, -1)

    # type 1: the head's parents
    hf_age = age[:, HEAD] + rng.uniform(21, 36, size=h)
    hm_age = hf_age - rng.triangular(-2, 3, 9, size=h)
    present[:, HF] = (t == 1) & (rng.random(h) < 0.72) & (hf_age <= 95)
    present[:, HM] = (t == 1) & (rng.random(h) < 0.85) & (hm_age <= 95)
    present[:, HF] |= (t == 1) & ~present[:, HM] & (hf_age <= 95)
    sex[:, HF], sex[:, HM] = 0, 1
    age[:, HF], age[:, HM] = hf_age, hm_age

    # another relative or a lodger
    oth = np.isin(t, (0, 1, 2)) & (rng.random(h) < 0.05)
    oth_kind = rng.choice(3, size=h, p=[0.4, 0.35, 0.25])  # Em, Cháu, Người ở nhờ
    oth_age = np.select([oth_kind == 0, oth_kind == 1],
                        [age[:, HEAD] - rng.uniform(1, 12, size=h), rng.uniform(4, 25, size=h)],
                        rng.uniform(16, 70, size=h))
    present[:, OTH] = oth & (oth_age >= 1)
    age[:, OTH] = np.maximum(oth_age, 1)

    present &= age <= 95.9
    present[:, HEAD] = True
    return {"type": t, "present": present, "sex": sex, "age": age, "twin": twin, "oth_kind": oth_kind,
            "head_male": head_male}


def _concat(parts: list[dict]) -> dict:
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _take(d: dict, idx: np.ndarray) -> dict:
    return {k: v[idx] for k, v in d.items()}


def _households_for(rng: np.random.Generator, persons: int, twin_rate: float) -> dict:
    h = max(4, int(persons / 3.3 * 1.08) + 8)
    st = _structure(rng, h, twin_rate)
    while st["present"].sum() < persons:
        st = _concat([st, _structure(rng, max(4, h // 4), twin_rate)])
    sizes = st["present"].sum(axis=1)
    cum = np.cumsum(sizes)
    keep = int(np.searchsorted(cum, persons, side="right"))
    st = _take(st, np.arange(keep))
    rest = persons - (int(cum[keep - 1]) if keep else 0)
    if rest:
        st = _concat([st, _structure(rng, rest, twin_rate, forced_type=4)])
    return st


def _compose(surname: np.ndarray, middle: np.ndarray, given: np.ndarray, family_last: np.ndarray) -> np.ndarray:
    """Full names: 'Nguyễn Thị Thu Hà'; family-name-last groups: 'H'Hen Niê'."""
    s = pa.array(surname, type=pa.string())
    m = pc.if_else(pc.equal(pa.array(middle, type=pa.string()), ""), pa.scalar(None, pa.string()),
                   pa.array(middle, type=pa.string()))
    g = pa.array(given, type=pa.string())
    first = pc.binary_join_element_wise(s, m, g, " ", null_handling="skip")
    last = pc.binary_join_element_wise(m, g, s, " ", null_handling="skip")
    out = pc.if_else(pa.array(family_last), last, first)
    return np.asarray(out.to_numpy(zero_copy_only=False), dtype=object)


def _scheme_by_province(rng: np.random.Generator, prov: np.ndarray) -> np.ndarray:
    out = np.full(len(prov), nm.KINH, np.int16)
    u = rng.random(len(prov))
    for pi, p in enumerate(PROVINCES):
        if not p.minorities:
            continue
        m = prov == pi
        if not m.any():
            continue
        keys = [nm.SCHEME_INDEX[k] for k, _ in p.minorities]
        cdf = np.cumsum([min(0.97, s * 1.08) for _, s in p.minorities])
        pos = np.searchsorted(cdf, u[m], side="right")
        vals = np.array(keys + [nm.KINH], np.int16)
        out[m] = vals[np.minimum(pos, len(keys))]
    return out


def _other_province(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.choice(len(PROVINCES), size=n, p=province_weights()).astype(np.int16)


_MIGRANT_DEST = {"001", "079", "074", "075", "048", "092", "077", "027", "031"}


def _home_commune(rng: np.random.Generator, prov: np.ndarray, local_p: float | np.ndarray) -> np.ndarray:
    local = rng.random(len(prov)) < local_p
    p = np.where(local, prov, _other_province(rng, len(prov)))
    return random_commune(rng, p)


def build(persons: int, seed: int, twin_rate: float = 0.03, same_name_rate: float = 0.01,
          father_son_rate: float = 0.004, cmnd_shared_rate: float = 0.002) -> Population:
    """A population of exactly `persons` people in households."""
    rng = np.random.default_rng([seed, 1])
    st = _households_for(rng, persons, twin_rate)
    present, sex_m, age_m, twin_m = st["present"], st["sex"], st["age"], st["twin"]
    t, head_male = st["type"], st["head_male"]
    h = len(t)
    geo = geography()
    region_of = np.array(["NCS".index(p.region) for p in PROVINCES], np.int8)

    # ---- households: place, ethnicity lines, religion
    hprov = rng.choice(len(PROVINCES), size=h, p=province_weights()).astype(np.int16)
    hcomm = random_commune(rng, hprov)
    hreg = region_of[hprov]
    line = _scheme_by_province(rng, hprov)  # the head's ethnicity
    redraw = _scheme_by_province(rng, hprov)
    spouse_sc = np.where(rng.random(h) < np.where(line == nm.KINH, 0.97, 0.85), line, redraw)
    kil_sc = np.where(rng.random(h) < 0.88, line, _scheme_by_province(rng, hprov))
    matri = np.array([s.matrilineal for s in nm.SCHEMES])
    fam_last = np.array([s.family_last for s in nm.SCHEMES])
    no_sur = np.array([s.no_surname_share for s in nm.SCHEMES])

    # ---- slot-level ethnicity
    sc = np.zeros((h, SLOTS), np.int16)
    sc[:, HEAD] = line
    sc[:, SPOUSE] = spouse_sc
    father_sc = np.where(head_male, line, np.where(present[:, SPOUSE], spouse_sc, line))
    mother_sc = np.where(head_male, np.where(present[:, SPOUSE], spouse_sc, line), line)
    kid_sc = np.where(matri[mother_sc], mother_sc, father_sc)
    for s in KIDS:
        sc[:, s] = kid_sc
    sc[:, HF] = line
    sc[:, HM] = line
    sc[:, KIL] = kil_sc
    k1_male = sex_m[:, KIDS[0]] == 0
    g_sc = np.where(k1_male, np.where(matri[kil_sc] & present[:, KIL], kil_sc, kid_sc),
                    np.where(present[:, KIL] & ~matri[kid_sc], kil_sc, kid_sc))
    for s in GKIDS:
        sc[:, s] = g_sc
    sc[:, OTH] = line

    # ---- surnames along the lines
    def draw_sur(scheme: np.ndarray) -> np.ndarray:
        return nm.sample_surnames(rng, scheme, hreg)

    head_sur = draw_sur(line)
    spouse_sur = draw_sur(spouse_sc)
    ext_kid_father = draw_sur(kid_sc)
    ext_kid_mother = draw_sur(mother_sc)
    father_sur = np.where(head_male, head_sur, np.where(present[:, SPOUSE], spouse_sur, ext_kid_father))
    mother_sur = np.where(head_male, np.where(present[:, SPOUSE], spouse_sur, ext_kid_mother), head_sur)
    kid_sur = np.where(matri[kid_sc], mother_sur, father_sur)
    hf_sur = np.where(matri[line], draw_sur(line), head_sur)
    hm_sur = np.where(matri[line], head_sur, draw_sur(line))
    kil_sur = draw_sur(kil_sc)
    ext_g_other = draw_sur(g_sc)
    g_father_sur = np.where(k1_male, kid_sur, np.where(present[:, KIL], kil_sur, ext_g_other))
    g_mother_sur = np.where(k1_male, np.where(present[:, KIL], kil_sur, ext_g_other), kid_sur)
    g_sur = np.where(matri[g_sc], g_mother_sur, g_father_sur)
    oth_sur = np.where(st["oth_kind"] == 0, head_sur, draw_sur(line))
    sur = np.empty((h, SLOTS), object)
    fsur = np.empty((h, SLOTS), object)  # the surname of the person's father (for a father not in the data)
    msur = np.empty((h, SLOTS), object)
    sur[:, HEAD], fsur[:, HEAD], msur[:, HEAD] = head_sur, hf_sur, hm_sur
    sur[:, SPOUSE] = spouse_sur
    fsur[:, SPOUSE] = np.where(matri[spouse_sc], draw_sur(spouse_sc), spouse_sur)
    msur[:, SPOUSE] = np.where(matri[spouse_sc], spouse_sur, draw_sur(spouse_sc))
    sur[:, HF], sur[:, HM] = hf_sur, hm_sur
    fsur[:, HF], msur[:, HF] = hf_sur, draw_sur(line)
    fsur[:, HM], msur[:, HM] = draw_sur(line), hm_sur
    for s in KIDS:
        sur[:, s], fsur[:, s], msur[:, s] = kid_sur, father_sur, mother_sur
    sur[:, KIL] = kil_sur
    fsur[:, KIL], msur[:, KIL] = kil_sur, draw_sur(kil_sc)
    for s in GKIDS:
        sur[:, s], fsur[:, s], msur[:, s] = g_sur, g_father_sur, g_mother_sur
    sur[:, OTH] = oth_sur
    fsur[:, OTH] = np.where(st["oth_kind"] == 0, hf_sur, oth_sur)
    msur[:, OTH] = np.where(st["oth_kind"] == 0, hm_sur, draw_sur(line))

    # ---- parents inside the household (slot numbers), -1 = not in the data
    fslot = np.full((h, SLOTS), -1, np.int8)
    mslot = np.full((h, SLOTS), -1, np.int8)
    fslot[:, HEAD] = np.where(present[:, HF], HF, -1)
    mslot[:, HEAD] = np.where(present[:, HM], HM, -1)
    husband = np.where(head_male, HEAD, np.where(present[:, SPOUSE], SPOUSE, -1))
    wife = np.where(head_male, np.where(present[:, SPOUSE], SPOUSE, -1), HEAD)
    for s in KIDS:
        fslot[:, s], mslot[:, s] = husband, wife
    gf = np.where(k1_male, KIDS[0], np.where(present[:, KIL], KIL, -1))
    gm = np.where(k1_male, np.where(present[:, KIL], KIL, -1), KIDS[0])
    for s in GKIDS:
        fslot[:, s], mslot[:, s] = gf, gm
    em = st["oth_kind"] == 0
    fslot[:, OTH] = np.where(em, fslot[:, HEAD], -1)
    mslot[:, OTH] = np.where(em, mslot[:, HEAD], -1)

    # ---- relation to the head
    rel = np.zeros((h, SLOTS), np.int8)
    rel[:, HEAD] = REL["Chủ hộ"]
    rel[:, SPOUSE] = np.where(head_male, REL["Vợ"], REL["Chồng"])
    rel[:, HF] = np.where(hreg == 2, REL["Cha"], REL["Bố"])
    rel[:, HM] = REL["Mẹ"]
    for s in KIDS:
        rel[:, s] = REL["Con"]
    rel[:, KIL] = np.where(sex_m[:, KIL] == 1, REL["Con dâu"], REL["Con rể"])
    for s in GKIDS:
        rel[:, s] = REL["Cháu"]
    rel[:, OTH] = np.array([REL["Em"], REL["Cháu"], REL["Người ở nhờ"]])[st["oth_kind"]]

    # ---- home towns along the lines
    local_p = np.array([0.55 if p.code in _MIGRANT_DEST else 0.85 for p in PROVINCES])[hprov]
    line_home = _home_commune(rng, hprov, local_p)
    spouse_home = _home_commune(rng, hprov, local_p * 0.85)
    kil_home = _home_commune(rng, hprov, local_p * 0.85)
    oth_home = _home_commune(rng, hprov, local_p)
    hm_home = _home_commune(rng, hprov, local_p)
    father_home = np.where(head_male | ~present[:, SPOUSE], line_home, spouse_home)
    mother_home = np.where(head_male & present[:, SPOUSE], spouse_home, line_home)
    kid_home = np.where(matri[kid_sc], mother_home, father_home)
    home = np.zeros((h, SLOTS), np.int32)
    home[:, HEAD], home[:, SPOUSE], home[:, HF], home[:, HM] = line_home, spouse_home, line_home, hm_home
    for s in KIDS:
        home[:, s] = kid_home
    home[:, KIL] = kil_home
    g_home = np.where(k1_male, kid_home, np.where(present[:, KIL], kil_home, kid_home))
    for s in GKIDS:
        home[:, s] = g_home
    home[:, OTH] = np.where(em, line_home, oth_home)

    # ---- flatten to persons
    hh_idx, slot_idx = np.nonzero(present)
    n = len(hh_idx)
    pidx = np.full((h, SLOTS), -1, np.int64)
    pidx[hh_idx, slot_idx] = np.arange(n)

    def flat(m: np.ndarray) -> np.ndarray:
        return m[hh_idx, slot_idx]

    def parent(slots: np.ndarray) -> np.ndarray:
        s = flat(slots).astype(np.int64)
        return np.where(s >= 0, pidx[hh_idx, np.maximum(s, 0)], -1).astype(np.int32)

    sex = flat(sex_m)
    age = flat(age_m)
    scheme = flat(sc)
    father, mother = parent(fslot), parent(mslot)
    tw = flat(twin_m).astype(np.int64)
    twin = np.where(tw >= 0, pidx[hh_idx, np.maximum(tw, 0)], -1).astype(np.int32)
    back = twin[twin >= 0]
    twin[back] = np.nonzero(twin >= 0)[0]
    dob = REF - np.round(age * YEAR_DAYS).astype("int64") * DAY
    byear = dob.astype("datetime64[Y]").astype(int) + 1970
    cohort = nm.cohort_of(byear)

    # ---- names
    surname = flat(sur)
    no_surname = rng.random(n) < no_sur[scheme]
    surname = np.where(no_surname, None, surname)
    middle, given = nm.sample_middle_given(rng, scheme, sex, cohort)
    ba_na = np.isin(scheme, [nm.SCHEME_INDEX["ba_na"], nm.SCHEME_INDEX["xo_dang"]])
    middle = np.where(no_surname & ba_na, np.where(sex == 0, "A", "Y"), middle)
    middle = np.asarray(middle, dtype=object)
    # Tôn Thất daughters are Tôn Nữ
    ton = (surname == "Tôn Thất") & (sex == 1)
    surname[ton] = "Tôn Nữ"
    tags = np.zeros(n, np.int8)

    # siblings often share the middle name; young people sometimes carry the mother's surname as a middle name
    kid_slot = np.isin(slot_idx, KIDS[1:] + GKIDS[1:])
    first_sib = np.where(np.isin(slot_idx, KIDS), pidx[hh_idx, KIDS[0]], pidx[hh_idx, GKIDS[0]])
    share = kid_slot & (first_sib >= 0) & (rng.random(n) < 0.3)
    share &= sex == sex[np.maximum(first_sib, 0)]
    share &= scheme == nm.KINH
    middle[share] = middle[first_sib[share]]
    mom_sur = flat(msur)
    use_mom = (byear >= 1995) & (scheme == nm.KINH) & (rng.random(n) < 0.08) & (mom_sur != surname)
    use_mom &= ~np.isin(middle, ["Văn", "Thị", ""])
    use_mom &= np.char.count(middle.astype(str), " ") == 0
    middle[use_mom] = mom_sur[use_mom] + " " + middle[use_mom]

    # twins: same middle name, paired or similar given names, never the same name
    second = np.nonzero((twin >= 0) & (twin < np.arange(n)))[0]
    first = twin[second]
    middle[second] = np.where(rng.random(len(second)) < 0.8, middle[first], middle[second])
    u = rng.random(len(second))
    pairs = nm.TWIN_PAIRS_SIMILAR + nm.TWIN_PAIRS_COMPLEMENT
    pick = rng.integers(0, len(pairs), size=len(second))
    use_pair = (u < 0.45) & (scheme[second] == nm.KINH)
    pa_first = np.array([p[0] for p in pairs], object)[pick]
    pa_second = np.array([p[1] for p in pairs], object)[pick]
    given[first[use_pair]] = pa_first[use_pair]
    given[second[use_pair]] = pa_second[use_pair]
    same = given[first] == given[second]
    if same.any():
        alt = nm.sample_middle_given(rng, scheme[second[same]], sex[second[same]], cohort[second[same]])[1]
        given[second[same]] = np.where(alt == given[first[same]], given[second[same]] + " Anh", alt)
    tags[first] |= TAG_TWIN
    tags[second] |= TAG_TWIN

    # a father and a son of the same name in one household
    fs = (sex == 0) & (father >= 0) & np.isin(slot_idx, KIDS + GKIDS) & (rng.random(n) < father_son_rate)
    fs &= scheme == nm.KINH
    middle[fs] = middle[father[fs]]
    given[fs] = given[father[fs]]
    tags[fs] |= TAG_FATHER_SON
    tags[father[fs]] |= TAG_FATHER_SON

    # strangers of the same name: same sex, birth year, province and surname, another household
    prov_p = hprov[hh_idx]
    kinh = np.nonzero((scheme == nm.KINH) & (tags == 0))[0]
    key = ((sex[kinh].astype(np.int64) * 300 + (byear[kinh] - 1900)) * 100 + prov_p[kinh]) * 1000
    order = np.lexsort((kinh, surname[kinh].astype(str), key))
    ks = kinh[order]
    kk = key[order]
    ok = (kk[1:] == kk[:-1]) & (surname[ks[1:]] == surname[ks[:-1]]) & (hh_idx[ks[1:]] != hh_idx[ks[:-1]])
    a, b = ks[:-1][ok], ks[1:][ok]
    keep = np.ones(len(a), bool)
    keep[1:] = a[1:] != b[:-1]  # no chains
    a, b = a[keep], b[keep]
    want = min(len(a), int(round(n * same_name_rate / 2)))
    pick = np.sort(rng.choice(len(a), size=want, replace=False)) if want else np.zeros(0, np.int64)
    a, b = a[pick], b[pick]
    middle[b] = middle[a]
    given[b] = given[a]
    tags[a] |= TAG_SAME_NAME
    tags[b] |= TAG_SAME_NAME
    # a few share the whole birth date too
    same_day = rng.random(len(b)) < 0.1
    age[b[same_day]] = age[a[same_day]]
    twin_b = b[twin[b] >= 0]
    given[twin_b] = given[twin_b] + " Anh"  # keep twins apart in name

    dob = REF - np.round(age * YEAR_DAYS).astype("int64") * DAY
    fam_last_p = fam_last[scheme]
    full = _compose(surname, middle, given, fam_last_p)

    # ---- parents' names: from the household where the parent is there, else an outside parent
    f_cohort = nm.cohort_of(byear - 28)
    m_cohort = nm.cohort_of(byear - 25)
    fmid, fgiven = nm.sample_middle_given(rng, scheme, np.zeros(n, np.int8), f_cohort)
    mmid, mgiven = nm.sample_middle_given(rng, scheme, np.ones(n, np.int8), m_cohort)
    fsur_p, msur_p = flat(fsur), mom_sur
    ext_father = _compose(fsur_p, fmid, fgiven, fam_last_p)
    ext_mother = _compose(msur_p, mmid, mgiven, fam_last_p)
    # siblings (and twins) share their outside parents: take the eldest sibling's
    kid_first = np.where(np.isin(slot_idx, KIDS), pidx[hh_idx, KIDS[0]],
                         np.where(np.isin(slot_idx, GKIDS), pidx[hh_idx, GKIDS[0]], np.arange(n)))
    kid_first = np.where(kid_first >= 0, kid_first, np.arange(n))
    oth_em = (slot_idx == OTH) & em[hh_idx]
    kid_first = np.where(oth_em, pidx[hh_idx, HEAD], kid_first)
    ext_father = ext_father[kid_first]
    ext_mother = ext_mother[kid_first]
    father_name = np.where(father >= 0, full[np.maximum(father, 0)], ext_father)
    mother_name = np.where(mother >= 0, full[np.maximum(mother, 0)], ext_mother)

    # ---- birth dates known only by year (older people)
    year_only = rng.random(n) < np.select([byear < 1945, byear < 1960, byear < 1970], [0.5, 0.3, 0.04], 0.0)
    year_only[second] = year_only[first]

    # ---- birth registration place and date
    hometown = flat(home)
    young = byear >= 1990
    u = rng.random(n)
    here_comm = np.where(rng.random(n) < 0.7, hcomm[hh_idx], random_commune(rng, prov_p))
    reg_comm = np.where(young, np.where(u < 0.85, here_comm, hometown),
                        np.where(u < 0.6, hometown, np.where(u < 0.9, here_comm,
                                                              random_commune(rng, _other_province(rng, n)))))
    # people born before 1975 mostly have a late registration (đăng ký khai sinh quá hạn / đăng ký lại) where they live
    late = (byear < 1975) & (rng.random(n) < 0.6)
    reg_comm = np.where(late, here_comm, reg_comm)
    reg_comm[second] = reg_comm[first]
    reg_prov = geo.province[reg_comm]
    delay = np.where(young, np.minimum(rng.exponential(18, n), 3000), rng.exponential(60, n)) + 1
    reg_date = np.minimum(dob + delay.astype("int64") * DAY, REF - DAY)
    late_start = np.maximum(dob + np.int64(round(16 * YEAR_DAYS)) * DAY, np.datetime64("1995-01-01"))
    late_date = late_start + (rng.random(n) * (REF - late_start).astype(int)).astype("int64") * DAY
    reg_date = np.where(late, late_date, reg_date)
    reg_date[second] = reg_date[first]
    birth_comm = np.where(rng.random(n) < 0.8, reg_comm, random_commune(rng, reg_prov))
    birth_comm[second] = birth_comm[first]

    # ---- personal ID: PPP G YY NNNNNN
    prov_code = np.array([int(p.code) for p in PROVINCES], np.int64)[reg_prov]
    g = (byear // 100 - 19) * 2 + sex
    stem = prov_code * 10**9 + g.astype(np.int64) * 10**8 + (byear % 100).astype(np.int64) * 10**6
    pid = stem + rng.integers(0, 10**6, size=n)
    for _ in range(50):
        _, first_pos, counts = np.unique(pid, return_index=True, return_counts=True)
        dup = np.ones(n, bool)
        dup[first_pos] = False
        if not dup.any():
            break
        pid[dup] = stem[dup] + rng.integers(0, 10**6, size=int(dup.sum()))

    # ---- old 9-digit CMND and the 12-digit card
    cmnd_p = np.select([byear < 1935, byear <= 2001], [0.6, 0.9], 0.0)
    has_cmnd = rng.random(n) < cmnd_p
    issue_year = np.clip(byear + 14 + np.floor(rng.exponential(4, n)).astype(int), 1976, 2015)
    cmnd_issue = (issue_year - 1970).astype("datetime64[Y]").astype("datetime64[D]") + rng.integers(0, 365, n) * DAY
    cmnd_issue = np.where(has_cmnd, cmnd_issue, np.datetime64("NaT"))
    cmnd_prov = np.where(rng.random(n) < 0.75, prov_p, geo.province[hometown]).astype(np.int16)
    cmnd_prov = np.where(has_cmnd, cmnd_prov, -1).astype(np.int16)
    police = np.array([int(p.cmnd) for p in PROVINCES], np.int64)
    cm_stem = police[np.maximum(cmnd_prov, 0)] * 10**7
    cmnd = cm_stem + rng.integers(0, 10**7, size=n)
    for _ in range(50):
        vals = np.where(has_cmnd, cmnd, -np.arange(n) - 1)
        _, first_pos = np.unique(vals, return_index=True)
        dup = np.ones(n, bool)
        dup[first_pos] = False
        if not dup.any():
            break
        cmnd[dup] = cm_stem[dup] + rng.integers(0, 10**7, size=int(dup.sum()))
    cmnd = np.where(has_cmnd, cmnd, -1)
    # some number ranges were issued twice: two strangers share a CMND number
    holders = np.nonzero(has_cmnd)[0]
    k = int(round(len(holders) * cmnd_shared_rate))
    if k and len(holders) > 2 * k:
        pick = rng.choice(holders, size=2 * k, replace=False)
        src, dst = pick[:k], pick[k:]
        cmnd_prov[dst] = cmnd_prov[src]
        cmnd[dst] = cmnd[src]
        tags[src] |= TAG_CMND_SHARED
        tags[dst] |= TAG_CMND_SHARED

    age_now = (REF - dob).astype(int) / YEAR_DAYS
    cccd_p = np.where(age_now >= 14, np.where(byear < 1940, 0.7, 0.9), 0.0)
    has_cccd = rng.random(n) < cccd_p
    d14 = dob + np.round(14 * YEAR_DAYS).astype("int64") * DAY
    start = np.datetime64("2016-01-01")
    wave = rng.random(n) < 0.55
    span = (REF - start).astype(int)
    cccd = np.where(wave, np.datetime64("2021-03-01") + rng.integers(0, 300, n) * DAY,
                    start + rng.integers(0, span, n) * DAY)
    late = d14 > start
    cccd = np.where(late, d14 + rng.integers(0, 3 * 365, n) * DAY, cccd)
    cccd = np.minimum(cccd, REF - DAY)
    cccd = np.where(has_cccd, cccd, np.datetime64("NaT"))

    # ---- household table
    hh = _household_table(rng, h, hprov, hcomm, line, pidx[:, HEAD].astype(np.int32))

    return Population(
        n=n, household=hh_idx.astype(np.int32), slot=slot_idx.astype(np.int8), relation=flat(rel), sex=sex,
        dob=dob, year_only=year_only, scheme=scheme, surname=surname, middle=middle, given=given,
        full_name=full, father=father, mother=mother, father_name=father_name, mother_name=mother_name,
        hometown=hometown, reg_commune=reg_comm.astype(np.int32), reg_date=reg_date,
        birth_commune=birth_comm.astype(np.int32), personal_id=pid, cmnd=cmnd, cmnd_issue=cmnd_issue,
        cmnd_province=cmnd_prov, cccd_issue=cccd, twin=twin, tags=tags, households=hh)


def _household_table(rng: np.random.Generator, h: int, hprov: np.ndarray, hcomm: np.ndarray,
                     line: np.ndarray, head: np.ndarray) -> Households:
    geo = geography()
    south = np.array([p.region == "S" for p in PROVINCES])[hprov]
    urban = geo.urban[hcomm]
    num = rng.integers(1, 15, size=h)
    house = rng.integers(1, 300, size=h)
    lane = rng.integers(1, 120, size=h)
    kind = np.where(urban, np.where(rng.random(h) < 0.5, 2, 3), np.where(south, 1, 0))
    hamlet_words = ("Bình Hòa", "Phú Thạnh", "Tân Lợi", "Mỹ An", "Long Hòa", "Hòa Thuận", "An Lạc", "Phước Hưng")
    hw = rng.integers(0, len(hamlet_words), size=h)
    addr = np.empty(h, dtype=object)
    for i in range(h):
        c = int(hcomm[i])
        tail = geo.address(c)
        k = kind[i]
        if k == 0:
            head_part = f"Thôn {num[i]}"
        elif k == 1:
            head_part = f"Ấp {hamlet_words[hw[i]]}"
        elif k == 2:
            head_part = f"Tổ {num[i]}"
        else:
            head_part = f"Số {house[i]} ngõ {lane[i]}"
        addr[i] = f"{head_part}, {tail}"
    codes = np.array([int(p.code) for p in PROVINCES], np.int64)[hprov]
    book_n = codes * 10**7 + rng.permutation(10**7)[:h] if h <= 10**7 else codes * 10**7 + rng.integers(0, 10**7, h)
    book = np.array([f"{b:09d}" for b in book_n], dtype=object)
    rel_p = np.tile(np.array([0.82, 0.09, 0.07, 0.005, 0.01, 0.005]), (h, 1))
    highland = np.isin(line, [nm.SCHEME_INDEX[k] for k in ("gia_rai", "e_de", "ba_na", "xo_dang", "m_nong",
                                                            "co_ho", "mong")])
    rel_p[highland] = [0.5, 0.02, 0.15, 0.33, 0, 0]
    rel_p[line == nm.SCHEME_INDEX["khmer"]] = [0.08, 0.9, 0.01, 0.01, 0, 0]
    rel_p[line == nm.SCHEME_INDEX["hoa"]] = [0.45, 0.5, 0.03, 0.02, 0, 0]
    code_str = np.array([p.code for p in PROVINCES])[hprov]
    rel_p[np.isin(code_str, ["036", "037", "075"]) & (line == nm.KINH)] = [0.7, 0.07, 0.22, 0.01, 0, 0]
    rel_p[(code_str == "072") & (line == nm.KINH)] = [0.68, 0.12, 0.04, 0.01, 0.15, 0]
    rel_p[(code_str == "089") & (line == nm.KINH)] = [0.6, 0.12, 0.03, 0.0, 0.02, 0.23]
    cdf = np.cumsum(rel_p, axis=1)
    religion = (rng.random(h)[:, None] > cdf).sum(axis=1).clip(0, len(RELIGIONS) - 1).astype(np.int8)
    return Households(h, hprov, hcomm, addr, book, head, religion)
