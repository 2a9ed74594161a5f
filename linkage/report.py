"""`linkage report`: progress per province and commune as one self-contained HTML page (no CDN).

Figures are read from the workspace (read-only): records in, persons, persons linked across sources,
conflicts open and settled (as of the last `load`), persons loaded — in the form the field reports in,
e.g. "133,281 / 136,918 (97.34 %)"."""

from __future__ import annotations

import csv
import datetime as dt
import html
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from linkage.workspace import WorkspaceConfig, atomic_write_bytes, connect, require_table, table_exists

PROVINCES_CSV = Path(__file__).resolve().parent / "data" / "provinces.csv"

# The province a record counts under: its birth registration, else residence, else home town, else ID prefix.
RECORD_PROVINCE = ("coalesce(CASE WHEN r.source = 'civil_status' THEN r.birth_place_province_code END, "
                   "r.residence_province_code, r.hometown_province_code, r.id_province_code)")
RECORD_COMMUNE = "coalesce(r.residence_commune, '')"


@cache
def province_names() -> dict[str, str]:
    if not PROVINCES_CSV.exists():
        return {}
    with PROVINCES_CSV.open(encoding="utf-8") as fh:
        return {row["code"]: row["name"] for row in csv.DictReader(fh)}


def gather(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """One row per (province, commune) with the progress figures; commune '' is 'not known'."""
    require_table(con, "persons", "run `linkage run` first")
    loaded = "EXISTS (SELECT 1 FROM golden g WHERE g.person_id = p.person_id)" if table_exists(con, "golden") \
        else "false"
    has_status = table_exists(con, "conflict_status")
    settled = ("(SELECT count(*) FROM conflict_status s WHERE s.person_id = pp.person_id AND s.status = 'settled')"
               if has_status else "0")
    rows = con.execute(
        f"""
        WITH rp AS (
            SELECT p.person_id, r.source, {RECORD_PROVINCE} AS province, {RECORD_COMMUNE} AS commune,
                   {loaded} AS loaded
            FROM records r JOIN persons p USING (uid)
        ), pp AS (
            SELECT person_id, arg_min(province, province IS NULL) AS province,
                   arg_min(commune, commune = '') AS commune,
                   count(DISTINCT source) AS n_sources, bool_or(loaded) AS loaded, count(*) AS n_records
            FROM rp GROUP BY person_id
        ), pc AS (
            SELECT pp.*, (SELECT count(*) FROM conflicts c WHERE c.person_id = pp.person_id) AS conflicts,
                   {settled} AS settled
            FROM pp
        )
        SELECT coalesce(province, '') AS province, commune, sum(n_records) AS records, count(*) AS persons,
               count(*) FILTER (WHERE n_sources > 1) AS linked, sum(conflicts) AS conflicts,
               sum(settled) AS settled, count(*) FILTER (WHERE loaded) AS loaded
        FROM pc GROUP BY ALL ORDER BY province, commune
        """
    ).fetchall()
    keys = ("province", "commune", "records", "persons", "linked", "conflicts", "settled", "loaded")
    return [dict(zip(keys, r, strict=True)) for r in rows]


def pct(n: int, d: int) -> str:
    return f"{n:,} / {d:,} ({100 * n / d:.2f} %)" if d else "—"


def _bar(n: int, d: int) -> str:
    w = 0 if not d else max(0, min(100, round(100 * n / d)))
    return (f'<svg width="104" height="12" role="img" aria-label="{w} %"><rect x="0" y="1" width="100" height="10" '
            f'fill="#e5e7eb"/><rect x="0" y="1" width="{w}" height="10" fill="#15803d"/></svg>')


def render(rows: list[dict[str, Any]], title: str = "Tiến độ đối soát dữ liệu dân cư") -> str:
    names = province_names()
    by_prov: dict[str, dict[str, int]] = {}
    for r in rows:
        agg = by_prov.setdefault(r["province"], {k: 0 for k in ("records", "persons", "linked", "conflicts",
                                                                   "settled", "loaded")})
        for k in agg:
            agg[k] += int(r[k] or 0)
    total = {k: sum(p[k] for p in by_prov.values()) for k in ("records", "persons", "linked", "conflicts",
                                                                "settled", "loaded")}
    e = html.escape

    def prov_name(code: str) -> str:
        return f"{names.get(code, 'Chưa xác định / unknown')} ({code})" if code else "Chưa xác định / unknown"

    head = ("<tr><th>Tỉnh / Province</th><th>Xã, phường / Commune</th><th>Hồ sơ / Records</th>"
            "<th>Công dân / Persons</th><th>Liên kết nhiều nguồn / Linked across sources</th>"
            "<th>Xung đột đã xử lý / Conflicts settled</th><th>Đã nạp / Persons loaded</th><th></th></tr>")
    body = []
    for code, p in sorted(by_prov.items()):
        body.append(
            f"<tr class='prov'><td>{e(prov_name(code))}</td><td></td><td>{p['records']:,}</td><td>{p['persons']:,}</td>"
            f"<td>{pct(p['linked'], p['persons'])}</td><td>{pct(p['settled'], p['conflicts'])}</td>"
            f"<td>{pct(p['loaded'], p['persons'])}</td><td>{_bar(p['loaded'], p['persons'])}</td></tr>"
        )
        for r in rows:
            if r["province"] != code:
                continue
            body.append(
                f"<tr><td></td><td>{e(r['commune'] or 'Chưa xác định / unknown')}</td><td>{r['records']:,}</td>"
                f"<td>{r['persons']:,}</td><td>{pct(r['linked'], r['persons'])}</td>"
                f"<td>{pct(r['settled'], r['conflicts'])}</td><td>{pct(r['loaded'], r['persons'])}</td>"
                f"<td>{_bar(r['loaded'], r['persons'])}</td></tr>"
            )
    now = dt.datetime.now().strftime("%d/%m/%Y %H:%M")
    return f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title>
<style>
body{{font-family:system-ui,"Segoe UI",Roboto,Arial,sans-serif;margin:1.5rem;color:#111}}
h1{{font-size:1.4rem}} table{{border-collapse:collapse;font-size:.9rem}}
th,td{{border-bottom:1px solid #ddd;padding:.3rem .6rem;text-align:right}} th:nth-child(-n+2),td:nth-child(-n+2){{text-align:left}}
tr.prov td{{font-weight:600;background:#f3f4f6}} .kpi{{display:flex;gap:2rem;margin:1rem 0}} .kpi div{{font-size:1.1rem}}
</style></head><body>
<h1>{e(title)}<br><small>Record linkage progress — {now}</small></h1>
<div class="kpi">
<div>Đã nạp / Loaded: <b>{pct(total['loaded'], total['persons'])}</b></div>
<div>Liên kết nhiều nguồn / Linked across sources: <b>{pct(total['linked'], total['persons'])}</b></div>
<div>Xung đột đã xử lý / Conflicts settled: <b>{pct(total['settled'], total['conflicts'])}</b></div>
<div>Hồ sơ / Records: <b>{total['records']:,}</b></div>
</div>
<table><thead>{head}</thead><tbody>{''.join(body)}</tbody></table>
</body></html>
"""


def write_report(ws: WorkspaceConfig, out: str) -> list[dict[str, Any]]:
    con = connect(ws, read_only=True)
    try:
        rows = gather(con)
    finally:
        con.close()
    atomic_write_bytes(out, render(rows).encode("utf-8"))
    return rows
