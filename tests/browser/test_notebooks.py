"""Every lesson notebook as a student sees it: opened without outputs in JupyterLab, run, read, clicked.

For each notebook in notebooks/: Run › Run All Cells, wait for the kernel, assert that every cell ran,
that no error or stderr output appears, that every widget rendered, then drive a widget and assert the
display shows what the package computes for the chosen value. Notebooks with an entry in INTERACTIONS
get a specific check; the others a generic one (change the first control, the display must change).
A screenshot of each notebook (and of each widget) goes to tests/screenshots/.
"""
from __future__ import annotations

import re

import pytest

import labdriver
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
    window = int(labdriver.slider_value(output, "Words of context"))
    chosen = [a for a in articles if article_label in (None, "All articles") or a.label == article_label]
    expected = len(text.kwic_table(chosen, query, window=window))
    assert expected > 0, "pick a query that occurs, so the check is about lines, not the empty message"
    assert kwic_count_shown(output, query) == expected


def check_kwic_window(page, output) -> None:
    """Move the context slider; the first line's right-hand context has the words kwic_table gives."""
    from escalation import text
    from escalation.corpus import load_articles

    query = output.locator('.widget-text:has(label:text-is("Word or phrase")) input').input_value()
    before = labdriver.display_area_html(output)
    window = int(labdriver.move_slider(page, output, "Words of context", steps=2, key="ArrowLeft"))
    labdriver.wait_display_change(page, output, before)
    table = text.kwic_table(load_articles(), query, window=window)
    shown = output.locator(".jupyter-widgets.widget-box > :last-child tbody tr").first.locator("td")
    assert shown.nth(3).inner_text().strip() == table.iloc[0].right.strip()
    assert shown.nth(1).inner_text().strip() == table.iloc[0].left.strip()


def interact_00(page) -> None:
    output = labdriver.explorer(page, "Keyword in context")
    check_kwic_query(page, output, "ATACMS")
    check_kwic_query(page, output, "Kiev", article_label=next(
        a.label for a in __import__("escalation.corpus", fromlist=["load_articles"]).load_articles()
        if a.id == "atacms_request_2023"))


def interact_01(page) -> None:
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


INTERACTIONS = {
    "00_start_here.ipynb": interact_00,
    "01_reading_the_articles.ipynb": interact_01,
}


# ---------------------------------------------------------------- the test


@pytest.mark.parametrize("name", NOTEBOOKS or [pytest.param("none", marks=pytest.mark.skip(
    reason="no lesson notebooks in notebooks/ yet"))])
def test_notebook_runs_and_widgets_respond(name, lab, page, screenshots, record_property):
    relpath = f"notebooks/{name}"
    stem = screenshots / name.removesuffix(".ipynb")
    for old in screenshots.glob(f"{stem.name}*.png"):
        old.unlink()
    try:
        labdriver.open_notebook(page, lab, relpath)
        labdriver.run_all(page)
        labdriver.wait_widgets_rendered(page)
        labdriver.screenshot_notebook(page, stem.with_suffix(".png"))
        labdriver.widget_screenshots(page, stem)

        assert labdriver.unexecuted_cells(page) == [], "Run All stopped before these cells (see errors)"
        assert labdriver.error_outputs(page) == [], "error or stderr output in the notebook"
        assert labdriver.widget_problems(page) == [], "widgets that did not render"

        interaction = INTERACTIONS.get(name)
        if interaction is None:
            done = labdriver.generic_interaction(page)
            assert done
        else:
            interaction(page)
        assert labdriver.error_outputs(page) == [], "error output after driving the widgets"
        page.screenshot(path=str(stem.with_name(stem.name + "--after-interaction.png")))
    except Exception:
        page.screenshot(path=str(stem.with_name(stem.name + "--failure.png")))
        raise
    finally:
        lab.shutdown_kernels_of(relpath)
