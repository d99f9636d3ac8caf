"""Answer widgets for practice exercises: choose, type or tick an answer and press Check (widget stage).

No code and no quotation marks: a choice is a set of radio buttons, a short text a text box, a list a set
of tick boxes. The feedback is the check's own message, shown under the widget (role "status", so a
screen reader announces it). Keyboard: Tab reaches each control, Space selects the focused radio button or
ticks a box (inside JupyterLab the arrow keys move between cells, not between radio buttons), Enter in the text box (even an empty one) or on the button checks. An empty answer gets
the widget's own instruction ("Type your answer in the box…"), never the answer cells' "Replace the ...".
A check that finds several mistakes (options ticked wrongly, right ones left out) gives one line for each;
the widget shows them as a list under the check's first line.
"""
from __future__ import annotations

import html
import os
from collections.abc import Callable

import ipywidgets as widgets

FEEDBACK_STYLE = "border-left: 4px solid {colour}; padding: 4px 8px; white-space: pre-wrap;"
LIST_STYLE = "margin: 4px 0 0 0; padding-left: 1.4em; white-space: normal;"
BULLET = "•"
COLOURS = {True: "#009E73", False: "#D55E00", None: "#0072B2"}  # Okabe–Ito; the text also says it
EMPTY = {"choice": "Choose one of the options, then press Check.",
         "set": "Tick every option that applies, then press Check."}
EMPTY_TEXT = "Type your answer in the box, then press Enter or Check."


class AnswerWidget(widgets.VBox):
    """A prompt, an answer control, a Check button and the feedback of the last check."""

    def __init__(self, practice, check: Callable):
        self.practice, self._check = practice, check
        self.outcome, self.message, self._checked = None, "", object()
        prompt = widgets.HTML(f"<p><strong>{html.escape(practice.label)}.</strong> "
                              f"{html.escape(practice.prompt)}</p>")
        self.control, extra = self._make_control()
        self.check_button = widgets.Button(description="Check", button_style="primary",
                                           tooltip=f"Check your answer to {practice.label}")
        self.check_button.on_click(lambda _button: self.run_check())
        self.feedback = widgets.HTML(layout=widgets.Layout(width="100%"))
        super().__init__([prompt, self.control, *extra, self.check_button, self.feedback],
                         layout=widgets.Layout(width="100%"))
        self._check(practice.id, ...)  # recorded as "not answered yet" until the student checks

    def _make_control(self):
        practice = self.practice
        if practice.kind == "choice":
            control = widgets.RadioButtons(options=practice.choice_list(), value=None,
                                           description="Your answer", style={"description_width": "initial"})
            return control, []
        if practice.kind == "set":
            self.boxes = [widgets.Checkbox(value=False, description=str(option), indent=False)
                          for option in practice.choice_list()]
            note = widgets.HTML("<em>Tick every option that applies.</em>")
            return widgets.VBox([note, *self.boxes]), []
        control = widgets.Text(placeholder="Type your answer, then press Enter or Check",
                               description="Your answer", continuous_update=False,
                               style={"description_width": "initial"},
                               layout=widgets.Layout(width="min(100%, 36em)"))
        control.observe(lambda change: self.run_check() if change["new"].strip() else None, names="value")
        control.on_msg(self._on_submit)  # Enter sends "submit", also when the box is empty (no value change)
        return control, []

    def _on_submit(self, _control, content, _buffers) -> None:
        if content.get("event") == "submit" and (self.value is None or self.value != self._checked):
            self.run_check()

    @property
    def value(self):
        """The answer as given: text, the chosen option, or the list of ticked options (None: none yet)."""
        if self.practice.kind == "set":
            ticked = [box.description for box in self.boxes if box.value]
            return ticked or None
        value = self.control.value
        return value if value not in ("", None) else None

    def run_check(self) -> None:
        """Check the current answer and show the feedback."""
        value = self._checked = self.value
        self.outcome, self.message = self._check(self.practice.id, ... if value is None else value)
        if value is None:  # recorded as not answered; the words are the widget's own
            self.message = (f"… {self.practice.label}: not answered yet. "
                            + EMPTY.get(self.practice.kind, EMPTY_TEXT))
        colour = COLOURS.get(self.outcome, COLOURS[None])
        self.feedback.value = (f'<div role="status" style="{FEEDBACK_STYLE.format(colour=colour)}">'
                               f"{feedback_html(self.message)}</div>")

    def __repr__(self) -> str:
        return f"{self.practice.label} (an answer widget: run the cell to use it)"


def feedback_html(message: str) -> str:
    """A check's feedback as HTML: its lines escaped, the lines that start with "•" as a list."""
    text, items = [], []
    for line in message.splitlines():
        stripped = line.strip()
        if stripped.startswith(BULLET):
            items.append(f"<li>{html.escape(stripped[len(BULLET):].strip())}</li>")
        elif stripped:
            text.append(html.escape(stripped))
    shown = "\n".join(text)
    if items:
        shown += f'<ul style="{LIST_STYLE}">' + "".join(items) + "</ul>"
    return shown


def answer_widget(practice, check: Callable):
    """The answer widget of one practice exercise (a static prompt when widgets are shown as pictures)."""
    if os.environ.get("ESCALATION_STATIC_WIDGETS") == "1":
        from IPython.display import HTML

        options = "".join(f"<li>{html.escape(str(o))}</li>" for o in practice.choice_list())
        return HTML(f"<div><p><strong>{html.escape(practice.label)}.</strong> {html.escape(practice.prompt)}</p>"
                    + (f"<ul>{options}</ul>" if options else "<p>Answer: ____________________</p>")
                    + "<p><em>Interactive in JupyterLab: an answer widget with a Check button. Open notebook "
                    + f"{html.escape(practice.notebook[:2])} to use it.</em></p></div>")
    return AnswerWidget(practice, check)
