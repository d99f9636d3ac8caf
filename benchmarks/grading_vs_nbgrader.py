"""Grade 60 submissions of one exercise set with our grader and with `nbgrader autograde`; compare.

    python benchmarks/grading_vs_nbgrader.py [--students 60] [--exercise ex01_reading] [--jobs 2]

Submissions are made from nbgrader's own release version of the source (seeded random mix of right and
wrong answers), placed in nbgrader's `submitted/<student>/<assignment>/` layout, and graded by both
tools from the same files. Both are timed end to end as the instructor would run them (a fresh
command: `nbgrader autograde … --create --force` and `escalation-grade grade … --force --quiet`).
The script checks that every student's points per question are the same, then prints the times and
the ratio. Target: ours at least 2× faster on this 2-core machine.
"""
from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_tool():
    spec = importlib.util.spec_from_file_location("make_sample_submissions", ROOT / "tools" / "make_sample_submissions.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--exercise", default="ex01_reading")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--keep", action="store_true", help="keep the temporary course folder")
    args = parser.parse_args(argv)

    from escalation.grading.nbgrader_course import NBGRADER, make_course
    from escalation.grading.source import load_exercise

    tool = load_tool()
    exercise = load_exercise(args.exercise)
    tmp = Path(tempfile.mkdtemp(prefix="grading-bench-"))
    root = tmp / "course"
    env = make_course(root, exercise, course_id="bench")

    def run(cmd):
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
        if proc.returncode:
            sys.exit(f"{' '.join(map(str, cmd))} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
        return time.perf_counter() - start

    print(f"exercise {exercise.name}: {len(exercise.questions)} questions; {args.students} submissions; "
          f"{os.cpu_count()} cores; our workers: {args.jobs}")
    run([NBGRADER, "generate_assignment", exercise.name, "--create", "--force"])
    release = json.loads((root / "release" / exercise.name / exercise.path.name).read_text(encoding="utf-8"))
    auto = [q.key for q in exercise.questions if q.kind == "auto"]
    rng = random.Random(20261121)
    plans = {}
    for i in range(args.students):
        right = {k for k in auto if rng.random() < 0.7}
        student = f"student{i:03d}"
        plans[student] = right
        folder = root / "submitted" / student / exercise.name
        folder.mkdir(parents=True)
        (folder / exercise.path.name).write_bytes(tool.to_bytes(tool.filled(exercise, right, base=release)))

    ours_out = tmp / "ours"
    t_ours = run([sys.executable, "-m", "escalation.grading", "grade", str(exercise.path), str(root / "submitted"),
                  "--out", str(ours_out), "--jobs", str(args.jobs), "--force", "--quiet"])
    t_nbgrader = run([NBGRADER, "autograde", exercise.name, "--create", "--force"])

    from nbgrader.api import Gradebook

    with (ours_out / "gradebook.csv").open(encoding="utf-8") as handle:
        ours = {row["student"]: row for row in csv.DictReader(handle)}
    mismatches = 0
    with Gradebook(f"sqlite:///{root}/gradebook.db") as gb:
        for student, right in plans.items():
            nb = gb.find_submission_notebook(exercise.path.stem, exercise.name, student)
            theirs = {g.name: g.auto_score for g in nb.grades if g.auto_score is not None}
            for q in exercise.questions:
                if q.kind != "auto":
                    continue
                nbg = sum(theirs[t] for t in q.test_ids)
                expected = q.points if q.key in right else 0.0
                if not (float(ours[student][q.key]) == nbg == expected):
                    mismatches += 1
                    print(f"MISMATCH {student} {q.key}: ours {ours[student][q.key]}, nbgrader {nbg}, built {expected}")
    n = args.students
    print(f"ours (escalation-grade, {args.jobs} workers): {t_ours:7.1f} s  ({1000 * t_ours / n:6.0f} ms per submission)")
    print(f"nbgrader autograde:                 {t_nbgrader:7.1f} s  ({1000 * t_nbgrader / n:6.0f} ms per submission)")
    print(f"ratio nbgrader / ours: {t_nbgrader / t_ours:.1f}x")
    print(f"scores identical for all {n} students: {'yes' if not mismatches else f'NO ({mismatches} mismatches)'}")
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print(f"kept {tmp}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
