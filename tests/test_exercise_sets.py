"""Every exercise set: the source runs with its solutions and passes every check; its format holds.

(The student versions' freedom from solutions and hidden tests is tested for every set in
test_student_versions.py.)
"""
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "exercises" / "source").glob("ex*/ex*.ipynb"))
# Per set: autograded test cells, written answers, total points, text that must stay out of the student file.
SPEC = {
    "ex01_reading": (7, 2, 16, ["BEGIN SOLUTION", "BEGIN HIDDEN TESTS"]),
    "ex02_arms_supply": (6, 2, 16, ["Answer-key notes", "q5 = russian_places_within"]),
    "ex03_red_lines": (6, 2, 16, ["Model answer", "_expected"]),
    "ex04_rhetoric": (6, 2, 14, ["BEGIN SOLUTION", "BEGIN HIDDEN TESTS"]),
    "ex05_synthesis": (5, 3, 37, ["Answer-key notes", "q5 = who_after_removal"]),
}


def nbgrader(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def run(notebook, folder, student_id="asmith"):
    for cell in notebook.cells:
        if nbgrader(cell).get("grade_id") == "student_id":
            cell.source = f'student_id = "{student_id}"'
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()  # raises on any failing cell
    return notebook


def test_every_set_has_a_spec():
    assert sorted(p.stem for p in SOURCES) == sorted(SPEC)


@pytest.mark.slow
@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_source_runs_with_solutions_and_every_visible_check_passes(source, tmp_path):
    notebook = run(nbformat.read(source, as_version=4), tmp_path)
    tests = [c for c in notebook.cells if nbgrader(c).get("grade") and c.cell_type == "code"
             and not nbgrader(c).get("solution")]  # graded solution cells are written answers
    assert len(tests) == SPEC[source.stem][0]
    for cell in tests:
        printed = "".join(o.get("text", "") if o.output_type == "stream" else o.get("data", {}).get("text/plain", "")
                          for o in cell.outputs if o.output_type in ("stream", "display_data"))
        assert printed.startswith("✔"), (nbgrader(cell)["grade_id"], printed)


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_format_questions_points_and_rubrics(source):
    _, n_written, points, _ = SPEC[source.stem]
    notebook = nbformat.read(source, as_version=4)
    ids = [nbgrader(c)["grade_id"] for c in notebook.cells if nbgrader(c).get("grade_id")]
    assert len(ids) == len(set(ids)), "grade_ids must be unique"
    graded = [c for c in notebook.cells if nbgrader(c).get("grade")]
    questions = {nbgrader(c)["grade_id"].split("_")[0] for c in graded}
    assert 4 <= len(questions) <= (9 if source.stem == "ex01_reading" else 8)  # ex01 also assesses lesson 00
    written = [c for c in graded if nbgrader(c).get("solution")]  # a markdown cell, or a written_answer() code cell
    assert len(written) == n_written
    for cell in written:
        assert "### BEGIN SOLUTION" in cell.source
        if cell.cell_type == "markdown":
            assert "*Rubric:*" in cell.source
        else:  # the task and rubric are in the locked markdown cell just above
            above = notebook.cells[notebook.cells.index(cell) - 1]
            assert above.cell_type == "markdown" and "*Rubric:*" in above.source
            assert f'written_answer("{nbgrader(cell)["grade_id"].split("_")[0]}"' in cell.source
    assert sum(nbgrader(c)["points"] for c in graded) == points
    assert all(not c.outputs for c in notebook.cells if c.cell_type == "code"), "sources are committed without outputs"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_student_version_keeps_the_cells_and_none_of_the_answer_key(source):
    student_path = ROOT / "exercises" / "student" / source.parent.name / source.name
    cell_text = lambda path: "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
    text = cell_text(student_path)
    for secret in SPEC[source.stem][3]:
        assert secret in cell_text(source), f"'{secret}' is not in the source: update SPEC"
        assert secret not in text
    ids = lambda nb: [nbgrader(c).get("grade_id") for c in nb.cells]
    assert ids(nbformat.read(student_path, as_version=4)) == ids(nbformat.read(source, as_version=4))


@pytest.mark.slow
def test_ex02_map_question_draws_a_described_map(tmp_path):
    source = next(p for p in SOURCES if p.stem == "ex02_arms_supply")
    notebook = run(nbformat.read(source, as_version=4), tmp_path)
    draw = next(c for c in notebook.cells if nbgrader(c).get("grade_id") == "q7_draw")
    assert "Figure description: Map of the region" in "".join(o.get("text", "") for o in draw.outputs)


def test_ex03_plausible_wrong_answer_fails_q2():
    """Counting to the reported, not the confirmed, authorisation (E31, not E38) must fail Q2's hidden test."""
    from escalation import events as ev
    from escalation.grading.check import run_tests
    from escalation.grading.source import load_exercise
    from escalation.variants import pick

    exercise = load_exercise("ex03_red_lines")
    sid = next(f"s{i}" for i in range(1000) if pick(f"s{i}", "ex03.q2", 9) == 0)  # variant 0: E10 to E38
    events = ev.load_events()
    right, wrong = ev.days_between(events, "E10", "E38"), ev.days_between(events, "E10", "E31")
    assert right != wrong
    assert run_tests(exercise, {"q2": right}, sid)[0]["q2"] == exercise.question("q2").points
    scores, messages = run_tests(exercise, {"q2": wrong}, sid)
    assert scores["q2"] == 0 and "answer recorded" in " ".join(messages["q2"])


def test_c7_notebook_05_brief_is_a_written_question_with_its_rubric():
    import json

    from escalation.grading.source import load_exercise

    q8 = load_exercise("ex05_synthesis").question("q8")
    assert q8.kind == "written" and q8.points == 20
    nb05 = json.loads((ROOT / "notebooks" / "05_debate_and_synthesis.ipynb").read_text(encoding="utf-8"))
    brief = next("".join(c["source"]) for c in nb05["cells"] if "| Criterion" in "".join(c["source"]))
    for criterion in ("**Position**", "**Evidence and attribution**", "**The strongest opposing view**",
                      "**Limits and uncertainty**", "**Clarity**"):
        row = next(line for line in brief.splitlines() if line.startswith(f"| {criterion}"))
        assert row in q8.rubric, criterion


def test_the_look_ups_give_what_the_questions_ask_to_count_or_compute():
    """Students answer from printed tables: the printed figures must lead to the graded answer."""
    import contextlib
    import io
    import re

    from escalation.grading.source import load_exercise
    from escalation.grading.student import setup_namespace
    from escalation.variants import ids_covering

    ns = setup_namespace(load_exercise("ex01_reading"))
    articles, kwic, count = ns["articles"], ns["kwic"], ns["count_phrase"]
    for word in ns["Q1_WORDS"] + ["Kiev", "Kyiv"]:  # one KWIC line per counted occurrence
        assert sum(len(kwic(a.body, word)) for a in articles) == sum(count(a.body, word) for a in articles)
    for word in ns["Q10_WORDS"]:  # Q10 prints one marked paragraph per KWIC line: every whole-word occurrence
        assert all(len(kwic(a.body, word)) == count(a.body, word) for a in articles)
    exercise = load_exercise("ex04_rhetoric")
    ns = setup_namespace(exercise)
    lookup = next(c for c in nbformat.read(exercise.path, as_version=4).cells
                  if nbgrader(c).get("grade_id") == "lookup_coding").source
    for sid in ids_covering("ex04.coder_b", len(ns["CODER_B_VARIANTS"])).values():
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):  # the look-up cell itself, as the student runs it
            exec(lookup, dict(ns, student_id=sid))
        text = printed.getvalue()
        p_o, p_e = (float(x) for x in re.search(r"p_o = \d+/\d+ = ([\d.]+); p_e = ([\d.]+)", text).groups())
        d_o, d_e = (float(x) for x in re.search(r"D_o = ([\d.]+); expected disagreement D_e = ([\d.]+)", text).groups())
        b = ns["your_coder_b"](sid)
        assert abs((p_o - p_e) / (1 - p_e) - ns["agreement"].cohen_kappa(ns["coder_a"], b)) < 0.0015, sid
        assert abs(1 - d_o / d_e - ns["agreement"].krippendorff_alpha_nominal([ns["coder_a"], b])) < 0.0015, sid
