"""What a student sees in committed notebook outputs: no raw Python reprs, no NaN.

Scans, for every output of every lesson notebook, Voila app and exercise notebook, the representation JupyterLab actually shows (the
richest one: a widget, then HTML, Markdown, an image, plain text), plus printed streams.
"""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from support.reprs import RAW

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = (sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")) + sorted((ROOT / "apps").glob("*.ipynb"))
             + sorted((ROOT / "exercises").glob("*/*/*.ipynb")))
SHOWN_FIRST = ("application/vnd.jupyter.widget-view+json", "text/html", "text/markdown", "image/svg+xml",
               "image/png", "image/jpeg", "text/latex", "text/plain")
def shown_texts(path: Path):
    """(cell number, text) for what each code cell's outputs put on screen."""
    for number, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
        for output in cell.get("outputs", []) if cell["cell_type"] == "code" else []:
            if output["output_type"] == "stream":
                yield number, "".join(output["text"])
                continue
            data = output.get("data", {})
            mime = next((m for m in SHOWN_FIRST if m in data), None)
            if mime in ("text/html", "text/markdown", "text/plain", "text/latex"):
                text = "".join(data[mime])
                if mime == "text/html":  # what is read, not the markup: drop images' data and tags
                    text = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(img|svg)\b.*?>", " ", text, flags=re.S)))
                yield number, text


def test_the_scanner_catches_what_students_saw_before():
    """The patterns match the reprs that notebooks 02, 04 and 05 used to show (issue 21)."""
    old = ["{'from': 156.0,\n 'to': 144.0, 'ratio': 0.9230769230769231}", "kappa: nan → undefined",
           "2023-09   NaN   156.0", "{'Ukraine': [('2023–2024', 'for permitting')],",
           "Page furniture after the article: ['Check Also', 'Leave a Reply']", "<IPython.core.display.Markdown object>"]
    assert all(any(p.search(t) for p in RAW.values()) for t in old)
    fine = ["'Kiev': 5 times; 'Kyiv': 0 times", "None changes the meaning.", "nanosecond", "Financial (EUR bn)"]
    assert not any(p.search(t) for p in RAW.values() for t in fine)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_raw_repr_or_nan_in_committed_outputs(path):
    found = [f"cell {n}: {kind}: …{text[max(0, m.start() - 40):m.end() + 40]!r}…"
             for n, text in shown_texts(path) for kind, pattern in RAW.items() for m in [pattern.search(text)] if m]
    assert not found, "\n".join(found)
