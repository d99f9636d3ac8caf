"""The common shape of every explorer widget: controls, a display area, a result and a message."""
from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as widgets

from ..errors import EscalationError

MESSAGE_STYLES = {
    "info": "border-left: 4px solid #0072B2; padding: 4px 8px;",
    "warning": "border-left: 4px solid #E69F00; padding: 4px 8px;",
}


def message_html(text: str, kind: str = "info") -> str:
    """HTML for a plain-language message, with a text label so colour is not the only cue."""
    label = {"info": "Note", "warning": "Check your input"}[kind]
    return (f'<div role="status" style="{MESSAGE_STYLES[kind]}"><strong>{label}:</strong> '
            f"{html.escape(text)}</div>")


class Explorer(widgets.VBox):
    """A box of controls above a display; `update` recomputes on every control change.

    `compute(**values)` is a plain function of the package that returns (html, result). It may raise an
    EscalationError (or ValueError), whose message is shown to the student instead of a traceback.
    """

    def __init__(self, controls: dict[str, widgets.Widget], compute: Callable, *, title: str = "",
                 extra: list[widgets.Widget] | None = None):
        self.controls = controls
        self.compute = compute
        self.title = title
        self.display_area = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.result = None
        self.message = ""
        header = [widgets.HTML(f"<h4>{html.escape(title)}</h4>")] if title else []
        super().__init__(header + list(controls.values()) + (extra or []) + [self.display_area])
        for control in controls.values():
            control.observe(self.update, names="value")
        self.update()

    def __repr__(self) -> str:
        # Shown where the widget cannot be drawn (a saved notebook not yet run, a plain-text viewer).
        return f"{self.title or 'Explorer'} (an interactive widget: run the cell to use it)"

    def values(self) -> dict:
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def update(self, _change=None) -> None:
        """Recompute from the controls' values; show the result or a clear message."""
        try:
            shown, self.result = self.compute(**self.values())
            self.message = ""
        except (EscalationError, ValueError) as exc:
            self.result = None
            self.message = str(exc)
            shown = message_html(self.message, "warning")
        self.display_area.value = shown
