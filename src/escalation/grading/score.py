"""Score one submission (stage: score): run its plan, read what the student process reported, check the values.

`grade_notebook` reads and plans a submission (runner.py), runs its cells in the sealed student process,
takes from that process only the cells' own error texts (quoted as the notebook's words) and the plain answer
values (`grade_plan`), and has the source's tests score those values in a fresh checking process that never
ran student code (`check_values`, check.py). The status and every reason are the grader's own sentences.
The answers widgets saved in the notebook are preloaded in the student process (`preload_of`); one whose variable
the run left unset still counts (`saved_fallback`). `Result.answers` keeps each question's plain answer values.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..answers import shown
from ..variants import normalise_id
from .check import check_spec
from .files import scratch_folder
from .protocol import BadValue, Worker, WorkerError, decode_value, make_encoder
from .result import SEALED, UNSEALED, Result, SubmissionProblem
from .runner import (DEFAULT_TIMEOUT, ID_VARIABLE, Plan, check_exercise, make_plan, parse_submission,
                     read_bytes)
from .sandbox import DISK_BYTES, DISK_FILES
from .source import Exercise, nbgrader_meta

CHECK_TIMEOUT = 30.0  # the checking process's own time limit (the tests are the instructor's, on plain values)
MAX_QUOTE_CHARS = 80
MAX_REASONS = 40
MAX_ANSWER_CHARS = 2000  # one answer value kept in the results for item analysis (as JSON)
DISK_TEXT = f"{DISK_BYTES // 1024 ** 2} MB in at most {DISK_FILES} files"


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
def _quote(text: str) -> str:
    """A student's words in a grader's sentence: quoted, on one line, short."""
    return "“" + " ".join(str(text).split())[:MAX_QUOTE_CHARS] + "”"


def preload_of(plan: Plan) -> dict:
    """What the student process preloads: the answers saved in the answer cells, and the saved id."""
    return dict(plan.saved, **({ID_VARIABLE: plan.saved_id} if isinstance(plan.saved_id, str) else {}))


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
    problems = execution.get("problems") or {}
    for name, why in sorted(problems.items()):
        if name in exercise.variables:
            reasons.append(f"{name} is not plain data ({why[:MAX_QUOTE_CHARS]}); answers must be numbers, text, "
                           "True/False or lists of those, so it scores 0.")
    if not execution.get("fatal"):
        values.update(saved_fallback(exercise, plan, values, problems, reasons))
    if not typed and isinstance(plan.saved_id, str):
        typed = entered_id(plan.saved_id)  # the id widget's saved value, when the cell set no student_id
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


def saved_fallback(exercise: Exercise, plan: Plan, values: dict, problems: dict, reasons: list[str]) -> dict:
    """The saved answers that count because the notebook's run left their variable unset (the answer cell's code
    missing or failed): the answer a widget saved in the notebook is the student's answer. Code that ran wins."""
    encode, not_plain = make_encoder()
    kept = {}
    for name, value in sorted(plan.saved.items()):
        if name not in exercise.variables or name == ID_VARIABLE or name in problems:
            continue
        if name in values and values[name] is not Ellipsis:
            continue
        try:
            encode(value)
        except not_plain as exc:
            reasons.append(f"The answer saved for {name} is not plain data ({exc}): it scores 0.")
            continue
        kept[name] = value
        reasons.append(f"{name}: the answer cell's code did not set it (missing or failed), so the answer saved in "
                       "the notebook was graded.")
    return kept


def plain_answer(value):
    """An answer value as plain JSON for the results (NumPy scalars as numbers, tuples and sets as lists, `...` as
    None), or a short text when it is larger than MAX_ANSWER_CHARS."""
    def plain(v):
        if isinstance(v, (list, tuple)):
            return [plain(x) for x in v]
        if isinstance(v, (set, frozenset)):
            return sorted((plain(x) for x in v), key=repr)
        if isinstance(v, dict):
            return {str(plain(k)): plain(x) for k, x in v.items()}
        if v is Ellipsis:
            return None
        if isinstance(v, str):
            return str(v)  # numpy.str_ too
        if hasattr(v, "item") and callable(v.item) and not isinstance(v, (str, bytes)):
            return v.item()  # a NumPy scalar
        return v

    out = plain(value)
    try:
        text = json.dumps(out, ensure_ascii=False)
    except (TypeError, ValueError):
        return shown(out)[:MAX_ANSWER_CHARS]
    return out if len(text) <= MAX_ANSWER_CHARS else shown(out)[:MAX_ANSWER_CHARS] + "…"


def answers_by_question(exercise: Exercise, values: dict) -> dict[str, dict]:
    """Each autograded question's answer values, plain (for item analysis): {"q1": {"q1": 12.5}, …}."""
    return {q.key: {name: plain_answer(values[name]) for name in q.variables if name in values}
            for q in exercise.questions if q.kind == "auto"}


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
    shown_as = display_name or Path(path).name
    identity = path_ids or (student,)
    try:
        raw = read_bytes(path)
        nb = parse_submission(raw)
        check_exercise(exercise, nb)
    except SubmissionProblem as problem:
        return Result(student, shown_as, problem.status, [problem.reason], graded_as=identity[0])
    plan = make_plan(exercise, nb)
    variables = exercise.variables + ([] if ID_VARIABLE in exercise.variables else [ID_VARIABLE])
    with scratch_folder() as tmp:
        work = Path(tmp) / "work"
        work.mkdir()
        (work / Path(path).name).write_bytes(raw)  # a copy of what was read: the original is never touched
        try:
            execution = worker.run(plan.cells, variables, timeout, work, scratch=Path(tmp), seal=seal,
                                   total_timeout=total_timeout, preload=preload_of(plan))
        except WorkerError as exc:
            execution = {"cells": [], "values": {}, "problems": {}, "fatal": f"{exc}; graded as if nothing ran."}
    mode = SEALED if seal else UNSEALED
    if execution.get("sealfail"):
        return Result(student, shown_as, "grader_error", [f"The notebook was not run: its sandbox could not be set "
                                                         f"up ({execution['sealfail']})."], mode=mode,
                      graded_as=identity[0])
    status, reasons, values, student_id = grade_plan(exercise, plan, execution, identity)
    try:
        scores, messages, failed = check_values(exercise, values, student_id, worker, timeout=timeout, seal=seal)
    except WorkerError as exc:
        scores, messages, failed = {}, {}, str(exc)
    if failed:
        return Result(student, shown_as, "grader_error", reasons + [f"The tests could not be run: {failed}."],
                      mode=mode, graded_as=identity[0], id_check=plan.id_check, entered_id=plan.entered_id)
    cells = [{"label": c.get("label", ""), "status": c.get("status", ""), "error": c.get("error", ""),
              "said_by": c.get("said_by", "")} for c in execution.get("cells", [])]
    return Result(student, shown_as, status, reasons, scores, messages, plan.written, cells, mode=mode,
                  id_check=plan.id_check, entered_id=plan.entered_id, graded_as=identity[0],
                  answers=answers_by_question(exercise, values))


def grade_notebook_file(exercise: Exercise, path: Path, *, timeout: float = DEFAULT_TIMEOUT,
                        seal: bool = True) -> Result:
    """Grade a single notebook (starts and stops its own worker)."""
    worker = Worker()
    try:
        return grade_notebook(exercise, Path(path), Path(path).stem, worker, timeout=timeout, seal=seal)
    finally:
        worker.close()
