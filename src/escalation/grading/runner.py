"""Read one submission safely and decide which cells to run (stage: run; score.py runs the plan and scores it).

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
- Answers saved by widgets (escalation.answers): an answer widget's display bundle in a cell's saved outputs
  carries its answer. Only bundles in an answer cell (by grade_id) naming that question's variables, and the
  `student_id` bundle of the student_id cell, are read; any other bundle is ignored. They are preloaded in the
  student process, so `answer("q1", …)` gives q1 its saved value; code after it in the cell runs and wins. When
  the run leaves a variable unset (the cell's code deleted or broken), its saved answer is graded, and a reason
  says so. Saved values are plain JSON, size- and depth-capped (answers.saved_in_cell), then encoded as any answer.
- Written answers: a markdown cell (matched by grade_id, else by the question's first line), or a code cell
  (`written_answer("q6", …)`, grade and solution true) whose saved bundle holds the text (by grade_id).
- `student_id` (contract C2): the tests run with `student_id` set to the identity the instructor's side
  gives (the folder or file name, or the roster row it matches), never the id typed in the notebook;
  `id_check` says whether the typed id (or the id a `your_id()` widget saved) is that identity (ok / mismatch /
  missing), compared whole after the variants' normalisation, and `graded_as` names the identity.
- Student code runs sealed (sandbox.py) unless the instructor asked for the unsealed mode; each result
  records its `mode`.
"""
from __future__ import annotations

import errno
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .. import answers
from .result import SubmissionProblem
from .source import (ANSWER_HERE, Exercise, assigned_answer_names, cell_text, nbgrader_meta, normalise_code,
                     strip_markdown_solution)

DEFAULT_TIMEOUT = 30.0
MAX_FILE_BYTES = 50 * 1024 * 1024
GRADER_VERSION = "4"
ID_VARIABLE = "student_id"


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
    except (ValueError, RecursionError):  # a number of thousands of digits, or thousands of nested brackets
        raise SubmissionProblem("invalid_json", "The file is not a notebook Jupyter saved: it holds a number too "
                                "long or brackets nested too deeply to read. It was edited by hand or by another "
                                "program; ask the student to save it again from Jupyter.") from None
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
    saved: dict = field(default_factory=dict)  # answers saved in the answer cells' outputs (preloaded; name → value)
    saved_id: str | None = None  # the id saved in the student_id cell's outputs (a `your_id()` widget)


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
    written_code = {q.written_id: q for q in exercise.questions if q.kind == "written" and q.written_in_code}
    written_saved: dict[str, list[object]] = {}
    markdown: list[str] = []
    saved: dict = {}
    saved_id = None
    for index, cell in enumerate(nb["cells"]):
        meta = nbgrader_meta(cell)
        gid = meta.get("grade_id") if isinstance(meta.get("grade_id"), str) else ""
        text = cell_text(cell)
        if cell.get("cell_type") == "code" and (gid in answer_ids or gid == ID_VARIABLE or gid in written_code):
            # a saved answer counts only in its own cell, and only for the names that cell answers
            bundles = answers.saved_in_cell(cell)
            if gid in answer_ids:
                saved.update({k: v for k, v in bundles.items() if k in answer_ids[gid].variables})
            elif gid == ID_VARIABLE and isinstance(bundles.get(ID_VARIABLE), str):
                saved_id = bundles[ID_VARIABLE]
            elif gid in written_code:
                written_saved.setdefault(gid, []).append(bundles.get(written_code[gid].key))
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
        if q.written_in_code:
            texts = written_saved.get(q.written_id, [])
            if len(texts) > 1:
                notes.append(f"The written answer {q.written_id} appears {len(texts)} times: the last one counts.")
            text = texts[-1] if texts else None
            if not texts:
                notes.append(f"The written answer cell {q.written_id} is missing (deleted?): scored as not answered.")
            elif text is not None and not isinstance(text, str):
                notes.append(f"The written answer {q.written_id} saved something that is not text: scored as not "
                             "answered.")
            written[q.key] = (text.strip() or None) if isinstance(text, str) else None
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
    return Plan(cells, notes, written, saved=saved, saved_id=saved_id)


# ----------------------------------------------------------------------------- one submission
