"""No solution text reaches a student-facing file.

Secrets: the solution regions and hidden tests of every graded source, the written questions' model answers,
and the practice exercises' model answers and solution notes (escalation.practice.EXERCISES). Student-facing:
exercises/student/, the students' edition (everything outside its teacher/ folder) and the student PDFs.
A fragment counts only when it is specific (long enough) and does not also appear in public material (the
data, the lesson notebooks' prompts, the source's own visible cells), so quoting an article is not a leak.
The teacher's build must contain the secrets: that shows the search can find them.
"""
import html
import json
import re
from pathlib import Path

import pytest

from escalation.edition import build, printing
from escalation.grading import source as src

REPO = Path(__file__).resolve().parents[1]
MIN_CODE, MIN_PROSE = 25, 40


QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
                        "\u2014": "-", "*": None, "`": None})


def norm(text: str) -> str:
    return " ".join(html.unescape(text).translate(QUOTES).split()).casefold()


def fragments(text: str, minimum: int) -> set[str]:
    """Lines and sentences of a secret, normalised, long enough to be specific."""
    pieces = set()
    for line in text.splitlines():
        line = re.sub(r"^\s*(#+|[-*]|\d+\.)\s*", "", line)
        for part in re.split(r"(?<=[.!?])\s+", line):
            part = norm(part.strip("*_` "))
            if len(part) >= minimum:
                pieces.add(part)
    return pieces


def public_text() -> str:
    parts = [p.read_text(encoding="utf-8", errors="ignore") for p in (REPO / "data").rglob("*")
             if p.is_file() and p.suffix in {".csv", ".txt", ".md", ".json"}]
    for nb in sorted((REPO / "notebooks").glob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        parts += ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
    return norm("\n".join(parts))


def source_secrets() -> tuple[set[str], str]:
    secrets, visible = set(), []
    for path in src.all_sources():
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            text = "".join(cell["source"])
            inside = False
            for line in text.splitlines():
                if src.BEGIN_SOLUTION in line or src.BEGIN_HIDDEN in line:
                    inside = True
                    continue
                if src.END_SOLUTION in line or src.END_HIDDEN in line:
                    inside = False
                    continue
                if inside:
                    secrets |= fragments(line, MIN_CODE if cell["cell_type"] == "code" else MIN_PROSE)
                else:
                    visible.append(line)
    return secrets, norm("\n".join(visible))


def practice_secrets() -> set[str]:
    try:
        from escalation.practice import EXERCISES
    except Exception:  # noqa: BLE001 - until the practice module exists there is nothing of it to leak
        return set()
    secrets = set()
    for ex in EXERCISES.values():
        secrets |= fragments(getattr(ex, "model_answer", "") or "", MIN_PROSE)
        secrets |= fragments(getattr(ex, "solution_note", "") or "", MIN_PROSE)
    return secrets


@pytest.fixture(scope="module")
def secrets() -> set[str]:
    graded, visible = source_secrets()
    public = public_text() + "\n" + visible
    found = {s for s in graded | practice_secrets() if s not in public}
    assert len(found) >= 20, "too few solution fragments found: the secret reader is broken"
    return found


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Path:
    out = tmp_path_factory.getbasetemp() / "edition"
    build.build_once(out, run_notebooks=False, pdfs=True)
    return out


def leaks(text: str, secrets: set[str]) -> list[str]:
    flat = norm(text)
    return sorted(s for s in secrets if s in flat)


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
