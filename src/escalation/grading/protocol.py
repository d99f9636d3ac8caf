"""The worker protocol, both ends (run stage): the grader's `Worker` client, the worker's job and result lines,
the plain-data encoding of answer values, and the checks on every message a student process sends.

Three channels, three levels of trust:
- grader ↔ worker (stdin/stdout of the worker process): one JSON object per line. A job is either
  `{"kind": "run", …}` (the set-up and the student's cells) or `{"kind": "check", …}` (the set-up, the
  source's tests and the answer values); the answer is one result line per job. Written and read only by
  grading code.
- namespace launcher → job process (a pipe no student process holds): the launcher's own report, made
  outside the student's process: whether the seal could be set up, how the student's process ended, whether
  its scratch space filled up. Only this channel can make a row `grader_error`.
- student process → job process: **untrusted**. Student code runs in that process and can write to the pipe
  (it can find it among its open descriptors). `StudentChannel` accepts only lines of the expected shape, in
  order (cell i starts, cell i ends, then the answer values), each line and the whole channel bounded in size;
  nothing on it can set a status, a deadline, or a sentence shown as the grader's: a cell's error text is kept
  as the notebook's own words and labelled so.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

MAX_TEXT_CHARS = 100_000  # one text answer
MAX_ITEMS = 10_000  # items in one list or dict answer
MAX_DEPTH = 8
MAX_LINE_BYTES = 4 * 1024 ** 2  # one line from a student process (the answer values are the largest)
MAX_CHANNEL_BYTES = 8 * 1024 ** 2  # everything one student process may send
MAX_ERROR_CHARS = 300  # a cell's error text, as the notebook reported it
MAX_NAME_CHARS = 64
CELL_STATUSES = ("ok", "error", "timeout")  # what a student process may say about a cell (never "crashed")
ENV_KEPT = ("PATH", "LANG", "LANGUAGE", "TZ", "HOME", "PYTHONPATH", "VIRTUAL_ENV", "CONDA_PREFIX",
            "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "MPLCONFIGDIR", "ESCALATION_DATA", "ESCALATION_FORCE_NO_LANDLOCK",
            "ESCALATION_FORCE_NO_NAMESPACES", "ESCALATION_GRADE_MEMORY_MB", "SYSTEMROOT", "TMPDIR")
_NUMPY_TYPES = ("bool_", "int64", "int32", "int16", "int8", "uint64", "uint32", "uint16", "uint8",
                "float64", "float32", "float16", "str_")


# ----------------------------------------------------------------------------- framing
def write_line(fd: int, obj) -> None:
    """Write one JSON object and a newline to a file descriptor, all of it."""
    data = memoryview((json.dumps(obj) + "\n").encode("utf-8"))
    while data:
        data = data[os.write(fd, data):]


def read_line(fd: int) -> bytes:
    """One line from a file descriptor, read unbuffered (nothing beyond the line is consumed)."""
    parts = []
    while True:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(parts)
        parts.append(chunk)
        if chunk.endswith(b"\n"):
            return b"".join(parts)


# ----------------------------------------------------------------------------- answer values as plain data
def make_encoder():
    """Build the plain-data encoder (student side), with references taken before any student code runs.

    Numbers, text, booleans, None, `...`, lists/tuples/sets/dicts of those and NumPy scalars become tagged
    JSON; any other object is refused (NotPlain), so a student's object, and its `__eq__`, never leaves.
    """
    import numpy as np

    _type, _len, _repr_float, _repr_int = type, len, float.__repr__, int.__repr__
    _float_types = {np.float64: "float64", np.float32: "float32", np.float16: "float16"}
    _int_types = {np.int64: "int64", np.int32: "int32", np.int16: "int16", np.int8: "int8",
                  np.uint64: "uint64", np.uint32: "uint32", np.uint16: "uint16", np.uint8: "uint8"}
    _item = np.generic.item
    _sorted = sorted
    _dumps = json.dumps
    ellipsis_type = _type(Ellipsis)

    class NotPlain(Exception):
        pass

    def encode(value, depth=0):
        t = _type(value)
        if depth > MAX_DEPTH:
            raise NotPlain("it is nested too deeply")
        if t is bool:
            return {"t": "bool", "v": value is True}
        if t is int:
            text = _repr_int(value)
            if _len(text) > 1000:
                raise NotPlain("the number is too large")
            return {"t": "int", "v": text}
        if t is float:
            return {"t": "float", "v": _repr_float(value)}
        if t is str:
            if _len(value) > MAX_TEXT_CHARS:
                raise NotPlain(f"the text is longer than {MAX_TEXT_CHARS} characters")
            return {"t": "str", "v": value}
        if value is None:
            return {"t": "none"}
        if t is ellipsis_type:
            return {"t": "ellipsis"}
        if t is np.bool_:
            return {"t": "np.bool_", "v": bool(_item(value))}
        if t in _int_types:
            return {"t": "np." + _int_types[t], "v": _repr_int(_item(value))}
        if t in _float_types:
            return {"t": "np." + _float_types[t], "v": _repr_float(_item(value))}
        if t is np.str_:
            return {"t": "np.str_", "v": encode(str.__str__(value), depth + 1)["v"]}
        if t in (list, tuple, set, frozenset):
            if _len(value) > MAX_ITEMS:
                raise NotPlain(f"it has more than {MAX_ITEMS} items")
            items = [encode(v, depth + 1) for v in value]
            if t in (set, frozenset):
                items = _sorted(items, key=lambda e: _dumps(e, sort_keys=True))
            return {"t": t.__name__, "v": items}
        if t is dict:
            if _len(value) > MAX_ITEMS:
                raise NotPlain(f"it has more than {MAX_ITEMS} items")
            pairs = [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in dict.items(value)]
            return {"t": "dict", "v": _sorted(pairs, key=lambda e: _dumps(e, sort_keys=True))}
        raise NotPlain(f"it is a {t.__module__}.{t.__qualname__} object" if hasattr(t, "__qualname__")
                       else "it is not plain data")

    return encode, NotPlain


class BadValue(ValueError):
    """An encoded value that is not of the agreed shape."""


def decode_value(data, depth: int = 0):
    """Rebuild a plain value from tagged JSON; anything unexpected raises BadValue."""
    if depth > MAX_DEPTH + 2 or not isinstance(data, dict) or not isinstance(data.get("t"), str):
        raise BadValue("malformed value")
    t, v = data["t"], data.get("v")
    if t == "none":
        return None
    if t == "ellipsis":
        return Ellipsis
    if t == "bool" and isinstance(v, bool):
        return v
    if t == "int" and isinstance(v, str) and re.fullmatch(r"-?\d{1,1000}", v):
        return int(v)
    if t == "float" and isinstance(v, str) and len(v) < 40:
        return float(v)
    if t == "str" and isinstance(v, str) and len(v) <= MAX_TEXT_CHARS:
        return v
    if t in ("list", "tuple", "set", "frozenset") and isinstance(v, list) and len(v) <= MAX_ITEMS:
        items = [decode_value(x, depth + 1) for x in v]
        return {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}[t](items)
    if t == "dict" and isinstance(v, list) and len(v) <= MAX_ITEMS:
        out = {}
        for pair in v:
            if not isinstance(pair, list) or len(pair) != 2:
                raise BadValue("malformed dict")
            out[decode_value(pair[0], depth + 1)] = decode_value(pair[1], depth + 1)
        return out
    if t.startswith("np.") and t[3:] in _NUMPY_TYPES and isinstance(v, (str, bool)):
        import numpy as np

        kind = getattr(np, t[3:])
        if t == "np.bool_":
            return np.bool_(bool(v))
        if t == "np.str_":
            return np.str_(v)
        return kind(int(v)) if "int" in t else kind(float(v))
    raise BadValue(f"unexpected value type {t[:40]!r}")


# ----------------------------------------------------------------------------- the untrusted channel
class StudentChannel:
    """The job process's reader of a student process's lines: schema-checked, in order, bounded.

    `expected` is the list of cell indices the process should run, in order. Accepted, in this order only:
    `{"start": i}` for the next expected cell, `{"done": i, "status": s, "error": text}` for the cell just
    started, and at the end one `{"values": {...}, "problems": {...}}` with only the answer variables' names.
    Anything else (a line out of order, a second values line, a line over MAX_LINE_BYTES, a channel over
    MAX_CHANNEL_BYTES) is a protocol violation: the job process stops the student process.
    """

    def __init__(self, expected: list[int], variables: list[str]):
        self.expected = list(expected)
        self.variables = set(variables)
        self.position = 0  # index into expected of the next cell to start
        self.current: int | None = None
        self.cells: dict[int, tuple[str, str]] = {}  # index -> (status, the notebook's own error text)
        self.values: dict | None = None
        self.problems: dict[str, str] = {}
        self.violation = ""
        self._buffer = b""
        self._total = 0

    @property
    def finished(self) -> bool:
        return self.values is not None

    def feed(self, chunk: bytes) -> list[str]:
        """Take bytes read from the pipe; return the events accepted ("start", "done", "values")."""
        events: list[str] = []
        self._total += len(chunk)
        self._buffer += chunk
        if self._total > MAX_CHANNEL_BYTES:
            self.violation = f"it sent more than {MAX_CHANNEL_BYTES // 1024 ** 2} MB to the grader"
            return events
        while not self.violation and b"\n" in self._buffer:
            line, self._buffer = self._buffer.split(b"\n", 1)
            events += self._take(line)
        if len(self._buffer) > MAX_LINE_BYTES:
            self.violation = f"it sent a message longer than {MAX_LINE_BYTES // 1024 ** 2} MB"
        return events

    def _refuse(self, why: str) -> list[str]:
        self.violation = why
        return []

    def _take(self, line: bytes) -> list[str]:
        try:
            msg = json.loads(line)
        except ValueError:
            return self._refuse("it sent a line that is not JSON")
        if not isinstance(msg, dict) or self.finished:
            return self._refuse("it sent an unexpected message")
        if set(msg) == {"start"}:
            nxt = self.expected[self.position] if self.position < len(self.expected) else None
            if self.current is not None or msg["start"] != nxt or type(msg["start"]) is not int:
                return self._refuse("it announced a cell out of order")
            self.current, self.position = nxt, self.position + 1
            return ["start"]
        if set(msg) == {"done", "status", "error"}:
            status, error = msg["status"], msg["error"]
            if self.current is None or msg["done"] != self.current or status not in CELL_STATUSES or not isinstance(
                    error, str):
                return self._refuse("it reported a cell out of order")
            self.cells[self.current] = (status, " ".join(error.split())[:MAX_ERROR_CHARS])
            self.current = None
            return ["done"]
        if set(msg) == {"values", "problems"}:
            values, problems = msg["values"], msg["problems"]
            if self.current is not None or self.position != len(self.expected) or not isinstance(
                    values, dict) or not isinstance(problems, dict):
                return self._refuse("it sent its answers out of order")
            if not set(values) | set(problems) <= self.variables or not all(
                    isinstance(p, str) for p in problems.values()):
                return self._refuse("it sent values that are not the answer variables")
            self.values = values
            self.problems = {k: " ".join(v.split())[:MAX_ERROR_CHARS] for k, v in problems.items()}
            return ["values"]
        return self._refuse("it sent a message of an unknown kind")


# ----------------------------------------------------------------------------- the grader's end
class WorkerError(RuntimeError):
    """The worker process stopped or answered out of step."""


class Worker:
    """A long-lived worker process (worker.py) that runs each job in fresh forks of itself.

    It starts in a neutral folder with a minimal environment (no tokens or passwords the instructor's shell
    may hold). It dies with the thread that started it (PR_SET_PDEATHSIG), so create and close it in the
    same thread. `live` lists every open worker, so that an interrupted grader can stop them all.
    """

    live: set["Worker"] = set()

    def __init__(self):
        env = {k: v for k, v in os.environ.items() if k in ENV_KEPT or k.startswith("LC_")}
        env.update(MPLBACKEND="Agg", PYTHONWARNINGS="ignore", PYDEVD_DISABLE_FILE_VALIDATION="1")
        self.proc = subprocess.Popen([sys.executable, "-m", "escalation.grading.worker"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True,
                                     encoding="utf-8", bufsize=1, start_new_session=True, cwd=os.path.abspath(os.sep))
        Worker.live.add(self)
        self._count = 0
        try:
            ready = json.loads(self.proc.stdout.readline() or "{}")
        except ValueError:
            ready = {}
        if not ready.get("ready"):
            self.close()
            raise WorkerError("the grading worker did not start")
        self.abi = int(ready.get("abi", 0))
        self.namespaces = bool(ready.get("namespaces"))
        self.readable = [str(p) for p in ready.get("readable", [])]

    def _ask(self, job: dict) -> dict:
        self._count += 1
        job = dict(job, id=self._count, abi=self.abi, readable=self.readable)
        try:
            self.proc.stdin.write(json.dumps(job) + "\n")
            self.proc.stdin.flush()
            result = json.loads(self.proc.stdout.readline())
            if not isinstance(result, dict) or result.get("id") != self._count:
                raise ValueError("out of step")
            return result
        except (OSError, ValueError):
            self.close()
            raise WorkerError("the grading worker stopped") from None

    def run(self, cells: list[dict], variables: list[str], timeout: float, workdir, *, scratch=None,
            seal: bool = True, total_timeout: float | None = None, preload: dict | None = None) -> dict:
        """Run the cells in a sealed student process; the result holds cell statuses and encoded values.

        `preload`: the answers saved in the notebook (plain JSON, read by `answers.saved_in_cell`), given to the
        student process's answer widgets before the first cell runs."""
        if seal and self.abi < 1:
            raise WorkerError("sealing was asked for, but this system offers no Landlock")
        return self._ask({"kind": "run", "cells": [{"label": c["label"], "code": c["code"]} for c in cells],
                          "variables": variables, "timeout": timeout, "workdir": str(workdir),
                          "scratch": str(scratch or workdir), "seal": bool(seal),
                          "total_timeout": total_timeout, "preload": dict(preload or {})})

    def check(self, spec: dict, values: dict, timeout: float, scratch, *, seal: bool = True) -> dict:
        """Run the source's tests on encoded values in a fresh sealed process that never ran student code."""
        return self._ask({"kind": "check", "spec": spec, "values": values, "timeout": timeout,
                          "workdir": str(scratch), "scratch": str(scratch), "seal": bool(seal)})

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """Stop the worker at once (its job processes, and every namespace under them, die with it)."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        Worker.live.discard(self)

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=5)
            except Exception:  # noqa: BLE001
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except Exception:  # noqa: BLE001
                pass
        Worker.live.discard(self)
