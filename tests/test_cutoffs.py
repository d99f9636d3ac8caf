"""Cut-off dates stay consistent: the catalogue, the tables' own dates and each notebook card's "Data as of" line."""
import re

import nbformat
import pytest

from escalation.paths import REPO_ROOT
from escalation.tables import computed_cutoff, cutoff, cutoff_note, read_package

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("[0-9]*.ipynb"))
AS_OF = re.compile(r"Data as of ([^\n<]+)")
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
    if not lines:
        pytest.xfail(f"{path.name} has no 'Data as of' line on its card yet (notebooks are H3b's; the line is to read "
                     f"like tables.cutoff_note(...), e.g. '{cutoff_note('events')}'). Strict at integration.")
    for line in lines:
        pairs = PAIR.findall(line)
        assert pairs, f"{path.name}: 'Data as of {line}' names no 'YYYY-MM-DD (table)' pair"
        for day, names in pairs:
            for name in (n.strip() for n in names.split(",")):
                assert day == cutoff(name), f"{path.name} says {name} is as of {day}; the catalogue says {cutoff(name)}"


def test_notebooks_lacking_the_line_are_listed():
    """Not a check of the notebooks (see the xfails above): a readable list for the integrator."""
    lacking = [p.name for p in NOTEBOOKS if not AS_OF.search(card_text(p))]
    if lacking:
        pytest.xfail("No 'Data as of' line yet in: " + ", ".join(lacking))
