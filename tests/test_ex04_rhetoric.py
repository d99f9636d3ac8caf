"""The exercise set of notebook 04: the source runs top to bottom with its solutions, and every test passes."""
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "exercises" / "source" / "ex04_rhetoric" / "ex04_rhetoric.ipynb"
STUDENT = ROOT / "exercises" / "student" / "ex04_rhetoric" / "ex04_rhetoric.ipynb"


def grade_ids(notebook):
    return [c.metadata.get("nbgrader", {}).get("grade_id") for c in notebook.cells]


@pytest.mark.slow
def test_source_runs_with_solutions_and_all_tests_pass(tmp_path):
    notebook = nbformat.read(SOURCE, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()  # raises on any failing cell
    tests = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
    assert len(tests) == 5
    for cell in tests:
        printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        assert printed.startswith("✔"), (cell.metadata["nbgrader"]["grade_id"], printed)


def test_format_questions_points_rubrics():
    notebook = nbformat.read(SOURCE, as_version=4)
    ids = [i for i in grade_ids(notebook) if i]
    assert len(ids) == len(set(ids)), "grade_ids must be unique"
    graded = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert 4 <= len(graded) <= 8
    written = [c for c in graded if c.cell_type == "markdown"]
    assert len(written) == 2
    for cell in written:
        assert "*Rubric:*" in cell.source and "### BEGIN SOLUTION" in cell.source
    assert sum(c.metadata["nbgrader"]["points"] for c in graded) == 14
    for cell in notebook.cells:
        assert not cell.get("outputs"), "sources are committed without outputs"


def test_student_version_has_no_solutions_or_hidden_tests():
    if not STUDENT.exists():
        pytest.skip("student version not generated yet (escalation-exercises ex04_rhetoric)")
    text = STUDENT.read_text(encoding="utf-8")
    for secret in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "Answer-key notes"):
        assert secret not in text
    student = nbformat.read(STUDENT, as_version=4)
    assert grade_ids(student) == grade_ids(nbformat.read(SOURCE, as_version=4))
