"""Reading sources (format errors are explained) and the runner's building blocks."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from escalation.grading import runner
from escalation.grading.check import run_tests
from escalation.grading.protocol import BadValue, decode_value, make_encoder
from escalation.grading.source import (FormatError, assigned_answer_names, load_exercise, question_key, read_names)


def cell(cell_type, text, **nbgrader):
    meta = {"nbgrader": dict(schema_version=3, **nbgrader)} if nbgrader else {}
    c = {"cell_type": cell_type, "metadata": meta, "source": text}
    if cell_type == "code":
        c.update(outputs=[], execution_count=None)
    return c


def notebook(cells):
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


GOOD = [
    cell("markdown", "# Card", grade=False, solution=False, locked=True, grade_id="card"),
    cell("code", "from escalation.checks import check_hash", grade=False, solution=False, locked=True, grade_id="setup"),
    cell("markdown", "## Q1 Add", grade=False, solution=False, locked=True, grade_id="q1_question"),
    cell("code", "### BEGIN SOLUTION\nq1 = 1 + 1\n### END SOLUTION", grade=False, solution=True, locked=False,
         grade_id="q1_answer"),
    cell("code", "assert q1 is not ...\n### BEGIN HIDDEN TESTS\nassert q1 == 2\n### END HIDDEN TESTS", grade=True,
         solution=False, locked=True, points=2, grade_id="q1_test"),
    cell("markdown", "**Q2.** Why?\n\n*Rubric:* 1 point.\n\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION", grade=True,
         solution=True, locked=False, points=1, grade_id="q2_written"),
]


def write(tmp_path, cells, name="ex90_test"):
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.ipynb"
    path.write_text(json.dumps(notebook(cells)), encoding="utf-8")
    return path


def test_a_good_source_is_read(tmp_path):
    ex = load_exercise(write(tmp_path, GOOD))
    assert [q.key for q in ex.questions] == ["q1", "q2"]
    q1, q2 = ex.questions
    assert (q1.kind, q1.points, q1.variables) == ("auto", 2.0, ["q1"])
    assert (q2.kind, q2.points, q2.model_answer) == ("written", 1.0, "Because.")
    assert "Rubric" in q2.rubric and "Because" not in q2.rubric
    assert ex.tests["q1_test"].hidden.strip() == "assert q1 == 2"
    assert "HIDDEN" not in ex.tests["q1_test"].visible
    assert ex.max_points == 3 and ex.auto_points == 2


@pytest.mark.parametrize("change, message", [
    (lambda c: c[3].update(source="q1 = 2"), "needs a '### BEGIN SOLUTION'"),
    (lambda c: c[3].update(source="### BEGIN SOLUTION\nq1 = 2"), "never closed"),
    (lambda c: c[3].update(source="### BEGIN SOLUTION\nx = 2\n### END SOLUTION"), "assigns no answer variable"),
    (lambda c: c[4]["metadata"]["nbgrader"].pop("points"), "needs 'points'"),
    (lambda c: c[4]["metadata"]["nbgrader"].update(grade_id="q1_answer"), "used twice"),
    (lambda c: c.pop(1), "no set-up cell"),
    (lambda c: c.pop(4), "no test cell"),
    (lambda c: c[2].update(source="### BEGIN SOLUTION\nleak\n### END SOLUTION"), "not marked as an answer"),
    (lambda c: c[3].update(source="### BEGIN SOLUTION\nq1 = (\n### END SOLUTION"), "not valid Python"),
])
def test_format_errors_say_what_to_fix(tmp_path, change, message):
    cells = copy.deepcopy(GOOD)
    change(cells)
    with pytest.raises(FormatError, match=message):
        load_exercise(write(tmp_path, cells))


def test_unreadable_sources_and_unknown_names(tmp_path):
    bad = tmp_path / "ex91_bad" / "ex91_bad.ipynb"
    bad.parent.mkdir()
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(FormatError, match="not a readable notebook"):
        load_exercise(bad)
    with pytest.raises(FormatError, match="No exercise source"):
        load_exercise("ex00_nothing_here")


def test_answer_names_and_question_keys():
    assert assigned_answer_names("q1 = 1\nx = 2\nq2a, q2b = 1, 2\nq3: int = 3\nq1 += 1") == ["q1", "q2a", "q2b", "q3"]
    assert read_names("check(q1, q4_kiev)\nprint(quux)") == ["q1", "q4_kiev"]
    assert question_key("q12_test") == "q12" and question_key("bonus") == "bonus"


@pytest.mark.parametrize("raw, status", [
    (b"", "empty_file"), (b"   \n", "empty_file"), (b"\xff\xfe{\x00", "not_utf8"), (b"{\"cells\": [", "invalid_json"),
    (b"[1, 2]", "not_a_notebook"), (b'{"cells": [1]}', "not_a_notebook"),
])
def test_unreadable_submissions_get_a_status(tmp_path, raw, status):
    path = tmp_path / "s.ipynb"
    path.write_bytes(raw)
    with pytest.raises(runner.SubmissionProblem) as info:
        runner.read_submission(path)
    assert info.value.status == status and info.value.reason


@pytest.mark.parametrize("value", [7, -3, 2.5, float("inf"), "Kyiv", True, None, Ellipsis, [1, "a"], (1, 2),
                                   {"b", "a"}, frozenset({1}), {"k": [1, 2]}])
def test_plain_values_round_trip(value):
    encode, _ = make_encoder()
    assert decode_value(json.loads(json.dumps(encode(value)))) == value


def test_numpy_scalars_keep_their_type():
    import numpy as np


    encode, _ = make_encoder()
    for value in (np.int64(7), np.float64(2.5), np.bool_(True), np.str_("x")):
        back = decode_value(json.loads(json.dumps(encode(value))))
        assert type(back) is type(value) and back == value


def test_objects_and_subclasses_are_not_plain():

    encode, NotPlain = make_encoder()

    class Liar(int):
        def __eq__(self, other):
            return True

    for value in (object(), Liar(3), [1, object()], {"a": Liar(1)}, "x" * 200_000, [[[[[[[[[[1]]]]]]]]]]):
        with pytest.raises(NotPlain):
            encode(value)


@pytest.mark.parametrize("data", [None, [], {"t": "int", "v": "1e5"}, {"t": "eval", "v": "1"},
                                  {"t": "list", "v": [{"t": "pickle", "v": "x"}]}, {"t": "dict", "v": [[1]]},
                                  {"t": "np.object_", "v": "1"}])
def test_decode_refuses_anything_unexpected(data):
    with pytest.raises((BadValue, ValueError)):
        decode_value(data)


def test_written_answer_extraction():
    before, after = "**Q2.** Why?\n\n*Rubric:* 1 point.", ""
    assert runner.extract_written(before + "\n\nYOUR ANSWER HERE", before, after) is None
    assert runner.extract_written(before + "\n\nBecause it is.", before, after) == "Because it is."
    assert runner.extract_written("**Q2.** Why?\nMy own words", before, after) == "My own words"


def test_tests_run_on_plain_values_only(tmp_path):
    ex = load_exercise(write(tmp_path, GOOD))
    scores, messages = run_tests(ex, {"q1": 2})
    assert scores == {"q1": 2.0}
    scores, messages = run_tests(ex, {"q1": 3})
    assert scores == {"q1": 0.0}
    assert messages["q1"] == ["Not right: the answer did not pass the further (hidden) checks."]
    scores, messages = run_tests(ex, {})
    assert scores == {"q1": 0.0} and "q1 has no value" in messages["q1"][0]


def test_plan_skips_submitted_test_and_setup_cells(tmp_path):
    ex = load_exercise(write(tmp_path, GOOD))
    sub = copy.deepcopy(GOOD)
    sub[4]["source"] = "q1 = 2  # a student edited the test cell"
    retyped = cell("code", "assert q1 is not ...")  # a copy of the visible test without metadata
    plan = runner.make_plan(ex, notebook(sub + [retyped]))
    labels = [c["label"] for c in plan.cells]
    assert labels == ["set-up (from the source)", "q1_answer"]
    assert plan.cells[0]["code"] == ex.setup_code


def test_wrong_exercise_is_detected_by_metadata_or_content(tmp_path):
    ex = load_exercise(write(tmp_path, GOOD))
    nb = notebook(copy.deepcopy(GOOD))
    runner.check_exercise(ex, nb)  # the same exercise
    nb["metadata"]["escalation"] = {"exercise": "ex02_other"}
    with pytest.raises(runner.SubmissionProblem, match="ex02_other"):
        runner.check_exercise(ex, nb)
    with pytest.raises(runner.SubmissionProblem) as info:
        runner.check_exercise(ex, notebook([cell("markdown", "# Something else")]))
    assert info.value.status == "wrong_exercise"


def test_console_scripts_and_module_entry_point():
    import subprocess
    import sys

    bin_dir = Path(sys.executable).parent
    for cmd in ([str(bin_dir / "escalation-grade"), "--help"], [sys.executable, "-m", "escalation.grading", "grade", "--help"],
                [str(bin_dir / "escalation-exercises"), "--help"]):
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert "usage:" in proc.stdout


def test_verify_catches_a_source_whose_solution_fails_its_tests(tmp_path, capsys):
    from escalation.grading import student

    good = write(tmp_path, GOOD, "ex90_good")
    bad_cells = copy.deepcopy(GOOD)
    bad_cells[3]["source"] = "### BEGIN SOLUTION\nq1 = 3\n### END SOLUTION"
    bad = write(tmp_path, bad_cells, "ex91_bad")
    assert student.verify([good, bad]) == 1
    out = capsys.readouterr().out
    assert "✔ ex90_good.ipynb: solutions earn 2/2" in out
    assert "✘ ex91_bad.ipynb: the solutions do not pass the tests of q1" in out
