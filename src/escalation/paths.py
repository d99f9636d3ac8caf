"""Where the module's files live.

The data folder is, in this order: the folder named by the environment variable ESCALATION_DATA (tests and
instructors point the notebooks at a copy with it); the data shipped inside the installed package
(`escalation/data`, put there by the wheel: `pip install .`, a built wheel, repo2docker); or the checkout's
`data/` (an editable install, `-e .` in requirements.txt).

The lesson notebooks, exercise sets and docs exist only in a checkout of the repository: code that needs them
asks `checkout_root()`, which says so in one sentence when the package runs from a plain install.
"""
import os
from importlib.resources import files
from pathlib import Path

from .errors import DataError

# The repository root when the package runs from a checkout (editable install or PYTHONPATH=src).
REPO_ROOT = Path(__file__).resolve().parents[2]


def packaged_data() -> Path | None:
    """The data folder inside the installed package, or None (an editable install reads the checkout's)."""
    folder = files("escalation") / "data"
    return Path(str(folder)) if isinstance(folder, Path) and folder.is_dir() else None


def data_dir() -> Path:
    """Return the data folder, checking that it exists."""
    if os.environ.get("ESCALATION_DATA"):
        folder = Path(os.environ["ESCALATION_DATA"])
        if not folder.is_dir():
            raise DataError(f"The data folder {folder} named by ESCALATION_DATA does not exist: point it at a copy "
                            "of the module's data folder, or unset it to use the data installed with the package.")
        return folder
    folder = packaged_data() or REPO_ROOT / "data"
    if not folder.is_dir():
        raise DataError(
            f"The module's data are missing (looked in {Path(__file__).parent / 'data'} and {folder}): reinstall "
            "the package (python -m pip install .) or set ESCALATION_DATA to the folder that holds the data."
        )
    return folder


def data_path(*parts: str) -> Path:
    """Return the path of a file inside the data folder (it may not exist yet)."""
    return data_dir().joinpath(*parts)


def is_checkout(root: Path = REPO_ROOT) -> bool:
    """Whether `root` is a checkout of the module's repository (and not, say, a site-packages folder)."""
    return (root / "pyproject.toml").is_file() and (root / "src" / "escalation").is_dir() \
        and (root / "notebooks").is_dir()


def checkout_root(what: str = "This command") -> Path:
    """The repository root, or a DataError saying that `what` needs a checkout (git clone) of the repository."""
    if not is_checkout():
        raise DataError(
            f"{what} needs a checkout of the module's repository (its notebooks, exercises and docs are not part "
            "of the installed package): git clone the repository, run python -m pip install -r requirements.txt "
            "in it, and run the command from there."
        )
    return REPO_ROOT
