"""Scoring candidate pairs on Splink's Spark backend (`linkage run --engine spark`).

The workspace stays in DuckDB. This module exports `link_input` to Parquet, scores it with Splink on Spark
(local mode here, a cluster through `spark-submit`) using a model trained on DuckDB, and loads the scored pairs
back into the workspace's `pairs` table with the columns `linkage.link` writes.

A Splink model JSON carries its SQL dialect. The DuckDB-trained model is carried across as it is (same levels,
same m/u probabilities, same prior); only its SQL conditions are translated to Spark SQL by sqlglot plus a small
per-dialect function mapping (`SPARK_FUNCTIONS`), because sqlglot alone writes functions Spark does not have
(`JAROWINKLER_SIMILARITY`) or with other semantics (`DATEDIFF(YEAR, …)` counts whole years on Spark, crossed
year boundaries on DuckDB). Jaro and Jaro-Winkler are registered as Spark SQL functions that reproduce DuckDB's
results exactly (the Scala UDF shipped with Splink halves an odd transposition count without rounding down, so
it scores some pairs differently); they run in the JVM, so executors need neither Python packages nor jars.

Only the driver imports Splink and this package; executors run plain Spark SQL.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from copy import deepcopy
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp

from linkage.errors import UserError
from linkage.workspace import sql_string

log = logging.getLogger(__name__)

DEFAULT_MASTER = "local[2]"
APP_NAME = "linkage"

# Applied where neither spark-submit nor the caller set the key: no web UI, small driver (local mode: raised
# with the input by `local_driver_memory`), few shuffle partitions (`shuffle_partitions`), dates in UTC.
DEFAULT_CONF: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.memory": "1g",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.adaptive.enabled": "true",
}
RECORDS_PER_PARTITION = 250_000  # shuffle partitions: one per this many input records, at least the cores

JARO_FN = "linkage_jaro"
JARO_WINKLER_FN = "linkage_jaro_winkler"

# DuckDB's jaro_similarity / jaro_winkler_similarity (rapidfuzz): match window max(len)/2 - 1, transpositions =
# mismatched matched characters DIV 2, Winkler boost 0.1 per common prefix character (at most 4) when jaro > 0.7.
# Characters are Unicode code points, as in DuckDB 2.0.1. NULL in, NULL out; an empty string scores 0.
_W = "greatest(greatest(length(s1), length(s2)) div 2 - 1, 0)"  # match window (1-based positions)
SPARK_SQL_FUNCTIONS: tuple[str, ...] = (
    # Greedy matching over s1; state: s2 with matched characters blanked out (chr(0)), the matched characters
    # of s1 in s1 order (m1), and of s2 in place (s2m, chr(0) elsewhere), so that m2 = replace(s2m, chr(0), '').
    f"""
CREATE OR REPLACE TEMPORARY FUNCTION {JARO_FN}(s1 STRING, s2 STRING) RETURNS DOUBLE
RETURN CASE
  WHEN s1 IS NULL OR s2 IS NULL THEN NULL
  WHEN length(s1) = 0 OR length(s2) = 0 THEN 0.0D
  WHEN s1 = s2 THEN 1.0D
  ELSE aggregate(
    sequence(1, length(s1)),
    named_struct('s2', s2, 's2m', repeat(chr(0), length(s2)), 'm1', ''),
    (acc, i) -> transform(array(locate(substr(s1, i, 1), acc.s2, greatest(i - {_W}, 1))),
      hit -> IF(hit > 0 AND hit <= i + {_W},
                named_struct('s2', overlay(acc.s2 PLACING chr(0) FROM hit FOR 1),
                             's2m', overlay(acc.s2m PLACING substr(s1, i, 1) FROM hit FOR 1),
                             'm1', concat(acc.m1, substr(s1, i, 1))),
                acc))[0],
    acc -> IF(length(acc.m1) = 0, 0.0D,
      transform(array(replace(acc.s2m, chr(0), '')), m2 ->
        (length(acc.m1) / length(s1) + length(acc.m1) / length(s2)
         + (length(acc.m1) - aggregate(sequence(1, length(acc.m1)), 0,
                                       (n, k) -> n + IF(substr(acc.m1, k, 1) = substr(m2, k, 1), 0, 1)) div 2)
           / length(acc.m1)) / 3.0D)[0]))
END
""",
    # The Winkler step j + w * (1 - j) with w = 0.1 * common prefix (at most 4 characters) when j > 0.7;
    # `transform(array(x), v -> …)[0]` binds x to v. {winkler} is filled in by `spark_sql_functions`.
    f"""
CREATE OR REPLACE TEMPORARY FUNCTION {JARO_WINKLER_FN}(s1 STRING, s2 STRING) RETURNS DOUBLE
RETURN transform(array({JARO_FN}(s1, s2)), j -> IF(j > 0.7D,
  transform(array(0.1D * CASE
    WHEN least(length(s1), length(s2)) < 1 OR substr(s1, 1, 1) != substr(s2, 1, 1) THEN 0
    WHEN least(length(s1), length(s2)) < 2 OR substr(s1, 2, 1) != substr(s2, 2, 1) THEN 1
    WHEN least(length(s1), length(s2)) < 3 OR substr(s1, 3, 1) != substr(s2, 3, 1) THEN 2
    WHEN least(length(s1), length(s2)) < 4 OR substr(s1, 4, 1) != substr(s2, 4, 1) THEN 3
    ELSE 4 END), w -> {{winkler}})[0],
  j))[0]
""",
)

# DuckDB's build may round j + w * (1 - j) once (fused multiply-add: the x86-64 wheel of DuckDB 2.0.1 does) or
# twice; `duckdb_winkler_fused` tells which. The fused form is computed exactly in integers: j in (0.7, 1] is
# J / 2^53 and w (0.1, 0.2, 0.30000000000000004 or 0.4) is W / 2^56, so j + w * (1 - j) = N / 2^109 with
# N = J * 2^56 + W * (2^53 - J) < 2^111 (DECIMAL(38, 0) holds it), then N / 2^56 is rounded half to even.
# (1 - j is exact for j >= 0.5; Java's fma cannot be used: java_method is non-deterministic in Spark.)
_D = "CAST({} AS DECIMAL(38, 0))"
_J = _D.format("CAST(j * 9007199254740992.0D AS BIGINT)")  # j * 2^53
_N = (f"{_J} * {_D.format('72057594037927936')} + {_D.format('CAST(w * 72057594037927936.0D AS BIGINT)')}"
      f" * ({_D.format('9007199254740992')} - {_J})")
WINKLER_FUSED = (
    f"transform(array({_N}), n -> transform(array(n div 72057594037927936), q -> CAST(q + CASE"
    f" WHEN n % {_D.format('72057594037927936')} > 36028797018963968 THEN 1"
    f" WHEN n % {_D.format('72057594037927936')} < 36028797018963968 THEN 0"
    " ELSE q % 2 END AS DOUBLE) / 9007199254740992.0D)[0])[0]"
)
WINKLER_PLAIN = "j + w * (1.0D - j)"


def duckdb_winkler_fused() -> bool:
    """True if this DuckDB rounds the Winkler step once (fused multiply-add). Probed on a pair whose score is
    0.805 with one rounding and 0.8049999999999999 with two (jaro 47/60, one common prefix character)."""
    import duckdb

    with duckdb.connect() as probe:
        value = probe.execute("SELECT jaro_winkler_similarity('bani ', 'bta ')").fetchall()[0][0]
    return value == 0.805


def spark_sql_functions(fused: bool) -> tuple[str, ...]:
    """The CREATE FUNCTION statements, with the Winkler step rounded like DuckDB's."""
    step = WINKLER_FUSED if fused else WINKLER_PLAIN
    return tuple(sql.replace("{winkler}", step) for sql in SPARK_SQL_FUNCTIONS)


# --- DuckDB SQL → Spark SQL -------------------------------------------------------------------------------

def _call(name: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=list(args))


def _jaro_winkler(node: exp.Expression) -> exp.Expression:
    return _call(JARO_WINKLER_FN, node.this, node.expression)


def _anonymous(node: exp.Expression) -> exp.Expression:
    name = str(node.this).lower()
    if name == "jaro_similarity":
        return _call(JARO_FN, *node.expressions)
    if name == "jaro_winkler_similarity":
        return _call(JARO_WINKLER_FN, *node.expressions)
    return node


def _date_diff(node: exp.Expression) -> exp.Expression:
    """DuckDB `date_diff(unit, start, end)` counts unit boundaries crossed; Spark's 3-argument DATEDIFF counts
    whole units. Day, month and year are written so that both agree on DATE values."""
    unit = (node.args.get("unit").name if node.args.get("unit") is not None else "DAY").upper()
    end, start = node.this, node.expression
    if unit in ("DAY", "DAYS", "D"):
        return _call("datediff", end, start)
    years = exp.Sub(this=_call("year", end.copy()), expression=_call("year", start.copy()))
    if unit in ("YEAR", "YEARS", "Y", "YR", "YRS"):
        return exp.Paren(this=years)
    if unit in ("MONTH", "MONTHS", "MON", "MONS"):
        months = exp.Sub(this=_call("month", end.copy()), expression=_call("month", start.copy()))
        return exp.Paren(this=exp.Add(this=exp.Mul(this=exp.Paren(this=years), expression=exp.Literal.number(12)),
                                      expression=months))
    raise UserError(f"date_diff with unit '{unit.lower()}' has no Spark translation (use day, month or year)")


# sqlglot node class → rewrite to a node that Spark (with SPARK_SQL_FUNCTIONS registered) runs with DuckDB's
# semantics. Everything else is left to sqlglot's own DuckDB → Spark translation.
SPARK_FUNCTIONS: dict[type[exp.Expression], Callable[[exp.Expression], exp.Expression]] = {
    exp.JarowinklerSimilarity: _jaro_winkler,
    exp.DateDiff: _date_diff,
    exp.Anonymous: _anonymous,
}


def _rewrite(node: exp.Expression) -> exp.Expression:
    fn = SPARK_FUNCTIONS.get(type(node))
    return fn(node) if fn else node


def to_spark_sql(duckdb_sql: str) -> str:
    """One SQL condition (comparison level or blocking rule) from DuckDB's dialect to Spark's."""
    try:
        tree = sqlglot.parse_one(duckdb_sql, read="duckdb")
    except sqlglot.errors.SqlglotError as exc:
        raise UserError(f"cannot parse rule SQL for Spark: {str(exc).splitlines()[0]}") from None
    return tree.transform(_rewrite).sql(dialect="spark")


def spark_model(model: Mapping[str, Any]) -> dict[str, Any]:
    """The DuckDB-trained Splink model JSON as Spark-dialect settings: same levels, m/u values and prior."""
    dialect = model.get("sql_dialect", "duckdb")
    out = deepcopy(dict(model))
    if dialect == "spark":
        return out
    if dialect != "duckdb":
        raise UserError(f"the model is in the '{dialect}' SQL dialect; the Spark engine takes a DuckDB model")
    for comp in out["comparisons"]:
        for level in comp["comparison_levels"]:
            cond = level["sql_condition"]
            level.pop("base_dialect_str", None)
            if cond.strip().upper() != "ELSE":
                level["sql_condition"] = to_spark_sql(cond)
    rules = []
    for br in out.get("blocking_rules_to_generate_predictions", []):
        sql = br["blocking_rule"] if isinstance(br, dict) else br
        rules.append({"blocking_rule": to_spark_sql(sql), "sql_dialect": "spark"})
    out["blocking_rules_to_generate_predictions"] = rules
    out["sql_dialect"] = "spark"
    return out


def tf_columns(model: Mapping[str, Any]) -> list[str]:
    """Columns with term-frequency adjustments, in model order."""
    cols: list[str] = []
    for comp in model["comparisons"]:
        for level in comp["comparison_levels"]:
            col = level.get("tf_adjustment_column")
            if col and col not in cols:
                cols.append(col)
    return cols


def gamma_columns(model: Mapping[str, Any]) -> list[str]:
    return [f"gamma_{c['output_column_name']}" for c in model["comparisons"]]


# --- Spark session ----------------------------------------------------------------------------------------

def under_spark_submit() -> bool:
    """True when this process was started by `spark-submit` (which then owns the master and the conf)."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def resolve_master(master: str | None) -> str | None:
    """The master to ask for: the given one, else none under spark-submit (its --master wins), else local[2]."""
    if master:
        return master
    return None if under_spark_submit() else DEFAULT_MASTER


def parse_conf(pairs: Sequence[str]) -> dict[str, str]:
    """`KEY=VALUE` strings (from `--spark-conf`) → a dict."""
    out: dict[str, str] = {}
    for item in pairs:
        key, sep, value = item.partition("=")
        if not sep or not key.strip().startswith("spark."):
            raise UserError(f"--spark-conf takes spark.KEY=VALUE, got '{item}'")
        out[key.strip()] = value.strip()
    return out


def shuffle_partitions(records: int, cores: int) -> int:
    """Few partitions for small data (each costs a task per shuffle), more as the input grows."""
    return max(cores, min(400, math.ceil(records / RECORDS_PER_PARTITION)))


LOG4J2 = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = stderr
appender.stderr.type = Console
appender.stderr.name = stderr
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n%ex
# Whole-stage code generation of the scoring stage can exceed the JVM's 64 KB method limit (the Jaro functions
# are interpreted lambdas); Spark then runs that stage without it, as designed, but logs the failure as ERROR.
logger.codegen.name = org.apache.spark.sql.catalyst.expressions.codegen.CodeGenerator
logger.codegen.level = off
"""


def _log4j_option() -> str:
    """A JVM option pointing log4j at LOG4J2 (errors only, no code-generation fallbacks, no banner)."""
    path = Path(tempfile.gettempdir()) / "linkage-spark-log4j2.properties"
    if not path.exists() or path.read_text(encoding="utf-8") != LOG4J2:
        path.write_text(LOG4J2, encoding="utf-8")
    return f"-Dlog4j2.configurationFile=file:{path}"


def local_driver_memory(records: int, machine_bytes: int | None = None) -> str:
    """Heap for a local-mode run (the driver is also the executor): 1 GB plus 1 GB per 100,000 records, at most
    half the machine's memory. 1 GB failed at 233,000 records; 4 GB scored them."""
    import psutil

    total = machine_bytes if machine_bytes is not None else psutil.virtual_memory().total
    want = 1 + math.ceil(records / 100_000)
    return f"{max(1, min(want, total // 2**30 // 2))}g"


def get_spark(master: str | None = DEFAULT_MASTER, conf: Mapping[str, str] | None = None) -> Any:
    """The active SparkSession if there is one (its master and JVM settings stay), else a new one on `master`
    (None: spark-submit's or pyspark's default) with DEFAULT_CONF where spark-submit and `conf` set nothing."""
    warnings.filterwarnings("ignore", message=".*PySpark does not yet fully support pandas.*")
    try:
        from pyspark import SparkConf
        from pyspark.sql import SparkSession
    except ImportError:
        raise UserError("the Spark engine needs pyspark 4: pip install 'pyspark>=4,<5'") from None
    active = SparkSession.getActiveSession()
    if active is not None:
        for key, value in (conf or {}).items():
            if key.startswith("spark.sql."):
                active.conf.set(key, value)
        return active
    base = SparkConf()  # under spark-submit: its --master/--conf, which are kept
    settings = {k: v for k, v in DEFAULT_CONF.items() if not base.contains(k)}
    if not base.contains("spark.driver.extraJavaOptions"):
        settings["spark.driver.extraJavaOptions"] = _log4j_option()
    settings.update(conf or {})
    builder = SparkSession.builder.appName(APP_NAME)
    if master:
        builder = builder.master(master)
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def register_functions(spark: Any, fused: bool | None = None) -> None:
    """The SQL functions that the translated conditions call (session-scoped, idempotent). `fused`: round the
    Winkler step once; default: as the installed DuckDB does."""
    for sql in spark_sql_functions(duckdb_winkler_fused() if fused is None else fused):
        spark.sql(sql)


def check_conditions(spark: Any, input_view: str, model: Mapping[str, Any]) -> None:
    """Analyses every level condition against the input's columns (no job runs): a rule that Spark cannot
    run is reported by comparison and level, before any scoring."""
    cols = [f.name for f in spark.table(input_view).schema.fields]
    side = ", ".join([f"l.`{c}` AS `{c}_l`" for c in cols] + [f"r.`{c}` AS `{c}_r`" for c in cols])
    spark.sql(f"SELECT {side} FROM {input_view} l CROSS JOIN {input_view} r LIMIT 0") \
        .createOrReplaceTempView("__linkage_lr")
    for comp in model["comparisons"]:
        for level in comp["comparison_levels"]:
            cond = level["sql_condition"]
            if cond.strip().upper() == "ELSE":
                continue
            try:
                spark.sql(f"SELECT CASE WHEN {cond} THEN 1 END AS g FROM __linkage_lr")
            except Exception as exc:  # AnalysisException / ParseException
                first = str(exc).strip().splitlines()[0][:300]
                raise UserError(
                    f"comparison '{comp['output_column_name']}' level '{level.get('label_for_charts', cond)}' "
                    f"does not run on Spark: {first}") from None
    spark.catalog.dropTempView("__linkage_lr")


# --- scoring ----------------------------------------------------------------------------------------------

def score_parquet(spark: Any, input_path: str, model: Mapping[str, Any], threshold_match_weight: float,
                  out_path: str, *, break_lineage_method: str = "persist") -> dict[str, Any]:
    """Spark only: scores the records at `input_path` (Parquet, the `link_input` columns) with `model` (DuckDB
    or Spark dialect) and writes the pairs at or above `threshold_match_weight` to `out_path` (Parquet folder)
    with the columns of the workspace's `pairs` table. What `spark-submit … linkage/engines/spark.py` runs."""
    from splink import Linker
    from splink.backends.spark import SparkAPI

    for name in ("splink", "splink.internals"):
        logging.getLogger(name).setLevel(logging.ERROR)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    settings = spark_model(model)
    register_functions(spark)
    df = spark.read.parquet(input_path)
    view = "__linkage_link_input"
    df.createOrReplaceTempView(view)
    check_conditions(spark, view, settings)
    api = SparkAPI(spark_session=spark, break_lineage_method=break_lineage_method,
                   register_udfs_automatically=False)
    linker = Linker(api.register(df), settings, log_level=None)
    timings["prepare"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    for col in tf_columns(settings):  # from the whole input, as DuckDB's predict computes them
        linker.table_management.compute_tf_table(col)
    timings["tf"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    pred = linker.inference.predict(threshold_match_weight=threshold_match_weight)
    cols = ["least(uid_l, uid_r) AS uid_l", "greatest(uid_l, uid_r) AS uid_r",
            "CAST(match_weight AS DOUBLE) AS match_weight", "CAST(match_probability AS DOUBLE) AS match_probability"]
    cols += [f"CAST({g} AS INT) AS {g}" for g in gamma_columns(settings)]
    pred.as_spark_dataframe().selectExpr(*cols).write.mode("overwrite").parquet(out_path)
    timings["score"] = time.perf_counter() - t0
    spark.catalog.clearCache()  # Splink's persisted intermediate tables
    return {"timings": timings}


def score_pairs_spark(con: Any, model: dict[str, Any], rules: Any, *, master: str | None = DEFAULT_MASTER,
                      conf: Mapping[str, str] | None = None, workdir: Path | None = None,
                      break_lineage_method: str = "persist") -> dict[str, Any]:
    """Scores the workspace's `link_input` on Spark with `model` (trained on DuckDB) and replaces `pairs`.

    `master` None: spark-submit's --master when started by spark-submit, else local[2]. `conf`: Spark settings
    over DEFAULT_CONF. `workdir` holds the Parquet hand-off (`link_input.parquet`, `pairs.parquet`); on a
    cluster it must be a path that this process and the executors all see. Without it a temporary folder is
    used and removed. Returns `pairs_kept`, `timings` (seconds: export, start, prepare, tf, score, load),
    `master` and `spark_version`."""
    from linkage.model import LINK_INPUT

    timings: dict[str, float] = {}
    own_dir = workdir is None
    folder = Path(tempfile.mkdtemp(prefix="linkage-spark-")) if own_dir else Path(workdir)
    folder.mkdir(parents=True, exist_ok=True)
    input_path, out_path = folder / "link_input.parquet", folder / "pairs.parquet"
    try:
        t0 = time.perf_counter()
        con.execute(f"COPY {LINK_INPUT} TO '{sql_string(input_path)}' (FORMAT parquet)")
        n = con.execute(f"SELECT count(*) FROM {LINK_INPUT}").fetchall()[0][0]
        timings["export"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        run_master, run_conf = resolve_master(master), dict(conf or {})
        if run_master and run_master.startswith("local"):
            run_conf.setdefault("spark.driver.memory", local_driver_memory(n))
        spark = get_spark(run_master, run_conf)
        if not spark.sparkContext.getConf().contains("spark.sql.shuffle.partitions"):
            spark.conf.set("spark.sql.shuffle.partitions",
                           str(shuffle_partitions(n, spark.sparkContext.defaultParallelism)))
        timings["start"] = time.perf_counter() - t0
        res = score_parquet(spark, str(input_path), model, rules.keep_pairs_weight, str(out_path),
                            break_lineage_method=break_lineage_method)
        timings.update(res["timings"])
        t0 = time.perf_counter()
        gammas = ", ".join(f"CAST({g} AS INTEGER) AS {g}" for g in gamma_columns(model))
        con.execute(
            f"""
            CREATE OR REPLACE TABLE pairs AS
            SELECT CAST(uid_l AS BIGINT) AS uid_l, CAST(uid_r AS BIGINT) AS uid_r,
                   CAST(match_weight AS DOUBLE) AS match_weight,
                   CAST(match_probability AS DOUBLE) AS match_probability, {gammas}
            FROM read_parquet('{sql_string(out_path / "*.parquet")}')
            ORDER BY uid_l, uid_r
            """
        )
        kept = con.execute("SELECT count(*) FROM pairs").fetchall()[0][0]
        timings["load"] = time.perf_counter() - t0
        return {"pairs_kept": kept, "timings": timings, "master": spark.sparkContext.master,
                "spark_version": spark.version}
    finally:
        if own_dir:
            shutil.rmtree(folder, ignore_errors=True)


# --- spark-submit entry point -----------------------------------------------------------------------------

def main(argv: Sequence[str] | None = None) -> int:
    """`spark-submit linkage/engines/spark.py --input IN --model MODEL.json --out OUT [--rules DIR]`."""
    from linkage.model import load_rules

    p = argparse.ArgumentParser(description="Score link_input Parquet on Spark with a DuckDB-trained model.")
    p.add_argument("--input", required=True, help="link_input Parquet (file or folder; any Spark path)")
    p.add_argument("--model", required=True, help="model.json from a linkage run (DuckDB dialect)")
    p.add_argument("--out", required=True, help="output Parquet folder (any Spark path)")
    p.add_argument("--rules", default=None, help="rules folder for keep_pairs_weight (default: rules/)")
    p.add_argument("--threshold", type=float, default=None, help="keep pairs at or above this match weight")
    p.add_argument("--break-lineage", default="parquet", choices=["persist", "parquet", "checkpoint"],
                   help="how Splink materialises intermediate tables (parquet needs a checkpoint dir)")
    p.add_argument("--checkpoint-dir", default=None, help="Spark checkpoint dir (shared storage on a cluster)")
    args = p.parse_args(argv)
    threshold = args.threshold if args.threshold is not None else load_rules(args.rules).keep_pairs_weight
    model = json.loads(Path(args.model).read_text(encoding="utf-8"))
    spark = get_spark(resolve_master(None), {})
    if args.checkpoint_dir:
        spark.sparkContext.setCheckpointDir(args.checkpoint_dir)
    res = score_parquet(spark, args.input, model, threshold, args.out, break_lineage_method=args.break_lineage)
    print(json.dumps({k: round(v, 2) for k, v in res["timings"].items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
