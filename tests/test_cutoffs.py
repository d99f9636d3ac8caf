"""Cut-off dates stay consistent: the catalogue, the tables' own dates and each notebook card's "Data as of" line."""
import re

import nbformat
import pytest

from escalation.paths import REPO_ROOT
from escalation.tables import card_cutoff_row, computed_cutoff, cutoff, read_package

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("[0-9]*.ipynb"))
AS_OF = re.compile(r"Data as of[*| ]*([^\n<]+)")
PAIR = re.compile(r"(\d{4}-\d{2}-\d{2}) \(([^)]+)\)")
RESOURCES = read_package()["resources"]


@pytest.mark.parametrize("res", RESOURCES, ids=[r["name"] for r in RESOURCES])
def test_catalogue_cutoff_equals_the_latest_date_in_the_table(res):
    stated = cutoff(res["name"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", stated)
    computed = computed_cutoff(res["name"])
    if res.get("cutoffFields") or res.get("cutoffFrom"):
        assert stated == computed, (f"{res['name']}: catalogue says {stated}, the rows reach {computed}; "
                                    "run: python tools/update_data.py (or tables.refresh_cutoffs())")
    else:
        assert computed is None and res.get("cutoffNote"), f"{res['name']}: an undated list must say what its cut-off means"


def test_tables_that_draw_on_each_other_share_a_cutoff():
    for res in RESOURCES:
        if res.get("cutoffFrom"):
            assert cutoff(res["name"]) == cutoff(res["cutoffFrom"])


def card_text(path) -> str:
    """The notebook's card (its first Markdown cells, up to the first heading of level 2) plus any output that
    prints a 'Data as of' line, where a notebook computes the line with tables.cutoff_note."""
    nb = nbformat.read(path, as_version=4)
    parts = []
    for number, cell in enumerate(nb.cells):
        if number and cell.cell_type == "markdown" and re.match(r"\s*## ", cell.source):
            break  # the card ends where the first section begins
        if cell.cell_type == "markdown":
            parts.append(cell.source)
        for output in cell.get("outputs", []):
            text = output.get("text") or "".join(output.get("data", {}).get(k, "") for k in ("text/plain", "text/markdown",
                                                                                          "text/html"))
            if "Data as of" in str(text):
                parts.append(str(text))
    return "\n".join(parts)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_card_states_the_cutoff_of_the_tables_it_draws(path):
    text = card_text(path)
    lines = AS_OF.findall(text)
    assert lines, (f"{path.name} has no 'Data as of' row on its card: run python tools/update_data.py, or add "
                   f"tables.card_cutoff_row(<the card's Data used row>) after that row")
    card = nbformat.read(path, as_version=4).cells[0].source
    used = [line for line in card.splitlines() if line.startswith("| **Data used** |")]
    assert used, f"{path.name}: the card has no 'Data used' row"
    assert card_cutoff_row(used[0]) in card, (f"{path.name}: the 'Data as of' row does not cover every table of "
                                              f"'Data used' at today's cut-offs; expected {card_cutoff_row(used[0])}")
    for line in lines:
        pairs = PAIR.findall(line)
        assert pairs, f"{path.name}: 'Data as of {line}' names no 'YYYY-MM-DD (table)' pair"
        for day, names in pairs:
            for name in (n.strip() for n in names.split(",")):
                assert day == cutoff(name), f"{path.name} says {name} is as of {day}; the catalogue says {cutoff(name)}"


def test_update_command_rewrites_a_stale_card_row(tmp_path):
    import importlib.util
    import shutil

    spec = importlib.util.spec_from_file_location("update_data", REPO_ROOT / "tools" / "update_data.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    copy = tmp_path / NOTEBOOKS[3].name
    shutil.copy(NOTEBOOKS[3], copy)
    nb = nbformat.read(copy, as_version=4)
    nb.cells[0].source = re.sub(r"\| \*\*Data as of\*\* \|[^\n]*", "| **Data as of** | 1999-01-01 (events) |",
                                nb.cells[0].source)
    nbformat.write(nb, copy)
    assert tool.refresh_cards(tmp_path) == [copy]
    card = nbformat.read(copy, as_version=4).cells[0].source
    assert "1999-01-01" not in card and card.count("| **Data as of** |") == 1
    assert tool.refresh_cards(tmp_path) == []  # nothing left to change
