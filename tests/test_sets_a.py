"""ex01 and ex04: every distractor of every variant gets its own feedback, and no feedback names the answer.

Each wrong option (each wrong pair of a matching item, each verb ticked wrongly) is marked by the source's own
hidden test, which must raise `marking.Mistake` with an authored message that `marking.leaks` finds free of
the expected answer; the right answer passes. Runs the test cells in plain Python (no kernel): about 2 s.
"""
import contextlib
import io

import pytest

from escalation import marking
from escalation.grading.source import cell_text, load_exercise, nbgrader_meta
from escalation.grading.student import expected_answers, setup_namespace, variant_key
from escalation.variants import ids_covering

CASES = {"ex01_reading": ["q3", "q7", "q9", "q10", "q11"], "ex04_rhetoric": ["q8", "q9", "q10"]}


def _test_code(exercise, q):
    return "\n".join(cell_text(c) for c in exercise.notebook["cells"]
                     if nbgrader_meta(c).get("grade_id") in set(q.test_ids))


def _run(code, ns, sid, name, value):
    with contextlib.redirect_stdout(io.StringIO()) as out:
        exec(code, dict(ns, student_id=sid, **{name: value}))
    return out.getvalue()


def _wrong_answers(ns, q, right):
    """Every single-slip wrong answer: another option, another right-hand item for one left item, one box more or less."""
    answer_line = next(l for l in _answer_code(q) if l.startswith("answer("))
    if '"match"' in answer_line:
        right_options = ns[answer_line.split("right=")[1].rstrip(")").strip()]
        for left in right:
            for option in right_options:
                if option != right[left]:
                    yield dict(right, **{left: option})
    elif '"names"' in answer_line:
        choices = ns[answer_line.split("choices=")[1].rstrip(")").strip()]
        for option in choices:
            yield [c for c in choices if (c in right) != (c == option)]
    else:
        for option in ns[answer_line.split("choices=")[1].rstrip(")").strip()]:
            if option != right:
                yield option


EXERCISES = {name: load_exercise(name) for name in CASES}


def _answer_code(q):
    exercise = EXERCISES[q._set]
    return [line for c in exercise.notebook["cells"] if nbgrader_meta(c).get("grade_id") in set(q.answer_ids)
            for line in cell_text(c).splitlines()]


@pytest.mark.parametrize("name,key", [(n, k) for n, keys in CASES.items() for k in keys])
def test_every_distractor_gets_its_own_feedback_that_never_names_the_answer(name, key):
    exercise = EXERCISES[name]
    ns = setup_namespace(exercise)
    q = exercise.question(key)
    q._set = name
    found = variant_key(exercise, q, ns)
    ids = list(ids_covering(*found).values()) if found else ["asmith"]
    code = _test_code(exercise, q)
    slips = 0
    for sid in ids:
        values, ok = expected_answers(exercise, q, sid, ns)
        assert ok
        right = values[key]
        printed = _run(code, ns, sid, key, right)
        if key in ("q7", "q9", "q10") or name == "ex04_rhetoric":  # items whose reason the task asks for
            assert "Right: " in printed, (name, key, sid)
        for wrong in _wrong_answers(ns, q, right):
            with pytest.raises(marking.Mistake) as raised:
                _run(code, ns, sid, key, wrong)
            message = str(raised.value)
            if isinstance(right, dict):  # the marking's rule for a matching: not the slipped item's right match
                right_here = {k: v for k, v in right.items() if wrong[k] != v}
            else:
                right_here = right
            assert len(message) > 40 and not marking.leaks(message, right_here), (name, key, sid, wrong, message)
            slips += 1
    assert slips >= 2 * len(ids)


def test_skill_items_carry_more_than_half_of_each_sets_automatic_points():
    skills = {"attribution", "comparability", "classification", "source evaluation", "figure reading"}
    for name, exercise in EXERCISES.items():
        auto = [q for q in exercise.questions if q.kind == "auto"]
        skill = [q for q in auto if q.meta["item"] in ("choice", "order", "match", "names") and q.meta["skill"] in skills]
        assert 2 * sum(q.points for q in skill) >= sum(q.points for q in auto), name
