"""Run the source's tests on plain answer values (check stage).

`check_spec` turns a parsed source into the plain description a checking process needs (the set-up code,
and per question its tests, visible and hidden parts, and points). `run_checks` runs it: in the grader this
happens in a fresh sealed process that never ran student code (worker.py, `kind: "check"`); the values it
gets are plain data rebuilt by `protocol.decode_value`, so no student object, and no `__eq__` a student
wrote, reaches a test. A test cell earns its points when it runs without an exception (nbgrader's rule);
messages come from its visible part only, and a failing hidden part is reported without its source or
message, unless it raised `escalation.marking.Mistake`: that message is authored feedback aimed at a known
mistake, shown as "Not right: <message>". Lines the tests print ("Right: …") are shown too.
"""
from __future__ import annotations

import contextlib
import copy
import io

from ..checks import CheckFailed, NotAnswered
from .source import ID_VARIABLE, Exercise

try:
    from ..marking import Mistake
except ImportError:  # escalation.marking not installed yet: recognise the class by its name and module
    Mistake = None

MAX_MESSAGE_CHARS = 500  # one feedback line (visible checks may echo a student's answer)
MAX_MESSAGES = 20  # per question


def check_spec(exercise: Exercise) -> dict:
    """The plain description of an exercise's tests (JSON-serialisable: it travels to the checking process)."""
    return {"name": exercise.name, "setup": exercise.setup_code, "questions": [
        {"key": q.key, "tests": [{"id": tid, "visible": exercise.tests[tid].visible,
                                  "hidden": exercise.tests[tid].hidden, "points": exercise.tests[tid].points}
                                 for tid in q.test_ids]}
        for q in exercise.questions if q.kind == "auto"]}


def is_mistake(exc: BaseException) -> bool:
    """Whether a test raised `escalation.marking.Mistake` (authored feedback aimed at a known mistake)."""
    if Mistake is not None:
        return isinstance(exc, Mistake)
    return any(c.__name__ == "Mistake" and c.__module__ == "escalation.marking" for c in type(exc).__mro__)


def mistake_line(exc: BaseException) -> str:
    """The feedback line of a Mistake: "Not right: <its message>" on one line."""
    return "Not right: " + " ".join(str(exc).split())


def _setup(spec: dict) -> dict:
    ns: dict = {"__name__": "__grading__"}
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        exec(compile(spec["setup"], f"<{spec['name']} set-up>", "exec"), ns)
    return ns


def run_checks(spec: dict, values: dict) -> tuple[dict[str, float], dict[str, list[str]]]:
    """Points and feedback per question for plain answer values (the set-up runs once, each test on a copy)."""
    base = _setup(spec)
    scores: dict[str, float] = {}
    messages: dict[str, list[str]] = {}
    for q in spec["questions"]:
        scores[q["key"]] = 0.0
        messages[q["key"]] = []
        for test in q["tests"]:
            ns = dict(base)
            for name, value in values.items():
                ns[name] = copy.deepcopy(value)
            out = io.StringIO()
            ok, message = True, ""
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
                try:
                    exec(compile(test["visible"], f"<{test['id']}>", "exec"), ns)
                except (NotAnswered, CheckFailed) as exc:
                    ok, message = False, str(exc)
                except AssertionError as exc:
                    ok, message = False, (mistake_line(exc) if is_mistake(exc) else
                                          f"The check could not run on this answer ({type(exc).__name__}).")
                except NameError as exc:
                    missing = getattr(exc, "name", "") or "an answer variable"
                    ok, message = False, f"… {missing} has no value: its answer cell is missing or did not run."
                except Exception as exc:  # noqa: BLE001
                    ok, message = False, f"The check could not run on this answer ({type(exc).__name__})."
                if ok and test["hidden"].strip():
                    try:
                        exec(compile(test["hidden"], f"<{test['id']} hidden>", "exec"), ns)
                    except Exception as exc:  # noqa: BLE001 - hidden: never show why, unless the author wrote it
                        ok = False
                        message = (mistake_line(exc) if is_mistake(exc) else
                                   "Not right: the answer did not pass the further (hidden) checks.")
            printed = [line for line in out.getvalue().splitlines() if line.strip()]
            messages[q["key"]] += [m[:MAX_MESSAGE_CHARS] for m in printed + ([message] if message else [])]
            if ok:
                scores[q["key"]] += float(test["points"])
        messages[q["key"]] = messages[q["key"]][:MAX_MESSAGES]
    return scores, messages


def run_tests(exercise: Exercise, values: dict, student_id: str | None = None
              ) -> tuple[dict[str, float], dict[str, list[str]]]:
    """Run an exercise's tests here, on plain values (for instructors' tools and tests; grading runs them in a
    checking process). `student_id` is put into the tests' namespace as a plain string."""
    if student_id is not None:
        values = dict(values, **{ID_VARIABLE: str(student_id)})
    return run_checks(check_spec(exercise), values)
