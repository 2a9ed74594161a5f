"""Constrained clustering: one wrong link must not chain strangers together."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from linkage.cluster import cluster

D1 = dt.date(1990, 5, 17)
D2 = dt.date(1985, 1, 2)

# uid, source, record_id, birth_date, given_fold, father_fold, mother_fold, household_id, personal_id, status
RECORDS = [
    (1, "civil_status", "HT-1", D1, "an", "nguyen van ba", "tran thi cuc", None, "001090000001", "valid"),
    (2, "household", "100", D1, "an", None, None, "HK1", None, "missing"),
    (3, "citizen_id", "001090000001", D1, "an", None, None, None, "001090000001", "valid"),
    # a twin of 1: same parents and date, other given name
    (4, "civil_status", "HT-2", D1, "binh", "nguyen van ba", "tran thi cuc", None, "001090000002", "valid"),
    (5, "household", "101", D1, "binh", None, None, "HK1", None, "missing"),
    # a stranger with another valid ID
    (6, "citizen_id", "079085000009", D2, "an", None, None, None, "079085000009", "valid"),
    (7, "household", "300", D2, "an", None, None, "HK9", None, "missing"),
    (8, "household", "301", D2, "an", None, None, "HK8", None, "missing"),
]


def make_con(pairs: list[tuple[int, int, float]]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute(
        """CREATE TABLE records (uid BIGINT, source VARCHAR, record_id VARCHAR, file VARCHAR, row BIGINT,
           birth_date DATE, given_fold VARCHAR, father_fold VARCHAR, mother_fold VARCHAR, household_id VARCHAR,
           personal_id VARCHAR, personal_id_status VARCHAR)"""
    )
    for r in RECORDS:
        con.execute("INSERT INTO records VALUES (?, ?, ?, 'f.csv', ?, ?, ?, ?, ?, ?, ?, ?)",
                    [r[0], r[1], r[2], r[0], *r[3:]])
    con.execute("CREATE TABLE pairs (uid_l BIGINT, uid_r BIGINT, match_weight DOUBLE, match_probability DOUBLE)")
    for a, b, w in pairs:
        con.execute("INSERT INTO pairs VALUES (?, ?, ?, ?)", [min(a, b), max(a, b), w, 1 / (1 + 2 ** -w)])
    return con


def persons(con: duckdb.DuckDBPyConnection) -> dict[int, str]:
    return dict(con.execute("SELECT uid, person_id FROM persons").fetchall())


def test_plain_links_form_one_person_and_singletons_stay():
    con = make_con([(1, 2, 20), (2, 3, 15)])
    res = cluster(con, 4.0, -2.0)
    p = persons(con)
    assert p[1] == p[2] == p[3]
    assert len({p[4], p[5], p[6], p[7], p[8]}) == 5
    assert res.persons == 6 and res.records == 8


def test_chain_through_household_row_cannot_join_two_birth_registrations():
    # 2 (household row of An) wrongly linked to 5's twin registration 4 via a strong-looking link
    con = make_con([(1, 2, 20), (2, 4, 6), (4, 5, 18)])
    res = cluster(con, 4.0, -2.0)
    p = persons(con)
    assert p[1] == p[2]
    assert p[4] == p[5]
    assert p[1] != p[4]
    assert res.resolved_components == 1
    held = con.execute("SELECT uid_l, uid_r, reason FROM possible_matches").fetchall()
    assert (2, 4, "two_birth_registrations") in held


def test_direct_link_between_twins_in_one_household_is_held_apart():
    con = make_con([(2, 5, 12)])
    cluster(con, 4.0, -2.0)
    p = persons(con)
    assert p[2] != p[5]
    assert con.execute("SELECT reason FROM possible_matches").fetchall() == [("twins",)]


def test_two_valid_ids_are_not_merged_but_listed():
    con = make_con([(3, 7, 10), (6, 7, 11)])
    cluster(con, 4.0, -2.0)
    p = persons(con)
    assert p[6] == p[7]
    assert p[3] != p[6]
    reasons = {r for (r,) in con.execute("SELECT reason FROM possible_matches").fetchall()}
    assert reasons == {"different_personal_ids"}


def test_uncertain_band_goes_to_possible_matches():
    con = make_con([(7, 8, 1.5), (6, 8, -5.0)])
    cluster(con, 4.0, -2.0)
    rows = con.execute("SELECT uid_l, uid_r, reason FROM possible_matches").fetchall()
    assert rows == [(7, 8, "uncertain")]


@pytest.mark.parametrize("weight", [30.0, 5.0])
def test_cannot_link_decision_splits_and_must_link_joins(weight):
    con = make_con([(1, 2, weight), (2, 3, weight)])
    cluster(con, 4.0, -2.0, cannot_link=[(("household", "100"), ("civil_status", "HT-1"))])
    p = persons(con)
    assert p[1] != p[2]
    assert p[2] == p[3]
    con2 = make_con([])
    cluster(con2, 4.0, -2.0, must_link=[(("household", "300"), ("household", "301"))])
    p2 = persons(con2)
    assert p2[7] == p2[8]


def test_person_ids_are_stable_and_independent_of_uid_order():
    con = make_con([(1, 2, 20), (2, 3, 15)])
    cluster(con, 4.0, -2.0)
    first = persons(con)
    con.execute("UPDATE records SET uid = uid + 100")
    con.execute("UPDATE pairs SET uid_l = uid_l + 100, uid_r = uid_r + 100")
    cluster(con, 4.0, -2.0)
    second = {u - 100: pid for u, pid in persons(con).items()}
    assert first == second
