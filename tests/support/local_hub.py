"""A real JupyterHub on 127.0.0.1 for trying the module with a class: the test and the benchmark drive it.

`LocalHub` starts the `jupyterhub` package with npm's configurable-http-proxy, the dummy authenticator and
the local-process spawner (every user runs as the current Unix user, each in their own home folder under
`homes/`: for testing only, with no isolation between users) and a service token that drives everything
through the REST API: start servers, pull the module with nbgitpuller, run code in a user's kernel,
read and save notebooks. Every process it starts carries a marker in its environment, so `leftovers()`
can prove that none survives the hub.
"""
from __future__ import annotations

import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

from escalation import answers
from escalation.grading.source import BEGIN_SOLUTION, END_SOLUTION, cell_text, nbgrader_meta

CHP_VERSION = "5"
MARKER = "ESCALATION_LOCALHUB"
STUDENT_ARGS = ["--allow-root", "--ServerApp.jpserver_extensions=jupyter_lsp=False"]


class HubUnavailable(RuntimeError):
    """Something a local hub needs (npm, configurable-http-proxy) is missing; the message says what."""


def default_cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "escalation-hub"


def find_or_install_proxy(cache: Path | None = None, timeout: float = 300) -> str:
    """The configurable-http-proxy command: on PATH, in the cache, or installed there with npm."""
    found = shutil.which("configurable-http-proxy")
    if found:
        return found
    cache = Path(cache or default_cache())
    local = cache / "chp" / "node_modules" / ".bin" / "configurable-http-proxy"
    if local.exists():
        return str(local)
    npm = shutil.which("npm")
    if not npm or not shutil.which("node"):
        raise HubUnavailable("configurable-http-proxy is not installed and npm/node are not available to install it "
                             "(install Node.js, or `npm install -g configurable-http-proxy`).")
    try:
        done = subprocess.run([npm, "install", "--prefix", str(cache / "chp"), "--no-audit", "--no-fund",
                               "--fetch-timeout=30000", "--fetch-retries=1", f"configurable-http-proxy@{CHP_VERSION}"],
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise HubUnavailable(f"npm could not install configurable-http-proxy within {timeout:.0f} s "
                             "(is the npm registry reachable?).") from None
    if done.returncode or not local.exists():
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise HubUnavailable("npm could not install configurable-http-proxy (is the npm registry reachable?): "
                             + " | ".join(tail))
    return str(local)


PORT_SPAN = 4000  # ports per pytest-xdist worker, below the kernel's ephemeral range (32768 and up)
_given: set[int] = set()


def free_port() -> int:
    """A free port on 127.0.0.1 from this test worker's own range (20000 + 4000 x worker number), never one
    handed out before in this process. Two hubs started at once by two xdist workers (or a hub and the
    ephemeral ports the kernel hands out) cannot then pick the same port between its check and its use."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    base = 20000 + PORT_SPAN * (int(worker) % 3 if worker.isdigit() else 0)
    rng = random.Random(os.getpid())
    for _ in range(200):
        port = base + rng.randrange(PORT_SPAN)
        if port in _given:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _given.add(port)
        return port
    raise HubUnavailable(f"no free port on 127.0.0.1 between {base} and {base + PORT_SPAN}")


def leftovers(marker_value: str) -> list[int]:
    """Process ids whose environment carries this hub's marker."""
    needle = f"{MARKER}={marker_value}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if needle in (entry / "environ").read_bytes().split(b"\0"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def pss_kib(pid: int) -> int:
    """Proportional set size of one process (shared pages split among the processes that share them)."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


class LocalHub:
    """A JupyterHub on 127.0.0.1 in `workdir`, users' homes in `workdir/homes/<name>`."""

    def __init__(self, workdir: Path, proxy: str, *, extra_config: str = "", start_timeout: int = 180):
        import requests

        self.workdir = Path(workdir)
        self.homes = self.workdir / "homes"
        self.proxy, self.extra_config, self.start_timeout = proxy, extra_config, start_timeout
        self.port, self.hub_port, self.api_port = free_port(), free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = secrets.token_hex(24)
        self.marker = uuid.uuid4().hex
        self.proc: subprocess.Popen | None = None
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"token {self.token}"

    # lifecycle
    def config_text(self) -> str:
        singleuser = str(Path(sys.executable).with_name("jupyterhub-singleuser"))
        return f"""
c = get_config()  # noqa
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {self.port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {self.hub_port}
c.ConfigurableHTTPProxy.command = [{self.proxy!r}]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{self.api_port}"
c.ConfigurableHTTPProxy.pid_file = {str(self.workdir / "proxy.pid")!r}
c.JupyterHub.db_url = "sqlite:///" + {str(self.workdir / "jupyterhub.sqlite")!r}
c.JupyterHub.cookie_secret_file = {str(self.workdir / "cookie_secret")!r}
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {str(self.homes)!r} + "/{{username}}"
c.Spawner.notebook_dir = {str(self.homes)!r} + "/{{username}}"
c.Spawner.cmd = [{singleuser!r}]
c.Spawner.args = {STUDENT_ARGS!r}
c.Spawner.default_url = "/lab"
c.Spawner.env_keep = ["PATH", "LANG", "LC_ALL", "{MARKER}", "ESCALATION_DATA"]
c.Spawner.start_timeout = {self.start_timeout}
c.Spawner.http_timeout = {self.start_timeout}
c.JupyterHub.services = [{{"name": "class-admin", "api_token": {self.token!r}}}]
c.JupyterHub.load_roles = [{{"name": "class-admin", "services": ["class-admin"],
    "scopes": ["admin:users", "admin:servers", "access:servers", "list:users", "read:users", "tokens"]}}]
c.JupyterHub.cleanup_servers = True
{self.extra_config}
"""

    def start(self) -> "LocalHub":
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.homes.mkdir(exist_ok=True)
        config = self.workdir / "jupyterhub_config.py"
        config.write_text(self.config_text(), encoding="utf-8")
        env = dict(os.environ, **{MARKER: self.marker})
        self.log = open(self.workdir / "hub.log", "wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(config)], cwd=self.workdir,
                                     env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterHub stopped at start-up:\n{self.log_tail()}")
            try:
                if self.session.get(f"{self.url}/hub/api/", timeout=2).ok:
                    return self
            except Exception:  # noqa: BLE001 - not listening yet
                pass
            time.sleep(0.3)
        raise RuntimeError(f"JupyterHub did not answer within 60 s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join((self.workdir / "hub.log").read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 60) -> list[int]:
        """Stop every server, the hub and the proxy; kill what survives; return pids that had to be killed."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # the hub stops the servers (cleanup_servers) and the proxy
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        killed = []
        deadline = time.monotonic() + 10
        while leftovers(self.marker) and time.monotonic() < deadline:
            time.sleep(0.5)
        for pid in leftovers(self.marker):
            try:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            except ProcessLookupError:
                pass
        if getattr(self, "log", None):
            self.log.close()
        return killed

    def __enter__(self) -> "LocalHub":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # REST API
    def api(self, method: str, path: str, **kw):
        r = self.session.request(method, f"{self.url}/hub/api{path}", timeout=kw.pop("timeout", 30), **kw)
        if r.status_code >= 400:
            raise RuntimeError(f"{method} /hub/api{path}: {r.status_code} {r.text[:300]}")
        return r.json() if r.content else None

    def user_url(self, name: str, path: str) -> str:
        return f"{self.url}/user/{name}/{path.lstrip('/')}"

    def add_users(self, names: list[str]) -> None:
        self.api("POST", "/users", json={"usernames": names})

    def start_server(self, name: str) -> float:
        """Start a user's server and wait until it is ready; return the seconds it took."""
        t0 = time.monotonic()
        self.api("POST", f"/users/{name}/server", json={})
        while time.monotonic() - t0 < self.start_timeout:
            server = (self.api("GET", f"/users/{name}").get("servers") or {}).get("")
            if server and server.get("ready"):
                return time.monotonic() - t0
            if self.proc.poll() is not None:
                raise RuntimeError(f"the hub stopped:\n{self.log_tail()}")
            time.sleep(0.5)
        raise RuntimeError(f"{name}'s server was not ready within {self.start_timeout} s:\n{self.log_tail()}")

    def start_servers(self, names: list[str], workers: int = 32) -> dict[str, float]:
        with ThreadPoolExecutor(min(workers, len(names))) as pool:
            return dict(zip(names, pool.map(self.start_server, names)))

    def login(self, name: str):
        """A browser-like session of a student logged in through the hub's login form (dummy authenticator)."""
        import requests

        browser = requests.Session()
        browser.get(f"{self.url}/hub/login", timeout=30).raise_for_status()
        r = browser.post(f"{self.url}/hub/login", timeout=60, allow_redirects=False,
                         data={"username": name, "password": "class", "_xsrf": browser.cookies.get("_xsrf", "")})
        if r.status_code != 302:
            raise RuntimeError(f"{name} could not log in: {r.status_code}")
        return browser

    def click(self, browser, link: str) -> dict[str, str]:
        """Follow a hand-out link as a logged-in student: the nbgitpuller page it lands on and its settings."""
        from urllib.parse import unquote

        r = browser.get(link, timeout=120)
        r.raise_for_status()
        data = {k: unquote(v) for k, v in re.findall(r'data-([a-z-]+)="([^"]*)"', r.text)}
        data["url"] = r.url
        return data

    def pull(self, name: str, repo: str, branch: str = "main", targetpath: str = "escalation-debates",
             token: str | None = None) -> list[str]:
        """Pull a repository into the user's home through nbgitpuller's API (what the link's page calls)."""
        query = f"repo={quote(repo, safe='')}&branch={quote(branch)}&targetpath={quote(targetpath)}"
        headers = {"Authorization": f"token {token}"} if token else {}
        r = self.session.get(self.user_url(name, f"git-pull/api?{query}"), stream=True, timeout=300, headers=headers)
        r.raise_for_status()
        events = []
        for line in r.iter_lines(decode_unicode=True):
            if line and line.startswith("data:"):
                event = json.loads(line[5:])
                events.append(event)
                if event.get("phase") == "error":
                    raise RuntimeError(f"nbgitpuller failed for {name}: {event.get('message')}")
                if event.get("phase") == "finished":
                    return [str(e.get("output", "")) for e in events]
        raise RuntimeError(f"nbgitpuller's stream for {name} ended without 'finished'")

    def get_notebook(self, name: str, path: str) -> dict:
        r = self.session.get(self.user_url(name, f"api/contents/{quote(path)}"), params={"content": 1}, timeout=30)
        r.raise_for_status()
        return r.json()["content"]

    def save_notebook(self, name: str, path: str, nb: dict) -> dict:
        r = self.session.put(self.user_url(name, f"api/contents/{quote(path)}"),
                             json={"type": "notebook", "format": "json", "content": nb}, timeout=30)
        r.raise_for_status()
        return r.json()

    def kernel(self, name: str, notebook_path: str) -> "KernelClient":
        """Start a kernel for a notebook (a session, as JupyterLab does) and connect to it."""
        r = self.session.post(self.user_url(name, "api/sessions"), timeout=60, json={
            "path": notebook_path, "type": "notebook", "name": Path(notebook_path).name,
            "kernel": {"name": "python3"}})
        r.raise_for_status()
        kid = r.json()["kernel"]["id"]
        ws = self.user_url(name, f"api/kernels/{kid}/channels").replace("http://", "ws://", 1)
        return KernelClient(ws, self.token, self, name, kid)

    def server_pids(self) -> dict[str, list[int]]:
        """user name -> pids of that user's server and its kernels (from the processes' environments)."""
        out: dict[str, list[int]] = {}
        for pid in leftovers(self.marker):
            try:
                env = dict(kv.split(b"=", 1) for kv in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
                           if b"=" in kv)
            except OSError:
                continue
            user = env.get(b"JUPYTERHUB_USER")
            if user:
                out.setdefault(user.decode(), []).append(pid)
        return out

    def hub_and_proxy_pids(self) -> list[int]:
        users = {p for pids in self.server_pids().values() for p in pids}
        return [p for p in leftovers(self.marker) if p not in users]


class KernelClient:
    """Run code in a user's kernel over the websocket, as JupyterLab does."""

    def __init__(self, url: str, token: str, hub: LocalHub, user: str, kernel_id: str):
        import websocket

        self.hub, self.user, self.kernel_id = hub, user, kernel_id
        self.ws = websocket.create_connection(url, header=[f"Authorization: token {token}"], timeout=300)
        self.session = uuid.uuid4().hex
        self.wait_ready()

    def send(self, msg_type: str, content: dict) -> str:
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": self.user, "session": self.session, "msg_type": msg_type,
                       "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [], "content": content}))
        return msg_id

    def wait_ready(self, timeout: float = 180) -> None:
        """Ask for kernel_info until the kernel answers (a kernel still starting on a busy machine does not)."""
        import websocket

        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            msg_id = self.send("kernel_info_request", {})
            self.ws.settimeout(10)
            try:
                while True:
                    msg = json.loads(self.ws.recv())
                    if msg.get("parent_header", {}).get("msg_id") == msg_id and msg["msg_type"] == "kernel_info_reply":
                        return
            except websocket.WebSocketTimeoutException:  # no reply within 10 s: ask again
                continue
            finally:
                self.ws.settimeout(300)
        raise TimeoutError(f"{self.user}'s kernel did not answer within {timeout:.0f} s")

    def execute(self, code: str, timeout: float = 300) -> tuple[list[dict], dict | None]:
        """Run one cell; return its outputs (notebook format) and the error, if it raised."""
        msg_id = self.send("execute_request", {"code": code, "silent": False, "store_history": True,
                                               "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
        outputs, error, idle, reply = [], None, False, False
        t0 = time.monotonic()
        while not (idle and reply):
            if time.monotonic() - t0 > timeout:
                raise TimeoutError(f"a cell in {self.user}'s kernel ran longer than {timeout} s")
            try:
                msg = json.loads(self.ws.recv())
            except Exception as exc:  # noqa: BLE001 - say where it happened and what the hub logged
                raise RuntimeError(f"{self.user}'s kernel connection failed during a cell ({exc!r}); "
                                   f"hub log:\n{self.hub.log_tail(40)}") from exc
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if msg["channel"] == "shell" and kind == "execute_reply":
                reply = True
                if content.get("status") == "error":
                    error = content
            elif kind == "status" and content.get("execution_state") == "idle":
                idle = True
            elif kind == "stream":
                outputs.append({"output_type": "stream", "name": content["name"], "text": content["text"]})
            elif kind in ("execute_result", "display_data"):
                out = {"output_type": kind, "data": content["data"], "metadata": content.get("metadata", {})}
                if kind == "execute_result":
                    out["execution_count"] = content.get("execution_count")
                outputs.append(out)
            elif kind == "error":
                outputs.append({"output_type": "error", "ename": content["ename"], "evalue": content["evalue"],
                                "traceback": content["traceback"]})
        return outputs, error

    def run_notebook(self, nb: dict) -> list[str]:
        """Run every code cell in order (Run All), storing outputs and counts in `nb`; return the errors."""
        errors, count = [], 0
        for cell in nb["cells"]:
            if cell["cell_type"] != "code":
                continue
            src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            count += 1
            cell["outputs"], error = self.execute(src)
            cell["execution_count"] = count
            if error:
                errors.append(f"{error.get('ename')}: {error.get('evalue')}")
        return errors

    def close(self, shutdown: bool = True) -> None:
        try:
            self.ws.close()
        finally:
            if shutdown:
                self.hub.session.delete(self.hub.user_url(self.user, f"api/kernels/{self.kernel_id}"), timeout=30)


# Simulated students: answers that differ per student and the points they should earn

def solution_code(cell: dict) -> str:
    lines = cell_text(cell).splitlines()
    return "\n".join(l for l in lines if BEGIN_SOLUTION not in l and END_SOLUTION not in l)


def answer_plan(exercise, index: int) -> dict[str, bool]:
    """Which computed questions student number `index` answers correctly (different for every student)."""
    keys = [q.key for q in exercise.questions if q.kind == "auto"]
    if index == 0:
        return {k: True for k in keys}
    if index == 1:
        return {k: False for k in keys}
    return {k: (j + index) % 2 == 0 or j == index % len(keys) for j, k in enumerate(keys)}


def fill_in(student_nb: dict, source_nb: dict, exercise, user: str, plan: dict[str, bool], blank: bool) -> float:
    """Put one student's answers in their notebook; return the points those answers should earn."""
    solutions = {nbgrader_meta(c).get("grade_id"): c for c in source_nb["cells"]}
    for cell in student_nb["cells"]:
        gid = nbgrader_meta(cell).get("grade_id", "")
        if gid == "student_id":
            cell["source"] = f'student_id = "{user}"\n'
            continue
        question = next((q for q in exercise.questions if gid in q.answer_ids), None)
        if question is not None:
            if plan[question.key]:
                cell["source"] = solution_code(solutions[gid])
            elif not blank:
                cell["source"] = "\n".join(f"{v} = -999" for v in question.variables)
        written = next((q for q in exercise.questions if q.kind == "written" and q.written_id == gid), None)
        if written is not None and cell.get("cell_type") == "markdown":
            cell["source"] = f"Written answer of {user} to {written.key}."
    return sum(q.points for q in exercise.questions if q.kind == "auto" and plan[q.key])


def type_written_answers(student_nb: dict, exercise, user: str) -> None:
    """After Run All: what typing in each written-answer text box leaves in the notebook (the widget's display,
    updated with the text, as JupyterLab saves it)."""
    for cell in student_nb["cells"]:
        gid = nbgrader_meta(cell).get("grade_id", "")
        written = next((q for q in exercise.questions if q.kind == "written" and q.written_id == gid), None)
        if written is not None and cell.get("cell_type") == "code":
            text = f"Written answer of {user} to {written.key}."
            cell["outputs"] = [o for o in cell.get("outputs", []) if answers.MIME not in o.get("data", {})]
            cell["outputs"].append({"output_type": "display_data", "metadata": {},
                                    "data": answers.bundle(written.key, text)})
