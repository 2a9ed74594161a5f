"""`ingest`: input files → `raw_<source>` tables, `rejected` rows (stage `ingest`) and `ingest_files`.

Every file is opened and its header resolved before anything is written, so a bad file or mapping stops the job
at once; the tables are then replaced in one transaction (a failure leaves the workspace as it was).

A clean UTF-8 CSV file is read by DuckDB (`fast.py`, staged before the transaction); any other CSV file by the
Python reader. `LINKAGE_INGEST_FAST=0` forces the Python reader for every file (see `fast.py`)."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Sequence
from operator import itemgetter
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from linkage import SOURCES
from linkage.errors import UserError
from linkage.ingest import fast
from linkage.ingest.encoding import canonical_encoding
from linkage.ingest.headers import (
    NAME_EXAMPLES,
    RAW_FIELDS,
    ColumnMap,
    FieldMap,
    HeaderMapping,
    HeaderRules,
    display_header,
    find_mapping,
    load_header_rules,
    resolve_columns,
)
from linkage.ingest.readers import (
    CsvReader,
    ParquetSource,
    Reader,
    XlsxReader,
    check_file,
    delimiter_name,
    detect_format,
    parquet_error,
    parse_delimiter,
    sql_ident,
    sql_str,
    text_expr,
)
from linkage.ingest.report import FileReport, IngestReport, SourceReport
from linkage.workspace import REJECTED, raw_table

INGEST_FILES = "ingest_files"  # one row per ingested file: format, encoding, columns used and ignored, counts
STAGE = "ingest"
CHUNK_ROWS = 50_000

_REJECTED_DDL = (f"CREATE TABLE IF NOT EXISTS {REJECTED} (source VARCHAR, record_id VARCHAR, file VARCHAR, "
                 '"row" BIGINT, stage VARCHAR, reason VARCHAR)')
_FILES_DDL = (f"CREATE TABLE IF NOT EXISTS {INGEST_FILES} (source VARCHAR, file VARCHAR, file_order INTEGER, "
              "format VARCHAR, encoding VARCHAR, encoding_method VARCHAR, delimiter VARCHAR, sheet VARCHAR, "
              "columns VARCHAR, ignored_columns VARCHAR[], rows_read BIGINT, kept BIGINT, rejected BIGINT, "
              "blank BIGINT, seconds DOUBLE, notes VARCHAR[], ingested_at TIMESTAMP)")


def raw_table_ddl(kind: str) -> str:
    cols = ", ".join(f"{f} VARCHAR" for f in RAW_FIELDS)
    return f'CREATE OR REPLACE TABLE {raw_table(kind)} (source VARCHAR, file VARCHAR, "row" BIGINT, ' \
           f"record_id VARCHAR, {cols})"


class _Opened:
    def __init__(self, kind: str, path: str, reader: Reader, cmap: ColumnMap) -> None:
        self.kind, self.path, self.reader, self.cmap = kind, path, reader, cmap
        self.staged: fast.Staged | None = None
        self.report = FileReport(
            source=kind, file=path, format=reader.format,
            encoding=reader.encoding.encoding if reader.encoding else None,
            encoding_method=reader.encoding.method if reader.encoding else None,
            delimiter=delimiter_name(reader.delimiter), sheet=reader.sheet,
            columns=cmap.headers(reader.header), ignored_columns=list(cmap.ignored),
        )
        if cmap.key is None:
            self.report.notes.append(f"no record key column (such as {_key_hint(kind)}): record_id is the row number")


def ingest(
    con: duckdb.DuckDBPyConnection,
    sources: Sequence[tuple[str, str]],
    *,
    mapping: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    rules: str | None = None,
) -> IngestReport:
    """Reads every (kind, path) and replaces `raw_<kind>` of each kind named (all its files together) and its
    `rejected` rows of stage `ingest`. `mapping`: a mapping YAML file; `rules`: a rules folder whose
    `headers.yaml` adds header aliases (and whose `mapping.yaml` is used when `mapping` is not given);
    `encoding` / `delimiter` / `sheet` force what is otherwise detected (for Excel, the first sheet with a
    recognisable header; the report notes the sheets not read)."""
    started = time.perf_counter()
    if not sources:
        raise UserError("no input files: give at least one --source KIND=PATH")
    forced_encoding = canonical_encoding(encoding) if encoding else None
    forced_delim = parse_delimiter(delimiter) if delimiter else None
    header_rules = load_header_rules(rules)
    hmap = find_mapping(mapping, rules)
    _check_sources(sources)

    opened: list[_Opened] = []
    try:
        for kind, path in sources:
            t0 = time.perf_counter()
            opened.append(_open(con, kind, path, header_rules, hmap, forced_encoding, forced_delim, sheet))
            _stage(con, opened[-1])
            opened[-1].report.seconds = time.perf_counter() - t0  # detection, header (and the fast path's read)
        kinds = list(dict.fromkeys(k for k, _ in sources))
        report = IngestReport([SourceReport(k) for k in kinds])
        con.execute("BEGIN TRANSACTION")
        try:
            _prepare(con, kinds)
            for order, item in enumerate(opened, 1):
                t0 = time.perf_counter()
                if isinstance(item.reader, ParquetSource):
                    _load_parquet(con, item)
                elif item.staged is not None:
                    _load_fast(con, item)
                else:
                    _load_stream(con, item)
                item.report.notes.extend(item.reader.notes)
                if item.report.rows_read == item.report.blank:
                    item.report.notes.append("no data rows: the file holds only its header"
                                             + (" and blank rows" if item.report.blank else ""))
                item.report.seconds += time.perf_counter() - t0
                _record_file(con, item, order)
                report.source(item.kind).files.append(item.report)
            for s in report.sources:
                s.notes.extend(_key_notes(con, s.source, [o for o in opened if o.kind == s.source]))
            con.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            raise
    finally:
        for item in opened:
            item.reader.close()
            if item.staged is not None:
                with contextlib.suppress(duckdb.Error):
                    fast.drop(con, item.staged.table)
    report.seconds = time.perf_counter() - started
    return report


def _check_sources(sources: Sequence[tuple[str, str]]) -> None:
    seen: set[tuple[str, str]] = set()
    for kind, path in sources:
        if kind not in SOURCES:
            raise UserError(f"unknown source kind {kind!r}; use one of {', '.join(SOURCES)}")
        if not str(path).strip():
            raise UserError(f"--source {kind}= needs a file path")
        key = (kind, str(Path(path).resolve()))
        if key in seen:
            raise UserError(f"given twice as {kind}", file=path)
        seen.add(key)
        check_file(path)


def _open(con: duckdb.DuckDBPyConnection, kind: str, path: str, rules: HeaderRules,
          hmap: HeaderMapping | None, encoding: str | None, delimiter: str | None, sheet: str | None) -> _Opened:
    overrides: FieldMap | None = hmap.for_file(kind, path) if hmap else None
    mapping_path = hmap.path if hmap else None

    def resolve(header: list[str]) -> ColumnMap:
        return resolve_columns(header, kind, rules, overrides, file=path, mapping_path=mapping_path)

    def looks_like_header(header: list[str]) -> bool:
        try:
            return "full_name" in resolve(header).fields
        except UserError:
            return False

    fmt = detect_format(path)
    reader: Reader
    if fmt == "parquet":
        reader = ParquetSource.open(con, path)
    elif fmt == "xlsx":
        reader = XlsxReader.open(path, sheet, looks_like_header)
    else:
        reader = CsvReader.open(path, encoding, delimiter)
    try:
        cmap = resolve(reader.header)
        if "full_name" not in cmap.fields:
            shown = ", ".join(display_header(reader.header, i) for i in range(len(reader.header)))
            where = "a mapping file (--mapping)" if mapping_path is None else f"the mapping file {mapping_path}"
            hint = ""
            if reader.encoding is not None and reader.encoding.method == "forced":
                hint = f"; the file was read as {reader.encoding.encoding}, as given with --encoding: is that right?"
            raise UserError(
                f"no name column recognised (expected a header such as {NAME_EXAMPLES}, or name the column in "
                f"{where}); columns: {shown}{hint}",
                file=path,
            )
        if isinstance(reader, ParquetSource):
            used = set(cmap.fields.values()) | ({cmap.key} if cmap.key is not None else set())
            ids = {cmap.fields[f] for f in _ID_FIELDS if f in cmap.fields} | (
                {cmap.key} if cmap.key is not None else set())
            reader.check_types(used, ids)
    except BaseException:
        reader.close()
        raise
    return _Opened(kind, path, reader, cmap)


_ID_FIELDS = ("personal_id", "cmnd", "id_number", "household_id")


def _prepare(con: duckdb.DuckDBPyConnection, kinds: list[str]) -> None:
    con.execute(_REJECTED_DDL)
    con.execute(_FILES_DDL)
    for kind in kinds:
        con.execute(raw_table_ddl(kind))
    placeholders = ", ".join("?" for _ in kinds)
    con.execute(f"DELETE FROM {REJECTED} WHERE stage = ? AND source IN ({placeholders})", [STAGE, *kinds])
    con.execute(f"DELETE FROM {INGEST_FILES} WHERE source IN ({placeholders})", kinds)


def _present_fields(cmap: ColumnMap) -> list[str]:
    return [f for f in RAW_FIELDS if f in cmap.fields]


def _positions(cmap: ColumnMap) -> list[int]:
    """The file columns taken: the key (if any), then the present fields in RAW_FIELDS order."""
    return ([cmap.key] if cmap.key is not None else []) + [cmap.fields[f] for f in _present_fields(cmap)]


def _stage(con: duckdb.DuckDBPyConnection, item: _Opened) -> None:
    """A CSV file: DuckDB reads it now (outside the transaction) if it is clean, else the Python reader will."""
    if not isinstance(item.reader, CsvReader):
        return
    got = fast.stage(con, item.reader, _positions(item.cmap), fast.table_name())
    if isinstance(got, str):
        item.report.parser, item.report.fallback = "python", got
    else:
        item.staged, item.report.parser = got, "duckdb"


def _load_fast(con: duckdb.DuckDBPyConnection, item: _Opened) -> None:
    """The rows DuckDB staged (`fast.stage`) into `raw_<kind>`, as `_load_stream` would have put them."""
    staged, cmap, rep = item.staged, item.cmap, item.report
    assert staged is not None
    fields = _present_fields(cmap)
    key_expr = f"NULLIF(c{cmap.key}, '')" if cmap.key is not None else 'CAST(rowid + 1 AS VARCHAR)'
    target = ", ".join(["source", "file", '"row"', "record_id", *fields])
    select = ", ".join(["$source", "$file", "rowid + 1", key_expr, *(f"NULLIF(c{cmap.fields[f]}, '')" for f in fields)])
    con.execute(f"INSERT INTO {raw_table(item.kind)} ({target}) SELECT {select} FROM {staged.table} "
                f"WHERE NOT _blank ORDER BY rowid", {"source": item.kind, "file": item.path})
    fast.drop(con, staged.table)
    rep.blank = staged.blank + staged.trailing_blank
    rep.kept = staged.rows - staged.blank
    rep.rows_read = staged.rows + staged.trailing_blank
    rep.rejected = 0


def _load_stream(con: duckdb.DuckDBPyConnection, item: _Opened) -> None:
    """CSV and Excel: rows from the reader, in chunks of CHUNK_ROWS, through Arrow into DuckDB."""
    cmap, rep = item.cmap, item.report
    fields = _present_fields(cmap)
    positions = ([cmap.key] if cmap.key is not None else []) + [cmap.fields[f] for f in fields]
    getters = [itemgetter(p) for p in positions]
    names = [f"c{i}" for i in range(len(positions))]
    key_expr = "c0" if cmap.key is not None else 'CAST("row" AS VARCHAR)'
    field_cols = names[1:] if cmap.key is not None else names
    target = ", ".join(["source", "file", '"row"', "record_id", *fields])
    select = ", ".join(["$source", "$file", '"row"', f"NULLIF({key_expr}, '')",
                        *(f"NULLIF({c}, '')" for c in field_cols)])
    insert = f"INSERT INTO {raw_table(item.kind)} ({target}) SELECT {select} FROM _ingest_chunk"
    params = {"source": item.kind, "file": item.path}

    rows: list[int] = []
    values: list[Any] = []
    rejects: list[tuple[int, str]] = []

    def flush() -> None:
        if not rows:
            return
        arrays = {"row": pa.array(rows, pa.int64())}
        for name, get in zip(names, getters, strict=True):
            arrays[name] = pa.array(list(map(get, values)), pa.string())
        con.register("_ingest_chunk", pa.table(arrays))
        try:
            con.execute(insert, params)
        finally:
            con.unregister("_ingest_chunk")
        rep.kept += len(rows)
        rows.clear()
        values.clear()

    last = 0
    for row, vals, reason in item.reader.records(used=set(positions)):
        last = row
        if vals is not None:
            rows.append(row)
            values.append(vals)
            if len(rows) >= CHUNK_ROWS:
                flush()
        elif reason is None:
            rep.blank += 1
        else:
            rejects.append((row, reason))
    flush()
    rep.rows_read = rep.kept + rep.blank + len(rejects)
    if rep.rows_read != last:  # pragma: no cover - an internal invariant: every row is accounted for
        raise RuntimeError(f"{item.path}: counted {rep.rows_read} rows but numbered {last}")
    _insert_rejects(con, item, rejects)


def _insert_rejects(con: duckdb.DuckDBPyConnection, item: _Opened, rejects: list[tuple[int, str]]) -> None:
    item.report.rejected = len(rejects)
    if not rejects:
        return
    tbl = pa.table({"row": pa.array([r for r, _ in rejects], pa.int64()),
                    "reason": pa.array([m for _, m in rejects], pa.string())})
    con.register("_ingest_rejects", tbl)
    try:
        con.execute(f'INSERT INTO {REJECTED} (source, record_id, file, "row", stage, reason) '
                    f'SELECT $source, NULL, $file, "row", $stage, reason FROM _ingest_rejects',
                    {"source": item.kind, "file": item.path, "stage": STAGE})
    finally:
        con.unregister("_ingest_rejects")


def _load_parquet(con: duckdb.DuckDBPyConnection, item: _Opened) -> None:
    reader = item.reader
    assert isinstance(reader, ParquetSource)
    cmap, rep = item.cmap, item.report
    fields = _present_fields(cmap)
    types = dict(zip(reader.header, reader.types, strict=True))

    def expr(i: int) -> str:
        name = reader.header[i]
        return text_expr(name, types[name])

    key_expr = expr(cmap.key) if cmap.key is not None else 'CAST(file_row_number + 1 AS VARCHAR)'
    blank = reader.blank_condition()
    scan = reader.scan()
    try:
        total, n_blank = con.execute(f"SELECT count(*), count(*) FILTER (WHERE {blank}) FROM {scan}").fetchone()  # type: ignore[misc]
        target = ", ".join(["source", "file", '"row"', "record_id", *fields])
        select = ", ".join(["$source", "$file", "file_row_number + 1", key_expr,
                            *(expr(cmap.fields[f]) for f in fields)])
        con.execute(f"INSERT INTO {raw_table(item.kind)} ({target}) SELECT {select} FROM {scan} "
                    f"WHERE NOT {blank} ORDER BY file_row_number", {"source": item.kind, "file": item.path})
    except duckdb.Error as exc:
        raise parquet_error(item.path, exc) from None
    rep.rows_read, rep.blank = int(total), int(n_blank)
    rep.kept = rep.rows_read - rep.blank
    rep.rejected = 0


def _record_file(con: duckdb.DuckDBPyConnection, item: _Opened, order: int) -> None:
    r = item.report
    con.execute(
        f"INSERT INTO {INGEST_FILES} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP)",
        [r.source, r.file, order, r.format, r.encoding, r.encoding_method, r.delimiter, r.sheet,
         json.dumps(r.columns, ensure_ascii=False), r.ignored_columns, r.rows_read, r.kept, r.rejected, r.blank,
         round(r.seconds, 3), r.notes],
    )


def _key_notes(con: duckdb.DuckDBPyConnection, kind: str, items: list[_Opened]) -> list[str]:
    keyed = [o.path for o in items if o.cmap.key is not None]
    if not keyed:
        return []
    notes: list[str] = []
    files = ", ".join(sql_str(p) for p in keyed)
    missing, dup = con.execute(
        f"SELECT count(*) FILTER (WHERE record_id IS NULL), "
        f"(SELECT count(*) FROM (SELECT record_id FROM {raw_table(kind)} WHERE file IN ({files}) "
        f"AND record_id IS NOT NULL GROUP BY record_id HAVING count(*) > 1)) "
        f"FROM {raw_table(kind)} WHERE file IN ({files})"
    ).fetchone()  # type: ignore[misc]
    if missing:
        notes.append(f"{missing:,} rows have an empty record key")
    if dup:
        notes.append(f"{dup:,} record keys appear on more than one row")
    return notes


def _key_hint(kind: str) -> str:
    return {"civil_status": "'Mã hồ sơ'", "household": "'MA_NK'", "citizen_id": "'Số CMND/CCCD'"}.get(kind, "?")


__all__ = ["INGEST_FILES", "STAGE", "ingest", "raw_table_ddl", "sql_ident"]
