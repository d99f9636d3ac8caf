"""Tests for escalation.geo: distances, bearings, rings, reach, weapon ranges and bad input."""
import csv

import numpy as np
import pytest

from escalation import geo
from escalation.errors import EscalationError
from escalation.paths import data_path

# Reference distances (km) and initial azimuths (degrees) on the WGS84 ellipsoid, computed independently
# of this package with GeographicLib 2.1 (Karney's algorithms): Geodesic.WGS84.Inverse(lat1, lon1, lat2, lon2).
# Coordinates are GeoNames' points for the cities (as in data/places.csv).
REFERENCE = [
    ((50.45466, 30.5238), (55.75204, 37.61781), 756.373, 36.071),    # Kyiv – Moscow
    ((49.98177, 36.25475), (50.60343, 36.58091), 72.951, 18.453),    # Kharkiv – Belgorod
    ((50.91741, 34.79906), (51.72689, 36.18457), 132.053, 46.463),   # Sumy – Kursk
    ((50.45466, 30.5238), (44.60795, 33.52134), 687.963, 159.733),   # Kyiv – Sevastopol
    ((49.83826, 24.02324), (47.21997, 39.70769), 1192.018, 98.128),  # Lviv – Rostov-on-Don
    ((51.5074, -0.1278), (40.7128, -74.0060), 5585.234, 288.369),    # London – New York
    ((0.0, 0.0), (0.0, 90.0), 10018.754, 90.0),                      # a quarter of the equator
]


@pytest.mark.parametrize("a, b, km, azimuth", REFERENCE)
def test_distance_matches_ellipsoidal_reference_within_half_a_percent(a, b, km, azimuth):
    assert geo.distance_km(*a, *b) == pytest.approx(km, rel=0.005)


@pytest.mark.parametrize("a, b, km, azimuth", REFERENCE)
def test_initial_bearing_matches_reference_azimuth(a, b, km, azimuth):
    bearing = geo.initial_bearing_deg(*a, *b)
    assert abs((bearing - azimuth + 180) % 360 - 180) < 0.5


def test_distances_agree_with_geographiclib_on_random_pairs_in_the_region():
    geodesic = pytest.importorskip("geographiclib.geodesic").Geodesic.WGS84
    rng = np.random.default_rng(8)
    lat1, lat2 = rng.uniform(42, 58, 200), rng.uniform(42, 58, 200)
    lon1, lon2 = rng.uniform(20, 50, 200), rng.uniform(20, 50, 200)
    ours = geo.distance_km(lat1, lon1, lat2, lon2)
    ref = np.array([geodesic.Inverse(*args)["s12"] / 1000 for args in zip(lat1, lon1, lat2, lon2)])
    keep = ref > 1
    assert np.all(np.abs(ours[keep] / ref[keep] - 1) < 0.005)


def test_distance_is_symmetric_and_zero_for_the_same_point():
    assert geo.distance_km(50, 30, 55, 37) == pytest.approx(geo.distance_km(55, 37, 50, 30))
    assert geo.distance_km(50.4, 30.5, 50.4, 30.5) == 0


def test_range_ring_points_lie_at_the_radius_per_geographiclib():
    geodesic = pytest.importorskip("geographiclib.geodesic").Geodesic.WGS84
    lats, lons = geo.range_ring(50.0, 36.25, 300)
    assert lats.shape == lons.shape == (181,)
    assert lats[0] == pytest.approx(lats[-1]) and lons[0] == pytest.approx(lons[-1])
    for la, lo in zip(lats[::15], lons[::15]):
        assert geodesic.Inverse(50.0, 36.25, la, lo)["s12"] / 1000 == pytest.approx(300, rel=0.005)


def test_ring_goes_north_first():
    lats, lons = geo.range_ring(50.0, 36.0, 111.2)
    assert lats[0] == pytest.approx(51.0, abs=0.01) and lons[0] == pytest.approx(36.0, abs=1e-6)


def test_places_within_sorted_with_boundary_included():
    places = geo.load_places()
    kharkiv = geo.find_place(places, "Kharkiv")
    d = geo.distance_km(kharkiv.latitude, kharkiv.longitude, 50.60343, 36.58091)
    near = geo.places_within(places, kharkiv.latitude, kharkiv.longitude, d)
    assert list(near["name"][:2]) == ["Kharkiv", "Belgorod"]
    assert near["distance_km"].is_monotonic_increasing
    assert "Belgorod" not in set(geo.places_within(places, kharkiv.latitude, kharkiv.longitude, d - 1)["name"])


def test_places_within_agrees_with_one_by_one_distances_for_many_points():
    rng = np.random.default_rng(1)
    import pandas as pd
    many = pd.DataFrame({"name": [f"p{i:04d}" for i in range(1000)], "latitude": rng.uniform(44, 56, 1000),
                         "longitude": rng.uniform(22, 46, 1000)})
    near = geo.places_within(many, 50.0, 36.0, 300)
    expected = {n for n, la, lo in zip(many["name"], many["latitude"], many["longitude"])
                if geo.distance_km(50.0, 36.0, la, lo) <= 300}
    assert set(near["name"]) == expected and len(expected) > 0


def test_places_within_can_be_empty():
    near = geo.places_within(geo.load_places(), -10.0, -20.0, 100)
    assert near.empty and {"distance_km", "bearing_deg"} <= set(near.columns)
    assert geo.launch_point(geo.load_places(), (-10.0, -20.0))[0] == "10.00° S, 20.00° W"


def test_place_lookup_by_variant_and_case():
    places = geo.load_places()
    assert geo.find_place(places, "kharkov")["name"] == "Kharkiv"
    assert geo.launch_point(places, "Kiev")[0] == "Kyiv"
    label, lat, lon = geo.launch_point(places, (50.9, 34.8))
    assert (lat, lon) == (50.9, 34.8) and "50.90" in label


@pytest.mark.parametrize("call, words", [
    (lambda: geo.distance_km(95, 30, 50, 30), "latitude 95"),
    (lambda: geo.distance_km(50, 200, 50, 30), "longitude 200"),
    (lambda: geo.range_ring(50, 30, -5), "cannot be negative"),
    (lambda: geo.range_ring(50, 30, 40000), "beyond this module"),
    (lambda: geo.range_ring(50, 30, "far"), "number of kilometres"),
    (lambda: geo.places_within(geo.load_places(), 50, 30, float("nan")), "finite"),
    (lambda: geo.find_place(geo.load_places(), "Kharkiw"), "Did you mean 'Kharkiv'"),
    (lambda: geo.find_place(geo.load_places(), "Atlantis"), "not in the places table"),
    (lambda: geo.launch_point(geo.load_places(), (1, 2, 3)), "latitude, longitude"),
])
def test_bad_input_gives_a_helpful_value_error(call, words):
    with pytest.raises(EscalationError, match=words) as info:
        call()
    assert isinstance(info.value, ValueError)


def read_weapon_rows():
    with open(data_path("weapons.csv"), encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_weapon_ranges_keep_the_spread_of_the_sources():
    rows = read_weapon_rows()
    summary = geo.weapon_ranges(geo.load_weapons())
    for wid in {r["weapon_id"] for r in rows}:
        lows = [float(r["range_km_low"]) for r in rows if r["weapon_id"] == wid]
        highs = [float(r["range_km_high"]) for r in rows if r["weapon_id"] == wid]
        assert summary.loc[wid, "low_km"] == min(lows) and summary.loc[wid, "high_km"] == max(highs)
    assert summary.loc["storm_shadow", "high_km"] > summary.loc["storm_shadow", "low_km"]


def test_range_ratio_bounds_follow_from_the_table():
    rows = read_weapon_rows()
    atacms = [float(r["range_km_low"]) for r in rows if r["weapon_id"] == "atacms_300"]
    gmlrs = [float(r["range_km_high"]) for r in rows if r["weapon_id"] == "gmlrs"]
    ratio = geo.range_ratio(geo.load_weapons(), "atacms_300", "gmlrs")
    assert ratio["low"] == pytest.approx(min(atacms) / max(gmlrs))
    assert ratio["low"] <= ratio["median"] <= ratio["high"]
    with pytest.raises(EscalationError, match="Known ids"):
        geo.range_ratio(geo.load_weapons(), "tomahawk", "gmlrs")


def test_compass_points():
    assert [geo.compass_point(b) for b in (0, 44, 46, 180, 350)] == ["N", "NE", "NE", "S", "N"]
