"""The link stage: `records` → trained Splink model → scored candidate pairs in `pairs`."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from linkage.errors import UserError
from linkage.model import LINK_INPUT, Rules, create_link_input, make_linker, model_json, settings_dict, train

log = logging.getLogger(__name__)


@dataclass
class LinkResult:
    model: dict[str, Any]
    trained: bool
    pairs_kept: int
    timings: dict[str, float] = field(default_factory=dict)


def _quiet_splink() -> None:
    for name in ("splink", "splink.internals"):
        logging.getLogger(name).setLevel(logging.ERROR)


def load_model_file(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    if not p.exists():
        raise UserError("model file not found", file=str(p))
    try:
        model = json.loads(p.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"not a model JSON file: {exc}", file=str(p)) from None
    if not isinstance(model, dict) or "comparisons" not in model:
        raise UserError("not a Splink model JSON file (no 'comparisons')", file=str(p))
    return model


def _train_single_threaded(con: duckdb.DuckDBPyConnection, linker: Any, rules: Rules) -> dict[str, float]:
    """Training on one DuckDB thread: EM sums floating-point numbers, and threads add them up in whatever order
    they finish, so the trained m probabilities (and every match weight after them) changed in their last digits
    from run to run. One thread adds them in one order: the same inputs give the same model bit for bit."""
    threads = int(con.execute("SELECT current_setting('threads')").fetchall()[0][0])
    con.execute("SET threads = 1")
    try:
        return train(linker, rules)
    finally:
        con.execute(f"SET threads = {threads}")


def link(
    con: duckdb.DuckDBPyConnection,
    rules: Rules,
    model: dict[str, Any] | None = None,
    engine: str = "duckdb",
    spark_options: dict[str, Any] | None = None,
) -> LinkResult:
    """Trains (unless a model is given) and scores all candidate pairs into `pairs`.

    engine "duckdb" scores in the workspace; "spark" trains on DuckDB (or takes the given model) and scores
    on Splink's Spark backend (`linkage.engines.spark`; `spark_options`: its master, conf, workdir)."""
    _quiet_splink()
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    create_link_input(con)
    n = con.execute(f"SELECT count(*) FROM {LINK_INPUT}").fetchall()[0][0]
    if n < 2:
        raise UserError("fewer than two usable records: nothing to link")
    trained = model is None
    settings = settings_dict(rules) if model is None else model
    linker = make_linker(con, settings)
    timings["prepare"] = time.perf_counter() - t0
    if trained:
        timings.update({f"train_{k}": v for k, v in _train_single_threaded(con, linker, rules).items()})
    t0 = time.perf_counter()
    if engine == "spark":
        from linkage.engines.spark import score_pairs_spark

        trained_model = model_json(linker)
        sres = score_pairs_spark(con, trained_model, rules, **(spark_options or {}))
        timings.update({f"spark_{k}": v for k, v in sres["timings"].items()})
        timings["predict"] = time.perf_counter() - t0
        kept = sres["pairs_kept"]
        return LinkResult(model=trained_model, trained=trained, pairs_kept=kept, timings=timings)
    pred = linker.inference.predict(threshold_match_weight=rules.keep_pairs_weight)
    gammas = [c["output_column_name"] for c in (model or settings)["comparisons"]]
    gamma_cols = ", ".join(f"gamma_{g}" for g in gammas)
    con.execute(
        f"""
        CREATE OR REPLACE TABLE pairs AS
        SELECT least(uid_l, uid_r) AS uid_l, greatest(uid_l, uid_r) AS uid_r,
               match_weight, match_probability, {gamma_cols}
        FROM {pred.physical_name}
        ORDER BY uid_l, uid_r
        """
    )
    timings["predict"] = time.perf_counter() - t0
    kept = con.execute("SELECT count(*) FROM pairs").fetchall()[0][0]
    result = LinkResult(
        model=model_json(linker),
        trained=trained,
        pairs_kept=kept,
        timings=timings,
    )
    pred.drop_table_from_database_and_remove_from_cache()
    return result
