"""Tests for escalation.timeline and the lesson-03 widgets (timeline explorer, ladder placement)."""
import re

import pytest
from matplotlib.collections import PathCollection
from matplotlib.colors import to_hex

from escalation import plotting
from escalation.errors import QueryError
from escalation.events import filter_events, load_events
from escalation.timeline import (date_ticks, figure_png_html, timeline_figure, timeline_svg, timeline_text)
from escalation.widgets.timeline import ladder_explorer, month_options, timeline_explorer


@pytest.fixture(scope="module")
def events():
    return load_events()


def scatters(ax, size):
    """The scatter collections of a given marker size (60: events, 220: rings around unconfirmed ones)."""
    return [c for c in ax.collections if isinstance(c, PathCollection) and c.get_sizes()[0] == size]


@pytest.mark.parametrize("lane", ["country", "side", "event_type"])
def test_figure_has_one_lane_per_value_and_is_accessible(events, lane):
    fig = timeline_figure(events, lane)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert sorted(labels) == sorted(set(events[lane]))
    assert plotting.accessibility_problems(fig) == []
    assert f"{len(events)} event(s)" in plotting.alt_text(fig)


def test_figure_plots_every_event_once(events):
    fig = timeline_figure(events, "country")
    ax = fig.axes[0]
    # Marker collections have one point per event; the dashed rings mark the unconfirmed ones.
    sizes = [len(c.get_offsets()) for c in scatters(ax, 60)]
    rings = [len(c.get_offsets()) for c in scatters(ax, 220)]
    assert sum(sizes) == len(events)
    assert sum(rings) == int((events["confirmation"] != "confirmed").sum())


def test_colour_and_marker_both_vary(events):
    fig = timeline_figure(events, "country")
    points = scatters(fig.axes[0], 60)
    colours = {to_hex(c.get_facecolor()[0]) for c in points}
    paths = {tuple(map(tuple, c.get_paths()[0].vertices.round(2))) for c in points}
    assert len(colours) == len(points) == len(paths)
    assert colours <= {c.lower() for c in plotting.PALETTE}


def test_empty_selection_draws_a_message(events):
    fig = timeline_figure(events.iloc[0:0], "country")
    assert "no event matches" in plotting.alt_text(fig)


def test_text_alternative_counts_lanes_and_lists_events(events):
    shown = filter_events(events, types=["warning"])
    text = timeline_text(shown, "country", limit=None)
    assert f"Russia: {int((shown['country'] == 'Russia').sum())}" in text
    assert f"United States: {int((shown['country'] == 'United States').sum())}" in text
    for date in shown["date"]:
        assert date in text


def test_unknown_lane(events):
    with pytest.raises(QueryError, match="Unknown lane"):
        timeline_svg(events, "weapon")


def test_svg_has_a_tooltip_per_event_and_an_aria_label(events):
    svg = timeline_svg(events, "event_type")
    tooltips = re.findall(r"<g[^>]*><title>(E\d+) ·", svg)
    assert sorted(tooltips) == sorted(events["event_id"])
    assert 'role="img"' in svg and "aria-label=" in svg
    assert svg.count('stroke-dasharray="3,2"') == int((events["confirmation"] != "confirmed").sum()) + 1


def test_png_html_carries_the_alt_text(events):
    fig = timeline_figure(events.iloc[:5], "side")
    img = figure_png_html(fig)
    assert img.startswith('<img src="data:image/png;base64,') and "Timeline of 5 event(s)" in img


def test_date_ticks_short_and_long_spans():
    import pandas as pd
    short = date_ticks(pd.Timestamp(2024, 11, 10), pd.Timestamp(2024, 11, 30))
    assert [label for _, label in short] == ["15 Nov 2024", "22 Nov 2024"]
    long = date_ticks(pd.Timestamp(2022, 5, 1), pd.Timestamp(2025, 10, 31))
    assert 3 <= len(long) <= 10 and all(t.day == 1 for t, _ in long)


# --- the timeline widget -------------------------------------------------------------------------------

def test_widget_filters_redraw_and_refill_the_list(events):
    widget = timeline_explorer(events)
    assert len(widget.result.events) == len(events)
    widget.controls["types"].value = ("warning",)
    expected = filter_events(events, types=["warning"])
    assert list(widget.result.events["event_id"]) == list(expected["event_id"])
    assert [v for _, v in widget.event_list.options] == list(expected["event_id"])
    assert f"{len(expected)} of {len(events)} events shown" in widget.display_area.value


def test_widget_date_range_and_country(events):
    widget = timeline_explorer(events)
    options = month_options(events)
    nov = next(v for label, v in options if label == "Nov 2024")
    widget.controls["dates"].value = (nov, nov)
    widget.controls["countries"].value = ("United States",)
    shown = widget.result.events
    assert len(shown) > 0
    assert all(d.startswith("2024-11") for d in shown["date"]) and set(shown["country"]) == {"United States"}


def test_widget_actor_box(events):
    widget = timeline_explorer(events)
    widget.controls["actor"].value = "Ryder"
    assert set(widget.result.events["event_id"]) == set(events[events["actor"].str.contains("Ryder")]["event_id"])


def test_widget_event_list_shows_summary_and_source(events):
    widget = timeline_explorer(events)
    widget.event_list.value = "E25"
    assert "Voice of America" in widget.detail.value and "euromaidanpress.com" in widget.detail.value
    widget.controls["countries"].value = ("Russia",)  # E25 is no longer shown
    assert widget.event_list.value is None and "Pick an event" in widget.detail.value


def test_widget_with_nothing_selected_says_so(events):
    widget = timeline_explorer(events)
    widget.controls["types"].value = ()
    assert len(widget.result.events) == 0 and "No event matches" in widget.display_area.value
    assert widget.event_list.options == ()


def test_every_control_has_a_description(events):
    widget = timeline_explorer(events)
    for control in list(widget.controls.values()) + [widget.event_list]:
        assert control.description


# --- the ladder widget ---------------------------------------------------------------------------------

def test_ladder_widget_explains_each_choice(events):
    widget = ladder_explorer(events)
    assert set(widget.result["agreement"]) == {"not placed"}
    first = next(iter(widget.controls))
    ref = int(widget.result.set_index("event_id").loc[first, "reference_group"])
    widget.controls[first].value = ref
    row = widget.result.set_index("event_id").loc[first]
    assert row["agreement"] == "reference" and "Same group as the reference" in row["explanation"]
    other = 7 if ref != 7 else 1
    widget.controls[first].value = other
    row = widget.result.set_index("event_id").loc[first]
    assert row["agreement"] in {"alternative", "different reading"}
    assert "wrong" not in widget.display_area.value.lower()


# --- no overlapping markers, cut-off note, "as of" control (C3, issue 12) -------------------------------

def _svg_marker_boxes(svg):
    """Each event's bounding box in the SVG: its ring (radius SVG_RING) or its marker (16 px across)."""
    from escalation.timeline import SVG_RING
    boxes = []
    for group in re.findall(r'<g class="event".*?</g></g>', svg):
        x, y = map(float, re.search(r'translate\(([-\d.]+),([-\d.]+)\)', group).groups())
        r = SVG_RING if "stroke-dasharray" in group else 8
        boxes.append((x - r, y - r, x + r, y + r))
    return boxes


@pytest.mark.parametrize("lane", ["country", "side", "event_type"])
def test_svg_markers_never_overlap(events, lane):
    boxes = _svg_marker_boxes(timeline_svg(events, lane))
    assert len(boxes) == len(events)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            overlap = a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5
            assert not overlap, (a, b)


@pytest.mark.parametrize("lane", ["country", "event_type"])
def test_figure_markers_never_overlap_as_drawn(events, lane):
    fig = timeline_figure(events, lane)
    fig.canvas.draw()
    ax = fig.axes[0]
    points = [p for c in scatters(ax, 60) for p in ax.transData.transform(c.get_offsets())]
    radius = (220 ** 0.5) / 2 * fig.dpi / 72  # the ring's radius in pixels
    for i, a in enumerate(points):
        for b in points[i + 1:]:
            assert ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5 >= radius * 1.9, (a, b)


def test_dodge_levels_packs_close_points():
    from escalation.timeline import dodge_levels
    assert dodge_levels([0, 5, 30, 31, 32], 10) == [0, 1, 0, 1, 2]


def test_figure_and_svg_carry_the_cutoff_note_with_readable_text(events):
    from escalation.tables import cutoff_note
    note = cutoff_note("events")
    fig = timeline_figure(events, "country")
    assert note in [t.get_text() for t in fig.texts] and note in plotting.alt_text(fig)
    assert plotting.small_text(fig) == [], plotting.small_text(fig)  # nothing under 10 px at notebook width
    svg = timeline_svg(events, "country", note=note)
    assert note in svg
    assert plotting.svg_text_sizes(svg)[0][0] >= 10


def test_widget_as_of_shows_only_what_was_published(events):
    widget = timeline_explorer(events)
    assert "Data as of" in widget.display_area.value
    widget.controls["as_of"].value = "2024-07-17"
    shown = set(widget.result.events["event_id"])
    assert shown and "E31" not in shown and "E38" not in shown
    assert "Showing only what had been published by 17 July 2024" in widget.display_area.value
    widget.controls["as_of"].value = ""
    assert len(widget.result.events) == len(events)
