"""Run copies of the lesson notebooks with static widgets for the edition (stage: compute).

The committed notebooks are never touched: each is copied into a scratch folder and executed there with
ESCALATION_STATIC_WIDGETS=1 (contract C5), so widgets show a picture of their default state. A notebook that
fails to run keeps its committed outputs, and the build says so.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat

STATIC_ENV = "ESCALATION_STATIC_WIDGETS"


def _run_one(path: str, timeout: int, allow_errors: bool = False) -> tuple[str, dict | None, str]:
    from nbclient import NotebookClient

    os.environ[STATIC_ENV] = "1"
    os.environ.setdefault("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="edition-run-") as scratch:
        shutil.copy(path, scratch)
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=allow_errors,
                                resources={"metadata": {"path": scratch}})
        try:
            client.execute()
        except Exception as exc:  # noqa: BLE001 - any failure falls back to the committed outputs
            first = str(exc).strip().splitlines()
            return path, None, f"could not run ({first[-1] if first else type(exc).__name__})"
    return path, nbformat.writes(nb), f"executed ({STATIC_ENV}=1)"


def execute_all(paths: list[Path], *, jobs: int = 2, timeout: int = 300,
                allow_errors: bool = False) -> dict[Path, tuple[object, str]]:
    """Execute each notebook; return path -> (notebook, how it was obtained).

    `allow_errors` lets a run go on past a failing cell (a student version, whose answer cells hold `...`).
    """
    results: dict[Path, tuple[object, str]] = {}
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        for path, text, how in pool.map(_run_one, [str(p) for p in paths], [timeout] * len(paths),
                                        [allow_errors] * len(paths)):
            if text is None:
                results[Path(path)] = (nbformat.read(path, as_version=4), f"committed outputs: {how}")
            else:
                results[Path(path)] = (nbformat.reads(text, as_version=4), how)
    return results


def committed(paths: list[Path]) -> dict[Path, tuple[object, str]]:
    """The notebooks as committed (the fast path: no kernel)."""
    return {p: (nbformat.read(p, as_version=4), "committed outputs (not re-run)") for p in paths}
