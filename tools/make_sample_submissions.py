"""Generate sample submissions of an exercise set: correct, blank, partly right, and every failure mode.

    python tools/make_sample_submissions.py OUT_FOLDER [--exercise ex01_reading]

Each sample is built from the student version by filling in the source's own solution code for the
questions it should get right and a wrong value for the others, then breaking it in one specific way.
Every notebook sample except `blank` types a student id matching its file or folder name (contract C2),
so the solution code computes that student's own variants; `wrong_id` types a classmate's id
(and is graded as its file's identity all the same),
`missing_id` types none, and `copied_answers` copies a classmate's values (right only where the two
students share a variant). `samples(exercise)` returns, for each file, what the grader should find
(status, which questions are right, text the reasons must contain, the id typed and the id check), so
tests derive the expected gradebook from the construction.
"""
from __future__ import annotations

import argparse
import copy
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from escalation import answers
from escalation.grading.source import (BEGIN_SOLUTION, END_SOLUTION, Exercise, cell_text, load_exercise,
                                       nbgrader_meta, split_region)
from escalation.grading.student import dumps, expected_answers, strip_code_solution, student_notebook, with_student_id

WRITTEN_ANSWER = ("The first article spells the capital one way throughout while the second mixes the two "
                  "spellings, which may come from translation or editing rather than from the author's views.")


@dataclass
class Sample:
    """One generated submission and what grading it must give."""

    path: str  # relative to the output folder
    student: str  # the id the grader must derive from the path
    content: bytes
    status: str = "graded"
    right: set[str] = field(default_factory=set)  # autograded questions that must earn full points
    reasons: list[str] = field(default_factory=list)  # substrings the reasons must contain
    written: set[str] = field(default_factory=set)  # written questions answered
    entered_id: str = ""  # the student_id typed in the notebook ("" when none)
    id_check: str = ""  # what the grader's id check must say: "ok", "mismatch", "missing" ("" for no notebook)


def _source_cell(exercise: Exercise, grade_id: str) -> str:
    for cell in exercise.notebook["cells"]:
        if nbgrader_meta(cell).get("grade_id") == grade_id:
            return cell_text(cell)
    raise KeyError(grade_id)


def solution_code(exercise: Exercise, grade_id: str) -> str:
    """A source answer cell as a student who got it right would have it: the markers removed."""
    text = _source_cell(exercise, grade_id)
    split_region(text, BEGIN_SOLUTION, END_SOLUTION, grade_id)  # raises on broken markers
    return "\n".join(line for line in text.splitlines() if BEGIN_SOLUTION not in line and END_SOLUTION not in line)


def wrong_code(exercise: Exercise, grade_id: str) -> str:
    """The student version of an answer cell with a wrong value in place of each `...`."""
    text = strip_code_solution(_source_cell(exercise, grade_id), grade_id)
    q = next(q for q in exercise.questions if grade_id in q.answer_ids)
    for name in q.variables:
        text = text.replace(f"{name} = ...", f"{name} = -12345")
    return text


def filled(exercise: Exercise, right: set[str], *, answer_written: bool = True, base: dict | None = None,
           override: dict[str, str] | None = None, student_id: str | None = None) -> dict:
    """A student notebook with right answers for `right`, wrong ones elsewhere, code overrides by grade_id.

    With `student_id`, the notebook's student_id cell holds it (the right answers are then that student's
    variants); without, the cell keeps `...` (the grader then uses the id from the file or folder name).
    """
    nb = copy.deepcopy(base or student_notebook(exercise.path))
    if student_id is not None:
        nb = with_student_id(nb, student_id)
    override = override or {}
    for cell in nb["cells"]:
        gid = nbgrader_meta(cell).get("grade_id", "")
        q = next((q for q in exercise.questions if gid in q.answer_ids or gid == q.written_id), None)
        if gid in override:
            cell["source"] = override[gid]
        elif q is not None and q.kind == "auto":
            cell["source"] = solution_code(exercise, gid) if q.key in right else wrong_code(exercise, gid)
        elif q is not None and q.kind == "written" and answer_written and q.written_in_code:
            cell["outputs"] = [{"output_type": "display_data", "metadata": {},  # what written_answer() saves
                                "data": answers.bundle(q.key, WRITTEN_ANSWER)}]
        elif q is not None and q.kind == "written" and answer_written:
            cell["source"] = cell_text(cell).replace("YOUR ANSWER HERE", WRITTEN_ANSWER)
    return nb


def to_bytes(nb: dict) -> bytes:
    return dumps(nb).encode("utf-8")


def has_id_cell(nb: dict) -> bool:
    return any(nbgrader_meta(c).get("grade_id") == "student_id" for c in nb.get("cells", []))


def literal_answers(exercise: Exercise, student_id: str, keys: set[str]) -> dict[str, str]:
    """Answer cells holding the values (as literals) that are right for `student_id`, for questions `keys`."""
    cells = {}
    for q in exercise.questions:
        if q.key in keys and q.kind == "auto":
            values, _ = expected_answers(exercise, q, student_id)
            plain = {k: (v.item() if hasattr(v, "item") else v) for k, v in values.items()}
            cells[q.answer_ids[0]] = "\n".join(f"{k} = {v!r}" for k, v in plain.items())
    return cells


def _cells_by_id(nb: dict) -> dict[str, dict]:
    return {nbgrader_meta(c).get("grade_id", ""): c for c in nb["cells"]}


def samples(exercise: Exercise) -> list[Sample]:
    """Every sample submission of an exercise set, with what grading it must give."""
    auto = [q for q in exercise.questions if q.kind == "auto"]
    keys = {q.key for q in auto}
    written = {q.key for q in exercise.questions if q.kind == "written"}
    first, second, third = auto[0], auto[1], auto[2]
    out: list[Sample] = []

    def add(name, nb_or_bytes, right=frozenset(), status="graded", reasons=(), path=None, wrote=None, typed=None):
        """Add a sample; a notebook gets `student_id = "<name>"` typed unless `typed` says otherwise."""
        entered, check = "", ""
        if not isinstance(nb_or_bytes, bytes) and has_id_cell(nb_or_bytes):
            entered = name if typed is None else typed
            nb_or_bytes = with_student_id(nb_or_bytes, entered) if entered else nb_or_bytes
            check = "ok" if entered == name else ("mismatch" if entered else "missing")
        content = nb_or_bytes if isinstance(nb_or_bytes, bytes) else to_bytes(nb_or_bytes)
        out.append(Sample(path or f"{name}.ipynb", name, content, status, set(right), list(reasons),
                          set(written if wrote is None else wrote), entered, check))

    add("correct", filled(exercise, keys), keys)
    add("blank", student_notebook(exercise.path), set(), wrote=set(), typed="")
    partly = {q.key for i, q in enumerate(auto) if i % 2 == 0}
    add("partly_right", filled(exercise, partly, answer_written=False), partly, wrote=set())
    # wrong type: the right number as text
    add("wrong_type", filled(exercise, keys - {first.key}, override={
        first.answer_ids[0]: "\n".join(f"{v} = str({solution_code(exercise, first.answer_ids[0]).split('=', 1)[1].strip()})"
                                       for v in first.variables[:1])}), keys - {first.key})
    # an infinite loop in one cell: that cell times out, the others are graded
    add("infinite_loop", filled(exercise, keys - {second.key}, override={
        second.answer_ids[0]: "while True:\n    pass\n" + solution_code(exercise, second.answer_ids[0])}),
        keys - {second.key}, "graded_with_problems", ["timed out", second.answer_ids[0]])
    add("stubborn_loop", filled(exercise, keys - {second.key}, override={
        second.answer_ids[0]: "while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n"
                              "        pass\n" + solution_code(exercise, second.answer_ids[0])}),
        keys - {second.key}, "graded_with_problems", ["timed out", "was stopped"])
    add("os_exit", filled(exercise, keys - {third.key}, override={
        third.answer_ids[0]: "import os\nos._exit(3)\n" + solution_code(exercise, third.answer_ids[0])}),
        keys - {third.key}, "graded_with_problems", ["kernel stopped", "exit code 3"])
    add("sys_exit", filled(exercise, keys - {third.key}, override={
        third.answer_ids[0]: "import sys\nsys.exit('bye')\n" + solution_code(exercise, third.answer_ids[0])}),
        keys - {third.key})
    add("segfault", filled(exercise, keys - {first.key}, override={
        first.answer_ids[0]: "import ctypes\nctypes.string_at(0)\n" + solution_code(exercise, first.answer_ids[0])}),
        keys - {first.key}, "graded_with_problems", ["kernel stopped", "SIGSEGV"])
    add("magics_and_plots", filled(exercise, keys, override={
        first.answer_ids[0]: "%matplotlib inline\nimport matplotlib.pyplot as plt\nfrom IPython.display import display\n"
                             "fig, ax = plt.subplots()\nax.plot([1, 2])\nplt.show()\ndisplay('a table')\n"
                             + solution_code(exercise, first.answer_ids[0])}), keys)
    add("memory_hog", filled(exercise, keys - {first.key}, override={
        first.answer_ids[0]: "hog = bytearray(64 * 1024 ** 3)\n" + solution_code(exercise, first.answer_ids[0])}),
        keys - {first.key})
    add("huge_output", filled(exercise, keys, override={
        first.answer_ids[0]: "for _ in range(200):\n    print('x' * 1_000_000)\n" + solution_code(exercise, first.answer_ids[0])}),
        keys)
    noisy = {gid: "import sys, warnings\nwarnings.warn('this library feature is deprecated', DeprecationWarning)\n"
                  "print('WARNING: something noisy on stderr', file=sys.stderr)\n" + solution_code(exercise, gid)
             for q in auto for gid in q.answer_ids}
    add("stderr_warnings", filled(exercise, keys, override=noisy), keys)
    add("empty_file", b"", status="empty_file", reasons=["empty"])
    add("invalid_json", to_bytes(filled(exercise, keys))[:500], status="invalid_json", reasons=["not valid notebook JSON"])
    add("not_utf8", to_bytes(filled(exercise, keys)).decode("utf-8").encode("utf-16"), status="not_utf8", reasons=["not UTF-8"])
    add("not_a_notebook", b'{"hello": "world"}', status="not_a_notebook")
    other = filled(exercise, keys)
    other["metadata"]["escalation"] = {"exercise": "ex99_other"}
    add("other_exercise", other, status="wrong_exercise", reasons=["ex99_other"])
    unrelated = {"cells": [{"cell_type": "code", "metadata": {}, "source": "x = 1", "outputs": [],
                            "execution_count": None}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    add("unrelated_notebook", json.dumps(unrelated).encode(), status="wrong_exercise", reasons=["None of the question"])
    # deleted cells: the first answer cell and the second question's test cell are gone
    nb = filled(exercise, keys)
    nb["cells"] = [c for c in nb["cells"] if nbgrader_meta(c).get("grade_id") not in
                   {first.answer_ids[0], second.test_ids[0], "setup"}]
    add("deleted_cells", nb, keys - {first.key}, reasons=[f"{first.answer_ids[0]} is missing"])
    # reordered: every cell in reverse order (answers still assigned; the values at the end are graded)
    nb = filled(exercise, keys)
    id_cells = [c for c in nb["cells"] if nbgrader_meta(c).get("grade_id") == "student_id"]
    nb["cells"] = id_cells + [c for c in reversed(nb["cells"]) if c not in id_cells]  # the id stays on top
    add("reordered", nb, keys)
    # retyped: answer cells lost their metadata (pasted into new cells)
    nb = filled(exercise, keys)
    for c in nb["cells"]:
        if nbgrader_meta(c).get("solution"):
            c["metadata"] = {}
    add("retyped", nb, keys, reasons=["lost its metadata"])
    # duplicated: a wrong copy of the first answer cell, then the right one (the last one run counts)
    nb = filled(exercise, keys)
    cells = _cells_by_id(nb)
    dup = copy.deepcopy(cells[first.answer_ids[0]])
    dup["source"] = wrong_code(exercise, first.answer_ids[0])
    dup.pop("id", None)
    nb["cells"].insert(nb["cells"].index(cells[first.answer_ids[0]]), dup)
    nb["nbformat_minor"] = 4  # cell ids optional, as in older Jupyter
    for c in nb["cells"]:
        c.pop("id", None)
    add("duplicated", nb, keys, reasons=["appears 2 times"])
    # tampering: each tries to earn points with wrong answers
    wrongs = filled(exercise, set())
    tricks = {
        "cheat_redefine_checks": "import escalation.checks as checks\n"
                                 "def check_hash(*args, **kwargs):\n    print('✔ correct')\n"
                                 "checks.check_hash = check_hash\nchecks.CheckFailed = type('Never', (Exception,), {})\n"
                                 "checks.answer_hash = lambda *a, **k: 'x'\n",
        "cheat_builtins": "import builtins\nbuiltins.isinstance = lambda *a: True\nbuiltins.AssertionError = Exception\n"
                          "builtins.type = lambda *a: int\n_real_import = builtins.__import__\n"
                          "builtins.__import__ = lambda name, *a, **k: _real_import('math')\n",
        "cheat_sys_modules": "import sys, types\nfake = types.ModuleType('escalation.checks')\n"
                             "fake.check_hash = lambda *a, **k: None\nsys.modules['escalation.checks'] = fake\n"
                             "import json\njson.dumps = lambda *a, **k: '{\"values\": {}}'\n",
        "cheat_eq": "class Always:\n    def __eq__(self, other):\n        return True\n    __hash__ = object.__hash__\n"
                    "class Sneaky(str):\n    def __eq__(self, other):\n        return True\n    __hash__ = str.__hash__\n",
        "cheat_pipe": "import os, json\nfor fd in range(3, 64):\n    try:\n"
                      "        os.write(fd, (json.dumps({'id': 1, 'cells': [], 'values': {}, 'problems': {}}) + '\\n').encode())\n"
                      "    except OSError:\n        pass\n",
    }
    for name, code in tricks.items():
        nb = copy.deepcopy(wrongs)
        cells = _cells_by_id(nb)
        target = cells[first.answer_ids[0]]
        if name == "cheat_eq":
            target["source"] = code + "\n".join(f"{v} = Always()" for v in first.variables)
            cells[second.answer_ids[0]]["source"] = code + "\n".join(f"{v} = Sneaky('x')" for v in second.variables)
        else:
            target["source"] = code + target["source"]
        reasons = ["not plain data"] if name == "cheat_eq" else []
        add(name, nb, set(), reasons=reasons)
    files = ("open('ex01_reading.ipynb', 'w').write('overwritten')\nopen('../gradebook.csv', 'w').write('x')\n"
             "import os\nos.makedirs('results', exist_ok=True)\n")
    nb = filled(exercise, keys, override={first.answer_ids[0]: files + solution_code(exercise, first.answer_ids[0])})
    add("writes_files", nb, keys)
    add("kills_worker", filled(exercise, set(), override={
        first.answer_ids[0]: "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n"}), set(),
        "graded_with_problems", ["worker stopped"])
    # LMS layouts: a Moodle folder per student, and a flat file named with the exercise
    add("Dana Example_4711", filled(exercise, keys), keys,
        path=f"Dana Example_4711_assignsubmission_file_/{exercise.name}.ipynb")
    add("eve", filled(exercise, partly), partly, path=f"eve_{exercise.name}.ipynb")
    if has_id_cell(student_notebook(exercise.path)):
        # ids (C2): a classmate's id typed (answers right for that id), no id typed (graded with the file's
        # id), and a classmate's values copied under one's own id (right only where the variants agree)
        # a classmate's id typed: graded as the file's identity, so right only where the two ids' variants agree
        agree = {q.key for q in auto if expected_answers(exercise, q, "frank")[0] ==
                 expected_answers(exercise, q, "wrong_id")[0]}
        add("wrong_id", filled(exercise, keys), agree, reasons=["is not this student's"], typed="frank")
        add("missing_id", filled(exercise, set(), override=literal_answers(exercise, "missing_id", keys)), keys,
            reasons=["No student id typed"], typed="")
        same = {q.key for q in auto if expected_answers(exercise, q, "copied_answers")[0] ==
                expected_answers(exercise, q, "correct")[0]}
        add("copied_answers", filled(exercise, set(), override=literal_answers(exercise, "correct", keys)), same)
    return out


NO_NOTEBOOK = ("Gus_Example_5_assignsubmission_file_/answers.pdf", "Gus_Example_5")


def write_samples(folder: Path, exercise: Exercise | str = "ex01_reading") -> list[Sample]:
    """Write every sample into `folder` (created); return the samples."""
    exercise = load_exercise(exercise) if not isinstance(exercise, Exercise) else exercise
    made = samples(exercise)
    for s in made:
        path = Path(folder) / s.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(s.content)
    # a student who handed in a PDF instead of the notebook (an LMS folder without any .ipynb)
    pdf = Path(folder) / NO_NOTEBOOK[0]
    pdf.parent.mkdir(parents=True, exist_ok=True)
    pdf.write_bytes(b"%PDF-1.4 not a notebook\n")
    made.append(Sample(NO_NOTEBOOK[0], NO_NOTEBOOK[1], pdf.read_bytes(), "missing", set(), ["answers.pdf"], set()))
    return made


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--exercise", default="ex01_reading")
    args = parser.parse_args(argv)
    made = write_samples(args.out, args.exercise)
    print(f"wrote {len(made)} sample submissions to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
