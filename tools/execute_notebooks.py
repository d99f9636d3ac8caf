"""Run notebooks top to bottom in a fresh kernel and save them with the outputs they really produce.

    python tools/execute_notebooks.py                    # every notebook in notebooks/
    python tools/execute_notebooks.py notebooks/01_*.ipynb

nbval (in the test suite) then re-runs them and compares against these committed outputs.
"""
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def execute(path: Path, timeout: int = 300) -> None:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    nbformat.write(notebook, path)
    print(f"executed {path.relative_to(ROOT)}")


if __name__ == "__main__":
    targets = [Path(p).resolve() for p in sys.argv[1:]] or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    for target in targets:
        execute(target)
