"""Tests for escalation.aid: the aid table, releases, changes between releases, plots and bad input."""
import csv
import datetime as dt

import pandas as pd
import pytest

from escalation import aid as aidlib
from escalation import plotting
from escalation.errors import EscalationError
from escalation.paths import data_path
from escalation.aid import KIEL as KIEL_NAME, plot_aid


@pytest.fixture(scope="module")
def aid():
    return aidlib.load_aid()


def raw_rows():
    with open(data_path("aid.csv"), encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_units_match_publishers(aid):
    kiel = aid.loc[aid["publisher"] == aidlib.KIEL]
    sipri = aid.loc[aid["publisher"] == aidlib.SIPRI]
    assert set(kiel["unit"]) == {"EUR bn"}
    assert all("TIV" in u for u in sipri["unit"])
    assert all(aidlib.SIPRI_CREDIT in n for n in sipri["note"])


def test_main_measure_switches_with_the_february_2024_release(aid):
    kiel = aid.loc[aid["publisher"] == aidlib.KIEL]
    before = kiel.loc[kiel["release"] < "2024-02-16", "main_measure_at_release"]
    after = kiel.loc[kiel["release"] >= "2024-02-16", "main_measure_at_release"]
    assert set(before) == {"commitments"} and set(after) == {"allocations"}
    assert aidlib.MEASURE_SWITCH == dt.date(2024, 2, 16)


def test_by_release_reads_the_figures_of_the_csv(aid):
    table = aidlib.by_release(aid, "allocations", "total")
    for row in raw_rows():
        if row["publisher"] == aidlib.KIEL and row["measure"] == "allocations" and row["aid_type"] == "total":
            assert table.loc[row["release_date"], row["donor_group"]] == float(row["figure"])


def test_change_between_releases_and_comparability_flag(aid):
    result = aidlib.change(aid, "kiel_2024_04_us_alloc", "kiel_2024_12_us_alloc")
    assert result["change"] == pytest.approx(88 - 67)
    assert result["percent"] == pytest.approx((88 - 67) / 67 * 100)
    assert result["comparable"]
    mixed = aidlib.change(aid, "kiel_2024_12_us_alloc", "kiel_2024_12_us_commit")
    assert not mixed["comparable"] and mixed["differs_in"] == ["measure"]
    grouping = aidlib.change(aid, "kiel_2023_09_europe_commit", "kiel_2024_02_eu_commit")
    assert "donor_group" in grouping["differs_in"]


def test_share_and_figure_lookup(aid):
    us = aidlib.figure_of(aid, "kiel_2024_12_us_alloc")
    europe = aidlib.figure_of(aid, "kiel_2024_12_europe_alloc")
    assert aidlib.share(us, us + europe) == pytest.approx(88 / 213 * 100)
    with pytest.raises(EscalationError, match="No figure with id"):
        aidlib.figure_of(aid, "kiel_2030")
    with pytest.raises(EscalationError, match="zero"):
        aidlib.share(1, 0)


@pytest.mark.parametrize("measure", aidlib.MEASURES)
def test_plot_aid_is_accessible_and_describes_every_figure(aid, measure):
    fig = aidlib.plot_aid(aid, measure, "total")
    assert plotting.accessibility_problems(fig) == []
    text = plotting.alt_text(fig)
    for figure in aidlib.kiel_figures(aid, measure, "total")["figure"]:
        assert f"{figure:g} bn" in text
    assert "16 February 2024" in text


def test_plot_sipri_keeps_tiv_apart_from_euros(aid):
    fig = aidlib.plot_sipri_shares(aid)
    assert plotting.accessibility_problems(fig) == []
    assert "not money" in plotting.alt_text(fig)
    assert "EUR" not in fig.axes[0].get_xlabel()


@pytest.mark.parametrize("measure, aid_type, words", [
    ("pledges", "total", "not a Kiel measure"), ("commitments", "humanitarian", "not a kind of aid")])
def test_bad_choices_are_explained(aid, measure, aid_type, words):
    with pytest.raises(EscalationError, match=words):
        aidlib.plot_aid(aid, measure, aid_type)


# --- "as of", cut-off note, readable text, too little data (C3, issue 12) -----------------------------

def _smallest_text_px(fig, shown_width=1000):
    """Smallest text as displayed: points at the figure's dpi, scaled down if the image is wider than shown."""
    helper = getattr(plotting, "smallest_text_px", None)
    if helper is not None:
        return helper(fig)
    fig.canvas.draw()
    texts = [t for t in fig.findobj(lambda o: hasattr(o, "get_fontsize") and hasattr(o, "get_text"))
             if t.get_text().strip() and t.get_visible()]
    width = fig.get_figwidth() * fig.dpi
    return min(t.get_fontsize() * fig.dpi / 72 for t in texts) * min(1.0, shown_width / width)


def test_as_of_keeps_releases_published_by_then(aid):
    from escalation.aid import as_of
    shown = as_of(aid, "2024-03-01")
    assert set(shown["release_date"]) <= {d for d in aid["release_date"] if d < "2024-03"}
    assert "kiel_2024_02_eu_alloc" in set(shown["id"]) and "kiel_2024_04_us_alloc" not in set(shown["id"])
    # a month-only release counts from the month's last day
    assert "kiel_2023_09_us_commit" not in set(as_of(aid, "2023-09-15")["id"])
    assert "kiel_2023_09_us_commit" in set(as_of(aid, "2023-09-30")["id"])


def test_sipri_chart_text_is_readable_and_carries_the_cutoff(aid):
    from escalation.tables import cutoff_note
    fig = aidlib.plot_sipri_shares(aid)
    assert plotting.small_text(fig) == [] and cutoff_note("aid") in plotting.alt_text(fig)


@pytest.mark.parametrize("measure,aid_type", [("commitments", "total"), ("allocations", "military")])
def test_aid_chart_text_is_readable_and_carries_the_cutoff(aid, measure, aid_type):
    from escalation.tables import cutoff_note
    fig = plot_aid(aid, measure, aid_type)
    assert _smallest_text_px(fig) >= 10 and plotting.small_text(fig) == []
    texts = [t.get_text() for t in fig.texts]
    assert cutoff_note("aid") in texts and cutoff_note("aid") in plotting.alt_text(fig)


def test_aid_value_labels_do_not_overlap(aid):
    fig = plot_aid(aid, "allocations", "total")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in fig.axes[0].texts if t.get_text()[:1].isdigit()
             or t.get_text().startswith(("about", "more"))]
    assert len(boxes) >= 4
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b), (a, b)


def test_aid_chart_says_when_a_choice_has_too_few_figures(aid):
    one = aid[aid["id"].isin(["kiel_2023_12_us_mil"]) | (aid["publisher"] != KIEL_NAME)]
    fig = plot_aid(one, "commitments", "military")
    assert "too few to show a change over time" in plotting.alt_text(fig)


def test_aid_explorer_as_of_and_spaced_table():
    from escalation.widgets.aid import aid_explorer
    widget = aid_explorer()
    assert "padding:4px 10px" in widget.display_area.value and "Data as of" in widget.display_area.value
    assert "Kiel figures from" in widget.display_area.value  # says what the data hold
    widget.controls["as_of"].value = "2024-03-01"
    assert "As of 01 March 2024" in widget.display_area.value
    widget.controls["measure"].value = "allocations"
    assert widget.message == ""
    widget.controls["as_of"].value = "2023-01-01"
    assert "No Kiel release published by 01 January 2023" in widget.message
    assert all(c.description for c in widget.controls.values())


@pytest.mark.parametrize("measure,aid_type", [("allocations", "military"), ("allocations", "total")])
def test_aid_markers_do_not_overlap_and_undated_releases_are_listed(aid, measure, aid_type):
    # The table's one release known only to the year (Kiel's spring 2025 update) was dated 15 April 2025 in
    # issue 22; a copy with that release back at year precision keeps the listing of undated releases tested.
    aid = aid.copy()
    spring = aid["id"].str.startswith("kiel_2025_spring_")
    assert spring.any() and (aid.loc[spring, "release_date"] == "2025-04-15").all()
    aid.loc[spring, "release_date"], aid.loc[spring, "release_precision"] = "2025", "year"
    aid.loc[spring, "release"] = pd.Timestamp("2025-01-01")
    fig = plot_aid(aid, measure, aid_type)
    fig.canvas.draw()
    ax = fig.axes[0]
    points = [p for line in ax.get_lines() if line.get_marker() not in (None, "None", "")
              for p in ax.transData.transform(line.get_xydata())]
    size_px = 9 * fig.dpi / 72
    for i, a in enumerate(points):
        for b in points[i + 1:]:
            assert max(abs(a[0] - b[0]), abs(a[1] - b[1])) >= size_px * 0.9, (a, b)
    # releases known only to the year cannot go on a time axis: listed under the chart and in the alt text
    assert any(t.get_text().startswith("Not drawn (release known only to the year)") for t in fig.texts)
    assert "Not drawn" in plotting.alt_text(fig)


def test_aid_chart_legend_fits_inside_the_figure():
    """The longest donor group ('EU and member states') was cut off at the right edge."""
    for measure in ("commitments", "allocations"):
        for aid_type in ("total", "military"):
            try:
                fig = aidlib.plot_aid(aidlib.load_aid(), measure, aid_type)
            except Exception:  # noqa: BLE001 - a choice without figures says so instead of drawing
                continue
            fig.canvas.draw()
            legend = fig.axes[0].get_legend().get_window_extent(fig.canvas.get_renderer())
            assert legend.x1 <= fig.bbox.x1 and legend.x0 >= 0, (measure, aid_type, legend)
