"""Grade the generated sample submissions and check the gradebook against how each sample was built.

The samples come from tools/make_sample_submissions.py: each says which questions it answers right and
what status and reasons grading must give. Expected points are the source's points for the questions
built right, so nothing here is copied from a grading run.
"""
from __future__ import annotations

import csv
import hashlib
import importlib.util
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from escalation.grading import cli, sandbox
from escalation.grading.batch import Progress, find_submissions, grade_folder, safe_name
from escalation.grading.report import write_reports
from escalation.grading.protocol import Worker
from escalation.grading.score import grade_notebook
from escalation.grading.source import all_sources, load_exercise

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 3.0
SEALED = sandbox.landlock_abi() >= 1  # where the kernel cannot seal, these tests grade with --no-sandbox
MODE = "sealed" if SEALED else "unsealed"
UNSEALED_FLAG = [] if SEALED else ["--no-sandbox"]
# samples whose attack the seal (with signal scoping, Landlock ABI 6+) turns into a plain error in the cell
SEALED_REFUSES = {"kills_worker"} if sandbox.landlock_abi() >= 6 else set()


def load_tool():
    spec = importlib.util.spec_from_file_location("make_sample_submissions", ROOT / "tools" / "make_sample_submissions.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_sample_submissions"] = module
    spec.loader.exec_module(module)
    return module


TOOL = load_tool()


def checksums(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module", autouse=True)
def grading_key(tmp_path_factory):
    """A grading key of the tests' own (the real one lives in the user's data folder)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ESCALATION_GRADING_KEY", str(tmp_path_factory.mktemp("key") / "grading.key"))
        yield


@pytest.fixture(scope="module")
def exercise():
    return load_exercise("ex01_reading")


@pytest.fixture(scope="module")
def graded(tmp_path_factory, exercise):
    folder = tmp_path_factory.mktemp("submissions")
    samples = TOOL.write_samples(folder, exercise)
    before = checksums(folder)
    out = tmp_path_factory.mktemp("grades")
    code = cli.main(["grade", str(exercise.path), str(folder), "--out", str(out), "--timeout", str(TIMEOUT),
                     "--jobs", "2", "--quiet", *UNSEALED_FLAG])
    assert code == 0
    with (out / "gradebook.csv").open(encoding="utf-8") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    return {"folder": folder, "samples": samples, "before": before, "out": out, "rows": rows}


def test_one_row_per_sample_with_expected_status_points_and_reasons(graded, exercise):
    rows, samples = graded["rows"], graded["samples"]
    assert sorted(rows) == sorted(s.student for s in samples)
    for s in samples:
        row = rows[s.student]
        if s.status == "graded" and s.student.startswith("cheat_"):
            assert row["status"].startswith("graded"), s.student
        elif s.student in SEALED_REFUSES:
            # sealed, the kernel refuses the signal to the grader: the cell fails, nothing else happens
            assert row["status"] == "graded" and row["mode"] == MODE, (s.student, row["reasons"])
        else:
            assert row["status"] == s.status, (s.student, row["status"], row["reasons"])
        gradable = s.status.startswith("graded")
        expected_auto = 0.0
        for q in exercise.questions:
            if q.kind == "auto":
                want = q.points if (gradable and q.key in s.right) else 0.0
                assert float(row[q.key]) == want, (s.student, q.key, row["reasons"])
                expected_auto += want
            elif gradable and q.key not in s.written:
                assert row[q.key] == "0", (s.student, q.key)  # unanswered written answer
            elif gradable:
                assert row[q.key] == "", (s.student, q.key)  # awaiting manual grading
        assert float(row["auto_points"]) == expected_auto
        assert float(row["total"]) == expected_auto  # no manual scores merged yet
        assert float(row["max_points"]) == exercise.max_points
        for fragment in s.reasons if s.student not in SEALED_REFUSES else ():
            assert fragment in row["reasons"], (s.student, fragment, row["reasons"])
        assert row["mode"] == (MODE if gradable else ""), s.student


def test_tampering_earns_no_point(graded):
    cheats = [s for s in graded["samples"] if s.student.startswith("cheat_")]
    assert len(cheats) >= 5
    for s in cheats:
        assert float(graded["rows"][s.student]["auto_points"]) == 0, s.student


def test_objects_with_lying_eq_are_refused_as_not_plain_data(graded, exercise):
    reasons = graded["rows"]["cheat_eq"]["reasons"]
    first, second = [q.variables[0] for q in exercise.questions if q.kind == "auto"][:2]
    assert f"{first} is not plain data" in reasons and "Always" in reasons
    assert f"{second} is not plain data" in reasons and "Sneaky" in reasons


def test_failures_do_not_stop_the_rest_of_the_notebook(graded, exercise):
    auto = {q.key for q in exercise.questions if q.kind == "auto"}
    for name in ("infinite_loop", "stubborn_loop", "os_exit", "segfault", "sys_exit"):
        sample = next(s for s in graded["samples"] if s.student == name)
        (broken,) = auto - sample.right  # exactly one question is broken, the others are right
        want = exercise.auto_points - exercise.question(broken).points
        assert want > 0 and float(graded["rows"][name]["auto_points"]) == want, name


def test_stderr_warnings_and_huge_output_do_not_cost_points(graded, exercise):
    for name in ("stderr_warnings", "huge_output"):
        assert float(graded["rows"][name]["auto_points"]) == exercise.auto_points


def test_submissions_are_never_modified(graded):
    assert checksums(graded["folder"]) == graded["before"]
    assert not (graded["out"] / "results" / "results").exists()


def test_lms_layouts_give_the_documented_ids(graded):
    rows = graded["rows"]
    assert rows["Dana Example_4711"]["file"] == "Dana Example_4711_assignsubmission_file_/ex01_reading.ipynb"
    assert rows["eve"]["file"] == "eve_ex01_reading.ipynb"


def test_feedback_pages_show_visible_messages_but_no_hidden_tests_or_model_answers(graded, exercise):
    hidden_lines = [line.strip() for t in exercise.tests.values() for line in t.hidden.splitlines()
                    if len(re.sub(r"\W", "", line)) >= 4]  # not a line such as "]" or "))", found in any page
    model = [q.model_answer for q in exercise.questions if q.kind == "written"]
    pages = list((graded["out"] / "feedback").glob("*.html"))
    assert len(pages) == len(graded["samples"])
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for line in hidden_lines:
            assert line not in text, (page.name, line)
        assert "HIDDEN" not in text and "BEGIN SOLUTION" not in text
        for m in model:
            assert m[:60] not in text
    partly = (graded["out"] / "feedback" / "partly_right.html").read_text(encoding="utf-8")
    first, second = [q.key.upper() for q in exercise.questions if q.kind == "auto"][:2]
    assert f"✔ {first}" in partly and f"✘ {second}" in partly  # the visible checks' own words
    assert "Rubric" in partly
    exits = (graded["out"] / "feedback" / "sys_exit.html").read_text(encoding="utf-8")
    assert "Your answer cell raised SystemExit: bye" in exits
    if SEALED_REFUSES and not sandbox.namespaces_available():
        kills = (graded["out"] / "feedback" / "kills_worker.html").read_text(encoding="utf-8")
        assert "Your answer cell raised PermissionError" in kills
    # in its own PID namespace the notebook's process has no parent it can name (os.getppid() is 0): the kill
    # reaches nobody, and the row is graded (test_one_row_per_sample_with_expected_status_points_and_reasons)
    blank = (graded["out"] / "feedback" / "blank.html").read_text(encoding="utf-8")
    assert "not answered yet" in blank


def test_summary_figure_and_text_alternative(graded, exercise):
    out = graded["out"]
    assert (out / "summary.png").read_bytes()[:4] == b"\x89PNG"
    text = (out / "summary.txt").read_text(encoding="utf-8")
    ungradable = sum(1 for s in graded["samples"] if not s.status.startswith("graded"))
    assert f"{len(graded['samples']) - ungradable} submissions graded, {ungradable} could not be graded" in text
    assert "q5 not graded yet" in text


def test_rerun_is_identical_and_reuses_saved_results(graded, exercise, tmp_path):
    out = graded["out"]
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in (out / "results").glob("*.json")}
    outputs = {p: p.read_bytes() for p in [out / "gradebook.csv", out / "summary.png", out / "summary.txt",
                                           *sorted((out / "feedback").glob("*")), *sorted((out / "written").glob("*"))]}
    assert cli.main(["grade", str(exercise.path), str(graded["folder"]), "--out", str(out),
                     "--timeout", str(TIMEOUT), "--quiet", *UNSEALED_FLAG]) == 0
    after = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in (out / "results").glob("*.json")}
    assert after == before  # nothing regraded, nothing rewritten
    for path, content in outputs.items():
        assert path.read_bytes() == content, path.name  # same bytes: no timestamps, fixed order


def test_written_export_and_manual_scores_survive_regrading(graded, exercise, tmp_path):
    out = graded["out"]
    page = (out / "written" / "q5.html").read_text(encoding="utf-8")
    from markupsafe import escape  # the template engine's own escaping (jinja2)

    assert str(escape(TOOL.WRITTEN_ANSWER)) in page and "Rubric" in page and "<script" not in page
    scores = tmp_path / "scores.csv"
    scores.write_text("\ufeffstudent;question;points;comment\ncorrect;q5;2,5;good\ncorrect;q8;3;\nblank;q5;;\n",
                      encoding="utf-8")  # as a spreadsheet in a decimal-comma locale saves it
    assert cli.main(["merge", "ex01_reading", str(scores), "--out", str(out), "--quiet"]) == 0
    rows = {r["student"]: r for r in csv.DictReader((out / "gradebook.csv").open(encoding="utf-8"))}
    assert rows["correct"]["q5"] == "2.5" and rows["correct"]["q8"] == "3"
    assert float(rows["correct"]["total"]) == exercise.auto_points + 5.5
    assert "good" in (out / "feedback" / "correct.html").read_text(encoding="utf-8")
    # re-running the autograder (even forcing a regrade of one file) keeps the manual scores
    (out / "results" / "correct.json").unlink()
    assert cli.main(["grade", "ex01_reading", str(graded["folder"]), "--out", str(out),
                     "--timeout", str(TIMEOUT), "--quiet", *UNSEALED_FLAG]) == 0
    rows = {r["student"]: r for r in csv.DictReader((out / "gradebook.csv").open(encoding="utf-8"))}
    assert rows["correct"]["q5"] == "2.5" and float(rows["correct"]["manual_points"]) == 5.5
    template = (out / "written" / "manual_scores_template.csv").read_text(encoding="utf-8")
    assert "correct,q5,2.5,good,3" in template


@pytest.mark.parametrize("content, message", [
    ("student,question,points\ncorrect,q1,1\n", "not a written question"),
    ("student,question,points\nnobody,q5,1\n", "no graded submission"),
    ("student,question,points\ncorrect,q5,9\n", "outside 0–3"),
    ("student,question,points\ncorrect,q5,lots\n", "not a number"),
    ("name,score\ncorrect,1\n", "needs the columns"),
])
def test_bad_manual_scores_are_refused_with_a_clear_message(graded, tmp_path, capsys, content, message):
    scores = tmp_path / "bad.csv"
    scores.write_text(content, encoding="utf-8")
    manual = graded["out"] / "manual_scores.csv"
    before = manual.read_bytes() if manual.exists() else None
    assert cli.main(["merge", "ex01_reading", str(scores), "--out", str(graded["out"])]) == 2
    assert message in capsys.readouterr().err
    assert (manual.read_bytes() if manual.exists() else None) == before


def test_a_killed_batch_resumes_where_it_stopped(exercise, tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    slow_q1 = {"q1_answer": "import time\ntime.sleep(1.5)\n" + TOOL.solution_code(exercise, "q1_answer")}
    for i in range(6):  # each student types their own id (per-student variants)
        nb = (TOOL.filled(exercise, {q.key for q in exercise.questions}, student_id=f"s{i}") if i % 2
              else TOOL.filled(exercise, set(), override=slow_q1, student_id=f"s{i}"))
        (folder / f"s{i}.ipynb").write_bytes(TOOL.to_bytes(nb))
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "escalation.grading", "grade", str(exercise.path), str(folder),
                             "--out", str(out), "--jobs", "1", "--quiet", *UNSEALED_FLAG], start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list((out / "results").glob("*.json"))) < 2:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    saved = {p.name: p.stat().st_mtime_ns for p in (out / "results").glob("*.json")}
    assert 2 <= len(saved) < 6
    for p in (out / "results").glob("*.json"):
        json.loads(p.read_text(encoding="utf-8"))  # complete files only (atomic writes)
    results = grade_folder(exercise, folder, out, jobs=2, quiet=True, seal=SEALED)
    assert len(results) == 6
    for name, mtime in saved.items():
        assert (out / "results" / name).stat().st_mtime_ns == mtime  # reused, not regraded
    for r in results:  # odd files are fully right; even ones only have q1 right (after a pause)
        want = exercise.auto_points if int(r.student[1:]) % 2 else exercise.question("q1").points
        assert (r.status, r.auto_total) == ("graded", want), r.student


def test_progress_bar_and_quiet_mode():
    stream = io.StringIO()
    bar = Progress(4, quiet=False, stream=stream)
    for _ in range(4):
        bar.step("x")
    assert "grading: 4/4 done" in stream.getvalue()
    silent = io.StringIO()
    bar = Progress(4, quiet=True, stream=silent)
    bar.step()
    assert silent.getvalue() == ""


def test_student_ids_from_paths(tmp_path):
    for rel in ["alice.ipynb", "bob_ex01_reading.ipynb", "Carol Smith_99_assignsubmission_file_/ex01_reading.ipynb",
                "dave/nested/deeper/ex01_reading.ipynb", "dave/notes.ipynb", ".ipynb_checkpoints/alice-checkpoint.ipynb",
                "__MACOSX/alice.ipynb"]:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}", encoding="utf-8")
    (tmp_path / "Frank_7_assignsubmission_file_").mkdir()
    (tmp_path / "Frank_7_assignsubmission_file_" / "answers.pdf").write_bytes(b"%PDF")
    subs = {s.student: s for s in find_submissions(tmp_path, "ex01_reading")}
    assert sorted(subs) == ["Carol Smith_99", "Frank_7", "alice", "bob", "dave"]
    assert subs["Frank_7"].path is None and "answers.pdf" in subs["Frank_7"].notes[0]
    assert subs["dave"].rel == "dave/nested/deeper/ex01_reading.ipynb"
    assert "ignored dave/notes.ipynb" in subs["dave"].notes[0]
    assert safe_name("alice") == "alice" and safe_name("Carol Smith_99") != safe_name("Carol/Smith_99")


def test_missing_folder_and_unknown_exercise_give_clear_errors(tmp_path, capsys):
    assert cli.main(["grade", "ex01_reading", str(tmp_path / "nope"), "--out", str(tmp_path / "o"), *UNSEALED_FLAG]) == 2
    assert "does not exist" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert cli.main(["grade", "ex01_reading", str(tmp_path / "empty"), "--out", str(tmp_path / "o"), *UNSEALED_FLAG]) == 1
    assert "No submissions in" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
    assert cli.main(["grade", "ex77_nothing", str(tmp_path)]) == 2
    assert "No exercise source 'ex77_nothing'" in capsys.readouterr().err


def test_reports_can_be_rebuilt_from_results_only(graded, exercise, tmp_path):
    from escalation.grading.result import Result

    results = [Result.from_dict(json.loads(p.read_text(encoding="utf-8"))["result"])
               for p in sorted((graded["out"] / "results").glob("*.json"))]
    paths = write_reports(tmp_path, exercise, sorted(results, key=lambda r: r.student))
    assert paths["gradebook"].read_text(encoding="utf-8").splitlines()[0].startswith("student,file,status,q1")


@pytest.mark.parametrize("source", all_sources(), ids=[p.stem for p in all_sources()])
def test_every_set_grades_its_basic_samples_as_built(source, tmp_path):
    """correct / partly right / blank / retyped / duplicated samples of each set give the constructed points."""
    exercise = load_exercise(source)
    wanted = {"correct", "partly_right", "blank", "retyped", "duplicated", "deleted_cells"}
    samples = [s for s in TOOL.samples(exercise) if s.student in wanted]
    worker = _shared_worker()
    for s in samples:
        path = tmp_path / s.path
        path.write_bytes(s.content)
        result = grade_notebook(exercise, path, s.student, worker, timeout=30, seal=SEALED)
        want = {q.key: (q.points if q.key in s.right else 0.0) for q in exercise.questions if q.kind == "auto"}
        assert (result.status, result.scores) == ("graded", want), (s.student, result.reasons, result.test_messages)


_WORKER = []


def _shared_worker():
    if not _WORKER or not _WORKER[0].alive:
        _WORKER[:] = [Worker()]
    return _WORKER[0]


def teardown_module(module):
    for w in _WORKER:
        w.close()


# ----------------------------------------------------------------------------- integrity, ids, clean-up
def test_a_forged_result_is_regraded_on_resume_and_flagged_by_merge(exercise, tmp_path, capsys):
    from escalation.grading import integrity

    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "blank.ipynb").write_bytes(TOOL.to_bytes(TOOL.filled(exercise, set())))
    (folder / "other.ipynb").write_bytes(TOOL.to_bytes(TOOL.filled(exercise, set())))
    out = tmp_path / "out"
    args = ["grade", "ex01_reading", str(folder), "--out", str(out), "--timeout", str(TIMEOUT), "--quiet", *UNSEALED_FLAG]
    assert cli.main(args) == 0
    saved = out / "results" / "blank.json"
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert integrity.verify(data) and not integrity.verify(dict(data, key="x"))
    first = next(q for q in exercise.questions if q.kind == "auto")
    data["result"]["scores"][first.key] = 600.0  # edited by hand, MAC left as it was
    saved.write_text(json.dumps(data), encoding="utf-8")
    # merge (no regrading): the forged row is not trusted
    scores = tmp_path / "scores.csv"
    scores.write_text("student,question,points\n", encoding="utf-8")
    assert cli.main(["merge", "ex01_reading", str(scores), "--out", str(out), "--quiet"]) == 0
    rows = {r["student"]: r for r in csv.DictReader((out / "gradebook.csv").open(encoding="utf-8"))}
    assert rows["blank"]["status"] == "integrity_failed" and float(rows["blank"]["total"]) == 0
    assert "integrity check" in rows["blank"]["reasons"] and rows["other"]["status"] == "graded"
    # a copy of another student's valid file under this name is not trusted either
    (out / "results" / "blank.json").write_text((out / "results" / "other.json").read_text(encoding="utf-8"),
                                                encoding="utf-8")
    assert cli.main(["written", "ex01_reading", "--out", str(out), "--quiet"]) == 0
    # grade again (resume): the forged file is regraded, the valid one reused
    other_mtime = (out / "results" / "other.json").stat().st_mtime_ns
    assert cli.main(args) == 0
    rows = {r["student"]: r for r in csv.DictReader((out / "gradebook.csv").open(encoding="utf-8"))}
    assert rows["blank"]["status"] == "graded" and float(rows["blank"][first.key]) == 0
    assert (out / "results" / "other.json").stat().st_mtime_ns == other_mtime
    assert integrity.verify(json.loads(saved.read_text(encoding="utf-8")))


def test_stored_scores_above_a_question_are_clamped_and_flagged(exercise):
    from escalation.grading.report import gradebook_rows
    from escalation.grading.result import Result

    auto = next(q for q in exercise.questions if q.kind == "auto")
    written = next(q for q in exercise.questions if q.kind == "written")
    result = Result("mallory", "m.ipynb", "graded", scores={auto.key: 600.0}, written={written.key: "text"})
    (row,) = gradebook_rows(exercise, [result], {("mallory", written.key): (99.0, "")})
    assert float(row[auto.key]) == auto.points and float(row[written.key]) == written.points
    assert float(row["total"]) == auto.points + written.points <= exercise.max_points
    assert "600" in row["reasons"] and "outside 0–" in row["reasons"] and "(manual)" in row["reasons"]
    (row,) = gradebook_rows(exercise, [Result("m", "m", "graded", scores={auto.key: -3.0})], {})
    assert float(row[auto.key]) == 0 and "outside" in row["reasons"]


@pytest.mark.parametrize("typed, identity_ids, ok", [
    ("asmith", ("asmith", "asmith_ex01_reading"), True),
    ("ASmith ", ("asmith",), True),
    ("alice  smith", ("Alice Smith_1234", "Alice Smith"), True),
    ("Alice Smith_1234", ("Alice Smith_1234",), True),
    ("1234", ("Alice Smith_1234", "Alice Smith"), False),  # a single token never counts
    ("smith", ("Alice Smith_1234", "Alice Smith"), False),
    ("Jones+.", ("Jones",), False),  # punctuation changes the variant, so it changes the match too
    ("bob", ("alice", "alice_ex01_reading"), False),
    ("", ("alice",), False),
])
def test_a_typed_id_must_be_one_of_the_identity_s_names_whole(typed, identity_ids, ok):
    from escalation.grading.score import id_matches

    assert id_matches(typed, *identity_ids) is ok


def test_the_tests_see_the_identity_never_the_typed_id(exercise):
    """The tests run with the identity's student_id whatever the notebook typed; the typed id is only compared."""
    from escalation.grading.runner import Plan
    from escalation.grading.score import asks_for_id, grade_plan

    probe = {"cells": [], "values": {}, "problems": {}}
    plan = Plan([], [], {})
    _, _, _, seen = grade_plan(exercise, plan, probe, ("alice", "alice_ex01_reading"))
    assert seen == "alice" and plan.id_check == ("missing" if asks_for_id(exercise) else "")
    plan = Plan([], [], {})
    _, reasons, _, seen = grade_plan(exercise, plan, dict(probe, values={"student_id": {"t": "str", "v": "Bob Jones"}}),
                                     ("alice",))
    assert seen == "alice" and plan.id_check == "mismatch" and plan.entered_id == "Bob Jones"
    assert any("is not this student's" in r and "alice" in r for r in reasons)
    plan = Plan([], [], {})
    grade_plan(exercise, plan, dict(probe, values={"student_id": {"t": "str", "v": "dana example"}}),
               ("Dana Example_4711", "Dana Example"))
    assert plan.id_check == "ok"
    plan = Plan([], [], {})
    _, _, _, seen = grade_plan(exercise, plan, dict(probe, values={"student_id": {"t": "ellipsis"}}), ("alice",))
    assert seen == "alice" and plan.id_check == ("missing" if asks_for_id(exercise) else "")


def test_a_killed_batch_leaves_no_worker_and_the_next_run_clears_its_temporary_folders(exercise, tmp_path):
    import tempfile

    from escalation.grading.batch import clear_leftovers
    from escalation.grading.files import SCRATCH_PREFIX

    folder = tmp_path / "subs"
    folder.mkdir()
    slow = TOOL.to_bytes(TOOL.filled(exercise, set(), override={"q1_answer": "import time\ntime.sleep(30)\nq1 = 7"}))
    for i in range(2):
        (folder / f"s{i}.ipynb").write_bytes(slow)
    proc = subprocess.Popen([sys.executable, "-m", "escalation.grading", "grade", str(exercise.path), str(folder),
                             "--out", str(tmp_path / "out"), "--jobs", "2", "--quiet", *UNSEALED_FLAG])
    mine = f"{SCRATCH_PREFIX}{proc.pid}-"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(n.startswith(mine) for n in os.listdir(tempfile.gettempdir())):
        time.sleep(0.05)
    time.sleep(0.5)
    proc.kill()  # only the grader: its workers and the notebooks' processes must follow it
    proc.wait()
    deadline = time.monotonic() + 10
    stray = ["?"]
    while stray and time.monotonic() < deadline:
        stray = []
        for entry in filter(str.isdigit, os.listdir("/proc")):
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
                cwd = os.readlink(f"/proc/{entry}/cwd")
            except (OSError, ValueError, IndexError):
                continue
            if ppid == proc.pid or mine in cwd:
                stray.append(entry)
        time.sleep(0.1)
    assert stray == []
    left = [n for n in os.listdir(tempfile.gettempdir()) if n.startswith(mine)]
    assert left, "the killed grader had no chance to remove its folder: the next run must"
    removed = clear_leftovers()
    assert all(os.path.join(tempfile.gettempdir(), n) in removed for n in left)
    assert not [n for n in os.listdir(tempfile.gettempdir()) if n.startswith(mine)]


def test_default_output_folder_is_ignored_by_git(tmp_path):
    from escalation.grading.cli import DEFAULT_OUT

    proc = subprocess.run(["git", "check-ignore", "-q", f"{DEFAULT_OUT}/ex01_reading/gradebook.csv"], cwd=ROOT)
    if proc.returncode == 128:
        pytest.skip("not a git checkout")
    assert proc.returncode == 0


def test_the_grading_key_is_private_and_a_mac_needs_it(tmp_path, monkeypatch):
    from escalation.grading import integrity

    monkeypatch.setenv("ESCALATION_GRADING_KEY", str(tmp_path / "keys" / "grading.key"))
    signed = integrity.sign({"key": "k", "result": {"student": "a", "scores": {"q1": 1.0}}})
    assert (tmp_path / "keys" / "grading.key").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "keys").stat().st_mode & 0o777 == 0o700
    assert integrity.verify(signed)
    assert not integrity.verify(dict(signed, result={"student": "a", "scores": {"q1": 600.0}}))
    monkeypatch.setenv("ESCALATION_GRADING_KEY", str(tmp_path / "other.key"))
    assert not integrity.verify(signed)  # another user's (or machine's) key: not trusted
    monkeypatch.setenv("ESCALATION_GRADING_KEY", "/proc/no/such/folder/grading.key")
    with pytest.raises(ValueError, match="cannot be read or created"):
        integrity.load_key()
