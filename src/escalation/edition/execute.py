"""Run copies of the lesson notebooks with static widgets for the edition (stage: compute).

The committed notebooks are never touched: each is copied into a scratch folder and executed there with
ESCALATION_STATIC_WIDGETS=1 (contract C5), so widgets show a picture of their default state. A notebook that
fails to run keeps its committed outputs, and the build says so.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat

STATIC_ENV = "ESCALATION_STATIC_WIDGETS"


@contextlib.contextmanager
def static_widgets():
    """Kernels started inside see ESCALATION_STATIC_WIDGETS=1 (and the Agg backend); the caller's environment is
    restored afterwards, so a build run inside another program (a test session) leaves no trace."""
    saved = {name: os.environ.get(name) for name in (STATIC_ENV, "MPLBACKEND")}
    os.environ[STATIC_ENV] = "1"
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _run_one(path: str, timeout: int, allow_errors: bool = False) -> tuple[str, dict | None, str]:
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    with static_widgets(), tempfile.TemporaryDirectory(prefix="edition-run-") as scratch:
        shutil.copy(path, scratch)
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=allow_errors,
                                resources={"metadata": {"path": scratch}})
        try:
            client.execute()
        except Exception as exc:  # noqa: BLE001 - any failure falls back to the committed outputs
            first = str(exc).strip().splitlines()
            return path, None, f"could not run ({first[-1] if first else type(exc).__name__})"
    failed = drop_errors(nb)
    how = f"executed ({STATIC_ENV}=1)"
    if failed:
        how += f"; {len(failed)} cell(s) failed and show no output: {failed[0]}"
    return path, nbformat.writes(nb), how


def drop_errors(nb) -> list[str]:
    """Remove error outputs (a reader never sees a traceback); return one line per failed cell."""
    failed = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            failed.append(f"{errors[0].get('ename', 'Error')}: {str(errors[0].get('evalue', ''))[:160]}")
            cell.outputs = [o for o in cell.outputs if o.get("output_type") != "error"]
    return failed


def execute_all(paths: list[Path], *, jobs: int = 2, timeout: int = 300,
                allow_errors: bool = True) -> dict[Path, tuple[object, str]]:
    """Execute each notebook; return path -> (notebook, how it was obtained).

    `allow_errors` (the default) lets a run go on past a failing cell, whose error output is then removed and
    reported; without it a failing notebook keeps its committed outputs.
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
