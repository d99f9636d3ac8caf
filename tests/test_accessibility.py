"""Accessibility of every lesson notebook: figures have a title, axis labels and a text alternative;
widget controls have a description (buttons: a description or a tooltip); images inside widgets have alt text.

Each notebook runs in a fresh kernel on a temporary copy, with one cell injected before everything else and
one after. The first wraps `escalation.plotting.show` and IPython's display formatter for every matplotlib Figure,
so every figure shown — by `show`, by `display(fig)` or as a cell's value — is checked with
`escalation.plotting.accessibility_problems` and, for figures shown as notebook images, for text under 10 px
as displayed (`escalation.plotting.small_text`). The last cell inspects every live ipywidgets control (and the
figure an explorer keeps on `.result`, which it may show as an inline image) and prints a JSON report. A static check on the committed notebook makes sure every image output is followed
by its "Figure description:" line. The checker itself is tested on a notebook that breaks every rule.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MARKER = "ACCESSIBILITY-REPORT:"

FIRST_CELL = r'''
import json as _a11y_json
import matplotlib.figure as _a11y_figure
import escalation.plotting as _a11y_plotting
from IPython import get_ipython as _a11y_ipython

_a11y_figures = []

def _a11y_record(fig, how):
    title = ""
    for ax in fig.axes:
        title = title or ax.get_title()
    record = {"how": how, "title": title, "problems": _a11y_plotting.accessibility_problems(fig)}
    if not how.startswith("widget"):
        # shown as a notebook image: no text under 10 px at the output area's width (1366x768 window)
        record["problems"] += ["text under 10 px as displayed: " + t for t in _a11y_plotting.small_text(fig)[:3]]
    _a11y_figures.append(record)
    fig._a11y_record = record
    return record

_a11y_original_show = _a11y_plotting.show

def _a11y_show(fig):
    _a11y_record(fig, "show")
    return _a11y_original_show(fig)

_a11y_plotting.show = _a11y_show

_a11y_formatter = _a11y_ipython().display_formatter
_a11y_original_format = _a11y_formatter.format

def _a11y_format(obj, *args, **kwargs):
    result = _a11y_original_format(obj, *args, **kwargs)
    if isinstance(obj, _a11y_figure.Figure):
        record = getattr(obj, "_a11y_record", None) or _a11y_record(obj, "display")
        data = result[0] if isinstance(result, tuple) else result
        if not any(key.startswith("image/") for key in (data or {})) and "no image" not in " ".join(record["problems"]):
            record["problems"].append("no image: shown as text only (the notebook's matplotlib backend was not loaded)")
    return result

_a11y_formatter.format = _a11y_format
'''

LAST_CELL = r'''
import re as _a11y_re
import warnings as _a11y_warnings
import ipywidgets as _a11y_w
try:
    from ipywidgets.widgets.widget import _instances as _a11y_instances
except ImportError:
    with _a11y_warnings.catch_warnings():
        _a11y_warnings.simplefilter("ignore")
        _a11y_instances = _a11y_w.Widget.widgets
_a11y_display_only = (_a11y_w.HTML, _a11y_w.HTMLMath, _a11y_w.Label, _a11y_w.Output, _a11y_w.Image,
                      _a11y_w.Valid)
_a11y_widgets = []
for _a11y_widget in list(_a11y_instances.values()):
    _kind = type(_a11y_widget).__name__
    _problem = ""
    if isinstance(_a11y_widget, _a11y_w.Button):
        if not (_a11y_widget.description.strip() or _a11y_widget.tooltip):
            _problem = "button without a description or tooltip"
    elif isinstance(_a11y_widget, (_a11y_w.HTML, _a11y_w.HTMLMath)):
        for _tag in _a11y_re.findall(r"<img\b[^>]*>", _a11y_widget.value or "", flags=_a11y_re.I):
            if not _a11y_re.search(r"""\balt\s*=\s*(["'])\s*[^"'\s]""", _tag):
                _problem = "image inside an HTML widget without alt text"
    elif isinstance(_a11y_widget, _a11y_w.ValueWidget) and not isinstance(_a11y_widget, _a11y_display_only):
        if not getattr(_a11y_widget, "description", "").strip():
            _problem = "control without a description"
    _result = getattr(_a11y_widget, "result", None)
    if isinstance(_result, _a11y_figure.Figure) and not hasattr(_result, "_a11y_record"):
        _a11y_record(_result, "widget " + _kind)
    if _problem:
        _a11y_widgets.append({"widget": _kind, "problem": _problem,
                              "value": str(getattr(_a11y_widget, "value", ""))[:60]})
print("ACCESSIBILITY-REPORT:" + _a11y_json.dumps({"figures": _a11y_figures, "widgets": _a11y_widgets}))
'''


def audit(path: Path, workdir: Path, timeout: int = 180) -> dict:
    """Run a copy of the notebook with the two injected cells; return the figures and widget problems."""
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(FIRST_CELL))
    notebook.cells.append(nbformat.v4.new_code_cell(LAST_CELL))
    for cell in notebook.cells:  # deliberate errors are part of a lesson, not a failure of accessibility
        cell.metadata.setdefault("tags", [])
    copy = workdir / path.name
    for sibling in path.parent.iterdir():
        if sibling.is_file() and sibling.suffix != ".ipynb":
            shutil.copy(sibling, workdir / sibling.name)
    NotebookClient(notebook, timeout=timeout, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(workdir)}}).execute()
    nbformat.write(notebook, copy)
    errors = [f"{o.ename}: {o.evalue}" for c in notebook.cells[:-1] if c.cell_type == "code"
              for o in c.get("outputs", []) if o.output_type == "error"
              and "raises-exception" not in c.metadata.get("tags", [])]
    text = "".join(o.get("text", "") for o in notebook.cells[-1].get("outputs", []) if o.output_type == "stream")
    if MARKER not in text:
        raise AssertionError(f"{path.name}: the accessibility report was not produced; errors: {errors}")
    report = json.loads(text.split(MARKER, 1)[1])
    report["errors"] = errors
    return report


def static_problems(notebook) -> list[str]:
    """Image outputs in a saved notebook that are not followed by a 'Figure description:' line."""
    problems = []
    for number, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        outputs = cell.get("outputs", [])
        for position, output in enumerate(outputs):
            if "image/png" in output.get("data", {}) or "image/svg+xml" in output.get("data", {}):
                later = "".join(o.get("text", "") for o in outputs[position + 1:] if o.output_type == "stream")
                if "Figure description:" not in later:
                    problems.append(f"cell {number}: an image without a 'Figure description:' line after it")
    return problems


def describe_failures(name: str, report: dict) -> list[str]:
    """Plain-language lines for every problem in a report."""
    lines = [f"{name}: figure '{f['title'] or '(untitled)'}' shown by {f['how']}: {', '.join(f['problems'])}"
             for f in report["figures"] if f["problems"]]
    lines += [f"{name}: {w['widget']} ({w['value']!r}): {w['problem']}" for w in report["widgets"]]
    return lines


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_figures_and_widgets_are_accessible(path, tmp_path):
    report = audit(path, tmp_path)
    assert not report["errors"], f"{path.name} did not run cleanly: {report['errors']}"
    failures = describe_failures(path.name, report)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_figures_have_a_description_line(path):
    assert static_problems(nbformat.read(path, as_version=4)) == []


BAD_NOTEBOOK_CELLS = [
    # a figure made without pyplot, displayed before the notebook backend is loaded: text only, no image
    "from IPython.display import display\nfrom matplotlib.figure import Figure\nfrom escalation.plotting import finish, show\n"
    "fig0 = Figure()\nfinish(fig0, fig0.add_subplot(), title='No image', xlabel='x', ylabel='y', alt_text='Nothing.')\n"
    "display(fig0)",
    "import matplotlib.pyplot as plt\nimport ipywidgets as widgets",
    # a figure with no title, labels or text alternative, shown as a cell's value
    "fig, ax = plt.subplots()\nax.plot([1, 2], [3, 4])\nfig",
    # a figure shown with show() that has a title but no labels or alternative
    "fig2, ax2 = plt.subplots()\nax2.set_title('Only a title')\nshow(fig2)",
    # a good figure, which must not be reported
    "fig3, ax3 = plt.subplots()\nfinish(fig3, ax3, title='T', xlabel='x (km)', ylabel='y', alt_text='A line.')\nshow(fig3)",
    # a complete figure whose note is too small to read (5 pt at 100 dpi is about 7 px)
    "fig4, ax4 = plt.subplots(dpi=100)\nax4.text(0.5, 0.5, 'tiny note', fontsize=5)\n"
    "finish(fig4, ax4, title='Tiny', xlabel='x', ylabel='y', alt_text='A note.')\nshow(fig4)",
    # a widget whose figure (kept on .result) lacks labels
    "from escalation.widgets.base import Explorer\n"
    "def draw(n):\n    f, a = plt.subplots()\n    a.set_title(f'n={n}')\n    plt.close(f)\n    return '<p>drawn</p>', f\n"
    "explorer = Explorer({'n': widgets.IntSlider(value=1, description='n')}, draw, title='Bad figure')",
    "slider = widgets.IntSlider()\nbutton = widgets.Button()\nlabelled = widgets.Dropdown(options=['a'], description='Pick')\n"
    "picture = widgets.HTML('<img src=\"data:image/png;base64,AA==\">')\nwidgets.VBox([slider, button, labelled, picture])",
]


@pytest.mark.slow
def test_the_checker_finds_bad_figures_and_widgets(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    bad = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in BAD_NOTEBOOK_CELLS])
    path = source / "99_bad.ipynb"
    nbformat.write(bad, path)
    run = tmp_path / "run"
    run.mkdir()
    report = audit(path, run)
    assert report["errors"] == []
    no_image, *figures = report["figures"]
    assert no_image["title"] == "No image" and no_image["how"] == "display" and len(no_image["problems"]) == 1
    assert no_image["problems"][0].startswith("no image")
    assert len(figures) == 5
    assert figures[0]["how"] == "display"
    assert set(figures[0]["problems"]) == {"no text alternative", "axes 1 has no title",
                                          "axes 1 has no x-axis label", "axes 1 has no y-axis label"}
    assert figures[1]["how"] == "show" and "axes 1 has no title" not in figures[1]["problems"]
    assert figures[2]["problems"] == []
    assert figures[3]["title"] == "Tiny" and figures[3]["problems"] == [
        "text under 10 px as displayed: 6.9 px: 'tiny note'"]
    assert figures[4]["how"] == "widget Explorer" and figures[4]["title"] == "n=1"
    assert set(figures[4]["problems"]) == {"no text alternative", "axes 1 has no x-axis label",
                                          "axes 1 has no y-axis label"}
    problems = {(w["widget"], w["problem"]) for w in report["widgets"]}
    assert problems == {("IntSlider", "control without a description"),
                        ("Button", "button without a description or tooltip"),
                        ("HTML", "image inside an HTML widget without alt text")}
    lines = describe_failures("99_bad.ipynb", report)
    assert len(lines) == 8 and any("(untitled)" in line for line in lines)


def test_static_check_on_saved_outputs():
    figure = nbformat.v4.new_output("display_data", data={"image/png": "AA==", "text/plain": "<Figure>"})
    described = nbformat.v4.new_output("stream", name="stdout", text="Figure description: A line.\n")
    good = nbformat.v4.new_code_cell("show(fig)", outputs=[figure, described])
    bad = nbformat.v4.new_code_cell("fig", outputs=[figure])
    notebook = nbformat.v4.new_notebook(cells=[good, bad])
    assert static_problems(notebook) == ["cell 1: an image without a 'Figure description:' line after it"]
