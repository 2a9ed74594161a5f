"""Bad-input corpus (issue #6): every way an input file can be broken, with the exact outcome of each.

Each case builds its file in code (no stored fixtures) and ends in one of two ways:
- `Fails`: `linkage ingest` stops with one clear line (exit code 2, no traceback) naming the file (or the
  mapping file) and the problem;
- `Loads`: the broken rows are in `rejected` with the stage and a reason, the good rows of the same file are in
  `records`, and rows read == rows in `records` + rows in `rejected` + blank rows counted by the ingest.
No message or reason may carry a name or an ID number from the data (`PII`).

`test_bad_file_through_run_and_load` takes a few cases through the whole CLI (`run` then `load`) beside a small
valid base drawn from data/sample/ and checks the accounting identity of load's `accounting.json`."""

from __future__ import annotations

import csv
import io
import json
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from cli import main
from linkage.ingest import IngestReport, ingest
from linkage.normalise.apply import normalise
from linkage.normalise.encodings import encode_text

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"

HEADER = ["Mã hồ sơ", "Họ và tên", "Ngày sinh", "Giới tính", "Số định danh cá nhân"]
GOOD = [
    ["HT-01", "Nguyễn Văn An", "01/02/1990", "Nam", "001090012345"],
    ["HT-02", "Trần Thị Bích", "15/11/1985", "Nữ", "001185004321"],
    ["HT-03", "Lê Văn Cường", "1960", "Nam", ""],
    ["HT-04", "Đặng Ngọc Ánh", "07/03/1975", "Nữ", ""],
]
BAD_NAME = "Phạm Thị Dung"  # the name on the broken row of a case
LAST_NAME = "Hồ Văn Em"  # a good row after the broken one
# Names and ID numbers that may appear in the data: never in a message or a reason.
PII = [r[1] for r in GOOD] + [r[4] for r in GOOD if r[4]] + [BAD_NAME, LAST_NAME, "Phạm", "Dung", "038090001234",
                                                                "00109001234", "0011850043210", "12345678"]


# --- building files ----------------------------------------------------------------------------------------

def csv_text(rows: list[list[str]], header: list[str] | None = None, sep: str = ",") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\n")
    w.writerows([header or HEADER, *rows])
    return buf.getvalue()


GOOD_CSV = csv_text(GOOD)  # 4 data rows, the broken row (if any) is row 5, a good one after it row 6


def bad_row(name: str = BAD_NAME, birth: str = "1970", sex: str = "Nữ", pid: str = "") -> str:
    return f"HT-05,{name},{birth},{sex},{pid}\n"


LAST = f"HT-06,{LAST_NAME},1971,Nam,\n"


@dataclass
class Input:
    name: str  # file name inside the case's folder ("" for the folder itself)
    kind: str = "civil_status"
    options: dict[str, str] = field(default_factory=dict)  # ingest keyword → value (CLI: --key value)
    path: str = ""


Builder = Callable[[Path], Input]


def file_case(name: str, content: bytes | str | Callable[[], bytes | str], kind: str = "civil_status",
              **options: str) -> Builder:
    def build(d: Path) -> Input:
        data = content() if callable(content) else content
        (d / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return Input(name, kind, dict(options))
    return build


def xlsx_bytes(fill: Callable[[Any], None], patch: list[tuple[bytes, bytes]] | None = None) -> bytes:
    """A workbook built with openpyxl, its first sheet's XML optionally patched (cached formula values and
    error cells, which openpyxl cannot write)."""
    wb = openpyxl.Workbook()
    fill(wb)
    buf = io.BytesIO()
    wb.save(buf)
    if not patch:
        return buf.getvalue()
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                for old, new in patch:
                    assert old in data, old
                    data = data.replace(old, new)
            dst.writestr(item, data)
    return out.getvalue()


def good_sheet(wb: Any, title: str = "Danh sách") -> Any:
    ws = wb.active
    ws.title = title
    ws.append(HEADER)
    for r in GOOD:
        ws.append(r)
    return ws


def parquet_bytes(columns: dict[str, pa.Array | list[Any]]) -> bytes:
    buf = io.BytesIO()
    pq.write_table(pa.table(columns), buf)
    return buf.getvalue()


PQ_BASE = {"Số CMND/CCCD": ["001090012345", "001185004321"], "Họ và tên": [GOOD[0][1], GOOD[1][1]]}


def random_bytes(n: int, seed: int = 6) -> bytes:
    return random.Random(seed).randbytes(n)


# --- outcomes ------------------------------------------------------------------------------------------------

@dataclass
class Fails:
    """`linkage ingest` exits with code 2 and one line: `<where>: … <needle> …`."""

    needle: str
    where: str = "file"  # "file": the input path starts the line; "mapping": the mapping file's path; "": none


@dataclass
class Loads:
    """Ingest and normalise succeed. `kept`: data rows in `records`; `rejected`: row → (stage, reason start);
    `blank`: blank rows the ingest counted; `note`: a substring of one of the file's report notes."""

    kept: list[int]
    rejected: dict[int, tuple[str, str]] = field(default_factory=dict)
    blank: int = 0
    note: str | None = None
    check: Callable[[duckdb.DuckDBPyConnection, IngestReport, str], None] | None = None


@dataclass
class Case:
    id: str
    build: Builder
    expect: Fails | Loads


def records(con: duckdb.DuckDBPyConnection, path: str, cols: str) -> list[tuple[Any, ...]]:
    return con.execute(f'SELECT {cols} FROM records WHERE file = ? ORDER BY "row"', [path]).fetchall()


def raw(con: duckdb.DuckDBPyConnection, kind: str, path: str, cols: str) -> list[tuple[Any, ...]]:
    return con.execute(f'SELECT {cols} FROM raw_{kind} WHERE file = ? ORDER BY "row"', [path]).fetchall()


def ok_rows(n: int, *, skip: tuple[int, ...] = ()) -> list[int]:
    return [i for i in range(1, n + 1) if i not in skip]


# --- checks run after a case loads ------------------------------------------------------------------------------

def check_stray_quote(con: duckdb.DuckDBPyConnection, rep: IngestReport, path: str) -> None:
    assert raw(con, "civil_status", path, "full_name")[4] == ('Phạm "Thị" Dung',)


def check_utf16(con: duckdb.DuckDBPyConnection, rep: IngestReport, path: str) -> None:
    assert raw(con, "civil_status", path, "full_name") == [(r[1],) for r in GOOD]


def check_ignored(expected: list[str]) -> Callable[..., None]:
    def check(con: duckdb.DuckDBPyConnection, rep: IngestReport, path: str) -> None:
        assert rep.files[0].ignored_columns == expected
    return check


def check_date(row: int, flag: str) -> Callable[..., None]:
    """The impossible date is dropped (no birth date), the row kept, the problem flagged."""
    def check(con: duckdb.DuckDBPyConnection, rep: IngestReport, path: str) -> None:
        got = dict((r[0], r[1:]) for r in records(con, path, '"row", birth_date, birth_day, birth_month, flags'))
        assert got[row][:3] == (None, None, None)
        assert flag in got[row][3]
        assert got[1][0] is not None and got[1][0].isoformat() == "1990-02-01"  # the good rows keep theirs
    return check


def check_id(row: int, status: str, flag: str, column: str = "personal_id", value: str | None = None
             ) -> Callable[..., None]:
    def check(con: duckdb.DuckDBPyConnection, rep: IngestReport, path: str) -> None:
        got = {r[0]: r[1:] for r in records(con, path, f'"row", {column}, personal_id_status, flags')}
        assert got[row] == (value, status, got[row][2]) and flag in got[row][2]
    return check


def check_merged(con: duckdb.DuckDBPyConnection, rep: IngestReport, path: str) -> None:
    got = raw(con, "civil_status", path, '"row", full_name, birth_place')
    assert got == [(1, GOOD[0][1], "Hà Nội"), (2, GOOD[1][1], "Hà Nội"), (3, GOOD[2][1], "Hà Nội"),
                   (4, GOOD[3][1], None)]


def check_cached_formulas(con: duckdb.DuckDBPyConnection, rep: IngestReport, path: str) -> None:
    got = raw(con, "civil_status", path, '"row", full_name, birth_date')
    assert got[4] == (5, "Trần Thị", "1990")


def check_sheet(title: str) -> Callable[..., None]:
    def check(con: duckdb.DuckDBPyConnection, rep: IngestReport, path: str) -> None:
        assert rep.files[0].sheet == title
    return check


def check_parquet_dates(con: duckdb.DuckDBPyConnection, rep: IngestReport, path: str) -> None:
    got = records(con, path, '"row", birth_date, birth_date_precision, flags')
    assert [(r[0], r[1].isoformat() if r[1] else None, r[2]) for r in got] == [
        (1, "1990-02-01", "day"), (2, "1985-11-15", "day"), (3, None, None)]
    assert "date_unparsed" in got[2][3]


def check_parquet_float_id(con: duckdb.DuckDBPyConnection, rep: IngestReport, path: str) -> None:
    assert raw(con, "citizen_id", path, "record_id, id_number") == [
        ("1090012345", "1090012345"), ("79123456789", "79123456789")]


# --- the file variants ---------------------------------------------------------------------------------------

def truncated_mid_utf8() -> bytes:
    """A file with hardly any diacritics (an ASCII-only export) cut inside the last row's `ữ`."""
    text = csv_text([["HT-01", "Nguyen Van An", "1990", "Nam", ""], ["HT-02", "Tran Thi Bich", "1985", "Nu", ""]],
                    header=["Ma ho so", "Ho va ten", "Ngay sinh", "So dinh danh", "Gioi tinh"])
    data = (text + "HT-05,Pham Thi Dung,1970,,Nữ").encode("utf-8")
    return data[:-2]  # the first byte of `ữ` (3 bytes) is kept


def mixed(encoding: str) -> bytes:
    return GOOD_CSV.encode() + encode_text(bad_row(), encoding) + LAST.encode()


def with_field(header: list[str], rows: list[list[str]]) -> str:
    return csv_text(rows, header=header)


def ten_mb() -> str:
    return GOOD_CSV + bad_row(name="A" * (10 * 1024 * 1024)) + LAST


def xlsx_merged(wb: Any) -> None:
    ws = wb.active
    ws.append([*HEADER, "Nơi sinh"])
    for r in GOOD:
        ws.append(r)
    ws["F2"] = "Hà Nội"
    ws.merge_cells("F2:F4")  # one birth place for rows 1-3


def xlsx_formulas(wb: Any) -> None:
    ws = good_sheet(wb)
    ws.append(["HT-05", '=CONCATENATE("Trần ","Thị")', "=1989+1", "Nữ", ""])
    ws.append(["HT-06", LAST_NAME, "1971", "Nam", ""])


CACHED = [(b'<f>CONCATENATE("Tr\xe1\xba\xa7n ","Th\xe1\xbb\x8b")</f><v /></c>',
           b'<f>CONCATENATE("Tr\xe1\xba\xa7n ","Th\xe1\xbb\x8b")</f><v>Tr\xe1\xba\xa7n Th\xe1\xbb\x8b</v></c>'),
          (b'<c r="B6">', b'<c r="B6" t="str">'),
          (b"<f>1989+1</f><v /></c>", b"<f>1989+1</f><v>1990</v></c>")]
ERROR_CELL = [(b'<c r="B6"><f>CONCATENATE', b'<c r="B6" t="e"><f>CONCATENATE'),
              (b'("Tr\xe1\xba\xa7n ","Th\xe1\xbb\x8b")</f><v /></c>', b'("Tr\xe1\xba\xa7n ","Th\xe1\xbb\x8b")</f><v>#REF!</v></c>')]


def xlsx_empty_text_formula(wb: Any) -> None:
    ws = good_sheet(wb)
    ws.append(["HT-05", BAD_NAME, "1970", "Nữ", '=IF(1=0,"x","")'])


# Excel stores the empty text a formula returned as an empty value of type `str`: computed, not missing.
EMPTY_TEXT = [(b'<c r="E6"><f>IF(1=0,"x","")</f><v /></c>', b'<c r="E6" t="str"><f>IF(1=0,"x","")</f><v></v></c>')]


def check_empty_text_formula(con: duckdb.DuckDBPyConnection, rep: IngestReport, path: str) -> None:
    assert raw(con, "civil_status", path, "full_name, personal_id")[4] == (BAD_NAME, None)


def xlsx_sheets(wb: Any) -> None:
    wb.active.title = "Hướng dẫn"
    wb.active.append(["Điền danh sách vào trang sau"])
    ws = wb.create_sheet("Danh sách")
    ws.append(HEADER)
    for r in GOOD:
        ws.append(r)
    other = wb.create_sheet("Bổ sung")
    other.append(HEADER)
    other.append(["HT-09", BAD_NAME, "1970", "Nữ", ""])
    wb.create_sheet("Trống")


def xlsx_empty_first(wb: Any) -> None:
    wb.active.title = "Trống"
    ws = wb.create_sheet("Danh sách")
    ws.append(HEADER)
    for r in GOOD:
        ws.append(r)


def xlsx_all_empty(wb: Any) -> None:
    wb.active.title = "Sheet1"
    wb.create_sheet("Sheet2")


def corrupt_parquet() -> bytes:
    data = parquet_bytes(PQ_BASE)
    return data[: len(data) // 2]


def mapping(d: Path, text: str | bytes, name: str = "map.yaml") -> str:
    p = d / name
    p.write_bytes(text.encode() if isinstance(text, str) else text)
    return str(p)


def with_mapping(csv_name: str, content: str, yaml_text: str) -> Builder:
    def build(d: Path) -> Input:
        (d / csv_name).write_text(content, encoding="utf-8")
        return Input(csv_name, options={"mapping": mapping(d, yaml_text)})
    return build


def missing_path(d: Path) -> Input:
    return Input("khong_co.csv")


def folder_path(d: Path) -> Input:
    (d / "thu_muc.csv").mkdir()
    return Input("thu_muc.csv")


def unknown_kind(d: Path) -> Input:
    (d / "x.csv").write_text(GOOD_CSV, encoding="utf-8")
    return Input("x.csv", kind="birth_records")


# --- the corpus ------------------------------------------------------------------------------------------------

R_FIELDS = "wrong number of fields"
CUT = "; the file ends inside this row (cut short?)"

CASES = [
    # truncated files
    Case("truncated-mid-row", file_case("a.csv", GOOD_CSV + "HT-05,Phạm Thị Dung,19"),
         Loads(ok_rows(4), {5: ("ingest", f"{R_FIELDS}: expected 5, found 3{CUT}")})),
    Case("truncated-mid-quoted-field", file_case("a.csv", GOOD_CSV + 'HT-05,"Phạm Thị'),
         Loads(ok_rows(4), {5: ("ingest", f"broken quoting: a quoted field is never closed{CUT}")})),
    Case("truncated-mid-utf8-character", file_case("a.csv", truncated_mid_utf8),
         Loads(ok_rows(2), {3: ("ingest", f"invalid UTF-8 bytes in the row (another encoding pasted in, or the file "
                                          f"cut short?){CUT}")})),
    # empty files
    Case("empty-0-bytes", file_case("a.csv", b""), Fails("the file is empty")),
    Case("empty-header-only", file_case("a.csv", csv_text([])),
         Loads([], note="no data rows: the file holds only its header")),
    Case("empty-only-blank-lines", file_case("a.csv", "\n\r\n   \n\n"), Fails("the file is empty (no header row)")),
    Case("empty-header-and-blank-lines", file_case("a.csv", csv_text([]) + "\n,,,,\n\n"),
         Loads([], blank=3, note="no data rows: the file holds only its header and blank rows")),
    # binary garbage
    Case("binary-random-bytes", file_case("a.csv", lambda: random_bytes(4000)),
         Fails("not a CSV, Excel (.xlsx) or Parquet file: it looks like binary data")),
    Case("binary-png-renamed-csv", file_case("a.csv", lambda: b"\x89PNG\r\n\x1a\n" + random_bytes(500)),
         Fails("not a CSV, Excel (.xlsx) or Parquet file: it looks like a PNG image")),
    Case("binary-zip-renamed-csv",
         file_case("a.csv", lambda: _zip_of({"ho_tich.csv": GOOD_CSV})),
         Fails("a ZIP archive, not an Excel workbook: extract the CSV, .xlsx or Parquet file from it")),
    Case("xlsx-renamed-csv", file_case("a.csv", lambda: xlsx_bytes(good_sheet)), Loads(ok_rows(4))),
    # encodings
    Case("encoding-declared-utf8-file-cp1258",
         file_case("a.csv", lambda: encode_text(GOOD_CSV, "cp1258"), encoding="utf-8"),
         Fails("cannot decode the file as utf-8 (given): invalid byte")),
    Case("encoding-declared-tcvn3-file-utf8", file_case("a.csv", GOOD_CSV, encoding="tcvn3"),
         Fails("the file was read as tcvn3, as given with --encoding: is that right?")),
    Case("encoding-mixed-utf8-and-cp1258", file_case("a.csv", lambda: mixed("cp1258")),
         Loads(ok_rows(6, skip=(5,)), {5: ("ingest", "invalid UTF-8 bytes in the row")})),
    Case("encoding-mixed-utf8-and-tcvn3", file_case("a.csv", lambda: mixed("tcvn3")),
         Loads(ok_rows(6, skip=(5,)), {5: ("ingest", "invalid UTF-8 bytes in the row")})),
    Case("encoding-utf16-with-bom", file_case("a.csv", GOOD_CSV.encode("utf-16")),
         Loads(ok_rows(4), check=check_utf16)),
    Case("encoding-utf16le-without-bom", file_case("a.csv", GOOD_CSV.encode("utf-16-le")),
         Loads(ok_rows(4), check=check_utf16)),
    Case("encoding-utf16be-without-bom", file_case("a.csv", GOOD_CSV.encode("utf-16-be")),
         Loads(ok_rows(4), check=check_utf16)),
    # delimiters and quoting
    Case("delimiter-row-with-semicolons", file_case("a.csv", GOOD_CSV + bad_row().replace(",", ";") + LAST),
         Loads(ok_rows(6, skip=(5,)), {5: ("ingest", f"{R_FIELDS}: expected 5, found 1 (this row seems to be "
                                                     "separated by semicolons, the file by commas)")})),
    Case("quote-unclosed-mid-file", file_case("a.csv", GOOD_CSV + 'HT-05,"Phạm Thị Dung,1970,Nữ,\n' + LAST),
         Loads(ok_rows(6, skip=(5,)), {5: ("ingest", "broken quoting: a quote opened on this row is not closed")})),
    Case("quote-stray-inside-unquoted-field", file_case("a.csv", GOOD_CSV + bad_row('Phạm "Thị" Dung') + LAST),
         Loads(ok_rows(6), check=check_stray_quote)),
    Case("quote-stray-after-quoted-field", file_case("a.csv", GOOD_CSV + bad_row('"Phạm" Thị Dung') + LAST),
         Loads(ok_rows(6, skip=(5,)), {5: ("ingest", "broken quoting: a quote inside a quoted field is not doubled")})),
    Case("fields-too-many", file_case("a.csv", GOOD_CSV + bad_row().rstrip("\n") + ",x,y\n" + LAST),
         Loads(ok_rows(6, skip=(5,)), {5: ("ingest", f"{R_FIELDS}: expected 5, found 7")})),
    Case("fields-too-few", file_case("a.csv", GOOD_CSV + f"HT-05,{BAD_NAME}\n" + LAST),
         Loads(ok_rows(6, skip=(5,)), {5: ("ingest", f"{R_FIELDS}: expected 5, found 2")})),
    # headers
    Case("header-duplicated-used",
         file_case("a.csv", with_field(["Mã hồ sơ", "Họ và tên", "Họ và tên"], [["HT-01", GOOD[0][1], "x"]])),
         Fails("the header 'Họ và tên' appears more than once (columns 2 and 3): rename the copies")),
    Case("header-duplicated-unused",
         file_case("a.csv", with_field(["Mã hồ sơ", "Họ và tên", "Ghi chú", "Ghi chú"], [["HT-01", GOOD[0][1], "", ""]])),
         Loads([1], check=check_ignored(["Ghi chú", "Ghi chú"]))),
    Case("header-no-name-column", file_case("a.csv", with_field(["Mã hồ sơ", "Ngày sinh"], [["HT-01", "1990"]])),
         Fails("no name column recognised (expected a header such as 'Họ và tên', 'HO_TEN' or 'Full name', or name "
               "the column in a mapping file (--mapping)); columns: Mã hồ sơ, Ngày sinh")),
    Case("header-unknown-extra-columns",
         file_case("a.csv", with_field([*HEADER, "Cột lạ", "XYZ_123"], [[*GOOD[0], "a", "b"]])),
         Loads([1], check=check_ignored(["Cột lạ", "XYZ_123"]))),
    Case("header-nul-byte", file_case("a.csv", GOOD_CSV.replace("Họ và tên", "Họ và\x00tên", 1)),
         Fails("a NUL byte in the header row (column 2)")),
    # field contents
    Case("field-10-mb", file_case("a.csv", ten_mb),
         Loads(ok_rows(6, skip=(5,)), {5: ("ingest", "a field longer than 131,072 characters")})),
    Case("field-nul-byte-used-column", file_case("a.csv", GOOD_CSV + bad_row("Phạm\x00Thị Dung") + LAST),
         Loads(ok_rows(6, skip=(5,)), {5: ("ingest", "a NUL byte in column 'Họ và tên'")})),
    Case("field-nul-byte-unused-column",
         file_case("a.csv", with_field([*HEADER, "Ghi chú"], [[*GOOD[0], "a\x00b"]])), Loads([1])),
    # impossible dates: the row is kept without a birth date, the date flagged
    Case("date-31-february", file_case("a.csv", GOOD_CSV + bad_row(birth="31/02/1990")),
         Loads(ok_rows(5), check=check_date(5, "date_impossible_date"))),
    Case("date-day-0-month-13", file_case("a.csv", GOOD_CSV + bad_row(birth="00/13/2000")),
         Loads(ok_rows(5), check=check_date(5, "date_impossible_date"))),
    Case("date-year-0000", file_case("a.csv", GOOD_CSV + bad_row(birth="01/01/0000")),
         Loads(ok_rows(5), check=check_date(5, "date_implausible_year"))),
    Case("date-in-the-future", file_case("a.csv", GOOD_CSV + bad_row(birth="01/01/2090")),
         Loads(ok_rows(5), check=check_date(5, "date_implausible_year"))),
    # ID numbers: the row is kept with no valid ID (and the problem flagged), or rejected if it has nothing else
    Case("id-11-digits", file_case("a.csv", GOOD_CSV + bad_row(pid="00109001234")),
         Loads(ok_rows(5), check=check_id(5, "invalid", "id_lost_leading_zero_unverified"))),
    Case("id-13-digits", file_case("a.csv", GOOD_CSV + bad_row(pid="0011850043210")),
         Loads(ok_rows(5), check=check_id(5, "invalid", "id_bad_length"))),
    Case("id-letters-O-and-l", file_case("a.csv", GOOD_CSV + bad_row(pid="O0l090012345")),
         Loads(ok_rows(5), check=check_id(5, "invalid", "id_bad_characters"))),
    Case("id-cmnd-8-digits", file_case("hk.csv", "MA_NK,HO_TEN,SO_CMND\nNK-1,Phạm Thị Dung,12345678\n",
                                       kind="household"),
         Loads([1], check=check_id(1, "missing", "id_leading_zero_restored", column="cmnd", value="012345678"))),
    Case("id-letters-and-no-name", file_case("a.csv", GOOD_CSV + bad_row(name="", pid="ABCDEFGHIJKL") + LAST),
         Loads(ok_rows(6, skip=(5,)), {5: ("normalise", "no usable name and no usable ID number")})),
    # Excel
    Case("xlsx-merged-cells", file_case("a.xlsx", lambda: xlsx_bytes(xlsx_merged)),
         Loads(ok_rows(4), note="1 merged cell range(s) over several rows", check=check_merged)),
    Case("xlsx-formulas-with-cached-values", file_case("a.xlsx", lambda: xlsx_bytes(xlsx_formulas, CACHED)),
         Loads(ok_rows(6), check=check_cached_formulas)),
    Case("xlsx-formulas-without-cached-values", file_case("a.xlsx", lambda: xlsx_bytes(xlsx_formulas)),
         Loads(ok_rows(6, skip=(5,)), {5: ("ingest", "a formula without a stored value in column 'Họ và tên' "
                                                     "(open the file in Excel and save it again)")})),
    Case("xlsx-formula-cached-empty-text",
         file_case("a.xlsx", lambda: xlsx_bytes(xlsx_empty_text_formula, EMPTY_TEXT)),
         Loads(ok_rows(5), check=check_empty_text_formula)),
    Case("xlsx-error-value", file_case("a.xlsx", lambda: xlsx_bytes(xlsx_formulas, ERROR_CELL)),
         Loads(ok_rows(6, skip=(5,)), {5: ("ingest", "an Excel error value (#REF!) in column 'Họ và tên'")})),
    Case("xlsx-several-sheets", file_case("a.xlsx", lambda: xlsx_bytes(xlsx_sheets)),
         Loads(ok_rows(4), note="sheet(s) Bổ sung not read: give --sheet", check=check_sheet("Danh sách"))),
    Case("xlsx-several-sheets-chosen", file_case("a.xlsx", lambda: xlsx_bytes(xlsx_sheets), sheet="Bổ sung"),
         Loads([1], check=check_sheet("Bổ sung"))),
    Case("xlsx-empty-first-sheet", file_case("a.xlsx", lambda: xlsx_bytes(xlsx_empty_first)),
         Loads(ok_rows(4), note="read sheet 'Danh sách': no header recognised on sheet(s) Trống")),
    Case("xlsx-every-sheet-empty", file_case("a.xlsx", lambda: xlsx_bytes(xlsx_all_empty)),
         Fails("every sheet is empty (sheets: Sheet1, Sheet2)")),
    Case("xlsx-empty-sheet-chosen", file_case("a.xlsx", lambda: xlsx_bytes(xlsx_sheets), sheet="Trống"),
         Fails("the sheet 'Trống' is empty (no header row)")),
    # Parquet
    Case("parquet-dates-as-int",
         file_case("a.parquet", lambda: parquet_bytes({**PQ_BASE, "Số CMND/CCCD": ["001090012345", "001185004321", None],
                                                       "Họ và tên": [GOOD[0][1], GOOD[1][1], GOOD[2][1]],
                                                       "Ngày sinh": pa.array([19900201, 19851115, 0], pa.int64())}),
                   kind="citizen_id"),
         Loads([1, 2, 3], check=check_parquet_dates)),
    Case("parquet-id-as-float",
         file_case("a.parquet", lambda: parquet_bytes({**PQ_BASE, "Số CMND/CCCD": [1090012345.0, 79123456789.0]}),
                   kind="citizen_id"),
         Loads([1, 2], note="column 'Số CMND/CCCD' holds numbers (DOUBLE), not text: ID numbers that began with 0",
               check=check_parquet_float_id)),
    Case("parquet-struct-column",
         file_case("a.parquet", lambda: parquet_bytes({**PQ_BASE, "Ngày sinh": [{"d": 1, "m": 2, "y": 1990}, None]}),
                   kind="citizen_id"),
         Fails("column 'Ngày sinh' holds struct values (STRUCT(d BIGINT, m BIGINT, y BIGINT)), not text")),
    Case("parquet-list-column",
         file_case("a.parquet", lambda: parquet_bytes({**PQ_BASE, "Họ và tên": [["Nguyễn", "An"], ["Trần", "Bích"]]}),
                   kind="citizen_id"),
         Fails("column 'Họ và tên' holds list values (VARCHAR[]), not text")),
    Case("parquet-struct-column-unused",
         file_case("a.parquet", lambda: parquet_bytes({**PQ_BASE, "Ghi chú": [{"a": 1}, {"a": 2}]}), kind="citizen_id"),
         Loads([1, 2], check=check_ignored(["Ghi chú"]))),
    Case("parquet-corrupt", file_case("a.parquet", corrupt_parquet, kind="citizen_id"),
         Fails("cannot read the Parquet file (damaged, cut short, or not Parquet)")),
    # mapping files, paths, kinds
    Case("mapping-unknown-column", with_mapping("a.csv", GOOD_CSV, "civil_status:\n  full_name: TEN_KHONG_CO\n"),
         Fails("column 'TEN_KHONG_CO' (for full_name) is not in this file; its columns are: Mã hồ sơ, Họ và tên")),
    Case("mapping-unknown-field", with_mapping("a.csv", GOOD_CSV, "civil_status:\n  ho_ten: Họ và tên\n"),
         Fails("civil_status: unknown field 'ho_ten'", where="mapping")),
    Case("mapping-not-yaml", with_mapping("a.csv", GOOD_CSV, "civil_status:\n  full_name: [Họ và tên\n  x: : :\n"),
         Fails("the mapping file is not valid YAML: line 3, column 4: expected ',' or ']', but got ':'",
               where="mapping")),
    Case("path-does-not-exist", missing_path, Fails("file not found")),
    Case("path-is-a-folder", folder_path, Fails("is a folder, not a file")),
    Case("unknown-source-kind", unknown_kind,
         Fails("unknown source kind 'birth_records' in --source", where="")),
]


def _zip_of(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buf.getvalue()


def test_corpus_size_and_ids() -> None:
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)


def assert_no_pii(text: str) -> None:
    for value in PII:
        assert value not in text, f"{value!r} in {text!r}"


def _options(inp: Input) -> list[str]:
    return [a for k, v in inp.options.items() for a in (f"--{k}", v)]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    inp = case.build(d)
    inp.path = str(d / inp.name)
    if isinstance(case.expect, Fails):
        _expect_failure(case.expect, inp, tmp_path)
    else:
        _expect_load(case.expect, inp)


def _expect_failure(expect: Fails, inp: Input, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["ingest", "--db", str(tmp_path / "ws.duckdb"),
                                       "--source", f"{inp.kind}={inp.path}", *_options(inp)])
    out = result.output
    assert result.exit_code == 2, out
    assert "Traceback" not in out and not isinstance(result.exception, (AssertionError, TypeError, KeyError))
    lines = out.strip().splitlines()
    assert len(lines) == 1, out
    line = lines[0]
    if expect.where == "file":
        assert line.startswith(f"Error: {inp.path}: "), line
    elif expect.where == "mapping":
        assert line.startswith(f"Error: {inp.options['mapping']}: "), line
    assert expect.needle in line, line
    assert_no_pii(line)


def _expect_load(expect: Loads, inp: Input) -> None:
    con = duckdb.connect()
    try:
        rep = ingest(con, [(inp.kind, inp.path)], **inp.options)
        normalise(con)
        f = rep.files[0]
        kept = [r[0] for r in records(con, inp.path, '"row"')]
        rejected = {r[0]: (r[1], r[2]) for r in con.execute(
            'SELECT "row", stage, reason FROM rejected WHERE file = ? ORDER BY "row"', [inp.path]).fetchall()}
        n_rejected = con.execute("SELECT count(*) FROM rejected WHERE file = ?", [inp.path]).fetchone()[0]
        assert kept == expect.kept
        assert set(rejected) == set(expect.rejected), rejected
        for row, (stage, reason) in expect.rejected.items():
            assert rejected[row][0] == stage and rejected[row][1].startswith(reason), rejected[row]
        assert f.blank == expect.blank
        # nothing dropped silently: every row read is kept, rejected or counted blank, and only once
        assert n_rejected == len(rejected)
        assert f.rows_read == len(kept) + len(rejected) + f.blank
        assert not set(kept) & set(rejected)
        assert set(kept) | set(rejected) <= set(range(1, f.rows_read + 1))
        assert f.rejected == sum(1 for s, _ in rejected.values() if s == "ingest")
        if expect.note:
            assert any(expect.note in n for n in f.notes), f.notes
        for text in [*(r for _, r in rejected.values()), *f.notes]:
            assert_no_pii(text)
        if expect.check:
            expect.check(con, rep, inp.path)
    finally:
        con.close()


# --- the whole CLI: run + load beside a valid base --------------------------------------------------------------

BASE_ROWS = 30
E2E = ["truncated-mid-row", "encoding-mixed-utf8-and-cp1258", "field-nul-byte-used-column",
       "xlsx-formulas-without-cached-values", "id-letters-and-no-name"]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The first rows of each bundled sample file, and a model trained once on them (reused by every run)."""
    d = tmp_path_factory.mktemp("base")
    for kind in ("civil_status", "household", "citizen_id"):
        lines = (SAMPLE / f"{kind}.csv").read_bytes().splitlines(keepends=True)
        (d / f"{kind}.csv").write_bytes(b"".join(lines[: BASE_ROWS + 1]))
    result = CliRunner().invoke(main, ["run", "--db", str(d / "ws.duckdb"), *_base_sources(d), "--out", str(d / "out")])
    assert result.exit_code == 0, result.output
    return d, d / "out" / "model.json"


def _base_sources(d: Path) -> list[str]:
    return [a for k in ("civil_status", "household", "citizen_id") for a in ("--source", f"{k}={d / f'{k}.csv'}")]


@pytest.mark.parametrize("case", [c for c in CASES if c.id in E2E], ids=lambda c: c.id)
def test_bad_file_through_run_and_load(case: Case, base: tuple[Path, Path], tmp_path: Path) -> None:
    base_dir, model = base
    assert isinstance(case.expect, Loads)
    d = tmp_path / "in"
    d.mkdir()
    inp = case.build(d)
    inp.path = str(d / inp.name)
    db = str(tmp_path / "ws.duckdb")
    runner = CliRunner()
    result = runner.invoke(main, ["run", "--db", db, *_base_sources(base_dir), "--source", f"{inp.kind}={inp.path}",
                                  "--model", str(model), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["load", "--db", db, "--out", str(tmp_path / "final")])
    assert result.exit_code == 0, result.output
    acc = json.loads((tmp_path / "final" / "accounting.json").read_text(encoding="utf-8"))
    for kind, c in acc["by_source"].items():
        assert c["rows_in"] == c["loaded"] + c["pending"] + c["rejected"] + c["blank"], (kind, c)
    bad_rows = max([*case.expect.kept, *case.expect.rejected])
    assert acc["by_source"][inp.kind]["rows_in"] == BASE_ROWS + bad_rows
    assert acc["by_source"][inp.kind]["rejected"] == len(case.expect.rejected)
    assert acc["rows_in"] == 3 * BASE_ROWS + bad_rows
    assert acc["rows_rejected"] == len(case.expect.rejected)
    rejected = pq.read_table(tmp_path / "out" / "rejected.parquet").to_pylist()
    assert sorted((r["file"], r["row"]) for r in rejected) == [(inp.path, row) for row in sorted(case.expect.rejected)]
    clusters = pq.read_table(tmp_path / "out" / "clusters.parquet", columns=["file", "row"]).to_pylist()
    assert sorted(r["row"] for r in clusters if r["file"] == inp.path) == case.expect.kept


def test_failure_through_run_is_one_line(base: tuple[Path, Path], tmp_path: Path) -> None:
    """A bad file stops `linkage run` before anything is written: exit code 2, one line naming the file."""
    base_dir, model = base
    bad = tmp_path / "rac.csv"
    bad.write_bytes(random_bytes(4000))
    result = CliRunner().invoke(main, ["run", "--db", str(tmp_path / "ws.duckdb"), *_base_sources(base_dir),
                                       "--source", f"civil_status={bad}", "--model", str(model),
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    errors = [ln for ln in result.output.splitlines() if ln.startswith("Error:")]
    assert errors == [f"Error: {bad}: not a CSV, Excel (.xlsx) or Parquet file: it looks like binary data"]
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
