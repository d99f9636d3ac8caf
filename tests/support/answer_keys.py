"""Solution text of the graded sets and practice exercises, and a search for it (the answer-key leak checks).

Secrets: the solution regions and hidden tests of every graded source, the written questions' model answers,
and the practice exercises' model answers and solution notes (escalation.practice.EXERCISES). A fragment
counts only when it is specific (long enough) and does not also appear in public material (the data, the
lesson notebooks' prompts, the source's own visible cells), so quoting an article is not a leak.
Used by tests/test_answer_key_leaks.py (students' versions, edition, PDFs) and tests/test_release.py (the
students' copy).
"""
import html
import json
import re
from pathlib import Path

from escalation.grading import source as src

REPO = Path(__file__).resolve().parents[2]
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


def graded_and_practice_secrets(practice: bool = True) -> set[str]:
    """Every specific solution fragment not also found in public material (practice answers optional)."""
    graded, visible = source_secrets()
    public = public_text() + "\n" + visible
    found = {s for s in graded | (practice_secrets() if practice else set()) if s not in public}
    assert len(found) >= 20, "too few solution fragments found: the secret reader is broken"
    return found


def leaks(text: str, secrets: set[str]) -> list[str]:
    flat = norm(text)
    return sorted(s for s in secrets if s in flat)
