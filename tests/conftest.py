"""Shared fixtures. The unit tests draw figures off-screen; notebooks run in their own kernels."""
import shutil
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def data_copy(tmp_path, monkeypatch) -> Path:
    """A private copy of data/ that a test may break; the package reads it through ESCALATION_DATA."""
    target = tmp_path / "data"
    shutil.copytree(REPO / "data", target)
    monkeypatch.setenv("ESCALATION_DATA", str(target))
    return target
