"""Synthetic population generator: three archive exports of the same people and the truth about them.

    from linkage.synth import generate
    summary = generate(persons=2000, seed=42, out=Path("data/sample"))

Writes `civil_status`, `household` and `citizen_id` exports (CSV by default), `truth.parquet` (which person each
record belongs to), `truth_conflicts.parquet` (planted real disagreements), `truth_noise.parquet` (planted
formatting variants) and `truth_persons.parquet` (the true people). Same seed and options, same bytes."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from linkage.errors import UserError

__all__ = ["Rates", "generate"]


@dataclass(frozen=True)
class Rates:
    """Knobs of the generator. Defaults aim at what real exports look like."""

    noise_rate: float = 0.25  # records with some formatting noise (×0.5 civil status, ×1.4 household books)
    conflict_rate: float = 0.05  # persons with 2+ records who get a real disagreement
    duplicate_rate: float = 0.04  # persons with a second record in one source
    missing_rate: float = 1.0  # multiplier on each field's share of empty cells
    twin_rate: float = 0.03  # chance that a child is the twin of the sibling before
    same_name_rate: float = 0.01  # persons made namesakes of a stranger (same sex, year, province)
    father_son_rate: float = 0.004  # sons named exactly like their father
    cmnd_shared_rate: float = 0.002  # CMND holders whose number was issued to someone else too
    # registered births registered a second time (đăng ký lại khai sinh). Off by default: the engine holds a
    # person to one birth registration and lists such pairs for a steward, so they count as misses.
    reregistration_rate: float = 0.0
    fmt: str = "csv"  # csv, xlsx or parquet
    styles: str = "auto"  # auto: header spelling, date style, BOM vary per file with the seed; default: fixed


def _rates(kw: dict[str, Any]) -> Rates:
    if "format" in kw:
        kw["fmt"] = kw.pop("format")
    known = {f.name for f in fields(Rates)}
    bad = sorted(set(kw) - known)
    if bad:
        raise UserError(f"unknown generator option(s): {', '.join(bad)}")
    kw = {k: v for k, v in kw.items() if v is not None}
    r = Rates(**kw)
    for f in fields(Rates):
        v = getattr(r, f.name)
        if isinstance(v, float) and not (0.0 <= v <= (10.0 if f.name == "missing_rate" else 1.0)):
            raise UserError(f"--{f.name.replace('_', '-')} must be between 0 and 1, got {v}")
    if r.fmt not in ("csv", "xlsx", "parquet"):
        raise UserError(f"unknown format {r.fmt!r}; use csv, xlsx or parquet")
    if r.styles not in ("auto", "default"):
        raise UserError(f"unknown styles {r.styles!r}; use auto or default")
    return r


def _file_styles(seed: int, styles: str) -> dict[str, dict[str, Any]]:
    from linkage.synth.export import STYLES

    out: dict[str, dict[str, Any]] = {}
    rng = np.random.default_rng([seed, 92])
    for s in ("civil_status", "household", "citizen_id"):
        u = rng.random(5)
        if styles == "default":
            out[s] = {"headers": "default", "date_style": "dmy", "row_number": False, "bom": False}
            continue
        others = [x for x in STYLES[s] if x != "default"]
        out[s] = {
            "headers": "default" if u[0] < 0.6 else others[int(u[1] * len(others))],
            "date_style": "dmy" if u[2] < 0.8 else ("iso" if u[2] < 0.92 else "d/m/y"),
            "row_number": bool(u[3] < 0.25),
            "bom": bool(u[4] < 0.3),
        }
    return out


TAG_NAMES = ((1, "twin"), (2, "same_name_stranger"), (4, "father_son_same_name"), (8, "cmnd_shared"))


def generate(persons: int, seed: int, out: Path, **rates: Any) -> dict[str, Any]:
    """Generates `persons` people and their records into `out`; returns a summary (files, counts, rates)."""
    from linkage.synth import conflicts as cf
    from linkage.synth import noise as nz
    from linkage.synth import sources as src
    from linkage.synth.export import headers, write_parquet, write_source
    from linkage.synth.names import SCHEMES
    from linkage.synth.population import build

    t0 = time.perf_counter()
    r = _rates(dict(rates))
    if persons < 1:
        raise UserError(f"--persons must be at least 1, got {persons}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    styles = _file_styles(seed, r.styles)

    P = build(persons, seed, twin_rate=r.twin_rate, same_name_rate=r.same_name_rate,
              father_son_rate=r.father_son_rate, cmnd_shared_rate=r.cmnd_shared_rate)
    rng = np.random.default_rng([seed, 2])
    recs = src.assemble(P, rng, r.duplicate_rate, r.reregistration_rate)
    src.assign_household_ids(recs, rng)
    src.decide_missing(recs, rng, r.missing_rate)
    planted = cf.plant(P, recs, rng, r.conflict_rate, seed)
    for s, rec in recs.items():
        rec.date_style = styles[s]["date_style"]
    src.render(recs)
    noise_rows = nz.plant(recs, rng, r.noise_rate, cf.conflict_cells(planted), seed)

    width = max(7, len(str(P.n)))
    pids = np.char.add("P", np.char.zfill(np.arange(1, P.n + 1).astype(str), width)).astype(object)

    files: dict[str, int] = {}
    record_ids: dict[str, np.ndarray] = {}
    file_names: dict[str, str] = {}
    columns: dict[str, dict[str, str]] = {}
    truth_parts = []
    for s in src.SOURCES:
        rec = recs[s]
        hdr = headers(s, styles[s]["headers"])
        columns[s] = hdr
        cols = {}
        if styles[s]["row_number"]:
            cols["STT"] = pa.array(np.arange(1, rec.n + 1).astype(str), pa.string())
        for f in src.FIELDS[s]:
            cols[hdr[f]] = pa.array(rec.cols[f], type=pa.string())
        table = pa.table(cols)
        path = write_source(table, out, s, r.fmt, styles[s]["bom"] and r.fmt == "csv")
        files[path.name] = rec.n
        file_names[s] = path.name
        record_ids[s] = rec.cols[src.KEY_FIELD[s]]
        truth_parts.append(pa.table({
            "source": pa.array([s] * rec.n, pa.string()),
            "record_id": pa.array(record_ids[s], pa.string()),
            "person_id": pa.array(pids[rec.person], pa.string()),
            "file": pa.array([path.name] * rec.n, pa.string()),
            "row": pa.array(np.arange(1, rec.n + 1), pa.int64()),
        }))
    truth = pa.concat_tables(truth_parts)
    write_parquet(truth, out / "truth.parquet")

    def rid(s: str, i: int) -> str:
        return record_ids[s][i]

    conflicts = pa.table({
        "person_id": pa.array([pids[c.person] for c in planted], pa.string()),
        "field": pa.array([c.field for c in planted], pa.string()),
        "source": pa.array([c.source for c in planted], pa.string()),
        "record_id": pa.array([rid(c.source, c.rec) for c in planted], pa.string()),
        "true_value": pa.array([c.true_value for c in planted], pa.string()),
        "recorded_value": pa.array([c.recorded_value for c in planted], pa.string()),
        "kind": pa.array([c.kind for c in planted], pa.string()),
        "recorded_raw": pa.array([recs[c.source].cols[c.field][c.rec] for c in planted], pa.string()),
        "file": pa.array([file_names[c.source] for c in planted], pa.string()),
        "row": pa.array([c.rec + 1 for c in planted], pa.int64()),
        "column": pa.array([columns[c.source][c.field] for c in planted], pa.string()),
    })
    write_parquet(conflicts, out / "truth_conflicts.parquet")

    noise = pa.table({
        "source": pa.array([x.source for x in noise_rows], pa.string()),
        "record_id": pa.array([rid(x.source, x.rec) for x in noise_rows], pa.string()),
        "field": pa.array([x.field for x in noise_rows], pa.string()),
        "kind": pa.array([x.kind for x in noise_rows], pa.string()),
        "clean_value": pa.array([x.clean for x in noise_rows], pa.string()),
        "noisy_value": pa.array([x.noisy for x in noise_rows], pa.string()),
        "file": pa.array([file_names[x.source] for x in noise_rows], pa.string()),
        "row": pa.array([x.rec + 1 for x in noise_rows], pa.int64()),
        "column": pa.array([columns[x.source][x.field] for x in noise_rows], pa.string()),
    })
    write_parquet(noise, out / "truth_noise.parquet")

    write_parquet(_persons_table(P, pids, src, SCHEMES), out / "truth_persons.parquet")

    n_rec = sum(rec.n for rec in recs.values())
    noisy_records = len({(x.source, x.rec) for x in noise_rows})
    per_person = np.bincount(np.concatenate([rec.person for rec in recs.values()]), minlength=P.n)
    dup = 0
    for rec in recs.values():
        c = np.bincount(rec.person, minlength=P.n)
        dup += int((c >= 2).sum())
    summary = {
        "persons": P.n,
        "households": P.households.n,
        "records": n_rec,
        "files": {**files, "truth.parquet": truth.num_rows, "truth_conflicts.parquet": conflicts.num_rows,
                  "truth_noise.parquet": noise.num_rows, "truth_persons.parquet": P.n},
        "per_source": {s: recs[s].n for s in src.SOURCES},
        "persons_by_record_count": {str(k): int((per_person == k).sum()) for k in range(1, int(per_person.max()) + 1)},
        "records_with_noise": noisy_records,
        "records_with_noise_share": round(noisy_records / n_rec, 4) if n_rec else 0.0,
        "noise_cells": noise.num_rows,
        "conflict_rows": conflicts.num_rows,
        "persons_with_conflicts": len({c.person for c in planted}),
        "persons_duplicated_within_a_source": dup,
        "twins": int(((P.tags & 1) > 0).sum()),
        "rates": asdict(r),
        "styles": styles,
        "out": str(out),
        "seconds": round(time.perf_counter() - t0, 2),
    }
    return summary


def _persons_table(P, pids: np.ndarray, src, schemes) -> pa.Table:
    from linkage.synth.population import RELATIONS

    eth = np.array([s.ethnicity for s in schemes], dtype=object)
    code = np.array([s.code for s in schemes], dtype=object)
    dob = src.format_dates(P.dob, "iso")
    by = P.birth_year.astype(str)
    birth = np.where(P.year_only, by, dob)
    tag_text = np.array([",".join(name for bit, name in TAG_NAMES if t & bit) or None for t in range(16)],
                        dtype=object)
    tags = tag_text[P.tags & 15]
    twin = np.where(P.twin >= 0, pids[np.maximum(P.twin, 0)], None)
    return pa.table({
        "person_id": pa.array(pids, pa.string()),
        "household_book": pa.array(P.households.book[P.household], pa.string()),
        "relation_to_head": pa.array(np.array(RELATIONS, dtype=object)[P.relation], pa.string()),
        "full_name": pa.array(P.full_name, pa.string()),
        "surname": pa.array(P.surname, pa.string()),
        "middle_name": pa.array(np.where(P.middle == "", None, P.middle), pa.string()),
        "given_name": pa.array(P.given, pa.string()),
        "sex": pa.array(np.array(["M", "F"], dtype=object)[P.sex], pa.string()),
        "birth_date": pa.array(birth, pa.string()),
        "birth_date_precision": pa.array(np.where(P.year_only, "year", "day"), pa.string()),
        "ethnicity": pa.array(eth[P.scheme], pa.string()),
        "ethnicity_code": pa.array(code[P.scheme], pa.string()),
        "hometown": pa.array(src.commune_text("address")[P.hometown], pa.string()),
        "father_name": pa.array(P.father_name, pa.string()),
        "mother_name": pa.array(P.mother_name, pa.string()),
        "personal_id": pa.array(np.char.zfill(P.personal_id.astype(str), 12), pa.string()),
        "cmnd": pa.array(np.where(P.cmnd >= 0, np.char.zfill(np.maximum(P.cmnd, 0).astype(str), 9), None),
                         pa.string()),
        "twin_of": pa.array(twin, pa.string()),
        "tags": pa.array(tags, pa.string()),
    })
