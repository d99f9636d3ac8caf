"""Distances, bearings, range rings and "which places are in reach" on a spherical Earth.

The Earth is treated as a sphere of mean radius 6,371.0088 km (IUGG). Against the WGS84 ellipsoid this
is off by at most about half a per cent, far less than the spread between the range figures that
sources give for one weapon. A range ring is the set of points at one great-circle distance from a
launch point: the furthest a weapon could reach *if* it flew straight from there, which real missiles
(routes around air defences, launch aircraft that move) do not have to do.

All functions accept numpy arrays, so reach for a thousand places is one vectorised computation.
"""
from __future__ import annotations

import difflib

import numpy as np
import pandas as pd

from .errors import EscalationError
from .tables import load_table

EARTH_RADIUS_KM = 6371.0088
# Above this a "range" is not a weapon range in this module: it would not fit the regional map.
MAX_RANGE_KM = 5000.0


def check_latlon(lat, lon, what: str = "The point") -> None:
    """Raise EscalationError unless latitude is in [-90, 90] and longitude in [-180, 180]."""
    lat_a, lon_a = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    if not (np.all(np.isfinite(lat_a)) and np.all(np.isfinite(lon_a))):
        raise EscalationError(f"{what} needs numbers for latitude and longitude, e.g. 50.45 and 30.52 for Kyiv.")
    if np.any(np.abs(lat_a) > 90):
        raise EscalationError(f"{what}: latitude {_first_bad(lat_a, 90)} is out of range. Latitude runs from "
                              "-90 (South Pole) to 90 (North Pole); Kyiv is at about 50.45.")
    if np.any(np.abs(lon_a) > 180):
        raise EscalationError(f"{what}: longitude {_first_bad(lon_a, 180)} is out of range. Longitude runs from "
                              "-180 to 180 (east is positive); Kyiv is at about 30.52.")


def _first_bad(values: np.ndarray, limit: float) -> str:
    flat = np.atleast_1d(values)
    return f"{flat[np.abs(flat) > limit][0]:g}"


def check_range(radius_km, what: str = "The range") -> float:
    """Return the range as a float, or raise EscalationError for a negative, missing or absurd value."""
    try:
        value = float(radius_km)
    except (TypeError, ValueError):
        raise EscalationError(f"{what} must be a number of kilometres, e.g. 300; got {radius_km!r}.") from None
    if not np.isfinite(value):
        raise EscalationError(f"{what} must be a finite number of kilometres, e.g. 300.")
    if value < 0:
        raise EscalationError(f"{what} cannot be negative ({value:g} km). Give a distance in km, e.g. 300.")
    if value > MAX_RANGE_KM:
        raise EscalationError(f"{what} of {value:,.0f} km is beyond this module's maps (at most "
                              f"{MAX_RANGE_KM:,.0f} km). Check the unit: ranges here are in kilometres.")
    return value


def distance_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km between points (degrees); arrays broadcast (haversine formula)."""
    check_latlon(lat1, lon1, "The first point")
    check_latlon(lat2, lon2, "The second point")
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    h = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    d = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return float(d) if np.ndim(d) == 0 else d


def initial_bearing_deg(lat1, lon1, lat2, lon2):
    """Compass bearing (0 = north, 90 = east) at the first point of the great circle to the second."""
    check_latlon(lat1, lon1, "The first point")
    check_latlon(lat2, lon2, "The second point")
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlmb = np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    y = np.sin(dlmb) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dlmb)
    b = np.degrees(np.arctan2(y, x)) % 360.0
    return float(b) if np.ndim(b) == 0 else b


def destination(lat, lon, bearing_deg, distance):
    """The point reached from (lat, lon) after `distance` km along a great circle at the given bearing."""
    check_latlon(lat, lon, "The start point")
    p1, l1 = np.radians(lat), np.radians(lon)
    theta = np.radians(bearing_deg)
    delta = np.asarray(distance, dtype=float) / EARTH_RADIUS_KM
    p2 = np.arcsin(np.sin(p1) * np.cos(delta) + np.cos(p1) * np.sin(delta) * np.cos(theta))
    l2 = l1 + np.arctan2(np.sin(theta) * np.sin(delta) * np.cos(p1), np.cos(delta) - np.sin(p1) * np.sin(p2))
    lon2 = (np.degrees(l2) + 540.0) % 360.0 - 180.0
    return np.degrees(p2), lon2


def range_ring(lat, lon, radius_km, points: int = 181) -> tuple[np.ndarray, np.ndarray]:
    """Latitudes and longitudes of the geodesic circle of `radius_km` around a point (closed ring)."""
    check_latlon(lat, lon, "The launch point")
    radius = check_range(radius_km)
    bearings = np.linspace(0.0, 360.0, int(points))
    return destination(lat, lon, bearings, radius)


def load_places() -> pd.DataFrame:
    """The places table (data/places.csv), validated."""
    return load_table("places")


def _name_index(places: pd.DataFrame) -> dict[str, str]:
    index = {}
    for name, variants in zip(places["name"], places.get("name_variants", pd.Series([""] * len(places)))):
        index[name.casefold()] = name
        for variant in str(variants or "").split(";"):
            if variant.strip():
                index.setdefault(variant.strip().casefold(), name)
    return index


def find_place(places: pd.DataFrame, name: str) -> pd.Series:
    """The row of a place by name or spelling variant (case ignored); unknown names get suggestions."""
    if not isinstance(name, str) or not name.strip():
        raise EscalationError("Give a place name, e.g. 'Kharkiv', or a latitude and longitude.")
    index = _name_index(places)
    key = name.strip().casefold()
    if key not in index:
        close = difflib.get_close_matches(key, list(index), n=3, cutoff=0.6)
        hint = f" Did you mean {', '.join(repr(index[c]) for c in close)}?" if close else ""
        raise EscalationError(f"'{name}' is not in the places table.{hint} Known places include "
                              f"{', '.join(sorted(places['name'])[:8])} … (see data/places.csv), "
                              "or give a latitude and longitude instead.")
    return places.loc[places["name"] == index[key]].iloc[0]


def launch_point(places: pd.DataFrame, point) -> tuple[str, float, float]:
    """Resolve a launch point given as a place name or a (lat, lon) pair into (label, lat, lon)."""
    if isinstance(point, str):
        row = find_place(places, point)
        return row["name"], float(row["latitude"]), float(row["longitude"])
    try:
        lat, lon = (float(v) for v in point)
    except (TypeError, ValueError):
        raise EscalationError("A launch point is a place name such as 'Sumy' or a pair (latitude, longitude) "
                              f"such as (50.9, 34.8); got {point!r}.") from None
    check_latlon(lat, lon, "The launch point")
    return f"{abs(lat):.2f}° {'N' if lat >= 0 else 'S'}, {abs(lon):.2f}° {'E' if lon >= 0 else 'W'}", lat, lon


def places_within(places: pd.DataFrame, lat: float, lon: float, radius_km: float) -> pd.DataFrame:
    """Places no further than `radius_km` from (lat, lon), nearest first, with distance and bearing.

    A place exactly on the ring counts as inside. Returns the place columns plus distance_km and
    bearing_deg; an empty table when nothing is in reach.
    """
    check_latlon(lat, lon, "The launch point")
    radius = check_range(radius_km)
    lats = places["latitude"].to_numpy(dtype=float)
    lons = places["longitude"].to_numpy(dtype=float)
    dist = np.atleast_1d(distance_km(lat, lon, lats, lons))
    inside = dist <= radius + 1e-9
    out = places.loc[inside].copy()
    out["distance_km"] = dist[inside]
    out["bearing_deg"] = np.atleast_1d(initial_bearing_deg(lat, lon, lats[inside], lons[inside])) if inside.any() else []
    return out.sort_values(["distance_km", "name"]).reset_index(drop=True)


def compass_point(bearing_deg: float) -> str:
    """The 8-point compass direction of a bearing (N, NE, E …), for plain-language descriptions."""
    names = ["N", "NE", "E", "SE", "S", "SW", "W", "NW"]
    return names[int(((bearing_deg % 360) + 22.5) // 45) % 8]


def load_weapons() -> pd.DataFrame:
    """The weapons table (data/weapons.csv): one row per reported range figure."""
    return load_table("weapons")


def weapon_ranges(weapons: pd.DataFrame) -> pd.DataFrame:
    """One row per weapon_id: the lowest and highest reported figure, how many figures, and a label.

    `low_km` is the smallest figure any source gives and `high_km` the largest, so the pair shows how
    far the sources disagree; neither is an average.
    """
    if weapons.empty:
        raise EscalationError("The weapons table is empty: there are no range figures to summarise.")
    grouped = weapons.groupby("weapon_id", sort=False)
    out = pd.DataFrame({
        "system": grouped["system"].first(),
        "variant": grouped["variant"].first(),
        "low_km": grouped["range_km_low"].min(),
        "high_km": grouped["range_km_high"].max(),
        "figures": grouped.size(),
        "supplied_to_ukraine": grouped["supplied_to_ukraine"].agg(lambda s: "yes" if (s == "yes").any() else "no"),
    })
    out["label"] = [_range_label(row.system, row.low_km, row.high_km, wid)
                    for wid, row in out.iterrows()]
    return out.sort_values(["low_km", "high_km"]).rename_axis("weapon_id")


def _range_label(system: str, low: float, high: float, weapon_id: str) -> str:
    name = {"atacms_165": "ATACMS (shorter-range version)", "atacms_300": "ATACMS (longer-range version)",
            "gmlrs": "GMLRS rockets (HIMARS)"}.get(weapon_id, system)
    span = f"{low:,.0f} km" if low == high else f"{low:,.0f}–{high:,.0f} km"
    return f"{name}, {span}"


def range_ratio(weapons: pd.DataFrame, numerator: str, denominator: str) -> dict:
    """How many times further one weapon reaches than another, across all reported figures.

    Returns the smallest ratio (lowest figure of `numerator` over highest of `denominator`), the largest
    (highest over lowest) and the ratio of the median figures. A claim such as "roughly four times"
    holds if it sits inside [low, high].
    """
    known = set(weapons["weapon_id"])
    for wid in (numerator, denominator):
        if wid not in known:
            raise EscalationError(f"No weapon with weapon_id '{wid}' in the weapons table. "
                                  f"Known ids: {', '.join(sorted(known))}.")
    top = weapons.loc[weapons["weapon_id"] == numerator, ["range_km_low", "range_km_high"]]
    bottom = weapons.loc[weapons["weapon_id"] == denominator, ["range_km_low", "range_km_high"]]
    top_mid = float(np.median(top.to_numpy()))
    bottom_mid = float(np.median(bottom.to_numpy()))
    return {
        "low": float(top["range_km_low"].min() / bottom["range_km_high"].max()),
        "median": top_mid / bottom_mid,
        "high": float(top["range_km_high"].max() / bottom["range_km_low"].min()),
    }
