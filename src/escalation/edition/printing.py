"""Print-ready PDFs of the lessons and the graded sets, through Debian's Chromium (stage: report).

Each lesson prints as its reading (text, tables, figures, widgets as static pictures), its exercises with
room to write and no code or solutions; each graded set prints from its student version in
exercises/student/. Every PDF is then opened with pypdf and checked to contain its headings.
"""
from __future__ import annotations

import ast
import base64
import contextlib
import html
import io
import re
import shutil
import unicodedata
from pathlib import Path

from markdown_it import MarkdownIt

from ..variants import NO_ID_MESSAGE
from . import content, paper

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

PRINT_CSS = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
table.reflow { width: 100%; font-size: 8.5pt; } table.reflow td { padding: 3px 5px; }
table.reflow .k { color: #444; font-style: italic; }
body { font-family: "DejaVu Serif", Georgia, serif; font-size: 10.5pt; line-height: 1.35; color: #111; }
h1 { font-size: 20pt; margin: 0 0 .4em; } h2 { font-size: 15pt; margin-top: 1.2em; break-after: avoid; }
h3 { font-size: 12.5pt; break-after: avoid; }
img { display: block; max-width: 84%; max-height: 110mm; margin: .3em auto; break-inside: avoid; }
table { border-collapse: collapse; font-size: 9pt; margin: .5em 0; break-inside: auto; max-width: 100%; }
th, td { border: 1px solid #999; padding: 2px 4px; vertical-align: top; overflow-wrap: anywhere; }
tr { break-inside: avoid; }
.table-cut, .paper-data-caption { font-size: 9pt; font-style: italic; }
table.paper-data td { min-width: 2em; height: 1.6em; }
table.board td { height: 4em; }
ul.options { list-style: none; padding-left: 1em; columns: 2; font-size: 10.5pt; }
.options p { margin: .3em 0 0; }
pre { white-space: pre-wrap; font-size: 9pt; background: #f4f4f4; padding: 4px; }
.answer { border: 1px solid #444; border-radius: 3px; margin: .6em 0 1em; padding: .3em .6em; break-inside: avoid; }
.answer .label { font-size: 9.5pt; color: #333; }
.answer .line { border-bottom: 1px solid #aaa; height: 2.1em; }
.note { font-style: italic; color: #333; }
.cite { font-size: 9pt; border-top: 1px solid #999; margin-top: 2em; padding-top: .4em; }
.cite-this { font-size: 9pt; border-top: 1px solid #999; margin-top: 2em; }
"""

_md = MarkdownIt("commonmark", {"html": True}).enable("table")


def md(text: str) -> str:
    return _md.render(text)


def answer_box(label: str, lines: int) -> str:
    return (f'<div class="answer"><div class="label">{html.escape(label)}</div>'
            + '<div class="line"></div>' * lines + "</div>")


def _pre(text: str) -> str:
    """Printed program output: a table keeps its columns (small type) unless its lines are too long for A4."""
    widest = max((len(line) for line in text.splitlines()), default=0)
    style = "white-space: pre; font-size: 7.5pt;" if widest <= 110 else "font-size: 8pt;"
    return f'<pre style="{style}">{html.escape(text.rstrip())}</pre>'


YOUR_QUESTION_ON_PAPER = ('<p class="note"><strong>Your question</strong> depends on your student id: it is on the '
                          'question sheet with your id that your instructor gives you (in JupyterLab, it is shown '
                          'here once your id is typed at the top).</p>')
# The caption of a widget's static picture says what it does live; on paper a control is set, not dragged.
WIDGET_CAPTION = re.compile(r"<figcaption[^>]*>Interactive in JupyterLab:[^<]*</figcaption>")
REPR_ONLY = re.compile(r"^\s*<[\w.]+ object( at 0x[0-9a-f]+)?>\s*$")


def _text(value) -> str:
    return value if isinstance(value, str) else "".join(value)


def outputs_html(cell) -> str:
    """A code cell's outputs as printed: figures with their alt text, HTML, Markdown, values as tables; a
    "type your student id first" message becomes the note that the question is on the student's sheet."""
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            text = _text(out.get("text", ""))
            if text.startswith("Figure description:"):
                parts.append(f'<p class="note">{html.escape(text.strip())}</p>')
            elif NO_ID_MESSAGE in text or "enter your student id at the top first" in text.lower():
                parts.append(YOUR_QUESTION_ON_PAPER)
            elif text.strip():
                parts.append(_pre(text))
            continue
        data = out.get("data", {})
        if "image/png" in data:
            alt = out.get("metadata", {}).get("image/png", {}).get("alt", "Figure")
            parts.append(f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{_text(data["image/png"])}">')
        elif "text/html" in data:
            parts.append(WIDGET_CAPTION.sub(lambda m: re.sub(r"\bdrag\b", "set", m.group(0)), _text(data["text/html"])))
        elif "text/markdown" in data:
            parts.append(md(_text(data["text/markdown"])))
        elif "text/plain" in data and content.WIDGET_MIME not in data:
            text = _text(data["text/plain"])
            if REPR_ONLY.match(text):
                continue
            parts.append(paper.value_html(text) or _pre(text))
    return "\n".join(parts)


def page(title: str, body: str, footer: str, full_table_note=None) -> str:
    body = paper.fit_tables(body, full_table_note or (lambda columns: "The full table is in the web edition."))
    body = paper.links_as_text(body)
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{PRINT_CSS}</style></head><body>{body}\n<div class=\"cite\">{footer}</div></body></html>")


def _markdown_on_paper(cell) -> str:
    """A markdown cell as printed: its paper form (metadata `edition.paper`) or its text without the JupyterLab-only
    instructions, then the data its paper form needs (`edition.paper_data`)."""
    meta = paper.cell_paper(cell)
    text = md(meta["paper"] if "paper" in meta else paper.for_paper(cell.source))
    for spec in ([meta["paper_data"]] if isinstance(meta.get("paper_data"), str) else meta.get("paper_data", [])):
        text += "\n" + paper.paper_data_html(spec)
    return text


def lesson_html(lesson: content.Lesson, nb, footer: str, full_table_note=None) -> str:
    """The reading and the exercises of one lesson, ready to print (no code, no solutions)."""
    nb = content.for_edition(nb, lesson.number, keep_code=False)
    parts = []
    pending_label = "Your answer"
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            src = cell.source
            if src.startswith("**Your answer**") or src.startswith("*In JupyterLab, a check cell"):
                continue
            heads = re.findall(r"^#{2,4}\s*(.+)$", src, re.M)
            if heads:
                pending_label = heads[-1].strip()
            parts.append(_markdown_on_paper(cell))
            continue
        kind = content.answer_widget_kind(cell)
        if kind:
            ex_id = re.search(r"\(\s*[\"']([\d.]+)[\"']", cell.source)
            if kind == "answer" and ex_id:
                parts.append(paper.answer_options_html(ex_id.group(1)))
            parts.append(answer_box(f"{pending_label}: your answer", 10 if kind == "written" else 2))
            continue
        if content.is_answer_cell(cell):
            written = "written" in pending_label.lower() or "argue" in pending_label.lower() \
                or "describe" in pending_label.lower()
            parts.append(answer_box(f"{pending_label}: your answer", 8 if written else 2))
            continue
        if content.is_setup_cell(cell):
            continue
        parts.append(outputs_html(cell))
    return page(lesson.title, "\n".join(parts), footer, full_table_note)


PAPER_NOTE = ('<p class="note">On paper: the look-up tables are printed as the notebook shows them, and each answer '
              'has a box to write in. Questions marked "Your question" depend on your student id: your instructor '
              'gives you a question sheet with your own version. Hand in the notebook if your instructor grades '
              'with escalation-grade.</p>')
# Cells of a set that only matter on screen: the progress summary and its introduction.
SCREEN_ONLY_IDS = {"progress", "progress_intro"}


def graded_set_html(path: Path, footer: str, nb=None, *, student: str = "", full_table_note=None
                    ) -> tuple[str, str, list[str]]:
    """(title, HTML, headings) of a student version of a graded set, with space to write.

    `nb` is the set as run (look-up tables printed); by default the file as committed. With `student`, the
    set was run with that student id (a question sheet) and the sheet says whose it is.
    """
    import nbformat

    nb = nb if nb is not None else nbformat.read(path, as_version=4)
    parts, heads = [], []
    title = path.stem
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") in SCREEN_ONLY_IDS:
            continue
        if cell.cell_type == "markdown":
            src = cell.source
            if meta.get("solution"):
                src = re.sub(r",? in place of YOUR ANSWER HERE( below the rubric)?", "", src)
                prompt = paper.for_paper(src.replace("YOUR ANSWER HERE", "").strip())
                if prompt:
                    parts.append(md(prompt))
                parts.append(answer_box("Your written answer", 12))
                continue
            found = re.findall(r"^(#{1,2})\s+(.+)$", src, re.M)
            heads += [h for _, h in found]
            if not title or title == path.stem:
                title = next((h for lvl, h in found if lvl == "#"), title)
            parts.append(_markdown_on_paper(cell))
        elif cell.cell_type == "code":
            if meta.get("grade") and meta.get("solution"):  # a written answer's text box (written_answer)
                parts.append(answer_box("Your written answer", 12))
                continue
            if meta.get("grade") or meta.get("grade_id") == "setup":
                continue
            if student and meta.get("grade_id") == "student_id":
                parts.append(f'<p class="sheet-for"><strong>Question sheet for student id: '
                             f'{html.escape(student)}</strong> (type it in the student id box when you work in '
                             'JupyterLab).</p>')
                continue
            if "your_question(" in cell.source and not student:
                parts.append(YOUR_QUESTION_ON_PAPER)
                continue
            form = widget_form(cell.source, nb) if meta.get("solution") else None
            if "your_id(" in cell.source:
                parts.append(answer_box("Your student id", 1))
            elif form:  # an answer widget's paper form: its options, items or matches printed
                parts.append(f'<div class="answer-form">{form}</div>')
            elif (meta.get("solution") or "YOUR CODE HERE" in cell.source or re.search(r"=\s*\.\.\.", cell.source)
                    or re.match(r'^\s*student_id\s*=', cell.source)):
                names = re.findall(r"^\s*([A-Za-z_]\w*)\s*=", cell.source, re.M)
                label = ("Answer: " + ", ".join(dict.fromkeys(names))) if names else "Answer"
                parts.append(answer_box(label, 2))
            else:
                parts.append(outputs_html(cell))
    if len(parts) > 1 and not student:
        parts.insert(1, PAPER_NOTE)
    return title, page(title, "\n".join(parts), footer, full_table_note), heads


def _setup_namespace(nb) -> dict:
    """The names a set's set-up cell defines (its options lists), run once per notebook ({} if it fails)."""
    key = id(nb)
    if key not in _SETUPS:
        code = next((c.source for c in nb.cells if c.cell_type == "code"
                     and c.metadata.get("nbgrader", {}).get("grade_id") == "setup"), "")
        ns: dict = {"__name__": "__paper__"}
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(code, "<set-up>", "exec"), ns)  # the set's own set-up: module code, not a student's
        except Exception:  # noqa: BLE001 - the form then falls back to a plain box
            ns = {}
        _SETUPS.clear()
        _SETUPS[key] = ns
    return _SETUPS[key]


_SETUPS: dict[int, dict] = {}


def widget_form(source: str, nb) -> str | None:
    """The paper form of an answer cell's `answer(...)` call, with its options read from the set-up (None when
    the cell holds no such call or its options cannot be read)."""
    from ..widgets import graded

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    call = next((n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
                 and n.func.id == "answer"), None)
    if call is None or len(call.args) < 2:
        return None
    ns = _setup_namespace(nb)
    try:
        name, kind = (eval(compile(ast.Expression(a), "<answer>", "eval"), dict(ns)) for a in call.args[:2])
        options = {k.arg: eval(compile(ast.Expression(k.value), "<answer>", "eval"), dict(ns))
                   for k in call.keywords if k.arg}
    except Exception:  # noqa: BLE001 - a name the set-up did not define: a plain box instead
        return None
    label = options.pop("label", None) or graded.default_label(name)
    options.pop("placeholder", None)
    return graded.paper_html(kind, label, **{k: v for k, v in options.items()
                                            if k in ("choices", "items", "left", "right", "unit")})


def chromium_available() -> str | None:
    """None when PDFs can be made, else the reason they cannot."""
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        return "Chromium is not installed (/usr/bin/chromium): PDFs skipped (install Debian's chromium)."
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed: PDFs skipped (pip install -r requirements.txt)."
    return None


def in_own_thread(task):
    """Run `task()` in a thread of its own and return its result (or raise its exception).

    Playwright's sync API refuses to start where an asyncio loop is running (a Jupyter kernel, a test
    session that already drives a browser); a fresh thread has no loop.
    """
    import threading

    outcome: dict = {}

    def run():
        try:
            outcome["value"] = task()
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="escalation-chromium")
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def print_pdfs(jobs: list[tuple[Path, Path]]) -> None:
    """Print each (html file, pdf file) pair with one Chromium (in a thread of its own)."""
    in_own_thread(lambda: _print_pdfs(jobs))


def _print_pdfs(jobs: list[tuple[Path, Path]]) -> None:
    from playwright.sync_api import sync_playwright

    exe = str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium"))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(offline=True)
            tab = context.new_page()
            for source, target in jobs:
                tab.goto(source.resolve().as_uri(), wait_until="load")
                target.parent.mkdir(parents=True, exist_ok=True)
                tab.pdf(path=str(target), format="A4", prefer_css_page_size=True, print_background=True,
                        display_header_footer=True,
                        header_template="<span></span>",
                        footer_template='<div style="font-size:10px;width:100%;text-align:center;">'
                                        '<span class="title"></span> · page <span class="pageNumber"></span> of '
                                        '<span class="totalPages"></span></div>',
                        margin={"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"})
        finally:
            browser.close()


def squash(text: str) -> str:
    """Letters and digits only, ligatures unfolded (PDF text has "ﬁ" for "fi")."""
    return re.sub(r"[^0-9a-z]+", "", unicodedata.normalize("NFKC", text).lower())


def pdf_text(path: Path) -> tuple[int, str]:
    """(number of pages, text) of a PDF; raises if it does not open."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    return len(reader.pages), "\n".join(p.extract_text() or "" for p in reader.pages)


def check_pdf(path: Path, headings: list[str]) -> list[str]:
    """Problems with a PDF: it does not open, has no pages, or lacks one of its headings."""
    try:
        pages, text = pdf_text(path)
    except Exception as exc:  # noqa: BLE001 - any reading failure is the finding
        return [f"{path.name} does not open: {exc}"]
    if pages == 0:
        return [f"{path.name} has no pages"]
    flat = squash(text)
    return [f"{path.name} lacks the heading '{h}'" for h in headings if squash(strip_md(h)) not in flat]


def strip_md(text: str) -> str:
    return re.sub(r"[*_`]|\[([^\]]*)\]\([^)]*\)", lambda m: m.group(1) or "", text)


def image_b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode()


def set_title(path: Path) -> str:
    """A graded set's title: the first level-1 heading of its first cell."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return next((content.first_heading(c.source) for c in nb.cells if c.cell_type == "markdown"
                 and content.first_heading(c.source)), path.stem)
