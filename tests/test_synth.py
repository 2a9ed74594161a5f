"""The synthetic population generator: determinism, realism, truth files that agree with the exports."""

from __future__ import annotations

import csv
import hashlib
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from linkage.errors import UserError
from linkage.synth import generate
from linkage.synth import vietnamese as vn
from linkage.synth.export import HEADERS
from linkage.synth.lunar import solar_to_lunar
from linkage.synth.places import PROVINCES
from linkage.synth.sources import FIELDS, KEY_FIELD

SOURCES = ("civil_status", "household", "citizen_id")
PROVINCE_CODES = {p.code for p in PROVINCES}


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("synth20k")
    return out, generate(20_000, 11, out)


@pytest.fixture(scope="module")
def tables(big) -> dict:
    out, summary = big
    data = {s: _read_csv(out / f"{s}.csv") for s in SOURCES}
    return {
        "files": data,
        "truth": pd.read_parquet(out / "truth.parquet"),
        "noise": pd.read_parquet(out / "truth_noise.parquet"),
        "conflicts": pd.read_parquet(out / "truth_conflicts.parquet"),
        "persons": pd.read_parquet(out / "truth_persons.parquet"),
        "summary": summary,
    }


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


# ---------------------------------------------------------------- determinism and options
def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(3000, 5, a)
    generate(3000, 5, b)
    generate(3000, 6, c)
    da, db, dc = _digest(a), _digest(b), _digest(c)
    assert len(da) == 7
    assert da == db
    assert da["truth.parquet"] != dc["truth.parquet"]


@pytest.mark.parametrize("option", ["noise_rate", "conflict_rate", "duplicate_rate"])
def test_rates_respond_to_the_options(tmp_path, option):
    counts = {}
    for rate in (0.0, 0.1, 0.3):
        out = tmp_path / f"{option}{rate}"
        s = generate(3000, 3, out, **{option: rate})
        truth = pd.read_parquet(out / "truth.parquet")
        if option == "noise_rate":
            counts[rate] = s["records_with_noise"]
        elif option == "conflict_rate":
            counts[rate] = s["persons_with_conflicts"]
        else:
            counts[rate] = int((truth.groupby(["source", "person_id"]).size() > 1).sum())
    assert counts[0.0] == 0
    assert 0 < counts[0.1] < counts[0.3]


def test_missing_rate_empties_more_cells(tmp_path):
    empty = {}
    for m in (0.0, 3.0):
        out = tmp_path / f"m{m}"
        generate(2000, 4, out, missing_rate=m, noise_rate=0.0)
        header, rows = _read_csv(out / "household.csv")
        k = header.index(HEADERS["household"]["default"]["religion"]) if "TON_GIAO" in header else None
        cells = [r for row in rows for j, r in enumerate(row) if j != k]
        empty[m] = sum(1 for x in cells if x == "")
    assert empty[0.0] < empty[3.0]


def test_unknown_option_and_bad_rate_are_user_errors(tmp_path):
    with pytest.raises(UserError):
        generate(100, 1, tmp_path, colour="red")
    with pytest.raises(UserError):
        generate(100, 1, tmp_path, noise_rate=1.5)


@pytest.mark.parametrize("fmt", ["parquet", "xlsx"])
def test_other_formats_hold_the_same_records(tmp_path, fmt):
    s = generate(300, 9, tmp_path, fmt=fmt, styles="default")
    path = tmp_path / f"household.{fmt}"
    df = pd.read_parquet(path) if fmt == "parquet" else pd.read_excel(path, dtype=str)
    assert len(df) == s["per_source"]["household"]
    assert list(df.columns) == list(HEADERS["household"]["default"].values())
    truth = pd.read_parquet(tmp_path / "truth.parquet")
    assert df["MA_NK"].astype(str).tolist() == truth[truth.source == "household"].record_id.tolist()


def test_cli_prints_one_line_per_file(tmp_path):
    from linkage.commands.generate import command

    res = CliRunner().invoke(command, ["--persons", "200", "--seed", "1", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    lines = res.output.strip().splitlines()
    assert sum(1 for line in lines if "rows" in line) == 7
    assert (tmp_path / "civil_status.csv").exists()


# ---------------------------------------------------------------- realism
def test_surname_and_ethnic_shares(tables):
    p = tables["persons"]
    nguyen = (p.surname == "Nguyễn").mean()
    assert 0.29 <= nguyen <= 0.40
    assert 0.08 <= (p.surname == "Trần").mean() <= 0.14
    minority = (p.ethnicity != "Kinh").mean()
    assert 0.10 <= minority <= 0.18
    assert {"Tày", "Thái", "Mường", "Khmer", "Mông", "Ê Đê", "Gia Rai", "Nùng", "Hoa"} <= set(p.ethnicity)


def test_names_follow_sex_age_and_group(tables):
    p = tables["persons"]
    year = p.birth_date.str[:4].astype(int)
    mid = p.middle_name.fillna("")
    old_women = (p.sex == "F") & (year < 1960)
    young_women = (p.sex == "F") & (year >= 2005)
    assert mid[old_women].str.contains("Thị").mean() > 0.8
    assert mid[young_women].str.contains("Thị").mean() < 0.4
    old_men = (p.sex == "M") & (year < 1960) & (p.ethnicity == "Kinh")
    assert (mid[old_men] == "Văn").mean() > 0.35
    four = p.full_name.str.count(" ") >= 3
    assert 0.2 < four[p.sex == "F"].mean() < 0.8
    assert p.given_name[p.sex == "M"].nunique() > 200 and p.given_name[p.sex == "F"].nunique() > 200
    ede = p[p.ethnicity == "Ê Đê"]
    assert len(ede) and all(f.endswith(" " + s) for f, s in zip(ede.full_name, ede.surname, strict=True))
    assert ede.given_name.str.startswith(("Y ", "H'")).all()
    mong_men = p[(p.ethnicity == "Mông") & (p.sex == "M")]
    assert (mong_men.middle_name == "A").mean() > 0.3
    assert p.surname.isin(["Tôn Thất", "Tôn Nữ", "Nguyễn Phúc", "Nguyễn Phước", "Âu Dương"]).sum() > 0
    age = 2025 - year
    assert age.min() == 0 and age.max() >= 90


def test_personal_ids_decode_to_the_true_sex_and_birth_year(tables):
    p = tables["persons"]
    ids = p.personal_id
    assert ids.str.fullmatch(r"\d{12}").all()
    assert ids.is_unique
    assert ids.str[:3].isin(PROVINCE_CODES).all()
    g = ids.str[3].astype(int)
    year = 1900 + 100 * (g // 2) + ids.str[4:6].astype(int)
    assert (year == p.birth_date.str[:4].astype(int)).all()
    assert ((g % 2) == (p.sex == "F").astype(int)).all()
    cm = p.cmnd.dropna()
    assert cm.str.fullmatch(r"\d{9}").all()
    assert cm.duplicated().any()  # a few CMND numbers were issued twice


def test_ids_in_the_files_belong_to_their_person(tables):
    t, noise, persons = tables["truth"], tables["noise"], tables["persons"].set_index("person_id")
    header, rows = tables["files"]["citizen_id"]
    undo = {(r.source, r.row): r.clean_value for r in noise.itertuples() if r.kind == "id_leading_zero_lost"}
    cid = t[t.source == "citizen_id"].reset_index(drop=True)
    k = header.index(HEADERS["citizen_id"][_style(header, "citizen_id")]["id_number"])
    checked = 0
    for row, pid in zip(cid.row, cid.person_id, strict=True):
        num = undo.get(("citizen_id", row), rows[row - 1][k])
        if len(num) == 12:
            assert num == persons.at[pid, "personal_id"]
            checked += 1
        else:
            assert len(num) == 9
    assert checked > 1000


def test_coverage_and_duplicates(tables):
    t, p = tables["truth"], tables["persons"]
    per_person = t.groupby("person_id").size()
    assert per_person.min() >= 1 and len(per_person) == len(p)
    n_sources = t.groupby("person_id").source.nunique()
    assert {1, 2, 3} <= set(n_sources)
    twice = t.groupby(["source", "person_id"]).size()
    assert (twice.loc["household"] > 1).sum() > 0 and (twice.loc["citizen_id"] > 1).sum() > 0
    year = p.set_index("person_id").birth_date.str[:4].astype(int)
    with_card = t[t.source == "citizen_id"].person_id.unique()
    assert (year[with_card] <= 2011).all()  # no card under 14
    cs = t[t.source == "civil_status"].person_id.unique()
    old = year[year < 1960].index
    young = year[year >= 2000].index
    assert np.isin(old, cs).mean() < 0.35 < np.isin(young, cs).mean()


def test_twins_exist_and_stay_apart(tables):
    p = tables["persons"].set_index("person_id")
    twins = p[p.twin_of.notna()]
    assert len(twins) > 50
    for pid, row in twins.iterrows():
        other = p.loc[row.twin_of]
        assert row.twin_of != pid
        assert other.birth_date == row.birth_date
        assert other.mother_name == row.mother_name
        assert other.full_name != row.full_name
    # both registered: same parents, date and place of birth, consecutive file numbers, other names and IDs
    t = tables["truth"]
    header, rows = tables["files"]["civil_status"]
    h = HEADERS["civil_status"][_style(header, "civil_status")]
    cs = t[t.source == "civil_status"].drop_duplicates("person_id").set_index("person_id").row
    pairs = 0
    for pid, row in twins.iterrows():
        if pid in cs.index and row.twin_of in cs.index and pid < row.twin_of:
            a, b = rows[int(cs[pid]) - 1], rows[int(cs[row.twin_of]) - 1]
            assert a[header.index(h["personal_id"])] != b[header.index(h["personal_id"])] or not a[header.index(h["personal_id"])]
            pa_, pb_ = (vn.ascii_only(x[header.index(h["registration_place"])]) for x in (a, b))
            assert pa_ == pb_ or "" in (pa_, pb_)  # (one may have come through an ASCII-only system)
            assert a[header.index(h["record_id"])][:12] == b[header.index(h["record_id"])][:12]
            pairs += 1
    assert pairs > 20


def test_hard_cases_are_tagged(tables):
    p = tables["persons"]
    tags = p.tags.fillna("")
    same = p[tags.str.contains("same_name_stranger")]
    assert len(same) > 20
    groups = same.groupby(["full_name", same.birth_date.str[:4], "sex"]).size()
    assert (groups >= 2).sum() > 5
    fs = p[tags.str.contains("father_son_same_name")]
    assert fs.groupby(["household_book", "full_name"]).size().max() >= 2


# ---------------------------------------------------------------- truth files agree with the exports
def _style(header: list[str], source: str) -> str:
    for style, h in HEADERS[source].items():
        if set(h.values()) <= set(header):
            return style
    raise AssertionError(f"unknown headers {header}")


def test_every_record_is_in_the_truth_in_file_order(tables):
    t = tables["truth"]
    for s in SOURCES:
        header, rows = tables["files"][s]
        k = header.index(HEADERS[s][_style(header, s)][KEY_FIELD[s]])
        ts = t[t.source == s]
        assert len(ts) == len(rows) == tables["summary"]["per_source"][s]
        assert ts.row.tolist() == list(range(1, len(rows) + 1))
        assert ts.record_id.tolist() == [r[k] for r in rows]
        assert ts.file.iloc[0] == f"{s}.csv"
        assert [h for h in header if h != "STT"] == [HEADERS[s][_style(header, s)][f] for f in FIELDS[s]]


def test_noise_rows_name_cells_that_hold_the_noisy_value(tables):
    noise = tables["noise"]
    assert len(noise) > 5000
    for r in noise.itertuples():
        header, rows = tables["files"][r.source]
        cell = rows[r.row - 1][header.index(r.column)]
        assert cell == r.noisy_value, (r.kind, r.field)
        assert r.clean_value != r.noisy_value
    kinds = set(noise.kind)
    assert {"nfd", "tone_placement", "case", "spaces", "ascii_only", "mojibake_utf8_cp1252", "tcvn3",
            "dropped_van_thi", "missing_middle", "date_format", "date_year_only", "date_placeholder_0101",
            "excel_serial_date", "id_leading_zero_lost", "sex_spelling", "ethnicity_spelling", "place_spelling",
            "i_y"} <= kinds
    share = tables["summary"]["records_with_noise_share"]
    assert 0.15 < share < 0.40


def test_conflict_rows_name_cells_that_hold_the_recorded_value(tables):
    c, noise = tables["conflicts"], tables["noise"]
    persons = tables["persons"].set_index("person_id")
    assert len(c) > 300
    noisy = {(r.source, r.row, r.field): r for r in noise.itertuples()}
    for r in c.itertuples():
        header, rows = tables["files"][r.source]
        cell = rows[r.row - 1][header.index(r.column)]
        assert cell == r.recorded_raw
        assert r.true_value != r.recorded_value
        n = noisy.get((r.source, r.row, r.field))
        if n is not None:
            assert n.noisy_value == cell
        elif r.field in ("full_name", "father_name", "mother_name", "ethnicity", "hometown"):
            assert cell == r.recorded_value
        truth = {"full_name": persons.at[r.person_id, "full_name"], "birth_date": persons.at[r.person_id, "birth_date"],
                 "sex": persons.at[r.person_id, "sex"], "ethnicity": persons.at[r.person_id, "ethnicity"]}
        if r.field in truth:
            assert r.true_value == truth[r.field]
    # more often in household books and on ID cards than in the birth registration, but there too
    by_source = c.source.value_counts()
    assert by_source["household"] > by_source["civil_status"] > 0
    assert by_source["citizen_id"] > by_source["civil_status"]
    assert {"full_name", "birth_date", "sex", "ethnicity", "hometown"} <= set(c.field)
    assert c.kind.str.startswith("given_").any() and (c.kind == "lunar_date").any()
    share = c.person_id.nunique() / len(persons)
    assert 0.02 < share < 0.08


def test_conflicted_persons_have_other_records(tables):
    c, t = tables["conflicts"], tables["truth"]
    n = t.groupby("person_id").size()
    assert (n[c.person_id.unique()] >= 2).all()


# ---------------------------------------------------------------- pure text functions
@pytest.mark.parametrize("word,new_style", [("Hòa", "Hoà"), ("Thủy", "Thuỷ"), ("Khỏe", "Khoẻ"), ("Quý", "Quý"),
                                            ("Hoàng", "Hoàng"), ("Người", "Người"), ("Thanh Hóa", "Thanh Hoá")])
def test_tone_placement_variants(word, new_style):
    assert vn.new_style_tones(word) == new_style
    base, tone = vn.split_tone(word.split(" ")[-1])
    assert vn.with_tone(base, tone) == word.split(" ")[-1]


@pytest.mark.parametrize("fn,text,expected", [
    (vn.tcvn3, "Nguyễn Văn Thị", "NguyÔn V¨n ThÞ"),
    (vn.tcvn3, "Đào", "§µo"),
    (vn.mojibake, "Phân", "PhÃ¢n"),
    (vn.ascii_only, "Đặng Thị Ánh", "Dang Thi Anh"),
    (vn.i_y, "Lý Thị Mỹ", "Lí Thị Mĩ"),
    (vn.i_y, "Vy", "Vy"),
])
def test_encoding_and_spelling_variants(fn, text, expected):
    assert fn(text) == expected


@pytest.mark.parametrize("word,kind,expected", [
    ("Lan", "l_n", "Nan"), ("Trang", "ch_tr", "Chang"), ("Sơn", "s_x", "Xơn"), ("Toàn", "n_ng", "Toàng"),
    ("Phát", "t_c", "Phác"), ("Dũng", "hoi_nga", "Dủng"), ("Hùng", "l_n", None), ("An", "s_x", None),
])
def test_regional_misspellings(word, kind, expected):
    assert vn.misspell(word, kind, random.Random(0)) == expected


@pytest.mark.parametrize("word", ["Hùng", "Thủy", "Lan", "Phát", "Việt"])
def test_tone_and_letter_changes_give_another_valid_syllable(word):
    for seed in range(20):
        for kind in ("tone", "letter"):
            new = vn.misspell(word, kind, random.Random(seed))
            if new is None:
                continue
            assert new != word and not new.isascii()
            base, tone = vn.split_tone(new)
            if base.lower().endswith(("t", "c", "p", "ch")):
                assert tone in (vn.ACUTE, vn.DOT)


@pytest.mark.parametrize("solar,lunar", [((21, 1, 1985), (1, 1, 1985)), ((20, 2, 1985), (1, 2, 1985)),
                                         ((10, 2, 2024), (1, 1, 2024)), ((13, 2, 1945), (1, 1, 1945))])
def test_vietnamese_lunar_calendar(solar, lunar):
    assert solar_to_lunar(*solar)[:3] == lunar
