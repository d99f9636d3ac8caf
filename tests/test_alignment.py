"""The alignment of objectives and graded items (issue 20, items 1, 2 and 4; SPEC20 §5), and answer cells
that need no Python syntax in every student version.

The rules: every objective of every lesson notebook has a graded item; every graded item names known
objectives, a known skill and a known item type; skill items carry at least half of each set's automatic points;
every answer and student-id cell of a student version is pre-written widget code, and no instruction asks for
quotes, brackets or the replacement of a `...`. The reader and the rules are checked first on small notebooks
made here, whose problems are known.
"""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from escalation import alignment
from escalation.grading.source import assigned_answer_names, read_names
from support.answer_cells import answer_cell_problem, instruction_problem, widget_names

REPO = Path(__file__).resolve().parents[1]
SETS = sorted(p.name for p in (REPO / "exercises" / "source").iterdir() if (p / f"{p.name}.ipynb").is_file())
LESSONS = sorted(p.name[:2] for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
GUIDE = REPO / "docs" / "instructor_guide.md"

# SPEC20 §5, written out here as the independent statement of the vocabulary.
SPEC_SKILLS = {"attribution", "comparability", "classification", "source evaluation", "figure reading",
               "calculation", "look-up", "procedure", "written argument"}
SPEC_ITEMS = {"choice", "order", "match", "names", "number", "text", "written"}


@pytest.fixture(scope="module")
def matrix():
    return alignment.build_matrix(REPO)


def _student(name: str) -> dict:
    return json.loads((REPO / "exercises" / "student" / name / f"{name}.ipynb").read_text(encoding="utf-8"))


def _source(name: str) -> dict:
    return json.loads((REPO / "exercises" / "source" / name / f"{name}.ipynb").read_text(encoding="utf-8"))


def _md(text, **meta):
    return {"cell_type": "markdown", "metadata": meta, "source": text}


def _code(text, **meta):
    return {"cell_type": "code", "metadata": meta, "source": text, "outputs": [], "execution_count": None}


def _write(path: Path, cells: list) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), "utf-8")
    return path


def _test_cell(gid, points, esc=None):
    meta = {"nbgrader": {"grade": True, "solution": False, "locked": True, "points": points, "grade_id": gid}}
    if esc is not None:
        meta["escalation"] = esc
    return _code("check_format('Q', q1)", **meta)


@pytest.fixture
def tiny(tmp_path) -> Path:
    """A checkout with one lesson (3 objectives, the first spread over two lines) and one set whose problems
    are known: objective 07.3 has no item, Q2 has a typo in its skill, Q3 names objective 07.9 and has no item
    type, Q4 has no metadata, and the skill items carry 2 of 5 automatic points."""
    _write(tmp_path / "notebooks" / "07_tiny.ipynb", [_md(
        "# 07 · A tiny lesson\n\n| | |\n|---|---|\n| **Time** | 5 min |\n\n"
        f"{alignment.OBJECTIVES_MARKER}\n1. tell a claim from\n   its source;\n2. compare two figures;\n"
        "3. place an event on the ladder.\n\nSome other text.\n1. not an objective")])
    _write(tmp_path / "exercises" / "source" / "ex07_tiny" / "ex07_tiny.ipynb", [
        _md("## Q1 · Whose claim? (2 points)\n\nText."),
        _test_cell("q1_test", 2, {"objectives": ["07.1"], "skill": "attribution", "item": "choice"}),
        _md("## Q2 · Two figures (1 point)"),
        _test_cell("q2_test", 1, {"objectives": ["07.2"], "skill": "comparabilty", "item": "choice"}),
        _test_cell("q3_test", 1, {"objectives": ["07.9"], "skill": "calculation"}),
        _test_cell("q4_test", 1),
        _md("## Q5 · Argue (60–120 words, 3 points)\n\n### BEGIN SOLUTION\nModel.\n### END SOLUTION",
            nbgrader={"grade": True, "solution": True, "locked": False, "points": 3, "grade_id": "q5_written"},
            escalation={"objectives": ["07.1", "07.2"], "skill": "written argument", "item": "written"}),
    ])
    return tmp_path


def test_the_vocabulary_is_the_spec_s(matrix):
    assert set(alignment.SKILLS) == SPEC_SKILLS and set(alignment.ITEM_TYPES) == SPEC_ITEMS
    assert set(alignment.SKILL_ITEM_TYPES) == {"choice", "order", "match", "names"}
    assert set(alignment.SKILL_ITEM_SKILLS) == {"attribution", "comparability", "classification",
                                                "source evaluation", "figure reading"}


def test_the_reader_finds_objectives_and_items_as_written(tiny):
    m = alignment.build_matrix(tiny)
    assert [(o.id, o.text) for o in m.objectives] == [
        ("07.1", "tell a claim from its source"), ("07.2", "compare two figures"),
        ("07.3", "place an event on the ladder")]
    assert m.objectives[0].lesson_title == "07 · A tiny lesson"
    q1, q2, _q3, q4, q5 = m.items
    assert (q1.question, q1.title, q1.points, q1.automatic, q1.objectives, q1.is_skill_item) == \
        ("Q1", "Whose claim?", 2.0, True, ("07.1",), True)
    assert q2.title == "Two figures" and not q2.is_skill_item  # the misspelt skill is no skill
    assert (q5.question, q5.automatic, q5.objectives) == ("Q5", False, ("07.1", "07.2"))
    assert q4.metadata_problem and q4.objectives == ()


def test_the_rules_name_each_known_problem_and_nothing_else(tiny):
    found = alignment.build_matrix(tiny).problems()
    assert [w for w, _ in found] == ["07"] + ["ex07_tiny"] * 5
    text = "\n".join(p for _, p in found)
    for expected in ("objective 07.3", "Q2 (q2_test) has skill 'comparabilty'", "names objective '07.9'",
                     "Q3 (q3_test) has item type None", "Q4 (q4_test): no alignment metadata",
                     "skill items carry 2 of 5 automatic points"):
        assert expected in text, expected


def test_a_written_type_on_a_test_cell_is_refused(tmp_path):
    _write(tmp_path / "notebooks" / "07_tiny.ipynb", [_md(f"{alignment.OBJECTIVES_MARKER}\n1. argue.")])
    _write(tmp_path / "exercises" / "source" / "ex07_tiny" / "ex07_tiny.ipynb", [
        _test_cell("q1_test", 1, {"objectives": ["07.1"], "skill": "attribution", "item": "written"})])
    problems = alignment.build_matrix(tmp_path).problems()
    assert any("'written' is for written answers" in p for _, p in problems)


@pytest.mark.parametrize("kind, item, refused", [("number", "choice", True), ("whole number", "number", False),
                                                 ("choice", "choice", False), ("names", "order", True)])
def test_an_item_type_must_be_what_its_answer_widget_gives(tmp_path, kind, item, refused):
    _write(tmp_path / "notebooks" / "07_tiny.ipynb", [_md(f"{alignment.OBJECTIVES_MARKER}\n1. compare.")])
    _write(tmp_path / "exercises" / "source" / "ex07_tiny" / "ex07_tiny.ipynb", [
        _code(f'answer("q1", "{kind}", label="Q1", choices=["a", "b"])\n### BEGIN SOLUTION\nq1 = "a"\n'
              "### END SOLUTION",
              nbgrader={"grade": False, "solution": True, "locked": False, "grade_id": "q1_answer"}),
        _test_cell("q1_test", 1, {"objectives": ["07.1"], "skill": "comparability", "item": item})])
    problems = [p for _, p in alignment.build_matrix(tmp_path).problems()]
    assert any("its answer widget says otherwise (q1: " in p for p in problems) == refused, problems


def test_the_command_writes_the_tables_and_says_what_is_wrong(tiny, capsys):
    doc = tiny / "guide.md"
    doc.write_text("# Guide\n\nNo markers here.\n", "utf-8")
    assert alignment.main(["--root", str(tiny), "--write", str(doc)]) == 2
    assert "needs one line <!-- outcomes-start -->" in capsys.readouterr().err
    doc.write_text(f"# Guide\n\n{alignment.TABLE_START}\nold\n{alignment.TABLE_END}\n\nAfter.\n", "utf-8")
    assert alignment.main(["--root", str(tiny), "--write", str(doc)]) == 1  # written, but problems remain
    err = capsys.readouterr().err
    assert "✘ 07: objective 07.3" in err and "6 alignment problems" in err
    text = doc.read_text("utf-8")
    assert text.startswith("# Guide\n\n") and text.endswith(f"{alignment.TABLE_END}\n\nAfter.\n") and "old" not in text
    assert "| 07.1 tell a claim from its source | `ex07_tiny` | Q1 · Whose claim? | choice | attribution | 2 |" in text
    assert "| 07.1 | `ex07_tiny` | Q5 · Argue | written (rubric) | written argument | 3 |" in text
    assert "| 07.3 place an event on the ladder | — | no graded item | | | |" in text
    assert "| `ex07_tiny` | 5 | 2 | 3 |" in text
    assert alignment.main(["--root", str(tiny), "--write", str(doc)]) == 1
    assert "Unchanged" in capsys.readouterr().out


def test_an_unreadable_lesson_gives_one_sentence(tmp_path, capsys):
    _write(tmp_path / "notebooks" / "07_tiny.ipynb", [_md("# 07 · No objectives here")])
    _write(tmp_path / "exercises" / "source" / "ex07_tiny" / "ex07_tiny.ipynb", [])
    assert alignment.main(["--root", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("✘ 07_tiny.ipynb: no cell says '**By the end")


def test_a_broken_source_gives_one_sentence_and_the_module_runs_as_a_command(tiny):
    (tiny / "exercises" / "source" / "ex07_tiny" / "ex07_tiny.ipynb").write_text('{"cells": [', "utf-8")
    run = subprocess.run([sys.executable, "-m", "escalation.alignment", "--root", str(tiny)], check=False,
                         capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(REPO / "src")), timeout=60)
    assert run.returncode == 2 and "ex07_tiny.ipynb is not a readable notebook" in run.stderr
    assert "Traceback" not in run.stderr and run.stdout == ""


def test_the_answer_cell_rules_tell_widget_code_from_python_to_type():
    for ok in ('answer("q1", "number", label="Q1")', "your_id()", 'from escalation.widgets import your_id\nyour_id()',
               'q2 = answer("q2", "choice", choices=["A", "B"])\n# a comment', 'written_answer("q5", min_words=60)'):
        assert answer_cell_problem(ok) == "", ok
    for bad in ("q1 = ...", 'student_id = "..."', 'q3 = ["said"]', 'answer("q1", "number")\nq1 = ...',
                "# YOUR CODE HERE", 'answer("q1", "number"', "print(1)"):
        assert answer_cell_problem(bad), bad
    assert widget_names('answer("q4_kiev", "whole number")\nanswer(name="q4_kyiv", kind="number")') == \
        {"q4_kiev", "q4_kyiv"}
    assert instruction_problem("Type your id between the quotes and run the cell.")
    assert instruction_problem("Replace the `...` after `q1 =` with a number.")
    assert instruction_problem('Copy the words (for example `q2 = "he"`).')
    assert instruction_problem("Give a list in square brackets.")
    assert not instruction_problem("Tick the names in the box. Who is quoted in the article?")
    assert not instruction_problem('*In code (optional):* `q3 = sorted({q.verb for q in quotes})`.')


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_objective_has_a_graded_item(matrix, lesson):
    assert [o for o in matrix.objectives if o.lesson == lesson], f"lesson {lesson} lists no objectives"
    problems = [p for where, p in matrix.problems() if where == lesson]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", SETS)
def test_every_item_is_aligned_and_skill_items_carry_half_the_automatic_points(matrix, name):
    assert [i for i in matrix.items if i.set == name], f"{name} has no graded cell"
    problems = [p for where, p in matrix.problems() if where == name]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", SETS)
def test_no_answer_cell_of_the_student_version_needs_python_syntax(name):
    nb = _student(name)
    problems, given, ids = [], set(), 0
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        gid = meta.get("grade_id", "")
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if meta.get("solution") or gid == "student_id":
            why = "it is a text cell, not a widget" if cell["cell_type"] != "code" else answer_cell_problem(source)
            if why:
                problems.append(f"{gid}: {why}")
            given |= widget_names(source)
            ids += gid == "student_id" and "your_id(" in source
        elif cell["cell_type"] == "markdown" and instruction_problem(source):
            problems.append(f"{gid or 'a text cell'} says {instruction_problem(source)!r}")
    if ids != 1:
        problems.append("the student-id cell (grade_id student_id) must call your_id(), once")
    read, assigned = set(), set()  # answer names: read by a test cell and assigned by an answer cell's solution
    for cell in _source(name)["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code" and meta.get("grade") and not meta.get("solution"):
            read |= set(read_names(source))
        elif cell["cell_type"] == "code" and meta.get("solution") and not meta.get("grade"):
            assigned |= set(assigned_answer_names(source))
    needed = read & assigned
    problems += [f"{name}: the tests read it, but no answer(...) widget gives it" for name in sorted(needed - given)]
    assert not problems, "\n".join(problems)


def test_the_guide_s_outcomes_tables_are_the_generated_ones(matrix):
    """docs/instructor_guide.md's tables are written by `python -m escalation.alignment --write
    docs/instructor_guide.md`; after a change of objectives or items, run it again."""
    assert alignment.committed_table(GUIDE) == alignment.outcomes_markdown(matrix)


def test_the_format_s_example_choice_item_marks_each_distractor_with_its_own_line(capsys):
    """exercises/FORMAT.md's new choice item, run as its three cells say: the solution is right and says why;
    each distractor raises its own Mistake; a value that is no option is a plain failure."""
    marking = pytest.importorskip("escalation.marking")
    graded = pytest.importorskip("escalation.widgets.graded")
    from escalation.checks import check_format

    setup, answer_cell, test_cell = re.findall(r"```python\n(.*?)```", (REPO / "exercises" / "FORMAT.md")
                                               .read_text(encoding="utf-8"), re.S)[:3]
    ns = {"check_format": check_format, "mark_choice": marking.mark_choice, "answer": graded.answer}
    exec(setup, ns)
    exec(answer_cell, ns)
    exec(test_cell, ns)
    assert "Right: SIPRI's TIV" in capsys.readouterr().out
    messages = set()
    for option in [c for c in ns["Q3_CHOICES"] if c != ns["q3"]]:
        with pytest.raises(marking.Mistake) as raised:
            exec(test_cell, dict(ns, q3=option))
        messages.add(str(raised.value))
    assert len(messages) == len(ns["Q3_CHOICES"]) - 1
    with pytest.raises(AssertionError) as plain:
        exec(test_cell, dict(ns, q3="Maybe"))
    assert not isinstance(plain.value, marking.Mistake)
