"""Written answers: export them question by question with the rubric; merge the instructor's scores.

The export also writes `written/similar.html` and `similar.csv` (similarity.py): pairs of near-identical
answers worth a human look.

The instructor's scores live in `<out>/manual_scores.csv` (columns student, question, points, comment).
Only `escalation-grade merge` writes that file, merging a CSV the instructor filled in; grading reads it
and never writes it, so re-running the autograder never overwrites manual scores.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from ..errors import EscalationError
from .files import write_atomic
from . import pages
from .result import Result
from .similarity import write_report
from .source import Exercise

MANUAL_FILE = "manual_scores.csv"
FIELDS = ["student", "question", "points", "comment"]


class ManualScoreError(EscalationError):
    """A manual-scores CSV that cannot be merged as it is."""


def load_manual(out: Path) -> dict[tuple[str, str], tuple[float, str]]:
    """The merged manual scores: {(student, question): (points, comment)}."""
    path = Path(out) / MANUAL_FILE
    if not path.is_file():
        return {}
    scores = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            scores[(row["student"], row["question"])] = (float(row["points"]), row.get("comment", "") or "")
    return scores


def read_scores_csv(path: Path, exercise: Exercise, students: set[str]) -> dict[tuple[str, str], tuple[float, str]]:
    """Read and check an instructor's CSV; rows with empty points are skipped (not graded yet)."""
    written = {q.key: q for q in exercise.questions if q.kind == "written"}
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ManualScoreError(f"{path} does not exist.") from None
    except UnicodeDecodeError:
        raise ManualScoreError(f"{path} is not UTF-8 text: save it from your spreadsheet as 'CSV UTF-8'.") from None
    header = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if header.count(";") > header.count(",") else ","  # spreadsheets in some locales use ;
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    missing = [f for f in ("student", "question", "points") if f not in (reader.fieldnames or [])]
    if missing:
        raise ManualScoreError(f"{path} needs the columns student, question, points (and optionally comment); "
                               f"missing: {', '.join(missing)}. Start from written/manual_scores_template.csv.")
    scores = {}
    for line, row in enumerate(reader, start=2):
        student, question = (row.get("student") or "").strip(), (row.get("question") or "").strip()
        raw = (row.get("points") or "").strip()
        if not raw:
            continue
        if question not in written:
            raise ManualScoreError(f"{path}, line {line}: '{question}' is not a written question of "
                                   f"{exercise.name} (written questions: {', '.join(written) or 'none'}).")
        if student not in students:
            raise ManualScoreError(f"{path}, line {line}: no graded submission for student '{student}'. "
                                   "Use the ids in gradebook.csv.")
        try:
            points = float(raw.replace(",", "."))
        except ValueError:
            raise ManualScoreError(f"{path}, line {line}: points '{raw}' is not a number.") from None
        if not 0 <= points <= written[question].points:
            raise ManualScoreError(f"{path}, line {line}: {points:g} points is outside 0–{written[question].points:g} "
                                   f"for {question}.")
        scores[(student, question)] = (points, (row.get("comment") or "").strip())
    return scores


def merge_manual(out: Path, csv_path: Path, exercise: Exercise, students: set[str]) -> int:
    """Merge an instructor's CSV into `<out>/manual_scores.csv`; return the number of scores merged."""
    new = read_scores_csv(csv_path, exercise, students)
    merged = load_manual(out)
    merged.update(new)
    write_manual(Path(out) / MANUAL_FILE, merged)
    return len(new)


def write_manual(path: Path, scores: dict[tuple[str, str], tuple[float, str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FIELDS)
    for (student, question), (points, comment) in sorted(scores.items()):
        writer.writerow([student, question, f"{points:g}", comment])
    write_atomic(path, buffer.getvalue())


def export_written(out: Path, exercise: Exercise, results: list[Result]) -> list[Path]:
    """Write `<out>/written/<question>.html` (every student's answer with the rubric) and a score template."""
    folder = Path(out) / "written"
    folder.mkdir(parents=True, exist_ok=True)
    manual = load_manual(out)
    written = [q for q in exercise.questions if q.kind == "written"]
    paths = []
    graded = [r for r in results if r.graded]
    for q in written:
        rows = [{"student": r.student, "answer": r.written.get(q.key),
                 "score": f"{manual[(r.student, q.key)][0]:g}" if (r.student, q.key) in manual else "",
                 "comment": manual.get((r.student, q.key), (0, ""))[1]} for r in graded]
        page = pages.written_page(f"{exercise.name} · {q.key}: written answers", q, rows)
        path = folder / f"{q.key}.html"
        path.write_text(page, encoding="utf-8")
        paths.append(path)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FIELDS + ["max_points"])
    for r in graded:
        for q in written:
            points, comment = manual.get((r.student, q.key), (None, ""))
            writer.writerow([r.student, q.key, "" if points is None else f"{points:g}", comment, f"{q.points:g}"])
    template = folder / "manual_scores_template.csv"
    template.write_text(buffer.getvalue(), encoding="utf-8")
    similar = write_report(folder, exercise, results) if written else []
    return paths + [template] + similar
