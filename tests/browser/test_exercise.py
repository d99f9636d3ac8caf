"""A student exercise set in JupyterLab: the check cells give friendly feedback, never a traceback.

Opens the student version of exercise set 01 (without outputs), runs all cells (Run All stops at the first
check, which says "not answered yet"), then types a wrong answer and the right one (the solution code
from the instructor's source) into the Q1 answer cell, runs it and its check cell, and reads the feedback.
"""
from __future__ import annotations

import json
import re

import pytest

import labdriver
from labdriver import REPO_ROOT

STUDENT = "exercises/student/ex01_reading/ex01_reading.ipynb"
SOURCE = REPO_ROOT / "exercises/source/ex01_reading/ex01_reading.ipynb"
TRACEBACK_SIGNS = ("Traceback", "CheckFailed", "NotAnswered", "AssertionError", "File \"")


def solution_code(source: dict, grade_id: str) -> str:
    """The code between BEGIN/END SOLUTION of one answer cell of the instructor's source."""
    cell = next(c for c in source["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)
    text = "".join(cell["source"])
    match = re.search(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", text, re.S)
    assert match, f"{grade_id} has no solution region"
    return match.group(1).strip()


def output_text(cell) -> str:
    return cell.locator(".jp-Cell-outputArea").inner_text()


def test_student_exercise_check_gives_friendly_feedback(lab, lab_page, screenshots):
    if not (REPO_ROOT / STUDENT).exists() or not SOURCE.exists():
        pytest.skip(f"{STUDENT} (or its source) is not there yet: generate the student version first")
    from escalation.corpus import get_article
    from escalation.text import find_quotations

    page = lab_page
    stem = screenshots / "exercise_ex01_reading"
    for old in screenshots.glob(f"{stem.name}*.png"):
        old.unlink()
    try:
        labdriver.open_notebook(page, lab, STUDENT)
        labdriver.run_all(page)
        answer = labdriver.cell_editor(page, "q1 = ...")
        check = labdriver.cell_editor(page, 'check_hash("Q1"')
        first = output_text(check)
        assert "Q1: not answered yet" in first, first
        assert not any(sign in first for sign in TRACEBACK_SIGNS), first

        right = sum(len(find_quotations(get_article(i).body)) for i in ("atacms_request_2023", "pentagon_policy_2024"))
        labdriver.replace_cell_source(page, answer, f"q1 = {right + 1}")
        labdriver.run_cell(page, answer)
        labdriver.run_cell(page, check)
        wrong = output_text(check)
        assert "✘ Q1: not quite." in wrong, wrong
        assert not any(sign in wrong for sign in TRACEBACK_SIGNS), wrong

        source = json.loads(SOURCE.read_text(encoding="utf-8"))
        labdriver.replace_cell_source(page, answer, solution_code(source, "q1_answer"))
        labdriver.run_cell(page, answer)
        labdriver.run_cell(page, check)
        good = output_text(check)
        assert "✔ Q1: correct." in good, good
        assert labdriver.error_outputs(page) == [] or all(
            not any(sign in text for sign in TRACEBACK_SIGNS) for text in labdriver.error_outputs(page))
        check.scroll_into_view_if_needed()
        page.screenshot(path=str(stem.with_suffix(".png")))
    except Exception:
        page.screenshot(path=str(stem.with_name(stem.name + "--failure.png")))
        page.goto("about:blank")
        raise
    finally:
        labdriver.close_documents(page)
        lab.shutdown_kernels_of(STUDENT)
