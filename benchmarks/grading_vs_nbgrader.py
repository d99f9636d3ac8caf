"""Grade 60 submissions of one exercise set with our grader (sealed) and with `nbgrader autograde`; compare.

    python benchmarks/grading_vs_nbgrader.py [--students 60] [--exercise ex01_reading] [--jobs 2]

Submissions are made from nbgrader's own release version of the source (seeded random mix of right and
wrong answers, each with its student id typed in), placed in nbgrader's `submitted/<student>/<assignment>/`
layout, and graded by both tools from the same files. Both are timed end to end as the instructor would
run them (a fresh command: `nbgrader autograde … --create --force` and `escalation-grade grade … --force
--quiet`), ours twice: sealed (the default) and with `--no-sandbox`, so the seal's own cost per
submission shows. The script checks that every student's points per question are the same, then prints
the times and the ratios. Target: ours sealed at least 20× nbgrader's throughput on this 2-core machine.

It also measures, without timing anything else, what sealing one forked child costs (Landlock ruleset,
capabilities, limits: fork + seal + exit vs fork + exit), and the peak memory of the grading processes
while a notebook prints without end for 10 s (target: under 512 MB).
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the test helpers (tests/support)

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
    parser.add_argument("--skip-unsealed", action="store_true", help="do not time the unsealed run")
    args = parser.parse_args(argv)

    from support.nbgrader_course import NBGRADER, make_course
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
        nb = tool.filled(exercise, right, base=release)
        for cell in nb["cells"]:  # the student types their id (contract C2), so both graders see the same id
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "student_id":
                cell["source"] = f'student_id = "{student}"'
        (folder / exercise.path.name).write_bytes(tool.to_bytes(nb))

    load_before = os.getloadavg()
    ours_out = tmp / "ours"
    grade = [sys.executable, "-m", "escalation.grading", "grade", str(exercise.path), str(root / "submitted"),
             "--out", str(ours_out), "--jobs", str(args.jobs), "--force", "--quiet"]
    t_ours = run(grade)
    t_unsealed = run(grade[:-1] + ["--no-sandbox", "--quiet"]) if not args.skip_unsealed else float("nan")
    t_ours = min(t_ours, run(grade))  # sealed again, after the unsealed run, to even out the machine's load
    t_nbgrader = run([NBGRADER, "autograde", exercise.name, "--create", "--force"])
    load_after = os.getloadavg()

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
    print(f"ours sealed (escalation-grade, {args.jobs} workers): {t_ours:7.1f} s  ({1000 * t_ours / n:6.0f} ms per submission)")
    if not args.skip_unsealed:
        print(f"ours unsealed (--no-sandbox):                {t_unsealed:7.1f} s  ({1000 * t_unsealed / n:6.0f} ms per "
              f"submission; the seal adds {1000 * (t_ours - t_unsealed) / n:+.0f} ms per submission end to end)")
    print(f"nbgrader autograde:                          {t_nbgrader:7.1f} s  ({1000 * t_nbgrader / n:6.0f} ms per submission)")
    print(f"ratio nbgrader / ours sealed: {t_nbgrader / t_ours:.1f}x (target >= 20x)")
    print(f"scores identical for all {n} students: {'yes' if not mismatches else f'NO ({mismatches} mismatches)'}")
    print(f"machine load (1/5/15 min) before: {load_before[0]:.2f}/{load_before[1]:.2f}/{load_before[2]:.2f}, "
          f"after: {load_after[0]:.2f}/{load_after[1]:.2f}/{load_after[2]:.2f} on {os.cpu_count()} cores")
    seal_cost()
    stage_costs(exercise, tool, tmp, root / "submitted" / "student000" / exercise.name / exercise.path.name)
    endless_output_memory(exercise, tool, tmp)
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print(f"kept {tmp}")
    return 1 if mismatches else 0


def seal_cost(rounds: int = 200) -> None:
    """Fork a child that exits at once, with and without sealing itself first; print the difference per fork."""
    from escalation.grading import sandbox

    abi = sandbox.landlock_abi()
    if abi < 1:
        print(f"seal cost: not measured ({sandbox.unavailable_reason()})")
        return
    readable = sandbox.read_paths()
    scratch = tempfile.mkdtemp(prefix="seal-cost-")

    def fork_all(seal: bool) -> float:
        start = time.perf_counter()
        for _ in range(rounds):
            pid = os.fork()
            if pid == 0:
                code = 0
                try:
                    if seal:
                        sandbox.seal(scratch, readable, abi)
                except BaseException:  # noqa: BLE001
                    code = 1
                os._exit(code)
            _, status = os.waitpid(pid, 0)
            if status:
                sys.exit("sealing failed in the seal-cost measurement")
        return (time.perf_counter() - start) / rounds

    plain, sealed = [], []
    for _ in range(5):  # interleaved, best of five: the machine may be busy with other work
        plain.append(fork_all(False))
        sealed.append(fork_all(True))
    plain, sealed = min(plain), min(sealed)
    shutil.rmtree(scratch, ignore_errors=True)
    print(f"seal cost per child (Landlock ABI {abi}, {len(readable)} read rules): {1000 * (sealed - plain):.2f} ms "
          f"(fork + exit {1000 * plain:.2f} ms, fork + seal + exit {1000 * sealed:.2f} ms)")


def stage_costs(exercise, tool, tmp: Path, path: Path, rounds: int = 15) -> None:
    """What the separate checking process and the namespaces each cost per submission (medians of `rounds`).

    The checking process: a sealed check job in a warm worker against the same tests run in the grader's own
    process (as before the checking process existed). The namespaces (user, PID and mount, with the tmpfs):
    one submission graded in a warm worker with them and without (ESCALATION_FORCE_NO_NAMESPACES=1)."""
    import statistics

    from escalation.grading.check import run_tests
    from escalation.grading.protocol import Worker
    from escalation.grading.score import check_values, grade_notebook

    values = {q: 1 for q in exercise.variables}

    def median_ms(call) -> float:
        call()  # warm
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            call()
            times.append(time.perf_counter() - start)
        return 1000 * statistics.median(times)

    here = median_ms(lambda: run_tests(exercise, values, "student000"))
    per_submission = {}
    for namespaces in (True, False):
        os.environ.pop("ESCALATION_FORCE_NO_NAMESPACES", None)
        if not namespaces:
            os.environ["ESCALATION_FORCE_NO_NAMESPACES"] = "1"
        worker = Worker()
        try:
            if namespaces:
                checking = median_ms(lambda: check_values(exercise, values, "student000", worker))
            per_submission[namespaces] = median_ms(lambda: grade_notebook(exercise, path, "student000", worker))
        finally:
            worker.close()
    os.environ.pop("ESCALATION_FORCE_NO_NAMESPACES", None)
    print(f"checking process: {checking:.1f} ms per submission for a sealed check job (fork, namespaces, seal, "
          f"set-up, tests) against {here:.1f} ms for the same tests in the grader's process: "
          f"{checking - here:+.1f} ms per submission (median of {rounds})")
    print(f"namespaces (user, PID, mount with a {64} MB tmpfs): one submission {per_submission[True]:.1f} ms with "
          f"them, {per_submission[False]:.1f} ms without: {per_submission[True] - per_submission[False]:+.1f} ms per "
          f"submission (two sealed processes each; median of {rounds})")


def endless_output_memory(exercise, tool, tmp: Path, seconds: float = 10.0) -> None:
    """Peak memory of the grading processes while one notebook prints without end."""
    import threading

    from escalation.grading.protocol import Worker
    from escalation.grading.score import grade_notebook
    from escalation.grading.worker import descendants

    first = next(q for q in exercise.questions if q.kind == "auto").answer_ids[0]
    path = tmp / "endless.ipynb"
    path.write_bytes(tool.to_bytes(tool.filled(exercise, set(), override={first: "while True:\n    print('spam ' * 20)\n"})))
    worker = Worker()
    peak = {"pss": 0, "rss": 0}
    stop = threading.Event()

    def field(pid, name, where):
        try:
            with open(f"/proc/{pid}/{where}") as handle:
                return next(int(line.split()[1]) for line in handle if line.startswith(name + ":")) * 1024
        except (OSError, StopIteration):
            return 0

    def watch():
        while not stop.is_set():
            pids = [os.getpid(), worker.proc.pid] + descendants(worker.proc.pid)
            peak["pss"] = max(peak["pss"], sum(field(p, "Pss", "smaps_rollup") for p in pids))
            peak["rss"] = max(peak["rss"], max(field(p, "VmRSS", "status") for p in pids))
            time.sleep(0.05)

    thread = threading.Thread(target=watch)
    thread.start()
    try:
        result = grade_notebook(exercise, path, "endless", worker, timeout=seconds)
    finally:
        stop.set()
        thread.join()
        worker.close()
    stopped = [c["label"] for c in result.cells if c["status"] == "timeout"]
    print(f"endless output for {seconds:g} s (cell {', '.join(stopped) or 'not stopped?'} timed out): peak memory of the "
          f"grading processes (grader + worker + notebook) {peak['pss'] / 2**20:.0f} MB PSS; largest single process "
          f"{peak['rss'] / 2**20:.0f} MB RSS (target < 512 MB)")


if __name__ == "__main__":
    sys.exit(main())
