"""Add a batch of new rows to the module's tables in one step, for a new term.

    python tools/update_data.py BATCH_FOLDER            # check, add, recompute, re-execute, report
    python tools/update_data.py BATCH_FOLDER --check    # only check the rows; change nothing
    python tools/update_data.py BATCH_FOLDER --dry-run  # check and report what would change; write nothing

BATCH_FOLDER holds one CSV file per table to extend, named like the table's file in data/ (events.csv,
statements.csv, aid.csv, weapons.csv, argument_map.csv, readings.csv, …), with the table's header (optional
columns may be left out) and only the NEW rows. The command

1. checks every new row against the data dictionary (data/datapackage.json) and the cross-table rules
   (ids not already used, event ids that exist, dates in order), and refuses the whole batch, naming the
   file, line and reason of each bad row, if any row is bad: nothing is written, nothing is lost;
2. adds the rows (events in date order; other tables at the end, so existing row numbers stay put);
3. recomputes what is derived: each table's cut-off in the catalogue, the data dictionary and catalogue
   (data/DATA_DICTIONARY.md, data/README.md) and the red-line ledger's day counts;
4. re-executes the notebooks whose outputs depend on the changed tables (tools/execute_notebooks.py);
   with --dry-run or --no-execute it only lists them;
5. prints what changed: rows added per table, cut-offs old -> new, ledger day counts, notebooks.

Exit status: 0 when the batch was added (or would be), 1 when it was refused, 2 for a usage error.
"""
from __future__ import annotations

import argparse
import csv
import re
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import pandas as pd  # noqa: E402

from escalation import argument_map, data_update  # noqa: E402
from escalation.data_update import Refused  # noqa: E402
from escalation import events as ev  # noqa: E402
from escalation import tables  # noqa: E402
from escalation.data_update import affected_notebooks, refresh_cards, write_csv as _write_csv  # noqa: E402,F401
from escalation.errors import EscalationError  # noqa: E402

ID_COLUMNS = ("event_id", "statement_id", "id")


def _read_csv_text(path: Path) -> tuple[list[str], list[dict]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Refused(f"{path.name}: not UTF-8 text (byte {exc.start}); save it again as UTF-8.") from None
    reader = csv.DictReader(text.splitlines())
    return reader.fieldnames or [], list(reader)


def _id_column(header: list[str]) -> str | None:
    return next((c for c in ID_COLUMNS if c in header), None)


def _date_start(value: str) -> tuple[int, int, int]:
    parts = [int(p) for p in value.split("-")]
    return parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1


def plan(batch: Path, data: Path) -> dict:
    """Check the batch against the data folder; return {table: (header, merged rows, new ids)} or raise Refused."""
    if not batch.is_dir():
        raise Refused(f"The batch folder {batch} does not exist.")
    package = tables.read_package(data)
    by_file = {Path(r["path"]).name: r for r in package["resources"]}
    files = sorted(batch.glob("*.csv"))
    if not files:
        raise Refused(f"The batch folder {batch} holds no CSV file; name each file like its table (events.csv, …).")
    problems: list[str] = []
    merged: dict[str, tuple[list[str], list[dict], list[str]]] = {}
    lines: dict[str, dict[int, int | None]] = {}
    for path in files:
        res = by_file.get(path.name)
        if res is None:
            problems.append(f"{path.name}: no table of that name in data/ (known: {', '.join(sorted(by_file))})")
            continue
        header, new_rows = _read_csv_text(path)
        names = [f["name"] for f in res["schema"]["fields"]]
        required = [f["name"] for f in res["schema"]["fields"] if f.get("constraints", {}).get("required")]
        unknown = [h for h in header if h not in names]
        missing = [n for n in required if n not in header]
        if unknown or missing:
            detail = ([f"column(s) not in the data dictionary: {', '.join(unknown)}"] if unknown else []) + \
                     ([f"required column(s) missing: {', '.join(missing)}"] if missing else [])
            problems.append(f"{path.name}, line 1: " + "; ".join(detail))
            continue
        if not new_rows:
            problems.append(f"{path.name}: the file has a header but no rows")
            continue
        filled = [{n: (row.get(n) or "") for n in names} | ({None: row[None]} if None in row else {})
                  for row in new_rows]
        schema_ok = True
        try:
            tables.validate_rows(names, filled, res["schema"], label=f"{path.name} (batch)")
        except EscalationError as exc:
            problems.extend(line.strip() for line in str(exc).splitlines()[1:] if line.strip())
            schema_ok = False
        old_header, old_rows = tables.read_rows(data / res["path"])
        key = res["schema"].get("primaryKey") or _id_column(names)
        new_ids = []
        if key:
            known = {r.get(key) for r in old_rows}
            for number, row in enumerate(filled, start=2):
                if row[key] in known:
                    problems.append(f"{path.name} (batch), line {number}, column '{key}': '{row[key]}' is already used "
                                    f"in data/{res['path']}; give new rows new ids after the last one")
                new_ids.append(row[key])
        if not schema_ok:
            continue
        tagged = [({n: r.get(n, "") for n in names}, None) for r in old_rows] + \
                 [({n: r[n] for n in names}, number) for number, r in enumerate(filled, start=2)]
        if res["name"] == "events":
            tagged.sort(key=lambda t: _date_start(t[0]["date"]))  # stable: same-day rows keep their order
        rows = [t[0] for t in tagged]
        # merged line number -> batch line number (None: a row already in data/)
        lines[Path(res["path"]).name] = {i + 2: t[1] for i, t in enumerate(tagged)}
        merged[res["name"]] = (names, rows, new_ids)
    if problems:
        raise Refused("\n".join(problems))
    # Cross-table rules (links between tables, dates and precision) on a merged copy of the data.
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "data"
        shutil.copytree(data, copy)
        for name, (header, rows, _) in merged.items():
            _write_csv(copy / tables.resource(name, copy)["path"], header, rows)
        try:
            events = ev.load_events(copy)
            ev.load_statements(copy, events=events)
            ev.load_ledger(copy, events=events)
            tables.validate_all(copy)
            map_table = tables.load_table("argument_map", copy)
            for question in argument_map.questions(map_table):  # one stance and a position per side and stage
                argument_map.bands(map_table, question)
        except EscalationError as exc:
            raise Refused("After adding the batch: " + _batch_lines(str(exc), lines)) from None
    return merged


def _batch_lines(message: str, lines: dict[str, dict[int, int | None]]) -> str:
    """Rewrite 'events.csv, line 48' in a merged-table message as the batch file's line (or an existing row)."""
    def swap(match: re.Match) -> str:
        name, number = Path(match.group(1)).name, int(match.group(2))
        if name not in lines:
            return match.group(0)
        batch_line = lines[name].get(number)
        return f"{name} (batch), line {batch_line}" if batch_line else f"data/{match.group(1)}, line {number} (a row already in the table)"
    return re.sub(r"([\w/]+\.csv), line (\d+)", swap, message)


def _ledger_days(data: Path) -> dict[str, tuple]:
    events = ev.load_events(data)
    table = ev.red_line_ledger(events, ev.load_ledger(data, events=events))
    return {r.warning_id: tuple(None if pd.isna(v) else int(v) for v in (r.days_to_crossing, r.days_to_response))
            for r in table.itertuples()}


def apply(merged: dict, data: Path) -> dict:
    """Write the merged tables and everything derived from them; return what changed."""
    before_cutoffs = {r["name"]: r.get("cutoff") for r in tables.read_package(data)["resources"]}
    before_ledger = _ledger_days(data)
    for name, (header, rows, _) in merged.items():
        _write_csv(data / tables.resource(name, data)["path"], header, rows)
    moved = data_update.refresh_derived(data)
    after_ledger = _ledger_days(data)
    ledger = {k: (before_ledger.get(k), v) for k, v in after_ledger.items() if before_ledger.get(k) != v}
    return {"cutoffs": moved, "ledger": ledger, "before_cutoffs": before_cutoffs}


def report(merged: dict, changes: dict | None, notebooks: list[Path], *, executed: bool) -> str:
    lines = []
    for name, (_, _, ids) in merged.items():
        lines.append(f"{name}: {len(ids)} row(s) added" + (f" ({', '.join(ids)})" if ids else ""))
    if changes is not None:
        for name, (old, new) in changes["cutoffs"].items():
            lines.append(f"cut-off of {name}: {old} -> {new}")
        for warning, (old, new) in changes["ledger"].items():
            lines.append(f"red-line ledger {warning}: days to crossing, to response {old} -> {new}")
        lines.append("rewrote data/datapackage.json (cut-offs), data/DATA_DICTIONARY.md and data/README.md")
    verb = "re-executed" if executed else "to re-execute"
    if notebooks:
        lines.append(f"notebooks {verb}: " + ", ".join(p.name for p in notebooks))
        if not executed:
            lines.append("  run: python tools/execute_notebooks.py " + " ".join(f"notebooks/{p.name}" for p in notebooks))
    else:
        lines.append("no notebook draws these tables")
    if changes is not None and changes.get("cards") is not None:
        cards = changes["cards"]
        lines.append("cards' 'Data as of' rows rewritten: " + (", ".join(p.name for p in cards) if cards else "none changed"))
    else:
        lines.append("cards' 'Data as of' rows not rewritten (the data folder is not the repository's): "
                     "check them against the new cut-offs.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("batch", type=Path, help="folder of CSV files with the new rows, one file per table")
    parser.add_argument("--data", type=Path, default=None, help="data folder (default: the repository's data/)")
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks", help="folder of lesson notebooks")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="only check the rows")
    mode.add_argument("--dry-run", action="store_true", help="check and list what would change; write nothing")
    parser.add_argument("--no-execute", action="store_true", help="write the data but only list the notebooks")
    args = parser.parse_args(argv)
    data = (args.data or tables.data_dir()).resolve()
    try:
        merged = plan(args.batch, data)
    except Refused as exc:
        return data_update.report_refused(
            exc, "Refused: nothing was changed. Fix these rows and run the command again:")
    except EscalationError as exc:
        print(f"Refused: {exc}", file=sys.stderr)
        return 1
    if args.check:
        print("All rows pass the checks: " + "; ".join(f"{n} +{len(ids)}" for n, (_, _, ids) in merged.items()))
        return 0
    notebooks = affected_notebooks(set(merged) | ({"red_line_ledger"} if "events" in merged else set()),
                                   args.notebooks)
    if args.dry_run:
        print("Dry run: nothing written.")
        print(report(merged, None, notebooks, executed=False))
        return 0
    changes = apply(merged, data)
    if data_update.is_repository_data(data):
        changes["cards"] = refresh_cards(args.notebooks, data)
    executed = False
    if notebooks and not args.no_execute:
        try:
            data_update.execute_notebooks(notebooks)
        except EscalationError as exc:
            print(report(merged, changes, notebooks, executed=False), file=sys.stderr)
            print(f"Error: {exc}", file=sys.stderr)
            return 1
        executed = True
    print(report(merged, changes, notebooks, executed=executed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
