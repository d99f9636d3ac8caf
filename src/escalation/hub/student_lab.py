"""The students' JupyterLab settings that the package installs into its environment (stage: report).

    python -m escalation.hub.student_lab          # where the settings are and whether they are installed
    python -m escalation.hub.student_lab remove   # instructors: nbgrader's extensions and the news pop-up back on

The wheel (and the editable install) writes three files under `sys.prefix` (pyproject.toml, shared-data;
tools/jupyter-config/README.md says what each does). Reinstalling the package puts them back.
"""
from __future__ import annotations

import sys
from pathlib import Path

FILES = (
    "etc/jupyter/labconfig/page_config.json",
    "share/jupyter/lab/settings/overrides.json",
    "etc/jupyter/jupyter_server_config.d/zz_escalation_students.json",
)
REINSTALL = "python -m pip install -r requirements.txt (in the checkout) or python -m pip install --force-reinstall --no-deps escalation"


def installed(prefix: Path | None = None) -> dict[str, bool]:
    """Each settings file of the environment and whether it is there."""
    prefix = Path(prefix or sys.prefix)
    return {str(prefix / name): (prefix / name).is_file() for name in FILES}


def remove(prefix: Path | None = None) -> list[str]:
    """Delete the settings files of the environment; return the ones removed."""
    gone = []
    for path, present in installed(prefix).items():
        if present:
            Path(path).unlink()
            gone.append(path)
    return gone


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args not in ([], ["remove"]):
        print("Usage: python -m escalation.hub.student_lab [remove]", file=sys.stderr)
        return 2
    if args == ["remove"]:
        gone = remove()
        print(f"Removed {len(gone)} file(s): nbgrader's extensions and the news pop-up are back on in this "
              f"environment (restart JupyterLab). To turn the students' settings on again: {REINSTALL}.")
        for path in gone:
            print(f"  {path}")
        return 0
    for path, present in installed().items():
        print(f"{'installed' if present else 'missing  '}  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
