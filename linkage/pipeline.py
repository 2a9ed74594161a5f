"""`linkage run`: ingest → normalise → link → cluster (applying decisions) → conflicts → output files.

Each stage writes its workspace tables; the output folder is written as a whole at the end, so a failed run
leaves the previous folder as it was."""

from __future__ import annotations

import datetime as dt
import json
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from linkage import __version__
from linkage.checkpoints import checkpoint
from linkage.workspace import WorkspaceConfig, atomic_output_dir, connect, sql_string, table_exists

Echo = Callable[[str], None]


@dataclass
class RunOptions:
    sources: list[tuple[str, str]]
    out: str
    model_path: str | None = None
    rules_dir: str | None = None
    mapping: str | None = None
    encoding: str | None = None
    review_store: str | None = None
    engine: str = "duckdb"
    skip_ingest: bool = False
    spark_options: dict[str, Any] = field(default_factory=dict)  # engine "spark": master, conf, workdir


@dataclass
class StageLog:
    """Progress lines, wall time and (optionally) peak memory of each stage."""

    echo: Echo
    timings: dict[str, float] = field(default_factory=dict)
    counts: dict[str, Any] = field(default_factory=dict)
    peak_mb: dict[str, float] = field(default_factory=dict)
    memory: Any = None  # a linkage.memory.PeakMemory, when measuring
    n_stages: int = 6
    _i: int = 0

    def start(self, name: str, what: str) -> float:
        self._i += 1
        self.echo(f"[{self._i}/{self.n_stages}] {what} …")
        if self.memory is not None:
            self.memory.reset()
        return time.perf_counter()

    def done(self, name: str, t0: float, summary: str) -> None:
        self.timings[name] = round(time.perf_counter() - t0, 3)
        if self.memory is not None:
            self.peak_mb[name] = round(self.memory.peak_mb, 1)
        self.echo(f"      {summary} ({self.timings[name]:.1f} s)")


def review_store_present(ws: WorkspaceConfig, review_store: str | None) -> bool:
    """True if there is a review store to read (batch stages never create one)."""
    from linkage.review.store import resolve_target

    target = resolve_target(review_store, ws.path)
    return "://" in target or Path(target).exists()


def decision_links(ws: WorkspaceConfig, review_store: str | None) -> tuple[list, list]:
    """Must-link and cannot-link pairs from the review store's decisions (none if there is no store yet)."""
    from linkage.review import effective_links, open_review_store

    if not review_store_present(ws, review_store):
        return [], []
    store = open_review_store(review_store, ws.path)
    try:
        return effective_links(store)
    finally:
        store.close()


def run(ws: WorkspaceConfig, opts: RunOptions, echo: Echo, log: StageLog | None = None) -> dict[str, Any]:
    from linkage.cluster import cluster, inputs_digest, record_inputs
    from linkage.link import link, load_model_file
    from linkage.model import load_rules
    from linkage.normalise.apply import normalise

    rules = load_rules(opts.rules_dir)
    model = load_model_file(opts.model_path) if opts.model_path else None
    started = dt.datetime.now(dt.UTC)
    log = log or StageLog(echo)
    con = connect(ws)
    try:
        mark_run(con, "running", started)  # until the end: `load` refuses a workspace left mid-run
        if not opts.skip_ingest:
            from linkage.ingest import ingest

            t0 = log.start("ingest", "ingest source files")
            rep = ingest(con, opts.sources, mapping=opts.mapping, encoding=opts.encoding, rules=opts.rules_dir)
            log.counts["ingest"] = rep.as_dict()
            log.done("ingest", t0, rep.summary_line())
            checkpoint("run.after_ingest")

        t0 = log.start("normalise", "normalise names, dates, ID numbers, places")
        nstats = normalise(con)
        log.counts["normalise"] = nstats
        kept = con.execute("SELECT count(*) FROM records").fetchall()[0][0]
        rejected = con.execute("SELECT count(*) FROM rejected").fetchall()[0][0] if table_exists(con, "rejected") else 0
        log.done("normalise", t0, f"{kept:,} records kept, {rejected:,} rows rejected in total")
        checkpoint("run.after_normalise")

        t0 = log.start("link", "link records (Splink)" + (" with the given model" if model else ", training the model"))
        lres = link(con, rules, model, engine=opts.engine, spark_options=opts.spark_options)
        log.counts["link"] = {"pairs_kept": lres.pairs_kept, "trained": lres.trained}
        log.timings.update({f"link_{k}": round(v, 3) for k, v in lres.timings.items()})
        log.done("link", t0, f"{lres.pairs_kept:,} candidate pairs scored above weight {rules.keep_pairs_weight}")
        _save_model(con, lres.model, started)
        checkpoint("run.after_link")

        t0 = log.start("cluster", "cluster records into persons")
        must, cannot = decision_links(ws, opts.review_store)
        cres = cluster(con, rules.match_weight, rules.possible_weight, must, cannot)
        record_inputs(con, inputs_digest(rules.match_weight, rules.possible_weight, must, cannot))
        log.counts["cluster"] = cres.__dict__
        log.done(
            "cluster", t0,
            f"{cres.persons:,} persons from {cres.records:,} records; {cres.possible_matches:,} possible matches"
            + (f"; {cres.held_pairs:,} links held apart ({_fmt_reasons(cres.held_reasons)})" if cres.held_pairs else ""),
        )
        checkpoint("run.after_cluster")

        t0 = log.start("conflicts", "compare each person's documents")
        n_conf = _conflicts(con, log)
        log.done("conflicts", t0, f"{n_conf:,} conflicts")
        checkpoint("run.after_conflicts")

        t0 = log.start("write", f"write outputs to {opts.out}")
        summary = {
            "version": __version__,
            "started": started.isoformat(timespec="seconds"),
            "engine": opts.engine,
            "workspace": str(ws.path),
            "sources": [{"kind": k, "path": p} for k, p in opts.sources],
            "model_file": opts.model_path,
            "rules": str(rules.path),
            "counts": log.counts,
            "rows": _row_counts(con),
            "timings_s": log.timings,
            "versions": _versions(),
        }
        _write_outputs(con, opts.out, summary, lres.model)
        checkpoint("run.after_output_swap")
        from linkage.snapshot import publish

        snap = publish(con, ws.path)
        mark_run(con, "complete", started)
        log.done("write", t0, f"clusters, rejected, conflicts, possible matches, run.json; review snapshot {snap}")
        return summary
    finally:
        con.close()


RUN_STATE = "run_state"


def mark_run(con: duckdb.DuckDBPyConnection, state: str, started: dt.datetime) -> None:
    """Records whether the last `run` on this workspace finished (its stages replace tables one by one)."""
    con.execute(f"CREATE OR REPLACE TABLE {RUN_STATE} AS SELECT ?::VARCHAR AS state, ?::TIMESTAMP AS started",
                [state, started.replace(tzinfo=None)])


def require_finished_run(con: duckdb.DuckDBPyConnection) -> None:
    """Refuses a workspace whose last `run` stopped part-way (crash, kill, error): its tables may mix two runs."""
    if not table_exists(con, RUN_STATE):
        return
    rows = con.execute(f"SELECT state, started FROM {RUN_STATE}").fetchall()
    if rows and rows[0][0] != "complete":
        from linkage.errors import UserError

        raise UserError(f"the last `linkage run` on this workspace (started {rows[0][1]:%Y-%m-%d %H:%M:%S} UTC) "
                        "did not finish, so its tables may mix two runs; run it again before `linkage load`")


def _fmt_reasons(reasons: dict[str, int]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in sorted(reasons.items()))


def _conflicts(con: duckdb.DuckDBPyConnection, log: StageLog) -> int:
    from linkage.conflicts import detect_conflicts

    stats = detect_conflicts(con)
    log.counts["conflicts"] = stats
    return con.execute("SELECT count(*) FROM conflicts").fetchall()[0][0]


def _save_model(con: duckdb.DuckDBPyConnection, model: dict[str, Any], started: dt.datetime) -> None:
    con.execute("CREATE TABLE IF NOT EXISTS models (created TIMESTAMP, model JSON)")
    con.execute("INSERT INTO models VALUES (?, ?)", [started.replace(tzinfo=None), json.dumps(model)])


def _row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    out: dict[str, Any] = {}
    out["records_by_source"] = dict(con.execute(
        "SELECT source, count(*) FROM records GROUP BY source ORDER BY source").fetchall())
    if table_exists(con, "rejected"):
        out["rejected_by_source"] = dict(con.execute(
            "SELECT source, count(*) FROM rejected GROUP BY source ORDER BY source").fetchall())
    out["persons"] = con.execute("SELECT count(DISTINCT person_id) FROM persons").fetchall()[0][0]
    out["persons_by_sources"] = dict(con.execute(
        """SELECT n, count(*) FROM (SELECT person_id, string_agg(DISTINCT r.source, '+' ORDER BY r.source) n
           FROM persons p JOIN records r USING (uid) GROUP BY person_id) GROUP BY n ORDER BY n""").fetchall())
    out["pairs"] = con.execute("SELECT count(*) FROM pairs").fetchall()[0][0]
    out["possible_matches"] = con.execute("SELECT count(*) FROM possible_matches").fetchall()[0][0]
    if table_exists(con, "conflicts"):
        out["conflicts"] = con.execute("SELECT count(*) FROM conflicts").fetchall()[0][0]
    return out


def _versions() -> dict[str, str]:
    import pyarrow
    import splink

    return {"linkage": __version__, "splink": splink.__version__, "duckdb": duckdb.__version__,
            "pyarrow": pyarrow.__version__, "python": platform.python_version()}


CLUSTERS_SQL = """
WITH links AS (
    SELECT p.uid_l AS uid, p.match_weight FROM pairs p
      JOIN persons a ON a.uid = p.uid_l JOIN persons b ON b.uid = p.uid_r WHERE a.person_id = b.person_id
    UNION ALL
    SELECT p.uid_r, p.match_weight FROM pairs p
      JOIN persons a ON a.uid = p.uid_l JOIN persons b ON b.uid = p.uid_r WHERE a.person_id = b.person_id
), best AS (SELECT uid, max(match_weight) AS best_link_weight, count(*) AS links FROM links GROUP BY uid),
size AS (
    SELECT person_id, count(*) AS person_records, list(DISTINCT r.source ORDER BY r.source) AS person_sources
    FROM persons JOIN records r USING (uid) GROUP BY person_id
)
SELECT r.source, r.record_id, r.file, r.row, p.person_id, s.person_records, s.person_sources,
       round(b.best_link_weight, 3) AS best_link_weight, coalesce(b.links, 0) AS links
FROM records r JOIN persons p USING (uid) JOIN size s USING (person_id) LEFT JOIN best b USING (uid)
ORDER BY r.source, r.file, r.row
"""

POSSIBLE_SQL = """
SELECT a.source AS source_l, a.record_id AS record_id_l, a.file AS file_l, a.row AS row_l,
       b.source AS source_r, b.record_id AS record_id_r, b.file AS file_r, b.row AS row_r,
       pa.person_id AS person_id_l, pb.person_id AS person_id_r,
       round(m.match_weight, 3) AS match_weight, round(m.match_probability, 6) AS match_probability, m.reason
FROM possible_matches m
JOIN records a ON a.uid = m.uid_l JOIN records b ON b.uid = m.uid_r
JOIN persons pa ON pa.uid = m.uid_l JOIN persons pb ON pb.uid = m.uid_r
ORDER BY a.source, a.file, a.row, b.source, b.file, b.row
"""


def _copy(con: duckdb.DuckDBPyConnection, sql: str, path: Path) -> None:
    con.execute(f"COPY ({sql}) TO '{sql_string(path)}' (FORMAT parquet, COMPRESSION zstd)")


def _write_outputs(con: duckdb.DuckDBPyConnection, out: str, summary: dict[str, Any], model: dict[str, Any]) -> None:
    with atomic_output_dir(out) as tmp:
        _copy(con, CLUSTERS_SQL, tmp / "clusters.parquet")
        checkpoint("run.output_partial")
        if table_exists(con, "rejected"):
            _copy(con, "SELECT source, record_id, file, row, stage, reason FROM rejected "
                       "ORDER BY source, file, row", tmp / "rejected.parquet")
        else:
            _copy(con, "SELECT NULL::VARCHAR source, NULL::VARCHAR record_id, NULL::VARCHAR file, NULL::BIGINT row, "
                       "NULL::VARCHAR stage, NULL::VARCHAR reason WHERE false", tmp / "rejected.parquet")
        _copy(con, POSSIBLE_SQL, tmp / "possible_matches.parquet")
        if table_exists(con, "conflicts"):
            _copy(con, "SELECT * FROM conflicts ORDER BY person_id, field", tmp / "conflicts.parquet")
        (tmp / "model.json").write_text(json.dumps(model, indent=1, ensure_ascii=False), encoding="utf-8")
        (tmp / "run.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False, default=str),
                                      encoding="utf-8")
