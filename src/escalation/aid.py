"""Headline figures on support to Ukraine: Kiel Institute releases (euros) and SIPRI shares (TIV).

Two different things are measured. The Kiel Institute's Ukraine Support Tracker counts the money value
of government aid, first mainly as *commitments* (aid promised) and, from its 16 February 2024 release,
also as *allocations* (aid earmarked for delivery), which became its main measure. SIPRI counts the
*volume* of deliveries of major arms in trend-indicator values (TIV), a unit of military capability,
not money, and publishes shares of those volumes. A euro figure and a TIV share cannot be put on one
axis; this module keeps them apart.
"""
from __future__ import annotations

import datetime as dt

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import plotting
from .errors import EscalationError
from .tables import cutoff_note, load_table

KIEL = "Kiel Institute for the World Economy (Ukraine Support Tracker)"
SIPRI = "SIPRI (Trends in International Arms Transfers fact sheet)"
MEASURE_SWITCH = dt.date(2024, 2, 16)
MEASURES = ("commitments", "allocations")
AID_TYPES = ("total", "military")
SIPRI_CREDIT = "Information from the SIPRI Arms Transfers Database"
# Fixed colour and marker per donor group, so switching measure does not repaint the groups.
DONOR_ORDER = ["United States", "Europe", "EU and member states", "Germany", "All donors"]


def load_aid() -> pd.DataFrame:
    """The aid table (data/aid.csv), validated, with a `release` column as a date for plotting.

    Releases known only to the month are placed on the 1st of that month (see release_precision).
    """
    aid = load_table("aid")
    aid["release"] = pd.to_datetime([_as_date(v) for v in aid["release_date"]])
    return aid


def _as_date(partial: str) -> dt.date:
    parts = [int(p) for p in partial.split("-")]
    return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def as_of(aid: pd.DataFrame, date) -> pd.DataFrame:
    """The releases published by `date` (inclusive). A release known only to the month counts from the
    month's last day, so it is never shown before it surely was out."""
    if date is None or date == "":
        return aid
    try:
        day = pd.Timestamp(date)
    except (ValueError, TypeError):
        raise EscalationError(f"The as-of date '{date}' is not a date: write it as YYYY-MM-DD.") from None
    released = pd.to_datetime([_release_end(v, p) for v, p in zip(aid["release_date"], aid["release_precision"])])
    return aid[pd.Series(released, index=aid.index) <= day]


def _release_end(partial: str, precision: str) -> dt.date:
    start = _as_date(partial)
    if precision == "month" or len(partial) == 7:
        return (pd.Timestamp(start) + pd.offsets.MonthEnd(0)).date()
    if precision == "year" or len(partial) == 4:
        return dt.date(start.year, 12, 31)
    return start


def _check_choice(value: str, allowed: tuple[str, ...], what: str) -> None:
    if value not in allowed:
        raise EscalationError(f"'{value}' is not a {what} in the aid table; choose one of: {', '.join(allowed)}.")


def kiel_figures(aid: pd.DataFrame, measure: str = "commitments", aid_type: str = "total") -> pd.DataFrame:
    """Kiel's cumulative euro figures for one measure and aid type, one row per release and donor group."""
    _check_choice(measure, MEASURES, "Kiel measure")
    _check_choice(aid_type, AID_TYPES, "kind of aid")
    rows = aid.loc[(aid["publisher"] == KIEL) & (aid["measure"] == measure) & (aid["aid_type"] == aid_type)]
    return rows.sort_values(["release", "donor_group"]).reset_index(drop=True)


def by_release(aid: pd.DataFrame, measure: str = "commitments", aid_type: str = "total") -> pd.DataFrame:
    """A release × donor-group table of Kiel figures (EUR bn); empty cells where a release gave none."""
    rows = kiel_figures(aid, measure, aid_type)
    table = rows.pivot_table(index="release_date", columns="donor_group", values="figure", aggfunc="first")
    return table.sort_index()


def figure_of(aid: pd.DataFrame, figure_id: str) -> float:
    """One figure by its id, e.g. 'kiel_2024_12_us_alloc'."""
    rows = aid.loc[aid["id"] == figure_id, "figure"]
    if rows.empty:
        raise EscalationError(f"No figure with id '{figure_id}' in the aid table (see its 'id' column).")
    return float(rows.iloc[0])


class Change(dict):
    """The result of `change`: a dict for code (`result["percent"]`), a sentence on screen."""

    def describe(self) -> str:
        """The change in one or two sentences, numbers rounded."""
        text = (f"From {self['from']:g} to {self['to']:g}: a change of {self['change']:+.1f} "
                f"({self['percent']:+.1f}%; the later figure is {self['ratio']:.2f} times the earlier).")
        if self["comparable"]:
            return text + " Comparable: the two rows have the same measure, unit, aid type and donor group."
        return (text + " Not comparable: the two rows differ in " + ", ".join(c.replace("_", " ") for c in self["differs_in"])
                + ", so part of this change is a change of definition.")

    def __repr__(self) -> str:
        return self.describe()

    def _repr_markdown_(self) -> str:
        return self.describe()


def change(aid: pd.DataFrame, from_id: str, to_id: str) -> Change:
    """How a figure moved between two rows: absolute change, percentage change and the ratio.

    Warns in the result (`comparable`) when the two rows differ in measure, unit, aid type or donor
    group, because then the "change" is partly a change of definition. Shown as a sentence.
    """
    a, b = aid.loc[aid["id"] == from_id], aid.loc[aid["id"] == to_id]
    for fid, rows in ((from_id, a), (to_id, b)):
        if rows.empty:
            raise EscalationError(f"No figure with id '{fid}' in the aid table (see its 'id' column).")
    a, b = a.iloc[0], b.iloc[0]
    differs = [c for c in ("measure", "unit", "aid_type", "donor_group") if a[c] != b[c]]
    return Change({"from": float(a["figure"]), "to": float(b["figure"]), "change": float(b["figure"] - a["figure"]),
                   "percent": float((b["figure"] - a["figure"]) / a["figure"] * 100),
                   "ratio": float(b["figure"] / a["figure"]), "comparable": not differs, "differs_in": differs})


def share(part: float, whole: float) -> float:
    """`part` as a percentage of `whole`."""
    if whole == 0:
        raise EscalationError("Cannot compute a share of zero.")
    return float(part) / float(whole) * 100.0


def _spread_labels(positions: list[float], min_gap: float) -> list[float]:
    """Move label positions (pixels, any order) apart so neighbours are at least `min_gap` apart, keeping
    their order and staying as close as possible to where they were."""
    order = sorted(range(len(positions)), key=lambda i: positions[i])
    placed = [positions[i] for i in order]
    for k in range(1, len(placed)):
        placed[k] = max(placed[k], placed[k - 1] + min_gap)
    shift = (sum(placed) - sum(positions[i] for i in order)) / max(len(placed), 1)
    placed = [v - shift for v in placed]
    for k in range(1, len(placed)):
        placed[k] = max(placed[k], placed[k - 1] + min_gap)
    out = [0.0] * len(positions)
    for k, i in enumerate(order):
        out[i] = placed[k]
    return out


FEW_FIGURES = 3


def plot_aid(aid: pd.DataFrame, measure: str = "commitments", aid_type: str = "total", *,
             note: str | None = "cutoff") -> Figure:
    """Kiel figures for one measure by release date, one line and marker shape per donor group.

    The x-axis spans every Kiel release the table holds, so gaps show where a release gave no figure for
    this choice; when the choice has fewer than three figures the chart says so. Value labels are spread
    so they never overlap. Drawn 9.5 in wide at 100 dpi with text of at least 10 pt (about 14 px).
    `note` defaults to the aid table's cut-off note, printed under the chart and added to the alt text.
    """
    rows = kiel_figures(aid, measure, aid_type)
    if rows.empty:
        raise EscalationError(f"The aid table has no Kiel figures for {aid_type} {measure}. "
                              "Try the other measure or kind of aid.")
    # A release known only to the year cannot be placed on a time axis; it is listed, not drawn.
    undated = rows[rows["release_precision"] == "year"]
    rows = rows[rows["release_precision"] != "year"]
    if rows.empty:
        raise EscalationError(f"The aid table's Kiel figures for {aid_type} {measure} all come from releases known only to the "
                              "year, so they cannot be drawn by release date; the table lists them.")
    if note == "cutoff":
        note = cutoff_note("aid")
    fig = Figure(figsize=(9.5, 5.2), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    sentences, points = [], []
    for group, part in rows.groupby("donor_group", sort=True):
        i = DONOR_ORDER.index(group) if group in DONOR_ORDER else len(DONOR_ORDER)
        # A few days' shift per donor group keeps same-release markers apart (releases are months apart).
        shift = pd.Timedelta(days=20 * (i - 2))
        ax.plot(part["release"] + shift, part["figure"], color=plotting.colour(i), marker=plotting.marker(i),
                linestyle="-" if len(part) > 1 else "", linewidth=2, markersize=9, markeredgecolor="black",
                label=group)
        for r in part.itertuples():
            points.append((r.release, r.release + shift, r.figure, f"{(r.qualifier + ' ') if r.qualifier else ''}{r.figure:g}"))
        sentences.append(f"{group}: " + ", ".join(
            f"{(r.qualifier + ' ') if r.qualifier else ''}{r.figure:g} bn in the {r.release_date} release"
            for r in part.itertuples()))
    switch = pd.Timestamp(MEASURE_SWITCH)
    ax.axvline(switch, color="black", linestyle=":", linewidth=1)
    ax.annotate("16 Feb 2024: Kiel introduces 'allocations'\n(its main measure from the April 2024 update)",
                (switch, 0.99), xycoords=("data", "axes fraction"), xytext=(4, 0), textcoords="offset points",
                ha="left", va="top", fontsize=10)
    ax.set_ylim(bottom=0, top=max(rows["figure"]) * 1.3)
    releases = aid.loc[aid["publisher"] == KIEL, "release"]
    ax.set_xlim(releases.min() - pd.Timedelta(days=60), releases.max() + pd.Timedelta(days=120))
    ax.tick_params(labelsize=10)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=10, title="Donor group", title_fontsize=10)
    fig.subplots_adjust(left=0.09, right=0.735, bottom=0.27, top=0.9)  # room for the longest legend entry
    # Value labels to the right of each point, spread apart vertically within each release.
    to_px = ax.transData.transform
    from_px = ax.transData.inverted().transform
    by_release: dict = {}
    for release, x, y, text in points:
        by_release.setdefault(release, []).append((x, y, text))
    for items in by_release.values():
        ys = [to_px((mdates.date2num(x), y))[1] for x, y, _ in items]
        spread = _spread_labels(ys, 16)
        x_px = max(to_px((mdates.date2num(x), y))[0] for x, y, _ in items) + 10
        for (x, y, text), y_px in zip(items, spread):
            ax.annotate(text, (mdates.date2num(x), y), xytext=from_px((x_px, y_px)), textcoords="data",
                        fontsize=10, va="center", ha="left")
    few = ""
    if len(rows) < FEW_FIGURES:
        few = (f"Only {len(rows)} figure{'s' if len(rows) != 1 else ''} in the data for {aid_type} aid "
               f"{measure}: too few to show a change over time. The table lists them.")
        ax.text(0.5, 0.55, few.replace(": ", ":\n", 1), transform=ax.transAxes, ha="center", va="center",
                fontsize=11, bbox={"facecolor": "white", "edgecolor": "#E69F00", "boxstyle": "round"})
    fig.autofmt_xdate(bottom=0.27)
    left_out = ""
    if not undated.empty:
        left_out = ("Not drawn (release known only to the year): " + "; ".join(
            f"{r.donor_group} {(r.qualifier + ' ') if r.qualifier else ''}{r.figure:g} bn (data to {r.data_through:%b %Y})"
            for r in undated.itertuples()) + ".")
        fig.text(0.01, 0.05, left_out, ha="left", va="bottom", fontsize=10)
    if note:
        fig.text(0.01, 0.01, note, ha="left", va="bottom", fontsize=10)
    word = {"commitments": "committed (promised)", "allocations": "allocated (earmarked for delivery)"}[measure]
    alt = (f"Line chart of {aid_type} aid {word} to Ukraine in billions of euros, cumulative, by Kiel Institute "
           f"release. " + "; ".join(sentences) + ". A dotted line marks 16 February 2024, when the tracker "
           "introduced allocations." + (f" {few}" if few else "") + (f" {left_out}" if left_out else "")
           + (f" {note}." if note else ""))
    short = {"commitments": "committed", "allocations": "allocated"}[measure]
    return plotting.finish(fig, ax, title=f"{aid_type.capitalize()} aid to Ukraine, {short} (Kiel Institute releases)",
                           xlabel="Release date (month-only dates on the 1st; donor groups set a few days apart)",
                           ylabel="EUR billion (cumulative)",
                           alt_text=alt)


def sipri_shares(aid: pd.DataFrame) -> pd.DataFrame:
    """SIPRI's shares of Ukraine's major-arms imports by supplier and release (% of TIV)."""
    rows = aid.loc[(aid["publisher"] == SIPRI) & (aid["measure"] == "share of Ukraine's imports of major arms (TIV)")]
    table = rows.pivot_table(index="donor_group", columns="period_covered", values="figure", aggfunc="first")
    order = rows.sort_values("release").drop_duplicates("period_covered")["period_covered"].tolist()
    return table[order]


def plot_sipri_shares(aid: pd.DataFrame) -> Figure:
    """Horizontal bars: each supplier's share of Ukraine's imports of major arms, per SIPRI period."""
    table = sipri_shares(aid)
    if table.empty:
        raise EscalationError("The aid table has no SIPRI supplier shares to plot.")
    table = table.loc[table.max(axis=1).sort_values().index]
    fig = Figure(figsize=(9.5, 1.6 + 0.45 * len(table) * len(table.columns) ** 0.5 + 1.2), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    height = 0.8 / len(table.columns)
    y = np.arange(len(table))
    sentences = []
    for i, period in enumerate(table.columns):
        values = table[period]
        ax.barh(y + i * height, values.fillna(0), height=height, color=plotting.colour(i), hatch=plotting.HATCHES[i],
                edgecolor="black", linewidth=0.4, label=period)
        for yy, v in zip(y + i * height, values):
            ax.annotate("not listed" if np.isnan(v) else f"{v:g}%", (0 if np.isnan(v) else v, yy),
                        xytext=(3, 0), textcoords="offset points", va="center", fontsize=10)
        sentences.append(f"{period}: " + ", ".join(f"{d} {v:g}%" for d, v in values.dropna().items()))
    ax.set_yticks(y + height * (len(table.columns) - 1) / 2, table.index)
    ax.tick_params(labelsize=10)
    ax.set_xlim(0, max(table.max(axis=1)) * 1.25)
    ax.legend(loc="lower right", fontsize=10, title="Period", title_fontsize=10)
    inches = fig.get_figheight()
    fig.subplots_adjust(left=0.2, right=0.97, bottom=1.1 / inches, top=1 - 0.45 / inches)
    fig.text(0.99, 0.01, SIPRI_CREDIT, ha="right", va="bottom", fontsize=10)
    fig.text(0.01, 0.01, cutoff_note("aid"), ha="left", va="bottom", fontsize=10)
    alt = ("Bar chart of suppliers' shares of Ukraine's imports of major arms, measured by SIPRI in "
           "trend-indicator values (not money). " + "; ".join(sentences) + ". " + cutoff_note("aid") + ".")
    return plotting.finish(fig, ax, title="Who supplied Ukraine's imported major arms (SIPRI, % of TIV)",
                           xlabel="Share of Ukraine's imports of major arms (% of TIV)", ylabel="Supplier",
                           alt_text=alt)
