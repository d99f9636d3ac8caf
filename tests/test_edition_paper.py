"""The print files checked against what poppler reads back from each PDF (pdftotext), not against the code that
made them: nothing past the right edge, every table cell of the printed page in the PDF's text, no Python reprs
and no JupyterLab instructions on paper, a paper form for every widget exercise, personal questions on question
sheets, the page counts in the docs.

Shares the one edition build of the session (the `edition` fixture of tests/conftest.py).
"""
import ast
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from escalation import practice, variants
from escalation.edition import content, printing, sheets

REPO = Path(__file__).resolve().parents[1]
LESSONS = content.lesson_paths()
SETS = sorted((REPO / "exercises" / "student").glob("*/*.ipynb"))
NO_PDF = printing.chromium_available() or (None if shutil.which("pdftotext") else "poppler's pdftotext is missing")
pytestmark = pytest.mark.skipif(bool(NO_PDF), reason=NO_PDF or "")

# What must never be printed: the test's own list, written from the issue (not the build's rules).
REPRS = re.compile(r"<[A-Za-z_][\w.]* object( at 0x[0-9a-fA-F]+)?>|\{'[^']*': ")
SCREEN = re.compile(r"run (the|this|that) cells?\b|saves? as you type|saved as you type|\bdrag\b|double-click|"
                    r"shift \+ enter|hidden cells? below|enter your student id at the top first", re.I)


def pdfs(edition: Path) -> list[Path]:
    found = sorted((edition / "pdf").rglob("*.pdf"))
    assert len(found) >= len(LESSONS) + len(SETS)
    return found


def squash(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.lower())


def raw_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_no_word_lies_beyond_the_right_edge_of_any_page(edition):
    for pdf in pdfs(edition):
        xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        pages = re.findall(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', xml, re.S)
        assert pages, pdf.name
        outside = [(n, w) for n, (width, body) in enumerate(pages, 1)
                   for x_max, w in re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)',
                                              body)
                   if float(x_max) > float(width) - 28]  # the print margin is 14 mm (40 pt): keep 28 pt clear
        assert not outside, f"{pdf.name}: words past the right margin: {outside[:10]}"


def test_every_table_cell_of_the_printed_page_reaches_the_pdf(edition):
    """A column Chromium's print layout clips never reaches the PDF: each cell's text must be in it."""
    checked = 0
    for page in sorted((edition / "pdf" / "html").glob("*.html")):
        folder = "sheets" if page.stem.startswith("sheets_") else "*"
        pdf = next((edition / "pdf").glob(f"{folder}/{page.stem.removeprefix('sheets_')}.pdf"),
                   edition / "pdf" / f"{page.stem}.pdf")
        text = squash(raw_text(pdf))
        cells = [" ".join(c.get_text(" ").split()) for c in BeautifulSoup(page.read_text(encoding="utf-8"),
                                                                           "html.parser").find_all(["td", "th"])]
        missing = [c for c in cells if squash(c) and squash(c) not in text]
        checked += len(cells)
        assert not missing, f"{pdf.name}: {len(missing)} of {len(cells)} table cells are not in the PDF: {missing[:5]}"
    assert checked > 1000


def test_no_python_repr_and_no_jupyterlab_instruction_on_paper(edition):
    for pdf in pdfs(edition):
        text = " ".join(raw_text(pdf).split())
        assert not REPRS.search(text), f"{pdf.name} prints a Python value: {REPRS.search(text).group(0)!r}"
        found = SCREEN.search(text)
        assert not found, f"{pdf.name} tells a reader of paper to {found.group(0)!r}: …{text[found.start()-80:found.end()+40]}…"


def test_every_widget_exercise_has_a_paper_form(edition):
    """The data a widget exercise needs are printed (checked against the data, not the build), and every option
    of a choice or tick exercise is on paper."""
    from escalation import events as ev
    from escalation import geo

    lesson = {p.stem[:2]: " ".join(raw_text(edition / "pdf" / "lessons" / f"{p.stem}.pdf").split()) for p in LESSONS}
    places = geo.load_places()
    kyiv, moscow = geo.find_place(places, "Kyiv"), geo.find_place(places, "Moscow")
    km = round(float(geo.distance_km(kyiv.latitude, kyiv.longitude, moscow.latitude, moscow.longitude)))
    assert re.search(rf"Moscow RU {km}\b", lesson["02"]), "exercise 2.3: the distance Kyiv–Moscow is not printed"
    events = ev.load_events()
    for event_id in events.loc[events["event_type"] == "warning", "event_id"]:
        assert f"{event_id} " in lesson["03"], f"exercise 3.2: warning {event_id} is not printed"
    assert "2024-07-17" in lesson["03"] and "published_by" in lesson["03"]
    for number, nb_path in ((p.stem[:2], p) for p in LESSONS):
        nb = nbformat.read(nb_path, as_version=4)
        for cell in nb.cells:
            m = re.search(r"practice\.answer\(\s*[\"']([\d.]+)", cell.source) if cell.cell_type == "code" else None
            if not m:
                continue
            ex = practice.get(m.group(1))
            if ex.kind in ("choice", "set"):
                for option in ex.choice_list():
                    assert f"☐ {option}" in lesson[number], f"exercise {ex.id}: option {option!r} is not on paper"


def test_graded_sets_print_their_questions_and_say_where_the_personal_ones_are(edition):
    text = " ".join(raw_text(edition / "pdf" / "sets" / "ex02_arms_supply.pdf").split())
    for q, form in (("Q8 · Can these two figures be compared?", "(choose one)"),
                    ("Q5 · Inside Russia, within reach", "(tick every option that applies)")):
        assert q in text
        after = text[text.index(q):][:2500]
        assert "Your question depends on your student id" in after, q
        assert f"{q.split(' ·')[0]} {form}" in after, q  # the answer widget's paper form


def test_lesson_02_prints_in_far_fewer_than_22_pages(edition):
    pages, _ = printing.pdf_text(edition / "pdf" / "lessons" / "02_arms_supply_in_numbers.pdf")
    assert pages <= 16


def test_the_docs_give_the_page_count_of_every_handout(edition):
    """docs/reading_edition.md's table is generated by `escalation-edition --no-execute --page-counts-into`;
    it must match this build (the same committed outputs) exactly."""
    documented = dict(re.findall(r"^\| `(pdf/[^`]+\.pdf)` \| (\d+) \|", (REPO / "docs" / "reading_edition.md")
                                 .read_text(encoding="utf-8"), re.M))
    from pypdf import PdfReader

    built = {str(p.relative_to(edition)): len(PdfReader(str(p)).pages) for p in pdfs(edition)}
    assert documented == {k: str(v) for k, v in built.items()}


def _assigned_list(source: str, name: str):
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} is not set in the set-up cell")


def test_question_sheets_give_each_student_the_variant_the_grader_expects(tmp_path):
    """The sheet's "Your question" is the one escalation.variants picks for the id (the grader's choice)."""
    path = next(p for p in SETS if p.stem == "ex02_arms_supply")
    nb = nbformat.read(path, as_version=4)
    setup = next(c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
    reach = _assigned_list(setup, "Q5_REACH")  # (launch point, weapon) per variant of Q5
    roster = tmp_path / "roster.csv"
    ids = list(variants.ids_covering("ex02.q5", min(3, len(reach))).values())
    roster.write_text("student_id,name\n" + "".join(f"{i},Student {n}\n" for n, i in enumerate(ids)), encoding="utf-8")
    jobs = sheets.write_sheets([path], roster, tmp_path, lambda p: "footer")
    assert len(jobs) == 1
    html_file, stem, students = jobs[0]
    assert students == ids
    page = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
    sections = page.find_all("section", class_="sheet")
    assert len(sections) == len(ids)
    for sid, section in zip(ids, sections):
        text = " ".join(section.get_text(" ").split())
        assert f"student id {sid}" in text
        assert f"Your launch point: {variants.choose(sid, 'ex02.q5', reach)[0]}." in text
        assert "Enter your student id" not in text
    target = tmp_path / "sheet.pdf"
    printing.print_pdfs([(html_file, target)])
    pages, text = printing.pdf_text(target)
    assert pages >= len(ids) and all(sid in text for sid in ids)


def test_a_roster_without_ids_gets_a_clear_message(tmp_path, capsys):
    from escalation.edition import cli

    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name\n,Nobody\n", encoding="utf-8")
    assert cli.main(["--out", str(tmp_path / "out"), "--sheets", str(roster)]) == 2
    assert "no student ids" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
