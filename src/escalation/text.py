"""Text analysis for close reading: sentences, words, keyword in context, counts, quotations.

Every function takes plain text (or articles) and returns plain data, so a widget and a unit test call
the same code. The methods are deliberately simple and their limits are stated in each docstring:
students should know what a count can and cannot show.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from .errors import QueryError

# Abbreviations that end with a full stop but do not end a sentence.
ABBREVIATIONS = {"gen", "brig", "sgt", "col", "lt", "maj", "capt", "mr", "mrs", "ms", "dr", "st", "vs",
                 "approx", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
                 "e.g", "i.e", "u.s", "u.k", "u.n", "inc", "co", "corp", "prof", "rev", "gov", "sen", "rep"}
WORD = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*", re.UNICODE)
SENTENCE_END = re.compile(r"([.!?…]+[\"”’)\]]*)(\s+)(?=[\"“‘(\[]?[^\W_a-z])", re.UNICODE)
NUMBER_WORDS = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|"
                "thousands?|millions?|billions?|tens|several|half")
NUMBER = re.compile(
    r"(?:(?<![\w.])\d[\d,.]*\d|(?<![\w.])\d)(?![\w])(?:\s?(?:%|per cent|percent|km|kilometers|kilometres|miles|"
    r"million|billion))?|\b(?:" + NUMBER_WORDS + r")\b(?:\s(?:of\s)?(?:times|billions?|millions?|thousands?))?",
    re.IGNORECASE,
)
QUOTE_SPAN = re.compile(r"“([^”\n]+)”|\"([^\"\n]+)\"")  # within one line: never across paragraphs

# Reporting verbs the attribution finder recognises, by base form. Forms that are mostly nouns in news
# ("states", "notes") are left out; "claims" and "demands" stay, so counts can include nouns: a limit. Their classification into categories
# (neutral, forceful, doubt-casting, evaluative) is a separate, documented coding scheme: see rhetoric.py.
REPORTING_VERBS = {
    "say": ["said", "says", "say", "saying"],
    "tell": ["told", "tells"],
    "add": ["added", "adds"],
    "stress": ["stressed", "stresses"],
    "warn": ["warned", "warns"],
    "demand": ["demanded", "demands"],
    "urge": ["urged", "urges"],
    "claim": ["claimed", "claims"],
    "admit": ["admitted", "admits"],
    "insist": ["insisted", "insists"],
    "announce": ["announced", "announces"],
    "note": ["noted"],
    "explain": ["explained", "explains"],
    "dismiss": ["dismissed", "dismisses"],
    "acknowledge": ["acknowledged", "acknowledges"],
    "ask": ["asked", "asks"],
    "rule out": ["ruled out", "rules out"],
    "write": ["wrote", "writes"],
    "state": ["stated"],
    "emphasise": ["emphasised", "emphasized", "emphasises", "emphasizes"],
}
VERB_FORMS = {form: base for base, forms in REPORTING_VERBS.items() for form in forms}
_VERB_ALT = "|".join(sorted(map(re.escape, VERB_FORMS), key=len, reverse=True))
PRONOUNS = {"he", "she", "they", "it", "we", "i"}
# Speaker after the quote: ,” he said  /  ,” Peskov said  /  ,” said Peskov
AFTER_SPEAKER_VERB = re.compile(r"^[\s,]*(?P<speaker>(?:[A-Za-z][\w’'.-]*\s){0,5}?[A-Za-z][\w’'.-]*)\s+(?P<verb>" + _VERB_ALT + r")\b")
AFTER_VERB_SPEAKER = re.compile(r"^[\s,]*(?P<verb>" + _VERB_ALT + r")\s+(?P<speaker>(?:[A-Z][\w’'.-]*\s?){1,5})")
# Speaker before the quote, in the same sentence: Peskov said: “  /  Russia warned that … “
BEFORE = re.compile(r"(?P<speaker>(?:[A-Z][\w’'.-]*|the|a|an)(?:\s+[\w’'.-]+){0,6}?)\s+(?P<verb>" + _VERB_ALT + r")\b[^.“”\"]*$")


def paragraphs(text: str) -> list[str]:
    """Split a text into paragraphs at blank lines."""
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def split_sentences(text: str) -> list[str]:
    """Split a text into sentences.

    A sentence ends at . ! ? or … (with any closing quote) followed by a capital letter, a digit or an
    opening quote; paragraph breaks always end a sentence. Known abbreviations (Gen., U.S., Sgt.) and
    initials do not. Limits: a sentence that starts with a lower-case word after a full stop is joined to
    the one before; headings without a full stop become sentences of their own.
    """
    sentences: list[str] = []
    for para in paragraphs(text):
        start = 0
        for match in SENTENCE_END.finditer(para):
            before = para[start:match.start()].split()
            last_word = before[-1].rstrip(".").lower() if before else ""
            number_sign = last_word == "no" and para[match.end():match.end() + 1].isdigit()
            if match.group(1) == "." and (last_word in ABBREVIATIONS or number_sign or re.fullmatch(r"[a-z]", last_word)):
                continue
            sentences.append(para[start:match.end(1)].strip())
            start = match.end()
        tail = para[start:].strip()
        if tail:
            sentences.append(tail)
    return sentences


def tokenize(text: str, lower: bool = True) -> list[str]:
    """Split text into word tokens (letters and digits, with inner hyphens, apostrophes and dots).

    "long-range", "Kyiv's" and "U.S" stay one token each. Any alphabet works (Cyrillic too).
    """
    words = [w.strip(".") for w in WORD.findall(text)]
    return [w.lower() for w in words] if lower else words


def word_count(text: str) -> int:
    """Number of word tokens in a text."""
    return len(tokenize(text))


def phrase_pattern(query: str) -> re.Pattern:
    """Compile a search phrase into a whole-word, case-insensitive pattern; special characters are literal.

    Raises QueryError with a plain-language message when the phrase is empty or has no letters or digits.
    """
    if not isinstance(query, str):
        raise QueryError("Type a word or phrase to search for.")
    words = query.split()
    if not words:
        raise QueryError("Type a word or phrase to search for (the box is empty).")
    if not any(re.search(r"[^\W_]", w) for w in words):
        raise QueryError(f"“{query.strip()}” has no letters or digits to search for. Type a word, such as escalation.")
    body = r"\s+".join(re.escape(w) for w in words)
    left = r"(?<![^\W_])" if re.match(r"[^\W_]", words[0]) else ""
    right = r"(?![^\W_])" if re.search(r"[^\W_]$", words[-1]) else ""
    return re.compile(left + body + right, re.IGNORECASE | re.UNICODE)


@dataclass(frozen=True)
class Concordance:
    """One keyword-in-context line."""

    article_id: str
    left: str
    match: str
    right: str
    start: int


def kwic(text: str, query: str, *, window: int = 6, article_id: str = "") -> list[Concordance]:
    """Keyword in context: every occurrence of the phrase with `window` words either side.

    Matching is case-insensitive and on whole words; regular-expression characters are taken literally.
    """
    if not isinstance(window, int) or window < 0:
        raise QueryError("The context window must be a whole number of words, 0 or more.")
    pattern = phrase_pattern(query)
    lines = []
    for match in pattern.finditer(text):
        left_words = text[:match.start()].split()[-window:] if window else []
        right_words = text[match.end():].split()[:window] if window else []
        lines.append(Concordance(article_id, " ".join(left_words), match.group(0), " ".join(right_words), match.start()))
    return lines


def kwic_table(articles, query: str, *, window: int = 6) -> pd.DataFrame:
    """KWIC lines for several articles as a table (article, left, match, right)."""
    rows = []
    for article in articles:
        for line in kwic(article.body, query, window=window, article_id=article.id):
            rows.append({"article": line.article_id, "left": line.left, "match": line.match, "right": line.right})
    return pd.DataFrame(rows, columns=["article", "left", "match", "right"])


def count_phrase(text: str, query: str) -> int:
    """How many times a phrase occurs (whole words, case-insensitive)."""
    return len(phrase_pattern(query).findall(text))


def term_counts(articles, terms: list[str]) -> pd.DataFrame:
    """Count each term in each article: raw count and rate per 1,000 words.

    Rates let articles of different lengths be compared; with articles of a few hundred words, one
    occurrence more or less moves the rate a lot, so read small differences with care.
    """
    rows = []
    for article in articles:
        words = word_count(article.body)
        for term in terms:
            n = count_phrase(article.body, term)
            rows.append({"article": article.id, "term": term, "count": n, "words": words,
                         "per_1000_words": round(1000 * n / words, 2) if words else 0.0})
    return pd.DataFrame(rows, columns=["article", "term", "count", "words", "per_1000_words"])


def find_numbers(text: str) -> list[str]:
    """Numbers and amounts in a text: digits (with units such as km or %) and number words."""
    return [m.group(0) for m in NUMBER.finditer(text)]


def place_pattern(names: dict[str, list[str]]) -> re.Pattern | None:
    """Compile place names and their variants into one whole-word pattern (None if there are none)."""
    forms = sorted({f for name, variants in names.items() for f in [name, *variants] if f}, key=len, reverse=True)
    if not forms:
        return None
    return re.compile(r"(?<![^\W_])(?:" + "|".join(re.escape(f) for f in forms) + r")(?![^\W_])")


def find_places(text: str, names: dict[str, list[str]]) -> list[tuple[str, str]]:
    """Place names in a text as (form found, canonical name) pairs, in order of appearance."""
    pattern = place_pattern(names)
    if pattern is None:
        return []
    canonical = {f: name for name, variants in names.items() for f in [name, *variants]}
    return [(m.group(0), canonical[m.group(0)]) for m in pattern.finditer(text)]


@dataclass(frozen=True)
class Quotation:
    """A quoted passage with the speaker and reporting verb the text attributes it to."""

    article_id: str
    quote: str
    speaker: str
    verb: str
    verb_base: str
    sentence: str
    start: int
    end: int

    @property
    def attributed(self) -> bool:
        return bool(self.speaker)


def _attribution(before: str, after: str) -> tuple[str, str]:
    """Find (speaker, verb) around a quote: first after it, then before it in the same sentence."""
    after_clause = re.split(r"[.!?“\"\n]", after, maxsplit=1)[0]
    m = AFTER_VERB_SPEAKER.match(after_clause)
    if m:
        return m.group("speaker").strip(), m.group("verb")
    m = AFTER_SPEAKER_VERB.match(after_clause)
    if m and (m.group("speaker").lower() in PRONOUNS or m.group("speaker")[0].isupper()
              or m.group("speaker").split()[0].lower() in {"a", "an", "the"}):
        return m.group("speaker").strip(), m.group("verb")
    sentence_start = max(before.rfind(". "), before.rfind("\n"), before.rfind("? "), before.rfind("! "))
    clause = before[sentence_start + 1:]
    m = BEFORE.search(clause)
    if m:
        speaker = re.sub(r"^(?:Back in \w+|Speaking [^,]*),\s*", "", m.group("speaker").strip())
        return speaker, m.group("verb")
    return "", ""


def find_quotations(text: str, article_id: str = "") -> list[Quotation]:
    """Quoted passages with their attribution (speaker and reporting verb), in order.

    Finds text in curly or straight double quotes and looks for "X said" / "said X" right after the
    quote, or "X warned that … “…”" before it in the same sentence. Limits: pronouns ("he") are kept as
    written, since resolving who "he" is needs a reader; quotes spanning paragraphs, single quotes and
    indirect speech without quotation marks are not found; scare quotes are listed like any quote.
    """
    quotes = []
    sentences = split_sentences(text)
    for m in QUOTE_SPAN.finditer(text):
        inner = (m.group(1) or m.group(2)).strip()
        speaker, verb = _attribution(text[:m.start()], text[m.end():])
        sentence = next((s for s in sentences if inner[:40] in s), inner)
        quotes.append(Quotation(article_id, inner, speaker, verb, VERB_FORMS.get(verb.lower(), ""), sentence,
                                m.start(), m.end()))
    return quotes


def quotations_table(articles) -> pd.DataFrame:
    """All quotations of several articles as a table (article, speaker, verb, quote)."""
    rows = [{"article": q.article_id, "speaker": q.speaker or "(not attributed in the sentence)",
             "verb": q.verb or "—", "quote": q.quote}
            for article in articles for q in find_quotations(article.body, article.id)]
    return pd.DataFrame(rows, columns=["article", "speaker", "verb", "quote"])


def reporting_verbs(text: str) -> list[str]:
    """Every reporting verb form in a text (quoted or not), in order, as written in lower case."""
    pattern = re.compile(r"(?<![^\W_])(?:" + _VERB_ALT + r")(?![^\W_])", re.IGNORECASE)
    return [m.group(0).lower() for m in pattern.finditer(text)]
