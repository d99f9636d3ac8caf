"""Per-student variants (contract C2): deterministic picks, and enough variants with different answers.

For every graded set, at least half of the computed questions have five or more variants whose expected
answers differ; every variant's expected answer comes from the source's own solution run on the module's
data, and passes the source's own tests.
"""
from collections import Counter

import pytest

from escalation import variants
from escalation.grading import student
from escalation.grading.source import all_sources, load_exercise

SOURCES = all_sources()


def test_normalise_id_and_pick_are_deterministic():
    assert variants.normalise_id("  Alice   SMITH ") == "alice smith"
    assert variants.pick("Alice Smith", "ex03.q2", 9) == variants.pick(" alice  smith", "ex03.q2", 9)
    assert all(0 <= variants.pick(f"s{i}", "k", 5) < 5 for i in range(200))
    assert len({variants.pick("asmith", f"ex0{i}.q1", 1000) for i in range(1, 6)}) > 1  # keys matter
    with pytest.raises(ValueError):
        variants.pick("asmith", "k", 0)


def test_picks_spread_over_every_variant():
    counts = Counter(variants.pick(f"student{i}", "ex03.q2", 9) for i in range(2700))
    assert set(counts) == set(range(9))
    assert min(counts.values()) > 200  # 300 expected for each; a skewed hash would fail


def test_ids_covering_and_choose():
    ids = variants.ids_covering("ex01.q1", 7)
    assert sorted(ids) == list(range(7))
    assert all(variants.pick(sid, "ex01.q1", 7) == v for v, sid in ids.items())
    assert variants.choose(ids[3], "ex01.q1", list("abcdefg")) == "d"


def test_your_question_asks_for_the_id_first(capsys):
    assert not variants.has_id("...") and not variants.has_id("  ") and not variants.has_id(...)
    assert variants.your_question("...", "k", [1, 2], lambda o: f"option {o}") is None
    assert "Enter your student id at the top first" in capsys.readouterr().out
    option = variants.your_question("asmith", "k", [1, 2], lambda o: f"option {o}")
    assert capsys.readouterr().out.strip() == f"option {option}"
    assert variants.your_question(12345, "k", [1, 2], str) is None
    assert 'Put your student id in quotes, as in student_id = "12345"' in capsys.readouterr().out
    from escalation.friendly import AnswerError

    assert variants.your_question(AnswerError("`asmith` is not a name Python knows."), "k", [1, 2], str) is None
    assert "Your student id cell has an error: `asmith` is not a name" in capsys.readouterr().out


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_half_the_computed_questions_have_five_variants_with_different_answers(source):
    exercise = load_exercise(source)
    assert exercise.id_cell.strip() == 'student_id = "..."' or "your_id()" in exercise.id_cell
    ns = student.setup_namespace(exercise)
    computed = [q for q in exercise.questions if q.kind == "auto"]
    varied = []
    for q in computed:
        found = student.variant_key(exercise, q, ns)
        if not found:
            continue
        key, n = found
        answers = []
        for sid in variants.ids_covering(key, n).values():
            values, ok = student.expected_answers(exercise, q, sid, ns)
            assert ok, (q.key, sid, values)  # the source's own tests accept its solution for this variant
            answers.append(repr(sorted(values.items())))
        if n >= 5 and len(set(answers)) >= 5:
            varied.append(q.key)
    assert 2 * len(varied) >= len(computed), (varied, [q.key for q in computed])


def test_variant_answers_follow_the_data(monkeypatch):
    """A corrected date in the data moves the expected day count: answers are computed, not stored."""
    import datetime as dt

    from escalation import events as ev

    exercise = load_exercise("ex03_red_lines")
    q2 = exercise.question("q2")
    ns = student.setup_namespace(exercise)
    sid = variants.ids_covering("ex03.q2", len(ns["Q2_PAIRS"]))[1]  # E09 → E26 (no alternative US decision date)
    before, _ = student.expected_answers(exercise, q2, sid, ns)
    _first, second = variants.choose(sid, "ex03.q2", ns["Q2_PAIRS"])
    events = ns["events"].copy()
    row = events["event_id"] == second
    events.loc[row, "date"] = (dt.date.fromisoformat(events.loc[row, "date"].iloc[0]) + dt.timedelta(days=10)).isoformat()
    for column in ("start", "end"):  # the parsed dates the package computes with
        events.loc[row, column] = events.loc[row, column] + dt.timedelta(days=10)
    after, ok = student.expected_answers(exercise, q2, sid, dict(ns, events=events))
    assert ok and after["q2"] == before["q2"] + 10
    assert ev  # the set reads events through the package
