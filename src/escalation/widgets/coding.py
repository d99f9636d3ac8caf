"""The coding widget: give each sentence of an article a code, save and reload codings, compare two.

Thin by design: every button calls a function of `escalation.coding` or `escalation.agreement`, which
the tests call too. The codes are chosen with radio buttons (mouse, or Tab and Space; inside JupyterLab the
arrow keys move between cells) or by typing a code's number in the quick-entry box and pressing Enter (which also moves on to the next sentence);
Previous / Next buttons (Tab to them, Enter or Space to press) move between sentences. Saving never replaces an existing file unless "Overwrite" is ticked.
"""
from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import ipywidgets as widgets

from .. import agreement
from .. import coding as codinglib
from ..corpus import Article, get_article, load_articles
from ..errors import EscalationError
from .base import Explorer, StaticWhenPrinted, message_html, static_mode

WIDE = {"description_width": "initial"}


def figure_html(fig) -> str:
    """A figure as an inline PNG with its text alternative in `alt` (and as a caption)."""
    from ..plotting import alt_text

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    alt = html.escape(alt_text(fig))
    return f'<figure><img src="data:image/png;base64,{data}" alt="{alt}"><figcaption>{alt}</figcaption></figure>'


def comparison_html(result: agreement.Comparison, names: tuple[str, str], fig=None) -> str:
    """The agreement figures, notes, disagreements and (optionally) the confusion matrix as HTML."""
    rows = "".join(f"<tr><th style='text-align:left'>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
                   for k, v in result.summary().items())
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in result.notes)
    dis = result.disagreements
    if dis.empty:
        dis_html = "<p>No sentence got two different codes.</p>"
    else:
        body = "".join(f"<tr><td>{html.escape(r[0])}</td><td>{html.escape(r[1])}</td><td>{html.escape(r[2])}</td>"
                       f"<td>{html.escape(r[3])}</td></tr>" for r in dis.itertuples(index=False))
        dis_html = (f"<table><thead><tr><th>sentence</th><th>{html.escape(names[0])}</th><th>{html.escape(names[1])}</th>"
                    f"<th>text</th></tr></thead><tbody>{body}</tbody></table>")
    return (f"<h4>{html.escape(names[0])} compared with {html.escape(names[1])}</h4><table>{rows}</table>"
            + (f"<ul>{notes}</ul>" if notes else "")
            + "<p><em>Reading these figures:</em> " + " ".join(html.escape(c) for c in result.caveats) + "</p>"
            + f"<h4>Disagreements ({len(dis)})</h4>{dis_html}" + (figure_html(fig) if fig is not None else ""))


def compare_files(path_a: str, path_b: str, article_id: str, *, plot: bool = True):
    """Load two coding files (or "reference") for one article and compare them: (html, Comparison)."""
    article = get_article(article_id)
    scheme = codinglib.load_scheme()
    if not str(path_a).strip() or not str(path_b).strip():
        raise EscalationError("Type two file names to compare (or 'reference' for the module's coding).")
    a = codinglib.load_coding(path_a.strip(), article, scheme)
    b = codinglib.load_coding(path_b.strip(), article, scheme)
    names = (_label(path_a, a), _label(path_b, b))
    if names[0] == names[1]:
        names = (names[0] + " (1)", names[1] + " (2)")
    result = agreement.compare(a, b, codinglib.scheme_codes(scheme), names=names)
    fig = None
    if plot:
        import matplotlib.pyplot as plt

        fig = agreement.plot_confusion(result.matrix)
        plt.close(fig)
    result.figure = fig
    return comparison_html(result, names, fig), result


def _label(path: str, table) -> str:
    coders = sorted(set(table["coder"]) - {""})
    return coders[0] if len(coders) == 1 else Path(str(path)).stem


class CodingWidget(StaticWhenPrinted, widgets.VBox):
    """Code the sentences of one article, one at a time or as a list; save, reload, compare."""

    static_purpose = ("give each sentence of an article one of Entman's framing codes, save your codes and "
                      "compare them with the reference coding")
    static_notebook = "04"

    def __init__(self, article: Article | None = None, *, coder: str = "student", folder: str | Path = "my_codings",
                 articles: list[Article] | None = None, demo: bool = False):
        self.articles = articles if articles is not None else load_articles()
        self.demo = demo
        # a static (printed) run neither loads nor saves automatically; explicit saves still work
        self.quiet_files = demo or static_mode()
        self.blocked: Path | None = None       # a damaged saved file: never saved over automatically
        self.scheme = codinglib.load_scheme()
        self.folder = Path(folder)
        article = article or self.articles[0]
        self.article_choice = widgets.Dropdown(options=[(a.label, a.id) for a in self.articles], value=article.id,
                                               description="Article", style=WIDE, layout=widgets.Layout(width="95%"))
        self.coder_box = widgets.Text(value=coder, description="Your name (saved in the file)", style=WIDE,
                                      continuous_update=False)
        self.view = widgets.ToggleButtons(options=[("One sentence at a time", "one"), ("All sentences as a list", "list")],
                                          value="one", description="Show",
                                          style={"description_width": "initial", "button_width": "auto"})
        self.position = widgets.HTML()
        self.sentence_html = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.code_choice = widgets.RadioButtons(
            options=[(f"{c.key} · {c.label} — {c.question}", c.code) for c in self.scheme] + [("(not coded yet)", "")],
            value="", description="Code", style=WIDE, layout=widgets.Layout(width="95%"))
        self.quick_entry = widgets.Text(value="", description="Quick entry: type a code's number and press Enter",
                                        placeholder="1–5, or 0 to clear", continuous_update=False, style=WIDE,
                                        layout=widgets.Layout(width="95%"))
        self.previous_button = widgets.Button(description="◀ Previous", tooltip="Previous sentence")
        self.next_button = widgets.Button(description="Next ▶", tooltip="Next sentence")
        self.path_box = widgets.Text(description="Save to / load from (CSV)", style=WIDE,
                                     layout=widgets.Layout(width="95%"), continuous_update=False)
        self.overwrite = widgets.Checkbox(value=False, description="Overwrite the file if it exists", style=WIDE)
        self.save_button = widgets.Button(description="Save codes", tooltip="Save the codes to the CSV file")
        self.load_button = widgets.Button(description="Load codes", tooltip="Load codes from the CSV file")
        self.compare_button = widgets.Button(description="Compare with reference",
                                             tooltip="Agreement of your codes with the module's reference coding",
                                             layout=widgets.Layout(width="auto"))
        self.status = widgets.HTML()
        self.comparison = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.summary = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.message = ""
        self.result = None
        self.previous_button.on_click(lambda _: self.go(self.index - 1))
        self.next_button.on_click(lambda _: self.go(self.index + 1))
        self.save_button.on_click(lambda _: self.save())
        self.load_button.on_click(lambda _: self.load())
        self.compare_button.on_click(lambda _: self.compare_reference())
        self.code_choice.observe(self._on_code, names="value")
        self.quick_entry.observe(self._on_quick_entry, names="value")
        self.view.observe(lambda _: self._render(), names="value")
        self.article_choice.observe(self._on_article, names="value")
        self.coder_box.observe(self._on_coder, names="value")
        if demo:
            self.path_box.disabled = True
            self.save_button.tooltip = "A demonstration keeps its codes in memory only"
        title = "Code the sentences: Entman's four framing functions" + (
            " (demonstration: kept in memory, never saved)" if demo else "")
        super().__init__([
            widgets.HTML(f"<h4>{html.escape(title)}</h4>"),
            self.article_choice, self.coder_box, self.view, self.position, self.sentence_html, self.code_choice,
            self.quick_entry, widgets.HBox([self.previous_button, self.next_button]),
            self.path_box, self.overwrite, widgets.HBox([self.save_button, self.load_button, self.compare_button]),
            self.status, self.comparison, self.summary])
        self._set_article(article)

    # -- state
    def own_path(self) -> Path:
        """The student's own file for this article and name: codes are saved there after every change."""
        return codinglib.default_path(self.article.id, self.coder_box.value, self.folder)

    def _set_article(self, article: Article) -> None:
        self.article = article
        self.units = codinglib.sentence_units(article)
        self.codes: dict[str, str] = {}
        self.index = 0
        self.path_box.value = "" if self.demo else str(self.own_path())
        self._render()
        self._restore()

    def _restore(self) -> None:
        """Load the student's saved codes for this article and name, if the file exists."""
        if self.quiet_files or not self.own_path().exists():
            return
        try:
            table = codinglib.load_coding(self.own_path(), self.article, self.scheme)
        except (EscalationError, ValueError, OSError) as exc:
            self.blocked = self.own_path()
            self._say(f"Your saved codes could not be read, so the file is left untouched and nothing will be "
                      f"saved over it: {exc}", "warning")
            return
        self.codes = {s: c for s, c in zip(table["sentence_id"], table["code"]) if c}
        self._render()
        self._say(f"Welcome back: {len(self.codes)} code(s) loaded from {self.own_path()}. "
                  "Codes are saved there automatically.")

    def _autosave(self) -> None:
        """Save the codes in the student's own file after a change (never in a demonstration)."""
        if self.quiet_files or self.own_path() == self.blocked:
            return
        try:
            codinglib.save_coding(self.table(), self.own_path(), overwrite=True, article=self.article,
                                  scheme=self.scheme)
        except (EscalationError, ValueError, OSError) as exc:
            self._say(f"Your codes could not be saved automatically: {exc}", "warning")

    def _on_article(self, change) -> None:
        self._say("")
        self._set_article(next(a for a in self.articles if a.id == change["new"]))

    def _on_coder(self, change) -> None:
        if self.demo:
            return
        self.path_box.value = str(self.own_path())
        if self.own_path().exists():
            self._restore()
        elif self.codes:
            self._autosave()

    def _on_code(self, change) -> None:
        sid = self.units["sentence_id"].iloc[self.index]
        if change["new"]:
            self.codes[sid] = change["new"]
        else:
            self.codes.pop(sid, None)
        self._autosave()
        if self.view.value == "list":
            self._render()
        else:
            self._render_position()

    def _on_quick_entry(self, change) -> None:
        """Keyboard coding: a code's number (then Enter) codes the sentence and moves to the next one."""
        typed = change["new"].strip()
        if not typed:
            return
        keys = {c.key: c.code for c in self.scheme}
        if typed == "0":
            self.code_choice.value = ""
            self._say("")
        elif typed in keys:
            self.code_choice.value = keys[typed]
            self.go(self.index + 1)
            self._say("")
        else:
            self._say(f"'{typed}' is not a code number. Type one of {', '.join(sorted(keys))} "
                      "(or 0 to clear the code) and press Enter.", "warning")
        self.quick_entry.value = ""

    def go(self, index: int) -> None:
        """Show sentence `index` (0-based), clamped to the article's sentences."""
        self.index = max(0, min(len(self.units) - 1, index))
        self._render()

    def set_code(self, code: str, index: int | None = None) -> None:
        """Code a sentence (the current one by default), as a click on a radio button would."""
        if index is not None:
            self.go(index)
        self.code_choice.value = code

    def table(self):
        """The current codes as a coding table (uncoded sentences have an empty code)."""
        return codinglib.codes_to_table(self.article, self.codes, self.coder_box.value.strip() or "student")

    # -- rendering
    def _render_position(self) -> None:
        done = len(self.codes)
        kept = ("kept in memory only (demonstration)" if self.demo else
                "saved when you press Save codes" if self.quiet_files else
                f"saved automatically in <code>{html.escape(str(self.own_path()))}</code>")
        self.position.value = (f"<p>Sentence {self.index + 1} of {len(self.units)} · {done} coded · "
                               f"id <code>{self.units['sentence_id'].iloc[self.index]}</code> · {kept}</p>")
        counts = codinglib.code_counts(self.table(), self.scheme)
        listed = ", ".join(f"{label.replace('_', ' ')} {n}" for label, n in counts.items() if n)
        self.summary.value = (f"<p><strong>Progress:</strong> {done} of {len(self.units)} sentences of "
                              f"<code>{html.escape(self.article.id)}</code> coded ({html.escape(listed)}).</p>")

    def _render(self) -> None:
        self._render_position()
        sid = self.units["sentence_id"].iloc[self.index]
        if self.view.value == "one":
            before = self.units["sentence"].iloc[self.index - 1] if self.index > 0 else ""
            after = self.units["sentence"].iloc[self.index + 1] if self.index + 1 < len(self.units) else ""
            self.sentence_html.value = (
                (f'<p style="color:#555"><em>Before:</em> {html.escape(before)}</p>' if before else "")
                + f'<p style="font-size:1.15em;border-left:4px solid #0072B2;padding-left:8px">'
                  f"{html.escape(self.units['sentence'].iloc[self.index])}</p>"
                + (f'<p style="color:#555"><em>After:</em> {html.escape(after)}</p>' if after else ""))
        else:
            labels = {c.code: c.label for c in self.scheme}
            bold = ' style="font-weight:bold"'
            rows = "".join(
                f"<tr{bold if i == self.index else ''}><td>{i + 1}</td>"
                f"<td>{html.escape(labels.get(self.codes.get(s, ''), '—'))}</td><td>{html.escape(t)}</td></tr>"
                for i, (s, t) in enumerate(zip(self.units["sentence_id"], self.units["sentence"])))
            self.sentence_html.value = ("<table><thead><tr><th>#</th><th>code</th><th>sentence</th></tr></thead>"
                                        f"<tbody>{rows}</tbody></table><p>Bold: the sentence the code buttons change.</p>")
        current = self.codes.get(sid, "")
        if self.code_choice.value != current:
            self.code_choice.unobserve(self._on_code, names="value")
            self.code_choice.value = current
            self.code_choice.observe(self._on_code, names="value")

    def static_body(self) -> str:
        """The static view: the article's sentences as a numbered list with their current codes."""
        labels = {c.code: c.label for c in self.scheme}
        rows = "".join(f"<tr><td>{i + 1}</td><td>{html.escape(labels.get(self.codes.get(s, ''), '—'))}</td>"
                       f"<td>{html.escape(t)}</td></tr>"
                       for i, (s, t) in enumerate(zip(self.units["sentence_id"], self.units["sentence"])))
        scheme = "".join(f"<li><strong>{html.escape(c.key)} · {html.escape(c.label)}</strong> — "
                         f"{html.escape(c.question)}</li>" for c in self.scheme)
        return (f"<h4>Code the sentences: Entman's four framing functions</h4>"
                f"<p>Article: {html.escape(self.article.label)}. The codes:</p><ul>{scheme}</ul>"
                "<table><thead><tr><th>#</th><th>code</th><th>sentence</th></tr></thead>"
                f"<tbody>{rows}</tbody></table>")

    def _say(self, text: str, kind: str = "info") -> None:
        self.message = text
        self.status.value = message_html(text, kind) if text else ""

    # -- actions
    def save(self) -> Path | None:
        """Save the codes to the path in the box; another existing file is replaced only if 'Overwrite' is ticked.

        The student's own file (where codes are saved automatically) is always brought up to date. A
        demonstration writes nothing.
        """
        if self.demo:
            self._say(f"Demonstration: {len(self.codes)} code(s) kept in memory only; nothing was written to a file.")
            return None
        try:
            target = Path(self.path_box.value.strip()).expanduser()
            own = bool(self.path_box.value.strip()) and target.resolve() == self.own_path().resolve() \
                and self.own_path() != self.blocked
            path = codinglib.save_coding(self.table(), self.path_box.value.strip(),
                                         overwrite=self.overwrite.value or own, article=self.article,
                                         scheme=self.scheme)
        except (EscalationError, ValueError, OSError) as exc:
            self._say(str(exc), "warning")
            return None
        self.overwrite.value = False
        self._say(f"Saved {len(self.codes)} code(s) of {len(self.units)} sentences to {path}.")
        return path

    def load(self) -> None:
        """Load codes from the path in the box (checked: columns, codes, article)."""
        try:
            table = codinglib.load_coding(self.path_box.value.strip(), self.article, self.scheme)
        except (EscalationError, ValueError, OSError) as exc:
            self._say(str(exc), "warning")
            return
        self.codes = {s: c for s, c in zip(table["sentence_id"], table["code"]) if c}
        self._render()
        self._say(f"Loaded {len(self.codes)} code(s) from {self.path_box.value.strip()}.")

    def compare_reference(self) -> None:
        """Compare the current codes with the module's reference coding of the article."""
        try:
            reference = codinglib.reference_coding(self.article, scheme=self.scheme)
            names = (self.coder_box.value.strip() or "student", "reference")
            result = agreement.compare(self.table(), reference, codinglib.scheme_codes(self.scheme), names=names)
            import matplotlib.pyplot as plt

            fig = agreement.plot_confusion(result.matrix)
            plt.close(fig)
            result.figure = fig
        except (EscalationError, ValueError) as exc:
            self._say(str(exc), "warning")
            return
        self.result = result
        self.comparison.value = comparison_html(result, names, fig)
        self._say("Compared with the reference coding (one careful reading, not the truth).")


def coding_widget(article_id: str | None = None, *, coder: str = "student", folder: str | Path = "my_codings",
                  demo: bool = False) -> CodingWidget:
    """A coding widget for one article (the first one by default).

    The student's codes are saved after every change in `folder` (default `my_codings/`, next to the
    notebooks) as `<article>_<name>.csv`, and loaded back when the widget is built again. `demo=True`
    keeps the codes in memory only (for demonstrations that must not write files).
    """
    articles = load_articles()
    article = get_article(article_id, articles) if article_id else articles[0]
    return CodingWidget(article, coder=coder, folder=folder, articles=articles, demo=demo)


def comparison_widget(path_a: str = "", path_b: str = codinglib.REFERENCE, article_id: str | None = None) -> Explorer:
    """Compare two coding files (or one with 'reference'): agreement figures and confusion matrix."""
    articles = load_articles()
    controls = {
        "article_id": widgets.Dropdown(options=[(a.label, a.id) for a in articles],
                                       value=article_id or articles[0].id, description="Article", style=WIDE,
                                       layout=widgets.Layout(width="95%")),
        "path_a": widgets.Text(value=path_a, description="First coding file", style=WIDE, continuous_update=False,
                               placeholder="my_codings/atacms_request_2023_student.csv",
                               layout=widgets.Layout(width="95%")),
        "path_b": widgets.Text(value=path_b, description="Second coding file (or 'reference')", style=WIDE,
                               continuous_update=False, layout=widgets.Layout(width="95%")),
    }

    def compute(article_id, path_a, path_b):
        return compare_files(path_a, path_b, article_id)

    def static_body():
        return ("<h4>Compare two codings</h4><p>Type the names of two coding files saved by the coding widget "
                "(or <code>reference</code> for the module's reference coding) and pick the article. The widget "
                "then shows the percent agreement, Cohen's kappa with its reading, the sentences the two codings "
                "code differently, and a confusion matrix of which codes met which.</p>")

    return Explorer(controls, compute, title="Compare two codings",
                    purpose="type the names of two coding files (or 'reference') to see how far they agree",
                    notebook="04", static_body=static_body)
