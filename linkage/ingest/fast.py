"""The DuckDB-native fast path for clean CSV files (issue #5).

`CsvReader` parses every row in Python; for the common case — a UTF-8 file (with or without a BOM, as detected,
not forced with --encoding), one of the usual delimiters, a one-line header — DuckDB's `read_csv` (every column
VARCHAR, explicit delimiter, quote and escape, `strict_mode`, parallel) gives the same rows much faster. The
fast path must give exactly what the Python path gives (`raw_<source>` content, row numbers, blank rows, report
numbers), so it is taken only where the two provably agree; anything else falls back to the Python path for that
file, and every behaviour of the bad-input corpus stays that of the Python path. The checks:

1. before DuckDB, on the bytes (`scan_bytes`, one streamed pass): no NUL byte; line ends all `\\n` or all `\\r\\n`
   (no bare `\\r`); no empty line except at the very end (DuckDB skips empty lines, the Python path counts them
   as blank rows: the trailing ones are counted here); the lines with a space beside a quote are noted (DuckDB
   trims spaces around a quoted value, the csv module keeps ` "x"` as text and rejects `"x" `: see 4.);
2. DuckDB reads the file after its header (`skip`) into a temporary table, before the ingest transaction (so a
   DuckDB error — any row it rejects: wrong number of fields, broken quoting, invalid UTF-8, an over-long line —
   only means "fall back");
3. on what DuckDB read: one row per physical line (no field holds a line break, and the count of rows is the
   count of lines after the header: row numbers are then the Python path's), no field as long as the csv module's
   field limit, no non-blank value right of the last headed column (the Python path rejects those rows);
4. each line noted in 1. is parsed by the csv module as the Python path would, and its outcome (blank, kept with
   these values, rejected) must be the one DuckDB gave (`Tổ 5 ""B""` is the same in both; ` "1970"` is not).

Blank rows (every field whitespace, in the sense of Python's `str.isspace`) are counted and skipped as the Python
path does; values are taken as they are ('' → NULL), like the Python path.

Set the environment variable `LINKAGE_INGEST_FAST=0` (or `false`, `no`, `off`) to force the Python path for every
file. `FileReport.parser` says which path read a CSV file, `FileReport.fallback` why it was not the fast one."""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from linkage.ingest.readers import DELIMITERS, CsvReader, sql_str

FAST_ENV = "LINKAGE_INGEST_FAST"
_OFF = ("0", "false", "no", "off")
_CHUNK = 8 << 20
NL = b"\n"
_TAIL = 64 << 10
_MAX_SUSPECT = 20_000  # lines with a space beside a quote checked one by one; more: the Python path
_SPACE_QUOTE = re.compile(rb'" | "')
_ENCODINGS = {("utf-8", "utf-8"), ("utf-8-sig", "bom")}  # (encoding, detection method) the fast path takes

# Every character for which Python's str.isspace() is true: `"".join(rec).strip()` is empty for a blank row.
PY_WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
                 "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
# The same as an RE2 pattern matching a string made of them only (`trim(s, chars)` is three times slower).
WHITESPACE_RE = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in PY_WHITESPACE) + "]*"


def enabled() -> bool:
    """False when `LINKAGE_INGEST_FAST` is 0/false/no/off."""
    return os.environ.get(FAST_ENV, "1").strip().lower() not in _OFF


@dataclass
class ByteFacts:
    lines: int  # physical lines before the trailing empty ones
    trailing_blank: int  # empty lines at the very end of the file
    suspects: list[int]  # 0-based physical lines with a space beside a quote (sorted)


@dataclass
class Staged:
    table: str  # the temporary table holding the used columns, `_blank`, in file order (rowid + 1 = row)
    rows: int  # data rows DuckDB read (blank ones included, trailing empty lines not)
    blank: int  # blank rows among them
    trailing_blank: int


def _trailing_empty(path: str, size: int) -> tuple[int, int]:
    """(empty lines at the end of the file, their bytes): `x\\n\\n\\r\\n` ends with two."""
    with open(path, "rb") as fh:
        fh.seek(max(0, size - _TAIL))
        tail = fh.read()
    k = 0
    end = len(tail)
    while True:
        if tail.endswith(b"\n\n", 0, end):
            end -= 1
        elif tail.endswith(b"\n\r\n", 0, end):
            end -= 2
        else:
            break
        k += 1
    return k, len(tail) - end


def scan_bytes(path: str) -> ByteFacts | str:
    """The byte-level checks (1. in the module docstring): the facts, or why the file is not clean."""
    size = Path(path).stat().st_size
    trailing, tail_bytes = _trailing_empty(path, size)
    region = size - tail_bytes
    lf = cr = crlf = 0
    prev = b""
    last = b""
    suspects: set[int] = set()
    with open(path, "rb") as fh:
        left = region
        while left > 0 and (chunk := fh.read(min(_CHUNK, left))):
            left -= len(chunk)
            if b"\x00" in chunk:
                return "a NUL byte"
            joined = prev + chunk  # two bytes of overlap: no pattern of up to three bytes is missed
            if b'" ' in joined or b' "' in joined:
                base, at = lf - prev.count(NL), 0  # newlines before `joined`, and before position `at`
                for m in _SPACE_QUOTE.finditer(joined):
                    base += joined.count(NL, at, m.start())
                    at = m.start()
                    suspects.add(base)
                if len(suspects) > _MAX_SUSPECT:
                    return f"more than {_MAX_SUSPECT:,} lines with a space beside a quote"
            if b"\n\n" in joined or b"\n\r\n" in joined:
                return "an empty line before the end of the file"
            lf += chunk.count(b"\n")
            if b"\r" in chunk or prev.endswith(b"\r"):
                cr += chunk.count(b"\r")
                crlf += joined.count(b"\r\n") - prev.count(b"\r\n")
            prev = joined[-2:]
            last = chunk[-1:]
    if cr != crlf or (crlf and crlf != lf):
        return "line ends other than all \\n or all \\r\\n"
    lines = lf + (1 if region and last != b"\n" else 0)
    return ByteFacts(lines, trailing, sorted(suspects))


def why_not(reader: CsvReader) -> str | None:
    """Why this CSV file cannot take the fast path before its bytes are looked at (None: it may)."""
    if not enabled():
        return f"{FAST_ENV}=0"
    if (reader.encoding.encoding, reader.encoding.method) not in _ENCODINGS:
        return f"encoding {reader.encoding.encoding} ({reader.encoding.method})"
    if reader.delimiter not in DELIMITERS:
        return f"delimiter {reader.delimiter!r}"
    if any(c in reader.path for c in "*?[{"):
        return "a glob character in the file name (read_csv would expand it)"
    if reader.header_line != 1 or reader.header_lines != 1:
        return "the header is not one line at the top (blank lines before it, or a line break inside it)"
    return None


def stage(con: duckdb.DuckDBPyConnection, reader: CsvReader, positions: list[int], table: str) -> Staged | str:
    """Checks 1-3 of the module docstring; the staged rows, or why the file falls back to the Python path.
    Runs outside any transaction (a DuckDB error aborts the one it happens in)."""
    reason = why_not(reader)
    if reason:
        return reason
    facts = scan_bytes(reader.path)
    if isinstance(facts, str):
        return facts
    width, n = reader.width, len(reader.header)
    cols = [f"c{i}" for i in range(width)]
    spec = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in cols) + "}"
    ws = sql_str(WHITESPACE_RE)
    # csv.field_size_limit(): the Python path rejects a field that long ("a field longer than …")
    limit = csv.field_size_limit()
    blank = (f"regexp_full_match(concat({', '.join(cols[:n])}), {ws})" if width == n else "false")
    everything = f"concat({', '.join(cols)})"
    bad = [f"strpos({everything}, chr(10)) > 0", f"strpos({everything}, chr(13)) > 0",
           f"greatest({', '.join(f'coalesce(strlen({c}), 0)' for c in cols)}) >= {limit}"]  # bytes ≥ characters
    if width > n:  # a value right of the last headed column: the Python path rejects the row
        bad.append(f"NOT regexp_full_match(concat({', '.join(cols[n:])}), {ws})")
    used = ", ".join(f"c{p}" for p in dict.fromkeys(positions))
    sql = (f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {used}, {blank} AS _blank, ({' OR '.join(bad)}) AS _bad "
           f"FROM read_csv({sql_str(reader.path)}, columns = {spec}, delim = {sql_str(reader.delimiter)}, "
           f"quote = '\"', escape = '\"', header = false, skip = {reader.skip_lines}, auto_detect = false, "
           f"strict_mode = true, null_padding = false, encoding = 'utf-8', parallel = true)")
    order = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()
    try:
        if order and not order[0]:
            con.execute("SET preserve_insertion_order = true")  # rowid must follow the file's order
        try:
            con.execute(sql)
        except duckdb.Error as exc:
            return f"DuckDB did not read it ({type(exc).__name__})"  # its message may quote a row: not kept
        finally:
            if order and not order[0]:
                con.execute("SET preserve_insertion_order = false")
        rows, bad_rows, blanks = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE _bad), count(*) FILTER (WHERE _blank) FROM {table}").fetchone()  # type: ignore[misc]
        expected = facts.lines - reader.skip_lines
        if bad_rows:
            why = "a field with a line break, as long as the field limit, or values beyond the header"
        elif rows != expected:
            why = f"DuckDB read {rows} rows from {expected} lines"
        elif (why := _suspects_agree(con, reader, positions, table, facts.suspects)) is None:
            return Staged(table, int(rows), int(blanks), facts.trailing_blank)
    except BaseException:
        drop(con, table)
        raise
    drop(con, table)
    return why


def _suspects_agree(con: duckdb.DuckDBPyConnection, reader: CsvReader, positions: list[int], table: str,
                    suspects: list[int]) -> str | None:
    """Check 4: each noted data line, and each row DuckDB found blank (DuckDB drops empty fields right of the
    last column, where the csv module counts them: `,,,,` under three headers is a kept row of nothing for the
    Python path), parsed alone by the csv module, has the outcome DuckDB gave its row. None, or why not."""
    skip = reader.skip_lines
    blank = [r[0] for r in con.execute(f"SELECT rowid FROM {table} WHERE _blank LIMIT {_MAX_SUSPECT + 1}").fetchall()]
    if len(blank) > _MAX_SUSPECT:
        return f"more than {_MAX_SUSPECT:,} blank rows"
    wanted = {s - skip for s in suspects if s >= skip} | set(blank)
    if not wanted:
        return None
    cols = list(dict.fromkeys(positions))
    rows = {r[0]: r[1:] for r in con.execute(
        f"SELECT rowid, _blank, {', '.join(f'c{p}' for p in cols)} FROM {table} "
        f"WHERE rowid IN (SELECT unnest($ids))", {"ids": sorted(wanted)}).fetchall()}
    todo = {w + skip for w in wanted}
    with open(reader.path, "rb") as fh:
        for i, raw in enumerate(fh):
            if i not in todo:
                continue
            got = rows.get(i - skip)
            duck = None if got is None else ("blank",) if got[0] else ("keep", tuple(v or None for v in got[1:]))
            if duck is None or _python_outcome(raw.decode("utf-8"), reader, cols) != duck:
                return f"DuckDB reads data row {i - skip + 1} differently (a space beside a quote, or a blank row)"
            todo.discard(i)
            if not todo:
                break
    return None if not todo else "lines not found"


def _python_outcome(line: str, reader: CsvReader, cols: Sequence[int]) -> tuple[object, ...]:
    """What `CsvReader.records` makes of this one line: blank, kept with these values, or rejected."""
    try:
        recs = list(csv.reader(io.StringIO(line, newline=""), delimiter=reader.delimiter, quotechar='"',
                               doublequote=True, strict=True))
    except csv.Error:
        return ("reject",)
    if len(recs) != 1:
        return ("blank",) if not recs else ("reject",)
    rec, n = recs[0], len(reader.header)
    if len(rec) == n or (len(rec) > n and not "".join(rec[n:]).strip()):
        if len(rec) == n and not "".join(rec).strip():
            return ("blank",)
        return ("keep", tuple(rec[p] or None for p in cols))
    if all(not v.strip() for v in rec):
        return ("blank",)
    return ("reject",)


def drop(con: duckdb.DuckDBPyConnection, table: str) -> None:
    con.execute(f"DROP TABLE IF EXISTS temp.{table}")


_counter = itertools.count(1)


def table_name() -> str:
    return f"_ingest_fast_{os.getpid()}_{next(_counter)}"
