"""The live class without a hub: storage, what the views compute, the kernel side of class mode.

Independent truths: Krippendorff's published alpha (2011, section C: 0.743) and a per-sentence alpha
computed by hand from the paper's marginals; a subprocess killed with SIGKILL in the middle of writing;
sockets that fail the test if anything touches the network outside a hub.
"""
from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from escalation import checks, practice
from escalation.classroom import client, hook, hubconfig, rounds
from escalation.classroom.limits import RateLimit
from escalation.classroom.store import Store, sqlite_url

SRC = Path(__file__).resolve().parents[1] / "src"
N = None
KRIPPENDORFF_C = [  # Krippendorff (2011), section C: alpha (nominal) = 0.743
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]
CODES = ["problem_definition", "causal_interpretation", "moral_evaluation", "treatment_recommendation", "none"]


def coding_posts(data=KRIPPENDORFF_C):
    sids = [s for s, _, _ in rounds._sentences()]
    return [{"user": f"coder{i}", "key": sids[j], "value": CODES[v - 1], "status": ""}
            for i, row in enumerate(data) for j, v in enumerate(row) if v is not None]


# ------------------------------------------------------------------ what the views compute
def test_class_alpha_is_krippendorffs_published_value():
    summary = rounds.coding_summary(coding_posts(), names=False)
    assert summary["coders"] == 4 and summary["alpha"] == pytest.approx(0.743, abs=5e-4)
    assert "tentative" in summary["reading"]


def test_sentence_alpha_by_hand_and_most_disputed_first():
    """Unit 6 of the paper has four different values: D_o = 1. Marginals n_c = 9, 13, 10, 5, 3 of n = 40
    pairable values give D_e = (40² − Σ n_c²) / (40 · 39) = 1216 / 1560, so alpha_6 = 1 − 1560/1216."""
    summary = rounds.coding_summary(coding_posts(), names=True)
    first = summary["sentences"][0]
    assert first["number"] == 6 and first["alpha"] == pytest.approx(1 - 1560 / 1216, abs=5e-4)
    alphas = [s["alpha"] for s in summary["sentences"] if s["alpha"] is not None]
    assert alphas == sorted(alphas)
    # weighted by their codes, the sentences' alphas average to the overall alpha
    paired = [s for s in summary["sentences"] if s["alpha"] is not None]
    mean = sum(s["n"] * s["alpha"] for s in paired) / sum(s["n"] for s in paired)
    assert mean == pytest.approx(0.743, abs=2e-3)
    assert "by" in first and rounds.coding_summary(coding_posts(), names=False)["sentences"][0].get("by") is None


def test_lesson_summary_groups_wrong_answers_most_common_first_and_hides_names():
    lesson = {"kind": "lesson", "subject": "03"}
    posts = [{"user": u, "key": "3.2", "value": v, "status": s} for u, v, s in
             [("a", "7", "wrong"), ("b", "9", "wrong"), ("c", "9", "wrong"), ("d", "8", "correct"),
              ("a", "9", "wrong")]]  # a answered twice: the latest counts
    item = next(e for e in rounds.lesson_summary(lesson, posts, names=False) if e["id"] == "3.2")
    assert (item["answered"], item["correct"]) == (4, 1)
    assert item["wrong"] == [{"value": "9", "count": 3}]
    named = next(e for e in rounds.lesson_summary(lesson, posts, names=True) if e["id"] == "3.2")
    assert named["wrong"][0]["users"] == ["a", "b", "c"] and named["correct_users"] == ["d"]


def test_what_a_round_accepts():
    lesson = {"kind": "lesson", "subject": "03"}
    assert rounds.accept(lesson, "3.1", "  Horizontal ", "correct") == ("3.1", "Horizontal", "correct")
    # the service checks again: a kernel claiming "correct" for a wrong answer (or the reverse) is overruled
    assert rounds.accept(lesson, "3.1", "vertical", "correct") == ("3.1", "vertical", "wrong")
    assert rounds.accept(lesson, "3.1", "horizontal", "wrong")[2] == "correct"
    assert rounds.accept(lesson, "3.2", "seven", "malformed")[2] == "malformed"
    assert rounds.accept(lesson, "3.5", "my essay", "recorded") == ("3.5", "", "recorded")  # never the text
    for bad in [("4.1", "x", "wrong"), ("3.1", "x" * 201, "wrong"), ("3.1", "x", "hacked")]:
        with pytest.raises(rounds.Rejected):
            rounds.accept(lesson, *bad)
    with pytest.raises(rounds.Rejected):
        rounds.accept({"kind": "poll"}, "vote", 6)
    assert rounds.accept({"kind": "poll"}, "vote", 4) == ("vote", "4", "")
    with pytest.raises(rounds.Rejected):
        rounds.accept({"kind": "coding"}, "atacms_request_2023-s01", "propaganda")
    with pytest.raises(rounds.Rejected):
        rounds.accept({"kind": "ladder"}, "group", 8)


def test_rate_limit_refills():
    now = [0.0]
    limit = RateLimit(burst=3, per_second=1.0, clock=lambda: now[0])
    assert [limit.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limit.allow("b")  # per user
    now[0] += 1.0
    assert limit.allow("a") and not limit.allow("a")


# ------------------------------------------------------------------ storage
def test_store_migrates_keeps_latest_exports_and_deletes(tmp_path):
    store = Store(sqlite_url(tmp_path / "c.sqlite"))
    assert store.revision == "0001"
    assert sqlite3.connect(tmp_path / "c.sqlite").execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    r = store.open_round("poll", "escalation", phase="before")
    store.post(r["id"], "ana", "vote", "2")
    store.post(r["id"], "ana", "vote", "5")
    assert [p["value"] for p in store.posts(r["id"])] == ["5"]
    r2 = store.open_round("poll", "escalation", phase="after")
    assert store.get_round(r["id"])["open"] is False and store.open_of_kind("poll")["id"] == r2["id"]
    lines = store.export_csv().splitlines()
    assert lines[0].startswith("round_id,round_kind") and ",ana,vote,5," in lines[1]
    assert Store(store.url).revision == "0001"  # a second start migrates nothing
    assert store.delete_all() == 1 and store.rounds() == [] and len(store.export_csv().splitlines()) == 1


WRITER = """
import sys
from escalation.classroom.store import Store
store = Store(sys.argv[1])
r = store.open_round("lesson", "03")
i = 0
while True:
    store.post(r["id"], f"s{i}", "3.1", "horizontal", "correct")
    print(i, flush=True)  # acknowledged only after the commit, as the service answers
    i += 1
"""


def test_nothing_acknowledged_is_lost_when_the_writer_is_killed(tmp_path):
    url = sqlite_url(tmp_path / "k.sqlite")
    proc = subprocess.Popen([sys.executable, "-c", WRITER, url], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(SRC)})
    acked = -1
    deadline = time.monotonic() + 60
    while acked < 200 and time.monotonic() < deadline:
        acked = int(proc.stdout.readline())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    rest = proc.stdout.read().split()
    acked = int(rest[-1]) if rest else acked
    store = Store(url)
    users = {p["user"] for p in store.posts(store.rounds()[0]["id"])}
    assert acked >= 200 and {f"s{i}" for i in range(acked + 1)} <= users


def test_cli_exports_deletes_and_refuses_to_serve_outside_a_hub(tmp_path, monkeypatch, capsys):
    from escalation.classroom import cli

    url = sqlite_url(tmp_path / "c.sqlite")
    store = Store(url)
    store.post(store.open_round("ladder", "E03")["id"], "ana", "group", "2")
    out = tmp_path / "class.csv"
    assert cli.main(["export", "--db", url, "--out", str(out)]) == 0
    assert "wrote 1 posts" in capsys.readouterr().out and ",ana,group,2," in out.read_text()
    with pytest.raises(SystemExit) as refused:
        cli.main(["delete", "--db", url])  # without --yes nothing is deleted
    assert "--yes" in str(refused.value) and len(Store(url).export_csv().splitlines()) == 2
    assert cli.main(["delete", "--db", url, "--yes"]) == 0 and "deleted 1 posts" in capsys.readouterr().out
    for var in [v for v in os.environ if v.startswith("JUPYTERHUB_")]:
        monkeypatch.delenv(var)
    with pytest.raises(SystemExit) as outside:
        cli.main(["serve", "--db", url])
    assert "JupyterHub service" in str(outside.value)
    with pytest.raises(SystemExit) as bad:
        cli.main(["export", "--db", "nosuchdialect://x"])
    assert "cannot open the database" in str(bad.value)


def test_config_snippet_runs_in_a_hub_config():
    from traitlets.config import Config

    c = Config()
    c.JupyterHub.services = [{"name": "other", "api_token": "x"}]
    exec(hubconfig.config_snippet(), {"c": c})  # noqa: S102 - the snippet is Python for jupyterhub_config.py
    names = [s["name"] for s in c.JupyterHub.services]
    assert names == ["other", "escalation-class"]
    assert set(c.JupyterHub.custom_scopes) == {hubconfig.TAKE, hubconfig.INSTRUCT}
    assert hubconfig.TAKE in c.Spawner.server_token_scopes and hubconfig.ACCESS in c.Spawner.server_token_scopes
    env = c.Spawner.environment.get_value({})  # a lazy value, merged into the hub's own at start-up
    assert env[hubconfig.URL_ENV] == f"http://127.0.0.1:{hubconfig.DEFAULT_PORT}/services/escalation-class/"


# ------------------------------------------------------------------ the kernel side
@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""
    attempts = []

    def refuse(self, address, *a, **kw):
        attempts.append(address)
        raise AssertionError(f"network attempt to {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda address, *a, **kw: refuse(None, address))
    for var in ("JUPYTERHUB_API_TOKEN", "JUPYTERHUB_SERVICE_PREFIX", hubconfig.URL_ENV):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(client, "_state", {})
    return attempts


def test_self_study_sends_nothing_and_checks_work_as_before(no_network, capsys):
    assert practice.check("3.1", "horizontal").value is True
    assert practice.check("3.1", "vertical").value is False
    assert "correct" in capsys.readouterr().out
    assert not client.configured() and client.status()["on"] is False
    assert client.send_codes({"atacms_request_2023-s01": "none"}) is None and client.send_vote(3) is None
    assert no_network == [] and hook._pending == {}


def test_class_mode_widget_off_without_a_hub(no_network):
    from escalation.widgets.classroom import class_mode

    widget = class_mode()
    html = widget.children[0].value
    assert "Class mode is off" in html and 'role="status"' in html and "nothing is sent" in html
    assert len(widget.children) == 1 and no_network == []


def test_class_mode_widget_is_a_static_notice_in_the_edition(no_network, monkeypatch):
    from escalation.widgets.classroom import class_mode

    monkeypatch.setenv("ESCALATION_STATIC_WIDGETS", "1")
    static = class_mode()
    assert "Class mode is off" in static._repr_html_() and "nothing is sent" in static.caption
    assert no_network == []


def test_an_unreachable_service_never_disturbs_a_check(monkeypatch, capsys):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "t")
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ana/")
    monkeypatch.setenv(hubconfig.URL_ENV, f"http://127.0.0.1:{port}/services/escalation-class/")
    monkeypatch.setattr(client, "_state", {})
    t = time.monotonic()
    assert practice.check("3.1", "horizontal").value is True
    assert time.monotonic() - t < 2  # the post goes from a background thread
    assert client.flush(10)
    assert "correct" in capsys.readouterr().out
    state = client.status()
    assert state["on"] is False and "did not answer" in state["reason"]


def test_the_hook_sends_practice_answers_only(monkeypatch):
    sent = []
    monkeypatch.setattr(client, "configured", lambda: True)
    monkeypatch.setattr(client, "send_later", sent.append)
    checks.check_format("Q3", 12, kind="whole number")  # a graded set: never sent
    practice.check("3.1", ...)  # not answered yet: nothing to send
    practice.check("3.2", 7)
    practice.check("3.5", "word " * 70)  # written: the outcome only
    assert [(p["exercise"], p["status"], p.get("value", "(none)")) for p in sent] == [
        ("3.2", "wrong" if practice.get("3.2").expected_value() != 7 else "correct", 7), ("3.5", "recorded", "(none)")]


def test_hub_config_command_prints_config_a_real_jupyterhub_accepts(capsys):
    """`escalation-class hub-config` (what the TLJH recipe writes with LIVE_CLASS=1) loads into JupyterHub's own traits."""
    from jupyterhub.app import JupyterHub
    from traitlets.config import Config

    from escalation.classroom import cli

    assert cli.main(["hub-config", "--command-prefix", "/opt/tljh/user/bin/"]) == 0
    c = Config()
    exec(capsys.readouterr().out, {"c": c})
    hub = JupyterHub(config=c)
    (service,) = [s for s in hub.services if s["name"] == "escalation-class"]
    assert service["command"][:2] == ["/opt/tljh/user/bin/escalation-class", "serve"]
    assert set(hub.custom_scopes) == {"custom:escalation-class:take", "custom:escalation-class:instruct"}
    assert {r["name"] for r in hub.load_roles} >= {"escalation-class-student", "escalation-class-instructor"}


def test_tljh_recipe_turns_the_service_on_only_when_asked():
    import os
    import subprocess
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "tools" / "hub" / "tljh" / "install.sh"
    def dry(**env):
        return subprocess.run(["bash", str(script), "install", "https://github.com/o/r", "admin"], capture_output=True,
                              text=True, env={**os.environ, "DRY_RUN": "1", **env}, check=True).stdout
    assert "escalation-class" not in dry()
    on = dry(LIVE_CLASS="1")
    assert "escalation-class' hub-config" in on and "jupyterhub_config.d/escalation-class.py" in on
