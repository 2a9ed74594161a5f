"""Normalisation of Vietnamese identity data: pure functions per field (one module each) and their
set-wise application in DuckDB (`apply.py`: distinct values normalised once, then joined)."""
