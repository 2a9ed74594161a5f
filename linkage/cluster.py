"""Clustering scored pairs into persons, under the domain's constraints.

One wrong link must not chain strangers together, so:
- a person has at most one birth registration;
- two records of one source with the same birth date and the same parents (civil status) or the same
  household book (household) but different given names are twins, never merged;
- records with two different valid 12-digit IDs are not merged automatically (an ID can be re-issued after a
  correction) but listed for review;
- officers' and stewards' decisions apply: cannot-link pairs are held apart, must-link pairs are joined.

The work is set-based: pairwise constraints are filtered in SQL, connected components are computed in SQL by
label propagation, and only the few components that break a constraint transitively are resolved by a greedy
pass in Python (strongest links first, a link is refused if it would join what a constraint keeps apart).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

log = logging.getLogger(__name__)

Key = tuple[str, str]  # (source, record_id)

VALID_ID = "personal_id_status IN ('valid', 'repaired')"

# Pairwise constraint, as SQL over two records a and b; returns a reason or NULL.
_PAIR_CONSTRAINT_SQL = """
CASE
  WHEN a.source = 'civil_status' AND b.source = 'civil_status' THEN 'two_birth_registrations'
  WHEN a.source = b.source AND a.birth_date = b.birth_date AND a.given_fold <> b.given_fold
       AND ((a.source = 'civil_status' AND a.father_fold = b.father_fold AND a.mother_fold = b.mother_fold)
            OR (a.source = 'household' AND a.household_id = b.household_id))
       THEN 'twins'
  WHEN a.personal_id <> b.personal_id
       AND a.personal_id_status IN ('valid', 'repaired') AND b.personal_id_status IN ('valid', 'repaired')
       THEN 'different_personal_ids'
  ELSE NULL
END
"""


@dataclass
class ClusterResult:
    records: int = 0
    persons: int = 0
    links_used: int = 0
    held_pairs: int = 0
    resolved_components: int = 0
    possible_matches: int = 0
    must_links: int = 0
    cannot_links: int = 0
    held_reasons: dict[str, int] = field(default_factory=dict)


def _keys_table(con: duckdb.DuckDBPyConnection, name: str, pairs: Sequence[tuple[Key, Key]]) -> None:
    tbl = pa.table(
        {
            "source_a": pa.array([p[0][0] for p in pairs], pa.string()),
            "record_id_a": pa.array([p[0][1] for p in pairs], pa.string()),
            "source_b": pa.array([p[1][0] for p in pairs], pa.string()),
            "record_id_b": pa.array([p[1][1] for p in pairs], pa.string()),
        }
    )
    con.register(f"_{name}_arrow", tbl)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {name} AS
        SELECT DISTINCT least(ra.uid, rb.uid) AS uid_l, greatest(ra.uid, rb.uid) AS uid_r
        FROM _{name}_arrow k
        JOIN records ra ON ra.source = k.source_a AND ra.record_id = k.record_id_a
        JOIN records rb ON rb.source = k.source_b AND rb.record_id = k.record_id_b
        WHERE ra.uid <> rb.uid
        """
    )
    con.unregister(f"_{name}_arrow")


def cluster(
    con: duckdb.DuckDBPyConnection,
    match_weight: float,
    possible_weight: float,
    must_link: Sequence[tuple[Key, Key]] = (),
    cannot_link: Sequence[tuple[Key, Key]] = (),
) -> ClusterResult:
    """Reads `records` and `pairs`; writes `persons` (uid, person_id) and `possible_matches`."""
    res = ClusterResult(must_links=len(must_link), cannot_links=len(cannot_link))
    _keys_table(con, "_must", must_link)
    _keys_table(con, "_cannot", cannot_link)

    # 1. Candidate links: strong pairs and must-links; pairwise constraints checked in SQL.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _cand AS
        WITH strong AS (
            SELECT uid_l, uid_r, match_weight, false AS forced FROM pairs WHERE match_weight >= {float(match_weight)}
            UNION ALL
            SELECT uid_l, uid_r, 1e9 AS match_weight, true AS forced FROM _must
        ), best AS (
            SELECT uid_l, uid_r, max(match_weight) AS match_weight, bool_or(forced) AS forced
            FROM strong GROUP BY uid_l, uid_r
        )
        SELECT s.uid_l, s.uid_r, s.match_weight, s.forced,
               CASE WHEN s.forced THEN NULL
                    WHEN c.uid_l IS NOT NULL THEN 'cannot_link_decision'
                    ELSE {_PAIR_CONSTRAINT_SQL} END AS held_reason
        FROM best s
        JOIN records a ON a.uid = s.uid_l
        JOIN records b ON b.uid = s.uid_r
        LEFT JOIN _cannot c ON c.uid_l = s.uid_l AND c.uid_r = s.uid_r
        """
    )
    con.execute("CREATE OR REPLACE TEMP TABLE _edges AS SELECT uid_l, uid_r, match_weight, forced FROM _cand "
                "WHERE held_reason IS NULL")

    # 2. Connected components by label propagation (clusters are small: few iterations).
    _components(con)

    # 3. Components that break a constraint transitively: resolved greedily.
    bad = _violating_components(con)
    res.resolved_components = len(bad)
    refused: list[tuple[int, int, float, str]] = []
    if bad:
        refused = _resolve(con, bad)
    res.records = con.execute("SELECT count(*) FROM _labels").fetchall()[0][0]

    # 4. Stable person ids: hash of the smallest member key.
    con.execute(
        """
        CREATE OR REPLACE TABLE persons AS
        WITH k AS (
            SELECT l.uid, l.label,
                   r.source || ':' || coalesce(r.record_id, '') || ':' || regexp_replace(r.file, '^.*[/\\\\]', '')
                   || ':' || r.row AS key
            FROM _labels l JOIN records r USING (uid)
        ), m AS (SELECT label, min(key) AS min_key FROM k GROUP BY label)
        SELECT k.uid, 'P' || substr(sha1(m.min_key), 1, 12) AS person_id
        FROM k JOIN m USING (label)
        ORDER BY k.uid
        """
    )
    res.persons = con.execute("SELECT count(DISTINCT person_id) FROM persons").fetchall()[0][0]
    res.links_used = con.execute("SELECT count(*) FROM _edges").fetchall()[0][0] - len(refused)

    # 5. Possible matches: the uncertain band, and pairs held apart by a constraint.
    refused_tbl = pa.table(
        {
            "uid_l": pa.array([r[0] for r in refused], pa.int64()),
            "uid_r": pa.array([r[1] for r in refused], pa.int64()),
            "reason": pa.array([r[3] for r in refused], pa.string()),
        }
    )
    con.register("_refused_arrow", refused_tbl)
    con.execute(
        f"""
        CREATE OR REPLACE TABLE possible_matches AS
        WITH c AS (
            SELECT uid_l, uid_r, 'uncertain' AS reason FROM pairs
            WHERE match_weight >= {float(possible_weight)} AND match_weight < {float(match_weight)}
            UNION ALL
            SELECT uid_l, uid_r, held_reason FROM _cand WHERE held_reason IS NOT NULL
            UNION ALL
            SELECT uid_l, uid_r, reason FROM _refused_arrow
        ), one AS (
            SELECT uid_l, uid_r, min(reason) AS reason FROM c GROUP BY uid_l, uid_r
        )
        SELECT one.uid_l, one.uid_r, coalesce(p.match_weight, NULL) AS match_weight,
               coalesce(p.match_probability, NULL) AS match_probability, one.reason
        FROM one
        JOIN persons pl ON pl.uid = one.uid_l
        JOIN persons pr ON pr.uid = one.uid_r
        LEFT JOIN pairs p ON p.uid_l = one.uid_l AND p.uid_r = one.uid_r
        WHERE pl.person_id <> pr.person_id
        ORDER BY one.uid_l, one.uid_r
        """
    )
    con.unregister("_refused_arrow")
    res.possible_matches = con.execute("SELECT count(*) FROM possible_matches").fetchall()[0][0]
    held = con.execute(
        "SELECT reason, count(*) FROM possible_matches WHERE reason <> 'uncertain' GROUP BY reason ORDER BY reason"
    ).fetchall()
    res.held_reasons = {r: n for r, n in held}
    res.held_pairs = sum(res.held_reasons.values())
    return res


def _components(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _nbr AS
        SELECT uid_l AS a, uid_r AS b FROM _edges UNION ALL SELECT uid_r, uid_l FROM _edges
        """
    )
    con.execute("CREATE OR REPLACE TEMP TABLE _labels AS SELECT uid, uid AS label FROM records")
    for _ in range(200):
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE _labels_next AS
            SELECT l.uid, least(l.label, coalesce(min(n.label), l.label)) AS label
            FROM _labels l
            LEFT JOIN _nbr e ON e.a = l.uid
            LEFT JOIN _labels n ON n.uid = e.b
            GROUP BY l.uid, l.label
            """
        )
        changed = con.execute(
            "SELECT count(*) FROM _labels_next x JOIN _labels y USING (uid) WHERE x.label <> y.label"
        ).fetchall()[0][0]
        con.execute("DROP TABLE _labels")
        con.execute("ALTER TABLE _labels_next RENAME TO _labels")
        if changed == 0:
            return
    raise RuntimeError("connected components did not converge")


def _violating_components(con: duckdb.DuckDBPyConnection) -> list[int]:
    rows = con.execute(
        f"""
        WITH m AS (SELECT l.label, r.* FROM _labels l JOIN records r USING (uid)),
        multi AS (SELECT label FROM m GROUP BY label HAVING count(*) > 1),
        by_count AS (
            SELECT label FROM m WHERE label IN (SELECT label FROM multi) GROUP BY label
            HAVING count(*) FILTER (WHERE source = 'civil_status') > 1
                OR count(DISTINCT personal_id) FILTER (WHERE {VALID_ID}) > 1
        ),
        by_pair AS (
            SELECT a.label FROM m a JOIN m b ON a.label = b.label AND a.uid < b.uid
            WHERE a.label IN (SELECT label FROM multi)
              AND ({_PAIR_CONSTRAINT_SQL}) = 'twins'
        ),
        by_cannot AS (
            SELECT la.label FROM _cannot c
            JOIN _labels la ON la.uid = c.uid_l JOIN _labels lb ON lb.uid = c.uid_r
            WHERE la.label = lb.label
        )
        SELECT label FROM by_count UNION SELECT label FROM by_pair UNION SELECT label FROM by_cannot
        ORDER BY label
        """
    ).fetchall()
    return [r[0] for r in rows]


@dataclass
class _Member:
    uid: int
    source: str
    birth_date: object
    given_fold: str | None
    father_fold: str | None
    mother_fold: str | None
    household_id: str | None
    personal_id: str | None


def _twins(a: _Member, b: _Member) -> bool:
    if a.source != b.source or a.birth_date is None or a.birth_date != b.birth_date:
        return False
    if a.given_fold is None or b.given_fold is None or a.given_fold == b.given_fold:
        return False
    if a.source == "civil_status":
        return (a.father_fold is not None and a.father_fold == b.father_fold
                and a.mother_fold is not None and a.mother_fold == b.mother_fold)
    if a.source == "household":
        return a.household_id is not None and a.household_id == b.household_id
    return False


class _Group:
    __slots__ = ("members", "civil", "ids")

    def __init__(self, m: _Member) -> None:
        self.members = [m]
        self.civil = 1 if m.source == "civil_status" else 0
        self.ids = {m.personal_id} if m.personal_id else set()


def _merge_reason(ga: _Group, gb: _Group, cannot: set[tuple[int, int]]) -> str | None:
    if ga.civil and gb.civil:
        return "two_birth_registrations"
    if ga.ids and gb.ids and ga.ids != gb.ids:
        return "different_personal_ids"
    for x in ga.members:
        for y in gb.members:
            if (min(x.uid, y.uid), max(x.uid, y.uid)) in cannot:
                return "cannot_link_decision"
            if _twins(x, y):
                return "twins"
    return None


def _resolve(con: duckdb.DuckDBPyConnection, labels: Iterable[int]) -> list[tuple[int, int, float, str]]:
    """Greedy constrained merging inside the given components; rewrites their labels in `_labels`."""
    lab = pa.table({"label": pa.array(list(labels), pa.int64())})
    con.register("_bad_arrow", lab)
    members = con.execute(
        f"""
        SELECT l.label, r.uid, r.source, r.birth_date, r.given_fold, r.father_fold, r.mother_fold, r.household_id,
               CASE WHEN {VALID_ID} THEN r.personal_id END
        FROM _labels l JOIN records r USING (uid)
        WHERE l.label IN (SELECT label FROM _bad_arrow)
        ORDER BY r.uid
        """
    ).fetchall()
    edges = con.execute(
        """
        SELECT e.uid_l, e.uid_r, e.match_weight, e.forced FROM _edges e JOIN _labels l ON l.uid = e.uid_l
        WHERE l.label IN (SELECT label FROM _bad_arrow)
        ORDER BY e.forced DESC, e.match_weight DESC, e.uid_l, e.uid_r
        """
    ).fetchall()
    cannot = {(a, b) for a, b in con.execute(
        """SELECT c.uid_l, c.uid_r FROM _cannot c JOIN _labels l ON l.uid = c.uid_l
           WHERE l.label IN (SELECT label FROM _bad_arrow)""").fetchall()}
    con.unregister("_bad_arrow")

    group_of: dict[int, _Group] = {}
    for row in members:
        m = _Member(*row[1:])
        group_of[m.uid] = _Group(m)
    refused: list[tuple[int, int, float, str]] = []
    for a, b, w, forced in edges:
        ga, gb = group_of[a], group_of[b]
        if ga is gb:
            continue
        reason = None if forced else _merge_reason(ga, gb, cannot)
        if reason:
            refused.append((a, b, w, reason))
            continue
        if len(ga.members) < len(gb.members):
            ga, gb = gb, ga
        ga.members.extend(gb.members)
        ga.civil += gb.civil
        ga.ids |= gb.ids
        for m in gb.members:
            group_of[m.uid] = ga
    new_labels = pa.table(
        {
            "uid": pa.array(list(group_of), pa.int64()),
            "label": pa.array([min(x.uid for x in g.members) for g in group_of.values()], pa.int64()),
        }
    )
    con.register("_new_labels", new_labels)
    con.execute("UPDATE _labels SET label = n.label FROM _new_labels n WHERE _labels.uid = n.uid")
    con.unregister("_new_labels")
    log.info("resolved %d components by constrained merging; %d links refused", len(set(labels)), len(refused))
    return refused


def inputs_digest(match_weight: float, possible_weight: float, must_link: Sequence[tuple[Key, Key]],
                  cannot_link: Sequence[tuple[Key, Key]]) -> str:
    """What a clustering depends on besides `pairs` and `records`: thresholds and decisions."""
    text = repr((float(match_weight), float(possible_weight), sorted(must_link), sorted(cannot_link)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_inputs(con: duckdb.DuckDBPyConnection, digest: str) -> None:
    con.execute("CREATE OR REPLACE TABLE cluster_inputs AS SELECT ?::VARCHAR AS digest", [digest])


def is_current(con: duckdb.DuckDBPyConnection, digest: str) -> bool:
    """True when `persons` (and the conflicts computed from them) came from a clustering with these inputs."""
    try:
        rows = con.execute("SELECT digest FROM cluster_inputs").fetchall()
    except duckdb.CatalogException:
        return False
    return bool(rows) and rows[0][0] == digest
