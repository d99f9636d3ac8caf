"""The exercise set of notebook 03: the source runs top to bottom with its solutions, and every test passes."""
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "exercises" / "source" / "ex03_red_lines" / "ex03_red_lines.ipynb"
STUDENT = ROOT / "exercises" / "student" / "ex03_red_lines" / "ex03_red_lines.ipynb"


def grade_ids(notebook):
    return [c.metadata.get("nbgrader", {}).get("grade_id") for c in notebook.cells]


@pytest.mark.slow
def test_source_runs_with_solutions_and_all_tests_pass(tmp_path):
    notebook = nbformat.read(SOURCE, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()  # raises on any failing cell
    tests = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
    assert len(tests) == 4
    for cell in tests:
        printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        assert printed.startswith("✔"), (cell.metadata["nbgrader"]["grade_id"], printed)


def test_wrong_answer_fails_its_hidden_test(tmp_path):
    """A plausible wrong answer (counting from the reported, not the confirmed, authorisation) must fail Q2."""
    notebook = nbformat.read(SOURCE, as_version=4)
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "q2_answer":
            cell.source = 'q2 = ev.days_between(events, "E10", "E31")'
    cells = [c for c in notebook.cells if c.cell_type == "code"]
    upto = next(i for i, c in enumerate(cells) if c.metadata["nbgrader"]["grade_id"] == "q2_test")
    notebook.cells = [c for c in notebook.cells if c.cell_type == "markdown"][:1] + cells[:upto + 1]
    client = NotebookClient(notebook, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    with pytest.raises(Exception) as err:
        client.execute()
    assert "Q2: not quite" in str(err.value)


def test_format_four_to_eight_questions_with_points_and_rubrics():
    notebook = nbformat.read(SOURCE, as_version=4)
    ids = [i for i in grade_ids(notebook) if i]
    assert len(ids) == len(set(ids)), "grade_ids must be unique"
    graded = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert 4 <= len(graded) <= 8
    written = [c for c in graded if c.cell_type == "markdown"]
    assert len(written) == 2
    for cell in written:
        assert "*Rubric:*" in cell.source and "### BEGIN SOLUTION" in cell.source
    assert sum(c.metadata["nbgrader"]["points"] for c in graded) == 12
    assert "**Points:** 12" in notebook.cells[0].source


def test_student_version_has_no_solutions_or_hidden_tests():
    text = STUDENT.read_text(encoding="utf-8")
    for secret in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "Model answer", "_expected"):
        assert secret not in text
    student = nbformat.read(STUDENT, as_version=4)
    assert grade_ids(student) == grade_ids(nbformat.read(SOURCE, as_version=4))
