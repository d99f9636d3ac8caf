"""Where the module's files live.

The data folder is the repository's `data/` (the package is installed from the checkout), or the folder
named by the environment variable ESCALATION_DATA, which tests and instructors can use to point the
notebooks at a copy.
"""
import os
from pathlib import Path

from .errors import DataError

REPO_ROOT = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """Return the data folder, checking that it exists."""
    folder = Path(os.environ.get("ESCALATION_DATA", REPO_ROOT / "data"))
    if not folder.is_dir():
        raise DataError(
            f"The data folder {folder} does not exist. Install the module from its checkout "
            "(pip install -r requirements.txt) or set ESCALATION_DATA to the folder that holds the data."
        )
    return folder


def data_path(*parts: str) -> Path:
    """Return the path of a file inside the data folder (it may not exist yet)."""
    return data_dir().joinpath(*parts)
