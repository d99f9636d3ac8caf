"""SYNTHETIC articles made by resampling sentences of the real ones: for speed tests and benchmarks only."""
from __future__ import annotations

import dataclasses
import random

from escalation import text as textlib
from escalation.errors import QueryError


def synthetic_corpus(articles, n: int = 500, *, seed: int = 0) -> list:
    """`n` SYNTHETIC articles made by resampling sentences of `articles` (seeded).

    Each synthetic article has about as many words as the real articles' mean, its id starts with
    "synthetic_" and its headline says it is synthetic. Its sentences are real sentences in a random
    order, so the counts are meaningless as findings.
    """
    if not articles:
        raise QueryError("Give at least one article to resample sentences from.")
    rng = random.Random(seed)
    pool = [(s, textlib.word_count(s)) for a in articles for s in textlib.split_sentences(a.body)]
    target = sum(textlib.word_count(a.body) for a in articles) / len(articles)
    template = articles[0]
    out = []
    for i in range(n):
        chosen, words = [], 0
        while words < target:
            sentence, count = rng.choice(pool)
            chosen.append(sentence)
            words += count
        body = "\n\n".join(" ".join(chosen[j:j + 3]) for j in range(0, len(chosen), 3))
        out.append(dataclasses.replace(template, id=f"synthetic_{i:03d}", headline="SYNTHETIC: resampled sentences",
                                       outlet="synthetic (not a real article)", byline="", date_note="synthetic",
                                       file="", raw_text=body, body=body))
    return out
