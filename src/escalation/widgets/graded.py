"""Answer widgets for the graded sets: the student answers in a box, never in Python (widget stage).

Each answer cell holds one line of pre-written code, `answer("q1", "number", unit="%")`, `your_id()` or
`written_answer("q7", min_words=150)`. In a Jupyter kernel it shows a labelled control and, under it, the
form check line (the words of `checks.check_format`: "answer recorded" or what is wrong with the form,
never right or wrong), then a display carrying the answer (`answers.bundle`). Every change

- sets the answer's name in the user namespace (`q1 = 12.5`), so the checks and the code below see it;
- updates that display (`display_id`), so *File › Save Notebook* keeps the answer inside the `.ipynb`;
- writes `my_answers/<notebook stem>.json` next to the notebook (atomically), so nothing is lost when the
  notebook was not saved.

When the cell runs again (Restart & Run All, reopening, another machine with only the `.ipynb`) the answer
comes back from, in this order: the grader's preload (`answers.preload`), `my_answers/<stem>.json`, the
notebook saved on disk (the kernel's `JPY_SESSION_NAME`), else nothing. The restored answer is shown in
the control and in the display, so a Save keeps it.

Outside a kernel (the grader's process, plain Python) nothing is built or printed: the name is set to
the preloaded answer, or `...` when there is none. ipywidgets is imported only when a widget is built.

Kinds: "number" and "whole number" (a text box; "12.5", "12,5", " 42 ", "-3", "1 234" are read as
numbers, the value is an int or a float), "text", "choice" (radio buttons), "names" (tick boxes; the
ticked options in the order of `choices`), "order" (a position drop-down per item; the items in the
chosen order), "match" (a drop-down per `left` item over the `right` options; a dict left → right).
Keyboard: Tab reaches each control; Enter in a text box answers (an empty box says what to do); Space
selects the focused radio button or ticks a box; a drop-down opens with Space or Alt+Down.
"""
from __future__ import annotations

import html
import io
import json
import os
import re
import sys
from contextlib import redirect_stdout
from functools import cache
from pathlib import Path

from .. import answers
from ..marking import parse_number

KINDS = ("number", "whole number", "text", "choice", "names", "order", "match")
FORMAT_KIND = {"number": "number", "whole number": "whole number", "text": "text", "choice": "choice",
               "names": "list", "order": "list", "match": "list"}
ANSWERS_FOLDER = "my_answers"
PERCENT_UNITS = {"%", "percent", "per cent", "percentage"}
MAX_NOTEBOOK_BYTES = 50_000_000
EMPTY = {"number": "Type your answer in the box, then press Enter.",
         "whole number": "Type your answer in the box, then press Enter.",
         "text": "Type your answer in the box, then press Enter.",
         "choice": "Choose one of the options.",
         "names": "Tick every option that applies.",
         "order": "Give each item a position.",
         "match": "Choose a match for each item."}
PLACEHOLDER = {"number": "Type a number, then press Enter", "whole number": "Type a whole number, then press Enter",
               "text": "Type your answer, then press Enter"}
COLOURS = {"recorded": "#009E73", "problem": "#D55E00", "none": "#0072B2"}  # Okabe–Ito; the words say it too
STATUS_STYLE = "border-left: 4px solid {colour}; padding: 2px 8px; white-space: pre-wrap;"
ID_NAME = "student_id"
HUB_NOTE = "From your hub login: {user}. Change it only if your instructor gave you another id."
ID_CHANGED = ("Your id is saved: {id}. Now run the cells below again (Run › Run All Cells) so that your "
              "questions are the ones for this id.")
ID_EMPTY = "Type your student id in the box, then press Enter."
_MISSING = object()

BUILT: dict[str, object] = {}  # name → the last control built for it in this kernel (tests, debugging)


# ----------------------------------------------------------------------------- where we run
def _shell():
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return None
    return get_ipython()


def in_kernel(shell=None) -> bool:
    """True in a real Jupyter kernel (a front end may show widgets); False in the grader and plain Python."""
    shell = _shell() if shell is None else shell
    return type(shell).__name__ == "ZMQInteractiveShell"


def _namespace(shell, depth: int) -> dict:
    if shell is not None and isinstance(getattr(shell, "user_ns", None), dict):
        return shell.user_ns
    return sys._getframe(depth + 1).f_globals  # plain Python: the caller's module, like an assignment there


def _preloaded_or_ellipsis(name: str):
    value = answers.preloaded(name)
    return ... if value is None else value


def default_label(name: str) -> str:
    """The label of an answer in messages: "q3" → "Q3", other names as they are."""
    return name.upper() if re.fullmatch(r"q\d+[a-z0-9_]*", name) else name


# ----------------------------------------------------------------------------- where answers are kept
def notebook_path() -> Path | None:
    """The notebook this kernel runs (from JPY_SESSION_NAME, found in the kernel's folder), None if unknown."""
    session = os.environ.get("JPY_SESSION_NAME", "").strip()
    if not session:
        return None
    for candidate in (Path.cwd() / Path(session).name, Path(session)):
        if candidate.is_file():
            return candidate
    return Path.cwd() / Path(session).name  # not saved yet: its stem still names the answers file


def answers_file(notebook: Path | None = None) -> Path | None:
    """`my_answers/<notebook stem>.json` in the kernel's folder (None when the notebook is unknown)."""
    notebook = notebook_path() if notebook is None else notebook
    return None if notebook is None else Path.cwd() / ANSWERS_FOLDER / f"{notebook.stem}.json"


_DISK_CACHE: dict[tuple, dict] = {}


def saved_on_disk(notebook: Path | None = None) -> dict:
    """The answers saved in the notebook file on disk (name → value; {} when unreadable or too large)."""
    notebook = notebook_path() if notebook is None else notebook
    try:
        stat = notebook.stat() if notebook is not None else None
    except OSError:
        return {}
    if stat is None or stat.st_size > MAX_NOTEBOOK_BYTES:
        return {}
    key = (str(notebook), stat.st_mtime_ns, stat.st_size)
    if key not in _DISK_CACHE:
        try:
            found = answers.saved_in_notebook(json.loads(notebook.read_text(encoding="utf-8")))
        except (OSError, ValueError, RecursionError):
            found = {}
        _DISK_CACHE.clear()
        _DISK_CACHE[key] = found
    return _DISK_CACHE[key]


def _from_my_answers(name: str, path: Path | None):
    if path is None:
        return _MISSING
    from .written import load_answers

    entry = load_answers(path).get(name)
    return entry if isinstance(entry, dict) and "value" in entry else _MISSING


def restore(name: str):
    """(value, typed, where) of a saved answer: preload > my_answers > the notebook on disk > (None, None, "")."""
    value = answers.preloaded(name, _MISSING)
    if value is not _MISSING:
        return value, None, "preload"
    entry = _from_my_answers(name, answers_file())
    if entry is not _MISSING:
        return entry["value"], entry.get("typed"), ANSWERS_FOLDER
    saved = saved_on_disk()
    if name in saved:
        return saved[name], None, "notebook"
    return None, None, ""


def _save(name: str, value, typed) -> str:
    """Write the answer to my_answers/<stem>.json; "" when done (or no notebook is known), else the problem."""
    path = answers_file()
    if path is None:
        return ""
    from .written import save_answer

    try:
        save_answer(path, name, {"value": value, "typed": typed})
    except (OSError, TypeError, ValueError) as problem:
        return getattr(problem, "strerror", None) or str(problem)
    return ""


# ----------------------------------------------------------------------------- the form line
def _checked(label: str, value, kind: str, choices) -> str:
    """What checks.check_format prints for this value (and records for the progress line)."""
    from .. import checks

    buffer = io.StringIO()
    with redirect_stdout(buffer):
        checks.check_format(label, value, kind=kind, choices=choices)
    return buffer.getvalue().strip()


def _plain_text(value) -> str:
    """A value as it goes back in a text box: the plain line's form ("" for none)."""
    return "" if value is None or isinstance(value, bool) else answers.shown(value)


def form_hints(value, typed, unit: str) -> list[str]:
    """Hints on the form of a recorded number: a share where a percent is asked, a comma read as decimal."""
    hints = []
    if (unit.strip().casefold() in PERCENT_UNITS and isinstance(value, (int, float))
            and not isinstance(value, bool) and 0 < abs(value) < 1):
        hints.append(f"That looks like a share ({_plain_text(value)}); the question asks for a percent "
                     f"({round(value * 100, 10):g}).")
    if isinstance(typed, str) and re.fullmatch(r"\s*[-+]?\d{1,3},\d{3}\s*", typed):
        whole = typed.strip().replace(",", "")
        hints.append(f"Read as {_plain_text(value)} (a decimal comma). If you meant {whole}, type it without "
                     "the comma.")
    return hints


# ----------------------------------------------------------------------------- the controls
@cache
def _box_class():
    import ipywidgets as widgets

    class AnswerBox(widgets.VBox):
        """The answer's controls and its form line; a short text where widgets cannot be drawn."""

        what = "an answer box"

        def __repr__(self) -> str:
            return f"{self.what} (run the cell to use it)"

    return AnswerBox


def _status_html(text: str, state: str) -> str:
    return (f'<div role="status" style="{STATUS_STYLE.format(colour=COLOURS[state])}">'
            f"{html.escape(text)}</div>")


WRAP_CLASS = "escalation-graded"
FORM_LINE_CLASS = "escalation-form-line"  # the form line under a control (browser tests wait for it)
WRAP_STYLE = (f"<style>.{WRAP_CLASS} .widget-radio-box label, .{WRAP_CLASS} .jupyter-widget-checkbox, "
              f".{WRAP_CLASS} .widget-checkbox, .{WRAP_CLASS} .widget-label-basic, "
              f".{WRAP_CLASS} .jupyter-widget-label-basic {{white-space: normal; overflow: visible; "
              f"text-overflow: clip; height: auto; line-height: 1.4;}} "
              f".{WRAP_CLASS} .widget-dropdown > label, .{WRAP_CLASS} .jupyter-widget-dropdown > label "
              f"{{white-space: normal; overflow: visible; text-overflow: clip;}}</style>")


class Answer:
    """One graded answer in a kernel: its controls, its value, its display and its saved copy."""

    def __init__(self, name: str, kind: str, *, label: str, choices=None, items=None, left=None, right=None,
                 unit: str = "", placeholder: str = ""):
        import ipywidgets as widgets

        self.name, self.kind, self.label, self.unit = name, kind, label, unit
        self.choices, self.items = list(choices or []), list(items or [])
        self.left, self.right = list(left or []), list(right or [])
        self.value, self.typed, self.problem, self.line, self.save_problem = None, None, "", "", ""
        value, typed, self.restored_from = restore(name)
        self.description = f"Your answer to {label}"
        style = {"description_width": "initial"}
        parts: list = []
        if kind in ("number", "whole number", "text"):
            text = typed if isinstance(typed, str) else _plain_text(value)
            self.control = widgets.Text(value=text, description=self.description, continuous_update=False,
                                        placeholder=placeholder or PLACEHOLDER[kind], style=style,
                                        layout=widgets.Layout(width="min(100%, 30em)"))
            self.control.observe(lambda _c: self.changed(), names="value")
            self.control.on_msg(self._on_submit)  # Enter sends "submit", also in an empty box
            parts.append(widgets.HBox([self.control, widgets.Label(unit)]) if unit else self.control)
        elif kind == "choice":
            self.control = widgets.RadioButtons(options=self.choices, value=value if value in self.choices else None,
                                                description=self.description, style=style,
                                                layout=widgets.Layout(width="100%"))
            self.control.observe(lambda _c: self.changed(), names="value")
            parts.append(self.control)
        elif kind == "names":
            ticked = {str(v) for v in value} if isinstance(value, list) else set()
            self.boxes = [widgets.Checkbox(value=c in ticked, description=c, indent=False,
                                           layout=widgets.Layout(width="100%", height="auto"))
                          for c in self.choices]
            for box in self.boxes:
                box.observe(lambda _c: self.changed(), names="value")
            parts += [widgets.HTML(f"<em>{html.escape(self.description)}: tick every option that applies.</em>"),
                      *self.boxes]
        elif kind == "order":
            positions = typed if isinstance(typed, dict) else (
                {item: value.index(item) + 1 for item in self.items if item in value}
                if isinstance(value, list) else {})
            n = len(self.items)
            self.menus = [widgets.Dropdown(options=[("choose a position", None)] + [(str(i), i) for i in range(1, n + 1)],
                                           value=positions.get(item) if positions.get(item) in range(1, n + 1) else None,
                                           description=item, style=style, layout=widgets.Layout(width="100%"))
                          for item in self.items]
            for menu in self.menus:
                menu.observe(lambda _c: self.changed(), names="value")
            parts += [widgets.HTML(f"<em>{html.escape(self.description)}: give each item its position, "
                                   f"1 first, {n} last.</em>"), *self.menus]
        elif kind == "match":
            chosen = value if isinstance(value, dict) else {}
            self.menus = [widgets.Dropdown(options=[("choose a match", None)] + [(r, r) for r in self.right],
                                           value=chosen.get(item) if chosen.get(item) in self.right else None,
                                           description=item, style=style, layout=widgets.Layout(width="100%"))
                          for item in self.left]
            for menu in self.menus:
                menu.observe(lambda _c: self.changed(), names="value")
            parts += [widgets.HTML(f"<em>{html.escape(self.description)}: choose a match for each item.</em>"),
                      *self.menus]
        self.status = widgets.HTML(layout=widgets.Layout(width="100%"), _dom_classes=(FORM_LINE_CLASS,))
        self.box = _box_class()([widgets.HTML(WRAP_STYLE), *parts, self.status], layout=widgets.Layout(width="100%"))
        self.box.add_class(WRAP_CLASS)
        self.box.what = f"{self.description} ({kind})"
        self.handle = None

    # -- reading the controls
    def read(self):
        """(value, typed, problem) from the controls: value None when not answered."""
        kind = self.kind
        if kind in ("number", "whole number", "text"):
            typed = self.control.value
            if not typed.strip():
                return None, typed, ""
            if kind == "text":
                return typed.strip(), typed, ""
            try:
                number = parse_number(typed)
            except ValueError as problem:
                return typed.strip(), typed, str(problem)
            if kind == "whole number" and isinstance(number, float) and number.is_integer():
                number = int(number)
            return number, typed, ""
        if kind == "choice":
            return self.control.value, None, ""
        if kind == "names":
            return [box.description for box in self.boxes if box.value] or None, None, ""
        if kind == "order":
            positions = {item: menu.value for item, menu in zip(self.items, self.menus) if menu.value is not None}
            n = len(self.items)
            if not positions:
                return None, positions, ""
            used = sorted(positions.values())
            twice = sorted({p for p in used if used.count(p) > 1})
            if len(positions) < n or twice:
                why = []
                if len(positions) < n:
                    why.append(f"items without a position yet: {n - len(positions)} of {n}")
                if twice:
                    why.append("position " + ", ".join(map(str, twice)) + " is given to more than one item")
                return None, positions, "; ".join(why).capitalize() + f": give each item its own position, 1 to {n}."
            return sorted(positions, key=positions.get), positions, ""
        chosen = {item: menu.value for item, menu in zip(self.left, self.menus) if menu.value is not None}
        if not chosen:
            return None, None, ""
        if len(chosen) < len(self.left):
            return chosen, None, (f"{len(chosen)} of {len(self.left)} items are matched: choose a match for "
                                  "every item.")
        return chosen, None, ""

    # -- reacting
    def _on_submit(self, _control, content, _buffers) -> None:
        if content.get("event") == "submit":
            self.changed()

    def form_line(self) -> tuple[str, str]:
        """(line, state) for the current value: check_format's words, or the widget's own for a typed form."""
        label, value = self.label, self.value
        if value is None:
            _checked(label, ..., FORMAT_KIND[self.kind], self.choices)  # recorded as not answered yet
            return f"… {label}: not answered yet. {self.problem or EMPTY[self.kind]}", "none"
        plain = list(value.values()) if self.kind == "match" and not self.problem else value
        line = _checked(label, plain, FORMAT_KIND[self.kind], self.choices)
        if self.problem:
            return f"✘ {label}: not in the right form yet. {self.problem}", "problem"
        hints = form_hints(value, self.typed, self.unit)
        return " ".join([line, *hints]), "problem" if hints or line.startswith("✘") else "recorded"

    def show(self) -> None:
        """Put the form line (and any saving problem) under the controls."""
        self.line, state = self.form_line()
        text = self.line
        if self.save_problem:
            text += (f"\nNot saved in {ANSWERS_FOLDER}: {self.save_problem}. Your answer is still in this "
                     "notebook: save it (File › Save Notebook).")
        self.status.value = _status_html(text, state)

    def changed(self) -> None:
        """A change in the controls: set the name, update the display, save the copy, show the form line."""
        self.value, self.typed, self.problem = self.read()
        _namespace(_shell(), 1)[self.name] = ... if self.value is None else self.value
        if self.handle is not None:
            self.handle.update(answers.bundle(self.name, self.value, self.label), raw=True)
        self.save_problem = _save(self.name, self.value, self.typed)
        self.show()

    def start(self) -> None:
        """Show the widget and its display, and set the name to the restored answer."""
        from IPython.display import display

        self.value, self.typed, self.problem = self.read()
        display(self.box)
        self.handle = display(answers.bundle(self.name, self.value, self.label), raw=True, display_id=True)
        _namespace(_shell(), 1)[self.name] = ... if self.value is None else self.value
        if self.value is None and not self.problem:
            _checked(self.label, ..., FORMAT_KIND[self.kind], self.choices)
        else:
            self.show()


def _check_arguments(name, kind, choices, items, left, right) -> None:
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"answer: name must be a Python name like 'q1', not {name!r}")  # author error
    if kind not in KINDS:
        raise ValueError(f"answer: kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if kind in ("choice", "names") and not choices:
        raise ValueError(f"answer: a {kind!r} answer needs choices=[...]")
    if kind == "order" and not items:
        raise ValueError("answer: an 'order' answer needs items=[...]")
    if kind == "match" and not (left and right):
        raise ValueError("answer: a 'match' answer needs left=[...] and right=[...]")
    for group in (choices, items, left, right):
        if group is not None and not all(isinstance(option, str) for option in group):
            raise ValueError("answer: choices, items, left and right must be lists of text")


def answer(name, kind, *, label=None, choices=None, items=None, left=None, right=None, unit="", placeholder=""):
    """The answer widget of one graded question (see the module docstring); returns None.

    In a kernel: builds the controls, shows them with their display, and sets `name`. Elsewhere: sets
    `name` to the preloaded answer, or `...` when there is none, and shows nothing.
    """
    _check_arguments(name, kind, choices, items, left, right)
    shell = _shell()
    if not in_kernel(shell):
        _namespace(shell, 1)[name] = _preloaded_or_ellipsis(name)
        return None
    control = Answer(name, kind, label=label or default_label(name), choices=choices, items=items, left=left,
                     right=right, unit=unit, placeholder=placeholder)
    BUILT[name] = control
    control.start()
    return None


# ----------------------------------------------------------------------------- the student id
class StudentId:
    """The student-id box: pre-filled from the hub login, typed otherwise; Enter or a change saves."""

    def __init__(self):
        import ipywidgets as widgets

        value, _typed, self.restored_from = restore(ID_NAME)
        self.hub_user = os.environ.get("JUPYTERHUB_USER", "").strip()
        if not isinstance(value, str) or not value.strip():
            value = self.hub_user if not self.restored_from else ""
            self.restored_from = self.restored_from or ("hub" if value else "")
        self.control = widgets.Text(value=value, description="Your student id", continuous_update=False,
                                    placeholder="Type your student id, then press Enter",
                                    style={"description_width": "initial"},
                                    layout=widgets.Layout(width="min(100%, 30em)"))
        self.status = widgets.HTML(layout=widgets.Layout(width="100%"), _dom_classes=(FORM_LINE_CLASS,))
        self.box = _box_class()([self.control, self.status], layout=widgets.Layout(width="100%"))
        self.box.what = "Your student id (a text box)"
        self.control.observe(lambda _c: self.changed(), names="value")
        self.control.on_msg(lambda _w, content, _b: self.changed() if content.get("event") == "submit" else None)
        self.handle = None
        self.value = None
        self.save_problem = ""

    def read(self):
        text = " ".join(self.control.value.split())
        return text or None

    def show(self, changed: bool) -> None:
        if self.value is None:
            text, state = ID_EMPTY, "none"
        elif changed:
            text, state = ID_CHANGED.format(id=self.value), "recorded"
        elif self.hub_user and self.value == self.hub_user:
            text, state = HUB_NOTE.format(user=self.hub_user), "recorded"
        else:
            text, state = f"Your student id: {self.value}.", "recorded"
        if self.save_problem:
            text += f"\nNot saved in {ANSWERS_FOLDER}: {self.save_problem}. Save the notebook (File › Save Notebook)."
        self.status.value = _status_html(text, state)

    def changed(self) -> None:
        self.value = self.read()
        _namespace(_shell(), 1)[ID_NAME] = ... if self.value is None else self.value
        if self.handle is not None:
            self.handle.update(answers.bundle(ID_NAME, self.value, "the student id"), raw=True)
        self.save_problem = _save(ID_NAME, self.value, None)
        self.show(changed=True)

    def start(self) -> None:
        from IPython.display import display

        self.value = self.read()
        display(self.box)
        self.handle = display(answers.bundle(ID_NAME, self.value, "the student id"), raw=True, display_id=True)
        _namespace(_shell(), 1)[ID_NAME] = ... if self.value is None else self.value
        self.show(changed=False)


def your_id():
    """The student-id cell: a labelled text box (hub login pre-filled); sets `student_id`; returns None."""
    shell = _shell()
    if not in_kernel(shell):
        _namespace(shell, 1)[ID_NAME] = _preloaded_or_ellipsis(ID_NAME)
        return None
    control = StudentId()
    BUILT[ID_NAME] = control
    control.start()
    return None


# ----------------------------------------------------------------------------- written answers
class WrittenAnswer:
    """A text area that saves as the student writes, with a word count and the written check's line."""

    def __init__(self, name: str, label: str, min_words: int, max_words: int):
        import ipywidgets as widgets

        self.name, self.label, self.min_words, self.max_words = name, label, min_words, max_words
        value, _typed, self.restored_from = restore(name)
        self.control = widgets.Textarea(value=value if isinstance(value, str) else "", rows=10,
                                        description=f"Your answer to {label}", continuous_update=True,
                                        placeholder="Write your answer here. It is saved as you write.",
                                        style={"description_width": "initial"}, layout=widgets.Layout(width="98%"))
        self.status = widgets.HTML(layout=widgets.Layout(width="100%"), _dom_classes=(FORM_LINE_CLASS,))
        self.box = _box_class()([self.control, self.status], layout=widgets.Layout(width="100%"))
        self.box.what = f"Your answer to {label} (a text area)"
        self.control.observe(lambda _c: self.changed(), names="value")
        self.handle, self.value, self.save_problem = None, None, ""

    @property
    def words(self) -> int:
        return len((self.value or "").split())  # the count check_written uses

    def show(self) -> None:
        from .. import checks

        buffer = io.StringIO()
        with redirect_stdout(buffer):
            checks.check_written(self.label, self.value if self.value is not None else ...,
                                 min_words=self.min_words)
        n = self.words
        limits = []
        if self.min_words:
            limits.append(f"at least {self.min_words}")
        if self.max_words:
            limits.append(f"at most {self.max_words}")
        text = f"{n} word{'s' if n != 1 else ''}" + (f" ({' and '.join(limits)} asked)" if limits else "") + ". "
        state = "recorded"
        if self.value is None:
            text += f"… {self.label}: not answered yet. Write your answer in the box."
            state = "none"
        elif self.max_words and n > self.max_words:
            over = n - self.max_words
            text += (f"✘ {self.label}: {over} word{'s' if over != 1 else ''} over the limit of {self.max_words}: "
                     "shorten it.")
            state = "problem"
        else:
            line = buffer.getvalue().strip()
            text += line
            state = "problem" if line.startswith("✘") else "recorded"
        if self.save_problem:
            text += (f"\nNot saved in {ANSWERS_FOLDER}: {self.save_problem}. Copy your text somewhere safe and save "
                     "the notebook (File › Save Notebook).")
        self.status.value = _status_html(text, state)

    def changed(self) -> None:
        self.value = self.control.value if self.control.value.strip() else None
        _namespace(_shell(), 1)[self.name] = ... if self.value is None else self.value
        if self.handle is not None:
            self.handle.update(answers.bundle(self.name, self.value, self.label), raw=True)
        self.save_problem = _save(self.name, self.value, None)
        self.show()

    def start(self) -> None:
        from IPython.display import display

        self.value = self.control.value if self.control.value.strip() else None
        display(self.box)
        self.handle = display(answers.bundle(self.name, self.value, self.label), raw=True, display_id=True)
        _namespace(_shell(), 1)[self.name] = ... if self.value is None else self.value
        self.show()


def written_answer(name, min_words=0, max_words=0):
    """A written answer's text area (continuous saving, word count); sets `name` to the text; returns None."""
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"written_answer: name must be a Python name like 'q7', not {name!r}")
    shell = _shell()
    if not in_kernel(shell):
        _namespace(shell, 1)[name] = _preloaded_or_ellipsis(name)
        return None
    control = WrittenAnswer(name, default_label(name), int(min_words or 0), int(max_words or 0))
    BUILT[name] = control
    control.start()
    return None
