"""Checks print one line of feedback, return True/False/None, never raise, and record progress."""
import pytest

from escalation import checks
from escalation.friendly import AnswerError


@pytest.fixture(autouse=True)
def fresh_registry():
    checks.reset()
    yield
    checks.reset()


def out(capsys) -> str:
    return capsys.readouterr().out


def test_not_answered_prints_and_returns_none(capsys):
    assert checks.check_number("Q1", ..., 4, hint="h") is None
    assert "… Q1: not answered yet. Replace the ... with your answer" in out(capsys)


def test_wrong_answer_prints_hint_and_returns_false(capsys):
    assert checks.check_number("Q1", 3, 4, hint="Count the paragraphs again.") is False
    assert out(capsys).strip() == "✘ Q1: not quite. Count the paragraphs again."


def test_number_tolerance_and_type(capsys):
    assert checks.check_number("Q1", 4.02, 4, hint="h", abs_tol=0.05) is True
    assert "✔ Q1: correct." in out(capsys)
    assert checks.check_number("Q1", "4", 4, hint="h") is False
    assert "the quotes around '4' make it text. Remove the quotes, as in q1 = 4" in out(capsys)
    assert checks.check_number("Q1", True, 1, hint="h") is False
    assert checks.check_number("Q2", (12, 5), 12.5, hint="h") is False
    assert "a comma separates values" in out(capsys)


def test_text_accepts_the_right_term_with_words_around_it(capsys):
    assert checks.check_text("Q2", "  the  Pentagon ", ["The Pentagon"], hint="h") is True
    assert checks.check_text("E3.1", "horizontal escalation", ["horizontal"], hint="h") is True
    assert checks.check_text("E3.1", "Horizontal.", ["horizontal"], hint="h") is True
    assert checks.check_text("E3.1", "not horizontal", ["horizontal"], hint="h") is False
    assert checks.check_text("E3.1", "horizontal or vertical", ["horizontal"], hint="h",
                             others=["vertical"]) is False
    assert checks.check_text("E3.1", "vertical", ["horizontal"], hint="h") is False
    assert checks.check_text("E3.1", 5, ["horizontal"], hint="h") is False
    assert "text in quotes" in out(capsys)


def test_choice_says_which_choices_are_allowed(capsys):
    assert checks.check_choice("Q4", "b", ["A", "B", "C"], "B", hint="h") is True
    assert checks.check_choice("Q4", "(B)", ["A", "B", "C"], "B", hint="h") is True
    assert checks.check_choice("Q4", "A", ["A", "B", "C"], "B", hint="look again") is False
    assert "look again" in out(capsys)
    assert checks.check_choice("Q4", "D", ["A", "B", "C"], "B", hint="h") is False
    assert 'Choose one of "A", "B", "C"' in out(capsys)
    assert checks.check_choice("Q5", "it is treatment", ["problem", "treatment"], "treatment", hint="h") is True


def test_set_answers(capsys):
    assert checks.check_set("Q3", ["Kyiv", "Kharkiv"], {"Kharkiv", "Kyiv"}, hint="h") is True
    assert checks.check_set("Q3", ["Kyiv", "Moscow"], {"Kharkiv", "Kyiv"}, hint="h") is False
    assert "1 missing and 1 that should not be there" in out(capsys)
    assert checks.check_set("Q3", "Kyiv", {"Kyiv"}, hint="h") is False
    assert "should be a list" in out(capsys)


def test_format_checks_form_only(capsys):
    assert checks.check_format("Q1", 12, kind="whole number", plausible=(0, 100)) is True
    assert "answer recorded" in out(capsys)
    assert checks.check_format("Q1", 12.5, kind="whole number") is False
    assert "whole number" in out(capsys)
    assert checks.check_format("Q1", "7", kind="whole number") is False
    assert "quotes around '7' make it text" in out(capsys)
    assert checks.check_format("Q1", 500, kind=int, plausible=(0, 100)) is False
    assert "outside the range" in out(capsys)
    assert checks.check_format("Q2", "C", kind="choice", choices=["A", "B"]) is False
    assert 'Choose one of "A", "B"' in out(capsys)
    assert checks.check_format("Q2", "b", kind="choice", choices=["A", "B"]) is True
    assert checks.check_format("Q3", [], kind="list") is False
    assert checks.check_format("Q3", ["E1"], kind="list") is True
    assert checks.check_format("Q4", ..., kind="text") is None
    with pytest.raises(ValueError):
        checks.check_format("Q5", 1, kind="colour")  # an author's mistake, not a student's


def test_format_output_does_not_depend_on_the_value(capsys):
    checks.check_format("Q1", 17, kind="whole number", plausible=(0, 1000))
    first = out(capsys)
    checks.check_format("Q1", 412, kind="whole number", plausible=(0, 1000))
    assert out(capsys) == first


def test_answer_error_is_reported_as_an_error_in_the_answer_cell(capsys):
    err = AnswerError("`he` is not a name Python knows: did you forget the quotes?")
    for check in (lambda v: checks.check_number("Q1", v, 1, hint="h"),
                  lambda v: checks.check_format("Q1", v, kind="text"),
                  lambda v: checks.check_text("Q1", v, ["he"], hint="h")):
        assert check(err) is False
        text = out(capsys)
        assert "your answer cell has an error: `he` is not a name" in text and "not answered" not in text


def test_hash_ignores_order_case_and_rounding(capsys):
    assert checks.answer_hash(["Kyiv", "kharkiv"]) == checks.answer_hash({"KHARKIV", "kyiv"})
    assert checks.answer_hash(3.8149, 2) == checks.answer_hash(3.81, 2)
    digest = checks.answer_hash(3.81, 2)
    assert checks.check_hash("Q4", 3.8124, digest, hint="h", decimals=2, kind=(int, float)) is True
    assert checks.check_hash("Q4", 3.9, digest, hint="h", decimals=2, kind=(int, float)) is False
    assert checks.check_hash("Q4", "3.81", digest, hint="h", decimals=2, kind=(int, float)) is False
    assert "make it text" in out(capsys)


def test_object_with_permissive_equality_cannot_pass_a_hash_check():
    class AlwaysEqual:
        def __eq__(self, other):
            return True

    assert checks.check_hash("Q5", AlwaysEqual(), checks.answer_hash(1), hint="h") is False


def test_written_answer_checks_length_and_mentions(capsys):
    assert checks.check_written("Q6", "too short", min_words=5) is False
    text = out(capsys)
    assert "Write at least 5 words, in your own words (you have 2)" in text and "quotes" not in text
    assert checks.check_written("Q6", "one two three four five six", min_words=5, must_mention=["source"]) is False
    assert checks.check_written("Q6", "the source is named here in full", min_words=5, must_mention=["source"]) is True
    assert "answer recorded (7 words)" in out(capsys)


def test_practice_wrapper_returns_the_outcome(capsys):
    assert checks.practice(checks.check_number, "E1", ..., 1, hint="h") is None
    assert checks.practice(checks.check_number, "E1", 1, 1, hint="h") is True

    def old_style(label, value):
        raise checks.CheckFailed(f"✘ {label}: not quite.")

    assert checks.practice(old_style, "E2", 1) is False
    assert "not answered yet" in out(capsys)


def test_check_with_predicate_errors_count_as_wrong():
    assert checks.check_with("Q7", 5, lambda v: v.startswith("x"), hint="h") is False


def test_progress_of_a_graded_set_does_not_claim_anything_correct():
    checks.check_format("Q1", 3, kind="number")
    checks.check_format("Q2", ..., kind="number")
    assert checks.progress_text() == "1 of 2 answered, 1 recorded for grading. Not answered yet: Q2."


def test_progress_summary_counts_and_lists_what_to_revisit(capsys):
    checks.check_number("Exercise 2.1", 1, 1, hint="h")
    checks.check_number("Exercise 2.2", 2, 1, hint="h")
    checks.check_number("Exercise 2.3", ..., 1, hint="h")
    checks.check_format("Exercise 2.4", 3, kind="number")
    out(capsys)
    text = checks.progress_text()
    assert text.startswith("3 of 4 answered, 1 correct, 1 recorded for grading, 1 to revisit: Exercise 2.2.")
    assert "Not answered yet: Exercise 2.3." in text
    linked = checks.progress_text({"Exercise 2.2": "#ex-2-2"}, markdown=True)
    assert "[Exercise 2.2](#ex-2-2)" in linked
    checks.check_number("Exercise 2.2", 1, 1, hint="h")  # re-running replaces the earlier outcome
    assert "2 correct" in checks.progress_text()
    out(capsys)
    checks.progress_summary()  # outside a Jupyter kernel: printed
    assert out(capsys).startswith("Your progress: 3 of 4 answered, 2 correct")
