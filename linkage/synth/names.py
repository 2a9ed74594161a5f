"""Name frequency data and vectorised name sampling.

Kinh surnames follow published shares (Nguyễn ≈ 38 % of Kinh, Trần ≈ 11 %, Lê ≈ 9.5 % …); given and middle names
are ranked lists whose weights fall off with rank (a long tail), shifted by birth cohort (older women almost
always Thị, men Văn; younger people Minh, Ngọc, Gia, Bảo …, and four-syllable names). Minorities have their own
naming schemes (Mông A/Thị/Mí, Thái Lò/Lường/Quàng, Ê Đê family name last with Y/H' in front …)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np

# cohorts: 0 born before 1960, 1 born 1960-1989, 2 born 1990 and later
COHORTS = 3


def cohort_of(birth_year: np.ndarray) -> np.ndarray:
    return np.where(birth_year < 1960, 0, np.where(birth_year < 1990, 1, 2)).astype(np.int8)


def _split(s: str) -> list[str]:
    return [w.strip() for w in s.split(",") if w.strip()]


def _ranked(names: list[str], alpha: float = 0.95, offset: float = 4.0) -> np.ndarray:
    r = np.arange(len(names), dtype=float)
    return 1.0 / (r + offset) ** alpha


# ---------------------------------------------------------------- Kinh surnames (share %, regional forms)
KINH_SURNAMES: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 37.0), ("Trần", 11.0), ("Lê", 9.5), ("Phạm", 7.0), ("HOANG", 5.1), ("Phan", 4.5), ("VU", 3.9),
    ("Đặng", 2.1), ("Bùi", 2.0), ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1.0), ("Lý", 0.5),
    ("Đinh", 0.6), ("Đào", 0.6), ("Cao", 0.5), ("Lương", 0.5), ("Lâm", 0.45), ("Mai", 0.45), ("Trương", 0.5),
    ("Trịnh", 0.45), ("Hà", 0.4), ("Tạ", 0.3), ("Tô", 0.3), ("Lưu", 0.3), ("Chu", 0.25), ("Đoàn", 0.4),
    ("Thái", 0.2), ("Quách", 0.15), ("Kiều", 0.15), ("Hứa", 0.1), ("Kim", 0.1), ("La", 0.1), ("Mạc", 0.08),
    ("Nghiêm", 0.1), ("Phùng", 0.25), ("Tăng", 0.1), ("Thân", 0.1), ("Triệu", 0.15), ("Văn", 0.1), ("Vương", 0.15),
    ("Từ", 0.08), ("Tống", 0.1), ("Châu", 0.15), ("Khổng", 0.05), ("Lại", 0.1), ("Giang", 0.08), ("Khúc", 0.04),
    ("Đàm", 0.1), ("Đồng", 0.08), ("Ông", 0.05), ("Quản", 0.04), ("Doãn", 0.06), ("Diệp", 0.05), ("Tôn", 0.04),
    ("Hàn", 0.05), ("Khương", 0.04), ("Cù", 0.04), ("Bạch", 0.04), ("Ninh", 0.05), ("Phí", 0.04), ("Vi", 0.04),
    ("Vy", 0.02), ("Lục", 0.03), ("Âu", 0.03), ("Mẫn", 0.03), ("Lò", 0.02), ("Nông", 0.03),
    ("Tiêu", 0.03), ("Trình", 0.03), ("Lã", 0.04), ("Kha", 0.02), ("Đường", 0.02),
    ("Nhâm", 0.02), ("Ung", 0.02), ("Yên", 0.01), ("Thạch", 0.03), ("Lư", 0.02), ("Mạch", 0.02),
    ("Tôn Thất", 0.05), ("Nguyễn Phúc", 0.03), ("Nguyễn Phước", 0.02), ("Âu Dương", 0.01),
)
# 'HOANG'/'VU' are placeholders: Hoàng in the north, Huỳnh from Quảng Nam southwards; Vũ north, Võ from Nghệ An
_REGIONAL = {"HOANG": ("Hoàng", "Huỳnh"), "VU": ("Vũ", "Võ")}


# ---------------------------------------------------------------- Kinh middle names
MALE_MIDDLE_SINGLE = _split(
    "Văn, Đức, Minh, Quốc, Thanh, Hữu, Công, Ngọc, Xuân, Đình, Quang, Trọng, Gia, Bảo, Hoàng, Anh, Tuấn, Hải, "
    "Mạnh, Duy, Thành, Trung, Chí, Tiến, Nhật, Đăng, Khánh, Phúc, Thế, Bá, Viết, Tấn, Kim, Như, Hoài, Huy, "
    "Phước, Thiện, Trường, Việt, Nam, Hồng, Thái, Vĩnh, Thành, Sỹ, Khắc, Doãn, Nguyên, Tùng, Hiếu, Kiến, Đắc, Cao")
# weights per cohort (old, mid, young); names not listed get (0.6, 0.8, 0.8)
_MALE_MIDDLE_W = {
    "Văn": (70, 42, 10), "Đức": (4, 6, 6), "Minh": (2, 6, 12), "Quốc": (1, 3, 7), "Thanh": (3, 4, 3),
    "Hữu": (5, 5, 3), "Công": (4, 4, 2), "Ngọc": (2, 3, 2), "Xuân": (3, 4, 2), "Đình": (5, 4, 2), "Quang": (2, 4, 5),
    "Trọng": (1, 2, 2), "Gia": (0.2, 0.5, 8), "Bảo": (0.1, 0.5, 6), "Hoàng": (0.5, 2, 6), "Anh": (0.5, 1, 4),
    "Tuấn": (0.5, 1.5, 2), "Hải": (0.5, 1, 2), "Mạnh": (0.5, 1.5, 2), "Duy": (0.5, 1, 4), "Thành": (0.5, 1.5, 2),
    "Trung": (0.5, 1, 2), "Chí": (1, 1.5, 2), "Tiến": (0.5, 1, 2), "Nhật": (0.1, 0.5, 4), "Đăng": (0.3, 0.5, 4),
    "Khánh": (0.1, 0.5, 3), "Phúc": (0.3, 0.5, 2), "Thế": (1.5, 2, 1.5), "Bá": (3, 2, 1), "Viết": (2, 1.5, 0.5),
    "Tấn": (3, 3, 2), "Phước": (1.5, 1, 0.5), "Thiện": (0.3, 0.5, 1.5),
}
MALE_MIDDLE_SECOND = _split("Minh, Gia, Bảo, Anh, Đức, Hoàng, Quang, Nhật, Đăng, Khánh, Thiên, Hải, Trung, Tuấn, Phúc")
FEMALE_MIDDLE_SINGLE = _split(
    "Ngọc, Thu, Thanh, Minh, Phương, Khánh, Bảo, Thảo, Hồng, Kim, Mai, Hoài, Diệu, Mỹ, Quỳnh, Thùy, Yến, Lan, "
    "Tuyết, Bích, Gia, Tường, Cẩm, Như, Hải, Hà, Hoàng, Vân, Tú, Trúc, Thiên, An, Tuệ, Hạnh, Kiều, Ánh, Nguyệt, "
    "Uyên, Xuân, Lệ, Thúy, Huyền, Hương, Linh, Diễm, Nhã, Hiền, Trà, Bội, Châu")
_FEMALE_MIDDLE_W = {
    "Ngọc": (3, 4, 8), "Thu": (4, 4, 3), "Thanh": (3, 3, 3), "Minh": (0.5, 1, 5), "Phương": (0.5, 2, 4),
    "Khánh": (0.1, 0.5, 5), "Bảo": (0.1, 0.5, 6), "Kim": (3, 2, 1), "Mỹ": (1, 2, 2), "Bích": (2, 2, 0.5),
    "Hồng": (3, 3, 1), "Gia": (0.1, 0.3, 4), "Tuệ": (0.1, 0.1, 2), "An": (0.1, 0.3, 3), "Thiên": (0.1, 0.3, 2),
}
# four-syllable women's names without Thị: "Nguyễn Ngọc Bảo Trân", "Phạm Ngọc Khánh Linh"
FEMALE_PAIR_FIRST = _split("Ngọc, Hoàng, Minh, Bảo, Khánh, Phương, Gia, Thanh, Kim, Thu, Hồng, Mỹ, Thiên, Tường, "
                           "Diệu, Hải, An, Tuệ, Quỳnh, Cát")
FEMALE_PAIR_SECOND = _split("Bảo, Khánh, Minh, Phương, Ngọc, Thảo, Gia, An, Diệu, Thanh, Tường, Hoài, Quỳnh, Thùy, "
                            "Như, Mai, Tú, Hà, Thiên, Kim")
FEMALE_THI_SECOND = _split(
    "Thu, Ngọc, Thanh, Kim, Hồng, Mỹ, Bích, Minh, Phương, Thúy, Thùy, Lệ, Tuyết, Mai, Hải, Xuân, Hoài, Diệu, Cẩm, "
    "Quỳnh, Huyền, Kiều, Ánh, Hương, Yến, Bảo, Khánh, Lan, Hà, Thảo, Như, Phượng, Vân, Tố, Hoa, Nguyệt")


# ---------------------------------------------------------------- given names (rough frequency order)
MALE_GIVEN = _split(
    "Hùng, Dũng, Tuấn, Minh, Hải, Nam, Long, Thành, Hưng, Huy, Anh, Quang, Sơn, Phong, Thắng, Trung, Cường, Đức, "
    "Hoàng, Tùng, Hiếu, Khoa, Bình, Lâm, Hòa, Tâm, Phúc, Vinh, Toàn, Tiến, Thịnh, Thái, Hiệp, Việt, Quân, Khánh, "
    "Hậu, Tài, Lộc, Phát, Tín, Nghĩa, Lực, Hào, Hoan, Khải, Kiên, Luân, Mạnh, Nhân, Ninh, Phương, Sang, Tân, "
    "Thanh, Thiện, Thông, Thuận, Trí, Trọng, Tú, Vũ, Vương, Xuân, Bảo, Châu, Công, Cảnh, Chiến, Chính, Đạt, "
    "Điệp, Định, Đông, Duy, Giang, Hà, Hiển, Hội, Học, Hợp, Huân, Khang, Khôi, Kiệt, Lập, Linh, Lợi, Lương, "
    "Nguyên, Nhật, Phi, Quốc, Quý, Quyết, Sinh, Sỹ, Tạo, Thạch, Thăng, Thế, Thiên, Thọ, Tiệp, Tình, Trường, "
    "Tuyên, Tuyến, Uy, Vĩnh, Vỹ, An, Ân, Bách, Bằng, Biên, Bính, Cần, Chung, Cương, Dân, Đại, Đàn, Đăng, Danh, "
    "Đoàn, Dương, Hảo, Hiền, Hiến, Hoài, Hồng, Huấn, Hữu, Khiêm, Khương, Kỳ, Lai, Lân, Lễ, Luận, Lưu, Mẫn, Mến, "
    "Mừng, Năng, Ngọc, Nhàn, Nhuận, Pháp, Phước, Quyền, Sáng, Sâm, Thạnh, Thân, Thiệu, Thìn, Thơ, Thức, Tịnh, "
    "Toản, Trác, Trình, Triều, Trực, Tư, Tuân, Tường, Ước, Vạn, Viễn, Vịnh, Yên, Bắc, Cát, Chánh, Chí, Đảm, "
    "Điền, Đồng, Giáp, Hạnh, Hậu, Hiệu, Hoạt, Khởi, Kha, Khanh, Khuê, Lạc, Lam, Lĩnh, Long, Luyện, Mạnh, Nghị, "
    "Ngạn, Nhất, Phụng, Phượng, Quế, Sương, Tám, Tấn, Thắm, Thể, Thìn, Thước, Tiền, Toại, Trãi, Tráng, Trượng, "
    "Tuệ, Vân, Vui, Xô, Xuyên, Ý, Nhã, Đạo, Hành, Hòa, Kính, Lãm, Phú, Quảng, Sửu, Thịnh, Tý, Hợi, Dần, Ngọ")
FEMALE_GIVEN = _split(
    "Linh, Anh, Hương, Trang, Hà, Lan, Ngọc, Mai, Hằng, Thảo, Phương, Hoa, Nhung, Thủy, Yến, Nga, Hạnh, Dung, "
    "Huyền, Loan, Hiền, Thu, Vân, Oanh, Hồng, Liên, Tuyết, Trinh, Nhi, Vy, Thư, Ngân, My, Quỳnh, Giang, Châu, "
    "Trâm, Uyên, Hân, Chi, Diệp, Hậu, Hoài, Hường, Khánh, Lệ, Lý, Mỹ, Nguyệt, Nhàn, Như, Phượng, Quyên, Sương, "
    "Tâm, Thanh, Thắm, Thơ, Thoa, Thúy, Thùy, Tiên, Trà, Tú, Tươi, Vi, Xuân, Ánh, Bích, Cúc, Diễm, Đào, Duyên, "
    "Gấm, Hải, Hạ, Hiên, Hòa, Huệ, Kiều, Kim, Lài, Lành, Lê, Liễu, Luyến, Lụa, Mến, Minh, Mơ, Na, Nữ, Nương, "
    "Phấn, Phúc, Quế, Sen, Tấm, Thiện, Thương, Tình, Trúc, Tuyền, Uyển, Vàng, Viên, Ái, An, Bảo, Băng, Cẩm, "
    "Chinh, Dịu, Dương, Gái, Hảo, Hoan, Hợp, Huế, Khuê, Lam, Lĩnh, Lộc, Mùi, Mận, Ngà, Nghĩa, Ngoan, Nhạn, "
    "Nhài, Nhị, Nở, Phận, Son, Thêu, Thịnh, Thục, Thường, Tịnh, Trầm, Trân, Tuệ, Vinh, Xoan, Ly, Nhiên, Diệu, "
    "Đông, Giao, Hạnh, Hiếu, Hoàn, Kha, Khanh, Lâm, Lưu, Mẫn, Miên, Nguyên, Nhật, Phụng, Quý, Sa, Tài, Thi, "
    "Thịnh, Thoại, Tiền, Toan, Trang, Trúc, Tường, Uyên, Vĩnh, Yên, Ý, Lựu, Tý, Sửu, Mão, Hợi, Tư, Út, Bảy, "
    "Sáu, Năm, Ba, Chín, Tám, Đậm, Dậu, Thìn, Hòe, Lụa, Nhuần, Thanh Tâm, Phước, Kiểm, Nết")
_YOUNG_MALE = set(_split("Khang, Khôi, Kiệt, Phúc, Bảo, An, Quân, Nhật, Duy, Lâm, Minh, Khoa, Đăng, Huy, Thịnh, "
                         "Phong, Vỹ, Khải, Nguyên, Phát, Tín, Luân, Thiện, Bách, Tuệ, Khanh, Nhã, Kha, Hiếu"))
_OLD_MALE = set(_split("Tý, Sửu, Dần, Ngọ, Hợi, Thìn, Tám, Tư, Xô, Mừng, Nhàn, Tráng, Thước, Trượng, Luyện, Hoạt, "
                       "Lạc, Ước, Đảm, Giáp, Thể, Thắm, Vui, Học, Lễ, Mến, Hợp, Cần, Bính, Thân, Sâm"))
_YOUNG_FEMALE = set(_split("Hân, Nhi, Vy, An, Chi, Diệp, My, Ngân, Thư, Trâm, Khuê, Tuệ, Nhiên, Ly, Linh, Anh, "
                           "Ngọc, Quỳnh, Như, Uyên, Trúc, Bảo, Thi, Nhật, Tiên, Ý, Miên, Khanh, Giao"))
_OLD_FEMALE = set(_split("Tý, Sửu, Mão, Hợi, Mùi, Thìn, Dậu, Gái, Nở, Lài, Nhị, Cúc, Mận, Đào, Lựu, Thêu, Gấm, "
                         "Lụa, Vàng, Tư, Út, Bảy, Sáu, Năm, Ba, Chín, Tám, Đậm, Nương, Tấm, Ngoan, Lành, Son, Phấn, "
                         "Hòe, Nhuần, Kiểm, Nết, Xoan, Thục, Thường, Mến"))

# twins are often given paired names
TWIN_PAIRS_SIMILAR = (("Thanh", "Thành"), ("Linh", "Lan"), ("Khang", "Khanh"), ("Tâm", "Tân"), ("Ngọc", "Ngân"),
                      ("Hà", "Hân"), ("Minh", "Mẫn"), ("Phúc", "Phước"), ("Huy", "Hùng"), ("Vy", "Vi"),
                      ("Long", "Lân"), ("An", "Ân"), ("Quân", "Quang"), ("Trâm", "Trân"), ("Thư", "Thu"))
TWIN_PAIRS_COMPLEMENT = (("Phúc", "Lộc"), ("Long", "Phụng"), ("An", "Khang"), ("Minh", "Mẫn"), ("Bảo", "Ngọc"),
                         ("Kim", "Ngân"), ("Đức", "Trí"), ("Nhân", "Nghĩa"), ("Thành", "Đạt"), ("Song", "Hỷ"))


# ---------------------------------------------------------------- minority naming schemes
@dataclass(frozen=True)
class Scheme:
    key: str
    ethnicity: str  # display name as written in a clean record
    code: str  # official two-digit code
    surnames: tuple[str, ...]
    surname_alpha: float = 1.0
    male_middles: tuple[tuple[str, float], ...] = (("Văn", 1.0),)
    female_middles: tuple[tuple[str, float], ...] = (("Thị", 1.0),)
    male_given: tuple[str, ...] = ()
    female_given: tuple[str, ...] = ()
    kinh_given_share: tuple[float, float, float] = (0.6, 0.7, 0.8)  # by cohort: share of Kinh-style given names
    family_last: bool = False  # Ê Đê, M'nông: given (with Y / H') then family name
    matrilineal: bool = False
    no_surname_share: float = 0.0  # Ba Na, Xơ Đăng: often no family name at all ("A Thoa", "Y Nhi")
    extra: dict = field(default_factory=dict)


def _t(s: str) -> tuple[str, ...]:
    return tuple(_split(s))


SCHEMES: tuple[Scheme, ...] = (
    Scheme("kinh", "Kinh", "01", ()),
    Scheme("tay", "Tày", "02", _t("Hoàng, Nông, Lục, Lương, Hà, Ma, Bế, Đinh, Triệu, Lâm, Nguyễn, Hứa, La, Đàm, Lành, Vi, Mông, Chu"),
           male_middles=(("Văn", 0.8), ("Đức", 0.05), ("Minh", 0.05), ("", 0.1))),
    Scheme("thai", "Thái", "03", _t("Lò, Lường, Quàng, Tòng, Cầm, Vì, Hà, Điêu, Sầm, Mè, Lự, Lèo, Hoàng, Lộc, Vi"),
           male_given=_t("Chăn, Pánh, Ún, Ính, Khăm, Bun, Xuân, Thoong, Quyết, Hoan, Tiến, Phương, Lả, Sinh, Inh, Piếng, Hặc, En, Panh, Xiêng"),
           female_given=_t("Ỏn, Xiêm, Bua, Pọm, Hom, Ngoãn, Lả, Én, Chiến, Lỏn, Ươn, Mai, Hoa, Xuân, Lan, Bích, Ọn, Xương, Pâng, Ính"),
           kinh_given_share=(0.35, 0.5, 0.7)),
    Scheme("hoa", "Hoa", "04", _t("Lý, Trần, Lâm, Quách, Hứa, Lưu, Tăng, Mã, Châu, Huỳnh, Vương, Từ, Diệp, Trương, Lương, Tạ, Quan, Hồng, Dương, Thái, La, Tô, Ngô, Phùng, Lục"),
           male_middles=(("Gia", 0.2), ("Chí", 0.15), ("Tú", 0.1), ("Văn", 0.2), ("Quốc", 0.1), ("Vĩnh", 0.1), ("Kiện", 0.05), ("A", 0.1)),
           female_middles=(("Mỹ", 0.25), ("Huệ", 0.1), ("Thị", 0.2), ("Ngọc", 0.15), ("Tú", 0.1), ("Bội", 0.1), ("Lệ", 0.1))),
    Scheme("khmer", "Khmer", "05", _t("Thạch, Sơn, Kim, Danh, Lâm, Lý, Trần, Châu, Triệu, Thị, Huỳnh, Dương, Mai, Chau, Néang"),
           male_middles=(("", 1.0),), female_middles=(("Thị", 0.45), ("", 0.55)),
           male_given=_t("Sô Phal, Sa Rinh, Chăn Tha, Sóc Khum, Phol, Ry, Thươl, Sa Rây, Sóc Kha, Ra, Khen, Phon, Sang, Chanh, Tha, Sươl, Sóc, Sa Vân, Kim Hoàng, Sa Ret"),
           female_given=_t("Sa Rươl, Sóc Kha, Sa Vy, Mo Ni, Sô Phia, Sa Rết, Nê, Sa Phi, Kim Sa, Chanh Thy, Srey Mom, Sa Ly, Sóc Thia, Sa Rinh, Đa Ni, Sóc Thi, Sà Quết, Mum"),
           kinh_given_share=(0.2, 0.3, 0.45)),
    Scheme("muong", "Mường", "06", _t("Đinh, Bùi, Quách, Hà, Xa, Cao, Bạch, Nguyễn, Phạm, Đinh Công"),
           male_middles=(("Văn", 0.85), ("Công", 0.1), ("", 0.05))),
    Scheme("nung", "Nùng", "07", _t("Hoàng, Nông, Lăng, Lý, Vi, Chu, Mông, Lục, Lành, Triệu, Hứa, Nguyễn, Dương, Hà"),
           male_middles=(("Văn", 0.9), ("", 0.1))),
    Scheme("mong", "Mông", "08", _t("Giàng, Vàng, Sùng, Thào, Mùa, Hầu, Lý, Hạng, Sình, Lầu, Cứ, Tráng, Vừ, Ly, Lù, Má"),
           male_middles=(("A", 0.6), ("Seo", 0.12), ("Văn", 0.2), ("Chứ", 0.04), ("Mí", 0.04)),
           female_middles=(("Thị", 0.6), ("Mí", 0.3), ("", 0.1)),
           male_given=_t("Páo, Chúa, Dế, Sính, Pó, Vừ, Tủa, Lử, Chư, Súa, Dua, Sử, Xá, Nủ, Lềnh, Chứ, Chá, Của, Sình, Tếnh, Pùa, Phềnh, Dình, Lồng, Thề, Tồng, Nhìa, Sếnh, Lâu, Cở, Dí, Chinh"),
           female_given=_t("Mỷ, Máy, Mai, Dở, Sua, Pà, Dợ, Lìa, Chá, Súa, Sở, Dính, Xúa, Ca, Pằng, Mỉ, Nhù, Dê, Lan, Xí, Chía, Vá, Mò, Dúa, Ly, Sình"),
           kinh_given_share=(0.05, 0.15, 0.35)),
    Scheme("dao", "Dao", "09", _t("Triệu, Bàn, Đặng, Lý, Chảo, Phùng, Tẩn, Lò, Dương, Hoàng"),
           male_middles=(("Văn", 0.55), ("Tòn", 0.1), ("Quẩy", 0.1), ("Kiều", 0.05), ("Phù", 0.05), ("Chàn", 0.05), ("Láo", 0.05), ("Sành", 0.05)),
           female_middles=(("Thị", 0.7), ("Mẩy", 0.15), ("Mùi", 0.1), ("", 0.05)),
           male_given=_t("Phin, Chạn, Tả, Chòi, Kiềm, Phu, Lộc, Sinh, Vượng, Tằng, Siểu, Quẩy, Phây, Dào, Kiểm, Sơn"),
           female_given=_t("Dền, Mẩy, Chiêu, Kiều, Nải, Liều, Sai, Xuân, Mai, Hoa, Lan, Dung, Phin, Dào"),
           kinh_given_share=(0.3, 0.45, 0.65)),
    Scheme("gia_rai", "Gia Rai", "10", _t("Ksor, Rơ Mah, Nay, Siu, Rah Lan, Kpă, Rơ Châm, Puih, Kpuih, Rơ Lan, Rcom, Hiao"),
           male_middles=(("", 1.0),), female_middles=(("", 1.0),),
           male_given=_t("Phước, Thim, Bới, Lơng, Hyơn, Huit, Tlưk, Blên, Khăp, Long, Thương, Hyoai, Tuel, Bla, Yoan, Phun, Kông, Dơk, Brơm"),
           female_given=_t("H'Luy, H'Bơ, H'Mai, H'Lan, Hơ Nghi, H'Yơn, H'Ngoa, H'Nhen, Hiền, Hương, Nhiên, H'Dinh, H'Uyn, H'Wen"),
           kinh_given_share=(0.1, 0.2, 0.35), matrilineal=True),
    Scheme("e_de", "Ê Đê", "12", _t("Niê, Ênuôl, Mlô, Êban, Ktla, Byă, Adrơng, Buôn Yă, Kbuôr, Hmok, Knul, Êya, Mjâu, Bkrông, Niê Kdăm, Ayun, Hđơk, Ksơr"),
           male_middles=(("", 1.0),), female_middles=(("", 1.0),),
           male_given=_t("Y Moan, Y Bih, Y Ngông, Y Khu, Y Jút, Y Blang, Y Wai, Y Sinh, Y Thuột, Y Bhin, Y Dhăm, Y Kuăn, Y Tlam, Y Yơn, Y Ju, Y Nhuê, Y Siêm, Y Kông, Y Thông, Y Phun, Y Hoa, Y Jốt, Y Ghi, Y Krăk, Y Hiên, Y Tuấn"),
           female_given=_t("H'Hen, H'Linh, H'Yim, H'Nga, H'Duôn, H'Ben, H'Mai, H'Xuân, H'Rin, H'Blơ, H'Tuyết, H'Jen, H'Ngơn, H'Zê, H'Djuen, H'Nhi, H'Bla, H'Lan, H'Năm, H'Đào, H'Wen, H'Nhung, H'Uyên"),
           kinh_given_share=(0.0, 0.0, 0.0), family_last=True, matrilineal=True),
    Scheme("ba_na", "Ba Na", "13", _t("Đinh"), male_middles=(("Văn", 1.0),),
           male_given=_t("Thoa, Pớt, Sen, Tung, Blới, Ky, Dơn, Rưn, Khưr, Brưi, Hmeo, Djơ, Nhưm, Sơ"),
           female_given=_t("Nhi, Mai, Bíp, Lan, Liên, Huyền, Hoa, Blúp, Hyưch, Jơ, Hnhuơl, Thanh"),
           kinh_given_share=(0.2, 0.3, 0.5), no_surname_share=0.6),
    Scheme("xo_dang", "Xơ Đăng", "14", _t("Đinh, A Lăng, Y Hồ"), male_middles=(("Văn", 1.0),),
           male_given=_t("Thoa, Pớt, Sen, Dũng, Tung, Ky, Dơn, Rưn, Bôn, Khuôi, Nhong, Drai, Vẻ"),
           female_given=_t("Nhi, Mai, Lan, Liên, Huyền, Hoa, Ngọc, Thanh, Drưa, Hnhi, Gơ"),
           kinh_given_share=(0.2, 0.3, 0.5), no_surname_share=0.6),
    Scheme("san_chay", "Sán Chay", "15", _t("Hoàng, Lâm, Trần, Lưu, Đặng, Triệu, Nịnh")),
    Scheme("co_ho", "Cơ Ho", "16", _t("Liêng Hót, Ndu, Kơ Să, Cil, Bon Niêng, Kră Jăn, Ya, Rơ Ông, Kơ Nsơr, Bon Đinh"),
           male_middles=(("", 1.0),), female_middles=(("", 1.0),),
           male_given=_t("K'Brơi, K'Bình, K'Thương, K'Điêu, K'Sa, K'Brẻ, Ha Biên, Ha Nhâm, K'Hiên, K'Dũng"),
           female_given=_t("Ka Nhung, Ka Hơng, Ka Mai, Ka Dịu, Ka Thy, Ka Hoa, Ka Liên, Ka Bình"),
           kinh_given_share=(0.0, 0.1, 0.2), no_surname_share=0.5),
    Scheme("cham", "Chăm", "17", _t("Đàng, Thiên Sanh, Quảng Đại, Lưu, Bá, Tài, Dương, Châu, Thành, Báo, Lộ, Từ, Nguyễn, Trượng, Phú, Mohamad"),
           male_middles=(("Văn", 0.6), ("Năng", 0.2), ("", 0.2)), matrilineal=True),
    Scheme("san_diu", "Sán Dìu", "18", _t("Trương, Diệp, Lý, Tạ, Lục, Đặng, La, Dương, Lam, Nguyễn")),
    Scheme("hre", "Hrê", "19", _t("Đinh, Phạm, Huỳnh, Đinh Văn")),
    Scheme("m_nong", "Mnông", "20", _t("Nđơr, Bđăp, Bon, Liêng, Nơng, Bu Krông, Jơ Lơng, Yơng, K'Lơng, Điểu"),
           male_middles=(("", 1.0),), female_middles=(("", 1.0),),
           male_given=_t("Y Kreng, Y Brơ, Y Jen, Y Phum, Y Suôn, Y Thinh, Y Lơi, Y Ka, Y Bông, Y Dăng, Y Bhiêr"),
           female_given=_t("H'Lim, H'Nhi, H'Drin, H'Vân, H'Toa, H'Mlây, H'Bé, H'Srai, H'Gôn, H'Liên"),
           kinh_given_share=(0.0, 0.05, 0.1), family_last=True),
    Scheme("ra_glai", "Ra Glai", "21", _t("Pinăng, Chamaléa, Katơr, Mấu, Cao, Bo Bo, Ma")),
    Scheme("xtieng", "Xtiêng", "22", _t("Điểu, Thị, Lâm")),
    Scheme("bru", "Bru-Vân Kiều", "23", _t("Hồ, Lê, Kray, Hồ Văn, Ăm, Pả")),
    Scheme("giay", "Giáy", "25", _t("Hoàng, Lù, Vương, Sần, Lò, Giàng, Lồ")),
    Scheme("co_tu", "Cơ Tu", "26", _t("Bríu, Alăng, Bhling, Zơ Râm, Hôih, Ating, Clâu, A Lăng, Coor, Pơloong")),
    Scheme("ma", "Mạ", "28", _t("Điểu, K'Điểu, Ka")),
    Scheme("kho_mu", "Khơ Mú", "29", _t("Lò, Vi, Cụt, Lô, Quàng, Lầu")),
    Scheme("cho_ro", "Chơ Ro", "32", _t("Điểu, Thị, Lâm")),
)
SCHEME_INDEX = {s.key: i for i, s in enumerate(SCHEMES)}
KINH = SCHEME_INDEX["kinh"]


# ---------------------------------------------------------------- vocabularies and samplers
@dataclass
class Vocab:
    values: np.ndarray  # object array of str ('' for empty)
    p: np.ndarray  # probabilities


def _vocab(pairs: list[tuple[str, float]]) -> Vocab:
    merged: dict[str, float] = {}
    for v, w in pairs:
        if w > 0:
            merged[v] = merged.get(v, 0.0) + float(w)
    vals = np.array(list(merged), dtype=object)
    w = np.array(list(merged.values()), dtype=float)
    return Vocab(vals, w / w.sum())


def _cohort_weight(name: str, young: set[str], old: set[str], cohort: int) -> float:
    if name in young:
        return (0.05, 0.6, 3.0)[cohort]
    if name in old:
        return (3.0, 0.8, 0.05)[cohort]
    return 1.0


@cache
def kinh_given(sex: int, cohort: int) -> Vocab:
    names = MALE_GIVEN if sex == 0 else FEMALE_GIVEN
    young, old = (_YOUNG_MALE, _OLD_MALE) if sex == 0 else (_YOUNG_FEMALE, _OLD_FEMALE)
    base = _ranked(names)
    return _vocab([(n, b * _cohort_weight(n, young, old, cohort)) for n, b in zip(names, base, strict=True)])


@cache
def kinh_middle(sex: int, cohort: int) -> Vocab:
    """Middle names (0, 1 or 2 syllables) for Kinh people of a sex and birth cohort."""
    pairs: list[tuple[str, float]] = []
    if sex == 0:
        single = [(m, _MALE_MIDDLE_W.get(m, (0.6, 0.8, 0.8))[cohort]) for m in MALE_MIDDLE_SINGLE]
        tot = sum(w for _, w in single)
        p_two, p_none = (0.02, 0.05, 0.22)[cohort], (0.03, 0.02, 0.01)[cohort]
        pairs += [(m, w / tot * (1 - p_two - p_none)) for m, w in single]
        pairs.append(("", p_none))
        firsts = [(m, w) for m, w in single if m != "Văn"]
        ftot = sum(w for _, w in firsts)
        sec = _ranked(MALE_MIDDLE_SECOND, 0.7)
        sec = sec / sec.sum()
        for m, w in firsts:
            for s, ws in zip(MALE_MIDDLE_SECOND, sec, strict=True):
                if s != m:
                    pairs.append((f"{m} {s}", p_two * w / ftot * ws))
    else:
        p_thi, p_thi2, p_single, p_two = ((0.55, 0.35, 0.08, 0.02), (0.32, 0.40, 0.22, 0.06),
                                          (0.10, 0.15, 0.45, 0.30))[cohort]
        pairs.append(("Thị", p_thi))
        sec = _ranked(FEMALE_THI_SECOND, 0.8)
        sec = sec / sec.sum()
        pairs += [(f"Thị {s}", p_thi2 * w) for s, w in zip(FEMALE_THI_SECOND, sec, strict=True)]
        single = [(m, _FEMALE_MIDDLE_W.get(m, (1.0, 1.0, 1.0))[cohort]) for m in FEMALE_MIDDLE_SINGLE]
        tot = sum(w for _, w in single)
        pairs += [(m, p_single * w / tot) for m, w in single]
        fw = _ranked(FEMALE_PAIR_FIRST, 0.8)
        sw = _ranked(FEMALE_PAIR_SECOND, 0.8)
        fw, sw = fw / fw.sum(), sw / sw.sum()
        for a, wa in zip(FEMALE_PAIR_FIRST, fw, strict=True):
            for b, wb in zip(FEMALE_PAIR_SECOND, sw, strict=True):
                if a != b:
                    pairs.append((f"{a} {b}", p_two * wa * wb))
    return _vocab(pairs)


@cache
def kinh_surnames(region: str) -> Vocab:
    pairs = []
    for s, w in KINH_SURNAMES:
        if s in _REGIONAL:
            north, south = _REGIONAL[s]
            south_share = {"N": 0.02, "C": 0.45 if s == "HOANG" else 0.6, "S": 0.95}[region]
            pairs += [(north, w * (1 - south_share)), (south, w * south_share)]
        elif s in ("Tôn Thất", "Nguyễn Phúc", "Nguyễn Phước"):
            pairs.append((s, w * (4.0 if region == "C" else 0.5)))
        else:
            pairs.append((s, w))
    return _vocab(pairs)


@cache
def minority_vocab(scheme: int, what: str, sex: int, cohort: int) -> Vocab:
    s = SCHEMES[scheme]
    if what == "surname":
        return _vocab(list(zip(s.surnames, _ranked(list(s.surnames), s.surname_alpha, 2.0), strict=True)))
    if what == "middle":
        mids = s.male_middles if sex == 0 else s.female_middles
        if scheme != KINH and mids == (("Văn", 1.0),) and sex == 0:
            mids = (("Văn", 0.85), ("", 0.05), ("Đức", 0.03), ("Minh", 0.04), ("Quang", 0.03))
        if sex == 1 and mids == (("Thị", 1.0),):
            mids = (("Thị", (0.95, 0.85, 0.6)[cohort]), ("Thị Thu", 0.03), ("Thị Ngọc", 0.03), ("Ngọc", 0.05),
                    ("", 0.02), ("Thu", 0.03))
        return _vocab(list(mids))
    # given
    own = s.male_given if sex == 0 else s.female_given
    k_share = s.kinh_given_share[cohort] if own else 1.0
    pairs: list[tuple[str, float]] = []
    if own:
        w = _ranked(list(own), 0.7, 3.0)
        pairs += [(n, (1 - k_share) * x / w.sum()) for n, x in zip(own, w, strict=True)]
    if k_share > 0:
        kv = kinh_given(sex, cohort)
        pairs += [(n, k_share * x) for n, x in zip(kv.values, kv.p, strict=True)]
    return _vocab(pairs)


def _draw(rng: np.random.Generator, v: Vocab, n: int) -> np.ndarray:
    return v.values[rng.choice(len(v.values), size=n, p=v.p)]


def sample_surnames(rng: np.random.Generator, scheme: np.ndarray, region: np.ndarray) -> np.ndarray:
    """Family names for people of naming scheme `scheme` living in region ('N','C','S' as int 0/1/2)."""
    out = np.empty(len(scheme), dtype=object)
    for sc in np.unique(scheme):
        for rg in range(3):
            m = (scheme == sc) & (region == rg)
            n = int(m.sum())
            if not n:
                continue
            v = kinh_surnames("NCS"[rg]) if sc == KINH else minority_vocab(int(sc), "surname", 0, 0)
            out[m] = _draw(rng, v, n)
    return out


def sample_middle_given(rng: np.random.Generator, scheme: np.ndarray, sex: np.ndarray,
                        cohort: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Middle names ('' for none) and given names, vectorised per (scheme, sex, cohort) group."""
    n = len(scheme)
    middle = np.empty(n, dtype=object)
    given = np.empty(n, dtype=object)
    key = scheme.astype(np.int64) * 8 + sex.astype(np.int64) * 4 + cohort.astype(np.int64)
    for k in np.unique(key):
        sc, sx, co = int(k // 8), int((k % 8) // 4), int(k % 4)
        m = key == k
        cnt = int(m.sum())
        if sc == KINH:
            middle[m] = _draw(rng, kinh_middle(sx, co), cnt)
            given[m] = _draw(rng, kinh_given(sx, co), cnt)
        else:
            middle[m] = _draw(rng, minority_vocab(sc, "middle", sx, co), cnt)
            given[m] = _draw(rng, minority_vocab(sc, "given", sx, co), cnt)
    return middle, given


def ethnicity_names() -> np.ndarray:
    return np.array([s.ethnicity for s in SCHEMES], dtype=object)


# Spellings of ethnic group names seen in exports (formatting variants, not disagreements)
ETHNICITY_SPELLINGS: dict[str, tuple[str, ...]] = {
    "Kinh": ("Kinh (Việt)", "Việt", "kinh", "KINH", "Người Kinh"),
    "Tày": ("Tầy", "TÀY", "tày"),
    "Thái": ("Thái Đen", "Thái Trắng", "THÁI"),
    "Hoa": ("Hoa (Hán)", "Hán", "Người Hoa"),
    "Khmer": ("Khơ-me", "Khơ Me", "Khơme", "Khmer Krom", "KHMER"),
    "Mường": ("MƯỜNG", "mường"),
    "Nùng": ("NÙNG", "nùng"),
    "Mông": ("H'Mông", "Hmông", "HMông", "H’Mông", "Hmong"),
    "Dao": ("Dao Đỏ", "Dao Tiền", "DAO"),
    "Gia Rai": ("Jrai", "Gia-rai", "Giarai", "J'rai", "Jarai"),
    "Ê Đê": ("Ê-đê", "Êđê", "Ede", "Rhade"),
    "Ba Na": ("Ba-na", "Bahnar", "Bana"),
    "Xơ Đăng": ("Xơ-đăng", "Sedang", "Xê Đăng"),
    "Sán Chay": ("Sán Chảy", "Cao Lan"),
    "Cơ Ho": ("Cơ-ho", "K'Ho", "Koho"),
    "Chăm": ("Chàm", "Cham"),
    "Sán Dìu": ("SÁN DÌU",),
    "Hrê": ("H're", "H'rê"),
    "Mnông": ("M'Nông", "M’Nông", "Mơ Nông", "Mnong"),
    "Ra Glai": ("Raglai", "Ra-glai"),
    "Xtiêng": ("X'Tiêng", "Stiêng"),
    "Bru-Vân Kiều": ("Vân Kiều", "Bru Vân Kiều", "Bru - Vân Kiều"),
    "Giáy": ("Nhắng",),
    "Cơ Tu": ("Cơ-tu", "Katu"),
    "Mạ": ("MẠ",),
    "Khơ Mú": ("Khơ-mú", "Khmu"),
    "Chơ Ro": ("Chơ-ro", "Châu Ro"),
}
# plausible wrong ethnicity in another document
ETHNICITY_CONFUSIONS: dict[str, tuple[str, ...]] = {
    "Tày": ("Nùng", "Kinh"), "Nùng": ("Tày", "Kinh"), "Thái": ("Tày", "Kinh", "Lào"), "Mường": ("Kinh",),
    "Hoa": ("Kinh",), "Khmer": ("Kinh", "Hoa"), "Sán Dìu": ("Kinh", "Hoa"), "Sán Chay": ("Tày", "Kinh"),
    "Mông": ("Dao", "Kinh"), "Dao": ("Mông", "Kinh"), "Ê Đê": ("Gia Rai", "Mnông"), "Gia Rai": ("Ê Đê", "Ba Na"),
    "Ba Na": ("Xơ Đăng", "Gia Rai"), "Xơ Đăng": ("Ba Na",), "Mnông": ("Ê Đê",), "Kinh": ("Mường", "Tày", "Hoa"),
}
