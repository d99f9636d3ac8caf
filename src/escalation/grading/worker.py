"""Run a student's cells in a sealed child process and hand back only plain answer values.

A worker is a long-lived process that imports the heavy libraries once (pandas, matplotlib, IPython,
the package). It never reads a job itself: for each job it forks a fresh copy of itself (the job
process), which reads that one job, runs it and exits, so no student's code or answers ever stay in
the memory that later children are forked from. The job process forks a child that runs the cells:
- the child closes every inherited file descriptor, moves to the submission's scratch folder (HOME,
  TMPDIR and MPLCONFIGDIR point into it), sets its limits (memory, file size, open files, processes, CPU
  time, no core files) and is sealed by the kernel (sandbox.py: Landlock, no privileges) before the first
  cell runs; if sealing fails, no cell runs;
- its standard streams go to a capped buffer; each cell runs in an IPython shell (magics work) that keeps
  no output history, with a per-cell timeout (SIGALRM, then a hard kill);
- at the end it converts the answer variables (q1, q2, …, student_id) to tagged plain JSON (numbers,
  text, booleans, lists/tuples/sets/dicts of those, and NumPy scalars), refusing any other object.
  Student objects are never pickled or sent; their `__eq__` never reaches the tests.
If the child dies (os._exit, a crash), starts too many processes, or a cell overruns the hard limit, the
job process kills it and everything it started, and re-runs the notebook in a new child, skipping that
cell, so the rest of the notebook is still graded. Every process dies with its parent (PR_SET_PDEATHSIG),
and the worker and job processes adopt and kill any process a notebook left behind (child subreaper).

The worker never sees the tests or solutions: it receives only the set-up code and the student's cells.
Protocol: one JSON object per line on stdin (a job), one per line on stdout (its result).
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import select
import signal
import sys
import time

GRACE_SECONDS = 2.0
MAX_OUTPUT_CHARS = 20_000
MAX_TEXT_CHARS = 100_000
MAX_ITEMS = 10_000
MAX_DEPTH = 8
FILE_SIZE_LIMIT = 50 * 1024 * 1024
MEMORY_ALLOWANCE = int(os.environ.get("ESCALATION_GRADE_MEMORY_MB", "2048")) * 1024 ** 2  # beyond the warm process
MAX_OPEN_FILES = 256
MAX_PROCESSES = 32  # processes a notebook may run at once (its own included)
WATCH_INTERVAL = 0.05  # seconds between counts of a notebook's processes
EXIT_NO_MORE_JOBS = 3
MAX_MESSAGE_BYTES = 64 * 1024 ** 2
ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")
_dumps = json.dumps  # taken before any student code can replace json.dumps


class CellTimeout(BaseException):
    """Raised inside the child when a cell runs past its time limit."""


def _warm_up():
    """Import what notebooks use, so each forked child starts warm."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    import warnings

    warnings.simplefilter("ignore")
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    import escalation.checks  # noqa: F401
    import escalation.corpus  # noqa: F401
    import escalation.text  # noqa: F401
    try:
        import escalation.plotting  # noqa: F401
        import escalation.tables  # noqa: F401
    except Exception:  # pragma: no cover - optional parts of the package
        pass
    class GradingShell(InteractiveShell):
        """A terminal-free shell: `%matplotlib inline` and GUI requests are accepted and do nothing visible."""

        def enable_gui(self, gui=None):
            return None

        @contextlib.contextmanager
        def _tee(self, channel):
            """IPython 9 copies every write to stdout/stderr into its output history while a cell runs: an
            endless print loop then grows the process by gigabytes. Graded cells keep no output history."""
            yield

    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "nocolor"
    config.InteractiveShell.cache_size = 0  # no Out/_oh/_N output history: endless output cannot pile up
    shell = GradingShell.instance(config=config)
    shell.history_manager.enabled = False
    return shell


def _make_encoder():
    """Build the plain-data encoder with references taken before any student code runs."""
    import numpy as np

    _type, _len, _repr_float, _repr_int = type, len, float.__repr__, int.__repr__
    _isfinite_types = {np.float64: "float64", np.float32: "float32", np.float16: "float16"}
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
        if t in _isfinite_types:
            return {"t": "np." + _isfinite_types[t], "v": _repr_float(_item(value))}
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


def _describe(exc: BaseException) -> str:
    """A short, address-free description of an exception raised by student code."""
    try:
        name = type(exc).__name__
        text = str(exc)
    except BaseException:  # a student's __str__ may fail
        return "an error"
    text = ADDRESS.sub("0x…", " ".join(text.split()))[:300]
    return f"{name}: {text}" if text else name


class _CappedWriter:
    """A stdout/stderr replacement that keeps only the first characters written (huge outputs are cut)."""

    def __init__(self):
        self.size = 0
        self.parts = []

    def write(self, text):
        try:
            n = len(text)
        except TypeError:
            return 0
        if self.size < MAX_OUTPUT_CHARS:
            self.parts.append(str(text)[: MAX_OUTPUT_CHARS - self.size])
        self.size += n
        return n

    def flush(self):
        pass

    def isatty(self):
        return False

    @property
    def encoding(self):
        return "utf-8"


def _forget_outputs(shell) -> None:
    """Drop any output IPython kept (history outputs, Out/_oh): nothing of a cell's output is needed."""
    for holder in (getattr(shell.history_manager, "outputs", None), shell.user_ns.get("_oh"),
                   shell.user_ns.get("Out")):
        try:
            holder.clear()
        except Exception:  # noqa: BLE001 - a student may have replaced these names
            pass


def _limit(kind, value) -> None:
    import resource

    try:
        soft, hard = resource.getrlimit(kind)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(kind, (value, value))
    except (OSError, ValueError):
        pass


def _task_count(uid: int) -> int:
    """How many threads this user runs now (RLIMIT_NPROC counts every thread of every process of the user)."""
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid != uid:
                    continue
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    count += int(handle.read().rsplit(b")", 1)[1].split()[17])  # num_threads
            except (OSError, ValueError, IndexError):
                pass
    return count


def _child(shell, encode, not_plain, job, skip, wfd):
    """Body of the forked child: seal itself, run the cells, then send the answer values. Never returns."""
    import resource
    import tempfile

    from . import sandbox

    def send(obj):
        data = (_dumps(obj) + "\n").encode("utf-8")
        view = memoryview(data)
        while view:
            written = os.write(wfd, view)
            view = view[written:]

    try:
        os.setpgid(0, 0)
        sandbox.set_parent_death_signal(signal.SIGKILL)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.closerange(3, wfd)  # the worker's protocol pipes and anything else inherited
        os.closerange(wfd + 1, max(4096, os.sysconf("SC_OPEN_MAX")))
        sys.stdout = sys.stderr = _CappedWriter()
        scratch = job["scratch"]  # the only writable folder: home, temporary files and matplotlib's config too
        os.environ.update(HOME=scratch, TMPDIR=scratch, MPLCONFIGDIR=scratch)
        tempfile.tempdir = scratch
        os.chdir(job["workdir"])
        _limit(resource.RLIMIT_FSIZE, FILE_SIZE_LIMIT)
        _limit(resource.RLIMIT_CORE, 0)
        _limit(resource.RLIMIT_NOFILE, MAX_OPEN_FILES)
        try:  # memory: what the warm process already maps, plus a generous allowance
            with open("/proc/self/statm") as statm:
                mapped = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
            _limit(resource.RLIMIT_AS, mapped + MEMORY_ALLOWANCE)
        except (OSError, ValueError):
            pass
        if os.getuid() != 0 and os.path.isdir("/proc"):  # per user; root is exempt (the job process counts instead)
            _limit(resource.RLIMIT_NPROC, _task_count(os.getuid()) + MAX_PROCESSES)
        cpu = int(float(job["timeout"]) * (len(job["cells"]) + 1) + 10)
        _limit(resource.RLIMIT_CPU, cpu)  # bounds anything a notebook leaves running, per process
        if job.get("seal"):
            try:
                sandbox.seal(scratch, job["readable"], int(job["abi"]))
            except Exception as exc:  # noqa: BLE001 - never run student code unsealed by accident
                send({"sealfail": f"{exc}"})
                os._exit(0)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        timeout = float(job["timeout"])

        def on_alarm(signum, frame):
            raise CellTimeout(f"the cell ran longer than {timeout:g} s and was interrupted")

        signal.signal(signal.SIGALRM, on_alarm)
        ns = shell.user_ns
        variables = list(job["variables"])
        for index, cell in enumerate(job["cells"]):
            if index in skip:
                continue
            send({"start": index})
            status, error = "ok", ""
            signal.setitimer(signal.ITIMER_REAL, timeout)
            try:
                result = shell.run_cell(cell["code"], store_history=False, silent=False)
                _forget_outputs(shell)
                failure = result.error_before_exec or result.error_in_exec
                if failure is not None:
                    status = "timeout" if isinstance(failure, CellTimeout) else "error"
                    error = str(failure) if status == "timeout" else _describe(failure)
            except CellTimeout as exc:
                status, error = "timeout", str(exc)
            except BaseException as exc:  # noqa: BLE001 - anything a cell raises is the cell's failure
                status, error = "error", _describe(exc)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            send({"done": index, "status": status, "error": error})
        values, problems = {}, {}
        for name in variables:
            if name not in ns:
                continue
            try:
                values[name] = encode(ns[name])
            except not_plain as exc:
                problems[name] = str(exc)
            except BaseException:  # noqa: BLE001
                problems[name] = "it could not be read as plain data"
        send({"values": values, "problems": problems})
    except BaseException:  # noqa: BLE001
        pass
    finally:
        os._exit(0)


def _children(pid: int) -> list[int]:
    """The direct children of a process, from /proc (every thread's list)."""
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as handle:
                out += [int(x) for x in handle.read().split()]
        except (OSError, ValueError):
            pass
    return out


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (children, their children, …)."""
    found, todo = [], [pid]
    while todo and len(found) < 100_000:
        kids = _children(todo.pop())
        found += kids
        todo += kids
    return found


def kill_descendants(timeout: float = 5.0) -> None:
    """Stop, kill and reap every process below this one (orphans come back to us: we are a subreaper)."""
    me = os.getpid()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = descendants(me)
        for pid in pids:  # stop first, so nothing forks while the tree is being killed
            try:
                os.kill(pid, signal.SIGSTOP)
            except OSError:
                pass
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        while True:
            try:
                reaped, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                reaped = -1
            if reaped <= 0:
                break
        if not pids and not _children(me):
            return
        time.sleep(0.005)


def run_job(shell, encode, not_plain, job) -> dict:
    """Run one job in forked children, re-running without any cell that hung or killed its child."""
    cells = job["cells"]
    status = [{"label": c["label"], "status": "not run", "error": ""} for c in cells]
    skip: set[int] = set()
    hard_limit = float(job["timeout"]) + GRACE_SECONDS
    for _attempt in range(len(cells) + 1):
        rfd, wfd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(rfd)
            _child(shell, encode, not_plain, job, skip, wfd)
        os.close(wfd)
        buffer, current, final, deadline = b"", None, None, time.monotonic() + hard_limit
        killed_for, sealfail, next_count = None, None, time.monotonic() + WATCH_INTERVAL
        while True:
            now = time.monotonic()
            if now >= deadline:
                killed_for = "timeout"
                break
            if now >= next_count:
                next_count = now + WATCH_INTERVAL
                if len(descendants(os.getpid())) > MAX_PROCESSES:
                    killed_for = "processes"
                    break
            ready, _, _ = select.select([rfd], [], [], max(0.0, min(deadline, next_count) - now))
            if not ready:
                continue
            chunk = os.read(rfd, 1 << 16)
            if not chunk:
                break
            buffer += chunk
            if len(buffer) > MAX_MESSAGE_BYTES:  # an honest message is far smaller
                killed_for = "protocol"
                break
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                try:
                    msg = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(msg, dict):
                    continue
                if "start" in msg and isinstance(msg["start"], int) and 0 <= msg["start"] < len(cells):
                    current = msg["start"]
                    deadline = time.monotonic() + hard_limit
                elif "done" in msg and isinstance(msg["done"], int) and 0 <= msg["done"] < len(cells):
                    status[msg["done"]].update(status=str(msg.get("status", "error")),
                                               error=str(msg.get("error", ""))[:400])
                    current = None
                    deadline = time.monotonic() + hard_limit
                elif "values" in msg:
                    final = msg
                elif "sealfail" in msg and current is None and final is None:
                    sealfail = str(msg["sealfail"])[:300]
        if killed_for:
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        os.close(rfd)
        _, wait_status = os.waitpid(pid, 0)
        try:
            os.killpg(pid, signal.SIGKILL)  # anything the cells started
        except (ProcessLookupError, PermissionError):
            pass
        kill_descendants()  # and anything that left the process group
        if sealfail is not None:
            return {"cells": status, "values": {}, "problems": {}, "sealfail": sealfail,
                    "fatal": f"the notebook was not run: its sandbox could not be set up ({sealfail})"}
        if final is not None and current is None and killed_for is None:
            return {"cells": status, "values": final.get("values", {}), "problems": final.get("problems", {})}
        if current is None:
            # died between cells or while reading the answers: nothing more to skip
            return {"cells": status, "values": {}, "problems": {},
                    "fatal": "the notebook's process stopped while its answers were being read"}
        if killed_for == "timeout":
            status[current].update(status="timeout",
                                   error=f"the cell ran longer than {float(job['timeout']):g} s and was stopped")
        elif killed_for == "processes":
            status[current].update(status="crashed", error=f"the cell started more than {MAX_PROCESSES} processes "
                                   "at once (a fork bomb?) and was stopped")
        elif killed_for == "protocol":
            status[current].update(status="crashed", error="the cell flooded the grader's channel and was stopped")
        else:
            how = _exit_description(wait_status)
            status[current].update(status="crashed", error=f"the kernel stopped during this cell ({how})")
        skip.add(current)
    return {"cells": status, "values": {}, "problems": {}, "fatal": "too many cells stopped the kernel"}


def _exit_description(wait_status: int) -> str:
    if os.WIFSIGNALED(wait_status):
        try:
            name = signal.Signals(os.WTERMSIG(wait_status)).name
        except ValueError:
            name = str(os.WTERMSIG(wait_status))
        return f"killed by signal {name}"
    return f"exit code {os.WEXITSTATUS(wait_status)}"


def _read_line(fd: int) -> bytes:
    """One line from a file descriptor, read unbuffered (nothing beyond the line is consumed)."""
    parts = []
    while True:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(parts)
        parts.append(chunk)
        if chunk.endswith(b"\n"):
            return b"".join(parts)


def _job_process(shell, encode, not_plain, out_fd: int) -> None:
    """Body of the forked job process: read one job, run it, write its result. Never returns."""
    from . import sandbox

    code = 0
    try:
        sandbox.set_parent_death_signal(signal.SIGKILL)
        sandbox.set_child_subreaper()
        line = _read_line(0)
        if not line.strip():
            code = EXIT_NO_MORE_JOBS
        else:
            job = json.loads(line)
            try:
                result = run_job(shell, encode, not_plain, job)
            except Exception as exc:  # noqa: BLE001 - report, keep serving
                result = {"cells": [], "values": {}, "problems": {}, "fatal": f"grader error: {exc}"}
            result["id"] = job.get("id")
            data = memoryview((_dumps(result) + "\n").encode("utf-8"))
            while data:
                data = data[os.write(out_fd, data):]
    except BaseException:  # noqa: BLE001
        code = 1
    finally:
        os._exit(code)


def serve() -> None:
    """Wait for jobs on stdin, running each in a fresh fork of this warm process, until stdin closes."""
    from . import sandbox

    parent = os.getppid()
    sandbox.set_parent_death_signal(signal.SIGKILL)  # the grader died: so do we
    if os.getppid() != parent:
        os._exit(1)
    sandbox.set_child_subreaper()
    out_fd = os.dup(1)
    os.dup2(2, 1)  # stray prints of libraries go to stderr, never into the protocol
    cwd = os.getcwd()
    sys.path[:] = [p for p in sys.path if p not in ("", ".", cwd)]  # not the grader's folder
    shell = _warm_up()
    encode, not_plain = _make_encoder()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    ready = {"ready": True, "abi": sandbox.landlock_abi(), "readable": sandbox.read_paths(), "pid": os.getpid()}
    os.write(out_fd, (json.dumps(ready) + "\n").encode("utf-8"))
    while True:  # the next job process is forked at once and waits for its job (no fork on the critical path)
        pid = os.fork()
        if pid == 0:
            _job_process(shell, encode, not_plain, out_fd)
        _, wait_status = os.waitpid(pid, 0)
        kill_descendants()
        if os.WIFEXITED(wait_status) and os.WEXITSTATUS(wait_status) == EXIT_NO_MORE_JOBS:
            return
        if not (os.WIFEXITED(wait_status) and os.WEXITSTATUS(wait_status) == 0):
            # the job process died without answering: answer for it, so the grader does not wait forever
            os.write(out_fd, (json.dumps({"id": None, "cells": [], "values": {}, "problems": {},
                                          "fatal": "the grading process stopped"}) + "\n").encode("utf-8"))


if __name__ == "__main__":
    serve()
