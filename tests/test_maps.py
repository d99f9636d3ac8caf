"""Tests for escalation.maps: the outline's borders, reach tables, the map figure and the fast renderer."""
import pytest
from matplotlib.path import Path

from escalation import geo, maps, plotting
from escalation.errors import EscalationError


def country_contains(name, lon, lat):
    for country, rings in maps.load_outline():
        if country == name and any(Path(r).contains_point((lon, lat)) for r in rings):
            return True
    return False


@pytest.mark.parametrize("place", ["Simferopol", "Sevastopol", "Kerch", "Donetsk", "Luhansk", "Melitopol"])
def test_outline_draws_internationally_recognised_borders(place):
    row = geo.find_place(geo.load_places(), place)
    assert country_contains("Ukraine", row.longitude, row.latitude)
    assert not country_contains("Russia", row.longitude, row.latitude)


def test_outline_puts_russian_cities_in_russia():
    for place in ("Belgorod", "Rostov-on-Don", "Moscow"):
        row = geo.find_place(geo.load_places(), place)
        assert country_contains("Russia", row.longitude, row.latitude)


def test_reach_table_separates_lowest_and_highest_figures():
    places = geo.load_places()
    kharkiv = geo.find_place(places, "Kharkiv")
    belgorod_km = geo.distance_km(kharkiv.latitude, kharkiv.longitude, *geo.launch_point(places, "Belgorod")[1:])
    ring = maps.Ring("test", belgorod_km - 5, belgorod_km + 5)
    reach = maps.reach_table(places, kharkiv.latitude, kharkiv.longitude, [ring])
    within = dict(zip(reach["name"], reach["within"]))
    assert within["Kharkiv"] == "within every figure"
    assert within["Belgorod"] == "only within the highest figure"
    assert reach["distance_km"].is_monotonic_increasing


def test_reach_table_matches_places_within_for_each_ring():
    places = geo.load_places()
    rings = maps.rings_for(["gmlrs", "atacms_300"], geo.load_weapons(), custom_km=450)
    reach = maps.reach_table(places, 50.9, 34.8, rings)
    for ring in rings:
        expected = set(geo.places_within(places, 50.9, 34.8, ring.high_km)["name"])
        assert set(reach.loc[reach["ring"] == ring.label, "name"]) == expected


def test_map_figure_has_title_labels_and_alt_text_listing_places_in_reach():
    places = geo.load_places()
    rings = maps.rings_for(["atacms_300"], geo.load_weapons())
    fig = maps.plot_range_map(places, "Kharkiv", rings)
    assert plotting.accessibility_problems(fig) == []
    alt = plotting.alt_text(fig)
    for name in geo.places_within(places, *geo.launch_point(places, "Kharkiv")[1:], rings[0].low_km)["name"]:
        assert name in alt
    assert "internationally recognised" in alt
    assert len(fig.axes[0].get_legend().get_texts()) == 4  # launch point, one ring, in reach, out of reach


def test_rings_for_rejects_empty_and_unknown_choices():
    weapons = geo.load_weapons()
    with pytest.raises(EscalationError, match="tick at least one weapon"):
        maps.rings_for([], weapons)
    with pytest.raises(EscalationError, match="No weapon 'tomahawk'"):
        maps.rings_for(["tomahawk"], weapons)
    with pytest.raises(EscalationError, match="cannot be negative"):
        maps.rings_for(["gmlrs"], weapons, custom_km=-1)


def test_renderer_returns_png_and_restores_its_background():
    places = geo.load_places()
    renderer = maps.RangeMapRenderer(places)
    rings = maps.rings_for(["gmlrs", "storm_shadow"], geo.load_weapons())
    first = renderer.render("Sumy", rings)
    assert first["png"][:8] == b"\x89PNG\r\n\x1a\n"
    renderer.render("Odesa", maps.rings_for(["taurus"], geo.load_weapons()))
    again = renderer.render("Sumy", rings)
    assert again["png"] == first["png"]  # nothing from the Odesa drawing is left behind
    assert all(line.get_animated() for line in renderer.ax.lines) and "Sumy" in again["alt_text"]
    assert [entry[0] for entry in again["legend"]] == [r.label for r in rings]


def test_renderer_bad_launch_point_raises():
    renderer = maps.RangeMapRenderer(geo.load_places())
    with pytest.raises(EscalationError, match="latitude 91"):
        renderer.render((91, 30), [maps.Ring("x", 10, 10)])


def test_map_extent_stays_inside_the_outline():
    west, east, south, north = maps.map_extent(50, 36, 4000)
    w0, s0, e0, n0 = maps.outline_bounds()
    assert w0 <= west < east <= e0 and s0 <= south < north <= n0


def test_describe_reach_mentions_rings_without_places():
    text = maps.describe_reach("Lviv", [maps.Ring("Tiny, 1 km", 1, 1)], maps.reach_table(
        geo.load_places(), 10.0, 10.0, [maps.Ring("Tiny, 1 km", 1, 1)]))
    assert "no listed place" in text


@pytest.mark.parametrize("launch, weapons", [("Sumy", ["glsdb", "atacms_300", "taurus"]),
                                             ("Kharkiv", ["gmlrs", "atacms_300"]),
                                             ("Bryansk", ["atacms_300"]), ("Rostov-on-Don", ["storm_shadow"])])
def test_map_labels_every_place_shown_without_overlaps(launch, weapons):
    places = geo.load_places()
    fig = maps.plot_range_map(places, launch, maps.rings_for(weapons, geo.load_weapons()))
    ax = fig.axes[0]
    labelled = {label.place_name for label in fig.place_labels}
    assert ax.unlabelled == [] and launch in labelled
    assert maps.label_overlaps(fig, fig.place_labels, fig.marker_boxes) == []
    # the boxes are the rendered ones: moving a label onto its neighbour is detected
    names = {label.place_name: label for label in fig.place_labels}
    if {"Taganrog", "Rostov-on-Don"} <= set(names):
        names["Taganrog"].xy = names["Rostov-on-Don"].xy
        names["Taganrog"].set_position(names["Rostov-on-Don"].get_position())
        names["Taganrog"].set_horizontalalignment(names["Rostov-on-Don"].get_horizontalalignment())
        names["Taganrog"].set_verticalalignment(names["Rostov-on-Don"].get_verticalalignment())
        assert maps.label_overlaps(fig, fig.place_labels, fig.marker_boxes) != []


def test_explorer_map_labels_do_not_overlap_each_other_or_any_possible_star():
    renderer = maps.RangeMapRenderer(geo.load_places())
    assert renderer.ax.unlabelled == []
    assert maps.label_overlaps(renderer.fig, renderer.labels, renderer.marker_boxes) == []
    assert {"Bryansk", "Karachev", "Oryol", "Taganrog", "Rostov-on-Don", "Kharkiv"} <= {
        label.place_name for label in renderer.labels}


def test_launch_point_outside_the_map_says_so():
    places, weapons = geo.load_places(), geo.load_weapons()
    fig = maps.plot_range_map(places, (60.0, 10.0), maps.rings_for(["taurus"], weapons))
    assert fig.outside.startswith("This point is outside the map area: 60.00° N, 10.00° E")
    assert "outside the map area" in plotting.alt_text(fig)
    renderer = maps.RangeMapRenderer(places)
    out = renderer.render((40.0, 60.0), maps.rings_for(["taurus"], weapons))
    assert out["outside"].startswith("This point is outside the map area")
    assert renderer.render("Kharkiv", maps.rings_for(["taurus"], weapons))["outside"] == ""


def test_maps_state_the_weapons_data_cut_off():
    from escalation.tables import cutoff_note
    note = cutoff_note("weapons")
    fig = maps.plot_range_map(geo.load_places(), "Sumy", maps.rings_for(["taurus"], geo.load_weapons()))
    assert note in plotting.alt_text(fig)
    assert any(note in t.get_text() for t in fig.texts)
    renderer = maps.RangeMapRenderer(geo.load_places())
    assert note in renderer.render("Sumy", maps.rings_for(["taurus"], geo.load_weapons()))["alt_text"]
