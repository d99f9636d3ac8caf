"""The gradebook's columns, one schema for the report stage that writes `gradebook.csv` and the export stage
(lms.py) that reads it.

A row: the student (the identity the row is filed under), the file graded, the status, one column per
question, the totals, then how the row was graded: `id_check` (ok / mismatch / missing), `graded_as` (the
identity whose variants the tests used), `mode` (sealed / unsealed) and the grader's `reasons`.
"""
from __future__ import annotations

from .source import Exercise

LEADING = ("student", "file", "status")
TRAILING = ("auto_points", "manual_points", "total", "max_points", "id_check", "graded_as", "mode", "reasons")
STUDENT_TEXT = ("student", "file", "graded_as", "reasons")  # cells a student's names or words can reach
EXPORT_NEEDS = ("student", "status", "total", "max_points")  # what the export stage (lms.py) cannot do without


def columns(exercise: Exercise) -> list[str]:
    """Every column of an exercise's gradebook, in order."""
    return [*LEADING, *(q.key for q in exercise.questions), *TRAILING]
