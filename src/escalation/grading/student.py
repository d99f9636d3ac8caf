"""Generate student versions of the exercise sources (the `escalation-exercises` command).

A student version is the source with every solution region replaced by placeholders (`q1 = ...` for
each answer variable the solution assigns; `YOUR ANSWER HERE` for written answers), hidden tests
removed and outputs cleared. nbgrader metadata is kept, so the file also works in an nbgrader course.
The output is deterministic, so `--check` can fail when a committed student file is stale.

    escalation-exercises              # regenerate exercises/student/ from every source
    escalation-exercises --check      # exit 1 if any committed student version is stale or missing
    escalation-exercises --verify     # grade each source (must get full marks) and student version (zero)
"""
from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

from .source import (ANSWER_HERE, BEGIN_HIDDEN, BEGIN_SOLUTION, END_HIDDEN, END_SOLUTION, EXERCISES_DIR,
                     FormatError, all_sources, assigned_answer_names, cell_text, load_exercise, nbgrader_meta,
                     split_region)


def _set_source(cell: dict, text: str) -> None:
    cell["source"] = text


def strip_code_solution(text: str, label: str) -> str:
    """Replace each solution region with `qN = ...` for the answer variables it assigns."""
    lines, region, out = split_region(text, BEGIN_SOLUTION, END_SOLUTION, label), [], []
    indent = ""
    for inside, line in lines:
        if BEGIN_SOLUTION in line:
            region, indent = [], line[: len(line) - len(line.lstrip())]
        elif END_SOLUTION in line:
            names = assigned_answer_names("\n".join(l[len(indent):] if l.startswith(indent) else l
                                                    for l in region), label)
            out += [f"{indent}{name} = ..." for name in names] or [f"{indent}# YOUR CODE HERE"]
        elif inside:
            region.append(line)
        else:
            out.append(line)
    return "\n".join(out)


def strip_markdown_solution(text: str, label: str) -> str:
    """Replace each solution region of a written answer with YOUR ANSWER HERE."""
    out = []
    for inside, line in split_region(text, BEGIN_SOLUTION, END_SOLUTION, label):
        if BEGIN_SOLUTION in line:
            out.append(ANSWER_HERE)
        elif not inside:
            out.append(line)
    return "\n".join(out)


def strip_hidden_tests(text: str, label: str) -> str:
    """Remove hidden-test regions (markers included) and the blank lines they leave at the end."""
    kept = [line for inside, line in split_region(text, BEGIN_HIDDEN, END_HIDDEN, label) if not inside]
    return "\n".join(kept).rstrip()


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


def verify(sources: list[Path], out=None) -> int:
    """Grade every source with its solutions (must earn full marks) and its blank student version (zero)."""
    out = out or sys.stdout
    import tempfile

    from .runner import Worker, grade_notebook

    problems = 0
    worker = Worker()
    for source in sources:
        exercise = load_exercise(source)
        with tempfile.TemporaryDirectory() as tmp:
            blank = Path(tmp) / source.name
            blank.write_text(dumps(student_notebook(source)), encoding="utf-8")
            if not worker.alive:
                worker = Worker()
            full = grade_notebook(exercise, source, "solutions", worker)
            empty = grade_notebook(exercise, blank, "blank", worker)
        failed = [k for k, s in full.scores.items() if s < exercise.question(k).points]
        leaked = [k for k, s in empty.scores.items() if s > 0]
        if failed or full.status != "graded":
            problems += 1
            print(f"✘ {source.name}: the solutions do not pass the tests of {', '.join(failed) or '-'} "
                  f"({full.status}; {'; '.join(full.reasons)}). Details: {full.test_messages}", file=out)
        elif leaked:
            problems += 1
            print(f"✘ {source.name}: the blank student version earns points on {', '.join(leaked)}.", file=out)
        else:
            print(f"✔ {source.name}: solutions earn {full.auto_total:g}/{exercise.auto_points:g} autograded points; "
                  "the blank student version earns 0.", file=out)
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
    if args.verify:
        return verify(sources)
    return generate(sources, args.student_dir, check=args.check)


if __name__ == "__main__":
    sys.exit(main())
