"""Answers that travel inside the saved notebook (plain stage: no widgets, no kernel needed).

An answer widget shows, in its own cell, a display whose bundle carries the current answer under a vendor
MIME type: `{"text/plain": "Your answer to Q1: 12.5", MIME: {"name": "q1", "value": 12.5}}`. Each change
updates that display (`display_id`), so *File › Save* writes the latest answer into the cell's outputs and
the grader reads it from the `.ipynb` without running anything. The saved value is plain JSON (numbers,
text, True/False, None, lists and objects of those); the grader still treats it as hostile input.

`preload` hands the answers read from a submission to the answer widgets of a grading run (no browser
there): `answer()` then gives each name its saved value, so answer cells run the same way in the grader
as in the classroom.
"""
from __future__ import annotations

import json

MIME = "application/vnd.escalation.answer+json"
NONE_YET = "(none yet)"
MAX_JSON_CHARS = 100_000  # a saved answer larger than this is refused (the grader's limit for plain data)

_PRELOADED: dict[str, object] = {}
_GRADING = [False]  # set by preload(), even with no saved answers


def shown(value) -> str:
    """An answer as the plain line shows it: no quotes, no brackets, no Python repr."""
    if value is None or value is Ellipsis or value == "" or value == [] or value == {}:
        return NONE_YET
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):  # as typed: 1234567.0 → 1234567, 0.1 → 0.1 (no exponent, no rounding)
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (list, tuple)):
        return "; ".join(shown(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k} → {shown(v)}" for k, v in value.items())
    return str(value)


def bundle(name: str, value, label: str = "") -> dict:
    """The display bundle of one answer (`value` None: not answered yet)."""
    plain = None if value is Ellipsis else value
    return {"text/plain": f"Your answer to {label or name}: {shown(plain)}", MIME: {"name": name, "value": plain}}


def _plain_json(value, depth: int = 0) -> bool:
    if depth > 8:
        return False
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, list):
        return all(_plain_json(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain_json(v, depth + 1) for k, v in value.items())
    return False


def saved_in_cell(cell: dict) -> dict[str, object]:
    """The answers a cell's saved outputs carry (name → value; the last output of a name wins).

    Anything that is not a well-formed answer bundle (wrong types, too large, not plain JSON) is skipped.
    """
    found: dict[str, object] = {}
    outputs = cell.get("outputs") if isinstance(cell, dict) else None
    if not isinstance(outputs, list):
        return found
    for output in outputs:
        data = output.get("data") if isinstance(output, dict) else None
        entry = data.get(MIME) if isinstance(data, dict) else None
        if isinstance(entry, str):  # some writers store JSON bundles as text
            try:
                entry = json.loads(entry) if len(entry) <= MAX_JSON_CHARS else None
            except ValueError:
                entry = None
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue
        value = entry.get("value")
        try:
            small = len(json.dumps(value)) <= MAX_JSON_CHARS
        except (TypeError, ValueError, RecursionError):
            small = False
        if small and _plain_json(value):
            found[entry["name"]] = value
    return found


def saved_in_notebook(nb: dict) -> dict[str, object]:
    """Every answer saved in a notebook's code cells (name → value; a later cell wins)."""
    found: dict[str, object] = {}
    for cell in nb.get("cells", []) if isinstance(nb, dict) else []:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            found.update(saved_in_cell(cell))
    return found


def preload(values: dict) -> None:
    """Give the answer widgets of this process these saved values (the grader, before the answer cells run)."""
    _PRELOADED.clear()
    _PRELOADED.update(values)
    _GRADING[0] = True


def preloaded(name: str, default=None):
    """The preloaded value of one answer (`default` when there is none)."""
    return _PRELOADED.get(name, default)


def has_preload() -> bool:
    """Whether this process grades a submission (answers were preloaded, possibly none)."""
    return _GRADING[0]
