"""Question sheets: each student's own version of the graded sets' "Your question" cells (stage: report).

`escalation-edition --sheets ROSTER.csv` runs each student version once in a kernel (its set-up and
look-up cells), then, for every student of the roster, sets `student_id` and runs the cells that print
"Your question" (`your_question(...)`), exactly as the student's notebook would; the variant is chosen by
`escalation.variants` from the id, so the sheet, the notebook and the grader agree. One PDF per set holds
the whole class, one student per page.
"""
from __future__ import annotations

import copy
import csv
import html
import re
import tempfile
from pathlib import Path

import nbformat

from ..errors import EscalationError
from . import printing
from .execute import static_widgets


def read_roster(path: Path) -> list[tuple[str, str]]:
    """(student id, name) of every row of a roster CSV: a column `student_id` (or `id`, or the first column),
    and `name` when there is one. Blank ids are skipped; a missing or empty file is a clear error."""
    path = Path(path)
    if not path.is_file():
        raise EscalationError(f"The roster {path} does not exist.")
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        raise EscalationError(f"The roster {path} has no rows (it needs a header line such as student_id,name).")
    columns = list(rows[0].keys())
    id_col = next((c for c in ("student_id", "id", "username") if c in columns), columns[0])
    students = [(row[id_col].strip(), (row.get("name") or "").strip()) for row in rows if (row[id_col] or "").strip()]
    if not students:
        raise EscalationError(f"The roster {path} has no student ids in its column {id_col!r}.")
    return students


def _is_yours(cell) -> bool:
    return cell.cell_type == "code" and "your_question(" in cell.source


def _question_heading(nb, index: int) -> str:
    for cell in reversed(nb.cells[:index]):
        if cell.cell_type == "markdown":
            m = re.search(r"^#{1,3}\s+(.+)$", cell.source, re.M)
            if m:
                return m.group(1).strip()
    return ""


def run_variants(path: Path, students: list[tuple[str, str]], timeout: int = 120) -> dict[str, list[tuple[str, list]]]:
    """student id -> [(question heading, outputs of its "Your question" cell)] for one set."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    yours = [i for i, c in enumerate(nb.cells) if _is_yours(c)]
    if not yours:
        return {}
    setup = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and not _is_yours(c)
             and not c.metadata.get("nbgrader", {}).get("grade") and not c.metadata.get("nbgrader", {}).get("solution")
             and "progress_summary(" not in c.source and not re.match(r"\s*student_id\s*=", c.source)]
    result: dict[str, list[tuple[str, list]]] = {}
    with static_widgets(), tempfile.TemporaryDirectory(prefix="edition-sheets-") as scratch:
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                                resources={"metadata": {"path": scratch}})
        with client.setup_kernel():
            for i in setup:
                client.execute_cell(nb.cells[i], i)
            for student, _ in students:
                id_cell = nbformat.v4.new_code_cell(f"student_id = {student!r}")
                nb.cells.append(id_cell)
                client.execute_cell(id_cell, len(nb.cells) - 1)
                nb.cells.pop()
                result[student] = []
                for i in yours:
                    cell = copy.deepcopy(nb.cells[i])
                    client.execute_cell(cell, i)
                    nb.cells[i] = cell
                    outputs = [o for o in cell.outputs if o.get("output_type") != "error"]
                    result[student].append((_question_heading(nb, i), outputs))
    return result


def sheet_html(set_title: str, variants: dict[str, list[tuple[str, list]]], names: dict[str, str],
               footer: str) -> str:
    """One page per student: the set's title, the student's id and name, and each of their questions."""
    pages = []
    for student, questions in variants.items():
        who = html.escape(student) + (f" ({html.escape(names[student])})" if names.get(student) else "")
        parts = [f'<section class="sheet"><h1>{html.escape(set_title)}</h1>',
                 f"<p><strong>Question sheet for student id {who}.</strong> Your own versions of the questions "
                 "marked \u201cYour question\u201d; the rest of the set is the same for everyone. In JupyterLab, "
                 f"type this id in the cell <code>student_id = \"…\"</code> to see the same questions.</p>"]
        for heading, outputs in questions:
            parts.append(f"<h2>{html.escape(heading)}</h2>")
            parts.append(printing.outputs_html({"outputs": outputs}))
        parts.append("</section>")
        pages.append("\n".join(parts))
    body = "\n".join(pages)
    return printing.page(f"{set_title}: question sheets", body, footer).replace(
        "</style>", ".sheet { break-after: page; } .sheet:last-of-type { break-after: auto; }</style>", 1)


def write_sheets(sets: list[Path], roster: Path, dest: Path, footer_for) -> list[tuple[Path, Path, list[str]]]:
    """Write one HTML file per set with every student's sheet; return (html, pdf target, headings) to print."""
    students = read_roster(roster)
    names = dict(students)
    jobs = []
    for path in sets:
        variants = run_variants(path, students)
        if not variants:
            continue
        title = printing.set_title(path)
        html_file = dest / f"sheets_{path.stem}.html"
        html_file.write_text(sheet_html(title, variants, names, footer_for(path)), encoding="utf-8")
        jobs.append((html_file, path.stem, [student for student, _ in students]))
    return jobs
