"""Practice exercises of the lesson notebooks: prompts, answers, hints and model answers (check stage).

A lesson notebook holds only an exercise's prompt and an answer cell; the expected values, hints, model
answers and rubrics live here, so a check cell never shows the answer (`practice.check("1.1", ex1_1)`).
Expected values are computed from the module's data when a check runs, so they follow the data.
`EXERCISES` is also the source of the practice answer keys in the teacher's pack.

Feedback aims at the mistake: each exercise carries its typical wrong values (computed from the same
data as the answer), the misconception each distractor encodes, and why a right answer is right;
`escalation.marking` matches an answer against them, so the lesson checks and the grader's feedback page
read mistakes the same way. Checks print through `escalation.checks` and never stop Run All.
"""
from __future__ import annotations

import io
import math
from collections.abc import Callable
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from functools import cache

from . import checks, marking

KINDS = ("number", "text", "choice", "set", "written", "board")

NOTEBOOKS = {
    "00": "00_start_here",
    "01": "01_reading_the_articles",
    "02": "02_arms_supply_in_numbers",
    "03": "03_red_lines_and_escalation",
    "04": "04_rhetoric_as_data",
    "05": "05_debate_and_synthesis",
}


@dataclass(frozen=True)
class Practice:
    """One practice exercise of a lesson notebook.

    `expected` is a value or a function computing it from the data (with the check's keyword context,
    for exercise 4.4, whose answer depends on the student's own codes); `choices` likewise.
    `accepted` lists the texts that count as right for a text or choice answer.

    Feedback aimed at the mistake (matched by `escalation.marking`):
    `typical` — for a number, a function of the data (and the check's context) giving the typical wrong
    values with what each one means, [(wrong value, message)], each computed from the same data as the
    answer; for a text, ((wrong text, message), ...).
    `misconceptions` — for a choice or set, {option: message}: the misconception that choosing (or
    ticking) that option encodes; a dict or a function of the data.
    `omissions` — for a set, {right option: message}: what leaving that option out suggests, worded so
    that it does not name the option.
    `success` — the line a right answer gets: why it is right (a text, or a function of the data).
    """

    id: str
    notebook: str
    prompt: str
    kind: str
    expected: object = None
    accepted: tuple[str, ...] = ()
    choices: object = ()
    hint: str = ""
    success: object = ""
    typical: object = ()
    misconceptions: object = None
    omissions: object = None
    abs_tol: float = 1e-9
    rel_tol: float = 0.0
    min_words: int = 0
    model_answer: str = ""
    rubric: tuple[str, ...] = ()
    solution_note: str = ""
    title: str = ""
    anchor: str = field(default="")

    @property
    def label(self) -> str:
        """The name students see in feedback and in the progress summary."""
        return f"Exercise {self.id}"

    def expected_value(self, **context):
        """The expected answer, computed from the data now (None for written answers)."""
        value = self.expected
        return value(**context) if callable(value) else value

    def choice_list(self) -> list:
        """The options an answer widget offers (choice and set exercises)."""
        value = self.choices
        return list(value() if callable(value) else value)

    def tolerance(self, expected: float) -> float:
        """The absolute tolerance of a numeric answer (`abs_tol`, or `rel_tol` of the expected value)."""
        return max(self.abs_tol, self.rel_tol * abs(float(expected)))

    def typical_values(self, expected=None, **context) -> list[tuple[object, str]]:
        """The typical wrong answers with their messages, computed from the data now.

        For a number, a value within the tolerance of the right answer (`expected`, computed when not
        given) is left out: it is not wrong.
        """
        value = self.typical
        pairs = list(value(**context) if callable(value) else value)
        if self.kind != "number" or not pairs:
            return pairs
        expected = float(self.expected_value(**context) if expected is None else expected)
        tol = self.tolerance(expected)
        kept: list[tuple[object, str]] = []
        for wrong, message in pairs:
            if wrong is None or math.isnan(float(wrong)) or abs(float(wrong) - expected) <= tol:
                continue
            if all(abs(float(wrong) - float(other)) > tol for other, _ in kept):
                kept.append((float(wrong), message))
        return kept

    def misconception_map(self) -> dict[str, str]:
        """{option: the misconception choosing it encodes} (choice and set exercises)."""
        value = self.misconceptions
        return dict((value() if callable(value) else value) or {})

    def omission_map(self) -> dict[str, str]:
        """{right option: what leaving it out suggests, without naming it} (set exercises)."""
        value = self.omissions
        return dict((value() if callable(value) else value) or {})

    def success_text(self, **context) -> str:
        """Why a right answer is right (or "")."""
        value = self.success
        return value(**context) if callable(value) else value


# ---------------------------------------------------------------- data the answers are computed from
# Imported inside functions: loading the notebooks' data is only needed when a check runs.


@cache
def _articles():
    from .corpus import load_articles

    return tuple(load_articles())


def _article(article_id: str):
    return next(a for a in _articles() if a.id == article_id)


def _pentagon_quotes() -> int:
    from . import text

    return sum("Pentagon" in q.speaker for q in text.find_quotations(_article("pentagon_policy_2024").body))


def _kiev_rate() -> float:
    return round(float(_rate_row("atacms_request_2023", "Kiev")["per_1000_words"]), 1)


def _aid():
    from . import aid as aidlib

    return aidlib, aidlib.load_aid()


def _us_share() -> float:
    aidlib, aid = _aid()
    us = aidlib.figure_of(aid, "kiel_2024_12_us_alloc")
    europe = aidlib.figure_of(aid, "kiel_2024_12_europe_alloc")
    return round(aidlib.share(us, us + europe), 1)


def _us_change() -> float:
    aidlib, aid = _aid()
    return round(aidlib.change(aid, "kiel_2024_04_us_alloc", "kiel_2024_12_us_alloc")["percent"], 1)


def _distance(a: str, b: str) -> float:
    from . import geo

    places = geo.load_places()
    first, second = geo.find_place(places, a), geo.find_place(places, b)
    return geo.distance_km(first.latitude, first.longitude, second.latitude, second.longitude)


def _places_near_sumy() -> int:
    from . import geo

    places = geo.load_places()
    sumy = geo.find_place(places, "Sumy")
    return int(geo.places_within(places, sumy.latitude, sumy.longitude, 150)["name"].nunique())


def _events():
    from . import events as ev

    return ev, ev.load_events()


def _russian_warnings_2024() -> int:
    ev, events = _events()
    return len(ev.filter_events(events, start="2024-01-01", end="2024-12-31", countries=["Russia"],
                                types=["warning"]))


def _days_to_confirmation() -> int:
    ev, events = _events()
    return int(ev.days_between(events, "E31", "E38"))


def _ledger_crossed() -> int:
    ev, events = _events()
    ledger = ev.red_line_ledger(events, ev.load_ledger(events=events))
    return int(ledger["crossed"].isin(["yes", "partly"]).sum())


def _knowable_events() -> int:
    """Events of the table that had been published by 17 July 2024 (the second article's date)."""
    ev, events = _events()
    if hasattr(ev, "as_of"):
        return len(ev.as_of(events, "2024-07-17"))
    return int((events["date"].astype(str) <= "2024-07-17").sum())


def _counts():
    from . import rhetoric

    return rhetoric.recount(list(_articles()), rhetoric.load_lexicons())


def _forceful_first() -> int:
    return int(_counts()["verbs_by_article"].loc["atacms_request_2023", "forceful"])


def _kyiv_share() -> float:
    row = _counts()["naming_summary"].query("article == 'pentagon_policy_2024' and place == 'Kyiv'").iloc[0]
    return round(float(row.share_ukrainian), 2)


def _hedge_terms() -> list[str]:
    from . import rhetoric

    terms = rhetoric.hedge_matches(_article("pentagon_policy_2024"), rhetoric.load_lexicons())["term"]
    return list(dict.fromkeys(terms))


PASSAGE = range(9, 15)


def _my_comparison(coder=None):
    """The student's codes compared with the reference, as the coding widget's "Compare with reference" does.

    Sentences 9-14 must all be coded first (the exercise's passage)."""
    from . import agreement, coding

    if coder is None:
        raise ValueError("Give the coding widget: practice.check('4.4', ex4_4, coder=coder).")
    article = _article("atacms_request_2023")
    passage = [coding.sentence_id(article.id, n) for n in PASSAGE]
    mine = coder.table()
    mine = mine[mine["sentence_id"].isin(passage)]
    coded = mine[mine["code"].fillna("").astype(str).str.strip() != ""]
    if len(coded) < len(passage):
        raise ValueError(f"Code all six sentences 9–14 in the coding widget first ({len(coded)} of 6 coded so far).")
    # The figures the widget's "Compare with reference" shows: every sentence both have coded.
    return agreement.compare(coder.table(), coding.reference_coding(article), coding.scheme_codes())


def _my_agreement(coder=None, **_context) -> float:
    """Percent agreement of the student's codes with the reference (a share), as the coding widget shows it."""
    return round(float(_my_comparison(coder).percent), 4)


def _argument_sides() -> list[str]:
    from . import argument_map

    return list(argument_map.stance_history(argument_map.load_argument_map()))


def _changed_sides() -> list[str]:
    from . import argument_map

    history = argument_map.stance_history(argument_map.load_argument_map())
    return [side for side, stages in history.items() if len({stance for _, stance in stages}) > 1]


def _lateral():
    from .tables import load_table

    return load_table("lateral_reading")


def _lateral_ids() -> list[str]:
    return list(_lateral()["id"])


def _needs_other_sources() -> list[str]:
    lateral = _lateral()
    return list(lateral.loc[lateral["basis"] == "other sources", "id"])


BOARD_START_ROWS = 2  # the two example rows of notebook 05's board


def _board_ok(board, *, start_rows: int = BOARD_START_ROWS) -> bool:
    return (board is not None and hasattr(board, "columns") and len(board) >= start_rows + 2
            and bool((board["source"].astype(str).str.strip().str.len() > 5).all()))


# ---------------------------------------------------------------- typical wrong answers and misconceptions
# Each `_typical_*` function gives [(wrong value, what it means)] for one numeric exercise. The wrong values
# are computed from the same data as the right answer, so they follow the data; the messages name the
# mistake and never give the right answer. `escalation.marking` matches an answer against them.

SHARE_NOT_PERCENT = "That is a fraction of 1; the exercise asks for a percentage: multiply by 100."


def _typical_articles() -> list:
    from . import text

    lines = len(text.kwic_table(list(_articles()), "missiles"))
    return [(lines, "That is the number of lines the keyword search for \"missiles\" found: one line per "
                    "occurrence of the word, and one article can hold many. Count the lines printed in the "
                    "first section: one line per article.")]


def _quotations():
    from . import text

    return text.quotations_table(list(_articles()))


def _typical_pentagon_quotes() -> list:
    table = _quotations()
    second = table[table["article"] == "pentagon_policy_2024"]
    spokesman = int(second["speaker"].str.contains("spokesman", case=False).sum())
    return [
        (len(table), "That counts the quotations of both articles; the exercise asks only about the second "
                     "article, pentagon_policy_2024."),
        (int((table["article"] == "atacms_request_2023").sum()),
         "That is the number of quotations in the first article, atacms_request_2023; the exercise asks "
         "about the second, pentagon_policy_2024."),
        (spokesman, "That counts only the rows whose speaker is a spokesman; a row whose speaker is "
                    "\"The Pentagon\" itself counts too."),
    ]


def _rates():
    from . import text

    return text.term_counts(list(_articles()), ["Kiev", "Kyiv", "long-range", "escalation", "warnings"])


def _rate_row(article: str, term: str):
    rates = _rates()
    return rates[(rates["article"] == article) & (rates["term"] == term)].iloc[0]


def _typical_kiev_rate() -> list:
    kiev = _rate_row("atacms_request_2023", "Kiev")
    rate = float(kiev["per_1000_words"])
    return [
        (int(kiev["count"]), "That is how many times \"Kiev\" occurs (column count); the exercise asks for the "
                             "rate per 1,000 words (column per_1000_words), which lets articles of different "
                             "length be compared."),
        (float(_rate_row("pentagon_policy_2024", "Kiev")["per_1000_words"]),
         "That is the rate in the second article, pentagon_policy_2024; the exercise asks about the first, "
         "atacms_request_2023."),
        (float(_rate_row("atacms_request_2023", "Kyiv")["per_1000_words"]),
         "That is the rate of \"Kyiv\", the Ukrainian-based spelling; the exercise asks about \"Kiev\"."),
        (math.floor(round(rate * 10, 6)) / 10,
         "You cut the second decimal off instead of rounding: when the second decimal is 5 or more, the first "
         "decimal goes up by one."),
    ]


def _figure(figure_id: str) -> float:
    aidlib, aid = _aid()
    return float(aidlib.figure_of(aid, figure_id))


def _release_of(figure_id: str) -> str:
    _aidlib, aid = _aid()
    return str(aid.loc[aid["id"] == figure_id, "release_date"].iloc[0])


def _typical_us_share() -> list:
    aidlib, aid = _aid()
    us, europe = _figure("kiel_2024_12_us_alloc"), _figure("kiel_2024_12_europe_alloc")
    us_promised, europe_promised = _figure("kiel_2024_12_us_commit"), _figure("kiel_2024_12_europe_commit")
    pairs = [
        (aidlib.share(us, us + europe) / 100, SHARE_NOT_PERCENT),
        (aidlib.share(europe, us + europe), "That is Europe's share; the exercise asks what share came from the "
                                            "United States."),
        (aidlib.share(us, europe), "You divided the US figure by Europe's alone; a share divides by the sum of "
                                   "both (US + Europe)."),
        (aidlib.share(us_promised, us_promised + europe_promised),
         f"You used the commitments of the December 2024 release (US {us_promised:g}, Europe "
         f"{europe_promised:g} EUR bn). Committed aid is only promised; allocated aid is earmarked for delivery. "
         "The exercise asks for the allocations."),
    ]
    release = _release_of("kiel_2024_12_us_alloc")
    table = aidlib.by_release(aid, "allocations", "total")
    for other, row in table.iterrows():
        if str(other) != release and not math.isnan(row.get("United States", math.nan)) \
                and not math.isnan(row.get("Europe", math.nan)):
            pairs.append((aidlib.share(row["United States"], row["United States"] + row["Europe"]),
                          f"You used the release {other}; the exercise asks for the release of December 2024 "
                          f"(row {release}). Every release covers a longer period, so its figures differ."))
    return pairs


def _typical_us_change() -> list:
    april, december = _figure("kiel_2024_04_us_alloc"), _figure("kiel_2024_12_us_alloc")
    europe_april, europe_december = _figure("kiel_2024_04_europe_alloc"), _figure("kiel_2024_12_europe_alloc")
    later = _figure("kiel_2025_spring_us_alloc")
    return [
        ((december - april) / april, SHARE_NOT_PERCENT),
        (december - april, "That is the change in EUR bn (December − April); the exercise asks for it as a "
                           "percentage of the April figure."),
        (december / april * 100, "That is the December figure as a percentage of April's (December ÷ April × "
                                 "100); the change is that figure minus 100."),
        ((december - april) / december * 100, "You divided by the December figure; a change is measured against "
                                              "the earlier figure, April's."),
        ((april - december) / april * 100, "The sign is the wrong way round: take December minus April, so that "
                                           "a rise is positive."),
        ((april - december) / december * 100, "You measured from December back to April; the exercise asks for "
                                              "the change from April to December, measured against April."),
        ((europe_december - europe_april) / europe_april * 100,
         "That is Europe's change; the exercise asks about the United States."),
        ((later - april) / april * 100,
         f"You used the release {_release_of('kiel_2025_spring_us_alloc')} as the later figure; the exercise "
         "asks for the release of December 2024."),
    ]


def _us_change_why() -> str:
    aidlib, aid = _aid()
    result = aidlib.change(aid, "kiel_2024_04_us_alloc", "kiel_2024_12_us_alloc")
    if result["comparable"]:
        return ("The pair is comparable: both rows are allocations of total aid, in the same unit, for the "
                "same donor group (the United States), so the change is not a change of definition.")
    return ("But the pair is not comparable: the rows differ in "
            + ", ".join(c.replace("_", " ") for c in result["differs_in"])
            + ", so part of the change is a change of definition.")


def _typical_moscow() -> list:
    return [(_distance("Sumy", "Moscow"), "That is Moscow's distance from Sumy, the launch point the hidden cells "
                                          "chose; choose Kyiv as the launch point first.")]


def _typical_near_sumy() -> list:
    from . import geo

    places = geo.load_places()
    sumy = geo.find_place(places, "Sumy")
    within = geo.places_within(places, sumy.latitude, sumy.longitude, 150)
    others = int(within.loc[within["distance_km"] > 0, "name"].nunique())
    return [(others, "Sumy itself counts: the list gives it at 0 km, and the exercise says \"Sumy itself "
                     "included\".")]


YEAR_2024 = {"start": "2024-01-01", "end": "2024-12-31"}


def _typical_russian_warnings() -> list:
    ev, events = _events()
    russian_2024 = ev.filter_events(events, **YEAR_2024, countries=["Russia"])
    other_types = sorted(set(russian_2024["event_type"]) - {"warning"})
    return [
        (len(ev.filter_events(events, countries=["Russia"], types=["warning"])),
         "That counts Russia's warnings in every year of the table; set Months shown from Jan 2024 to Dec 2024."),
        (len(russian_2024), "That counts every Russian event of 2024, of other types too (" + ", ".join(other_types)
         + "); choose only the event type warning."),
        (len(ev.filter_events(events, **YEAR_2024, types=["warning"])),
         "That counts the warnings of every country in 2024; choose only the country Russia."),
    ]


def _typical_days() -> list:
    ev, events = _events()
    days = int(ev.days_between(events, "E31", "E38"))
    return [
        (days + 1, "You counted both the first and the last day. Count as a calendar does: from the 1st to the "
                   "2nd of a month is 1 day."),
        (days - 1, "You counted only the days strictly between the two dates; from one date to the next is 1 day, "
                   "so the last day counts."),
        (int(ev.days_between(events, "E10", "E31")),
         "That is the count from Ukraine's request (E10) to the reported authorisation (E31), printed in section 5; "
         "the exercise starts at E31."),
        (int(ev.days_between(events, "E10", "E38")),
         "That is the count from Ukraine's request (E10) to the confirmed authorisation (E38), printed in "
         "section 5; the exercise starts at the New York Times report, E31."),
    ]


def _ledger():
    ev, events = _events()
    return ev.red_line_ledger(events, ev.load_ledger(events=events))


def _typical_crossed() -> list:
    ledger = _ledger()
    crossed = ledger["crossed"]
    names_crossing = ledger["crossing_id"].fillna("").astype(str).str.strip() != ""
    return [
        (int((crossed == "yes").sum()), "That counts only the rows read as \"yes\"; rows read as \"partly\" count "
                                        "too."),
        (int((crossed == "partly").sum()), "That counts only the rows read as \"partly\"; rows read as \"yes\" "
                                           "count too."),
        (int(crossed.isin(["yes", "partly", "unclear"]).sum()),
         "That counts the rows read as \"unclear\" as well; only \"yes\" and \"partly\" count."),
        (int(names_crossing.sum()),
         "That counts every row that names a crossing event (column crossing_id). The column crossed is the "
         "ledger's reading: a row can name the first event that arguably crossed the line and still read it as "
         "\"unclear\"."),
        (len(ledger), "That is every row of the ledger; count only the rows whose crossed column says yes or "
                      "partly."),
    ]


KNOWN_TAIL = 8  # notebook 03 shows the last eight events published by 17 July 2024 (`known.tail(8)`)
HIDDEN_TYPES = ["authorization", "warning"]  # the event types notebook 03's hidden cells choose in the explorer


def _typical_knowable() -> list:
    import pandas as pd

    ev, events = _events()
    known = ev.as_of(events, "2024-07-17")
    return [
        (len(events), "That is every event of the table: set the explorer's As of box to 2024-07-17 (and press "
                      "Enter) first."),
        (min(KNOWN_TAIL, len(known)), "That is the number of rows of the table above the exercise, which shows "
                                      "only the last eight events published by that day; count them all."),
        (int((events["start"] <= pd.Timestamp("2024-07-17")).sum()),
         "That counts the events by the date they happened; what was knowable depends on when each was "
         "published (column published)."),
        (len(ev.as_of(events, "2024-07-16")), "That leaves out the events published on 17 July itself; \"by that "
                                              "day\" includes the day."),
        (len(ev.filter_events(known, start="2024-01-01")),
         "The explorer still shows only the months chosen for exercise 3.2 (from Jan 2024): set Months shown "
         "back to the whole table."),
        (len(ev.filter_events(known, start="2024-01-01", countries=["Russia"], types=["warning"])),
         "The explorer still has the filters of exercise 3.2 (Russia, warning, 2024): clear them, then set As of."),
        (len(ev.filter_events(known, types=HIDDEN_TYPES)),
         "The explorer still shows only the event types the hidden cells chose (authorization and warning): "
         "choose every event type."),
    ]


def _typical_forceful() -> list:
    table = _counts()["verbs_by_article"]
    first = table.loc["atacms_request_2023"]
    return [
        (int(table.loc["pentagon_policy_2024", "forceful"]),
         "That is the second article's count, pentagon_policy_2024; the exercise asks about the first, "
         "atacms_request_2023."),
        (int(table["forceful"].sum()), "That adds both articles; the exercise asks about the first, "
                                       "atacms_request_2023."),
        (int(first.sum()), "That counts every reporting verb of the first article; the exercise asks only for the "
                           "forceful category."),
        (int(first["neutral"]), "That is the neutral column; the exercise asks for the forceful category."),
    ]


def _typical_kyiv_share() -> list:
    naming = _counts()["naming_summary"]
    second = naming[naming["article"] == "pentagon_policy_2024"]
    row = second[second["place"] == "Kyiv"].iloc[0]
    ukrainian, russian = float(row["ukrainian"]), float(row["russian"])
    pairs = [
        (ukrainian / (ukrainian + russian) * 100, "That is a percentage; the exercise asks for a share, a fraction "
                                                  "of one: divide by a hundred."),
        (russian / (ukrainian + russian), "That is the share of the Russian-based \"Kiev\"; the exercise asks for "
                                          "the Ukrainian-based \"Kyiv\"."),
        (ukrainian / russian if russian else math.nan,
         "You divided by the russian count alone; a share divides by all spellings (ukrainian + russian)."),
        (russian / ukrainian if ukrainian else math.nan,
         "That is the inverse ratio, russian ÷ ukrainian; a share divides the ukrainian count by all spellings "
         "(ukrainian + russian)."),
    ]
    first = naming[(naming["article"] == "atacms_request_2023") & (naming["place"] == "Kyiv")]
    if not first.empty:
        pairs.append((float(first["share_ukrainian"].iloc[0]),
                      "That is the first article's share, atacms_request_2023; the exercise asks about the "
                      "second, pentagon_policy_2024."))
    for other in second[second["place"] != "Kyiv"].itertuples():
        pairs.append((float(other.share_ukrainian), f"That is the row of {other.place}; the exercise asks about the "
                                                    "capital, the row Kyiv."))
    return pairs


def _typical_agreement(coder=None, **_context) -> list:
    result = _my_comparison(coder)
    return [(round(float(value), 3), f"That is {name}, not the percent agreement: it corrects for the agreement "
                                     "expected by chance. Type the widget's \"percent agreement\".")
            for value, name in ((result.kappa, "Cohen's kappa"), (result.alpha, "Krippendorff's alpha"))
            if not math.isnan(value)]


NOT_KULEBA = (  # a typed name matches as `marking.mark_text` reads it: "Antony Blinken" is "Blinken"
    ("Blinken", "Antony Blinken is the American counterpart the Ukrainian foreign minister spoke to. The quotation "
                "thanks \"the US\" for its assistance: who, in the paragraph before, made the request?"),
    ("Peskov", "Dmitry Peskov, the Kremlin spokesman, is named only later in the article (\"Peskov said\"); the "
               "first quotation comes before he appears."),
    ("Ryder", "Patrick Ryder, the Pentagon spokesperson, is named only later in the article, at the press "
              "briefing; the first quotation comes before he appears."),
)

NOT_HORIZONTAL = {
    "vertical": "Vertical escalation, in Morgan et al.'s terms, raises the intensity of a conflict (more "
                "destructive weapons, new kinds of targets). On 31 May 2024 the weapons were not new; the area "
                "where they could be used was.",
}

NOT_THE_MONTH = {
    "could": "In \"this could lead to a more extensive conflict\", \"could\" presents the wider conflict as a "
             "possibility, not a certainty: it withholds full commitment, which is what a hedge does.",
    "possible": "In \"A possible use of the US Army Tactical Missile System\" (still not permitted), "
                "\"possible\" marks the use as one that might happen, not one that did: it qualifies the claim.",
    "about": "In \"a range of about 300 kilometers\", \"about\" makes the figure approximate: a hedge on a number.",
    "would": "In \"Kiev would like to use these missiles\", \"would like\" is a softened \"wants\": you can argue "
             "how much it hedges, but it qualifies the statement. Look for a word that names something instead.",
    "must": "\"must\" is not one of the hedges: the list files it as a booster (column category). In \"must not be "
            "used\" it states an obligation rather than the writer's certainty, but the exercise asks for the "
            "hedge that is not one.",
}

CHANGED_SIDE_NOTES = {
    "United States (President-elect Trump)":
        "The map gives the incoming administration its own side: its stance is not a change of the Biden "
        "administration's, which you judge on that side's own stages.",
}


def _stance_changes() -> dict[str, list[tuple[str, str]]]:
    """Side -> its (stage, stance) pairs where the stance differs from the stage before."""
    from . import argument_map

    history = argument_map.stance_history(argument_map.load_argument_map())
    changes = {}
    for side, stages in history.items():
        steps = [stages[0]] + [now for before, now in zip(stages, stages[1:]) if now[1] != before[1]]
        if len({stance for _, stance in stages}) > 1:
            changes[side] = steps
    return changes


def _stance_misconceptions() -> dict[str, str]:
    from . import argument_map

    history = argument_map.stance_history(argument_map.load_argument_map())
    messages = {}
    for side, stages in history.items():
        stances = list(dict.fromkeys(stance for _, stance in stages))
        if len(stances) > 1:
            continue
        if len(stages) == 1:
            text = (f"{side} has one stage in the map ({stages[0][0]}, \"{stances[0]}\"): one stance cannot "
                    "differ from itself.")
        else:
            text = (f"{side} appears at {len(stages)} stages ({', '.join(stage for stage, _ in stages)}), each "
                    f"\"{stances[0]}\": more than one stage is not more than one stance.")
        messages[side] = " ".join(filter(None, (text, CHANGED_SIDE_NOTES.get(side, ""))))
    return messages


def _stance_omissions() -> dict[str, str]:
    from . import argument_map

    history = argument_map.stance_history(argument_map.load_argument_map())
    messages = {}
    for side in _stance_changes():
        stances = list(dict.fromkeys(stance for _, stance in history[side]))
        messages[side] = (f"A side you left out has {len(history[side])} stages whose stances differ ("
                          + ", then ".join(f"\"{s}\"" for s in stances)
                          + "): compare the stance of every stage, not only the first.")
    return messages


def _stance_why() -> str:
    changes = "; ".join(f"{side}: " + ", then ".join(f"\"{stance}\" in {stage}" for stage, stance in steps)
                        for side, steps in _stance_changes().items())
    return f"Each of these sides has stages with different stances. {changes}."


SEEN_IN_THE_TEXT = {
    "lr01": "lr01 (no outlet, no author, no date printed) is visible in the file itself: noticing what a text "
            "leaves out needs no other source. Finding out who published it would.",
    "lr02": "lr02 (\"Kiev\" throughout, never \"Kyiv\") can be counted in the text alone. What the spelling means "
            "needs other sources; the observation itself does not.",
    "lr03": "lr03 (the \"Check Also\" teaser and the \"Leave a Reply\" form) is on the saved page itself: other "
            "sources can tell you what kind of site uses that layout, but you see the layout without them.",
    "lr07": "lr07 (\"flooding Ukraine with Western weapons\" attributed to \"Russian officials\" in general) shows "
            "in the sentence itself: that the claim is unattributed is the finding.",
    "lr08": "lr08 (\"tens of billions of dollars\" without a source) is visible in the text: the observation is "
            "that no source is given. Checking the figure would need the Kiel tracker (notebook 02); seeing the "
            "gap does not.",
    "lr11": "lr11 compares two things inside the article: its words for the call (\"demanded\", \"urgent call\") "
            "and Kuleba's own quoted words (\"stressed the need\"). Both are in the same text.",
    "lr12": "lr12 (no US official quoted directly) can be seen by reading the article's quotations: who is "
            "missing from a text shows in the text.",
}

NEEDED_ANOTHER_SOURCE = {
    "lr04": "One observation you left out says a quote matches another outlet's report of the same words "
            "(Ukrainska Pravda's): only that report can show that the words match.",
    "lr05": "One observation you left out compares a quote with the Reuters wire report character by character: "
            "the article alone cannot show that its wording differs from the wire's.",
    "lr06": "One observation you left out sets the article's verb for Ryder (\"ruled out\") against his words as "
            "Reuters quoted them: his own words are not in the article.",
    "lr09": "One observation you left out is a range and a ratio the article states: whether they hold needs the "
            "weapons table of notebook 02.",
    "lr10": "One observation you left out finds a sentence of the article close to a background line in a Reuters "
            "report: a likeness to another text cannot be seen without that text.",
}


# ---------------------------------------------------------------- the exercises

_EXERCISE_LIST = [
    Practice(
        "0.1", NOTEBOOKS["00"], "How many articles does the module's corpus hold?", "number",
        expected=lambda: len(_articles()), typical=_typical_articles, title="Exercise 0.1",
        hint="Count the lines printed in section 1: one line per article.",
        solution_note="The cell of section 1 prints one line per article."),
    Practice(
        "1.1", NOTEBOOKS["01"], "How many of the second article's quotations does the table attribute to the "
        "Pentagon or a Pentagon spokesman?", "number", expected=_pentagon_quotes, typical=_typical_pentagon_quotes, title="Exercise 1.1",
        hint="Look at the rows of pentagon_policy_2024 in the table and count those whose speaker mentions "
             "the Pentagon.",
        solution_note="Rows of the quotations table with article pentagon_policy_2024 and 'Pentagon' in the "
                      "speaker column."),
    Practice(
        "1.2", NOTEBOOKS["01"], "In the first article, the first quotation is introduced by \"he said\". Who is "
        "\"he\"? Type his surname.", "text", accepted=("Kuleba", "Dmytro Kuleba", "Dmytro Kuleba's"),
        expected="Kuleba", typical=NOT_KULEBA, title="Exercise 1.2",
        hint="Go back to the first two paragraphs: who made the request to the United States?",
        success="\"he\" points back to the Ukrainian foreign minister of the paragraph before, whom the first "
                "sentence names: Dmytro Kuleba. The quotation is his post on X.",
        solution_note="Ukraine's Foreign Minister Dmytro Kuleba, named in the first sentence."),
    Practice(
        "1.3", NOTEBOOKS["01"], "Choose one statement of fact in either article that carries no source. In "
        "40–100 words: quote it exactly, say why it matters to the article's argument, and say where you would "
        "check it and what would count as confirmation.", "written", min_words=40,
        title="Exercise 1.3 (written)",
        model_answer=(
            "The first article states that Washington \"has also provided it with tens of billions of dollars "
            "in military assistance\", without a source. The figure matters because it supports the article's "
            "picture of the United States \"leading a coalition of Western states arming Ukraine\". I would "
            "check it in the US government's own published totals of security assistance and in a data set "
            "such as the Kiel Institute's Ukraine Support Tracker, which record announced packages with dates. "
            "Confirmation would be a cumulative US military figure of that size for the period before the "
            "article was written, from a source that says what it counts (promised or delivered)."),
        rubric=("I quoted the statement exactly, in quotation marks, and said which article it is from.",
                "I said why the statement matters to the article's argument.",
                "I named a kind of source where it could be checked (an official statement, a data set, a "
                "second news report) and why that source would know.",
                "I said what result would count as confirmation.",
                "I wrote 40–100 words in my own words.")),
    Practice(
        "1.4", NOTEBOOKS["01"], "How many times per 1,000 words does \"Kiev\" occur in the first article? Round "
        "to one decimal place.", "number", expected=_kiev_rate, typical=_typical_kiev_rate, abs_tol=0.051,
        title="Exercise 1.4",
        hint="Find the row with article atacms_request_2023 and term Kiev in the rates table, then round "
             "per_1000_words to 1 decimal.",
        solution_note="rates table, article atacms_request_2023, term Kiev, column per_1000_words, rounded."),
    Practice(
        "2.1", NOTEBOOKS["02"], "In the Kiel release of December 2024, what share of the allocations of the "
        "United States and Europe together came from the United States? A percentage, rounded to one decimal.",
        "number", expected=_us_share, typical=_typical_us_share, abs_tol=0.051, title="Exercise 2.1",
        success="Both figures are allocations of total aid in the same release, so their sum and the share are "
                "like with like.",
        hint="Read the two allocations of the 2024-12 release in the table (in EUR bn), divide the US figure by "
             "the sum of both and multiply by 100; round to 1 decimal.",
        solution_note="US / (US + Europe) × 100 for the 2024-12 allocations."),
    Practice(
        "2.2", NOTEBOOKS["02"], "By what percentage did the United States' allocations change between the April "
        "2024 release and the December 2024 release? Round to one decimal (a rise is positive).", "number",
        expected=_us_change, typical=_typical_us_change, success=_us_change_why, abs_tol=0.051,
        title="Exercise 2.2",
        hint="Take the US allocation of 2024-12 minus that of 2024-04, divide by the 2024-04 figure and "
             "multiply by 100; round to 1 decimal.",
        solution_note="(December − April) / April × 100 for the US allocations."),
    Practice(
        "2.3", NOTEBOOKS["02"], "How far is Moscow from Kyiv along a great circle, in km?", "number",
        expected=lambda: _distance("Kyiv", "Moscow"), typical=_typical_moscow, rel_tol=0.01, title="Exercise 2.3",
        hint="In the range explorer, choose Kyiv as the launch point and set the custom range to 800 km or "
             "more: the list of places in reach gives each place's distance. Any answer within 1 per cent counts.",
        solution_note="geo.distance_km between Kyiv and Moscow (within 1 per cent)."),
    Practice(
        "2.4", NOTEBOOKS["02"], "GLSDB has a reported range of about 150 km. How many places of the table lie "
        "within 150 km of Sumy, Sumy itself included?", "number", expected=_places_near_sumy,
        typical=_typical_near_sumy,
        title="Exercise 2.4",
        hint="In the range explorer, choose Sumy as the launch point, untick the weapons and set the custom "
             "range to 150 km; count the places listed (Sumy itself included).",
        solution_note="geo.places_within(places, Sumy, 150 km), counted."),
    Practice(
        "2.5", NOTEBOOKS["02"], "Pick one launch point and one weapon and describe the range map in 60–120 words "
        "for someone who cannot see it.", "written", min_words=60, title="Exercise 2.5 (written)",
        model_answer=(
            "The map shows a circle around Sumy, in north-eastern Ukraine, for GLSDB, whose reported range is "
            "about 150 km (up to 150 km in the second source). Inside that circle lie Kharkiv and Poltava in "
            "Ukraine, and Belgorod and Kursk in Russia, using the internationally recognised border the map "
            "draws. Kyiv, Moscow and Crimea are far outside it. The circle is a straight-line distance from the "
            "city centre of Sumy to the centres of other cities; it does not show the front line, which areas "
            "are occupied, or whether any target may be struck: \"could reach\" is not \"may be used against\"."),
        rubric=("I named the launch point and the weapon, with its range figure or figures and their source.",
                "I said which places fall inside the lowest figure and which only inside the highest (if the "
                "sources differ).",
                "I separated places in Ukraine (including occupied areas) from places in Russia, using the "
                "borders the map shows.",
                "I stated one limit of the map (straight-line distance, city centres, no front line, 'could "
                "reach' is not 'may be used against').",
                "I wrote 60–120 words that someone who cannot see the map could follow.")),
    Practice(
        "3.1", NOTEBOOKS["03"], "Widening the area where weapons may be used: vertical or horizontal "
        "escalation?", "choice", choices=("vertical", "horizontal"), accepted=("horizontal",),
        expected="horizontal", misconceptions=NOT_HORIZONTAL, title="Exercise 3.1",
        hint="Ask whether the step made the weapons more destructive (intensity) or changed where they may be "
             "used (scope).",
        success="Horizontal escalation widens the scope of a conflict: here, the area where weapons may be used.",
        solution_note="Horizontal: it widens scope (Morgan et al., RAND MG-614)."),
    Practice(
        "3.2", NOTEBOOKS["03"], "How many warnings by Russia does the table record in the calendar year 2024?",
        "number", expected=_russian_warnings_2024, typical=_typical_russian_warnings, title="Exercise 3.2",
        hint="In the timeline explorer choose the country Russia and the event type warning, and set Months shown "
             "from Jan 2024 to Dec 2024; the line above the timeline says how many events are shown.",
        solution_note="Events of 2024 with country Russia and type warning."),
    Practice(
        "3.3", NOTEBOOKS["03"], "How many days passed between the New York Times report of the US authorisation "
        "(E31) and the White House's public confirmation of it (E38)?", "number",
        expected=_days_to_confirmation, typical=_typical_days, title="Exercise 3.3",
        hint="Read the dates of E31 and E38 in the timeline explorer's event list (or the table above) and count "
             "the days from the first to the second.",
        solution_note="17 to 25 November 2024 (ev.days_between(events, 'E31', 'E38'))."),
    Practice(
        "3.4", NOTEBOOKS["03"], "In how many rows does the ledger read the line as crossed, fully or partly "
        "(crossed is \"yes\" or \"partly\")?", "number", expected=_ledger_crossed, typical=_typical_crossed,
        title="Exercise 3.4",
        hint="Count the rows of the ledger table whose 'crossed' column says yes or partly.",
        solution_note="Rows of the ledger with crossed in {yes, partly}."),
    Practice(
        "3.5", NOTEBOOKS["03"], "Does the ledger show that Russia's warnings were bluffs? Argue your view in a "
        "paragraph of at least 60 words.", "written", min_words=60, title="Exercise 3.5 (written)",
        model_answer=(
            "Only partly. In May 2024 Moscow warned that British facilities could be targeted if British weapons "
            "struck Russian territory (E19); Storm Shadow was reported fired into Kursk region 198 days later, "
            "and the next Russian steps in the table were the Oreshnik strike on Dnipro and a new warning, not "
            "strikes on British facilities. Putin's September 2024 warning that permitting deep strikes would "
            "mean NATO was at war with Russia (E29) was followed 66 days later by the reported permission; Russia "
            "revised its nuclear doctrine, but attacked no NATO territory in the events recorded. So the "
            "threatened responses did not follow, which supports Giles's reading that the threats outran what "
            "Russia did; yet the permissions came late and in steps, which fits Giles's point that the threats "
            "constrained Western support, and DePetris's warning against concluding that any step is safe. The ledger cannot show what Western restraint prevented, or warnings that worked and so "
            "left no crossing to record."),
        rubric=("I used at least two rows of the ledger, with their day counts.",
                "I distinguished the line a warning drew from the response it threatened.",
                "I engaged with Freedman, Giles or DePetris: where I agree and where I do not.",
                "I named one thing the ledger cannot show.",
                "I attributed every claim (who warned, when, according to which source).")),
    Practice(
        "3.6", NOTEBOOKS["03"], "What was knowable on 17 July 2024? How many events of the table had been "
        "published by that day?", "number", expected=_knowable_events, typical=_typical_knowable,
        title="Exercise 3.6",
        hint="Set the timeline explorer's 'As of' date to 17 July 2024 and read how many events are shown "
             "(the line above the timeline says it).",
        solution_note="events.as_of(events, '2024-07-17'), counted."),
    Practice(
        "3.7", NOTEBOOKS["03"], "Put yourself on 17 July 2024, the second article's date. What could its author "
        "have known, and what could they not have known? Write at least 50 words.", "written", min_words=50,
        title="Exercise 3.7 (written)",
        model_answer=(
            "By 17 July 2024 the author could know of Russia's May warnings (E19 on British weapons, E20 from "
            "Putin), of Blinken's 31 May confirmation that US weapons could be used across the border near "
            "Kharkiv (E21), of UK officials telling The Telegraph on 11 July that Storm Shadow was still not "
            "cleared for strikes inside Russia (E24) and of Ryder's 16 July interview (E25). The author could not know of Putin's "
            "September warning (E29), of the reported permission of 17 November 2024 (E31) and its confirmation "
            "on 25 November (E38), or of Russia's responses that month. So \"still does not want\" was accurate "
            "for its date; judging the article by what happened later would be unfair to it."),
        rubric=("I named at least two events the author could have known, with their dates.",
                "I named at least one later event the author could not have known.",
                "I kept what happened later apart from what the article could have said at its date.",
                "I said whether the article's main claim was accurate for its date.")),
    Practice(
        "4.1", NOTEBOOKS["04"], "How many reporting verbs in the reporter's own words does the first article "
        "put in the forceful category?", "number", expected=_forceful_first, typical=_typical_forceful,
        title="Exercise 4.1",
        hint="Look up the row atacms_request_2023 and the column forceful of the table of verbs by article.",
        solution_note="counts['verbs_by_article'], row atacms_request_2023, column forceful."),
    Practice(
        "4.2", NOTEBOOKS["04"], "What share of the spellings of the capital in the second article are the "
        "Ukrainian-based \"Kyiv\"? A number between 0 and 1, rounded to 2 decimals.", "number",
        expected=_kyiv_share, typical=_typical_kyiv_share, abs_tol=0.006, title="Exercise 4.2",
        hint="In the naming table, take the row of pentagon_policy_2024 and Kyiv: divide the Ukrainian-based "
             "count by all spellings of the capital in that article (or read share_ukrainian).",
        solution_note="naming_summary, pentagon_policy_2024, Kyiv, share_ukrainian."),
    Practice(
        "4.3", NOTEBOOKS["04"], "One of the \"hedges\" the list finds in the second article is not a hedge at "
        "all in its sentence. Which word is it?", "choice", choices=_hedge_terms, accepted=("May",),
        expected="May", misconceptions=NOT_THE_MONTH, title="Exercise 4.3",
        hint="Read each sentence: which word names something (a time) rather than qualifying a claim?",
        success="'early May' is a month: a count cannot tell the senses apart, a reader can.",
        solution_note="'May' (the month, in 'early May')."),
    Practice(
        "4.4", NOTEBOOKS["04"], "Code sentences 9–14 in the coding widget, press Compare with reference, and give "
        "your percent agreement with the reference (as the widget shows it, or as a share between 0 and 1).", "number",
        expected=_my_agreement, typical=_typical_agreement, abs_tol=0.01, title="Exercise 4.4",
        hint="After coding sentences 9–14, press 'Compare with reference' in the coding widget and type the "
             "'percent agreement' it shows, as it is shown (for example 66.7).",
        solution_note="Depends on the student's codes: agreement.compare(student, reference).percent."),
    Practice(
        "4.5", NOTEBOOKS["04"], "Pick one sentence where your code (or Sam's) differs from the reference. In "
        "60–120 words: quote it, give both codes, and argue which fits Entman's definitions better, or propose "
        "a change to the scheme.", "written", min_words=60, title="Exercise 4.5 (written)",
        model_answer=(
            "Sentence 10 reads: \"Russian officials have repeatedly announced that flooding Ukraine with Western "
            "weapons will only serve to prolong the war and add to the suffering of Ukrainian people.\" Sam coded "
            "it moral evaluation; the reference codes it causal interpretation. Both readings fit: \"will only "
            "serve to prolong the war\" names a cause and its effect, while \"the suffering of Ukrainian people\" "
            "judges that effect. Because the scheme allows one code per sentence, coders must guess which "
            "function comes first. I would let coders mark a second code, or add a rule: code the claim the "
            "sentence asserts (here, the effect of supplies). Until then, any count of moral evaluations in these "
            "articles depends on who coded them."),
        rubric=("I quoted the sentence exactly.",
                "I gave both codes (mine or Sam's, and the reference's).",
                "I used the scheme's definitions to argue which code fits better, or proposed a change.",
                "I said what the disagreement means for a count built on these codes.")),
    Practice(
        "5.1", NOTEBOOKS["05"], "Add two rows of your own to the evidence board: one claim you checked in "
        "notebook 02, 03 or 04, and one made by a side you disagree with, recorded as fairly.", "board",
        title="Exercise 5.1",
        hint="Fill in the widget's fields (claim, who, evidence, source, confidence) and press Add row, twice. "
             "Every row needs a source: outlet or notebook, title, date.",
        success="Now type a file name and press Save to keep your board.",
        solution_note="Any board with at least two more rows than the two example rows, each with a source."),
    Practice(
        "5.2", NOTEBOOKS["05"], "Which sides appear in the argument map with more than one different stance?",
        "set", choices=_argument_sides, expected=_changed_sides, misconceptions=_stance_misconceptions,
        omissions=_stance_omissions, success=_stance_why, title="Exercise 5.2",
        hint="Look at each side's list of stages: a side counts when at least two of its stances differ.",
        solution_note="Sides of argument_map.stance_history whose stances are not all the same."),
    Practice(
        "5.3", NOTEBOOKS["05"], "Choose one side. In 100–150 words: what does a source say changed its view, or "
        "what evidence might change it, and how would you find out whether it did?", "written", min_words=60,
        title="Discussion 5.3 (written)",
        model_answer=(
            "The Biden administration's stance moved from \"against permitting\" in May 2022 to \"limited "
            "permission\" in 2024. According to the second article, the first change came "
            "shortly after Russia attacked Kharkiv from the Belgorod region in May 2024; Blinken's confirmation "
            "(31 May 2024) covered only Russian forces massing across the border near Kharkiv. The wider "
            "permission, reported by the New York Times on 17 November 2024 (at first around Kursk) and "
            "confirmed by the White House on 25 November, comes in the module's sources without the "
            "administration's own full reasons, so I would not assume them. To find out what changed the view, I would compare the "
            "administration's statements before and after each step (the timeline of notebook 03) and check "
            "whether officials themselves named a reason, keeping their explanation apart from their "
            "opponents' reading of it."),
        rubric=("I kept what a source says apart from my own inference.",
                "I named one piece of evidence that could be checked (an event in notebook 03, a figure in "
                "notebook 02).",
                "I considered how the side itself would describe that evidence, not only its opponents.",
                "I wrote in the attributed style of the map: \"According to …\", \"Ryder said …\".")),
    Practice(
        "5.4", NOTEBOOKS["05"], "Which observations could not be made from the article's text alone, but needed "
        "another source? Tick their ids.", "set", choices=_lateral_ids, expected=_needs_other_sources,
        misconceptions=SEEN_IN_THE_TEXT, omissions=NEEDED_ANOTHER_SOURCE, title="Exercise 5.4",
        success="Each of these compares the article with something outside it: another outlet's report, a wire "
                "story, a data table.",
        hint="An observation needs another source when it compares the article with something outside it: a "
             "wire report, a transcript, a data table.",
        solution_note="Rows of lateral_reading.csv with basis 'other sources'."),
    Practice(
        "5.5", NOTEBOOKS["05"], "If you could go online for ten minutes, what would you check first about the "
        "first article, and how? Name the SIFT move for each step.", "written", min_words=50,
        title="Discussion 5.5 (written)",
        model_answer=(
            "First, Investigate the source: I would search for a distinctive sentence, such as \"despite "
            "Moscow's repeated warnings about the consequences of Western arms supplies to Kiev\", in quotation "
            "marks, to see which sites carry the text and which carried it first, and read what others say about "
            "those sites, not only their own About pages. Second, Trace claims: I would look for the Pentagon "
            "briefing of late June 2023 in which Ryder is said to have ruled out imminent decisions, and compare "
            "the article's summary with the transcript. Third, Find better coverage: I would check how wire "
            "services reported Kuleba's call with Blinken. A text that matches a known outlet's copy and sound "
            "transcripts would raise my trust; an untraceable origin would lower it."),
        rubric=("I started by investigating the source (a search for a distinctive sentence; what others say "
                "about the site).",
                "I traced at least one claim to its origin.",
                "I named the SIFT move of each step.",
                "I said what result would raise or lower my trust, without assuming the answer.")),
]

EXERCISES: dict[str, Practice] = {}
for _exercise in _EXERCISE_LIST:
    EXERCISES[_exercise.id] = Practice(**{**_exercise.__dict__,
                                          "anchor": "#" + _exercise.title.replace(" ", "-")})
del _exercise


def get(exercise_id: str) -> Practice:
    """The exercise with this id, or a plain error naming the ids that exist."""
    try:
        return EXERCISES[str(exercise_id)]
    except KeyError:
        raise KeyError(f"There is no practice exercise {exercise_id!r}; the ids are "
                       + ", ".join(EXERCISES)) from None


def of_notebook(notebook: str) -> list[Practice]:
    """The practice exercises of one notebook ("01" or "01_reading_the_articles"), in order."""
    name = NOTEBOOKS.get(notebook, notebook)
    return [p for p in EXERCISES.values() if p.notebook == name]


def links(notebook: str) -> dict[str, str]:
    """Label -> '#anchor' of each exercise of a notebook, for `checks.progress_summary(links=...)`."""
    return {p.label: p.anchor for p in of_notebook(notebook)}


# ---------------------------------------------------------------- checking


def _normalise_choice(value, practice: Practice):
    """Accept an answer that is right in substance: 'horizontal escalation' for 'horizontal'."""
    if not isinstance(value, str):
        return value
    words = " ".join(value.replace("_", " ").split()).casefold()
    for option in [*practice.choice_list(), *practice.accepted]:
        option_words = option.casefold()
        if words == option_words or words in (f"{option_words} escalation", f"\"{option_words}\""):
            return option
    return value


class Result:
    """The outcome of a check: `.value` is True (right or recorded), False (wrong) or None (not answered).

    It displays nothing, so a check cell shows only the feedback line, never a bare True or False.
    """

    def __init__(self, value):
        self.value = value

    def __bool__(self) -> bool:
        return bool(self.value)

    def __eq__(self, other) -> bool:
        return self.value == (other.value if isinstance(other, Result) else other)

    __hash__ = None

    def __repr__(self) -> str:
        return f"Result({self.value!r})"

    def _ipython_display_(self) -> None:
        """Show nothing: the check has printed its feedback already."""


def _outcome(run: Callable[[], object]) -> Result:
    """Run a check (which prints its feedback); never raise."""
    try:
        return Result(run())
    except Exception as problem:  # noqa: BLE001 - a student must never see a traceback from a check
        print(f"✘ The check could not read this answer: {problem}")
        return Result(False)


def check(exercise_id: str, value, **context):
    """Check a practice answer: print "correct", a hint, or "not answered yet"; never raise.

    Returns a `Result` whose `.value` is True (correct or recorded), False (wrong) or None (not answered),
    as `escalation.checks` returns them; it displays nothing in a notebook.
    """
    try:
        practice = get(exercise_id)
    except KeyError as problem:
        print(f"✘ {problem.args[0]}")
        return Result(False)
    label, kind = practice.label, practice.kind
    if kind == "written":
        return _outcome(lambda: checks.check_written(label, value, min_words=practice.min_words))
    if kind == "board" and hasattr(value, "__len__") and len(value) <= BOARD_START_ROWS:
        say = getattr(checks, "_say", None)  # the example rows only: nothing added yet
        if say is not None:
            return Result(say(label, "unanswered", f"… {label}: not answered yet. Add two rows with the "
                                                   "evidence board above, then run this cell again."))
        value = ...
    if checks.is_unanswered(value) or isinstance(value, checks.AnswerError):
        return _outcome(lambda: checks.check_with(label, value, bool, hint=practice.hint))
    try:
        expected = practice.expected_value(**context)
    except (ValueError, KeyError) as problem:
        return Result(checks.fail(label, problem.args[0] if problem.args else str(problem)))
    if kind == "number":
        if exercise_id == "4.4" and checks._is_number(value) and value > 1:
            value = value / 100  # the coding widget shows agreement in per cent
        return _outcome(lambda: _check_number(practice, value, expected, context))
    if kind == "choice":
        value = _normalise_choice(value, practice)
        return _outcome(lambda: _check_choice(practice, value))
    if kind == "text":
        return _outcome(lambda: checks.check_judged(
            label, value, lambda v: _marked(lambda: marking.mark_text(v, practice.accepted,
                                                                      typical=dict(practice.typical_values())),
                                            practice.hint),
            form=lambda v: checks.text_form(v, hint=practice.hint), success=practice.success_text()))
    if kind == "set":
        return _outcome(lambda: _check_set(practice, value, expected))
    return _outcome(lambda: checks.check_with(label, value, _board_ok, hint=practice.hint,
                                              success=practice.success_text()))


def _marked(run: Callable[[], None], hint: str) -> str | None:
    """Run a `marking` helper: None when the answer is right, else the feedback to print.

    A known mistake (`marking.Mistake`) gets its own message; any other wrong answer gets the hint.
    """
    try:
        run()
    except marking.Mistake as mistake:
        return str(mistake)
    except AssertionError:
        return hint
    return None


def _check_number(practice: Practice, value, expected, context: dict):
    """A numeric answer: right within the tolerance, or the message of the typical wrong value it matches."""
    tol = practice.tolerance(expected)
    typical = practice.typical_values(expected, **context)
    return checks.check_judged(
        practice.label, value,
        lambda v: _marked(lambda: marking.mark_number(v, expected, tol=tol, typical=typical), practice.hint),
        form=lambda v: checks.number_form(v, label=practice.label, hint=practice.hint),
        success=practice.success_text(**context))


def _check_choice(practice: Practice, value):
    """A choice: right, or the misconception the chosen option encodes."""
    choices = practice.choice_list()
    misconceptions = practice.misconception_map()
    return checks.check_judged(
        practice.label, value,
        lambda v: _marked(lambda: marking.mark_choice(checks.resolve_choice(v, choices)[0], list(practice.accepted),
                                                      misconceptions=misconceptions), practice.hint),
        form=lambda v: checks.resolve_choice(v, choices)[1], success=practice.success_text())


def _check_set(practice: Practice, value, expected):
    """Ticked options: how many are missing or extra, then one line for each option ticked wrongly (the
    misconception it encodes) and each right option left out (without naming it)."""
    messages = {**practice.misconception_map(), **practice.omission_map()}

    def judge(v) -> str | None:
        if _marked(lambda: marking.mark_names(list(v), list(expected)), "wrong") is None:
            return None
        lines = [line for option, message in messages.items()
                 if (line := _marked(lambda: marking.mark_names(list(v), list(expected),
                                                                misconceptions={option: message}), ""))]
        summary = checks.set_difference(v, expected)
        return "\n".join([summary, *(f"  • {line}" for line in lines)]) if lines else f"{summary} {practice.hint}"

    return checks.check_judged(practice.label, value, judge, form=lambda v: checks.set_form(v, hint=practice.hint),
                               success=practice.success_text())


def feedback(exercise_id: str, value, **context) -> tuple[object, str]:
    """(outcome True/False/None, printed feedback) of `check`, for widgets that show the feedback themselves."""
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        outcome = check(exercise_id, value, **context)
    return outcome.value, buffer.getvalue().strip()


def answer(exercise_id: str):
    """An answer widget for a text, choice or set exercise: a box, buttons or tick boxes, and a Check button."""
    from .widgets.answer import answer_widget

    return answer_widget(get(exercise_id), feedback)


def written(exercise_id: str, folder=None):
    """A text area for a written practice answer, saved to my_answers/<notebook>.json as the student writes.

    The model answer and the rubric (a checklist to tick) appear once the answer has the minimum number
    of words.
    """
    from .widgets.written import written_answer

    return written_answer(get(exercise_id), folder=folder)


def answer_key(exercise_id: str) -> str:
    """The answer to an exercise as text, for the teacher's pack (computed from the data now)."""
    practice = get(exercise_id)
    if practice.kind == "written":
        return practice.model_answer
    if practice.kind in ("board",) or practice.id == "4.4":
        return practice.solution_note
    value = practice.expected_value()
    if isinstance(value, float) and not math.isnan(value):
        value = round(value, 2)
    return f"{value} ({practice.solution_note})" if practice.solution_note else str(value)
