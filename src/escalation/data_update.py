"""What every change to the data folder does afterwards, shared by tools/update_data.py and escalation-add-article.

After new rows or a new article are written: recompute the derived files (each table's cut-off in the
catalogue, data/DATA_DICTIONARY.md, data/README.md), rewrite the "Data as of" row of each notebook card, find
the lesson notebooks whose code draws the changed tables, and re-execute them with tools/execute_notebooks.py.
"""
from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from . import tables
from .errors import DataError
from .paths import REPO_ROOT

NOTEBOOKS = REPO_ROOT / "notebooks"
EXECUTE_TOOL = REPO_ROOT / "tools" / "execute_notebooks.py"

# Words in a notebook's code that show it draws a table (besides load_table("name") and cutoff_note("name")).
MARKERS = {
    "events": ("load_events", "timeline", "filter_events", "milestone", "red_line_ledger", "load_ledger"),
    "statements": ("load_statements",),
    "red_line_ledger": ("load_ledger", "red_line_ledger"),
    "aid": ("load_aid", "aid_explorer", "plot_aid", "sipri", "aidlib"),
    "weapons": ("load_weapons", "range_explorer", "range_ratio"),
    "places": ("load_places", "range_explorer"),
    "argument_map": ("argument_map",),
    "lateral_reading": ("lateral_reading",),
    "readings": ("readings",),
    "ladder_reference": ("ladder",),
    "articles": ("load_articles", "corpus"),
}
SOURCED = ("events", "statements", "argument_map", "readings", "aid", "weapons")
for _name in SOURCED:  # the mix of sources (escalation.sources) draws every sourced table
    MARKERS[_name] = MARKERS.get(_name, ()) + ("source_type_counts",)



class Refused(Exception):
    """The input breaks a rule; the message lists every problem found, one per line (file, line and reason)."""


def report_refused(exc: Exception, heading: str) -> int:
    """Print a refusal to stderr: the heading, then each problem indented; return the commands' exit code 1."""
    print(heading, file=sys.stderr)
    for line in str(exc).splitlines():
        print("  " + line, file=sys.stderr)
    return 1

def csv_text(header: list[str], rows: list[dict]) -> str:
    """A table as the data folder writes it: UTF-8 CSV, minimal quoting, '\\n' line ends."""
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def write_csv(path: Path, header: list[str], rows: list[dict]) -> None:
    """Write a table in the data folder's CSV style (atomically: a reader never sees half a file)."""
    write_text_atomic(path, csv_text(header, rows))


def write_text_atomic(path: Path, text: str | bytes) -> None:
    """Write a file through a temporary file in the same folder and a rename."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def refresh_derived(data: Path) -> dict[str, tuple[str | None, str]]:
    """Recompute each table's cut-off and rewrite the dictionary and catalogue; return the cut-offs that moved."""
    moved = tables.refresh_cutoffs(data)
    write_text_atomic(data / "DATA_DICTIONARY.md", tables.data_dictionary_markdown(data))
    write_text_atomic(data / "README.md", tables.catalogue_markdown(data))
    return moved


def affected_notebooks(changed: set[str], folder: Path | None = None) -> list[Path]:
    """The lesson notebooks whose code draws one of the changed tables."""
    import nbformat

    folder = folder or NOTEBOOKS
    hits = []
    for path in sorted(folder.glob("[0-9]*.ipynb")):
        code = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
        named = set(re.findall(r"""(?:load_table|cutoff_note)\(\s*["'](\w+)["']""", code))
        if named & changed or any(m in code for t in changed for m in MARKERS.get(t, ())):
            hits.append(path)
    return hits


def refresh_cards(notebooks: Path, data: Path | None = None) -> list[Path]:
    """Rewrite the "Data as of" row of each notebook card from the catalogue's cut-offs; return those changed.

    The row goes right after the card's "Data used" row, whose tables it covers (tables.card_cutoff_row).
    Only the card's Markdown changes; outputs are kept.
    """
    import nbformat

    changed = []
    for path in sorted(notebooks.glob("[0-9]*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        card = nb.cells[0]
        lines = card.source.split("\n")
        used = [i for i, line in enumerate(lines) if line.startswith("| **Data used** |")]
        if card.cell_type != "markdown" or not used:
            continue
        row = tables.card_cutoff_row(lines[used[0]], data)
        kept = [line for line in lines if not line.startswith("| **Data as of** |")]
        at = kept.index(lines[used[0]]) + 1
        new_lines = kept[:at] + [row] + kept[at:]
        if new_lines != lines:
            card.source = "\n".join(new_lines)
            nbformat.write(nb, path)
            changed.append(path)
    return changed


def is_repository_data(data: Path) -> bool:
    """Whether `data` is the repository's own data folder (whose notebooks' cards may be rewritten)."""
    return data.resolve() == (REPO_ROOT / "data").resolve()


def execute_notebooks(paths: list[Path]) -> None:
    """Re-execute notebooks in fresh kernels with tools/execute_notebooks.py, saving their real outputs."""
    if not paths:
        return
    if not EXECUTE_TOOL.is_file():
        raise DataError(f"{EXECUTE_TOOL} is missing, so the notebooks cannot be re-executed here; "
                        "run the command from the module's checkout, or add --no-execute.")
    done = subprocess.run([sys.executable, str(EXECUTE_TOOL), *map(str, paths)])
    if done.returncode != 0:
        raise DataError("Re-executing the notebooks failed (see the error above); the data were written. "
                        "Fix the notebook and run: python tools/execute_notebooks.py " + " ".join(map(str, paths)))
