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
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import duckdb

from linkage.errors import UserError
from linkage.ingest.encoding import (
    BINARY_SAMPLE,
    DAMAGED_UTF8,
    DetectedEncoding,
    detect_encoding,
    looks_binary,
    open_text,
)
from linkage.ingest.headers import display_header

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
    """`csv`, `xlsx` or `parquet`, from the file's first bytes (the extension can lie). Anything else that is
    not text (an image, an archive, random bytes) is a UserError saying what the file looks like."""
    with open(path, "rb") as fh:
        head = fh.read(BINARY_SAMPLE)
    if head.startswith(MAGIC_PARQUET):
        return "parquet"
    if head.startswith(MAGIC_ZIP):
        return _zip_format(path)
    if head.startswith(MAGIC_OLE):
        raise UserError("old Excel .xls format: save it as .xlsx or CSV", file=path)
    what = looks_binary(head)
    if what:
        raise UserError(f"not a CSV, Excel (.xlsx) or Parquet file: it looks like {what}", file=path)
    return "csv"


def _zip_format(path: str) -> str:
    """A ZIP container: an .xlsx workbook (whatever its extension), an OpenDocument sheet, or another archive."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            mimetype = zf.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return "xlsx"  # a damaged workbook: the Excel reader says it cannot read it
    if "xl/workbook.xml" in names or "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
        return "xlsx"
    if b"opendocument" in mimetype or Path(path).suffix.lower() == ".ods":
        raise UserError("not a supported format (OpenDocument): save it as .xlsx, CSV or Parquet", file=path)
    raise UserError("a ZIP archive, not an Excel workbook: extract the CSV, .xlsx or Parquet file from it",
                    file=path)


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
    ("field larger than field limit", f"a field longer than {csv.field_size_limit():,} characters (a damaged row?)"),
    ("NUL", "a NUL byte in the row"),
)
_TRUNCATED = "; the file ends inside this row (cut short?)"


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
    width: int = 0  # fields in the header record, before trailing empty headers are dropped
    header_lines: int = 0  # physical lines read up to the header's end (blank lines before it, the header)
    skip_lines: int = 0  # physical lines before the first data row (`header_lines` and a `sep=` line)
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
        nul = [i + 1 for i, h in enumerate(header) if "\x00" in h]
        if nul:
            stream.close()
            how = "given" if enc.method == "forced" else "detected"
            raise UserError(
                f"a NUL byte in the header row (column {nul[0]}): the file is damaged or not {enc.encoding} text "
                f"({how}); give the right encoding with --encoding or save the file again as CSV",
                file=path,
            )
        width = len(header)
        while len(header) > 1 and not header[-1].strip():  # `a,b,c,`: rows may or may not end with a comma
            header.pop()
        taken = len(lines.taken)
        return cls(path, enc, delim, header, n, width, taken, taken + (1 if hint else 0), _stream=stream,
                   _reader=reader, _lines=lines)

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    def records(self, used: Collection[int] | None = None) -> Iterator[Record]:
        """The data rows. `used`: the columns the caller takes (a NUL byte elsewhere does not matter)."""
        assert self._lines is not None and self._reader is not None
        lines, reader = self._lines, self._reader
        n = len(self.header)
        check_bytes = self.encoding.method == DAMAGED_UTF8

        def problem(rec: Sequence[str], joined: str) -> str | None:
            if check_bytes and _INVALID_BYTE.search(joined):
                return "invalid UTF-8 bytes in the row (another encoding pasted in, or the file cut short?)"
            if "\x00" in joined:
                cols = [i for i, v in enumerate(rec[:n]) if "\x00" in v and (used is None or i in used)]
                if cols:
                    return f"a NUL byte in column {display_header(self.header, cols[0])!r}"
            return None

        def cut_short(reason: str) -> str:
            last = lines.taken[-1] if lines.taken else "\n"
            return reason + _TRUNCATED if not last.endswith(("\n", "\r")) else reason

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
                    elif bad := problem(rec, joined):
                        yield row, None, cut_short(bad)
                    else:
                        yield row, rec, None
                    continue
                if rec is not None and not rec:
                    yield row, None, None
                    continue
                if rec is not None and len(rec) > n and not "".join(rec[n:]).strip():
                    if bad := problem(rec, "".join(rec)):
                        yield row, None, cut_short(bad)
                    else:
                        yield row, rec, None  # trailing empty fields (`a,b,c,,`) are harmless
                    continue
                if len(lines.taken) > 1:
                    # A quote opened on this line swallowed the next lines: reject this line, re-read the rest.
                    lines.push_back(lines.taken[1:])
                    lines.taken = lines.taken[:1]
                    reader = csv.reader(lines, **_dialect(self.delimiter))
                    yield row, None, cut_short("broken quoting: a quote opened on this row is not closed on it")
                    continue
                if rec is None:
                    yield row, None, cut_short(_csv_reason(err or ""))
                elif _is_blank(rec):
                    yield row, None, None
                else:
                    reason = f"wrong number of fields: expected {n}, found {len(rec)}"
                    other = self._other_delimiter("".join(lines.taken), n)
                    if other:
                        reason += f" (this row seems to be separated by {other}, the file by {_delim_word(self.delimiter)})"
                    yield row, None, cut_short(reason)
        except UnicodeDecodeError as exc:
            raise _decode_error(self.path, self.encoding, exc, row + 1) from None
        finally:
            self.close()


    def _other_delimiter(self, line: str, n: int) -> str | None:
        """Another delimiter that splits this broken row into exactly the header's number of fields."""
        for d in DELIMITERS:
            if d == self.delimiter or n < 2:
                continue
            try:
                recs = list(csv.reader(io.StringIO(line, newline=""), **_dialect(d)))
            except csv.Error:
                continue
            if len(recs) == 1 and len(recs[0]) == n:
                return _delim_word(d)
        return None


def _delim_word(d: str) -> str:
    return {",": "commas", ";": "semicolons", "\t": "tabs", "|": "pipes"}.get(d, repr(d))


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


_CELL_REF = re.compile(rb"([A-Z]{1,3})(\d+)")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?"')
_HAS_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
# A cell holding a formula and no stored value (`<v/>`, `<v></v>` or none): Excel has never computed it. (A
# text formula whose result is the empty string, `t="str"` with an empty value, is computed: not one of these.)
_UNCACHED_FORMULA = re.compile(
    rb'<(?:\w+:)?c(\s[^>]*?)\br="([A-Z]{1,3})(\d+)"([^>]*)>\s*<(?:\w+:)?f\b[^>]*?(?:/>|>[^<]*</(?:\w+:)?f>)\s*'
    rb"(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>"
)
_TEXT_TYPE = re.compile(rb'\bt="(?:str|inlineStr|s)"')
_XML_CHUNK = 4 << 20
_XML_OVERLAP = 64 << 10


def _col_index(letters: bytes) -> int:
    """`A` → 0, `AB` → 27."""
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1


def _sheet_xml_facts(path: str, member: str | None) -> tuple[list[tuple[int, int, int, int]], set[tuple[int, int]]]:
    """From a sheet's XML (streamed): its merged ranges (first row, first column, last row, last column;
    rows 1-based, columns 0-based) and the cells holding a formula without a stored value (row, column).
    openpyxl's streaming reader sees neither."""
    import zipfile

    merged: set[tuple[int, int, int, int]] = set()
    uncached: set[tuple[int, int]] = set()
    if not member:
        return [], uncached
    try:
        with zipfile.ZipFile(path) as zf, zf.open(member.lstrip("/")) as fh:
            tail = b""
            while chunk := fh.read(_XML_CHUNK):
                data = tail + chunk
                for m in _MERGE.finditer(data):
                    c1, r1 = _col_index(m.group(1)), int(m.group(2))
                    c2, r2 = (_col_index(m.group(3)), int(m.group(4))) if m.group(3) else (c1, r1)
                    merged.add((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
                if _HAS_FORMULA.search(data):
                    for m in _UNCACHED_FORMULA.finditer(data):
                        if not _TEXT_TYPE.search(m.group(1) + m.group(4)):
                            uncached.add((int(m.group(3)), _col_index(m.group(2))))
                tail = data[-_XML_OVERLAP:]
    except (KeyError, OSError, zipfile.BadZipFile, ValueError):
        return [], set()
    return sorted(merged), uncached


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
    _fh: Any = None
    _merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    _uncached: set[tuple[int, int]] = field(default_factory=set)

    @classmethod
    def open(cls, path: str, sheet: str | None = None,
             looks_like_header: Callable[[list[str]], bool] | None = None) -> XlsxReader:
        import openpyxl

        fh = open(path, "rb")  # noqa: SIM115 - kept open while the workbook streams; closed by close()
        try:
            # A file object, not the path: openpyxl refuses a workbook whose name does not end in .xlsx.
            wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
        except Exception as exc:  # zipfile, XML and openpyxl errors alike: a damaged or foreign file
            fh.close()
            raise UserError(f"cannot read the Excel file: {_exc_text(exc)}", file=path) from None
        try:
            return cls._open(path, fh, wb, sheet, looks_like_header)
        except BaseException:
            wb.close()
            fh.close()
            raise

    @classmethod
    def _open(cls, path: str, fh: Any, wb: Any, sheet: str | None,
              looks_like_header: Callable[[list[str]], bool] | None) -> XlsxReader:
        names = wb.sheetnames
        if not names:
            raise UserError("the workbook has no sheet", file=path)
        if sheet is None:
            candidates = list(wb.worksheets)
        elif sheet in names:
            candidates = [wb[sheet]]
        elif sheet.isdigit() and 1 <= int(sheet) <= len(names):
            candidates = [wb.worksheets[int(sheet) - 1]]
        else:
            raise UserError(f"no sheet {sheet!r} (sheets: {', '.join(names)})", file=path)
        chosen: tuple[Any, Any, tuple[int, list[str | None]] | None, list[tuple[int, list[str | None]]]] | None = None
        fallback = None
        for ws in candidates:  # without --sheet: the first sheet with a recognisable header
            rows, header_at, scanned = _find_header(ws, looks_like_header, path)
            if header_at is not None:
                chosen = (ws, rows, header_at, scanned)
                break
            if scanned and fallback is None:
                fallback = (ws, rows, None, scanned)
        chosen = chosen or fallback
        if chosen is None:
            if len(candidates) == 1:
                raise UserError(f"the sheet {candidates[0].title!r} is empty (no header row)", file=path)
            raise UserError(f"every sheet is empty (sheets: {', '.join(names)})", file=path)
        ws, rows, header_at, scanned = chosen
        notes: list[str] = []
        if header_at is None:
            # No row looks like a header: take the first non-empty one (the caller reports what is missing).
            header_at = scanned[0]
            rows = enumerate(ws.iter_rows(min_row=header_at[0] + 1), header_at[0] + 1)
        elif header_at[0] > 1:
            notes.append(f"header found on sheet row {header_at[0]}; the rows above it were skipped")
        if sheet is None and len(names) > 1:
            before = names[: names.index(ws.title)]
            if before:
                notes.append(f"read sheet {ws.title!r}: no header recognised on sheet(s) {', '.join(before)}")
            others = [w.title for w in wb.worksheets if w.title != ws.title and w.title not in before
                      and _has_data(w)]
            if others:
                notes.append(f"sheet(s) {', '.join(others)} not read: give --sheet to read another sheet")
        r, values = header_at
        width = max(i for i, v in enumerate(values) if v is not None and str(v).strip()) + 1
        header = [("" if v is None else str(v)) for v in values[:width]]
        merged, uncached = _sheet_xml_facts(path, getattr(ws, "_worksheet_path", None))
        for r1, c1, r2, c2 in merged:
            if r1 <= r <= r2 and c2 > c1 and c1 < width:
                notes.append(f"the header {display_header(header, c1)!r} is merged over columns {c1 + 1} to "
                             f"{c2 + 1}: only column {c1 + 1} is read")
        merged = [m for m in merged if m[0] > r and m[2] > m[0] and m[1] < width]  # data rows, over several rows
        if merged:
            notes.append(f"{len(merged)} merged cell range(s) over several rows: the value is used on each row")
        return cls(path, ws.title, header, r, notes=notes, _wb=wb, _rows=rows, _fh=fh, _merged=merged,
                   _uncached=uncached)

    def close(self) -> None:
        if self._wb is not None:
            self._wb.close()
            self._wb = None
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def records(self, used: Collection[int] | None = None) -> Iterator[Record]:
        """The data rows. `used`: the columns the caller takes (a broken cell elsewhere does not matter)."""
        width = len(self.header)
        pending_blank: list[int] = []
        beyond = 0
        starts: dict[int, list[tuple[int, int]]] = {}
        for r1, c1, r2, _ in self._merged:
            starts.setdefault(r1, []).append((c1, r2))
        active: list[tuple[int, int, str | None]] = []  # (column, last row, value) of merges being filled

        def broken(r: int, cells: Sequence[Any]) -> str | None:
            for i, c in enumerate(cells[:width]):
                if used is not None and i not in used:
                    continue
                if getattr(c, "data_type", None) == "e" and c.value is not None:
                    return f"an Excel error value ({c.value}) in column {display_header(self.header, i)!r}"
                if (r, i) in self._uncached and c.value is None:
                    return (f"a formula without a stored value in column {display_header(self.header, i)!r} "
                            "(open the file in Excel and save it again)")
            return None

        try:
            for r, cells in self._rows:
                row = r - self.header_line
                values = [cell_text(c.value, getattr(c, "number_format", None)) for c in cells]
                if len(values) < width:
                    values = values + [None] * (width - len(values))
                if active:
                    active = [a for a in active if a[1] >= r]
                if _is_blank(values):
                    pending_blank.append(row)
                    continue
                for col, _, value in active:
                    if values[col] is None:
                        values[col] = value
                for col, last in starts.get(r, ()):
                    active.append((col, last, values[col]))
                for b in pending_blank:  # blank rows between data rows (trailing ones are not rows)
                    yield b, None, None
                pending_blank = []
                if len(values) > width:
                    if not _is_blank(values[width:]):
                        beyond += 1
                    values = values[:width]
                reason = broken(r, cells)
                if reason:
                    yield row, None, reason
                else:
                    yield row, values, None
        except UserError:
            raise
        except Exception as exc:
            raise UserError(f"cannot read the Excel file: {_exc_text(exc)}", file=self.path) from None
        finally:
            self.close()
        if beyond:
            self.notes.append(f"{beyond} rows have values right of the last headed column (ignored)")


def _exc_text(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _find_header(ws: Any, looks_like_header: Callable[[list[str]], bool] | None, path: str
                 ) -> tuple[Any, tuple[int, list[str | None]] | None, list[tuple[int, list[str | None]]]]:
    """Scans the sheet's first non-empty rows for the header; returns the row iterator (after the header, when
    found), the header row and the rows scanned."""
    rows = enumerate(ws.iter_rows(), 1)
    scanned: list[tuple[int, list[str | None]]] = []
    try:
        for r, cells in rows:
            values = [cell_text(c.value, getattr(c, "number_format", None)) for c in cells]
            if _is_blank(values):
                continue
            scanned.append((r, values))
            texts = [v or "" for v in values]
            if looks_like_header is None or looks_like_header(texts):
                return rows, (r, values), scanned
            if len(scanned) >= _HEADER_SCAN_ROWS:
                break
    except Exception as exc:  # openpyxl raises many kinds on a damaged sheet
        raise UserError(f"cannot read the Excel file: {_exc_text(exc)}", file=path) from None
    return rows, None, scanned


def _has_data(ws: Any) -> bool:
    try:
        for n, cells in enumerate(ws.iter_rows(), 1):
            if not _is_blank([c.value for c in cells]):
                return True
            if n >= _HEADER_SCAN_ROWS:
                return False
    except Exception:  # a damaged other sheet: not ours to report
        return False
    return False


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
            raise parquet_error(path, exc) from None
        if not desc:
            raise UserError("the Parquet file has no columns", file=path)
        return cls(path, [d[0] for d in desc], [str(d[1]) for d in desc])

    def check_types(self, used: Collection[int], id_columns: Collection[int]) -> None:
        """A used column of nested values (struct, list, map) is a UserError; an ID column stored as numbers
        gets a note (its leading zeros are gone)."""
        for i in sorted(used):
            t = self.types[i].upper()
            if t.startswith(("STRUCT", "MAP", "UNION")) or t.endswith("]"):
                kind = "list" if t.endswith("]") else t.split("(")[0].lower()
                raise UserError(
                    f"column {self.header[i]!r} holds {kind} values ({self.types[i]}), not text: flatten it into "
                    "plain columns, or name another column in a mapping file", file=self.path)
        for i in sorted(id_columns):
            t = self.types[i].upper()
            if t in _INTEGER_TYPES or t in ("DOUBLE", "FLOAT", "REAL") or t.startswith("DECIMAL"):
                self.notes.append(f"column {self.header[i]!r} holds numbers ({self.types[i]}), not text: ID numbers "
                                  "that began with 0 have lost it; export the column as text")

    def scan(self) -> str:
        return f"read_parquet({sql_str(self.path)}, file_row_number = true)"

    def blank_condition(self) -> str:
        parts = [f"coalesce(trim({text_expr(h, t)}), '') = ''" for h, t in zip(self.header, self.types, strict=True)]
        return "(" + " AND ".join(parts) + ")"

    def close(self) -> None:
        pass


def parquet_error(path: str, exc: BaseException) -> UserError:
    """DuckDB's error on a damaged Parquet file, without its error class and the repeated path."""
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    detail = re.sub(r"^[A-Za-z ]+Error: ", "", detail)
    detail = detail.replace(f" '{path}'", "").replace(f'"{path}"', "").replace(path, "the file").strip()
    return UserError(f"cannot read the Parquet file (damaged, cut short, or not Parquet): {detail}", file=path)


Reader = CsvReader | XlsxReader | ParquetSource
