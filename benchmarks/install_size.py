"""Benchmark: the students' base install against the full environment, on disk and in install seconds.

    python benchmarks/install_size.py [--warm-up]

Base: the module's wheel (built from this checkout) installed with pip into a fresh venv, which pulls in only
the base dependencies of pyproject.toml (what a student's lessons need), at the versions requirements.txt pins
(given to pip as constraints, so both sets install the same files from the same cache). Full: the README's
`pip install -r requirements.txt` into another fresh venv (every extra: grading, edition, apps, hub, test).
Both use pip's cache: pass --warm-up to install each set once untimed first, so both timings are from a warm
cache. Reported: seconds of the timed `pip install`, size on disk of the venv (du), and the number of
distributions installed.
"""
from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def size_bytes(folder: Path) -> int:
    total = 0
    for dirpath, _, files in os.walk(folder):
        for name in files:
            path = Path(dirpath, name)
            if not path.is_symlink():
                total += path.stat().st_blocks * 512  # on disk, as du counts it
    return total


def fresh_venv(folder: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    return folder / "bin" / "python"


def timed_install(folder: Path, args: list[str]) -> tuple[float, int, int]:
    """Seconds of `pip install ARGS` into a fresh venv, its size on disk and its number of distributions."""
    python = fresh_venv(folder)
    empty = size_bytes(folder)
    start = time.perf_counter()
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *args], check=True,
                   cwd=ROOT)
    seconds = time.perf_counter() - start
    count = subprocess.run([str(python), "-c", "import importlib.metadata as m; print(len(list(m.distributions())))"],
                           capture_output=True, text=True, check=True).stdout.strip()
    return seconds, size_bytes(folder) - empty, int(count)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm-up", action="store_true", help="install each set once, untimed, to warm pip's cache")
    args = parser.parse_args(argv)
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory(prefix="install-size-") as tmp:
        tmp = Path(tmp)
        subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp / "wheel"), str(ROOT)],
                       check=True)
        wheel = next((tmp / "wheel").glob("escalation-*.whl"))
        pins = tmp / "constraints.txt"  # requirements.txt without its editable line
        pins.write_text("".join(line for line in (ROOT / "requirements.txt").open(encoding="utf-8")
                                if not line.startswith("-e")), encoding="utf-8")
        sets = {"base (pip install escalation wheel)": [str(wheel), "-c", str(pins)],
                "full (pip install -r requirements.txt)": ["-r", str(ROOT / "requirements.txt")]}
        rows = []
        for i, (name, pip_args) in enumerate(sets.items()):
            if args.warm_up:
                timed_install(tmp / f"warm{i}", pip_args)
            seconds, size, count = timed_install(tmp / f"venv{i}", pip_args)
            rows.append((name, seconds, size, count))
    print(f"{'install':42} {'seconds':>8} {'on disk':>10} {'distributions':>14}")
    for name, seconds, size, count in rows:
        print(f"{name:42} {seconds:8.1f} {size / 2**20:8.0f} MiB {count:14d}")
    (_, s0, b0, _), (_, s1, b1, _) = rows
    print(f"base/full: {100 * b0 / b1:.0f} % of the disk, {100 * s0 / s1:.0f} % of the time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
