"""The alignment matrix: each lesson's objectives and the graded items that assess them.

Objectives are the numbered list after "**By the end of this notebook you will be able to:**" in
`notebooks/NN_*.ipynb` (ids `NN.k`, k from 1). Items are the graded cells of the exercise sources (automatic
test cells and written cells), each with `metadata.escalation = {"objectives": [...], "skill": ..., "item": ...}`
(exercises/FORMAT.md). `problems()` lists what breaks the rules; `outcomes_markdown()` is the instructor guide's
table, which `python -m escalation.alignment --write docs/instructor_guide.md` writes between its markers.
"""
from __future__ import annotations

import argparse
import ast
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .errors import EscalationError
from .grading.source import cell_text, load_notebook_json, nbgrader_meta, question_key, read_names
from .paths import REPO_ROOT

OBJECTIVES_MARKER = "**By the end of this notebook you will be able to:**"
SKILLS = ("attribution", "comparability", "classification", "source evaluation", "figure reading",
          "calculation", "look-up", "procedure", "written argument")
ITEM_TYPES = ("choice", "order", "match", "names", "number", "text", "written")
# A skill item needs the skill rather than a look-up; such items carry at least half of a set's automatic points.
SKILL_ITEM_TYPES = ("choice", "order", "match", "names")
SKILL_ITEM_SKILLS = ("attribution", "comparability", "classification", "source evaluation", "figure reading")
# The item type each kind of answer widget gives (`answer(name, kind, …)`, escalation.widgets.graded).
WIDGET_ITEM = {"number": "number", "whole number": "number", "text": "text", "choice": "choice", "names": "names",
               "order": "order", "match": "match"}
TABLE_START, TABLE_END = "<!-- outcomes-start -->", "<!-- outcomes-end -->"
_ITEM_START = re.compile(r"^(\d+)\.\s+(.*)$")
_TITLE = re.compile(r"^#+\s*(Q\d+[a-z]?)\s*·\s*(.*?)\s*(?:\([^()]*\bpoints?\))?\s*$", re.M)


class AlignmentError(EscalationError):
    """A lesson notebook or exercise source cannot be read for the alignment matrix."""


@dataclass(frozen=True)
class Objective:
    """One learning objective of a lesson notebook."""

    id: str  # "02.1"
    lesson: str  # "02"
    text: str
    notebook: str  # file name, e.g. "02_arms_supply_in_numbers.ipynb"
    lesson_title: str = ""


@dataclass(frozen=True)
class Item:
    """One graded cell of an exercise source, with its alignment metadata as written (unchecked)."""

    set: str  # "ex02_arms_supply"
    grade_id: str
    question: str  # "Q3"
    title: str  # the question's heading, "Reporting verbs"
    points: float
    automatic: bool  # a test cell (False: a written answer graded by rubric)
    objectives: tuple = ()
    skill: object = None
    item: object = None
    metadata_problem: str = ""  # what is malformed in metadata.escalation ("" when its shape is right)
    widgets: tuple = ()  # (name, kind) of the answer widgets whose answers this test cell reads

    @property
    def is_skill_item(self) -> bool:
        return self.item in SKILL_ITEM_TYPES and self.skill in SKILL_ITEM_SKILLS


@dataclass
class Matrix:
    """Objectives of every lesson and items of every set."""

    objectives: list[Objective] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)

    def items_for(self, objective_id: str) -> list[Item]:
        return [i for i in self.items if objective_id in i.objectives]

    def sets(self) -> list[str]:
        return sorted({i.set for i in self.items})

    def problems(self) -> list[tuple[str, str]]:
        """(where, what) for each broken rule; `where` is a lesson ("02") or a set name."""
        known = {o.id for o in self.objectives}
        out = []
        for o in self.objectives:
            if not self.items_for(o.id):
                out.append((o.lesson, f"objective {o.id} ({_short(o.text)}) has no graded item."))
        for i in self.items:
            where = f"{i.question} ({i.grade_id})"
            if i.metadata_problem:
                out.append((i.set, f"{where}: {i.metadata_problem}"))
                continue
            if not i.objectives:
                out.append((i.set, f"{where} names no objective."))
            for oid in i.objectives:
                if oid not in known:
                    out.append((i.set, f"{where} names objective '{oid}', which no lesson notebook lists."))
            if i.skill not in SKILLS:
                out.append((i.set, f"{where} has skill {i.skill!r}; it must be one of: {', '.join(SKILLS)}."))
            if i.item not in ITEM_TYPES:
                out.append((i.set, f"{where} has item type {i.item!r}; it must be one of: {', '.join(ITEM_TYPES)}."))
            elif (i.item == "written") == i.automatic:
                out.append((i.set, f"{where}: item type 'written' is for written answers graded by rubric, and only "
                                   "for them."))
            elif i.widgets and i.item not in {WIDGET_ITEM.get(kind) for _, kind in i.widgets}:
                given = ", ".join(f"{name}: {kind!r}" for name, kind in i.widgets)
                out.append((i.set, f"{where} has item type {i.item!r}, but its answer widget says otherwise "
                                   f"({given})."))
        for name in self.sets():
            auto, skill = share(self, name)
            if auto and 2 * skill < auto:
                out.append((name, f"skill items carry {_pts(skill)} of {_pts(auto)} automatic points; they need at "
                                  "least half."))
        return out


def share(matrix: Matrix, set_name: str) -> tuple[float, float]:
    """(automatic points, automatic points of skill items) of one set."""
    auto = [i for i in matrix.items if i.set == set_name and i.automatic]
    return sum(i.points for i in auto), sum(i.points for i in auto if i.is_skill_item)


def read_objectives(path: Path) -> list[Objective]:
    """The numbered objectives of one lesson notebook (continuation lines joined); raise when there are none."""
    path = Path(path)
    lesson = path.name[:2]
    if not lesson.isdigit():
        raise AlignmentError(f"{path.name}: a lesson notebook's name starts with its two-digit number (02_…).")
    nb = load_notebook_json(path)
    title = ""
    for cell in nb["cells"]:
        if cell.get("cell_type") != "markdown":
            continue
        text = cell_text(cell)
        title = title or next((l.lstrip("#").strip() for l in text.splitlines() if l.startswith("# ")), "")
        if OBJECTIVES_MARKER not in text:
            continue
        texts: list[str] = []
        for line in text.split(OBJECTIVES_MARKER, 1)[1].splitlines():
            start = _ITEM_START.match(line)
            if start:
                if int(start.group(1)) != len(texts) + 1:
                    raise AlignmentError(f"{path.name}: the objectives must be numbered 1, 2, 3, … "
                                         f"(found {start.group(1)}. after {len(texts)}).")
                texts.append(start.group(2).strip())
            elif texts and line.strip() and line[:1].isspace():
                texts[-1] += " " + line.strip()
            elif texts or line.strip():
                break
        if not texts:
            raise AlignmentError(f"{path.name}: no numbered list follows '{OBJECTIVES_MARKER}'.")
        return [Objective(f"{lesson}.{k}", lesson, t.rstrip(";. "), path.name, title)
                for k, t in enumerate(texts, 1)]
    raise AlignmentError(f"{path.name}: no cell says '{OBJECTIVES_MARKER}' followed by the numbered objectives.")


def read_items(path: Path) -> list[Item]:
    """The graded cells of one exercise source with their metadata.escalation (shape checked, values not)."""
    path = Path(path)
    nb = load_notebook_json(path)
    titles = {}
    for cell in nb["cells"]:
        if cell.get("cell_type") == "markdown":
            for q, t in _TITLE.findall(cell_text(cell)):
                titles.setdefault(q.lower(), t)
    kinds = {}
    for cell in nb["cells"]:
        meta = nbgrader_meta(cell)
        if cell.get("cell_type") == "code" and meta.get("solution") and not meta.get("grade"):
            kinds.update(widget_kinds(cell_text(cell)))
    items = []
    for index, cell in enumerate(nb["cells"]):
        meta = nbgrader_meta(cell)
        if not meta.get("grade"):
            continue
        reads = read_names(cell_text(cell)) if not meta.get("solution") else []
        gid = str(meta.get("grade_id") or f"cell {index + 1}")
        key = question_key(gid)
        points = meta.get("points")
        points = float(points) if isinstance(points, (int, float)) and not isinstance(points, bool) else 0.0
        raw = (cell.get("metadata") or {}).get("escalation")
        objectives, skill, kind, problem = (), None, None, ""
        if raw is None:
            problem = "no alignment metadata (metadata.escalation with objectives, skill and item)."
        elif not isinstance(raw, dict):
            problem = "metadata.escalation must be an object with objectives, skill and item."
        else:
            objs = raw.get("objectives")
            if not isinstance(objs, list) or not all(isinstance(o, str) for o in objs):
                problem = "metadata.escalation.objectives must be a list of objective ids such as [\"02.1\"]."
            else:
                objectives = tuple(o.strip() for o in objs)
            skill, kind = raw.get("skill"), raw.get("item")
        items.append(Item(path.stem, gid, key.upper() if key.startswith("q") else key,
                          titles.get(key, ""), points, not meta.get("solution"), objectives, skill, kind, problem,
                          tuple((n, kinds[n]) for n in reads if n in kinds)))
    return items


def widget_kinds(code: str) -> dict[str, str]:
    """name → kind of each `answer(name, kind, …)` call with literal arguments in an answer cell's code."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return {}
    found = {}
    for node in ast.walk(tree):
        func = getattr(node, "func", None)
        if isinstance(node, ast.Call) and getattr(func, "id", getattr(func, "attr", "")) == "answer":
            args = {k.arg: k.value for k in node.keywords}
            name = node.args[0] if node.args else args.get("name")
            kind = node.args[1] if len(node.args) > 1 else args.get("kind")
            if all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in (name, kind)):
                found[name.value] = kind.value
    return found


def build_matrix(root: Path = REPO_ROOT) -> Matrix:
    """The matrix of a checkout: notebooks/NN_*.ipynb and exercises/source/<set>/<set>.ipynb under root."""
    root = Path(root)
    lessons = sorted(p for p in (root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    sources = sorted(p for p in (root / "exercises" / "source").glob("*/*.ipynb") if p.stem == p.parent.name)
    if not lessons or not sources:
        raise AlignmentError(f"{root} holds no lesson notebooks (notebooks/NN_*.ipynb) or no exercise sources "
                             "(exercises/source/<set>/<set>.ipynb): run this in a checkout of the repository.")
    matrix = Matrix()
    for p in lessons:
        matrix.objectives += read_objectives(p)
    for p in sources:
        matrix.items += read_items(p)
    return matrix


def outcomes_markdown(matrix: Matrix) -> str:
    """The instructor guide's outcomes tables: per lesson, each objective and the items that assess it."""
    out = []
    for lesson in sorted({o.lesson for o in matrix.objectives}):
        objectives = [o for o in matrix.objectives if o.lesson == lesson]
        first = objectives[0]
        out += [f"**[{first.lesson_title or first.notebook}](../notebooks/{first.notebook})**", "",
                "| Objective | Set | Question | Item | Skill | Points |", "|---|---|---|---|---|---|"]
        for o in objectives:
            items = sorted(matrix.items_for(o.id), key=lambda i: (i.set, _natural(i.question)))
            head = f"{o.id} {_cell(o.text)}"
            if not items:
                out.append(f"| {head} | — | no graded item | | | |")
            for n, i in enumerate(items):
                question = f"{i.question} · {_cell(i.title)}" if i.title else i.question
                out.append(f"| {head if n == 0 else o.id} | `{i.set}` | {question} | {_cell(i.item)}"
                           f"{'' if i.automatic else ' (rubric)'} | {_cell(i.skill)} | {_pts(i.points)} |")
        out.append("")
    out += ["**Points per set** (skill items: choice, order, match or names items that need attribution, "
            "comparability, classification, source evaluation or figure reading; they carry at least half of each "
            "set's automatic points)", "",
            "| Set | Automatic points | of which skill items | Written points (rubric) |", "|---|---|---|---|"]
    for name in matrix.sets():
        auto, skill = share(matrix, name)
        written = sum(i.points for i in matrix.items if i.set == name and not i.automatic)
        out.append(f"| `{name}` | {_pts(auto)} | {_pts(skill)} | {_pts(written)} |")
    return "\n".join(out)


def write_table(doc: Path, matrix: Matrix) -> bool:
    """Write the outcomes tables between the markers of doc; True when the file changed."""
    doc = Path(doc)
    try:
        text = doc.read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError) as exc:
        raise AlignmentError(f"{doc} cannot be read ({exc}).") from None
    if text.count(TABLE_START) != 1 or text.count(TABLE_END) != 1 or text.index(TABLE_START) > text.index(TABLE_END):
        raise AlignmentError(f"{doc} needs one line {TABLE_START} and, after it, one line {TABLE_END}: the "
                             "tables are written between them.")
    head, rest = text.split(TABLE_START, 1)
    tail = rest.split(TABLE_END, 1)[1]
    new = f"{head}{TABLE_START}\n{outcomes_markdown(matrix)}\n{TABLE_END}{tail}"
    if new != text:
        doc.write_text(new, encoding="utf-8")
    return new != text


def committed_table(doc: Path) -> str:
    """The text between the markers of doc ("" when it has none)."""
    text = Path(doc).read_text(encoding="utf-8")
    if TABLE_START not in text or TABLE_END not in text:
        return ""
    return text.split(TABLE_START, 1)[1].split(TABLE_END, 1)[0].strip("\n")


def _natural(text: str) -> list:
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text)]


def _cell(value) -> str:
    return str(value if value is not None else "—").replace("|", "\\|").replace("\n", " ")


def _pts(points: float) -> str:
    return f"{points:g}"


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57].rstrip() + "…"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="escalation-alignment",
        description="The alignment of the lessons' objectives with the graded items of the exercise sets.")
    parser.add_argument("--write", type=Path, metavar="FILE.md", default=None,
                        help="write the outcomes tables between the outcomes markers of FILE.md "
                             "(docs/instructor_guide.md)")
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="the checkout to read (default: this one)")
    args = parser.parse_args(argv)
    try:
        matrix = build_matrix(args.root)
        if args.write:
            changed = write_table(args.write, matrix)
            print(f"{'Wrote' if changed else 'Unchanged:'} the outcomes tables in {args.write}.")
        else:
            print(outcomes_markdown(matrix))
    except EscalationError as exc:
        print(f"✘ {exc}", file=sys.stderr)
        return 2
    problems = matrix.problems()
    for where, what in problems:
        print(f"✘ {where}: {what}", file=sys.stderr)
    if problems:
        print(f"{len(problems)} alignment problems (exercises/FORMAT.md, 'Alignment').", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
