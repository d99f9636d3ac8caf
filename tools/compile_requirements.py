"""Compile the fully pinned requirements.txt from requirements.in (needs `pip install uv`).

The pins are resolved for every platform (Linux, macOS, Windows) from Python 3.11 upwards.
"""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    sys.exit(subprocess.call(
        ["uv", "pip", "compile", "requirements.in", "--universal", "--python-version", "3.11",
         "--no-header", "-o", "requirements.txt"],
        cwd=ROOT,
    ))
