"""Rhetoric as data: reporting verbs, naming, loaded phrases, hedges and boosters, who gets a voice.

Each measure counts words from an editable word list (a lexicon in `data/lexicons/`) and returns a
table. The counts are exact about *the words*; what the words *mean* is for a reader to decide. Every
function's docstring says what its numbers can and cannot show. An instructor edits a lexicon CSV (or a
notebook edits a `Lexicons` object) and `recount` gives every table again in a few milliseconds.

Building blocks come from `escalation.text` (`split_sentences`, `find_quotations`, `tokenize`); this
module adds the classification, so the categories are data, not code.
"""
from __future__ import annotations

import bisect
import dataclasses
import re
from functools import lru_cache
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import plotting
from . import text as textlib
from .corpus import Article
from .errors import DataError, QueryError
from .tables import load_table

VERB_CATEGORIES = ("neutral", "forceful", "doubt-casting", "evaluative")
HEDGE_CATEGORIES = ("hedge", "booster")
SIDES_ORDER = ("Ukraine", "Russia", "United States", "United Kingdom", "unresolved")
PRONOUNS = {"he", "she", "they", "it", "we", "i"}
PRONOUN_BEFORE = re.compile(r"\b(?:he|she|they)\s+(?:\w+\s+)?$", re.IGNORECASE)
NUMBER_AHEAD = re.compile(r"\s+(?:\d|one|two|three|four|five|six|seven|eight|nine|ten|a dozen|dozens|hundreds|"
                          r"thousands|half)", re.IGNORECASE)


def _split_list(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split(";") if v.strip()]


TOKEN = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.UNICODE)


def _tokens(text: str) -> list[tuple[str, int, int]]:
    """Word tokens with their positions; apostrophes and dots split words ("Kiev’s" gives "Kiev", "s")."""
    return [(m.group(0), m.start(), m.end()) for m in TOKEN.finditer(text)]


class _Matcher:
    """Finds lexicon terms in a text's tokens: whole words, separated by spaces only; '*' = 0–2 words.

    A dictionary keyed by each term's first word makes one pass over the tokens enough, however long
    the lexicon (a regular expression with hundreds of alternatives is much slower).
    """

    def __init__(self, terms: dict[str, object], *, case_sensitive: bool = False, overlapping: bool = False):
        self.case_sensitive = case_sensitive
        self.overlapping = overlapping
        self.index: dict[str, list[tuple[list[str], str, object]]] = {}
        for term, value in terms.items():
            words = []
            for part in term.split():
                words.extend(["*"] if part == "*" else TOKEN.findall(part))
            words = [w if case_sensitive or w == "*" else w.lower() for w in words]
            if not words or words[0] == "*" or words[-1] == "*":
                raise DataError(f"The lexicon entry '{term}' must start and end with a word ('*' only in between).")
            self.index.setdefault(words[0], []).append((words, term, value))
        for candidates in self.index.values():
            candidates.sort(key=lambda c: (-sum(w != "*" for w in c[0]), -len(c[1])))

    def keys(self, tokens) -> list[str]:
        """The tokens as this matcher compares them (lower-cased unless case-sensitive)."""
        return [t[0] for t in tokens] if self.case_sensitive else [t[0].lower() for t in tokens]

    def _match(self, words, wi, keys, tokens, ti, text) -> int | None:
        if wi == len(words):
            return ti
        word = words[wi]
        if word == "*":
            for skip in range(3):
                if ti + skip > len(tokens) or any(text[tokens[k - 1][2]:tokens[k][1]].strip()
                                                   for k in range(ti, ti + skip)):
                    break
                end = self._match(words, wi + 1, keys, tokens, ti + skip, text)
                if end is not None:
                    return end
            return None
        if ti >= len(tokens) or keys[ti] != word:
            return None
        if text[tokens[ti - 1][2]:tokens[ti][1]].strip():
            return None
        return self._match(words, wi + 1, keys, tokens, ti + 1, text)

    def find(self, tokens, text, keys: list[str] | None = None):
        """Yield (first token index, end token index, term, value) for each match, left to right.

        `keys` are the tokens as returned by `self.keys(tokens)`; pass them when reusing one token list.
        """
        keys = keys if keys is not None else self.keys(tokens)
        index = self.index
        allowed = 0
        for i in [i for i, k in enumerate(keys) if k in index]:
            if i < allowed:
                continue
            for words, term, value in index[keys[i]]:
                end = self._match(words, 1, keys, tokens, i + 1, text)
                if end is not None:
                    yield i, end, term, value
                    if not self.overlapping:
                        allowed = end
                        break


@dataclass(frozen=True)
class Lexicons:
    """The word lists behind the measures, as tables (one per `data/lexicons/` file).

    Edit a copy with `dataclasses.replace(..., _cache={})` or the helpers `recategorise_verbs` and
    `add_phrases`; the matchers are built again for each new object.
    """

    reporting_verbs: pd.DataFrame
    loaded_phrases: pd.DataFrame
    hedges_boosters: pd.DataFrame
    place_spellings: pd.DataFrame
    speakers: pd.DataFrame
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        bad = sorted(set(self.reporting_verbs["category"]) - set(VERB_CATEGORIES))
        if bad:
            raise DataError(f"Unknown reporting-verb categor{'y' if len(bad) == 1 else 'ies'}: {', '.join(bad)}. "
                            f"Use one of: {', '.join(VERB_CATEGORIES)}.")
        bad = sorted(set(self.hedges_boosters["category"]) - set(HEDGE_CATEGORIES))
        if bad:
            raise DataError(f"Unknown hedge/booster category: {', '.join(bad)}. Use 'hedge' or 'booster'.")

    # Matchers, built once per Lexicons object.
    def _get(self, key, build):
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    @property
    def verbs(self) -> _Matcher:
        """Matcher of every verb form; value (base verb, category, words that must not precede it)."""
        def build():
            forms = {}
            for row in self.reporting_verbs.itertuples():
                blockers = {w.lower() for w in _split_list(row.not_after)}
                for form in _split_list(row.forms) or [row.verb]:
                    forms[form.lower()] = (row.verb, row.category, blockers)
            return _Matcher(forms)
        return self._get("verbs", build)

    @property
    def phrases(self) -> _Matcher:
        """Matcher of every loaded phrase (overlapping matches kept); value: frame."""
        def build():
            terms = {}
            for row in self.loaded_phrases.itertuples():
                if not row.phrase.strip() or row.phrase.strip() == "*":
                    raise DataError("A loaded phrase is empty (or only '*'). Give every row a phrase.")
                terms[row.phrase] = row.frame
            return _Matcher(terms, overlapping=True)
        return self._get("phrases", build)

    @property
    def hedges(self) -> _Matcher:
        """Matcher of every hedge and booster; value (category, context)."""
        def build():
            return _Matcher({row.term: (row.category, row.context)
                             for row in self.hedges_boosters.itertuples() if row.term.strip()})
        return self._get("hedges", build)

    @property
    def spellings(self) -> _Matcher:
        """Case-sensitive matcher of place spellings; value (place, romanised_from, blocking words)."""
        def build():
            return _Matcher({row.form: (row.place, row.romanised_from, {w.lower() for w in _split_list(row.not_after)})
                             for row in self.place_spellings.itertuples()}, case_sensitive=True)
        return self._get("spellings", build)

    @property
    def speaker_names(self) -> _Matcher:
        """Matcher of every speaker name and alias; value (speaker, side, role)."""
        def build():
            info = {}
            for row in self.speakers.itertuples():
                for alias in [row.speaker, *_split_list(row.aliases)]:
                    info.setdefault(alias.lower(), (row.speaker, row.side, row.role))
            return _Matcher(info)
        return self._get("speakers", build)

    def hedge_hits(self, body: str, tokens=None, keys=None):
        """(start, end, matched text, category) for each hedge or booster, honouring 'before_number'."""
        tokens = tokens if tokens is not None else _tokens(body)
        for i, j, term, (category, context) in self.hedges.find(tokens, body, keys):
            start, end = tokens[i][1], tokens[j - 1][2]
            if context == "before_number" and not NUMBER_AHEAD.match(body, end):
                continue
            yield start, end, body[start:end], category


LEXICON_TABLES = ("reporting_verbs", "loaded_phrases", "hedges_boosters", "place_spellings", "speakers")


def load_lexicons(folder: Path | None = None) -> Lexicons:
    """Load the five lexicon tables from `data/lexicons/` (validated against the data dictionary)."""
    return Lexicons(**{name: load_table(name, folder) for name in LEXICON_TABLES})


def recategorise_verbs(lexicons: Lexicons, changes: dict[str, str]) -> Lexicons:
    """A copy of the lexicons with some reporting verbs moved to another category.

    `changes` maps a base verb or any of its forms ("warn" or "warned") to a category. A verb that is not
    in the list yet is added with that category.
    """
    table = lexicons.reporting_verbs.copy()
    for verb, category in changes.items():
        if category not in VERB_CATEGORIES:
            raise QueryError(f"'{category}' is not a category. Use one of: {', '.join(VERB_CATEGORIES)}.")
        word = verb.strip().lower()
        if not word:
            raise QueryError("A verb to recategorise is empty. Write the verb, for example 'warned'.")
        hit = table["verb"].str.lower().eq(word) | table["forms"].map(lambda f: word in [x.lower() for x in _split_list(f)])
        if hit.any():
            table.loc[hit, "category"] = category
        else:
            table.loc[len(table)] = {"verb": word, "forms": word, "category": category,
                                     "note": "Added in the notebook", "not_after": "", "source": "notebook edit"}
    return dataclasses.replace(lexicons, reporting_verbs=table.reset_index(drop=True), _cache={})


def add_phrases(lexicons: Lexicons, phrases: dict[str, str]) -> Lexicons:
    """A copy of the lexicons with extra loaded phrases ({phrase: frame}); '*' stands for up to two words."""
    table = lexicons.loaded_phrases.copy()
    rows = [{"phrase": p, "frame": f, "note": "Added in the notebook", "source": "notebook edit"}
            for p, f in phrases.items()]
    table = pd.concat([table, pd.DataFrame(rows, columns=table.columns)], ignore_index=True)
    return dataclasses.replace(lexicons, loaded_phrases=table, _cache={})


# ---------------------------------------------------------------- article preparation


@dataclass
class _Prepared:
    """What every measure needs from one article, computed once."""

    article: Article
    sentences: list[str]
    sentence_starts: list[int]
    quote_spans: list[tuple[int, int]]
    quotations: list
    words: int
    tokens: list

    def sentence_of(self, pos: int) -> int:
        """1-based number of the sentence holding character `pos`."""
        return max(1, bisect.bisect_right(self.sentence_starts, pos))

    def in_quote(self, pos: int) -> bool:
        """True when character `pos` lies inside a quotation (spans are sorted and do not overlap)."""
        i = bisect.bisect_right(self.quote_starts, pos) - 1
        return i >= 0 and pos < self.quote_spans[i][1]

    def __post_init__(self):
        self.quote_starts = [start for start, _ in self.quote_spans]
        self.exact_keys = [t[0] for t in self.tokens]
        self.lower_keys = [t[0].lower() for t in self.tokens]

    def keys(self, matcher: "_Matcher") -> list[str]:
        """The article's tokens as `matcher` compares them (computed once per article)."""
        return self.exact_keys if matcher.case_sensitive else self.lower_keys


@lru_cache(maxsize=2048)
def _prepare(article: Article) -> _Prepared:
    """Sentences, quotations and word count of an article (cached: they do not depend on the lexicons)."""
    body = article.body
    sentences = textlib.split_sentences(body)
    starts, cursor = [], 0
    for s in sentences:
        at = body.find(s, cursor)
        starts.append(at if at >= 0 else cursor)
        cursor = (at if at >= 0 else cursor) + len(s)
    quotations = textlib.find_quotations(body, article.id)
    spans = [(q.start, q.end) for q in quotations]
    return _Prepared(article, sentences, starts, sorted(spans), quotations, textlib.word_count(body), _tokens(body))


def sentence_id(article_id: str, number: int) -> str:
    """The stable id of a sentence: article id and 1-based position in `split_sentences(body)`."""
    return f"{article_id}-s{number:02d}"


def _speaker_mentions(prep: _Prepared, lexicons: Lexicons) -> list[tuple[int, int, str, str, str]]:
    """Names from the speakers lexicon outside quotations: (start, end, speaker, side, role)."""
    tokens = prep.tokens
    return [(tokens[i][1], tokens[j - 1][2], *value)
            for i, j, _, value in lexicons.speaker_names.find(tokens, prep.article.body,
                                                              prep.keys(lexicons.speaker_names))
            if not prep.in_quote(tokens[i][1])]


def _resolve_pronoun(pos: int, prep: _Prepared, lexicons: Lexicons, mentions) -> tuple[str, str, str] | None:
    """Who "he"/"she" at `pos` is, by two rules of thumb (a reader should check).

    1. The speaker of a quotation earlier in the same or the previous sentence ("…,” Peskov said.
       “…,” he added.").
    2. Otherwise the last speaker named as a sentence's subject (a name in its first six words)
       before `pos`, in the same or an earlier sentence.
    """
    number = prep.sentence_of(pos)
    for q in reversed(prep.quotations):
        if q.end <= pos and prep.sentence_of(q.start) >= number - 1 and q.speaker \
                and q.speaker.lower() not in PRONOUNS:
            return _resolve(q.speaker, q.start, prep, lexicons, mentions)
    subjects = []
    for start, end, speaker, side, role in mentions:
        if end > pos:
            break
        n = prep.sentence_of(start)
        head = prep.article.body[prep.sentence_starts[n - 1]:start]
        if len(head.split()) <= 6:
            subjects.append((speaker, side, role))
    return subjects[-1] if subjects else None


def _resolve(name: str, pos: int, prep: _Prepared, lexicons: Lexicons, mentions) -> tuple[str, str, str]:
    """(speaker, side, role) for a speaker as written, via the speakers lexicon; pronouns via `_resolve_pronoun`."""
    cleaned = name.strip()
    if cleaned.lower() in PRONOUNS:
        return _resolve_pronoun(pos, prep, lexicons, mentions) or (cleaned, "unresolved", "")
    tokens = _tokens(cleaned)
    found = [(tokens[j - 1][2] - tokens[i][1], value) for i, j, _, value in lexicons.speaker_names.find(tokens, cleaned)]
    if found:
        return max(found, key=lambda f: f[0])[1]
    return cleaned or "(not attributed)", "unresolved", ""


# ---------------------------------------------------------------- the measures


def reporting_verb_occurrences(articles, lexicons: Lexicons) -> pd.DataFrame:
    """Every reporting verb in the reporter's own words, with its category and the speaker's side.

    Counts verb forms from the reporting-verb lexicon outside quotation marks (a verb inside a quote is
    the speaker's word, not the reporter's choice), skipping forms preceded by a blocking word
    ("United States" is not the verb "states"). The speaker is the nearest name from the speakers
    lexicon before the verb in the same sentence (else after it); a quote's own attribution wins when
    the verb introduces a quote; "he"/"she" are resolved by the rules of thumb of `_resolve_pronoun`
    (the speaker of the previous quote, else the last speaker named as a sentence's subject).

    Can show: which attribution verbs a text uses and for whom. Cannot show: whether a verb is fair
    (a warning may really be a warning), the tone of the original speech (often a translation), or
    attribution without a listed verb ("according to", a colon after a name).
    """
    rows = []
    for article in articles:
        prep = _prepare(article)
        body = article.body
        mentions = _speaker_mentions(prep, lexicons)
        by_verb_pos = {}
        for q in prep.quotations:
            if q.verb:
                window = body[max(0, q.start - 250):q.end + 80]
                offset = max(0, q.start - 250)
                for m in re.finditer(re.escape(q.verb), window):
                    by_verb_pos[offset + m.start()] = q
        tokens = prep.tokens
        for i, j, _, (verb, category, blockers) in lexicons.verbs.find(tokens, body, prep.keys(lexicons.verbs)):
            start, end = tokens[i][1], tokens[j - 1][2]
            if prep.in_quote(start) or (i > 0 and tokens[i - 1][0].lower() in blockers):
                continue
            form = " ".join(body[start:end].lower().split())
            number = prep.sentence_of(start)
            s_start = prep.sentence_starts[number - 1]
            s_end = s_start + len(prep.sentences[number - 1])
            quote = by_verb_pos.get(start)
            if quote is not None:
                speaker, side, role = _resolve(quote.speaker, quote.start, prep, lexicons, mentions)
            else:
                before = [x for x in mentions if s_start <= x[0] and x[1] <= start]
                after = [x for x in mentions if end <= x[0] < s_end]
                pron = PRONOUN_BEFORE.search(body, max(s_start, start - 30), start)
                if pron:
                    speaker, side, role = (_resolve_pronoun(start, prep, lexicons, mentions)
                                           or ("(not named)", "unresolved", ""))
                elif before:
                    speaker, side, role = before[-1][2], before[-1][3], before[-1][4]
                elif after:
                    speaker, side, role = after[0][2], after[0][3], after[0][4]
                else:
                    speaker, side, role = "(not named)", "unresolved", ""
            rows.append({"article": article.id, "sentence_id": sentence_id(article.id, number), "form": form,
                         "verb": verb, "category": category, "introduces_quote": quote is not None,
                         "speaker": speaker, "side": side, "role": role})
    return pd.DataFrame(rows, columns=["article", "sentence_id", "form", "verb", "category", "introduces_quote",
                                       "speaker", "side", "role"])


def _crosstab(frame: pd.DataFrame, index: list[str], column: str, categories) -> pd.DataFrame:
    """Counts of `column` values per `index` group (plain Python counting: pandas groupby is slow here)."""
    categories = list(categories)
    counts: dict[tuple, dict[str, int]] = {}
    for key, value in zip(zip(*(frame[i] for i in index)), frame[column]):
        row = counts.setdefault(key, dict.fromkeys(categories, 0))
        if value in row:
            row[value] += 1
    keys = sorted(counts)
    if len(index) > 1:
        idx = pd.MultiIndex.from_tuples(keys, names=index)
    else:
        idx = pd.Index([k[0] for k in keys], name=index[0])
    table = pd.DataFrame([[counts[k][c] for c in categories] for k in keys], index=idx, columns=categories,
                         dtype="int64")
    table.columns.name = column
    return table


def verb_categories_by_article(occurrences: pd.DataFrame, articles=None) -> pd.DataFrame:
    """Counts of reporting verbs per article and category (rows: articles; columns: the four categories)."""
    table = _crosstab(occurrences, ["article"], "category", VERB_CATEGORIES)
    if articles is not None:
        table = table.reindex([a.id for a in articles], fill_value=0)
    table.columns.name = "category"
    return table


def verb_categories_by_side(occurrences: pd.DataFrame) -> pd.DataFrame:
    """Counts of reporting verbs per article, speaker's side and category.

    Can show: whether one side's statements are introduced with more forceful or doubt-casting verbs.
    Cannot show: bias by itself — with a handful of verbs per side, one verb changes the picture.
    """
    return _crosstab(occurrences, ["article", "side"], "category", VERB_CATEGORIES)


def naming_counts(articles, lexicons: Lexicons) -> pd.DataFrame:
    """How often each spelling of each place occurs per article (e.g. Kiev versus Kyiv).

    Counts whole-word forms from the place-spelling lexicon, skipping fixed expressions (a form after a
    blocking word, like "chicken Kiev"). Can show: which romanisation a text uses and whether it mixes
    them. Cannot show: why. "Kiev" in a 2023 text is a signal to check (house style, translation from a
    language where the older form is usual, copy from an older text, a quotation), not proof of an
    outlet's allegiance.
    """
    matcher = lexicons.spellings
    info = {term: value for candidates in matcher.index.values() for _, term, value in candidates}
    rows = []
    for article in articles:
        counts: dict[str, int] = {}
        prep = _prepare(article)
        tokens = prep.tokens
        for i, _, form, (place, origin, blockers) in matcher.find(tokens, article.body, prep.keys(matcher)):
            if i > 0 and tokens[i - 1][0].lower() in blockers:
                continue
            counts[form] = counts.get(form, 0) + 1
        for form, (place, origin, _) in info.items():
            if counts.get(form) or any(counts.get(f) for f, v in info.items() if v[0] == place):
                rows.append({"article": article.id, "place": place, "form": form, "romanised_from": origin,
                             "count": counts.get(form, 0)})
    rows.sort(key=lambda r: (r["article"], r["place"], r["romanised_from"], r["form"]))
    return pd.DataFrame(rows, columns=["article", "place", "form", "romanised_from", "count"])


def naming_summary(naming: pd.DataFrame) -> pd.DataFrame:
    """Per article and place: counts of Ukrainian- and Russian-based forms and the share of Ukrainian-based ones."""
    sums: dict[tuple, dict[str, int]] = {}
    for article, place, origin, count in zip(naming["article"], naming["place"], naming["romanised_from"], naming["count"]):
        sums.setdefault((article, place), {"ukrainian": 0, "russian": 0})[origin] += int(count)
    rows = []
    for (article, place), c in sorted(sums.items()):
        total = c["ukrainian"] + c["russian"]
        rows.append({"article": article, "place": place, "ukrainian": c["ukrainian"], "russian": c["russian"],
                     "share_ukrainian": round(c["ukrainian"] / total, 2) if total else float("nan")})
    return pd.DataFrame(rows, columns=["article", "place", "ukrainian", "russian", "share_ukrainian"])


def loaded_phrase_occurrences(articles, lexicons: Lexicons) -> pd.DataFrame:
    """Every loaded phrase of the lexicon in each article, with its frame and whether it is quoted.

    Can show: which charged phrases a text carries and whose words they are (quoted or the reporter's).
    Cannot show: the phrase's effect on readers, or loaded wording the lexicon does not list — a short
    list finds only what its authors thought of.
    """
    rows = []
    for article in articles:
        prep = _prepare(article)
        tokens = prep.tokens
        for i, j, phrase, frame in lexicons.phrases.find(tokens, article.body, prep.keys(lexicons.phrases)):
            start, end = tokens[i][1], tokens[j - 1][2]
            rows.append({"article": article.id, "sentence_id": sentence_id(article.id, prep.sentence_of(start)),
                         "phrase": phrase, "frame": frame, "matched": " ".join(article.body[start:end].split()),
                         "quoted": prep.in_quote(start)})
    rows.sort(key=lambda r: (r["article"], r["sentence_id"], r["phrase"]))
    return pd.DataFrame(rows, columns=["article", "sentence_id", "phrase", "frame", "matched", "quoted"])


def frame_counts(phrases: pd.DataFrame, articles=None) -> pd.DataFrame:
    """Loaded-phrase counts per article and frame (rows: articles; columns: frames, sorted)."""
    frames = sorted(set(phrases["frame"])) if not phrases.empty else []
    table = _crosstab(phrases, ["article"], "frame", frames)
    if articles is not None:
        table = table.reindex([a.id for a in articles], fill_value=0)
    return table


def hedges_boosters(articles, lexicons: Lexicons) -> pd.DataFrame:
    """Hedges and boosters (Hyland 2005) per article: counts and rates per 1,000 words.

    A hedge ("about", "may") withholds full commitment; a booster ("clearly", "must") closes down
    alternatives. Entries marked `before_number` count only before a number ("about 300 km").
    Can show: how much a text qualifies or intensifies its claims, comparable across lengths.
    Cannot show: which sense a word has ("May" the month, deontic "must not"), nor who hedges — the
    count includes words inside quotations. With texts of a few hundred words, one word moves the
    rate by 2–3 per 1,000.
    """
    rows = []
    for article in articles:
        body = article.body
        words = _prepare(article).words
        counts = {c: 0 for c in HEDGE_CATEGORIES}
        prep = _prepare(article)
        for _, _, _, category in lexicons.hedge_hits(body, prep.tokens, prep.keys(lexicons.hedges)):
            counts[category] += 1
        for category in HEDGE_CATEGORIES:
            rows.append({"article": article.id, "category": category, "count": counts[category], "words": words,
                         "per_1000_words": round(1000 * counts[category] / words, 1) if words else 0.0})
    return pd.DataFrame(rows, columns=["article", "category", "count", "words", "per_1000_words"])


def hedge_matches(article: Article, lexicons: Lexicons) -> pd.DataFrame:
    """Each hedge or booster in one article with the sentence it is in, so a reader can check its sense."""
    prep = _prepare(article)
    rows = []
    for start, _, matched, category in lexicons.hedge_hits(article.body, prep.tokens, prep.keys(lexicons.hedges)):
        n = prep.sentence_of(start)
        rows.append({"sentence_id": sentence_id(article.id, n), "term": matched, "category": category,
                     "sentence": prep.sentences[n - 1]})
    return pd.DataFrame(rows, columns=["sentence_id", "term", "category", "sentence"])


def voices(articles, lexicons: Lexicons) -> pd.DataFrame:
    """Who gets a voice: each direct quotation with its speaker, side, role and length in words.

    Speakers come from `text.find_quotations`; names are matched to the speakers lexicon, and "he" is
    resolved by rules of thumb (the previous quote's speaker, else the last sentence subject named). Can show: whose words the reader hears directly,
    and how many. Cannot show: paraphrased voices (indirect speech), whether a quote is faithful (many
    are translations) or how prominent it is on the page; scare quotes ("spiraling tension") count as
    short quotations.
    """
    rows = []
    for article in articles:
        prep = _prepare(article)
        mentions = _speaker_mentions(prep, lexicons)
        for q in prep.quotations:
            speaker, side, role = _resolve(q.speaker, q.start, prep, lexicons, mentions)
            rows.append({"article": article.id, "sentence_id": sentence_id(article.id, prep.sentence_of(q.start)),
                         "speaker_as_written": q.speaker or "(not attributed)", "speaker": speaker, "side": side,
                         "role": role, "verb": q.verb, "words": textlib.word_count(q.quote), "quote": q.quote})
    return pd.DataFrame(rows, columns=["article", "sentence_id", "speaker_as_written", "speaker", "side", "role",
                                       "verb", "words", "quote"])


def voices_by_side(voice_table: pd.DataFrame, by: tuple[str, ...] = ("article", "side")) -> pd.DataFrame:
    """Number of quotations and words quoted per group: by article and side, or e.g. ("article", "side", "role")."""
    missing = [b for b in by if b not in voice_table.columns]
    if missing:
        raise QueryError(f"Cannot group quotations by {', '.join(missing)}. Use article, side, role or speaker.")
    sums: dict[tuple, list[int]] = {}
    for key, words in zip(zip(*(voice_table[b] for b in by)), voice_table["words"]):
        entry = sums.setdefault(key, [0, 0])
        entry[0] += 1
        entry[1] += int(words)
    rows = [dict(zip(by, key), quotations=q, words_quoted=w) for key, (q, w) in sorted(sums.items())]
    return pd.DataFrame(rows, columns=[*by, "quotations", "words_quoted"])


def recount(articles, lexicons: Lexicons) -> dict[str, pd.DataFrame]:
    """Every measure for the articles with the given lexicons, as {name: table}."""
    verbs = reporting_verb_occurrences(articles, lexicons)
    phrases = loaded_phrase_occurrences(articles, lexicons)
    naming = naming_counts(articles, lexicons)
    voice_table = voices(articles, lexicons)
    return {
        "verbs": verbs,
        "verbs_by_article": verb_categories_by_article(verbs, articles),
        "verbs_by_side": verb_categories_by_side(verbs),
        "naming": naming,
        "naming_summary": naming_summary(naming),
        "phrases": phrases,
        "frames": frame_counts(phrases, articles),
        "hedges_boosters": hedges_boosters(articles, lexicons),
        "voices": voice_table,
        "voices_by_side": voices_by_side(voice_table),
    }


# ---------------------------------------------------------------- plots


def plot_grouped(table: pd.DataFrame, *, title: str, xlabel: str, ylabel: str, alt_text: str,
                 labels: dict | None = None):
    """Grouped bars: one group per row of `table`, one bar (colour and hatch) per column, values printed."""
    import matplotlib.pyplot as plt
    import numpy as np

    fig, ax = plt.subplots(figsize=(8, 4.5))
    columns = list(table.columns)
    x = np.arange(len(table.index))
    width = 0.8 / max(1, len(columns))
    for i, column in enumerate(columns):
        values = table[column].to_numpy(dtype=float)
        bars = ax.bar(x + (i - (len(columns) - 1) / 2) * width, values, width, label=str(column),
                      color=plotting.colour(i), hatch=plotting.HATCHES[i % len(plotting.HATCHES)], edgecolor="white")
        ax.bar_label(bars, labels=[f"{v:g}" for v in values], fontsize=8)
    names = [labels.get(i, str(i)) if labels else str(i) for i in table.index]
    ax.set_xticks(x, names)
    ax.legend(title=table.columns.name or None)
    return plotting.finish(fig, ax, title=title, xlabel=xlabel, ylabel=ylabel, alt_text=alt_text)


def describe_table(table: pd.DataFrame, unit: str) -> str:
    """A sentence listing every value of a small table, for a figure's text alternative."""
    parts = []
    for index, row in table.iterrows():
        values = ", ".join(f"{column} {row[column]:g}" for column in table.columns)
        parts.append(f"{index}: {values}")
    return f"Values ({unit}) — " + "; ".join(parts) + "."


def plot_verb_categories(by_article: pd.DataFrame):
    """Reporting verbs per article and category, as grouped bars."""
    return plot_grouped(by_article, title="Reporting verbs in the reporter's words, by category",
                        xlabel="Article", ylabel="Number of verbs",
                        alt_text="Grouped bar chart of reporting verbs per article by category. "
                        + describe_table(by_article, "number of verbs"))


def plot_hedges(hedges: pd.DataFrame):
    """Hedges and boosters per 1,000 words per article, as grouped bars."""
    table = hedges.pivot(index="article", columns="category", values="per_1000_words")
    table = table.reindex(columns=list(HEDGE_CATEGORIES))
    return plot_grouped(table, title="Hedges and boosters per 1,000 words", xlabel="Article",
                        ylabel="Occurrences per 1,000 words",
                        alt_text="Grouped bar chart of hedges and boosters per 1,000 words. "
                        + describe_table(table, "per 1,000 words"))


def plot_naming(summary: pd.DataFrame, place: str = "Kyiv"):
    """Ukrainian- versus Russian-based spellings of one place per article, as grouped bars."""
    rows = summary[summary["place"] == place].set_index("article")[["ukrainian", "russian"]]
    if rows.empty:
        raise QueryError(f"No spelling of {place} in these articles. Pick a place that occurs.")
    rows.columns.name = "romanised from"
    return plot_grouped(rows, title=f"Spellings of {place} per article", xlabel="Article", ylabel="Occurrences",
                        alt_text=f"Grouped bar chart of the spellings of {place}: Ukrainian-based versus "
                        "Russian-based forms. " + describe_table(rows, "occurrences"))


def plot_voices(by_side: pd.DataFrame):
    """Words quoted directly per article and speaker's side, as grouped bars."""
    table = by_side.pivot(index="article", columns="side", values="words_quoted").fillna(0)
    order = [s for s in SIDES_ORDER if s in table.columns] + sorted(set(table.columns) - set(SIDES_ORDER))
    table = table[order]
    table.columns.name = "speaker's side"
    return plot_grouped(table, title="Who gets a voice: words quoted directly, by side", xlabel="Article",
                        ylabel="Words inside quotation marks",
                        alt_text="Grouped bar chart of the words quoted directly per article and side. "
                        + describe_table(table, "words quoted"))
