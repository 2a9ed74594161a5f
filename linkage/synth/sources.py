"""Who appears in which archive, and the clean text of every record.

`assemble` picks the records (coverage, duplicates within a source) and keeps them as structured arrays
(name parts, dates, codes), so that disagreements can be planted on the structure; `render` then writes the
clean text of every cell in the conventions of each archive. Formatting noise comes after (noise.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from linkage.synth import names as nm
from linkage.synth.places import HA_TAY_DISTRICTS, PROVINCES, geography, random_commune
from linkage.synth.population import DAY, REF, RELATIONS, RELIGIONS, YEAR_DAYS, Population, _compose

SOURCES = ("civil_status", "household", "citizen_id")

# the clean columns of each export, in file order (canonical field names of docs/schema.md)
FIELDS: dict[str, tuple[str, ...]] = {
    "civil_status": ("record_id", "full_name", "birth_date", "sex", "ethnicity", "nationality", "birth_place",
                     "hometown", "father_name", "mother_name", "personal_id", "registration_place",
                     "registration_date"),
    "household": ("household_id", "head_name", "relation_to_head", "record_id", "full_name", "birth_date", "sex",
                  "ethnicity", "religion", "hometown", "residence", "cmnd"),
    "citizen_id": ("id_number", "full_name", "birth_date", "sex", "ethnicity", "hometown", "residence",
                   "issue_date", "issue_place"),
}
KEY_FIELD = {"civil_status": "record_id", "household": "record_id", "citizen_id": "id_number"}

# share of cells left empty, per source and field (multiplied by the missing-rate option)
MISSING: dict[str, dict[str, float]] = {
    "civil_status": {"birth_date": 0.002, "sex": 0.002, "ethnicity": 0.015, "nationality": 0.01,
                     "birth_place": 0.02, "hometown": 0.04, "father_name": 0.04, "mother_name": 0.008,
                     "registration_place": 0.005, "registration_date": 0.01},
    "household": {"full_name": 0.0005, "birth_date": 0.004, "sex": 0.004, "ethnicity": 0.03, "religion": 0.25,
                  "hometown": 0.08, "residence": 0.005, "cmnd": 0.30, "head_name": 0.002,
                  "relation_to_head": 0.01},
    "citizen_id": {"birth_date": 0.001, "sex": 0.002, "ethnicity": 0.01, "hometown": 0.01, "residence": 0.01,
                   "issue_date": 0.02, "issue_place": 0.01},
}

DATE_STYLES = ("dmy", "iso", "d/m/y")


@dataclass
class Records:
    source: str
    person: np.ndarray  # int32 person index per record, in file order
    a: dict[str, np.ndarray]  # structured attributes
    cols: dict[str, np.ndarray] = field(default_factory=dict)  # rendered text (object arrays, None = empty)
    missing: dict[str, np.ndarray] = field(default_factory=dict)
    date_style: str = "dmy"

    @property
    def n(self) -> int:
        return len(self.person)


# ---------------------------------------------------------------- place strings per commune
def _commune_strings() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    g = geography()
    addr = np.array([g.address(i) for i in range(len(g.commune))], dtype=object)
    ubnd = np.empty(len(g.commune), dtype=object)
    for i in range(len(g.commune)):
        c, d = g.commune[i], g.district[i]
        p = PROVINCES[g.province[i]]
        prov = f"{'tỉnh' if p.kind == 'Tỉnh' else 'thành phố'} {p.name}"
        ubnd[i] = f"UBND {c[0].lower()}{c[1:]}, {d[0].lower()}{d[1:]}, {prov}"
    hosp = np.empty(len(g.commune), dtype=object)
    for i in range(len(g.commune)):
        p = PROVINCES[g.province[i]]
        hosp[i] = f"Trạm Y tế {g.commune[i]}, {g.district[i]}, {p.kind} {p.name}"
    return addr, ubnd, hosp


_CACHE: dict[str, np.ndarray] = {}


def commune_text(kind: str) -> np.ndarray:
    if not _CACHE:
        _CACHE["address"], _CACHE["ubnd"], _CACHE["station"] = _commune_strings()
        _CACHE["hospital"] = np.array(
            [f"Bệnh viện Đa khoa {p.kind.lower()} {p.name}" if p.kind == "Tỉnh" else f"Bệnh viện Phụ sản {p.name}"
             for p in PROVINCES], dtype=object)
    return _CACHE[kind]


# ---------------------------------------------------------------- choosing the records
def _person_attrs(P: Population, idx: np.ndarray) -> dict[str, np.ndarray]:
    return {
        "surname": P.surname[idx].copy(), "middle": P.middle[idx].copy(), "given": P.given[idx].copy(),
        "famlast": np.array([nm.SCHEMES[s].family_last for s in range(len(nm.SCHEMES))])[P.scheme[idx]],
        "sex": P.sex[idx].copy(), "scheme": P.scheme[idx].copy(), "dob": P.dob[idx].copy(),
        "year_only": P.year_only[idx].copy(), "hometown": P.hometown[idx].copy(),
    }


def _cat(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _sel(d: dict[str, np.ndarray], idx: np.ndarray) -> dict[str, np.ndarray]:
    return {k: v[idx] for k, v in d.items()}


def assemble(P: Population, rng: np.random.Generator, duplicate_rate: float,
             reregistration_rate: float = 0.0) -> dict[str, Records]:
    n = P.n
    by = P.birth_year
    first_twin = np.where((P.twin >= 0) & (P.twin < np.arange(n)), P.twin, np.arange(n))
    age = (REF - P.dob).astype(int) / YEAR_DAYS

    # ---- coverage
    cs_p = np.select([by >= 2000, by >= 1990, by >= 1975, by >= 1960], [0.93, 0.8, 0.55, 0.35], 0.15)
    in_cs = (rng.random(n) < cs_p)[first_twin]
    hh_cov = rng.random(P.households.n) < 0.95
    in_hh = hh_cov[P.household] & (rng.random(n) < 0.97)
    holder = ~np.isnat(P.cccd_issue) | (P.cmnd >= 0)
    in_cid = holder & (rng.random(n) < 0.92)
    none = ~(in_cs | in_hh | in_cid)
    in_hh |= none

    # ---- civil status: one registration each, sometimes a later re-registration (đăng ký lại)
    cs_p_idx = np.nonzero(in_cs)[0]
    rereg = cs_p_idx[rng.random(len(cs_p_idx)) < reregistration_rate]
    cs_person = np.concatenate([cs_p_idx, rereg])
    cs = _person_attrs(P, cs_person)
    k = len(rereg)
    reg_date = P.reg_date[cs_person].copy()
    late = np.maximum(reg_date[-k:] + 365 * DAY, np.datetime64("2000-01-01")) if k else reg_date[:0]
    span = (REF - late).astype(int) if k else np.zeros(0, int)
    if k:
        reg_date[-k:] = late + (rng.random(k) * np.maximum(span, 1)).astype("int64") * DAY
    reg_comm = P.reg_commune[cs_person].copy()
    if k:
        reg_comm[-k:] = np.where(rng.random(k) < 0.7, P.households.commune[P.household[rereg]], reg_comm[-k:])
    cs["father_name"] = P.father_name[cs_person].copy()
    cs["mother_name"] = P.mother_name[cs_person].copy()
    cs["reg_commune"] = reg_comm
    cs["reg_date"] = reg_date
    cs["birth_commune"] = P.birth_commune[cs_person]
    cs_by = by[cs_person]
    u_place = rng.random((n, 2))[first_twin]  # twins were born in the same place
    hosp = (cs_by >= 1990) & (u_place[cs_person, 0] < 0.65)
    cs["birth_kind"] = np.where(hosp, np.where(u_place[cs_person, 1] < 0.6, 1, 2), 0).astype(np.int8)
    reg_year = reg_date.astype("datetime64[Y]").astype(int) + 1970
    cs["has_pid"] = rng.random(len(cs_person)) < np.where(reg_year >= 2016, 0.95, 0.35)
    cs["personal_id"] = P.personal_id[cs_person]
    cs["doc_year"] = reg_year
    # Mã hồ sơ: HT-<province>-<year>-<seq>, numbered in order of registration within province and year
    prov_code = np.array([int(p.code) for p in PROVINCES])[geography().province[reg_comm]]
    order = np.lexsort((rng.random(len(cs_person)), cs_person, reg_date.astype(np.int64), reg_year, prov_code))
    key = prov_code[order] * 10000 + reg_year[order]
    starts = np.r_[0, np.nonzero(key[1:] != key[:-1])[0] + 1]
    seq = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    seq = seq + 1 + rng.integers(0, 40, size=len(starts)).repeat(np.diff(np.r_[starts, len(order)]))
    code = np.char.add(np.char.add(np.char.add("HT-", np.char.zfill(prov_code[order].astype(str), 3)),
                                   np.char.add("-", reg_year[order].astype(str))),
                       np.char.add("-", np.char.zfill(seq.astype(str), 6)))
    cs = _sel(cs, order)
    cs_person = cs_person[order]
    cs["code"] = code.astype(object)
    recs = {"civil_status": Records("civil_status", cs_person.astype(np.int32), cs)}

    # ---- household books: own household; rows left behind after a move; whole books left behind
    hh_p_idx = np.nonzero(in_hh)[0]
    H = P.households
    adults = hh_p_idx[age[hh_p_idx] >= 18]
    stale = adults[rng.random(len(adults)) < duplicate_rate * 0.35 / 0.72]
    old_hh = np.where(rng.random(len(stale)) < 0.5,
                      _same_province_household(rng, H.province, P.household[stale]),
                      rng.integers(0, H.n, size=len(stale)))
    old_hh = np.where(old_hh == P.household[stale], (old_hh + 1) % H.n, old_hh)
    book_dup = np.nonzero(hh_cov & (rng.random(H.n) < duplicate_rate * 0.08 / 3.4))[0]
    dup_members = hh_p_idx[np.isin(P.household[hh_p_idx], book_dup)]
    hh_person = np.concatenate([hh_p_idx, stale, dup_members])
    kinds = np.concatenate([np.zeros(len(hh_p_idx), np.int8), np.ones(len(stale), np.int8),
                            np.full(len(dup_members), 2, np.int8)])
    hh = _person_attrs(P, hh_person)
    book_of = np.concatenate([P.household[hh_p_idx], old_hh, P.household[dup_members]]).astype(np.int32)
    hh["hh"] = book_of
    # relation of a left-behind row to the head of the old book
    head_age = age[H.head[old_hh]]
    diff = head_age - age[stale]
    stale_rel = np.select([diff >= 16, diff <= -18, np.abs(diff) <= 15],
                          [6, np.where(P.sex[stale] == 0, 3, 5), 10], 11)
    hh["relation"] = np.concatenate([P.relation[hh_p_idx], stale_rel, P.relation[dup_members]]).astype(np.int8)
    new_book = {int(b): i for i, b in enumerate(book_dup)}
    dup_new_comm = random_commune(rng, np.where(rng.random(len(book_dup)) < 0.6, H.province[book_dup],
                                                rng.integers(0, len(PROVINCES), len(book_dup))).astype(np.int16))
    dup_book_no = rng.integers(10**8, 10**9, size=len(book_dup))
    residence = H.address[book_of].copy()
    residence_c = H.commune[book_of].copy()
    book = H.book[book_of].copy()
    m = kinds == 2
    if m.any():
        j = np.array([new_book[int(b)] for b in book_of[m]])
        residence_c[m] = dup_new_comm[j]
        nums = rng.integers(1, 20, size=len(book_dup))
        addr2 = np.array([f"Thôn {nums[q]}, {commune_text('address')[dup_new_comm[q]]}" for q in range(len(book_dup))],
                         dtype=object)
        residence[m] = addr2[j]
        book[m] = np.char.zfill(dup_book_no[j].astype(str), 9).astype(object)
    hh["residence"] = residence
    hh["residence_c"] = residence_c
    hh["book"] = book
    hh["head_name"] = P.full_name[H.head[book_of]]
    hh["religion"] = H.religion[P.household[hh_person]]
    has_cmnd = P.cmnd[hh_person] >= 0
    has_cccd = ~np.isnat(P.cccd_issue[hh_person])
    use9 = has_cmnd & (~has_cccd | (rng.random(len(hh_person)) < 0.6) | (kinds > 0))
    hh["cmnd_kind"] = np.where(use9, 1, np.where(has_cccd, 2, 0)).astype(np.int8)
    hh["cmnd"] = P.cmnd[hh_person]
    hh["personal_id"] = P.personal_id[hh_person]
    hh["doc_year"] = np.maximum(by[hh_person], rng.integers(1988, 2023, size=len(hh_person)))
    hh["slot"] = np.concatenate([P.slot[hh_p_idx], np.full(len(stale), 20), P.slot[dup_members]]).astype(np.int16)
    order = np.lexsort((hh["slot"], hh["book"].astype(str)))
    hh = _sel(hh, order)
    hh_person = hh_person[order]
    hh["kind"] = kinds[order]
    recs["household"] = Records("household", hh_person.astype(np.int32), hh)

    # ---- citizen-ID archive: the current card, sometimes the old CMND as well
    cid_p = np.nonzero(in_cid)[0]
    cur_cccd = ~np.isnat(P.cccd_issue[cid_p])
    both = cid_p[cur_cccd & (P.cmnd[cid_p] >= 0)]
    old = both[rng.random(len(both)) < duplicate_rate * 0.45 / 0.55]
    # a CMND number issued twice: keep both old cards in the archive
    shared = both[((P.tags[both] & 8) > 0) & ~np.isin(both, old) & (duplicate_rate > 0)]
    old = np.sort(np.concatenate([old, shared]))
    cid_person = np.concatenate([cid_p, old])
    ckind = np.concatenate([cur_cccd.astype(np.int8), np.zeros(len(old), np.int8)])
    cid = _person_attrs(P, cid_person)
    cid["kind"] = ckind
    cid["number"] = np.where(ckind == 1, P.personal_id[cid_person], P.cmnd[cid_person])
    cid["issue"] = np.where(ckind == 1, P.cccd_issue[cid_person], P.cmnd_issue[cid_person])
    cid["cmnd_province"] = P.cmnd_province[cid_person]
    cur_addr = H.address[P.household[cid_person]]
    cur_c = H.commune[P.household[cid_person]]
    moved = (ckind == 0) & (rng.random(len(cid_person)) < 0.3)
    old_c = random_commune(rng, np.maximum(P.cmnd_province[cid_person], 0))
    nums = rng.integers(1, 20, size=len(cid_person))
    res = cur_addr.copy()
    res_c = cur_c.copy()
    mi = np.nonzero(moved)[0]
    res[mi] = np.array([f"Thôn {nums[q]}, {commune_text('address')[old_c[q]]}" for q in mi], dtype=object)
    res_c[mi] = old_c[mi]
    cid["residence"] = res
    cid["residence_c"] = res_c
    cid["doc_year"] = cid["issue"].astype("datetime64[Y]").astype(int) + 1970
    num_txt = np.where(ckind == 1, np.char.zfill(cid["number"].astype(str), 12),
                       np.char.zfill(cid["number"].astype(str), 9))
    order = np.lexsort((cid_person, num_txt))
    cid = _sel(cid, order)
    cid_person = cid_person[order]
    recs["citizen_id"] = Records("citizen_id", cid_person.astype(np.int32), cid)
    return recs


def _same_province_household(rng: np.random.Generator, hprov: np.ndarray, own: np.ndarray) -> np.ndarray:
    order = np.argsort(hprov, kind="stable")
    first = np.searchsorted(hprov[order], np.arange(len(PROVINCES)))
    count = np.bincount(hprov, minlength=len(PROVINCES))
    p = hprov[own]
    pick = first[p] + np.floor(rng.random(len(own)) * np.maximum(count[p], 1)).astype(np.int64)
    return order[np.minimum(pick, len(order) - 1)]


# ---------------------------------------------------------------- missing cells
def decide_missing(recs: dict[str, Records], rng: np.random.Generator, missing_rate: float) -> None:
    for s, r in recs.items():
        for f in FIELDS[s]:
            p = MISSING[s].get(f, 0.0) * missing_rate
            r.missing[f] = rng.random(r.n) < min(p, 1.0) if p > 0 else np.zeros(r.n, bool)
        if s == "civil_status":
            r.missing["personal_id"] |= ~r.a["has_pid"]
        if s == "household":
            r.missing["cmnd"] |= r.a["cmnd_kind"] == 0


# ---------------------------------------------------------------- rendering clean text
def format_dates(d: np.ndarray, style: str) -> np.ndarray:
    """Dates (datetime64[D], NaT allowed) as text in a file's main style."""
    arr = pa.array(d.astype("datetime64[D]"), from_pandas=True)
    if style == "iso":
        txt = pc.strftime(arr, format="%Y-%m-%d")
    elif style == "d/m/y":
        txt = pc.strftime(arr, format="%d/%m/%Y")
        txt = pc.replace_substring_regex(txt, r"^0", "")
        txt = pc.replace_substring_regex(txt, r"/0(\d)/", r"/\1/")
    else:
        txt = pc.strftime(arr, format="%d/%m/%Y")
    return np.asarray(txt.to_numpy(zero_copy_only=False), dtype=object)


def birth_text(dob: np.ndarray, year_only: np.ndarray, style: str) -> np.ndarray:
    out = format_dates(dob, style)
    yr = (dob.astype("datetime64[Y]").astype(int) + 1970).astype(str)
    out[year_only] = yr[year_only].astype(object)
    return out


def full_names(a: dict[str, np.ndarray]) -> np.ndarray:
    return _compose(a["surname"], a["middle"], a["given"], a["famlast"])


SEX_TEXT = np.array(["Nam", "Nữ"], dtype=object)
CCCD_AUTHORITY = ("Cục Cảnh sát ĐKQL cư trú và DLQG về dân cư", "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
                  "Bộ Công an")


def issue_places(kind: np.ndarray, issue: np.ndarray, cmnd_prov: np.ndarray, residence_c: np.ndarray) -> np.ndarray:
    geo = geography()
    police = np.array([f"Công an {'tỉnh' if p.kind == 'Tỉnh' else 'TP.'} {p.name}" for p in PROVINCES], dtype=object)
    out = police[np.maximum(cmnd_prov, 0)].copy()
    year = issue.astype("datetime64[Y]").astype(int) + 1970
    ha_tay = np.isin(np.array(geo.district_name, dtype=object)[residence_c], HA_TAY_DISTRICTS)
    out[(kind == 0) & (year < 2008) & ha_tay & (cmnd_prov == 0)] = "Công an tỉnh Hà Tây"
    auth = np.where(issue < np.datetime64("2021-01-01"), 0, np.where(issue < np.datetime64("2024-07-01"), 1, 2))
    out = np.where(kind == 1, np.array(CCCD_AUTHORITY, dtype=object)[auth], out)
    return out


def render(recs: dict[str, Records]) -> None:
    """Fills `cols` of every source with the clean text (missing cells as None)."""
    eth = nm.ethnicity_names()
    addr = commune_text("address")
    for s, r in recs.items():
        a = r.a
        c: dict[str, np.ndarray] = {}
        c["full_name"] = full_names(a)
        c["birth_date"] = birth_text(a["dob"], a["year_only"], r.date_style)
        c["sex"] = SEX_TEXT[a["sex"]]
        c["ethnicity"] = eth[a["scheme"]]
        c["hometown"] = addr[a["hometown"]]
        if s == "civil_status":
            c["record_id"] = a["code"]
            c["nationality"] = np.full(r.n, "Việt Nam", dtype=object)
            bk = a["birth_kind"]
            prov = geography().province[a["birth_commune"]]
            c["birth_place"] = np.where(bk == 1, commune_text("hospital")[prov],
                                        np.where(bk == 2, commune_text("station")[a["birth_commune"]],
                                                 addr[a["birth_commune"]]))
            c["father_name"] = a["father_name"]
            c["mother_name"] = a["mother_name"]
            c["personal_id"] = np.char.zfill(a["personal_id"].astype(str), 12).astype(object)
            c["registration_place"] = commune_text("ubnd")[a["reg_commune"]]
            c["registration_date"] = format_dates(a["reg_date"], r.date_style)
        elif s == "household":
            c["household_id"] = a["book"]
            c["head_name"] = a["head_name"]
            c["relation_to_head"] = np.array(RELATIONS, dtype=object)[a["relation"]]
            c["record_id"] = a["ma_nk"]
            c["religion"] = np.array(RELIGIONS, dtype=object)[a["religion"]]
            c["residence"] = a["residence"]
            nine = np.char.zfill(np.maximum(a["cmnd"], 0).astype(str), 9)
            twelve = np.char.zfill(a["personal_id"].astype(str), 12)
            c["cmnd"] = np.where(a["cmnd_kind"] == 1, nine, twelve).astype(object)
        else:
            c["id_number"] = np.where(a["kind"] == 1, np.char.zfill(a["number"].astype(str), 12),
                                      np.char.zfill(a["number"].astype(str), 9)).astype(object)
            c["residence"] = a["residence"]
            c["issue_date"] = format_dates(a["issue"], r.date_style)
            c["issue_place"] = issue_places(a["kind"], a["issue"], a["cmnd_province"], a["residence_c"])
        for f in FIELDS[s]:
            col = np.asarray(c[f], dtype=object)
            col = col.copy()
            col[r.missing[f]] = None
            c[f] = col
        r.cols = {f: c[f] for f in FIELDS[s]}


def assign_household_ids(recs: dict[str, Records], rng: np.random.Generator) -> None:
    """MA_NK: numeric member codes, consecutive in file order from a random start."""
    r = recs["household"]
    start = int(rng.integers(10**9, 5 * 10**9))
    r.a["ma_nk"] = np.char.mod("%d", np.arange(start, start + r.n, dtype=np.int64)).astype(object)
