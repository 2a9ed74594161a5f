"""Ingestion (linkage/ingest, `linkage ingest`): files → raw_<source>, rejected, ingest_files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import linkage.ingest.core as core
from cli import main
from linkage.errors import UserError
from linkage.ingest import RAW_FIELDS, detect_encoding, ingest
from linkage.ingest.readers import cell_text, sniff_delimiter
from linkage.normalise.encodings import encode_text

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"

CIVIL_HEADER = ["Mã hồ sơ", "Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Quê quán", "Họ tên cha",
                "Họ tên mẹ", "Số định danh cá nhân", "Ghi chú"]
CIVIL_ROWS = [
    ["001", "Nguyễn Văn Hùng", "01/02/1990", "Nam", "Kinh", "Xã Yên Sơn, Huyện Yên Định, Tỉnh Thanh Hóa",
     "Nguyễn Văn Bình", "Trần Thị Lan", "038090001234", ""],
    ["002", "Trần Thị Thủy", "15/11/1985", "Nữ", "Tày", "Phường Đống Đa, Quận Đống Đa, Hà Nội",
     "Trần Đức Minh", "Lê Thị Hoa", "001185004321", "cải chính"],
    ["0003", "Đặng Ngọc Ánh", "1960", "Nữ", "Kinh", "Xã Tân Phú, Huyện Đồng Xoài, Tỉnh Bình Phước",
     "", "Đặng Thị Mỹ", "", ""],
]


def csv_text(header: list[str], rows: list[list[str]], delim: str = ",") -> str:
    def cell(v: str) -> str:
        if any(c in v for c in (delim, '"', "\n")):
            return '"' + v.replace('"', '""') + '"'
        return v

    return "".join(delim.join(cell(v) for v in r) + "\n" for r in [header, *rows])


def write(path: Path, text: str, encoding: str = "utf-8") -> str:
    if encoding in ("tcvn3", "vni", "viscii", "cp1258"):
        path.write_bytes(encode_text(text, encoding))
    else:
        path.write_bytes(text.encode(encoding))
    return str(path)


@pytest.fixture()
def con() -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    yield c
    c.close()


def raw(con: duckdb.DuckDBPyConnection, kind: str, cols: str = '"row", record_id, full_name') -> list[tuple]:
    return con.execute(f'SELECT {cols} FROM raw_{kind} ORDER BY file, "row"').fetchall()


def rejected(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute('SELECT source, file, "row", stage, reason FROM rejected ORDER BY source, file, "row"').fetchall()


# --- CSV: table layout, leading zeros, report ------------------------------------------------------------

def test_csv_layout_and_values(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = write(tmp_path / "hotich.csv", csv_text(CIVIL_HEADER, CIVIL_ROWS))
    rep = ingest(con, [("civil_status", path)])
    cols = [r[0] for r in con.execute("DESCRIBE raw_civil_status").fetchall()]
    assert cols == ["source", "file", "row", "record_id", *RAW_FIELDS]
    types = {r[0]: r[1] for r in con.execute("DESCRIBE raw_civil_status").fetchall()}
    assert types["row"] == "BIGINT" and all(types[f] == "VARCHAR" for f in RAW_FIELDS)
    got = raw(con, "civil_status", 'source, file, "row", record_id, full_name, birth_date, personal_id, father_name, residence')
    assert got == [
        ("civil_status", path, 1, "001", "Nguyễn Văn Hùng", "01/02/1990", "038090001234", "Nguyễn Văn Bình", None),
        ("civil_status", path, 2, "002", "Trần Thị Thủy", "15/11/1985", "001185004321", "Trần Đức Minh", None),
        ("civil_status", path, 3, "0003", "Đặng Ngọc Ánh", "1960", None, None, None),
    ]
    f = rep.files[0]
    assert (f.rows_read, f.kept, f.rejected, f.blank) == (3, 3, 0, 0)
    assert f.ignored_columns == ["Ghi chú"]
    assert f.columns["record_id"] == "Mã hồ sơ" and f.columns["personal_id"] == "Số định danh cá nhân"
    assert (f.encoding, f.delimiter) == ("utf-8", ",")
    s = rep.source("civil_status")
    assert (s.rows_read, s.kept, s.rejected) == (3, 3, 0)
    files = con.execute("SELECT source, file, format, encoding, ignored_columns, kept FROM ingest_files").fetchall()
    assert files == [("civil_status", path, "csv", "utf-8", ["Ghi chú"], 3)]


def test_keyless_file_uses_row_numbers(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = write(tmp_path / "hk.csv", csv_text(["HO_TEN", "NGAY_SINH"], [["Lò Văn Páo", "1950"], ["Giàng A Páo", "1972"]]))
    rep = ingest(con, [("household", path)])
    assert raw(con, "household") == [(1, "1", "Lò Văn Páo"), (2, "2", "Giàng A Páo")]
    assert any("row number" in n for n in rep.files[0].notes)


# --- encodings -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("encoding", "detected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),
        ("cp1258", "cp1258"),
        ("tcvn3", "tcvn3"),
        ("vni", "vni"),
        ("viscii", "viscii"),
    ],
)
def test_encoding_detected(con: duckdb.DuckDBPyConnection, tmp_path: Path, encoding: str, detected: str) -> None:
    rows = [[f"{i:04d}", name, "01/01/1970", sex, "", hometown, "", "", "", ""]
            for i, (name, sex, hometown) in enumerate(
                [("Nguyễn Thị Thủy", "Nữ", "Xã Quỳnh Lưu, Tỉnh Nghệ An"),
                 ("Phạm Đức Thắng", "Nam", "Thị trấn Đồng Văn, Tỉnh Hà Giang"),
                 ("Vũ Thị Hồng Nhung", "Nữ", "Phường Bến Nghé, Quận 1, TP Hồ Chí Minh")] * 10)]
    path = write(tmp_path / f"{encoding}.csv", csv_text(CIVIL_HEADER, rows, ";"), encoding)
    assert detect_encoding(path).encoding == detected
    rep = ingest(con, [("civil_status", path)])
    assert rep.files[0].encoding == detected
    got = con.execute('SELECT record_id, full_name, sex, hometown FROM raw_civil_status WHERE "row" <= 3 ORDER BY "row"').fetchall()
    assert got == [("0000", "Nguyễn Thị Thủy", "Nữ", "Xã Quỳnh Lưu, Tỉnh Nghệ An"),
                   ("0001", "Phạm Đức Thắng", "Nam", "Thị trấn Đồng Văn, Tỉnh Hà Giang"),
                   ("0002", "Vũ Thị Hồng Nhung", "Nữ", "Phường Bến Nghé, Quận 1, TP Hồ Chí Minh")]
    assert rep.files[0].kept == 30


def test_forced_encoding(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    text = csv_text(["MA_NK", "HO_TEN"], [["01", "Nguyễn Văn Tư"]])
    path = write(tmp_path / "hk.csv", text, "vni")
    ingest(con, [("household", path)], encoding="VNI-Windows")
    assert raw(con, "household") == [(1, "01", "Nguyễn Văn Tư")]
    with pytest.raises(UserError, match="unknown encoding"):
        ingest(con, [("household", path)], encoding="klingon")


def test_wrong_forced_encoding_is_one_clear_error(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = write(tmp_path / "hk.csv", csv_text(["MA_NK", "HO_TEN"], [["01", "Nguyễn"]]))
    with pytest.raises(UserError, match=r"cannot decode the file as ascii \(given\)"):
        ingest(con, [("household", path)], encoding="ascii")


def test_utf8_with_a_few_invalid_bytes(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """A UTF-8 export with one row pasted from a CP1258 file: that row is rejected, the others are UTF-8."""
    rows = [[f"{i:03d}", name, "1970"] for i, name in enumerate(["Nguyễn Văn Hùng", "Trần Thị Thủy", "Lê Đức Anh"] * 10)]
    good = csv_text(["MA_NK", "HO_TEN", "NGAY_SINH"], rows).encode("utf-8")
    path = tmp_path / "hk.csv"
    path.write_bytes(good + b"900," + encode_text("Phạm Thị Hồng", "cp1258") + b",1971\n")
    rep = ingest(con, [("household", str(path))])
    f = rep.files[0]
    assert (f.encoding, f.encoding_method, f.kept, f.rejected) == ("utf-8", "utf-8 with invalid bytes", 30, 1)
    assert raw(con, "household")[1] == (2, "001", "Trần Thị Thủy")
    assert [(r[2], r[4].split(" (")[0]) for r in rejected(con)] == [(31, "invalid UTF-8 bytes in the row")]


def test_legacy_encoding_found_beyond_an_ascii_start(tmp_path: Path) -> None:
    ascii_rows = "".join(f"{i:06d};Nguyen Van A;01/01/1970\n" for i in range(12000))  # ~300 KB without diacritics
    text = "MA_NK;HO_TEN;NGAY_SINH\n" + ascii_rows + "".join(
        f"{i:06d};Nguyễn Thị Thủy;01/01/1970\n" for i in range(12000, 13000))
    path = write(tmp_path / "hk.csv", text, "tcvn3")
    assert detect_encoding(path).encoding == "tcvn3"


def test_excel_sep_hint_and_header_only(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", "sep=|\r\nHọ và tên|Ngày sinh\r\nLê Văn Tám|1930\r\n", "utf-8-sig")
    rep = ingest(con, [("civil_status", path)])
    assert raw(con, "civil_status", '"row", full_name, birth_date') == [(1, "Lê Văn Tám", "1930")]
    assert rep.files[0].delimiter == "|"
    only = write(tmp_path / "y.csv", "Họ và tên,Ngày sinh\n")
    rep = ingest(con, [("civil_status", only)])
    assert (rep.files[0].rows_read, raw(con, "civil_status")) == (0, [])


# --- delimiters, quoting, malformed rows -----------------------------------------------------------------

@pytest.mark.parametrize("delim", [",", ";", "\t", "|"])
def test_delimiter_sniffed(con: duckdb.DuckDBPyConnection, tmp_path: Path, delim: str) -> None:
    rows = [["001", "Nguyễn Văn Hùng", "01/02/1990", "Nam", "Kinh", "Thôn 3, Xã Yên Sơn; Thanh Hóa | VN",
             "Nguyễn Văn \"Bình\"", "Trần Thị Lan", "", "dòng 1\ndòng 2"],
            ["002", "Lê Thị Mai", "1985", "Nữ", "Kinh", "Hà Nội", "", "", "", ""]]
    text = csv_text(CIVIL_HEADER, rows, delim)
    assert sniff_delimiter(text) == delim
    path = write(tmp_path / "x.csv", text)
    rep = ingest(con, [("civil_status", path)])
    assert rep.files[0].delimiter == ("tab" if delim == "\t" else delim)
    got = raw(con, "civil_status", '"row", hometown, father_name')
    assert got == [(1, "Thôn 3, Xã Yên Sơn; Thanh Hóa | VN", 'Nguyễn Văn "Bình"'), (2, "Hà Nội", None)]


def test_forced_delimiter(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = write(tmp_path / "x.txt", "Họ và tên;Ngày sinh,Ghi chú\nLê Văn Tám;1930,x\n")
    with pytest.raises(UserError, match="no name column"):  # sniffed as commas: `Họ và tên;Ngày sinh` is unknown
        ingest(con, [("civil_status", path)])
    rep = ingest(con, [("civil_status", path)], delimiter=";")
    assert raw(con, "civil_status", '"row", full_name') == [(1, "Lê Văn Tám")]
    assert (rep.files[0].delimiter, rep.files[0].ignored_columns) == (";", ["Ngày sinh,Ghi chú"])
    with pytest.raises(UserError, match="--delimiter must be one character"):
        ingest(con, [("civil_status", path)], delimiter=";;")


MALFORMED = (
    "Mã hồ sơ,Họ và tên,Ngày sinh\n"
    "001,Nguyễn Văn An,01/02/1990\n"       # 1 ok
    "002,Trần Thị Bích\n"                  # 2 too few fields
    "\n"                                   # 3 blank
    '003,"Lê\nVăn Cường",03/04/1985\n'     # 4 ok, a line break inside quotes
    "004,Phạm Dũng,05/06/1970,thừa\n"      # 5 too many fields
    '005,"Hồ "Xuân" Hương",1,\n'           # 6 quote inside a quoted field not doubled
    ",,\n"                                 # 7 blank (empty fields)
    "006,Hồ Thị Em,,,\n"                   # 8 ok: trailing empty fields are harmless
    '007,"Ngô Thị Nở,1950\n'               # 9 quote never closed: this row only
    "008,Đỗ Văn Chín,1951\n"               # 10 ok (re-read after row 9)
    '009,"Bùi ""Bé"" Mười",1952\n'         # 11 ok, doubled quotes
)


def test_malformed_rows_go_to_rejected(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = write(tmp_path / "bad.csv", MALFORMED)
    rep = ingest(con, [("civil_status", path)])
    assert raw(con, "civil_status") == [
        (1, "001", "Nguyễn Văn An"), (4, "003", "Lê\nVăn Cường"), (8, "006", "Hồ Thị Em"),
        (10, "008", "Đỗ Văn Chín"), (11, "009", 'Bùi "Bé" Mười'),
    ]
    rej = rejected(con)
    assert [(r[2], r[4].split(":")[0]) for r in rej] == [
        (2, "wrong number of fields"), (5, "wrong number of fields"), (6, "broken quoting"), (9, "broken quoting"),
    ]
    assert rej[0][:4] == ("civil_status", path, 2, "ingest")
    assert rej[0][4] == "wrong number of fields: expected 3, found 2"
    f = rep.files[0]
    assert (f.rows_read, f.kept, f.rejected, f.blank) == (11, 5, 4, 2)
    assert f.rows_read == f.kept + f.rejected + f.blank


def test_header_with_a_trailing_delimiter(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", "MA_NK;HO_TEN;\n01;Lò Văn Páo\n02;Lò Thị Xuân;\n03;Cầm Bá Thước;thừa\n")
    rep = ingest(con, [("household", path)])
    assert raw(con, "household") == [(1, "01", "Lò Văn Páo"), (2, "02", "Lò Thị Xuân")]
    assert [(r[2], r[4]) for r in rejected(con)] == [(3, "wrong number of fields: expected 2, found 3")]
    assert rep.files[0].ignored_columns == []


def test_quote_never_closed_at_end_of_file(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = write(tmp_path / "bad.csv", 'MA_NK,HO_TEN\n01,Nguyễn A\n02,"Trần B\n03,Lê C\n')
    rep = ingest(con, [("household", path)])
    assert raw(con, "household") == [(1, "01", "Nguyễn A"), (3, "03", "Lê C")]
    assert [(r[2], r[4]) for r in rejected(con)] == [(2, "broken quoting: a quote opened on this row is not closed on it")]
    assert rep.files[0].rows_read == 3


def test_streaming_in_chunks(con: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core, "CHUNK_ROWS", 7)
    rows = [[f"{i:06d}", f"Nguyễn Văn {i}", "01/01/2000"] for i in range(1, 101)]
    rows[49] = ["050", "thiếu cột"]
    path = write(tmp_path / "c.csv", csv_text(["MA_NK", "HO_TEN", "NGAY_SINH"], rows))
    rep = ingest(con, [("household", path)])
    got = raw(con, "household")
    assert len(got) == 99 and got[0] == (1, "000001", "Nguyễn Văn 1") and got[-1] == (100, "000100", "Nguyễn Văn 100")
    assert [r[0] for r in got] == [i for i in range(1, 101) if i != 50]
    assert [r[2] for r in rejected(con)] == [50]
    assert rep.files[0].kept == 99


# --- Excel -----------------------------------------------------------------------------------------------

def _xlsx(path: Path) -> str:
    import openpyxl
    from openpyxl.styles import Font

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    ws.append(["DANH SÁCH CẤP CĂN CƯỚC CÔNG DÂN — XÃ TÂN PHÚ"])
    ws.append([])
    ws.append(["STT", "Số CMND/CCCD", "Họ và tên", "Ngày sinh", "Giới tính", "Ngày cấp", "Nơi cấp"])
    ws.append([1, "001085012345", "Nguyễn Văn An", dt.datetime(1985, 3, 7), "Nam", dt.date(2021, 5, 20), "Cục CS QLHC"])
    ws.append([2, 79123456789, "Trần Thị Bích", 29221, "Nữ", dt.datetime(2016, 1, 2, 9, 30), "CA TP HCM"])
    ws.append([3, "1.23457E+11", "Lê Văn Cường", "12/1960", "Nam", None, None])
    ws.append([])
    ws.append([4, 79123456789, "Phạm Thị Dung", 1.5, True, None, None])
    ws.cell(row=8, column=2).number_format = "000000000000"
    ws.append([5, 12345678.0, "Vũ Đình Em", "00/00/1945", "Nam", None, None, "ghi chú lạc cột"])
    ws.cell(row=20, column=3).font = Font(bold=True)  # a formatted empty row after the data: not a row
    ws2 = wb.create_sheet("Sheet2")
    ws2.append(["Số CMND/CCCD", "Họ và tên"])
    ws2.append(["012345678", "Đỗ Thị Hạnh"])
    wb.save(path)
    return str(path)


def test_xlsx(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "cccd.xlsx")
    rep = ingest(con, [("citizen_id", path)])
    got = raw(con, "citizen_id", '"row", record_id, id_number, full_name, birth_date, sex, issue_date')
    assert got == [
        (1, "001085012345", "001085012345", "Nguyễn Văn An", "07/03/1985", "Nam", "20/05/2021"),
        (2, "79123456789", "79123456789", "Trần Thị Bích", "29221", "Nữ", "02/01/2016 09:30:00"),
        (3, "1.23457E+11", "1.23457E+11", "Lê Văn Cường", "12/1960", "Nam", None),
        (5, "079123456789", "079123456789", "Phạm Thị Dung", "1.5", "TRUE", None),
        (6, "12345678", "12345678", "Vũ Đình Em", "00/00/1945", "Nam", None),
    ]
    f = rep.files[0]
    assert (f.format, f.sheet) == ("xlsx", "Danh sách")
    assert (f.rows_read, f.kept, f.rejected, f.blank) == (6, 5, 0, 1)
    assert f.ignored_columns == ["STT"]
    assert any("sheet row 3" in n for n in f.notes)
    assert any("right of the last headed column" in n for n in f.notes)


def test_xlsx_sheet_option(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "cccd.xlsx")
    ingest(con, [("citizen_id", path)], sheet="Sheet2")
    assert raw(con, "citizen_id") == [(1, "012345678", "Đỗ Thị Hạnh")]
    ingest(con, [("citizen_id", path)], sheet="2")
    assert raw(con, "citizen_id") == [(1, "012345678", "Đỗ Thị Hạnh")]
    with pytest.raises(UserError, match="no sheet 'Sheet9'"):
        ingest(con, [("citizen_id", path)], sheet="Sheet9")


@pytest.mark.parametrize(
    ("value", "fmt", "text"),
    [
        (38090001234, "General", "38090001234"),
        (38090001234, "000000000000", "038090001234"),
        (1234.0, "General", "1234"),
        (0.25, "General", "0.25"),
        (dt.datetime(1990, 2, 1), "dd/mm/yyyy", "01/02/1990"),
        (dt.date(1990, 12, 31), "General", "31/12/1990"),
        ("0123", "@", "0123"),
        (False, "General", "FALSE"),
        (None, "General", None),
    ],
)
def test_cell_text(value: object, fmt: str, text: str | None) -> None:
    assert cell_text(value, fmt) == text


# --- Parquet ---------------------------------------------------------------------------------------------

def test_parquet_non_string_types(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    table = pa.table({
        "SO_SO_HK": pa.array([120045, 120045, None, 120046], pa.int64()),
        "MA_NK": pa.array(["00017", "00018", None, "00020"]),
        "HO_TEN": pa.array(["Lò Văn Páo", "Lò Thị Xuân", None, "Hà Văn Tư"]),
        "NGAY_SINH": pa.array([dt.date(1950, 1, 1), dt.date(1955, 7, 9), None, None], pa.date32()),
        "SO_CMND": pa.array([12345678.0, None, None, 123456789012.0], pa.float64()),
        "QUAN_HE_CHU_HO": pa.array(["Chủ hộ", "Vợ", "", "Chủ hộ"]),
        "NGAY_DANG_KY": pa.array([dt.datetime(1999, 3, 4), None, None, dt.datetime(2001, 1, 1, 8, 0)],
                                 pa.timestamp("us")),
        "HE_SO": pa.array([2.5, None, None, 1.0], pa.float64()),
    })
    path = str(tmp_path / "hk.parquet")
    pq.write_table(table, path)
    rep = ingest(con, [("household", path)])
    got = raw(con, "household", '"row", record_id, household_id, full_name, birth_date, cmnd, relation_to_head, registration_date')
    assert got == [
        (1, "00017", "120045", "Lò Văn Páo", "01/01/1950", "12345678", "Chủ hộ", "04/03/1999"),
        (2, "00018", "120045", "Lò Thị Xuân", "09/07/1955", None, "Vợ", None),
        (4, "00020", "120046", "Hà Văn Tư", None, "123456789012", "Chủ hộ", "01/01/2001 08:00:00"),
    ]
    f = rep.files[0]
    assert (f.format, f.rows_read, f.kept, f.rejected, f.blank) == ("parquet", 4, 3, 0, 1)
    assert f.ignored_columns == ["HE_SO"]


# --- several files, replacement, idempotence, atomicity --------------------------------------------------

def test_several_files_per_kind_and_replacement(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    a = write(tmp_path / "a.csv", csv_text(["MA_NK", "HO_TEN"], [["1", "Nguyễn A"], ["2", "Nguyễn B"]]))
    b = write(tmp_path / "b.csv", csv_text(["HO_TEN", "MA_NK"], [["Trần C", "1"]]) + "1,2,3\n")
    c = write(tmp_path / "c.csv", csv_text(CIVIL_HEADER, CIVIL_ROWS[:1]))
    rep = ingest(con, [("household", b), ("civil_status", c), ("household", a)])
    assert [s.source for s in rep.sources] == ["household", "civil_status"]
    hh = con.execute('SELECT file, "row", record_id, full_name FROM raw_household').fetchall()  # insertion order
    assert hh == [(b, 1, "1", "Trần C"), (a, 1, "1", "Nguyễn A"), (a, 2, "2", "Nguyễn B")]
    assert rep.source("household").files[1].file == a and rep.source("household").rejected == 1
    assert len(rejected(con)) == 1
    first = {t: con.execute(f'SELECT * FROM {t} ORDER BY ALL').fetchall() for t in ("raw_household", "raw_civil_status", "rejected")}

    # the same input again: the same tables (no duplicates)
    ingest(con, [("household", b), ("civil_status", c), ("household", a)])
    again = {t: con.execute(f'SELECT * FROM {t} ORDER BY ALL').fetchall() for t in first}
    assert again == first

    # one kind again: its table and its rejected rows are replaced as a whole, the other kind is untouched
    con.execute("INSERT INTO rejected VALUES ('household', 'x', 'a.csv', 9, 'normalise', 'no name')")
    ingest(con, [("household", a)])
    assert con.execute("SELECT count(*), count(DISTINCT file) FROM raw_household").fetchone() == (2, 1)
    assert [(r[0], r[3]) for r in rejected(con)] == [("household", "normalise")]
    assert con.execute("SELECT * FROM raw_civil_status ORDER BY ALL").fetchall() == first["raw_civil_status"]
    assert con.execute("SELECT count(*) FROM ingest_files").fetchone() == (2,)


def test_failure_leaves_the_workspace_unchanged(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    good = write(tmp_path / "good.csv", csv_text(["MA_NK", "HO_TEN"], [["1", "Nguyễn A"]]))
    ingest(con, [("household", good)])
    before = con.execute("SELECT * FROM raw_household").fetchall()
    newer = write(tmp_path / "newer.csv", csv_text(["MA_NK", "HO_TEN"], [["7", "Trần B"]]))
    broken = tmp_path / "broken.csv"  # valid UTF-8 for its first 64 KB (read before anything is written), then not
    broken.write_bytes(b"MA_NK,HO_TEN\n" + "1,Lê Văn Bình\n".encode() * 6000 + b"2,\xff\xfe\n")
    with pytest.raises(UserError):
        ingest(con, [("household", newer), ("household", str(broken))], encoding="utf-8")
    assert con.execute("SELECT * FROM raw_household").fetchall() == before


def test_same_file_twice_is_refused(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    a = write(tmp_path / "a.csv", csv_text(["MA_NK", "HO_TEN"], [["1", "Nguyễn A"]]))
    with pytest.raises(UserError, match="given twice"):
        ingest(con, [("household", a), ("household", a)])


# --- the command: report, and bad input as one line with exit code 2 -------------------------------------

def _run(tmp_path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["ingest", "--db", str(tmp_path / "ws.duckdb"), *args])
    return result.exit_code, result.output


def test_command_prints_the_report(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.csv", MALFORMED)
    code, out = _run(tmp_path, "--source", f"civil_status={path}")
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0].split() == ["source", "files", "rows", "read", "kept", "rejected", "blank", "seconds"]
    assert lines[1].split()[:6] == ["civil_status", "1", "11", "5", "4", "2"]
    assert len(lines[0]) >= len(lines[1].rstrip()) - 2  # aligned columns
    assert "rejected rows" in out
    con = duckdb.connect(str(tmp_path / "ws.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM rejected WHERE stage = 'ingest'").fetchone() == (4,)
    con.close()


def _one_line_error(code: int, out: str) -> str:
    assert code == 2, out
    assert "Traceback" not in out
    lines = out.strip().splitlines()
    assert len(lines) == 1, out
    return lines[0]


def test_missing_file(tmp_path: Path) -> None:
    line = _one_line_error(*_run(tmp_path, "--source", f"civil_status={tmp_path / 'khong_co.csv'}"))
    assert "khong_co.csv: file not found" in line


@pytest.mark.parametrize(
    ("content", "needle"),
    [(b"", "the file is empty"), (b"\n\n  \n", "the file is empty (no header row)"),
     ("\ufeff\r\n".encode(), "the file is empty")],
)
def test_empty_file(tmp_path: Path, content: bytes, needle: str) -> None:
    path = tmp_path / "rong.csv"
    path.write_bytes(content)
    line = _one_line_error(*_run(tmp_path, "--source", f"household={path}"))
    assert f"rong.csv: {needle}" in line


def test_folder_instead_of_file(tmp_path: Path) -> None:
    line = _one_line_error(*_run(tmp_path, "--source", f"household={tmp_path}"))
    assert "is a folder" in line


def test_no_name_column(tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", csv_text(["MA_NK", "NGAY_SINH", "GHI_CHU"], [["1", "1950", ""]]))
    line = _one_line_error(*_run(tmp_path, "--source", f"household={path}"))
    assert "x.csv: no name column recognised" in line and "MA_NK, NGAY_SINH, GHI_CHU" in line


def test_old_xls_and_damaged_xlsx(tmp_path: Path) -> None:
    xls = tmp_path / "cu.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert "old Excel .xls" in _one_line_error(*_run(tmp_path, "--source", f"household={xls}"))
    bad = tmp_path / "hong.xlsx"
    bad.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    assert "cannot read the Excel file" in _one_line_error(*_run(tmp_path, "--source", f"household={bad}"))


def test_mapping_through_the_command(tmp_path: Path) -> None:
    path = write(tmp_path / "hk.csv", csv_text(["SO_NK", "TEN_DAY_DU_NK", "NS"], [["0001", "Quàng Văn Minh", "1962"]]))
    good = tmp_path / "map.yaml"
    good.write_text("household:\n  record_id: SO_NK\n  full_name: TEN_DAY_DU_NK\n", encoding="utf-8")
    code, out = _run(tmp_path, "--source", f"household={path}", "--mapping", str(good))
    assert code == 0, out
    con = duckdb.connect(str(tmp_path / "ws.duckdb"), read_only=True)
    assert con.execute('SELECT "row", record_id, full_name, birth_date FROM raw_household').fetchall() == [
        (1, "0001", "Quàng Văn Minh", "1962")]
    con.close()
    bad = tmp_path / "bad.yaml"
    bad.write_text("household:\n  full_name: HO_TEN_NK\n", encoding="utf-8")
    line = _one_line_error(*_run(tmp_path, "--source", f"household={path}", "--mapping", str(bad)))
    assert str(bad) in line and "'HO_TEN_NK'" in line


def test_unknown_kind_or_no_path_in_command(tmp_path: Path) -> None:
    line = _one_line_error(*_run(tmp_path, "--source", "hotich=x.csv"))
    assert "unknown source kind 'hotich'" in line
    line = _one_line_error(*_run(tmp_path, "--source", "household="))
    assert "--source household= needs a file path" in line


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "x.csv", "HO_TEN\nA\n")
    monkeypatch.setattr("linkage.ingest.readers.os.access", lambda p, mode: False)  # (tests may run as root)
    assert "x.csv: cannot read the file (permission denied)" in _one_line_error(
        *_run(tmp_path, "--source", f"household={path}"))


def test_fixture_file_semicolon_cp1258() -> None:
    """A checked-in sample as a steward would have it: CP1258, semicolons, CRLF, a BOM-less header."""
    path = FIXTURES / "ho_khau_cp1258.csv"
    con = duckdb.connect()
    rep = ingest(con, [("household", str(path))])
    f = rep.files[0]
    assert (f.encoding, f.delimiter, f.kept) == ("cp1258", ";", 3)
    got = con.execute('SELECT record_id, household_id, full_name, relation_to_head, cmnd FROM raw_household ORDER BY "row"').fetchall()
    assert got[0] == ("0001", "HK-0452", "Nguyễn Văn Thắng", "Chủ hộ", "012345678")
    assert got[2][2] == "Nguyễn Thị Ngọc Ánh"
