"""Build the whole edition: execute, print, slides, the students' site and the teacher's build (stage: report)."""
from __future__ import annotations

import html
import json
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import EscalationError
from ..paths import REPO_ROOT, data_dir
from . import cite, content, execute, pack, printing, sheets, site, slides

PACK_DIR = REPO_ROOT / "docs" / "teachers_pack"
INSTRUCTOR_ONLY = "instructor_only"


@dataclass
class Report:
    """What a build did, for the command's summary and BUILD.json."""

    notebooks: dict[str, str] = field(default_factory=dict)
    pdfs: list[str] = field(default_factory=list)
    pdf_problems: list[str] = field(default_factory=list)
    pdf_skipped: str = ""
    pages: dict[str, int] = field(default_factory=dict)
    sheets: list[str] = field(default_factory=list)
    url: str = ""
    slides: list[str] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)
    warnings: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return self.__dict__.copy()


# The instructor's documents the guide points to, published next to it (so its pointers are links).
GUIDE_DOCS = {"docs/serving_a_class.md": "guide/serving_a_class.md",
              "docs/figures_and_widgets.md": "guide/figures_and_widgets.md",
              "docs/grading_lms.md": "guide/grading_lms.md",
              "docs/grading_security.md": "guide/grading_security.md",
              "docs/updating_data.md": "guide/updating_data.md",
              "exercises/README.md": "guide/exercises.md",
              "exercises/FORMAT.md": "guide/exercise_format.md",
              "tools/jupyter-config/README.md": "guide/students_jupyterlab.md"}


def _pack_pages() -> list[Path]:
    return sorted(p for p in PACK_DIR.glob("*.md") if p.name != "README.md")


def page_mapping(lessons: list[content.Lesson]) -> dict[str, str]:
    """Repository path -> page in the students' project."""
    mapping = {f"notebooks/{l.path.name}": f"notebooks/{l.path.name}" for l in lessons}
    mapping.update({"data/README.md": "data/catalogue.md", "data/DATA_DICTIONARY.md": "data/dictionary.md",
                    "docs/instructor_guide.md": "guide/instructor_guide.md",
                    "docs/teachers_pack/README.md": "pack/index.md",
                    "docs/reading_edition.md": "pack/reading_edition.md"})
    for page in _pack_pages():
        mapping[f"docs/teachers_pack/{page.name}"] = f"pack/{page.name}"
    for origin, doc in GUIDE_DOCS.items():
        if (REPO_ROOT / origin).is_file():
            mapping[origin] = doc
    return mapping


GENERATED_PAGES = ["index.md", "notebook_map.md", "articles.md", "pack/role_cards.md", "pack/ground_rules.md"]


def link_mapping(mapping: dict[str, str]) -> dict[str, str]:
    """The mapping links are rewritten with: repository paths, and the project's own pages by their path (the
    generated pages link to those directly)."""
    return {**{doc: doc for doc in mapping.values()}, **{doc: doc for doc in GENERATED_PAGES}, **mapping}


def csv_columns(data_folder: Path, resources) -> dict[str, list[str]]:
    """Data path -> its CSV header, for naming where a long table printed in part is in full."""
    import csv

    found = {}
    for _, path in resources:
        file = data_folder / path
        if path.endswith(".csv") and file.is_file():
            with open(file, newline="", encoding="utf-8") as handle:
                found[path] = next(csv.reader(handle), [])
    return found


def full_table_note(headers: dict[str, list[str]], page: str, url: str):
    """A function: table columns -> the sentence saying where the full table is (a data file, else the page)."""
    def note(columns: list[str]) -> str:
        cols = {c for c in columns if c}
        match = next((p for p, h in headers.items() if cols and cols <= set(h)), None)
        if match:
            where = f"data/{match}"
            return (f"The full table is the file {where} of the edition"
                    + (f" ({url}{where})." if url else " (its data folder)."))
        return ("The full table is on this page of the web edition" + (f": {url}{page}." if url else "."))
    return note


def lesson_links(lesson: content.Lesson, prefix: str, has_pdf: bool) -> str:
    links = [f'<a href="{prefix}slides/{lesson.stem}.html">Slides for the projector</a>']
    if has_pdf:
        links.append(f'<a href="{prefix}pdf/lessons/{lesson.stem}.pdf">Print version (PDF)</a>')
    return ('<p class="edition-links">' + " ".join(links) +
            " · Interactive version: open this notebook in JupyterLab.</p>")


def notebook_map_md(lessons, has_pdf: bool) -> str:
    rows = ["# Notebook map", "",
            "Read them in order. Each page is the notebook as it runs, with widgets shown as a picture of "
            "their starting state; open the notebook in JupyterLab to use them.", "",
            "| # | Notebook | Time | In one line | Slides | Print |", "|---|---|---|---|---|---|"]
    for l in lessons:
        pdf = f'<a href="pdf/lessons/{l.stem}.pdf">PDF</a>' if has_pdf else "—"
        rows.append(f"| {l.number} | [{l.title}](notebooks/{l.path.name}) | {l.minutes} | {l.summary} | "
                    f'<a href="slides/{l.stem}.html">slides</a> | {pdf} |')
    return "\n".join(rows) + "\n"


def articles_md() -> str:
    """Both articles in full, with what is known and not known about each (from data/articles/articles.csv)."""
    from ..corpus import load_articles

    lines = ["# The two articles in full", "",
             "The texts the module reads, as stored in `data/articles/` (verbatim; page furniture such as "
             "sidebars and comment forms set aside, as the notebooks do). In JupyterLab the article explorer of "
             "notebook 01 highlights quotations, speakers, numbers and place names in them. These are third-party "
             "news texts, stored for criticism and teaching; they are not relicensed.", ""]
    for art in load_articles():
        lines += [f"## {art.headline}", "",
                  "| | |", "|---|---|",
                  f"| Outlet | {art.outlet} |", f"| Byline | {art.byline} |",
                  f"| Date | {art.date} ({art.date_precision}, {art.date_basis}) |",
                  f"| Language | {art.language} |", ""]
        for label, note in (("About the date", art.date_note), ("Translation", art.translation_note),
                            ("Page furniture", art.boilerplate_note)):
            if note:
                lines += [f"*{label}:* {note}", ""]
        lines += ["<blockquote class=\"article-text\">"]
        lines += [f"<p>{html.escape(p.strip())}</p>" for p in art.body.split("\n") if p.strip()]
        lines += ["</blockquote>", "",
                  f'<a class="data-download" href="data/articles/{html.escape(art.file)}" download>'
                  f"Download the text file ({html.escape(art.file)})</a>", ""]
    return "\n".join(lines)


def index_md(lessons, sets: list[Path], has_pdf: bool, ver: str) -> str:
    lines = ["# Escalation debates: the reading edition", "",
             "**How the news and officials talk about long-range weapons for Ukraine, and about "
             "\u201cescalation\u201d.** This is the module to read without installing anything: every notebook "
             "with its text, tables and figures, the data with its sources, the instructor's guide and the "
             f"teacher's pack. Version {ver}.", "",
             "- Start with the [notebook map](notebook_map.md); the [two articles in full](articles.md) are the "
             "texts every lesson reads.",
             "- The data: the [data catalogue](data/catalogue.md) (provenance and licences) and the "
             "[data dictionary](data/dictionary.md); every page links the tables it uses for download.",
             "- For teachers: the [instructor's guide](guide/instructor_guide.md) and the "
             "[teacher's pack](pack/index.md).",
             '- For the projector: <a href="slides/index.html">one slide deck per lesson</a>.']
    if has_pdf:
        lines.append('- For print: <a href="pdf/index.html">one PDF per lesson and per graded exercise set</a>.')
    lines += ["",
              "The widgets of the notebooks are interactive only in JupyterLab; here each shows a picture of its "
              "starting state with a caption. Answer keys are not part of this edition.", ""]
    lines.append(site.toctree(["notebook_map", "articles"] + [f"notebooks/{l.stem}" for l in lessons], "Lessons",
                              True))
    lines.append(site.toctree(["data/catalogue", "data/dictionary"], "Data", True))
    pack_entries = (["pack/index"] + [f"pack/{p.stem}" for p in _pack_pages()]
                    + ["pack/role_cards", "pack/ground_rules"])
    if (REPO_ROOT / "docs" / "reading_edition.md").is_file():
        pack_entries.append("pack/reading_edition")
    guide_entries = ["guide/instructor_guide"] + [doc.removesuffix(".md") for origin, doc in GUIDE_DOCS.items()
                                                  if (REPO_ROOT / origin).is_file()]
    lines.append(site.toctree(guide_entries + pack_entries, "For teachers", True))
    return "\n".join(lines)


def _list_page(title: str, items: list[tuple[str, str]]) -> str:
    lis = "".join(f'<li><a href="{href}">{label}</a></li>' for label, href in items)
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            '<style>body{font-family:sans-serif;font-size:18px;max-width:50em;margin:2em auto;}</style></head>'
            f'<body><h1>{title}</h1><ul>{lis}</ul><p><a href="../index.html">Back to the edition</a></p>'
            "</body></html>")


def page_list_html(report: "Report", title: str) -> str:
    """The print index: every PDF with its page count."""
    items = [(f"{Path(p).stem} ({report.pages.get(p, '?')} pages)", str(Path(p).relative_to("pdf")))
             for p in report.pdfs + report.sheets]
    return _list_page(title, items)


def build_edition(out: Path, *, run_notebooks: bool = True, pdfs: bool = True, jobs: int = 2, url: str = "",
                  roster: Path | None = None, log=print) -> Report:
    """Build everything into `out`; return what was done.

    `url` is the edition's web address (for "Cite this"; "" when it has none); `roster` a CSV of student ids
    for question sheets with each student's variants.
    """
    report = Report(url=url)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    ver, date = cite.version(), cite.build_date()
    data_folder = data_dir()
    resources = content.data_resources(data_folder)
    headers = csv_columns(data_folder, resources)
    paths = content.lesson_paths()
    sets = sorted((REPO_ROOT / "exercises" / "student").glob("*/*.ipynb"))

    t0 = time.perf_counter()
    runs = execute.execute_all(paths, jobs=jobs) if run_notebooks else execute.committed(paths)
    report.seconds["notebooks"] = round(time.perf_counter() - t0, 1)
    lessons = []
    for path in paths:
        nb, how = runs[path]
        widgets_left = content.widget_output_count(nb)
        if widgets_left:
            how += f"; {widgets_left} live-widget output(s) without a static picture (shown as a caption)"
        report.notebooks[path.name] = how
        lessons.append(content.read_lesson(path, resources, nb))
        log(f"  {path.name}: {how}")

    with tempfile.TemporaryDirectory(prefix="edition-") as tmp:
        tmp = Path(tmp)
        # ---- print files
        t0 = time.perf_counter()
        reason = printing.chromium_available() if pdfs else "PDFs not requested (--no-pdf)."
        has_pdf = False
        if reason:
            report.pdf_skipped = reason
            log(f"  {reason}")
        else:
            jobs_list, expected = [], {}
            (out / "pdf" / "html").mkdir(parents=True, exist_ok=True)
            for lesson in lessons:
                footer = cite.citation(lesson.title, f"pdf/lessons/{lesson.stem}.pdf", ver=ver, date=date, url=url)
                html_file = out / "pdf" / "html" / f"{lesson.stem}.html"
                note = full_table_note(headers, f"notebooks/{lesson.stem}.html", url)
                html_file.write_text(printing.lesson_html(lesson, lesson.notebook, footer, note), encoding="utf-8")
                target = out / "pdf" / "lessons" / f"{lesson.stem}.pdf"
                jobs_list.append((html_file, target))
                expected[target] = lesson.headings
            set_runs = (execute.execute_all(sets, jobs=jobs, timeout=120, allow_errors=True) if run_notebooks
                        else execute.committed(sets))
            for path in sets:
                footer = cite.citation(path.stem, f"pdf/sets/{path.stem}.pdf", ver=ver, date=date, url=url)
                note = full_table_note(headers, "pdf/index.html", url)
                title, text, heads = printing.graded_set_html(path, footer, set_runs[path][0], full_table_note=note)
                html_file = out / "pdf" / "html" / f"{path.stem}.html"
                html_file.write_text(text, encoding="utf-8")
                target = out / "pdf" / "sets" / f"{path.stem}.pdf"
                jobs_list.append((html_file, target))
                expected[target] = heads
            rules = content.ground_rules()
            if rules:
                poster = out / "pdf" / "html" / "ground_rules_poster.html"
                poster.write_text(pack.ground_rules_poster_html(rules), encoding="utf-8")
                jobs_list.append((poster, out / "pdf" / "ground_rules_poster.pdf"))
                expected[out / "pdf" / "ground_rules_poster.pdf"] = ["Ground rules"]
            if roster:
                t_sheets = time.perf_counter()
                for html_file, stem, students in sheets.write_sheets(
                        sets, roster, out / "pdf" / "html",
                        lambda p: cite.citation(f"{p.stem}: question sheets", f"pdf/sheets/{p.stem}.pdf", ver=ver,
                                                date=date, url=url)):
                    target = out / "pdf" / "sheets" / f"{stem}.pdf"
                    jobs_list.append((html_file, target))
                    expected[target] = students
                report.seconds["sheets_run"] = round(time.perf_counter() - t_sheets, 1)
            printing.print_pdfs(jobs_list)
            for target, heads in expected.items():
                report.pdf_problems += printing.check_pdf(target, heads)
                rel = str(target.relative_to(out))
                (report.sheets if "sheets" in target.parts else report.pdfs).append(rel)
                report.pages[rel] = printing.pdf_text(target)[0]
            (out / "pdf" / "index.html").write_text(page_list_html(report, "Print versions"), encoding="utf-8")
            has_pdf = True
        report.seconds["pdfs"] = round(time.perf_counter() - t0, 1)

        # ---- slides
        t0 = time.perf_counter()
        (out / "slides").mkdir(parents=True, exist_ok=True)
        for lesson in lessons:
            text = slides.deck_html(lesson, lesson.notebook, citation=cite.citation(
                lesson.title, f"slides/{lesson.stem}.html", ver=ver, date=date, url=url))
            (out / "slides" / f"{lesson.stem}.html").write_text(text, encoding="utf-8")
            report.slides.append(f"slides/{lesson.stem}.html")
        (out / "slides" / "index.html").write_text(
            _list_page("Slides", [(l.title, f"{l.stem}.html") for l in lessons]), encoding="utf-8")
        report.seconds["slides"] = round(time.perf_counter() - t0, 1)

        # ---- the students' site
        t0 = time.perf_counter()
        src = site.new_source(tmp / "site", title="Escalation debates: the reading edition", ver=ver,
                              data_folder=data_folder)
        mapping = page_mapping(lessons)
        md_kwargs = dict(mapping=link_mapping(mapping), resources=resources, ver=ver, date=date, url=url)
        site.write_markdown_page(src, "index.md", index_md(lessons, sets, has_pdf, ver), origin="index.md",
                                 **md_kwargs)
        site.write_markdown_page(src, "notebook_map.md", notebook_map_md(lessons, has_pdf),
                                 origin="notebook_map.md", **md_kwargs)
        site.write_markdown_page(src, "articles.md", articles_md(), origin="articles.md", **md_kwargs)
        for lesson in lessons:
            doc = f"notebooks/{lesson.path.name}"
            site.write_notebook_page(src, doc, lesson.notebook, lesson, origin=doc, mapping=link_mapping(mapping),
                                     ver=ver, date=date, links_html=lesson_links(lesson, "../", has_pdf), url=url)
        for origin, doc in mapping.items():
            if origin.endswith(".md") and (REPO_ROOT / origin).is_file():
                text = (REPO_ROOT / origin).read_text(encoding="utf-8")
                site.write_markdown_page(src, doc, text, origin=origin, **md_kwargs)
        site.write_markdown_page(src, "pack/role_cards.md", pack.role_cards_markdown(),
                                 origin="docs/teachers_pack/role_cards.md", **md_kwargs)
        site.write_markdown_page(src, "pack/ground_rules.md", pack.ground_rules_markdown(content.ground_rules()),
                                 origin="docs/teachers_pack/ground_rules.md", **md_kwargs)
        warnings = site.build(src, out, jobs=jobs)
        site.polish(out)
        report.warnings = len(warnings)
        report.seconds["site"] = round(time.perf_counter() - t0, 1)

        # ---- the teacher's build
        t0 = time.perf_counter()
        tsrc = site.new_source(tmp / "teacher", title="Escalation debates: teacher's build (instructor only)",
                               ver=ver, data_folder=data_folder)
        report.keys = pack.write_keys(tsrc / "keys")
        sealed = sorted((PACK_DIR / INSTRUCTOR_ONLY).glob("*.md"))
        tmap = {f"docs/teachers_pack/{INSTRUCTOR_ONLY}/{p.name}": f"sealed/{p.name}" for p in sealed}
        for p in sealed:
            site.write_markdown_page(tsrc, f"sealed/{p.name}", p.read_text(encoding="utf-8"),
                                     origin=f"docs/teachers_pack/{INSTRUCTOR_ONLY}/{p.name}", mapping=tmap,
                                     resources=resources, ver=ver, date=date, url=url)
        for key in sorted((tsrc / "keys").glob("*.md")):
            site.write_markdown_page(tsrc, f"keys/{key.name}", key.read_text(encoding="utf-8"),
                                     origin=f"keys/{key.name}", mapping={}, resources=resources, ver=ver, date=date,
                                     url=url)
        keys_entries = [f"keys/{k.stem}" for k in sorted((tsrc / "keys").glob("*.md"))]
        tindex = ["# Teacher's build (instructor only)", "",
                  "**Do not give this folder to students.** It holds the answer keys of every practice exercise and "
                  "graded set, generated from the sources, and the sealed sheet of the lateral-reading lab. "
                  "The students' edition is the folder above this one; it never links here.", "",
                  site.toctree(keys_entries, "Answer keys"),
                  site.toctree([f"sealed/{p.stem}" for p in sealed], "Sealed lateral-reading sheet")]
        site.write_markdown_page(tsrc, "index.md", "\n".join(tindex), origin="teacher/index.md", mapping={},
                                 resources=resources, ver=ver, date=date, url=url)
        site.build(tsrc, out / "teacher", jobs=jobs)
        site.polish(out / "teacher")
        report.seconds["teacher"] = round(time.perf_counter() - t0, 1)

    (out / "BUILD.json").write_text(json.dumps(report.as_dict(), indent=1, sort_keys=True), encoding="utf-8")
    return report


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


def clean(out: Path) -> None:
    """Remove a previous build (only a folder that holds a BUILD.json, so nothing else is lost)."""
    if (out / "BUILD.json").is_file():
        shutil.rmtree(out)


def build_once(out: Path, **options) -> Report | None:
    """Build into `out` unless a finished build is already there (tests share one build)."""
    out = Path(out)
    if (out / "BUILD.json").is_file():
        return None
    clean(out)
    return build_edition(out, log=lambda *_: None, **options)


PAGE_COUNTS_START, PAGE_COUNTS_END = "<!-- page-counts-start -->", "<!-- page-counts-end -->"


def page_counts_table(report: Report) -> str:
    """Markdown table: every handout the build printed and its number of pages."""
    rows = ["| Handout | Pages |", "|---|---|"]
    rows += [f"| `{p}` | {report.pages[p]} |" for p in sorted(report.pages) if "sheets" not in Path(p).parts]
    return "\n".join(rows)


def write_page_counts(doc: Path, report: Report) -> None:
    """Replace the page-count table between the markers of `doc` (a Markdown file) with this build's."""
    text = Path(doc).read_text(encoding="utf-8")
    if PAGE_COUNTS_START not in text or PAGE_COUNTS_END not in text:
        raise EscalationError(f"{doc} has no {PAGE_COUNTS_START} … {PAGE_COUNTS_END} markers for the page counts.")
    head, rest = text.split(PAGE_COUNTS_START, 1)
    _, tail = rest.split(PAGE_COUNTS_END, 1)
    Path(doc).write_text(f"{head}{PAGE_COUNTS_START}\n{page_counts_table(report)}\n{PAGE_COUNTS_END}{tail}",
                         encoding="utf-8")
