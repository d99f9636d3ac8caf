"""A submission's result and the statuses a row can have (data shared by every grading stage).

A status is the grader's word, never the student's: `STATUS_TEXT` says what each means; only the two
`GRADED_STATUSES` count their scores.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

SEALED, UNSEALED = "sealed", "unsealed"

STATUS_TEXT = {
    "graded": "graded",
    "graded_with_problems": "graded; some cells failed to run (see reasons)",
    "empty_file": "the file is empty",
    "not_utf8": "the file is not UTF-8 text",
    "invalid_json": "the file is not valid notebook JSON",
    "not_a_notebook": "the file is JSON but not a Jupyter notebook",
    "wrong_exercise": "the notebook belongs to another exercise",
    "too_large": "the file is too large",
    "missing": "no notebook was handed in (the student's folder holds no .ipynb file)",
    "refused": "the submission is a link or not a regular file: it was not read",
    "grader_error": "the grader could not grade this file",
    "integrity_failed": "the saved result failed its integrity check (changed after grading): grade again",
}


GRADED_STATUSES = ("graded", "graded_with_problems")  # the statuses whose scores count


class SubmissionProblem(Exception):
    """A submission that cannot be graded at all; `status` is one of STATUS_TEXT's keys."""

    def __init__(self, status: str, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass
class Result:
    """The grading of one submission (JSON-serialisable through `to_dict`)."""

    student: str
    file: str
    status: str
    reasons: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)  # autograded questions
    test_messages: dict[str, list[str]] = field(default_factory=dict)
    written: dict[str, str | None] = field(default_factory=dict)  # written answers (None: not answered)
    cells: list[dict] = field(default_factory=list)
    mode: str = ""  # "sealed" or "unsealed": how the student code ran ("" when nothing ran)
    id_check: str = ""  # "ok", "mismatch", "missing", or "" when the set asks for no id
    entered_id: str = ""  # the student_id typed in the notebook
    graded_as: str = ""  # the identity (from the folder, file or roster) whose variants the row was graded against
    answers: dict[str, dict] = field(default_factory=dict)  # per autograded question: its answer values, plain JSON

    @property
    def graded(self) -> bool:
        """Whether the submission was graded (its scores count), with or without problems."""
        return self.status in GRADED_STATUSES

    @property
    def auto_total(self) -> float:
        return sum(self.scores.values())

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Result":
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})
