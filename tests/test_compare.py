import matplotlib.pyplot as plt

from escalation import text
from escalation.compare import article_profile, plot_term_rates, reporting_verb_table
from escalation.corpus import load_articles
from escalation.lexicons import load_place_names
from escalation.plotting import accessibility_problems


def test_profile_counts_follow_the_text_functions():
    articles = load_articles()
    profile = article_profile(articles)
    for article in articles:
        row = profile.loc[article.id]
        assert row["words"] == text.word_count(article.body)
        assert row["quotations"] == len(text.find_quotations(article.body))
        assert row["attributed"] <= row["quotations"]


def test_reporting_verb_table_counts_each_form():
    articles = load_articles()
    table = reporting_verb_table(articles)
    assert list(table.columns) == [a.id for a in articles]
    assert table.loc["demanded", "atacms_request_2023"] == 1  # "during which he demanded ATACMS"
    assert table.sum().sum() == sum(len(text.reporting_verbs(a.body)) for a in articles)


def test_term_rate_plot_is_accessible_and_describes_every_bar():
    rates = text.term_counts(load_articles(), ["Kiev", "Kyiv"])
    fig = plot_term_rates(rates, title="Spellings")
    assert accessibility_problems(fig) == []
    assert fig.alt_text.count("per 1,000 words") == len(rates)
    assert len(fig.axes[0].patches) == len(rates)
    plt.close(fig)


def test_place_names_lexicon_has_variants():
    names = load_place_names()
    assert "Kiev" in names["Kyiv"] and names["Moscow"] == []
