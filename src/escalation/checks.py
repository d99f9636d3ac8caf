"""Immediate, friendly feedback on students' answers.

A check prints what is right, or raises `CheckFailed`, whose message is a plain hint. IPython shows a
`CheckFailed` as its message alone (no traceback), so a student sees "Not quite: …", never a wall of
code; an autograder still sees an error and gives no points. An answer left as `...` is "not answered
yet", not an error of the student's.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable


class CheckFailed(AssertionError):
    """An answer is wrong or missing; the message is the feedback for the student."""

    def _render_traceback_(self) -> list[str]:
        return [str(self)]


class NotAnswered(CheckFailed):
    """The answer still holds the placeholder `...`."""


def is_unanswered(value) -> bool:
    """True when the answer is the `...` placeholder (or None)."""
    return value is Ellipsis or value is None


def passed(label: str, message: str = "") -> None:
    """Print the success line for a check."""
    print(f"✔ {label}: correct." + (f" {message}" if message else ""))


def fail(label: str, hint: str) -> None:
    """Raise the friendly failure for a check."""
    raise CheckFailed(f"✘ {label}: not quite. {hint}")


def require_answer(label: str, value) -> None:
    """Stop with "not answered yet" when the placeholder is still there."""
    if is_unanswered(value):
        raise NotAnswered(f"… {label}: not answered yet. Replace the ... with your answer and run the cell again.")


def check_number(label: str, value, expected: float, *, hint: str, rel_tol: float = 0.0,
                 abs_tol: float = 1e-9, success: str = "") -> None:
    """Check a numeric answer against the expected value within a tolerance."""
    require_answer(label, value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        fail(label, f"The answer should be a number, but it is {type(value).__name__}: {value!r}. {hint}")
    if not math.isclose(value, expected, rel_tol=rel_tol, abs_tol=abs_tol):
        fail(label, hint)
    passed(label, success)


def check_text(label: str, value, accepted: Iterable[str], *, hint: str, success: str = "") -> None:
    """Check a short text answer against accepted answers (case and surrounding spaces ignored)."""
    require_answer(label, value)
    if not isinstance(value, str):
        fail(label, f"The answer should be text in quotes, but it is {type(value).__name__}. {hint}")
    normalised = " ".join(value.split()).casefold()
    if normalised not in {" ".join(a.split()).casefold() for a in accepted}:
        fail(label, hint)
    passed(label, success)


def check_set(label: str, value, expected: Iterable, *, hint: str, success: str = "") -> None:
    """Check an answer that is a collection, order ignored; say how many are missing or extra."""
    require_answer(label, value)
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        fail(label, f"The answer should be a list, like ['a', 'b']. {hint}")
    given, wanted = set(value), set(expected)
    if given != wanted:
        missing, extra = len(wanted - given), len(given - wanted)
        detail = []
        if missing:
            detail.append(f"{missing} missing")
        if extra:
            detail.append(f"{extra} that should not be there")
        fail(label, f"Your list has {' and '.join(detail)}. {hint}")
    passed(label, success)


def check_with(label: str, value, test: Callable[[object], bool], *, hint: str, success: str = "") -> None:
    """Check an answer with a predicate, for answers that have more than one right form."""
    require_answer(label, value)
    try:
        ok = bool(test(value))
    except Exception:
        ok = False
    if not ok:
        fail(label, hint)
    passed(label, success)


def check_written(label: str, value, *, min_words: int = 20, must_mention: Iterable[str] = ()) -> None:
    """Check that a written answer is there and long enough; its quality is for the reader to judge."""
    require_answer(label, value)
    if not isinstance(value, str) or len(value.split()) < min_words:
        fail(label, f"Write at least {min_words} words in quotes, in your own words.")
    missing = [w for w in must_mention if w.casefold() not in value.casefold()]
    if missing:
        fail(label, "A good answer mentions " + ", ".join(repr(m) for m in missing) + ".")
    print(f"✔ {label}: answer recorded ({len(value.split())} words). Compare it with the rubric: "
          "your instructor reads and grades written answers.")


def normalise_answer(value, decimals: int | None = None) -> str:
    """A canonical text form of an answer, so equal answers hash alike.

    Numbers are rounded to `decimals` places (when given); text is case-folded with spaces collapsed;
    lists, tuples and sets are normalised item by item and sorted, so order does not matter.
    """
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        number = round(float(value), decimals) if decimals is not None else float(value)
        return repr(number + 0.0)
    if isinstance(value, str):
        return " ".join(value.split()).casefold()
    if isinstance(value, (list, tuple, set, frozenset)):
        return "[" + ",".join(sorted(normalise_answer(v, decimals) for v in value)) + "]"
    raise TypeError(f"answers of type {type(value).__name__} cannot be checked this way")


def answer_hash(value, decimals: int | None = None) -> str:
    """The SHA-256 digest of an answer's canonical form (what visible checks compare against)."""
    import hashlib

    return hashlib.sha256(normalise_answer(value, decimals).encode("utf-8")).hexdigest()


def check_hash(label: str, value, digest: str, *, hint: str, decimals: int | None = None,
               kind: type | tuple = object, success: str = "") -> None:
    """Check an answer against the digest of the right answer, so the check does not give it away.

    `decimals` rounds numbers before hashing (the hint should tell students how to round); `kind` is
    the expected type, for a clearer message when, say, text is given where a number is wanted.
    """
    require_answer(label, value)
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds and object not in kinds):
        names = " or ".join(k.__name__ for k in kinds)
        fail(label, f"The answer should be of type {names}, but it is {type(value).__name__}. {hint}")
    try:
        ok = answer_hash(value, decimals) == digest
    except TypeError:
        ok = False
    if not ok:
        fail(label, hint)
    passed(label, success)


def practice(check: Callable, *args, **kwargs) -> None:
    """Run a check for a practice exercise in a lesson notebook: print the feedback, never raise.

    Lesson notebooks are saved with the placeholders in place, so their saved output is the "not answered
    yet" line, not an error.
    """
    try:
        check(*args, **kwargs)
    except CheckFailed as feedback:
        print(feedback)
