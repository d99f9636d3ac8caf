"""Nothing to decode: a student file's visible checks cannot tell a right answer from a wrong one.

For every student file, every visible check cell is run (as the student's kernel would run it) with every
candidate a student could try cheaply: the integers 0–1000, the one-decimal numbers 0.0–100.0, and every
number and short text that appears in the committed outputs of the lesson notebooks. The printed feedback
must not depend on the student id, and for every variant's expected answer it must equal the feedback for
a wrong answer of the same type. And no student file holds an expected answer in a form grep could find.
"""
from __future__ import annotations

import ast
import contextlib
import io
import json
import re
from pathlib import Path

import pytest

from escalation import checks, variants
from escalation.grading import student
from escalation.grading.source import ID_VARIABLE, all_sources, cell_text, load_exercise, nbgrader_meta

ROOT = Path(__file__).resolve().parents[1]
SOURCES = all_sources()
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
QUOTED = re.compile(r"""['"“‘]([^'"“”‘’\n]{1,40})['"”’]""")


def lesson_output_values() -> list:
    """Every number and short text in the committed outputs of the lesson notebooks."""
    found: set = set()
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                texts = [output.get("text", "")] + [output.get("data", {}).get(k, "")
                                                    for k in ("text/plain", "text/markdown")]
                for text in texts:
                    text = "".join(text) if isinstance(text, list) else str(text)
                    for number in NUMBER.findall(text):
                        found.add(float(number) if "." in number else int(number))
                    found.update(m.strip() for m in QUOTED.findall(text) if m.strip())
                    found.update(w for w in re.findall(r"[\w'’-]{2,30}", text))
    return sorted(found, key=lambda v: (type(v).__name__, str(v)))


CANDIDATES = list(range(0, 1001)) + [round(i / 10, 1) for i in range(0, 1001)] + lesson_output_values()


def visible_checks(path: Path) -> dict[str, str]:
    """The test cells of a student file (grade_id → code): what the student's kernel runs."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return {nbgrader_meta(c)["grade_id"]: cell_text(c) for c in nb["cells"] if nbgrader_meta(c).get("grade")}


def feedback(code, ns: dict, names: list[str], value, student_id: str) -> str:
    env = dict(ns, **{name: value for name in names}, **{ID_VARIABLE: student_id})
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, env)
    return out.getvalue().replace(student_id, "<id>")


def wrong_like(value):
    """A different answer of the same type and form as `value`."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)) or hasattr(value, "item"):
        value = value.item() if hasattr(value, "item") else value
        if isinstance(value, float):
            return round(value - 0.01 if value >= 0.5 else value + 0.01, 6)
        return value - 1 if value >= 1 else value + 1
    if isinstance(value, str):
        return value[::-1] + "x"
    if isinstance(value, (list, tuple, set)):
        return [wrong_like(v) for v in value]
    if isinstance(value, dict):  # a matching (left → right), as a match widget gives it
        return {k: wrong_like(v) for k, v in value.items()}
    raise TypeError(type(value))


def allowed_choices(code: str, ns: dict) -> list | None:
    """The options a visible `check_format(…, kind="choice", choices=…)` allows (None for other kinds)."""
    m = re.search(r'kind="choice",\s*choices=([A-Za-z_]\w*|\[[^\]]*\])', code)
    if not m:
        return None
    return list(ns[m.group(1)]) if m.group(1) in ns else list(ast.literal_eval(m.group(1)))


@pytest.fixture(autouse=True)
def quiet_registry():
    yield
    checks.reset()


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_visible_checks_never_distinguish_the_expected_answer(source):
    exercise = load_exercise(source)
    ns = student.setup_namespace(exercise)
    cells = visible_checks(student.student_path(source))
    assert "check_hash" not in "\n".join(cells.values()) and not re.search(r"\b[0-9a-f]{64}\b", "\n".join(cells.values()))
    ids = student.variant_ids(exercise, ns)
    for q in exercise.questions:
        if q.kind != "auto":
            continue
        for tid in q.test_ids:
            code = compile(cells[tid], f"<{tid}>", "exec")
            for name in q.variables:
                others = [v for v in q.variables if v != name]
                base = {v: ... for v in others}
                run = lambda value, sid: feedback(code, dict(ns, **base), [name], value, sid)  # noqa: E731
                # the feedback for every candidate is the same whatever the student id
                for value in CANDIDATES[::7]:
                    assert run(value, ids[0]) == run(value, ids[-1]), (tid, value)
                classes: dict[str, list] = {}
                for value in CANDIDATES:
                    classes.setdefault(run(value, ids[0]), []).append(value)
                choices = allowed_choices(cells[tid], ns)
                for sid in ids:
                    expected = student.expected_answers(exercise, q, sid, ns)[0][name]
                    plain = expected.item() if hasattr(expected, "item") else expected
                    said = run(plain, sid)
                    if choices is not None:  # a choice item: every allowed option must read like the right one
                        assert plain in choices, (tid, sid, "the expected answer is not one of the options")
                        assert all(run(option, sid) == said for option in choices), (tid, sid, "an option reads differently")
                        continue
                    assert said == run(wrong_like(plain), sid), (tid, sid, "the right answer reads differently")
                    same_type = [v for v in classes.get(said, []) if type(v) is type(plain) and v != plain]
                    if isinstance(plain, (int, float, str)):
                        assert len(same_type) >= 10, (tid, sid, "few candidates read like the right answer")


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_no_expected_answer_can_be_found_by_grep(source):
    exercise = load_exercise(source)
    ns = student.setup_namespace(exercise)
    text = student.student_path(source).read_text(encoding="utf-8")
    cells = json.loads(text)["cells"]
    answer_cells = [cell_text(c) for c in cells if nbgrader_meta(c).get("solution") and c["cell_type"] == "code"]
    widget = re.compile(r'^(answer|written_answer)\("q\w+"')  # an answer widget's line names its question only
    for code in answer_cells:  # answer cells hold only placeholders or an answer widget's line
        assert all(line.strip().endswith("= ...") or line.strip().startswith("#") or not line.strip()
                   or widget.match(line.strip()) for line in code.splitlines()), code
    for q in exercise.questions:
        if q.kind != "auto":
            continue
        found = student.variant_key(exercise, q, ns)
        ids = list(variants.ids_covering(*found).values()) if found else ["student000"]
        for sid in ids:
            for value in student.expected_answers(exercise, q, sid, ns)[0].values():
                plain = value.item() if hasattr(value, "item") else value
                if isinstance(plain, float) and not plain.is_integer():
                    for decimals in (1, 2, 3):
                        written = f"{round(plain, decimals)}"
                        if len(written.replace("0.", "")) >= 3:
                            assert not re.search(rf"(?<![\d.]){re.escape(written)}(?!\d)", text), (q.key, written)
                elif isinstance(plain, int) and not isinstance(plain, bool) and plain >= 100:
                    assert not re.search(rf"(?<![\d.\w-]){plain}(?![\d.])", text), (q.key, plain)


def test_the_harness_catches_a_check_that_gives_the_answer_away():
    """Honesty of the test above: a correctness check on a small number is caught."""
    code = compile('check_number("Q1", q1, 476, hint="Count again.")', "<leaky>", "exec")
    ns = {"check_number": checks.check_number}
    assert feedback(code, ns, ["q1"], 476, "s1") != feedback(code, ns, ["q1"], wrong_like(476), "s1")
