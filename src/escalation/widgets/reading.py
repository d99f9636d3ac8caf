"""Widgets for close reading: the article explorer and the keyword-in-context (KWIC) search."""
from __future__ import annotations

import html

import ipywidgets as widgets

from .. import text as textlib
from ..corpus import Article, load_articles
from ..lexicons import load_place_names
from .base import Explorer, message_html

HIGHLIGHTS = {
    "quotes": ("Quotations", "background:#F0E442;", "Q"),
    "attributions": ("Who said it (speaker and reporting verb)", "background:#56B4E9;", "A"),
    "numbers": ("Numbers and amounts", "border-bottom:3px solid #D55E00;", "N"),
    "places": ("Place names", "border-bottom:3px dotted #009E73;", "P"),
}


def highlight_spans(article: Article, show: tuple[str, ...], place_names: dict | None = None) -> list[tuple[int, int, str]]:
    """The (start, end, kind) spans of the article body to highlight, sorted, without overlaps."""
    body = article.body
    spans: list[tuple[int, int, str]] = []
    if "quotes" in show or "attributions" in show:
        for q in textlib.find_quotations(body, article.id):
            if "quotes" in show:
                spans.append((q.start, q.end, "quotes"))
            if "attributions" in show and q.verb:
                window_start, window_end = max(0, q.start - 200), min(len(body), q.end + 120)
                window = body[window_start:window_end]
                for part in (q.speaker, q.verb):
                    pos = window.find(part, q.end - window_start) if part else -1
                    if pos < 0 and part:
                        pos = window.rfind(part, 0, q.start - window_start)
                    if pos >= 0:
                        spans.append((window_start + pos, window_start + pos + len(part), "attributions"))
    if "numbers" in show:
        for m in textlib.NUMBER.finditer(body):
            spans.append((m.start(), m.end(), "numbers"))
    if "places" in show:
        pattern = textlib.place_pattern(place_names if place_names is not None else load_place_names())
        if pattern is not None:
            spans.extend((m.start(), m.end(), "places") for m in pattern.finditer(body))
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    kept: list[tuple[int, int, str]] = []
    for span in spans:
        previous = kept[-1] if kept else None
        # A number or attribution wholly inside a quote is nested (marked inside it); any other overlap is dropped.
        nested = previous and previous[2] == "quotes" and span[2] != "quotes" and span[1] <= previous[1]
        if previous and span[0] < previous[1] and not nested:
            continue
        kept.append(span)
    return kept


def render_article_html(article: Article, show: tuple[str, ...] = ("quotes", "attributions"),
                        place_names: dict | None = None) -> str:
    """The article as HTML with the chosen features marked; each mark also carries a letter label."""
    body = article.body
    events = []
    for start, end, kind in highlight_spans(article, show, place_names):
        events.append((start, 1, kind))
        events.append((end, 0, kind))
    events.sort(key=lambda e: (e[0], e[1]))
    out, pos = [], 0
    for at, is_start, kind in events:
        out.append(html.escape(body[pos:at]))
        name, style, letter = HIGHLIGHTS[kind]
        out.append(f'<mark title="{name}" style="{style}"><sup>{letter}</sup>' if is_start else "</mark>")
        pos = at
    out.append(html.escape(body[pos:]))
    paragraphs = "".join(f"<p>{p}</p>" for p in "".join(out).split("\n\n") if p.strip())
    legend = " · ".join(f'<mark style="{HIGHLIGHTS[k][1]}"><sup>{HIGHLIGHTS[k][2]}</sup>{HIGHLIGHTS[k][0]}</mark>'
                        for k in show)
    meta = (f"<p><strong>{html.escape(article.headline)}</strong><br>Outlet: {html.escape(article.outlet)} · "
            f"Byline: {html.escape(article.byline or 'none')} · Date: {html.escape(article.date)} "
            f"({html.escape(article.date_basis)})</p>")
    return meta + (f"<p>Key: {legend}</p>" if show else "") + paragraphs


def article_explorer(articles: list[Article] | None = None, notebook: str = "01") -> Explorer:
    """Pick an article and tick what to highlight: quotes, who said them, numbers, place names."""
    articles = articles if articles is not None else load_articles()
    by_id = {a.id: a for a in articles}
    place_names = load_place_names()
    controls = {
        "article_id": widgets.Dropdown(options=[(a.label, a.id) for a in articles], value=articles[0].id,
                                       description="Article", style={"description_width": "initial"},
                                       layout=widgets.Layout(width="95%")),
        "show": widgets.SelectMultiple(options=[(HIGHLIGHTS[k][0], k) for k in HIGHLIGHTS],
                                       value=("quotes", "attributions"), rows=4,
                                       description="Highlight", style={"description_width": "initial"},
                                       layout=widgets.Layout(width="95%")),
    }

    def compute(article_id, show):
        article = by_id[article_id]
        return render_article_html(article, tuple(show), place_names), highlight_spans(article, tuple(show), place_names)

    def static_body():
        # the reading edition shows every article in full, with the default highlights
        show = ("quotes", "attributions")
        return "".join(f'<section style="margin-bottom:1.5em">{render_article_html(a, show, place_names)}</section>'
                       for a in articles)

    return Explorer(controls, compute, title="Article explorer (hold Ctrl or Shift to pick several highlights)",
                    purpose="pick an article and tick what to highlight: quotations, who said them, numbers "
                            "and place names", notebook=notebook, static_body=static_body)


def kwic_html(table, query: str) -> str:
    """KWIC lines as an HTML table with the match centred and bold."""
    rows = "".join(
        f'<tr><td>{html.escape(r.article)}</td><td style="text-align:right">{html.escape(r.left)}</td>'
        f"<td><strong>{html.escape(r.match)}</strong></td><td>{html.escape(r.right)}</td></tr>"
        for r in table.itertuples())
    return (f"<p>{len(table)} line(s) for “{html.escape(query.strip())}”.</p>"
            '<table><thead><tr><th>article</th><th>before</th><th>match</th><th>after</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>")


def kwic_lines(articles: list[Article], query: str, article_id: str = "all", window: int = 6):
    """Compute KWIC for the explorer: (html, table); no match gives a message, not an error."""
    chosen = articles if article_id == "all" else [a for a in articles if a.id == article_id]
    table = textlib.kwic_table(chosen, query, window=window)
    if table.empty:
        where = "the articles" if article_id == "all" else f"article {article_id}"
        hint = ""
        if not any(ch.isascii() for ch in query if ch.isalpha()):
            hint = " The articles are in English, so words in other alphabets will not be found."
        return message_html(f"No matches for “{query.strip()}” in {where}. Try another spelling "
                            f"(for example Kiev and Kyiv) or a shorter word.{hint}"), table
    return kwic_html(table, query), table


def kwic_explorer(articles: list[Article] | None = None, query: str = "escalation", notebook: str = "01") -> Explorer:
    """Type a word or phrase and see every occurrence with its context in one or all articles."""
    articles = articles if articles is not None else load_articles()
    controls = {
        "query": widgets.Text(value=query, description="Word or phrase", placeholder="for example: long-range",
                              continuous_update=False, style={"description_width": "initial"}),
        "article_id": widgets.Dropdown(options=[("All articles", "all")] + [(a.label, a.id) for a in articles],
                                       value="all", description="In", style={"description_width": "initial"},
                                       layout=widgets.Layout(width="95%")),  # whole headlines, never cut
        # a number box (arrow keys step it), not a slider: a slider's handle has no accessible name
        "window": widgets.BoundedIntText(value=6, min=1, max=15, description="Words of context",
                                         continuous_update=True, style={"description_width": "initial"},
                                         layout=widgets.Layout(width="min(100%, 16em)")),
    }

    def compute(query, article_id, window):
        return kwic_lines(articles, query, article_id, window)

    return Explorer(controls, compute, title="Keyword in context",
                    purpose="type a word or phrase and see every place it occurs, with the words around it",
                    notebook=notebook)
