"""The range explorer: pick a launch point, tick weapons or type a custom range; see what is in reach."""
from __future__ import annotations

import base64
import html
from functools import partial

import ipywidgets as widgets
import pandas as pd

from .. import geo, maps
from ..errors import EscalationError
from .base import Explorer

CUSTOM = "custom"
STYLE_WORDS = {"-": "solid", "--": "dashed", "-.": "dash-dot", ":": "dotted"}
DASHES = {"-": "none", "--": "8 4", "-.": "8 3 2 3", ":": "2 3"}


def chosen_rings(summary: pd.DataFrame, ticked: list[str], custom_km: float) -> list[maps.Ring]:
    """Rings for the ticked weapon ids (in table order) and the custom range; a clear error if none."""
    rings = [maps.Ring(summary.loc[wid, "label"], float(summary.loc[wid, "low_km"]), float(summary.loc[wid, "high_km"]))
             for wid in summary.index if wid in ticked]
    custom = geo.check_range(custom_km, "The custom range")
    if custom > 0:
        rings.append(maps.Ring(f"Custom range, {custom:,.0f} km", custom, custom))
    if not rings:
        raise EscalationError("No weapon ticked and the custom range is 0 km: tick at least one weapon, "
                              "or type a custom range above 0.")
    return rings


def reach_html(rings: list[maps.Ring], reach: pd.DataFrame) -> str:
    """Per ring, the places in reach with distance and direction, as an HTML list."""
    grouped = maps.rows_by_ring(reach)
    items = []
    for ring in rings:
        rows = grouped.get(ring.label, [])
        if not rows:
            items.append(f"<li><strong>{html.escape(ring.label)}</strong>: no listed place in reach.</li>")
            continue
        entries = []
        for row in rows:
            flag = "" if row["within"] == "within every figure" else " (only at the highest figure)"
            where = ("launch point" if row["distance_km"] < 0.5
                     else f"{row['distance_km']:,.0f} km {geo.compass_point(row['bearing_deg'])}")
            entries.append(f"{html.escape(row['name'])} {where}{flag}")
        items.append(f"<li><strong>{html.escape(ring.label)}</strong>: {'; '.join(entries)}</li>")
    return "<ul>" + "".join(items) + "</ul>"


def range_view(renderer: maps.RangeMapRenderer, summary: pd.DataFrame, launch: str, latitude: float,
               longitude: float, custom_km: float, **ticks) -> tuple[str, dict]:
    """Compute and draw one state of the explorer: (html, result) with the map, reach table and alt text."""
    ticked = [key[2:] for key, on in ticks.items() if key.startswith("w_") and on]
    rings = chosen_rings(summary, ticked, custom_km)
    point = (latitude, longitude) if launch == CUSTOM else launch
    out = renderer.render(point, rings)
    label = out["launch"][0]
    png = base64.b64encode(out["png"]).decode("ascii")
    legend = "".join(
        f'<li><svg width="36" height="8" aria-hidden="true"><line x1="0" y1="4" x2="36" y2="4" stroke="{colour}" '
        f'stroke-width="3" stroke-dasharray="{DASHES[style]}"/></svg> {html.escape(text)} — {STYLE_WORDS[style]} line'
        + (" at the lowest figure, thin dotted line at the highest" if spread else "") + "</li>"
        for text, colour, style, spread in out["legend"])
    where = (f"</strong>. {html.escape(out['outside'])}" if out.get("outside")
             else "</strong> (★ on the map).")
    shown = (f"<p><strong>From {html.escape(label)}{where} {len(set(out['reach']['name']))} "
             f"listed place(s) in reach of at least one ring.</p>"
             f'<img src="data:image/png;base64,{png}" alt="{html.escape(out["alt_text"], quote=True)}" '
             'style="width:100%; max-width:720px">'
             f"<p>Key:</p><ul>{legend}</ul><p>In reach (straight-line distance and direction from the launch "
             f"point):</p>{reach_html(rings, out['reach'])}"
             f"<p><em>{html.escape(maps.BORDERS_NOTE)} A ring is a straight-line distance: it says what a "
             "weapon could reach from this point, not what it would or may be used against.</em></p>")
    return shown, out


def range_explorer(places: pd.DataFrame | None = None, weapons: pd.DataFrame | None = None,
                   launch: str = "Kharkiv", ticked: tuple[str, ...] = ("gmlrs", "atacms_300")) -> Explorer:
    """The range explorer widget: launch point (place or latitude/longitude), weapons, custom range."""
    places = places if places is not None else geo.load_places()
    weapons = weapons if weapons is not None else geo.load_weapons()
    summary = geo.weapon_ranges(weapons)
    renderer = maps.RangeMapRenderer(places)
    wide = {"description_width": "initial"}
    controls = {
        "launch": widgets.Dropdown(
            options=[("Custom point (latitude and longitude below)", CUSTOM)] + [(n, n) for n in sorted(places["name"])],
            value=launch, description="Launch point", style=wide),
        "latitude": widgets.FloatText(value=50.0, step=0.1, description="Latitude (° N, custom point)", style=wide),
        "longitude": widgets.FloatText(value=36.0, step=0.1, description="Longitude (° E, custom point)", style=wide),
        # a number box, not a slider: ipywidgets gives a slider's handle no accessible name (axe)
        "custom_km": widgets.BoundedIntText(value=0, min=0, max=1000, step=10, description="Custom range (km, 0 = off)",
                                            style=wide, continuous_update=True),
    }
    for wid, row in summary.iterrows():
        controls[f"w_{wid}"] = widgets.Checkbox(value=wid in ticked, description=row["label"], indent=False,
                                                layout=widgets.Layout(width="auto"))
    return Explorer(controls, partial(range_view, renderer, summary),
                    title="Range explorer: what lies within reach of a launch point?",
                    purpose="pick a launch point, tick weapons or type a custom range, and see which places "
                            "lie within reach", notebook="02")
