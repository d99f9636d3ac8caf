"""Answers given in widgets travel in the saved notebook, and the grader reads them (issue 20, SPEC20 §4).

A small set (ex91_widgets) written the new way: a `your_id()` id cell, answer cells whose `answer("qN", …)` line
stays in the student version above the solution region, a written answer in a code cell, and one old-style
cell (`q4 = ...`). Submissions are built as a student's saved notebook is: the student version with, in each
answer cell's outputs, the display bundle the widget saved (escalation.answers.bundle). Each is graded by the
real grader (a worker; sealed when the system offers Landlock ABI 6).

Until `escalation.widgets.graded` and `escalation.marking` land, the set's own set-up cell defines a tiny
stand-in for `answer`, `your_id`, `written_answer` and `Mistake` (only in this test's source notebook).

The attacks at the end are written as a student would edit the saved .ipynb; each earns nothing. Switched off
by hand once each (the filters in runner.make_plan, the identity in score.grade_plan), they fail.
"""
from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest

from escalation import answers
from escalation.grading import sandbox
from escalation.grading.check import run_tests
from escalation.grading.protocol import Worker
from escalation.grading.report import feedback_html
from escalation.grading.result import Result, SubmissionProblem
from escalation.grading.runner import make_plan, parse_submission
from escalation.grading.score import grade_notebook, plain_answer
from escalation.grading.source import all_sources, cell_text, load_exercise, nbgrader_meta
from escalation.grading.student import dumps, expected_answers, setup_namespace, student_notebook, with_student_id

SEAL = sandbox.landlock_abi() >= 6 and os.environ.get("ESCALATION_FORCE_NO_LANDLOCK") != "1"

SETUP = '''\
import numpy as np
from escalation import answers as _answers
try:
    from escalation.marking import Mistake, as_number
except ImportError:  # stand-in until escalation.marking lands
    class Mistake(AssertionError):
        pass
    Mistake.__module__ = "escalation.marking"
    def as_number(v):
        if isinstance(v, str):
            v = v.strip().replace(",", ".")
            try:
                return float(v)
            except ValueError:
                raise AssertionError("not a number") from None
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise AssertionError("not a number")
        return float(v)
try:
    from escalation.widgets.graded import answer, written_answer, your_id
except ImportError:  # stand-in until escalation.widgets.graded lands: the saved value, as in grading
    def answer(name, kind, **options):
        globals()[name] = _answers.preloaded(name)
    def written_answer(name, min_words=0, max_words=0):
        globals()[name] = _answers.preloaded(name)
    def your_id():
        globals()["student_id"] = _answers.preloaded("student_id")
'''

CHOICES = ["a share (0.42)", "a percent (42.1)", "a ratio"]


def cell(cell_type, text, escalation=None, **nbgrader):
    meta = {"nbgrader": dict(schema_version=3, **nbgrader)} if nbgrader else {}
    if escalation:
        meta["escalation"] = escalation
    c = {"cell_type": cell_type, "metadata": meta, "source": text}
    if cell_type == "code":
        c.update(outputs=[], execution_count=None)
    return c


LOCKED = dict(grade=False, solution=False, locked=True)
ANSWER = dict(grade=False, solution=True, locked=False)
TEST = dict(grade=True, solution=False, locked=True)
Q2_META = {"objectives": ["02.1"], "skill": "comparability", "item": "choice"}
Q3_META = {"objectives": ["02.3"], "skill": "written argument", "item": "written"}

SOURCE = [
    cell("markdown", "# Widgets set\n\nAnswer in the boxes.", **LOCKED, grade_id="card"),
    cell("code", SETUP, **LOCKED, grade_id="setup"),
    cell("code", "your_id()", grade=False, solution=False, locked=False, grade_id="student_id"),
    cell("markdown", "## Q1 (2 points)\n\nHow many?", **LOCKED, grade_id="q1_question"),
    cell("code", 'answer("q1", "whole number", label="Q1")\n### BEGIN SOLUTION\nq1 = 8\n### END SOLUTION',
         **ANSWER, grade_id="q1_answer"),
    cell("code", "assert q1 is not None, 'Q1: not answered yet'\n### BEGIN HIDDEN TESTS\nassert as_number(q1) == 8\n"
         "### END HIDDEN TESTS", **TEST, points=2, grade_id="q1_test",
         escalation={"objectives": ["02.2"], "skill": "calculation", "item": "number"}),
    cell("markdown", "## Q2 (1 point)\n\nWhich form is it?", **LOCKED, grade_id="q2_question"),
    cell("code", f'answer("q2", "choice", label="Q2", choices={CHOICES!r})\n### BEGIN SOLUTION\n'
         f'q2 = {CHOICES[1]!r}\n### END SOLUTION', **ANSWER, grade_id="q2_answer"),
    cell("code", "assert q2 is not None, 'Q2: not answered yet'\n### BEGIN HIDDEN TESTS\n"
         f"if q2 == {CHOICES[0]!r}:\n    raise Mistake('the table gives a percent; 0.42 is the share as a fraction')\n"
         f"assert q2 == {CHOICES[1]!r}\nprint('Right: the column is headed %.')\n### END HIDDEN TESTS",
         **TEST, points=1, grade_id="q2_test", escalation=Q2_META),
    cell("markdown", "## Q3 (2 points)\n\nWhy? *Rubric:* 2 points for a sourced reason.", **LOCKED,
         grade_id="q3_question"),
    cell("code", 'written_answer("q3", min_words=5)\n### BEGIN SOLUTION\n# Because the two figures count\n'
         "# different things.\n### END SOLUTION", grade=True, solution=True, locked=False, points=2,
         grade_id="q3_written", escalation=Q3_META),
    cell("markdown", "## Q4 (1 point)\n\nWhich city? (old style)", **LOCKED, grade_id="q4_question"),
    cell("code", '### BEGIN SOLUTION\nq4 = "Kyiv"\n### END SOLUTION', **ANSWER, grade_id="q4_answer"),
    cell("code", "assert q4 is not ..., 'Q4: not answered yet'\n### BEGIN HIDDEN TESTS\nassert q4 == 'Kyiv'\n"
         "### END HIDDEN TESTS", **TEST, points=1, grade_id="q4_test"),
]
RIGHT = {"q1": 8, "q2": CHOICES[1]}


@pytest.fixture(scope="module")
def exercise(tmp_path_factory):
    folder = tmp_path_factory.mktemp("src") / "ex91_widgets"
    folder.mkdir()
    path = folder / "ex91_widgets.ipynb"
    path.write_text(json.dumps({"cells": SOURCE, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), "utf-8")
    return load_exercise(path)


@pytest.fixture(scope="module")
def worker():
    w = Worker()
    yield w
    w.close()


def blank(exercise) -> dict:
    return copy.deepcopy(student_notebook(exercise.path))


def find(nb: dict, grade_id: str) -> dict:
    return next(c for c in nb["cells"] if nbgrader_meta(c).get("grade_id") == grade_id)


def save(nb: dict, grade_id: str, name: str, value, label: str = "") -> dict:
    """What the widget leaves in the saved notebook: its display bundle in the cell's outputs."""
    find(nb, grade_id)["outputs"] = [{"output_type": "display_data", "metadata": {},
                                      "data": answers.bundle(name, value, label)}]
    return nb


def answered(exercise, values=RIGHT, written="The two figures count different things, so no.", sid="asmith"):
    """A student's notebook answered wholly through the widgets, then saved."""
    nb = with_student_id(blank(exercise), sid)
    for name, value in values.items():
        save(nb, f"{name}_answer", name, value)
    if written is not None:
        save(nb, "q3_written", "q3", written)
    return nb


def grade(exercise, worker, nb: dict, tmp_path, student="asmith", name="ex91_widgets.ipynb") -> Result:
    if not worker.alive:
        pytest.fail("the worker stopped")
    folder = tmp_path / student
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(dumps(nb) if isinstance(nb, dict) else nb, encoding="utf-8")
    return grade_notebook(exercise, path, student, worker, seal=SEAL)


# ----------------------------------------------------------------------------- the student version
def test_student_version_keeps_the_widget_lines_and_drops_the_solutions(exercise):
    nb = student_notebook(exercise.path)
    assert cell_text(find(nb, "student_id")) == "your_id()"
    assert cell_text(find(nb, "q1_answer")) == 'answer("q1", "whole number", label="Q1")'
    assert cell_text(find(nb, "q2_answer")).startswith('answer("q2", "choice"')
    assert cell_text(find(nb, "q3_written")) == 'written_answer("q3", min_words=5)'
    assert cell_text(find(nb, "q4_answer")) == "q4 = ..."  # an old-style cell still gets its placeholder
    text = json.dumps(nb)
    assert "different things" not in text and "q1 = 8" not in text and "BEGIN" not in text


def test_source_reads_written_code_cells_and_alignment_metadata(exercise):
    q1, q2, q3, q4 = exercise.questions
    assert (q3.kind, q3.points, q3.written_in_code) == ("written", 2.0, True)
    assert q3.model_answer == "Because the two figures count\ndifferent things."
    assert "Rubric" in q3.rubric
    assert q2.meta == Q2_META and q3.meta == Q3_META and q1.meta["skill"] == "calculation" and q4.meta == {}
    assert exercise.id_cell == "your_id()" and exercise.variables == ["student_id", "q1", "q2", "q4"]


# ----------------------------------------------------------------------------- grading saved answers
def test_the_source_earns_full_marks_and_the_blank_version_nothing(exercise, worker, tmp_path):
    full = grade(exercise, worker, with_student_id(exercise.notebook, "asmith"), tmp_path)
    assert full.status == "graded", full.reasons
    assert full.scores == {"q1": 2.0, "q2": 1.0, "q4": 1.0}
    assert (full.entered_id, full.id_check) == ("asmith", "ok")
    empty = grade(exercise, worker, blank(exercise), tmp_path, student="bjones")
    assert empty.scores == {"q1": 0.0, "q2": 0.0, "q4": 0.0}
    assert empty.written == {"q3": None} and empty.id_check == "missing"


def test_answers_saved_by_the_widgets_are_graded(exercise, worker, tmp_path):
    nb = answered(exercise)
    find(nb, "q4_answer")["source"] = 'q4 = "Kyiv"'
    result = grade(exercise, worker, nb, tmp_path)
    assert result.status == "graded", result.reasons
    assert result.scores == {"q1": 2.0, "q2": 1.0, "q4": 1.0}
    assert result.written == {"q3": "The two figures count different things, so no."}
    assert (result.entered_id, result.id_check, result.graded_as) == ("asmith", "ok", "asmith")
    assert result.answers == {"q1": {"q1": 8}, "q2": {"q2": CHOICES[1]}, "q4": {"q4": "Kyiv"}}
    assert "Right: the column is headed %." in result.test_messages["q2"]
    assert Result.from_dict(json.loads(json.dumps(result.to_dict()))) == result


def test_authored_mistake_feedback_is_shown_other_hidden_failures_stay_generic(exercise, worker, tmp_path):
    result = grade(exercise, worker, answered(exercise, {"q1": 7, "q2": CHOICES[0]}), tmp_path)
    assert result.scores["q1"] == 0 and result.scores["q2"] == 0
    assert result.test_messages["q2"] == ["Not right: the table gives a percent; 0.42 is the share as a fraction"]
    assert result.test_messages["q1"] == ["Not right: the answer did not pass the further (hidden) checks."]
    assert result.answers["q2"] == {"q2": CHOICES[0]}  # the distractor chosen, for item analysis
    page = feedback_html(exercise, result, {})
    assert "Not right: the table gives a percent; 0.42 is the share as a fraction" in page
    assert "as_number" not in page and "raise Mistake" not in page  # the hidden test's source stays hidden


def test_code_in_the_answer_cell_runs_after_the_widget_and_wins(exercise, worker, tmp_path):
    nb = answered(exercise, {"q1": 3, "q2": CHOICES[2]})
    find(nb, "q1_answer")["source"] += "\nimport numpy as np\nq1 = np.int64(2) ** 3"  # numpy, computed: still 8
    find(nb, "q2_answer")["source"] += f"\nq2 = '  {CHOICES[1]}'.strip()"
    result = grade(exercise, worker, nb, tmp_path)
    assert result.scores["q1"] == 2.0 and result.scores["q2"] == 1.0
    assert result.answers["q1"] == {"q1": 8} and type(result.answers["q1"]["q1"]) is int
    nb = answered(exercise)
    find(nb, "q1_answer")["source"] += "\nq1 = 9"  # a right saved answer, overwritten in code by a wrong one
    assert grade(exercise, worker, nb, tmp_path).scores["q1"] == 0


def test_numpy_answers_earn_the_same_as_plain_ones(exercise, worker, tmp_path):
    plain, numpy_nb = blank(exercise), blank(exercise)
    find(plain, "q1_answer")["source"] = "q1 = 8"
    find(numpy_nb, "q1_answer")["source"] = "import numpy as np\nq1 = np.int64(8)"
    scores = [grade(exercise, worker, nb, tmp_path).scores["q1"] for nb in (plain, numpy_nb)]
    assert scores == [2.0, 2.0]


def test_a_saved_answer_counts_when_the_cell_code_is_broken_or_deleted(exercise, worker, tmp_path):
    nb = answered(exercise)
    find(nb, "q1_answer")["source"] = 'answer("q1", "whole number", label="Q1"'  # a bracket deleted
    find(nb, "q2_answer")["source"] = ""
    result = grade(exercise, worker, nb, tmp_path)
    assert result.scores["q1"] == 2.0 and result.scores["q2"] == 1.0
    assert any("q1: the answer cell's code did not set it" in r for r in result.reasons)


def test_old_markdown_written_answers_and_typed_ids_still_work(tmp_path):
    from tests.test_grading_source import GOOD, write

    ex = load_exercise(write(tmp_path, GOOD))
    nb = copy.deepcopy(student_notebook(ex.path))
    for c in nb["cells"]:
        if nbgrader_meta(c).get("grade_id") == "q2_written":
            c["source"] = cell_text(c).replace("YOUR ANSWER HERE", "Because it is two.")
    assert make_plan(ex, nb).written == {"q2": "Because it is two."}
    assert cell_text(find(with_student_id({"cells": [cell("code", 'student_id = "..."', grade_id="student_id")]},
                                          "x1"), "student_id")) == 'student_id = "x1"'


# ----------------------------------------------------------------------------- attacks, as a student would write them
def test_attack_a_bundle_in_another_cell_names_q1(exercise, worker, tmp_path):
    nb = answered(exercise, {"q2": CHOICES[1]})
    forged = cell("code", "print('my notes')")
    forged["outputs"] = [{"output_type": "display_data", "metadata": {}, "data": answers.bundle("q1", 8)}]
    nb["cells"].insert(4, forged)  # a new cell of the student's own, above the Q1 answer cell
    find(nb, "q3_written")["outputs"].append(  # and the written answer's cell
        {"output_type": "display_data", "metadata": {}, "data": answers.bundle("q1", 8)})
    result = grade(exercise, worker, nb, tmp_path)
    assert result.scores["q1"] == 0 and result.scores["q2"] == 1.0
    assert "q1" not in make_plan(exercise, nb).saved


def test_attack_a_bundle_names_another_questions_variable(exercise, worker, tmp_path):
    nb = answered(exercise, {"q2": CHOICES[1]})
    find(nb, "q2_answer")["outputs"].append({"output_type": "display_data", "metadata": {},
                                             "data": answers.bundle("q1", 8)})
    find(nb, "q4_answer")["outputs"] = [{"output_type": "display_data", "metadata": {},
                                         "data": answers.bundle("q1", 8)}]
    assert grade(exercise, worker, nb, tmp_path).scores["q1"] == 0
    assert "q1" not in make_plan(exercise, nb).saved


@pytest.mark.parametrize("value", [
    "8" + " " * answers.MAX_JSON_CHARS,  # huge (a number with stray spaces would count, were it small)
    [[[[[[[[[[[8]]]]]]]]]]],  # nested deeper than plain answers go
    int("8" * 1200),  # a number of 1,200 digits
    {"__float__": 8},  # an object where a number is expected
])
def test_attack_huge_nested_or_odd_saved_values_earn_nothing(exercise, worker, tmp_path, value):
    nb = answered(exercise, {"q1": value, "q2": CHOICES[1]})
    result = grade(exercise, worker, nb, tmp_path)
    assert result.status == "graded" and result.scores["q1"] == 0 and result.scores["q2"] == 1.0


def test_attack_non_plain_bundles_are_ignored(exercise, worker, tmp_path):
    nb = answered(exercise, {"q2": CHOICES[1]})
    find(nb, "q1_answer")["outputs"] = [{"output_type": "display_data", "metadata": {}, "data": data} for data in (
        {answers.MIME: "q1 = 8"}, {answers.MIME: {"name": ["q1"], "value": 8}}, {answers.MIME: ["q1", 8]},
        {answers.MIME: {"name": "q1", "value": float("nan")}})]
    find(nb, "q1_answer")["source"] = ""  # so the saved value would count, if one were taken
    result = grade(exercise, worker, nb, tmp_path)
    assert result.scores["q1"] == 0 and result.status == "graded"


def test_attack_unreadable_json_gets_a_status_not_a_traceback():
    for raw in (b"[" * 100_000 + b"]" * 100_000, b'{"cells": [], "n": ' + b"9" * 5000 + b"}"):
        with pytest.raises(SubmissionProblem) as problem:
            parse_submission(raw)
        assert problem.value.status == "invalid_json"


def test_attack_a_saved_id_of_another_student_changes_nothing_but_is_flagged(exercise, worker, tmp_path):
    nb = answered(exercise, sid="bjones")
    result = grade(exercise, worker, nb, tmp_path, student="asmith")
    assert result.graded_as == "asmith" and result.student == "asmith"
    assert (result.entered_id, result.id_check) == ("bjones", "mismatch")
    assert any("bjones" in r and "is not this student's" in r for r in result.reasons)


# ----------------------------------------------------------------------------- the real sets: numpy and saved JSON
def _numpy(value):
    import numpy as np

    if isinstance(value, bool):
        return np.bool_(value)
    if isinstance(value, int):
        return np.int64(value)
    if isinstance(value, float):
        return np.float64(value)
    if isinstance(value, str):
        return np.str_(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_numpy(v) for v in value)
    return value


try:
    import escalation.marking  # noqa: F401
    _MARKING = True
except ImportError:
    _MARKING = False


@pytest.mark.xfail(not _MARKING, reason="the sets' hidden tests accept numpy numbers once they use escalation.marking",
                   strict=True)
@pytest.mark.parametrize("source", all_sources(), ids=lambda p: p.stem)
def test_every_set_grades_numpy_and_saved_json_answers_as_the_plain_ones(source):
    """The source's own expected answers (student000's variants), as numpy scalars (np.int64(8): computed with numpy
    or pandas) and as the JSON a widget saves (tuples and sets become lists), earn what the plain ones earn."""
    exercise = load_exercise(source)
    ns = setup_namespace(exercise)
    plain: dict = {}
    for q in exercise.questions:
        if q.kind == "auto":
            plain.update(expected_answers(exercise, q, "student000", ns)[0])
    full, _ = run_tests(exercise, plain, "student000")
    assert full == {q.key: q.points for q in exercise.questions if q.kind == "auto"}
    as_numpy, _ = run_tests(exercise, {k: _numpy(v) for k, v in plain.items()}, "student000")
    as_json, _ = run_tests(exercise, {k: json.loads(json.dumps(plain_answer(v))) for k, v in plain.items()},
                           "student000")
    assert (as_numpy, as_json) == (full, full)
