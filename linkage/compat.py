"""The one place where two values of a field are judged `same`, `compatible`, `different` or `unknown`.

`compare(field, a, b) -> Verdict(verdict, hint)` on normalised values (what `records` holds, or the parsed
parts): conflict detection, golden records and `explain` all call this function.

- `unknown`: a value is missing on either side — never a conflict.
- `same`: the same value once normalised.
- `compatible`: no contradiction, one side only carries less (or older-scheme) information: a year-only date
  against a full date of that year, `01/01/yyyy` against a date of the same year, a name without diacritics or
  without its generic middle name, a province-only place against a commune of that province, an old unit name
  (Hà Tây) or a post-2025 province against a pre-2025 one it covers, two CMND numbers (re-issued after a move).
- `different`: a real disagreement, which a Justice officer (civil-status fields) or the police settle; `hint`
  says what the difference looks like (`day_month_swapped`, `lunar_calendar`, `regional_surname`, `ch_tr`,
  `province_differs`, `typo_digit` …) or None.

Accepted values per field:
`full_name`, `father_name`, `mother_name`: name text (or NameParts); `birth_date`: DateParts (or raw text);
`sex`: `M`/`F` (or raw); `ethnicity`: code `01`..`54` (or a name / a (code, name) pair); `nationality`,
`religion`, `relation_to_head`: text; `hometown`, `birth_place`, `residence`: PlaceParts (or text);
`personal_id`, `cmnd`, `household_id`: text.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, NamedTuple

from linkage.normalise import codes, names
from linkage.normalise.dates import DateParts, compare_dates, date_difference_hint, parse_date
from linkage.normalise.places import PlaceParts, parse_place, unit_key
from linkage.normalise.text import clean_text, fold

VERDICTS = ("same", "compatible", "different", "unknown")


class Verdict(NamedTuple):
    verdict: str  # 'same' | 'compatible' | 'different' | 'unknown'
    hint: str | None = None


UNKNOWN = Verdict("unknown")
SAME = Verdict("same")

NAME_FIELDS = ("full_name", "father_name", "mother_name")
PLACE_FIELDS = ("hometown", "birth_place", "residence")


def compare(field: str, a: Any, b: Any) -> Verdict:
    """Judge two normalised values of one canonical field (contract.md)."""
    fn = _COMPARERS.get(field)
    if fn is None:
        raise ValueError(f"no comparison rule for field {field!r}")
    if _blank(a) or _blank(b):
        return UNKNOWN
    return fn(a, b)


def fields() -> tuple[str, ...]:
    return tuple(_COMPARERS)


def _blank(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return clean_text(v) is None
    if isinstance(v, DateParts):
        return v.precision is None
    if isinstance(v, PlaceParts):
        return v.text is None
    if isinstance(v, tuple):  # an ethnicity (code, name)
        return not v or v[0] is None
    return False


# ------------------------------------------------------------------------------------------------- names


def _name_text(v: Any) -> str | None:
    return v.full_name if isinstance(v, names.NameParts) else str(v)


def _compare_name(a: Any, b: Any) -> Verdict:
    x, y = _name_text(a), _name_text(b)
    verdict = names.compare_names(x, y)
    if verdict == "different":
        return Verdict(verdict, names.name_difference_hint(x, y))
    if verdict == "compatible":
        pa, pb = names.parse_name(x), names.parse_name(y)
        if pa is not None and pb is not None and pa.name_ascii_only != pb.name_ascii_only:
            return Verdict(verdict, "diacritics_missing")
    return Verdict(verdict)


# ------------------------------------------------------------------------------------------------- dates


_parse_date = lru_cache(maxsize=65536)(parse_date)
_parse_place = lru_cache(maxsize=65536)(parse_place)


def _as_date(v: Any) -> DateParts:
    if isinstance(v, DateParts):
        return v
    return _parse_date(v) if isinstance(v, str) else parse_date(v)


def _compare_birth_date(a: Any, b: Any) -> Verdict:
    da, db = _as_date(a), _as_date(b)
    verdict = compare_dates(da, db)
    if verdict in ("different", "compatible"):
        return Verdict(verdict, date_difference_hint(da, db))
    return Verdict(verdict)


# ------------------------------------------------------------------------------------------------- codes


def _compare_sex(a: Any, b: Any) -> Verdict:
    x = a if a in ("M", "F") else codes.parse_sex(a)
    y = b if b in ("M", "F") else codes.parse_sex(b)
    if x is None or y is None:
        return UNKNOWN
    return SAME if x == y else Verdict("different")


def _ethnicity_code(v: Any) -> str | None:
    if isinstance(v, tuple):
        return v[0]
    s = str(v).strip()
    if len(s) == 2 and s.isdigit():
        return s
    return codes.parse_ethnicity(s)[0]


def _compare_ethnicity(a: Any, b: Any) -> Verdict:
    x, y = _ethnicity_code(a), _ethnicity_code(b)
    if x is None or y is None:
        return UNKNOWN
    return SAME if x == y else Verdict("different")


def _text_rule(parser: Any) -> Any:
    def rule(a: Any, b: Any) -> Verdict:
        x, y = parser(a), parser(b)
        if x is None or y is None:
            return UNKNOWN
        if x == y:
            return SAME
        if fold(x) == fold(y):
            return Verdict("compatible", "diacritics_missing")
        return Verdict("different")

    return rule


def _compare_relation(a: Any, b: Any) -> Verdict:
    x, y = codes.parse_relation(a), codes.parse_relation(b)
    if x is None or y is None:
        return UNKNOWN
    # a relation is to the head of one household book: another book, another head — no contradiction
    return SAME if x == y else Verdict("compatible", "relation_to_another_head")


def _compare_household(a: Any, b: Any) -> Verdict:
    x, y = _digits_or_text(a), _digits_or_text(b)
    return SAME if x == y else Verdict("compatible", "moved_household")


# --------------------------------------------------------------------------------------------------- IDs


def _digits_or_text(v: Any) -> str:
    s = clean_text(str(v)) or ""
    compact = "".join(ch for ch in s if ch not in " .-")
    return compact if compact.isdigit() else s.upper()


def _digit_hint(x: str, y: str) -> str | None:
    if len(x) != len(y):
        return None
    diffs = [i for i, (c1, c2) in enumerate(zip(x, y, strict=True)) if c1 != c2]
    if len(diffs) == 1:
        return "typo_digit"
    if len(diffs) == 2 and diffs[1] == diffs[0] + 1 and x[diffs[0]] == y[diffs[1]] and x[diffs[1]] == y[diffs[0]]:
        return "transposed_digits"
    return None


def _compare_personal_id(a: Any, b: Any) -> Verdict:
    x, y = _digits_or_text(a), _digits_or_text(b)
    if x == y:
        return SAME
    return Verdict("different", _digit_hint(x, y))


def _compare_cmnd(a: Any, b: Any) -> Verdict:
    x, y = _digits_or_text(a), _digits_or_text(b)
    if x == y:
        return SAME
    hint = _digit_hint(x, y)
    if hint is not None:
        return Verdict("different", hint)
    # a CMND was re-issued with a new number after a move (domain.md): two numbers are no contradiction
    return Verdict("compatible", "cmnd_reissued_possible")


# ------------------------------------------------------------------------------------------------ places


def _as_place(v: Any) -> PlaceParts:
    if isinstance(v, PlaceParts):
        return v
    return _parse_place(v) if isinstance(v, str) else parse_place(v)


# Provinces that were one province within living memory and kept one of the old names, so an old document may
# name the old province for a place now in another: Hậu Giang (1976–1991: Cần Thơ, Hậu Giang, Sóc Trăng),
# Lai Châu (until 2004: Điện Biên), Đắk Lắk (until 2004: Đắk Nông), Cần Thơ (1991–2004: with Hậu Giang).
_SPLIT_PROVINCES: tuple[frozenset[str], ...] = (
    frozenset({"092", "093", "094"}), frozenset({"011", "012"}), frozenset({"066", "067"}),
)


def _split_province(ca: set[str], cb: set[str]) -> bool:
    return any(ca <= g and cb <= g for g in _SPLIT_PROVINCES)


def _compare_place(a: Any, b: Any) -> Verdict:
    pa, pb = _as_place(a), _as_place(b)
    if pa.text is None or pb.text is None:
        return UNKNOWN
    fa, fb = fold(pa.text) or "", fold(pb.text) or ""
    if fa == fb:
        return SAME
    ca, cb = set(pa.province_candidates), set(pb.province_candidates)
    if not ca or not cb:
        if _contained(fa, fb) or _contained(fb, fa):
            return Verdict("compatible", "less_detail")
        return UNKNOWN
    if not ca & cb:
        same_units = (unit_key(pa.district) and unit_key(pa.district) == unit_key(pb.district)
                      and unit_key(pa.commune) == unit_key(pb.commune))
        if same_units and _split_province(ca, cb):
            return Verdict("compatible", "old_province_name")
        return Verdict("different", "province_differs")
    old = "old_province_name" in pa.flags or "old_province_name" in pb.flags
    if len(ca) > 1 or len(cb) > 1 or ca != cb:
        return Verdict("compatible", "old_province_name" if old else "reform_2025")
    da, db = unit_key(pa.district), unit_key(pb.district)
    ma, mb = unit_key(pa.commune), unit_key(pb.commune)
    if da and db and da != db:
        return Verdict("different", "district_differs")
    if ma and mb and ma != mb:
        if (da and db) or (pa.scheme == pb.scheme and pa.scheme != "unknown"):
            return Verdict("different", "commune_differs")
        return Verdict("compatible", "unit_renamed_possible")
    if old:
        return Verdict("compatible", "old_province_name")
    if (bool(da), bool(ma)) != (bool(db), bool(mb)):
        return Verdict("compatible", "less_detail")
    return Verdict("compatible", "detail_differs")


def _contained(small: str, big: str) -> bool:
    """Every word of `small`, in order, is in `big`."""
    words = iter(big.split(" "))
    return bool(small) and all(w in words for w in small.split(" "))


_COMPARERS = {
    **{f: _compare_name for f in NAME_FIELDS},
    "birth_date": _compare_birth_date,
    "sex": _compare_sex,
    "ethnicity": _compare_ethnicity,
    "nationality": _text_rule(codes.parse_nationality),
    "religion": _text_rule(codes.parse_religion),
    **{f: _compare_place for f in PLACE_FIELDS},
    "personal_id": _compare_personal_id,
    "cmnd": _compare_cmnd,
    "household_id": _compare_household,
    "relation_to_head": _compare_relation,
}
