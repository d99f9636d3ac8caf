import html
import re

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


# ---------------------------------------------------------------- static widgets (contract C5)

CAPTION = re.compile(r"Interactive in JupyterLab: [^<]+\. Open notebook (\d\d) to use it\.")


def _static_builders(tmp_path):
    from escalation.widgets.aid import aid_explorer
    from escalation.widgets.coding import coding_widget, comparison_widget
    from escalation.widgets.evidence import evidence_board
    from escalation.widgets.range import range_explorer
    from escalation.widgets.reading import article_explorer, kwic_explorer
    from escalation.widgets.timeline import timeline_explorer
    return {
        "article explorer": (article_explorer, "01"), "keyword in context": (kwic_explorer, "01"),
        "range explorer": (range_explorer, "02"), "aid explorer": (aid_explorer, "02"),
        "timeline explorer": (timeline_explorer, "03"),
        "coding widget": (lambda: coding_widget(folder=tmp_path / "codes"), "04"),
        "comparison widget": (comparison_widget, "04"),
        "evidence board": (lambda: evidence_board(path=str(tmp_path / "board.csv")), "05"),
    }


@pytest.mark.parametrize("name", ["article explorer", "keyword in context", "range explorer", "aid explorer",
                                  "timeline explorer", "coding widget", "comparison widget", "evidence board"])
def test_static_mode_shows_a_picture_and_a_caption(name, tmp_path, monkeypatch):
    from IPython.core.formatters import DisplayFormatter
    build, notebook = _static_builders(tmp_path)[name]
    monkeypatch.setenv("ESCALATION_STATIC_WIDGETS", "1")
    widget = build()
    data, _ = DisplayFormatter().format(widget)
    assert "application/vnd.jupyter.widget-view+json" not in data
    shown = data["text/html"]
    match = CAPTION.search(shown)
    assert match and match.group(1) == notebook, shown[-300:]
    assert CAPTION.search(data["text/plain"])
    if name in ("range explorer", "aid explorer", "timeline explorer"):
        assert "data:image/png;base64," in shown or "<svg" in shown
    assert not (tmp_path / "codes").exists() and not (tmp_path / "board.csv").exists()


def test_without_static_mode_the_live_widget_is_shown(tmp_path, monkeypatch):
    from IPython.core.formatters import DisplayFormatter
    monkeypatch.delenv("ESCALATION_STATIC_WIDGETS", raising=False)
    widget = _static_builders(tmp_path)["range explorer"][0]()
    data, _ = DisplayFormatter().format(widget)
    assert "application/vnd.jupyter.widget-view+json" in data


def test_static_article_explorer_shows_every_article_in_full(monkeypatch):
    from IPython.core.formatters import DisplayFormatter
    from escalation.corpus import load_articles
    from escalation.widgets.reading import article_explorer
    monkeypatch.setenv("ESCALATION_STATIC_WIDGETS", "1")
    shown = DisplayFormatter().format(article_explorer())[0]["text/html"]
    text = html.unescape(re.sub(r"<[^>]+>", "", re.sub(r"<sup>[A-Z]</sup>", "", shown)))
    for article in load_articles():
        assert article.headline in text
        for paragraph in article.body.split("\n\n"):
            assert " ".join(paragraph.split()) in " ".join(text.split())


def test_static_view_of_html_a_figure_and_png():
    from escalation import geo, maps
    from escalation.widgets.base import StaticView, static_caption, static_view
    caption = static_caption("try it", "02")
    assert caption == "Interactive in JupyterLab: try it. Open notebook 02 to use it."
    assert isinstance(static_view("<p>x</p>", caption), StaticView)
    fig = maps.plot_range_map(geo.load_places(), "Sumy", maps.rings_for(["taurus"], geo.load_weapons()))
    shown = static_view(fig, caption)._repr_html_()
    assert "data:image/png;base64," in shown and 'alt="Map of the region' in shown and caption in shown
    assert "data:image/png;base64," in static_view(b"\x89PNG\r\n\x1a\n", caption)._repr_html_()


def test_static_mode_leaves_students_files_alone_but_explicit_saves_work(tmp_path, monkeypatch):
    from escalation import evidence
    from escalation.widgets.evidence import evidence_board
    monkeypatch.setenv("ESCALATION_STATIC_WIDGETS", "1")
    own = tmp_path / "board.csv"
    evidence.save_board(evidence.add_row(evidence.new_board(), "c", "w", "e", "s", "low"), own)
    before = own.read_text(encoding="utf-8")
    widget = evidence_board(path=str(own))
    assert len(widget.board) == 0                  # the student's board is not loaded into the printed edition
    widget.fields["claim"].value, widget.fields["who"].value, widget.fields["source"].value = "x", "y", "z"
    widget.add_button.click()
    assert own.read_text(encoding="utf-8") == before
    widget.path.value = str(tmp_path / "demo.csv")
    widget.save_button.click()
    assert len(evidence.load_board(tmp_path / "demo.csv")) == 1
