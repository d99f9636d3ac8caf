"""escalation-link: nbgitpuller and Binder links, clear errors, and nbgitpuller's merge rules on a real repository."""
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from escalation.hub import link
from escalation.hub.link import LinkError, binder_badge, binder_link, nbgitpuller_link, target_file

REPO = Path(__file__).resolve().parents[1]


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_hub_link_pulls_the_repository_and_opens_the_exercise_set():
    url = nbgitpuller_link("https://hub.example.edu/", "https://github.com/owner/escalation",
                           file=target_file(exercise="ex03_red_lines"))
    assert url.startswith("https://hub.example.edu/hub/user-redirect/git-pull?")
    q = query(url)
    assert q == {"repo": "https://github.com/owner/escalation", "branch": "main", "targetpath": "escalation-debates",
                 "urlpath": "lab/tree/escalation-debates/exercises/student/ex03_red_lines/ex03_red_lines.ipynb"}
    opened = q["urlpath"].removeprefix("lab/tree/escalation-debates/")
    assert (REPO / opened).is_file()


@pytest.mark.parametrize("given", ["02", "02_arms_supply_in_numbers", "02_arms_supply_in_numbers.ipynb",
                                   "notebooks/02_arms_supply_in_numbers.ipynb"])
def test_a_notebook_can_be_named_by_number_or_file(given):
    assert target_file(notebook=given) == "notebooks/02_arms_supply_in_numbers.ipynb"


def test_whole_module_opens_the_start_notebook_and_hub_paths_are_kept():
    url = nbgitpuller_link("https://example.edu/jupyter/hub/home", "file:///srv/escalation", branch="spring")
    assert url.startswith("https://example.edu/jupyter/hub/user-redirect/git-pull?")
    q = query(url)
    assert q["urlpath"] == "lab/tree/escalation-debates/notebooks/00_start_here.ipynb"
    assert q["branch"] == "spring" and q["repo"] == "file:///srv/escalation"
    assert (REPO / "notebooks/00_start_here.ipynb").is_file()


@pytest.mark.parametrize("hub,repo,message", [
    ("hub.example.edu", "https://github.com/o/r", "not a hub address"),
    ("https://hub.example.edu/?next=x", "https://github.com/o/r", "query or fragment"),
    ("https://hub.example.edu", "github.com/o/r", "not a git repository address"),
    ("https://hub.example.edu", "https://github.com/o", "names no repository"),
])
def test_bad_addresses_are_explained(hub, repo, message):
    with pytest.raises(LinkError, match=message):
        nbgitpuller_link(hub, repo)


def test_unknown_notebook_or_set_lists_what_exists():
    with pytest.raises(LinkError, match="ex01_reading"):
        target_file(exercise="ex09_nothing")
    with pytest.raises(LinkError, match="00_start_here.ipynb"):
        target_file(notebook="7")
    with pytest.raises(LinkError, match="either"):
        target_file(notebook="02", exercise="ex01_reading")


def test_command_prints_link_or_plain_error(capsys):
    assert link.main(["https://hub.example.edu", "--repo", "https://github.com/o/r", "--notebook", "03",
                      "--allow-sources"]) == 0
    out = capsys.readouterr().out.strip()
    assert query(out)["urlpath"].endswith("notebooks/03_red_lines_and_escalation.ipynb")
    assert link.main(["https://hub.example.edu", "--repo", "https://github.com/o/r", "--exercise", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("✘ No exercise set 'nope'") and "Traceback" not in err
    assert link.main([]) == 2
    assert "--binder" in capsys.readouterr().err


def test_binder_link_and_badge(capsys):
    url = binder_link("https://github.com/owner/escalation.git")
    assert url == "https://mybinder.org/v2/gh/owner/escalation/HEAD?urlpath=lab%2Ftree%2Fnotebooks%2F00_start_here.ipynb"
    assert binder_badge(url) == f"[![Launch on Binder](https://mybinder.org/badge_logo.svg)]({url})"
    assert binder_link("https://gitlab.com/group/sub/escalation", ref="v1.0").startswith(
        "https://mybinder.org/v2/gl/group%2Fsub%2Fescalation/v1.0?")
    assert binder_link("https://git.example.edu/escalation.git").startswith(
        "https://mybinder.org/v2/git/https%3A%2F%2Fgit.example.edu%2Fescalation.git/HEAD?")
    with pytest.raises(LinkError, match="https"):
        binder_link("file:///srv/escalation")
    assert link.main(["--binder", "https://github.com/o/r", "--exercise", "ex02_arms_supply", "--allow-sources"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("lab%2Ftree%2Fexercises%2Fstudent%2Fex02_arms_supply%2Fex02_arms_supply.ipynb")
    assert lines[1] == binder_badge(lines[0])


@pytest.mark.parametrize("repo,instead", [
    ("git@github.com:owner/escalation.git", "https://github.com/owner/escalation"),
    ("ssh://git@git.example.edu/teach/escalation.git", "https://git.example.edu/teach/escalation"),
])
def test_ssh_origins_are_refused_with_the_https_address_to_use(repo, instead, capsys):
    with pytest.raises(LinkError, match="SSH address") as err:
        nbgitpuller_link("https://hub.example.edu", repo)
    assert instead in str(err.value)
    assert link.main(["https://hub.example.edu", "--repo", repo, "--allow-sources"]) == 2
    message = capsys.readouterr().err
    assert message.startswith("✘ ") and instead in message and "Traceback" not in message


def test_a_branch_holding_the_sources_is_refused(tmp_path):
    """A real repository: `main` holds exercises/source/, `students` does not (as escalation-release makes it)."""
    repo = tmp_path / "repo"
    (repo / "exercises" / "source" / "ex01").mkdir(parents=True)
    (repo / "exercises" / "source" / "ex01" / "ex01.ipynb").write_text("{}", encoding="utf-8")
    (repo / "README.md").write_text("module\n", encoding="utf-8")
    git("init", "-q", "-b", "main", cwd=tmp_path / "repo")
    git("add", ".", cwd=repo)
    git("commit", "-qm", "all", cwd=repo)
    git("checkout", "-q", "--orphan", "students", cwd=repo)
    git("rm", "-rq", "--cached", "exercises", cwd=repo)
    git("commit", "-qm", "students' copy", cwd=repo)
    url = f"file://{repo}"
    link.check_no_sources(url, "students", root=repo)
    with pytest.raises(LinkError, match="still holds exercises/source/.*escalation-release students --branch"):
        link.check_no_sources(url, "main", root=repo)
    link.check_no_sources(url, "main", root=repo, allow_sources=True)
    with pytest.raises(LinkError, match="Cannot check that 'spring'.*no such branch"):
        link.check_no_sources(url, "spring", root=repo)
    elsewhere = tmp_path / "elsewhere"
    git("init", "-q", str(elsewhere), cwd=tmp_path)
    with pytest.raises(LinkError, match="is not in this checkout"):
        link.check_no_sources(url, "students", root=elsewhere)


# nbgitpuller's merge rules, on a real repository pulled twice with an upstream change in between

def git(*args, cwd):
    subprocess.run(["git", "-c", "user.name=Instructor", "-c", "user.email=i@example.edu", *args], cwd=cwd,
                   check=True, capture_output=True)


def test_a_second_pull_keeps_the_students_changes_and_brings_new_material(tmp_path):
    from nbgitpuller.pull import GitPuller

    upstream = tmp_path / "upstream"
    upstream.mkdir()
    git("init", "-q", "-b", "main", cwd=upstream)
    answer = upstream / "ex.py"
    answer.write_text("# header\nq1 = ...\n\n\n\n# footer v1\n", encoding="utf-8")
    (upstream / "lesson.md").write_text("lesson v1\n", encoding="utf-8")
    git("add", ".", cwd=upstream)
    git("commit", "-q", "-m", "v1", cwd=upstream)

    home = tmp_path / "home" / "alice"
    home.mkdir(parents=True)
    target = home / "escalation-debates"
    for _ in GitPuller(f"file://{upstream}", str(target), branch="main").pull():
        pass
    assert (target / "ex.py").read_text() == answer.read_text()

    # the student answers q1 and deletes the lesson by mistake
    (target / "ex.py").write_text("# header\nq1 = 42\n\n\n\n# footer v1\n", encoding="utf-8")
    (target / "lesson.md").unlink()
    (target / "notes.md").write_text("my notes\n", encoding="utf-8")  # a file of the student's own
    # the instructor fixes the footer, edits the same answer line, and adds a new notebook
    answer.write_text("# header\nq1 = ...  # a number\n\n\n\n# footer v2\n", encoding="utf-8")
    (upstream / "new.md").write_text("new material\n", encoding="utf-8")
    (upstream / "notes.md").write_text("instructor's notes\n", encoding="utf-8")  # same name, new upstream
    git("add", ".", cwd=upstream)
    git("commit", "-q", "-m", "v2", cwd=upstream)

    for _ in GitPuller(f"file://{upstream}", str(target), branch="main").pull():
        pass
    text = (target / "ex.py").read_text()
    assert "q1 = 42" in text and "a number" not in text  # the student's line wins the conflict
    assert "# footer v2" in text  # a change elsewhere in the file still arrives
    assert (target / "new.md").read_text() == "new material\n"
    assert (target / "lesson.md").read_text() == "lesson v1\n"  # a deleted file comes back
    assert (target / "notes.md").read_text() == "instructor's notes\n"
    kept = [p for p in target.glob("notes__*.md")]  # the student's own file was renamed, not overwritten
    assert len(kept) == 1 and kept[0].read_text() == "my notes\n"
