"""Grade a folder of submissions in parallel, saving each result atomically as it finishes.

Which files are graded, and as whom, is the find stage's (find.py, documented in exercises/README.md):
several notebooks for one identity: the one named after the exercise wins, else the first in name order
(the others are named in the reasons); a top-level sub-folder without any notebook gives a row with
status `missing`; a link or a file that is not a regular file gives a row with status `refused`.

Each result is written to `<out>/results/<id>.json` (via a temporary file and an atomic rename) with a
key made of the grader version, the source, the submission's bytes, the timeout and the mode (sealed or
not), and an HMAC (integrity.py); a re-run reuses every result whose key still matches and whose HMAC
checks out, so a batch killed halfway resumes where it stopped, and a result file edited or copied by
anyone without the key is regraded, never trusted.

Each submission runs in its own temporary folder named `escalation-grade-<grader pid>-…`; a run removes
the folders it finds whose grader is no longer running (left by a batch that was killed).
"""
from __future__ import annotations

import hashlib
import json
import os
import queue
import re
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from . import integrity
from .files import SCRATCH_PREFIX, write_atomic
from .find import Roster, Submission, find, find_submissions  # noqa: F401 - find_submissions: re-exported
from .protocol import Worker
from .result import Result, SubmissionProblem
from .runner import DEFAULT_TIMEOUT, GRADER_VERSION, read_bytes
from .score import grade_notebook
from .source import Exercise

INDEX = "students.json"  # the output folder's list of [student, result file name], in gradebook order


def safe_name(student: str) -> str:
    """A file name for a student id (unique: a short hash is added when characters had to be replaced)."""
    clean = re.sub(r"[^\w.-]+", "_", student).strip("._") or "student"
    if clean != student:
        clean += "-" + hashlib.sha256(student.encode()).hexdigest()[:6]
    return clean


def result_key(exercise: Exercise, sub: Submission, timeout: float, seal: bool = True) -> str:
    """What a saved result depends on: grader version, source, limits, mode, identity, the submission's bytes."""
    h = hashlib.sha256()
    h.update(GRADER_VERSION.encode())
    h.update(exercise.path.read_bytes())
    h.update(f"|{timeout:g}|{sub.rel}|{'sealed' if seal else 'unsealed'}|{sub.path_ids}|{sub.refused}|".encode())
    h.update(json.dumps(sub.notes).encode())  # the find stage's notes are part of the row
    if sub.path is not None and not sub.refused:
        try:
            h.update(read_bytes(sub.path))
        except SubmissionProblem as problem:
            h.update(problem.reason.encode())
    return h.hexdigest()


def write_json_atomic(path: Path, data) -> None:
    """Write JSON through a temporary file and a rename, so a reader never sees half a file."""
    write_atomic(path, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n")


def save_result(path: Path, key: str, result: Result) -> None:
    """Save a result with its key and HMAC."""
    write_json_atomic(path, integrity.sign({"key": key, "result": result.to_dict()}))


def read_saved(path: Path) -> dict | None:
    """A saved result file's content when its HMAC checks out, else None."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not integrity.verify(data) or not isinstance(data.get("result"), dict):
        return None
    return data


def load_cached(path: Path, key: str, student: str | None = None) -> Result | None:
    data = read_saved(path)
    if data is None or data.get("key") != key:
        return None
    try:
        result = Result.from_dict(data["result"])
    except TypeError:
        return None
    if student is not None and result.student != student:
        return None
    return result


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clear_leftovers(folder: str | None = None, mine_too: bool = False) -> list[str]:
    """Remove temporary folders left by graders that no longer run (and this grader's own, when it stops
    early: `mine_too`); return what was removed."""
    folder = folder or tempfile.gettempdir()
    removed = []
    try:
        entries = os.listdir(folder)
    except OSError:
        return removed
    for name in entries:
        path = os.path.join(folder, name)
        m = re.fullmatch(re.escape(SCRATCH_PREFIX) + r"(\d+)-\w+", name)
        if m and ((int(m.group(1)) == os.getpid() and not mine_too)
                  or (int(m.group(1)) != os.getpid() and _alive(int(m.group(1))))):
            continue
        if not m:  # grader versions before 2 did not name their pid: remove theirs once an hour old
            try:
                old = re.fullmatch(re.escape(SCRATCH_PREFIX) + r"\w{8}", name) and (
                    time.time() - os.stat(path).st_mtime > 3600)
            except OSError:
                old = False
            if not old:
                continue
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def load_results(out: Path) -> list[Result]:
    """The saved results, in the index's order; a result whose HMAC fails becomes an `integrity_failed` row."""
    index = out / INDEX
    if not index.is_file():
        raise FileNotFoundError(f"{out} holds no grading results yet: run `escalation-grade grade` first.")
    try:
        entries = json.loads(index.read_text(encoding="utf-8"))
        entries = [(str(student), str(name)) for student, name in entries]
    except (ValueError, TypeError):
        raise ValueError(f"{index} is damaged: run `escalation-grade grade` again.") from None
    results = []
    for student, name in entries:
        data = read_saved(out / "results" / f"{Path(name).name}.json")
        result = None
        if data is not None:
            try:
                result = Result.from_dict(data["result"])
            except TypeError:
                result = None
        if result is None or result.student != student:
            result = Result(student, "", "integrity_failed", [
                "The saved result of this student failed its integrity check (the file was changed, copied or "
                "removed after grading): its scores are not used. Run `escalation-grade grade` again to regrade it."])
        results.append(result)
    return results


class Progress:
    """A plain progress bar on stderr (a line per 10 % when stderr is not a terminal)."""

    def __init__(self, total: int, quiet: bool, stream=None):
        self.total, self.done, self.quiet = total, 0, quiet
        self.stream = stream or sys.__stderr__
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.last_decile = -1

    def step(self, label: str = "") -> None:
        self.done += 1
        if self.quiet or not self.total:
            return
        share = self.done / self.total
        if self.tty:
            filled = int(30 * share)
            self.stream.write(f"\rgrading [{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total} {label[:30]:<30}")
            if self.done == self.total:
                self.stream.write("\n")
        elif int(share * 10) > self.last_decile or self.done == self.total:
            self.last_decile = int(share * 10)
            self.stream.write(f"grading: {self.done}/{self.total} done\n")
        self.stream.flush()


def grade_folder(exercise: Exercise, folder: Path, out: Path, *, jobs: int | None = None,
                 timeout: float = DEFAULT_TIMEOUT, quiet: bool = False, force: bool = False,
                 progress_stream=None, seal: bool = True, total_timeout: float | None = None,
                 roster: Roster | None = None, skipped: list[str] | None = None) -> list[Result]:
    """Grade every submission in `folder`, writing `<out>/results/*.json`; return results sorted by id.

    `skipped`, when given, receives a line for every folder or file of `folder` that was not graded."""
    integrity.load_key()  # a missing or unwritable key stops the batch here, with a clear message
    clear_leftovers()
    found = find(folder, exercise.name, roster)
    subs = found.submissions
    if skipped is not None:
        skipped += found.skipped
    results_dir = Path(out) / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, Result] = {}
    todo: list[tuple[Submission, str, Path]] = []
    for sub in subs:
        key = result_key(exercise, sub, timeout, seal)
        target = results_dir / f"{safe_name(sub.student)}.json"
        cached = None if force else load_cached(target, key, sub.student)
        if cached is not None:
            results[sub.student] = cached
        else:
            todo.append((sub, key, target))
    progress = Progress(len(subs), quiet, progress_stream)
    for _ in results:
        progress.step()
    if todo:
        jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
        tasks: queue.Queue = queue.Queue()
        for item in todo:
            tasks.put(item)
        done: queue.Queue = queue.Queue()
        stopping = threading.Event()

        def work() -> None:
            worker = None
            try:
                while True:
                    try:
                        sub, key, target = tasks.get_nowait()
                    except queue.Empty:
                        break
                    if sub.path is None or sub.refused:
                        result = (Result(sub.student, sub.rel, "missing", list(sub.notes), graded_as=sub.student)
                                  if sub.path is None else
                                  Result(sub.student, sub.rel, "refused", sub.notes + [
                                      f"{sub.rel} was not read: {sub.refused}. Links are never followed: ask the "
                                      "student to hand in the notebook file itself."], graded_as=sub.student))
                        save_result(target, key, result)
                        done.put(result)
                        continue
                    try:
                        if worker is None or not worker.alive:
                            worker = Worker()
                        result = grade_notebook(exercise, sub.path, sub.student, worker, timeout=timeout,
                                                display_name=sub.rel, seal=seal, path_ids=sub.path_ids,
                                                total_timeout=total_timeout)
                    except Exception as exc:  # noqa: BLE001 - one bad file never stops the batch
                        result = Result(sub.student, sub.rel, "grader_error", [f"The grader failed on this file: {exc}"],
                                        graded_as=sub.student)
                    result.reasons = sub.notes + result.reasons
                    if stopping.is_set():  # the grader was interrupted: this result is not the submission's
                        break
                    save_result(target, key, result)
                    done.put(result)
            finally:
                if worker is not None:
                    worker.close()

        threads = [threading.Thread(target=work, daemon=True) for _ in range(jobs)]
        for t in threads:
            t.start()
        try:
            for _ in todo:
                result = done.get()
                results[result.student] = result
                progress.step(result.student)
        except KeyboardInterrupt:  # Ctrl-C, or SIGTERM turned into it by the command: stop every worker now
            stopping.set()
            for worker in list(Worker.live):
                worker.kill()
            for t in threads:
                t.join(timeout=10)
            raise
        for t in threads:
            t.join()
    return [results[s.student] for s in subs]
