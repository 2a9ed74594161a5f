"""apply.normalise on hand-made raw tables, plus a synthetic generator used for the speed benchmark.

Run the benchmark: `python tests/test_apply.py 250000` (prints rows/s and the per-step timings)."""

from __future__ import annotations

import random
import sys
import time

import duckdb
import pytest

from linkage.normalise.apply import RECORD_COLUMNS, normalise

RAW_COLUMNS = (
    "source", "file", "row", "record_id", "full_name", "birth_date", "sex", "ethnicity", "nationality",
    "religion", "hometown", "birth_place", "residence", "father_name", "mother_name", "personal_id", "cmnd",
    "id_number", "household_id", "head_name", "relation_to_head", "registration_place", "registration_date",
    "issue_date", "issue_place",
)


def create_raw(con: duckdb.DuckDBPyConnection, source: str, rows: list[dict[str, object]]) -> None:
    cols = ", ".join(f'"{c}" BIGINT' if c == "row" else f'"{c}" VARCHAR' for c in RAW_COLUMNS)
    con.execute(f"CREATE OR REPLACE TABLE raw_{source} ({cols})")
    if rows:
        values = [[source if c == "source" else r.get(c) for c in RAW_COLUMNS] for r in rows]
        placeholders = ", ".join("?" for _ in RAW_COLUMNS)
        con.executemany(f"INSERT INTO raw_{source} VALUES ({placeholders})", values)


def _civil(row: int, **kw: object) -> dict[str, object]:
    base: dict[str, object] = {"file": "hotich.csv", "row": row, "record_id": f"HT{row:04d}"}
    base.update(kw)
    return base


@pytest.fixture()
def small_workspace() -> duckdb.DuckDBPyConnection:
    return make_small()


def make_small() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    create_raw(con, "civil_status", [
        _civil(1, full_name="NGUYỄN VĂN AN", birth_date="05/03/1980", sex="Nam", ethnicity="Kinh",
               nationality="Viet Nam", personal_id="001080012345", father_name="Nguyễn Văn Bình",
               mother_name="Trần Thị Cúc", birth_place="Xã Tân Lập, Huyện Đan Phượng, Hà Tây",
               hometown="Hà Nội", registration_date="10/03/1980"),
        # 10 digits: the two leading zeros of 001 lost by Excel; sex and birth year agree → repaired
        _civil(2, full_name="Lê Thị Hoa", birth_date="29221", sex="Nữ", personal_id="1180012346",
               registration_date="2026-01-05"),
        # the same 10 digits with a record that disagrees on the birth year → refused
        _civil(3, full_name="Lê Thị Hoa", birth_date="1981", sex="Nữ", personal_id="1180012346",
               hometown="Bắc Ninh", registration_date="2026-01-05"),
        # no name, ID in scientific notation: nothing usable → rejected
        _civil(4, full_name=None, birth_date="1980", personal_id="1.23457E+11"),
        # empty row → rejected
        _civil(5),
        # the place of birth registration wins over the place of birth when it names a province
        _civil(7, full_name="Đỗ Văn Nam", birth_place="Bệnh viện Bạch Mai", personal_id="001085000001",
               registration_place="UBND xã Tân Lập, huyện Đan Phượng, TP Hà Nội"),
        _civil(8, full_name="Đỗ Văn Bắc", birth_place="Xã Yên Sở, Huyện Hoài Đức, Hà Tây",
               registration_place="UBND xã Yên Sở"),
        # name only → kept
        _civil(6, full_name="  phạm   thị   thuỷ ", sex="nu", ethnicity="Mèo", hometown="Bac Ninh",
               registration_date="2020-05-01"),
    ])
    create_raw(con, "household", [
        {"file": "hk.xlsx", "row": 1, "record_id": "NK1", "full_name": "Nguyen Van An", "birth_date": "1980",
         "sex": "1", "cmnd": "12345678", "household_id": " HK 001 ", "relation_to_head": "CH",
         "residence": "P.12, Q.3, TP HCM", "religion": "khong"},
        {"file": "hk.xlsx", "row": 2, "record_id": "NK2", "full_name": None, "cmnd": "012345679"},
        {"file": "hk.xlsx", "row": 3, "record_id": "NK3", "full_name": None, "cmnd": "ABC"},
    ])
    create_raw(con, "citizen_id", [
        {"file": "cccd.csv", "row": 1, "record_id": "001080012345", "full_name": "Nguyễn Văn An",
         "birth_date": "1980-03-05 00:00:00", "sex": "M", "id_number": "001080012345",
         "issue_date": "15/08/2021", "residence": "Phường 12 Quận 3 TPHCM"},
        # id_number with the century digit of a woman, record says man → inconsistent, kept
        {"file": "cccd.csv", "row": 2, "record_id": "001180099999", "full_name": "Trần Văn Đức",
         "birth_date": "01/01/1980", "sex": "Nam", "id_number": "001180099999"},
    ])
    return con


def test_normalise_small(small_workspace: duckdb.DuckDBPyConnection) -> None:
    con = small_workspace
    counts = normalise(con)
    assert counts["kept"] == 10
    assert counts["rejected"] == {"civil_status": 2, "household": 1}
    assert counts["kept_by_source"] == {"citizen_id": 2, "civil_status": 6, "household": 2}

    cols = [r[0] for r in con.execute("DESCRIBE records").fetchall()]
    assert tuple(cols) == RECORD_COLUMNS

    rows = con.execute("SELECT * FROM records ORDER BY uid").fetchall()
    recs = {(r[1], r[4]): dict(zip(cols, r, strict=True)) for r in rows}
    # uid dense over (source, file, row)
    assert [r[0] for r in rows] == list(range(1, 11))
    assert [(r[1], r[3], r[4]) for r in rows] == sorted((r[1], r[3], r[4]) for r in rows)

    a = recs[("civil_status", 1)]
    assert a["full_name"] == "Nguyễn Văn An" and a["surname"] == "Nguyễn" and a["given_name"] == "An"
    assert a["birth_date"].isoformat() == "1980-03-05" and a["birth_date_precision"] == "day"
    assert a["sex"] == "M" and a["ethnicity_code"] == "01" and a["nationality"] == "Việt Nam"
    assert a["personal_id"] == "001080012345" and a["personal_id_status"] == "valid"
    assert a["id_province_code"] == "001" and a["id_sex"] == "M" and a["id_birth_year"] == 1980
    assert a["birth_place_province_code"] == "001" and "birth_place_old_province_name" in a["flags"]
    assert a["father_fold"] == "nguyen van binh" and a["mother_name"] == "Trần Thị Cúc"
    assert a["event_date"].isoformat() == "1980-03-10"

    b = recs[("civil_status", 2)]
    assert b["personal_id"] == "001180012346" and b["personal_id_status"] == "repaired"
    assert "id_repaired" in b["flags"] and "id_leading_zero_restored" in b["flags"]
    assert b["birth_date_placeholder"] is True and "date_excel_serial" in b["flags"]

    c = recs[("civil_status", 3)]
    assert c["personal_id"] is None and c["personal_id_status"] == "invalid"
    assert "id_lost_leading_zero_unverified" in c["flags"]
    # written in 2026, no district: a post-2025 Bắc Ninh, which covers two pre-2025 provinces
    assert c["hometown"] == "Tỉnh Bắc Ninh" and c["hometown_province_code"] is None

    f = recs[("civil_status", 6)]
    assert f["full_name"] == "Phạm Thị Thủy" and f["sex"] == "F" and f["ethnicity"] == "Mông"
    assert f["personal_id_status"] == "missing" and f["birth_date_precision"] is None
    assert f["hometown_province_code"] == "027"  # written before 2025: the old Bắc Ninh

    assert recs[("civil_status", 7)]["birth_place"] == "Xã Tân Lập, Huyện Đan Phượng, Thành phố Hà Nội"
    assert recs[("civil_status", 8)]["birth_place_province_code"] == "001"  # Nơi sinh: Hà Tây

    h = recs[("household", 1)]
    assert h["cmnd"] == "012345678" and h["personal_id"] is None and h["personal_id_status"] == "missing"
    assert h["name_ascii_only"] is True and h["household_id"] == "HK 001" and h["relation_to_head"] == "Chủ hộ"
    assert h["residence_province_code"] == "079" and h["residence_commune"] == "Phường 12"
    assert h["religion"] == "Không" and h["birth_date_precision"] == "year"

    k = recs[("household", 2)]
    assert k["full_name"] is None and k["cmnd"] == "012345679"

    z = recs[("citizen_id", 1)]
    assert z["residence"] == "Phường 12, Quận 3, Thành phố Hồ Chí Minh"
    assert z["event_date"].isoformat() == "2021-08-15"

    w = recs[("citizen_id", 2)]
    assert w["personal_id_status"] == "inconsistent" and "id_sex_mismatch" in w["flags"]
    assert w["birth_date_placeholder"] is True

    rej = con.execute("SELECT source, record_id, file, row, stage, reason FROM rejected ORDER BY source, row").fetchall()
    assert rej == [
        ("civil_status", "HT0004", "hotich.csv", 4, "normalise", "no usable name and no usable ID number"),
        ("civil_status", "HT0005", "hotich.csv", 5, "normalise", "no name and no ID number"),
        ("household", "NK3", "hk.xlsx", 3, "normalise", "no usable name and no usable ID number"),
    ]


def test_normalise_is_deterministic_and_rerunnable(small_workspace: duckdb.DuckDBPyConnection) -> None:
    con = small_workspace
    con.execute("CREATE TABLE rejected (source VARCHAR, record_id VARCHAR, file VARCHAR, \"row\" BIGINT, "
                "stage VARCHAR, reason VARCHAR)")
    con.execute("INSERT INTO rejected VALUES ('household', NULL, 'hk.xlsx', 9, 'ingest', 'empty row')")
    normalise(con)
    first = con.execute("SELECT * FROM records ORDER BY uid").fetchall()
    normalise(con)
    second = con.execute("SELECT * FROM records ORDER BY uid").fetchall()
    assert first == second
    stages = con.execute("SELECT stage, count(*) FROM rejected GROUP BY stage ORDER BY stage").fetchall()
    assert stages == [("ingest", 1), ("normalise", 3)]  # re-run replaced, not appended; ingest rows kept
    # same input in another physical order → same table
    con2 = duckdb.connect(":memory:")
    for src in ("citizen_id", "household", "civil_status"):
        df = con.sql(f"SELECT * FROM raw_{src} ORDER BY row DESC").to_arrow_table()
        con2.register("tmp", df)
        con2.execute(f"CREATE OR REPLACE TABLE raw_{src} AS SELECT * FROM tmp")
        con2.unregister("tmp")
    normalise(con2)
    assert con2.execute("SELECT * FROM records ORDER BY uid").fetchall() == first


def test_normalise_needs_raw_tables() -> None:
    from linkage.errors import UserError

    con = duckdb.connect(":memory:")
    with pytest.raises(UserError):
        normalise(con)


def test_raw_table_missing_columns_is_tolerated() -> None:
    con = duckdb.connect(":memory:")
    con.execute("CREATE TABLE raw_household (source VARCHAR, file VARCHAR, \"row\" BIGINT, record_id VARCHAR, "
                "full_name VARCHAR, cmnd VARCHAR)")
    con.execute("INSERT INTO raw_household VALUES ('household', 'a.csv', 1, '1', 'Lò Văn Pọm', '040123456')")
    counts = normalise(con)
    assert counts["kept"] == 1
    row = con.execute("SELECT full_name, cmnd, personal_id_status, flags FROM records").fetchone()
    assert row == ("Lò Văn Pọm", "040123456", "missing", [])


# ---------------------------------------------------------------------------------------- synthetic data

SURNAMES = ["Nguyễn"] * 8 + ["Trần"] * 3 + ["Lê"] * 3 + ["Phạm", "Hoàng", "Huỳnh", "Vũ", "Võ", "Đặng", "Bùi",
                                                        "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Giàng", "Lò"]
MIDDLES = ["Văn", "Thị", "Văn", "Thị", "Minh", "Thị Thu", "Đức", "Ngọc", "Hữu", "Thanh", "Quốc", "Xuân", ""]
GIVENS = ["An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Hương", "Lan", "Linh", "Long",
          "Mai", "Nam", "Nga", "Phong", "Phương", "Quang", "Sơn", "Tâm", "Thảo", "Thủy", "Trang", "Trung", "Tuấn",
          "Vân", "Yến", "Khoa", "Đạt", "Hiếu", "Huy", "Nhung", "Oanh", "Páo", "Sùng"]
PLACES = ["Xã Tân Lập, Huyện Đan Phượng, Thành phố Hà Nội", "Hà Nội", "HN", "Phường 12, Quận 3, TP.HCM",
          "Xã Yên Sở, Huyện Hoài Đức, Tỉnh Hà Tây", "Nghệ An", "T. Thanh Hóa", "Bac Ninh", "Thái Bình",
          "Xã Ea Tu, TP Buôn Ma Thuột, Tỉnh Đắk Lắk", "Phường Phú Hội, Thành phố Huế", "Hà Sơn Bình"]
PROVINCES = ["001", "027", "079", "040", "038", "034", "066", "046", "024", "010"]


def synthetic_rows(n: int, seed: int = 7) -> dict[str, list[dict[str, object]]]:
    rnd = random.Random(seed)
    out: dict[str, list[dict[str, object]]] = {"civil_status": [], "household": [], "citizen_id": []}
    for i in range(n):
        src = ("civil_status", "household", "citizen_id")[i % 3]
        sex = rnd.random() < 0.5
        year = rnd.randint(1930, 2015)
        month, day = rnd.randint(1, 12), rnd.randint(1, 28)
        middle = " ".join(x for x in (rnd.choice(MIDDLES), rnd.choice(MIDDLES) if rnd.random() < 0.5 else "") if x)
        given = rnd.choice(GIVENS) if rnd.random() < 0.7 else rnd.choice(GIVENS) + " " + rnd.choice(GIVENS)
        name = " ".join(x for x in (rnd.choice(SURNAMES), middle, given) if x)
        g = (0 if year < 2000 else 2) + (0 if sex else 1)
        pid = f"{rnd.choice(PROVINCES)}{g}{year % 100:02d}{rnd.randint(0, 999999):06d}"
        r = rnd.random()
        date = (f"{day:02d}/{month:02d}/{year}" if r < 0.6 else f"{year}-{month:02d}-{day:02d}" if r < 0.75
                else str(year) if r < 0.85 else f"01/01/{year}" if r < 0.95
                else str(rnd.randint(10000, 40000)))
        id_value = pid if rnd.random() < 0.9 else pid.lstrip("0") if rnd.random() < 0.7 else "1.23457E+11"
        row: dict[str, object] = {
            "file": f"{src}.csv", "row": len(out[src]) + 1, "record_id": str(len(out[src]) + 1),
            "full_name": name if rnd.random() < 0.7 else name.upper() if rnd.random() < 0.5 else None,
            "birth_date": date, "sex": rnd.choice(["Nam", "nam", "M", "1"] if sex else ["Nữ", "NU", "F", "0"]),
            "ethnicity": rnd.choice(["Kinh", "Kinh", "Kinh", "Tày", "Mèo", "H'Mông", "Khơ-me", "01"]),
            "hometown": rnd.choice(PLACES),
        }
        if src == "civil_status":
            row.update(personal_id=id_value, birth_place=rnd.choice(PLACES), nationality="Việt Nam",
                       father_name=rnd.choice(SURNAMES) + " Văn " + rnd.choice(GIVENS),
                       mother_name=rnd.choice(SURNAMES) + " Thị " + rnd.choice(GIVENS),
                       registration_date=f"{min(day + 3, 28):02d}/{month:02d}/{year}")
        elif src == "household":
            row.update(cmnd=id_value if rnd.random() < 0.5 else f"{rnd.randint(1, 38):02d}{rnd.randint(0, 9999999):07d}",
                       household_id=f"HK{rnd.randint(1, n // 4):06d}", religion=rnd.choice(["Không", "Phật giáo"]),
                       relation_to_head=rnd.choice(["Chủ hộ", "Vợ", "Con", "Cháu"]),
                       residence=f"Thôn {rnd.randint(1, 30)}, " + rnd.choice(PLACES))
        else:
            row.update(id_number=id_value, issue_date=f"{day:02d}/{month:02d}/{rnd.randint(2016, 2026)}",
                       residence=f"Số {rnd.randint(1, 300)} ngõ {rnd.randint(1, 99)}, " + rnd.choice(PLACES))
        out[src].append(row)
    return out


def build_synthetic(con: duckdb.DuckDBPyConnection, n: int, seed: int = 7) -> None:
    import pyarrow as pa

    for src, rows in synthetic_rows(n, seed).items():
        cols = {c: [src if c == "source" else r.get(c) for r in rows] for c in RAW_COLUMNS}
        table = pa.table({c: pa.array(v, type=pa.int64() if c == "row" else pa.string()) for c, v in cols.items()})
        con.register("tmp", table)
        con.execute(f"CREATE OR REPLACE TABLE raw_{src} AS SELECT * FROM tmp")
        con.unregister("tmp")


def test_synthetic_sample_is_consistent() -> None:
    con = duckdb.connect(":memory:")
    build_synthetic(con, 3000)
    counts = normalise(con)
    total = con.execute("SELECT count(*) FROM records").fetchone()[0]
    rejected = con.execute("SELECT count(*) FROM rejected").fetchone()[0]
    assert total + rejected == 3000 and total == counts["kept"]
    # every 12-digit personal ID agrees with the decoded birth year unless flagged
    bad = con.execute("""SELECT count(*) FROM records WHERE personal_id IS NOT NULL
                         AND personal_id_status IN ('valid', 'repaired') AND birth_year IS NOT NULL
                         AND id_birth_year <> birth_year""").fetchone()[0]
    assert bad == 0
    repaired = con.execute("SELECT count(*) FROM records WHERE personal_id_status = 'repaired'").fetchone()[0]
    assert repaired > 0
    assert con.execute("SELECT count(*) FROM records WHERE sex IS NULL").fetchone()[0] == 0


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 250_000
    con = duckdb.connect(":memory:")
    t0 = time.perf_counter()
    build_synthetic(con, n)
    print(f"built {n} raw rows in {time.perf_counter() - t0:.1f}s")
    t0 = time.perf_counter()
    counts = normalise(con)
    dt = time.perf_counter() - t0
    print(f"normalised {n} rows in {dt:.1f}s ({n / dt:,.0f} rows/s)")
    print(counts)


def test_rollback_keeps_previous_records(small_workspace: duckdb.DuckDBPyConnection,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    con = small_workspace
    normalise(con)
    before = con.execute("SELECT * FROM records ORDER BY uid").fetchall()
    from linkage.normalise import apply

    def boom(_con: duckdb.DuckDBPyConnection, _pool: object) -> int:
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(apply, "_map_ids", boom)
    with pytest.raises(RuntimeError):
        normalise(con)
    assert con.execute("SELECT * FROM records ORDER BY uid").fetchall() == before
