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
  the student process. The source's tests then run in a separate, fresh sealed checking process (check.py)
  holding the set-up objects and those values; student code never ran there, so redefining `check_hash`,
  patching builtins or `sys.modules`, or objects whose `__eq__` lies cannot earn a point.
- A test cell earns its points when it runs without an exception (nbgrader's rule). Its visible
  check's message is feedback; a hidden test's source and message are never shown.
- Written answers (markdown) are matched by grade_id, else by the question's first line.
- `student_id` (contract C2): the tests run with `student_id` set to the identity the instructor's side
  gives (the folder or file name, or the roster row it matches), never the id typed in the notebook;
  `id_check` says whether the typed id is that identity (ok / mismatch / missing), compared whole after
  the variants' normalisation, and `graded_as` names the identity.
- Student code runs sealed (sandbox.py) unless the instructor asked for the unsealed mode; each result
  records its `mode`.
"""
from __future__ import annotations

import errno
import json
import os
import re
import stat
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..variants import normalise_id
from .check import check_spec
from .protocol import BadValue, Worker, WorkerError, decode_value, make_encoder
from .sandbox import DISK_BYTES, DISK_FILES
from .source import (ANSWER_HERE, Exercise, assigned_answer_names, cell_text, nbgrader_meta, normalise_code,
                     strip_markdown_solution)

DEFAULT_TIMEOUT = 30.0
MAX_FILE_BYTES = 50 * 1024 * 1024
GRADER_VERSION = "3"
ID_VARIABLE = "student_id"
SCRATCH_PREFIX = "escalation-grade-"  # temporary folders: <prefix><grader pid>-<random>
SEALED, UNSEALED = "sealed", "unsealed"
CHECK_TIMEOUT = 30.0  # the checking process's own time limit (the tests are the instructor's, on plain values)
MAX_QUOTE_CHARS = 80
MAX_REASONS = 40
DISK_TEXT = f"{DISK_BYTES // 1024 ** 2} MB in at most {DISK_FILES} files"

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
    "refused": "the submission is a link or not a regular file: it was not read",
    "grader_error": "the grader could not grade this file",
    "integrity_failed": "the saved result failed its integrity check (changed after grading): grade again",
}


GRADED_STATUSES = ("graded", "graded_with_problems")  # the statuses whose scores count


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
    graded_as: str = ""  # the identity (from the folder, file or roster) whose variants the row was graded against

    @property
    def graded(self) -> bool:
        """Whether the submission was graded (its scores count), with or without problems."""
        return self.status in GRADED_STATUSES

    @property
    def auto_total(self) -> float:
        return sum(self.scores.values())

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Result":
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


# ----------------------------------------------------------------------------- student ids (contract C2)
def id_matches(entered: str, *identity_ids: str) -> bool:
    """Whether a typed id is one of the identity's ids, compared whole after the variants' normalisation.

    "ASmith " matches "asmith"; a single word of a longer name never counts ("smith" and "1234" do not
    match "Alice Smith_1234"), nor does punctuation added or removed ("Jones+." is not "Jones").
    """
    want = normalise_id(entered)
    return bool(want) and any(want == normalise_id(i) for i in identity_ids if i)


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
def read_bytes(path: Path) -> bytes:
    """A submitted file's bytes, opened without following a link and checked on the opened file: a symbolic
    link, a hard link or anything but a regular file raises SubmissionProblem('refused')."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        why = "it is a symbolic link" if exc.errno == errno.ELOOP else f"it cannot be opened ({exc.strerror})"
        raise SubmissionProblem("refused", f"{Path(path).name} was not read: {why}.") from None
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(handle.fileno())
        problem = ("it is not a regular file" if not stat.S_ISREG(st.st_mode) else
                   f"it is a hard link (the same file has {st.st_nlink} names)" if st.st_nlink > 1 else "")
        if problem:
            raise SubmissionProblem("refused", f"{Path(path).name} was not read: {problem}. Links are never "
                                    "followed: ask the student to hand in the notebook file itself.")
        if st.st_size > MAX_FILE_BYTES:
            raise SubmissionProblem("too_large", f"The file is {st.st_size // 2**20} MB; notebooks over "
                                    f"{MAX_FILE_BYTES // 2**20} MB are not graded. Clear the outputs and resubmit.")
        return handle.read(MAX_FILE_BYTES + 1)


def read_submission(path: Path) -> dict:
    """Read a submitted file as a notebook, or raise SubmissionProblem with a clear status and reason."""
    return parse_submission(read_bytes(path))


def parse_submission(raw: bytes) -> dict:
    """A submitted file's bytes as a notebook, or SubmissionProblem with a clear status and reason."""
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
    for number, cell in enumerate(nb["cells"], start=1):
        source = cell.get("source", "")
        if not isinstance(cell.get("cell_type", ""), str) or not (isinstance(source, str) or (
                isinstance(source, list) and all(isinstance(line, str) for line in source))):
            raise SubmissionProblem("not_a_notebook", f"Cell {number} of the notebook is damaged: its source is not "
                                    "text (Jupyter stores it as a string or a list of strings). The file was probably "
                                    "edited by hand or by another program; ask the student to save it again.")
        if not isinstance(cell.get("metadata", {}), dict):
            raise SubmissionProblem("not_a_notebook", f"Cell {number} of the notebook is damaged: its metadata is not "
                                    "a JSON object. Ask the student to save the notebook again from Jupyter.")
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


# ----------------------------------------------------------------------------- one submission
def _quote(text: str) -> str:
    """A student's words in a grader's sentence: quoted, on one line, short."""
    return "“" + " ".join(str(text).split())[:MAX_QUOTE_CHARS] + "”"


def grade_plan(exercise: Exercise, plan: Plan, execution: dict, identity_ids: tuple[str, ...] = ()
               ) -> tuple[str, list[str], dict, str | None]:
    """Read a worker's execution result: (status, reasons, plain answer values, the id the tests see).

    The status and every reason are the grader's: from the student process only the cells' own error texts
    (quoted as the notebook's words) and the answer values are taken. With `identity_ids` (the identity the
    folder, file or roster gives, then its other names), the tests see that identity as `student_id`, and
    `plan.id_check` says whether the typed id is one of them, compared whole.
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
            except (BadValue, ValueError, TypeError, RecursionError):
                reasons.append(f"{name} could not be read back.")
    for name, why in sorted((execution.get("problems") or {}).items()):
        if name in exercise.variables:
            reasons.append(f"{name} is not plain data ({why[:MAX_QUOTE_CHARS]}); answers must be numbers, text, "
                           "True/False or lists of those, so it scores 0.")
    trouble = False
    for cell in execution.get("cells", []):
        label, error, grader = cell.get("label", ""), cell.get("error", ""), cell.get("said_by") == "grader"
        if cell.get("status") == "timeout":
            trouble = True
            reasons.append(f"{label} timed out: {error}; the rest of the notebook was still graded." if grader else
                           f"{label} timed out and was interrupted; the rest of the notebook was still graded.")
        elif cell.get("status") == "crashed":
            trouble = True
            reasons.append(f"{label}: {error}; the rest of the notebook was still graded.")
        elif cell.get("status") == "error" and label.startswith("set-up"):
            trouble = True
            reasons.append(f"The set-up cell failed in the notebook's process, which reported {_quote(error)}.")
    if execution.get("disk_full"):
        trouble = True
        reasons.append(f"The notebook filled its scratch space ({DISK_TEXT}): writing more failed, as the cells' "
                       "errors show.")
    if execution.get("fatal"):
        trouble = True
        reasons.append(str(execution["fatal"]))
    student_id = None
    if identity_ids:
        student_id = identity_ids[0]
        plan.entered_id = typed
        if not typed:
            plan.id_check = "missing" if asks_for_id(exercise) else ""
            if plan.id_check:
                reasons.append(f"No student id typed in the notebook: graded as {_quote(student_id)}.")
        else:
            plan.id_check = "ok" if id_matches(typed, *identity_ids) else "mismatch"
        if plan.id_check == "mismatch":
            reasons.append(f"The id typed in the notebook, {_quote(typed)}, is not this student's: graded as "
                           f"{_quote(student_id)}, the identity its folder, file or the roster gives; check the "
                           "submission is this student's own.")
    return ("graded_with_problems" if trouble else "graded"), reasons[:MAX_REASONS], values, student_id


def scratch_folder() -> tempfile.TemporaryDirectory:
    """A private temporary folder for one submission, named so that a later run can recognise leftovers."""
    return tempfile.TemporaryDirectory(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-")


def check_values(exercise: Exercise, values: dict, student_id: str | None, worker: Worker, *,
                 timeout: float = DEFAULT_TIMEOUT, seal: bool = True) -> tuple[dict, dict, str]:
    """Score plain values in the worker's checking process: (scores, messages, "" or why it failed)."""
    if student_id is not None:
        values = dict(values, **{ID_VARIABLE: str(student_id)})
    encode, _ = make_encoder()
    with scratch_folder() as tmp:
        answer = worker.check(check_spec(exercise), {k: encode(v) for k, v in values.items()},
                              max(timeout, CHECK_TIMEOUT), tmp, seal=seal)
    if answer.get("fatal"):
        return {}, {}, str(answer["fatal"])
    keys = {q.key for q in exercise.questions if q.kind == "auto"}
    scores = {k: float(v) for k, v in answer["scores"].items() if k in keys and isinstance(v, (int, float))}
    messages = {k: [str(m) for m in v][:50] for k, v in answer.get("messages", {}).items()
                if k in keys and isinstance(v, list)}
    return scores, messages, ""


def grade_notebook(exercise: Exercise, path: Path, student: str, worker: Worker, *,
                   timeout: float = DEFAULT_TIMEOUT, display_name: str | None = None, seal: bool = True,
                   path_ids: tuple[str, ...] = (), total_timeout: float | None = None) -> Result:
    """Grade one submitted file with a running worker. The file itself is only read, never run in place.

    The student's cells run in a copy inside a fresh temporary folder (in the student process's namespace,
    a bounded tmpfs over it is the only place it may write); the tests run afterwards in a separate checking
    process on the plain values. `path_ids` is the identity (then its other names) the row is graded as.
    """
    shown = display_name or Path(path).name
    identity = path_ids or (student,)
    try:
        raw = read_bytes(path)
        nb = parse_submission(raw)
        check_exercise(exercise, nb)
    except SubmissionProblem as problem:
        return Result(student, shown, problem.status, [problem.reason], graded_as=identity[0])
    plan = make_plan(exercise, nb)
    variables = exercise.variables + ([] if ID_VARIABLE in exercise.variables else [ID_VARIABLE])
    with scratch_folder() as tmp:
        work = Path(tmp) / "work"
        work.mkdir()
        (work / Path(path).name).write_bytes(raw)  # a copy of what was read: the original is never touched
        try:
            execution = worker.run(plan.cells, variables, timeout, work, scratch=Path(tmp), seal=seal,
                                   total_timeout=total_timeout)
        except WorkerError as exc:
            execution = {"cells": [], "values": {}, "problems": {}, "fatal": f"{exc}; graded as if nothing ran."}
    mode = SEALED if seal else UNSEALED
    if execution.get("sealfail"):
        return Result(student, shown, "grader_error", [f"The notebook was not run: its sandbox could not be set up "
                                                      f"({execution['sealfail']})."], mode=mode, graded_as=identity[0])
    status, reasons, values, student_id = grade_plan(exercise, plan, execution, identity)
    try:
        scores, messages, failed = check_values(exercise, values, student_id, worker, timeout=timeout, seal=seal)
    except WorkerError as exc:
        scores, messages, failed = {}, {}, str(exc)
    if failed:
        return Result(student, shown, "grader_error", reasons + [f"The tests could not be run: {failed}."],
                      mode=mode, graded_as=identity[0], id_check=plan.id_check, entered_id=plan.entered_id)
    cells = [{"label": c.get("label", ""), "status": c.get("status", ""), "error": c.get("error", ""),
              "said_by": c.get("said_by", "")} for c in execution.get("cells", [])]
    return Result(student, shown, status, reasons, scores, messages, plan.written, cells, mode=mode,
                  id_check=plan.id_check, entered_id=plan.entered_id, graded_as=identity[0])


def grade_notebook_file(exercise: Exercise, path: Path, *, timeout: float = DEFAULT_TIMEOUT,
                        seal: bool = True) -> Result:
    """Grade a single notebook (starts and stops its own worker)."""
    worker = Worker()
    try:
        return grade_notebook(exercise, Path(path), Path(path).stem, worker, timeout=timeout, seal=seal)
    finally:
        worker.close()
