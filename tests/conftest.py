"""Shared fixtures. The unit tests draw figures off-screen; notebooks run in their own kernels."""
import shutil
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def edition(tmp_path_factory) -> Path:
    """One reading-edition build (notebooks not re-run, PDFs printed) for every edition test of this process."""
    from escalation.edition import build  # Sphinx and Chromium printing load only for the tests that need them

    out = tmp_path_factory.getbasetemp() / "edition"
    build.build_once(out, run_notebooks=False, pdfs=True)
    return out


@pytest.fixture
def data_copy(tmp_path, monkeypatch) -> Path:
    """A private copy of data/ that a test may break; the package reads it through ESCALATION_DATA."""
    target = tmp_path / "data"
    shutil.copytree(REPO / "data", target)
    monkeypatch.setenv("ESCALATION_DATA", str(target))
    return target
