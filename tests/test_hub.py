"""A class on a real JupyterHub: hand out with the link, work in each student's kernel, collect, grade.

JupyterHub (PyPI) with configurable-http-proxy (npm; installed into a cache folder when missing) on
127.0.0.1, the dummy authenticator and the local-process spawner, each student with a home folder of their
own. Five students: servers started concurrently through the REST API, the module pulled into each home
through nbgitpuller's endpoint with the parameters of `escalation-link`'s link (from a clone of this
repository's HEAD), an exercise set run in each student's own kernel over the websocket with that
student's answers, saved through the contents API; then `escalation-grade collect` and `grade` on the class.
"""
import csv
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from escalation.grading.source import load_exercise, nbgrader_meta
from escalation.hub.link import nbgitpuller_link
from escalation.hub.local import answer_plan, fill_in

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]
STUDENTS = ["ana", "ben", "chloe", "dev", "emil"]
ABSENT = "farid"  # on the roster, never logs in
PREFERRED_SET = "ex03_red_lines"


@pytest.fixture(scope="module")
def proxy():
    from escalation.hub.local import HubUnavailable, find_or_install_proxy

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
    from escalation.hub.local import LocalHub, leftovers

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
        with ThreadPoolExecutor(len(STUDENTS)) as pool:
            list(pool.map(lambda u: hub.pull(u, q["repo"], q["branch"], q["targetpath"]), STUDENTS))
        for user in STUDENTS:
            assert (hub.homes / user / notebook).is_file(), f"the link's notebook is not in {user}'s home"

        def work(args):
            index, user = args
            nb = hub.get_notebook(user, notebook)
            points = fill_in(nb, source_nb, exercise, user, answer_plan(exercise, index), blank=index % 2 == 1)
            kernel = hub.kernel(user, notebook)
            try:
                errors = kernel.run_notebook(nb)
                whoami = kernel.execute("import os; print(os.environ['JUPYTERHUB_USER'], os.getcwd())")[0]
            finally:
                kernel.close()
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
        hub.stop()
    assert leftovers(hub.marker) == [], "a hub, proxy, server or kernel process survived"

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
