"""The reading edition (`escalation-edition`): pages, figures, links, cite-this and downloads, slides, PDFs,
the teacher's build kept apart, role cards generated from the argument map.

One build (committed notebook outputs, the fast path) is shared by the tests of this file and of
test_answer_key_leaks.py; running copies of the notebooks is tested on notebook 00 alone.
"""
import html
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest

from escalation.edition import cli, content, pack, printing

REPO = Path(__file__).resolve().parents[1]
LESSONS = content.lesson_paths()
SETS = sorted((REPO / "exercises" / "student").glob("*/*.ipynb"))
NO_PDF = printing.chromium_available()


def student_pages(root: Path) -> list[Path]:
    """The students' site's HTML pages (not the teacher's build, not Sphinx's own index and search pages)."""
    skip = {"genindex.html", "search.html"}
    return [p for p in root.rglob("*.html")
            if "teacher" not in p.relative_to(root).parts[:1] and "_static" not in p.parts
            and p.name not in skip and p.relative_to(root).parts[0] not in ("slides", "pdf")]


def links(page: Path) -> list[str]:
    text = page.read_text(encoding="utf-8")
    return [html.unescape(m) for m in re.findall(r'(?:href|src)="([^"]+)"', text)]


def test_every_notebook_has_a_page_with_its_title(edition):
    for path in LESSONS:
        page = edition / "notebooks" / f"{path.stem}.html"
        assert page.is_file(), f"no page for {path.name}"
        title = content.first_heading(nbformat.read(path, as_version=4).cells[0].source)
        assert html.escape(title, quote=False).split("·")[-1].strip() in page.read_text(encoding="utf-8")


def test_every_figure_of_every_notebook_is_on_its_page(edition):
    for path in LESSONS:
        nb = nbformat.read(path, as_version=4)
        figures = sum(1 for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                      if "image/png" in o.get("data", {}) and content.WIDGET_MIME not in o.get("data", {}))
        page = edition / "notebooks" / f"{path.stem}.html"
        images = [src for src in re.findall(r'<img[^>]+src="([^"]+)"', page.read_text(encoding="utf-8"))]
        assert len(images) >= figures, f"{path.name}: {figures} figures, {len(images)} images on the page"
        for src in images:
            if not src.startswith("data:"):
                assert (page.parent / unquote(src)).is_file(), f"{page.name}: image {src} missing"


def test_every_internal_link_resolves(edition):
    pages = [p for p in edition.rglob("*.html") if "_static" not in p.parts]
    broken = []
    for page in pages:
        for target in links(page):
            parts = urlsplit(target)
            if parts.scheme or target.startswith(("#", "mailto:", "data:", "javascript:")):
                continue
            path = (page.parent / unquote(parts.path)).resolve()
            if not path.exists():
                broken.append(f"{page.relative_to(edition)} -> {target}")
            elif parts.fragment and path.suffix == ".html" and path.name not in ("genindex.html",):
                if f'id="{parts.fragment}"' not in path.read_text(encoding="utf-8"):
                    broken.append(f"{page.relative_to(edition)} -> {target} (no such anchor)")
    assert not broken, "broken links:\n" + "\n".join(broken[:30])


def test_the_edition_loads_nothing_from_the_network(edition):
    for page in edition.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for tag in re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", text):
            assert not re.search(r'(?:src|href)="(?:https?:)?//', tag), f"{page.name} loads {tag}"


def test_every_page_has_cite_this_and_its_data_downloads(edition):
    pages = student_pages(edition)
    assert len(pages) >= len(LESSONS) + 4
    version = re.search(r'^version = "([^"]+)"', (REPO / "pyproject.toml").read_text(), re.M).group(1)
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert 'class="cite-this"' in text, f"{page.name}: no Cite this"
        assert f"Version {version}" in text and "URL:" in text, f"{page.name}: cite-this lacks version or URL"
        assert "REPLACE-WITH" not in text and "(placeholder" not in text, f"{page.name}: a placeholder address"
        downloads = [re.search(r'href="([^"]+)"', tag).group(1)
                     for tag in re.findall(r'<a\b[^>]*class="data-download"[^>]*>', text)]
        assert downloads, f"{page.name}: no data download link"
        for href in downloads:
            assert (page.parent / href).is_file(), f"{page.name}: download {href} missing"
    aid_page = (edition / "notebooks" / "02_arms_supply_in_numbers.html").read_text(encoding="utf-8")
    assert 'href="../data/aid.csv"' in aid_page and 'href="../data/weapons.csv"' in aid_page


def test_widgets_show_a_picture_or_a_caption_never_a_live_view(edition):
    for path in LESSONS:
        text = (edition / "notebooks" / f"{path.stem}.html").read_text(encoding="utf-8")
        assert "widget-view+json" not in text and "require.js" not in text
        assert "run the cell to use it" not in text


def test_teacher_material_is_apart_from_the_students_edition(edition):
    assert (edition / "teacher" / "index.html").is_file()
    keys = sorted((edition / "teacher" / "keys").glob("*.html"))
    assert {k.stem for k in keys} >= {p.stem for p in SETS} | {"practice"}
    assert list((edition / "teacher" / "sealed").glob("*.html")), "the sealed lateral-reading sheet is missing"
    for page in student_pages(edition):
        assert not any("teacher/" in t for t in links(page)), f"{page.name} links into the teacher's build"
    assert not (edition / "keys").exists() and not (edition / "sealed").exists()


def test_the_sealed_sheet_findings_stay_out_of_the_students_edition(edition):
    """The lab is a surprise: the sites the sealed sheet names (and the public data does not) appear only in
    the teacher's build."""
    sealed = "\n".join(p.read_text(encoding="utf-8")
                       for p in (REPO / "docs" / "teachers_pack" / "instructor_only").glob("*.md"))
    public = "\n".join(p.read_text(encoding="utf-8", errors="ignore") for p in (REPO / "data").rglob("*.csv"))
    hosts = {h for h in re.findall(r"\b((?:[a-z0-9-]+\.)+[a-z]{2,})/", sealed) if h not in public}
    assert hosts, "the sealed sheet names no site"
    teacher = "\n".join(p.read_text(encoding="utf-8") for p in (edition / "teacher" / "sealed").glob("*.html"))
    for host in hosts:
        assert host in teacher
        for page in edition.rglob("*.html"):
            if page.relative_to(edition).parts[0] != "teacher":
                assert host not in page.read_text(encoding="utf-8"), f"{page.name} reveals {host}"


def test_slides_one_deck_per_lesson_with_its_figure(edition):
    for path in LESSONS:
        deck = edition / "slides" / f"{path.stem}.html"
        text = deck.read_text(encoding="utf-8")
        nb = nbformat.read(path, as_version=4)
        assert content.first_heading(nb.cells[0].source) in html.unescape(text)
        assert "keydown" in text and "ArrowRight" in text
        figure = content.first_figure(nb)
        if figure:
            assert f"data:image/png;base64,{figure[0][:200]}" in text, f"{deck.name}: key figure missing"
            assert 'class="key-figure" alt="' in text
        guide = content.guide_prompts(path.stem[:2])
        if path.stem[:2] != "00":
            assert guide, f"the guide lists no discussion prompt for {path.stem}"
        for prompt in content.discussion_prompts(nb) + guide:
            first_words = re.sub(r"[#*_`>]", "", prompt).split()[:4]
            shown = " ".join(re.sub(r"<[^>]+>", " ", html.unescape(text)).split())
            assert " ".join(first_words) in shown, deck.name


@pytest.mark.skipif(bool(NO_PDF), reason=NO_PDF or "")
def test_slides_move_with_the_keyboard(edition):
    printing.in_own_thread(lambda: _drive_slides(edition))


def _drive_slides(edition):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(printing.CHROMIUM), headless=True,
                                     args=printing.CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1280, "height": 720})
            tab.goto((edition / "slides" / f"{LESSONS[2].stem}.html").as_uri())
            assert tab.inner_text("#counter").startswith("Slide 1 of")
            tab.keyboard.press("ArrowRight")
            tab.keyboard.press("ArrowRight")
            assert tab.inner_text("#counter").startswith("Slide 3 of")
            tab.keyboard.press("Home")
            assert tab.inner_text("#counter").startswith("Slide 1 of")
            size = tab.eval_on_selector(".slide.active", "e => parseFloat(getComputedStyle(e).fontSize)")
            assert size >= 22
        finally:
            browser.close()


@pytest.mark.skipif(bool(NO_PDF), reason=NO_PDF or "")
def test_pdfs_open_and_contain_their_headings(edition):
    from pypdf import PdfReader

    expected = {edition / "pdf" / "lessons" / f"{p.stem}.pdf": content.headings(nbformat.read(p, as_version=4))
                for p in LESSONS}
    expected.update({edition / "pdf" / "sets" / f"{p.stem}.pdf": [] for p in SETS})
    for pdf, heads in expected.items():
        reader = PdfReader(str(pdf))
        assert len(reader.pages) >= 1, pdf.name
        text = printing.squash("\n".join(page.extract_text() or "" for page in reader.pages))
        for head in heads:
            assert printing.squash(printing.strip_md(head)) in text, f"{pdf.name} lacks '{head}'"
    for path in LESSONS:
        nb = nbformat.read(path, as_version=4)
        spaces = sum(content.is_answer_cell(c) or bool(content.answer_widget_kind(c)) for c in nb.cells)
        _, text = printing.pdf_text(edition / "pdf" / "lessons" / f"{path.stem}.pdf")
        assert printing.squash(text).count("youranswer") >= spaces, f"{path.stem}: a space to write is missing"
    ex01 = printing.squash("\n".join(p.extract_text() for p in PdfReader(str(edition / "pdf" / "sets" /
                                                                                "ex01_reading.pdf")).pages))
    assert "youranswer" in ex01 or "answer" in ex01
    report = json.loads((edition / "BUILD.json").read_text())
    assert report["pdf_problems"] == []


def test_role_cards_are_generated_from_the_argument_map_with_marks_and_sources(edition):
    rows = pack.read_argument_map()
    page = html.unescape((edition / "pack" / "role_cards.html").read_text(encoding="utf-8"))
    flat = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))
    for row in rows:
        if row["stance"] in ("for permitting", "against permitting"):
            assert row["summary"] in flat and " ".join(row["text"].split())[:60] in flat, row["id"]
            assert pack.short_source(row["source"]) in flat
    new = dict(rows[0], id="am_test", summary="A new summary line added later",
               text="A new line added to the table later", text_kind="close paraphrase")
    cards = pack.role_cards_markdown(rows + [new])
    assert "A new summary line added later" in cards and "A new line added to the table later" in cards
    assert cards.count("close paraphrase") > pack.role_cards_markdown(rows).count("close paraphrase")


def test_running_copies_of_a_notebook_leaves_the_committed_one_untouched(tmp_path):
    from escalation.edition import execute

    before = LESSONS[0].read_bytes()
    result = execute.execute_all([LESSONS[0]], jobs=1)
    nb, how = result[LESSONS[0]]
    assert LESSONS[0].read_bytes() == before
    assert how.startswith("executed"), how
    assert any(c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert content.widget_output_count(nb) == 0, "a widget was left live under ESCALATION_STATIC_WIDGETS=1"
    shown = " ".join(str(o.get("data", {}).get("text/html", "")) for c in nb.cells if c.cell_type == "code"
                     for o in c.get("outputs", []))
    assert "Interactive in JupyterLab" in shown


def test_the_command_refuses_a_folder_that_is_not_an_edition(tmp_path, capsys):
    (tmp_path / "mine.txt").write_text("keep me")
    assert cli.main(["--out", str(tmp_path), "--no-execute", "--no-pdf"]) == 2
    assert "not an earlier edition build" in capsys.readouterr().err
    assert (tmp_path / "mine.txt").read_text() == "keep me"
