"""Load the module's data tables and check them against their data dictionary.

Every table in `data/` is described in `data/datapackage.json`, in the layout of a Frictionless Data
Package: one resource per table, with a schema that names each column, its type, unit, meaning and
constraints. `load_table` reads a table and refuses it, naming the row and column, when a value breaks
its schema. Supported field types: string, integer, number, boolean, date (YYYY-MM-DD) and
partial-date (YYYY, YYYY-MM or YYYY-MM-DD, for dates known only to the month or year).

Each table also states its cut-off, `"cutoff": "YYYY-MM-DD"` in the catalogue: the latest date its
sources reach. `cutoff(name)` reads it and `cutoff_note(*names)` words it for a figure's caption. How
the cut-off is found is stated per table: `cutoffFields` (the latest day those date columns reach),
`cutoffFrom` (a table derived from another has that table's cut-off) or neither (an undated list: the
day it was last revised, with `cutoffNote` saying so). `computed_cutoff(name)` recomputes it from the
rows; the tests and `tools/update_data.py` keep the two equal.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import pandas as pd

from .errors import DataError
from .paths import data_dir

PACKAGE_FILE = "datapackage.json"
PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
MAX_REPORTED_PROBLEMS = 10


def read_package(folder: Path | None = None) -> dict:
    """Return the parsed data package descriptor (the catalogue of every table)."""
    folder = folder or data_dir()
    path = folder / PACKAGE_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"The data catalogue {path} is missing; it describes every table in data/.") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"The data catalogue {path} is not valid UTF-8 JSON: {exc}") from None


def resource(name: str, folder: Path | None = None) -> dict:
    """Return the description of one table by its name in the catalogue."""
    package = read_package(folder)
    for res in package.get("resources", []):
        if res.get("name") == name:
            return res
    known = ", ".join(sorted(r.get("name", "?") for r in package.get("resources", [])))
    raise DataError(f"No table called '{name}' in data/{PACKAGE_FILE}. Known tables: {known}.")


def parse_value(value: str, field: dict):
    """Convert one cell to the field's type, or raise ValueError with what was expected."""
    kind = field.get("type", "string")
    if kind == "string":
        return value
    if kind == "integer":
        if not re.fullmatch(r"[+-]?\d+", value.strip()):
            raise ValueError("expected a whole number")
        return int(value)
    if kind == "number":
        try:
            number = float(value)
        except ValueError:
            raise ValueError("expected a number (use a dot for decimals, no thousands separator)") from None
        if number != number:
            raise ValueError("expected a number, not NaN")
        return number
    if kind == "boolean":
        if value.lower() not in {"true", "false"}:
            raise ValueError("expected true or false")
        return value.lower() == "true"
    if kind == "date":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError("expected a date written YYYY-MM-DD") from None
    if kind == "partial-date":
        if not PARTIAL_DATE.match(value):
            raise ValueError("expected a date written YYYY-MM-DD, YYYY-MM or YYYY")
        parts = [int(p) for p in value.split("-")]
        try:
            dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
        except ValueError:
            raise ValueError("is not a real calendar date") from None
        return value
    raise ValueError(f"the data dictionary gives an unknown type '{kind}'")


def check_value(value, field: dict) -> str | None:
    """Return a problem with a parsed value's constraints, or None."""
    constraints = field.get("constraints", {})
    if "enum" in constraints and value not in constraints["enum"]:
        return f"is not one of the allowed values: {', '.join(map(str, constraints['enum']))}"
    if "pattern" in constraints and not re.fullmatch(constraints["pattern"], str(value)):
        return f"does not match the pattern {constraints['pattern']}"
    if "minimum" in constraints and value < constraints["minimum"]:
        return f"is below the minimum {constraints['minimum']}"
    if "maximum" in constraints and value > constraints["maximum"]:
        return f"is above the maximum {constraints['maximum']}"
    return None


def read_rows(path: Path) -> tuple[list[str], list[dict]]:
    """Read a UTF-8 CSV file into its header and rows, with clear errors for unreadable files."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError(f"The data file {path} is missing. Restore it from the repository (git checkout -- {path.name}).") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"The data file {path} is not UTF-8 text (byte {exc.start}). Save it again as UTF-8.") from None
    reader = csv.DictReader(text.splitlines())
    header = reader.fieldnames or []
    rows = list(reader)
    return header, rows


def validate_rows(header: list[str], rows: list[dict], schema: dict, label: str) -> list[dict]:
    """Check rows against a table schema; return the rows with typed values or raise DataError."""
    fields = schema["fields"]
    names = [f["name"] for f in fields]
    problems: list[str] = []
    missing = [n for n in names if n not in header]
    extra = [h for h in header if h not in names]
    if missing or extra:
        detail = []
        if missing:
            detail.append(f"missing column(s): {', '.join(missing)}")
        if extra:
            detail.append(f"column(s) not in the data dictionary: {', '.join(extra)}")
        raise DataError(f"{label}: " + "; ".join(detail) + ". The columns must match data/datapackage.json.")
    typed_rows = []
    seen: dict[str, set] = {f["name"]: set() for f in fields if f.get("constraints", {}).get("unique")}
    for number, row in enumerate(rows, start=2):
        if None in row:
            problems.append(f"{label}, line {number}: more values than columns (an unquoted comma?)")
            continue
        typed = {}
        for field in fields:
            name = field["name"]
            raw = (row.get(name) or "").strip()
            required = field.get("constraints", {}).get("required", False)
            if raw == "":
                if required:
                    problems.append(f"{label}, line {number}, column '{name}': a value is required")
                typed[name] = None
                continue
            try:
                value = parse_value(raw, field)
            except ValueError as exc:
                problems.append(f"{label}, line {number}, column '{name}': '{raw}' {exc}")
                continue
            issue = check_value(value, field)
            if issue:
                problems.append(f"{label}, line {number}, column '{name}': '{raw}' {issue}")
            if name in seen:
                if value in seen[name]:
                    problems.append(f"{label}, line {number}, column '{name}': '{raw}' appears twice; it must be unique")
                seen[name].add(value)
            typed[name] = value
        typed_rows.append(typed)
    if problems:
        shown = problems[:MAX_REPORTED_PROBLEMS]
        more = len(problems) - len(shown)
        tail = f"\n  … and {more} more" if more else ""
        raise DataError("The data does not follow its data dictionary:\n  " + "\n  ".join(shown) + tail)
    return typed_rows


def to_frame(rows: list[dict], schema: dict) -> pd.DataFrame:
    """Build a DataFrame with one column per field, in the dictionary's order and types (missing text is "")."""
    frame = pd.DataFrame(rows, columns=[f["name"] for f in schema["fields"]])
    for field in schema["fields"]:
        name, kind = field["name"], field.get("type", "string")
        if kind == "integer":
            frame[name] = frame[name].astype("Int64")
        elif kind == "number":
            frame[name] = frame[name].astype("float64")
        elif kind == "date":
            frame[name] = pd.to_datetime(frame[name])
        elif kind == "boolean":
            frame[name] = frame[name].astype("boolean")
        else:
            frame[name] = frame[name].fillna("").astype(str)
    return frame


_LOADED: dict[tuple, pd.DataFrame] = {}  # (table file, catalogue file) with their sizes and times → the table


def _stamp(path: Path) -> tuple:
    try:
        info = path.stat()
    except OSError:
        return (str(path), None)
    return (str(path), info.st_size, info.st_mtime_ns)


def load_table(name: str, folder: Path | None = None) -> pd.DataFrame:
    """Load a table of the catalogue by name, validated against its data dictionary.

    A table read before is given again as a copy (so changing it changes nothing else) until its file or the
    catalogue changes: a grading worker reads each table once, not once per submission.
    """
    folder = folder or data_dir()
    res = resource(name, folder)
    path = folder / res["path"]
    key = (name, _stamp(path), _stamp(folder / PACKAGE_FILE))
    if key not in _LOADED:
        header, rows = read_rows(path)
        typed = validate_rows(header, rows, res["schema"], label=str(Path(res["path"])))
        _LOADED[key] = to_frame(typed, res["schema"])
    return _LOADED[key].copy()


def validate_all(folder: Path | None = None) -> dict[str, int]:
    """Validate every table of the catalogue; return the row count of each."""
    folder = folder or data_dir()
    return {res["name"]: len(load_table(res["name"], folder)) for res in read_package(folder)["resources"]}


def data_dictionary_markdown(folder: Path | None = None) -> str:
    """Render the catalogue as a Markdown data dictionary (one section per table)."""
    package = read_package(folder)
    lines = ["# Data dictionary", "",
             "Generated from `data/datapackage.json` by `python tools/write_data_dictionary.py`; do not edit by hand.", ""]
    for res in package["resources"]:
        lines += [f"## `{res['path']}` — {res.get('title', res['name'])}", "", res.get("description", ""), "",
                  f"Data as of {res.get('cutoff', 'not stated')} ({_cutoff_basis(res)}).", ""]
        if res.get("sources"):
            lines.append("Sources: " + "; ".join(s.get("title", "") for s in res["sources"]))
        if res.get("licenses"):
            lines.append("Terms: " + "; ".join(l.get("title", l.get("name", "")) for l in res["licenses"]))
        lines += ["", "| column | type | unit | meaning | allowed values |", "|---|---|---|---|---|"]
        for field in res["schema"]["fields"]:
            cons = field.get("constraints", {})
            allowed = ", ".join(map(str, cons["enum"])) if "enum" in cons else ("required" if cons.get("required") else "")
            lines.append(f"| `{field['name']}` | {field.get('type', 'string')} | {field.get('unit', '')} | "
                         f"{field.get('description', '')} | {allowed} |")
        lines.append("")
    return "\n".join(lines)


def _latest_day(values) -> dt.date | None:
    """The latest first day of a set of partial dates ('2025-10' counts from 1 October 2025)."""
    days = []
    for value in values:
        if value is None or (isinstance(value, float) and value != value) or str(value).strip() in ("", "NaT"):
            continue
        text = str(value)[:10]
        parts = [int(p) for p in text.split("-")]
        days.append(dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1))
    return max(days) if days else None


def computed_cutoff(name: str, folder: Path | None = None) -> str | None:
    """The cut-off a table's rows give (ISO date), or None for an undated list (its cut-off is declared)."""
    res = resource(name, folder)
    if res.get("cutoffFrom"):
        return computed_cutoff(res["cutoffFrom"], folder)
    fields = res.get("cutoffFields")
    if not fields:
        return None
    frame = load_table(name, folder)
    latest = _latest_day(v for f in fields for v in frame[f])
    return latest.isoformat() if latest else None


def refresh_cutoffs(folder: Path | None = None, *, write: bool = True) -> dict[str, tuple[str | None, str]]:
    """Set each dated table's `cutoff` to what its rows give; return {table: (old, new)} for those that moved.

    Undated lists keep the cut-off the catalogue declares (the day they were last revised).
    """
    folder = folder or data_dir()
    package = read_package(folder)
    changed = {}
    for res in package["resources"]:
        new = computed_cutoff(res["name"], folder)
        if new is not None and new != res.get("cutoff"):
            changed[res["name"]] = (res.get("cutoff"), new)
            res["cutoff"] = new
    if changed and write:
        (folder / PACKAGE_FILE).write_text(json.dumps(package, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return changed


def cutoff(name: str, folder: Path | None = None) -> str:
    """The table's cut-off as the catalogue states it: the latest date its sources reach (YYYY-MM-DD)."""
    res = resource(name, folder)
    value = res.get("cutoff")
    if not value:
        raise DataError(f"The table '{name}' states no cut-off in data/{PACKAGE_FILE}; "
                        "run: python tools/update_data.py")
    return value


def cutoff_note(*names: str, folder: Path | None = None) -> str:
    """'Data as of 2026-01-20 (events)' for one or more tables; tables with the same cut-off share it."""
    if not names:
        raise DataError("Name at least one table for the cut-off note, for example cutoff_note('events').")
    by_date: dict[str, list[str]] = {}
    for name in names:
        by_date.setdefault(cutoff(name, folder), []).append(name)
    parts = [f"{day} ({', '.join(tables)})" for day, tables in sorted(by_date.items(), reverse=True)]
    return "Data as of " + "; ".join(parts)


def tables_named_in(text: str, folder: Path | None = None) -> list[str]:
    """The tables a notebook card's "Data used" text names: by path (`data/aid.csv`), by file name
    (`reporting_verbs.csv`) or by folder (`data/coding/` names every table in it); in catalogue order."""
    names = []
    for res in read_package(folder)["resources"]:
        path = res["path"]
        base = path.rsplit("/", 1)[-1]
        parent = path.rsplit("/", 1)[0] if "/" in path else ""
        if f"data/{path}" in text or base in text or (parent and f"data/{parent}/" in text):
            names.append(res["name"])
    return names


def card_cutoff_row(data_used: str, folder: Path | None = None) -> str:
    """The card row that states the cut-off of every table the card's "Data used" row names."""
    names = tables_named_in(data_used, folder)
    if not names:
        raise DataError("The card's 'Data used' row names no table of data/datapackage.json.")
    return "| **Data as of** | " + cutoff_note(*names, folder=folder).removeprefix("Data as of ") + " |"


def _cutoff_basis(res: dict) -> str:
    if res.get("cutoffFrom"):
        return f"derived from the table `{res['cutoffFrom']}`, so its cut-off"
    if res.get("cutoffFields"):
        return "the latest date in column(s) " + ", ".join(f"`{f}`" for f in res["cutoffFields"])
    return res.get("cutoffNote", "the day the list was last revised; its rows carry no dates")


def catalogue_markdown(folder: Path | None = None) -> str:
    """Render the catalogue of every data set: file, rows, provenance and terms of use."""
    folder = folder or data_dir()
    package = read_package(folder)
    lines = ["# Data catalogue", "",
             "Generated from `data/datapackage.json` by `python tools/write_data_dictionary.py`; do not edit by hand.",
             "", package.get("description", ""), "",
             "Column-by-column documentation: [DATA_DICTIONARY.md](DATA_DICTIONARY.md). The map outline, which is "
             "not a table, is documented in [maps/README.md](maps/README.md).", ""]
    for res in package["resources"]:
        rows = len(load_table(res["name"], folder))
        lines += [f"## {res.get('title', res['name'])}", "",
                  f"- File: `data/{res['path']}` ({rows} rows); table name `{res['name']}`",
                  f"- Data as of: {res.get('cutoff', 'not stated')} ({_cutoff_basis(res)})",
                  f"- What it is: {res.get('description', '')}"]
        for source in res.get("sources", []):
            lines.append(f"- Source: {source.get('title', '')}" + (f" <{source['path']}>" if source.get("path") else ""))
        for licence in res.get("licenses", []):
            lines.append(f"- Terms: {licence.get('title', licence.get('name', ''))}")
        lines.append("")
    return "\n".join(lines)
