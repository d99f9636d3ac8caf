"""An argument map drawn from a data table, so the debate question can be changed by editing a CSV.

Each row of `data/argument_map.csv` is one element of one side's argument at one stage: its position, a
reason (or warning) it gives, or what changed or would change its view. The map has one band per side and
stage and three columns (position, reasons, what would change it). Every entry is marked by kind —
[Q] verbatim quote, [P] close paraphrase, [?] discussion question — and every band by its stance, with a
shape and a word as well as a colour. To map another question, add rows with a new `question`.
"""
from __future__ import annotations

import textwrap

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from . import plotting
from .errors import DataError, QueryError
from .tables import load_table

TABLE = "argument_map"
ELEMENTS = ["position", "reason", "would change mind"]
ELEMENT_TITLES = {"position": "Position", "reason": "Reasons and warnings given",
                  "would change mind": "What changed it, or would change it"}
STANCES = ["for permitting", "limited permission", "against permitting"]
STANCE_STYLE = {  # colour, marker and hatch: three cues, so no reader depends on colour
    "for permitting": (plotting.OKABE_ITO["bluish green"], "^", ""),
    "limited permission": (plotting.OKABE_ITO["orange"], "D", ".."),
    "against permitting": (plotting.OKABE_ITO["vermillion"], "s", "//"),
}
KIND_TAGS = {"verbatim quote": "[Q]", "close paraphrase": "[P]", "discussion question": "[?]"}
REQUIRED_COLUMNS = ["question", "side", "stage", "stance", "element", "summary", "text", "text_kind",
                    "speaker", "date", "source"]
WRAP = 56


def load_argument_map() -> pd.DataFrame:
    """The argument-map table, validated against its data dictionary."""
    return load_table(TABLE)


def questions(table: pd.DataFrame) -> list[str]:
    """The debate questions in the table, in the order they first appear."""
    return list(dict.fromkeys(table["question"]))


def select(table: pd.DataFrame, question: str | None = None) -> pd.DataFrame:
    """The rows for one question (the first question when none is given), checked for usable values."""
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if missing:
        raise DataError(f"The argument-map table lacks column(s) {', '.join(missing)}; "
                        "see data/datapackage.json for the columns it needs.")
    known = questions(table)
    if not known:
        raise DataError("The argument-map table has no rows. Add rows to data/argument_map.csv.")
    question = known[0] if question is None else question
    if question not in known:
        raise QueryError(f"No rows for the question '{question}'. Questions in the table: "
                         + "; ".join(f"'{q}'" for q in known) + ".")
    rows = table[table["question"] == question]
    for column, allowed in (("stance", STANCES), ("element", ELEMENTS), ("text_kind", list(KIND_TAGS))):
        bad = sorted(set(rows[column]) - set(allowed))
        if bad:
            raise DataError(f"Column '{column}' has value(s) {', '.join(map(repr, bad))}; "
                            f"allowed: {', '.join(allowed)}.")
    return rows


def bands(table: pd.DataFrame, question: str | None = None) -> list[dict]:
    """One band per (side, stage) in table order: its stance and its rows grouped by element."""
    rows = select(table, question)
    out: dict[tuple[str, str], dict] = {}
    for row in rows.itertuples(index=False):
        key = (row.side, row.stage)
        band = out.setdefault(key, {"side": row.side, "stage": row.stage, "stance": row.stance,
                                    "elements": {e: [] for e in ELEMENTS}})
        if row.stance != band["stance"]:
            raise DataError(f"'{row.side}' at stage '{row.stage}' has two stances ({band['stance']!r} and "
                            f"{row.stance!r}); give each stage one stance, or split it into two stages.")
        band["elements"][row.element].append(row._asdict())
    for band in out.values():
        if not band["elements"]["position"]:
            raise DataError(f"'{band['side']}' at stage '{band['stage']}' has no 'position' row; "
                            "every side and stage needs one.")
    return list(out.values())


def stance_history(table: pd.DataFrame, question: str | None = None) -> dict[str, list[tuple[str, str]]]:
    """For each side, its (stage, stance) pairs in table order: shows who changed position."""
    history: dict[str, list[tuple[str, str]]] = {}
    for band in bands(table, question):
        history.setdefault(band["side"], []).append((band["stage"], band["stance"]))
    return history


def entry_text(row: dict) -> str:
    """One map entry: its kind tag and summary."""
    return f"{KIND_TAGS[row['text_kind']]} {row['summary']}"


def describe(table: pd.DataFrame, question: str | None = None) -> str:
    """The text alternative of the map: every band, its stance and its entries, in words."""
    chosen = bands(table, question)
    question = question or questions(table)[0]
    counts = {s: sum(b["stance"] == s for b in chosen) for s in STANCES}
    parts = [f"Argument map for the question '{question}', with {len(chosen)} sides and stages "
             f"({counts['for permitting']} for permitting, {counts['limited permission']} for limited "
             f"permission, {counts['against permitting']} against). Entries marked Q are verbatim quotes, "
             "P close paraphrases, ? discussion questions."]
    for band in chosen:
        pieces = []
        for element in ELEMENTS:
            entries = band["elements"][element]
            if entries:
                pieces.append(ELEMENT_TITLES[element].lower() + ": "
                              + "; ".join(f"({KIND_TAGS[e['text_kind']][1]}) {e['summary']}" for e in entries))
        parts.append(f"{band['side']} ({band['stage']}), {band['stance']}: " + ". ".join(pieces) + ".")
    return " ".join(parts)


def wrapped(entries: list[dict]) -> list[str]:
    """The lines of one cell: each entry wrapped, entries separated by a blank line."""
    lines: list[str] = []
    for entry in entries:
        if lines:
            lines.append("")
        lines.extend(textwrap.wrap(entry_text(entry), WRAP, subsequent_indent="    "))
    return lines


def draw_argument_map(table: pd.DataFrame, question: str | None = None) -> Figure:
    """Draw the map for one question: a band per side and stage, a column per part of the argument."""
    chosen = bands(table, question)
    question = question or questions(table)[0]
    cells = [{e: wrapped(b["elements"][e]) for e in ELEMENTS} for b in chosen]
    heights = [max(2, *(len(c[e]) for e in ELEMENTS)) + 1 for c in cells]
    total = sum(heights)
    height_in = 1.9 + 0.17 * total
    fig = Figure(figsize=(14, height_in))
    ax = fig.add_axes([0.17, 0.5 / height_in, 0.82, 1 - 1.7 / height_in])
    ax.set_xlim(0, 3)
    ax.set_ylim(total, 0)
    top = 0
    centres = []
    for band, cell, height in zip(chosen, cells, heights):
        colour, shape, hatch = STANCE_STYLE[band["stance"]]
        ax.add_patch(Rectangle((0.01, top + 0.1), 0.07, height - 0.2, facecolor=colour, alpha=0.55,
                               edgecolor="#333333", linewidth=0.6, hatch=hatch))
        ax.plot([0.045], [top + 1.0], marker=shape, markersize=9, color=colour,
                markeredgecolor="black", linestyle="none")
        for column, element in enumerate(ELEMENTS):
            left = column + (0.09 if column == 0 else 0.01)
            ax.add_patch(Rectangle((left, top + 0.1), column + 0.99 - left, height - 0.2, facecolor=colour,
                                   alpha=0.12, edgecolor="#444444", linewidth=0.6))
            text = "\n".join(cell[element]) or "(no entry)"
            ax.text(left + 0.03, top + 0.45, text, va="top", ha="left", fontsize=7.5, linespacing=1.25)
        ax.text(0.97, top + height - 0.35, band["stance"].upper(), ha="right", va="bottom", fontsize=7,
                fontweight="bold")
        centres.append(top + height / 2)
        top += height
    ax.set_xticks([0.5, 1.5, 2.5], [ELEMENT_TITLES[e] for e in ELEMENTS], fontsize=9, fontweight="bold")
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    ax.tick_params(axis="x", length=0)
    ax.set_yticks(centres, [f"{b['side']}\n({b['stage']})" for b in chosen], fontsize=8)
    for spine in ax.spines.values():
        spine.set_visible(False)
    handles = [Line2D([], [], marker=STANCE_STYLE[s][1], color=STANCE_STYLE[s][0], markeredgecolor="black",
                      linestyle="none", markersize=8, label=s) for s in STANCES]
    handles += [Line2D([], [], linestyle="none", label=f"{tag} {kind}") for kind, tag in KIND_TAGS.items()]
    fig.legend(handles=handles, loc="lower center", ncol=6, fontsize=8, frameon=False,
               bbox_to_anchor=(0.58, 0.05 / height_in), handlelength=1)
    plotting.finish(fig, ax, title="\n".join(textwrap.wrap(f"Argument map: {question}", 90)),
                    xlabel="Part of the argument", ylabel="Side and stage, as named in the sources",
                    alt_text=describe(table, question))
    ax.title.set_fontsize(13)
    return fig


def sources_table(table: pd.DataFrame, question: str | None = None) -> pd.DataFrame:
    """The map's entries with their full text, kind, speaker, date and source: the map's footnotes."""
    rows = select(table, question)
    return rows[["side", "stage", "element", "text_kind", "text", "speaker", "date", "source"]].reset_index(drop=True)
