"""Build the whole edition: execute, print, slides, the students' site and the teacher's build (stage: report)."""
from __future__ import annotations

import html
import json
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..paths import REPO_ROOT, data_dir
from . import cite, content, execute, pack, printing, site, slides

PACK_DIR = REPO_ROOT / "docs" / "teachers_pack"
INSTRUCTOR_ONLY = "instructor_only"


@dataclass
class Report:
    """What a build did, for the command's summary and BUILD.json."""

    notebooks: dict[str, str] = field(default_factory=dict)
    pdfs: list[str] = field(default_factory=list)
    pdf_problems: list[str] = field(default_factory=list)
    pdf_skipped: str = ""
    slides: list[str] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)
    warnings: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return self.__dict__.copy()


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
    return mapping


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
    pack_entries = ["pack/index"] + [f"pack/{p.stem}" for p in _pack_pages()] + ["pack/role_cards"]
    if (REPO_ROOT / "docs" / "reading_edition.md").is_file():
        pack_entries.append("pack/reading_edition")
    lines.append(site.toctree(["guide/instructor_guide"] + pack_entries, "For teachers", True))
    return "\n".join(lines)


def _list_page(title: str, items: list[tuple[str, str]]) -> str:
    lis = "".join(f'<li><a href="{href}">{label}</a></li>' for label, href in items)
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            '<style>body{font-family:sans-serif;font-size:18px;max-width:50em;margin:2em auto;}</style></head>'
            f'<body><h1>{title}</h1><ul>{lis}</ul><p><a href="../index.html">Back to the edition</a></p>'
            "</body></html>")


def build_edition(out: Path, *, run_notebooks: bool = True, pdfs: bool = True, jobs: int = 2,
                  log=print) -> Report:
    """Build everything into `out`; return what was done."""
    report = Report()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    ver, date = cite.version(), cite.build_date()
    data_folder = data_dir()
    resources = content.data_resources(data_folder)
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
            for lesson in lessons:
                footer = cite.citation(lesson.title, f"pdf/lessons/{lesson.stem}.pdf", ver=ver, date=date)
                html_file = tmp / "print" / f"{lesson.stem}.html"
                html_file.parent.mkdir(parents=True, exist_ok=True)
                html_file.write_text(printing.lesson_html(lesson, lesson.notebook, footer), encoding="utf-8")
                target = out / "pdf" / "lessons" / f"{lesson.stem}.pdf"
                jobs_list.append((html_file, target))
                expected[target] = lesson.headings
            set_runs = (execute.execute_all(sets, jobs=jobs, timeout=120, allow_errors=True) if run_notebooks
                        else execute.committed(sets))
            for path in sets:
                footer = cite.citation(path.stem, f"pdf/sets/{path.stem}.pdf", ver=ver, date=date)
                title, text, heads = printing.graded_set_html(path, footer, set_runs[path][0])
                html_file = tmp / "print" / f"{path.stem}.html"
                html_file.write_text(text, encoding="utf-8")
                target = out / "pdf" / "sets" / f"{path.stem}.pdf"
                jobs_list.append((html_file, target))
                expected[target] = heads
            printing.print_pdfs(jobs_list)
            for target, heads in expected.items():
                report.pdf_problems += printing.check_pdf(target, heads)
                report.pdfs.append(str(target.relative_to(out)))
            items = [(p, p) for p in report.pdfs]
            (out / "pdf" / "index.html").write_text(
                _list_page("Print versions", [(Path(p).stem, str(Path(p).relative_to("pdf"))) for p, _ in items]),
                encoding="utf-8")
            has_pdf = True
        report.seconds["pdfs"] = round(time.perf_counter() - t0, 1)

        # ---- slides
        t0 = time.perf_counter()
        (out / "slides").mkdir(parents=True, exist_ok=True)
        for lesson in lessons:
            text = slides.deck_html(lesson, lesson.notebook, citation=cite.citation(
                lesson.title, f"slides/{lesson.stem}.html", ver=ver, date=date))
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
        md_kwargs = dict(mapping=mapping, resources=resources, ver=ver, date=date)
        site.write_markdown_page(src, "index.md", index_md(lessons, sets, has_pdf, ver), origin="index.md",
                                 **md_kwargs)
        site.write_markdown_page(src, "notebook_map.md", notebook_map_md(lessons, has_pdf),
                                 origin="notebook_map.md", **md_kwargs)
        site.write_markdown_page(src, "articles.md", articles_md(), origin="articles.md", **md_kwargs)
        for lesson in lessons:
            doc = f"notebooks/{lesson.path.name}"
            site.write_notebook_page(src, doc, lesson.notebook, lesson, origin=doc, mapping=mapping, ver=ver,
                                     date=date, links_html=lesson_links(lesson, "../", has_pdf))
        for origin, doc in mapping.items():
            if origin.endswith(".md") and (REPO_ROOT / origin).is_file():
                text = (REPO_ROOT / origin).read_text(encoding="utf-8")
                site.write_markdown_page(src, doc, text, origin=origin, **md_kwargs)
        site.write_markdown_page(src, "pack/role_cards.md", pack.role_cards_markdown(),
                                 origin="docs/teachers_pack/role_cards.md", **md_kwargs)
        warnings = site.build(src, out, jobs=jobs)
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
                                     resources=resources, ver=ver, date=date)
        for key in sorted((tsrc / "keys").glob("*.md")):
            site.write_markdown_page(tsrc, f"keys/{key.name}", key.read_text(encoding="utf-8"),
                                     origin=f"keys/{key.name}", mapping={}, resources=resources, ver=ver, date=date)
        keys_entries = [f"keys/{k.stem}" for k in sorted((tsrc / "keys").glob("*.md"))]
        tindex = ["# Teacher's build (instructor only)", "",
                  "**Do not give this folder to students.** It holds the answer keys of every practice exercise and "
                  "graded set, generated from the sources, and the sealed sheet of the lateral-reading lab. "
                  "The students' edition is the folder above this one; it never links here.", "",
                  site.toctree(keys_entries, "Answer keys"),
                  site.toctree([f"sealed/{p.stem}" for p in sealed], "Sealed lateral-reading sheet")]
        site.write_markdown_page(tsrc, "index.md", "\n".join(tindex), origin="teacher/index.md", mapping={},
                                 resources=resources, ver=ver, date=date)
        site.build(tsrc, out / "teacher", jobs=jobs)
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
