"""What changes when a page goes on paper (stage: report).

- Instructions that only make sense in JupyterLab ("Run the cell below", "saves as you type", "drag the
  slider", "Hidden cell below") are rewritten or left out, sentence by sentence (`for_paper`).
- A widget exercise gets a paper form: the cell's `edition.paper` metadata replaces its text on paper, and
  its `edition.paper_data` names the data to print (`paper_data_html`), computed from the module's data now;
  a choice or tick answer prints its options (`answer_options_html`).
- Tables fit the page: a table too wide for it is reflowed (one line per record, each value after its column's
  name), a long one is cut to its first rows with the full table named (`fit_tables`); a Python value (a dict)
  prints as a table (`value_html`).
"""
from __future__ import annotations

import ast
import html
import re

from bs4 import BeautifulSoup

# Sentences that only make sense in JupyterLab: (pattern, replacement). A replacement of "" drops the
# sentence; patterns are matched against one sentence at a time.
RULES: list[tuple[re.Pattern, str]] = [(re.compile(p, re.I), r) for p, r in (
    (r"^\*?\(?(?:The )?(?:both )?hidden cells? (?:below|after)\b.*$", ""),
    (r"^\*?\(?Both cells below are hidden.*$", ""),
    (r"\s*\((?:the )?hidden cells? below[^)]*\)", ""),
    (r"^(?:-\s*)?Run cells with \*\*Shift \+ Enter\*\*.*$", ""),
    (r"^Your text is saved as you type.*$", ""),
    (r"^(it|they) (builds?|sets?|loads?|starts?|fill|places?|counts?|show|shows|lists?)\b.*\*\)?$", ""),
    (r"Write in the box below; it saves as you type, and opens a model answer and a checklist at \d+ words\.",
     "Write your answer in the box below."),
    (r"^Run the cell below(?: \(or \*?Run All\*?\))? to see which (exercises|answers).*$", ""),
    (r"^Run the cell below[.:]?$", ""),
    (r"^Run the cell below: it (\w+)", r"The table below \1"),
    (r"^Run the cell below: ", "Below: "),
    (r"^It (prints|lists) ", r"The table below \1 "),
    (r"\s*and press \*\*Check\*\*", ""),
    (r"in the widget after it", "in the list below"),
    (r"^Run it before you answer Q\d+\.?$", ""),
    (r"\s*\(double-click the cell to edit it\)", ""),
    (r"\s*\(click `?…`? to see[^)]*\)", ""),
    (r"^Click the `?…`? if you want to see the code; you never need to change it\.$", ""),
    (r"\s*and run (that|the) cell(?: and the check cell under it)?", ""),
    (r"\s*and the check cell under it", ""),
    (r",? then run (it|the cell) and[^.]*", ""),
    (r",?\s*or type a sum such as `[^`]+` in a new code cell and run it", ""),
    (r"^(Then )?run the check below\b.*$", ""),
    (r"^it reads the board in the widget\.$", ""),
    (r"^The check recomputes it from your codes in the widget\.$", ""),
)]

# A sentence that still tells the reader to operate JupyterLab after the rules: left out on paper.
SCREEN_ONLY = re.compile(r"run (the|this|that) cell|saved? as you type|saves as you type|\bdrag\b|double-click|shift \+ enter|"
                         r"hidden cells? below", re.I)

# Paragraphs about working in JupyterLab that paper replaces with its own note (the graded sets' first cell).
SCREEN_PARAGRAPHS = re.compile(r"^\*\*(Before you start|How to answer|How to submit):?\*\*", re.I)

SENTENCE = re.compile(r"(?<=[.!?:])\s+(?=[*(\"“]{0,2}[A-Z`])")


def _rewrite(sentence: str) -> str:
    """One sentence for paper: rewritten by the first rules that match; dropped when a rule says so or when
    it still tells the reader to operate JupyterLab."""
    for pattern, replacement in RULES:
        if pattern.search(sentence):
            if replacement == "" and pattern.pattern.startswith("^") and pattern.pattern.endswith("$"):
                return ""
            sentence = pattern.sub(replacement, sentence)
    return "" if SCREEN_ONLY.search(sentence) else sentence


def for_paper(markdown: str) -> str:
    """Markdown with its JupyterLab-only instructions rewritten or left out (tables and code kept as they are)."""
    out = []
    for block in re.split(r"\n\s*\n", markdown):
        lines = block.splitlines()
        if lines and SCREEN_PARAGRAPHS.match(lines[0].strip()):
            continue
        if not lines or lines[0].lstrip().startswith(("|", "```", "#", "<")):
            out.append(block)
            continue
        bullet = re.match(r"^(\s*(?:[-*]|\d+\.)\s+)", lines[0])
        text = " ".join(line.strip() for line in lines)
        if bullet and sum(1 for line in lines if re.match(r"^\s*(?:[-*]|\d+\.)\s+", line)) > 1:
            out.append("\n".join(for_paper(line) for line in lines))
            continue
        kept = [s for s in (_rewrite(s) for s in SENTENCE.split(text)) if s.strip(" *()")]
        if kept:
            out.append(" ".join(kept))
    return "\n\n".join(b for b in out if b.strip())


def cell_paper(cell) -> dict:
    """The cell's `edition` metadata (paper text, paper data), or {}."""
    meta = cell.get("metadata", {}).get("edition", {})
    return meta if isinstance(meta, dict) else {}


# ------------------------------------------------------------------------------------------------ data

def _table(frame, caption: str) -> str:
    return (f'<p class="paper-data-caption">{html.escape(caption)}</p>'
            + frame.to_html(index=False, border=0, classes="paper-data"))


def _two_columns(table):
    """A long, narrow table set side by side in two halves (half the length on paper)."""
    import pandas as pd

    half = (len(table) + 1) // 2
    left, right = table.iloc[:half].reset_index(drop=True), table.iloc[half:].reset_index(drop=True)
    right.columns = [f"{c} " for c in right.columns]
    both = pd.concat([left.astype(object), right.astype(object)], axis=1)
    return both.astype(object).where(both.notna(), "")


def _distances(city: str) -> str:
    from .. import geo

    places = geo.load_places()
    start = geo.find_place(places, city)
    table = geo.places_within(places, start.latitude, start.longitude, 5000)
    table = table[table["name"] != start["name"]].sort_values("distance_km")
    table = table.assign(km=table["distance_km"].round().astype(int))[["name", "country_code", "km"]]
    table.columns = ["place", "country", "km"]
    both = _two_columns(table)
    return _table(both, f"Great-circle distance from {start['name']} to every place of the module's places table "
                        "(data/places.csv), nearest first; country codes RU Russia, UA Ukraine, BY Belarus "
                        "(internationally recognised borders).")


def _events(kind: str) -> str:
    from .. import events as ev

    events = ev.load_events()
    if kind == "warnings":
        table = events[events["event_type"] == "warning"][["event_id", "date", "country", "actor"]]
        return _table(table, "Every warning in the module's timeline (data/events.csv), with its date and country.")
    if kind == "published":
        table = events.assign(published_by=ev.knowable_from(events).dt.date.astype(str))[
            ["event_id", "date", "published_by"]]
        return _table(_two_columns(table), "Every event of the timeline (data/events.csv) with the day from which it had been "
                            "published (the later of its date and its first report).")
    raise KeyError(kind)


def _coding(spec: str) -> str:
    from .. import coding, corpus

    article_id, _, span = spec.partition(":")
    first, _, last = span.partition("-")
    article = next(a for a in corpus.load_articles() if a.id == article_id)
    units = coding.sentence_units(article)
    chosen = units[(units["number"] >= int(first)) & (units["number"] <= int(last))][["number", "sentence"]]
    codes = " · ".join(f"{c.key} {c.code.replace('_', ' ')}" for c in coding.load_scheme())
    table = chosen.assign(**{"your code": ""})
    return _table(table, f"The sentences to code, with a column for your code. Codes: {codes}.")


def _reference(spec: str) -> str:
    from .. import coding, corpus

    article_id, _, span = spec.partition(":")
    first, _, last = span.partition("-")
    article = next(a for a in corpus.load_articles() if a.id == article_id)
    wanted = [coding.sentence_id(article_id, n) for n in range(int(first), int(last) + 1)]
    ref = coding.reference_coding(article)
    table = ref[ref["sentence_id"].isin(wanted)][["sentence_id", "code"]]
    return _table(table, f"The module's reference coding of sentences {first}–{last} (one careful reading, "
                         "not the truth; its reasons are in data/coding/reference_coding.csv).")


def _board(_: str) -> str:
    rows = "".join("<tr>" + "<td>&nbsp;</td>" * 5 + "</tr>" for _ in range(2))
    return ('<p class="paper-data-caption">Your two rows of the evidence board.</p>'
            '<table class="paper-data board"><thead><tr><th>claim</th><th>who</th><th>evidence</th><th>source</th>'
            f"<th>confidence (low, medium, high)</th></tr></thead><tbody>{rows}</tbody></table>")


PAPER_DATA = {"distances": _distances, "events": _events, "coding": _coding, "reference": _reference,
              "board": _board}


def paper_data_html(spec: str) -> str:
    """The data a paper exercise needs, computed from the module's data now. `spec` is "kind:argument"
    (e.g. "distances:Kyiv", "events:warnings", "coding:atacms_request_2023:9-14", "board:")."""
    kind, _, argument = spec.partition(":")
    if kind not in PAPER_DATA:
        raise KeyError(f"unknown paper data {spec!r}; known: {', '.join(PAPER_DATA)}")
    return PAPER_DATA[kind](argument)


def answer_options_html(exercise_id: str) -> str:
    """A choice or tick exercise's options to circle or tick on paper ("" for other kinds)."""
    from .. import practice

    try:
        ex = practice.get(exercise_id)
        options = ex.choice_list() if ex.kind in ("choice", "set") else []
    except Exception:  # noqa: BLE001 - no options to print
        return ""
    if not options:
        return ""
    how = "Circle one:" if ex.kind == "choice" else "Tick every one that applies:"
    items = "".join(f"<li>☐ {html.escape(str(o))}</li>" for o in options)
    return f'<div class="options"><p>{how}</p><ul class="options">{items}</ul></div>'


# ---------------------------------------------------------------------------------------------- tables

WIDE_COLUMNS = 7
LONG_ROWS = 12
SHOWN_ROWS = 6


def fit_tables(fragment: str, full_table_note) -> str:
    """Print-ready tables: a wide table reflowed, a long one cut to its first rows.

    `full_table_note(columns)` returns the sentence saying where the full table is.
    """
    if "<table" not in fragment:
        return fragment
    soup = BeautifulSoup(fragment, "html.parser")
    for table in soup.find_all("table"):
        body_rows = [r for r in table.find_all("tr") if r.find("td")]
        header = [th.get_text(" ", strip=True) for th in table.find_all("th")]
        cols = max((len(r.find_all(["td", "th"])) for r in table.find_all("tr")), default=0)
        wide = cols >= WIDE_COLUMNS and "paper-data" not in (table.get("class") or [])
        if len(body_rows) > LONG_ROWS and "paper-data" not in (table.get("class") or []):
            for row in body_rows[SHOWN_ROWS:]:
                row.decompose()
            note = soup.new_tag("p", attrs={"class": "table-cut"})
            note.string = (f"The first {SHOWN_ROWS} of {len(body_rows)} rows. " + full_table_note(header))
            table.insert_after(note)
        if wide:
            _reflow(soup, table)
    return str(soup)


def _reflow(soup, table) -> None:
    """A table too wide for the page, reflowed: one row per record, each value after its column's name."""
    head_row = next((r for r in table.find_all("tr") if r.find("th") and not r.find("td")), None)
    names = [th.get_text(" ", strip=True) for th in head_row.find_all("th")] if head_row else []
    new = soup.new_tag("table", attrs={"class": "reflow"})
    for row in table.find_all("tr"):
        cells = row.find_all(["td", "th"])
        if row is head_row or not row.find("td"):
            continue
        td = soup.new_tag("td")
        for n, cell in enumerate(cells):
            value = cell.get_text(" ", strip=True)
            name = names[n] if n < len(names) else ""
            if not value:
                continue
            if name:
                label = soup.new_tag("span", attrs={"class": "k"})
                label.string = name + ":"
                td.append(label)
                td.append(" ")
            td.append(value)
            td.append(" · " if n < len(cells) - 1 else "")
        tr = soup.new_tag("tr")
        tr.append(td)
        new.append(tr)
    table.replace_with(new)


def value_html(text: str) -> str | None:
    """A Python value printed by a cell (a dict, possibly nested) as a small table; None if it is not one."""
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if not isinstance(value, dict):
        return None

    def show(v) -> str:
        if isinstance(v, float):
            return f"{v:.3g}" if abs(v) < 1000 else f"{v:,.0f}"
        if isinstance(v, bool):
            return "yes" if v else "no"
        if isinstance(v, dict):
            return "; ".join(f"{k}: {show(x)}" for k, x in v.items())
        if isinstance(v, (list, tuple)):
            return ", ".join(show(x) for x in v) if v else "none"
        return str(v)

    rows = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(show(v))}</td></tr>"
                   for k, v in value.items())
    return f'<table class="value">{rows}</table>'


def links_as_text(fragment: str) -> str:
    """Links on paper: a link within the module becomes its text (it leads nowhere on paper); a web link keeps
    its address in brackets after the text."""
    if "<a " not in fragment:
        return fragment
    soup = BeautifulSoup(fragment, "html.parser")
    for link in soup.find_all("a"):
        href = link.get("href", "")
        if href.startswith(("http://", "https://")):
            if href not in link.get_text():
                link.append(f" ({href})")
            del link["href"]
        link.unwrap()
    return str(soup)
