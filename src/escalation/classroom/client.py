"""Class mode in a student's kernel: is the class service there, and am I in the class? Then send.

Class mode is on only when all of these hold:
1. the kernel runs in a JupyterHub single-user server ($JUPYTERHUB_SERVICE_PREFIX and $JUPYTERHUB_API_TOKEN,
   which JupyterHub sets there);
2. the hub runs the class service and says where ($ESCALATION_CLASS_URL, set by the hub's configuration);
3. the service, asked once with the server's token, says this user is a student of the class.
Without 1 and 2 nothing touches the network: self-study and laptops work exactly as before. Sending never
raises and never holds up a cell: answers go from a background thread, with short timeouts.

Standard library only (`escalation.checks` imports this through `hook`).
"""
from __future__ import annotations

import json
import os
import queue
import threading
import time
import urllib.error
import urllib.request

from .hubconfig import URL_ENV

TIMEOUT = 3.0
RECHECK = 60.0  # seconds before asking the service again whether class mode is on
MAX_TEXT = 200
WHAT_IS_SENT = ("While class mode is on, each practice check sends the class service its result (right or not "
                "yet) and your short answer, never your written answers; the coding round sends your codes, and "
                "polls your vote. Your instructors see them with your name; the projector shows only counts, "
                "no names; other students never see your answers. Graded exercise sets send nothing.")

_state: dict = {}
_lock = threading.Lock()
_queue: "queue.Queue[dict]" = queue.Queue()
_worker: threading.Thread | None = None


def service_url() -> str | None:
    """The class service's URL when this kernel runs on a hub that runs the service, else None."""
    url = os.environ.get(URL_ENV, "").strip()
    if url and os.environ.get("JUPYTERHUB_API_TOKEN") and os.environ.get("JUPYTERHUB_SERVICE_PREFIX"):
        return url.rstrip("/") + "/"
    return None


def configured() -> bool:
    """True when class mode could be on (the environment only; no network)."""
    return service_url() is not None


def _request(method: str, path: str, payload: dict | None = None, timeout: float = TIMEOUT) -> tuple[int, dict]:
    data = json.dumps(payload).encode() if payload is not None else None
    req = urllib.request.Request(service_url() + path, data=data, method=method, headers={
        "Authorization": f"token {os.environ['JUPYTERHUB_API_TOKEN']}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        try:
            return e.code, json.loads(e.read() or b"{}")
        except ValueError:
            return e.code, {}


def status(refresh: bool = False) -> dict:
    """{"on": bool, "reason": plain words, "user": name or ""} — asks the service at most once a minute."""
    if not configured():
        return {"on": False, "user": "", "reason": "Self-study: this notebook does not run on a hub with the class "
                                                   "service, so nothing is sent anywhere."}
    with _lock:
        if not refresh and _state and time.monotonic() - _state["at"] < RECHECK:
            return dict(_state["status"])
        try:
            code, me = _request("GET", "api/me")
            if code == 200 and me.get("student"):
                result = {"on": True, "user": me.get("name", ""), "reason": "Class mode is on."}
            elif code in (200, 403):
                result = {"on": False, "user": me.get("name", ""),
                          "reason": "The hub runs the class service, but you are not in the class: nothing is sent."}
            else:
                result = {"on": False, "user": "", "reason": f"The class service answered {code}: nothing is sent."}
        except (OSError, ValueError) as problem:
            result = {"on": False, "user": "", "reason": f"The class service did not answer ({problem.__class__.__name__}): "
                                                         "nothing is sent; your notebook works as usual."}
        _state.update(status=result, at=time.monotonic())
        return dict(result)


def wire_value(value):
    """An answer as JSON the service accepts: text, a number, True/False, or a list of those (short)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)) or type(value).__module__ == "numpy" and hasattr(value, "item"):
        try:
            return value.item() if hasattr(value, "item") else value
        except (TypeError, ValueError):
            return str(value)[:MAX_TEXT]
    if isinstance(value, (list, tuple, set, frozenset)):
        return [wire_value(v) for v in list(value)[:30]]
    return str(value)[:MAX_TEXT]


def send(payload: dict) -> dict | None:
    """Send one post now, if class mode is on; the service's answer, or None when nothing was sent."""
    if not configured() or not status()["on"]:
        return None
    try:
        code, answer = _request("POST", "api/post", payload)
    except (OSError, ValueError) as problem:
        return {"ok": False, "error": f"the class service did not answer ({problem.__class__.__name__})"}
    return answer if code == 200 else {"ok": False, "error": answer.get("error", f"HTTP {code}")}


def _work() -> None:
    while True:
        payload = _queue.get()
        try:
            send(payload)
        except Exception:  # noqa: BLE001 - a background post must never disturb the kernel
            pass
        finally:
            _queue.task_done()


def send_later(payload: dict) -> None:
    """Queue a post for the background thread (returns at once; only when class mode could be on)."""
    global _worker
    if not configured():
        return
    with _lock:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_work, name="escalation-class", daemon=True)
            _worker.start()
    _queue.put(payload)


def flush(timeout: float = 10.0) -> bool:
    """Wait until queued posts are sent (True) or `timeout` passes (False)."""
    deadline = time.monotonic() + timeout
    while _queue.unfinished_tasks and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _queue.unfinished_tasks


def send_answer(exercise_id: str, value, outcome: str) -> None:
    payload = {"kind": "answer", "exercise": exercise_id, "status": outcome}
    if outcome != "recorded":  # written answers stay in the notebook
        payload["value"] = wire_value(value)
    send_later(payload)


def send_vote(value: int) -> dict | None:
    """Vote in the open poll (1–5)."""
    return send({"kind": "poll", "value": wire_value(value)})


def send_placement(group: int) -> dict | None:
    """Place the open ladder round's event in one of Kahn's groups (1–7)."""
    return send({"kind": "ladder", "value": wire_value(group)})


def send_codes(coding) -> dict | None:
    """Send one's codes to the open coding round: a coding widget, a table (sentence_id, code) or a dict."""
    if hasattr(coding, "table") and callable(coding.table):
        coding = coding.table()
    if hasattr(coding, "columns"):
        coding = dict(zip(coding["sentence_id"], coding["code"]))
    codes = {str(k): str(v) for k, v in dict(coding).items() if isinstance(v, str) and v.strip()}
    if not codes:
        return {"ok": False, "error": "no sentence is coded yet"}
    return send({"kind": "coding", "codes": codes})
