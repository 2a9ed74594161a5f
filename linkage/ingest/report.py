"""What an ingest run did, per file and per source."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class FileReport:
    source: str
    file: str
    format: str  # csv, xlsx, parquet
    encoding: str | None = None  # csv only
    encoding_method: str | None = None  # bom, utf-8, legacy, charset-normalizer, default, forced
    delimiter: str | None = None  # csv only ("tab" for a tab)
    sheet: str | None = None  # xlsx only
    columns: dict[str, str] = field(default_factory=dict)  # field (and record_id) → header in the file
    ignored_columns: list[str] = field(default_factory=list)
    rows_read: int = 0  # data rows: kept + rejected + blank
    kept: int = 0
    rejected: int = 0
    blank: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    parser: str | None = None  # csv only: "duckdb" (the fast path, `fast.py`) or "python" (`CsvReader`)
    fallback: str | None = None  # csv only: why the fast path was not taken (None when it was)


@dataclass
class SourceReport:
    source: str
    files: list[FileReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def kept(self) -> int:
        return sum(f.kept for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def blank(self) -> int:
        return sum(f.blank for f in self.files)

    @property
    def seconds(self) -> float:
        return sum(f.seconds for f in self.files)


_COLUMNS = ("source", "files", "rows read", "kept", "rejected", "blank", "seconds")


@dataclass
class IngestReport:
    sources: list[SourceReport] = field(default_factory=list)
    seconds: float = 0.0

    def source(self, kind: str) -> SourceReport:
        for s in self.sources:
            if s.source == kind:
                return s
        raise KeyError(kind)

    @property
    def files(self) -> list[FileReport]:
        return [f for s in self.sources for f in s.files]

    def rows(self) -> list[tuple[Any, ...]]:
        return [(s.source, len(s.files), s.rows_read, s.kept, s.rejected, s.blank, round(s.seconds, 2))
                for s in self.sources]

    def table(self) -> str:
        """The per-source counts as an aligned text table (numbers right-aligned)."""
        cells = [list(_COLUMNS)]
        for r in self.rows():
            cells.append([r[0], f"{r[1]:,}", f"{r[2]:,}", f"{r[3]:,}", f"{r[4]:,}", f"{r[5]:,}", f"{r[6]:.2f}"])
        if len(self.sources) > 1:
            t = self.rows()
            cells.append(["total", f"{sum(x[1] for x in t):,}", f"{sum(x[2] for x in t):,}",
                          f"{sum(x[3] for x in t):,}", f"{sum(x[4] for x in t):,}", f"{sum(x[5] for x in t):,}",
                          f"{self.seconds:.2f}"])
        widths = [max(len(row[i]) for row in cells) for i in range(len(_COLUMNS))]
        lines = []
        for row in cells:
            parts = [row[0].ljust(widths[0])] + [row[i].rjust(widths[i]) for i in range(1, len(row))]
            lines.append("  ".join(parts).rstrip())
        return "\n".join(lines)

    def summary_line(self) -> str:
        parts = [f"{s.source}: {s.kept:,} kept, {s.rejected:,} rejected" + (f", {s.blank:,} blank" if s.blank else "")
                 for s in self.sources]
        return "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "seconds": round(self.seconds, 3),
            "sources": {
                s.source: {
                    "files": len(s.files), "rows_read": s.rows_read, "kept": s.kept, "rejected": s.rejected,
                    "blank": s.blank, "seconds": round(s.seconds, 3), "notes": list(s.notes),
                    "per_file": [asdict(f) for f in s.files],
                }
                for s in self.sources
            },
        }
