"""Drive a real ipykernel as JupyterLab does: run code, and send widget messages as the browser sends them.

`Kernel.run(code)` returns every iopub message of that execution; `Kernel.send(comm_id, state)` sends the
comm message a widget view sends when the student types, clicks or ticks (`{"method": "update", "state":
…}`; selection widgets sync `index`), and `Kernel.submit(comm_id)` what a text box sends on Enter.
"""
from __future__ import annotations

import os
from pathlib import Path

from jupyter_client.manager import start_new_kernel

SRC = str(Path(__file__).resolve().parents[2] / "src")


class Kernel:
    def __init__(self, cwd: Path, **env: str):
        environment = dict(os.environ, PYTHONPATH=os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")]), **env)
        for name in ("JPY_SESSION_NAME", "JUPYTERHUB_USER"):
            if name not in env:
                environment.pop(name, None)
        self.manager, self.client = start_new_kernel(kernel_name="python3", cwd=str(cwd), env=environment)
        self.comms: dict[str, dict] = {}  # comm id → the widget's latest state (opened with, then updated)

    def close(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)

    def _collect(self, msg_id: str, timeout: float) -> list[dict]:
        messages = []
        while True:
            message = self.client.get_iopub_msg(timeout=timeout)
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            messages.append(message)
            content = message["content"]
            if message["msg_type"] == "comm_open":
                self.comms[content["comm_id"]] = dict(content["data"]["state"])
            elif message["msg_type"] == "comm_msg" and content["data"].get("method") in ("update", "echo_update"):
                self.comms.setdefault(content["comm_id"], {}).update(content["data"].get("state", {}))
            if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
                return messages

    def run(self, code: str, timeout: float = 60) -> list[dict]:
        msg_id = self.client.execute(code)
        messages = self._collect(msg_id, timeout)
        reply = self.client.get_shell_msg(timeout=timeout)
        errors = [m["content"] for m in messages if m["msg_type"] == "error"]
        assert reply["content"]["status"] == "ok" and not errors, (reply["content"], errors)
        return messages

    def value_of(self, expression: str):
        """The repr of an expression in the kernel's user namespace, evaluated there."""
        messages = self.run(f"print(repr({expression}))")
        return "".join(m["content"]["text"] for m in messages if m["msg_type"] == "stream").strip()

    def comm(self, data: dict, timeout: float = 30) -> list[dict]:
        message = self.client.session.msg("comm_msg", data)
        self.client.shell_channel.send(message)
        return self._collect(message["header"]["msg_id"], timeout)

    def send(self, comm_id: str, state: dict) -> list[dict]:
        return self.comm({"comm_id": comm_id, "data": {"method": "update", "state": state, "buffer_paths": []}})

    def submit(self, comm_id: str) -> list[dict]:
        return self.comm({"comm_id": comm_id, "data": {"method": "custom", "content": {"event": "submit"}}})

    def find(self, model: str, messages: list[dict] | None = None, **state) -> list[str]:
        """Comm ids of the widgets of one model (e.g. "TextModel") whose state has these values."""
        opened = ({m["content"]["comm_id"] for m in messages if m["msg_type"] == "comm_open"}
                  if messages is not None else set(self.comms))
        return [cid for cid, s in self.comms.items() if cid in opened and s.get("_model_name") == model
                and all(s.get(k) == v for k, v in state.items())]


def displays(messages: list[dict], kind: str = "display_data") -> list[dict]:
    """The display (or update_display_data) messages' contents, in order."""
    return [m["content"] for m in messages if m["msg_type"] == kind]
