"""Widgets whole on a laptop (issue 21): 1366×768 with JupyterLab's file browser open, an output about 900 px wide.

The heights and widths below are JupyterLab's widget defaults (ipywidgets 8 CSS: a one-line control is
28 px plus margins, a drop-down without a width is 300 px wide) and conservative text metrics (13 px
sans-serif, at most 7.5 px a character, 20 px a line). The browser suite measures the rendered page.
"""
from __future__ import annotations

import math
import re

import ipywidgets as widgets
import pytest

from escalation import practice
from escalation.corpus import load_articles
from escalation.widgets.reading import article_explorer, kwic_explorer
from escalation.widgets.timeline import timeline_explorer
from escalation.widgets.written import CHECKLIST_CLASS, CHECKLIST_STYLE, WrittenAnswer

OUTPUT_PX, SCREEN_PX = 900, 700  # output width; the part of a 768 px screen below JupyterLab's bars
CHAR_PX, LINE_PX, CONTROL_PX, DEFAULT_WIDTH_PX = 7.5, 20, 32, 300
TAB_BAR_PX = 40  # a Tab widget's bar and its panel's padding


def height(widget) -> float:
    """Upper estimate of a widget's rendered height in px."""
    if isinstance(widget, widgets.HBox) and "wrap" in (widget.layout.flex_flow or ""):
        # side by side; at 900 px the last column wraps below the first two (measured in Chromium)
        return (max(map(height, widget.children[:2]), default=0) + sum(map(height, widget.children[2:])))
    if isinstance(widget, widgets.Box):
        return sum(map(height, widget.children))
    if isinstance(widget, (widgets.Select, widgets.SelectMultiple)):
        return widget.rows * LINE_PX + 10
    if isinstance(widget, widgets.HTML):
        text = re.sub(r"<[^>]+>", "", widget.value)
        return math.ceil(len(text) * CHAR_PX / OUTPUT_PX) * LINE_PX + 26  # paragraph margins
    return CONTROL_PX


def test_timeline_controls_and_count_line_fit_on_the_screen():
    """The months, the count line and the tallest of the three tabs (timeline, filters, event list) fit."""
    widget = timeline_explorer()
    timeline, filters, listing = widget.tabs.children
    assert timeline is widget.display_area and widget.children[-1] is widget.tabs
    assert filters.children[0].children[0] is widget.controls["countries"]
    assert widget.event_list in listing.children and widget.detail in listing.children
    at = widget.children.index(widget.count_line)
    assert widget.count_line.value.startswith(f"<p><strong>{len(widget.result.events)} of {len(widget.events)} "
                                              "events shown</strong>")
    above = sum(height(child) for child in widget.children[:at + 1])
    assert above <= SCREEN_PX, f"months and count line {above:.0f} px"
    assert above + TAB_BAR_PX + height(filters) <= SCREEN_PX, "the filters tab with the count line above it"
    widget.controls["types"].value = ()
    assert widget.count_line.value.startswith("<p><strong>0 of ")


@pytest.mark.parametrize("make", [article_explorer, kwic_explorer], ids=["article explorer", "keyword in context"])
def test_article_drop_downs_show_whole_headlines(make):
    articles = load_articles()
    menu = make(articles).controls["article_id"]
    width = menu.layout.width
    px = (float(width[:-1]) / 100 * OUTPUT_PX) if width and width.endswith("%") else DEFAULT_WIDTH_PX
    room = px - len(menu.description) * CHAR_PX - 40  # the label and the arrow
    longest = max(len(label) for label, _ in menu.options)
    assert longest * CHAR_PX <= room, f"{longest} characters in {room:.0f} px (layout width {width!r})"


def test_checklist_items_wrap_and_show_whole(tmp_path):
    exercise = max((e for e in practice.EXERCISES.values() if e.kind == "written"),
                   key=lambda e: max(len(r) for r in e.rubric))
    widget = WrittenAnswer(exercise, tmp_path / "answers.json")
    assert [box.description for box in widget.checklist] == list(exercise.rubric)  # the whole item, no "…"
    assert all(box.layout.height == "auto" for box in widget.checklist)
    assert CHECKLIST_CLASS in widget.checklist_box._dom_classes
    assert CHECKLIST_STYLE in widget.checklist_box.children[0].value
    rule = re.search(rf"\.{CHECKLIST_CLASS} \.jupyter-widget-label-basic[^{{]*\{{([^}}]*)\}}", CHECKLIST_STYLE).group(1)
    assert "white-space: normal" in rule and "overflow: visible" in rule  # ipywidgets' label: nowrap, hidden
