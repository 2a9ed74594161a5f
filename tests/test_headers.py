"""Header recognition (linkage/ingest/headers.py, rules/headers.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from linkage.errors import UserError
from linkage.ingest.headers import (
    DEFAULT_RULES_DIR,
    RAW_FIELDS,
    RECORD_KEY,
    fold_header,
    header_key,
    load_header_rules,
    load_mapping,
    parse_mapping,
    resolve_columns,
)

RULES = load_header_rules()


@pytest.mark.parametrize(
    ("header", "folded"),
    [
        ("Họ và tên", "ho_va_ten"),
        ("  HỌ   VÀ  TÊN ", "ho_va_ten"),
        ("Số CMND/CCCD", "so_cmnd_cccd"),
        ("Đơn vị", "don_vi"),
        ("1. Ngày sinh (*)", "ngay_sinh"),
        ("\ufeffMã hồ sơ", "ma_ho_so"),
        ("Ho\u0323 va\u0300 te\u0302n", "ho_va_ten"),  # NFD input
        ("QUAN_HE_CHU_HO", "quan_he_chu_ho"),
        ("Father's name", "father_s_name"),
        (None, ""),
    ],
)
def test_fold_header(header: str | None, folded: str) -> None:
    assert fold_header(header) == folded


@pytest.mark.parametrize(
    ("kind", "header", "field"),
    [
        # civil status, as exported by the birth-registration software and by hand
        ("civil_status", "Họ và tên", "full_name"),
        ("civil_status", "HỌ VÀ TÊN", "full_name"),
        ("civil_status", "ho va ten", "full_name"),
        ("civil_status", "Ho_Va_Ten", "full_name"),
        ("civil_status", "HoVaTen", "full_name"),
        ("civil_status", "Họ tên", "full_name"),
        ("civil_status", "Full name", "full_name"),
        ("civil_status", "FULL_NAME", "full_name"),
        ("civil_status", "Ngày sinh", "birth_date"),
        ("civil_status", "ngày, tháng, năm sinh", "birth_date"),
        ("civil_status", "Date of birth", "birth_date"),
        ("civil_status", "DOB", "birth_date"),
        ("civil_status", "Ngày sinh (dd/mm/yyyy)", "birth_date"),
        ("civil_status", "Giới tính", "sex"),
        ("civil_status", "Sex", "sex"),
        ("civil_status", "Gender", "sex"),
        ("civil_status", "Dân tộc", "ethnicity"),
        ("civil_status", "Quốc tịch", "nationality"),
        ("civil_status", "Nơi sinh", "birth_place"),
        ("civil_status", "Place of birth", "birth_place"),
        ("civil_status", "Quê quán", "hometown"),
        ("civil_status", "Họ tên cha", "father_name"),
        ("civil_status", "Họ và tên mẹ", "mother_name"),
        ("civil_status", "Mother's name", "mother_name"),
        ("civil_status", "Số định danh cá nhân", "personal_id"),
        ("civil_status", "ID number", "personal_id"),
        ("civil_status", "Nơi đăng ký", "registration_place"),
        ("civil_status", "Ngày đăng ký", "registration_date"),
        # household books: the legacy ASCII names
        ("household", "SO_SO_HK", "household_id"),
        ("household", "HO_TEN_CHU_HO", "head_name"),
        ("household", "QUAN_HE_CHU_HO", "relation_to_head"),
        ("household", "Quan hệ với chủ hộ", "relation_to_head"),
        ("household", "HO_TEN", "full_name"),
        ("household", "NGAY_SINH", "birth_date"),
        ("household", "GIOI_TINH", "sex"),
        ("household", "DAN_TOC", "ethnicity"),
        ("household", "TON_GIAO", "religion"),
        ("household", "NGUYEN_QUAN", "hometown"),
        ("household", "NOI_THUONG_TRU", "residence"),
        ("household", "SO_CMND", "cmnd"),
        # citizen-ID archive: the card number is id_number there
        ("citizen_id", "Số CMND/CCCD", "id_number"),
        ("citizen_id", "Số CCCD", "id_number"),
        ("citizen_id", "Số CMND", "cmnd"),
        ("citizen_id", "Nơi thường trú", "residence"),
        ("citizen_id", "Nơi ĐKHK thường trú", "residence"),
        ("citizen_id", "Ngày cấp", "issue_date"),
        ("citizen_id", "Date of issue", "issue_date"),
        ("citizen_id", "Nơi cấp", "issue_place"),
    ],
)
def test_header_spelling_is_recognised(kind: str, header: str, field: str) -> None:
    cmap = resolve_columns(["Ghi chú", header], kind, RULES)
    assert cmap.fields == {field: 1}
    assert cmap.ignored == ["Ghi chú"]


@pytest.mark.parametrize(
    ("kind", "header"),
    [
        ("civil_status", "Mã hồ sơ"),
        ("civil_status", "MA_HO_SO"),
        ("household", "MA_NK"),
        ("household", "Mã nhân khẩu"),
        ("citizen_id", "Số CMND/CCCD"),
        ("citizen_id", "so cmnd / cccd"),
    ],
)
def test_record_key_column(kind: str, header: str) -> None:
    cmap = resolve_columns(["Họ và tên", header], kind, RULES)
    assert cmap.key == 1


def test_citizen_id_key_is_also_the_id_number_field() -> None:
    cmap = resolve_columns(["Số CMND/CCCD", "Họ và tên", "Ngày sinh"], "citizen_id", RULES)
    assert cmap.key == 0
    assert cmap.fields == {"id_number": 0, "full_name": 1, "birth_date": 2}
    assert cmap.ignored == []
    # the same header in a household book is the old ID number of a member, not the record key
    hh = resolve_columns(["MA_NK", "HO_TEN", "Số CMND/CCCD"], "household", RULES)
    assert (hh.key, hh.fields) == (0, {"full_name": 1, "cmnd": 2})


def test_citizen_archive_with_old_and_new_numbers_keeps_both() -> None:
    cmap = resolve_columns(["Số CMND", "Số CCCD", "Họ và tên"], "citizen_id", RULES)
    assert cmap.fields == {"cmnd": 0, "id_number": 1, "full_name": 2}
    assert cmap.key == 1  # the card number of the row: `Số CCCD` comes before `Số CMND` in record_key
    assert cmap.ignored == []


def test_two_columns_for_one_field_the_earlier_alias_wins() -> None:
    cmap = resolve_columns(["Địa chỉ", "Họ tên", "Nơi thường trú"], "citizen_id", RULES)
    assert cmap.fields["residence"] == 2  # `Nơi thường trú` comes before `Địa chỉ` in the rules
    assert cmap.ignored == ["Địa chỉ (another column gives residence)"]


def test_unknown_and_blank_headers_are_listed() -> None:
    cmap = resolve_columns(["STT", "Họ và tên", "", "Ghi chú"], "civil_status", RULES)
    assert cmap.fields == {"full_name": 1}
    assert cmap.key is None
    assert cmap.ignored == ["STT", "(column 3, no header)", "Ghi chú"]


def test_mapping_overrides_recognition(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(
        "civil_status:\n"
        "  full_name: HỌ TÊN KHAI SINH\n"
        "  record_id: Số hồ sơ gốc\n"
        "  birth_date: null\n"
        "files:\n"
        "  xa_tan_phu.csv:\n"
        "    full_name: Tên\n",
        encoding="utf-8",
    )
    mapping = load_mapping(path)
    header = ["Số hồ sơ gốc", "Họ và tên", "HỌ TÊN KHAI SINH", "Tên", "Ngày sinh", "Giới tính"]
    cmap = resolve_columns(header, "civil_status", RULES, mapping.for_file("civil_status", "data/x.csv"),
                           mapping_path=str(path))
    assert cmap.key == 0
    assert cmap.fields == {"full_name": 2, "sex": 5}
    assert "Ngày sinh" in cmap.ignored  # explicitly not taken
    per_file = mapping.for_file("civil_status", "exports/xa_tan_phu.csv")
    cmap2 = resolve_columns(header, "civil_status", RULES, per_file, mapping_path=str(path))
    assert cmap2.fields["full_name"] == 3
    assert cmap2.headers(header) == {RECORD_KEY: "Số hồ sơ gốc", "full_name": "Tên", "sex": "Giới tính"}


def test_mapping_header_matches_folded_when_not_exact() -> None:
    mapping = parse_mapping({"household": {"full_name": "ho ten nhan khau"}}, "m.yaml")
    cmap = resolve_columns(["MA_NK", "Họ Tên Nhân Khẩu"], "household", RULES, mapping.for_file("household", "a.csv"))
    assert cmap.fields == {"full_name": 1}


def test_mapping_naming_a_missing_column_names_file_and_column() -> None:
    mapping = parse_mapping({"household": {"full_name": "TEN_NK"}}, "rules/map.yaml")
    with pytest.raises(UserError) as err:
        resolve_columns(["MA_NK", "HO_TEN"], "household", RULES, mapping.for_file("household", "hk.csv"),
                        file="hk.csv", mapping_path="rules/map.yaml")
    msg = err.value.format_message()
    assert "rules/map.yaml" in msg and "'TEN_NK'" in msg and msg.startswith("hk.csv: ")
    assert "\n" not in msg


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"civil_status": {"name": "Họ tên"}}, "unknown field 'name'"),
        ({"hotich": {"full_name": "Họ tên"}}, "unknown key 'hotich'"),
        ({"civil_status": ["Họ tên"]}, "expected canonical_field"),
        (["civil_status"], "must be a YAML mapping"),
    ],
)
def test_bad_mapping_file(data: object, needle: str) -> None:
    with pytest.raises(UserError, match=needle):
        parse_mapping(data, "m.yaml")


def test_invalid_yaml_mapping(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("civil_status: [unclosed\n", encoding="utf-8")
    with pytest.raises(UserError, match="not valid YAML"):
        load_mapping(path)
    with pytest.raises(UserError, match="not found"):
        load_mapping(tmp_path / "missing.yaml")


def test_default_rules_are_consistent() -> None:
    data = yaml.safe_load((DEFAULT_RULES_DIR / "headers.yaml").read_text(encoding="utf-8"))
    assert set(data["fields"]) == set(RAW_FIELDS)
    owner: dict[str, str] = {}
    for field, aliases in data["fields"].items():
        for alias in aliases:
            key = header_key(alias)
            assert owner.setdefault(key, field) == field, f"{alias!r} is listed for {owner[key]} and {field}"


def test_user_rules_folder_adds_aliases_first(tmp_path: Path) -> None:
    (tmp_path / "headers.yaml").write_text(
        "fields:\n  full_name: [TEN_CONG_DAN]\n  residence: [Địa chỉ]\n", encoding="utf-8")
    rules = load_header_rules(tmp_path)
    cmap = resolve_columns(["TEN_CONG_DAN", "Địa chỉ", "Nơi thường trú"], "citizen_id", rules)
    assert cmap.fields == {"full_name": 0, "residence": 1}
    (tmp_path / "headers.yaml").write_text("fields:\n  nickname: [Biệt danh]\n", encoding="utf-8")
    with pytest.raises(UserError, match="unknown field 'nickname'"):
        load_header_rules(tmp_path)
