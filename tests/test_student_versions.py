"""Student versions: generated from every source, committed, up to date, and free of solutions.

For each source in exercises/source/: the committed student file equals what the generator writes now;
no solution line, model answer or hidden test appears in it; every answer variable has its `...`
placeholder; the source's solutions earn full marks and the blank student version earns nothing; and
running the student version in a real kernel shows "not answered yet", never a traceback.
"""
from __future__ import annotations

import json

import pytest

from escalation.answers import MIME

from escalation.grading import student
from escalation.grading.protocol import Worker
from escalation.grading.score import grade_notebook
from escalation.grading.source import (BEGIN_SOLUTION, END_SOLUTION, all_sources, cell_text, load_exercise,
                                       nbgrader_meta, split_region)

SOURCES = all_sources()
IDS = [p.stem for p in SOURCES]


def test_there_is_at_least_one_source():
    assert SOURCES, "exercises/source/ has no exercise sets"


def test_committed_student_versions_are_up_to_date(capsys):
    code = student.main(["--check"])
    out = capsys.readouterr().out
    assert code == 0, out


def test_check_mode_fails_on_a_stale_or_missing_file(tmp_path, capsys):
    source = SOURCES[0]
    assert student.generate([source], tmp_path, check=True) == 1
    assert "missing" in capsys.readouterr().out
    assert student.generate([source], tmp_path) == 0
    assert student.generate([source], tmp_path, check=True) == 0
    target = student.student_path(source, tmp_path)
    target.write_text(target.read_text(encoding="utf-8").replace("Exercise set", "Exercise  set", 1), encoding="utf-8")
    assert student.generate([source], tmp_path, check=True) == 1
    assert "stale" in capsys.readouterr().out


def _solution_lines(text: str) -> list[str]:
    return [line.strip() for inside, line in split_region(text, BEGIN_SOLUTION, END_SOLUTION, "x")
            if inside and line.strip() and BEGIN_SOLUTION not in line and END_SOLUTION not in line]


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_no_solution_or_hidden_test_reaches_the_student_file(source):
    exercise = load_exercise(source)
    path = student.student_path(source)
    text = path.read_text(encoding="utf-8")
    nb = json.loads(text)
    student_sources = "\n".join(cell_text(c) for c in nb["cells"])
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text
    # lines that are public anyway: everything outside solution and hidden-test regions of the source
    public = set()
    for c in exercise.notebook["cells"]:
        inside = False
        for line in cell_text(c).splitlines():
            if "### BEGIN" in line:
                inside = True
            elif "### END" in line:
                inside = False
            elif not inside:
                public.add(line.strip())
    public |= {f"{name} = ..." for name in exercise.variables}
    for cell in exercise.notebook["cells"]:
        meta = nbgrader_meta(cell)
        if meta.get("solution"):
            for line in _solution_lines(cell_text(cell)):
                if line not in public:
                    assert line not in student_sources, (meta.get("grade_id"), line)
    for test in exercise.tests.values():
        for line in test.hidden.splitlines():
            if line.strip() and line.strip() not in public:
                assert line.strip() not in student_sources, (test.grade_id, line)
    for q in exercise.questions:
        if q.kind == "written":
            assert q.model_answer[:80] not in student_sources
    for name in exercise.variables:  # a placeholder, or the widget that answers the name
        placeholder = f'{name} = "..."' if name == "student_id" else f"{name} = ..."
        widget = "your_id()" if name == "student_id" else f'answer("{name}",'
        assert placeholder in student_sources or widget in student_sources, name
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
    assert nb["metadata"]["escalation"]["exercise"] == exercise.name
    graded_ids = {nbgrader_meta(c).get("grade_id") for c in nb["cells"] if nbgrader_meta(c)}
    assert graded_ids >= {gid for q in exercise.questions for gid in q.answer_ids + q.test_ids if gid}


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_solutions_earn_full_marks_for_every_variant_and_blank_versions_earn_nothing(source, capsys):
    """`escalation-exercises --verify`: the source, with ids covering every variant, earns every point;
    the blank student version, with and without an id, earns none."""
    exercise = load_exercise(source)
    assert 4 <= len(exercise.questions) <= (9 if exercise.name == "ex01_reading" else 8)  # ex01 also assesses lesson 00
    assert {q.kind for q in exercise.questions} == {"auto", "written"}, "each set mixes computed and written answers"
    assert student.verify([source]) == 0, capsys.readouterr().out


def test_blank_feedback_says_not_answered_yet():

    source = SOURCES[0]
    exercise = load_exercise(source)
    worker = Worker()
    try:
        blank = grade_notebook(exercise, student.student_path(source), "asmith", worker, timeout=60)
    finally:
        worker.close()
    assert blank.auto_total == 0
    for q in exercise.questions:
        if q.kind == "auto":
            assert any("not answered yet" in m for m in blank.test_messages[q.key]), q.key


def _run(nb, tmp_path):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.reads(json.dumps(nb), as_version=4)  # joins line lists into strings
    NotebookClient(nb, timeout=180, kernel_name="python3", allow_errors=False,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()  # raises if any cell stops Run All
    return nb


def _printed(cell) -> str:
    return "\n".join(o.get("text", "") or "\n".join(o.get("traceback", []))
                     or ("" if MIME in o.get("data", {}) else o.get("data", {}).get("text/plain", ""))
                     for o in cell.outputs)  # a widget answer's check line is a display the widget updates


@pytest.mark.slow
@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_blank_student_version_runs_to_the_end_without_errors(source, tmp_path):
    """Run All on a blank student file: no error anywhere, every check says "not answered yet", every
    personal question asks for the id first, and the last cell shows the progress."""
    nb = _run(json.loads(student.student_path(source).read_text(encoding="utf-8")), tmp_path)
    exercise = load_exercise(source)
    seen = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        gid = nbgrader_meta(cell).get("grade_id", "")
        assert not [o for o in cell.outputs if o.output_type == "error"], gid
        text = _printed(cell)
        if gid in exercise.tests:
            seen += 1
            assert "not answered yet" in text and "answer recorded" not in text, (gid, text)
        if gid.endswith("_yours"):
            assert "Enter your student id at the top first" in text, gid
    assert seen == len(exercise.tests)
    last = nb.cells[-1]
    assert nbgrader_meta(last).get("grade_id") == "progress" and last.outputs


@pytest.mark.slow
def test_a_student_who_answers_in_code_with_slips_reads_plain_sentences_and_run_all_goes_on(tmp_path):
    """ex03 answered in code instead of the widgets, with the slips a student makes: a word without quotes, a
    number in quotes, an unclosed bracket. Each gets a plain sentence; Run All reaches the end."""
    source = next(p for p in SOURCES if p.stem == "ex03_red_lines")
    nb = json.loads(student.student_path(source).read_text(encoding="utf-8"))
    typed = {"q9_answer": "q9 = deterrence", "q2_answer": 'q2 = "7"', "q10_answer": 'q10 = ["E01", "E02"'}
    for cell in nb["cells"]:
        gid = nbgrader_meta(cell).get("grade_id")
        if gid in typed:
            cell["source"] = typed[gid]
    nb = _run(nb, tmp_path)
    out = {nbgrader_meta(c).get("grade_id"): _printed(c) for c in nb.cells if c.cell_type == "code"}
    assert out["q9_answer"].startswith("✘ `deterrence` is not a name Python knows: did you forget the quotes")
    assert "Q9: your answer cell has an error" in out["q9_test"]
    assert "quotes around '7' make it text. Remove the quotes, as in q2 = 7" in out["q2_test"]
    assert "A bracket is opened but never closed" in out["q10_answer"]
    assert "Q10: your answer cell has an error" in out["q10_test"]
    for text in out.values():
        assert "Traceback" not in text and "File \"" not in text


def test_generator_command_writes_every_source(tmp_path, capsys):
    assert student.main(["--student-dir", str(tmp_path)]) == 0
    for source in SOURCES:
        assert (tmp_path / source.stem / source.name).is_file()


def test_generator_rejects_unknown_sets(capsys):
    assert student.main(["ex99_does_not_exist"]) == 2
    assert "No exercise source" in capsys.readouterr().err


def test_strip_code_solution_keeps_code_outside_the_region():
    text = "# read this first\n    ### BEGIN SOLUTION\n    helper = 3\n    q9 = helper * 2\n    ### END SOLUTION\nprint('x')"
    assert student.strip_code_solution(text, "c") == "# read this first\n    q9 = ...\nprint('x')"


def test_answer_keys_list_every_variant_and_stay_out_of_the_student_folder(tmp_path, capsys):
    from escalation import variants

    assert student.main(["--keys", str(tmp_path)]) == 0
    for source in SOURCES:
        exercise = load_exercise(source)
        key = (tmp_path / f"{source.stem}_key.md").read_text(encoding="utf-8")
        assert "✘" not in key  # every expected answer passes the source's own tests
        ns = student.setup_namespace(exercise)
        for q in exercise.questions:
            if q.kind == "written":
                assert q.model_answer[:60] in key
                continue
            found = student.variant_key(exercise, q, ns)
            for sid in (variants.ids_covering(*found).values() if found else ["student000"]):
                values, _ = student.expected_answers(exercise, q, sid, ns)
                for name, value in values.items():
                    plain = value.item() if hasattr(value, "item") else value
                    assert f"`{name} = {student._plain(plain)}`" in key, (source.stem, q.key, sid)
    assert student.main(["--keys", str(student.EXERCISES_DIR / "student" / "keys")]) == 2
    assert "never go into exercises/student" in capsys.readouterr().out
    assert not (student.EXERCISES_DIR / "student" / "keys").exists()
