"""Benchmark: recount every rhetoric measure after a lexicon edit.

    python benchmarks/rhetoric_recount.py

Targets (issue 4): the two articles under 100 ms after a lexicon edit; a SYNTHETIC corpus of 500
articles of the same size (sentences of the real articles resampled, seeded) under 5 s. Prints medians.
"""
import statistics
import sys
import time
from pathlib import Path

from escalation import rhetoric
from escalation.corpus import load_articles

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the test helpers (tests/support)
from support.synthetic_corpus import synthetic_corpus  # noqa: E402


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), max(times)


def main():
    articles = load_articles()
    lexicons = rhetoric.load_lexicons()
    flip = [{"warned": "neutral"}, {"warned": "forceful"}]
    state = {"i": 0}

    def edit_and_recount(corpus):
        state["i"] += 1
        edited = rhetoric.recategorise_verbs(lexicons, flip[state["i"] % 2])   # new lexicon: patterns rebuilt
        rhetoric.recount(corpus, edited)

    def cold_then_edits(corpus, runs):
        """Time the first count (caches cleared), then the median of `runs` recounts after an edit."""
        rhetoric._prepare.cache_clear()
        start = time.perf_counter()
        rhetoric.recount(corpus, lexicons)
        return (time.perf_counter() - start, *timed(lambda: edit_and_recount(corpus), runs))

    cold, med, lo, hi = cold_then_edits(articles, 30)
    print(f"two articles, first count (cold: sentences and quotations found): {1000 * cold:.1f} ms")
    print(f"two articles, recount after a lexicon edit: median {1000 * med:.1f} ms (min {1000 * lo:.1f}, "
          f"max {1000 * hi:.1f}; 30 runs; target < 100 ms)")

    corpus = synthetic_corpus(articles, 500, seed=0)
    words = sum(len(a.body.split()) for a in corpus) / len(corpus)
    cold, med, lo, hi = cold_then_edits(corpus, 5)
    print(f"SYNTHETIC corpus of 500 resampled articles (~{words:.0f} words each, seed 0):")
    print(f"  first count (cold): {cold:.2f} s; recount after a lexicon edit: median {med:.2f} s "
          f"(min {lo:.2f}, max {hi:.2f}; 5 runs; target < 5 s)")


if __name__ == "__main__":
    main()
