"""Widgets for lesson 03: the interactive timeline of the debate, and the ladder-placement exercise.

Both are thin: the timeline's callback calls `events.filter_events` and `timeline.timeline_svg`; the
ladder's calls `ladder.compare_placements`. Tests set the controls' values and read `.result`.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets as widgets
import pandas as pd
import traitlets

from .. import events as ev
from ..errors import EscalationError
from ..ladder import KAHN_GROUPS, compare_placements, group_name, load_ladder_reference, placement_summary
from ..tables import cutoff_note
from ..timeline import LANES, timeline_svg, timeline_text
from .base import DATE_EXAMPLE, DATE_FORMAT, Explorer, date_box, parse_date

WIDE = {"description_width": "initial"}
EVENT_ROWS = 5  # rows of the event list: with the filters side by side, the count line stays on a 768 px screen
FILTER_ROWS = 5  # rows of the country and event-type lists (they scroll): the whole widget fits a laptop screen
TAB_TITLES = ("Timeline", "Filters", "Event list")
TAB_CLASS = "escalation-tabs"
# the tab labels readable in every front end (Voila's theme draws the closed tabs' labels in light grey: axe's
# color-contrast); a style element applies wherever it sits, even in a closed tab
TAB_STYLE = (f"<style>.{TAB_CLASS} .lm-TabBar-tab {{color: #1a1a1a !important; background: #f0f0f0 !important;}} "
             f".{TAB_CLASS} .lm-TabBar-tab.lm-mod-current {{background: #ffffff !important;}}</style>")


@dataclass
class TimelineView:
    """What the timeline explorer shows: the filtered events, the SVG and its text alternative."""

    events: pd.DataFrame
    svg: str
    alt_text: str


def month_options(events: pd.DataFrame) -> list[tuple[str, pd.Timestamp]]:
    """(label, first day) for every month from the first to the last event, for the first- and last-month drop-downs."""
    months = pd.date_range(events["start"].min().to_period("M").to_timestamp(),
                           events["end"].max().to_period("M").to_timestamp(), freq="MS")
    return [(m.strftime("%b %Y"), m) for m in months]


class MonthRange(widgets.HBox):
    """The months shown: two labelled drop-downs (first, last); `.value` is the (first, last) pair.

    Drop-downs rather than a range slider, whose two handles have no accessible name in ipywidgets."""

    value = traitlets.Tuple()

    def __init__(self, options: list[tuple[str, pd.Timestamp]]):
        self.options, self.description = options, "Months shown"
        self.first = widgets.Dropdown(options=options, value=options[0][1], description="Months shown: from",
                                      style=WIDE)
        self.last = widgets.Dropdown(options=options, value=options[-1][1], description="to", style=WIDE)
        super().__init__([self.first, self.last], layout=widgets.Layout(flex_flow="row wrap"))
        self.value = (self.first.value, self.last.value)
        for box in (self.first, self.last):
            box.observe(lambda _change: setattr(self, "value", (self.first.value, self.last.value)), names="value")
        self.observe(self._show, names="value")

    def _show(self, change) -> None:
        first, last = change["new"]
        if (self.first.value, self.last.value) != (first, last):
            self.first.value, self.last.value = first, last


def timeline_view(events: pd.DataFrame, dates, countries, types, lane: str, actor: str = "",
                  as_of=None) -> tuple[str, TimelineView]:
    """Filter the events and draw them: (html, TimelineView). `dates` is a (first month, last month) pair;
    `actor` keeps events whose actor contains that text; `as_of` (a date or None) keeps only what had been
    published by that day (`events.as_of`)."""
    first, last = pd.Timestamp(dates[0]), pd.Timestamp(dates[1])
    if first > last:
        raise EscalationError(f"Months shown: the first month ({first:%b %Y}) is after the last ({last:%b %Y}); "
                              "choose a first month before the last.")
    end = last + pd.offsets.MonthEnd(0)
    known = ev.as_of(events, as_of)
    # choices are checked against the whole table (a country may have no event yet on the as-of day)
    matching = ev.filter_events(events, start=first, end=end, countries=list(countries), types=list(types),
                                actor=actor)
    shown = matching[matching.index.isin(known.index)]
    note = cutoff_note("events")
    svg = timeline_svg(shown, lane, note=note)
    alt = timeline_text(shown, lane, limit=None) + f" {note}."
    when = (f" Showing only what had been published by {pd.Timestamp(as_of):%d %B %Y} "
            f"({len(events) - len(known)} later event(s) hidden)." if as_of else "")
    count = (f"<p>{len(shown)} of {len(events)} events shown, {first:%b %Y} to {last:%b %Y}.{when} {note}. "
             "Hover over a marker for its summary, or pick an event in the tab <em>Event list</em> to read its "
             "summary and source.</p>")
    text = f"<details><summary>Text description of the timeline</summary><p>{html.escape(alt)}</p></details>"
    return count + svg + text, TimelineView(shown, svg, alt)


class TimelineExplorer(Explorer):
    """First and last month, country, event-type and actor filters, lane choice, an "as of" date (what had been
    published by then: a date typed as YYYY-MM-DD, cleared to see everything), and a list of the events shown.

    The list and the chosen event's card sit above the timeline, so the timeline stays the box's last
    child (the display area), as in every Explorer."""

    def __init__(self, events: pd.DataFrame):
        self.events = events
        options = month_options(events)
        self.event_list = widgets.Select(options=[], rows=EVENT_ROWS, description="Event",
                                         style=WIDE, layout=widgets.Layout(width="95%"))
        self.detail = widgets.HTML()
        self.count_line = widgets.HTML()  # the result in words, next to the filters (the chosen event's card is long)
        order = ("Russia", "Ukraine", "United States", "United Kingdom", "Germany", "France")
        present = set(events["country"])
        countries = [c for c in order if c in present] + sorted(present - set(order))  # none left out
        types = [t for t in ev.EVENT_TYPES if t in set(events["event_type"])]
        controls = {
            "dates": MonthRange(options),
            "countries": widgets.SelectMultiple(options=countries, value=tuple(countries), rows=min(len(countries), FILTER_ROWS),
                                                description="Countries", style=WIDE),
            "types": widgets.SelectMultiple(options=types, value=tuple(types), rows=min(len(types), FILTER_ROWS),
                                            description="Event types", style=WIDE),
            "actor": widgets.Text(value="", description="Actor contains", placeholder="for example: Putin",
                                  continuous_update=False, style=WIDE),
            "lane": widgets.Dropdown(options=[(v, k) for k, v in LANES.items()], value="country",
                                     description="One lane per", style=WIDE),
            "as_of": date_box("As of (published by)",
                              "Show only events reported by this day; clear it to show all"),
        }
        self.event_list.observe(self.show_event, names="value")
        help_text = widgets.HTML(TAB_STYLE + f"<p><strong>As of</strong>: type a date as {DATE_FORMAT}, for example "
                                 f"{DATE_EXAMPLE}, and press Enter to see only what had been reported by then "
                                 "(what a writer could have known); clear the box to see every event.</p>")
        super().__init__(controls, lambda as_of, **values: timeline_view(events, as_of=parse_date(as_of),
                                                                         **values),
                         title="Timeline of the debate (hold Ctrl or Shift to pick several countries or types)",
                         extra=[help_text, self.event_list, self.detail])
        # The months, then the "N of … events shown" line, then three tabs: the timeline, the filters (side by
        # side, wrapping on a narrow page) and the list of the events shown with the chosen event's card. So the
        # whole widget fits a laptop screen with the file browser open, and the count line is in view whichever
        # tab is open (issue 21).
        header = list(self.children[:1]) if self.title else []
        side = widgets.VBox([controls["actor"], controls["lane"], controls["as_of"]])
        filters = widgets.HBox([controls["countries"], controls["types"], side],
                               layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start"))
        self.tabs = widgets.Tab(children=[self.display_area, widgets.VBox([filters, help_text]),
                                          widgets.VBox([self.event_list, self.detail])])
        for index, name in enumerate(TAB_TITLES):
            self.tabs.set_title(index, name)
        self.tabs.add_class(TAB_CLASS)
        self.children = tuple(header + [controls["dates"], self.count_line, self.tabs])

    def update(self, _change=None) -> None:
        """Redraw, then refill the event list with the events now shown."""
        super().update(_change)
        if not hasattr(self, "event_list"):
            return
        shown = self.result.events if self.result is not None else self.events.iloc[0:0]
        self.count_line.value = (f"<p><strong>{len(shown)} of {len(self.events)} events shown</strong> "
                                 "(change them in the tab <em>Filters</em>; read each event's summary and source in the tab "
                                 "<em>Event list</em>).</p>"
                                 if self.result is not None else
                                 "<p><strong>No events shown</strong>: see the message below the list.</p>")
        options = [(ev.event_label(row), row["event_id"])
                   for row in shown[["date", "event_type", "actor", "confirmation", "event_id"]].to_dict("records")]
        keep = self.event_list.value if self.event_list.value in {v for _, v in options} else None
        self.event_list.options = options
        self.event_list.value = keep
        self.show_event()

    def show_event(self, _change=None) -> None:
        """Show the chosen event's summary, status and source."""
        chosen = self.event_list.value
        self.detail.value = (ev.event_card_html(self.events, chosen) if chosen else
                             "<p><em>Pick an event in the list to see its summary and source.</em></p>")


def timeline_explorer(events: pd.DataFrame | None = None) -> TimelineExplorer:
    """The interactive timeline of lesson 03."""
    return TimelineExplorer(events if events is not None else ev.load_events())


def ladder_html(table: pd.DataFrame) -> str:
    """The placement comparison as an HTML table, with the agreement in words (not colour alone)."""
    rows = "".join(
        f"<tr><td>{html.escape(r.event_id)}<br>{html.escape(r.date)}</td><td>{html.escape(r.summary)}</td>"
        f"<td>{'' if pd.isna(r.your_group) else html.escape(group_name(int(r.your_group)))}</td>"
        f"<td><strong>{html.escape(r.agreement)}</strong><br>{html.escape(r.explanation)}</td></tr>"
        for r in table.itertuples())
    return (f"<p>{html.escape(placement_summary(table))}</p><table><thead><tr><th>event</th><th>summary</th>"
            f"<th>your group</th><th>how it compares</th></tr></thead><tbody>{rows}</tbody></table>")


def ladder_explorer(events: pd.DataFrame | None = None, reference: pd.DataFrame | None = None) -> Explorer:
    """A dropdown per event to place it in one of Kahn's seven groups; the display explains each choice."""
    events = events if events is not None else ev.load_events()
    reference = reference if reference is not None else load_ladder_reference(events=events)
    options = [("not placed yet", 0)] + [(group_name(g.number), g.number) for g in KAHN_GROUPS]
    controls = {}
    for event_id in reference["event_id"]:
        row = ev.get_event(events, event_id)
        controls[event_id] = widgets.Dropdown(options=options, value=0, style=WIDE,
                                              description=f"{event_id} ({row['date']}, {row['event_type']})",
                                              layout=widgets.Layout(width="60%"))

    def compute(**placements):
        table = compare_placements({k: (v or None) for k, v in placements.items()}, reference, events)
        return ladder_html(table), table

    return Explorer(controls, compute, title="Place each event in one of Kahn's seven groups")
