"""A timeline of the debate: one lane per country, side or event type, readable at a glance.

Each event is a marker on its lane. Colour and marker shape both encode the second variable (event
type when lanes are countries or sides; country when lanes are event types), so colour is never the only
cue. Events that are only reported or claimed are drawn with a dashed ring; events dated only to the month are drawn
as a bar across that month. The text alternative lists what the figure shows, so a screen reader gets
the same information.
"""
from __future__ import annotations

import base64
import html
import io

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from . import plotting
from .errors import QueryError
from .events import EVENT_TYPES
from .tables import cutoff_note

LANES = {"country": "Country of the actor", "side": "Side in the debate", "event_type": "Type of event"}
COUNTRY_ORDER = ("Russia", "Ukraine", "United States", "United Kingdom", "Germany", "France")
SIDE_ORDER = ("Russia", "Ukraine", "Ukraine's suppliers")
MAX_LISTED = 12
# The matplotlib timeline: 9.5 in at 100 dpi (950 px, shown unscaled in a notebook), the plot between these
# fractions of the width; markers stacked when closer than MIN_GAP_PT, one level LEVEL_INCHES tall.
FIG_WIDTH, PLOT_LEFT, PLOT_RIGHT = 9.5, 0.18, 0.76
MIN_GAP_PT, LEVEL_INCHES = 16.0, 0.24


def _lane_values(events: pd.DataFrame, lane: str) -> list[str]:
    order = {"country": COUNTRY_ORDER, "side": SIDE_ORDER, "event_type": EVENT_TYPES}[lane]
    present = set(events[lane])
    return [v for v in order if v in present] + sorted(present - set(order))


# Style index (colour and marker of plotting.colour/marker) per event type: strikes are black stars,
# doctrine yellow crosses with a black edge, so the lightest colour goes to the rarest category.
TYPE_STYLE = {"request": 0, "announcement": 1, "delivery": 2, "authorization": 3, "restriction": 4,
              "warning": 5, "strike": 7, "doctrine": 6}


def _style_index(column: str, value: str, order: tuple[str, ...]) -> int:
    if column == "event_type" and value in TYPE_STYLE:
        return TYPE_STYLE[value]
    return order.index(value) if value in order else len(order) + sum(map(ord, value)) % 8


def _encoding(lane: str) -> tuple[str, tuple[str, ...]]:
    """The column that colour and marker encode, and its fixed category order (stable colours)."""
    if lane == "event_type":
        return "country", COUNTRY_ORDER
    return "event_type", EVENT_TYPES


def dodge_levels(xs, min_gap: float) -> list[int]:
    """Stack points that would overlap: the level (0, 1, 2, …) of each x so that points on one level are at
    least `min_gap` apart. Greedy interval packing, in the order of x (a beeswarm for a single row)."""
    xs = list(xs)
    levels = [0] * len(xs)
    last: list[float] = []  # the last x placed on each level
    for i in sorted(range(len(xs)), key=lambda k: xs[k]):
        for level, right in enumerate(last):
            if xs[i] - right >= min_gap:
                levels[i], last[level] = level, xs[i]
                break
        else:
            levels[i] = len(last)
            last.append(xs[i])
    return levels


def level_offset(level: int) -> int:
    """Level 0 on the lane's line, then alternately above and below: 0, -1, 1, -2, 2, …"""
    return 0 if level == 0 else (-(level + 1) // 2 if level % 2 else level // 2)


def lane_layout(events: pd.DataFrame, lane: str, x: pd.Series, min_gap: float) -> tuple[pd.Series, dict, float]:
    """Vertical positions in "level" units so that no two markers overlap.

    `x` is each event's horizontal position in the same unit as `min_gap` (pixels or points). Returns the
    y of each event, the centre of each lane and the total height (each lane as tall as its stack).
    """
    lanes = _lane_values(events, lane)
    y = pd.Series(0.0, index=events.index)
    centres, top = {}, 0.0
    for value in lanes:
        part = events.index[events[lane] == value]
        levels = dodge_levels(x.loc[part], min_gap)
        offsets = [level_offset(v) for v in levels]
        above, below = -min(offsets + [0]), max(offsets + [0])
        centre = top + 0.9 + above
        centres[value] = centre
        for index, off in zip(part, offsets):
            y.loc[index] = centre + off
        top = centre + below + 0.9
    return y, centres, top


def timeline_text(events: pd.DataFrame, lane: str = "country", limit: int | None = MAX_LISTED) -> str:
    """The text alternative: what the timeline shows, lane by lane, and the events themselves."""
    if lane not in LANES:
        raise QueryError(f"Unknown lane '{lane}'. Choose from: {', '.join(LANES)}.")
    if events.empty:
        return "Timeline with no events: no event matches the chosen filters."
    first, last = events["start"].min().date(), events["end"].max().date()
    lanes = _lane_values(events, lane)
    counts = "; ".join(f"{v}: {int((events[lane] == v).sum())}" for v in lanes)
    unconfirmed = int((events["confirmation"] != "confirmed").sum())
    text = (f"Timeline of {len(events)} event(s) from {first} to {last}, one lane per "
            f"{LANES[lane].lower()} ({counts}). {unconfirmed} event(s) are reported or claimed rather than "
            "confirmed and are drawn with a dashed ring.")
    shown = events if limit is None else events.iloc[:limit]
    items = "; ".join(f"{r['date']} {r['actor']}, {r['event_type']}"
                      + ("" if r["confirmation"] == "confirmed" else f" ({r['confirmation']})")
                      for r in shown[["date", "actor", "event_type", "confirmation"]].to_dict("records"))
    more = f"; and {len(events) - len(shown)} more" if len(shown) < len(events) else ""
    return f"{text} Events: {items}{more}."


def date_range_shown(first: pd.Timestamp, last: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The x-axis range for events from `first` to `last`: a small margin on each side."""
    pad = pd.Timedelta(days=max(3, (last - first).days // 40))
    return first - pad, last + pad


def date_ticks(low: pd.Timestamp, high: pd.Timestamp) -> list[tuple[pd.Timestamp, str]]:
    """Readable tick dates and labels for a span: weekly for short spans, months or years for long ones."""
    months = (high.year - low.year) * 12 + high.month - low.month + 1
    if months <= 3:
        days = [d for d in pd.date_range(low.normalize(), high, freq="D") if d.day in (1, 8, 15, 22)]
        return [(d, d.strftime("%d %b %Y")) for d in days]
    step = next((k for k in (1, 2, 3, 6, 12) if months / k <= 9), 24)
    starts = pd.date_range(pd.Timestamp(low.year, low.month, 1), high, freq="MS")
    if step <= 12:
        chosen = [d for d in starts if d >= low and (d.month - 1) % step == 0]
    else:
        chosen = [d for d in starts if d >= low and d.month == 1 and d.year % 2 == 0]
    return [(d, d.strftime("%b %Y")) for d in chosen]


def _date_axis(ax, first: pd.Timestamp, last: pd.Timestamp) -> None:
    low, high = date_range_shown(first, last)
    ax.set_xlim(mdates.date2num(low), mdates.date2num(high))
    ticks = date_ticks(low, high)
    ax.set_xticks([mdates.date2num(t) for t, _ in ticks], [label.replace(" ", "\n", 1) if len(label) > 8 else
                                                           label.replace(" ", "\n") for _, label in ticks])


def draw_timeline(fig: Figure, events: pd.DataFrame, lane: str = "country", *, title: str | None = None,
                  note: str | None = None) -> Figure:
    """Draw the timeline on `fig` (cleared first) and return it; `timeline_figure` makes a new one.

    Markers that would overlap on a lane are stacked (see `lane_layout`). `note` (for example the data's
    cut-off, `tables.cutoff_note("events")`) is printed under the figure and added to its text alternative.
    """
    if lane not in LANES:
        raise QueryError(f"Unknown lane '{lane}'. Choose from: {', '.join(LANES)}.")
    fig.clear()
    ax = fig.add_subplot()
    title = title or "The long-range weapons debate: events over time"
    if events.empty:
        ax.text(0.5, 0.5, "No event matches the chosen filters.", ha="center", va="center", transform=ax.transAxes)
        ax.set_yticks([])
        return plotting.finish(fig, ax, title=title, xlabel="Date", ylabel=LANES[lane],
                               alt_text=timeline_text(events, lane) + (f" {note}." if note else ""))
    lanes = _lane_values(events, lane)
    column, order = _encoding(lane)
    categories = [c for c in order if c in set(events[column])] + sorted(set(events[column]) - set(order))
    # Marker positions in points across the plot, so stacking keeps rings (about 15 pt wide) apart.
    low, high = date_range_shown(events["start"].min(), events["end"].max())
    width_pt = fig.get_figwidth() * (PLOT_RIGHT - PLOT_LEFT) * 72
    x_pt = (events["start"] - low).dt.days / max((high - low).days, 1) * width_pt
    y_all, centres, total = lane_layout(events, lane, x_pt, MIN_GAP_PT)
    handles = []
    for value in categories:
        idx = _style_index(column, value, order)
        colour, marker = plotting.colour(idx), plotting.marker(idx)
        part = events[events[column] == value]
        y = y_all.loc[part.index].to_numpy()
        x = mdates.date2num(part["start"])
        solid = (part["confirmation"] == "confirmed").to_numpy()
        month = (part["date_precision"] == "month").to_numpy()
        if month.any():
            ends = mdates.date2num(part["end"])
            ax.hlines(y[month], x[month], ends[month], colors=colour, linewidth=4, alpha=0.6)
        if (~solid).any():
            ax.scatter(x[~solid], y[~solid], s=220, marker="o", facecolors="none", edgecolors="black",
                       linewidths=1.0, linestyles="--", zorder=2)
        ax.scatter(x, y, s=60, marker=marker, color=colour, edgecolors="black", linewidths=0.6, zorder=3)
        handles.append(Line2D([], [], linestyle="", marker=marker, color=colour, markeredgecolor="black",
                              markersize=8, label=value))
    ax.set_yticks([centres[v] for v in lanes], lanes)
    ax.set_ylim(0, total)
    ax.invert_yaxis()
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    _date_axis(ax, events["start"].min(), events["end"].max())
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=10,
              title=column.replace("_", " "), title_fontsize=10)
    inches = fig.get_figheight()
    fig.subplots_adjust(left=PLOT_LEFT, right=PLOT_RIGHT, bottom=1.0 / inches, top=1 - 0.5 / inches)
    if note:
        fig.text(0.01, 0.005, note, ha="left", va="bottom", fontsize=10)
    alt = timeline_text(events, lane) + (f" {note}." if note else "")
    return plotting.finish(fig, ax, title=title, xlabel="Date (month-only dates drawn as a bar across the month)",
                           ylabel=LANES[lane], alt_text=alt)


def timeline_figure(events: pd.DataFrame, lane: str = "country", *, title: str | None = None,
                    note: str | None = "cutoff") -> Figure:
    """A new timeline figure of the given events, one lane per country, side or event type.

    Its height follows the stacks of markers; `note` defaults to the events table's cut-off note.
    """
    if note == "cutoff":
        note = cutoff_note("events")
    height_units = 3.0
    if lane in LANES and not events.empty:
        low, high = date_range_shown(events["start"].min(), events["end"].max())
        x_pt = (events["start"] - low).dt.days / max((high - low).days, 1) * FIG_WIDTH * (PLOT_RIGHT - PLOT_LEFT) * 72
        height_units = max(height_units, lane_layout(events, lane, x_pt, MIN_GAP_PT)[2])
    fig = Figure(figsize=(FIG_WIDTH, LEVEL_INCHES * height_units + 1.6), dpi=100)
    return draw_timeline(fig, events, lane, title=title, note=note)


def figure_png_html(fig: Figure, dpi: int = 72) -> str:
    """The figure as an inline PNG <img> whose alt attribute is its text alternative."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    alt = html.escape(plotting.alt_text(fig), quote=True)
    return f'<img src="data:image/png;base64,{data}" alt="{alt}" style="max-width:100%;">'


# SVG marker layout: markers at most 16 px across, rings 2 * SVG_RING; stacked when closer than SVG_GAP px,
# one stacking level SVG_LEVEL px tall.
SVG_RING, SVG_GAP, SVG_LEVEL = 10, 22.0, 22.0

# SVG shapes for the eight marker codes of plotting.MARKERS, centred on (0, 0), about 12 px across.
SVG_SHAPES = {
    "o": '<circle r="6"/>',
    "s": '<rect x="-5.5" y="-5.5" width="11" height="11"/>',
    "^": '<path d="M0,-7 L6.5,5 L-6.5,5 Z"/>',
    "D": '<path d="M0,-7 L7,0 L0,7 L-7,0 Z"/>',
    "v": '<path d="M0,7 L6.5,-5 L-6.5,-5 Z"/>',
    "P": '<path d="M-2.5,-7 H2.5 V-2.5 H7 V2.5 H2.5 V7 H-2.5 V2.5 H-7 V-2.5 H-2.5 Z"/>',
    "X": '<path d="M-6,-4 L-4,-6 L0,-2 L4,-6 L6,-4 L2,0 L6,4 L4,6 L0,2 L-4,6 L-6,4 L-2,0 Z"/>',
    "*": '<path d="M0,-8 L2,-2.6 L7.6,-2.5 L3.2,1 L4.7,6.5 L0,3.3 L-4.7,6.5 L-3.2,1 L-7.6,-2.5 L-2,-2.6 Z"/>',
}


def timeline_svg(events: pd.DataFrame, lane: str = "country", *, title: str | None = None,
                 width: int = 860, note: str | None = None) -> str:
    """The timeline as inline SVG: the same encoding as `draw_timeline`, fast enough to redraw on every
    filter change, with each event's date, actor and summary as a hover tooltip (an SVG <title>).

    Markers that would overlap are stacked on their lane (`lane_layout`); `note` (the cut-off) is printed
    under the plot and added to the text alternative. All text is at least 11 px.
    """
    if lane not in LANES:
        raise QueryError(f"Unknown lane '{lane}'. Choose from: {', '.join(LANES)}.")
    title = title or "The long-range weapons debate: events over time"
    alt = timeline_text(events, lane) + (f" {note}." if note else "")
    esc = html.escape
    if events.empty:
        extra = f'<text x="20" y="70" font-size="12">{esc(note)}</text>' if note else ""
        return (f'<svg role="img" aria-label="{esc(alt, quote=True)}" width="{width}" height="90" '
                f'xmlns="http://www.w3.org/2000/svg"><title>{esc(alt)}</title><text x="20" y="40" '
                f'font-size="14">No event matches the chosen filters.</text>{extra}</svg>')
    lanes = _lane_values(events, lane)
    column, order = _encoding(lane)
    categories = [c for c in order if c in set(events[column])] + sorted(set(events[column]) - set(order))
    left, right, top = 150, 210, 40
    plot_w = width - left - right
    low, high = date_range_shown(events["start"].min(), events["end"].max())
    span = max((high - low).days, 1)

    def x_of(day: pd.Timestamp) -> float:
        return left + plot_w * (day - low).days / span

    xs = pd.Series([x_of(d) for d in events["start"]], index=events.index)
    levels_y, centres, total = lane_layout(events, lane, xs, SVG_GAP)
    bottom = top + SVG_LEVEL * total
    legend_bottom = top + 18 * (len(categories) + 2)
    bottom = max(bottom, legend_bottom - 10)
    height = bottom + 50 + (22 if note else 0)
    out = [f'<svg role="img" aria-label="{esc(alt, quote=True)}" width="{width}" height="{height:.0f}" '
           f'viewBox="0 0 {width} {height:.0f}" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">',
           f"<title>{esc(alt)}</title>",
           f'<text x="{left + plot_w / 2:.0f}" y="22" text-anchor="middle" font-size="15">{esc(title)}</text>']
    for tick, label in date_ticks(low, high):
        x = x_of(tick)
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{bottom:.1f}" stroke="#dddddd"/>'
                   f'<text x="{x:.1f}" y="{bottom + 16:.1f}" text-anchor="middle" font-size="11">{esc(label)}</text>')
    out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{bottom:.1f}" y2="{bottom:.1f}" stroke="black"/>'
               f'<line x1="{left}" x2="{left}" y1="{top}" y2="{bottom:.1f}" stroke="black"/>'
               f'<text x="{left + plot_w / 2:.0f}" y="{bottom + 36:.1f}" text-anchor="middle" font-size="12">'
               "Date (month-only dates drawn as a bar across the month; hover over a marker for its summary)</text>"
               f'<text transform="translate(14,{(top + bottom) / 2:.0f}) rotate(-90)" text-anchor="middle" '
               f'font-size="12">{esc(LANES[lane])}</text>')
    if note:
        out.append(f'<text x="10" y="{bottom + 58:.1f}" font-size="12">{esc(note)}</text>')
    for value in lanes:
        y = top + SVG_LEVEL * centres[value]
        out.append(f'<text x="{left - 8}" y="{y + 4:.0f}" text-anchor="end" font-size="12">{esc(value)}</text>')
    records = events[["event_id", "date", "date_precision", "actor", "country", "side", "event_type", "summary",
                      "confirmation", "start", "end"]].to_dict("records")
    for index, row in zip(events.index, records):
        value = row[column]
        idx = _style_index(column, value, order)
        colour, shape = plotting.colour(idx), SVG_SHAPES[plotting.marker(idx)]
        x, y = xs.loc[index], top + SVG_LEVEL * levels_y.loc[index]
        status = "" if row["confirmation"] == "confirmed" else f" [{row['confirmation']}]"
        tip = f"{row['event_id']} · {row['date']} · {row['actor']} · {row['event_type']}{status}: {row['summary']}"
        parts = [f'<g class="event" data-event="{esc(row["event_id"], quote=True)}"><title>{esc(tip)}</title>']
        if row["date_precision"] == "month":
            parts.append(f'<line x1="{x:.1f}" x2="{x_of(row["end"]):.1f}" y1="{y:.1f}" y2="{y:.1f}" '
                         f'stroke="{colour}" stroke-width="5" opacity="0.6"/>')
        if row["confirmation"] != "confirmed":
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{SVG_RING}" fill="none" stroke="black" '
                         'stroke-dasharray="3,2"/>')
        parts.append(f'<g transform="translate({x:.1f},{y:.1f})" fill="{colour}" stroke="black" '
                     f'stroke-width="0.7">{shape}</g></g>')
        out.append("".join(parts))
    lx = left + plot_w + 20
    out.append(f'<text x="{lx}" y="{top}" font-size="12" font-weight="bold">{esc(column.replace("_", " "))}</text>')
    for i, value in enumerate(categories):
        idx = _style_index(column, value, order)
        y = top + 18 * (i + 1)
        out.append(f'<g transform="translate({lx + 8},{y - 4})" fill="{plotting.colour(idx)}" stroke="black" '
                   f'stroke-width="0.7">{SVG_SHAPES[plotting.marker(idx)]}</g>'
                   f'<text x="{lx + 22}" y="{y}" font-size="11">{esc(value)}</text>')
    y = top + 18 * (len(categories) + 1)
    out.append(f'<circle cx="{lx + 8}" cy="{y - 4}" r="8" fill="none" stroke="black" stroke-dasharray="3,2"/>'
               f'<text x="{lx + 22}" y="{y}" font-size="11">ringed: reported or claimed</text>')
    out.append("</svg>")
    return "".join(out)
