"""The aid explorer: committed or allocated aid, total or military, as of a date; chart and table."""
from __future__ import annotations

import html
from functools import lru_cache

import ipywidgets as widgets
import pandas as pd

from .. import aid as aidlib
from ..maps import figure_img_html
from ..errors import EscalationError
from ..tables import cutoff_note
from .base import DATE_EXAMPLE, DATE_FORMAT, Explorer, date_box, parse_date

WRAP_STYLE = "overflow-x:auto;margin-top:8px;font-size:14px;line-height:1.4;"
CELL = "padding:4px 10px;border-bottom:1px solid #cccccc;vertical-align:top;text-align:left;"
NUMBER = "padding:4px 10px;border-bottom:1px solid #cccccc;vertical-align:top;text-align:right;white-space:nowrap;"


def aid_table_html(rows: pd.DataFrame) -> str:
    """The figures as a spaced table: one row per figure, padded cells, numbers right-aligned."""
    head = "".join(f'<th scope="col" style="{CELL}border-bottom:2px solid black;">{html.escape(h)}</th>'
                   for h in ("release", "donor (the release's words)", "EUR bn", "period covered",
                             "Kiel's main measure then"))
    body = "".join(
        f'<tr><td style="{CELL}white-space:nowrap;">{html.escape(r.release_date)}</td>'
        f'<td style="{CELL}">{html.escape(r.donor_as_reported)}</td>'
        f'<td style="{NUMBER}">{html.escape(r.qualifier + " " if r.qualifier else "")}{r.figure:g}</td>'
        f'<td style="{CELL}">{html.escape(r.period_covered)}</td>'
        f'<td style="{CELL}">{html.escape(r.main_measure_at_release)}</td></tr>'
        for r in rows.itertuples())
    return (f'<div style="{WRAP_STYLE}"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def aid_view(aid: pd.DataFrame, measure: str, aid_type: str, as_of=None) -> tuple[str, object]:
    """The chart and the table of Kiel figures for one measure and kind of aid: (html, figure).

    `as_of` (a date or None) keeps only the releases published by that day (`aid.as_of`)."""
    shown = aidlib.as_of(aid, as_of)
    note = cutoff_note("aid")
    when = ""
    if as_of:
        hidden = int((aid["publisher"] == aidlib.KIEL).sum() - (shown["publisher"] == aidlib.KIEL).sum())
        when = (f"<p>As of {pd.Timestamp(as_of):%d %B %Y}: only releases published by then "
                f"({hidden} later Kiel figure(s) hidden).</p>")
    if aidlib.kiel_figures(shown, measure, aid_type).empty:
        raise EscalationError(
            f"No Kiel release published by {pd.Timestamp(as_of):%d %B %Y} gives a figure for {aid_type} aid "
            f"{measure}. Choose a later date, the other measure or the other kind of aid." if as_of else
            f"The aid table has no Kiel figures for {aid_type} {measure}. Try the other measure or kind of aid.")
    fig = aidlib.plot_aid(shown, measure, aid_type, note=note)
    rows = aidlib.kiel_figures(shown, measure, aid_type)
    return (when + chart_html(fig) + aid_table_html(rows) + holdings_html(shown, rows)
            + f"<p>{html.escape(note)}.</p>"), fig


def chart_html(fig, dpi: int = 100) -> str:
    """The chart as an <img> (alt text included) that records its smallest text at its own width, as `show`
    does, and never shrinks below the width at which that text is 10 px."""
    import math

    from ..plotting import MIN_TEXT_PX, text_sizes

    width = fig.get_figwidth() * dpi
    smallest = text_sizes(fig, display_width=width, dpi=dpi, tight=False)[0][0]
    narrowest = min(math.ceil(width * MIN_TEXT_PX / smallest), math.floor(width))
    return figure_img_html(fig, dpi=dpi).replace(
        '<img ', f'<img data-smallest-text-px="{smallest:.1f}" ', 1).replace(
        'style="max-width:100%"', f'style="max-width:100%; min-width:{narrowest}px; height:auto"', 1)


def holdings_html(aid: pd.DataFrame, rows: pd.DataFrame) -> str:
    """One sentence on what the table holds, so a sparse chart is read as sparse data, not a broken chart."""
    kiel = aid[aid["publisher"] == aidlib.KIEL]
    releases = sorted(set(kiel["release_date"]))
    return (f"<p>The aid table holds {len(kiel)} Kiel figures from {len(releases)} releases "
            f"({html.escape(', '.join(releases))}); this choice has {len(rows)} of them, from "
            f"{rows['release_date'].nunique()} release(s). Kiel's releases do not all report the same measures "
            "and donor groups: a gap in the chart is a release that gave no figure for this choice.</p>")


MEASURES = (("Committed (promised)", "commitments"), ("Allocated (earmarked for delivery)", "allocations"))
KINDS = (("All aid (military, financial, humanitarian)", "total"), ("Military aid only", "military"))


def aid_explorer(aid: pd.DataFrame | None = None) -> Explorer:
    """Widget: choose committed or allocated aid, total or military, and an "as of" date; chart and table
    update. Every control is reachable with Tab and changed with the keyboard (Space, Alt+Down, typing).

    Each view is drawn once and kept (drawing the chart is 0.1-0.2 s, most of an update); the four views
    without a date are drawn when the explorer is built, so the toggle and the drop-down answer at once."""
    aid = aid if aid is not None else aidlib.load_aid()

    @lru_cache(maxsize=64)
    def view(measure: str, aid_type: str, as_of):
        return aid_view(aid, measure, aid_type, as_of)

    for _, measure in MEASURES:
        for _, kind in KINDS:
            try:
                view(measure, kind, None)
            except EscalationError:  # shown as a message when chosen
                pass
    controls = {
        "measure": widgets.ToggleButtons(options=list(MEASURES), value="commitments", description="Measure",
                                         style={"button_width": "auto"}),
        "aid_type": widgets.Dropdown(options=list(KINDS), value="total", description="Kind of aid", style={"description_width": "initial"}),
        "as_of": date_box("As of (published by)", "Show only releases published by this day; clear it to show all"),
    }
    help_text = widgets.HTML(f"<p>Choose a measure and a kind of aid. <strong>As of</strong>: type a date as "
                             f"{DATE_FORMAT} (year-month-day), for example {DATE_EXAMPLE}, and press Enter to see "
                             "only the releases published by then; clear the box to see all. Every control can be "
                             "reached with Tab.</p>")
    return Explorer(controls, lambda measure, aid_type, as_of: view(measure, aid_type, parse_date(as_of)),
                    title="Aid explorer: Kiel Institute headline figures by release", extra=[help_text])
