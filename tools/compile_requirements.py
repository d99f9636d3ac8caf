"""Compile the fully pinned requirements.txt from requirements.in and pyproject.toml (needs `pip install uv`).

requirements.in asks for the module in editable mode with its `test` extra (which pulls in every other extra),
so requirements.txt pins the base dependencies and every extra. The pins are resolved for every platform
(Linux, macOS, Windows) from Python 3.11 upwards; uv keeps the pins already in requirements.txt where they
still fit (pass --upgrade to move them all to the newest versions).
"""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    sys.exit(subprocess.call(
        ["uv", "pip", "compile", "requirements.in", "--universal", "--python-version", "3.11",
         "--no-header", "--no-emit-package", "uv", "-o", "requirements.txt", *sys.argv[1:]],
        cwd=ROOT,
    ))
