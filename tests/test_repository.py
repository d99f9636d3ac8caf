"""The repository keeps its promises: README set-up lines, pinned requirements, notebook conventions."""
import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
TEST_LINE = "python -m pip install -r requirements.txt && python -m pytest"
OPEN_LINE = ("python -m pip install -r requirements.txt && "
             "python -m jupyter lab --LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb")


def test_ci_runs_exactly_the_readme_test_line():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert TEST_LINE in readme.splitlines(), "README must give the test line on a line of its own"
    assert OPEN_LINE in readme.splitlines(), "README must give the line that opens the module"
    assert TEST_LINE in ci.splitlines(), ".ci/run must run the README's test line verbatim"


def test_requirements_are_fully_pinned():
    for line in (REPO / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        assert line == "-e ." or re.match(r"^[A-Za-z0-9_.\-\[\]]+==[^=\s;]+( ; .+)?$", line), line


def test_core_requirements_are_there():
    names = {l.split("==")[0].lower() for l in (REPO / "requirements.txt").read_text().splitlines() if "==" in l}
    assert {"jupyterlab", "ipywidgets", "matplotlib", "nbval", "pytest", "pandas"} <= names


def test_notebooks_are_numbered_in_reading_order():
    numbers = [int(p.name[:2]) for p in NOTEBOOKS]
    assert numbers == list(range(len(numbers))), [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_follows_the_house_style(path):
    nb = nbformat.read(path, as_version=4)
    card = nb.cells[0]
    assert card.cell_type == "markdown" and card.source.startswith("# ")
    for part in ("Estimated time", "Prerequisites", "Data used", "Libraries used", "By the end of this notebook"):
        assert part in card.source, f"{path.name}: the card lacks '{part}'"
    setup = nb.cells[1]
    assert setup.cell_type == "code" and setup.metadata.get("jupyter", {}).get("source_hidden") is True
    assert "setup" in setup.metadata.get("tags", [])
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "sys.path" not in code and "!pip" not in code and "%pip" not in code
    last = nb.cells[-1].source
    tail = "\n".join(c.source for c in nb.cells[-3:] if c.cell_type == "markdown")
    assert "Summary" in tail and "Further reading" in tail, f"{path.name} should end with a summary and further reading"
    if path != NOTEBOOKS[-1]:
        following = NOTEBOOKS[NOTEBOOKS.index(path) + 1].name
        assert following in last, f"{path.name} should end with a link to {following}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_with_outputs_of_one_clean_run(path):
    nb = nbformat.read(path, as_version=4)
    code_cells = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    counts = [c.execution_count for c in code_cells]
    assert all(counts), f"{path.name}: some code cells were never run"
    assert counts == list(range(1, len(counts) + 1)), f"{path.name}: not run top to bottom in one fresh kernel"
    for cell in code_cells:
        for output in cell.outputs:
            assert output.output_type != "error" or "raises-exception" in cell.metadata.get("tags", [])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_setup_cell_only_imports_and_styles(path):
    setup = nbformat.read(path, as_version=4).cells[1].source
    for node in ast.parse(setup).body:
        ok = isinstance(node, (ast.Import, ast.ImportFrom))
        ok = ok or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call))
        ok = ok or isinstance(node, ast.Assign)  # loading the data once, e.g. articles = load_articles()
        assert ok, f"{path.name}: the set-up cell should only import, style and load"


def card_minutes(path) -> str:
    card = nbformat.read(path, as_version=4).cells[0].source
    return re.search(r"Estimated time\*\*\s*\|\s*([0-9–]+)", card).group(1)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_module_maps_give_each_notebook_its_own_time(path):
    minutes = card_minutes(path)
    readme_row = next(l for l in (REPO / "README.md").read_text(encoding="utf-8").splitlines()
                      if l.startswith("|") and f"(notebooks/{path.name})" in l)
    assert f"| {minutes}" in readme_row, f"README gives another time for {path.name} than its card ({minutes})"
    start = nbformat.read(NOTEBOOKS[0], as_version=4)
    map_row = next(l for c in start.cells for l in c.source.splitlines()
                   if l.startswith("| ") and f"{path.stem[:2]} " in l and " min" in l)
    assert f"| {minutes} min" in map_row, f"00_start_here's map gives another time for {path.name}"


# ---------------------------------------------------------------- a clean JupyterLab for students (C6)
STUDENT_LAB = REPO / "tools" / "jupyter-config"
INSTALLED = {
    "labconfig/page_config.json": Path(sys.prefix) / "etc/jupyter/labconfig/page_config.json",
    "lab-settings/overrides.json": Path(sys.prefix) / "share/jupyter/lab/settings/overrides.json",
    "jupyter_server_config.d/zz_escalation_students.json":
        Path(sys.prefix) / "etc/jupyter/jupyter_server_config.d/zz_escalation_students.json",
}
NBGRADER_SERVER = ("formgrader", "validate_assignment", "assignment_list", "course_list")


def test_student_lab_settings_are_installed_by_the_requirements():
    # The package installs them (pyproject.toml, shared-data), editable or not: requirements.txt has -e .
    assert "-e ." in (REPO / "requirements.txt").read_text(encoding="utf-8").splitlines()
    for source, installed in INSTALLED.items():
        assert installed.exists(), f"{installed} is missing: run python -m pip install -r requirements.txt"
        ours = json.loads((STUDENT_LAB / source).read_text(encoding="utf-8"))
        theirs = json.loads(installed.read_text(encoding="utf-8"))
        for key, value in ours.items():  # JupyterLab may add "lockedExtensions" to page_config.json
            assert theirs[key] == value, f"{installed} differs from tools/jupyter-config/{source}"
    page = json.loads((STUDENT_LAB / "labconfig/page_config.json").read_text())
    assert page["disabledExtensions"]["@jupyter/nbgrader"] is True
    news = json.loads((STUDENT_LAB / "lab-settings/overrides.json").read_text())
    assert news["@jupyterlab/apputils-extension:notification"] == {"fetchNews": "false", "checkForUpdates": False}


def test_student_server_config_sorts_after_every_file_that_enables_nbgrader():
    folder = INSTALLED["jupyter_server_config.d/zz_escalation_students.json"].parent
    ours = "zz_escalation_students.json"
    for other in sorted(folder.glob("*.json")):
        enables = json.loads(other.read_text()).get("ServerApp", {}).get("jpserver_extensions", {})
        if any(name.startswith("nbgrader") and on for name, on in enables.items()):
            assert other.name < ours, f"{other.name} is read after ours and would turn nbgrader back on"


def jupyter(*args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    env["JUPYTER_CONFIG_DIR"] = str(REPO / "build" / "no-user-jupyter-config")  # only what the environment says
    done = subprocess.run([sys.executable, "-m", "jupyter", *args], capture_output=True, text=True, env=env,
                          timeout=120)
    return re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)


def test_jupyter_reports_nbgrader_off_in_the_students_jupyterlab():
    lab = jupyter("labextension", "list")
    line = next(l for l in lab.splitlines() if "@jupyter/nbgrader v" in l)
    assert "disabled" in line, line
    server = jupyter("server", "extension", "list")
    for part in NBGRADER_SERVER:
        line = next(l for l in server.splitlines() if f"nbgrader.server_extensions.{part} " in l)
        assert "disabled" in line, line


def test_students_are_no_longer_told_to_ignore_nbgrader():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = "\n".join(c.source for c in nbformat.read(NOTEBOOKS[0], as_version=4).cells)
    for text in (readme, start):
        assert "ignore the Nbgrader menu" not in text and "Create Assignment** panel" not in text
    assert OPEN_LINE in readme.splitlines()
    guide = (REPO / "tools" / "jupyter-config" / "README.md").read_text(encoding="utf-8")
    assert "python -m escalation.hub.student_lab remove" in guide


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_hidden_cells_have_a_caption_and_shown_code_is_short(path):
    """Plumbing is collapsed with a one-line caption above it; code a student must read stays short."""
    cells = nbformat.read(path, as_version=4).cells
    for index, cell in enumerate(cells[2:], start=2):
        if cell.cell_type != "code":
            continue
        if cell.metadata.get("jupyter", {}).get("source_hidden"):
            caption = next(c.source for c in reversed(cells[:index]) if c.cell_type == "markdown")
            assert re.search(r"[Hh]idden", caption), f"{path.name}: hidden cell {index} has no caption above it"
        else:
            lines = [l for l in cell.source.splitlines() if l.strip()]
            assert len(lines) <= 8, f"{path.name}: cell {index} shows {len(lines)} lines of code to a student"
            assert "lambda" not in cell.source and "def " not in cell.source, f"{path.name}: cell {index}"
