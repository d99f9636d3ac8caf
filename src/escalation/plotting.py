"""Figures that every student can read: titles, labelled axes, colour-blind-safe colours, text alternatives.

Plotting functions elsewhere in the package build a figure, call `finish` on it, and return it. A
notebook then calls `show(fig)`, which displays the figure followed by its text alternative, so a
screen-reader user (and the printed notebook) gets the same information as the picture.
"""
from __future__ import annotations

import html
import re
import io

import matplotlib
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.text import Text

# Width in CSS px of a notebook's output area in JupyterLab 4.6 in a 1366x768 window with the file browser
# closed (measured in Chromium: `.jp-OutputArea-output` is 1186 px wide; 1220 px at 1400x900). A wider
# image is scaled down to this width, and its text with it.
NOTEBOOK_WIDTH_PX = 1186
# The smallest text size a student should have to read, in CSS px as displayed.
MIN_TEXT_PX = 10.0

# Okabe & Ito (2008), "Color Universal Design": distinguishable with the common colour-vision deficiencies.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
    "black": "#000000",
}
PALETTE = [OKABE_ITO[name] for name in ("blue", "orange", "bluish green", "vermillion", "reddish purple",
                                        "sky blue", "yellow", "black")]
# Marker shapes and hatches that go with the palette, so colour is never the only cue.
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
HATCHES = ["", "//", "..", "xx", "\\\\", "++", "oo", "--"]

STYLE = {
    "figure.figsize": (8, 4.5),
    "figure.dpi": 100,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "axes.titlesize": 13,
    "axes.labelsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 10,
    "legend.frameon": False,
}


def use_style() -> None:
    """Apply the module's plot style (colour-blind-safe colours, readable sizes)."""
    matplotlib.rcParams.update(STYLE)


def colour(index: int) -> str:
    """Return the palette colour for a category number (cycles after eight)."""
    return PALETTE[index % len(PALETTE)]


def marker(index: int) -> str:
    """Return the marker shape for a category number, to pair with `colour`."""
    return MARKERS[index % len(MARKERS)]


def finish(fig: Figure, ax, *, title: str, xlabel: str, ylabel: str, alt_text: str) -> Figure:
    """Give a figure its title, axis labels and text alternative; return it."""
    if not (title and xlabel and ylabel and alt_text):
        raise ValueError("A figure needs a title, both axis labels and a text alternative.")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    set_alt_text(fig, alt_text)
    return fig


def set_alt_text(fig: Figure, alt_text: str) -> None:
    """Attach a text alternative to a figure (kept on the figure, shown by `show`)."""
    fig.alt_text = alt_text.strip()


def alt_text(fig: Figure) -> str:
    """Return a figure's text alternative, or an empty string if it has none."""
    return getattr(fig, "alt_text", "")


def accessibility_problems(fig: Figure) -> list[str]:
    """List what a figure lacks: a title, axis labels on each plotted axes, a text alternative."""
    problems = []
    if not alt_text(fig):
        problems.append("no text alternative")
    for number, ax in enumerate(fig.axes, start=1):
        if not ax.axison:
            continue
        title = ax.get_title() or (fig._suptitle.get_text() if fig._suptitle else "")
        if not title:
            problems.append(f"axes {number} has no title")
        if not ax.get_xlabel():
            problems.append(f"axes {number} has no x-axis label")
        if not ax.get_ylabel():
            problems.append(f"axes {number} has no y-axis label")
    return problems


def figure_png(fig: Figure) -> bytes:
    """The figure as PNG bytes, cropped to its content (as notebooks show figures)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None})
    return buffer.getvalue()


PRINT_WIDTH = 100   # characters: a printed line this long fits a notebook's output area at 1366 px


def wrap_prose(text: str, width: int = PRINT_WIDTH) -> str:
    """Prose wrapped between words for printing, each paragraph on its own (blank lines kept).

    JupyterLab breaks a printed line that is wider than the output area anywhere, even mid-word
    ("matc hes"); lines wrapped here are short enough never to be broken. Words are never split.
    """
    import textwrap

    paragraphs = str(text).split("\n")
    return "\n".join(textwrap.fill(p, width, break_long_words=False, break_on_hyphens=False,
                                    subsequent_indent="  " if p.startswith("Figure description:") else "")
                      if p.strip() else p for p in paragraphs)


LAPTOP_OUTPUT_PX = 880  # a notebook's output width at 1366x768 with JupyterLab's file browser open (about 900)


def figure_bundle(fig: Figure) -> tuple[dict, dict]:
    """(data, metadata) of a figure's display: PNG (with its alt text in the metadata, for nbconvert and the
    edition) and the same PNG as an HTML `<img>` whose `alt` is the text alternative, which is what
    JupyterLab shows (its own image renderer drops the alt text: axe's `image-alt`).

    The picture shrinks with the output area, but never below the width at which its smallest text is
    MIN_TEXT_PX; a figure that would need more than a laptop's output width sits in a region that scrolls
    sideways, which the keyboard can focus and a screen reader names. `data-smallest-text-px` gives the
    smallest text at the picture's own size (for the browser tests)."""
    import base64
    import math

    png = base64.b64encode(figure_png(fig)).decode("ascii")
    alt = alt_text(fig) or "Figure (no description given)"
    title = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) is not None else ""
    title = " ".join((title or next((ax.get_title() for ax in fig.axes if ax.get_title()), "")).split())
    width = image_width_px(fig)
    sizes = text_sizes(fig, display_width=width)
    smallest = sizes[0][0] if sizes else MIN_TEXT_PX
    narrowest = min(math.ceil(width * MIN_TEXT_PX / smallest), math.floor(width))  # never wider than itself
    img = (f'<img src="data:image/png;base64,{png}" alt="{html.escape(alt, quote=True)}" '
           f'data-smallest-text-px="{smallest:.1f}" style="max-width:100%; min-width:{narrowest}px; height:auto">')
    if narrowest > LAPTOP_OUTPUT_PX:
        name = f"Figure{': ' + title if title else ''} (scrolls sideways)"
        img = (f'<div role="region" tabindex="0" aria-label="{html.escape(name, quote=True)}" '
               f'style="overflow-x:auto; max-width:100%">{img}</div>')
    data = {"image/png": png, "text/html": img, "text/plain": f"Figure: {title or 'see the description below'}"}
    return data, {"image/png": {"alt": alt}}


class _Picture:
    """A figure's display bundle (see `figure_bundle`); its repr is the plain-text line."""

    def __init__(self, data: dict, metadata: dict):
        self.data, self.metadata = data, metadata

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.data, self.metadata

    def __repr__(self) -> str:
        return self.data["text/plain"]


def show(fig: Figure) -> None:
    """Display a figure as an image with its alt text, then print the text alternative; close the figure.

    The PNG is made here rather than left to the notebook's matplotlib backend, so a figure built without
    pyplot shows as a picture too (not as "<Figure size …>"), in JupyterLab, Voila and nbval alike.
    """
    from IPython import get_ipython
    from IPython.display import display
    import matplotlib.pyplot as plt

    shell = get_ipython()
    if shell is None or "image/png" in shell.display_formatter.active_types:
        display(_Picture(*figure_bundle(fig)))
    # else a shell that shows text only (the grader's): no picture to make, the description below says it all
    print(wrap_prose("Figure description: " + (alt_text(fig) or "(none given)")))
    plt.close(fig)


def image_width_px(fig: Figure, *, dpi: float | None = None, tight: bool = True) -> float:
    """Width in pixels of the PNG a figure becomes (cropped to its content, as `show` saves it, when `tight`)."""
    dpi = dpi or fig.dpi
    if not tight:
        return fig.get_figwidth() * dpi
    renderer = fig.canvas.get_renderer() if hasattr(fig.canvas, "get_renderer") else None
    if renderer is None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        renderer = FigureCanvasAgg(fig).get_renderer()
    box = fig.get_tightbbox(renderer)
    pad = matplotlib.rcParams["savefig.pad_inches"]
    return (box.width + 2 * pad) * dpi


def text_sizes(fig: Figure, display_width: float = NOTEBOOK_WIDTH_PX, *, dpi: float | None = None,
               tight: bool = True) -> list[tuple[float, str]]:
    """Every visible, non-empty text of a figure as (size in CSS px as displayed, the text), smallest first.

    Displayed size = font size (pt) x dpi / 72 x scale, where scale = min(1, display_width / image width):
    a notebook shows a PNG at its own pixel size unless it is wider than the output area.
    """
    dpi = dpi or fig.dpi
    scale = min(1.0, display_width / image_width_px(fig, dpi=dpi, tight=tight))
    sizes = []
    for artist in fig.findobj(Text):
        if not artist.get_visible() or not artist.get_text().strip():
            continue
        if not _shown(artist):
            continue
        sizes.append((artist.get_fontsize() * dpi / 72 * scale, artist.get_text()))
    return sorted(sizes, key=lambda item: item[0])


def _shown(artist: Text) -> bool:
    """False for a text on a hidden axes or a hidden axis (their tick labels are not drawn)."""
    axes = artist.axes
    if axes is None:
        return True
    if not axes.get_visible():
        return False
    for axis in (axes.xaxis, axes.yaxis):
        if not axis.get_visible() and any(artist in (t.label1, t.label2) for t in axis.get_major_ticks()):
            return False
    return True


def smallest_text_px(fig: Figure, display_width: float = NOTEBOOK_WIDTH_PX, *, dpi: float | None = None,
                     tight: bool = True) -> float:
    """The displayed size in CSS px of a figure's smallest text (infinity for a figure without text)."""
    sizes = text_sizes(fig, display_width, dpi=dpi, tight=tight)
    return sizes[0][0] if sizes else float("inf")


def small_text(fig: Figure, display_width: float = NOTEBOOK_WIDTH_PX, *, minimum: float = MIN_TEXT_PX,
               dpi: float | None = None, tight: bool = True) -> list[str]:
    """Descriptions of the texts smaller than `minimum` px as displayed (empty when all are readable)."""
    return [f"{size:.1f} px: {text[:60]!r}" for size, text in text_sizes(fig, display_width, dpi=dpi, tight=tight)
            if size < minimum - 1e-9]


def svg_text_sizes(svg: str, display_width: float = NOTEBOOK_WIDTH_PX) -> list[tuple[float, str]]:
    """Every text of an inline SVG as (size in CSS px as displayed, the text), smallest first.

    Sizes come from `font-size` on each <text> (or the nearest enclosing element that sets one, else the
    browser default of 16 px), scaled by min(1, display_width / the SVG's width).
    """
    import xml.etree.ElementTree as ET

    root = ET.fromstring(svg)
    width = float(str(root.get("width", display_width)).removesuffix("px"))
    scale = min(1.0, display_width / width)
    sizes = []

    def walk(node, inherited: float):
        size = node.get("font-size")
        own = float(size.removesuffix("px")) if size else inherited
        if node.tag.split("}")[-1] == "text":
            text = "".join(node.itertext()).strip()
            if text:
                sizes.append((own * scale, text))
        for child in node:
            walk(child, own)

    walk(root, 16.0)
    return sorted(sizes, key=lambda item: item[0])


# short values that must not break inside (dates such as 2024-05-06, ids, numbers with a sign)
_UNBREAKABLE = re.compile(r"\S{1,16}")


def table_html(table: pd.DataFrame, *, caption: str = "", index: bool = False, max_height_px: int | None = None,
               empty: str = "") -> str:
    """A table as HTML that wraps long text and scrolls sideways when wide; missing values shown as `empty`.

    Cells wrap at word boundaries (never mid-word), headers stay on top, and the wrapper scrolls when the
    table is wider than the notebook, so no column is cut off.
    """
    shown = table.reset_index() if index else table
    head = "".join(f'<th scope="col" style="text-align:left; vertical-align:bottom; padding:4px 8px; '
                   f'border-bottom:1px solid #555">{html.escape(str(c))}</th>' for c in shown.columns)
    rows = []
    for values in shown.itertuples(index=False):
        cells = []
        for value in values:
            text = empty if _missing(value) else _format(value)
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool) and not _missing(value)
            align = "right" if numeric else "left"
            nowrap = " white-space:nowrap;" if _UNBREAKABLE.fullmatch(text) else ""
            cells.append(f'<td style="text-align:{align}; vertical-align:top; padding:4px 8px;{nowrap} '
                         f'border-bottom:1px solid #ddd">{html.escape(text)}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    height = f" max-height:{max_height_px}px; overflow-y:auto;" if max_height_px else ""
    caption_html = (f'<caption style="text-align:left; font-weight:bold; padding:4px 0">{html.escape(caption)}'
                    "</caption>") if caption else ""
    # a region the keyboard can focus and a screen reader names, since it may scroll (axe: scrollable-region-focusable)
    name = html.escape(f"{caption or 'Table'} (scrolls when wider than the page)", quote=True)
    return (f'<div class="escalation-table" role="region" tabindex="0" aria-label="{name}" '
            f'style="overflow-x:auto;{height} max-width:100%">'
            '<table style="border-collapse:collapse; table-layout:auto; font-size:14px; line-height:1.35; '
            'overflow-wrap:normal; word-break:normal; hyphens:none">'
            f"{caption_html}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def _missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _format(value) -> str:
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() and abs(value) >= 1000 else f"{value:g}" if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)


def show_table(table: pd.DataFrame, *, caption: str = "", index: bool = False, max_height_px: int | None = None,
               empty: str = "") -> None:
    """Display a table readably in a notebook: wrapped text, sideways scrolling when wide, no `<NA>`."""
    from IPython.display import HTML, display

    display(HTML(table_html(table, caption=caption, index=index, max_height_px=max_height_px, empty=empty)))
