"""Practice checks give feedback aimed at the mistake (issue 20, item 3).

Each typical wrong number of a numeric exercise, each distractor of a choice or tick-box exercise and each
typical wrong name gets its own line; a right answer gets none of them, and a right answer to a "why"
exercise says why. The wrong values are stated here by hand, read from the lesson notebooks and the data
tables (data/aid.csv, events.csv, red_line_ledger.csv, lateral_reading.csv, the tables the notebooks show),
not recomputed with the package's code.
"""
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

from escalation import checks, marking, practice
from escalation.corpus import load_articles

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"

# exercise -> {typical wrong value: a phrase its line must contain}, by hand from the notebooks and the data.
TYPICAL = {
    # 00 section 2 prints "17 lines found" for "missiles"
    "0.1": {17: "keyword search"},
    # notebook 01's quotations table: 7 rows, 4 of the first article, 2 spokesman rows in the second
    "1.1": {7: "both articles", 4: "first article", 2: "only the rows whose speaker is a spokesman"},
    # rates table: Kiev 5 times (13.16 per 1,000) in the first article, 7.19 in the second, Kyiv 0.00
    "1.4": {5: "column count", 7.2: "second article", 0: "\"Kyiv\"", 13.1: "instead of rounding"},
    # allocations 2024-12: US 88, Europe 125; commitments 2024-12: US 119, Europe 241;
    # 2024-04-25: US 67, Europe 89.9; 2025-04-15: US 115, Europe 138 (EUR bn)
    "2.1": {0.41: "fraction of 1", 58.7: "Europe's share", 70.4: "Europe's alone", 33.1: "commitments",
            42.7: "2024-04-25", 45.5: "2025-04-15"},
    # US 67 -> 88; Europe 89.9 -> 125; US 2025-04-15: 115
    "2.2": {0.31: "fraction of 1", 21: "EUR bn", 131.3: "December figure as a percentage",
            23.9: "divided by the December figure", -31.3: "sign is the wrong way round",
            -23.9: "from December back to April", 39.0: "Europe's change", 71.6: "2025-04-15"},
    # Sumy to Moscow, about 569 km (the hidden cells set the explorer to Sumy)
    "2.4": {4: "Sumy itself counts"},
    "2.3": {569: "from Sumy"},
    # Russian warnings: E03 E06 E09 E19 E20 E29 E36 E40 E45; Russian events of 2024: E19 E20 E29 E30 E32 E35 E36
    "3.2": {9: "every year", 7: "other types too"},
    # E31 17 November 2024, E38 25 November 2024; notebook 03 prints 468 and 476 days from E10
    "3.3": {9: "both the first and the last day", 7: "strictly between", 468: "reported authorisation (E31)",
            476: "confirmed authorisation (E38)"},
    # ledger: yes E09 E19; partly E03 E20 E29; unclear E06 (crossing E08) and E36; no E40 E45
    "3.4": {2: "only the rows read as \"yes\"", 3: "only the rows read as \"partly\"", 7: "\"unclear\" as well",
            6: "crossing_id", 9: "every row of the ledger"},
    # 60 events; the table shows the last 8; from Jan 2024 to 17 July 2024: E14-E25 and E57 (13);
    # Russian warnings of 2024 by then: E19 E20; authorisations and warnings by then: E03 E06 E09 E19 E20 E21
    "3.6": {60: "every event of the table", 8: "last eight", 13: "months chosen for exercise 3.2",
            2: "filters of exercise 3.2", 6: "event types the hidden cells chose"},
    # verbs by article: first 5 neutral, 4 forceful, 1 evaluative; second 3 neutral, 2 forceful
    "4.1": {2: "second article", 6: "both articles", 10: "every reporting verb", 5: "neutral column"},
    # naming: second article Kyiv 1 ukrainian, 3 russian; Kharkiv 1, 0; first article Kyiv 0, 5
    "4.2": {25: "percentage", 0.75: "Russian-based", 0.33: "russian count alone", 3: "inverse ratio",
            0: "first article", 1: "row of Kharkiv"},
}

# choice exercise -> {distractor: a phrase of the misconception it encodes}
DISTRACTORS = {
    "3.1": {"vertical": "intensity"},
    "4.3": {"could": "possibility", "possible": "might happen", "about": "approximate", "would": "softened",
            "must": "booster"},
}

# lateral_reading.csv, column basis, read by hand
TEXT_ALONE = ["lr01", "lr02", "lr03", "lr07", "lr08", "lr11", "lr12"]
OTHER_SOURCES = ["lr04", "lr05", "lr06", "lr09", "lr10"]
# notebook 05's stance history: the sides with more than one stance
CHANGED = ["United States (Biden administration)", "Germany"]


@pytest.fixture(autouse=True)
def fresh_registry():
    checks.reset()
    yield
    checks.reset()


def printed(capsys, exercise_id, value, **context):
    result = practice.check(exercise_id, value, **context)
    return result.value, capsys.readouterr().out


def test_every_typical_wrong_value_is_stated_here():
    for exercise in practice.EXERCISES.values():
        if exercise.kind == "number" and exercise.id != "4.4":
            listed = exercise.typical_values()
            assert len(listed) == len(TYPICAL[exercise.id]), exercise.id
            tol = exercise.tolerance(exercise.expected_value())
            for value, _ in listed:
                assert any(abs(value - hand) <= max(tol, 0.006) for hand in TYPICAL[exercise.id]), \
                    (exercise.id, value)


@pytest.mark.parametrize("exercise_id", sorted(TYPICAL))
def test_each_typical_wrong_number_gets_its_own_line(exercise_id, capsys):
    exercise = practice.get(exercise_id)
    lines = []
    for value, phrase in TYPICAL[exercise_id].items():
        outcome, out = printed(capsys, exercise_id, value)
        assert outcome is False and "not quite" in out and phrase in out, (value, out)
        assert exercise.hint not in out, value  # aimed at the mistake, not the general recipe
        lines.append(out)
    assert len(set(lines)) == len(lines), "two typical values share a line"
    outcome, right = printed(capsys, exercise_id, exercise.expected_value())
    assert outcome is True and "correct" in right
    assert not any(line.split("not quite. ", 1)[1].strip() in right for line in lines)
    outcome, other = printed(capsys, exercise_id, -98765)  # a wrong value that is not typical: the hint
    assert outcome is False and exercise.hint in other


def test_a_typical_value_computed_with_numpy_gets_the_same_line(capsys):
    _, plain = printed(capsys, "2.1", 33.1)
    _, numpy = printed(capsys, "2.1", np.float64(33.1))
    assert plain == numpy and "commitments" in plain
    _, days = printed(capsys, "3.3", np.int64(9))
    assert "both the first and the last day" in days


def test_the_agreement_exercise_tells_kappa_and_alpha_from_percent_agreement(capsys):
    from escalation.widgets.coding import coding_widget

    sam = coding_widget("atacms_request_2023", coder="Sam (invented)", demo=True)
    for number, code in {9: "treatment_recommendation", 10: "moral_evaluation", 11: "causal_interpretation",
                         12: "problem_definition", 13: "problem_definition", 14: "causal_interpretation"}.items():
        sam.set_code(code, index=number - 1)
    # notebook 04's table "Sam and the reference": percent agreement 66.7, kappa 0.556, alpha 0.577
    assert "Cohen's kappa" in printed(capsys, "4.4", 0.556, coder=sam)[1]
    assert "Krippendorff's alpha" in printed(capsys, "4.4", 0.577, coder=sam)[1]
    outcome, out = printed(capsys, "4.4", 66.7, coder=sam)
    assert outcome is True and "kappa" not in out


@pytest.mark.parametrize("exercise_id", sorted(DISTRACTORS))
def test_each_distractor_names_its_misconception(exercise_id, capsys):
    exercise = practice.get(exercise_id)
    distractors = [c for c in exercise.choice_list() if c not in exercise.accepted]
    assert sorted(distractors) == sorted(DISTRACTORS[exercise_id])  # every option is covered
    lines = []
    for option, phrase in DISTRACTORS[exercise_id].items():
        outcome, out = printed(capsys, exercise_id, option)
        assert outcome is False and phrase in out and exercise.hint not in out, option
        lines.append(out)
    assert len(set(lines)) == len(lines)
    outcome, right = printed(capsys, exercise_id, exercise.expected_value())
    assert outcome is True and len(right.split("correct.", 1)[1].split()) >= 5  # says why


def test_the_hedge_messages_quote_the_second_article_and_its_word_list():
    from escalation import rhetoric

    second = load_articles()[1]
    body = " ".join(second.body.split())
    for option, message in practice.get("4.3").misconception_map().items():
        quoted = re.findall(r"In \"([^\"]+)\"", message)
        assert quoted, option
        assert all(q in body for q in quoted), (option, quoted)
    matches = rhetoric.hedge_matches(second, rhetoric.load_lexicons())
    assert set(matches.loc[matches["term"] == "must", "category"]) == {"booster"}  # "the list files it as a booster"


def test_each_typical_wrong_name_gets_its_own_line(capsys):
    for typed, phrase in (("Blinken", "American counterpart"), ("Antony Blinken", "American counterpart"),
                          ("Peskov", "Kremlin spokesman"), ("Ryder", "Pentagon spokesperson")):
        outcome, out = printed(capsys, "1.2", typed)
        assert outcome is False and phrase in out, typed
    outcome, out = printed(capsys, "1.2", "Dmytro Kuleba")
    assert outcome is True and "paragraph before" in out
    assert printed(capsys, "1.2", "Zelensky")[0] is False


def test_each_wrong_tick_and_each_omission_gets_its_own_line(capsys):
    exercise = practice.get("5.4")
    assert sorted(exercise.expected_value()) == OTHER_SOURCES
    for wrong in TEXT_ALONE:
        outcome, out = printed(capsys, "5.4", OTHER_SOURCES + [wrong])
        assert outcome is False and "1 that should not be there" in out
        bullets = [line for line in out.splitlines() if line.strip().startswith("•")]
        assert len(bullets) == 1 and bullets[0].strip().startswith(f"• {wrong} "), out
    for left_out in OTHER_SOURCES:
        outcome, out = printed(capsys, "5.4", [i for i in OTHER_SOURCES if i != left_out])
        bullets = [line for line in out.splitlines() if line.strip().startswith("•")]
        assert outcome is False and len(bullets) == 1 and "you left out" in bullets[0]
        assert left_out not in out  # the line aims at the mistake without giving the answer
    outcome, out = printed(capsys, "5.4", ["lr01", "lr04", "lr07"])
    assert out.count("•") == 2 + 4  # two wrong ticks, four omissions
    outcome, out = printed(capsys, "5.4", list(reversed(OTHER_SOURCES)))
    assert outcome is True and "outside it" in out


def test_the_argument_map_exercise_names_why_a_side_did_not_change(capsys):
    assert sorted(practice.get("5.2").expected_value()) == sorted(CHANGED)
    _, out = printed(capsys, "5.2", CHANGED + ["Russia"])
    assert "Russia appears at 2 stages" in out and "against permitting" in out
    _, out = printed(capsys, "5.2", CHANGED + ["United States (President-elect Trump)"])
    assert "its own side" in out
    _, out = printed(capsys, "5.2", ["United States (Biden administration)"])
    assert "A side you left out has 2 stages" in out and "Germany" not in out
    outcome, out = printed(capsys, "5.2", CHANGED)
    assert outcome is True and "Scholz" in out and "against permitting" in out
    misconceptions = practice.get("5.2").misconception_map()
    assert set(misconceptions) == set(practice.get("5.2").choice_list()) - set(CHANGED)


def test_a_right_answer_to_a_why_exercise_says_why(capsys):
    for exercise_id, value, reason in (("2.1", 41.3, "allocations of total aid in the same release"),
                                       ("2.2", 31.3, "comparable"), ("3.1", "horizontal", "widens the scope"),
                                       ("1.2", "Kuleba", "foreign minister")):
        outcome, out = printed(capsys, exercise_id, value)
        assert outcome is True and reason in out, exercise_id


def test_no_message_gives_the_answer_away():
    for exercise in practice.EXERCISES.values():
        if exercise.kind in ("written", "board") or exercise.id == "4.4":
            continue
        expected = exercise.expected_value()
        messages = [m for _, m in exercise.typical_values()] + list(exercise.misconception_map().values()) \
            + list(exercise.omission_map().values())
        for message in messages:
            assert not marking.leaks(message, expected), (exercise.id, message)


def test_the_notebook_details_the_messages_name_are_in_the_notebooks():
    nb = nbformat.read(NOTEBOOKS_DIR / "03_red_lines_and_escalation.ipynb", as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert f".tail({practice.KNOWN_TAIL})" in code
    assert 'explorer.controls["types"].value = ' + repr(tuple(practice.HIDDEN_TYPES)).replace("'", '"') in code
    nb = nbformat.read(NOTEBOOKS_DIR / "02_arms_supply_in_numbers.ipynb", as_version=4)
    assert 'explorer.controls["launch"].value = "Sumy"' in "\n".join(c.source for c in nb.cells)
    nb = nbformat.read(NOTEBOOKS_DIR / "00_start_here.ipynb", as_version=4)
    assert 'search.controls["query"].value = "missiles"' in "\n".join(c.source for c in nb.cells)


def test_the_answer_widget_shows_each_line(capsys):
    choice = practice.answer("4.3")
    choice.control.value = "about"
    choice.check_button.click()
    assert choice.outcome is False and "approximate" in choice.feedback.value
    ticks = practice.answer("5.4")
    for box in ticks.boxes:
        box.value = box.description in ("lr01", "lr02", "lr04")
    ticks.check_button.click()
    shown = ticks.feedback.value
    assert ticks.outcome is False and shown.count("<li>") == 2 + 4 and "•" not in shown  # a list, one item each
    assert shown.index("Your list has 4 missing and 2 that should not be there.") < shown.index("<ul")
    assert "<li>lr01 (" in shown and "<li>lr02 (" in shown and 'role="status"' in shown
    next(box for box in ticks.boxes if box.description == "lr03").value = True
    ticks.check_button.click()  # lr03's line holds quotation marks: shown escaped, as text
    assert "<li>lr03 (the &quot;Check Also&quot; teaser" in ticks.feedback.value
