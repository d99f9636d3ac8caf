"""Range maps: a regional outline, places, a launch point and one ring per chosen weapon.

The outline (data/maps/region_outline.geojson) shows internationally recognised borders (Crimea as part
of Ukraine) and no lines of control: areas under occupation are not drawn. The map uses longitude and
latitude as x and y, stretched so that a degree of longitude has its true length at the map's middle
latitude; over a few hundred kilometres range rings then look nearly circular. Rings are drawn at the
lowest and the highest range figure the sources give for a weapon (solid and dashed), so the map shows
the disagreement instead of hiding it.
"""
from __future__ import annotations

import base64
import io
import json
import textwrap
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

from . import geo, plotting
from .errors import DataError, EscalationError
from .paths import data_path

OUTLINE_FILE = ("maps", "region_outline.geojson")
BORDERS_NOTE = ("Borders: internationally recognised (Natural Earth via Visionscarto); "
                "areas under occupation are not shown.")
LINESTYLES = ["-", "--", "-.", ":"]


@dataclass(frozen=True)
class Ring:
    """A weapon's reach to draw: a label and the lowest and highest reported range in km."""
    label: str
    low_km: float
    high_km: float


@lru_cache(maxsize=1)
def load_outline() -> tuple[tuple[str, tuple[np.ndarray, ...]], ...]:
    """The map outline as (country name, polygon rings as lon/lat arrays) pairs; read once."""
    path = data_path(*OUTLINE_FILE)
    try:
        collection = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"The map outline {path} is missing. Restore it with git checkout -- {path}.") from None
    countries = []
    for feature in collection["features"]:
        rings = tuple(np.asarray(polygon[0], dtype=float) for polygon in feature["geometry"]["coordinates"])
        countries.append((feature["properties"]["name"], rings))
    return tuple(countries)


def outline_bounds() -> tuple[float, float, float, float]:
    """West, south, east and north edge of the outline (degrees)."""
    path = data_path(*OUTLINE_FILE)
    west, south, east, north = json.loads(path.read_text(encoding="utf-8"))["bbox"]
    return west, south, east, north


def rings_for(weapon_ids, weapons: pd.DataFrame, custom_km: float = 0.0) -> list[Ring]:
    """Rings for the chosen weapons (by weapon_id) plus an optional custom range; error if none."""
    summary = geo.weapon_ranges(weapons)
    rings = []
    for wid in weapon_ids:
        if wid not in summary.index:
            raise EscalationError(f"No weapon '{wid}' in the weapons table; known: {', '.join(summary.index)}.")
        row = summary.loc[wid]
        rings.append(Ring(row["label"], float(row["low_km"]), float(row["high_km"])))
    custom = geo.check_range(custom_km, "The custom range")
    if custom > 0:
        rings.append(Ring(f"Custom range, {custom:,.0f} km", custom, custom))
    if not rings:
        raise EscalationError("No range chosen: tick at least one weapon, or set the custom range above 0 km.")
    return rings


def reach_table(places: pd.DataFrame, lat: float, lon: float, rings: list[Ring]) -> pd.DataFrame:
    """For each ring, the places in reach: 'within every figure' (inside the lowest) or 'only the highest'.

    Distances are computed once for all places (numpy), then compared with each ring; rows are sorted
    by ring order, then distance.
    """
    geo.check_latlon(lat, lon, "The launch point")
    lats = places["latitude"].to_numpy(dtype=float)
    lons = places["longitude"].to_numpy(dtype=float)
    dist = np.atleast_1d(geo.distance_km(lat, lon, lats, lons))
    bearing = np.atleast_1d(geo.initial_bearing_deg(lat, lon, lats, lons))
    names = places["name"].to_numpy()
    codes = places["country_code"].to_numpy()
    columns = {"ring": [], "name": [], "country_code": [], "distance_km": [], "bearing_deg": [], "within": []}
    for ring in rings:
        idx = np.flatnonzero(dist <= ring.high_km + 1e-9)
        idx = idx[np.lexsort((names[idx], dist[idx]))]
        columns["ring"] += [ring.label] * len(idx)
        columns["name"] += names[idx].tolist()
        columns["country_code"] += codes[idx].tolist()
        columns["distance_km"] += dist[idx].tolist()
        columns["bearing_deg"] += bearing[idx].tolist()
        columns["within"] += ["within every figure" if d <= ring.low_km + 1e-9 else "only within the highest figure"
                              for d in dist[idx]]
    return pd.DataFrame(columns)


def rows_by_ring(reach: pd.DataFrame) -> dict[str, list[dict]]:
    """The reach table as plain rows grouped by ring label (fast to format, order kept)."""
    grouped: dict[str, list[dict]] = {}
    for row in reach.to_dict("records"):
        grouped.setdefault(row["ring"], []).append(row)
    return grouped


def describe_reach(launch_label: str, rings: list[Ring], reach: pd.DataFrame) -> str:
    """A plain-language list of what falls inside each ring (the map's text alternative)."""
    parts = [f"Map of the region around Ukraine with range rings drawn from {launch_label}."]
    grouped = rows_by_ring(reach)
    for ring in rings:
        rows = grouped.get(ring.label, [])
        sure = [r["name"] for r in rows if r["within"] == "within every figure"]
        maybe = [r["name"] for r in rows if r["within"] != "within every figure"]
        text = f"{ring.label}: " + (", ".join(sure) if sure else "no listed place") + " inside"
        if ring.high_km > ring.low_km:
            text += f" the lowest figure ({ring.low_km:,.0f} km)"
            if maybe:
                text += f"; also {', '.join(maybe)} within the highest ({ring.high_km:,.0f} km)"
        parts.append(text + ".")
    parts.append(BORDERS_NOTE)
    return " ".join(parts)


def map_extent(lat: float, lon: float, radius_km: float, margin_deg: float = 1.0) -> tuple[float, float, float, float]:
    """A view (west, east, south, north) that shows the largest ring, kept inside the outline."""
    west0, south0, east0, north0 = outline_bounds()
    dlat = radius_km / 111.2 + margin_deg
    dlon = radius_km / (111.2 * max(np.cos(np.radians(lat)), 0.2)) + margin_deg
    dlat, dlon = max(dlat, 3.0), max(dlon, 4.5)
    return (max(west0, lon - dlon), min(east0, lon + dlon), max(south0, lat - dlat), min(north0, lat + dlat))


# Candidate label positions around a point, in order of preference (cartographic practice after Imhof:
# upper right first, then right, upper left, left, above, below, lower right, lower left). Each is the
# direction of the label's anchor from the point, with the text alignment that keeps the text clear of it.
LABEL_POSITIONS = [(1, 1, "left", "bottom"), (1, 0, "left", "center"), (-1, 1, "right", "bottom"),
                   (-1, 0, "right", "center"), (0, 1, "center", "bottom"), (0, -1, "center", "top"),
                   (1, -1, "left", "top"), (-1, -1, "right", "top")]


def _marker_box(ax, lon: float, lat: float, radius_px: float):
    from matplotlib.transforms import Bbox

    x, y = ax.transData.transform((lon, lat))
    return Bbox([[x - radius_px, y - radius_px], [x + radius_px, y + radius_px]])


def _text_box(label, renderer):
    """The rendered box of an annotation's text alone (without its leader line)."""
    label.update_positions(renderer)
    return Text.get_window_extent(label, renderer)


def place_labels(ax, names, lons, lats, *, fontsize: float, clearance_pt, gap_pt: float = 2.0,
                 zorder: float = 5) -> list:
    """Label points without overlaps: a deterministic greedy placement checked on rendered text boxes.

    Points are labelled in the order given; each label takes the first candidate position (see
    `LABEL_POSITIONS`, tried at the marker's clearance and then at twice and three times that distance, the
    farther ones joined to their point by a thin leader line) whose rendered bounding box stays inside the
    axes and overlaps neither a label already placed nor any marker. `clearance_pt` is the marker's
    half-size in points (one number, or one per point). A label that finds no free place is left out and
    its name kept on `ax.unlabelled` (the figure's text alternative still names every place). Returns the
    labels placed; each keeps its point's name on `.place_name`.
    """
    fig = ax.figure
    fig.canvas.draw()  # applies the map's aspect ratio, so data-to-pixel positions are final
    renderer = fig.canvas.get_renderer()
    to_px = fig.dpi / 72
    clearances = list(clearance_pt) if np.iterable(clearance_pt) else [clearance_pt] * len(names)
    points = list(zip(names, lons, lats, clearances))
    markers = [_marker_box(ax, lon, lat, c * to_px) for _, lon, lat, c in points]
    frame = ax.get_window_extent(renderer)

    def attempt(order):
        placed, boxes, unlabelled = [], [], []
        for name, lon, lat, clearance in order:
            chosen = _first_free(ax, renderer, name, lon, lat, clearance, gap_pt, fontsize, zorder, frame,
                                 boxes + markers)
            if chosen is None:
                unlabelled.append(name)
            else:
                placed.append(chosen[0])
                boxes.append(chosen[1])
        return placed, unlabelled

    # Greedy, with a deterministic repair: a point left without a label moves to the front and all are
    # placed again (at most once per point), keeping the attempt that labels the most points.
    order, best, tried = points, None, set()
    for _ in range(len(points) + 1):
        placed, unlabelled = attempt(order)
        if best is None or len(unlabelled) < len(best[1]):
            if best is not None:
                for label in best[0]:
                    label.remove()
            best = (placed, unlabelled)
        else:
            for label in placed:
                label.remove()
        if not best[1]:
            break
        key = tuple(n for n, *_ in order)
        tried.add(key)
        keep_first = order[:1] if order[0][0] not in unlabelled else []
        front = [p for p in order if p[0] in unlabelled and p not in keep_first]
        order = keep_first + front + [p for p in order if p not in front and p not in keep_first]
        if tuple(n for n, *_ in order) in tried:
            break
    ax.unlabelled = best[1]
    return best[0]


def _first_free(ax, renderer, name, lon, lat, clearance, gap_pt, fontsize, zorder, frame, obstacles):
    """The first candidate label (and its box) that stays in the frame and clear of the obstacles."""
    for step in (1, 2, 3):
        for dx, dy, ha, va in LABEL_POSITIONS:
            distance = clearance * step + gap_pt
            factor = 0.7 if dx and dy else 1.0
            label = ax.annotate(name, (lon, lat), xytext=(dx * distance * factor, dy * distance * factor),
                                textcoords="offset points", ha=ha, va=va, fontsize=fontsize, zorder=zorder,
                                arrowprops={"arrowstyle": "-", "color": "#555555", "linewidth": 0.6,
                                            "shrinkA": 0, "shrinkB": clearance} if step > 1 else None)
            box = _text_box(label, renderer).padded(1.0)
            inside = box.x0 >= frame.x0 and box.x1 <= frame.x1 and box.y0 >= frame.y0 and box.y1 <= frame.y1
            if inside and not any(box.overlaps(other) for other in obstacles):
                label.place_name = name
                return label, box
            label.remove()
    return None


def label_overlaps(fig: Figure, labels, marker_boxes) -> list[tuple[str, str]]:
    """Pairs (label, label-or-marker) whose rendered boxes overlap; empty when the labels are clear."""
    renderer = fig.canvas.get_renderer()
    boxes = [(label.place_name, _text_box(label, renderer)) for label in labels]
    clashes = []
    for i, (name, box) in enumerate(boxes):
        for other, other_box in boxes[i + 1:]:
            if box.overlaps(other_box):
                clashes.append((name, other))
        for marker_name, marker_box in marker_boxes:
            if box.overlaps(marker_box):
                clashes.append((name, marker_name))
    return clashes


PLACE_DOT_PT = 3.0       # half-size of a place dot (scatter s=22 is a disc about 4.7 pt across), plus a margin
STAR_PT = 8.0            # half-size of the launch star (markersize 15)
LABEL_PT = 8.0           # place names: 11 px at 100 dpi
NOTE_PT = 8.0


def data_note() -> str:
    """The weapons table's cut-off ("Data as of … (weapons)"), or an empty string if it is not recorded."""
    from .tables import cutoff_note

    try:
        return cutoff_note("weapons") + "."
    except (DataError, KeyError, OSError):
        return ""


def outside_message(label: str, lat: float, lon: float, extent) -> str:
    """The message for a launch point that the map's view does not show (empty when it is on the map)."""
    west, east, south, north = extent
    if west <= lon <= east and south <= lat <= north:
        return ""
    return (f"This point is outside the map area: {label} lies beyond the map's view "
            f"({west:.1f} to {east:.1f}° E, {south:.1f} to {north:.1f}° N), so no star is drawn. Any ring that crosses "
            "the view is still drawn, and the list of places in reach is complete.")


def plot_range_map(places: pd.DataFrame, launch, rings: list[Ring], *, figsize=(8.0, 7.4),
                   label_places: bool = True) -> Figure:
    """The map: outline, places (filled if in reach of any ring), the launch point and its rings.

    `launch` is a place name or a (lat, lon) pair. Place names are placed by `place_labels`, so none
    overlaps another or a marker; the key sits under the map so it hides no place. The figure carries a
    text alternative listing what falls inside each ring, and keeps the reach table on `fig.reach` and the
    drawn place labels on `fig.place_labels`.
    """
    if not rings:
        raise EscalationError("No range chosen: give at least one ring to draw.")
    label, lat, lon = geo.launch_point(places, launch)
    reach = reach_table(places, lat, lon, rings)
    west, east, south, north = map_extent(lat, lon, max(r.high_km for r in rings))

    fig = Figure(figsize=figsize, dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    polygons = [ring for _, country in load_outline() for ring in country]
    ax.add_collection(PolyCollection(polygons, facecolors="#F2F2F2", edgecolors="#555555", linewidths=0.6, zorder=1))
    ax.set_facecolor("#FFFFFF")

    handles = [Line2D([], [], marker="*", markersize=13, color="black", linestyle="none",
                      label=f"Launch point: {label}")]
    for i, ring in enumerate(rings):
        colour = plotting.colour(i + 1)
        rlat, rlon = geo.range_ring(lat, lon, ring.low_km)
        ax.plot(rlon, rlat, color=colour, linewidth=2.0, linestyle=LINESTYLES[i % len(LINESTYLES)], zorder=3)
        if ring.high_km > ring.low_km:
            hlat, hlon = geo.range_ring(lat, lon, ring.high_km)
            ax.plot(hlon, hlat, color=colour, linewidth=1.2, linestyle=":", zorder=3)
        span = (f"{ring.low_km:,.0f} km (thick) to {ring.high_km:,.0f} km (dotted)"
                if ring.high_km > ring.low_km else f"{ring.low_km:,.0f} km")
        name = ring.label.split(",")[0]
        handles.append(Line2D([], [], color=colour, linewidth=2.0, linestyle=LINESTYLES[i % len(LINESTYLES)],
                              label=f"{name}: {span}"))

    in_reach = places["name"].isin(set(reach["name"]))
    shown = places.loc[places["longitude"].between(west, east) & places["latitude"].between(south, north)]
    shown_in = shown.loc[in_reach.loc[shown.index]]
    shown_out = shown.loc[~in_reach.loc[shown.index]]
    ax.scatter(shown_in["longitude"], shown_in["latitude"], s=22, marker="o", color="black", zorder=4)
    ax.scatter(shown_out["longitude"], shown_out["latitude"], s=22, marker="o", facecolors="white",
               edgecolors="#555555", zorder=4)
    handles += [Line2D([], [], marker="o", color="black", linestyle="none", label="Place in reach"),
                Line2D([], [], marker="o", markerfacecolor="white", markeredgecolor="#555555", color="#555555",
                       linestyle="none", label="Place out of reach")]
    outside = outside_message(label, lat, lon, (west, east, south, north))
    if not outside:
        ax.plot([lon], [lat], marker="*", markersize=15, color="black", zorder=6, linestyle="none")

    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(1 / np.cos(np.radians((south + north) / 2)))
    ax.tick_params(labelsize=NOTE_PT)
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2, fontsize=NOTE_PT,
              frameon=False)
    as_of = data_note()
    fig.subplots_adjust(left=0.08, right=0.98, top=0.95, bottom=0.19)
    plotting.finish(fig, ax, title=f"Range rings from {label}", xlabel="Longitude (° E)",
                    ylabel="Latitude (° N)", alt_text=describe_reach(label, rings, reach)
                    + (" " + as_of if as_of else "") + (" " + outside if outside else ""))
    lines = textwrap.wrap(BORDERS_NOTE + (" " + as_of if as_of else ""), 100)
    fig.text(0.01, 0.005, "\n".join(lines + (textwrap.wrap(outside, 100) if outside else [])),
             fontsize=NOTE_PT, va="bottom", ha="left")
    fig.place_labels = []
    fig.marker_boxes = []
    if label_places:
        # the launch point first (it must not lose its name), then places by longitude for a stable order
        order = shown.assign(first=shown["name"] != label).sort_values(["first", "longitude", "latitude"])
        clearance = [STAR_PT if (name == label and not outside) else PLACE_DOT_PT for name in order["name"]]
        fig.place_labels = place_labels(ax, list(order["name"]), order["longitude"].to_numpy(),
                                        order["latitude"].to_numpy(), fontsize=LABEL_PT, clearance_pt=clearance)
        fig.marker_boxes = [(f"marker of {n}", _marker_box(ax, x, y, c * fig.dpi / 72 - 1))
                            for n, x, y, c in zip(order["name"], order["longitude"], order["latitude"], clearance)]
    fig.reach = reach
    fig.outside = outside
    return fig


def figure_png(fig: Figure, dpi: int = 72) -> bytes:
    """The figure as PNG bytes (for widgets that show an inline image)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def figure_img_html(fig: Figure, dpi: int = 72) -> str:
    """An <img> tag with the figure inline (base64) and its text alternative in `alt`."""
    import html

    data = base64.b64encode(figure_png(fig, dpi)).decode("ascii")
    alt = html.escape(plotting.alt_text(fig), quote=True)
    return f'<img src="data:image/png;base64,{data}" alt="{alt}" style="max-width:100%">'


# The range explorer redraws often, so it keeps one fixed view whose background (outline, places,
# labels, axes) is drawn once; each update draws only the rings and markers on top (matplotlib blitting).
WIDGET_EXTENT = (22.0, 46.0, 43.0, 57.5)
WIDGET_STAR_PT = 6.0     # half-size of the explorer's launch star


class RangeMapRenderer:
    """Fast repeated range maps over one fixed view, for the range explorer widget.

    `render` returns the PNG bytes, the reach table and the text alternative; the legend is returned
    as data (label, colour, line style) so the widget can show it as accessible HTML next to the image.
    """

    def __init__(self, places: pd.DataFrame, extent=WIDGET_EXTENT, figsize=(6.0, 4.9), dpi: int = 120):
        self.places = places
        self.extent = extent
        self._names = places["name"].to_numpy()
        self._lats = places["latitude"].to_numpy(dtype=float)
        self._lons = places["longitude"].to_numpy(dtype=float)
        west, east, south, north = extent
        self.fig = Figure(figsize=figsize, dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        self.ax = ax = self.fig.add_subplot()
        polygons = [ring for _, country in load_outline() for ring in country]
        ax.add_collection(PolyCollection(polygons, facecolors="#F2F2F2", edgecolors="#555555", linewidths=0.6))
        shown = places.loc[places["longitude"].between(west, east) & places["latitude"].between(south, north)]
        ax.scatter(shown["longitude"], shown["latitude"], s=18, marker="o", facecolors="white",
                   edgecolors="#555555", zorder=4)
        ax.set_xlim(west, east)
        ax.set_ylim(south, north)
        ax.set_aspect(1 / np.cos(np.radians((south + north) / 2)))
        ax.tick_params(labelsize=7)
        self.fig.subplots_adjust(left=0.09, right=0.98, top=0.93, bottom=0.14)
        self.as_of = data_note()
        self.fig.text(0.01, 0.01, BORDERS_NOTE + ("\n" + self.as_of if self.as_of else ""), fontsize=6.5,
                      va="bottom", ha="left")
        plotting.finish(self.fig, ax, title="Range rings (filled dots: places in reach)",
                        xlabel="Longitude (° E)", ylabel="Latitude (° N)", alt_text="Range map (not drawn yet).")
        # Every place can become the launch point, so every label keeps clear of a star-sized marker.
        self.labels = place_labels(ax, list(shown["name"]), shown["longitude"].to_numpy(),
                                   shown["latitude"].to_numpy(), fontsize=6.5, clearance_pt=WIDGET_STAR_PT)
        self.marker_boxes = [(f"marker of {row.name}", _marker_box(ax, row.longitude, row.latitude,
                                                                   WIDGET_STAR_PT * dpi / 72 - 1))
                             for row in shown.itertuples()]
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.fig.bbox)
        # Artists drawn on top at each update: animated, so they never enter the saved background.
        self._pool: list = []
        self._inside = ax.plot([], [], marker="o", markersize=4.2, color="black", linestyle="none",
                               animated=True, zorder=4)[0]
        self._star = ax.plot([], [], marker="*", markersize=2 * WIDGET_STAR_PT - 1, color="black", linestyle="none",
                             animated=True, zorder=6)[0]

    def _line(self, index: int):
        """The index-th pooled ring line (created on first use, reused afterwards)."""
        while len(self._pool) <= index:
            self._pool += self.ax.plot([], [], animated=True, zorder=3)
        return self._pool[index]

    def render(self, launch, rings: list[Ring]) -> dict:
        """Draw rings from a launch point; return png, reach table, alt text, legend entries and the point."""
        if not rings:
            raise EscalationError("No range chosen: tick at least one weapon, or set the custom range above 0 km.")
        label, lat, lon = geo.launch_point(self.places, launch)
        reach = reach_table(self.places, lat, lon, rings)
        self.canvas.restore_region(self.background)
        drawn, legend = [], []
        for i, ring in enumerate(rings):
            colour, style = plotting.colour(i + 1), LINESTYLES[i % len(LINESTYLES)]
            line = self._line(len(drawn))
            line.set_data(*geo.range_ring(lat, lon, ring.low_km)[::-1])
            line.set(color=colour, linewidth=2.0, linestyle=style)
            drawn.append(line)
            if ring.high_km > ring.low_km:
                line = self._line(len(drawn))
                line.set_data(*geo.range_ring(lat, lon, ring.high_km)[::-1])
                line.set(color=colour, linewidth=1.2, linestyle=":")
                drawn.append(line)
            legend.append((ring.label, colour, style, ring.high_km > ring.low_km))
        inside = np.isin(self._names, reach["name"].to_numpy())
        self._inside.set_data(self._lons[inside], self._lats[inside])
        outside = outside_message(label, lat, lon, self.extent)
        self._star.set_data([], []) if outside else self._star.set_data([lon], [lat])
        for artist in drawn + [self._inside, self._star]:
            self.ax.draw_artist(artist)
        png = _encode_png(self.canvas)
        alt = describe_reach(label, rings, reach)
        plotting.set_alt_text(self.fig, alt)
        if self.as_of:
            alt += " " + self.as_of
        if outside:
            alt += " " + outside
        return {"png": png, "reach": reach, "alt_text": alt, "legend": legend, "launch": (label, lat, lon),
                "figure": self.fig, "outside": outside}


def _encode_png(canvas: FigureCanvasAgg) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3]).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()
