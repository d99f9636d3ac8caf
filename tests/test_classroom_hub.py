"""The live class on a real JupyterHub: escalation-class as a hub-managed service, five students' kernels.

One hub for the whole module (JupyterHub + configurable-http-proxy on 127.0.0.1, the dummy authenticator,
local-process spawner; `tests/support/local_hub.py`). The hub runs `escalation-class serve` as a
managed service with its custom scopes, roles and groups (`hubconfig.config_snippet`, the same snippet
the docs give). Five students (group `class`) answer practice exercises and code sentences from their own
kernels; an instructor (group `instructors`) drives the class view through the hub's OAuth in a
requests session and in Chromium. The hostile student's attacks are each written as a student would try
them, and each proves it earned nothing.

Independent truths: the counts follow from the answers the test gives; the alpha of the coding round is
Krippendorff's published value (2011, section C: 0.743) for the codes four students send, the fifth
student sending none.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import signal
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from escalation.classroom import hubconfig
from support import local_hub as local
from support.krippendorff import KRIPPENDORFF_C

pytestmark = pytest.mark.slow
SRC = Path(__file__).resolve().parents[1] / "src"
STUDENTS = ["ana", "ben", "chloe", "dev", "emil"]
INSTRUCTOR, OUTSIDER = "tess", "olga"
SERVICE_PATH = f"/services/{hubconfig.SERVICE}/"
XSS = "<script>alert('pwned')</script>"
# Krippendorff (2011), section C (support/krippendorff.py): 4 observers, 12 units, values 1–5 with gaps;
# alpha (nominal) = 0.743. Units become sentences 1–12 of the coding round's article, values 1–5 the scheme's
# five codes.
CODES = ["problem_definition", "causal_interpretation", "moral_evaluation", "treatment_recommendation", "none"]
# Exercise 3.1 (vertical or horizontal? right: horizontal): what each student answers
ANSWERS_31 = {"ana": "horizontal", "ben": "vertical", "chloe": "vertical", "dev": "horizontal", "emil": "horizontal"}


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    try:
        proxy = local.find_or_install_proxy()
    except local.HubUnavailable as exc:
        pytest.skip(f"no real hub: {exc}")
    work = tmp_path_factory.mktemp("classhub")
    port = local.free_port()
    db = work / "class.sqlite"
    snippet = hubconfig.config_snippet(
        url=f"http://127.0.0.1:{port}", db_url=f"sqlite:///{db}", environment={"PYTHONPATH": str(SRC)},
        command=[sys.executable, "-m", "escalation.classroom.cli"], extra_args=("--token-cache", "1"))
    extra = f"""
{snippet}
c.Spawner.environment.update({{"PYTHONPATH": {str(SRC)!r}}})
c.JupyterHub.load_groups = {{"class": {{"users": {STUDENTS!r}}}, "instructors": {{"users": [{INSTRUCTOR!r}]}}}}
c.Authenticator.manage_groups = False
# the students' servers need only the kernels API here: leave JupyterLab and the other extensions out
c.Spawner.args = {local.STUDENT_ARGS!r} + ["--ServerApp.jpserver_extensions=" + e + "=False" for e in
    ("jupyterlab", "notebook", "notebook_shim", "voila.server_extension", "nbgitpuller", "jupyter_server_terminals",
     "nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.validate_assignment",
     "nbgrader.server_extensions.assignment_list", "nbgrader.server_extensions.course_list")]
# test only: the hub notices a killed service within about a second (its default is every 30 s)
import jupyterhub.services.service as _service
from traitlets import Integer as _Integer
class _QuickPoll(_service._ServiceSpawner):
    poll_interval = _Integer(1)
_service._ServiceSpawner = _QuickPoll
"""
    h = local.LocalHub(work / "hub", proxy, extra_config=extra)
    h.db, h.service_url = db, f"{h.url}{SERVICE_PATH}"
    try:
        t0 = time.monotonic()
        h.start()
        print(f"hub: {time.monotonic() - t0:.1f} s")
        h.add_users([OUTSIDER])
        wait_for(lambda: h.session.get(h.service_url + "health", timeout=5).ok, "the class service did not start")
        yield h
    finally:
        t0 = time.monotonic()
        killed = h.stop()
        print(f"hub stopped in {time.monotonic() - t0:.1f} s")
        assert killed == [], "a process survived the hub's shutdown"


def wait_for(predicate, message: str, timeout: float = 30.0, step: float = 0.2):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except Exception as exc:  # noqa: BLE001 - not there yet
            last = exc
        time.sleep(step)
    raise AssertionError(f"{message} (last: {last!r})")


def browser(hub, name: str):
    """A logged-in browser session of `name` that has completed the service's OAuth; its XSRF token."""
    session = hub.login(name)
    page = session.get(hub.service_url, timeout=30)
    assert page.status_code == 200, (name, page.status_code, page.text[:300])
    session.xsrf = re.search(r'name="xsrf" content="([^"]+)"', page.text).group(1)
    return session


def control(session, hub, **form):
    return session.post(hub.service_url + "control", data={"_xsrf": session.xsrf, **form}, timeout=30,
                        allow_redirects=False)


def live(session, hub, view="instructor") -> str:
    r = session.get(hub.service_url + f"live/{view}", headers={"X-XSRFToken": session.xsrf}, timeout=30)
    assert r.status_code == 200, r.status_code
    return r.text


def post(hub, token: str, payload, **kw):
    import requests

    kw.setdefault("timeout", 30)
    return requests.post(hub.service_url + "api/post", headers={"Authorization": f"token {token}"},
                         data=payload if isinstance(payload, (bytes, str)) else json.dumps(payload), **kw)


def export(session, hub) -> list[dict]:
    import csv
    import io

    r = session.get(hub.service_url + "export.csv", timeout=30)
    assert r.status_code == 200
    return list(csv.DictReader(io.StringIO(r.text)))


@pytest.fixture(scope="module")
def teacher(hub):
    session = browser(hub, INSTRUCTOR)
    for form in ({"action": "lesson", "subject": "03"}, {"action": "coding"},
                 {"action": "poll", "subject": "escalation", "phase": "before"}):
        assert control(session, hub, **form).status_code == 302, form
    return session


@pytest.fixture(scope="module")
def class_posts(hub, teacher):
    """Five students start their servers and, in their own kernels, answer 3.1 and 3.2 and code sentences."""
    t0 = time.monotonic()
    hub.start_servers(STUDENTS)
    print(f"servers: {time.monotonic() - t0:.1f} s")

    def work(args):
        index, user = args
        codes = {}
        if index < len(KRIPPENDORFF_C):
            codes = {f"atacms_request_2023-s{j + 1:02d}": CODES[v - 1]
                     for j, v in enumerate(KRIPPENDORFF_C[index]) if v is not None}
        answer_32 = XSS if user == "chloe" else 7 + index % 2
        code = f"""
import json, os
from escalation import practice
from escalation.classroom import client
state = client.status()
practice.check("3.1", {ANSWERS_31[user]!r})
practice.check("3.2", {answer_32!r})
practice.check("3.5", "a written answer that stays in the notebook " * 9)
client.flush()
from escalation import coding
from escalation.corpus import load_articles
from escalation.widgets.classroom import class_mode
article = next(a for a in load_articles() if a.id == "atacms_request_2023")
widget = class_mode(coder=coding.codes_to_table(article, {codes!r}, {user!r}))  # the widget of notebook 04
sent = None
if {bool(codes)!r}:
    widget.send_button.click()  # what the student's click does
    sent = widget.result.value
print(json.dumps({{"state": state, "notice": widget.children[0].value, "sent": sent,
                  "token": os.environ["JUPYTERHUB_API_TOKEN"]}}))
"""
        kernel = hub.kernel(user, "class.ipynb")
        try:
            outputs, error = kernel.execute(code)
        finally:
            kernel.close(shutdown=False)  # the kernels stop with the servers at the end
        assert error is None, (user, error)
        text = "".join(o.get("text", "") for o in outputs if o["output_type"] == "stream" and o["name"] == "stdout")
        return user, json.loads(text.strip().splitlines()[-1])

    with ThreadPoolExecutor(len(STUDENTS)) as pool:
        done = dict(pool.map(work, enumerate(STUDENTS)))
    print(f"kernels: {time.monotonic() - t0:.1f} s")
    return done


def test_students_kernels_post_and_the_instructor_sees_counts_and_alpha(hub, teacher, class_posts):
    for user, result in class_posts.items():
        assert result["state"]["on"] and result["state"]["user"] == user, result["state"]
        assert "Class mode is on" in result["notice"] and "never your written answers" in result["notice"]
    for user, row in zip(STUDENTS, KRIPPENDORFF_C):
        assert f"Sent {sum(v is not None for v in row)} codes." in class_posts[user]["sent"]
    assert class_posts["emil"]["sent"] is None
    view = wait_for(lambda: (lambda t: "Exercise 3.2: 5 answered" in t and t)(live(teacher, hub)),
                    "the class view never showed five answers")
    # 3.1: three said horizontal (right), two vertical; 3.2: wrong answers grouped, most common first
    assert "Exercise 3.1: 5 answered, 3 right" in view
    assert re.search(r"<td class=\"answer\">vertical</td><td>2</td><td>ben, chloe</td>", view)
    assert "Exercise 3.5: 5 answered, 5 recorded" in view
    assert "a written answer that stays" not in view  # written answers never leave the notebook
    alpha = re.search(r"alpha over (\d+) coders: <strong>([0-9.]+)</strong>", view)
    assert alpha and alpha.groups() == ("4", "0.743"), alpha and alpha.groups()
    projector = live(teacher, hub, "projector")
    assert "Exercise 3.1: 5 answered, 3 right" in projector and "0.743" in projector
    assert not any(name in projector for name in STUDENTS)  # pseudonymous: counts, no names


def test_a_student_outside_the_class_sends_nothing(hub, monkeypatch):
    """olga is a hub user outside the class: class mode is off for her, and the service refuses her posts."""
    from escalation.classroom import client

    token = hub.api("POST", f"/users/{OUTSIDER}/tokens", json={"note": "olga's own token"})["token"]
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", token)
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", f"/user/{OUTSIDER}/")
    monkeypatch.setenv(hubconfig.URL_ENV, hub.service_url)
    monkeypatch.setattr(client, "_state", {})
    state = client.status()
    assert not state["on"] and "not in the class" in state["reason"]
    assert client.send({"kind": "poll", "value": 3}) is None
    assert post(hub, token, {"kind": "poll", "value": 3}).status_code == 403


def test_hostile_student_forged_user_and_tokens(hub, teacher, class_posts):
    ana = class_posts["ana"]["token"]
    before = {(r["user"], r["key"]): r["value"] for r in export(teacher, hub)}
    # forged user: a name in the body is ignored, the post is ana's own; a forged "correct" is checked again
    r = post(hub, ana, {"kind": "answer", "exercise": "3.1", "value": "vertical", "status": "correct", "user": "ben"})
    assert r.status_code == 200 and r.json()["user"] == "ana"
    rows = export(teacher, hub)
    after = {(r["user"], r["key"]): r["value"] for r in rows}
    assert after[("ben", "3.1")] == before[("ben", "3.1")] == "vertical" and after[("ana", "3.1")] == "vertical"
    assert next(r["status"] for r in rows if (r["user"], r["key"]) == ("ana", "3.1")) == "wrong"
    post(hub, ana, {"kind": "answer", "exercise": "3.1", "value": "horizontal", "status": "correct"})
    # a made-up token, and a user's real token replayed after the hub revoked it
    assert post(hub, secrets.token_hex(16), {"kind": "poll", "value": 1}).status_code == 403
    ben = hub.api("POST", "/users/ben/tokens", json={"note": "ben's token",
                                                     "scopes": [hubconfig.ACCESS, hubconfig.TAKE]})
    assert post(hub, ben["token"], {"kind": "poll", "value": 2}).status_code == 200
    hub.api("DELETE", f"/users/ben/tokens/{ben['id']}")
    time.sleep(1.5)  # the service trusts a confirmed token for --token-cache seconds (1 here)
    assert post(hub, ben["token"], {"kind": "poll", "value": 5}).status_code == 403
    votes = {r["user"]: r["value"] for r in export(teacher, hub) if r["round_kind"] == "poll"}
    assert votes.get("ben") == "2"


def test_hostile_student_reads_nothing_that_is_not_hers(hub, class_posts):
    import requests

    ana = class_posts["ana"]["token"]
    mine = requests.get(hub.service_url + "api/mine", headers={"Authorization": f"token {ana}"}, timeout=30).json()
    assert mine["posts"] and {p["user"] for p in mine["posts"]} == {"ana"}
    session = browser(hub, "ana")
    for path in ("instructor", "projector", "live/instructor", "live/projector", "export.csv"):
        r = session.get(hub.service_url + path, headers={"X-XSRFToken": session.xsrf}, timeout=30)
        assert r.status_code == 403, (path, r.status_code)
        assert "pwned" not in r.text and "horizontal" not in r.text
        r = requests.get(hub.service_url + path, headers={"Authorization": f"token {ana}"}, timeout=30)
        assert r.status_code == 403, (path, r.status_code)
    home = session.get(hub.service_url, timeout=30).text
    assert "pwned" not in home and ">ben<" not in home  # nobody else's answers or names
    assert re.search(r"<td>3.1</td><td>horizontal</td><td>correct</td>", home)  # her own are there


def test_hostile_student_huge_posts_and_csrf(hub, teacher, class_posts):
    import requests

    ana = class_posts["ana"]["token"]
    count = len(export(teacher, hub))
    too_long = post(hub, ana, {"kind": "answer", "exercise": "3.2", "value": "x" * 300, "status": "wrong"})
    assert too_long.status_code == 400
    assert post(hub, ana, json.dumps({"kind": "poll", "value": 3, "pad": "x" * 5000})).status_code == 413
    try:
        huge = post(hub, ana, b'{"kind": "poll", "value": 3, "pad": "' + b"x" * 2_000_000 + b'"}')
        assert huge.status_code >= 400
    except requests.ConnectionError:
        pass  # the HTTP server closed the connection on the oversized body: refused either way
    assert len(export(teacher, hub)) == count
    # CSRF: a page elsewhere makes the logged-in student's or instructor's browser post without the token
    student = browser(hub, "dev")
    forged = student.post(hub.service_url + "vote", data={"kind": "poll", "value": "1"}, timeout=30,
                          allow_redirects=False)
    assert forged.status_code == 403
    rounds_before = [r["round_id"] for r in export(teacher, hub)]
    forged = teacher.post(hub.service_url + "delete", data={"confirm": "delete"}, timeout=30, allow_redirects=False)
    assert forged.status_code == 403 and len(export(teacher, hub)) == len(rounds_before)
    real = student.post(hub.service_url + "vote", data={"kind": "poll", "value": "4", "_xsrf": student.xsrf},
                        timeout=30, allow_redirects=False)
    assert real.status_code == 302  # the same form with the page's token is accepted
    assert {r["user"]: r["value"] for r in export(teacher, hub) if r["round_kind"] == "poll"}["dev"] == "4"


def test_xss_in_an_answer_is_shown_as_text(hub, teacher, class_posts):
    view = live(teacher, hub)
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in view and XSS not in view
    page = teacher.get(hub.service_url + "instructor", timeout=30)
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_rate_limit(hub, teacher, class_posts):
    emil = class_posts["emil"]["token"]
    codes = [post(hub, emil, {"kind": "poll", "value": 3}).status_code for _ in range(40)]
    assert codes.count(429) >= 5 and codes[0] == 200, codes


def test_nothing_lost_when_the_service_is_killed(hub, teacher, class_posts):
    """SIGKILL while a student is posting: every post the service answered is there after the hub restarts it."""
    import requests

    rows = export(teacher, hub)
    pids = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()
            and str(hub.db).encode() in (p / "cmdline").read_bytes() if (p / "cmdline").exists()]
    assert len(pids) == 1, pids
    dev, acked = class_posts["dev"]["token"], []

    def keep_posting():
        for i in range(20):
            try:
                r = post(hub, dev, {"kind": "answer", "exercise": "3.3", "value": i, "status": "wrong"}, timeout=5)
            except requests.RequestException:
                return  # the service is gone
            if r.status_code == 200:
                acked.append(i)
            time.sleep(0.05)

    writer = threading.Thread(target=keep_posting)
    writer.start()
    wait_for(lambda: len(acked) >= 5, "the student's posts were not answered", step=0.02)
    os.kill(pids[0], signal.SIGKILL)
    writer.join()
    wait_for(lambda: hub.session.get(hub.service_url + "health", timeout=5).ok, "the hub did not restart the service",
             timeout=60)
    after = export(teacher, hub)
    stored = next(int(r["value"]) for r in after if r["user"] == "dev" and r["key"] == "3.3")
    assert stored >= acked[-1], (stored, acked)  # the last answered post (or one sent after it) survived
    assert [r for r in after if r["key"] != "3.3"] == [r for r in rows if r["key"] != "3.3"]
    view = live(teacher, hub)
    assert "Exercise 3.1: 5 answered" in view and "<strong>0.743</strong>" in view


def test_pages_pass_axe_at_projector_and_laptop_sizes(hub, teacher, class_posts):
    pw = pytest.importorskip("playwright.sync_api")
    from support.axe import AxeUnavailable, run_axe

    chromium = Path(os.environ.get("ESCALATION_CHROMIUM", "/usr/bin/chromium"))
    if not chromium.exists():
        pytest.skip(f"no Chromium at {chromium}")
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"]
    def drive():
        with pw.sync_playwright() as p:
            b = p.chromium.launch(executable_path=str(chromium), args=args)
            try:
                for session, paths in ((teacher, ("instructor", "projector")), (browser(hub, "ben"), ("",))):
                    context = b.new_context(viewport={"width": 1920, "height": 1080}, bypass_csp=True)  # axe is injected
                    context.add_cookies([{"name": c.name, "value": c.value, "domain": "127.0.0.1", "path": c.path}
                                         for c in session.cookies])  # the session's hub login and service OAuth cookies
                    page = context.new_page()
                    dialogs = []
                    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
                    for path in paths:
                        page.set_viewport_size({"width": 1920, "height": 1080})
                        page.goto(hub.service_url + path)
                        if path:
                            page.wait_for_selector("#live [data-version]")
                            assert "0.743" in page.inner_text("#live")
                        if path == "projector":  # a new vote reaches the open page by itself (it asks every second)
                            votes = re.search(r"Votes: (\d+) answers", page.inner_text("#live")).group(1)
                            assert post(hub, class_posts["chloe"]["token"], {"kind": "poll", "value": 1}).ok
                            page.wait_for_function(f"!document.querySelector('#live').innerText.includes('Votes: {votes} ')",
                                                   timeout=10_000)
                        for width, height in ((1920, 1080), (1366, 768)):
                            page.set_viewport_size({"width": width, "height": height})
                            try:
                                violations = run_axe(page)
                            except AxeUnavailable as exc:
                                pytest.skip(str(exc))
                            assert violations == [], (path, width, [(v["id"], v["nodes"][0]["target"]) for v in violations])
                    assert dialogs == [], "a script in an answer ran in the browser"
                    context.close()
            finally:
                b.close()

    # a thread of its own: the browser suite's session-long Playwright keeps an event loop running in this one
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(drive).result()


def test_the_same_poll_before_and_after_the_debate(hub, teacher, class_posts):
    before = export(teacher, hub)
    before_votes = sum(r["round_kind"] == "poll" for r in before)
    assert control(teacher, hub, action="poll", subject="escalation", phase="after").status_code == 302
    for user, vote in (("ana", 5), ("ben", 4)):
        assert post(hub, class_posts[user]["token"], {"kind": "poll", "value": vote}).status_code == 200
    view = live(teacher, hub, "projector")
    pair = view[view.index("Before and after the debate"):]
    assert f"Before: {before_votes} answers" in pair and "After: 2 answers" in pair


def test_export_then_delete_the_class_data(hub, teacher, class_posts):
    rows = export(teacher, hub)
    assert {"ana", "ben", "chloe", "dev", "emil"} <= {r["user"] for r in rows}
    r = teacher.post(hub.service_url + "delete", data={"confirm": "delete", "_xsrf": teacher.xsrf}, timeout=30,
                     allow_redirects=False)
    assert r.status_code == 302
    assert export(teacher, hub) == []
