"""escalation-grade collect: hub home folders -> one folder per student, never touching the student's file."""
import csv
import hashlib
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from escalation.grading.batch import find_submissions
from escalation.grading.cli import main
from escalation.grading.collect import CollectError, collect, parse_deadline, read_roster

REPO = Path(__file__).resolve().parents[1]
SET = "ex03_red_lines"
STUDENT_FILE = REPO / "exercises" / "student" / SET / f"{SET}.ipynb"
DEADLINE = datetime(2026, 3, 1, 23, 59, tzinfo=timezone.utc)


def place(homes: Path, user: str, text: str, when: datetime, prefix: str = "") -> Path:
    path = homes / f"{prefix}{user}" / "escalation-debates" / "exercises" / "student" / SET / f"{SET}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def report(out: Path) -> dict[str, dict]:
    with open(out / "collect_report.csv", encoding="utf-8") as f:
        return {r["student"]: r for r in csv.DictReader(f)}


@pytest.fixture
def homes(tmp_path) -> Path:
    homes = tmp_path / "home"
    base = STUDENT_FILE.read_text(encoding="utf-8")
    place(homes, "alice", base.replace("q1 = ...", "q1 = 3", 1), datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc))
    place(homes, "bob", base, datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc))  # after the deadline
    place(homes, "zoe", base, datetime(2026, 2, 1, tzinfo=timezone.utc))  # not on the roster
    (homes / "carol").mkdir()  # logged in, never pulled the module
    return homes


def test_every_student_gets_a_folder_and_a_report_row(homes, tmp_path):
    before = {p: (digest(p), p.stat().st_mtime_ns) for p in homes.rglob("*.ipynb")}
    out = tmp_path / "submissions"
    rows = collect(SET, homes, out, roster=["alice", "bob", "carol", "dave"], deadline=DEADLINE)
    assert [(r.student, r.status) for r in rows] == [
        ("alice", "collected"), ("bob", "late"), ("carol", "missing"), ("dave", "missing"), ("zoe", "not_on_roster")]
    for path, (h, mtime) in before.items():  # the students' files are untouched
        assert (digest(path), path.stat().st_mtime_ns) == (h, mtime)
    for user in ("alice", "bob", "zoe"):
        src = next(p for p in before if p.parts[len(homes.parts)] == user)
        copy = out / user / f"{SET}.ipynb"
        assert copy.read_bytes() == src.read_bytes()
        assert copy.stat().st_mtime_ns == src.stat().st_mtime_ns
    rep = report(out)
    assert set(rep) == {"alice", "bob", "carol", "dave", "zoe"}
    assert rep["bob"]["late"] == "yes" and rep["alice"]["late"] == "no"
    assert rep["bob"]["modified_utc"] == "2026-03-02T09:30:00+00:00"
    assert rep["alice"]["sha256"] == digest(out / "alice" / f"{SET}.ipynb")
    assert "no notebook at carol/escalation-debates" in rep["carol"]["note"]
    assert rep["dave"]["note"] == "no home folder dave"
    # the layout `escalation-grade grade` reads: one folder per student, empty for those who have none
    subs = {s.student: s for s in find_submissions(out, SET)}
    assert set(subs) == {"alice", "bob", "carol", "dave", "zoe"}
    assert subs["alice"].path == out / "alice" / f"{SET}.ipynb" and subs["carol"].path is None


def test_a_link_out_of_the_home_is_refused(tmp_path):
    homes = tmp_path / "home"
    secret = tmp_path / "teacher" / "key.ipynb"
    secret.parent.mkdir()
    secret.write_text("solutions", encoding="utf-8")
    path = place(homes, "mallory", "x", datetime(2026, 1, 1, tzinfo=timezone.utc))
    path.unlink()
    path.symlink_to(secret)
    rows = collect(SET, homes, tmp_path / "out")
    assert rows[0].status == "refused" and not (tmp_path / "out" / "mallory" / f"{SET}.ipynb").exists()


def test_tljh_layout_and_unreadable_file(tmp_path):
    homes = tmp_path / "home"
    place(homes, "alice", "{}", datetime(2026, 1, 1, tzinfo=timezone.utc), prefix="jupyter-")
    broken = homes / "jupyter-eve" / "escalation-debates" / "exercises" / "student" / SET / f"{SET}.ipynb"
    broken.mkdir(parents=True)  # a folder where the notebook should be: not a regular file
    unreadable = place(homes, "fay", "{}", datetime(2026, 1, 1, tzinfo=timezone.utc), prefix="jupyter-")
    layout = "jupyter-{user}/{targetpath}/exercises/student/{set}/{set}.ipynb"
    unreadable.chmod(0)
    try:
        readable_anyway = os.access(unreadable, os.R_OK)  # root reads it all the same
        rows = {r.student: r for r in collect(SET, homes, tmp_path / "out", layout=layout)}
    finally:
        unreadable.chmod(0o644)
    assert rows["alice"].status == "collected" and rows["eve"].status == "refused"
    assert "not a regular file" in rows["eve"].note
    if not readable_anyway:
        assert rows["fay"].status == "unreadable" and "cannot be read" in rows["fay"].note


def test_collecting_again_updates_and_keeps_what_was_collected(homes, tmp_path):
    out = tmp_path / "submissions"
    collect(SET, homes, out)
    alice = homes / "alice" / "escalation-debates" / "exercises" / "student" / SET / f"{SET}.ipynb"
    alice.write_text("{}", encoding="utf-8")
    bob = homes / "bob" / "escalation-debates" / "exercises" / "student" / SET / f"{SET}.ipynb"
    kept = (out / "bob" / f"{SET}.ipynb").read_bytes()
    bob.unlink()
    rows = {r.student: r for r in collect(SET, homes, out)}
    assert (out / "alice" / f"{SET}.ipynb").read_text() == "{}"
    assert rows["bob"].status == "missing" and "kept" in rows["bob"].note
    assert (out / "bob" / f"{SET}.ipynb").read_bytes() == kept


def test_roster_forms_and_errors(tmp_path):
    r = tmp_path / "roster.csv"
    r.write_text("name;username\nAlice A;alice\nBob B;bob\n", encoding="utf-8")
    assert read_roster(r) == ["alice", "bob"]
    r.write_text("alice\nbob\n", encoding="utf-8")
    assert read_roster(r) == ["alice", "bob"]
    r.write_text("", encoding="utf-8")
    with pytest.raises(CollectError, match="is empty"):
        read_roster(r)
    r.write_text("username\n", encoding="utf-8")
    with pytest.raises(CollectError, match="no students"):
        read_roster(r)
    r.write_text("username\nalice\nalice\n", encoding="utf-8")
    with pytest.raises(CollectError, match="more than once"):
        read_roster(r)
    with pytest.raises(CollectError, match="does not exist"):
        read_roster(tmp_path / "nope.csv")
    r.write_text('username\n"' + "x" * 200_000 + '"\n', encoding="utf-8")
    with pytest.raises(CollectError, match="cannot be read as CSV"):
        read_roster(r)


def test_deadline_forms():
    assert parse_deadline("2026-03-01T23:59+01:00").utcoffset().total_seconds() == 3600
    assert parse_deadline("2026-03-01").hour == 23
    assert parse_deadline("2026-03-01T10:00").tzinfo is not None
    with pytest.raises(CollectError, match="ISO 8601"):
        parse_deadline("1 March")


def test_command_line(homes, tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text("username\nalice\nbob\ncarol\n", encoding="utf-8")
    out = tmp_path / "subs"
    code = main(["collect", SET, "--from", str(homes), "--to", str(out), "--roster", str(roster),
                 "--deadline", "2026-03-01T23:59Z"])
    printed = capsys.readouterr().out
    assert code == 0
    assert "4 students: 1 collected, 1 late, 1 missing, 1 not on roster" in printed
    assert f"escalation-grade grade {SET} {out}" in printed
    assert main(["collect", SET, "--from", str(tmp_path / "nohomes"), "--to", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("✘ The home folders") and "Traceback" not in err
    roster.write_text("", encoding="utf-8")
    assert main(["collect", SET, "--from", str(homes), "--to", str(out), "--roster", str(roster)]) == 2
    assert "is empty" in capsys.readouterr().err
    assert main(["collect", "ex09_nothing", "--from", str(homes), "--to", str(tmp_path / "o2")]) == 2
    assert "No notebook of ex09_nothing" in capsys.readouterr().err
    assert main(["collect", SET, "--from", str(homes), "--to", str(homes / "alice" / "subs")]) == 2
    assert "inside alice's home folder" in capsys.readouterr().err
    assert main(["collect", SET, "--from", str(homes), "--to", str(homes)]) == 2
    assert not (homes / "alice" / "subs").exists()


def test_collecting_into_ones_own_home_among_the_students(homes, tmp_path, monkeypatch):
    """On TLJH the instructor's home is under /home too, and may hold a pulled copy of the module."""
    teacher = homes / "teacher"
    place(homes, "teacher", "{}", datetime(2026, 1, 1, tzinfo=timezone.utc))
    monkeypatch.setenv("HOME", str(teacher))
    rows = {r.student: r for r in collect(SET, homes, teacher / "submissions", roster=["alice", "bob"])}
    assert rows["alice"].status == "collected" and rows["teacher"].status == "not_on_roster"
    assert (teacher / "submissions" / "alice" / f"{SET}.ipynb").is_file()


# ----------------------------------------------------------------------------- links and races (attacks)
def _attack_homes(tmp_path):
    homes = tmp_path / "home"
    when = datetime(2026, 2, 1, tzinfo=timezone.utc)
    mallory = place(homes, "mallory", '{"mine": "my own weak answers"}', when)
    bob = place(homes, "bob", '{"bob": "BOB_S_GOOD_ANSWERS"}', when)
    return homes, mallory, bob


def test_a_student_swapping_in_a_link_during_collect_gets_nothing(tmp_path):
    """The attack the issue measured (another student's notebook collected 2 times in 40): a process of the
    student's swaps their notebook for a link to Bob's and back, while collect runs again and again."""
    import subprocess
    import sys

    homes, mallory, bob = _attack_homes(tmp_path)
    out = tmp_path / "out"
    attacker = subprocess.Popen([sys.executable, str(REPO / "tests" / "support" / "swap_attack.py"), str(mallory),
                                 str(bob), "0.003", "0.0003"], stdout=subprocess.PIPE, text=True)
    try:
        assert attacker.stdout.readline().strip() == "ready"
        runs, stolen, statuses = 150, 0, {}
        for _ in range(runs):
            row = next(r for r in collect(SET, homes, out) if r.student == "mallory")
            statuses[row.status] = statuses.get(row.status, 0) + 1
            copy = out / "mallory" / f"{SET}.ipynb"
            if row.status == "collected" and b"BOB_S_GOOD_ANSWERS" in copy.read_bytes():
                stolen += 1  # this run copied Bob's notebook as mallory's
    finally:
        attacker.kill()
        attacker.wait()
    assert stolen == 0, f"Bob's notebook collected as mallory's {stolen} times in {runs} ({statuses})"
    assert statuses.get("refused", 0) > 0  # the link was seen, and refused, in some runs
    assert (out / "bob" / f"{SET}.ipynb").read_bytes() == bob.read_bytes()


@pytest.mark.parametrize("how", ["symlink", "hardlink", "linked_folder", "linked_home", "fifo"])
def test_links_and_odd_files_are_refused_and_never_followed(tmp_path, how):
    homes, mallory, bob = _attack_homes(tmp_path)
    if how == "symlink":
        mallory.unlink()
        mallory.symlink_to(bob)
    elif how == "hardlink":
        mallory.unlink()
        os.link(bob, mallory)
    elif how == "linked_folder":  # a link higher up: .../student/ex03_red_lines -> Bob's folder
        folder = mallory.parent
        for p in folder.iterdir():
            p.unlink()
        folder.rmdir()
        folder.symlink_to(bob.parent, target_is_directory=True)
    elif how == "linked_home":
        import shutil

        shutil.rmtree(homes / "mallory")
        (homes / "mallory").symlink_to(homes / "bob", target_is_directory=True)
    else:
        mallory.unlink()
        os.mkfifo(mallory)  # opening it for reading would wait for a writer forever
    rows = {r.student: r for r in collect(SET, homes, tmp_path / "out")}
    assert rows["mallory"].status == "refused" and not (tmp_path / "out" / "mallory" / f"{SET}.ipynb").exists()
    assert "not collected" in rows["mallory"].note and rows["mallory"].sha256 == ""
    if how == "hardlink":  # one file with two names: whose is it? neither copy is taken
        assert rows["bob"].status == "refused" and "hard link" in rows["bob"].note
    else:
        assert rows["bob"].status == "collected"
        assert (tmp_path / "out" / "bob" / f"{SET}.ipynb").read_bytes() == bob.read_bytes()


def test_the_copy_comes_from_the_file_that_was_checked(tmp_path, monkeypatch):
    """Swapping the path after collect opened it changes nothing: the bytes come from the open descriptor."""
    from escalation.grading import collect as module

    homes, mallory, bob = _attack_homes(tmp_path)
    mine = mallory.read_bytes()
    real_open = module.open_in_home

    def open_then_swap(root, rel):
        fd = real_open(root, rel)
        if rel.startswith("mallory/"):
            mallory.rename(mallory.with_name("kept.ipynb"))
            mallory.symlink_to(bob)  # the swap lands just after the check
        return fd

    monkeypatch.setattr(module, "open_in_home", open_then_swap)
    rows = {r.student: r for r in collect(SET, homes, tmp_path / "out")}
    copy = tmp_path / "out" / "mallory" / f"{SET}.ipynb"
    assert rows["mallory"].status == "collected" and copy.read_bytes() == mine
    assert rows["mallory"].sha256 == hashlib.sha256(mine).hexdigest()


def test_a_formula_folder_name_reaches_the_report_as_text(tmp_path):
    homes = tmp_path / "home"
    place(homes, "=1+2", "{}", datetime(2026, 1, 1, tzinfo=timezone.utc))
    place(homes, "@SUM(A1)", "{}", datetime(2026, 1, 1, tzinfo=timezone.utc))
    out = tmp_path / "out"
    rows = {r.student: r for r in collect(SET, homes, out)}
    assert rows["=1+2"].status == "collected" and (out / "=1+2" / f"{SET}.ipynb").is_file()
    with open(out / "collect_report.csv", encoding="utf-8", newline="") as f:
        cells = [row for row in csv.reader(f)][1:]
    assert sorted(row[0] for row in cells) == ["'=1+2", "'@SUM(A1)"]
    assert all(row[5].startswith("'") for row in cells)  # source paths start with the user name too
