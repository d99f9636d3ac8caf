import pytest

from escalation import checks


def test_not_answered_is_its_own_message():
    with pytest.raises(checks.NotAnswered, match="not answered yet"):
        checks.check_number("Q1", ..., 4, hint="h")


def test_failure_renders_without_traceback():
    with pytest.raises(checks.CheckFailed) as info:
        checks.check_number("Q1", 3, 4, hint="Count the paragraphs again.")
    assert info.value._render_traceback_() == ["✘ Q1: not quite. Count the paragraphs again."]


def test_number_tolerance_and_type(capsys):
    checks.check_number("Q1", 4.02, 4, hint="h", abs_tol=0.05)
    assert "✔ Q1: correct." in capsys.readouterr().out
    with pytest.raises(checks.CheckFailed, match="should be a number, but it is str"):
        checks.check_number("Q1", "4", 4, hint="h")
    with pytest.raises(checks.CheckFailed):
        checks.check_number("Q1", True, 1, hint="h")


def test_text_and_set_answers(capsys):
    checks.check_text("Q2", "  the  Pentagon ", ["The Pentagon"], hint="h")
    checks.check_set("Q3", ["Kyiv", "Kharkiv"], {"Kharkiv", "Kyiv"}, hint="h")
    with pytest.raises(checks.CheckFailed, match="1 missing and 1 that should not be there"):
        checks.check_set("Q3", ["Kyiv", "Moscow"], {"Kharkiv", "Kyiv"}, hint="h")
    with pytest.raises(checks.CheckFailed, match="should be a list"):
        checks.check_set("Q3", "Kyiv", {"Kyiv"}, hint="h")


def test_hash_ignores_order_case_and_rounding():
    assert checks.answer_hash(["Kyiv", "kharkiv"]) == checks.answer_hash({"KHARKIV", "kyiv"})
    assert checks.answer_hash(3.8149, 2) == checks.answer_hash(3.81, 2)
    assert checks.answer_hash(3) == checks.answer_hash(3.0)
    assert checks.answer_hash(3.82, 2) != checks.answer_hash(3.81, 2)


def test_check_hash(capsys):
    digest = checks.answer_hash(3.81, 2)
    checks.check_hash("Q4", 3.8124, digest, hint="h", decimals=2, kind=(int, float))
    assert "correct" in capsys.readouterr().out
    with pytest.raises(checks.CheckFailed, match="not quite"):
        checks.check_hash("Q4", 3.9, digest, hint="h", decimals=2, kind=(int, float))
    with pytest.raises(checks.CheckFailed, match="should be of type int or float, but it is str"):
        checks.check_hash("Q4", "3.81", digest, hint="h", decimals=2, kind=(int, float))
    with pytest.raises(checks.CheckFailed, match="should be of type"):
        checks.check_hash("Q4", True, checks.answer_hash(True), hint="h", kind=int)


def test_object_with_permissive_equality_cannot_pass_a_hash_check():
    class AlwaysEqual:
        def __eq__(self, other):
            return True

    with pytest.raises(checks.CheckFailed):
        checks.check_hash("Q5", AlwaysEqual(), checks.answer_hash(1), hint="h")


def test_written_answer_checks_length_and_mentions(capsys):
    with pytest.raises(checks.CheckFailed, match="at least 5 words"):
        checks.check_written("Q6", "too short", min_words=5)
    with pytest.raises(checks.CheckFailed, match="mentions 'source'"):
        checks.check_written("Q6", "one two three four five six", min_words=5, must_mention=["source"])
    checks.check_written("Q6", "the source is named here in full", min_words=5, must_mention=["source"])
    assert "answer recorded (7 words)" in capsys.readouterr().out


def test_practice_prints_and_reports(capsys):
    assert checks.practice(checks.check_number, "E1", ..., 1, hint="h") is None
    checks.practice(checks.check_number, "E1", 1, 1, hint="h")
    out = capsys.readouterr().out
    assert "not answered yet" in out and "✔ E1: correct." in out


def test_check_with_predicate_errors_count_as_wrong():
    with pytest.raises(checks.CheckFailed):
        checks.check_with("Q7", 5, lambda v: v.startswith("x"), hint="h")
