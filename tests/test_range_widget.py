"""Tests for the range explorer and aid explorer widgets, driven as a student would (setting values)."""
import pytest

from escalation import geo
from escalation.widgets.aid import aid_explorer
from escalation.widgets.range import CUSTOM, range_explorer


@pytest.fixture(scope="module")
def explorer():
    return range_explorer()


def test_starts_with_a_map_and_the_places_in_reach(explorer):
    assert explorer.message == ""
    assert "data:image/png;base64," in explorer.display_area.value
    assert 'alt="Map of the region' in explorer.display_area.value
    places = geo.load_places()
    expected = set(geo.places_within(places, *geo.launch_point(places, "Kharkiv")[1:], 306)["name"])
    assert set(explorer.result["reach"]["name"]) == expected


def test_new_launch_point_updates_the_result(explorer):
    explorer.controls["launch"].value = "Odesa"
    assert explorer.result["launch"][0] == "Odesa"
    assert "From Odesa" in explorer.display_area.value
    explorer.controls["launch"].value = "Kharkiv"


def test_custom_point_and_custom_range(explorer):
    explorer.controls["launch"].value = CUSTOM
    explorer.controls["latitude"].value = 50.9
    explorer.controls["longitude"].value = 34.8
    explorer.controls["custom_km"].value = 150
    assert explorer.result["launch"][1:] == (50.9, 34.8)
    custom = explorer.result["reach"].loc[explorer.result["reach"]["ring"].str.startswith("Custom")]
    assert set(custom["name"]) == set(geo.places_within(geo.load_places(), 50.9, 34.8, 150)["name"])
    explorer.controls["custom_km"].value = 0
    explorer.controls["launch"].value = "Kharkiv"


def test_bad_latitude_shows_a_message_not_a_traceback(explorer):
    explorer.controls["launch"].value = CUSTOM
    explorer.controls["latitude"].value = 123
    assert "latitude 123 is out of range" in explorer.message
    assert "Check your input" in explorer.display_area.value and explorer.result is None
    explorer.controls["latitude"].value = 50.0
    assert explorer.message == ""
    explorer.controls["launch"].value = "Kharkiv"


def test_empty_weapon_selection_is_explained(explorer):
    ticked = [k for k, c in explorer.controls.items() if k.startswith("w_") and c.value]
    for key in ticked:
        explorer.controls[key].value = False
    assert "tick at least one weapon" in explorer.message
    explorer.controls["w_taurus"].value = True
    assert explorer.message == "" and explorer.result["legend"][0][0].startswith("Taurus")
    explorer.controls["w_taurus"].value = False
    for key in ticked:
        explorer.controls[key].value = True


def test_every_control_has_a_description(explorer):
    assert all(c.description for c in explorer.controls.values())


def test_aid_explorer_switches_measure():
    widget = aid_explorer()
    assert "committed" in widget.result.axes[0].get_title()
    widget.controls["measure"].value = "allocations"
    assert "allocated" in widget.result.axes[0].get_title()
    assert "<table>" in widget.display_area.value and widget.message == ""


def test_custom_point_off_the_map_is_not_claimed_to_be_on_it(explorer):
    explorer.controls["launch"].value = "custom"
    explorer.controls["latitude"].value = 40.0
    explorer.controls["longitude"].value = 60.0
    shown = explorer.display_area.value
    assert "This point is outside the map area" in shown and "★ on the map" not in shown
    explorer.controls["launch"].value = "Kharkiv"
    assert "★ on the map" in explorer.display_area.value
