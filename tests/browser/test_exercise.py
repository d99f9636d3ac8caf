"""The graded exercise sets as students get them: Run All never stops, and checks give friendly feedback.

Every blank student set (exercises/student/*/*.ipynb) is opened without outputs and run with Run › Run All
Cells: every cell must run (a check of an unanswered question says "not answered yet" and does not stop the
run), no traceback may appear. In set 01, a student then types an answer in the wrong form and one in the
right form into Q1's answer box, and the check cell's line follows each without running it again. axe-core finds
no WCAG 2.1 A/AA violation in the cell outputs.
"""
from __future__ import annotations

import pytest

import a11y
import labdriver
from labdriver import REPO_ROOT

SETS = sorted(p.relative_to(REPO_ROOT).as_posix() for p in (REPO_ROOT / "exercises" / "student").glob("*/*.ipynb"))
TRACEBACK_SIGNS = ("Traceback", "CheckFailed", "NotAnswered", "AssertionError", "File \"")


def output_text(cell) -> str:
    return cell.locator(".jp-Cell-outputArea").inner_text()


def every_cell_ran(page) -> list[str]:
    """First lines of code cells, shown or hidden, that have no execution count (read from the notebook model)."""
    return page.evaluate("""() => {
        const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
        const missing = [];
        for (let i = 0; i < cells.length; i++) {
            const cell = cells.get(i);
            const source = cell.sharedModel.getSource();
            if (cell.type === 'code' && source.trim() && !cell.executionCount) {
                missing.push(source.split('\\n')[0].slice(0, 80));
            }
        }
        return missing; }""")


@pytest.mark.parametrize("relpath", SETS or [pytest.param("none", marks=pytest.mark.skip(
    reason="no student exercise sets in exercises/student/"))])
def test_blank_student_set_runs_to_the_end(relpath, lab, lab_page, screenshots):
    page = lab_page
    stem = screenshots / ("exercise_" + relpath.split("/")[-1].removesuffix(".ipynb"))
    for old in screenshots.glob(f"{stem.name}*.png"):
        old.unlink()
    try:
        labdriver.open_notebook(page, lab, relpath)
        labdriver.run_all(page)
        labdriver.wait_widgets_rendered(page, timeout_ms=10_000)
        assert every_cell_ran(page) == [], "Run All stopped before these cells"
        errors = labdriver.error_outputs(page)
        assert not any(sign in text for text in errors for sign in TRACEBACK_SIGNS), errors
        outputs = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea").all_inner_texts()
        assert any("not answered yet" in text for text in outputs), "no check said 'not answered yet'"
        if relpath.endswith("ex01_reading.ipynb"):  # Q1 typed in its box: the box and the check cell follow
            box = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) '
                               '.widget-text:has(label:text-is("Your answer to Q1")) input').first
            check = labdriver.cell_editor(page, 'check_format("Q1"')
            box.fill("many")
            box.press("Enter")
            page.wait_for_function("c => c.innerText.includes('Q1: not in the right form yet')",
                                   arg=check.locator(".jp-Cell-outputArea").element_handle(), timeout=15_000)
            wrong = output_text(check)
            assert not any(sign in wrong for sign in TRACEBACK_SIGNS), wrong
            box.fill("7")
            box.press("Enter")
            page.wait_for_function("c => c.innerText.includes('Q1: answer recorded')",
                                   arg=check.locator(".jp-Cell-outputArea").element_handle(), timeout=15_000)
            check.scroll_into_view_if_needed()
        assert a11y.unnamed(page) == [], "widget controls without a name"
        ours, _jupyterlab = a11y.audit(page)  # axe-core, WCAG 2.1 A/AA
        assert ours == [], "axe-core violations in cell outputs:\n" + "\n".join(ours)
        small = labdriver.small_text(page)
        assert small == [], f"text below {labdriver.MIN_TEXT_PX} px as displayed: {small[:10]}"
        page.screenshot(path=str(stem.with_suffix(".png")))
    except Exception:
        page.screenshot(path=str(stem.with_name(stem.name + "--failure.png")))
        page.goto("about:blank")
        raise
    finally:
        labdriver.close_documents(page)
        lab.shutdown_kernels_of(relpath)
