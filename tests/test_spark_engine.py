"""`linkage run --engine spark`: DuckDB SQL → Spark SQL, DuckDB's string and date functions reproduced on Spark,
and the bundled sample scored on both engines with one trained model giving the same pairs and persons.

Needs pyspark (and Java 17): without it this module fails at import, it does not skip."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyspark  # noqa: F401  - a missing pyspark fails the module (the Spark engine is tested, never skipped)
import pytest
from click.testing import CliRunner

from cli import main
from linkage.engines import spark as S
from linkage.errors import UserError

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
SOURCES = [f"civil_status={SAMPLE / 'civil_status.csv'}", f"household={SAMPLE / 'household.csv'}",
           f"citizen_id={SAMPLE / 'citizen_id.csv'}"]


# --- pure functions ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("duckdb_sql", "spark_sql"), [
    ("jaro_winkler_similarity(given_fold_l, given_fold_r) >= 0.88",
     "LINKAGE_JARO_WINKLER(given_fold_l, given_fold_r) >= 0.88"),
    ("jaro_similarity(a_l, a_r) > 0.9", "LINKAGE_JARO(a_l, a_r) > 0.9"),
    ("abs(date_diff('day', birth_date_l, birth_date_r)) <= 60", "ABS(DATEDIFF(birth_date_r, birth_date_l)) <= 60"),
    ("date_diff('year', d_l, d_r) = 1", "(YEAR(d_r) - YEAR(d_l)) = 1"),
    ("date_diff('month', d_l, d_r) < 3", "((YEAR(d_r) - YEAR(d_l)) * 12 + MONTH(d_r) - MONTH(d_l)) < 3"),
    ("coalesce(middle_core_fold_l, '') = coalesce(middle_core_fold_r, '')",
     "COALESCE(middle_core_fold_l, '') = COALESCE(middle_core_fold_r, '')"),
    ("coalesce(id_sex_l <> sex_r, false)", "COALESCE(id_sex_l <> sex_r, FALSE)"),
    ("levenshtein(a_l, a_r) <= 1", "LEVENSHTEIN(a_l, a_r) <= 1"),
    ("l.birth_year = r.birth_year AND (l.birth_date_precision = 'year' OR l.birth_date_placeholder)",
     "l.birth_year = r.birth_year AND (l.birth_date_precision = 'year' OR l.birth_date_placeholder)"),
])
def test_duckdb_conditions_are_written_for_spark(duckdb_sql: str, spark_sql: str) -> None:
    assert S.to_spark_sql(duckdb_sql) == spark_sql


@pytest.mark.parametrize("bad", ["date_diff('week', a_l, a_r) < 2", "given_fold_l = = given_fold_r"])
def test_untranslatable_conditions_are_user_errors(bad: str) -> None:
    with pytest.raises(UserError):
        S.to_spark_sql(bad)


@pytest.mark.parametrize(("pairs", "expected"), [
    ([], {}),
    (["spark.driver.memory=4g"], {"spark.driver.memory": "4g"}),
    (["spark.executor.extraJavaOptions=-Da=b -Dc=d", "spark.sql.shuffle.partitions = 8"],
     {"spark.executor.extraJavaOptions": "-Da=b -Dc=d", "spark.sql.shuffle.partitions": "8"}),
])
def test_parse_conf(pairs: list[str], expected: dict[str, str]) -> None:
    assert S.parse_conf(pairs) == expected


@pytest.mark.parametrize("bad", ["spark.driver.memory", "driver.memory=4g", "=4g"])
def test_parse_conf_rejects(bad: str) -> None:
    with pytest.raises(UserError):
        S.parse_conf([bad])


@pytest.mark.parametrize(("records", "cores", "expected"), [
    (4_716, 2, 2), (1_000_000, 2, 4), (1_000_000, 16, 16), (50_000_000, 8, 200), (10**10, 8, 400)])
def test_shuffle_partitions_follow_the_input(records: int, cores: int, expected: int) -> None:
    assert S.shuffle_partitions(records, cores) == expected


@pytest.mark.parametrize(("records", "machine_gb", "expected"), [
    (4_716, 24, "2g"), (100, 24, "2g"), (233_359, 24, "4g"), (1_000_000, 24, "11g"), (5_000_000, 24, "12g"),
    (1_000_000, 2, "1g")])
def test_local_driver_memory_grows_with_the_input(records: int, machine_gb: int, expected: str) -> None:
    assert S.local_driver_memory(records, machine_gb * 2**30) == expected


@pytest.mark.parametrize(("given", "spark_submit", "expected"), [
    (None, False, "local[2]"), ("local[4]", False, "local[4]"), (None, True, None), ("yarn", True, "yarn")])
def test_resolve_master(monkeypatch: pytest.MonkeyPatch, given: str | None, spark_submit: bool,
                        expected: str | None) -> None:
    monkeypatch.delenv("PYSPARK_GATEWAY_PORT", raising=False)
    if spark_submit:
        monkeypatch.setenv("PYSPARK_GATEWAY_PORT", "40000")
    assert S.resolve_master(given) == expected


def _model(levels: list[str], dialect: str = "duckdb") -> dict[str, Any]:
    return {
        "link_type": "dedupe_only", "sql_dialect": dialect, "unique_id_column_name": "uid",
        "probability_two_random_records_match": 0.0123,
        "blocking_rules_to_generate_predictions": [{"blocking_rule": "l.a = r.a", "sql_dialect": dialect}],
        "comparisons": [{"output_column_name": "a", "comparison_levels": [
            {"sql_condition": "a_l IS NULL OR a_r IS NULL", "is_null_level": True},
            *({"sql_condition": sql, "m_probability": 0.5 + i / 10, "u_probability": 0.01 * (i + 1),
               "tf_adjustment_column": "a" if i == 0 else None} for i, sql in enumerate(levels)),
            {"sql_condition": "ELSE", "m_probability": 0.1, "u_probability": 0.9}]}],
    }


def test_spark_model_keeps_the_trained_values_and_translates_the_sql() -> None:
    model = _model(["a_l = a_r", "jaro_winkler_similarity(a_l, a_r) >= 0.9"])
    out = S.spark_model(model)
    assert out["sql_dialect"] == "spark" and model["sql_dialect"] == "duckdb"  # the input is not changed
    assert out["probability_two_random_records_match"] == 0.0123
    before, after = model["comparisons"][0]["comparison_levels"], out["comparisons"][0]["comparison_levels"]
    assert [(lv.get("m_probability"), lv.get("u_probability")) for lv in before] \
        == [(lv.get("m_probability"), lv.get("u_probability")) for lv in after]
    assert after[2]["sql_condition"] == "LINKAGE_JARO_WINKLER(a_l, a_r) >= 0.9"
    assert after[-1]["sql_condition"] == "ELSE"
    assert out["blocking_rules_to_generate_predictions"] == [{"blocking_rule": "l.a = r.a", "sql_dialect": "spark"}]
    assert S.tf_columns(out) == ["a"] and S.gamma_columns(out) == ["gamma_a"]


@pytest.mark.parametrize(("dialect", "raises"), [("duckdb", False), ("spark", False), ("postgres", True)])
def test_spark_model_dialects(dialect: str, raises: bool) -> None:
    if raises:
        with pytest.raises(UserError):
            S.spark_model(_model(["a_l = a_r"], dialect))
    else:
        assert S.spark_model(_model(["a_l = a_r"], dialect))["sql_dialect"] == "spark"


# --- on Spark ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    session = S.get_spark("local[2]")
    session.conf.set("spark.sql.shuffle.partitions", "2")
    S.register_functions(session)
    yield session
    session.stop()


def _string_pairs() -> list[tuple[str | None, str | None]]:
    """Random short strings over an alphabet with Vietnamese letters, plus edge cases. Contains pairs whose
    Jaro-Winkler score depends on how the Winkler step is rounded (jaro 47/60, one prefix character)."""
    rnd = random.Random(20261125)
    alphabet = "aabnghtuiê ơĐđ"

    def word() -> str:
        return "".join(rnd.choice(alphabet) for _ in range(rnd.choice([0, 1, 2, 3, 4, 5, 6, 8, 12, 20])))

    pairs: list[tuple[str | None, str | None]] = [(word(), word()) for _ in range(6000)]
    names = ["nguyen", "nguyen van an", "ngyuen", "tran thi thu", "thi", "thu", "hoang", "huynh", "martha",
             "marhta", "dixon", "dicksonx", "bani ", "bta ", "Nguyễn", "Thủy", "Thuỷ", "Đức", "Duc"]
    pairs += [(a, b) for a in names for b in names]
    pairs += [(None, "a"), ("a", None), (None, None), ("", ""), ("", "a"), ("a", "")]
    return pairs


def test_jaro_winkler_equals_duckdb_bit_for_bit(spark: Any) -> None:
    pairs = _string_pairs()
    tbl = pa.table({"a": [p[0] for p in pairs], "b": [p[1] for p in pairs]})
    want = duckdb.sql("SELECT jaro_similarity(a, b), jaro_winkler_similarity(a, b) FROM tbl").fetchall()
    got = spark.createDataFrame(tbl).selectExpr("linkage_jaro(a, b)", "linkage_jaro_winkler(a, b)").collect()
    wrong = [(p, w, tuple(g)) for p, w, g in zip(pairs, want, got, strict=True) if tuple(g) != w]
    assert not wrong, wrong[:5]


def test_the_winkler_rounding_probe_matches_this_duckdb() -> None:
    fused = S.duckdb_winkler_fused()
    value = duckdb.sql("SELECT jaro_winkler_similarity('bani ', 'bta ')").fetchall()[0][0]
    assert value in (0.805, 0.8049999999999999)
    assert fused == (value == 0.805)


def test_date_diff_units_agree_with_duckdb(spark: Any) -> None:
    days = [dt.date(1999, 12, 31), dt.date(2000, 1, 1), dt.date(2000, 2, 29), dt.date(2000, 3, 31),
            dt.date(2001, 3, 1), dt.date(1975, 6, 15), dt.date(2024, 12, 1)]
    tbl = pa.table({"d_l": [a for a in days for _ in days], "d_r": [b for _ in days for b in days]})
    conds = {u: f"date_diff('{u}', d_l, d_r)" for u in ("day", "month", "year")}
    want = duckdb.sql(f"SELECT {', '.join(conds.values())} FROM tbl").fetchall()
    got = spark.createDataFrame(tbl).selectExpr(*(S.to_spark_sql(c) for c in conds.values())).collect()
    assert [tuple(r) for r in got] == want


def test_a_condition_spark_cannot_run_is_named(spark: Any) -> None:
    spark.createDataFrame(pa.table({"uid": [1, 2], "a": ["x", "y"]})).createOrReplaceTempView("t_check")
    model = S.spark_model(_model(["a_l = a_r", "strip_accents(a_l) = strip_accents(a_r)"]))
    with pytest.raises(UserError, match=r"(?i)comparison 'a' level .*strip_accents.* does not run on Spark"):
        S.check_conditions(spark, "t_check", model)
    S.check_conditions(spark, "t_check", S.spark_model(_model(["a_l = a_r"])))  # a runnable model passes


# --- the sample on both engines ---------------------------------------------------------------------------

def _run(tmp: Path, name: str, *extra: str) -> Path:
    (tmp / name).mkdir()
    args = ["run", *(x for s in SOURCES for x in ("--source", s)), "--out", str(tmp / name / "out"),
            "--db", str(tmp / name / "ws.duckdb"), *extra]
    res = CliRunner().invoke(main, args, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return tmp / name


@pytest.fixture(scope="module")
def runs(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    assert all((SAMPLE / f).exists() for f in ("civil_status.csv", "household.csv", "citizen_id.csv"))
    tmp = tmp_path_factory.mktemp("engines")
    ddb = _run(tmp, "duckdb")
    spk = _run(tmp, "spark", "--engine", "spark", "--model", str(ddb / "out" / "model.json"),
               "--spark-workdir", str(tmp / "handoff"))
    return {"duckdb": ddb, "spark": spk, "handoff": tmp / "handoff"}


def test_both_engines_find_the_same_persons(runs: dict[str, Path]) -> None:
    a, b = (runs[e] / "out" / "clusters.parquet" for e in ("duckdb", "spark"))
    n, differ = duckdb.sql(
        f"""SELECT count(*), count(*) FILTER (WHERE x.person_id IS DISTINCT FROM y.person_id)
            FROM '{a}' x FULL JOIN '{b}' y USING (source, file, row)""").fetchall()[0]
    assert n > 4000 and differ == 0
    persons = [json.loads((runs[e] / "out" / "run.json").read_text())["rows"]["persons"] for e in ("duckdb", "spark")]
    assert persons[0] == persons[1]


def test_both_engines_score_the_same_pairs(runs: dict[str, Path]) -> None:
    con = duckdb.connect()
    con.execute(f"ATTACH '{runs['duckdb'] / 'ws.duckdb'}' AS d (READ_ONLY)")
    con.execute(f"ATTACH '{runs['spark'] / 'ws.duckdb'}' AS s (READ_ONLY)")
    assert con.execute("DESCRIBE d.pairs").fetchall() == con.execute("DESCRIBE s.pairs").fetchall()
    gammas = [r[0] for r in con.execute("DESCRIBE d.pairs").fetchall() if r[0].startswith("gamma_")]
    assert len(gammas) >= 10
    only, n, max_diff, gamma_diff = con.execute(
        f"""SELECT count(*) FILTER (WHERE x.uid_l IS NULL OR y.uid_l IS NULL), count(*),
                   max(abs(x.match_weight - y.match_weight)),
                   count(*) FILTER (WHERE {' OR '.join(f'x.{g} <> y.{g}' for g in gammas)})
            FROM d.pairs x FULL JOIN s.pairs y USING (uid_l, uid_r)""").fetchall()[0]
    assert n > 1000 and only == 0 and gamma_diff == 0 and max_diff < 1e-9
    assert con.execute("SELECT count(*) FROM s.pairs WHERE uid_l >= uid_r").fetchall()[0][0] == 0


def test_the_spark_run_records_engine_model_and_hand_off(runs: dict[str, Path]) -> None:
    run = json.loads((runs["spark"] / "out" / "run.json").read_text())
    assert run["engine"] == "spark" and run["counts"]["link"]["trained"] is False
    assert {"link_spark_start", "link_spark_score"} <= set(run["timings_s"])
    model = json.loads((runs["spark"] / "out" / "model.json").read_text())
    assert model["sql_dialect"] == "duckdb"  # reusable by either engine
    assert (runs["handoff"] / "link_input.parquet").exists() and (runs["handoff"] / "pairs.parquet").is_dir()


def test_spark_submit_entry_point_scores_the_hand_off(runs: dict[str, Path], tmp_path: Path) -> None:
    """What `spark-submit linkage/engines/spark.py …` runs, on the workspace's exported `link_input`."""
    out = tmp_path / "pairs.parquet"
    assert S.main(["--input", str(runs["handoff"] / "link_input.parquet"), "--break-lineage", "persist",
                   "--model", str(runs["duckdb"] / "out" / "model.json"), "--out", str(out)]) == 0
    con = duckdb.connect()
    con.execute(f"ATTACH '{runs['duckdb'] / 'ws.duckdb'}' AS d (READ_ONLY)")
    differ = con.execute(
        f"""SELECT count(*) FROM d.pairs x FULL JOIN read_parquet('{out}/*.parquet') y USING (uid_l, uid_r)
            WHERE x.uid_l IS NULL OR y.uid_l IS NULL OR abs(x.match_weight - y.match_weight) > 1e-9""").fetchall()
    assert differ[0][0] == 0


def test_link_trains_on_duckdb_then_hands_the_model_to_the_spark_scorer(
        runs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --model, engine spark trains on DuckDB as engine duckdb does and scores with that model."""
    from linkage.link import link
    from linkage.model import load_rules

    calls: list[dict[str, Any]] = []

    def fake_scorer(con: Any, model: dict[str, Any], rules: Any, **options: Any) -> dict[str, Any]:
        calls.append({"model": model, "options": options})
        con.execute("CREATE OR REPLACE TABLE pairs AS SELECT 1::BIGINT AS uid_l, 2::BIGINT AS uid_r")
        return {"pairs_kept": 1, "timings": {"score": 0.5}}

    monkeypatch.setattr(S, "score_pairs_spark", fake_scorer)
    ws = tmp_path / "ws.duckdb"
    ws.write_bytes((runs["duckdb"] / "ws.duckdb").read_bytes())
    with duckdb.connect(str(ws)) as con:
        res = link(con, load_rules(), None, engine="spark", spark_options={"master": "local[1]"})
    assert res.trained and res.pairs_kept == 1 and len(calls) == 1
    sent = calls[0]["model"]
    assert sent is res.model and sent["sql_dialect"] == "duckdb" and calls[0]["options"] == {"master": "local[1]"}
    trained = json.loads((runs["duckdb"] / "out" / "model.json").read_text())
    assert sent["probability_two_random_records_match"] == pytest.approx(
        trained["probability_two_random_records_match"], rel=1e-6)  # the same training as engine duckdb
    assert "spark_score" in res.timings and any(k.startswith("train_") for k in res.timings)
