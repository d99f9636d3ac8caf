"""Per-student variants of the graded questions, chosen from the student id typed at the top of a set.

`pick(student_id, "ex03.q2", n)` is a deterministic number from 0 to n − 1, from the SHA-256 digest of
the normalised id and the question key, so the student's notebook, the grader and the answer key all
agree on which variant a student has, without storing anything. The options themselves (which two
events, which word, which launch point) are listed in each set's locked set-up cell; the expected
answers are always computed from the module's data through the package, never written down.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

PLACEHOLDER = "..."
NO_ID_MESSAGE = ("Enter your student id at the top first (type it in the student id box and press Enter), "
                 "then run this cell again.")


def normalise_id(text) -> str:
    """The canonical form of an id: case-folded, spaces at the ends stripped and inner runs collapsed."""
    return " ".join(str(text).split()).casefold()


def has_id(student_id) -> bool:
    """True when a real id has been typed (not the `...` placeholder, not empty)."""
    return isinstance(student_id, str) and normalise_id(student_id) not in ("", PLACEHOLDER, "…")


def pick(student_id, key: str, n: int) -> int:
    """The variant (0 … n − 1) of question `key` (e.g. "ex03.q2") for this student id."""
    if n < 1:
        raise ValueError("pick: n must be at least 1")
    digest = hashlib.sha256(f"{normalise_id(student_id)}\x1f{key}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % n


def choose(student_id, key: str, options: Sequence):
    """The option of `options` that this student's variant of `key` uses."""
    return options[pick(student_id, key, len(options))]


def ids_covering(key: str, n: int, prefix: str = "student") -> dict[int, str]:
    """Sample ids that between them cover every variant 0 … n − 1 of `key` (for answer keys and tests)."""
    found: dict[int, str] = {}
    i = 0
    while len(found) < n and i < 100_000:
        sid = f"{prefix}{i:03d}"
        found.setdefault(pick(sid, key, n), sid)
        i += 1
    return dict(sorted(found.items()))


def id_problem(student_id) -> str:
    """Why `student_id` cannot be used yet, in plain words ("" when it can)."""
    message = getattr(student_id, "message", None)  # an escalation.friendly.AnswerError
    if isinstance(message, str):
        return (f"Your student id cell has an error: {message} Write it as student_id = \"your id\", with the "
                "quotes, run that cell, then run this cell again.")
    if isinstance(student_id, (int, float)) and not isinstance(student_id, bool):
        return (f"Put your student id in quotes, as in student_id = \"{student_id}\", run that cell, then run "
                "this cell again.")
    return "" if has_id(student_id) else NO_ID_MESSAGE


def your_question(student_id, key: str, options: Sequence, describe: Callable[[object], str]):
    """Print the student's own version of a question (or ask for the id first); return the option or None."""
    problem = id_problem(student_id)
    if problem:
        print(problem)
        return None
    option = choose(student_id, key, options)
    print(describe(option))
    return option
