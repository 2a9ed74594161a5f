"""Readers of the input formats. Each yields the file's header and then its data rows one at a time as
`(row, values, reason)`: `values` for a usable row, `(None, None)` for a blank row, `(None, reason)` for a row
that goes to `rejected`. `row` is the 1-based data row number (the header excluded; blank and broken rows
count, so it is the row the user sees). Nothing is loaded whole: CSV is parsed line by line, Excel through
openpyxl's read-only stream, Parquet by DuckDB (see `ParquetSource`)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import duckdb

from linkage.errors import UserError
from linkage.ingest.encoding import DAMAGED_UTF8, DetectedEncoding, detect_encoding, open_text

Record = tuple[int, Sequence[str | None] | None, str | None]

DELIMITERS = (",", ";", "\t", "|")
_DELIM_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
_SNIFF_CHARS = 64 * 1024
_SNIFF_ROWS = 50

MAGIC_PARQUET = b"PAR1"
MAGIC_ZIP = b"PK\x03\x04"
MAGIC_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def parse_delimiter(value: str) -> str:
    """`--delimiter`: one character, or tab/comma/semicolon/pipe."""
    d = _DELIM_NAMES.get(value.strip().lower(), value)
    if len(d) != 1 or d in ('"', "\n", "\r"):
        raise UserError(f"--delimiter must be one character (or 'tab'), got {value!r}")
    return d


def delimiter_name(d: str | None) -> str | None:
    return {"\t": "tab"}.get(d, d) if d else d


def check_file(path: str) -> None:
    """Missing, a folder, unreadable or empty: one clear UserError naming the file."""
    p = Path(path)
    if not p.exists():
        raise UserError("file not found", file=path)
    if p.is_dir():
        raise UserError("is a folder, not a file", file=path)
    if not os.access(p, os.R_OK):
        raise UserError("cannot read the file (permission denied)", file=path)
    try:
        size = p.stat().st_size
        with open(p, "rb") as fh:
            fh.read(1)
    except OSError as exc:
        raise UserError(f"cannot read the file: {exc.strerror or exc}", file=path) from None
    if size == 0:
        raise UserError("the file is empty", file=path)


def detect_format(path: str) -> str:
    """`csv`, `xlsx` or `parquet`, from the file's first bytes (the extension can lie)."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(MAGIC_PARQUET):
        return "parquet"
    if head.startswith(MAGIC_ZIP):
        if Path(path).suffix.lower() in (".ods", ".zip"):
            raise UserError("not a supported format: save it as .xlsx, CSV or Parquet", file=path)
        return "xlsx"
    if head.startswith(MAGIC_OLE):
        raise UserError("old Excel .xls format: save it as .xlsx or CSV", file=path)
    return "csv"


def _is_blank(values: Sequence[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


# --- CSV -------------------------------------------------------------------------------------------------

def sniff_delimiter(sample: str) -> str:
    """The candidate delimiter that splits the header into most fields consistently over the first rows."""
    best: tuple[float, int] = (-1.0, 0)
    choice = ","
    for d in DELIMITERS:
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=d, quotechar='"', doublequote=True)
        rows: list[list[str]] = []
        try:
            for rec in reader:
                if rec and not _is_blank(rec):
                    rows.append(rec)
                if len(rows) >= _SNIFF_ROWS:
                    break
        except csv.Error:
            pass
        if not rows or len(rows[0]) < 2:
            continue
        n = len(rows[0])
        body = rows[1:]
        consistency = sum(len(r) == n for r in body) / len(body) if body else 1.0
        score = (consistency, n)
        if score > best:
            best, choice = score, d
    return choice


class _Lines:
    """The physical lines under a csv.reader, with push-back (to re-read after a broken quote) and the
    lines taken by the current record."""

    __slots__ = ("_it", "_pending", "taken")

    def __init__(self, it: Iterator[str]) -> None:
        self._it = it
        self._pending: list[str] = []
        self.taken: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self._pending.pop() if self._pending else next(self._it)
        self.taken.append(line)
        return line

    def push_back(self, lines: Sequence[str]) -> None:
        self._pending.extend(reversed(lines))


_CSV_REASONS = (
    ("expected after", "broken quoting: a quote inside a quoted field is not doubled"),
    ("unexpected end of data", "broken quoting: a quoted field is never closed"),
    ("field larger than field limit", "broken quoting: a quoted field is never closed"),
    ("NUL", "a NUL byte in the row"),
)


def _csv_reason(message: str) -> str:
    for needle, reason in _CSV_REASONS:
        if needle in message:
            return reason
    return f"unreadable row: {message}"


@dataclass
class CsvReader:
    path: str
    encoding: DetectedEncoding
    delimiter: str
    header: list[str]
    header_line: int  # 1-based record number of the header (leading blank lines skipped)
    format: str = "csv"
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)
    _stream: TextIO | None = None
    _reader: Any = None
    _lines: _Lines | None = None

    @classmethod
    def open(cls, path: str, encoding: str | None = None, delimiter: str | None = None) -> CsvReader:
        enc = DetectedEncoding(encoding, "forced") if encoding else detect_encoding(path)
        errors = "surrogateescape" if enc.method == DAMAGED_UTF8 else "strict"
        try:
            with open_text(path, enc.encoding, errors) as fh:
                sample = fh.read(_SNIFF_CHARS)
        except UnicodeDecodeError as exc:
            raise _decode_error(path, enc, exc) from None
        if not sample.strip().lstrip("\ufeff"):
            raise UserError("the file is empty (no header row)", file=path)
        if len(sample) == _SNIFF_CHARS and "\n" in sample:
            sample = sample[: sample.rindex("\n") + 1]
        hint = _SEP_HINT.match(sample.lstrip("\ufeff"))  # Excel's `sep=;` first line
        if hint:
            sample = sample.lstrip("\ufeff")[hint.end():]
        delim = delimiter or (hint.group(1) if hint else sniff_delimiter(sample))
        stream = open_text(path, enc.encoding, errors)
        if hint:
            stream.readline()
        lines = _Lines(iter(stream))
        reader = csv.reader(lines, **_dialect(delim))
        header: list[str] | None = None
        n = 0
        try:
            for rec in reader:
                n += 1
                if rec and not _is_blank(rec):
                    header = rec
                    break
        except csv.Error as exc:
            stream.close()
            raise UserError(f"cannot read the header row: {_csv_reason(str(exc))}", file=path) from None
        except UnicodeDecodeError as exc:
            stream.close()
            raise _decode_error(path, enc, exc) from None
        if header is None:
            stream.close()
            raise UserError("the file is empty (no header row)", file=path)
        header = [_INVALID_BYTE.sub("\ufffd", h) for h in header]
        header[0] = header[0].lstrip("\ufeff")
        while len(header) > 1 and not header[-1].strip():  # `a,b,c,`: rows may or may not end with a comma
            header.pop()
        return cls(path, enc, delim, header, n, _stream=stream, _reader=reader, _lines=lines)

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    def records(self) -> Iterator[Record]:
        assert self._lines is not None and self._reader is not None
        lines, reader = self._lines, self._reader
        n = len(self.header)
        check_bytes = self.encoding.method == DAMAGED_UTF8
        row = 0
        try:
            while True:
                lines.taken = []
                try:
                    rec = next(reader)
                    err = None
                except StopIteration:
                    break
                except csv.Error as exc:
                    rec, err = None, str(exc)
                row += 1
                if rec is not None and len(rec) == n:
                    joined = "".join(rec)
                    if not joined.strip():
                        yield row, None, None
                    elif check_bytes and _INVALID_BYTE.search(joined):
                        yield row, None, "invalid UTF-8 bytes in the row (another encoding pasted in?)"
                    else:
                        yield row, rec, None
                    continue
                if rec is not None and not rec:
                    yield row, None, None
                    continue
                if rec is not None and len(rec) > n and not "".join(rec[n:]).strip():
                    if check_bytes and _INVALID_BYTE.search("".join(rec)):
                        yield row, None, "invalid UTF-8 bytes in the row (another encoding pasted in?)"
                    else:
                        yield row, rec, None  # trailing empty fields (`a,b,c,,`) are harmless
                    continue
                if len(lines.taken) > 1:
                    # A quote opened on this line swallowed the next lines: reject this line, re-read the rest.
                    lines.push_back(lines.taken[1:])
                    reader = csv.reader(lines, **_dialect(self.delimiter))
                    yield row, None, "broken quoting: a quote opened on this row is not closed on it"
                    continue
                if rec is None:
                    yield row, None, _csv_reason(err or "")
                elif _is_blank(rec):
                    yield row, None, None
                else:
                    yield row, None, f"wrong number of fields: expected {n}, found {len(rec)}"
        except UnicodeDecodeError as exc:
            raise _decode_error(self.path, self.encoding, exc, row + 1) from None
        finally:
            self.close()


_SEP_HINT = re.compile(r"sep=(.)\r?\n")
_INVALID_BYTE = re.compile("[\udc80-\udcff]")


def _dialect(delimiter: str) -> dict[str, Any]:
    return {"delimiter": delimiter, "quotechar": '"', "doublequote": True, "strict": True}


def _decode_error(path: str, enc: DetectedEncoding, exc: UnicodeDecodeError, row: int | None = None) -> UserError:
    how = "given" if enc.method == "forced" else "detected"
    near = f" near data row {row}" if row is not None else ""  # text is decoded a block ahead of the parser
    return UserError(
        f"cannot decode the file as {enc.encoding} ({how}): invalid byte {exc.object[exc.start:exc.start + 1]!r}"
        f"{near}; give the right encoding with --encoding",
        file=path,
    )


# --- Excel -----------------------------------------------------------------------------------------------

_ZERO_PAD = re.compile(r"^0+$")
_HEADER_SCAN_ROWS = 20


def cell_text(value: Any, number_format: str | None = None) -> str | None:
    """A cell as the user sees it: integers without `.0` (zero-padded when the cell's format is `000…0`),
    dates dd/mm/yyyy, text as is."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return _pad(str(value), number_format)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return _pad(str(int(value)), number_format)
        return repr(value)
    if isinstance(value, dt.datetime):
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    return str(value)


def _pad(digits: str, number_format: str | None) -> str:
    if number_format and not digits.startswith("-"):
        first = number_format.split(";")[0]
        if _ZERO_PAD.match(first):
            return digits.zfill(len(first))
    return digits


@dataclass
class XlsxReader:
    path: str
    sheet: str
    header: list[str]
    header_line: int  # sheet row of the header
    format: str = "xlsx"
    delimiter: str | None = None
    encoding: DetectedEncoding | None = None
    notes: list[str] = field(default_factory=list)
    _wb: Any = None
    _rows: Any = None

    @classmethod
    def open(cls, path: str, sheet: str | None = None,
             looks_like_header: Callable[[list[str]], bool] | None = None) -> XlsxReader:
        import zipfile

        import openpyxl
        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
            raise UserError(f"cannot read the Excel file: {exc}", file=path) from None
        names = wb.sheetnames
        if sheet is None:
            ws = wb.worksheets[0] if names else None
        elif sheet in names:
            ws = wb[sheet]
        elif sheet.isdigit() and 1 <= int(sheet) <= len(names):
            ws = wb.worksheets[int(sheet) - 1]
        else:
            wb.close()
            raise UserError(f"no sheet {sheet!r} (sheets: {', '.join(names)})", file=path)
        if ws is None:
            wb.close()
            raise UserError("the workbook has no sheet", file=path)
        rows = enumerate(ws.iter_rows(), 1)
        scanned: list[tuple[int, list[str | None]]] = []
        header_at: tuple[int, list[str | None]] | None = None
        try:
            for r, cells in rows:
                values = [cell_text(c.value, getattr(c, "number_format", None)) for c in cells]
                if _is_blank(values):
                    continue
                scanned.append((r, values))
                texts = [v or "" for v in values]
                if looks_like_header is None or looks_like_header(texts):
                    header_at = (r, values)
                    break
                if len(scanned) >= _HEADER_SCAN_ROWS:
                    break
        except Exception as exc:  # openpyxl raises many kinds on a damaged sheet
            wb.close()
            raise UserError(f"cannot read the Excel file: {exc}", file=path) from None
        if not scanned:
            wb.close()
            raise UserError(f"the sheet {ws.title!r} is empty (no header row)", file=path)
        notes: list[str] = []
        if header_at is None:
            # No row looks like a header: take the first non-empty one (the caller reports what is missing).
            header_at = scanned[0]
            rows = enumerate(ws.iter_rows(min_row=header_at[0] + 1), header_at[0] + 1)
        elif header_at[0] > 1:
            notes.append(f"header found on sheet row {header_at[0]}; the rows above it were skipped")
        r, values = header_at
        width = max(i for i, v in enumerate(values) if v is not None and str(v).strip()) + 1
        header = [("" if v is None else str(v)) for v in values[:width]]
        return cls(path, ws.title, header, r, notes=notes, _wb=wb, _rows=rows)

    def close(self) -> None:
        if self._wb is not None:
            self._wb.close()
            self._wb = None

    def records(self) -> Iterator[Record]:
        width = len(self.header)
        pending_blank: list[int] = []
        beyond = 0
        try:
            for r, cells in self._rows:
                row = r - self.header_line
                values = [cell_text(c.value, getattr(c, "number_format", None)) for c in cells]
                if _is_blank(values):
                    pending_blank.append(row)
                    continue
                for b in pending_blank:  # blank rows between data rows (trailing ones are not rows)
                    yield b, None, None
                pending_blank = []
                if len(values) > width:
                    if not _is_blank(values[width:]):
                        beyond += 1
                    values = values[:width]
                elif len(values) < width:
                    values = values + [None] * (width - len(values))
                yield row, values, None
        except UserError:
            raise
        except Exception as exc:
            raise UserError(f"cannot read the Excel file: {exc}", file=self.path) from None
        finally:
            self.close()
        if beyond:
            self.notes.append(f"{beyond} rows have values right of the last headed column (ignored)")


# --- Parquet ---------------------------------------------------------------------------------------------

def sql_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


_INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                  "UINTEGER", "UBIGINT", "UHUGEINT")


def text_expr(column: str, duck_type: str) -> str:
    """SQL rendering a Parquet column as the text a user would see (dates dd/mm/yyyy, whole numbers
    without `.0`), '' → NULL."""
    c = sql_ident(column)
    t = duck_type.upper()
    if t == "DATE":
        e = f"strftime({c}, '%d/%m/%Y')"
    elif t.startswith("TIMESTAMP"):
        e = (f"CASE WHEN CAST({c} AS TIME) = TIME '00:00:00' THEN strftime({c}, '%d/%m/%Y') "
             f"ELSE strftime({c}, '%d/%m/%Y %H:%M:%S') END")
    elif t in ("DOUBLE", "FLOAT", "REAL"):
        e = (f"CASE WHEN isfinite({c}) AND {c} = trunc({c}) AND abs({c}) < 1e16 "
             f"THEN CAST(CAST({c} AS HUGEINT) AS VARCHAR) ELSE CAST({c} AS VARCHAR) END")
    elif t == "BOOLEAN":
        e = f"CASE WHEN {c} THEN 'TRUE' WHEN NOT {c} THEN 'FALSE' END"
    else:
        e = f"CAST({c} AS VARCHAR)"
    return f"NULLIF({e}, '')"


@dataclass
class ParquetSource:
    path: str
    header: list[str]
    types: list[str]
    format: str = "parquet"
    sheet: str | None = None
    delimiter: str | None = None
    encoding: DetectedEncoding | None = None
    header_line: int = 0
    notes: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, con: duckdb.DuckDBPyConnection, path: str) -> ParquetSource:
        try:
            desc = con.execute(f"DESCRIBE SELECT * FROM read_parquet({sql_str(path)})").fetchall()
        except duckdb.Error as exc:
            detail = str(exc).splitlines()[0]
            raise UserError(f"cannot read the Parquet file: {detail}", file=path) from None
        if not desc:
            raise UserError("the Parquet file has no columns", file=path)
        return cls(path, [d[0] for d in desc], [str(d[1]) for d in desc])

    def scan(self) -> str:
        return f"read_parquet({sql_str(self.path)}, file_row_number = true)"

    def blank_condition(self) -> str:
        parts = [f"coalesce(trim({text_expr(h, t)}), '') = ''" for h, t in zip(self.header, self.types, strict=True)]
        return "(" + " AND ".join(parts) + ")"

    def close(self) -> None:
        pass


Reader = CsvReader | XlsxReader | ParquetSource
