"""A throwaway nbgrader course for one exercise set: used to check that nbgrader and our grader agree.

Tests and the speed benchmark run the real `nbgrader generate_assignment` / `autograde` in such a
course; it lives in a folder of its own, with its own config, sqlite database and Jupyter folders.
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

VENV_BIN = Path(sys.executable).parent
NBGRADER = VENV_BIN / "nbgrader"


def make_course(root: Path, exercise, course_id: str = "escalation") -> dict:
    """Lay out the course under `root` with the exercise's source; return the environment to run nbgrader in."""
    (root / "source" / exercise.name).mkdir(parents=True)
    shutil.copy(exercise.path, root / "source" / exercise.name / exercise.path.name)
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        f"c.CourseDirectory.course_id = {course_id!r}\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{root}/gradebook.db'\n"
        f"c.Exchange.root = {str(root / 'exchange')!r}\n"
        "c.ExecutePreprocessor.timeout = 120\n", encoding="utf-8")
    return dict(os.environ, PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
                JUPYTER_CONFIG_DIR=str(root / ".jupyter"), JUPYTER_DATA_DIR=str(root / ".jupyter-data"),
                JUPYTER_RUNTIME_DIR=str(root / ".jupyter-runtime"), MPLBACKEND="Agg")
