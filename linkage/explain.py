"""Why two records are (not) linked: each comparison's level and match weight, from the run's model."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from linkage.errors import UserError
from linkage.model import LINK_INPUT, make_linker
from linkage.workspace import table_exists


@dataclass
class Explanation:
    steps: list[dict[str, Any]]          # waterfall rows: column_name, label_for_charts, log2_bayes_factor, values
    match_weight: float
    match_probability: float
    same_person: bool
    person_ids: tuple[str, str]
    held_reason: str | None
    chart_html: str | None = None


def parse_ref(ref: str) -> tuple[str, str]:
    if ":" not in ref:
        raise UserError(f"a record is named SOURCE:RECORD_ID, got {ref!r}")
    source, record_id = ref.split(":", 1)
    return source, record_id


def _uid(con: duckdb.DuckDBPyConnection, ref: str) -> int:
    source, record_id = parse_ref(ref)
    rows = con.execute("SELECT uid FROM records WHERE source = ? AND record_id = ? ORDER BY uid",
                       [source, record_id]).fetchall()
    if not rows:
        raise UserError(f"no record {source}:{record_id} in the workspace")
    return rows[0][0]


def latest_model(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    if not table_exists(con, "models"):
        raise UserError("the workspace has no trained model: run `linkage run` first")
    rows = con.execute("SELECT model FROM models ORDER BY created DESC LIMIT 1").fetchall()
    return json.loads(rows[0][0])


def explain(con: duckdb.DuckDBPyConnection, ref_a: str, ref_b: str, model: dict[str, Any] | None = None,
            chart: bool = False) -> Explanation:
    for t in ("records", LINK_INPUT, "persons"):
        if not table_exists(con, t):
            raise UserError(f"the workspace has no '{t}' table: run `linkage run` first")
    ua, ub = _uid(con, ref_a), _uid(con, ref_b)
    settings = dict(model or latest_model(con))
    settings["retain_intermediate_calculation_columns"] = True
    settings["retain_matching_columns"] = True
    linker = make_linker(con, settings)
    tf_cols = sorted({lv["tf_adjustment_column"] for c in settings["comparisons"]
                      for lv in c["comparison_levels"] if lv.get("tf_adjustment_column")})
    for col in tf_cols:
        linker.table_management.compute_tf_table(col)
    rel = con.execute(f"SELECT * FROM {LINK_INPUT} WHERE uid IN (?, ?) ORDER BY uid = ? DESC", [ua, ub, ua])
    cols = [d[0] for d in rel.description]
    recs = [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]
    scored = linker.inference.score_pair(recs[0], recs[1])
    record = scored.as_record_list()[0]
    from splink.internals.waterfall_chart import records_to_waterfall_data

    steps = records_to_waterfall_data([record], linker._settings_obj, False)
    html = linker.visualisations.waterfall_chart([record], filter_nulls=False).to_html(inline=True) if chart else None
    pid = dict(con.execute("SELECT uid, person_id FROM persons WHERE uid IN (?, ?)", [ua, ub]).fetchall())
    held = None
    if table_exists(con, "possible_matches"):
        r = con.execute("SELECT reason FROM possible_matches WHERE uid_l = ? AND uid_r = ?",
                        [min(ua, ub), max(ua, ub)]).fetchall()
        held = r[0][0] if r else None
    return Explanation(
        steps=steps, match_weight=float(record["match_weight"]),
        match_probability=float(record["match_probability"]), same_person=pid.get(ua) == pid.get(ub),
        person_ids=(pid.get(ua, "?"), pid.get(ub, "?")), held_reason=held, chart_html=html,
    )


def write_chart(exp: Explanation, path: str | Path) -> None:
    if exp.chart_html is None:
        raise ValueError("explanation has no chart")
    Path(path).write_text(exp.chart_html, encoding="utf-8")
