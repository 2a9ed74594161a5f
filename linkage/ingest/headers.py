"""Header recognition: which column of an input file holds which canonical raw field.

Headers are folded (`fold_header`) and looked up in the aliases of `rules/headers.yaml` (a `headers.yaml` in a
user's rules folder comes first). A mapping file (`load_mapping`) names columns explicitly and overrides them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from linkage import SOURCES
from linkage.errors import UserError

# The canonical raw fields, in the column order of the `raw_<source>` tables (docs/schema.md).
RAW_FIELDS: tuple[str, ...] = (
    "full_name", "birth_date", "sex", "ethnicity", "nationality", "religion", "hometown", "birth_place",
    "residence", "father_name", "mother_name", "personal_id", "cmnd", "id_number", "household_id", "head_name",
    "relation_to_head", "registration_place", "registration_date", "issue_date", "issue_place",
)
RECORD_KEY = "record_id"  # the mapping-file name of the key column

DEFAULT_RULES_DIR = Path(__file__).resolve().parents[2] / "rules"
HEADERS_FILE = "headers.yaml"
MAPPING_FILE = "mapping.yaml"

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_NUMBERING = re.compile(r"^\d{1,3}_(?=[a-z])")
_BRACKETED = re.compile(r"\s*(\([^)]*\)|\[[^\]]*\]|\{[^}]*\})\s*")


def fold_header(header: object) -> str:
    """`Họ và tên (*)` → `ho_va_ten`: no diacritics (đ → d), lower case, non-alphanumerics → `_`, a leading
    `1.`-style numbering dropped."""
    s = "" if header is None else str(header)
    s = s.replace("\ufeff", "").replace("đ", "d").replace("Đ", "D")
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    s = _NON_ALNUM.sub("_", s).strip("_")
    return _NUMBERING.sub("", s)


def header_key(header: object) -> str:
    """The lookup key of a header: its fold without separators (`HoVaTen` = `HO_VA_TEN`)."""
    return fold_header(header).replace("_", "")


def _unbracketed_key(header: object) -> str:
    return header_key(_BRACKETED.sub(" ", "" if header is None else str(header)))


# --- alias rules -----------------------------------------------------------------------------------------

@dataclass
class HeaderRules:
    """Aliases per canonical field (global and per kind) and per kind for the record key, in priority order."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    kinds: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    record_key: dict[str, list[str]] = field(default_factory=dict)
    files: tuple[str, ...] = ()

    def field_lookup(self, kind: str) -> dict[str, tuple[str, int]]:
        """header key → (field, rank); the kind's own aliases first, then the global ones."""
        out: dict[str, tuple[str, int]] = {}
        rank = 0
        for table in (self.kinds.get(kind, {}), self.fields):
            for fld, aliases in table.items():
                for alias in aliases:
                    rank += 1
                    out.setdefault(header_key(alias), (fld, rank))
        return out

    def key_lookup(self, kind: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for rank, alias in enumerate(self.record_key.get(kind, []), 1):
            out.setdefault(header_key(alias), rank)
        return out

    def merged_over(self, base: HeaderRules) -> HeaderRules:
        """These rules' aliases first, then `base`'s."""
        def merge(a: Mapping[str, list[str]], b: Mapping[str, list[str]]) -> dict[str, list[str]]:
            return {k: [*a.get(k, []), *b.get(k, [])] for k in dict.fromkeys([*a, *b])}

        kinds = {k: merge(self.kinds.get(k, {}), base.kinds.get(k, {}))
                 for k in dict.fromkeys([*self.kinds, *base.kinds])}
        return HeaderRules(merge(self.fields, base.fields), kinds, merge(self.record_key, base.record_key),
                           (*self.files, *base.files))


def _alias_list(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise UserError(f"{where}: expected a list of header spellings")
    return [str(v) for v in value]


def _field_table(data: Any, where: str) -> dict[str, list[str]]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UserError(f"{where}: expected field: [aliases]")
    out: dict[str, list[str]] = {}
    for fld, aliases in data.items():
        if fld not in RAW_FIELDS:
            raise UserError(f"{where}: unknown field {fld!r} (fields: {', '.join(RAW_FIELDS)})")
        out[fld] = _alias_list(aliases, f"{where}.{fld}")
    return out


def _kind(name: Any, where: str) -> str:
    if name not in SOURCES:
        raise UserError(f"{where}: unknown source kind {name!r} (use {', '.join(SOURCES)})")
    return str(name)


def parse_header_rules(data: Any, path: str) -> HeaderRules:
    if not isinstance(data, dict):
        raise UserError("a header rules file must be a mapping with 'fields', 'kinds', 'record_key'", file=path)
    unknown = set(data) - {"fields", "kinds", "record_key"}
    if unknown:
        raise UserError(f"unknown section(s) {', '.join(sorted(map(str, unknown)))}", file=path)
    kinds_data = data.get("kinds") or {}
    keys_data = data.get("record_key") or {}
    if not isinstance(kinds_data, dict) or not isinstance(keys_data, dict):
        raise UserError("'kinds' and 'record_key' must map a source kind to its aliases", file=path)
    kinds = {_kind(k, f"{path}: kinds"): _field_table(v, f"{path}: kinds.{k}") for k, v in kinds_data.items()}
    keys = {_kind(k, f"{path}: record_key"): _alias_list(v, f"{path}: record_key.{k}")
            for k, v in keys_data.items()}
    return HeaderRules(_field_table(data.get("fields"), f"{path}: fields"), kinds, keys, (path,))


def _read_yaml(path: Path, what: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"{what} not found", file=str(path)) from None
    except IsADirectoryError:
        raise UserError(f"{what} is a folder, not a file", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read the {what}: {exc}", file=str(path)) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise UserError(f"the {what} is not valid YAML: {_yaml_problem(exc)}", file=str(path)) from None


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """`line 3, column 4: expected ',' or ']', but got ':'` rather than PyYAML's several-line report."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    if mark is not None and problem:
        return f"line {mark.line + 1}, column {mark.column + 1}: {problem}"
    return " ".join(str(exc).split())


def load_header_rules(rules_dir: str | Path | None = None) -> HeaderRules:
    """The default aliases (`rules/headers.yaml`), with a rules folder's own `headers.yaml` (if any) first."""
    default_path = DEFAULT_RULES_DIR / HEADERS_FILE
    rules = parse_header_rules(_read_yaml(default_path, "header rules file"), str(default_path))
    if rules_dir is not None:
        user_path = Path(rules_dir) / HEADERS_FILE
        if user_path.resolve() != default_path.resolve() and user_path.is_file():
            user = parse_header_rules(_read_yaml(user_path, "header rules file"), str(user_path))
            rules = user.merged_over(rules)
    return rules


# --- mapping files ---------------------------------------------------------------------------------------

FieldMap = dict[str, str | None]  # canonical field (or record_id) → header as in the file; None: not taken


@dataclass
class HeaderMapping:
    """A user's mapping file: columns named per kind, and per file."""

    path: str
    kinds: dict[str, FieldMap] = field(default_factory=dict)
    files: dict[str, FieldMap] = field(default_factory=dict)

    def for_file(self, kind: str, file: str) -> FieldMap:
        out = dict(self.kinds.get(kind, {}))
        candidates = {file, str(Path(file)), Path(file).name}
        try:
            candidates.add(str(Path(file).resolve()))
        except OSError:  # pragma: no cover
            pass
        for key, fmap in self.files.items():
            if key in candidates or str(Path(key)) in candidates:
                out.update(fmap)
        return out


def _field_map(data: Any, where: str) -> FieldMap:
    if not isinstance(data, dict):
        raise UserError(f"{where}: expected canonical_field: \"Header as in file\"")
    out: FieldMap = {}
    for fld, header in data.items():
        if fld not in RAW_FIELDS and fld != RECORD_KEY:
            raise UserError(f"{where}: unknown field {fld!r} (fields: {RECORD_KEY}, {', '.join(RAW_FIELDS)})")
        if header is not None and not isinstance(header, str | int):
            raise UserError(f"{where}.{fld}: expected the header text (or null)")
        out[str(fld)] = None if header is None or str(header).strip() == "" else str(header)
    return out


def parse_mapping(data: Any, path: str) -> HeaderMapping:
    if data is None:
        return HeaderMapping(path)
    if not isinstance(data, dict):
        raise UserError("a mapping file must be a YAML mapping {kind: {field: header}}", file=path)
    mapping = HeaderMapping(path)
    for key, value in data.items():
        if key == "files":
            if not isinstance(value, dict):
                raise UserError("'files' must map a file name to {field: header}", file=path)
            mapping.files = {str(f): _field_map(v, f"{path}: files.{f}") for f, v in value.items()}
        elif key in SOURCES:
            mapping.kinds[str(key)] = _field_map(value, f"{path}: {key}")
        else:
            raise UserError(f"unknown key {key!r} (use {', '.join(SOURCES)} or files)", file=path)
    return mapping


def load_mapping(path: str | Path) -> HeaderMapping:
    return parse_mapping(_read_yaml(Path(path), "mapping file"), str(path))


def find_mapping(mapping: str | Path | None, rules_dir: str | Path | None) -> HeaderMapping | None:
    """`--mapping FILE`, else a `mapping.yaml` in the rules folder, else none."""
    if mapping is not None:
        return load_mapping(mapping)
    if rules_dir is not None and (Path(rules_dir) / MAPPING_FILE).is_file():
        return load_mapping(Path(rules_dir) / MAPPING_FILE)
    return None


# --- resolution ------------------------------------------------------------------------------------------

@dataclass
class ColumnMap:
    """Which column (0-based index in the file's header) feeds which field."""

    fields: dict[str, int]
    key: int | None
    ignored: list[str]  # headers of the columns not used, with a note where they matched a taken field
    explicit: set[str] = field(default_factory=set)

    def headers(self, header: Sequence[str]) -> dict[str, str]:
        """field → header text, in RAW_FIELDS order (the key as `record_id`)."""
        out = {f: header[self.fields[f]] for f in RAW_FIELDS if f in self.fields}
        if self.key is not None:
            out = {RECORD_KEY: header[self.key], **out}
        return out


def display_header(header: Sequence[str], i: int) -> str:
    text = str(header[i]).strip() if header[i] is not None else ""
    return text if text else f"(column {i + 1}, no header)"


def _find_column(header: Sequence[str], wanted: str) -> int | None:
    exact = [i for i, h in enumerate(header) if str(h).strip() == wanted.strip()]
    if exact:
        return exact[0]
    key = header_key(wanted)
    folded = [i for i, h in enumerate(header) if key and header_key(h) == key]
    return folded[0] if folded else None


def _recognise(header: Sequence[str], kind: str, rules: HeaderRules) -> tuple[dict[int, tuple[str, int]], dict[int, int]]:
    lookup = rules.field_lookup(kind)
    key_lookup = rules.key_lookup(kind)
    by_field: dict[int, tuple[str, int]] = {}
    by_key: dict[int, int] = {}
    for i, h in enumerate(header):
        for k in (header_key(h), _unbracketed_key(h)):
            if not k:
                continue
            if i not in by_field and k in lookup:
                by_field[i] = lookup[k]
            if i not in by_key and k in key_lookup:
                by_key[i] = key_lookup[k]
    return by_field, by_key


def resolve_columns(
    header: Sequence[str],
    kind: str,
    rules: HeaderRules,
    overrides: FieldMap | None = None,
    *,
    file: str = "",
    mapping_path: str | None = None,
) -> ColumnMap:
    """Assigns the file's columns to canonical fields. Explicit `overrides` (from a mapping file) come first;
    a header they name that the file lacks is a UserError naming the mapping file and the column."""
    overrides = overrides or {}
    fields: dict[str, int] = {}
    used: set[int] = set()
    key: int | None = None
    key_set = False
    for fld, wanted in overrides.items():
        if wanted is None:
            if fld == RECORD_KEY:
                key_set = True
            continue
        col = _find_column(header, wanted)
        if col is None:
            shown = ", ".join(display_header(header, i) for i in range(len(header)))
            raise UserError(
                f"mapping file {mapping_path}: column {wanted!r} (for {fld}) is not in this file; "
                f"its columns are: {shown}",
                file=file,
            )
        if fld == RECORD_KEY:
            key, key_set = col, True
        else:
            fields[fld] = col
            used.add(col)
    explicit = set(overrides)

    by_field, by_key = _recognise(header, kind, rules)
    best: dict[str, tuple[int, int]] = {}
    for i, (fld, rank) in by_field.items():
        if i in used or fld in explicit:
            continue
        if fld not in best or rank < best[fld][0]:
            best[fld] = (rank, i)
    for fld, (_, i) in best.items():
        fields[fld] = i
    if not key_set and by_key:
        key = min(by_key, key=lambda i: (by_key[i], i))

    taken = set(fields.values()) | ({key} if key is not None else set())
    _check_duplicates(header, taken, file)
    ignored: list[str] = []
    for i in range(len(header)):
        if i in taken:
            continue
        note = ""
        if i in by_field and by_field[i][0] in fields:
            note = f" (another column gives {by_field[i][0]})"
        ignored.append(display_header(header, i) + note)
    return ColumnMap(fields=fields, key=key, ignored=ignored, explicit=explicit)


def _check_duplicates(header: Sequence[str], taken: set[int], file: str) -> None:
    """A used column whose header appears twice, word for word: which of the two holds the data is anyone's
    guess (a mapping file cannot tell them apart either), so the user renames one."""
    for i in sorted(taken):
        text = str(header[i]).strip()
        twins = [j for j, h in enumerate(header) if j != i and text and str(h).strip() == text]
        if twins:
            cols = " and ".join(str(c + 1) for c in sorted([i, *twins]))
            raise UserError(f"the header {text!r} appears more than once (columns {cols}): rename the copies "
                            "in the file so that each header is unique", file=file or None)


NAME_EXAMPLES = "'Họ và tên', 'HO_TEN' or 'Full name'"
