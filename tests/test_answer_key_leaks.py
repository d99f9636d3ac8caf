"""No solution text reaches a student-facing file.

Secrets: the solution regions and hidden tests of every graded source, the written questions' model answers,
and the practice exercises' model answers and solution notes (escalation.practice.EXERCISES). Student-facing:
exercises/student/, the students' edition (everything outside its teacher/ folder) and the student PDFs.
A fragment counts only when it is specific (long enough) and does not also appear in public material (the
data, the lesson notebooks' prompts, the source's own visible cells), so quoting an article is not a leak.
The teacher's build must contain the secrets: that shows the search can find them.
"""
import json
import re
from pathlib import Path

import pytest
from support.answer_keys import graded_and_practice_secrets, leaks

from escalation.edition import build, printing

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def secrets() -> set[str]:
    return graded_and_practice_secrets()


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Path:
    out = tmp_path_factory.getbasetemp() / "edition"
    build.build_once(out, run_notebooks=False, pdfs=True)
    return out


def test_student_versions_hold_no_solution_text(secrets):
    for path in sorted((REPO / "exercises" / "student").rglob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        text = "\n".join("".join(c["source"]) + json.dumps(c.get("outputs", [])) for c in cells)
        assert not leaks(text, secrets), f"{path.relative_to(REPO)} leaks: {leaks(text, secrets)[:3]}"


def test_students_edition_holds_no_solution_text(edition, secrets):
    checked = 0
    for path in edition.rglob("*"):
        rel = path.relative_to(edition)
        if not path.is_file() or rel.parts[0] == "teacher" or path.suffix not in {".html", ".js", ".txt", ".md", ".json", ".ipynb"}:
            continue
        if rel.parts[0] == "_static":
            continue
        text = re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8", errors="ignore"))
        found = leaks(text, secrets)
        assert not found, f"{rel} leaks: {found[:3]}"
        checked += 1
    assert checked >= 10


@pytest.mark.skipif(bool(printing.chromium_available()), reason=printing.chromium_available() or "")
def test_student_pdfs_hold_no_solution_text(edition, secrets):
    pdfs = sorted((edition / "pdf").rglob("*.pdf"))
    assert len(pdfs) >= 6
    for pdf in pdfs:
        _, text = printing.pdf_text(pdf)
        found = leaks(text, secrets)
        assert not found, f"{pdf.name} leaks: {found[:3]}"


def test_the_teachers_build_does_hold_the_keys(edition, secrets):
    text = "\n".join(re.sub(r"<[^>]+>", " ", p.read_text(encoding="utf-8"))
                     for p in (edition / "teacher" / "keys").glob("*.html"))
    present = leaks(text, secrets)
    assert len(present) >= len(secrets) // 3, "the keys lack most solution text: the leak search could not see it"
    from escalation.grading import samples

    import html

    def plain(words: str) -> str:  # as a page shows it: no Markdown marks, entities read, Sphinx's curly quotes
        words = html.unescape(re.sub(r"[*_`>#]", "", words)).translate(str.maketrans("‘’“”–—", "''\"\"--"))
        return " ".join(words.replace("--", "-").split())

    shown = plain(text)
    for path in sorted((REPO / "exercises" / "source").glob("ex*/sample_answers.md")):  # issue 20: the examples
        for question in samples.parse_samples(path.read_text(encoding="utf-8")).values():
            for level, sample in question.samples.items():
                words = " ".join(plain(sample.text).split()[:12])
                assert words in shown, (path.parent.name, question.grade_id, level, words)


def test_a_lesson_run_with_static_widgets_reveals_no_model_answer(secrets):
    """Notebook 01 has a written practice task and the article explorer: run as the edition runs it, its
    published form (static widgets, no check cells) holds no solution text, and shows the articles in full."""
    from escalation.edition import content, execute

    path = REPO / "notebooks" / "01_reading_the_articles.ipynb"
    nb, how = execute.execute_all([path], jobs=1)[path]
    assert how.startswith("executed"), how
    published = content.for_edition(nb, "01")
    text = "\n".join(c.source + json.dumps(c.get("outputs", [])) for c in published.cells)
    assert not leaks(re.sub(r"<[^>]+>", " ", text), secrets)
    first = (REPO / "data" / "articles" / "000_6a1cb8e2277d60ca.txt").read_text(encoding="utf-8")
    sentence = "The US has been leading a coalition of Western states arming Ukraine"
    assert sentence in first and sentence in text
