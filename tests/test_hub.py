"""A class on a real JupyterHub: hand out with the link, work in each student's kernel, collect, grade.

JupyterHub (PyPI) with configurable-http-proxy (npm; installed into a cache folder when missing) on
127.0.0.1, the dummy authenticator and the local-process spawner, each student with a home folder of their
own. Five students: servers started concurrently through the REST API, the module pulled into each home
through nbgitpuller's endpoint with the parameters of `escalation-link`'s link (from a clone of this
repository's HEAD), an exercise set run in each student's own kernel over the websocket with that
student's answers, saved through the contents API; then `escalation-grade collect` and `grade` on the class.
"""
import copy
import csv
import subprocess
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from escalation.grading.source import load_exercise, nbgrader_meta
from escalation.hub.link import nbgitpuller_link
from support.local_hub import answer_plan, fill_in, type_written_answers

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]
STUDENTS = ["ana", "ben", "chloe", "dev", "emil"]
ABSENT = "farid"  # on the roster, never logs in
PREFERRED_SET = "ex03_red_lines"


@pytest.fixture(scope="module")
def proxy():
    from support.local_hub import HubUnavailable, find_or_install_proxy

    try:
        return find_or_install_proxy()
    except HubUnavailable as exc:
        pytest.skip(f"no real hub: {exc}")


@pytest.fixture(scope="module")
def module_repo(tmp_path_factory) -> Path:
    """A bare repository whose `main` is this checkout's HEAD (works in a fresh or shallow CI clone)."""
    bare = tmp_path_factory.mktemp("upstream") / "escalation.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    subprocess.run(["git", "-C", str(bare), "symbolic-ref", "HEAD", "refs/heads/main"], check=True)
    subprocess.run(["git", "-C", str(bare), "fetch", "-q", "--depth=1", f"file://{REPO}", "HEAD:refs/heads/main"],
                   check=True)
    return bare


def test_a_class_on_a_real_hub(proxy, module_repo, tmp_path):
    from support.local_hub import LocalHub, leftovers

    instructor = tmp_path / "instructor"
    subprocess.run(["git", "clone", "-q", f"file://{module_repo}", str(instructor)], check=True)
    sets = sorted(p.name for p in (instructor / "exercises" / "student").iterdir() if p.is_dir())
    set_name = PREFERRED_SET if PREFERRED_SET in sets else sets[0]
    source_path = instructor / "exercises" / "source" / set_name / f"{set_name}.ipynb"
    exercise = load_exercise(source_path)
    source_nb = exercise.notebook
    has_id_cell = any(nbgrader_meta(c).get("grade_id") == "student_id" for c in source_nb["cells"])

    hub = LocalHub(tmp_path / "hub", proxy)
    try:
        hub.start()
        link = nbgitpuller_link(hub.url, f"file://{module_repo}", file=f"exercises/student/{set_name}/{set_name}.ipynb")
        q = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
        notebook = q["urlpath"].removeprefix("lab/tree/")

        hub.add_users(STUDENTS)
        hub.start_servers(STUDENTS)
        lab = hub.session.get(hub.user_url(STUDENTS[0], "lab"), timeout=30)
        assert lab.status_code == 200 and "JupyterLab" in lab.text  # the student set-up opens JupyterLab
        assert hub.session.get(hub.user_url(STUDENTS[0], "lsp/status"), timeout=30).status_code == 404  # no LSP

        def click_the_link(user):
            """What a student's browser does: log in, follow the link, let the page pull, open the notebook."""
            browser = hub.login(user)
            page = hub.click(browser, link)
            assert urlsplit(page["url"]).path == f"/user/{user}/git-pull", page["url"]
            assert (page["repo"], page["branch"], page["targetpath"]) == (q["repo"], q["branch"], q["targetpath"])
            hub.pull(user, page["repo"], page["branch"], page["targetpath"], token=page["jupyter-api-token"])
            opened = browser.get(hub.user_url(user, page["path"]), timeout=60)
            assert opened.status_code == 200, (user, page["path"], opened.status_code)

        with ThreadPoolExecutor(len(STUDENTS)) as pool:
            list(pool.map(click_the_link, STUDENTS))
        for user in STUDENTS:
            assert (hub.homes / user / notebook).is_file(), f"the link's notebook is not in {user}'s home"

        def work(args):
            index, user = args
            nb = hub.get_notebook(user, notebook)
            points = fill_in(nb, source_nb, exercise, user, answer_plan(exercise, index), blank=index % 2 == 1)
            nb_filled = nb
            for attempt in (1, 2):  # a websocket dropped by an overloaded machine: a fresh kernel, Run All again
                kernel = hub.kernel(user, notebook)
                try:
                    nb = copy.deepcopy(nb_filled)
                    errors = kernel.run_notebook(nb)
                    whoami = kernel.execute("import os; print(os.environ['JUPYTERHUB_USER'], os.getcwd())")[0]
                    break
                except RuntimeError as exc:
                    if attempt == 2 or "kernel connection failed" not in str(exc):
                        raise
                    warnings.warn(f"{user}: kernel connection lost, running the notebook again: {exc}")
                finally:
                    kernel.close()
            type_written_answers(nb, exercise, user)
            hub.save_notebook(user, notebook, nb)
            return user, points, errors, whoami[0]["text"]

        with ThreadPoolExecutor(len(STUDENTS)) as pool:
            done = list(pool.map(work, enumerate(STUDENTS)))
        expected = {}
        for user, points, errors, whoami in done:
            assert errors == [], f"{user}'s notebook raised: {errors}"
            assert whoami.split()[0] == user and whoami.split()[1].startswith(str(hub.homes / user))
            expected[user] = points
        assert len(set(expected.values())) >= 3, "the students' answers should earn different scores"
    finally:
        killed = hub.stop()
    assert killed == [], "a server or kernel survived the hub's shutdown and had to be killed"
    assert leftovers(hub.marker) == []

    roster = tmp_path / "roster.csv"
    roster.write_text("username\n" + "\n".join(STUDENTS + [ABSENT]) + "\n", encoding="utf-8")
    subs, grades = tmp_path / "submissions", tmp_path / "grades"
    cmd = [sys.executable, "-m", "escalation.grading"]
    collected = subprocess.run(cmd + ["collect", set_name, "--from", str(hub.homes), "--to", str(subs),
                                      "--roster", str(roster)], capture_output=True, text=True)
    assert collected.returncode == 0, collected.stderr
    assert f"{len(STUDENTS) + 1} students: {len(STUDENTS)} collected, 1 missing" in collected.stdout
    graded = subprocess.run(cmd + ["grade", str(source_path), str(subs), "--out", str(grades), "-q"],
                            capture_output=True, text=True)
    assert graded.returncode == 0, graded.stderr
    with open(grades / "gradebook.csv", encoding="utf-8") as f:
        book = {r["student"]: r for r in csv.DictReader(f)}
    assert set(book) == set(STUDENTS) | {ABSENT}
    assert book[ABSENT]["status"] == "missing"
    for user, points in expected.items():
        assert book[user]["status"] == "graded", (user, book[user]["reasons"])
        assert float(book[user]["auto_points"]) == points, (user, book[user])
        if has_id_cell:  # contract C2: the id each student typed matches the folder collect made
            assert book[user]["id_check"] == "ok", (user, book[user])
    written = [q for q in exercise.questions if q.kind == "written"]
    if written:
        page = (grades / "written" / f"{written[0].key}.html").read_text(encoding="utf-8")
        assert all(f"Written answer of {u} to {written[0].key}." in page for u in STUDENTS)
