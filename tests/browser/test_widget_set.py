"""A graded set answered wholly through its widgets in JupyterLab, saved, closed, and graded (issue 20).

The student version of a set converted to answer widgets (generated from its source, as `escalation-exercises`
does) is opened in JupyterLab in Chromium at 1366×768 with the file browser open. A scripted student types an
id into the id box and runs the set again (as the box says), then answers every question with the mouse and
keyboard only: radio buttons, number boxes (typed, Enter), tick boxes, order and match drop-downs, the
written-answer text areas; each form line must say "answer recorded". The first choice question is answered with
a distractor on purpose. No text may be under 10 px. The notebook is saved through File › Save Notebook and its
tab closed; then the saved `.ipynb` alone (no `my_answers` copy) is graded by `escalation-grade grade`, sealed
where the kernel can seal.

The expected score is independent of the grader: each question's right answer for that id comes from the source's
own solution (`student.expected_answers`), and the expected points are the source's points of the questions
answered with it (the one answered wrong earns 0). The written texts must come back exactly as typed, the
feedback page must show the distractor's "Not right" line, and the item analysis must count the saved choice.
Runtime here: about 30 s (18 s in the browser, two Run Alls; grading 5 s).
"""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import time


import labdriver
from labdriver import REPO_ROOT

# ex03 has an id box, choices, a number, order and match drop-downs and written text boxes (ex01 and ex05 have tick
# boxes); another converted set: ESCALATION_WIDGET_SET=ex05_synthesis
SET = os.environ.get("ESCALATION_WIDGET_SET", "ex03_red_lines")
STUDENT = "kmorgan"
RELPATH = f"widget_set/{SET}.ipynb"
SOURCE = REPO_ROOT / "exercises" / "source" / SET / f"{SET}.ipynb"


def answer_cell_output(page, name: str, call: str = "answer"):
    """The output area of the cell whose code is `answer("qN", …)` (or `written_answer("qN", …)`)."""
    cell = labdriver.cell_editor(page, f'{call}("{name}"')
    cell.scroll_into_view_if_needed()
    return cell.locator(".jp-Cell-outputArea")


def wait_status(page, output, pattern: str) -> str:
    """Wait until the widget's form line (its role=status, redrawn at each change) matches `pattern`; return it."""
    page.wait_for_function("""([o, p]) => [...o.querySelectorAll('[role="status"]')]
                                          .some(e => new RegExp(p).test(e.innerText))""",
                           arg=[output.element_handle(), pattern], timeout=30_000, polling=100)
    return output.locator('[role="status"]').first.inner_text()


def menu(page, top: str, item: str) -> None:
    page.get_by_role("menuitem", name=top, exact=True).click()
    page.get_by_role("menuitem", name=re.compile(rf"^{re.escape(item)}")).first.click()


def expected(exercise) -> dict:
    """Each autograded question's right answer for STUDENT, from the source's own solution."""
    from escalation.grading.student import expected_answers, setup_namespace

    ns = setup_namespace(exercise)
    return {q.key: expected_answers(exercise, q, STUDENT, ns)[0] for q in exercise.questions if q.kind == "auto"}


def wrong_choice(exercise, q, right):
    """Another option of a choice question than the right one (a distractor)."""
    from escalation.grading.analysis import declared_options

    choices = declared_options(exercise, q).get("choices")
    if not choices:  # options named by a set-up variable: ask the set-up
        from escalation.grading.source import cell_text, nbgrader_meta
        from escalation.grading.student import setup_namespace

        text = "".join(cell_text(c) for c in exercise.notebook["cells"] if nbgrader_meta(c).get("grade_id") in q.answer_ids)
        variable = re.search(r"choices=([A-Za-z_]\w*)", text).group(1)
        choices = setup_namespace(exercise)[variable]
    return next(c for c in choices if c != right)


def words(n: int, tag: str) -> str:
    return " ".join(f"{tag}{i}" for i in range(n))


def test_a_set_answered_through_widgets_saved_closed_and_graded(lab, lab_page, browser_root, screenshots,
                                                                 tmp_path, monkeypatch):
    from escalation import answers
    from escalation.grading import cli, sandbox
    from escalation.grading.batch import load_results
    from escalation.grading.source import load_exercise
    from escalation.grading.student import dumps, student_notebook

    started = time.monotonic()
    exercise = load_exercise(SOURCE)
    right = expected(exercise)
    auto = [q for q in exercise.questions if q.kind == "auto"]
    written = [q for q in exercise.questions if q.kind == "written"]
    kinds = {q.key: q.meta.get("item") for q in auto}
    wrong = next(q.key for q in auto if kinds[q.key] == "choice")  # answered wrong on purpose: it must earn nothing
    target = browser_root / "repo" / RELPATH
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(dumps(student_notebook(SOURCE)), encoding="utf-8")
    labdriver.strip_outputs(target)  # as a student gets it: no outputs, the kernel named
    page = lab_page
    given: dict = {}
    texts = {q.key: words(_min_words(exercise, q) + 5, q.key) for q in written}
    try:
        labdriver.open_notebook(page, lab, RELPATH)
        labdriver.run_all(page)
        labdriver.wait_widgets_rendered(page, timeout_ms=10_000)
        id_box = page.get_by_role("textbox", name="Your student id")
        id_box.fill(STUDENT)
        id_box.press("Enter")
        id_out = labdriver.cell_editor(page, "your_id()").locator(".jp-Cell-outputArea")
        assert "Run All Cells" in wait_status(page, id_out, "Your id is saved")
        labdriver.run_all(page)  # as the id box says: the questions are now this id's
        labdriver.wait_widgets_rendered(page, timeout_ms=10_000)
        assert labdriver.error_outputs(page) == []
        for q in auto:
            name = q.variables[0]
            value = right[q.key][name]
            out = answer_cell_output(page, name)
            kind = kinds[q.key]
            if q.key == wrong:
                value = wrong_choice(exercise, q, value)
            if kind == "choice":
                out.get_by_role("radio", name=value, exact=True).check()
            elif kind == "names":
                for option in value:
                    out.get_by_role("checkbox", name=option, exact=True).check()
            elif kind == "match":
                for left, chosen in value.items():
                    out.locator(f'.widget-dropdown:has(label:text-is("{left}")) select').select_option(label=chosen)
            elif kind == "order":
                for position, item in enumerate(value, start=1):
                    out.locator(f'.widget-dropdown:has(label:text-is("{item}")) select').select_option(
                        label=str(position))
            else:  # number, whole number, text: typed in the box, Enter
                box = out.locator(".widget-text input").first
                box.fill(str(value))
                box.press("Enter")
            given[name] = value
            assert "answer recorded" in wait_status(page, out, "answer recorded"), q.key
        for q in written:
            out = answer_cell_output(page, q.key, "written_answer")
            box = out.locator("textarea").first
            box.click()
            box.fill(texts[q.key])
            wait_status(page, out, "answer recorded")
        small = labdriver.small_text(page)
        assert small == [], f"text below {labdriver.MIN_TEXT_PX} px as displayed: {small[:10]}"
        page.screenshot(path=str(screenshots / "widget_set--answered.png"))
        before = target.stat().st_mtime_ns
        menu(page, "File", "Save Notebook")
        page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=30_000)
        deadline = time.monotonic() + 10
        while target.stat().st_mtime_ns == before and time.monotonic() < deadline:
            time.sleep(0.1)
        menu(page, "File", "Close Tab")
        page.wait_for_function("() => !document.querySelector('.jp-NotebookPanel')", timeout=30_000)
    except Exception:
        page.screenshot(path=str(screenshots / "widget_set--failure.png"))
        page.goto("about:blank")
        raise
    finally:
        labdriver.close_documents(page)
        lab.shutdown_kernels_of(RELPATH)
    browser_seconds = time.monotonic() - started

    saved = json.loads(target.read_text(encoding="utf-8"))
    assert answers.saved_in_notebook(saved) == {"student_id": STUDENT, **given, **texts}
    subs = tmp_path / "submissions" / STUDENT
    subs.mkdir(parents=True)
    shutil.copy(target, subs / f"{SET}.ipynb")  # the .ipynb alone: my_answers/ stays behind
    monkeypatch.setenv("ESCALATION_GRADING_KEY", str(tmp_path / "grading.key"))
    out = tmp_path / "grades"
    flags = [] if sandbox.landlock_abi() >= 1 else ["--no-sandbox"]
    assert cli.main(["grade", str(SOURCE), str(subs.parent), "--out", str(out), "--quiet", *flags]) == 0
    with (out / "gradebook.csv").open(encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["status"] == "graded" and row["id_check"] == "ok", row["reasons"]
    assert row["mode"] == ("sealed" if not flags else "unsealed")
    for q in auto:
        assert float(row[q.key]) == (0.0 if q.key == wrong else q.points), (q.key, row["reasons"])
    want = sum(q.points for q in auto if q.key != wrong)
    assert float(row["auto_points"]) == want
    (result,) = load_results(out)
    assert result.written == texts
    assert {k: v for q in auto for k, v in result.answers[q.key].items()} == given
    feedback = (out / "feedback" / f"{STUDENT}.html").read_text(encoding="utf-8")
    assert "Not right" in feedback  # the wrong choice's feedback line
    with (out / "item_options.csv").open(encoding="utf-8") as handle:
        chosen = {r["option"] for r in csv.DictReader(handle) if r["question"] == wrong and r["students"] == "1"}
    assert chosen == {given[exercise.question(wrong).variables[0]]}  # the item analysis counts the saved choice
    print(f"browser part {browser_seconds:.1f} s, whole test {time.monotonic() - started:.1f} s; "
          f"auto points {want:g} of {exercise.auto_points:g}")


def _min_words(exercise, q) -> int:
    """The min_words of a written question's `written_answer(…)` line (0 when none)."""
    from escalation.grading.source import cell_text, nbgrader_meta

    text = "".join(cell_text(c) for c in exercise.notebook["cells"] if nbgrader_meta(c).get("grade_id") == q.written_id)
    found = re.search(r"min_words=(\d+)", text)
    return int(found.group(1)) if found else 0
