"""Marking helpers for hidden tests and lesson checks (plain stage: no widgets, no kernel needed).

A hidden test calls one `mark_*` function per question; it returns quietly when the answer is right and
raises when it is not:

- `Mistake(message)` when the answer matches a known mistake (a distractor, a typical wrong number): the
  grader shows "Not right: <message>" on the feedback page, so the message is authored feedback aimed at
  that mistake;
- a plain `AssertionError` otherwise (the grader says "did not pass the further checks").

**The rule for every message given to these helpers: it never contains the expected answer** (not the
right number, not the right option's text), because the feedback page is shown to the student and a
re-submission would then earn the points without the skill. The helpers enforce it: a message that names
the expected value is not shown (a plain AssertionError is raised instead); `leaks(message, expected)`
lets a test check authored messages beforehand.

The `as_*` readers accept every form the visible check accepts and grade it the same as its plain form:
NumPy and pandas scalars, numbers typed as text with spaces or a decimal comma, stray spaces and quotes,
a tuple or a set for a list, and the JSON a widget saved in the notebook.
"""
from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable, Mapping

from .checks import text_matches


class Mistake(AssertionError):
    """A wrong answer that matches a known mistake; the message is feedback aimed at it (never the answer)."""


# ----------------------------------------------------------------------------- reading typed numbers
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u00a0": " ", "\u202f": " ", "\u2009": " "})
_PLAIN = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")
_GROUPED = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?")  # 1,234,567.5: commas group thousands
_UNIT = re.compile(r"^([-+]?[\d.,]+)\s*([^\d\s.,+-][^\d]*)$")


def parse_number(text) -> int | float:
    """The number a student typed: "12.5", "12,5", " 42 ", "-3", "1 234", "1,234.5" (int when whole in form).

    Raises ValueError whose message says, in plain words, what is wrong with what was typed ("300km" has a
    unit, "42%" a per cent sign, "" is empty, "1/2" is a fraction, …).
    """
    typed = str(text)
    s = typed.translate(_MINUS).strip()
    if not s:
        raise ValueError("The box is empty: type a number, as in 12.5.")
    compact = re.sub(r"(?<=\d) (?=\d)", "", s)  # spaces between digits group thousands: "1 234"
    if _PLAIN.fullmatch(compact):
        return _number(compact)
    if "," in compact:
        if compact.count(",") == 1 and "." not in compact and _PLAIN.fullmatch(compact.replace(",", ".")):
            return _number(compact.replace(",", "."))
        if _GROUPED.fullmatch(compact):
            return _number(compact.replace(",", ""))
    shown = typed.strip()
    if compact.endswith("%") and _is_plain(compact[:-1].strip()):
        bare = compact[:-1].strip()
        raise ValueError(f"'{shown}' has a per cent sign: type the number only, as in {bare}.")
    unit = _UNIT.match(compact)
    if unit and _is_plain(unit.group(1)):
        raise ValueError(f"'{shown}' has a unit or word after the number ({unit.group(2).strip()}): type the "
                         f"number only, as in {unit.group(1)}.")
    if re.fullmatch(r"[-+]?\d+\s*/\s*\d+", compact):
        raise ValueError(f"'{shown}' is a fraction: type it as a decimal number, as in 0.5 for 1/2.")
    if compact.count(".") > 1 or compact.count(",") > 1:
        raise ValueError(f"'{shown}' has more than one decimal point or comma: type one number, as in 1234.5.")
    if re.search(r"\d", compact) and re.search(r"[^\d\s.,+-]", compact):
        raise ValueError(f"'{shown}' has letters or signs that are not part of a number: type digits only, "
                         "as in 12.5.")
    if re.search(r"\d", compact):
        raise ValueError(f"'{shown}' is not written as one number: type digits with at most one decimal point "
                         "or comma, as in 12.5.")
    raise ValueError(f"'{shown}' is not a number: type digits, as in 12.5.")


def _is_plain(text: str) -> bool:
    return bool(_PLAIN.fullmatch(text) or _PLAIN.fullmatch(text.replace(",", ".")))


def _number(text: str) -> int | float:
    if re.fullmatch(r"[-+]?\d+", text):
        return int(text)
    value = float(text)
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"'{text}' is too large to be an answer here.")
    return value


# ----------------------------------------------------------------------------- readers
def as_number(v) -> float:
    """The answer as a float: int, float, NumPy/pandas scalars, numeric text ("12,5", " 42 "); never
    True/False, NaN or infinity (AssertionError)."""
    if isinstance(v, bool) or type(v).__name__ in ("bool_", "bool"):
        raise AssertionError("the answer is True/False, not a number")
    if isinstance(v, str):
        try:
            v = parse_number(v)
        except ValueError as problem:
            raise AssertionError(str(problem)) from None
    if not isinstance(v, numbers.Real):
        item = getattr(v, "item", None)  # a 0-d NumPy array, a one-value pandas object
        if callable(item) and getattr(v, "size", None) == 1:
            return as_number(item())
        raise AssertionError(f"the answer is {type(v).__name__}, not a number")
    value = float(v)
    if math.isnan(value) or math.isinf(value):
        raise AssertionError("the answer is NaN or infinity, not a number")
    return value


_QUOTES = {'"': '"', "'": "'", "\u201c": "\u201d", "\u2018": "\u2019", "\u00ab": "\u00bb", "\u201e": "\u201c"}


def as_text(v) -> str:
    """The answer as text: spaces at the ends stripped, inner runs collapsed, surrounding quotes removed."""
    if v is None or v is Ellipsis:
        raise AssertionError("not answered")
    if not isinstance(v, str):
        raise AssertionError(f"the answer is {type(v).__name__}, not text")
    text = " ".join(v.split())
    while len(text) >= 2 and _QUOTES.get(text[0]) == text[-1]:
        text = " ".join(text[1:-1].split())
    return text


def as_names(v) -> list[str]:
    """The answer as a list of texts: a list, tuple or set of texts, or one text split on commas, semicolons
    or new lines; each normalised as `as_text`, empty ones dropped, repeats removed, order kept."""
    if isinstance(v, str):
        parts = re.split(r"[,;\n]", v)
    elif isinstance(v, (list, tuple, set, frozenset)) or hasattr(v, "tolist"):
        parts = v.tolist() if hasattr(v, "tolist") else list(v)
        if isinstance(v, (set, frozenset)):
            parts = sorted(parts, key=str)
    else:
        raise AssertionError(f"the answer is {type(v).__name__}, not a list of names")
    names: list[str] = []
    for part in parts:
        name = as_text(part)
        if name and _key(name) not in {_key(n) for n in names}:
            names.append(name)
    return names


def _key(text: str) -> str:
    """The comparison form of a name or option: case-free, spaces collapsed, curly quotes straightened, end
    punctuation dropped."""
    text = " ".join(str(text).split()).casefold().replace("\u2019", "'").replace("\u2018", "'")
    return text.strip(" .!?;:")


# ----------------------------------------------------------------------------- the rule on messages
def leaks(message: str, expected) -> bool:
    """True when a feedback message names the expected answer: a number that is the answer rounded to as
    many decimals as it shows (for 42.13: "42.13", "42.1" and "42"), or the text of an expected option,
    name or matched right-hand item (as whole words, texts of 4 characters or more: "No" or "B" cannot be
    checked this way, so write messages about such options with care)."""
    if not message:
        return False
    if isinstance(expected, bool):
        return False
    if isinstance(expected, numbers.Real) or hasattr(expected, "dtype"):
        try:
            target = float(expected)
        except (TypeError, ValueError):
            return False
        text = message.translate(_MINUS)
        spaced = [re.sub(" ", "", f) for f in re.findall(r"\d{1,3}(?: \d{3})+(?:[.,]\d+)?", text)]
        for found in re.findall(r"\d[\d,]*(?:\.\d+)?|\.\d+", text) + spaced:
            for form in {found.replace(",", ""), found.replace(",", ".")}:
                try:
                    number = float(form)
                except ValueError:
                    continue
                decimals = len(form.split(".")[1]) if "." in form else 0
                if abs(abs(target) - number) <= 10 ** -(decimals + 6) or round(abs(target), decimals) == number:
                    return True
        return False
    if isinstance(expected, str):
        wanted = _key(expected)
        return len(wanted) >= 4 and re.search(rf"(?<!\w){re.escape(wanted)}(?!\w)", _key(message)) is not None
    if isinstance(expected, Mapping):
        return any(leaks(message, right) for right in expected.values())
    if isinstance(expected, Iterable):
        return any(leaks(message, item) for item in expected)
    return False


def _mistake(message: str, expected) -> AssertionError:
    """The exception for a known mistake: a Mistake with its message, unless the message gives the answer away."""
    if leaks(message, expected):
        return AssertionError("a known mistake (its feedback names the answer, so it is not shown)")
    return Mistake(message)


# ----------------------------------------------------------------------------- marking
def mark_number(v, expected, *, tol, typical=()) -> None:
    """Right when within `tol` of `expected`; a value within `tol` of a typical wrong value in `typical`
    (pairs (wrong_value, message)) raises Mistake(message)."""
    given = as_number(v)
    if abs(given - float(expected)) <= tol:
        return
    for wrong, message in typical:
        if abs(given - float(wrong)) <= tol:
            raise _mistake(message, expected)
    raise AssertionError("not within the tolerance of the expected number")


def _accepted(correct) -> list[str]:
    return [correct] if isinstance(correct, str) else list(correct)


def mark_choice(v, correct, *, misconceptions=None, explain="") -> None:
    """Right when `v` is the option `correct` (or one of several accepted options; case and spaces free).

    A wrong option listed in `misconceptions` ({option text: message}) raises Mistake(message). When right
    and `explain` is given, prints "Right: " + explain (the reason, which the task asks for).
    """
    given = _key(as_text(v))
    accepted = _accepted(correct)
    if given in {_key(c) for c in accepted}:
        if explain:
            print("Right: " + explain)
        return
    for option, message in (misconceptions or {}).items():
        if _key(option) == given:
            raise _mistake(message, accepted)
    raise AssertionError("not the right option")


def mark_names(v, expected, *, misconceptions=None) -> None:
    """Right when `v` names exactly the `expected` names (order and case free).

    `misconceptions` ({option text: message}): the message of the first option ticked wrongly or left out
    is raised as a Mistake.
    """
    given = {_key(n) for n in as_names(v)}
    wanted = {_key(n) for n in as_names(list(expected))}
    if given == wanted:
        return
    for option, message in (misconceptions or {}).items():
        key = _key(option)
        if (key in given) != (key in wanted):
            raise _mistake(message, list(expected))
    missing, extra = len(wanted - given), len(given - wanted)
    raise AssertionError(f"{missing} missing and {extra} that should not be there")


def mark_order(v, expected, *, hint="") -> None:
    """Right when `v` lists the `expected` items in the same order (case and spaces free).

    When the items are the right ones in a wrong order and `hint` is given, raises Mistake(hint).
    """
    given = [_key(n) for n in as_names(v)]
    wanted = [_key(n) for n in as_names(list(expected))]
    if given == wanted:
        return
    if hint and sorted(given) == sorted(wanted):
        raise _mistake(hint, [])  # an order hint names items, never the order itself: the items are not secret
    raise AssertionError("not the expected order")


def mark_match(v, expected: dict, *, misconceptions=None) -> None:
    """Right when `v` (a dict left → right, or pairs) matches every left item as `expected` does (case free).

    `misconceptions` ({(left, wrong right): message}): the first such wrong pair in `v` raises
    Mistake(message).
    """
    if isinstance(v, Mapping):
        pairs = list(v.items())
    elif isinstance(v, (list, tuple)) and all(isinstance(p, (list, tuple)) and len(p) == 2 for p in v):
        pairs = list(v)
    else:
        raise AssertionError(f"the answer is {type(v).__name__}, not a matching")
    given = {_key(as_text(left)): _key(as_text(right)) for left, right in pairs if right not in (None, "")}
    wanted = {_key(left): _key(right) for left, right in expected.items()}
    if given == wanted:
        return
    for (left, wrong), message in (misconceptions or {}).items():
        if given.get(_key(left)) == _key(wrong) != wanted.get(_key(left)):
            raise _mistake(message, {left: expected.get(left, "")})
    missing = len(set(wanted) - set(given))
    raise AssertionError(f"{missing} left unmatched" if missing else "some items are matched wrongly")


def mark_text(v, accepted, *, typical=None) -> None:
    """Right when the short text `v` is one of `accepted` in substance (checks.text_matches: case, spaces,
    quotes and a few words around the key term are free; a negation is not).

    A text matching a key of `typical` ({wrong text: message}) raises Mistake(message).
    """
    given = as_text(v)
    accepted = _accepted(accepted)
    typical = dict(typical or {})
    if given and text_matches(given, accepted, others=list(typical)):
        return
    for wrong, message in typical.items():
        if given and text_matches(given, [wrong], others=accepted):
            raise _mistake(message, accepted)
    raise AssertionError("not an accepted answer")
