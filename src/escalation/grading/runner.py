"""Grade one submission: read it safely, decide which cells to run, run them isolated, score the tests.

The rules (also in exercises/README.md):
- The set-up cell and every test cell come from the source, never from the submission. Test cells in
  the submission (found by grade_id, by `grade: true`, or by content) are not run at all.
- Every other code cell of the submission runs, in its order, in one fresh child process (see
  worker.py), as in "Restart and Run All". The value an answer variable holds at the end is graded.
  So a reordered cell still counts; a duplicated answer cell counts as the last one run (the last
  assignment wins); a retyped cell without metadata counts if it assigns the variable; a deleted
  answer cell leaves the variable unassigned, which scores as not answered (like the placeholder).
- Only plain values (numbers, text, booleans, lists/tuples/sets/dicts of those, NumPy scalars) leave
  the child. The source's tests then run here, in a fresh namespace holding the set-up objects and
  those values; student code never runs in this process, so redefining `check_hash`, patching
  builtins or `sys.modules`, or objects whose `__eq__` lies cannot earn a point.
- A test cell earns its points when it runs without an exception (nbgrader's rule). Its visible
  check's message is feedback; a hidden test's source and message are never shown.
- Written answers (markdown) are matched by grade_id, else by the question's first line.
- `student_id` (contract C2): the tests run with `student_id` set to the id the student typed in the
  notebook, else the id derived from the file or folder name; `id_check` says ok / mismatch / missing.
- Student code runs sealed (sandbox.py) unless the instructor asked for the unsealed mode; each result
  records its `mode`.
"""
from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .source import (ANSWER_HERE, Exercise, assigned_answer_names, cell_text, nbgrader_meta, normalise_code)

DEFAULT_TIMEOUT = 30.0
MAX_FILE_BYTES = 50 * 1024 * 1024
GRADER_VERSION = "2"
ID_VARIABLE = "student_id"
SCRATCH_PREFIX = "escalation-grade-"  # temporary folders: <prefix><grader pid>-<random>
SEALED, UNSEALED = "sealed", "unsealed"

STATUS_TEXT = {
    "graded": "graded",
    "graded_with_problems": "graded; some cells failed to run (see reasons)",
    "empty_file": "the file is empty",
    "not_utf8": "the file is not UTF-8 text",
    "invalid_json": "the file is not valid notebook JSON",
    "not_a_notebook": "the file is JSON but not a Jupyter notebook",
    "wrong_exercise": "the notebook belongs to another exercise",
    "too_large": "the file is too large",
    "missing": "no notebook was handed in (the student's folder holds no .ipynb file)",
    "grader_error": "the grader could not grade this file",
    "integrity_failed": "the saved result failed its integrity check (changed after grading): grade again",
}


class SubmissionProblem(Exception):
    """A submission that cannot be graded at all; `status` is one of STATUS_TEXT's keys."""

    def __init__(self, status: str, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass
class Result:
    """The grading of one submission (JSON-serialisable through `to_dict`)."""

    student: str
    file: str
    status: str
    reasons: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)  # autograded questions
    test_messages: dict[str, list[str]] = field(default_factory=dict)
    written: dict[str, str | None] = field(default_factory=dict)  # written answers (None: not answered)
    cells: list[dict] = field(default_factory=list)
    mode: str = ""  # "sealed" or "unsealed": how the student code ran ("" when nothing ran)
    id_check: str = ""  # "ok", "mismatch", "missing", or "" when the set asks for no id
    entered_id: str = ""  # the student_id typed in the notebook

    @property
    def auto_total(self) -> float:
        return sum(self.scores.values())

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Result":
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


# ----------------------------------------------------------------------------- student ids (contract C2)
def _normalise_id(text) -> str:
    try:
        from ..variants import normalise_id
    except ImportError:  # pragma: no cover - before variants.py existed
        return " ".join(str(text).split()).casefold()
    return normalise_id(text)


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[\W_]+", _normalise_id(text)) if t]


def id_matches(entered: str, *path_ids: str) -> bool:
    """C2's rule: the typed id equals a path id (normalised) or appears in it as whole words.

    "asmith" matches "asmith_ex01_reading"; "1234" and "alice smith" match Moodle's "Alice Smith_1234".
    """
    want = _tokens(entered)
    if not want:
        return False
    for path_id in path_ids:
        if _normalise_id(entered) == _normalise_id(path_id):
            return True
        have = _tokens(path_id)
        if any(have[i:i + len(want)] == want for i in range(len(have) - len(want) + 1)):
            return True
    return False


def asks_for_id(exercise: Exercise) -> bool:
    """Whether the set has a student_id cell (C2); sets made before C2 have none."""
    return bool(getattr(exercise, "id_cell", "")) or ID_VARIABLE in exercise.variables or any(
        nbgrader_meta(c).get("grade_id") == ID_VARIABLE for c in exercise.notebook["cells"])


def entered_id(value) -> str:
    """The id typed in the notebook, or "" (not a string, the `...` placeholder, empty)."""
    if not isinstance(value, str):
        return ""
    text = " ".join(value.split())
    return "" if text in ("", "...", "…") else text


# ----------------------------------------------------------------------------- reading submissions
def read_submission(path: Path) -> dict:
    """Read a submitted file as a notebook, or raise SubmissionProblem with a clear status and reason."""
    raw = Path(path).read_bytes()
    if len(raw) > MAX_FILE_BYTES:
        raise SubmissionProblem("too_large", f"The file is {len(raw) // 2**20} MB; notebooks over "
                                f"{MAX_FILE_BYTES // 2**20} MB are not graded. Clear the outputs and resubmit.")
    if not raw.strip():
        raise SubmissionProblem("empty_file", "The file is empty (0 bytes or only spaces): the notebook was "
                                "probably not saved before uploading.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SubmissionProblem("not_utf8", f"The file is not UTF-8 text (byte {exc.start} cannot be read): it "
                                "is not a notebook saved by Jupyter.") from None
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SubmissionProblem("invalid_json", f"The file is not valid notebook JSON (line {exc.lineno}, "
                                f"column {exc.colno}: {exc.msg}); it may be truncated or edited by hand.") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list) or not all(
            isinstance(c, dict) for c in nb["cells"]):
        raise SubmissionProblem("not_a_notebook", "The file is JSON but not a Jupyter notebook (no list of cells).")
    return nb


def _norm_text(text: str) -> str:
    return " ".join(text.split())


def check_exercise(exercise: Exercise, nb: dict) -> None:
    """Raise SubmissionProblem('wrong_exercise') when the notebook belongs to another exercise set.

    A student version carries `metadata.escalation.exercise`; without it (nbgrader's release, an LMS that
    strips metadata), the notebook must contain at least one of the source's locked text cells.
    """
    meta = nb.get("metadata")
    named = meta.get("escalation", {}).get("exercise") if isinstance(meta, dict) and isinstance(
        meta.get("escalation"), dict) else None
    if isinstance(named, str) and named and named != exercise.name:
        raise SubmissionProblem("wrong_exercise", f"This is a notebook of exercise '{named}', not "
                                f"'{exercise.name}'. Ask the student to submit the right file.")
    if named == exercise.name or not exercise.locked_texts:
        return
    texts = {_norm_text(cell_text(c)) for c in nb["cells"]}
    if not any(t in texts for t in exercise.locked_texts):
        raise SubmissionProblem("wrong_exercise", f"None of the question cells of '{exercise.name}' are in this "
                                "notebook: it is probably another exercise or an unrelated notebook.")


@dataclass
class Plan:
    """What to run for one submission and what the matching found."""

    cells: list[dict]
    notes: list[str]
    written: dict[str, str | None]
    id_check: str = ""
    entered_id: str = ""


def _student_written_template(exercise: Exercise, written_id: str) -> tuple[str, str]:
    """The text before and after the answer placeholder in the student version of a written cell."""
    from .student import strip_markdown_solution

    for cell in exercise.notebook["cells"]:
        if nbgrader_meta(cell).get("grade_id") == written_id:
            text = strip_markdown_solution(cell_text(cell), written_id)
            before, _, after = text.partition(ANSWER_HERE)
            return before.strip(), after.strip()
    return "", ""


def extract_written(text: str, before: str, after: str) -> str | None:
    """The student's own words in a written-answer cell (None when only the template is left)."""
    body = text.strip()
    if before and body.startswith(before):
        body = body[len(before):]
    elif before:
        # the student edited the question text too: drop the lines that are identical to the template
        template = set(before.splitlines()) | set(after.splitlines())
        body = "\n".join(line for line in body.splitlines() if line not in template)
    if after and body.rstrip().endswith(after):
        body = body.rstrip()[: -len(after)]
    body = body.replace(ANSWER_HERE, "").strip()
    return body or None


def _assigns(code: str, names: list[str]) -> bool:
    try:
        return bool(set(assigned_answer_names(code)) & set(names))
    except Exception:  # noqa: BLE001 - a cell with a syntax error
        return any(re.search(rf"^\s*{re.escape(n)}\s*=", code, re.M) for n in names)


def make_plan(exercise: Exercise, nb: dict) -> Plan:
    """Choose the cells to run (source set-up + the submission's own code cells) and note what matched."""
    answer_ids = {gid: q for q in exercise.questions for gid in q.answer_ids}
    test_ids = set(exercise.tests)
    skip_texts = {normalise_code(exercise.setup_code)}
    for t in exercise.tests.values():
        skip_texts.add(normalise_code(t.visible))
        skip_texts.add(normalise_code(t.visible + "\n" + t.hidden))
    cells = [{"label": "set-up (from the source)", "code": exercise.setup_code, "grade_id": "setup"}]
    found: dict[str, list[int]] = {}
    notes: list[str] = []
    written_cells: dict[str, list[str]] = {}
    markdown: list[str] = []
    for index, cell in enumerate(nb["cells"]):
        meta = nbgrader_meta(cell)
        gid = meta.get("grade_id") if isinstance(meta.get("grade_id"), str) else ""
        text = cell_text(cell)
        if cell.get("cell_type") == "markdown":
            markdown.append(text)
            if gid and any(q.written_id == gid for q in exercise.questions):
                written_cells.setdefault(gid, []).append(text)
            continue
        if cell.get("cell_type") != "code":
            continue
        if gid == "setup" or gid in test_ids or meta.get("grade") is True:
            continue
        if normalise_code(text) in skip_texts:
            continue
        label = gid if gid in answer_ids else f"cell {index + 1}"
        if gid in answer_ids:
            found.setdefault(gid, []).append(len(cells))
        cells.append({"label": label, "code": text, "grade_id": gid if gid in answer_ids else ""})
    for gid, q in answer_ids.items():
        hits = found.get(gid, [])
        names = ", ".join(q.variables)
        if len(hits) > 1:
            notes.append(f"The answer cell {gid} appears {len(hits)} times: the last one run counts.")
        elif not hits:
            others = [c["label"] for c in cells[1:] if _assigns(c["code"], q.variables)]
            if others:
                notes.append(f"The answer cell {gid} lost its metadata (retyped or copied?): graded the value of "
                             f"{names} assigned in {others[-1]}.")
            else:
                notes.append(f"The answer cell {gid} is missing (deleted?): {names} scored as not answered.")
    written: dict[str, str | None] = {}
    for q in exercise.questions:
        if q.kind != "written":
            continue
        before, after = _student_written_template(exercise, q.written_id)
        texts = written_cells.get(q.written_id, [])
        if not texts and before:
            first = before.splitlines()[0].strip()
            texts = [t for t in markdown if t.strip().splitlines()[:1] == [first]
                     and _norm_text(t) not in exercise.locked_texts]
            if texts:
                notes.append(f"The written answer {q.written_id} lost its metadata: matched by its question text.")
        if len(texts) > 1:
            notes.append(f"The written answer {q.written_id} appears {len(texts)} times: the last one counts.")
        if not texts:
            notes.append(f"The written answer cell {q.written_id} is missing (deleted?): scored as not answered.")
        written[q.key] = extract_written(texts[-1], before, after) if texts else None
    return Plan(cells, notes, written)


# ----------------------------------------------------------------------------- plain values
_NUMPY_TYPES = ("bool_", "int64", "int32", "int16", "int8", "uint64", "uint32", "uint16", "uint8",
                "float64", "float32", "float16", "str_")


class BadValue(ValueError):
    pass


def decode_value(data, depth: int = 0):
    """Rebuild a plain value from the worker's tagged JSON; anything unexpected raises BadValue."""
    if depth > 10 or not isinstance(data, dict) or not isinstance(data.get("t"), str):
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
    if t == "float" and isinstance(v, str):
        return float(v)
    if t == "str" and isinstance(v, str):
        return v
    if t in ("list", "tuple", "set", "frozenset") and isinstance(v, list):
        items = [decode_value(x, depth + 1) for x in v]
        return {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}[t](items)
    if t == "dict" and isinstance(v, list):
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
    raise BadValue(f"unexpected value type {t!r}")


# ----------------------------------------------------------------------------- the worker process
ENV_KEPT = ("PATH", "LANG", "LANGUAGE", "TZ", "HOME", "PYTHONPATH", "VIRTUAL_ENV", "CONDA_PREFIX",
            "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "MPLCONFIGDIR", "ESCALATION_DATA", "ESCALATION_FORCE_NO_LANDLOCK",
            "ESCALATION_GRADE_MEMORY_MB",
            "SYSTEMROOT", "TMPDIR")


class Worker:
    """A long-lived worker process (see worker.py) that runs submissions in forked, sealed children.

    It starts in a neutral folder with a minimal environment (no tokens or passwords the instructor's
    shell may hold). It dies with the thread that started it (PR_SET_PDEATHSIG), so create and close it
    in the same thread.
    """

    def __init__(self):
        env = {k: v for k, v in os.environ.items() if k in ENV_KEPT or k.startswith("LC_")}
        env.update(MPLBACKEND="Agg", PYTHONWARNINGS="ignore", PYDEVD_DISABLE_FILE_VALIDATION="1")
        self.proc = subprocess.Popen([sys.executable, "-m", "escalation.grading.worker"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True,
                                     encoding="utf-8", bufsize=1, start_new_session=True, cwd=os.path.abspath(os.sep))
        self._count = 0
        try:
            ready = json.loads(self.proc.stdout.readline() or "{}")
        except ValueError:
            ready = {}
        if not ready.get("ready"):
            self.close()
            raise RuntimeError("the grading worker did not start")
        self.abi = int(ready.get("abi", 0))
        self.readable = [str(p) for p in ready.get("readable", [])]

    def run(self, cells: list[dict], variables: list[str], timeout: float, workdir: Path, *,
            scratch: Path | None = None, seal: bool = True) -> dict:
        if seal and self.abi < 1:
            raise RuntimeError("sealing was asked for, but this system offers no Landlock")
        self._count += 1
        job = {"id": self._count, "cells": [{"label": c["label"], "code": c["code"]} for c in cells],
               "variables": variables, "timeout": timeout, "workdir": str(workdir),
               "scratch": str(scratch or workdir), "seal": bool(seal), "abi": self.abi, "readable": self.readable}
        try:
            self.proc.stdin.write(json.dumps(job) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
            result = json.loads(line)
            if result.get("id") != self._count:
                raise ValueError("out of step")
            return result
        except (OSError, ValueError):
            self.close()
            raise RuntimeError("the grading worker stopped") from None

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

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


# ----------------------------------------------------------------------------- tests
_setup_cache: dict[tuple[str, str], dict] = {}
_setup_lock = threading.Lock()


def _setup_namespace(exercise: Exercise) -> dict:
    key = (str(exercise.path), exercise.setup_code)
    with _setup_lock:
        if key not in _setup_cache:
            ns: dict = {"__name__": "__grading__"}
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                exec(compile(exercise.setup_code, f"<{exercise.name} set-up>", "exec"), ns)
            _setup_cache[key] = ns
        return dict(_setup_cache[key])


def run_tests(exercise: Exercise, values: dict, student_id: str | None = None
              ) -> tuple[dict[str, float], dict[str, list[str]]]:
    """Run the source's test cells on plain values; return points and feedback messages per question.

    `student_id` (C2) is put into the tests' namespace as a plain string. Messages come from the visible
    part only (printed feedback or the check's hint); a failing hidden part is reported without its
    source or message.
    """
    if student_id is not None:
        values = dict(values, **{ID_VARIABLE: str(student_id)})
    with _test_lock:
        return _run_tests(exercise, values)


_test_lock = threading.Lock()


def _run_tests(exercise: Exercise, values: dict) -> tuple[dict[str, float], dict[str, list[str]]]:
    from ..checks import CheckFailed, NotAnswered

    scores: dict[str, float] = {}
    messages: dict[str, list[str]] = {}
    for q in exercise.questions:
        if q.kind != "auto":
            continue
        scores[q.key] = 0.0
        messages[q.key] = []
        for tid in q.test_ids:
            test = exercise.tests[tid]
            ns = _setup_namespace(exercise)
            for name, value in values.items():
                ns[name] = copy.deepcopy(value)
            out = io.StringIO()
            ok, message = True, ""
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
                try:
                    exec(compile(test.visible, f"<{tid}>", "exec"), ns)
                except NotAnswered as exc:
                    ok, message = False, str(exc)
                except CheckFailed as exc:
                    ok, message = False, str(exc)
                except NameError as exc:
                    missing = getattr(exc, "name", "") or "an answer variable"
                    ok, message = False, f"… {missing} has no value: its answer cell is missing or did not run."
                except Exception as exc:  # noqa: BLE001
                    ok, message = False, f"The check could not run on this answer ({type(exc).__name__})."
                if ok and test.hidden.strip():
                    try:
                        exec(compile(test.hidden, f"<{tid} hidden>", "exec"), ns)
                    except Exception:  # noqa: BLE001 - hidden: never show why
                        ok = False
                        message = "Not right: the answer did not pass the further (hidden) checks."
            printed = [line for line in out.getvalue().splitlines() if line.strip()]
            messages[q.key] += printed + ([message] if message else [])
            if ok:
                scores[q.key] += test.points
    return scores, messages


# ----------------------------------------------------------------------------- one submission
def grade_plan(exercise: Exercise, plan: Plan, execution: dict, path_ids: tuple[str, ...] = ()
               ) -> tuple[str, list[str], dict, dict]:
    """Turn a worker's execution result into (status, reasons, scores, messages).

    With `path_ids` (the ids derived from the file or folder name), the tests see `student_id` (C2) and
    `plan.id_check` / `plan.entered_id` are set.
    """
    reasons = list(plan.notes)
    values = {}
    typed = ""
    encoded_id = (execution.get("values") or {}).get(ID_VARIABLE)
    if encoded_id is not None:
        try:
            typed = entered_id(decode_value(encoded_id))
        except (BadValue, ValueError, TypeError):
            typed = ""
    for name, encoded in sorted((execution.get("values") or {}).items()):
        if name in exercise.variables and name != ID_VARIABLE:
            try:
                values[name] = decode_value(encoded)
            except (BadValue, ValueError, TypeError):
                reasons.append(f"{name} could not be read back.")
    for name, why in sorted((execution.get("problems") or {}).items()):
        reasons.append(f"{name} is not plain data ({why}); answers must be numbers, text, True/False or "
                       "lists of those, so it scores 0.")
    trouble = False
    for cell in execution.get("cells", []):
        if cell.get("status") == "timeout":
            trouble = True
            reasons.append(f"{cell['label']} timed out: {cell.get('error', '')}; the rest of the notebook was still "
                           "graded.")
        elif cell.get("status") == "crashed":
            trouble = True
            reasons.append(f"{cell['label']}: {cell.get('error', '')}; the rest of the notebook was still graded.")
        elif cell.get("status") == "error" and cell.get("label", "").startswith("set-up"):
            trouble = True
            reasons.append(f"The set-up cell failed ({cell.get('error', '')}).")
    if execution.get("fatal"):
        trouble = True
        reasons.append(str(execution["fatal"]))
    student_id = None
    if path_ids:
        student_id = typed or path_ids[0]
        plan.entered_id = typed
        if not asks_for_id(exercise):
            plan.id_check = "ok" if typed and id_matches(typed, *path_ids) else ("mismatch" if typed else "")
        elif not typed:
            plan.id_check = "missing"
            reasons.append(f"No student id typed in the notebook: graded with the id from the file name, "
                           f"'{path_ids[0]}'.")
        else:
            plan.id_check = "ok" if id_matches(typed, *path_ids) else "mismatch"
        if plan.id_check == "mismatch":
            reasons.append(f"The id typed in the notebook, '{typed[:80]}', does not match the file or folder name "
                           f"('{path_ids[0]}'): graded with the typed id; check the submission is this student's.")
    scores, messages = run_tests(exercise, values, student_id)
    return ("graded_with_problems" if trouble else "graded"), reasons, scores, messages


def scratch_folder() -> tempfile.TemporaryDirectory:
    """A private temporary folder for one submission, named so that a later run can recognise leftovers."""
    return tempfile.TemporaryDirectory(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-")


def grade_notebook(exercise: Exercise, path: Path, student: str, worker: Worker, *,
                   timeout: float = DEFAULT_TIMEOUT, display_name: str | None = None, seal: bool = True,
                   path_ids: tuple[str, ...] = ()) -> Result:
    """Grade one submitted file with a running worker. The file itself is only read, never run in place.

    The student's cells run in a copy inside a fresh temporary folder (the scratch folder, the only place
    they may write when sealed), which is deleted afterwards.
    """
    shown = display_name or Path(path).name
    try:
        nb = read_submission(path)
        check_exercise(exercise, nb)
    except SubmissionProblem as problem:
        return Result(student, shown, problem.status, [problem.reason])
    plan = make_plan(exercise, nb)
    variables = exercise.variables + ([] if ID_VARIABLE in exercise.variables else [ID_VARIABLE])
    with scratch_folder() as tmp:
        work = Path(tmp) / "work"
        work.mkdir()
        shutil.copyfile(path, work / Path(path).name)  # a copy: the original is never touched
        try:
            execution = worker.run(plan.cells, variables, timeout, work, scratch=Path(tmp), seal=seal)
        except RuntimeError as exc:
            execution = {"cells": [], "values": {}, "problems": {}, "fatal": f"{exc}; graded as if nothing ran."}
    mode = SEALED if seal else UNSEALED
    if execution.get("sealfail"):
        return Result(student, shown, "grader_error", [f"The notebook was not run: its sandbox could not be set up "
                                                      f"({execution['sealfail']})."], mode=mode)
    status, reasons, scores, messages = grade_plan(exercise, plan, execution, path_ids or (student,))
    cells = [{"label": c.get("label", ""), "status": c.get("status", ""), "error": c.get("error", "")}
             for c in execution.get("cells", [])]
    return Result(student, shown, status, reasons, scores, messages, plan.written, cells, mode=mode,
                  id_check=plan.id_check, entered_id=plan.entered_id)


def grade_notebook_file(exercise: Exercise, path: Path, *, timeout: float = DEFAULT_TIMEOUT,
                        seal: bool = True) -> Result:
    """Grade a single notebook (starts and stops its own worker)."""
    worker = Worker()
    try:
        return grade_notebook(exercise, Path(path), Path(path).stem, worker, timeout=timeout, seal=seal)
    finally:
        worker.close()
