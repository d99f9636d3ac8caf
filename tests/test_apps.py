"""The Voila apps in apps/ (for projecting an explorer in class) run and build their widget.

Each app is a markdown title and one short code cell that imports a widget builder from the package and
calls it. Here each app is executed with nbclient (no browser): a broken import or builder fails fast.
The browser test tests/browser/test_voila.py serves one with Voila and drives it.
"""
from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
APPS = sorted((ROOT / "apps").glob("*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def test_there_are_apps():
    assert {p.stem for p in APPS} >= {"kwic_explorer", "range_explorer", "timeline", "coding"}


@pytest.mark.parametrize("path", APPS, ids=[p.stem for p in APPS])
def test_app_is_one_minimal_cell_importing_from_the_package(path):
    notebook = nbformat.read(path, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert len(code) == 1, "an app has exactly one code cell"
    assert notebook.cells[0].cell_type == "markdown" and notebook.cells[0].source.startswith("# ")
    tree = ast.parse(code[0].source)
    imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert imports and all(isinstance(n, ast.ImportFrom) and n.module.startswith("escalation") for n in imports)
    calls = [n for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom))]
    assert len(calls) <= 2 and all(isinstance(n, ast.Expr) and isinstance(n.value, ast.Call) for n in calls)
    assert not any(c.outputs for c in code), "apps are committed without outputs"


@pytest.mark.parametrize("path", APPS, ids=[p.stem for p in APPS])
def test_app_runs_and_displays_a_widget(path, tmp_path):
    notebook = nbformat.read(path, as_version=4)
    # Run in a temporary folder, as Voila runs an app in its own folder (the coding app may save there).
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error" or o.get("name") == "stderr"], outputs
    views = [o for o in outputs if WIDGET_VIEW in o.get("data", {})]
    assert len(views) == 1, "the app's cell ends with the widget, so it is displayed"
    state = notebook.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    model = views[0]["data"][WIDGET_VIEW]["model_id"]
    assert not state or model in state["state"]
