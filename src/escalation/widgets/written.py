"""A text area for written practice answers that saves as the student writes (widget stage).

The answer is kept in `my_answers/<notebook>.json` in the student's folder (the notebook's folder, where
the kernel runs), under the exercise's id, so it survives a restart and is reloaded when the cell runs
again. Once the answer has the minimum number of words, "Show the model answer" reveals the model answer
and the rubric as a checklist to tick; the ticks are saved too. Keyboard: Tab reaches the text area, the
button and each tick box; Space ticks.
"""
from __future__ import annotations

import html
import io
import json
import os
from contextlib import redirect_stdout
from pathlib import Path

import ipywidgets as widgets

from .. import checks
from ..evidence import word_count

ANSWERS_FOLDER = "my_answers"


def answers_path(notebook: str, folder: str | os.PathLike | None = None) -> Path:
    """The file holding one notebook's written answers: my_answers/<notebook>.json in `folder` (default: here)."""
    return Path(folder if folder is not None else Path.cwd()) / ANSWERS_FOLDER / f"{notebook}.json"


def load_answers(path: Path) -> dict:
    """The saved answers of a notebook ({} when there are none or the file cannot be read)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_answer(path: Path, exercise_id: str, entry: dict) -> None:
    """Save one exercise's entry, keeping the others; write to a temporary file, then rename (no half files)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = load_answers(path)
    data[exercise_id] = entry
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    partial.replace(path)


CHECKLIST_CLASS = "escalation-checklist"
# a checkbox's label is one line cut with "…" by default; the checklist items wrap and show whole
CHECKLIST_STYLE = (f"<style>.{CHECKLIST_CLASS} .jupyter-widget-checkbox, .{CHECKLIST_CLASS} .widget-checkbox "
                   "{height: auto; line-height: 1.4;} "
                   f".{CHECKLIST_CLASS} .jupyter-widget-label-basic, .{CHECKLIST_CLASS} .widget-label-basic "
                   "{white-space: normal; overflow: visible; text-overflow: clip; line-height: 1.4;}</style>")

class WrittenAnswer(widgets.VBox):
    """Prompt, text area, word count, saved-to line, then (after enough words) model answer and checklist."""

    def __init__(self, practice, path: Path):
        self.practice, self.path = practice, Path(path)
        saved = load_answers(self.path).get(practice.id, {})
        self.min_words = max(1, practice.min_words)
        prompt = widgets.HTML(f"<p><strong>{html.escape(practice.title or practice.label)}.</strong> "
                              f"{html.escape(practice.prompt)}</p>")
        self.text = widgets.Textarea(value=str(saved.get("text", "")), placeholder="Write your answer here.",
                                     description="Your answer", style={"description_width": "initial"},
                                     rows=8, layout=widgets.Layout(width="98%"))
        self.status = widgets.HTML()
        self.reveal_button = widgets.Button(description="Show the model answer and checklist",
                                            layout=widgets.Layout(width="auto"),
                                            tooltip=f"Available after {self.min_words} words")
        self.reveal_button.on_click(lambda _b: self.reveal())
        self.model = widgets.HTML()
        ticked = saved.get("checked", [])
        self.checklist = [widgets.Checkbox(value=i in ticked, description=item, indent=False,
                                           layout=widgets.Layout(width="100%", height="auto"))
                          for i, item in enumerate(practice.rubric)]
        self.checklist_box = widgets.VBox(layout=widgets.Layout(display="none"))
        self.checklist_box.add_class(CHECKLIST_CLASS)
        self.checklist_box.children = [widgets.HTML(CHECKLIST_STYLE + "<strong>Checklist: tick what your answer "
                                                    "does.</strong>"), *self.checklist]
        self.revealed = False
        super().__init__([prompt, self.text, self.status, self.reveal_button, self.model, self.checklist_box],
                         layout=widgets.Layout(width="100%"))
        self.text.observe(self._on_text, names="value")
        for box in self.checklist:
            box.observe(lambda _change: self.save(), names="value")
        self._show_status(saved_now=False)
        self.record()
        if saved.get("revealed") and self.words >= self.min_words:
            self.reveal()

    @property
    def words(self) -> int:
        return word_count(self.text.value)

    @property
    def value(self) -> str:
        return self.text.value

    def _on_text(self, _change=None) -> None:
        self.save()

    def record(self) -> None:
        """Record the answer's state for the progress summary (quietly: the status line says it)."""
        buffer = io.StringIO()
        with redirect_stdout(buffer):
            checks.check_written(self.practice.label, self.text.value or ..., min_words=self.min_words)

    def _show_status(self, *, saved_now: bool, problem: str = "") -> None:
        words, needed = self.words, self.min_words
        self.reveal_button.disabled = words < needed
        parts = [f"{words} word{'s' if words != 1 else ''}"]
        if words < needed:
            parts.append(f"the model answer and checklist open at {needed} words")
        if problem:
            parts.append(f"not saved: {problem}. Copy your text somewhere safe")
        elif saved_now or self.path.exists():
            parts.append(f"saved in {ANSWERS_FOLDER}/{self.path.name}")
        self.status.value = f'<div role="status">{html.escape("; ".join(parts))}.</div>'

    def save(self) -> bool:
        """Save the text and ticks; an unwritable folder gives a message and keeps the text in the box."""
        entry = {"text": self.text.value, "checked": [i for i, b in enumerate(self.checklist) if b.value],
                 "revealed": self.revealed, "words": self.words}
        try:
            save_answer(self.path, self.practice.id, entry)
        except OSError as problem:
            self._show_status(saved_now=False, problem=problem.strerror or str(problem))
            return False
        self._show_status(saved_now=True)
        self.record()
        return True

    def reveal(self) -> bool:
        """Show the model answer and the checklist (only once the answer has enough words)."""
        if self.words < self.min_words:
            self._show_status(saved_now=False)
            return False
        self.revealed = True
        self.model.value = ('<div style="border-left: 4px solid #0072B2; padding: 4px 8px;">'
                            "<strong>A model answer</strong> (one good answer among many; compare, do not copy):"
                            f"<p>{html.escape(self.practice.model_answer)}</p></div>")
        self.checklist_box.layout.display = "flex"
        self.reveal_button.layout.display = "none"
        return True

    def __repr__(self) -> str:
        return f"{self.practice.title or self.practice.label} (a text area for your answer: run the cell to use it)"


def static_html(practice) -> str:
    """The prompt with space to write, for print and the reading edition (no model answer)."""
    return (f"<div><p><strong>{html.escape(practice.title or practice.label)}.</strong> "
            f"{html.escape(practice.prompt)}</p>"
            '<div style="border: 1px solid #888; min-height: 10em;"></div>'
            f"<p><em>Interactive in JupyterLab: a text area that saves your answer and then shows a model "
            f"answer and a checklist. Open notebook {html.escape(practice.notebook[:2])} to use it.</em></p></div>")


def written_answer(practice, folder=None):
    """The written-answer widget of an exercise (a static prompt when ESCALATION_STATIC_WIDGETS=1)."""
    if os.environ.get("ESCALATION_STATIC_WIDGETS") == "1":
        from IPython.display import HTML

        return HTML(static_html(practice))
    return WrittenAnswer(practice, answers_path(practice.notebook, folder))
