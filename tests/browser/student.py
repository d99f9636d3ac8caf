"""A scripted student: answers every practice exercise of a lesson notebook in the browser, without code.

The student only edits the single value of an answer cell (`ex2_1 = ...` becomes `ex2_1 = 41.3`), runs it
and its check cell, and uses widgets with the mouse and keyboard: radio buttons, tick boxes, a text box, the
written-answer box, the evidence board and the coding sheet. Every check must then say "correct" (or, for a
written answer, open its model answer and checklist). The right answers come from escalation.practice, the
same registry the checks use.
"""
from __future__ import annotations

import re

import labdriver


def _value_text(value) -> str:
    if isinstance(value, float):
        return repr(round(value, 2))
    return repr(value)


def cell_output_text(cell) -> str:
    return cell.locator(".jp-OutputArea").inner_text()


def answer_by_value(page, exercise, value) -> str:
    """Replace the `...` of the answer cell with the value, run it and its check cell; return the feedback."""
    variable = "ex" + exercise.id.replace(".", "_")
    answer = labdriver.cell_editor(page, f"{variable} = ...")
    labdriver.replace_cell_source(page, answer, f"{variable} = {_value_text(value)}")
    labdriver.run_cell(page, answer)
    check = labdriver.cell_editor(page, f'practice.check("{exercise.id}"')
    labdriver.run_cell(page, check)
    page.wait_for_timeout(200)
    return cell_output_text(check)


def answer_widget(page, exercise):
    """The output holding the answer widget or the written-answer box of an exercise."""
    heading = f"{exercise.title or exercise.label}."
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output:has(.jupyter-widgets)",
                        has=page.locator(f'strong:text-is("{heading}")')).first


def answer_with_widget(page, exercise, value) -> str:
    """Choose, type or tick the answer in the answer widget and press Check; return the feedback."""
    output = answer_widget(page, exercise)
    output.scroll_into_view_if_needed()
    if exercise.kind == "choice":
        output.locator(".widget-radio-box label", has_text=re.compile(rf"^\s*{re.escape(value)}\s*$")).click()
    elif exercise.kind == "set":
        for option in value:
            output.get_by_role("checkbox", name=option, exact=True).check()
    else:
        box = output.locator(".widget-text input").first
        box.fill(str(value))
        box.press("Enter")
    if exercise.kind != "text":
        output.get_by_role("button", name="Check").click()
    feedback = output.locator('[role="status"]').last
    feedback.wait_for(timeout=30_000)
    page.wait_for_function("e => e.innerText.trim().length > 0", arg=feedback.element_handle(), timeout=30_000)
    return feedback.inner_text()


def write_answer(page, exercise) -> str:
    """Type enough words in the written-answer box, open the model answer and tick the first checklist item."""
    output = answer_widget(page, exercise)
    output.scroll_into_view_if_needed()
    words = " ".join(f"word{i}" for i in range(exercise.min_words + 3))
    box = output.locator("textarea").first
    box.click()
    box.fill(words)
    button = output.get_by_role("button", name="Show the model answer and checklist")
    page.wait_for_function("b => !b.disabled", arg=button.element_handle(), timeout=30_000)
    button.press("Enter")  # keyboard, as a student without a mouse would
    output.get_by_text("A model answer").wait_for(timeout=30_000)
    first = output.locator(".widget-checkbox input").first
    first.check()
    return output.inner_text()


def fill_evidence_board(page, rows: int = 2) -> None:
    output = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output:has(h4:text-is("Evidence board"))').first
    output.scroll_into_view_if_needed()
    for n in range(rows):
        values = {"Claim": f"Scripted student's claim {n + 1}", "Who": "The scripted student",
                  "Evidence": "Read in notebook 02", "Source": f"Notebook 02, section 2, 2026 (row {n + 1})"}
        for label, text in values.items():
            field = output.locator(f'.widget-textarea:has(label:text-is("{label}")) textarea, '
                                   f'.widget-text:has(label:text-is("{label}")) input').first
            field.fill(text)
            field.press("Tab")
        labdriver.select_option(output, "Confidence", option_label="medium")
        caption = output.locator("caption").first
        before = caption.inner_text()
        page.wait_for_timeout(300)  # let the typed fields reach the kernel before pressing the button
        output.get_by_role("button", name="Add row").click()
        page.wait_for_function(
            "([o, b]) => { const c = o.querySelector('caption'); return c && c.innerText !== b; }",
            arg=[output.element_handle(), before], timeout=30_000)
        claim = output.locator('.widget-textarea:has(label:text-is("Claim")) textarea').first
        try:  # the widget empties its fields after adding a row: wait for that before typing the next
            page.wait_for_function("t => t.value === ''", arg=claim.element_handle(), timeout=5_000)
        except Exception:  # noqa: BLE001 - a widget that keeps the fields is fine too
            pass
        page.wait_for_timeout(300)


def code_passage(page, codes: str = "22343 2") -> str:
    """Code sentences 9-14 in the coding sheet by quick entry; press Compare; return the percent agreement shown."""
    output = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output:has(h4:text-is("Code the sentences: Entman\'s four framing functions"))').first
    output.scroll_into_view_if_needed()
    position = output.locator(".widget-html-content", has_text=re.compile(r"Sentence \d+ of")).first
    previous, following = (output.get_by_role("button", name="◀ Previous"), output.get_by_role("button", name="Next ▶"))
    for _ in range(40):  # to sentence 9, whichever sentence the sheet shows now
        shown = int(re.search(r"Sentence (\d+) of", position.inner_text()).group(1))
        if shown == 9:
            break
        before = position.inner_text()
        (previous if shown > 9 else following).click()
        page.wait_for_function("([e, b]) => e.innerText !== b", arg=[position.element_handle(), before],
                               timeout=10_000)
    box = output.locator(".widget-text:has(label:text-is(\"Quick entry: type a code's number and press Enter\")) input")
    for key in codes.replace(" ", ""):
        box.fill(key)
        box.press("Enter")
        page.wait_for_timeout(150)
    output.get_by_role("button", name="Compare with reference").click()
    cell = output.locator("th", has_text="percent agreement").first
    cell.wait_for(timeout=30_000)
    return cell.locator("xpath=following-sibling::td[1]").inner_text().strip()


def complete_practice(page, notebook_stem: str, screenshot=None) -> dict[str, str]:
    """Answer every practice exercise of one lesson notebook; return exercise id -> the feedback seen.

    `screenshot`: a path for a picture of the first written answer with its model answer and checklist open.
    """
    from escalation import practice

    seen = {}
    for exercise in practice.of_notebook(notebook_stem):
        if exercise.kind == "written":
            text = write_answer(page, exercise)
            assert "A model answer" in text and "saved in my_answers" in text, text[-400:]
            seen[exercise.id] = "model answer shown"
            if screenshot is not None:
                answer_widget(page, exercise).screenshot(path=str(screenshot))
                screenshot = None
            continue
        if exercise.kind == "board":
            fill_evidence_board(page)
            check = labdriver.cell_editor(page, f'practice.check("{exercise.id}"')
            labdriver.run_cell(page, check)
            seen[exercise.id] = cell_output_text(check)
        elif exercise.id == "4.4":
            shown = code_passage(page)
            seen[exercise.id] = answer_by_value(page, exercise, float(shown))
        elif exercise.kind in ("choice", "text", "set"):
            value = exercise.expected_value()
            seen[exercise.id] = answer_with_widget(page, exercise, value)
        else:
            seen[exercise.id] = answer_by_value(page, exercise, exercise.expected_value())
        assert "correct" in seen[exercise.id] and "not quite" not in seen[exercise.id], \
            f"exercise {exercise.id}: {seen[exercise.id]!r}"
    return seen
