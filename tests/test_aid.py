"""Tests for escalation.aid: the aid table, releases, changes between releases, plots and bad input."""
import csv
import datetime as dt

import pytest

from escalation import aid as aidlib
from escalation import plotting
from escalation.errors import EscalationError
from escalation.paths import data_path


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
