"""The browser checks themselves: on a notebook with known defects, each check must report its defect.

tests/browser/fixtures/defects.ipynb writes to stderr, displays a figure that has no picture,
displays a widget whose model does not exist shows 7 px text and a
figure squeezed to a quarter of its width; its last cell is a working slider (interact). If a check stopped
seeing what it is meant to see (a JupyterLab upgrade changing its HTML, say), the lesson tests would pass
without checking anything: this test fails instead.
"""
from __future__ import annotations

import labdriver

RELPATH = "selftest/defects.ipynb"


def test_checks_detect_known_defects(lab, lab_page):
    page = lab_page
    try:
        labdriver.open_notebook(page, lab, RELPATH)
        labdriver.run_all(page)
        labdriver.wait_widgets_rendered(page, timeout_ms=10_000)
        assert labdriver.unexecuted_cells(page) == []
        errors = labdriver.error_outputs(page)
        assert len(errors) == 1 and "a warning written to stderr" in errors[0], errors
        assert labdriver.figures_without_picture(page) == ["<Figure size 400x300 with 1 Axes>"]
        problems = labdriver.widget_problems(page)
        assert len(problems) == 1 and "Error displaying widget" in problems[0], problems
        small = labdriver.small_text(page)
        assert len(small) == 2 and small[0].startswith("7.0 px: text too small to read"), small
        assert small[1].startswith("image at 300/1200 px") and small[1].endswith("squeezed figure"), small
        working = labdriver.widget_outputs(page)
        assert working.count() == 1 and "twice n is 10" in working.first.inner_text()
        assert labdriver.generic_interaction(page) == "moved a slider one step right"
        assert "twice n is 12" in working.first.inner_text()
    except Exception:
        page.goto("about:blank")
        raise
    finally:
        labdriver.close_documents(page)
        lab.shutdown_kernels_of(RELPATH)


def test_leftover_process_check_sees_a_process_started_from_the_folder(tmp_path):
    """The teardown's leftover check finds processes by the temporary folder in their command line."""
    import subprocess
    import sys

    marker = str(tmp_path / "marker")
    child = subprocess.Popen([sys.executable, "-c", "import time, sys; time.sleep(60)", marker])
    try:
        # right after Popen the child may not have exec'd yet (its command line is still the parent's): poll
        import time

        deadline = time.monotonic() + 10
        found = labdriver.processes_mentioning(marker)
        while not found and time.monotonic() < deadline:
            time.sleep(0.05)
            found = labdriver.processes_mentioning(marker)
        assert [pid for pid, _ in found] == [child.pid]
    finally:
        child.kill()
        child.wait(10)
    assert labdriver.processes_mentioning(marker) == []
