"""escalation-release: the students' copy holds no answer key, as a folder and as a branch students can pull."""
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from support.answer_keys import graded_and_practice_secrets, leaks

from escalation import release

REPO = Path(__file__).resolve().parents[1]
TEXT = {".ipynb", ".md", ".py", ".txt", ".csv", ".json", ".html", ".toml", ".yaml", ".yml", ".sh", ".in", ".cfg"}
GIT_ID = {"GIT_AUTHOR_NAME": "Instructor", "GIT_AUTHOR_EMAIL": "i@example.edu",
          "GIT_COMMITTER_NAME": "Instructor", "GIT_COMMITTER_EMAIL": "i@example.edu"}


@pytest.fixture(scope="module")
def keys() -> set[str]:
    """The graded sets' solution and hidden-test fragments. (The practice exercises' model answers live in the
    package's code, which students run in every install, so they are not what a release must leave out.)"""
    return graded_and_practice_secrets(practice=False)


def readable(name: str, data: bytes) -> str:
    """A file's text as the answer-key search reads it (a notebook's cell sources and outputs)."""
    text = data.decode("utf-8", errors="ignore")
    if name.endswith(".ipynb"):
        cells = json.loads(text)["cells"]
        return "\n".join("".join(c["source"]) + json.dumps(c.get("outputs", [])) for c in cells)
    return text


def leaking_files(files: dict[str, bytes], keys: set[str]) -> dict[str, list[str]]:
    return {name: found for name, data in files.items() if Path(name).suffix in TEXT
            and (found := leaks(readable(name, data), keys))}


def test_students_copy_folder_holds_no_answer_key(tmp_path, keys, capsys):
    out = tmp_path / "students"
    assert release.main(["students", str(out)]) == 0
    assert "instructor-only" in capsys.readouterr().out
    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert not any(name.startswith(("exercises/source/", "docs/teachers_pack/instructor_only/", "tests/"))
                   for name in files)
    sets = sorted(p.parent.name for p in (REPO / "exercises" / "student").glob("*/*.ipynb") if p.stem == p.parent.name)
    assert len(sets) >= 5 and all(f"exercises/student/{s}/{s}.ipynb" in files for s in sets)
    assert "notebooks/02_arms_supply_in_numbers.ipynb" in files and "data/events.csv" in files
    assert "requirements.txt" in files and "pyproject.toml" in files  # installable as the README says
    assert len([n for n in files if Path(n).suffix in TEXT]) >= 80
    assert not leaking_files(files, keys)


def test_the_search_finds_the_keys_in_the_unfiltered_commit(keys):
    """With the release's filter switched off (the commit as it is), the same search finds the answer keys:
    a clean students' copy is not a blind search."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", "HEAD"], capture_output=True,
                             check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        files = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    found = leaking_files(files, keys)
    assert any(name.startswith("exercises/source/") for name in found), sorted(found)[:5]


def test_instructor_only_paths_and_key_files():
    assert release.instructor_only("exercises/source/ex01_reading/ex01_reading.ipynb")
    assert release.instructor_only("docs/teachers_pack/instructor_only/sealed_lateral_reading.md")
    assert release.instructor_only("tools/hub/lti/private.pem") and release.instructor_only("deploy/id_ed25519")
    assert not release.instructor_only("exercises/student/ex01_reading/ex01_reading.ipynb")
    assert not release.instructor_only("docs/teachers_pack/look_fors.md")


def run(args, cwd, **env):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, **GIT_ID, **env))


def test_branch_release_shares_no_history_and_links_refuse_the_sources(tmp_path):
    """In a clone: --branch students makes a branch without exercises/source/ in its tree or its history; a
    second release of the same commit changes nothing; a new commit is released on top of the previous release
    (students' pulls fast-forward); escalation-link hands out that branch and refuses the instructors' one."""
    clone = tmp_path / "clone"
    assert run(["git", "clone", "-q", str(REPO), str(clone)], tmp_path).returncode == 0
    py = {"PYTHONPATH": str(clone / "src")}
    mine = "instructors"  # the instructors' branch, with the sources (HEAD may be detached in CI)
    assert run(["git", "checkout", "-q", "-b", mine], clone).returncode == 0

    def release_cli(*args):
        return run([sys.executable, "-m", "escalation.release", "students", *args], clone, **py)

    done = release_cli("--branch", "students")
    assert done.returncode == 0, done.stderr
    tree = run(["git", "ls-tree", "-r", "--name-only", "students"], clone).stdout.splitlines()
    assert "exercises/student/ex03_red_lines/ex03_red_lines.ipynb" in tree
    assert not [f for f in tree if f.startswith(("exercises/source/", "docs/teachers_pack/instructor_only/"))]
    assert run(["git", "log", "--format=%H", "students", "--", "exercises/source"], clone).stdout == ""
    first = run(["git", "rev-parse", "students"], clone).stdout.strip()

    assert "nothing to do" in release_cli("--branch", "students").stdout
    (clone / "notebooks" / "NOTE.md").write_text("A new handout.\n", encoding="utf-8")
    assert run(["git", "add", "notebooks/NOTE.md"], clone).returncode == 0
    assert run(["git", "commit", "-qm", "New handout"], clone).returncode == 0
    assert release_cli("--branch", "students").returncode == 0
    assert run(["git", "rev-parse", "students^"], clone).stdout.strip() == first
    assert "notebooks/NOTE.md" in run(["git", "ls-tree", "-r", "--name-only", "students"], clone).stdout

    refused = release_cli("--branch", mine)
    assert refused.returncode == 2 and "history holds exercises/source/" in refused.stderr

    def link_cli(*args):
        return run([sys.executable, "-m", "escalation.hub.link", "https://hub.example.edu",
                    "--repo", f"file://{clone}", *args], clone, **py)

    ok = link_cli("--branch", "students", "--exercise", "ex03_red_lines")
    assert ok.returncode == 0 and "branch=students" in ok.stdout, ok.stderr
    no = link_cli("--branch", mine)
    assert no.returncode == 2 and "still holds exercises/source/" in no.stderr and "escalation-release" in no.stderr
    assert "Traceback" not in no.stderr
    assert link_cli("--branch", mine, "--allow-sources").returncode == 0


def test_release_refuses_a_folder_in_use_and_a_missing_choice(tmp_path, capsys):
    (tmp_path / "old.txt").write_text("keep me", encoding="utf-8")
    assert release.main(["students", str(tmp_path)]) == 2
    assert "not an empty folder" in capsys.readouterr().err
    assert (tmp_path / "old.txt").read_text(encoding="utf-8") == "keep me"
    assert release.main(["students"]) == 2
    assert "--branch" in capsys.readouterr().err
