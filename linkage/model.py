"""The linkage model: rules (YAML, `rules/model.yaml`) → Splink 5 settings; training; scoring.

Rules are data that an analyst edits; this module turns them into a Splink settings dictionary whose SQL is
written in DuckDB's dialect (Splink translates it for other backends), trains it without labels, and scores
candidate pairs into the workspace's `pairs` table."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import yaml

from linkage.errors import UserError

log = logging.getLogger(__name__)

DEFAULT_RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
MODEL_FILE = "model.yaml"
LINK_INPUT = "link_input"

# Columns of `records` the model may use; derived: `birth_province` (place of birth registration, else the
# province decoded from the personal ID, which is the birth-registration province by construction),
# `living_province` (residence, else that birth province: a second geography besides the home town),
# `home_province` (the home town's province, else the living one: the geography most blocking rules hold) and
# `birth_year_next` (for blocking on years one apart).
LINK_COLUMNS: tuple[str, ...] = (
    "uid", "source", "record_id", "full_name", "name_fold", "surname", "surname_fold", "surname_key",
    "middle_name", "middle_fold", "middle_core_fold", "given_name", "given_fold", "given_phonetic",
    "birth_date", "birth_year", "birth_month", "birth_day", "birth_date_precision", "birth_date_placeholder",
    "sex", "personal_id", "cmnd", "id_sex", "id_birth_year", "id_province_code",
    "father_fold", "mother_fold", "hometown_province_code", "hometown_commune_key", "residence_province_code",
    "residence_commune",
    "household_id", "relation_to_head", "head_fold",
)


@dataclass
class Rules:
    """The parsed rules file."""

    link_type: str
    thresholds: dict[str, float]
    training: dict[str, Any]
    blocking_rules: list[dict[str, str]]
    comparisons: list[dict[str, Any]]
    path: Path | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def match_weight(self) -> float:
        return float(self.thresholds["match_weight"])

    @property
    def possible_weight(self) -> float:
        return float(self.thresholds["possible_weight"])

    @property
    def keep_pairs_weight(self) -> float:
        return float(self.thresholds.get("keep_pairs_weight", self.possible_weight - 4))


def load_rules(rules_dir: str | Path | None = None) -> Rules:
    """Reads `model.yaml` from the rules folder (default: the project's `rules/`)."""
    folder = Path(rules_dir) if rules_dir else DEFAULT_RULES_DIR
    path = folder / MODEL_FILE if folder.is_dir() else folder
    if not path.exists():
        raise UserError(f"no model rules at {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise UserError(f"cannot parse the rules file: {exc}", file=str(path)) from None
    if not isinstance(data, dict):
        raise UserError("the rules file must be a mapping", file=str(path))
    for key in ("thresholds", "blocking_rules", "comparisons"):
        if key not in data:
            raise UserError(f"the rules file has no '{key}' section", file=str(path))
    rules = Rules(
        link_type=data.get("link_type", "dedupe_only"),
        thresholds=data["thresholds"],
        training=data.get("training", {}),
        blocking_rules=data["blocking_rules"],
        comparisons=data["comparisons"],
        path=path,
        raw=data,
    )
    _validate(rules)
    return rules


def _validate(rules: Rules) -> None:
    where = str(rules.path)
    for i, comp in enumerate(rules.comparisons, 1):
        if "name" not in comp or "levels" not in comp:
            raise UserError(f"comparison {i} needs a 'name' and 'levels'", file=where)
        levels = comp["levels"]
        if not any(lv.get("is_null") for lv in levels):
            raise UserError(f"comparison '{comp['name']}' has no null level", file=where)
        if not levels[-1].get("else"):
            raise UserError(f"comparison '{comp['name']}' must end with an 'else' level", file=where)
        if sum(1 for lv in levels if not lv.get("is_null")) < 2:
            raise UserError(f"comparison '{comp['name']}' needs at least two levels besides the null level",
                            file=where)
    for i, br in enumerate(rules.blocking_rules, 1):
        if "sql" not in br:
            raise UserError(f"blocking rule {i} has no 'sql'", file=where)
    for key in ("match_weight", "possible_weight"):
        if key not in rules.thresholds:
            raise UserError(f"thresholds need '{key}'", file=where)


def _level_dict(level: dict[str, Any]) -> dict[str, Any]:
    if level.get("else"):
        out: dict[str, Any] = {"sql_condition": "ELSE", "label_for_charts": level.get("label", "else")}
    else:
        out = {
            "sql_condition": level["sql"],
            "label_for_charts": level.get("label", level["sql"]),
            "base_dialect_str": "duckdb",
        }
    if level.get("is_null"):
        out["is_null_level"] = True
    for key in ("m", "u"):  # probabilities the analyst sets (and may fix) instead of training them
        if key in level:
            out[f"{key}_probability"] = float(level[key])
            if level.get(f"fix_{key}"):
                out[f"fix_{key}_probability"] = True
    if level.get("tf"):
        out["tf_adjustment_column"] = level["tf"]
        out["tf_adjustment_weight"] = float(level.get("tf_weight", 1.0))
        if "tf_min_u" in level:  # caps the boost a very rare value gets (rare names run in families)
            out["tf_minimum_u_value"] = float(level["tf_min_u"])
    return out


def settings_dict(rules: Rules) -> dict[str, Any]:
    """Splink settings as a plain dictionary (SettingsCreator accepts it)."""
    comparisons = [
        {
            "output_column_name": comp["name"],
            "comparison_description": comp.get("description", comp["name"]),
            "comparison_levels": [_level_dict(lv) for lv in comp["levels"]],
        }
        for comp in rules.comparisons
    ]
    return {
        "link_type": rules.link_type,
        "unique_id_column_name": "uid",
        "comparisons": comparisons,
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": br["sql"], "sql_dialect": "duckdb"} for br in rules.blocking_rules
        ],
        "retain_matching_columns": True,
        "retain_intermediate_calculation_columns": False,
        "additional_columns_to_retain": ["source", "record_id"],
        "em_convergence": 0.001,
        "max_iterations": 20,
    }


def create_link_input(con: duckdb.DuckDBPyConnection) -> None:
    """The model's view of `records`: the columns it uses plus derived ones."""
    cols = [c for c in LINK_COLUMNS]
    con.execute(
        f"""
        CREATE OR REPLACE TABLE {LINK_INPUT} AS
        SELECT {", ".join(cols)},
               coalesce(birth_place_province_code, id_province_code) AS birth_province,
               coalesce(residence_province_code, birth_place_province_code, id_province_code) AS living_province,
               coalesce(hometown_province_code, living_province) AS home_province,
               birth_year + 1 AS birth_year_next
        FROM records
        ORDER BY uid
        """
    )


def make_linker(con: duckdb.DuckDBPyConnection, settings: dict[str, Any] | str | Path) -> Any:
    """A Splink linker over the `link_input` table of this connection."""
    from splink import DuckDBAPI, Linker

    db_api = DuckDBAPI(connection=con)
    sdf = db_api.register(LINK_INPUT)
    if isinstance(settings, (str, Path)):
        settings = json.loads(Path(settings).read_text(encoding="utf-8"))
    return Linker(sdf, settings)


def train(linker: Any, rules: Rules) -> dict[str, float]:
    """Unsupervised training: prior from deterministic rules, u by random sampling, m by EM (capped)."""
    import time

    t = rules.training
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    prior = t.get("prior", {})
    if prior.get("rules"):
        linker.training.estimate_probability_two_random_records_match(
            prior["rules"], recall=float(prior.get("recall", 0.8))
        )
    timings["prior"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    linker.training.estimate_u_using_random_sampling(
        max_pairs=float(t.get("u_max_pairs", 3e6)), seed=int(t.get("seed", 42))
    )
    timings["u"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    for br in t.get("em_blocking_rules", []):
        linker.training.estimate_parameters_using_expectation_maximisation(
            br, max_pairs=float(t.get("em_max_pairs", 1e6))
        )
    timings["em"] = time.perf_counter() - t0
    return timings


def model_json(linker: Any) -> dict[str, Any]:
    """The trained model as a dictionary (Splink's model JSON, reloadable with `--model`). Without Splink's
    `linker_uid`, a random name for its cached tables that is no part of the model (and made two identical
    runs' model.json differ)."""
    model = linker.misc.save_model_to_json(out_path=None)
    model.pop("linker_uid", None)
    return model


def count_comparisons(con: duckdb.DuckDBPyConnection, rules: Rules) -> list[dict[str, Any]]:
    """Exact number of pairs each blocking rule adds (marginal) and the running total, over `link_input`."""
    from splink import DuckDBAPI
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    sdf = DuckDBAPI(connection=con).register(LINK_INPUT)
    counts = count_comparisons_from_blocking_rules(
        sdf, blocking_rules=[b["sql"] for b in rules.blocking_rules], link_type="dedupe_only",
        unique_id_column_name="uid", record_sample_proportion=1.0)
    return [{"rule": b.get("name", b["sql"]), "marginal": c["marginal_comparison_count"],
             "cumulative": c["cumulative_comparison_count"]} for b, c in zip(rules.blocking_rules, counts, strict=True)]
