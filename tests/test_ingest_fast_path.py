"""The DuckDB fast path for clean CSV files (issue #5, linkage/ingest/fast.py): it gives exactly what the Python
reader gives (raw tables in row order, rejected rows, ingest_files, the report), is taken for clean files and
not for each kind of unclean one."""

from __future__ import annotations

import codecs
import csv
import io
import random
import re
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner

from cli import main
from linkage.ingest import ingest
from linkage.ingest.fast import FAST_ENV, PY_WHITESPACE
from linkage.ingest.report import IngestReport
from linkage.normalise.encodings import encode_text

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
KINDS = ("civil_status", "household", "citizen_id")
HEADER = ["Mã hồ sơ", "Họ và tên", "Ngày sinh", "Giới tính", "Nơi thường trú"]
ROWS = [
    ["HT-01", "Nguyễn Văn An", "01/02/1990", "Nam", "Thôn 3, Xã Yên Sơn, Tỉnh Thanh Hóa"],
    ["HT-02", "Trần Thị Bích", "15/11/1985", "Nữ", 'Tổ 5 "B", Phường 2'],
    ["HT-03", "Lê Văn Cường", "1960", "Nam", ""],
]


# --- the comparison -----------------------------------------------------------------------------------------

def _tables(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[Any, ...]]]:
    names = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary").fetchall()}
    out = {}
    for t in sorted(names):
        if t.startswith("raw_") or t == "rejected":
            out[t] = con.execute(f"SELECT * FROM {t}").fetchall()  # insertion order: the order rows were read
    out["ingest_files"] = con.execute(
        "SELECT * EXCLUDE (seconds, ingested_at) FROM ingest_files ORDER BY source, file_order").fetchall()
    return out


def _report(rep: IngestReport) -> dict[str, Any]:
    d = rep.as_dict()
    d.pop("seconds")
    for s in d["sources"].values():
        s.pop("seconds")
        for f in s["per_file"]:
            for k in ("seconds", "parser", "fallback"):
                f.pop(k)
    return d


def run_ingest(sources: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch, fast: bool,
               **options: Any) -> tuple[dict[str, Any], IngestReport]:
    with monkeypatch.context() as m:
        m.setenv(FAST_ENV, "1" if fast else "0")
        con = duckdb.connect()
        try:
            rep = ingest(con, sources, **options)
            tables = _tables(con)
            assert not con.execute("SELECT * FROM duckdb_tables() WHERE temporary").fetchall()  # staging dropped
        finally:
            con.close()
    return tables, rep


def compare(sources: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch, **options: Any) -> IngestReport:
    """Ingests with the fast path and with the Python reader forced; asserts the same outcome; returns the
    fast run's report."""
    fast_tables, fast_rep = run_ingest(sources, monkeypatch, True, **options)
    slow_tables, slow_rep = run_ingest(sources, monkeypatch, False, **options)
    assert fast_tables.keys() == slow_tables.keys()
    for t in fast_tables:
        assert fast_tables[t] == slow_tables[t], t
    assert _report(fast_rep) == _report(slow_rep)
    assert all(f.parser == "python" and f.fallback == f"{FAST_ENV}=0" for f in slow_rep.files if f.format == "csv")
    return fast_rep


def write(path: Path, text: str | bytes) -> str:
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return str(path)


def csv_text(rows: list[list[str]], header: list[str] = HEADER, sep: str = ",", end: str = "\n") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator=end).writerows([header, *rows])
    return buf.getvalue()


# --- clean files: the fast path is taken and gives the same -------------------------------------------------

def test_sample_files(monkeypatch: pytest.MonkeyPatch) -> None:
    rep = compare([(k, str(SAMPLE / f"{k}.csv")) for k in KINDS], monkeypatch)
    assert [(f.parser, f.fallback) for f in rep.files] == [("duckdb", None)] * 3
    assert all(f.kept > 1000 for f in rep.files)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[int, str], Path]:
    out = {}
    for seed in (1, 2, 3):
        for styles in ("auto", "default"):
            d = tmp_path_factory.mktemp(f"gen_{seed}_{styles}")
            result = CliRunner().invoke(main, ["generate", "--persons", "3000", "--seed", str(seed), "--styles", styles,
                                               "--out", str(d)])
            assert result.exit_code == 0, result.output
            out[(seed, styles)] = d
    return out


@pytest.mark.parametrize("styles", ["auto", "default"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_files(generated: dict[tuple[int, str], Path], seed: int, styles: str,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    d = generated[(seed, styles)]
    rep = compare([(k, str(d / f"{k}.csv")) for k in KINDS], monkeypatch)
    assert [(f.parser, f.fallback) for f in rep.files] == [("duckdb", None)] * 3
    assert all(f.kept > 500 for f in rep.files)


def test_generated_styles_vary(generated: dict[tuple[int, str], Path]) -> None:
    """The auto styles do give the fast path different spellings, BOMs and row-number columns to read."""
    heads = {(s, k): (generated[(s, "auto")] / f"{k}.csv").read_bytes()[:200] for s in (1, 2, 3) for k in KINDS}
    assert any(h.startswith(codecs.BOM_UTF8) for h in heads.values())
    assert any(b"STT" in h for h in heads.values())
    assert len({h.split(b"\n")[0] for h in heads.values()}) > 3


CLEAN = {
    "plain": csv_text(ROWS),
    "crlf": csv_text(ROWS, end="\r\n"),
    "bom": "\ufeff" + csv_text(ROWS),
    "bom-crlf-semicolon": "\ufeff" + csv_text(ROWS, sep=";", end="\r\n"),
    "tab": csv_text(ROWS, sep="\t"),
    "pipe": csv_text(ROWS, sep="|"),
    "no-final-newline": csv_text(ROWS).rstrip("\n"),
    "header-only": csv_text([]),
    "header-only-no-newline": csv_text([]).rstrip("\n"),
    "trailing-empty-lines": csv_text(ROWS) + "\n\n",
    "trailing-empty-lines-crlf": csv_text(ROWS, end="\r\n") + "\r\n\r\n",
    "header-and-trailing-empty-lines": csv_text([]) + "\n",
    "blank-rows-of-delimiters": csv_text([ROWS[0], ["", "", "", "", ""], ROWS[1], [" ", "\xa0", "\u3000", "\t", ""]]),
    "whitespace-values-kept": csv_text([["  HT-9 ", " Lò Văn Páo\xa0", "\xa0", "\t", " "]]),
    "quotes-doubled-and-inside": csv_text([["HT-7", 'Bùi "Bé" Mười', '""', 'a""b', '"']])
    + 'HT-8,Hồ ""X"" Y,1,Nam,x"y\n',
    "space-beside-quote-read-alike": csv_text([["HT-1", 'Lê "Văn" A', 'x "', 'Tổ 5 "B", Phường 2', '" y "']]),
    "quoted-empty-and-quoted-all": 'Mã hồ sơ,Họ và tên,Ngày sinh\n"HT-1","Lê A",""\n"","Lê B","1970"\n',
    "sep-hint": "sep=;\r\nHọ và tên;Ngày sinh\r\nLê Văn Tám;1930\r\n",
    "header-trailing-delimiter": "MA_NK;HO_TEN;\n01;Lò Văn Páo;\n02;Lò Thị Xuân;\n;;\n",
    "single-column": "Họ và tên\nLò Văn Páo\n   \nLê A\n",
    "unused-column-with-odd-text": csv_text([[*ROWS[0][:4], "x\u2028y\x85z"]]),
    "trailing-empty-fields": csv_text(ROWS) + "HT-9,Lê A,1,Nam,,,\n" + 'HT-10,Lê B,1,Nam,,""\n',
    "keyless": "HO_TEN,NGAY_SINH\nLò Văn Páo,1950\n,\nGiàng A Páo,1972\n",
    "comment-like-and-backslash": csv_text([["#HT-1", "Lê \\A", "1", "Nam", "\\"]]),
    "duplicate-keys-and-empty-keys": csv_text([ROWS[0], ROWS[0], ["", "Lê D", "", "", ""]]),
}


@pytest.mark.parametrize("name", list(CLEAN))
def test_clean_file_takes_the_fast_path(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kind = "household" if name in ("keyless", "header-trailing-delimiter") else "civil_status"
    rep = compare([(kind, write(tmp_path / "a.csv", CLEAN[name]))], monkeypatch)
    assert (rep.files[0].parser, rep.files[0].fallback) == ("duckdb", None)


def test_mapping_and_rules_on_the_fast_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "hk.csv", "SO_NK,TEN_DAY_DU_NK,NS,Biệt danh\n0001,Quàng Văn Minh,1962,x\n0002,Lò A,,\n")
    mapping = write(tmp_path / "map.yaml", "household:\n  record_id: SO_NK\n  full_name: TEN_DAY_DU_NK\n")
    rules = tmp_path / "rules"
    rules.mkdir()
    write(rules / "headers.yaml", "fields:\n  birth_date: [NS]\n  head_name: [Biệt danh]\n")
    rep = compare([("household", path)], monkeypatch, mapping=mapping, rules=str(rules))
    assert rep.files[0].parser == "duckdb"
    assert rep.files[0].columns == {"record_id": "SO_NK", "full_name": "TEN_DAY_DU_NK", "birth_date": "NS",
                                    "head_name": "Biệt danh"}


def test_several_files_of_a_kind_mixed_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A clean file and a broken one of the same kind, a Parquet file beside: order and numbering as before."""
    a = write(tmp_path / "a.csv", csv_text(ROWS))
    b = write(tmp_path / "b.csv", csv_text([ROWS[0], ["HT-9", "Lê"], ROWS[2]]))
    c = write(tmp_path / "c.csv", "MA_NK,HO_TEN\n1,Lò A\n")
    rep = compare([("civil_status", a), ("household", c), ("civil_status", b)], monkeypatch)
    assert [(f.file, f.parser) for f in rep.files] == [(a, "duckdb"), (b, "python"), (c, "duckdb")]


def test_python_whitespace_set() -> None:
    assert set(PY_WHITESPACE) == {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}


# --- unclean files: the Python reader, one test per trigger ---------------------------------------------------

GOOD = csv_text(ROWS)
BROKEN = {
    # name: (file content, extra ingest options, a word of the fallback reason)
    "forced-by-environment": (GOOD, {}, f"{FAST_ENV}=0"),
    "encoding-cp1258": (encode_text(GOOD * 10, "cp1258"), {}, "encoding cp1258"),
    "encoding-utf16": (GOOD.encode("utf-16"), {}, "encoding utf-16"),
    "encoding-damaged-utf8": (GOOD.encode() + b"HT-9," + encode_text("Phạm Thị Hồng", "cp1258")
                              + b",1,Nam,x\n", {}, "utf-8 with invalid bytes"),
    "encoding-forced": (GOOD, {"encoding": "utf-8"}, "(forced)"),
    "delimiter-forced-unusual": ("Mã hồ sơ:Họ và tên\nHT-1:Lê A\n", {"delimiter": ":"}, "delimiter ':'"),
    "nul-byte-unused-column": (GOOD + "HT-9,Lê A,1,Nam,a\x00b\n", {}, "NUL"),
    "nul-byte-used-column": (GOOD + "HT-9,Lê\x00A,1,Nam,\n", {}, "NUL"),
    "space-before-quote": (GOOD + 'HT-9,Lê A, "1970",Nam,\n', {}, "reads data row 4 differently"),
    "space-after-quote": (GOOD + 'HT-9,Lê A,"1970" ,Nam,\n', {}, "reads data row 4 differently"),
    "delimiters-only-row-longer-than-header": (GOOD + ",,,,,,\n", {}, "reads data row 4 differently"),
    "empty-line-inside": (GOOD + "\nHT-9,Lê A,1,Nam,\n", {}, "empty line"),
    "empty-line-after-header": (csv_text([]) + "\n" + GOOD.split("\n", 1)[1], {}, "empty line"),
    "bare-cr-line-ends": (GOOD.replace("\n", "\r"), {}, "line ends"),
    "mixed-line-ends": (GOOD.replace("\n", "\r\n", 2), {}, "line ends"),
    "cr-inside-a-field": (GOOD + 'HT-9,"Lê\rA",1,Nam,\n', {}, "line ends"),
    "quoted-line-break": (GOOD + 'HT-9,"Lê\nA",1,Nam,\n' + "HT-10,Lê B,1,Nam,\n", {}, "line break"),
    "quoted-line-break-crlf": (csv_text([*ROWS, ["HT-9", "Lê\r\nA", "1", "Nam", ""]], end="\r\n"), {}, "line break"),
    "too-few-fields": (GOOD + "HT-9,Lê A\n" + "HT-10,Lê B,1,Nam,\n", {}, "DuckDB did not read it"),
    "too-many-fields": (GOOD + "HT-9,Lê A,1,Nam,,x\n", {}, "DuckDB did not read it"),
    "quote-not-closed": (GOOD + 'HT-9,"Lê A,1,Nam,\nHT-10,Lê B,1,Nam,\n', {}, "DuckDB did not read it"),
    "quote-not-closed-at-end": (GOOD + 'HT-9,"Lê A,1,Nam,\n', {}, "DuckDB did not read it"),
    "text-after-closing-quote": (GOOD + 'HT-9,"Lê" A,1,Nam,\n', {}, "differently|did not read"),
    "text-right-after-closing-quote": (GOOD + 'HT-9,"Lê"A,1,Nam,\n', {}, "DuckDB did not read it"),
    "whitespace-only-line": (GOOD + "   \n" + "HT-9,Lê A,1,Nam,\n", {}, "DuckDB did not read it"),
    "field-over-the-limit": (GOOD + f"HT-9,{'A' * 140_000},1,Nam,\n", {}, "field limit"),
    "line-over-duckdb-limit": (GOOD + f"HT-9,{'A' * 3_000_000},1,Nam,\n", {}, "DuckDB did not read it"),
    "value-beyond-the-header": ("MA_NK;HO_TEN;\n01;Lò Văn Páo;\n02;Lò Thị Xuân;thừa\n", {}, "beyond the header"),
    "fewer-fields-than-header-with-trailing-delimiter": ("MA_NK;HO_TEN;\n01;Lò Văn Páo\n02;Lò Thị Xuân;\n", {},
                                                         "DuckDB did not read it"),
    "blank-line-before-header": ("\n" + GOOD, {}, "header is not one line"),
    "line-break-in-header": ('Mã hồ sơ,"Họ và tên\n(*)",Ngày sinh\nHT-1,Lê A,1\n', {}, "header is not one line"),
}


def test_glob_characters_in_the_file_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "a1.csv", GOOD + "HT-9,Lê A,1,Nam,\n")
    rep = compare([("civil_status", write(tmp_path / "a[1].csv", GOOD))], monkeypatch)
    assert rep.files[0].parser == "python" and "glob" in (rep.files[0].fallback or "")
    assert rep.files[0].kept == 3


@pytest.mark.parametrize("name", list(BROKEN))
def test_unclean_file_falls_back(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content, options, reason = BROKEN[name]
    kind = "household" if str(content).startswith("MA_NK") else "civil_status"
    path = write(tmp_path / "a.csv", content)
    if name == "forced-by-environment":
        tables, rep = run_ingest([(kind, path)], monkeypatch, False, **options)
        assert tables["raw_civil_status"]
    else:
        rep = compare([(kind, path)], monkeypatch, **options)
    f = rep.files[0]
    assert f.parser == "python" and f.fallback is not None and re.search(reason, f.fallback), f.fallback


# --- random files: whatever path a file takes, the outcome is the Python reader's -------------------------------

PIECES = ["a", "Lê", "Văn", "Ánh", " ", "  ", ",", ";", '"', '""', "\xa0", "\t", "\u3000", "\n", "\r\n", "\r", "x y",
          "0", "#", "\\", "\u2028"]


def _random_file(rnd: random.Random) -> str:
    sep = rnd.choice([",", ";", "\t", "|"])
    end = rnd.choice(["\n", "\n", "\r\n"])
    header = ["Mã hồ sơ", "Họ và tên", "Ngày sinh", "Ghi chú"][: rnd.choice([2, 3, 4])]
    lines = []
    for _ in range(rnd.randint(0, 12)):
        cells = ["".join(rnd.choice(PIECES) for _ in range(rnd.randint(0, 3))) for _ in header]
        if rnd.random() < 0.15:
            cells = cells[: rnd.randint(0, len(cells))] if rnd.random() < 0.5 else [*cells, rnd.choice(["", "z"])]
        buf = io.StringIO()
        quoting = rnd.choice([csv.QUOTE_MINIMAL, csv.QUOTE_MINIMAL, csv.QUOTE_ALL])
        csv.writer(buf, delimiter=sep, lineterminator=end, quoting=quoting).writerow(cells)
        line = buf.getvalue()
        if rnd.random() < 0.1:  # a raw mutation: a stray quote, a space, a dropped character
            i = rnd.randint(0, len(line))
            line = line[:i] + rnd.choice(['"', " ", "", "\n", sep]) + line[i + 1:]
        lines.append(line)
    tail = rnd.choice(["", "", end, end * 2])
    return sep.join(header) + end + "".join(lines) + tail


def test_random_files_same_outcome(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rnd = random.Random(5)
    paths = []
    for i in range(150):
        raw_text = _random_file(rnd)
        if rnd.random() < 0.2:
            raw_text = "\ufeff" + raw_text
        paths.append(("civil_status", write(tmp_path / f"r{i:03d}.csv", raw_text)))
    rep = compare(paths, monkeypatch)
    parsers = [f.parser for f in rep.files]
    assert parsers.count("duckdb") >= 20 and parsers.count("python") >= 20, parsers  # both paths exercised
    assert sum(f.rejected for f in rep.files) > 0 and sum(f.blank for f in rep.files) > 0


def test_report_says_which_parser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FAST_ENV, raising=False)
    con = duckdb.connect()
    rep = ingest(con, [("civil_status", write(tmp_path / "a.csv", GOOD))])
    per_file = rep.as_dict()["sources"]["civil_status"]["per_file"][0]
    assert (per_file["parser"], per_file["fallback"]) == ("duckdb", None)
    assert asdict(rep.files[0])["kept"] == 3
    con.close()
