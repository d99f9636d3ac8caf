"""The common shape of every explorer widget: controls, a display area, a result and a message.

Also the static view of any widget (contract C5): with the environment variable
ESCALATION_STATIC_WIDGETS=1 set in the kernel, displaying one of the module's widgets shows a static
picture of its default state (its HTML, with images inline) and the caption "Interactive in JupyterLab:
<what it does>. Open notebook NN to use it." instead of the live widget, for the reading edition and PDFs.
A widget class takes part by inheriting `StaticWhenPrinted` (Explorer does); anything else can be shown
statically with `static_view(widget_or_html, caption)`.
"""
from __future__ import annotations

import base64
import datetime as dt
import html
import os
import re
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


DATE_FORMAT = "YYYY-MM-DD"
DATE_EXAMPLE = "2024-07-17"


def date_box(description: str, tooltip: str) -> widgets.Text:
    """A text box for an ISO date (year-month-day), which shows the expected form; empty means "no date".

    A text box, not the browser's date picker: that one shows the form of the browser's locale
    (mm/dd/yyyy), so a typed 2024-07-17 became 02/02/40717."""
    return widgets.Text(value="", description=description, placeholder=f"{DATE_FORMAT} ({DATE_EXAMPLE})",
                        tooltip=tooltip, continuous_update=False, style={"description_width": "initial"},
                        layout=widgets.Layout(width="min(100%, 28em)"))


def parse_date(text, field: str = "As of") -> dt.date | None:
    """The date typed in a `date_box` (None when empty); an EscalationError naming the date otherwise."""
    if text is None or isinstance(text, dt.date):
        return text
    typed = str(text).strip()
    if not typed:
        return None
    problem = None
    if not re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", typed):
        problem = "is not written as year-month-day"
    else:
        year, month, day = (int(part) for part in typed.split("-"))
        try:
            value = dt.date(year, month, day)
        except ValueError:
            problem = "is not a day of the calendar"
        else:
            if not 1900 <= year <= 2100:
                problem = "has a year out of range"
            else:
                return value
    raise EscalationError(f"{field}: '{typed}' {problem}. Type the date as {DATE_FORMAT} (year-month-day), for "
                          f"example {DATE_EXAMPLE}, or clear the box to see everything.")


STATIC_ENV = "ESCALATION_STATIC_WIDGETS"

# Purposes and notebooks of widgets built by modules that do not pass them (matched by title prefix).
KNOWN_WIDGETS = [
    ("Timeline of the debate", "filter the events by date, country, type and actor, and read each event's card", "03"),
    ("Aid explorer", "switch between measures and types of aid to compare the Kiel Institute's releases", "02"),
    ("Place each event in one of Kahn", "place events on Kahn's escalation ladder and compare with the reference",
     "03"),
]


def static_mode() -> bool:
    """True when the kernel was started with ESCALATION_STATIC_WIDGETS set (to anything but 0/false/no)."""
    return os.environ.get(STATIC_ENV, "").strip().lower() not in ("", "0", "false", "no")


def static_caption(purpose: str, notebook: str = "") -> str:
    """The caption under a static widget: what it does and which notebook to open to use it."""
    purpose = purpose.strip().rstrip(".") or "this widget responds to your choices"
    where = f"Open notebook {notebook} to use it." if notebook else "Open its notebook in JupyterLab to use it."
    return f"Interactive in JupyterLab: {purpose}. {where}"


def _figure_html(fig) -> str:
    from ..plotting import alt_text, figure_png

    data = base64.b64encode(figure_png(fig)).decode("ascii")
    return (f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt_text(fig), quote=True)}" '
            'style="max-width:100%">')


def snapshot_html(widget) -> str:
    """HTML of a widget's current state: its HTML parts in order, and each control's setting in words."""
    parts: list[str] = []
    settings: list[str] = []

    def walk(item):
        if isinstance(item, (widgets.HTML, widgets.HTMLMath)):
            if item.value:
                parts.append(item.value)
        elif isinstance(item, widgets.Box):
            for child in item.children:
                walk(child)
        elif isinstance(item, (widgets.Button, widgets.Output)):
            return
        elif hasattr(item, "value") and getattr(item, "description", ""):
            value = getattr(item, "label", None) if hasattr(item, "options") else item.value
            if isinstance(value, (list, tuple)):
                value = ", ".join(str(v) for v in value) or "(none)"
            elif isinstance(value, bool):
                value = "ticked" if value else "not ticked"
            settings.append(f"<li>{html.escape(str(item.description))}: {html.escape(str(value)) or '(empty)'}</li>")

    walk(widget)
    shown = "".join(parts)
    if settings:
        shown = f"<p>Settings shown:</p><ul>{''.join(settings)}</ul>" + shown
    return shown


class StaticView:
    """A static stand-in for a widget: its HTML and a caption; displays as HTML (text: the caption)."""

    def __init__(self, body_html: str, caption: str):
        self.body_html = body_html
        self.caption = caption

    def _repr_html_(self) -> str:
        return (f'<figure class="escalation-static-widget" style="margin:0; border:1px solid #999; padding:8px">'
                f"{self.body_html}<figcaption style=\"font-style:italic; margin-top:6px\">"
                f"{html.escape(self.caption)}</figcaption></figure>")

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self._repr_html_(), "text/plain": self.caption}

    def __repr__(self) -> str:
        return self.caption


def static_view(content, caption: str) -> StaticView:
    """A static view of a widget (its current state), an HTML string, a matplotlib figure or PNG bytes.

    `caption` is the full caption, usually `static_caption(purpose, notebook)`.
    """
    if isinstance(content, str):
        body = content
    elif isinstance(content, (bytes, bytearray)):
        body = (f'<img src="data:image/png;base64,{base64.b64encode(bytes(content)).decode("ascii")}" '
                f'alt="{html.escape(caption, quote=True)}" style="max-width:100%">')
    elif hasattr(content, "savefig"):
        body = _figure_html(content)
    elif hasattr(content, "static_body"):
        body = content.static_body()
    else:
        body = snapshot_html(content)
    return StaticView(body, caption)


class StaticWhenPrinted:
    """Mixin for widgets: in static mode (ESCALATION_STATIC_WIDGETS=1) display a `StaticView` instead.

    A class sets `static_purpose` and `static_notebook` (or gives them per instance) and may define
    `static_body()` returning HTML for the static view (default: `snapshot_html` of the widget).
    """

    static_purpose = ""
    static_notebook = ""

    def static_caption(self) -> str:
        purpose, notebook = self.static_purpose, self.static_notebook
        if not purpose:
            title = getattr(self, "title", "") or ""
            for prefix, known_purpose, known_notebook in KNOWN_WIDGETS:
                if title.startswith(prefix):
                    purpose, notebook = known_purpose, notebook or known_notebook
                    break
        return static_caption(purpose or getattr(self, "title", "") or "", notebook)

    def static_body(self) -> str:
        return snapshot_html(self)

    def _repr_mimebundle_(self, **kwargs):
        if static_mode():
            return static_view(self.static_body(), self.static_caption())._repr_mimebundle_()
        return super()._repr_mimebundle_(**kwargs)


class Explorer(StaticWhenPrinted, widgets.VBox):
    """A box of controls above a display; `update` recomputes on every control change.

    `compute(**values)` is a plain function of the package that returns (html, result). It may raise an
    EscalationError (or ValueError), whose message is shown to the student instead of a traceback.
    """

    def __init__(self, controls: dict[str, widgets.Widget], compute: Callable, *, title: str = "",
                 extra: list[widgets.Widget] | None = None, purpose: str = "", notebook: str = "",
                 static_body: Callable[[], str] | None = None):
        self.static_purpose = purpose
        self.static_notebook = notebook
        self._static_body = static_body
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

    def static_body(self) -> str:
        """HTML of the default state for static mode: the given function's, or the title, settings and display."""
        if self._static_body is not None:
            return self._static_body()
        return snapshot_html(self)

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
