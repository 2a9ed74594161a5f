"""linkage: record linkage and deduplication of Vietnamese identity documents."""

__version__ = "0.1.0"

SOURCES: tuple[str, ...] = ("civil_status", "household", "citizen_id")
