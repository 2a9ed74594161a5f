"""Conflict accuracy counts only planted disagreements the records really show as different."""

from __future__ import annotations

import duckdb

from linkage.conflict_eval import _drop_masked


def _world() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("""CREATE TABLE records AS SELECT * FROM (VALUES
        ('household', 'h.csv', 1, 'Mai Thị Tuyết Hảnh'),   -- planted tone change
        ('citizen_id', 'c.csv', 1, 'Mai Thi Tuyet Hanh'),  -- the counterpart without diacritics: masked
        ('household', 'h.csv', 2, 'Trần Văn Lữu'),         -- planted tone change
        ('civil_status', 's.csv', 1, 'Trần Văn Lưu'),      -- the counterpart with diacritics: shown
        ('household', 'h.csv', 3, 'Lê Văn Tám'),           -- planted, but the other record has no name
        ('citizen_id', 'c.csv', 3, NULL)
    ) t(source, file, "row", full_name)""")
    con.execute("""CREATE TEMP TABLE _ev AS SELECT * FROM (VALUES
        ('household', 'h.csv', 1, 'P1'), ('citizen_id', 'c.csv', 1, 'P1'),
        ('household', 'h.csv', 2, 'P2'), ('civil_status', 's.csv', 1, 'P2'),
        ('household', 'h.csv', 3, 'P3'), ('citizen_id', 'c.csv', 3, 'P3')
    ) t(source, file, "row", truth)""")
    con.execute("""CREATE TEMP TABLE _tc AS SELECT * FROM (VALUES
        ('P1', 'full_name'), ('P2', 'full_name'), ('P3', 'full_name')) t(truth, field)""")
    return con


def test_masked_disagreements_are_removed_and_counted():
    con = _world()
    assert _drop_masked(con) == 2
    assert con.execute("SELECT truth FROM _tc").fetchall() == [("P2",)]


def test_without_a_workspace_nothing_is_removed():
    con = _world()
    con.execute("DROP TABLE records")
    assert _drop_masked(con) is None
    assert con.execute("SELECT count(*) FROM _tc").fetchall()[0][0] == 3
