"""Readability: every figure the package draws has no text under 10 CSS px as displayed in JupyterLab.

The displayed size of a text is its font size (pt) x dpi / 72 x scale, where scale = min(1, W / image width)
and W = `plotting.NOTEBOOK_WIDTH_PX`, the width of a notebook output area in JupyterLab 4 at 1366x768 with
the file browser closed (1186 px, measured in Chromium). Each figure is built as a notebook or widget builds
it, and measured as it is shown: `plotting.show` saves a cropped PNG at the figure's dpi; the range explorer
shows its whole canvas; the aid and timeline widgets show a PNG saved at 72 dpi.
"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from escalation import plotting  # noqa: E402

W = plotting.NOTEBOOK_WIDTH_PX


def _range_map():
    from escalation import geo, maps
    places, weapons = geo.load_places(), geo.load_weapons()
    return maps.plot_range_map(places, "Sumy", maps.rings_for(["glsdb", "atacms_300", "taurus"], weapons)), {}


def _range_map_kharkiv():
    from escalation import geo, maps
    places, weapons = geo.load_places(), geo.load_weapons()
    return maps.plot_range_map(places, "Kharkiv", maps.rings_for(["gmlrs", "atacms_300"], weapons)), {}


def _range_explorer():
    from escalation import geo, maps
    renderer = maps.RangeMapRenderer(geo.load_places())
    return renderer.fig, {"tight": False}


def _argument_map():
    from escalation import argument_map as am
    return am.draw_argument_map(am.load_argument_map()), {}


def _rhetoric(name):
    def build():
        from escalation import rhetoric as rh
        from escalation.corpus import load_articles
        out = rh.recount(load_articles(), rh.load_lexicons())
        fig = {"verbs": lambda: rh.plot_verb_categories(out["verbs_by_article"]),
               "hedges": lambda: rh.plot_hedges(out["hedges_boosters"]),
               "naming": lambda: rh.plot_naming(out["naming_summary"]),
               "voices": lambda: rh.plot_voices(out["voices_by_side"])}[name]()
        return fig, {}
    return build


def _confusion():
    from escalation.widgets.coding import compare_files
    from escalation.corpus import load_articles
    article = load_articles()[0].id
    _, result = compare_files("reference", "reference", article)
    return result.figure, {}


def _term_rates():
    from escalation import compare, text
    from escalation.corpus import load_articles
    rates = text.term_counts(load_articles(), ["escalation", "long-range", "red line"])
    return compare.plot_term_rates(rates, title="Selected terms in the two articles"), {}


def _timeline():
    from escalation import events as ev
    from escalation.timeline import timeline_figure
    return timeline_figure(ev.load_events(), "event_type"), {}


def _aid(kind):
    def build():
        from escalation import aid as aidlib
        aid = aidlib.load_aid()
        if kind == "plot":
            return aidlib.plot_aid(aid, "commitments", "total"), {}
        if kind == "widget":   # widgets/aid.py shows it with maps.figure_img_html(fig, dpi=100), uncropped
            return aidlib.plot_aid(aid, "commitments", "total"), {"dpi": 100, "tight": False}
        return aidlib.plot_sipri_shares(aid), {}
    return build


# Figures whose code belongs to this module's figure owner (H3a): these must pass.
OWN = {
    "range map (notebook 02, Sumy)": _range_map,
    "range map (Kharkiv)": _range_map_kharkiv,
    "range explorer": _range_explorer,
    "argument map (notebook 05)": _argument_map,
    "reporting verbs (notebook 04)": _rhetoric("verbs"),
    "hedges and boosters (notebook 04)": _rhetoric("hedges"),
    "naming (notebook 04)": _rhetoric("naming"),
    "voices (notebook 04)": _rhetoric("voices"),
}
# Figures drawn by other modules (agreement, compare, timeline, aid): measured by the same rule.
OTHERS = {
    "confusion matrix (coding comparison)": _confusion,
    "term rates (notebook 01)": _term_rates,
    "timeline (notebook 03)": _timeline,
    "aid chart (notebook 02)": _aid("plot"),
    "aid chart in the aid explorer": _aid("widget"),
    "SIPRI shares (notebook 02)": _aid("sipri"),
}


def _measure(build):
    plotting.use_style()
    fig, how = build()
    try:
        return plotting.small_text(fig, W, **how), plotting.smallest_text_px(fig, W, **how)
    finally:
        plt.close(fig)


@pytest.mark.parametrize("name", list(OWN))
def test_own_figures_have_no_text_under_10_px(name):
    small, smallest = _measure(OWN[name])
    assert small == [], f"{name}: smallest text {smallest:.1f} px; too small: {small[:5]}"


@pytest.mark.parametrize("name", list(OTHERS))
def test_other_modules_figures_have_no_text_under_10_px(name):
    small, smallest = _measure(OTHERS[name])
    assert small == [], f"{name}: smallest text {smallest:.1f} px; too small: {small[:5]}"


def test_timeline_explorer_svg_has_no_text_under_10_px():
    from escalation import events as ev
    from escalation.timeline import timeline_svg
    sizes = plotting.svg_text_sizes(timeline_svg(ev.load_events(), "country"), W)
    assert sizes and sizes[0][0] >= plotting.MIN_TEXT_PX, sizes[:3]


def test_svg_rule_scales_wide_pictures():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="2372" height="100"><g font-size="14">'
           '<text x="0" y="20">inherited</text><text font-size="24" x="0" y="60">own</text></g></svg>')
    sizes = dict((t, s) for s, t in plotting.svg_text_sizes(svg, W))
    assert sizes == {"inherited": pytest.approx(7.0), "own": pytest.approx(12.0)}


def test_the_rule_measures_what_is_displayed():
    from matplotlib.figure import Figure
    fig = Figure(figsize=(8, 4), dpi=100)        # 800 px wide: shown at its own size
    ax = fig.add_subplot()
    ax.set_title("Title", fontsize=12)
    ax.text(0.5, 0.5, "small", fontsize=7)
    ax.tick_params(labelsize=9)
    sizes = dict((t, s) for s, t in plotting.text_sizes(fig, W, tight=False))
    assert sizes["small"] == pytest.approx(7 * 100 / 72)
    assert sizes["Title"] == pytest.approx(12 * 100 / 72)
    assert plotting.smallest_text_px(fig, W, tight=False) == pytest.approx(7 * 100 / 72)
    assert [t for t in plotting.small_text(fig, W, tight=False) if "small" in t]
    # The same figure at twice the width is scaled down to the output area, and its text with it.
    fig.set_size_inches(16, 4)
    assert plotting.smallest_text_px(fig, W, tight=False) == pytest.approx(7 * 100 / 72 * W / 1600)
    # Hidden texts and hidden axes do not count.
    fig.axes[0].texts[0].set_visible(False)
    assert "small" not in [t for _, t in plotting.text_sizes(fig, W, tight=False)]


def test_table_html_wraps_scrolls_and_hides_missing_values():
    import pandas as pd
    table = pd.DataFrame({"what": ["a long red line statement " * 5, "short"], "when": [pd.NA, "2024-05-31"],
                          "km": [300.0, None]})
    out = plotting.table_html(table, caption="Ledger")
    assert "<NA>" not in out and "nan" not in out.lower().replace("nance", "")
    assert "overflow-x:auto" in out and "<caption" in out and "word-break:normal" in out
    assert out.count("<tr>") == 3


def test_printed_prose_is_wrapped_between_words():
    text = "Figure description: " + " ".join(["matches"] * 60) + "\n\nSecond paragraph."
    wrapped = plotting.wrap_prose(text)
    lines = wrapped.split("\n")
    assert all(len(line) <= plotting.PRINT_WIDTH for line in lines)
    assert all(word == "matches" for line in lines[:-2] for word in line.split()[(2 if line.startswith("Figure") else 0):])
    assert lines[-2:] == ["", "Second paragraph."]
    url = "https://example.org/" + "x" * 150
    assert url in plotting.wrap_prose(url)    # a word longer than a line is kept whole


def test_show_prints_the_description_in_short_lines(capsys):
    from escalation import geo, maps
    fig = maps.plot_range_map(geo.load_places(), "Sumy", maps.rings_for(["taurus"], geo.load_weapons()))
    plotting.show(fig)
    printed = capsys.readouterr().out
    assert "\nFigure description: Map of the region" in printed
    assert max(len(line) for line in printed.splitlines()) <= plotting.PRINT_WIDTH


def test_a_figure_never_shrinks_below_10_px_text_and_a_wide_one_scrolls_in_a_named_region():
    import re

    from escalation import aid as aidlib, argument_map
    from escalation.plotting import LAPTOP_OUTPUT_PX, MIN_TEXT_PX, figure_bundle, text_sizes

    for fig in (aidlib.plot_aid(aidlib.load_aid(), "commitments", "total"),
                argument_map.draw_argument_map(argument_map.load_argument_map())):
        data, _ = figure_bundle(fig)
        page = data["text/html"]
        narrowest = int(re.search(r"min-width:(\d+)px", page).group(1))
        # shown that narrow, matplotlib's own sizes for the smallest text are still at least 10 px
        assert text_sizes(fig, display_width=narrowest)[0][0] >= MIN_TEXT_PX - 0.05
        assert text_sizes(fig, display_width=narrowest - 20)[0][0] < MIN_TEXT_PX or \
            narrowest == int(plotting.image_width_px(fig))  # and no wider than needed
        wide = narrowest > LAPTOP_OUTPUT_PX
        assert ('role="region" tabindex="0" aria-label="Figure: ' in page) is wide
    assert wide  # the argument map (drawn 1147 px wide) is the wide one


def test_tables_scroll_in_a_focusable_named_region():
    import pandas as pd

    page = plotting.table_html(pd.DataFrame({"a": [1]}), caption="Weapons")
    assert '<div class="escalation-table" role="region" tabindex="0" aria-label="Weapons (scrolls' in page
