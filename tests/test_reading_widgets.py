import ipywidgets as widgets
import pytest

from escalation import text
from escalation.corpus import load_articles
from escalation.widgets.reading import article_explorer, highlight_spans, kwic_explorer, render_article_html


@pytest.fixture(scope="module")
def articles():
    return load_articles()


def test_every_control_has_a_description(articles):
    for explorer in (article_explorer(articles), kwic_explorer(articles)):
        for control in explorer.controls.values():
            assert control.description


def test_article_explorer_follows_its_controls(articles):
    explorer = article_explorer(articles)
    assert "Kuleba" in explorer.display_area.value
    explorer.controls["article_id"].value = "pentagon_policy_2024"
    assert "Pentagon still does not want" in explorer.display_area.value
    explorer.controls["show"].value = ("numbers",)
    kinds = {kind for _, _, kind in explorer.result}
    assert kinds == {"numbers"}
    marked = [articles[1].body[s:e] for s, e, _ in explorer.result]
    assert marked == text.find_numbers(articles[1].body)


def test_highlights_escape_html_and_label_marks(articles):
    html = render_article_html(articles[0], ("quotes",))
    assert html.count('<mark title="Quotations"') == len(text.find_quotations(articles[0].body))
    assert "<sup>Q</sup>" in html


def test_place_highlights_use_the_lexicon(articles):
    spans = highlight_spans(articles[1], ("places",), {"Kharkiv": [], "Kyiv": ["Kiev"]})
    assert [articles[1].body[s:e] for s, e, _ in spans].count("Kharkiv") == 1
    assert {articles[1].body[s:e] for s, e, _ in spans} == {"Kharkiv", "Kiev", "Kyiv"}


def test_kwic_explorer_results_match_the_text_function(articles):
    explorer = kwic_explorer(articles, query="Kiev")
    assert len(explorer.result) == sum(len(text.kwic(a.body, "Kiev")) for a in articles)
    explorer.controls["article_id"].value = "pentagon_policy_2024"
    assert set(explorer.result.article) == {"pentagon_policy_2024"}


@pytest.mark.parametrize("query, message", [
    ("", "Type a word or phrase"),
    ("   ", "Type a word or phrase"),
    ("*?[", "no letters or digits"),
])
def test_kwic_explorer_bad_queries_give_messages(articles, query, message):
    explorer = kwic_explorer(articles)
    explorer.controls["query"].value = query
    assert message in explorer.message
    assert explorer.result is None
    assert "Check your input" in explorer.display_area.value


def test_kwic_explorer_no_match_and_other_alphabets(articles):
    explorer = kwic_explorer(articles)
    explorer.controls["query"].value = "zeppelin"
    assert "No matches for “zeppelin”" in explorer.display_area.value
    explorer.controls["query"].value = "Київ"
    assert "other alphabets" in explorer.display_area.value
    explorer.controls["query"].value = "range (km)"
    assert explorer.message == "" and len(explorer.result) == 0


def test_kwic_explorer_special_characters_are_literal(articles):
    explorer = kwic_explorer(articles)
    explorer.controls["query"].value = "long-range"
    assert len(explorer.result) == sum(a.body.lower().count("long-range") for a in articles)
    assert isinstance(explorer, widgets.VBox)


def test_marks_are_properly_nested_with_every_highlight_on(articles):
    import re

    for article in articles:
        html = render_article_html(article, ("quotes", "attributions", "numbers", "places"))
        depth = 0
        for tag in re.findall(r"</?mark", html):
            depth += 1 if tag == "<mark" else -1
            assert 0 <= depth <= 2, article.id
        assert depth == 0
        spans = highlight_spans(article, ("quotes", "attributions", "numbers", "places"))
        for (s1, e1, k1), (s2, e2, k2) in zip(spans, spans[1:]):
            assert e1 <= s2 or (k1 == "quotes" and e2 <= e1), (article.id, (s1, e1, k1), (s2, e2, k2))
