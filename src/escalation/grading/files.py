"""Grading's files: atomic writes (a reader, or a batch killed half-way, never sees half a file) and the private
scratch folder of one submission, named so that a later run can recognise leftovers."""
from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write text (UTF-8) or bytes through a temporary file beside `path` and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    if isinstance(data, str):
        tmp.write_text(data, encoding="utf-8")
    else:
        tmp.write_bytes(data)
    os.replace(tmp, path)


SCRATCH_PREFIX = "escalation-grade-"  # temporary folders: <prefix><grader pid>-<random>


def scratch_folder() -> tempfile.TemporaryDirectory:
    """A private temporary folder for one submission, named so that a later run can recognise leftovers."""
    return tempfile.TemporaryDirectory(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-")
