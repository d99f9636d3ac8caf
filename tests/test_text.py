import pytest

from escalation import text
from escalation.corpus import get_article, load_articles
from escalation.errors import QueryError


def test_sentences_respect_abbreviations_and_quotes():
    sample = ("Pentagon spokesperson Brig. Gen. Patrick Ryder spoke. The U.S. said no. "
              "“This is new,” he added. Then a question? Yes!\n\nNew paragraph. See No. 5 on the list.")
    assert text.split_sentences(sample) == [
        "Pentagon spokesperson Brig. Gen. Patrick Ryder spoke.",
        "The U.S. said no.",
        "“This is new,” he added.",
        "Then a question?",
        "Yes!",
        "New paragraph.",
        "See No. 5 on the list.",
    ]


def test_sentences_of_first_article():
    sentences = text.split_sentences(get_article("atacms_request_2023").body)
    assert len(sentences) == 14  # counted by hand: one per paragraph, as each paragraph is one sentence
    assert sentences[-1].endswith("he added.")


def test_tokenize_keeps_hyphenated_words_and_other_alphabets():
    assert text.tokenize("Long-range ATACMS, Kyiv’s U.S. allies") == ["long-range", "atacms", "kyiv’s", "u.s", "allies"]
    assert text.tokenize("Київ і Москва", lower=False) == ["Київ", "і", "Москва"]
    assert text.word_count("") == 0


def test_kwic_finds_whole_words_case_insensitively():
    lines = text.kwic("Escalation, escalations and de-escalation. ESCALATION!", "escalation", window=1)
    assert [l.match for l in lines] == ["Escalation", "escalation", "ESCALATION"]
    assert lines[1].left == "de-" or lines[1].left.endswith("and")


def test_kwic_context_window():
    (line,) = text.kwic("one two three four five six seven", "four", window=2)
    assert (line.left, line.match, line.right) == ("two three", "four", "five six")


def test_kwic_takes_special_characters_literally():
    assert [l.match for l in text.kwic("a (test) and a test", "(test)")] == ["(test)"]
    assert text.kwic("costs $5.50 or 5x50", "5.50")[0].match == "5.50"
    with pytest.raises(QueryError, match="no letters or digits"):
        text.kwic("abc", ".*")


@pytest.mark.parametrize("query", ["", "   ", None])
def test_kwic_empty_query_is_explained(query):
    with pytest.raises(QueryError, match="Type a word or phrase"):
        text.kwic("some text", query)


def test_kwic_multiword_phrase_across_line_breaks():
    assert len(text.kwic("long-range\nmissiles and long-range   missiles", "long-range missiles")) == 2


def test_kwic_rejects_negative_window():
    with pytest.raises(QueryError, match="window"):
        text.kwic("text", "text", window=-1)


def test_kwic_non_latin_query_matches_non_latin_text():
    assert len(text.kwic("Удар по Києву. Київ відповів.", "Київ")) == 1


def test_term_counts_per_thousand_words():
    articles = load_articles()
    table = text.term_counts(articles, ["Kiev", "Kyiv"])
    first = table[(table.article == "atacms_request_2023") & (table.term == "Kiev")].iloc[0]
    words = text.word_count(articles[0].body)
    assert first["count"] == articles[0].body.count("Kiev")
    assert first["per_1000_words"] == round(1000 * first["count"] / words, 2)
    second_kyiv = table[(table.article == "pentagon_policy_2024") & (table.term == "Kyiv")].iloc[0]
    assert second_kyiv["count"] == 1  # "Kyiv has only targeted ..."; the others are "Kiev"


def test_numbers_found_in_first_article():
    numbers = text.find_numbers(get_article("atacms_request_2023").body)
    assert "300 kilometers" in numbers and "500 km" in numbers and "four times" in numbers


def test_numbers_ignore_ordinals():
    assert text.find_numbers("Sgt. 1st Class, 2nd time, 70 km") == ["70 km"]


def test_quotations_and_attributions_of_first_article():
    quotes = text.find_quotations(get_article("atacms_request_2023").body, "atacms_request_2023")
    summary = [(q.speaker, q.verb, q.quote[:20].replace("\xa0", " ")) for q in quotes]
    assert summary == [
        ("he", "said", "I thanked the US for"),
        ("Russia", "warned", "spiraling tension"),
        ("Peskov", "said", "We are already start"),
        ("he", "added", "This is a completely"),
    ]
    assert quotes[2].verb_base == "say"


def test_quotations_of_second_article_are_attributed_to_the_pentagon():
    quotes = text.find_quotations(get_article("pentagon_policy_2024").body)
    assert [q.speaker for q in quotes] == ["a Pentagon spokesman", "The Pentagon spokesman", "The Pentagon"]
    assert quotes[1].quote == "Our long-range policy has not changed."


def test_quotation_with_speaker_after_verb_and_straight_quotes():
    (q,) = text.find_quotations('"We will respond," said Dmitry Peskov on Monday.')
    assert (q.speaker, q.verb) == ("Dmitry Peskov", "said")


def test_unattributed_quote_has_empty_speaker():
    (q,) = text.find_quotations("The so-called “red line” moved again.")
    assert q.speaker == "" and not q.attributed


def test_reporting_verbs_in_order():
    assert text.reporting_verbs("He said it, she warned them, and they ruled out more.") == ["said", "warned", "ruled out"]


def test_find_places_maps_variants_to_names():
    names = {"Kyiv": ["Kiev"], "United States": ["US"]}
    assert text.find_places("Kiev asked the US; Kyiv waited. USA?", names) == [
        ("Kiev", "Kyiv"), ("US", "United States"), ("Kyiv", "Kyiv")]
    assert text.find_places("anything", {}) == []


def test_unbalanced_quote_does_not_swallow_the_next_paragraph():
    quotes = text.find_quotations("He said “we will see.\n\nNext paragraph, “a real quote,” she said.")
    assert [q.quote for q in quotes] == ["a real quote,"]
