"""The marking helpers against hand-written reference cases: every accepted form of a right answer passes,
wrong answers raise, known mistakes raise their authored message, and no message shows the answer."""
import json
import math

import numpy as np
import pandas as pd
import pytest

from escalation import marking
from escalation.marking import (Mistake, as_names, as_number, as_text, leaks, mark_choice, mark_match, mark_names,
                                mark_number, mark_order, mark_text)

NUMBERS = [  # (what a student or their code gives, the number meant): written by hand
    (12.5, 12.5), (7, 7.0), (-3, -3.0), ("12.5", 12.5), ("12,5", 12.5), (" 42 ", 42.0), ("-3", -3.0),
    ("+4", 4.0), ("\u22123", -3.0), ("1 234", 1234.0), ("1\u00a0234,5", 1234.5), ("1,234.5", 1234.5),
    ("1,234,567", 1234567.0), (".5", 0.5), ("0,42", 0.42),
    (np.int64(8), 8.0), (np.int32(-2), -2.0), (np.uint8(200), 200.0), (np.float64(2.5), 2.5),
    (np.float32(0.5), 0.5), (np.array(3.0), 3.0), (pd.Series([11, 12]).iloc[1], 12.0),
    (pd.DataFrame({"n": [1.25]})["n"].sum(), 1.25), (pd.Series([4, 5]).sum(), 9.0),
]
NOT_NUMBERS = [True, False, np.bool_(True), math.nan, math.inf, -math.inf, np.float64("nan"), np.float64("inf"),
               "nan", "inf", "300km", "42%", "", "   ", "1/2", "1.2.3", "twelve", "$12", None, ..., [12], (1, 5),
               {"q": 1}, np.array([1.0, 2.0])]


@pytest.mark.parametrize(("given", "meant"), NUMBERS, ids=[repr(g) for g, _ in NUMBERS])
def test_as_number_reads_every_form_of_a_number(given, meant):
    value = as_number(given)
    assert type(value) is float and value == pytest.approx(meant, abs=1e-12)


@pytest.mark.parametrize("given", NOT_NUMBERS, ids=[repr(g) for g in NOT_NUMBERS])
def test_as_number_refuses_what_is_not_a_number(given):
    with pytest.raises(AssertionError) as raised:
        as_number(given)
    assert not isinstance(raised.value, Mistake)  # a form problem is no authored feedback


def test_what_was_typed_is_named_in_the_message():
    for typed, words in (("300km", "unit or word after the number (km)"), ("42%", "per cent sign"),
                         ("", "empty"), ("1/2", "fraction"), ("twelve", "not a number"),
                         ("1.2.3", "more than one decimal point")):
        with pytest.raises(ValueError, match=None) as raised:
            marking.parse_number(typed)
        assert words in str(raised.value), (typed, str(raised.value))
    assert type(marking.parse_number("12")) is int and type(marking.parse_number("12,0")) is float


def test_as_text_and_as_names():
    assert as_text('  "Peskov" ') == "Peskov"
    assert as_text("\u201cthe  Kremlin\u201d ") == "the Kremlin"
    assert as_text("'  a   b '") == "a b"
    assert as_text(np.str_(" x ")) == "x"
    for bad in (3, None, ..., ["a"]):
        with pytest.raises(AssertionError):
            as_text(bad)
    assert as_names("a, b; c\nd") == ["a", "b", "c", "d"]
    assert as_names(("x", " y ")) == ["x", "y"]
    assert as_names(["b", "B", "a"]) == ["b", "a"]  # repeats (case free) dropped, order kept
    assert as_names({"b", "a"}) == ["a", "b"]
    assert as_names(np.array(["x", "y"])) == ["x", "y"]
    assert as_names(pd.Series(["x", "y"])) == ["x", "y"]
    assert as_names(json.loads(json.dumps(["x", "y"]))) == ["x", "y"]
    for bad in (3, None, [1, 2], {"a": 1}):
        with pytest.raises(AssertionError):
            as_names(bad)


SHARE = "You gave the share (a fraction of 1); the question asks for a percent: multiply by 100."


@pytest.mark.parametrize("right", [42.1, 42.14, "42,1", " 42.1 ", np.float64(42.1), np.float32(42.1), "42.06"])
def test_mark_number_accepts_the_right_number_in_any_form(right):
    mark_number(right, 42.1, tol=0.05, typical=[(0.421, SHARE)])


def test_mark_number_names_the_typical_mistake_and_nothing_else():
    with pytest.raises(Mistake) as raised:
        mark_number(np.float64(0.421), 42.1, tol=0.05, typical=[(0.421, SHARE)])
    assert str(raised.value) == SHARE
    with pytest.raises(AssertionError) as raised:
        mark_number(50, 42.1, tol=0.05, typical=[(0.421, SHARE)])
    assert not isinstance(raised.value, Mistake)
    for bad in (True, "42.1%", math.nan):
        with pytest.raises(AssertionError):
            mark_number(bad, 42.1, tol=0.05)
    # a right answer is right even when a typical value lies close to it
    mark_number(1.0, 1.0, tol=0.01, typical=[(1.005, "never shown")])


def test_a_message_that_gives_the_answer_away_is_not_shown():
    with pytest.raises(AssertionError) as raised:
        mark_number(0.421, 42.1, tol=0.05, typical=[(0.421, "Multiply by 100: the answer is 42.1.")])
    assert not isinstance(raised.value, Mistake) and "42.1" not in str(raised.value)
    with pytest.raises(AssertionError) as raised:
        mark_choice("Kyiv", "The Kremlin", misconceptions={"Kyiv": "It was the Kremlin that said it."})
    assert not isinstance(raised.value, Mistake) and "Kremlin" not in str(raised.value)
    assert leaks("about 40 per cent", 42.1) is False
    assert leaks("about 0.42 of it", 42.1) is False  # the share is not the percent
    for rounded in ("42.13", "42.1", "42", "-42.1"):  # the answer rounded is the answer
        assert leaks(f"about {rounded} per cent", 42.13) is True, rounded
    assert leaks("1,234 rounds", 1234) is True and leaks("about 1 234", 1234) is True
    assert leaks("Read the 2024 release.", 12) is False
    assert leaks("It is a hedge, not a booster.", {"may": "hedge"}) is True
    assert leaks("No single measure covers both.", "No") is False  # too short to check: see the docstring


def test_mistake_is_an_assertion_error_and_the_rule_is_documented():
    assert issubclass(Mistake, AssertionError)
    assert "never contains the expected answer" in marking.__doc__


CHOICES = ["Yes: both are in euros", "No: one is committed aid, the other allocated aid", "Only after inflation"]
MISCONCEPTIONS = {CHOICES[0]: "Same currency is not enough: check what each figure counts.",
                  CHOICES[2]: "Prices are not the issue here: check what each figure counts."}


def test_mark_choice(capsys):
    for right in (CHOICES[1], f"  {CHOICES[1].upper()} ", np.str_(CHOICES[1]), CHOICES[1] + "."):
        mark_choice(right, CHOICES[1], misconceptions=MISCONCEPTIONS, explain="Committed is promised; allocated "
                    "is earmarked for delivery.")
    assert capsys.readouterr().out.count("Right: Committed is promised") == 4
    with pytest.raises(Mistake, match="Same currency is not enough"):
        mark_choice(CHOICES[0], CHOICES[1], misconceptions=MISCONCEPTIONS)
    with pytest.raises(AssertionError) as raised:
        mark_choice("something else", CHOICES[1], misconceptions=MISCONCEPTIONS)
    assert not isinstance(raised.value, Mistake)
    mark_choice("B option", ["A option", "B option"])  # several accepted options
    mark_choice(CHOICES[1], CHOICES[1])
    assert capsys.readouterr().out == ""  # no explanation given: nothing printed


def test_mark_names():
    expected = ["Peskov", "Zakharova"]
    for right in (["zakharova", "Peskov"], ("Peskov", " Zakharova "), "Zakharova; peskov", {"Peskov", "Zakharova"},
                  np.array(["Peskov", "Zakharova"]), json.loads(json.dumps(["Peskov", "Zakharova"]))):
        mark_names(right, expected)
    miscon = {"Kuleba": "Kuleba speaks for Ukraine, not for Russia.",
              "Zakharova": "Zakharova speaks for Russia too."}
    with pytest.raises(Mistake, match="Kuleba speaks for Ukraine"):
        mark_names(["Peskov", "Zakharova", "Kuleba"], expected, misconceptions=miscon)
    with pytest.raises(AssertionError) as raised:  # the Zakharova message would name an expected name
        mark_names(["Peskov"], expected, misconceptions=miscon)
    assert not isinstance(raised.value, Mistake)
    with pytest.raises(AssertionError):
        mark_names(["Peskov", "Lavrov"], expected)


def test_mark_order():
    expected = ["threat", "warning", "deployment"]
    mark_order(["Threat", " warning", "DEPLOYMENT"], expected)
    mark_order(("threat", "warning", "deployment"), expected)
    mark_order("threat; warning; deployment", expected)
    with pytest.raises(Mistake, match="Kahn's ladder rises"):
        mark_order(["warning", "threat", "deployment"], expected, hint="Kahn's ladder rises from words to acts.")
    with pytest.raises(AssertionError) as raised:  # not the same items: no order hint
        mark_order(["warning", "threat"], expected, hint="Kahn's ladder rises from words to acts.")
    assert not isinstance(raised.value, Mistake)


def test_mark_match():
    expected = {"It may escalate": "hedge", "It will certainly escalate": "booster"}
    mark_match({"it may escalate": "Hedge", "It will certainly escalate ": "booster"}, expected)
    mark_match([("It may escalate", "hedge"), ("It will certainly escalate", "booster")], expected)
    mark_match(json.loads(json.dumps(expected)), expected)
    miscon = {("It may escalate", "booster"): "'May' leaves room for doubt."}
    with pytest.raises(Mistake, match="leaves room for doubt"):
        mark_match({"It may escalate": "booster", "It will certainly escalate": "booster"}, expected,
                   misconceptions=miscon)
    with pytest.raises(AssertionError) as raised:  # one left open
        mark_match({"It may escalate": "hedge"}, expected, misconceptions=miscon)
    assert not isinstance(raised.value, Mistake)
    with pytest.raises(AssertionError):
        mark_match(["hedge", "booster"], expected)


def test_mark_text():
    mark_text(' "Peskov" ', ["Peskov", "Dmitry Peskov"])
    mark_text("dmitry   peskov", ["Peskov", "Dmitry Peskov"])
    mark_text("it was Peskov", "Peskov")
    with pytest.raises(AssertionError):
        mark_text("not Peskov", "Peskov")
    with pytest.raises(Mistake, match="Lavrov is the foreign minister"):
        mark_text("Lavrov", "Peskov", typical={"Lavrov": "Lavrov is the foreign minister; who spoke for the "
                                                         "president?"})
    with pytest.raises(AssertionError):
        mark_text(12, "Peskov")
