"""Read an instructor source notebook: its set-up, questions, answer cells, tests and rubrics.

A source follows `exercises/FORMAT.md` (nbgrader metadata, schema version 3). Everything the student
version generator and the grader need is read here once, so both agree on what a question is.
"""
from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import EscalationError
from ..paths import REPO_ROOT

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
ANSWER_HERE = "YOUR ANSWER HERE"
ANSWER_VARIABLE = re.compile(r"^q\d+[A-Za-z0-9_]*$")
ID_VARIABLE = "student_id"  # the student's id (contract C2): read like an answer, scores nothing
ID_WIDGET = re.compile(r"^\s*your_id\(", re.M)  # the id cell of a widget set: `your_id()` (escalation.widgets.graded)
EXERCISES_DIR = REPO_ROOT / "exercises"


class FormatError(EscalationError):
    """A source notebook does not follow exercises/FORMAT.md."""


def cell_text(cell: dict) -> str:
    """A cell's source as one string (notebooks may store it as a list of lines)."""
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def nbgrader_meta(cell: dict) -> dict:
    """The cell's nbgrader metadata ({} when there is none or it is malformed)."""
    meta = cell.get("metadata")
    meta = meta.get("nbgrader") if isinstance(meta, dict) else None
    return meta if isinstance(meta, dict) else {}


def escalation_meta(cell: dict) -> dict:
    """The cell's `metadata.escalation` (alignment: objectives, skill, item), a copy; {} when absent or malformed."""
    meta = cell.get("metadata")
    meta = meta.get("escalation") if isinstance(meta, dict) else None
    return json.loads(json.dumps(meta)) if isinstance(meta, dict) else {}


def normalise_code(text: str) -> str:
    """Code with blank lines and trailing spaces removed, for matching retyped cells by content."""
    return "\n".join(line.rstrip() for line in text.strip().splitlines() if line.strip())


def cell_points(meta: dict, label: str, what: str) -> float:
    """The points a graded cell is worth, from its nbgrader metadata (a number of 0 or more)."""
    points = meta.get("points")
    if not isinstance(points, (int, float)) or isinstance(points, bool) or points < 0:
        raise FormatError(f"{label}: {what} needs 'points' (a number of 0 or more) in its metadata.")
    return float(points)


def split_region(text: str, begin: str, end: str, label: str) -> list[tuple[bool, str]]:
    """Split text into (inside_region, line) pairs for the marker pair; raise on unbalanced markers."""
    out, inside = [], False
    for line in text.splitlines():
        if begin in line:
            if inside:
                raise FormatError(f"{label}: '{begin}' appears twice without '{end}' in between.")
            inside = True
            out.append((True, line))
        elif end in line:
            if not inside:
                raise FormatError(f"{label}: '{end}' without a '{begin}' before it.")
            inside = False
            out.append((True, line))
        else:
            out.append((inside, line))
    if inside:
        raise FormatError(f"{label}: '{begin}' is never closed by '{end}'.")
    return out


def assigned_answer_names(code: str, label: str = "cell") -> list[str]:
    """Answer variables (q1, q2b, …) that code assigns at top level, in order of first assignment."""
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        raise FormatError(f"{label}: the solution is not valid Python ({exc.msg}, line {exc.lineno}).") from None
    names: list[str] = []
    for node in tree.body:
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        for target in targets:
            for sub in ast.walk(target):
                if isinstance(sub, ast.Name) and ANSWER_VARIABLE.match(sub.id) and sub.id not in names:
                    names.append(sub.id)
    return names


def read_names(code: str) -> list[str]:
    """Answer variables a piece of code reads (used to know what a test cell needs)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return sorted(set(re.findall(r"\bq\d+[A-Za-z0-9_]*\b", code)))
    return sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and ANSWER_VARIABLE.match(n.id)})


def question_key(grade_id: str) -> str:
    """The question a grade_id belongs to: 'q3_test' → 'q3'; ids without a qN_ prefix stand alone."""
    m = re.match(r"^(q\d+[a-z]?)_", grade_id)
    return m.group(1) if m else grade_id


def _has_code(lines: list[str]) -> bool:
    return any(line.strip() and not line.strip().startswith("#") for line in lines)


def named_outside(name: str, outside: str) -> bool:
    """Whether code outside a solution region names an answer as text (`answer("q1", …)`, `written_answer("q6")`)."""
    return re.search(rf"""(['"]){re.escape(name)}\1""", outside) is not None


def strip_code_solution(text: str, label: str) -> str:
    """Drop each solution region; in its place, `qN = ...` for each answer variable it assigns that the code
    outside the regions does not answer itself (an answer widget's `answer("qN", …)` line answers qN).

    Old-style cells (only the region) get `qN = ...`; a cell whose region assigns nothing gets `# YOUR CODE HERE`
    unless code outside the regions does the work (a written answer's `written_answer(…)`).
    """
    lines, region, out = split_region(text, BEGIN_SOLUTION, END_SOLUTION, label), [], []
    outside_lines = [line for inside, line in lines if not inside]
    outside = "\n".join(outside_lines)
    indent = ""
    for inside, line in lines:
        if BEGIN_SOLUTION in line:
            region, indent = [], line[: len(line) - len(line.lstrip())]
        elif END_SOLUTION in line:
            names = assigned_answer_names("\n".join(l[len(indent):] if l.startswith(indent) else l
                                                    for l in region), label)
            kept = [name for name in names if not named_outside(name, outside)]
            if kept or (not names and not _has_code(outside_lines)):
                out += [f"{indent}{name} = ..." for name in kept] or [f"{indent}# YOUR CODE HERE"]
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



@dataclass
class Question:
    """One question: its answer cell(s), test cell(s) or written cell, points and rubric."""

    key: str
    kind: str  # "auto" (answer + tests) or "written" (manually graded: a markdown cell, or a code cell)
    points: float = 0.0
    answer_ids: list[str] = field(default_factory=list)
    test_ids: list[str] = field(default_factory=list)
    written_id: str = ""
    variables: list[str] = field(default_factory=list)
    prompt: str = ""  # the question text (markdown before the answer, or the written cell's question)
    rubric: str = ""  # written answers: the cell text before the solution region
    model_answer: str = ""  # written answers: the solution region (instructor only)
    written_in_code: bool = False  # written answers: a code cell with `written_answer(…)` (its text is saved)
    meta: dict = field(default_factory=dict)  # the graded cell's `metadata.escalation` (objectives, skill, item)


@dataclass
class TestCell:
    """A test cell of the source, split into the part students see and the hidden part."""

    grade_id: str
    points: float
    visible: str
    hidden: str
    key: str
    reads: list[str]


@dataclass
class Exercise:
    """A parsed source notebook."""

    name: str
    path: Path
    notebook: dict
    setup_code: str
    questions: list[Question]
    tests: dict[str, TestCell]
    locked_texts: list[str]  # normalised text of locked cells (to recognise the exercise)
    id_cell: str = ""  # the source text of the student_id cell (`your_id()` or `student_id = "..."`; "" if none)

    @property
    def variables(self) -> list[str]:
        """Every variable the grader reads back: `student_id` (when the set has it) and the answers."""
        answers = [v for q in self.questions for v in q.variables]
        return ([ID_VARIABLE] if self.id_cell else []) + answers

    @property
    def max_points(self) -> float:
        return sum(q.points for q in self.questions)

    @property
    def auto_points(self) -> float:
        return sum(q.points for q in self.questions if q.kind == "auto")

    def question(self, key: str) -> Question:
        for q in self.questions:
            if q.key == key:
                return q
        raise KeyError(key)


def load_notebook_json(path: Path) -> dict:
    """Read a notebook file as JSON, with a plain-language error when it cannot be read."""
    try:
        data = json.loads(Path(path).read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise FormatError(f"{path} does not exist.") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormatError(f"{path} is not a readable notebook ({exc}).") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise FormatError(f"{path} is not a Jupyter notebook (no list of cells).")
    return data


def find_source(spec: str | Path) -> Path:
    """Resolve a source given as a path or as a set name such as 'ex01_reading'."""
    path = Path(spec)
    if path.is_file():
        return path
    if path.is_dir() and (path / f"{path.name}.ipynb").is_file():
        return path / f"{path.name}.ipynb"
    candidate = EXERCISES_DIR / "source" / str(spec) / f"{spec}.ipynb"
    if candidate.is_file():
        return candidate
    known = ", ".join(p.name for p in sorted((EXERCISES_DIR / "source").glob("ex*")) if p.is_dir())
    raise FormatError(f"No exercise source '{spec}'. Give the path of a source notebook or one of: {known or 'none yet'}.")


def all_sources(root: Path | None = None) -> list[Path]:
    """Every source notebook under exercises/source, sorted by set name."""
    root = Path(root) if root else EXERCISES_DIR / "source"
    return sorted(p for p in root.glob("*/*.ipynb") if p.stem == p.parent.name)


def _written_cell(meta: dict, gid: str, text: str, label: str, how: str) -> tuple[float, list[tuple[bool, str]]]:
    """(points, solution region) of a written-answer cell (markdown, or code with `how` = ", as comments,")."""
    if not gid:
        raise FormatError(f"{label}: a written-answer cell needs a grade_id.")
    points = cell_points(meta, label, "a written-answer cell")
    region = split_region(text, BEGIN_SOLUTION, END_SOLUTION, label)
    if not any(inside for inside, _ in region):
        raise FormatError(f"{label}: a written answer needs its model answer{how} between "
                          f"'{BEGIN_SOLUTION}' and '{END_SOLUTION}'.")
    return points, region


def load_exercise(spec: str | Path) -> Exercise:
    """Parse a source notebook and check it follows the format; raise FormatError saying what to fix."""
    path = find_source(spec)
    nb = load_notebook_json(path)
    name = path.stem
    setup_code, questions, tests, locked, id_cell = "", {}, {}, [], ""
    seen_ids: set[str] = set()
    last_markdown = ""
    for index, cell in enumerate(nb["cells"]):
        meta = nbgrader_meta(cell)
        text = cell_text(cell)
        gid = meta.get("grade_id", "")
        label = f"{path.name}, cell {index + 1}" + (f" ({gid})" if gid else "")
        if gid:
            if gid in seen_ids:
                raise FormatError(f"{label}: grade_id '{gid}' is used twice; every grade_id must be unique.")
            seen_ids.add(gid)
        if meta.get("locked") and not meta.get("grade") and not meta.get("solution"):
            locked.append(" ".join(text.split()))
        if cell.get("cell_type") == "markdown" and not meta.get("solution"):
            last_markdown = text
        if gid == "setup":
            setup_code = text
            continue
        if gid == ID_VARIABLE:
            if cell.get("cell_type") != "code" or meta.get("grade") or meta.get("solution") or BEGIN_SOLUTION in text:
                raise FormatError(f"{label}: the student_id cell must be a plain editable code cell (grade and "
                                  "solution false, no solution markers), so nbgrader keeps it as the student typed it.")
            if not re.search(rf"^{ID_VARIABLE}\s*=", text, re.M) and not ID_WIDGET.search(text):
                raise FormatError(f"{label}: the student_id cell must call your_id() or assign student_id = \"...\".")
            id_cell = text
            continue
        if cell.get("cell_type") == "code" and meta.get("solution") and not meta.get("grade"):
            region = split_region(text, BEGIN_SOLUTION, END_SOLUTION, label)
            if not any(inside for inside, _ in region):
                raise FormatError(f"{label}: an answer cell needs a '{BEGIN_SOLUTION}' … '{END_SOLUTION}' region.")
            names = assigned_answer_names(text, label)
            if not names:
                raise FormatError(f"{label}: the solution assigns no answer variable (q1, q2, …).")
            key = question_key(gid) if gid else names[0]
            q = questions.setdefault(key, Question(key=key, kind="auto"))
            q.answer_ids.append(gid)
            q.variables += [n for n in names if n not in q.variables]
            q.prompt = q.prompt or last_markdown.strip()
        elif cell.get("cell_type") == "code" and meta.get("grade") and meta.get("solution"):
            points, region = _written_cell(meta, gid, text, label, ", as comments,")
            model = "\n".join(re.sub(r"^\s*# ?", "", line) for inside, line in region
                              if inside and BEGIN_SOLUTION not in line and END_SOLUTION not in line).strip()
            key = question_key(gid)
            if key in questions:
                raise FormatError(f"{label}: question '{key}' already has answer or test cells.")
            if not named_outside(key, "\n".join(line for inside, line in region if not inside)):
                raise FormatError(f"{label}: a written answer in a code cell calls written_answer(\"{key}\", …) "
                                  "outside its solution region.")
            questions[key] = Question(key=key, kind="written", points=points, written_id=gid,
                                      prompt=last_markdown.strip(), rubric=last_markdown.strip(), model_answer=model,
                                      written_in_code=True, meta=escalation_meta(cell))
        elif cell.get("cell_type") == "code" and meta.get("grade"):
            if not gid:
                raise FormatError(f"{label}: a test cell needs a grade_id.")
            points = cell_points(meta, label, "a test cell")
            parts = split_region(text, BEGIN_HIDDEN, END_HIDDEN, label)
            visible = "\n".join(line for inside, line in parts if not inside)
            hidden = "\n".join(line for inside, line in parts
                               if inside and BEGIN_HIDDEN not in line and END_HIDDEN not in line)
            key = question_key(gid)
            tests[gid] = TestCell(gid, points, visible, hidden, key, read_names(text))
            q = questions.setdefault(key, Question(key=key, kind="auto"))
            q.test_ids.append(gid)
            q.points += points
            q.meta = q.meta or escalation_meta(cell)
        elif cell.get("cell_type") == "markdown" and meta.get("grade") and meta.get("solution"):
            points, region = _written_cell(meta, gid, text, label, "")
            first = next(i for i, (inside, _) in enumerate(region) if inside)
            rubric = "\n".join(line for _, line in region[:first]).strip()
            model = "\n".join(line for inside, line in region
                              if inside and BEGIN_SOLUTION not in line and END_SOLUTION not in line).strip()
            key = question_key(gid)
            if key in questions:
                raise FormatError(f"{label}: question '{key}' already has answer or test cells.")
            questions[key] = Question(key=key, kind="written", points=points, written_id=gid,
                                      prompt=rubric, rubric=rubric, model_answer=model, meta=escalation_meta(cell))
        elif BEGIN_SOLUTION in text or BEGIN_HIDDEN in text:
            raise FormatError(f"{label}: solution or hidden-test markers in a cell that is not marked as an "
                              "answer or test cell in its nbgrader metadata.")
    for key, q in questions.items():
        if q.kind == "auto" and not q.test_ids:
            raise FormatError(f"{path.name}: question '{key}' has an answer cell but no test cell with points.")
        if q.kind == "auto" and not q.answer_ids:
            raise FormatError(f"{path.name}: question '{key}' has a test cell but no answer cell.")
    if not setup_code:
        raise FormatError(f"{path.name}: no set-up cell (a locked code cell with grade_id 'setup').")
    ordered = sorted(questions.values(), key=lambda q: _natural(q.key))
    return Exercise(name, path, nb, setup_code, ordered, tests, locked, id_cell)


def _natural(key: str) -> list:
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", key)]
