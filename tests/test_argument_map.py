"""Tests for the argument map (escalation.argument_map) and its data table."""
import html
import re

import pandas as pd
import pytest

from escalation import argument_map as am
from escalation import plotting
from escalation.errors import DataError, QueryError
from escalation.tables import load_table

QUESTION = "Should the supplier permit strikes inside Russia with long-range missiles?"


@pytest.fixture(autouse=True)
def close_figures():
    yield
    import matplotlib.pyplot as plt
    plt.close("all")


@pytest.fixture(scope="module")
def table():
    return am.load_argument_map()


def mini(**overrides):
    """A two-side table for another question, as an instructor might write it."""
    base = dict(question="Should Taurus be sent?", stage="2024", text="t", text_kind="close paraphrase",
                speaker="s", role="", date="2024", date_precision="year", source="src")
    rows = [
        {**base, "id": "am01", "side": "Germany", "stance": "against permitting", "element": "position",
         "summary": "Not now"},
        {**base, "id": "am02", "side": "Germany", "stance": "against permitting", "element": "reason",
         "summary": "Involvement in targeting"},
        {**base, "id": "am03", "side": "Ukraine", "stance": "for permitting", "element": "position",
         "summary": "Send it", "text_kind": "verbatim quote"},
    ]
    frame = pd.DataFrame(rows)
    for key, value in overrides.items():
        frame.loc[0, key] = value
    return frame


def test_table_covers_every_side_with_sources(table):
    sides = set(table["side"])
    for expected in ("Ukraine", "Russia", "United Kingdom", "France", "Germany"):
        assert expected in sides
    assert sum(s.startswith("United States") for s in sides) >= 2
    assert (table["source"].str.len() > 0).all()
    quoted = table[table["text_kind"] != "discussion question"]
    assert (quoted["speaker"].str.len() > 0).all(), "every quote or paraphrase names who said it"


def test_verbatim_quotes_match_the_statements_table_or_the_articles(table):
    """A quote marked verbatim must appear word for word in the module's statements table or articles."""
    from escalation.corpus import load_articles
    from escalation.tables import load_table

    known = [a.raw_text for a in load_articles()] + list(load_table("statements")["quote"])
    norm = lambda s: " ".join(s.replace("’", "'").split()).casefold()
    corpus = [norm(k) for k in known]
    original = lambda text: re.sub(r"\s*\[unofficial translation:.*\]$", "", text)  # the quote, not our gloss
    unmatched = [row.id for row in table.itertuples() if row.text_kind == "verbatim quote"
                 and not any(norm(original(row.text)) in k for k in corpus)]
    # Checked by hand against stored copies of reports outside the reference: Time via CNN (am18), AP (am33), Politico (am35).
    assert set(unmatched) <= {"am18", "am33", "am35"}, unmatched


def test_every_stage_has_one_stance_and_a_position(table):
    bands = am.bands(table)
    assert len(bands) == len(table.groupby(["side", "stage"]))
    assert all(b["elements"]["position"] for b in bands)


def test_stance_history_shows_changes_in_table_order(table):
    history = am.stance_history(table)
    us = history["United States (Biden administration)"]
    assert us[0] == ("May 2022", "against permitting")
    assert len(us) >= 3 and {s for _, s in us[1:]} == {"limited permission"}
    assert history["Germany"][-1][1] == "for permitting"


def test_questions_and_select(table):
    assert am.questions(table) == [QUESTION]
    both = pd.concat([table, mini()], ignore_index=True)
    assert am.questions(both) == [QUESTION, "Should Taurus be sent?"]
    assert len(am.select(both, "Should Taurus be sent?")) == 3
    with pytest.raises(QueryError, match="Questions in the table"):
        am.select(both, "Something else?")


@pytest.mark.parametrize("overrides, words", [
    ({"stance": "maybe"}, "stance"),
    ({"element": "feeling"}, "element"),
    ({"text_kind": "rumour"}, "text_kind"),
    ({"element": "reason"}, "no 'position' row"),
])
def test_bad_rows_are_refused_with_a_reason(overrides, words):
    with pytest.raises(DataError, match=words):
        am.bands(mini(**overrides))


def test_two_stances_in_one_stage_are_refused():
    frame = mini()
    frame.loc[1, "stance"] = "for permitting"
    with pytest.raises(DataError, match="two stances"):
        am.bands(frame)


def test_missing_columns_and_empty_table():
    with pytest.raises(DataError, match="lacks column"):
        am.select(mini().drop(columns=["stance"]))
    with pytest.raises(DataError, match="no rows"):
        am.select(mini().iloc[0:0])


def test_figure_is_accessible_and_drawn_from_the_data(table):
    fig = am.draw_argument_map(table)
    assert plotting.accessibility_problems(fig) == []
    ax = fig.axes[0]
    drawn = [t.get_text() for t in ax.texts]
    # one panel per side, in table order, and one band per side and stage
    side_headers = [t for t in drawn if t in am.sides(table)]
    assert side_headers == am.sides(table) and side_headers[0] == "Ukraine"
    assert len(fig.bands) == len(am.bands(table))
    joined = " ".join(drawn)
    for row in table.to_dict("records"):
        # every entry keeps its mark, and a quote or paraphrase keeps who said it and when
        assert am.entry_text(row).split()[1] in joined
        if row["text_kind"] != "discussion question":
            assert am.entry_credit(row) in " ".join(" ".join(t.split()) for t in drawn)
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert {"for permitting", "limited permission", "against permitting"} <= set(legend)
    markers = {line.get_marker() for line in ax.lines if line.get_marker() not in ("None", None, "")}
    assert markers == {"^", "D", "s"}, "each stance has its own shape, not only its own colour"


def test_figure_fits_the_notebook_width_and_grows_only_in_height(table):
    fig = am.draw_argument_map(table)
    assert plotting.image_width_px(fig) <= plotting.NOTEBOOK_WIDTH_PX
    assert plotting.small_text(fig) == []
    bigger = pd.concat([table, table.assign(side="Extra " + table["side"])], ignore_index=True)
    fig2 = am.draw_argument_map(bigger)
    assert fig2.get_figwidth() == fig.get_figwidth() and fig2.get_figheight() > fig.get_figheight()
    assert plotting.small_text(fig2) == []


def test_each_entry_stays_inside_its_column(table):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    fig = am.draw_argument_map(table)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    ax = fig.axes[0]
    for text in ax.texts:
        column = int(text.get_position()[0])
        right = ax.transData.transform((column + 1, 0))[0]
        assert text.get_window_extent(canvas.get_renderer()).x1 <= right + 1, text.get_text()[:40]


def test_one_side_only_and_unknown_side(table):
    fig = am.draw_argument_map(table, only=["Russia"])
    assert {b["side"] for b in fig.bands} == {"Russia"}
    with pytest.raises(QueryError, match="No side 'Narnia'"):
        am.draw_argument_map(table, only=["Narnia"])


def test_html_map_keeps_every_entry_with_mark_speaker_date_and_source(table):
    out = am.argument_map_html(table)
    assert out.count("<table") == len(am.sides(table))
    for row in table.to_dict("records"):
        if row["text_kind"] == "discussion question":
            continue
        assert html.escape(row["source"]) in out and html.escape(row["text"]) in out
        assert html.escape(str(row["date"])) in out
    assert "[Q]" in out and "[P]" in out and "[?]" in out


def test_changing_the_question_changes_the_map():
    fig = am.draw_argument_map(mini())
    assert "Should Taurus be sent?" in fig.axes[0].get_title()
    assert [(b["side"], b["stage"]) for b in fig.bands] == [("Germany", "2024"), ("Ukraine", "2024")]
    alt = plotting.alt_text(fig)
    assert "2 sides and stages (1 for permitting, 0 for limited permission, 1 against)" in alt
    assert "(Q) Send it" in alt and "(P) Involvement in targeting" in alt


def test_sources_table_keeps_full_text(table):
    notes = am.sources_table(table)
    assert len(notes) == len(table)
    assert notes["text"].str.len().min() > 20


def test_table_validates_against_its_dictionary():
    assert len(load_table("lateral_reading")) >= 8
    lateral = load_table("lateral_reading")
    assert set(lateral["basis"]) == {"text alone", "other sources"}
    assert not lateral["observation"].str.contains("published by", case=False).any()


def test_source_notes_never_print_empty_fields(table):
    notes = am.source_notes(table, "Russia")
    assert "[?] Discussion question (not a source's words):" in notes
    assert ", :" not in notes and "] ," not in notes
    assert "Source:" in notes and "Vladimir Putin" in notes
    assert max(len(line) for line in notes.splitlines()) <= 100 or "http" in notes
    with pytest.raises(QueryError, match="No side 'Narnia'"):
        am.source_notes(table, "Narnia")


def test_html_map_puts_only_verbatim_quotes_in_quotation_marks(table):
    out = am.argument_map_html(table)
    for row in table.to_dict("records"):
        quoted = f"“{html.escape(row['text'])}”"
        if row["text_kind"] == "verbatim quote":
            assert quoted in out
        elif row["text_kind"] == "close paraphrase":
            assert quoted not in out and f"Paraphrase, as reported: {html.escape(row['text'])}" in out


def test_map_states_the_tables_cut_off(table):
    from escalation.tables import cutoff_note
    fig = am.draw_argument_map(table)
    note = cutoff_note("argument_map")
    assert note in plotting.alt_text(fig) and any(note in t.get_text() for t in fig.texts)
