"""Generate student versions of the exercise sources (the `escalation-exercises` command).

A student version is the source with every solution region replaced by placeholders (`q1 = ...` for
each answer variable the solution assigns; `YOUR ANSWER HERE` for written answers in markdown), hidden tests
removed and outputs cleared. A cell that answers through a widget keeps its code outside the region
(`answer("q1", …)`, `written_answer("q6", …)`) and loses the region, with no placeholder. nbgrader metadata is kept, so the file also works in an nbgrader course.
The output is deterministic, so `--check` can fail when a committed student file is stale.

    escalation-exercises              # regenerate exercises/student/ from every source
    escalation-exercises --check      # exit 1 if any committed student version is stale or missing
    escalation-exercises --verify     # grade each source (must get full marks) and student version (zero)
    escalation-exercises --keys DIR   # write a Markdown answer key per set (every variant's answer)

Per-student variants (contract C2): a question whose solution calls `choose(student_id, "<key>", OPTIONS)`
has one expected answer per option. `--verify` grades the source once per sample id, with ids that cover
every variant of every question, and `--keys` lists each variant's expected answer, computed by running
the source's own solution and checking it with the source's own tests.
"""
from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import io
import json
import re
import sys
from pathlib import Path

from .. import answers
from . import samples
from .score import grade_notebook
from .protocol import Worker
from .source import (BEGIN_HIDDEN, BEGIN_SOLUTION, END_HIDDEN, END_SOLUTION, EXERCISES_DIR, ID_VARIABLE, ID_WIDGET,
                     Exercise, FormatError, Question, all_sources, cell_text, load_exercise, named_outside,
                     nbgrader_meta, split_region, strip_code_solution, strip_hidden_tests, strip_markdown_solution)

CHOOSE = re.compile(r'choose\(\s*student_id\s*,\s*"([^"]+)"\s*,\s*([A-Za-z_]\w*)\s*\)')


def _set_source(cell: dict, text: str) -> None:
    cell["source"] = text


def student_notebook(source: Path) -> dict:
    """The student version of a source notebook, as a notebook dict."""
    exercise = load_exercise(source)
    nb = copy.deepcopy(exercise.notebook)
    for index, cell in enumerate(nb["cells"]):
        meta = nbgrader_meta(cell)
        text = cell_text(cell)
        label = f"{source.name}, cell {index + 1}"
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
            if meta.get("solution"):
                text = strip_code_solution(text, label)
            if meta.get("grade"):
                text = strip_hidden_tests(text, label)
        elif cell.get("cell_type") == "markdown" and meta.get("solution"):
            text = strip_markdown_solution(text, label)
        cell.pop("attachments", None) if cell.get("cell_type") == "code" else None
        _set_source(cell, text)
        leaked = [m for m in (BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN) if m in text]
        if leaked:
            raise FormatError(f"{label}: '{leaked[0]}' would remain in the student version; mark the cell as an "
                              "answer or test cell in its nbgrader metadata.")
    if nb.get("nbformat", 4) == 4 and nb.get("nbformat_minor", 0) >= 5:
        for index, cell in enumerate(nb["cells"]):
            cell.setdefault("id", f"cell-{index + 1}")  # nbformat 4.5 needs ids; keep them deterministic
    nb.setdefault("metadata", {})["escalation"] = {"exercise": exercise.name,
                                                   "generated_from": f"exercises/source/{exercise.name}/{source.name}"}
    return nb


def dumps(nb: dict) -> str:
    """Serialise a notebook deterministically (nbformat's layout: indent 1, sorted keys, line lists)."""
    import nbformat

    node = nbformat.from_dict(nb)
    return nbformat.writes(node, version=4) + "\n"


def student_path(source: Path, student_root: Path | None = None) -> Path:
    root = student_root or EXERCISES_DIR / "student"
    return root / source.stem / source.name


def generate(sources: list[Path], student_root: Path | None = None, check: bool = False, out=None) -> int:
    """Write (or, with check=True, compare) the student version of each source; return an exit code."""
    out = out or sys.stdout
    problems = 0
    for source in sources:
        target = student_path(source, student_root)
        try:
            text = dumps(student_notebook(source))
        except FormatError as exc:
            print(f"✘ {source}: {exc}", file=out)
            problems += 1
            continue
        if check:
            current = target.read_text(encoding="utf-8") if target.is_file() else None
            if current != text:
                state = "missing" if current is None else "stale"
                print(f"✘ {target} is {state}: run `escalation-exercises` and commit the result.", file=out)
                problems += 1
            else:
                print(f"✔ {target} is up to date.", file=out)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            print(f"✔ wrote {target}", file=out)
    return 1 if problems else 0


# ----------------------------------------------------------------------------- variants and expected answers
def setup_namespace(exercise: Exercise) -> dict:
    """The objects the source's set-up cell defines (its printed output is discarded)."""
    ns: dict = {"__name__": "__exercise__"}
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        exec(compile(exercise.setup_code, f"<{exercise.name} set-up>", "exec"), ns)
    return ns


def _cells_of(exercise: Exercise, ids) -> list[str]:
    return [cell_text(c) for c in exercise.notebook["cells"] if nbgrader_meta(c).get("grade_id") in set(ids)]


def solution_code(exercise: Exercise, q: Question) -> str:
    """The source's answer cells of a question with the solution markers removed (instructor only); of a cell
    whose code outside the region answers through a widget (`answer("q1", …)`), the region only."""
    lines = []
    for text in _cells_of(exercise, q.answer_ids):
        parts = split_region(text, BEGIN_SOLUTION, END_SOLUTION, q.key)
        outside = "\n".join(line for inside, line in parts if not inside)
        widget = any(named_outside(name, outside) for name in q.variables)
        lines += [line for inside, line in parts if (inside or not widget)
                  and BEGIN_SOLUTION not in line and END_SOLUTION not in line]
    return "\n".join(lines)


def variant_key(exercise: Exercise, q: Question, ns: dict | None = None) -> tuple[str, int] | None:
    """(key, number of variants) of a question with per-student variants, else None.

    The key is found in the question's answer and test cells, or in a set-up function they call.
    """
    ns = setup_namespace(exercise) if ns is None else ns
    text = "\n".join(_cells_of(exercise, q.answer_ids + q.test_ids))
    found = CHOOSE.findall(text)
    if not found:
        try:
            tree = ast.parse(exercise.setup_code)
        except SyntaxError:
            tree = ast.Module(body=[], type_ignores=[])
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and re.search(rf"\b{node.name}\(", text):
                found += CHOOSE.findall(ast.get_source_segment(exercise.setup_code, node) or "")
    if not found:
        return None
    key, options = found[0]
    return key, len(ns[options])


def variant_ids(exercise: Exercise, ns: dict | None = None) -> list[str]:
    """Sample student ids that between them cover every variant of every question of the set."""
    from ..variants import ids_covering

    ns = setup_namespace(exercise) if ns is None else ns
    ids: list[str] = []
    for q in exercise.questions:
        found = variant_key(exercise, q, ns) if q.kind == "auto" else None
        for sid in (ids_covering(*found).values() if found else []):
            if sid not in ids:
                ids.append(sid)
    return ids or ["student000"]


def expected_answers(exercise: Exercise, q: Question, student_id: str, ns: dict | None = None) -> tuple[dict, bool]:
    """Run the source's solution of `q` for this student id; return (answer values, do its tests pass)."""
    ns = dict(setup_namespace(exercise) if ns is None else ns)
    ns[ID_VARIABLE] = student_id
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        exec(compile(solution_code(exercise, q), f"<{q.key} solution>", "exec"), ns)
        values = {name: ns[name] for name in q.variables if name in ns}
        ok = True
        for tid in q.test_ids:
            test = exercise.tests[tid]
            try:
                exec(compile(test.visible + "\n" + test.hidden, f"<{tid}>", "exec"), dict(ns))
            except Exception:  # noqa: BLE001 - reported as a failing key entry
                ok = False
    return values, ok


def with_student_id(nb: dict, student_id: str) -> dict:
    """A copy of a notebook whose student_id cell holds `student_id`: typed in (`student_id = "…"`) in an
    old-style cell, saved in the cell's outputs (as the `your_id()` widget saves it) in a widget cell."""
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        if nbgrader_meta(cell).get("grade_id") == ID_VARIABLE:
            if ID_WIDGET.search(cell_text(cell)):
                cell["outputs"] = [{"output_type": "display_data", "metadata": {},
                                    "data": answers.bundle(ID_VARIABLE, student_id, "your student id")}]
            else:
                cell["source"] = f"{ID_VARIABLE} = {json.dumps(student_id)}"
    return nb


# ----------------------------------------------------------------------------- answer keys
def _plain(value) -> str:
    if hasattr(value, "item") and not isinstance(value, (list, tuple, set, dict, str)):
        value = value.item()
    if isinstance(value, float):
        return f"{value:.6g}"
    return repr(value)


def answer_key(source: Path) -> str:
    """The Markdown answer key of one set: questions, solutions, every variant's answer, rubrics."""
    from ..variants import ids_covering

    exercise = load_exercise(source)
    ns = setup_namespace(exercise)
    out = [f"# Answer key · {exercise.name}", "",
           f"For the instructor only: never hand this out. Generated by `escalation-exercises --keys` from "
           f"`exercises/source/{exercise.name}/{source.name}`; every expected answer below was computed by running "
           f"the source's solution with the module's data, and checked with the source's own tests.", "",
           f"**Points:** {exercise.max_points:g} ({exercise.auto_points:g} computed automatically).", ""]
    for q in exercise.questions:
        prompt = q.prompt.strip()
        if not prompt.startswith("## "):
            prompt = f"## {q.key.upper()} ({q.points:g} points)\n\n{prompt}"
        kind = "written, graded by the instructor" if q.kind == "written" else "computed, graded automatically"
        first, _, rest = prompt.partition("\n")
        out += [first, "", f"*{kind}; {q.points:g} point{'s' if q.points != 1 else ''}.*", "", rest.strip(), ""]
        if q.kind == "written":
            out += ["**Model answer / notes:**", "", q.model_answer, ""]
            out += samples.key_section(exercise, q.written_id)
            continue
        out += [ "**Solution (source code):**", "", "```python", solution_code(exercise, q).strip(), "```", ""]
        found = variant_key(exercise, q, ns)
        if not found:
            values, ok = expected_answers(exercise, q, "student000", ns)
            out += ["**Expected answer (the same for every student):** " +
                    ", ".join(f"`{k} = {_plain(v)}`" for k, v in values.items()) + ("" if ok else " ✘ (the source's tests reject it)"), ""]
            continue
        key, n = found
        options_name = next(name for k, name in CHOOSE.findall(json.dumps(exercise.notebook).replace('\\"', '"'))
                            if k == key)
        out += [f"**Per-student variants** (`{key}`, {n} variants; the variant comes from "
                f"`escalation.variants.pick(student_id, \"{key}\", {n})`, so `escalation.variants.choose` gives the "
                f"option for any id):", "", "| Variant | Option | Example id | Expected answer |", "|---|---|---|---|"]
        for index, sid in ids_covering(key, n).items():
            values, ok = expected_answers(exercise, q, sid, ns)
            answer = ", ".join(f"`{k} = {_plain(v)}`" for k, v in values.items()) + ("" if ok else " ✘")
            option = str(ns[options_name][index]).replace("|", "\\|")
            out.append(f"| {index} | `{option}` | `{sid}` | {answer} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def write_keys(sources: list[Path], folder: Path, out=None) -> int:
    """Write `<set>_key.md` for every source into `folder` (never under exercises/student)."""
    out = out or sys.stdout
    folder = Path(folder)
    student_root = (EXERCISES_DIR / "student").resolve()
    if folder.resolve() == student_root or student_root in folder.resolve().parents:
        print("✘ Answer keys never go into exercises/student/: choose another folder.", file=out)
        return 2
    folder.mkdir(parents=True, exist_ok=True)
    problems = 0
    for source in sources:
        try:
            text = answer_key(source)
        except FormatError as exc:
            print(f"✘ {source}: {exc}", file=out)
            problems += 1
            continue
        target = folder / f"{source.stem}_key.md"
        target.write_text(text, encoding="utf-8")
        flag = " (✘ some expected answers fail the source's tests)" if "✘" in text else ""
        print(f"✔ wrote {target}{flag}", file=out)
        problems += bool(flag)
    return 1 if problems else 0


def verify(sources: list[Path], out=None) -> int:
    """Grade every source's solutions for sample ids covering every variant (each must earn full marks)
    and its blank student version, with and without an id (must earn nothing)."""
    out = out or sys.stdout
    import tempfile

    problems = 0
    worker = Worker()
    for source in sources:
        exercise = load_exercise(source)
        ids = variant_ids(exercise) if exercise.id_cell else ["student000"]
        failed: dict[str, list[str]] = {}
        leaked: list[str] = []
        with tempfile.TemporaryDirectory() as tmp:
            for sid in ids:
                path = Path(tmp) / sid / source.name
                path.parent.mkdir()
                path.write_text(dumps(with_student_id(exercise.notebook, sid)), encoding="utf-8")
                if not worker.alive:
                    worker = Worker()
                full = grade_notebook(exercise, path, sid, worker)
                bad = [k for k, s in full.scores.items() if s < exercise.question(k).points]
                if bad or full.status != "graded":
                    failed[sid] = [", ".join(bad) or "-", f"({full.status}{'; ' if full.reasons else ''}"
                                   f"{'; '.join(full.reasons)})"]
            blank_nb = student_notebook(source)
            for label, nb in (("blank", blank_nb), ("blank with an id", with_student_id(blank_nb, ids[0]))):
                path = Path(tmp) / label.replace(" ", "_") / source.name
                path.parent.mkdir()
                path.write_text(dumps(nb), encoding="utf-8")
                if not worker.alive:
                    worker = Worker()
                empty = grade_notebook(exercise, path, ids[0], worker)
                leaked += [f"{k} ({label})" for k, s in empty.scores.items() if s > 0]
        if failed:
            problems += 1
            keys = sorted({k for v in failed.values() for k in v[0].split(", ") if k != "-"})
            detail = "; ".join(f"{sid} {' '.join(v)}" for sid, v in failed.items())
            print(f"✘ {source.name}: the solutions do not pass the tests of {', '.join(keys) or '-'} "
                  f"(student ids: {detail})", file=out)
        elif leaked:
            problems += 1
            print(f"✘ {source.name}: the blank student version earns points on {', '.join(leaked)}.", file=out)
        else:
            print(f"✔ {source.name}: solutions earn {exercise.auto_points:g}/{exercise.auto_points:g} autograded points "
                  f"for each of {len(ids)} ids covering every variant; the blank student version earns 0.", file=out)
    worker.close()
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="escalation-exercises",
        description="Generate the student versions in exercises/student/ from the sources in exercises/source/.")
    parser.add_argument("sources", nargs="*", help="source notebooks or set names (default: every source)")
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if a committed student version is missing or stale")
    parser.add_argument("--verify", action="store_true",
                        help="grade each source (full marks expected) and its student version (zero expected)")
    parser.add_argument("--keys", type=Path, default=None, metavar="DIR",
                        help="write a Markdown answer key per set into DIR (instructors only; every variant's answer)")
    parser.add_argument("--student-dir", type=Path, default=None, help="where student versions go "
                        "(default: exercises/student)")
    args = parser.parse_args(argv)
    from .source import find_source

    try:
        sources = [find_source(s) for s in args.sources] if args.sources else all_sources()
    except FormatError as exc:
        print(f"✘ {exc}", file=sys.stderr)
        return 2
    if not sources:
        print("No sources found in exercises/source/.", file=sys.stderr)
        return 2
    if args.keys is not None:
        return write_keys(sources, args.keys)
    if args.verify:
        return verify(sources)
    return generate(sources, args.student_dir, check=args.check)


if __name__ == "__main__":
    sys.exit(main())
