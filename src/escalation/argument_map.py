"""An argument map drawn from a data table, so the debate question can be changed by editing a CSV.

Each row of `data/argument_map.csv` is one element of one side's argument at one stage: its position, a
reason (or warning) it gives, or what changed or would change its view. The map has one band per side and
stage and three columns (position, reasons, what would change it). Every entry is marked by kind —
[Q] verbatim quote, [P] close paraphrase, [?] discussion question — and every band by its stance, with a
shape and a word as well as a colour. To map another question, add rows with a new `question`.
"""
from __future__ import annotations

import html
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
WRAP = 54


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


class StanceHistory(dict):
    """The result of `stance_history`: a dict for code, a table (side, stances in order) on screen."""

    def table(self) -> pd.DataFrame:
        """One row per side: its stances in table order and whether they changed."""
        return pd.DataFrame([{"side": side, "stances (stage: stance)": "; ".join(f"{stage}: {stance}" for stage, stance in pairs),
                              "changed?": "yes" if len({stance for _, stance in pairs}) > 1 else "no"}
                             for side, pairs in self.items()])

    def __repr__(self) -> str:
        return "\n".join(f"{row['side']} — {row['stances (stage: stance)']} (changed: {row['changed?']})"
                         for row in self.table().to_dict("records"))

    def _repr_html_(self) -> str:
        return plotting.table_html(self.table(), caption="Each side's stances, in the map's order")


def stance_history(table: pd.DataFrame, question: str | None = None) -> StanceHistory:
    """For each side, its (stage, stance) pairs in table order: shows who changed position."""
    history = StanceHistory()
    for band in bands(table, question):
        history.setdefault(band["side"], []).append((band["stage"], band["stance"]))
    return history


def _sentence(text: str) -> str:
    """Text ending in one full stop (none added after a question mark or a stop already there)."""
    text = text.rstrip()
    return text if text.endswith((".", "?", "!")) else text + "."


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
        parts.append(_sentence(f"{band['side']} ({band['stage']}), {band['stance']}: " + " ".join(_sentence(p) for p in pieces)))
    return " ".join(parts)


def entry_credit(row: dict) -> str:
    """Who said it and when, for a map entry (a discussion question has no speaker to credit)."""
    if row["text_kind"] == "discussion question":
        return "question for discussion, not a source's words"
    speaker = str(row.get("speaker") or "").split(" (")[0].strip()
    return ", ".join(part for part in (speaker, str(row.get("date") or "").strip()) if part)


def wrapped(entries: list[dict], width: int = WRAP) -> list[str]:
    """The lines of one cell: each entry (kind tag, summary, who and when) wrapped, a blank line between."""
    lines: list[str] = []
    for entry in entries:
        if lines:
            lines.append("")
        credit = entry_credit(entry)
        text = entry_text(entry) + (f" — {credit}" if credit else "")
        lines.extend(textwrap.wrap(text, width, subsequent_indent="    ", break_long_words=False,
                                   break_on_hyphens=False))
    return lines


def sides(table: pd.DataFrame, question: str | None = None) -> list[str]:
    """The sides of a question, in the order they first appear in the table."""
    return list(dict.fromkeys(select(table, question)["side"]))


FIGURE_WIDTH_IN = 11.5    # 1,150 px at 100 dpi: fits a notebook's output area (1,186 px at 1366x768) unscaled
TEXT_PT = 8.0             # 11 px as displayed
LINE_IN = 0.165           # height of one line of TEXT_PT text with line spacing 1.2


def data_note() -> str:
    """The argument-map table's cut-off ("Data as of … (argument_map)."), or "" if it is not recorded."""
    from .tables import cutoff_note

    try:
        return cutoff_note(TABLE) + "."
    except (DataError, KeyError, OSError):
        return ""


def draw_argument_map(table: pd.DataFrame, question: str | None = None, only: list[str] | None = None) -> Figure:
    """Draw the map for one question: one panel per side, its stages as rows, a column per part of the argument.

    Every entry keeps its kind tag ([Q] verbatim quote, [P] close paraphrase, [?] discussion question), who
    said it and when; the full wording and source of each entry are in `sources_table` and `argument_map_html`.
    `only` limits the map to some sides (in table order). The figure is drawn at notebook width, so it
    grows in height, not in width, as rows are added.
    """
    chosen = bands(table, question)
    question = question or questions(table)[0]
    if only is not None:
        unknown = sorted(set(only) - {b["side"] for b in chosen})
        if unknown:
            raise QueryError(f"No side {', '.join(map(repr, unknown))} for this question; sides: "
                             + ", ".join(sides(table, question)) + ".")
        chosen = [b for b in chosen if b["side"] in only]
    # layout in line units: a side header, a column header, then each stage's band
    rows = []   # (kind, top, height, payload)
    top = 0.0
    for side in dict.fromkeys(b["side"] for b in chosen):
        rows.append(("side", top, 1.6, side))
        top += 1.6
        for band in (b for b in chosen if b["side"] == side):
            cells = {e: wrapped(band["elements"][e]) for e in ELEMENTS}
            height = max(1, *(len(c) for c in cells.values())) + 2.2
            rows.append(("band", top, height, (band, cells)))
            top += height
        top += 0.5
    total = top
    header_in, footer_in = 0.9, 0.75
    height_in = header_in + footer_in + LINE_IN * total
    fig = Figure(figsize=(FIGURE_WIDTH_IN, height_in), dpi=100)
    ax = fig.add_axes([0.045, footer_in / height_in, 0.945, 1 - (header_in + footer_in) / height_in])
    ax.set_xlim(0, 3)
    ax.set_ylim(total, 0)
    for kind, row_top, height, payload in rows:
        if kind == "side":
            ax.add_patch(Rectangle((0, row_top + 0.15), 3, height - 0.3, facecolor="#333333", edgecolor="none"))
            ax.text(0.02, row_top + height / 2, payload, va="center", ha="left", fontsize=11, fontweight="bold",
                    color="white")
            for column, element in enumerate(ELEMENTS):
                if column:
                    ax.text(column + 0.02, row_top + height / 2, ELEMENT_TITLES[element], va="center",
                            ha="left", fontsize=TEXT_PT + 0.5, color="white", fontstyle="italic")
            continue
        band, cells = payload
        colour, shape, hatch = STANCE_STYLE[band["stance"]]
        ax.add_patch(Rectangle((0, row_top + 0.1), 3, height - 0.2, facecolor=colour, alpha=0.12,
                               edgecolor="#444444", linewidth=0.6))
        ax.add_patch(Rectangle((0.005, row_top + 0.2), 0.02, height - 0.4, facecolor=colour, alpha=0.7,
                               edgecolor="#333333", linewidth=0.5, hatch=hatch))
        ax.plot([0.06], [row_top + 0.85], marker=shape, markersize=8, color=colour, markeredgecolor="black",
                linestyle="none")
        ax.text(0.1, row_top + 0.85, f"{band['stage']} · {band['stance'].upper()}", va="center", ha="left",
                fontsize=TEXT_PT + 0.5, fontweight="bold")
        for column, element in enumerate(ELEMENTS):
            left = column + 0.04
            text = "\n".join(cells[element]) or "(no entry)"
            ax.text(left, row_top + 1.6, text, va="top", ha="left", fontsize=TEXT_PT, linespacing=1.2)
            if column:
                ax.plot([column, column], [row_top + 0.3, row_top + height - 0.3], color="#888888", linewidth=0.6)
    ax.set_xticks([0.5, 1.5, 2.5], [ELEMENT_TITLES[e] for e in ELEMENTS], fontsize=TEXT_PT + 1,
                  fontweight="bold")
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    ax.tick_params(axis="x", length=0)
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    handles = [Line2D([], [], marker=STANCE_STYLE[s][1], color=STANCE_STYLE[s][0], markeredgecolor="black",
                      linestyle="none", markersize=8, label=s) for s in STANCES]
    handles += [Line2D([], [], linestyle="none", label=f"{tag} {kind}") for kind, tag in KIND_TAGS.items()]
    fig.legend(handles=handles, loc="lower center", ncol=6, fontsize=TEXT_PT, frameon=False,
               bbox_to_anchor=(0.5, 0.28 / height_in), handlelength=1)
    as_of = data_note()
    if as_of:
        fig.text(0.01, 0.05 / height_in, as_of, fontsize=TEXT_PT, ha="left", va="bottom")
    plotting.finish(fig, ax, title="\n".join(textwrap.wrap(f"Argument map: {question}", 100)),
                    xlabel="Part of the argument", ylabel="Side, stage and stance",
                    alt_text=(describe(table, question) if only is None else describe_bands(chosen, question))
                    + (f" {as_of}" if as_of else ""))
    ax.xaxis.label.set_fontsize(TEXT_PT + 1)
    ax.yaxis.label.set_fontsize(TEXT_PT + 1)
    ax.title.set_fontsize(13)
    fig.bands = chosen
    return fig


def describe_bands(chosen: list[dict], question: str) -> str:
    """The text alternative for some bands of the map (the sides drawn)."""
    parts = [f"Argument map for the question '{question}', sides: "
             + ", ".join(dict.fromkeys(b["side"] for b in chosen)) + "."]
    for band in chosen:
        pieces = [ELEMENT_TITLES[e].lower() + ": " + "; ".join(
            f"({KIND_TAGS[x['text_kind']][1]}) {x['summary']}" for x in band["elements"][e])
            for e in ELEMENTS if band["elements"][e]]
        parts.append(_sentence(f"{band['side']} ({band['stage']}), {band['stance']}: " + " ".join(_sentence(p) for p in pieces)))
    return " ".join(parts)


def argument_map_html(table: pd.DataFrame, question: str | None = None) -> str:
    """The map as HTML: a table per side, every entry with its mark, full wording, speaker, date and source.

    HTML wraps to any width and grows with the table, so this is the version to read on a small screen
    or print; the marks are words as well as tags, and the stance has a shape and a word, not only a colour.
    """
    chosen = bands(table, question)
    question = question or questions(table)[0]
    shapes = {"for permitting": "▲", "limited permission": "◆", "against permitting": "■"}
    out = [f'<div class="escalation-argument-map" style="font-size:14px; line-height:1.4">'
           f"<h4>Argument map: {html.escape(question)}</h4>"
           "<p>Marks: <strong>[Q]</strong> verbatim quote · <strong>[P]</strong> close paraphrase · "
           "<strong>[?]</strong> discussion question (no source says this; a question for you). "
           "Stances: ▲ for permitting · ◆ limited permission · ■ against permitting.</p>"]
    for side in dict.fromkeys(b["side"] for b in chosen):
        out.append(f'<table style="border-collapse:collapse; width:100%; margin-bottom:1em">'
                   f'<caption style="text-align:left; font-weight:bold; font-size:16px; padding:4px 0">'
                   f"{html.escape(side)}</caption><thead><tr>"
                   + "".join(f'<th scope="col" style="text-align:left; border-bottom:2px solid #333; padding:4px; '
                             f'width:{w}">{html.escape(t)}</th>'
                             for t, w in (("Stage and stance", "16%"), ("Part", "14%"), ("Mark and entry", "70%")))
                   + "</tr></thead><tbody>")
        for band in (b for b in chosen if b["side"] == side):
            colour = STANCE_STYLE[band["stance"]][0]
            entries = [(e, row) for e in ELEMENTS for row in band["elements"][e]]
            for i, (element, row) in enumerate(entries):
                stage = (f'<th scope="rowgroup" rowspan="{len(entries)}" style="text-align:left; vertical-align:top; '
                         f'border-left:6px solid {colour}; padding:4px">{html.escape(band["stage"])}<br>'
                         f'{shapes[band["stance"]]} {html.escape(band["stance"])}</th>') if i == 0 else ""
                credit = entry_credit(row)
                role = f", {html.escape(str(row['role']))}" if str(row.get("role") or "").strip() not in ("", "nan") else ""
                wording = (f"“{html.escape(str(row['text']))}”" if row["text_kind"] == "verbatim quote"
                           else f"Paraphrase, as reported: {html.escape(str(row['text']))}")
                detail = ("" if row["text_kind"] == "discussion question" else
                          f'<br><span style="color:#333">{wording}<br>'
                          f"— {html.escape(str(row['speaker']))}{role}, {html.escape(str(row['date']))}. "
                          f"Source: {html.escape(str(row['source']))}</span>")
                out.append(f"<tr>{stage}<td style='vertical-align:top; padding:4px; border-top:1px solid #ddd'>"
                           f"{html.escape(ELEMENT_TITLES[element])}</td>"
                           f"<td style='vertical-align:top; padding:4px; border-top:1px solid #ddd'>"
                           f"<strong>{KIND_TAGS[row['text_kind']]}</strong> {html.escape(str(row['summary']))}"
                           f"{'' if detail else ' (' + html.escape(credit) + ')'}{detail}</td></tr>")
        out.append("</tbody></table>")
    out.append("</div>")
    return "".join(out)


def show_argument_map(table: pd.DataFrame, question: str | None = None) -> None:
    """Display the map as HTML (`argument_map_html`), readable at any width."""
    from IPython.display import HTML, display

    display(HTML(argument_map_html(table, question)))


def sources_table(table: pd.DataFrame, question: str | None = None) -> pd.DataFrame:
    """The map's entries with their full text, kind, speaker, date and source: the map's footnotes."""
    rows = select(table, question)
    return rows[["side", "stage", "element", "text_kind", "text", "speaker", "date", "source"]].reset_index(drop=True)


def source_note(row: dict) -> str:
    """One entry as a printable footnote: mark, who, when, the full wording and the source.

    A discussion question has no speaker, date or source, and says so instead of printing empty fields.
    """
    tag = KIND_TAGS[row["text_kind"]]
    if row["text_kind"] == "discussion question":
        return f"{tag} Discussion question (not a source's words): {row['text']}"
    who = ", ".join(str(part) for part in (row.get("speaker"), row.get("date"))
                    if str(part or "").strip() and str(part) != "nan")
    return f"{tag} {who}: {row['text']}\n    Source: {row['source']}"


def source_notes(table: pd.DataFrame, side: str | None = None, question: str | None = None) -> str:
    """The footnotes of one side (or all sides), wrapped between words for printing."""
    from .plotting import wrap_prose

    notes = sources_table(table, question)
    if side is not None:
        if side not in set(notes["side"]):
            raise QueryError(f"No side '{side}'; sides: {', '.join(dict.fromkeys(notes['side']))}.")
        notes = notes[notes["side"] == side]
    return "\n\n".join(wrap_prose(source_note(row)) for row in notes.to_dict("records"))
