"""Provinces (pre-2025 codes), their population, ethnic make-up and old CMND police prefixes, and a synthetic
but stable geography of districts and communes under them.

Population: 2019 census, thousands (rounded). Minority shares: 2019 census, rounded (check). CMND prefixes:
the police numbering of the old 9-digit cards as commonly listed (check)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    kind: str  # "Tỉnh" or "Thành phố"
    pop: int
    region: str  # N, C (centre and highlands), S
    cmnd: str
    minorities: tuple[tuple[str, float], ...]


def _p(code, name, kind, pop, region, cmnd, minorities=()):
    return Province(code, name, kind, pop, region, cmnd, tuple(minorities))


T, TP = "Tỉnh", "Thành phố"
PROVINCES: tuple[Province, ...] = (
    _p("001", "Hà Nội", TP, 8054, "N", "01", [("muong", .008), ("tay", .003), ("dao", .001)]),
    _p("002", "Hà Giang", T, 854, "N", "07", [("mong", .33), ("tay", .23), ("dao", .15), ("nung", .09), ("giay", .02)]),
    _p("004", "Cao Bằng", T, 530, "N", "08", [("tay", .41), ("nung", .32), ("mong", .10), ("dao", .10), ("san_chay", .01)]),
    _p("006", "Bắc Kạn", T, 314, "N", "09", [("tay", .52), ("dao", .17), ("nung", .09), ("mong", .07)]),
    _p("008", "Tuyên Quang", T, 785, "N", "07", [("tay", .26), ("dao", .11), ("san_chay", .08), ("mong", .03), ("nung", .02)]),
    _p("010", "Lào Cai", T, 731, "N", "06", [("mong", .25), ("tay", .15), ("dao", .14), ("giay", .05), ("nung", .04)]),
    _p("011", "Điện Biên", T, 599, "N", "04", [("thai", .38), ("mong", .35), ("kho_mu", .03), ("dao", .01)]),
    _p("012", "Lai Châu", T, 460, "N", "04", [("thai", .32), ("mong", .25), ("dao", .13), ("giay", .04)]),
    _p("014", "Sơn La", T, 1249, "N", "05", [("thai", .54), ("mong", .16), ("muong", .07), ("dao", .02), ("kho_mu", .01)]),
    _p("015", "Yên Bái", T, 822, "N", "06", [("tay", .19), ("dao", .10), ("mong", .11), ("thai", .06), ("muong", .03)]),
    _p("017", "Hòa Bình", T, 855, "N", "11", [("muong", .64), ("thai", .04), ("dao", .02), ("tay", .03)]),
    _p("019", "Thái Nguyên", T, 1287, "N", "09", [("tay", .10), ("nung", .05), ("san_diu", .02), ("dao", .02), ("san_chay", .02)]),
    _p("020", "Lạng Sơn", T, 782, "N", "08", [("nung", .42), ("tay", .36), ("dao", .04), ("san_chay", .01)]),
    _p("022", "Quảng Ninh", T, 1320, "N", "10", [("dao", .05), ("tay", .04), ("san_diu", .02), ("san_chay", .01)]),
    _p("024", "Bắc Giang", T, 1804, "N", "12", [("nung", .05), ("tay", .04), ("san_chay", .02), ("san_diu", .02)]),
    _p("025", "Phú Thọ", T, 1464, "N", "13", [("muong", .14), ("dao", .01)]),
    _p("026", "Vĩnh Phúc", T, 1152, "N", "13", [("san_diu", .03)]),
    _p("027", "Bắc Ninh", T, 1369, "N", "12"),
    _p("030", "Hải Dương", T, 1893, "N", "14"),
    _p("031", "Hải Phòng", TP, 2029, "N", "03"),
    _p("033", "Hưng Yên", T, 1253, "N", "14"),
    _p("034", "Thái Bình", T, 1861, "N", "15"),
    _p("035", "Hà Nam", T, 853, "N", "16"),
    _p("036", "Nam Định", T, 1781, "N", "16"),
    _p("037", "Ninh Bình", T, 983, "N", "16", [("muong", .02)]),
    _p("038", "Thanh Hóa", T, 3641, "C", "17", [("muong", .10), ("thai", .07), ("mong", .005)]),
    _p("040", "Nghệ An", T, 3328, "C", "18", [("thai", .10), ("kho_mu", .01), ("mong", .01)]),
    _p("042", "Hà Tĩnh", T, 1289, "C", "18"),
    _p("044", "Quảng Bình", T, 896, "C", "19", [("bru", .02)]),
    _p("045", "Quảng Trị", T, 633, "C", "19", [("bru", .10)]),
    _p("046", "Thừa Thiên Huế", T, 1129, "C", "19", [("co_tu", .02), ("bru", .01)]),
    _p("048", "Đà Nẵng", TP, 1135, "C", "20"),
    _p("049", "Quảng Nam", T, 1496, "C", "20", [("co_tu", .05), ("xo_dang", .03)]),
    _p("051", "Quảng Ngãi", T, 1232, "C", "21", [("hre", .11), ("xo_dang", .02)]),
    _p("052", "Bình Định", T, 1487, "C", "21", [("ba_na", .02)]),
    _p("054", "Phú Yên", T, 873, "C", "22", [("e_de", .02), ("cham", .02)]),
    _p("056", "Khánh Hòa", T, 1232, "C", "22", [("ra_glai", .05)]),
    _p("058", "Ninh Thuận", T, 591, "C", "26", [("cham", .12), ("ra_glai", .10)]),
    _p("060", "Bình Thuận", T, 1231, "S", "26", [("cham", .03), ("hoa", .01), ("ra_glai", .01)]),
    _p("062", "Kon Tum", T, 541, "C", "23", [("xo_dang", .25), ("ba_na", .12), ("gia_rai", .06)]),
    _p("064", "Gia Lai", T, 1514, "C", "23", [("gia_rai", .30), ("ba_na", .14), ("tay", .01), ("nung", .01)]),
    _p("066", "Đắk Lắk", T, 1870, "C", "24", [("e_de", .18), ("nung", .04), ("tay", .03), ("m_nong", .02), ("mong", .01), ("gia_rai", .01)]),
    _p("067", "Đắk Nông", T, 623, "C", "24", [("m_nong", .10), ("nung", .06), ("tay", .04), ("mong", .04), ("dao", .03), ("e_de", .01)]),
    _p("068", "Lâm Đồng", T, 1297, "C", "25", [("co_ho", .13), ("tay", .02), ("nung", .02), ("ma", .02)]),
    _p("070", "Bình Phước", T, 995, "S", "28", [("xtieng", .10), ("khmer", .02), ("nung", .02), ("tay", .01)]),
    _p("072", "Tây Ninh", T, 1170, "S", "29", [("khmer", .005), ("cham", .003)]),
    _p("074", "Bình Dương", T, 2456, "S", "28", [("hoa", .008), ("khmer", .005), ("tay", .005), ("nung", .005)]),
    _p("075", "Đồng Nai", T, 3097, "S", "27", [("hoa", .03), ("nung", .01), ("tay", .01), ("cho_ro", .005)]),
    _p("077", "Bà Rịa - Vũng Tàu", T, 1149, "S", "27", [("hoa", .01), ("cho_ro", .005)]),
    _p("079", "Hồ Chí Minh", TP, 8993, "S", "02", [("hoa", .043), ("khmer", .004), ("cham", .001)]),
    _p("080", "Long An", T, 1689, "S", "30"),
    _p("082", "Tiền Giang", T, 1765, "S", "31"),
    _p("083", "Bến Tre", T, 1289, "S", "32"),
    _p("084", "Trà Vinh", T, 1010, "S", "33", [("khmer", .31), ("hoa", .01)]),
    _p("086", "Vĩnh Long", T, 1023, "S", "33", [("khmer", .02)]),
    _p("087", "Đồng Tháp", T, 1600, "S", "34"),
    _p("089", "An Giang", T, 1908, "S", "35", [("khmer", .04), ("cham", .01), ("hoa", .005)]),
    _p("091", "Kiên Giang", T, 1723, "S", "37", [("khmer", .12), ("hoa", .02)]),
    _p("092", "Cần Thơ", TP, 1236, "S", "36", [("khmer", .02), ("hoa", .01)]),
    _p("093", "Hậu Giang", T, 733, "S", "36", [("khmer", .03)]),
    _p("094", "Sóc Trăng", T, 1200, "S", "36", [("khmer", .30), ("hoa", .05)]),
    _p("095", "Bạc Liêu", T, 908, "S", "38", [("khmer", .08), ("hoa", .02)]),
    _p("096", "Cà Mau", T, 1194, "S", "38", [("khmer", .02), ("hoa", .01)]),
)

PROVINCE_INDEX = {p.code: i for i, p in enumerate(PROVINCES)}


def province_weights() -> np.ndarray:
    w = np.array([p.pop for p in PROVINCES], dtype=float)
    return w / w.sum()


def full_province(p: Province) -> str:
    return f"{p.kind} {p.name}"


# ---------------------------------------------------------------- districts and communes
_HANOI_URBAN = ("Ba Đình", "Hoàn Kiếm", "Đống Đa", "Hai Bà Trưng", "Cầu Giấy", "Thanh Xuân", "Hoàng Mai",
                "Long Biên", "Tây Hồ", "Bắc Từ Liêm", "Nam Từ Liêm")
# Districts of the former Hà Tây province (merged into Hà Nội on 1 August 2008)
HA_TAY_DISTRICTS = ("Hà Đông", "Sơn Tây", "Ba Vì", "Chương Mỹ", "Đan Phượng", "Hoài Đức", "Mỹ Đức", "Phú Xuyên",
                    "Phúc Thọ", "Quốc Oai", "Thạch Thất", "Thanh Oai", "Thường Tín", "Ứng Hòa")
_HANOI_RURAL = ("Đông Anh", "Gia Lâm", "Sóc Sơn", "Mê Linh", "Thanh Trì")
_HCM_URBAN = ("Quận 1", "Quận 3", "Quận 4", "Quận 5", "Quận 6", "Quận 7", "Quận 8", "Quận 10", "Quận 11",
              "Quận 12", "Bình Thạnh", "Gò Vấp", "Tân Bình", "Tân Phú", "Phú Nhuận", "Bình Tân")
_HCM_RURAL = ("Củ Chi", "Hóc Môn", "Bình Chánh", "Nhà Bè", "Cần Giờ")

_COMMUNE_WORDS = tuple(dict.fromkeys(
    "An Bình Tân Phú Hòa Lợi Phú Lộc Vĩnh Thạnh Hiệp Minh Đông Thành Long Hưng Lập Quang Trung Nghĩa Xuân "
    "Hải Yên Định Phong Điền Thủy Mỹ Hội Khánh Sơn Lâm Hồng Thái Thuận Phước Tiến Tâm Đức Quý Kim Ngọc "
    "Cát Trường Thịnh Lạc Thọ Châu Giang Hà Nam Bắc Tây Hậu Tín Nhơn Hiếu Lương Điền Mỹ Khê Cường Dương "
    "Vĩnh Quảng Ninh Triệu Đồng Hoằng Thiệu Nghi Diễn Cẩm Kỳ Quỳnh Gia Lộc Tường Hương Văn Duy Trà".split(" ")))

# provincial capitals not named after their province
CAPITALS = {"011": "Điện Biên Phủ", "022": "Hạ Long", "025": "Việt Trì", "026": "Vĩnh Yên", "035": "Phủ Lý",
            "040": "Vinh", "044": "Đồng Hới", "045": "Đông Hà", "046": "Huế", "049": "Tam Kỳ", "052": "Quy Nhơn",
            "054": "Tuy Hòa", "056": "Nha Trang", "058": "Phan Rang - Tháp Chàm", "060": "Phan Thiết",
            "064": "Pleiku", "066": "Buôn Ma Thuột", "067": "Gia Nghĩa", "068": "Đà Lạt", "070": "Đồng Xoài",
            "074": "Thủ Dầu Một", "075": "Biên Hòa", "077": "Vũng Tàu", "080": "Tân An", "082": "Mỹ Tho",
            "087": "Cao Lãnh", "089": "Long Xuyên", "091": "Rạch Giá", "093": "Vị Thanh"}
DISTRICTS_PER_PROVINCE = 9
COMMUNES_PER_DISTRICT = 14


@dataclass(frozen=True)
class Geography:
    """Flat table of communes: one row per commune, with province index, district and commune names."""

    province: np.ndarray  # int16, index into PROVINCES
    district: tuple[str, ...]  # e.g. "Huyện Đồng Phú"
    district_name: tuple[str, ...]  # "Đồng Phú"
    commune: tuple[str, ...]  # "Xã Tân Lập"
    urban: np.ndarray  # bool
    first: np.ndarray  # first commune row of each province
    count: np.ndarray  # communes per province

    def address(self, i: int) -> str:
        return f"{self.commune[i]}, {self.district[i]}, {full_province(PROVINCES[self.province[i]])}"


@lru_cache(maxsize=1)
def geography() -> Geography:
    """The same for every seed: a person's home town must not depend on the run's seed."""
    rng = np.random.default_rng(20250701)
    prov, dist, dname, comm, urban = [], [], [], [], []
    for pi, p in enumerate(PROVINCES):
        if p.code == "001":
            dlist = [("Quận", d) for d in _HANOI_URBAN] + [("Huyện", d) for d in _HANOI_RURAL]
            dlist += [("Quận" if d == "Hà Đông" else "Thị xã" if d == "Sơn Tây" else "Huyện", d)
                      for d in HA_TAY_DISTRICTS]
        elif p.code == "079":
            dlist = [("Quận" if d.startswith("Quận") else "Quận", d) for d in _HCM_URBAN]
            dlist = [(k, d) for k, d in dlist] + [("Huyện", d) for d in _HCM_RURAL] + [("Thành phố", "Thủ Đức")]
        else:
            # made-up district names from common place words, so that no real district lands in the wrong province
            names: list[str] = []
            while len(names) < DISTRICTS_PER_PROVINCE - 1:
                a, b = rng.choice(len(_COMMUNE_WORDS), size=2, replace=False)
                nm = f"{_COMMUNE_WORDS[a]} {_COMMUNE_WORDS[b]}"
                if nm not in names:
                    names.append(nm)
            if p.kind == T:  # the provincial capital, a town, rural districts
                dlist = [("Thành phố", CAPITALS.get(p.code, p.name)), ("Thị xã", names[0])]
                dlist += [("Huyện", x) for x in names[1:]]
            else:  # a centrally governed city: urban districts, then rural ones
                dlist = [("Quận", x) for x in names[:4]] + [("Huyện", x) for x in names[4:]]
        for kind, d in dlist:
            is_urban = kind in ("Quận", "Thành phố", "Thị xã")
            n = COMMUNES_PER_DISTRICT
            picks = rng.choice(len(_COMMUNE_WORDS), size=(n, 2), replace=True)
            seen: set[str] = set()
            for k in range(n):
                a, b = _COMMUNE_WORDS[picks[k, 0]], _COMMUNE_WORDS[picks[k, 1]]
                cname = a if a == b else f"{a} {b}"
                if d.startswith("Quận") and k < 6 and rng.random() < 0.5:
                    cname = str(k + 1)  # numbered wards: Phường 1, Phường 2 …
                if cname in seen:
                    continue
                seen.add(cname)
                if is_urban:
                    ctype = "Phường"
                elif k == 0:
                    ctype = "Thị trấn"
                else:
                    ctype = "Xã"
                prov.append(pi)
                dist.append(d if d.startswith("Quận ") else f"{kind} {d}")
                dname.append(d)
                comm.append(f"{ctype} {cname}")
                urban.append(is_urban)
    province = np.array(prov, dtype=np.int16)
    first = np.searchsorted(province, np.arange(len(PROVINCES)))
    count = np.bincount(province, minlength=len(PROVINCES))
    return Geography(province, tuple(dist), tuple(dname), tuple(comm), np.array(urban), first, count)


def random_commune(rng: np.random.Generator, province_idx: np.ndarray) -> np.ndarray:
    """One commune row (index into geography()) per entry of `province_idx`, uniform within the province."""
    g = geography()
    u = rng.random(len(province_idx))
    return (g.first[province_idx] + np.floor(u * g.count[province_idx])).astype(np.int32)
