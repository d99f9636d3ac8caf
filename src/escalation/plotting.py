"""Figures that every student can read: titles, labelled axes, colour-blind-safe colours, text alternatives.

Plotting functions elsewhere in the package build a figure, call `finish` on it, and return it. A
notebook then calls `show(fig)`, which displays the figure followed by its text alternative, so a
screen-reader user (and the printed notebook) gets the same information as the picture.
"""
from __future__ import annotations

import io

import matplotlib
from matplotlib.figure import Figure

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


def show(fig: Figure) -> None:
    """Display a figure as an image with its alt text, then print the text alternative; close the figure.

    The PNG is made here rather than left to the notebook's matplotlib backend, so a figure built without
    pyplot shows as a picture too (not as "<Figure size …>"), in JupyterLab, Voila and nbval alike.
    """
    from IPython.display import Image, display
    import matplotlib.pyplot as plt

    display(Image(data=figure_png(fig), format="png", alt=alt_text(fig) or None))
    print("Figure description:", alt_text(fig) or "(none given)")
    plt.close(fig)
