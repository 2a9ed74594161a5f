"""Ingestion: CSV / Excel / Parquet files → `raw_<source>` tables and `rejected` rows (stage `ingest`).

    from linkage.ingest import ingest
    report = ingest(con, [("civil_status", "hotich.csv"), ("household", "hk.xlsx")], mapping=None)
    print(report.table())

Headers are recognised through `rules/headers.yaml` (see `headers.py`); encodings are detected
(`encoding.py`); each format has its reader (`readers.py`)."""

from linkage.ingest.core import INGEST_FILES, STAGE, ingest, raw_table_ddl
from linkage.ingest.encoding import DetectedEncoding, canonical_encoding, detect_encoding
from linkage.ingest.headers import (
    RAW_FIELDS,
    RECORD_KEY,
    ColumnMap,
    HeaderMapping,
    HeaderRules,
    fold_header,
    header_key,
    load_header_rules,
    load_mapping,
    resolve_columns,
)
from linkage.ingest.report import FileReport, IngestReport, SourceReport

__all__ = [
    "INGEST_FILES", "RAW_FIELDS", "RECORD_KEY", "STAGE", "ColumnMap", "DetectedEncoding", "FileReport",
    "HeaderMapping", "HeaderRules", "IngestReport", "SourceReport", "canonical_encoding", "detect_encoding",
    "fold_header", "header_key", "ingest", "load_header_rules", "load_mapping", "raw_table_ddl",
    "resolve_columns",
]
