"""Honest times: each lesson notebook's stated time is checked against an estimate made from its content.

The estimate (stated here so a teacher can argue with it):
- reading: the words of the Markdown cells at READING_WPM words per minute (upper-secondary and first-year
  students reading closely, often in a second language: slower than the 200-250 wpm of light reading);
- looking at results: LOOK_FIGURE minutes per figure, LOOK_TABLE per table or printed result;
- using a widget (an explorer, the evidence board, the coding sheet): WIDGET minutes each;
- exercises, by kind (escalation.practice.EXERCISES): a value to find EXERCISE_MIN[kind]; a written answer
  WRITTEN_BASE minutes plus its minimum words at WRITING_WPM words per minute;
- a discussion prompt in the text ("*Discuss:*", "*Think about it:*"): DISCUSS minutes.

A card states "N minutes", or "N minutes: C in class, H as homework (…)" when the notebook is longer than a
class period; the homework part starts at a heading "## Homework …". The stated total must lie within
TOLERANCE of the estimate, and the part for class must fit a CLASS_PERIOD-minute lesson.

    python tests/test_times.py      # prints the estimate of every notebook, part by part
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from escalation import practice  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))

READING_WPM = 160
LOOK_FIGURE = 1.5
LOOK_TABLE = 1.0
WIDGET = 5.0
EXERCISE_MIN = {"number": 3.0, "text": 2.0, "choice": 2.0, "set": 3.0, "board": 8.0}
WRITTEN_BASE = 4.0
WRITING_WPM = 15
DISCUSS = 3.0
TOLERANCE = (0.8, 1.25)  # stated / estimated
CLASS_PERIOD = 50

EXPLORER_CALLS = ("_explorer(", "evidence_board(", "coding_widget(", "comparison_widget(")
PRACTICE_CALL = re.compile(r'practice\.(?:check|answer|written)\("([0-9.]+)"')


def words(markdown: str) -> int:
    text = re.sub(r"\(\S+?\.(?:ipynb|md|csv)[^)]*\)", "", markdown)  # link targets are not read
    return len(re.findall(r"[A-Za-z0-9À-ž’'–-]+", text))


def cell_minutes(cell, seen: set[str]) -> dict[str, float]:
    """Minutes one cell takes, by activity."""
    spent = {"reading": 0.0, "results": 0.0, "widgets": 0.0, "exercises": 0.0, "discussion": 0.0}
    if cell.cell_type == "markdown":
        spent["reading"] = words(cell.source) / READING_WPM
        spent["discussion"] = DISCUSS * len(re.findall(r"(?i)\b(?:discuss|think about it)\s*:", cell.source))
        return spent
    if cell.cell_type != "code":
        return spent
    source = cell.source
    for exercise_id in PRACTICE_CALL.findall(source):
        if exercise_id in seen:
            continue
        seen.add(exercise_id)
        exercise = practice.EXERCISES[exercise_id]
        if exercise.kind == "written":
            spent["exercises"] += WRITTEN_BASE + exercise.min_words / WRITING_WPM
        else:
            spent["exercises"] += EXERCISE_MIN[exercise.kind]
    if any(call in source for call in EXPLORER_CALLS) and "demo" not in source and "tempfile" not in source:
        spent["widgets"] += WIDGET
    elif "practice." not in source and "progress_summary" not in source:
        shown = [o for o in cell.get("outputs", []) if o.get("output_type") in
                 ("execute_result", "display_data", "stream")]
        figures = sum("image/png" in o.get("data", {}) for o in shown)
        spent["results"] += LOOK_FIGURE * figures + LOOK_TABLE * min(1, len(shown) - figures)
    return spent


def estimate(path: Path) -> dict:
    """Estimated minutes of a notebook: total, the class part and the homework part, by activity."""
    notebook = nbformat.read(path, as_version=4)
    seen: set[str] = set()
    parts = {"class": 0.0, "homework": 0.0}
    by_activity: dict[str, float] = {}
    part = "class"
    for cell in notebook.cells[1:]:
        if cell.cell_type == "markdown" and re.search(r"^## Homework", cell.source, re.M):
            part = "homework"
        for activity, minutes in cell_minutes(cell, seen).items():
            parts[part] += minutes
            by_activity[activity] = by_activity.get(activity, 0.0) + minutes
    return {"total": parts["class"] + parts["homework"], **parts, "by_activity": by_activity}


def stated(path: Path) -> dict:
    """The card's time: {'total': N, 'class': C or None, 'homework': H or None}."""
    card = nbformat.read(path, as_version=4).cells[0].source
    line = next(l for l in card.splitlines() if "**Estimated time**" in l)
    total = int(re.search(r"(\d+) minutes", line).group(1))
    in_class = re.search(r"(\d+) in class", line)
    homework = re.search(r"(\d+) as homework", line)
    return {"total": total, "class": int(in_class.group(1)) if in_class else None,
            "homework": int(homework.group(1)) if homework else None, "line": line}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stated_time_matches_the_content(path):
    guess, card = estimate(path), stated(path)
    low, high = TOLERANCE
    assert low * guess["total"] <= card["total"] <= high * guess["total"], (
        f"{path.name}: the card says {card['total']} min, the content suggests {guess['total']:.0f} min "
        f"({ {k: round(v) for k, v in guess['by_activity'].items()} })")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_each_notebook_fits_a_class_period_or_says_which_part_is_homework(path):
    guess, card = estimate(path), stated(path)
    if guess["homework"] == 0:
        assert card["class"] is None and card["total"] <= CLASS_PERIOD, (
            f"{path.name}: {card['total']} min does not fit a {CLASS_PERIOD}-minute lesson; mark a homework part")
        return
    assert card["class"] is not None and card["homework"] is not None, \
        f"{path.name} has a '## Homework' part: its card must say '… C in class, H as homework'"
    assert card["class"] + card["homework"] == card["total"], card["line"]
    assert card["class"] <= CLASS_PERIOD and guess["class"] <= CLASS_PERIOD, (
        f"{path.name}: the class part is estimated at {guess['class']:.0f} min")
    low, high = TOLERANCE
    assert low * guess["class"] <= card["class"] <= high * guess["class"], (
        f"{path.name}: class part stated {card['class']} min, estimated {guess['class']:.0f} min")


def test_estimate_counts_what_it_says():
    """The estimator is not a constant: more text, a widget or an exercise each add time."""
    base = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# card")])
    longer = nbformat.v4.new_markdown_cell(" ".join(["word"] * READING_WPM))
    assert cell_minutes(longer, set())["reading"] == pytest.approx(1.0)
    widget = nbformat.v4.new_code_cell("timeline_explorer(events)")
    assert cell_minutes(widget, set())["widgets"] == WIDGET
    written = nbformat.v4.new_code_cell('practice.written("3.5")')
    assert cell_minutes(written, set())["exercises"] == pytest.approx(WRITTEN_BASE + 60 / WRITING_WPM)
    assert base.cells


if __name__ == "__main__":
    for notebook in NOTEBOOKS:
        guess, card = estimate(notebook), stated(notebook)
        detail = ", ".join(f"{k} {v:.0f}" for k, v in guess["by_activity"].items())
        print(f"{notebook.name}: estimated {guess['total']:.0f} min (class {guess['class']:.0f}, homework "
              f"{guess['homework']:.0f}; {detail}); card: {card['line'].split('|')[2].strip()}")
