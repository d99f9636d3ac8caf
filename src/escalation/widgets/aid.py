"""The aid explorer: switch between committed and allocated aid, total or military, and read the figures."""
from __future__ import annotations

import html

import ipywidgets as widgets
import pandas as pd

from .. import aid as aidlib
from ..maps import figure_img_html
from .base import Explorer


def aid_view(aid: pd.DataFrame, measure: str, aid_type: str) -> tuple[str, object]:
    """The chart and the table of Kiel figures for one measure and kind of aid: (html, figure)."""
    fig = aidlib.plot_aid(aid, measure, aid_type)
    rows = aidlib.kiel_figures(aid, measure, aid_type)
    body = "".join(
        f"<tr><td>{html.escape(r.release_date)}</td><td>{html.escape(r.donor_as_reported)}</td>"
        f"<td style='text-align:right'>{html.escape(r.qualifier + ' ' if r.qualifier else '')}{r.figure:g}</td>"
        f"<td>{html.escape(r.period_covered)}</td><td>{html.escape(r.main_measure_at_release)}</td></tr>"
        for r in rows.itertuples())
    table = ("<table><thead><tr><th>release</th><th>donor (release's words)</th><th>EUR bn</th>"
             "<th>period covered</th><th>Kiel's main measure then</th></tr></thead>"
             f"<tbody>{body}</tbody></table>")
    return figure_img_html(fig, dpi=72) + table, fig


def aid_explorer(aid: pd.DataFrame | None = None) -> Explorer:
    """Widget: choose committed or allocated aid, total or military; chart and table update."""
    aid = aid if aid is not None else aidlib.load_aid()
    controls = {
        "measure": widgets.ToggleButtons(options=[("Committed (promised)", "commitments"),
                                                  ("Allocated (earmarked for delivery)", "allocations")],
                                         value="commitments", description="Measure",
                                         style={"button_width": "auto"}),
        "aid_type": widgets.Dropdown(options=[("All aid (military, financial, humanitarian)", "total"),
                                              ("Military aid only", "military")],
                                     value="total", description="Kind of aid", style={"description_width": "initial"}),
    }
    return Explorer(controls, lambda measure, aid_type: aid_view(aid, measure, aid_type),
                    title="Aid explorer: Kiel Institute headline figures by release")
