"""Every lesson notebook as a student sees it: opened without outputs in JupyterLab, run, read, clicked.

For each notebook in notebooks/: Run › Run All Cells, wait for the kernel, assert that every cell ran,
that no error or stderr output appears, that every widget rendered, then drive a widget and assert the
display shows what the package computes for the chosen value. Notebooks with an entry in INTERACTIONS
get a specific check; the others a generic one (change the first control, the display must change).
A screenshot of each notebook (and of each widget) goes to tests/screenshots/.
"""
from __future__ import annotations

import re
import time

import pytest

import a11y
import labdriver
from support import reprs
import student
from labdriver import REPO_ROOT

NOTEBOOKS = sorted(p.name for p in (REPO_ROOT / "notebooks").glob("[0-9]*.ipynb"))


# ---------------------------------------------------------------- specific interactions


def kwic_count_shown(output, query: str) -> int:
    text = labdriver.display_text(output)
    match = re.search(r"(\d+) line\(s\) for “(.*?)”", text)
    assert match, f"the KWIC display does not show a line count for {query!r}: {text[:300]!r}"
    assert match.group(2) == query
    return int(match.group(1))


def check_kwic_query(page, output, query: str, article_label: str | None = None) -> None:
    """Type a query (and pick an article); the number of lines shown is what text.kwic_table finds."""
    from escalation import text
    from escalation.corpus import load_articles

    articles = load_articles()
    before = labdriver.display_area_html(output)
    if article_label is not None:
        labdriver.select_option(output, "In", option_label=article_label)
        before = labdriver.wait_display_change(page, output, before)
    labdriver.set_text(page, output, "Word or phrase", query)
    labdriver.wait_display_change(page, output, before)
    window = int(labdriver.number_value(output, "Words of context"))
    chosen = [a for a in articles if article_label in (None, "All articles") or a.label == article_label]
    expected = len(text.kwic_table(chosen, query, window=window))
    assert expected > 0, "pick a query that occurs, so the check is about lines, not the empty message"
    assert kwic_count_shown(output, query) == expected


def check_kwic_window(page, output) -> None:
    """Step the context box down twice with the arrow key; the first line's contexts are what kwic_table gives."""
    from escalation import text
    from escalation.corpus import load_articles

    query = output.locator('.widget-text:has(label:text-is("Word or phrase")) input').input_value()
    before = labdriver.display_area_html(output)
    window = int(labdriver.step_number(page, output, "Words of context", steps=2, key="ArrowDown"))
    labdriver.wait_display_change(page, output, before)
    table = text.kwic_table(load_articles(), query, window=window)
    shown = output.locator(".jupyter-widgets.widget-box > :last-child tbody tr").first.locator("td")
    deadline = time.monotonic() + 10  # each step is an update: wait for the one of the last step
    while shown.nth(3).inner_text().strip() != table.iloc[0].right.strip() and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert shown.nth(3).inner_text().strip() == table.iloc[0].right.strip()
    assert shown.nth(1).inner_text().strip() == table.iloc[0].left.strip()


def check_dropdown_keys(page, output, label: str) -> None:
    """The keys the notebooks name for a drop-down inside JupyterLab: Alt+↓ (or Space) opens its list, ↓ moves
    to the next option, Enter chooses it; the display follows. (A bare ↓ goes to JupyterLab, which moves to
    the next cell, so the notebooks do not offer it.)"""
    select = output.locator(f'.widget-dropdown:has(label:text-is("{label}")) select')
    for opener in ("Alt+ArrowDown", "Space"):
        options = select.evaluate("s => [...s.options].map(o => o.value)")
        current = select.input_value()
        before = labdriver.display_area_html(output)
        select.focus()
        page.keyboard.press(opener)
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        assert select.input_value() == options[options.index(current) + 1], f"{opener}, ↓, Enter on {label}"
        labdriver.wait_display_change(page, output, before)
        assert page.evaluate("() => document.activeElement.tagName") == "SELECT"  # still in the widget


def interact_00(page) -> None:
    """KWIC: type a query, then restrict it to one article; the line counts are what kwic_table finds."""
    from escalation.corpus import get_article

    output = labdriver.explorer(page, "Keyword in context")
    check_kwic_query(page, output, "ATACMS")
    check_kwic_query(page, output, "Kiev", article_label=get_article("atacms_request_2023").label)


def interact_01(page) -> None:
    """Article explorer: another article, its headline and as many marks of each kind as highlight_spans
    finds; then the KWIC context slider by keyboard, its lines as kwic_table gives them."""
    from escalation.corpus import load_articles
    from escalation.widgets.reading import highlight_spans

    articles = load_articles()
    output = labdriver.explorer(page, "Article explorer (hold Ctrl or Shift to pick several highlights)")
    current = output.locator(".widget-dropdown select").input_value()
    target = next(a for a in articles if a.label != current)
    before = labdriver.display_area_html(output)
    labdriver.select_option(output, "Article", option_label=target.label)
    labdriver.wait_display_change(page, output, before)
    assert target.headline in labdriver.display_text(output)
    show = tuple(output.locator(".widget-select-multiple select").evaluate(
        "s => [...s.selectedOptions].map(o => o.value)"))
    labels = {"Quotations": "quotes", "Who said it (speaker and reporting verb)": "attributions",
              "Numbers and amounts": "numbers", "Place names": "places"}
    kinds = tuple(labels[s] for s in show)
    spans = highlight_spans(target, kinds)
    for label, kind in labels.items():
        if kind in kinds:
            shown = output.locator(f'.jupyter-widgets.widget-box > :last-child p mark[title="{label}"]').count()
            assert shown == sum(1 for s in spans if s[2] == kind), f"{label}: marks shown vs highlight_spans"
    check_kwic_window(page, labdriver.explorer(page, "Keyword in context"))


def interact_02(page) -> None:
    """Range explorer: pick another launch point; the number of places in reach is what the package finds."""
    from escalation.widgets.range import range_explorer

    output = labdriver.explorer(page, "Range explorer: what lies within reach of a launch point?")
    check_dropdown_keys(page, output, "Launch point")
    ticked = output.locator(".widget-checkbox").evaluate_all(
        "boxes => boxes.map(b => [b.innerText.trim(), b.querySelector('input').checked])")
    before = labdriver.display_area_html(output)
    labdriver.select_option(output, "Launch point", option_label="Kyiv")
    labdriver.wait_display_change(page, output, before)
    model = range_explorer()  # the same builder, driven in this process with the same control values
    labels = {control.description: name for name, control in model.controls.items() if name.startswith("w_")}
    for label, on in ticked:
        model.controls[labels[label]].value = on
    model.controls["launch"].value = "Kyiv"
    expected = len(set(model.result["reach"]["name"]))
    shown = labdriver.display_text(output)
    assert f"From Kyiv (★ on the map). {expected} listed place(s) in reach" in shown, shown[:300]
    assert output.locator(".jupyter-widgets.widget-box > :last-child img[alt]").get_attribute("alt") \
        == model.result["alt_text"]


def interact_03(page) -> None:
    """Timeline: show only warnings; the count and the event list are what the package selects."""
    from escalation.widgets.timeline import timeline_explorer

    title = "Timeline of the debate (hold Ctrl or Shift to pick several countries or types)"
    output = labdriver.explorer(page, title)
    area = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-NotebookPanel-notebook").first.bounding_box()
    tabs = output.locator(".lm-TabBar-tab")
    for index in range(3):  # each tab, with the months and the count line above it, fits the notebook's area
        tabs.nth(index).click()
        tall = output.evaluate("o => o.getBoundingClientRect().height")
        assert tall <= area["height"], f"timeline widget, tab {index + 1}: {tall:.0f} px > {area['height']:.0f} px"
    tabs.nth(0).focus()  # the keyboard moves between the tabs as notebook 03 says: the arrow keys, then Enter
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    page.wait_for_function("t => t.classList.contains('lm-mod-current')", arg=tabs.nth(1).element_handle())
    before = labdriver.shown_content(output)
    output.locator('.widget-select-multiple:has(label:text-is("Event types")) select').select_option(["warning"])
    page.wait_for_function(f"([o, b]) => ({labdriver.SHOWN_JS})(o) !== b",
                           arg=[output.element_handle(), before], timeout=30_000)
    page.wait_for_timeout(500)
    countries = output.locator('.widget-select-multiple:has(label:text-is("Countries")) select').evaluate(
        "s => [...s.selectedOptions].map(o => o.value)")
    model = timeline_explorer()
    model.controls["countries"].value = tuple(countries)
    model.controls["types"].value = ("warning",)
    shown_events = model.result.events
    text = output.locator(".widget-html-content", has_text="events shown").first.inner_text()
    assert re.match(rf"{len(shown_events)} of {len(model.events)} events shown", text), text
    tabs.nth(2).click()
    listed = output.locator('.widget-select:has(label:text-is("Event")) select option').all_inner_texts()
    assert [t.replace("\xa0", " ") for t in listed] == [label for label, _ in model.event_list.options]


def interact_04(page) -> None:
    """Coding widget: quick entry of code 1; the sentence and progress counts follow the package's units."""
    from escalation import coding
    from escalation.corpus import load_articles

    output = page.locator('.jp-OutputArea-output:has(h4:text-is("Code the sentences: Entman\'s four framing functions"))').first
    label = output.locator('.widget-dropdown:has(label:text-is("Article")) select').evaluate(
        "s => s.selectedOptions[0].textContent").replace("\xa0", " ")
    article = next(a for a in load_articles() if a.label == label)
    units = coding.sentence_units(article)
    progress = output.locator(".widget-html-content", has_text="Progress:").first
    before = progress.inner_text()
    box = output.locator(".widget-text:has(label:text-is(\"Quick entry: type a code's number and press Enter\")) input")
    box.fill("1")
    box.press("Enter")
    page.wait_for_function("([e, b]) => e.innerText !== b", arg=[progress.element_handle(), before], timeout=30_000)
    coded = int(re.search(r"(\d+) of", before).group(1)) + 1
    assert re.search(rf"{coded} of {len(units)} sentences of {article.id} coded", progress.inner_text()), \
        progress.inner_text()


def interact_05(page) -> None:
    """Evidence board: a row without "who" gives the package's message; a full row is added and shown."""
    from escalation import evidence
    from escalation.errors import EscalationError

    output = page.locator('.jp-OutputArea-output:has(h4:text-is("Evidence board"))').first
    caption = output.locator("caption").first
    rows_before = int(re.search(r"(\d+) row", caption.inner_text()).group(1))
    row = {"claim": "Browser test claim", "who": "", "evidence": "Typed by the browser test",
           "source": "Browser test, 2026", "confidence": "low"}
    for name in ("claim", "who", "evidence", "source"):
        field = output.locator(f'.widget-textarea:has(label:text-is("{name.capitalize()}")) textarea, '
                               f'.widget-text:has(label:text-is("{name.capitalize()}")) input').first
        field.fill(row[name])
        field.press("Tab")
    labdriver.select_option(output, "Confidence", option_label="low")
    try:
        evidence.add_row(evidence.new_board(), **row)
        raise AssertionError("the package should refuse a row without 'who'")
    except EscalationError as problem:
        expected_message = str(problem)
    output.get_by_role("button", name="Add row").click()
    output.get_by_text(expected_message).first.wait_for(timeout=30_000)
    field = output.locator('.widget-text:has(label:text-is("Who")) input').first
    field.fill("The browser test")
    field.press("Tab")
    output.get_by_role("button", name="Add row").click()
    page.wait_for_function(  # the HTML pane is replaced on each change: look the caption up each time
        "([o, n]) => { const c = o.querySelector('caption'); return c && c.innerText.includes(`${n} row`); }",
        arg=[output.element_handle(), rows_before + 1], timeout=30_000)
    last = output.locator("tbody tr").last.locator("td").all_inner_texts()
    assert last == ["Browser test claim", "The browser test", "Typed by the browser test", "Browser test, 2026", "low"]


INTERACTIONS = {
    "00_start_here.ipynb": interact_00,
    "01_reading_the_articles.ipynb": interact_01,
    "02_arms_supply_in_numbers.ipynb": interact_02,
    "03_red_lines_and_escalation.ipynb": interact_03,
    "04_rhetoric_as_data.ipynb": interact_04,
    "05_debate_and_synthesis.ipynb": interact_05,
}


# ---------------------------------------------------------------- the test


class Phases:
    """Seconds spent in each phase of a test (printed with -s, and kept as a junit property)."""

    def __init__(self):
        self.spent, self._last = {}, time.monotonic()

    def __call__(self, phase: str) -> None:
        now = time.monotonic()
        self.spent[phase] = round(now - self._last, 1)
        self._last = now



@pytest.mark.parametrize("name", NOTEBOOKS or [pytest.param("none", marks=pytest.mark.skip(
    reason="no lesson notebooks in notebooks/ yet"))])
def test_notebook_runs_and_widgets_respond(name, lab, lab_page, screenshots, record_property):
    page = lab_page
    relpath = f"notebooks/{name}"
    stem = screenshots / name.removesuffix(".ipynb")
    for old in screenshots.glob(f"{stem.name}*.png"):
        old.unlink()
    clock = Phases()
    try:
        labdriver.open_notebook(page, lab, relpath)
        clock("open")
        labdriver.run_all(page)
        labdriver.wait_widgets_rendered(page)
        clock("run all")
        labdriver.screenshot_notebook(page, stem.with_suffix(".png"))
        clock("screenshots")

        assert labdriver.unexecuted_cells(page) == [], "Run All stopped before these cells (see errors)"
        assert labdriver.error_outputs(page) == [], "error or stderr output in the notebook"
        assert labdriver.widget_problems(page) == [], "widgets that did not render"
        assert labdriver.figures_without_picture(page) == [], "figures shown as text, without their picture"
        small = labdriver.small_text(page)
        assert small == [], f"text below {labdriver.MIN_TEXT_PX} px as displayed: {small[:10]}"
        assert a11y.unnamed(page) == [], "figures without alt text or widget controls without a name"
        ours, jupyterlab = a11y.audit(page)  # axe-core, WCAG 2.1 A/AA, on the whole page after Run All
        print(f"{name}: axe, JupyterLab's own violations (not the module's; not failed): {len(jupyterlab)}")
        for line in jupyterlab:
            print("   ", line)
        assert ours == [], "axe-core violations in cell outputs:\n" + "\n".join(ours)
        clock("accessibility")

        interaction = INTERACTIONS.get(name)
        if interaction is None:
            done = labdriver.generic_interaction(page)
            assert done
        else:
            interaction(page)
        clock("interaction")
        assert labdriver.error_outputs(page) == [], "error output after driving the widgets"
        page.screenshot(path=str(stem.with_name(stem.name + "--after-interaction.png")))

        answered = student.complete_practice(  # no code written: single values and widgets
            page, name[:2], screenshot=stem.with_name(stem.name + "--written-answer.png"))
        progress = labdriver.cell_editor(page, "checks.progress_summary(")
        labdriver.run_cell(page, progress)
        summary = progress.locator(".jp-OutputArea").inner_text()
        assert f"{len(answered)} of {len(answered)} answered" in summary and "to revisit" not in summary, summary
        clock("scripted student")
        assert labdriver.error_outputs(page) == [], "error output while the scripted student answered"
        shown = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea").all_inner_texts()
        leaks = [f"output {n}: {found}" for n, text in enumerate(shown) for found in reprs.found_in(text)]
        assert leaks == [], "raw Python reprs or NaN on screen after the widgets were driven:\n" + "\n".join(leaks)
        progress.scroll_into_view_if_needed()
        page.screenshot(path=str(stem.with_name(stem.name + "--student.png")))
    except Exception:
        page.screenshot(path=str(stem.with_name(stem.name + "--failure.png")))
        page.goto("about:blank")  # the next test starts from a freshly loaded JupyterLab
        raise
    finally:
        labdriver.close_documents(page)
        lab.shutdown_kernels_of(relpath)
        record_property("phases_s", clock.spent)
        print(name, clock.spent)


def test_students_jupyterlab_has_no_nbgrader_and_no_news(lab, lab_page):
    """The settings the module installs (tools/jupyter-config/): no Nbgrader menu, no news pop-up."""
    page = lab_page
    labdriver.open_notebook(page, lab, f"notebooks/{NOTEBOOKS[0]}")
    try:
        menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
        assert menus and not any("nbgrader" in m.casefold() for m in menus), menus
        page.wait_for_timeout(1000)
        toasts = page.locator(".Toastify__toast").all_inner_texts()
        assert not any("news" in t.casefold() for t in toasts), toasts
        assert page.locator("text=Create Assignment").count() == 0
        assert page.locator("button:has-text('Validate')").count() == 0
    finally:
        labdriver.close_documents(page)
        lab.shutdown_kernels_of(f"notebooks/{NOTEBOOKS[0]}")
