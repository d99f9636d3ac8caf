"""Plain-language error messages in a student's Jupyter kernel, through IPython's own hooks.

`install()` (called when `escalation.checks` is imported) replaces the traceback of an error in a cell
with one sentence naming its likely cause: a word without quotes (`q1 = he`), a misspelt name, a missing
quote or bracket, a column name that is not in the table, text where a number is wanted. The full
technical message stays one command away (`%tb`).

When the failing cell assigns an answer variable (`q1`, `q4_kiev`, `student_id`), that variable is set to
an `AnswerError` (whatever it held before), so the check below it says "your answer cell has an error: …" rather than "not answered
yet", and the cell does not stop *Run All*: the rest of the notebook still runs.

It installs only in a real Jupyter kernel (ipykernel's ZMQInteractiveShell): never in the grader's shell,
a terminal IPython or plain Python, unless a test passes `force=True`.
"""
from __future__ import annotations

import difflib
import re
import sys
import types

ANSWER = r"q\d+[A-Za-z0-9_]*|ex\d+_\d+[A-Za-z0-9_]*|student_id"  # graded sets (q1), lessons (ex2_1)
ANSWER_NAME = re.compile(rf"^({ANSWER})$")
ASSIGNMENT = re.compile(rf"^[ \t]*({ANSWER})[ \t]*(?::[^=]*)?=(?!=)", re.M)
DETAILS = "(Type %tb in a new cell to see Python's full message.)"


class AnswerError:
    """Stands in for an answer whose cell failed; the checks report `message` instead of a value."""

    def __init__(self, message: str):
        self.message = message

    def __repr__(self) -> str:
        return f"<your answer cell has an error: {self.message}>"

    def __bool__(self) -> bool:
        return False


# ----------------------------------------------------------------------------- explaining errors
def _close(name: str, names) -> list[str]:
    return difflib.get_close_matches(name, [n for n in names if not n.startswith("_")], n=1, cutoff=0.75)


def _columns(namespace: dict) -> list[str]:
    cols: list[str] = []
    for value in list((namespace or {}).values())[-200:]:
        if type(value).__name__ == "DataFrame":
            try:
                cols += [str(c) for c in value.columns]
            except Exception:  # noqa: BLE001
                pass
    return cols


def _bare_word_answer(name: str, cell: str) -> bool:
    """Does an answer line give `name` as a plain word (`q1 = he`, `q2 = [Kyiv, "Kharkiv"]`)?"""
    for line in (cell or "").splitlines():
        m = ASSIGNMENT.match(line)
        if m:
            rhs = line[m.end():]
            if re.fullmatch(r"[\s\[\](),\w'\"-]*", rhs) and "(" not in rhs and re.search(rf"\b{re.escape(name)}\b", rhs):
                return True
    return False


def explain_name_error(name: str, namespace: dict | None = None, cell: str = "") -> str:
    namespace = namespace or {}
    if ANSWER_NAME.match(name):
        return (f"`{name}` has no value yet: run the cell where you give it (or run the notebook from the top "
                "with Run › Run All Cells).")
    bare = _bare_word_answer(name, cell)
    similar = [] if len(name) < 4 else _close(name, [n for n in namespace if not n.startswith(("_", "In", "Out"))])
    if similar and not bare:
        return f"`{name}` is not a name Python knows: did you mean `{similar[0]}`? (Names must be spelt exactly.)"
    return (f"`{name}` is not a name Python knows: did you forget the quotes, as in \"{name}\"? "
            "Text answers go between quotes.")


def _answer_line_problem(line: str, where: str) -> str | None:
    """A message for the two answer-line slips Python only calls "invalid syntax": nothing after =, a %."""
    m = ASSIGNMENT.match(line)
    if not m:
        return None
    name, rhs = m.group(1), line[m.end():].split("#")[0].strip()
    if not rhs:
        return (f"The answer is missing: type it after `{name} =` (or put back the ... to leave it for later)"
                f"{where}.")
    if re.fullmatch(r"[-+]?\d[\d_]*(\.\d+)?\s*%", rhs):
        return (f"Python does not read the % sign: write the number alone, as in {name} = {rhs.rstrip('% ')}"
                f"{where}.")
    return None


def explain_syntax_error(exc: SyntaxError, cell: str = "") -> str:
    msg = (exc.msg or "").lower()
    line = (exc.text or "").strip()
    where = f" (line {exc.lineno}: {line})" if exc.lineno and line else ""
    slip = _answer_line_problem(line, where) if "invalid syntax" in msg or "expected" in msg else None
    if slip:
        return slip
    if isinstance(exc, IndentationError) or "indent" in msg:
        return ("A line starts with spaces where Python does not expect them: remove the spaces at the start "
                f"of the line{where}.")
    if "unterminated string" in msg or "eol while scanning" in msg or "unterminated triple" in msg:
        return f"A quote is missing: text must start and end with the same quote mark, as in \"Kyiv\"{where}."
    code = cell or line
    unclosed = any(code.count(a) > code.count(b) for a, b in ("()", "[]", "{}"))
    if "was never closed" in msg or "unexpected eof" in msg or ("incomplete input" in msg and unclosed):
        return f"A bracket is opened but never closed: add the missing ), ] or }}{where}."
    if "unmatched" in msg or "does not match opening parenthesis" in msg:
        return f"There is a closing bracket without an opening one, or the brackets do not pair up{where}."
    if "invalid decimal literal" in msg or "invalid digit" in msg:
        return (f"A number runs into letters: write only the number (300, not 300km), or put text in quotes"
                f"{where}.")
    if "leading zeros" in msg:
        return f"A whole number cannot start with 0 (write 7, not 07){where}."
    if "cannot assign to" in msg or "cannot be assigned" in msg:
        return ("The left of = must be the name of the answer (like q1), without quotes or anything else"
                f"{where}.")
    if "invalid character" in msg:
        return (f"The line contains a character Python cannot read, often a curly quote (“ ” ‘ ’) pasted from "
                f"a document: type straight quotes \" instead{where}.")
    if "forgot a comma" in msg or "invalid syntax" in msg or "expected" in msg:
        if line.count('"') % 2 or line.count("'") % 2:
            return f"A quote is missing: text must start and end with the same quote mark, as in \"Kyiv\"{where}."
        return ("Python cannot read this line: text goes inside quotes (\"like this\"), numbers are written "
                f"alone (12.5), and list items are separated by commas{where}.")
    return f"Python cannot read this cell: {exc.msg}{where}."


def explain(exc: BaseException, namespace: dict | None = None, cell: str = "") -> str:
    """One plain sentence naming the likely cause of an error in a student's cell."""
    from .errors import EscalationError

    text = str(exc)
    if isinstance(exc, SyntaxError):
        return explain_syntax_error(exc, cell)
    if isinstance(exc, NameError):
        name = getattr(exc, "name", None) or (re.findall(r"name '([^']+)'", text) or ["?"])[0]
        return explain_name_error(name, namespace, cell)
    if isinstance(exc, EscalationError):
        return " ".join(text.split())
    if isinstance(exc, KeyError):
        key = exc.args[0] if exc.args else "?"
        similar = _close(str(key), _columns(namespace or {}))
        tip = f" Did you mean '{similar[0]}'?" if similar else ""
        return (f"There is no column or entry called {key!r}: names must match exactly (capital letters and "
                f"spaces count).{tip}")
    if isinstance(exc, (TypeError, ValueError)) and re.search(r"truth value of a (Series|DataFrame) is ambiguous", text):
        return ("Two conditions on a table are joined with `and` or `or`: use & (and) or | (or), with each "
                "condition in brackets, as in (table[\"a\"] == 1) & (table[\"b\"] > 2).")
    if isinstance(exc, TypeError) and re.search(r"unsupported operand type\(s\) for [&|]", text):
        return ("A condition with & or | needs brackets around each part, as in "
                "(table[\"a\"] == 1) & (table[\"b\"] > 2).")
    if isinstance(exc, TypeError):
        if re.search(r"'str' and '(int|float)'|'(int|float)' and 'str'|must be str, not (int|float)"
                     r"|can only concatenate str", text):
            return ("Text and a number are mixed: a number in quotes (\"7\") is text. Remove the quotes around "
                    "numbers, and put quotes only around words.")
        if "not callable" in text:
            return ("Something that is not a function is followed by brackets: check for a missing comma or an "
                    "operator before the (.")
        if "argument" in text:
            return f"A function got the wrong inputs: {' '.join(text.split())}. Compare with the example in the question."
        return f"A value of the wrong kind was used: {' '.join(text.split())}."
    if isinstance(exc, AttributeError):
        m = re.search(r"'(\w+)' object has no attribute '(\w+)'", text)
        if m:
            return (f"A {m.group(1)} has nothing called `{m.group(2)}`: check the spelling of the word after the "
                    "dot.")
        return f"Nothing of that name exists here: {' '.join(text.split())}."
    if isinstance(exc, IndexError):
        return "A position number is past the end of the list or table: count from 0, and check how many items there are."
    if isinstance(exc, ZeroDivisionError):
        return "A number is divided by zero: check the value below the division line."
    if isinstance(exc, ValueError):
        first = " ".join(text.split())
        return f"A value was not accepted: {first}" + ("" if first.endswith(".") else ".")
    if isinstance(exc, (ImportError, ModuleNotFoundError)):
        return (f"A part of the module could not be loaded ({text}): run the first cell of the notebook, and if "
                "it persists ask your instructor (the set-up may be incomplete).")
    return f"Python stopped at an error ({type(exc).__name__}): {' '.join(text.split()) or 'no details'}."


# ----------------------------------------------------------------------------- the IPython hooks
def answer_names_after(cell: str, lineno: int | None) -> list[str]:
    """Answer variables the cell assigns at or after `lineno` (all of them when lineno is None)."""
    names: list[str] = []
    for m in ASSIGNMENT.finditer(cell or ""):
        line = cell.count("\n", 0, m.start()) + 1
        if (lineno is None or line >= lineno) and m.group(1) not in names:
            names.append(m.group(1))
    return names


def _cell_lineno(shell, tb) -> int | None:
    """The line of the cell where the error happened (the last frame running in the user's namespace)."""
    lineno = None
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_globals is shell.user_ns and frame.f_code.co_name == "<module>":
            lineno = tb.tb_lineno
        tb = tb.tb_next
    return lineno


def _handler(shell, etype, value, tb, tb_offset=None):
    state = shell._escalation_friendly
    cell = state.get("cell", "")
    try:
        sentence = explain(value, shell.user_ns, cell)
    except Exception:  # noqa: BLE001 - never lose the error because the explanation failed
        sentence = f"Python stopped at an error ({etype.__name__})."
    lineno = None if isinstance(value, SyntaxError) else _cell_lineno(shell, tb)
    names = answer_names_after(cell, lineno)
    for name in names:
        shell.user_ns[name] = AnswerError(sentence)
    if names:
        state["handled"] = True
    sys.last_type, sys.last_value, sys.last_traceback = etype, value, tb  # for %tb
    stb = [f"✘ {sentence} {DETAILS}"]
    shell._showtraceback(etype, value, stb)
    return stb


def _pre_run_cell(shell, info) -> None:
    state = shell._escalation_friendly
    state["cell"] = getattr(info, "raw_cell", "") or ""
    state["handled"] = False


def _post_run_cell(shell, result) -> None:
    """An answer cell whose error was explained does not stop Run All: its check reports the error."""
    state = shell._escalation_friendly
    if state.get("handled") and result is not None:
        result.error_before_exec = None
        result.error_in_exec = None
    state["handled"] = False


def is_student_kernel(shell) -> bool:
    """True for ipykernel's shell (a notebook or JupyterLab kernel), False for the grader and terminals."""
    try:
        from ipykernel.zmqshell import ZMQInteractiveShell
    except ImportError:
        return False
    return isinstance(shell, ZMQInteractiveShell)


def install(shell=None, *, force: bool = False) -> bool:
    """Install the friendly error messages in the running Jupyter kernel; True when installed.

    A no-op (False) outside ipykernel, unless `force=True` with an explicit shell (for tests).
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover
            return False
        shell = get_ipython()
    if shell is None or (not force and not is_student_kernel(shell)):
        return False
    if getattr(shell, "_escalation_friendly", None) is not None:
        return True
    shell._escalation_friendly = {"cell": "", "handled": False}
    shell.set_custom_exc((Exception,), _handler)
    shell.events.register("pre_run_cell", types.MethodType(_pre_run_cell, shell))
    shell.events.register("post_run_cell", types.MethodType(_post_run_cell, shell))
    return True


def uninstall(shell) -> None:
    """Remove the hooks (tests)."""
    if getattr(shell, "_escalation_friendly", None) is None:
        return
    shell.set_custom_exc((), None)
    for event in ("pre_run_cell", "post_run_cell"):
        for callback in list(shell.events.callbacks[event]):
            if getattr(callback, "__func__", None) in (_pre_run_cell, _post_run_cell):
                shell.events.unregister(event, callback)
    shell._escalation_friendly = None
