"""nbgrader compatibility: the real nbgrader (pinned 0.9.6) grades our source and gives our scores.

In a temporary course folder with its own nbgrader_config.py and sqlite gradebook (no exchange, no
network): `nbgrader generate_assignment` turns the source into nbgrader's release version; submissions
are made from that release (so nbgrader's own checksums and cell metadata are in them); `nbgrader
autograde` grades them; our grader grades the same files; the points per test cell must be equal.
"""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from escalation.grading import sandbox
from escalation.grading.protocol import Worker
from escalation.grading.score import grade_notebook
from support.nbgrader_course import NBGRADER, make_course
from escalation.grading.source import load_exercise

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not NBGRADER.exists(), reason="nbgrader is not installed next to this Python")]


def load_tool():
    spec = importlib.util.spec_from_file_location("make_sample_submissions_nbg", ROOT / "tools" / "make_sample_submissions.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def run_nbgrader(args: list[str], root: Path, env: dict) -> None:
    proc = subprocess.run([str(NBGRADER), *args], cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


def nbgrader_scores(root: Path, assignment: str, notebook: str, students: list[str]) -> dict:
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{root}/gradebook.db") as gb:
        for student in students:
            nb = gb.find_submission_notebook(notebook, assignment, student)
            scores[student] = {g.name: g.auto_score for g in nb.grades if g.auto_score is not None}
    return scores


def test_nbgrader_and_our_grader_give_the_same_scores(tmp_path):
    tool = load_tool()
    exercise = load_exercise("ex01_reading")
    root = tmp_path / "course"
    env = make_course(root, exercise)
    run_nbgrader(["generate_assignment", exercise.name, "--create", "--force"], root, env)
    release = json.loads((root / "release" / exercise.name / exercise.path.name).read_text(encoding="utf-8"))
    assert "BEGIN SOLUTION" not in json.dumps(release) and "BEGIN HIDDEN" not in json.dumps(release)
    auto = [q.key for q in exercise.questions if q.kind == "auto"]
    plans = {"alice": set(auto), "bob": set(), "carol": set(auto[::2])}
    for student, right in plans.items():
        folder = root / "submitted" / student / exercise.name
        folder.mkdir(parents=True)
        nb = tool.filled(exercise, right, base=release)
        for cell in nb["cells"]:  # the student types their id (per-student variants), so both graders agree on it
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "student_id":
                cell["source"] = f'student_id = "{student}"'
        (folder / exercise.path.name).write_bytes(tool.to_bytes(nb))
    run_nbgrader(["autograde", exercise.name, "--create", "--force"], root, env)
    theirs = nbgrader_scores(root, exercise.name, exercise.path.stem, sorted(plans))
    worker = Worker()
    try:
        for student, right in plans.items():
            path = root / "submitted" / student / exercise.name / exercise.path.name
            ours = grade_notebook(exercise, path, student, worker, timeout=60, seal=sandbox.landlock_abi() >= 1)
            assert ours.status == "graded", ours.reasons
            for tid, test in exercise.tests.items():
                assert theirs[student][tid] == (test.points if test.key in right else 0.0), (student, tid)
                assert ours.scores[test.key] == sum(theirs[student][t] for t in exercise.question(test.key).test_ids)
    finally:
        worker.close()
