"""Headers of each export (in several spellings) and writing the files: the three sources as CSV, XLSX or
Parquet (all text), and the truth files as Parquet."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from unidecode import unidecode

from linkage.errors import UserError
from linkage.workspace import sql_string

FILE_STEM = {"civil_status": "civil_status", "household": "household", "citizen_id": "citizen_id"}

HEADERS: dict[str, dict[str, dict[str, str]]] = {
    "civil_status": {
        "default": {"record_id": "Mã hồ sơ", "full_name": "Họ và tên", "birth_date": "Ngày sinh",
                    "sex": "Giới tính", "ethnicity": "Dân tộc", "nationality": "Quốc tịch", "birth_place": "Nơi sinh",
                    "hometown": "Quê quán", "father_name": "Họ tên cha", "mother_name": "Họ tên mẹ",
                    "personal_id": "Số định danh cá nhân", "registration_place": "Nơi đăng ký",
                    "registration_date": "Ngày đăng ký"},
        "english": {"record_id": "Record ID", "full_name": "Full name", "birth_date": "Date of birth",
                    "sex": "Sex", "ethnicity": "Ethnicity", "nationality": "Nationality",
                    "birth_place": "Place of birth", "hometown": "Hometown", "father_name": "Father's name",
                    "mother_name": "Mother's name", "personal_id": "Personal ID",
                    "registration_place": "Registration place", "registration_date": "Registration date"},
    },
    "household": {
        "default": {"household_id": "SO_SO_HK", "head_name": "HO_TEN_CHU_HO", "relation_to_head": "QUAN_HE_CHU_HO",
                    "record_id": "MA_NK", "full_name": "HO_TEN", "birth_date": "NGAY_SINH", "sex": "GIOI_TINH",
                    "ethnicity": "DAN_TOC", "religion": "TON_GIAO", "hometown": "NGUYEN_QUAN",
                    "residence": "NOI_THUONG_TRU", "cmnd": "SO_CMND"},
        "vietnamese": {"household_id": "Số sổ hộ khẩu", "head_name": "Họ tên chủ hộ",
                       "relation_to_head": "Quan hệ với chủ hộ", "record_id": "Mã nhân khẩu",
                       "full_name": "Họ và tên", "birth_date": "Ngày sinh", "sex": "Giới tính", "ethnicity": "Dân tộc",
                       "religion": "Tôn giáo", "hometown": "Nguyên quán", "residence": "Nơi thường trú",
                       "cmnd": "Số CMND"},
        "english": {"household_id": "Household book no", "head_name": "Head of household",
                    "relation_to_head": "Relation to head", "record_id": "Member ID", "full_name": "Full name",
                    "birth_date": "Date of birth", "sex": "Sex", "ethnicity": "Ethnicity", "religion": "Religion",
                    "hometown": "Place of origin", "residence": "Permanent address", "cmnd": "ID card no"},
    },
    "citizen_id": {
        "default": {"id_number": "Số CMND/CCCD", "full_name": "Họ và tên", "birth_date": "Ngày sinh",
                    "sex": "Giới tính", "ethnicity": "Dân tộc", "hometown": "Quê quán",
                    "residence": "Nơi thường trú", "issue_date": "Ngày cấp", "issue_place": "Nơi cấp"},
        "english": {"id_number": "ID number", "full_name": "Full name", "birth_date": "Date of birth",
                    "sex": "Sex", "ethnicity": "Ethnicity", "hometown": "Hometown",
                    "residence": "Permanent residence", "issue_date": "Date of issue", "issue_place": "Place of issue"},
    },
}


def _derive() -> None:
    for src in ("civil_status", "citizen_id"):
        d = HEADERS[src]["default"]
        HEADERS[src]["no_diacritics"] = {k: unidecode(v) for k, v in d.items()}
        HEADERS[src]["upper_snake"] = {k: unidecode(v).upper().replace("/", "_").replace(" ", "_")
                                       for k, v in d.items()}
    d = HEADERS["household"]["default"]
    HEADERS["household"]["lower_snake"] = {k: v.lower() for k, v in d.items()}
    HEADERS["household"]["no_diacritics"] = {k: unidecode(v) for k, v in HEADERS["household"]["vietnamese"].items()}


_derive()
STYLES = {s: tuple(h) for s, h in HEADERS.items()}


def headers(source: str, style: str) -> dict[str, str]:
    if style not in HEADERS[source]:
        raise UserError(f"unknown header style {style!r} for {source}; use one of {', '.join(HEADERS[source])}")
    return HEADERS[source][style]


def write_source(table: pa.Table, out: Path, source: str, fmt: str, bom: bool) -> Path:
    """Writes one export atomically (temp file then rename). All columns are text."""
    path = out / f"{FILE_STEM[source]}.{fmt}"
    tmp = out / f".{path.name}.tmp"
    if fmt == "csv":
        con = duckdb.connect()
        try:
            con.execute("SET preserve_insertion_order = true")
            con.register("t", table)
            plain = out / f".{path.name}.plain.tmp"
            con.execute(f"COPY t TO '{sql_string(plain)}' (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"')")
        finally:
            con.close()
        if bom:
            with open(tmp, "wb") as dst, open(plain, "rb") as src:
                dst.write(b"\xef\xbb\xbf")
                while chunk := src.read(1 << 24):
                    dst.write(chunk)
            plain.unlink()
        else:
            os.replace(plain, tmp)
    elif fmt == "parquet":
        pq.write_table(table, tmp)
    elif fmt == "xlsx":
        if table.num_rows > 1_048_575:
            raise UserError(f"{source}: {table.num_rows} rows do not fit one Excel sheet (1,048,575); use csv")
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet(source)
        ws.append(table.column_names)
        cols = [c.to_pylist() for c in table.columns]
        for row in zip(*cols, strict=True):
            ws.append(list(row))
        wb.save(tmp)
    else:
        raise UserError(f"unknown format {fmt!r}; use csv, xlsx or parquet")
    os.replace(tmp, path)
    return path


def write_parquet(table: pa.Table, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, path)
