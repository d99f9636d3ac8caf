"""The evidence-board widget: add, edit and remove rows; every change saved in the student's own file.

Nothing is lost: the widget keeps the board in `my_work/evidence_board.csv` (next to the notebooks; a
stable name, never a temporary folder). When the widget is built and that file exists, the saved board
is loaded back, so re-running the cell (or Run All) never replaces a student's rows with the starter rows;
after each added, replaced or removed row the file is saved again. A demonstration board (`demo=True`)
lives in memory only: it never reads or writes a file, so a notebook's demonstration cannot touch the
student's board. Row numbers out of range are refused with a message, never clamped to the last row.

Thin: every button calls a function of `escalation.evidence` and shows the new board, or the function's
plain-language message when the input cannot be used. The board itself is on `.board` (a DataFrame) and
the last message on `.message`, so tests and notebooks can drive the widget as a student's clicks do.
Like `Explorer`, it has a title, controls, a `display_area` and a `message`; unlike it, its state (the
board) changes with each action rather than being recomputed from the controls.
"""
from __future__ import annotations

import html

import ipywidgets as widgets
import pandas as pd

from .. import evidence
from ..errors import EscalationError
from .base import StaticWhenPrinted, message_html, static_mode

FIELD_STYLE = {"description_width": "initial"}
BUTTON_LAYOUT = {"width": "auto"}


def board_html(board: pd.DataFrame) -> str:
    """The board as an accessible HTML table (header cells, row numbers as row headers)."""
    if board.empty:
        return "<p>The board is empty. Fill in the fields above and press <em>Add row</em>.</p>"
    cell = "text-align:left; vertical-align:top; padding:4px 8px; border-bottom:1px solid #ddd;"
    head = "".join(f'<th scope="col" style="{cell}">{html.escape(c)}</th>' for c in ["row"] + evidence.COLUMNS)
    body = "".join(
        f'<tr><th scope="row" style="{cell}">{i}</th>'
        + "".join(f'<td style="{cell}">{html.escape(str(row[c]))}</td>' for c in evidence.COLUMNS)
        + "</tr>" for i, row in enumerate(board.to_dict("records")))
    return ('<div style="overflow-x:auto"><table style="border-collapse:collapse; font-size:14px; '
            'word-break:normal; overflow-wrap:break-word">'
            f'<caption style="text-align:left">Evidence board: {len(board)} row(s)</caption><thead><tr>{head}</tr>'
            f"</thead><tbody>{body}</tbody></table></div>")


def preview_html(values: dict) -> str:
    """A line about the row being typed: what is still missing, or that it is ready to add."""
    missing = [name for name in evidence.REQUIRED if not str(values.get(name) or "").strip()]
    state = ("still to fill in: " + ", ".join(missing)) if missing else "ready: press <em>Add row</em>"
    return (f'<p role="status"><strong>Row being typed</strong> (confidence: '
            f"{html.escape(str(values.get('confidence', '')))}) — {state}.</p>")


class EvidenceBoardWidget(StaticWhenPrinted, widgets.VBox):
    """Fields for one row, buttons to add/update/remove it, a file name, and Save/Load buttons."""

    static_purpose = ("add, change and remove claims with who makes them, the evidence, the source and your "
                      "confidence; the board is saved in your own folder")
    static_notebook = "05"

    def __init__(self, board: pd.DataFrame | None = None, path: str = evidence.DEFAULT_PATH,
                 title: str = "Evidence board", *, demo: bool = False):
        self.board = evidence.new_board() if board is None else board[evidence.COLUMNS].reset_index(drop=True)
        self.message = ""
        self.saved_to = None
        if demo:
            title += " (demonstration: kept in memory, never saved to a file)"
        self.title = title
        self.demo = demo
        # a static (printed) run neither loads nor saves the student's own board; explicit saves still work
        static = static_mode()
        self.saved_text = None          # a demonstration board's "file", kept in memory
        self.own_file = None if (demo or static) else evidence.resolve_path(path)
        self._quiet = False
        self.fields = {
            name: widgets.Textarea(description=name.capitalize(), placeholder=evidence.DESCRIPTIONS[name],
                                   style=FIELD_STYLE, layout=widgets.Layout(width="95%", height="3em"))
            if name in ("claim", "evidence") else
            widgets.Text(description=name.capitalize(), placeholder=evidence.DESCRIPTIONS[name],
                         style=FIELD_STYLE, layout=widgets.Layout(width="95%"))
            for name in ("claim", "who", "evidence", "source")
        }
        self.fields["confidence"] = widgets.Dropdown(options=evidence.CONFIDENCE, value="medium",
                                                     description="Confidence", style=FIELD_STYLE)
        self.row = widgets.IntText(value=0, description="Row number (to edit or remove)", style=FIELD_STYLE)
        self.add_button = widgets.Button(description="Add row", layout=widgets.Layout(**BUTTON_LAYOUT), tooltip="Add the fields above as a new row",
                                         icon="plus")
        self.update_button = widgets.Button(description="Replace row", layout=widgets.Layout(**BUTTON_LAYOUT), icon="pencil",
                                            tooltip="Replace the chosen row with the fields above")
        self.pick_button = widgets.Button(description="Copy row to fields", layout=widgets.Layout(**BUTTON_LAYOUT), icon="arrow-up",
                                          tooltip="Fill the fields with the chosen row, to edit it")
        self.remove_button = widgets.Button(description="Remove row", layout=widgets.Layout(**BUTTON_LAYOUT), icon="trash",
                                            tooltip="Remove the chosen row from the board")
        self.path = widgets.Text(value="" if demo else str(path), description="File name (.csv)",
                                 style=FIELD_STYLE, layout=widgets.Layout(width="95%"),
                                 disabled=demo, placeholder="(a demonstration board is not saved)" if demo else "")
        self.overwrite = widgets.Checkbox(value=False, description="Overwrite the file if it exists",
                                          style=FIELD_STYLE)
        self.save_button = widgets.Button(description="Save", layout=widgets.Layout(**BUTTON_LAYOUT), icon="save", tooltip="Save the board to the file")
        self.load_button = widgets.Button(description="Load", layout=widgets.Layout(**BUTTON_LAYOUT), icon="folder-open",
                                          tooltip="Load a board from the file (replaces the board shown)")
        self.status = widgets.HTML()
        self.display_area = widgets.HTML(layout=widgets.Layout(width="100%"))
        for field in self.fields.values():
            field.observe(lambda _change: None if self._quiet else self.redraw(), names="value")
        self.add_button.on_click(lambda _b: self.add())
        self.update_button.on_click(lambda _b: self.update_row())
        self.pick_button.on_click(lambda _b: self.pick())
        self.remove_button.on_click(lambda _b: self.remove())
        self.save_button.on_click(lambda _b: self.save())
        self.load_button.on_click(lambda _b: self.load())
        super().__init__([
            widgets.HTML(f"<h4>{html.escape(title)}</h4>"),
            *self.fields.values(),
            widgets.HBox([self.add_button]),
            widgets.HBox([self.row, self.pick_button, self.update_button, self.remove_button]),
            self.path, widgets.HBox([self.overwrite, self.save_button, self.load_button]),
            self.status, self.display_area,
        ])
        self.refresh()
        if not (demo or static):
            self.restore()

    def restore(self) -> None:
        """Load the student's saved board if its file exists (so a re-run never loses rows)."""
        if not self.own_file.exists():
            self.refresh(f"Your board will be saved in {self.own_file} after each change.")
            return
        try:
            self.board = evidence.load_board(self.own_file)
        except EscalationError as exc:
            self.own_file = None
            self.refresh(f"Your saved board could not be read, so it is left untouched and nothing will be saved "
                         f"over it: {exc} Fix the file, or type another file name and press Save.", "warning")
            return
        self.refresh(f"Welcome back: your saved board ({len(self.board)} row(s)) was loaded from {self.path.value}. "
                     "Changes are saved there automatically.")

    def autosave(self) -> str:
        """Save the board in the student's own file after a change; return what to tell the student."""
        if self.demo:
            return " (Demonstration board: kept in memory only.)"
        if self.own_file is None:
            return " Not saved automatically: press Save to keep it."
        evidence.save_board(self.board, self.own_file, overwrite=True)
        self.saved_to = self.own_file
        return f" Saved automatically in {self.own_file}."

    def static_body(self) -> str:
        """The static view: the title, the columns explained and the board as a table."""
        columns = "".join(f"<li><strong>{html.escape(n)}</strong>: {html.escape(d)}</li>"
                          for n, d in evidence.DESCRIPTIONS.items())
        return (f"<h4>{html.escape(self.title)}</h4><p>Each row has:</p><ul>{columns}</ul>"
                + board_html(self.board))

    def values(self) -> dict:
        """The current field values, by column."""
        return {name: field.value for name, field in self.fields.items()}

    def redraw(self) -> None:
        """Show the row being typed and the board."""
        self.display_area.value = preview_html(self.values()) + board_html(self.board)

    def refresh(self, message: str = "", kind: str = "info") -> None:
        """Redraw the table and show a message."""
        self.redraw()
        self.message = message
        self.status.value = message_html(message, kind) if message else ""

    def act(self, action, done) -> bool:
        """Run one action, then show `done` (text, or a function giving it) or the error's message."""
        try:
            action()
            message = done() if callable(done) else done
        except (EscalationError, ValueError) as exc:
            self.refresh(str(exc), "warning")
            return False
        self.refresh(message)
        return True

    def set_fields(self, values: dict) -> None:
        """Fill the fields without redrawing after each one (the caller redraws once)."""
        self._quiet = True
        try:
            for name, value in values.items():
                self.fields[name].value = value
        finally:
            self._quiet = False

    def clear_fields(self) -> None:
        self.set_fields({name: "" for name in ("claim", "who", "evidence", "source")})

    def add(self) -> bool:
        """Add the fields as a new row (then clear them)."""
        def action():
            self.board = evidence.add_row(self.board, **self.values())
            self.clear_fields()
        return self.act(action, lambda: "Row added." + self.autosave())

    def update_row(self) -> bool:
        """Replace the chosen row with the fields."""
        def action():
            self.board = evidence.edit_row(self.board, self.row.value, **self.values())
        return self.act(action, lambda: f"Row {self.row.value} replaced." + self.autosave())

    def pick(self) -> bool:
        """Copy the chosen row into the fields, ready to edit."""
        def action():
            index = evidence.check_index(self.board, self.row.value)
            self.set_fields({name: str(self.board.iloc[index][name]) for name in self.fields})
        return self.act(action, f"Row {self.row.value} copied to the fields: change them and press Replace row.")

    def remove(self) -> bool:
        """Remove the chosen row."""
        removed = self.row.value

        def action():
            self.board = evidence.remove_row(self.board, removed)
        return self.act(action, lambda: f"Row {removed} removed; the rows after it moved up." + self.autosave())

    def save(self) -> bool:
        """Save to the file named; another existing file is kept unless 'Overwrite' is ticked.

        The widget's own file (where it saves automatically) is always brought up to date. A file saved
        under a new name becomes the widget's own file from then on.
        """
        if self.demo:
            def action():
                self.saved_text = evidence.board_to_csv(self.board)
            return self.act(action, lambda: f"Demonstration: {len(self.board)} row(s) kept in memory only; "
                                            "nothing was written to a file, and your own board is untouched.")

        def action():
            target = evidence.resolve_path(self.path.value)
            own = self.own_file is not None and target.resolve() == self.own_file.resolve()
            target = evidence.save_board(self.board, target, overwrite=self.overwrite.value or own)
            self.overwrite.value = False
            self.saved_to = self.own_file = target
        return self.act(action, lambda: f"Saved {len(self.board)} row(s) to {self.saved_to.name}.")

    def load(self) -> bool:
        """Load the board from the file named (the board shown is replaced); that file becomes the widget's own."""
        if self.demo:
            def action():
                if self.saved_text is None:
                    raise EscalationError("Nothing saved yet in this demonstration: press Save first.")
                self.board = evidence.parse_board(self.saved_text, "the demonstration board")
            return self.act(action, lambda: f"Demonstration: {len(self.board)} row(s) loaded back from memory.")

        def action():
            self.board = evidence.load_board(self.path.value)
            self.own_file = evidence.resolve_path(self.path.value)
        return self.act(action, lambda: f"Loaded {len(self.board)} row(s) from {evidence.resolve_path(self.path.value).name}.")


def evidence_board(board: pd.DataFrame | None = None, path: str = evidence.DEFAULT_PATH, *,
                   demo: bool = False) -> EvidenceBoardWidget:
    """Build the evidence-board widget.

    The student's board lives in `path` (default `my_work/evidence_board.csv`): a saved board is loaded
    back, and `board` (starter rows) is used only when there is no saved file yet. `demo=True` builds a
    board kept in memory only, for demonstrations that must not touch the student's file.
    """
    return EvidenceBoardWidget(board, path, demo=demo)


def demo_board(board: pd.DataFrame | None = None) -> EvidenceBoardWidget:
    """A demonstration evidence board: in memory only, it never reads or writes the student's file."""
    return EvidenceBoardWidget(board, demo=True, title="Evidence board")
