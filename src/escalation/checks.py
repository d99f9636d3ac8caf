"""Immediate, friendly feedback on students' answers: checks print, return, and never raise.

Every `check_*` function prints one line of feedback and returns True (right, or recorded), False (wrong
or in the wrong form) or None (not answered yet: the `...` is still there). None of them raises, so
*Run All* always reaches the end of a notebook. Each outcome is recorded, and `progress_summary()` shows
how far a student has got ("7 of 9 answered, 5 correct, 2 to revisit: …").

Graded exercise sets use `check_format`, which looks only at the form of an answer (a whole number, a
number in a plausible range, one of the allowed letters, text), never at whether it is right: the grader
decides that after hand-in, so nothing in a student's file gives the answer away.

Importing this module in a real Jupyter kernel installs `escalation.friendly`, which turns a Python error
in a cell into one plain sentence naming its likely cause.
"""
from __future__ import annotations

import contextlib
import io
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from . import answers, friendly
from .classroom import hook as class_hook
from .friendly import AnswerError


class CheckFailed(AssertionError):
    """Kept for compatibility: checks no longer raise it, but older code may catch it."""

    def _render_traceback_(self) -> list[str]:
        return [str(self)]


class NotAnswered(CheckFailed):
    """Kept for compatibility (see CheckFailed)."""


# ----------------------------------------------------------------------------- the registry
@dataclass
class Outcome:
    """The latest outcome of one labelled check."""

    label: str
    status: str  # "correct", "recorded", "wrong", "malformed", "error", "unanswered"
    message: str


_REGISTRY: dict[str, Outcome] = {}
ANSWERED = {"correct", "recorded", "wrong", "malformed", "error"}
TO_REVISIT = {"wrong", "malformed", "error"}


def _record(label: str, status: str, message: str) -> None:
    _REGISTRY[label] = Outcome(label, status, message)  # a re-run keeps the label's place (notebook order)
    class_hook.outcome(label, status)  # in class mode only: the live class sees the outcome


def outcomes() -> dict[str, Outcome]:
    """The latest outcome of every check run so far in this kernel (label → Outcome)."""
    return dict(_REGISTRY)


def reset() -> None:
    """Forget every recorded outcome (a fresh start, e.g. in tests)."""
    _REGISTRY.clear()


def progress_text(links: dict[str, str] | None = None, markdown: bool = False) -> str:
    """The progress line: "7 of 9 answered, 5 correct, 2 to revisit: Exercise 2.3, …"."""
    links = links or {}
    items = list(_REGISTRY.values())
    if not items:
        return "No checks have run yet: run the notebook's cells from the top (Run › Run All Cells)."

    def name(label: str) -> str:
        return f"[{label}]({links[label]})" if markdown and label in links else label

    answered = [o for o in items if o.status in ANSWERED]
    correct = [o for o in items if o.status == "correct"]
    recorded = [o for o in items if o.status == "recorded"]
    revisit = [o for o in items if o.status in TO_REVISIT]
    open_ = [o for o in items if o.status == "unanswered"]
    parts = [f"{len(answered)} of {len(items)} answered"]
    if correct or any(o.status == "wrong" for o in items):  # graded sets only check the form: no "0 correct"
        parts.append(f"{len(correct)} correct")
    if recorded:
        parts.append(f"{len(recorded)} recorded for grading")
    text = ", ".join(parts)
    if revisit:
        text += f", {len(revisit)} to revisit: " + ", ".join(name(o.label) for o in revisit)
    text += "."
    if open_:
        text += " Not answered yet: " + ", ".join(name(o.label) for o in open_) + "."
    if not revisit and not open_:
        text += " Everything is answered."
    return text


def progress_summary(links: dict[str, str] | None = None) -> None:
    """Show the progress line, with links (label → '#anchor') to the sections to revisit when given."""
    text = progress_text(links)
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display

        if get_ipython() is not None and type(get_ipython()).__name__ == "ZMQInteractiveShell":
            display(Markdown("**Your progress:** " + progress_text(links, markdown=True)))
            return
    except ImportError:  # pragma: no cover - IPython is a dependency
        pass
    print("Your progress: " + text)


# ----------------------------------------------------------------------------- printing outcomes
def _say(label: str, status: str, line: str):
    print(line)
    _record(label, status, line)
    return {"correct": True, "recorded": True, "unanswered": None}.get(status, False)


def passed(label: str, message: str = "") -> bool:
    """Print the success line for a check (and record it)."""
    return _say(label, "correct", f"✔ {label}: correct." + (f" {message}" if message else ""))


def fail(label: str, hint: str, status: str = "wrong") -> bool:
    """Print the "not quite" line for a check (and record it); returns False."""
    return _say(label, status, f"✘ {label}: not quite. {hint}".rstrip())


def is_unanswered(value) -> bool:
    """True when the answer is the `...` placeholder (or None)."""
    return value is Ellipsis or value is None


def _unanswered(label: str):
    if answers.is_widget_answer(label):
        return _say(label, "unanswered", f"… {label}: not answered yet. Answer it above (choose, tick or type "
                                         "your answer): it is recorded as soon as you do.")
    return _say(label, "unanswered",
                f"… {label}: not answered yet. Replace the ... with your answer and run the cell again.")


def _cell_error(label: str, value: AnswerError) -> bool:
    return _say(label, "error", f"✘ {label}: your answer cell has an error: {value.message} "
                "Correct it and run the answer cell again.")


def _precheck(label: str, value):
    """None when the value is a real answer; else the outcome to return (not answered, cell error)."""
    class_hook.seen(label, value)
    if isinstance(value, AnswerError):
        return ("done", _cell_error(label, value))
    if is_unanswered(value):
        return ("done", _unanswered(label))
    return None


def _is_number(value) -> bool:
    try:
        import numpy as np

        numeric = (int, float, np.integer, np.floating)
    except ImportError:  # pragma: no cover
        numeric = (int, float)
    return isinstance(value, numeric) and not isinstance(value, bool) and not _is_bool(value)


def _is_bool(value) -> bool:
    return isinstance(value, bool) or type(value).__name__ == "bool_"


_NUMBER_TEXT = re.compile(r"^\s*[-+]?(\d+([.,]\d*)?|[.,]\d+)\s*%?\s*$")


def _type_word(value) -> str:
    if isinstance(value, str):
        return "text"
    if _is_bool(value):
        return "True/False"
    if isinstance(value, (list, tuple, set, frozenset)):
        return "a list"
    if _is_number(value):
        return "a whole number" if float(value).is_integer() and not isinstance(value, float) else "a number"
    return f"a {type(value).__name__} object"


def _variable(label: str) -> str:
    """The answer variable a label stands for ("Q3" → "q3"), for examples in messages."""
    name = label.split()[0].lower() if label.strip() else ""
    return name if re.fullmatch(r"q\d+[a-z0-9_]*", name) else "your_answer"


def _why_not_number(value, whole: bool = False, label: str = "") -> str:
    """Explain, in plain words, why a value is not the number wanted."""
    wanted = "a whole number" if whole else "a number"
    example = "12" if whole else "12.5"
    if isinstance(value, str):
        if _NUMBER_TEXT.match(value):
            bare = value.strip().rstrip("%").strip()
            hint = " (use a full stop for decimals, not a comma)" if "," in bare else ""
            return (f"The answer should be {wanted}, but it is text: the quotes around {value!r} make it text. "
                    f"Remove the quotes, as in {_variable(label)} = {bare.replace(',', '.')}{hint}.")
        return f"The answer should be {wanted}, like {example}, without quotes; it is text: {value!r}."
    if isinstance(value, tuple) and len(value) == 2 and all(_is_number(v) for v in value):
        return (f"The answer should be {wanted}, but it is two numbers: a comma separates values in Python. "
                f"Write decimals with a full stop, as in {value[0]}.{value[1]}.")
    if _is_bool(value):
        return f"The answer should be {wanted}, but it is {value} (True/False)."
    return f"The answer should be {wanted}, like {example}, but it is {_type_word(value)}."


# ----------------------------------------------------------------------------- the checks
def check_judged(label: str, value, judge: Callable[[object], str | None], *,
                 form: Callable[[object], str] | None = None, success: str = ""):
    """Check an answer with a judge that knows the typical mistakes (the lesson checks use this with
    `escalation.marking`).

    `form(value)` says why the answer is not in the right form ("" when it is); `judge(value)` returns None
    when the answer is right, else the feedback: one line, or several (one per mistake).
    """
    early = _precheck(label, value)
    if early:
        return early[1]
    why = form(value) if form is not None else ""
    if why:
        return fail(label, why, "malformed")
    feedback = judge(value)
    return passed(label, success) if feedback is None else fail(label, feedback)


def number_form(value, *, label: str = "", hint: str = "") -> str:
    """Why a value is not a number, with the hint ("" when it is a number)."""
    return "" if _is_number(value) else f"{_why_not_number(value, label=label)} {hint}".strip()


def check_number(label: str, value, expected: float, *, hint: str, rel_tol: float = 0.0,
                 abs_tol: float = 1e-9, success: str = ""):
    """Check a numeric answer against the expected value within a tolerance."""
    early = _precheck(label, value)
    if early:
        return early[1]
    why = number_form(value, label=label, hint=hint)
    if why:
        return fail(label, why, "malformed")
    if not math.isclose(float(value), expected, rel_tol=rel_tol, abs_tol=abs_tol):
        return fail(label, hint)
    return passed(label, success)


def _norm(text: str) -> str:
    text = " ".join(str(text).split()).casefold()
    text = text.strip(" .!?;:'\"“”‘’")
    return text.replace("’", "'").replace("‘", "'")


_NEGATIONS = {"not", "no", "never", "neither", "nor", "isn't", "isnt", "wasn't", "non"}


def _words(text: str) -> list[str]:
    return re.findall(r"[\w'’-]+", _norm(text))


def _contains_phrase(words: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return n > 0 and any(words[i:i + n] == phrase for i in range(len(words) - n + 1))


def text_matches(value: str, accepted: Iterable[str], *, others: Iterable[str] = (), extra_words: int = 4) -> bool:
    """Is a short text answer right in substance?

    Right when it equals an accepted answer (case, spaces and end punctuation ignored), or contains one
    as whole words with at most `extra_words` words around it ("horizontal escalation" for
    "horizontal"), no negation ("not horizontal") and none of the `others` (wrong options it names too).
    """
    given = _norm(value)
    accepted = [a for a in accepted]
    if given in {_norm(a) for a in accepted}:
        return True
    words = _words(value)
    if any(w in _NEGATIONS for w in words):
        return False
    if any(_contains_phrase(words, _words(o)) for o in others if _norm(o) not in {_norm(a) for a in accepted}):
        return False
    for a in accepted:
        phrase = _words(a)
        if _contains_phrase(words, phrase) and len(words) <= len(phrase) + extra_words:
            return True
    return False


def text_form(value, *, hint: str = "") -> str:
    """Why a value is not a short text answer ("" when it is one)."""
    if not isinstance(value, str):
        return f"The answer should be text in quotes, as in \"Kyiv\", but it is {_type_word(value)}. {hint}".strip()
    if not value.strip():
        return "The quotes are empty: write your answer between them."
    return ""


def check_text(label: str, value, accepted: Iterable[str], *, hint: str, success: str = "",
               others: Iterable[str] = ()):
    """Check a short text answer: case, spaces and a few words around the key term are accepted."""
    early = _precheck(label, value)
    if early:
        return early[1]
    why = text_form(value, hint=hint)
    if why:
        return fail(label, why, "malformed")
    if not text_matches(value, accepted, others=others):
        return fail(label, hint)
    return passed(label, success)


def _choice_key(value) -> str:
    text = _norm(value)
    text = re.sub(r"^\(?([a-z0-9])[).]$", r"\1", text)  # "b)", "(b)", "b." → "b"
    return text


def resolve_choice(value, choices: Iterable[str]) -> tuple[str | None, str]:
    """The option a categorical answer names, and "" (or None, and why it names none of the `choices`).

    "b)", "(b)" and "b." name the option "b"; a short text naming exactly one option names it
    ("horizontal escalation" for "horizontal"), unless it is negated.
    """
    choices = list(choices)
    allowed = ", ".join(f'"{c}"' for c in choices)
    if not isinstance(value, str):
        return None, f"The answer should be one of {allowed}, in quotes; it is {_type_word(value)}."
    key = _choice_key(value)
    keys = {_choice_key(c): c for c in choices}
    if key not in keys:
        named = [c for c in choices if len(_words(c)) and _contains_phrase(_words(value), _words(c))]
        if len(named) == 1 and not any(w in _NEGATIONS for w in _words(value)):
            key = _choice_key(named[0])
        else:
            why = "it names more than one" if len(named) > 1 else f"{value!r} is not one of them"
            return None, f"Choose one of {allowed} ({why})."
    return keys[key], ""


def check_choice(label: str, value, choices: Iterable[str], accepted, *, hint: str, success: str = ""):
    """Check a categorical answer (a letter or a category name) against the accepted choice(s).

    A value that is none of the `choices` is told which choices are allowed, not that it is wrong.
    """
    early = _precheck(label, value)
    if early:
        return early[1]
    accepted = [accepted] if isinstance(accepted, str) else list(accepted)
    option, why = resolve_choice(value, choices)
    if why:
        return fail(label, why, "malformed")
    if option not in accepted and _choice_key(option) not in {_choice_key(a) for a in accepted}:
        return fail(label, hint)
    return passed(label, success)


def set_form(value, *, hint: str = "") -> str:
    """Why a value is not a collection of plain values ("" when it is one)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return f"The answer should be a list in square brackets, like [\"a\", \"b\"]. {hint}".strip()
    try:
        {_norm(v) if isinstance(v, str) else v for v in value}
    except TypeError:
        return f"The list should hold plain values (text or numbers). {hint}".strip()
    return ""


def set_difference(value, expected: Iterable) -> str:
    """How a collection differs from the expected one ("Your list has 1 missing."), or "" when it does not."""
    given, wanted = {_norm(v) if isinstance(v, str) else v for v in value}, \
        {_norm(v) if isinstance(v, str) else v for v in expected}
    missing, extra = len(wanted - given), len(given - wanted)
    detail = []
    if missing:
        detail.append(f"{missing} missing")
    if extra:
        detail.append(f"{extra} that should not be there")
    return f"Your list has {' and '.join(detail)}." if detail else ""


def check_set(label: str, value, expected: Iterable, *, hint: str, success: str = ""):
    """Check an answer that is a collection, order ignored; say how many are missing or extra."""
    early = _precheck(label, value)
    if early:
        return early[1]
    why = set_form(value, hint=hint)
    if why:
        return fail(label, why, "malformed")
    difference = set_difference(value, expected)
    if difference:
        return fail(label, f"{difference} {hint}")
    return passed(label, success)


def check_with(label: str, value, test: Callable[[object], bool], *, hint: str, success: str = ""):
    """Check an answer with a predicate, for answers that have more than one right form."""
    early = _precheck(label, value)
    if early:
        return early[1]
    try:
        ok = bool(test(value))
    except Exception:  # noqa: BLE001 - a predicate that cannot handle the value: the answer is wrong
        ok = False
    return passed(label, success) if ok else fail(label, hint)


def check_written(label: str, value, *, min_words: int = 20, must_mention: Iterable[str] = ()):
    """Check that a written answer is there and long enough; its quality is for the reader to judge."""
    early = _precheck(label, value)
    if early:
        return early[1]
    if not isinstance(value, str) or len(value.split()) < min_words:
        n = len(value.split()) if isinstance(value, str) else 0
        return fail(label, f"Write at least {min_words} words, in your own words (you have {n}).", "malformed")
    missing = [w for w in must_mention if w.casefold() not in value.casefold()]
    if missing:
        return fail(label, "A good answer mentions " + ", ".join(repr(m) for m in missing) + ".")
    return _say(label, "recorded", f"✔ {label}: answer recorded ({len(value.split())} words). Compare it with the "
                "rubric: your instructor reads and grades written answers.")


KINDS = {"whole number", "number", "text", "choice", "list", "id"}
_KIND_ALIASES = {"int": "whole number", "integer": "whole number", "float": "number", "str": "text",
                 "string": "text", "letter": "choice"}


def check_format(label: str, value, *, kind, plausible=None, choices: Iterable[str] | None = None,
                 hint: str = ""):
    """Check only the form of a graded answer, never whether it is right.

    When the answer is given in a widget (`answers.answered_in_widget`), the line is shown as a display that
    each later change in the widget updates, so the check cell never shows a stale answer's line.

    `kind`: "whole number", "number", "text", "choice" or "list" (or the type int, float, str, list).
    `plausible`: (low, high) for numbers, the range any sensible answer falls in (the same for every
    student, never derived from the answer); for text and lists, the largest number of words or items.
    `choices`: the allowed answers of a "choice" question (letters or category names).
    Prints "answer recorded" when the form is right: the grader marks it after hand-in.
    """
    def run(now):
        return form_check(label, now, kind=kind, plausible=plausible, choices=choices, hint=hint)

    shell = _kernel_shell() if answers.is_widget_answer(label) else None
    if shell is None:
        return run(value)
    from IPython.display import display

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        outcome = run(value)
    handle = display({"text/plain": buffer.getvalue().strip()}, raw=True, display_id=True)

    def refresh(now) -> None:
        again = io.StringIO()
        with contextlib.redirect_stdout(again):
            run(now)
        handle.update({"text/plain": again.getvalue().strip()}, raw=True)

    answers.on_change(label, refresh)
    return outcome


def _kernel_shell():
    """The running Jupyter kernel's shell, or None (plain Python, the grader, a terminal)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return None
    shell = get_ipython()
    return shell if type(shell).__name__ == "ZMQInteractiveShell" else None


def form_check(label: str, value, *, kind, plausible=None, choices: Iterable[str] | None = None,
               hint: str = ""):
    """`check_format`'s line, printed once (the answer widgets' own form line uses it)."""
    early = _precheck(label, value)
    if early:
        return early[1]
    kind = _KIND_ALIASES.get(getattr(kind, "__name__", kind), getattr(kind, "__name__", kind))
    if kind not in KINDS:
        raise ValueError(f"check_format: kind must be one of {sorted(KINDS)}, not {kind!r}")  # author error
    extra = f" {hint}" if hint else ""

    def malformed(why: str) -> bool:
        return _say(label, "malformed", f"✘ {label}: not in the right form yet. {why}{extra}")

    what = kind
    if kind in ("whole number", "number"):
        if not _is_number(value):
            return malformed(_why_not_number(value, whole=kind == "whole number", label=label))
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            return malformed("The answer should be a number you can write down, not NaN or infinity.")
        if kind == "whole number" and not number.is_integer():
            return malformed(f"The answer should be a whole number (like 12), without decimals; it is {value}.")
        if plausible is not None:
            low, high = plausible
            if not low <= number <= high:
                return malformed(f"{value} is outside the range a sensible answer can take here "
                                 f"({low:g} to {high:g}). Check the unit and where you read the number.")
    elif kind in ("text", "id"):
        if not isinstance(value, str):
            return malformed(f"The answer should be text in quotes, as in \"Kyiv\"; it is {_type_word(value)}.")
        if not value.strip():
            return malformed("The quotes are empty: write your answer between them.")
        if plausible is not None and len(value.split()) > plausible:
            return malformed(f"Give a short answer: at most {plausible} words.")
    elif kind == "choice":
        choices = list(choices or [])
        allowed = ", ".join(f'"{c}"' for c in choices)
        if not isinstance(value, str):
            return malformed(f"The answer should be one of {allowed}, in quotes; it is {_type_word(value)}.")
        keys = {_choice_key(c) for c in choices}
        if _choice_key(value) not in keys:
            return malformed(f"Choose one of {allowed}; {value!r} is not one of them.")
        what = "one of the choices"
    elif kind == "list":
        if isinstance(value, str) or not isinstance(value, (list, tuple, set, frozenset)):
            return malformed(f"The answer should be a list in square brackets, like [\"a\", \"b\"]; "
                             f"it is {_type_word(value)}.")
        if not value:
            return malformed("The list is empty: put the items between the brackets, separated by commas.")
        if plausible is not None and len(value) > plausible:
            return malformed(f"The list has {len(value)} items; no sensible answer has more than {plausible}.")
    return _say(label, "recorded", f"✔ {label}: answer recorded ({what}, in the right form). Whether it is "
                "right is marked after you hand in the notebook.")


# ----------------------------------------------------------------------------- hashed answers (practice)
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
    """The SHA-256 digest of an answer's canonical form."""
    import hashlib

    return hashlib.sha256(normalise_answer(value, decimals).encode("utf-8")).hexdigest()


def check_hash(label: str, value, digest: str, *, hint: str, decimals: int | None = None,
               kind: type | tuple = object, success: str = ""):
    """Check an answer against the digest of the right answer (kept for compatibility; graded sets no
    longer use it, since small answers can be recovered from a digest by trying them)."""
    early = _precheck(label, value)
    if early:
        return early[1]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds and object not in kinds):
        if any(k in (int, float) for k in kinds):
            return fail(label, f"{_why_not_number(value, whole=float not in kinds, label=label)} {hint}", "malformed")
        names = " or ".join(k.__name__ for k in kinds)
        return fail(label, f"The answer should be of type {names}, but it is {_type_word(value)}. {hint}", "malformed")
    try:
        ok = answer_hash(value, decimals) == digest
    except TypeError:
        ok = False
    return passed(label, success) if ok else fail(label, hint)


def practice(check: Callable, *args, **kwargs):
    """Run a check for a practice exercise (kept for compatibility: every check now prints, never raises)."""
    try:
        return check(*args, **kwargs)
    except CheckFailed as feedback:  # a check written elsewhere in the old style
        print(feedback)
        return False


friendly.install()
