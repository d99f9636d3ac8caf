"""Read the lesson notebooks for the edition: titles, objectives, data used, exercises, prompts, figures
(stage: load).

Everything the slides, the print files and the site say about a lesson is taken from the notebook itself,
so the three never drift apart from it.
"""
from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..paths import REPO_ROOT

NOTEBOOKS = REPO_ROOT / "notebooks"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# A code cell that checks an answer (its code may hold the expected value: never shown in the edition).
CHECK_CALL = re.compile(r"\b(practice(\.check)?|check_\w+|progress_summary)\s*\(")
# A cell that shows an answer widget (a text area for a written task, a choice): kept, as its static picture.
ANSWER_WIDGET = re.compile(r"\bpractice\.(written|answer)\s*\(")
# A cell where the student types an answer: `name = ...` (the placeholder of the house style).
ANSWER_CELL = re.compile(r"^\s*[A-Za-z_]\w*\s*=\s*(\.\.\.|\{.*\.\.\..*\}|\[.*\.\.\..*\])\s*(#.*)?$", re.M)
EXERCISE_HEADING = re.compile(r"^#{2,4}\s*(Exercises?|Discussion)\b.*$", re.M)


@dataclass
class Lesson:
    """What the edition needs to know about one lesson notebook."""

    path: Path
    number: str
    title: str
    summary: str
    minutes: str
    objectives: list[str]
    tables: list[tuple[str, str]]
    notebook: nbformat.NotebookNode
    headings: list[str] = field(default_factory=list)

    @property
    def stem(self) -> str:
        return self.path.stem


def lesson_paths(folder: Path = NOTEBOOKS) -> list[Path]:
    return sorted(folder.glob("[0-9][0-9]_*.ipynb"))


def data_resources(data_folder: Path) -> list[tuple[str, str]]:
    """(name, path) of every table in datapackage.json."""
    package = json.loads((data_folder / "datapackage.json").read_text(encoding="utf-8"))
    return [(r["name"], r["path"]) for r in package.get("resources", [])]


def tables_used(text: str, resources: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The tables a page mentions, by file name or by table name in code ("load_table('x')", "load_x()")."""
    found = []
    for name, path in resources:
        file_name = path.rsplit("/", 1)[-1]
        stem = file_name.rsplit(".", 1)[0]
        patterns = [re.escape(file_name), rf"['\"]{re.escape(name)}['\"]", rf"\bload_{re.escape(stem)}\b",
                    rf"\bload_{re.escape(name)}\b"]
        if any(re.search(p, text) for p in patterns):
            found.append((name, path))
    return found


def first_heading(source: str) -> str:
    for line in source.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return ""


def headings(nb) -> list[str]:
    """The level-1 and level-2 headings of the markdown cells, in order."""
    out = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            out += [m.group(2).strip() for m in re.finditer(r"^(#{1,2})\s+(.+)$", cell.source, re.M)]
    return out


def read_lesson(path: Path, resources: list[tuple[str, str]], nb=None) -> Lesson:
    nb = nb if nb is not None else nbformat.read(path, as_version=4)
    card = nb.cells[0].source if nb.cells else ""
    title = first_heading(card) or path.stem
    summary_match = re.search(r"^\*\*(.+?)\*\*\s*$", card, re.M | re.S)
    summary = " ".join(summary_match.group(1).split()) if summary_match else ""
    minutes = ""
    m = re.search(r"\*\*Estimated time\*\*\s*\|\s*([^|\n]+)", card)
    if m:
        minutes = m.group(1).strip()
    objectives = []
    m = re.search(r"By the end of this notebook you will be able to:?\**\s*\n((?:\s*(?:\d+\.|[-*])\s+.+\n?)+)", card)
    if m:
        objectives = [re.sub(r"^\s*(?:\d+\.|[-*])\s+", "", line).strip()
                      for line in m.group(1).splitlines() if line.strip()]
    all_text = "\n".join(c.source for c in nb.cells)
    return Lesson(path=path, number=path.stem[:2], title=title, summary=summary, minutes=minutes,
                  objectives=objectives, tables=tables_used(all_text, resources), notebook=nb,
                  headings=headings(nb))


def is_check_cell(cell) -> bool:
    return cell.cell_type == "code" and bool(CHECK_CALL.search(cell.source)) and "import" not in cell.source.split("\n", 1)[0]


def answer_widget_kind(cell) -> str:
    """"written" or "answer" for a cell that shows a practice answer widget, else ""."""
    m = ANSWER_WIDGET.search(cell.source) if cell.cell_type == "code" else None
    return m.group(1) if m else ""


def is_answer_cell(cell) -> bool:
    return cell.cell_type == "code" and bool(ANSWER_CELL.search(cell.source)) and len(cell.source.splitlines()) <= 8


def is_setup_cell(cell) -> bool:
    return cell.cell_type == "code" and "setup" in cell.metadata.get("tags", [])


def widget_output_count(nb) -> int:
    return sum(1 for c in nb.cells if c.cell_type == "code"
               for o in c.get("outputs", []) if WIDGET_MIME in o.get("data", {}))


def static_widget_note(number: str) -> dict:
    """What replaces a live widget when no static picture of it was produced."""
    text = (f"Interactive in JupyterLab: a widget is shown here when the notebook runs. "
            f"Open notebook {number} to use it.")
    return nbformat.v4.new_output("display_data", data={
        "text/html": f'<p class="widget-placeholder"><em>{text}</em></p>', "text/plain": text})


def for_edition(nb, number: str, *, keep_code: bool = True):
    """A copy of an executed notebook ready to publish: no check cells (their code can hold expected values),
    no live-widget outputs or widget state (they would need a CDN), answer cells marked as such."""
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            if is_check_cell(cell):
                cells.append(nbformat.v4.new_markdown_cell(
                    "*In JupyterLab, a check cell here tells you whether your answer is right, or what to look "
                    "at again.*"))
                continue
            outputs = []
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if WIDGET_MIME in data:
                    rest = {k: v for k, v in data.items() if k not in (WIDGET_MIME, "text/plain")}
                    outputs.append(out if rest else static_widget_note(number))
                    if rest:
                        data.pop(WIDGET_MIME)
                    continue
                outputs.append(out)
            cell.outputs = outputs
            tags = set(cell.metadata.get("tags", []))
            if is_setup_cell(cell) or not keep_code or answer_widget_kind(cell):
                tags.add("remove-input")
            if is_answer_cell(cell):
                cells.append(nbformat.v4.new_markdown_cell("**Your answer** goes in the next cell (replace the `...`):"))
            cell.metadata["tags"] = sorted(tags)
        cells.append(cell)
    nb.cells = cells
    return nb


def first_figure(nb) -> tuple[str, str] | None:
    """(base64 PNG, alt text) of the notebook's first figure (its key figure), or None."""
    for cell in nb.cells:
        if cell.cell_type != "code" or "nbval-ignore-output" in cell.metadata.get("tags", []):
            continue
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "image/png" in data and WIDGET_MIME not in data:
                alt = out.get("metadata", {}).get("image/png", {}).get("alt", "")
                return data["image/png"], alt
    return None


def _paragraphs(source: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", source) if p.strip()]


def discussion_prompts(nb) -> list[str]:
    """Markdown the notebook marks for discussion: "Discuss:" paragraphs, "Discussion" exercises and written
    ("argue it", "written") exercises, in order."""
    prompts = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        paragraphs = _paragraphs(cell.source)
        for i, para in enumerate(paragraphs):
            first = para.splitlines()[0]
            if re.match(r"^#{2,4}\s*Discussion\b", first) or re.match(r"^#{2,4}\s*Exercise .*\((written|argue)", first):
                body = [para]
                for following in paragraphs[i + 1:]:
                    if following.startswith("#") or len(body) == 4 or sum(map(len, body)) > 700:
                        break
                    body.append(following)
                prompts.append("\n\n".join(body))
            elif re.search(r"(^|\*)\s*(Then )?[Dd]iscuss\b", para) and not first.startswith("-"):
                body = para
                if body.rstrip().endswith(":") and i + 1 < len(paragraphs):
                    body += "\n\n" + paragraphs[i + 1]
                prompts.append(body)
    return prompts


GUIDE = REPO_ROOT / "docs" / "instructor_guide.md"


def guide_prompts(number: str, guide: Path = GUIDE) -> list[str]:
    """The discussion prompts the instructor's guide lists for a notebook ("- **02:** "…" · "…"")."""
    if not guide.is_file():
        return []
    text = guide.read_text(encoding="utf-8")
    m = re.search(rf"^- \*\*{re.escape(number)}:\*\*\s*(.+(?:\n  .+)*)", text, re.M)
    if not m:
        return []
    joined = " ".join(line.strip() for line in m.group(1).splitlines())
    return [p.strip().strip('"').strip() for p in joined.split(" · ") if p.strip().strip('"')]


def exercises(nb) -> list[str]:
    """Each exercise's markdown (heading and prompt), in order."""
    found = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for m in EXERCISE_HEADING.finditer(cell.source):
            rest = cell.source[m.start():]
            nxt = re.search(r"^#{1,4}\s", rest[1:], re.M)
            found.append(rest[: nxt.start() + 1] if nxt else rest)
    return [f.strip() for f in found]


def in_class_exercise(nb) -> str:
    """The exercise to do in class: the first one that is not a written task (those are homework-sized)."""
    items = exercises(nb)
    for item in items:
        if not re.search(r"\((written|argue)", item.splitlines()[0]):
            return item
    return items[0] if items else ""


def ground_rules(guide: Path = GUIDE) -> list[str]:
    """The guide's ground rules for teaching a contested war (its numbered list after "**Ground rules**"),
    as Markdown items, so the slide and the poster never drift from the guide."""
    if not guide.is_file():
        return []
    text = guide.read_text(encoding="utf-8")
    m = re.search(r"^\*\*Ground rules\*\*.*\n((?:\d+\.\s.+\n(?:   .+\n)*)+)", text, re.M)
    if not m:
        return []
    items = re.split(r"^\d+\.\s", m.group(1), flags=re.M)
    return [" ".join(item.split()) for item in items if item.strip()]
