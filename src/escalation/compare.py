"""Side-by-side comparison of articles: simple, transparent measures for a first reading."""
from __future__ import annotations

from collections import Counter

import matplotlib.pyplot as plt
import pandas as pd

from . import text
from .plotting import HATCHES, colour, finish


def article_profile(articles) -> pd.DataFrame:
    """One row per article: words, sentences, quotations, attributed quotations, distinct speakers."""
    rows = []
    for article in articles:
        quotes = text.find_quotations(article.body, article.id)
        rows.append({
            "article": article.id,
            "words": text.word_count(article.body),
            "sentences": len(text.split_sentences(article.body)),
            "quotations": len(quotes),
            "attributed": sum(q.attributed for q in quotes),
            "speakers (as written)": len({q.speaker for q in quotes if q.speaker}),
        })
    return pd.DataFrame(rows).set_index("article")


def reporting_verb_table(articles) -> pd.DataFrame:
    """Counts of each reporting verb form (quoted or not) per article; articles as columns."""
    counts = {a.id: Counter(text.reporting_verbs(a.body)) for a in articles}
    table = pd.DataFrame(counts).fillna(0).astype(int)
    return table.sort_index()


def plot_term_rates(table: pd.DataFrame, *, title: str) -> plt.Figure:
    """Grouped bars of `per_1000_words` by term and article (from `text.term_counts`)."""
    terms = list(dict.fromkeys(table["term"]))
    article_ids = list(dict.fromkeys(table["article"]))
    fig, ax = plt.subplots(figsize=(8, 3.8))
    width = 0.8 / max(len(article_ids), 1)
    for i, article_id in enumerate(article_ids):
        rows = table[table["article"] == article_id].set_index("term").reindex(terms)
        positions = [t + i * width for t in range(len(terms))]
        ax.bar(positions, rows["per_1000_words"], width=width, color=colour(i), hatch=HATCHES[i],
               edgecolor="black", label=article_id)
    ax.set_xticks([t + width * (len(article_ids) - 1) / 2 for t in range(len(terms))], terms)
    ax.legend(title="Article")
    parts = [f"{r.term} in {r.article}: {r.count} time(s) ({r.per_1000_words} per 1,000 words)"
             for r in table.itertuples()]
    return finish(fig, ax, title=title, xlabel="Term", ylabel="Occurrences per 1,000 words",
                  alt_text="Bar chart. " + "; ".join(parts) + ".")
