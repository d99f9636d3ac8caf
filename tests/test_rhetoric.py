"""Rhetoric measures: reporting verbs, naming, loaded phrases, hedges and boosters, voices."""
import dataclasses

import pytest

from escalation import rhetoric as rh
from escalation.corpus import load_articles
from escalation.errors import DataError, QueryError
from escalation.plotting import accessibility_problems
from support.synthetic_corpus import synthetic_corpus


@pytest.fixture(scope="module")
def articles():
    return load_articles()


@pytest.fixture(scope="module")
def lex():
    return rh.load_lexicons()


def fake(body, article_id="t1"):
    template = load_articles()[0]
    return dataclasses.replace(template, id=article_id, body=body, raw_text=body)


def test_verbs_in_reporter_words_only_and_blockers(lex):
    art = fake("The United States said it would help. Western states urged caution. "
               "“We must, let’s say, wait,” Peskov claimed.")
    occ = rh.reporting_verb_occurrences([art], lex)
    assert list(occ["form"]) == ["said", "urged", "claimed"]   # not 'states', not the 'say' inside the quote
    assert list(occ["category"]) == ["neutral", "forceful", "doubt-casting"]
    assert occ.iloc[2]["side"] == "Russia" and bool(occ.iloc[2]["introduces_quote"])


def test_pronoun_goes_to_previous_quote_speaker(lex):
    art = fake("“First point,” Peskov said.\n\n“Second point,” he added.")
    voices = rh.voices([art], lex)
    assert list(voices["speaker"]) == ["Dmitry Peskov", "Dmitry Peskov"]


def test_real_articles_verbs_by_side(articles, lex):
    occ = rh.reporting_verb_occurrences(articles, lex)
    first = occ[occ["article"] == "atacms_request_2023"]
    # Kuleba's 'demanded' (he demanded, after the sentence subject 'The Ukrainian foreign minister')
    row = first[first["form"] == "demanded"].iloc[0]
    assert row["side"] == "Ukraine"
    # 'states' in 'United States' is never counted
    assert "states" not in set(occ["form"])
    table = rh.verb_categories_by_article(occ, articles)
    assert list(table.columns) == list(rh.VERB_CATEGORIES)
    assert table.to_numpy().sum() == len(occ)


def test_recategorising_changes_counts(articles, lex):
    before = rh.verb_categories_by_article(rh.reporting_verb_occurrences(articles, lex), articles)
    edited = rh.recategorise_verbs(lex, {"warned": "neutral"})
    after = rh.verb_categories_by_article(rh.reporting_verb_occurrences(articles, edited), articles)
    text = " ".join(a.body for a in articles).lower()
    n_warned = text.count(" warned ")
    assert n_warned > 0
    assert after["neutral"].sum() == before["neutral"].sum() + n_warned
    assert after["forceful"].sum() == before["forceful"].sum() - n_warned
    # the original lexicons are untouched
    assert rh.verb_categories_by_article(rh.reporting_verb_occurrences(articles, lex), articles).equals(before)
    with pytest.raises(QueryError, match="not a category"):
        rh.recategorise_verbs(lex, {"warned": "angry"})


def test_naming_counts_kiev_kyiv(articles, lex):
    naming = rh.naming_counts(articles, lex)
    for article in articles:
        got = naming[(naming["article"] == article.id) & (naming["form"] == "Kiev")]["count"].sum()
        assert got == article.body.count("Kiev")  # no 'Kievan' or 'chicken Kiev' in these texts
    art = fake("Chicken Kiev in Kyiv. Kievan Rus. Kiev said.")
    summary = rh.naming_summary(rh.naming_counts([art], lex))
    row = summary[summary["place"] == "Kyiv"].iloc[0]
    assert (row["ukrainian"], row["russian"], row["share_ukrainian"]) == (1, 1, 0.5)


def test_loaded_phrases_wildcard_and_quoted(articles, lex):
    phrases = rh.loaded_phrase_occurrences(articles, lex)
    hit = phrases[phrases["phrase"] == "flooding Ukraine with * weapons"]
    assert list(hit["matched"]) == ["flooding Ukraine with Western weapons"]
    spiral = phrases[phrases["phrase"] == "spiraling tension"]
    assert len(spiral) == 2 and spiral["quoted"].all()
    more = rh.add_phrases(lex, {"long-range": "capability"})
    frames = rh.frame_counts(rh.loaded_phrase_occurrences(articles, more), articles)
    expected = sum(a.body.lower().count("long-range") for a in articles)
    base = rh.frame_counts(phrases, articles)
    assert frames["capability"].sum() == base["capability"].sum() + expected


def test_hedges_before_number_and_rate(lex):
    art = fake("It is about 300 km. Talk about it. They may perhaps go. It clearly must.")
    table = rh.hedges_boosters([art], lex).set_index("category")
    assert table.loc["hedge", "count"] == 3      # about (before 300), may, perhaps; not 'talk about it'
    assert table.loc["booster", "count"] == 2    # clearly, must
    words = table.loc["hedge", "words"]
    assert table.loc["hedge", "per_1000_words"] == round(1000 * 3 / words, 1)


def test_voices_by_side_sums(articles, lex):
    voices = rh.voices(articles, lex)
    by_side = rh.voices_by_side(voices)
    assert by_side["quotations"].sum() == len(voices)
    assert by_side["words_quoted"].sum() == voices["words"].sum()
    assert "Russia" in set(by_side[by_side["article"] == "atacms_request_2023"]["side"])
    by_role = rh.voices_by_side(voices, by=("article", "side", "role"))
    assert by_role["quotations"].sum() == len(voices) and len(by_role) >= len(by_side)
    with pytest.raises(QueryError, match="Cannot group"):
        rh.voices_by_side(voices, by=("mood",))


def test_recount_keys_and_plots(articles, lex):
    out = rh.recount(articles, lex)
    assert {"verbs", "verbs_by_article", "naming_summary", "frames", "hedges_boosters", "voices_by_side"} <= set(out)
    figs = [rh.plot_verb_categories(out["verbs_by_article"]), rh.plot_hedges(out["hedges_boosters"]),
            rh.plot_naming(out["naming_summary"]), rh.plot_voices(out["voices_by_side"])]
    for fig in figs:
        assert accessibility_problems(fig) == []
    with pytest.raises(QueryError, match="No spelling"):
        rh.plot_naming(out["naming_summary"], "Odesa")


def test_bad_lexicon_category(lex):
    bad = lex.reporting_verbs.copy()
    bad.loc[0, "category"] = "angry"
    with pytest.raises(DataError, match="Unknown reporting-verb category"):
        dataclasses.replace(lex, reporting_verbs=bad, _cache={})


def test_synthetic_corpus_is_labelled_and_seeded(articles):
    one = synthetic_corpus(articles, 5, seed=1)
    two = synthetic_corpus(articles, 5, seed=1)
    assert [a.body for a in one] == [a.body for a in two]
    assert all(a.id.startswith("synthetic_") and "SYNTHETIC" in a.headline for a in one)
    mean = sum(len(a.body.split()) for a in articles) / len(articles)
    assert all(len(a.body.split()) >= mean * 0.9 for a in one)
    with pytest.raises(QueryError):
        synthetic_corpus([], 3)


def test_instructor_edit_of_lexicon_file_is_recounted(tmp_path, articles, lex):
    """Editing data/lexicons/reporting_verbs.csv (here a copy) changes what load_lexicons gives and the counts."""
    import shutil

    from escalation.paths import data_dir

    folder = tmp_path / "data"
    shutil.copytree(data_dir(), folder)
    path = folder / "lexicons" / "reporting_verbs.csv"
    text = path.read_text(encoding="utf-8")
    assert "warned;warns,forceful" in text
    path.write_text(text.replace("warned;warns,forceful", "warned;warns,doubt-casting"), encoding="utf-8")
    edited = rh.load_lexicons(folder)
    before = rh.verb_categories_by_article(rh.reporting_verb_occurrences(articles, lex), articles)
    after = rh.verb_categories_by_article(rh.reporting_verb_occurrences(articles, edited), articles)
    assert after["doubt-casting"].sum() == before["doubt-casting"].sum() + (before["forceful"] - after["forceful"]).sum()
    assert after["doubt-casting"].sum() > before["doubt-casting"].sum()
    path.write_text(text.replace("warned;warns,forceful", "warned;warns,angry"), encoding="utf-8")
    with pytest.raises(DataError, match="not one of the allowed values"):
        rh.load_lexicons(folder)
