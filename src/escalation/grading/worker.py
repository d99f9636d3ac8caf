"""Run a student's cells in a sealed process, and the source's tests in another (run and check stages, the
worker's side; protocol.py holds both ends of the messages).

A worker is a long-lived process that imports the heavy libraries once (pandas, matplotlib, IPython, the
package). It never reads a job itself: for each job it forks a fresh copy of itself (the job process), which
reads that one job, runs it and exits, so no student's code or answers ever stay in the memory that later
processes are forked from. For each sealed process it needs, the job process forks a launcher that never runs
student code: the launcher enters new user, PID and mount namespaces with a bounded tmpfs over the scratch
folder (sandbox.enter_namespaces), seals itself (Landlock, no privileges, sandbox.seal), forks the process that
does the work (PID 1 of the new namespace, so everything it starts dies with it) and reports how it ended on a
pipe that process never holds.

- A `run` job: the student process closes every inherited descriptor but its message pipe, moves to the
  scratch folder (HOME, TMPDIR and MPLCONFIGDIR point into it), sets its limits (memory, file size, open files,
  processes, CPU time, no core files), runs each cell in an IPython shell that keeps no output history (a
  per-cell SIGALRM), and sends the answer variables as tagged plain data. Before the first cell it preloads the
  answers saved in the notebook's answer cells (`answers.preload`), so an answer widget's `answer("q1", …)` line
  gives q1 its saved value; code after it in the cell still runs and wins. The job process reads that pipe as
  untrusted (protocol.StudentChannel) and keeps its own deadlines, per cell and per submission, that no message
  resets. If a cell hangs, crashes the process, starts too many processes or misuses the pipe, the job process
  kills the namespace and re-runs the notebook without that cell.
- A `check` job: the checking process, a fresh fork that never ran student code, set up the same way (user
  and mount namespaces, tmpfs, seal; no PID namespace, as it starts no process, so its launcher is the
  checking process itself), runs the source's set-up and tests (check.py) on the plain values and sends the
  scores and visible messages.

Protocol with the grader: one JSON object per line on stdin (a job), one per line on stdout (its result).
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

from .. import answers
from . import check, protocol, sandbox

GRACE_SECONDS = 2.0
MAX_OUTPUT_CHARS = 20_000
FILE_SIZE_LIMIT = 50 * 1024 * 1024
MEMORY_ALLOWANCE = int(os.environ.get("ESCALATION_GRADE_MEMORY_MB", "2048")) * 1024 ** 2  # beyond the warm process
MAX_OPEN_FILES = 256
MAX_PROCESSES = 32  # processes a notebook may run at once (its own included)
WATCH_INTERVAL = 0.05  # seconds between counts of a notebook's processes
EXIT_NO_MORE_JOBS = 3
MAX_CHECK_BYTES = 2 * 1024 ** 2  # the checking process's one line of scores and messages
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
        import escalation.tables

        import importlib

        for name in ("marking", "variants", "widgets.graded", "rhetoric", "events", "ladder", "agreement",
                     "coding", "aid", "geo", "maps", "argument_map", "evidence", "compare", "sources"):
            importlib.import_module(f"escalation.{name}")  # what the sets' set-up cells import (no ipywidgets)

        escalation.tables.validate_all()  # every table read once here: each fork's set-up gets copies, not files
    except Exception:  # pragma: no cover - optional parts of the package, or data a set-up will report itself
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
    config.DisplayFormatter.active_types = ["text/plain"]  # nobody sees the pictures: figures skip their PNG
    shell = GradingShell.instance(config=config)
    shell.history_manager.enabled = False
    return shell


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



def _close_inherited(keep: int) -> None:
    """Point the standard streams at /dev/null and close every other descriptor but `keep`."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.closerange(3, keep)
    os.closerange(keep + 1, max(4096, os.sysconf("SC_OPEN_MAX")))


def _set_limits(job: dict, n_cells: int) -> None:
    """Limits for a sealed process and everything it starts (set by its launcher, before the seal hides /proc)."""
    import resource

    _limit(resource.RLIMIT_FSIZE, FILE_SIZE_LIMIT)
    _limit(resource.RLIMIT_CORE, 0)
    _limit(resource.RLIMIT_NOFILE, MAX_OPEN_FILES)
    try:  # memory: what the warm process already maps, plus a generous allowance
        with open("/proc/self/statm") as statm:
            mapped = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        _limit(resource.RLIMIT_AS, mapped + MEMORY_ALLOWANCE)
    except (OSError, ValueError):
        pass
    if job.get("namespaces"):  # counted per user in the new user namespace: the namespace's processes only
        _limit(resource.RLIMIT_NPROC, MAX_PROCESSES + 1)  # (root is exempt: the job process counts instead)
    elif os.getuid() != 0 and os.path.isdir("/proc"):  # per user, everywhere; root is exempt (as above)
        _limit(resource.RLIMIT_NPROC, _task_count(os.getuid()) + MAX_PROCESSES)
    _limit(resource.RLIMIT_CPU, int(float(job["timeout"]) * (n_cells + 1) + 10))


def _student(shell, encode, not_plain, job, expected, wfd):
    """Body of the student process (PID 1 of its namespace, sealed by its launcher): run the cells, then send
    the answer values. Everything it sends is untrusted (protocol.StudentChannel). Never returns."""
    import tempfile

    try:
        os.setpgid(0, 0)
        sandbox.set_parent_death_signal(signal.SIGKILL)
        _close_inherited(wfd)
        sys.stdout = sys.stderr = _CappedWriter()
        scratch = job["scratch"]  # the only writable folder: home, temporary files and matplotlib's config too
        os.environ.update(HOME=scratch, TMPDIR=scratch, MPLCONFIGDIR=scratch)
        tempfile.tempdir = scratch
        os.chdir(job["workdir"])
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        timeout = float(job["timeout"])

        def on_alarm(signum, frame):
            raise CellTimeout(f"the cell ran longer than {timeout:g} s and was interrupted")

        signal.signal(signal.SIGALRM, on_alarm)
        ns = shell.user_ns
        variables = list(job["variables"])
        answers.preload(dict(job.get("preload") or {}))  # the answers saved in the notebook: answer() reads them
        for index in expected:
            protocol.write_line(wfd, {"start": index})
            status, error = "ok", ""
            signal.setitimer(signal.ITIMER_REAL, timeout)
            try:
                result = shell.run_cell(job["cells"][index]["code"], store_history=False, silent=False)
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
            protocol.write_line(wfd, {"done": index, "status": status, "error": error})
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
        protocol.write_line(wfd, {"values": values, "problems": problems})
    except BaseException:  # noqa: BLE001
        pass
    finally:
        os._exit(0)


def _checker(job, wfd):
    """Body of the checking process: a fresh fork of the warm worker that never ran student code, sealed in
    its own namespaces. It runs the source's set-up and tests on the plain answer values. Never returns."""
    code = 1
    try:
        sandbox.set_parent_death_signal(signal.SIGKILL)
        _close_inherited(wfd)
        sys.stdout = sys.stderr = _CappedWriter()
        os.environ.update(HOME=job["scratch"], TMPDIR=job["scratch"], MPLCONFIGDIR=job["scratch"])
        os.chdir(job["scratch"])
        values = {str(k): protocol.decode_value(v) for k, v in job["values"].items()}
        scores, messages = check.run_checks(job["spec"], values)
        protocol.write_line(wfd, {"scores": scores, "messages": messages})
        code = 0
    except BaseException:  # noqa: BLE001
        pass
    finally:
        os._exit(code)


def _launch(job: dict, body, msg_r: int, msg_w: int, single: bool = False) -> tuple[int, int]:
    """Fork the launcher of one sealed process; return (its pid, the read end of its report pipe).

    The launcher never runs student code. It moves into new user, PID and mount namespaces with a bounded
    tmpfs over the scratch folder (when the system offers them), puts the submission's copy back on it,
    seals itself (Landlock, no privileges), then forks the process that runs `body` (PID 1 of the new
    namespace) and waits for it. Its reports (sealfail, the exit status, whether the disk filled) go through
    a pipe the sealed process never holds. With `single` (the checking process, which runs no student code and
    starts no process) the launcher runs `body` itself, in user and mount namespaces but no PID namespace, and
    the job process reads its exit status itself."""
    ctl_r, ctl_w = os.pipe()
    pid = os.fork()
    if pid:
        os.close(ctl_w)
        return pid, ctl_r
    try:
        os.close(ctl_r)
        os.close(msg_r)
        sandbox.set_parent_death_signal(signal.SIGKILL)
        scratch, workdir = job["scratch"], job["workdir"]
        if job.get("namespaces"):
            kept = {}
            if workdir != scratch:
                for name in os.listdir(workdir):
                    with open(os.path.join(workdir, name), "rb") as handle:
                        kept[name] = handle.read()
            sandbox.enter_namespaces(scratch, pid=not single)
            os.makedirs(workdir, exist_ok=True)
            for name, data in kept.items():
                with open(os.path.join(workdir, name), "wb") as handle:
                    handle.write(data)
        _set_limits(job, len(job.get("cells") or job.get("spec", {}).get("questions", [])))
        if job.get("seal"):
            sandbox.seal(scratch, job["readable"], int(job["abi"]))
    except Exception as exc:  # noqa: BLE001 - never run any code unsealed by accident
        protocol.write_line(ctl_w, {"sealfail": f"{exc}"[:300]})
        os._exit(0)
    if single:
        body(msg_w)  # closes ctl_w with every other inherited descriptor; never returns
    child = os.fork()
    if child == 0:
        os.close(ctl_w)
        body(msg_w)
    os.close(msg_w)
    _, status = os.waitpid(child, 0)
    protocol.write_line(ctl_w, {"exit": status, "disk_full": bool(job.get("namespaces"))
                                and sandbox.disk_full(scratch)})
    os._exit(0)


class _Run:
    """One sealed process as the job process sees it: the untrusted channel, the launcher's report, deadlines."""

    def __init__(self, job: dict, body, channel: protocol.StudentChannel | None, single: bool = False):
        msg_r, msg_w = os.pipe()
        self.single = single
        self.pid, self.ctl = _launch(job, body, msg_r, msg_w, single)
        os.close(msg_w)
        self.msg, self.channel = msg_r, channel
        self.raw = b""  # what the checking process sent (channel is None)
        self.report: dict = {}
        self.killed_for = ""

    def _read_ctl(self) -> bool:
        chunk = os.read(self.ctl, 1 << 12)
        if not chunk:
            return False
        for line in chunk.splitlines():
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if isinstance(msg, dict):
                self.report.update(msg)
        return True

    def _read_msg(self, on_event) -> bool:
        chunk = os.read(self.msg, 1 << 16)
        if not chunk:
            return False
        if self.channel is None:
            self.raw += chunk
            if len(self.raw) > MAX_CHECK_BYTES:
                self.killed_for = "protocol"
        else:
            for event in self.channel.feed(chunk):
                on_event(event)
            if self.channel.violation:
                self.killed_for = "protocol"
        return True

    def wait(self, deadline_of, on_event=lambda event: None, count_processes: bool = False) -> None:
        """Follow the process until its launcher reports its end, or until `deadline_of()` passes."""
        msg_open, ctl_open = True, True
        next_count = time.monotonic() + WATCH_INTERVAL
        while (msg_open if self.single else ctl_open) and not self.killed_for:
            now, deadline = time.monotonic(), deadline_of()
            if now >= deadline:
                self.killed_for = "timeout"
                break
            if count_processes and now >= next_count:
                next_count = now + WATCH_INTERVAL
                if len(descendants(os.getpid())) > MAX_PROCESSES + 2:  # the launcher and its job process
                    self.killed_for = "processes"
                    break
            fds = ([self.ctl] if ctl_open else []) + ([self.msg] if msg_open else [])
            ready, _, _ = select.select(fds, [], [], max(0.0, min(deadline, next_count) - now))
            if self.msg in ready:
                msg_open = self._read_msg(on_event)
            if self.ctl in ready:
                ctl_open = self._read_ctl()
        while msg_open and not self.killed_for:  # what the process wrote before it ended
            ready, _, _ = select.select([self.msg], [], [], 0)
            if not ready:
                break
            msg_open = self._read_msg(on_event)
        for fd in (self.msg, self.ctl):
            os.close(fd)
        if self.single and not self.killed_for:
            _, status = os.waitpid(self.pid, 0)
            self.report.setdefault("exit", status)
        else:
            try:
                os.kill(self.pid, signal.SIGKILL)  # its namespace's init follows (death signal), and with it all
            except ProcessLookupError:
                pass
            os.waitpid(self.pid, 0)
        kill_descendants()  # without namespaces: anything that left the process group

    @property
    def clean_exit(self) -> bool:
        status = self.report.get("exit")
        return isinstance(status, int) and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def run_job(shell, encode, not_plain, job) -> dict:
    """Run one submission's cells, re-running without any cell that hung, crashed or misused the channel.

    Deadlines are the job process's own and no message resets them: each cell gets `timeout` + grace from
    the moment it starts (each cell starts once), and the whole submission gets that much per cell, once."""
    cells = job["cells"]
    status = [{"label": c["label"], "status": "not run", "error": ""} for c in cells]
    skip: set[int] = set()
    hard_limit = float(job["timeout"]) + GRACE_SECONDS
    total = float(job.get("total_timeout") or hard_limit * (len(cells) + 1))
    submission_deadline = time.monotonic() + total
    disk_full = False
    for _attempt in range(len(cells) + 1):
        expected = [i for i in range(len(cells)) if i not in skip]
        channel = protocol.StudentChannel(expected, job["variables"])
        cell_deadline = [time.monotonic() + hard_limit]
        last_started = [None]

        def on_event(event):
            cell_deadline[0] = time.monotonic() + hard_limit
            if event == "start":
                last_started[0] = channel.current

        run = _Run(job, lambda w: _student(shell, encode, not_plain, job, expected, w), channel)
        run.wait(lambda: min(cell_deadline[0], submission_deadline), on_event, count_processes=True)
        disk_full = disk_full or bool(run.report.get("disk_full"))
        if run.report.get("sealfail"):
            return {"cells": status, "values": {}, "problems": {}, "sealfail": str(run.report["sealfail"])}
        for index, (cell_status, error) in channel.cells.items():
            status[index].update(status=cell_status, error=error, said_by="notebook")
        culprit = channel.current if channel.current is not None else last_started[0]
        if run.killed_for == "" and run.clean_exit and channel.finished:
            return {"cells": status, "values": channel.values, "problems": channel.problems, "disk_full": disk_full}
        if channel.finished and run.killed_for == "" and not run.clean_exit:
            # an honest process exits at once after its answers: this one (or a process it started) sent
            # them and was then killed or crashed: the answers are not used
            how = _exit_description(run.report.get("exit"))
            return {"cells": status, "values": {}, "problems": {}, "disk_full": disk_full,
                    "fatal": f"The notebook's process sent its answers and then stopped abnormally ({how}): "
                             "its answers were not used."}
        if time.monotonic() >= submission_deadline:
            if culprit is not None:
                status[culprit].update(status="timeout", said_by="grader", error="the notebook ran past its time "
                                       f"limit ({total:g} s in all) and was stopped")
            return {"cells": status, "values": {}, "problems": {}, "disk_full": disk_full,
                    "fatal": f"The notebook ran past its total time limit ({total:g} s): stopped, its answers "
                             "were not read."}
        if culprit is None:
            return {"cells": status, "values": {}, "problems": {}, "disk_full": disk_full,
                    "fatal": "The notebook's process stopped before its first cell."}
        if run.killed_for == "timeout":
            error = f"the cell ran longer than {float(job['timeout']):g} s and was stopped"
            status[culprit].update(status="timeout", error=error, said_by="grader")
        elif run.killed_for == "processes":
            status[culprit].update(status="crashed", said_by="grader", error=f"the cell started more than "
                                   f"{MAX_PROCESSES} processes at once (a fork bomb?) and was stopped")
        elif run.killed_for == "protocol":
            status[culprit].update(status="crashed", said_by="grader", error="the notebook wrote to the grader's "
                                   f"channel ({channel.violation or 'too much data'}) and was stopped")
        else:
            how = _exit_description(run.report.get("exit"))
            status[culprit].update(status="crashed", said_by="grader",
                                   error=f"the kernel stopped during or after this cell ({how})")
        skip.add(culprit)
    return {"cells": status, "values": {}, "problems": {}, "fatal": "Too many cells stopped the kernel."}


def check_job(job) -> dict:
    """Run the source's tests on the answer values in a fresh sealed checking process."""
    deadline = time.monotonic() + float(job["timeout"]) + GRACE_SECONDS
    run = _Run(job, lambda w: _checker(job, w), None, single=True)
    run.wait(lambda: deadline)
    if run.report.get("sealfail"):
        return {"fatal": f"the checking process could not be sealed ({run.report['sealfail']})"}
    try:
        answer = json.loads(run.raw) if run.clean_exit and not run.killed_for else None
    except ValueError:
        answer = None
    if not isinstance(answer, dict) or not isinstance(answer.get("scores"), dict):
        why = "it ran past its time limit" if run.killed_for == "timeout" else "it stopped without answering"
        return {"fatal": f"the checks could not run ({why})"}
    return {"scores": answer["scores"], "messages": answer.get("messages", {})}


def _exit_description(wait_status) -> str:
    if not isinstance(wait_status, int):
        return "it was stopped"
    if os.WIFSIGNALED(wait_status):
        try:
            name = signal.Signals(os.WTERMSIG(wait_status)).name
        except ValueError:
            name = str(os.WTERMSIG(wait_status))
        return f"killed by signal {name}"
    return f"exit code {os.WEXITSTATUS(wait_status)}"


def _job_process(shell, encode, not_plain, out_fd: int, namespaces: bool) -> None:
    """Body of the forked job process: read one job, run it, write its result. Never returns."""
    code = 0
    try:
        sandbox.set_parent_death_signal(signal.SIGKILL)
        sandbox.set_child_subreaper()
        line = protocol.read_line(0)
        if not line.strip():
            code = EXIT_NO_MORE_JOBS
        else:
            job = json.loads(line)
            job["namespaces"] = namespaces
            try:
                if job.get("kind") == "check":
                    result = check_job(job)
                else:
                    result = run_job(shell, encode, not_plain, job)
            except Exception as exc:  # noqa: BLE001 - report, keep serving
                result = {"cells": [], "values": {}, "problems": {}, "fatal": f"grader error: {exc}"}
            result["id"] = job.get("id")
            protocol.write_line(out_fd, result)
    except BaseException:  # noqa: BLE001
        code = 1
    finally:
        os._exit(code)


def serve() -> None:
    """Wait for jobs on stdin, running each in a fresh fork of this warm process, until stdin closes."""
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
    encode, not_plain = protocol.make_encoder()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    namespaces = sandbox.namespaces_available()
    ready = {"ready": True, "abi": sandbox.landlock_abi(), "readable": sandbox.read_paths(), "pid": os.getpid(),
             "namespaces": namespaces}
    protocol.write_line(out_fd, ready)
    while True:  # the next job process is forked at once and waits for its job (no fork on the critical path)
        pid = os.fork()
        if pid == 0:
            _job_process(shell, encode, not_plain, out_fd, namespaces)
        _, wait_status = os.waitpid(pid, 0)
        kill_descendants()
        if os.WIFEXITED(wait_status) and os.WEXITSTATUS(wait_status) == EXIT_NO_MORE_JOBS:
            return
        if not (os.WIFEXITED(wait_status) and os.WEXITSTATUS(wait_status) == 0):
            # the job process died without answering: answer for it, so the grader does not wait forever
            protocol.write_line(out_fd, {"id": None, "cells": [], "values": {}, "problems": {},
                                         "fatal": "the grading process stopped"})


if __name__ == "__main__":
    serve()
