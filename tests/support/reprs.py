"""What a student must never see: raw Python reprs and NaN (shared by the output scan and the browser suite)."""
from __future__ import annotations

import re

RAW = {
    "dict repr": re.compile(r"\{\s*'[^'\n]*':\s"),
    "list of strings repr": re.compile(r"\[\s*'[^'\n]*'\s*[,\]]"),
    "tuple repr": re.compile(r"\(\s*'[^'\n]*',\s*'"),
    "NaN": re.compile(r"(?<![\w/+])(?:nan|NaN|<NA>)(?![\w/+])"),
    "None repr": re.compile(r"(?:[:=(\[,]\s*|^)None(?:\s*[,)\]}]|$)", re.M),
    "object repr": re.compile(r"<[\w.]+ object at 0x|<IPython\.core\.display\.\w+ object>"),
}


def found_in(text: str, context: int = 40) -> list[str]:
    """Each kind of raw repr or NaN in `text`, with a little of the text around it."""
    return [f"{kind}: …{text[max(0, m.start() - context):m.end() + context]!r}…"
            for kind, pattern in RAW.items() for m in [pattern.search(text)] if m]
