"""What a student version's answer cells and instructions may hold: pre-written widget code, no Python to type.

Issue 20 item 4: every answer cell and the student-id cell of a student version is widget code
(`answer(...)`, `your_id()`, `written_answer(...)`) with no `...` placeholder to replace, and no instruction
asks for quotes, brackets or an edit of code.
"""
from __future__ import annotations

import ast
import re

WIDGET_CALLS = {"answer", "your_id", "written_answer"}
PLACEHOLDERS = ("YOUR CODE HERE", "YOUR ANSWER HERE")
# Phrases of an instruction to type Python syntax (the old format's wording and its variants).
SYNTAX_INSTRUCTIONS = re.compile(
    r"between the quotes|keep the quotes|\bin quotes\b|in square brackets|replace the\s*`?(\.\.\.|…)`?",
    re.I)


def _called(node: ast.AST) -> str:
    func = node.func if isinstance(node, ast.Call) else None
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def answer_cell_problem(source: str) -> str:
    """Why an answer or student-id cell still needs the student to type Python ("" when it does not)."""
    for placeholder in PLACEHOLDERS:
        if placeholder in source:
            return f"it holds the placeholder {placeholder!r} for the student to replace"
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return f"it is not valid Python ({exc.msg})"
    if any(isinstance(n, ast.Constant) and n.value is Ellipsis for n in ast.walk(tree)):
        return "it holds a `...` placeholder for the student to replace"
    widgets = 0
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        value = node.value if isinstance(node, (ast.Expr, ast.Assign)) else None
        if isinstance(value, ast.Call) and _called(value) in WIDGET_CALLS:
            widgets += 1
            continue
        return f"line {node.lineno} is not a call of {', '.join(sorted(WIDGET_CALLS))}: {ast.unparse(node)[:60]}"
    return "" if widgets else "it calls no answer widget"


def widget_names(source: str) -> set[str]:
    """The names `answer(name, …)` / `written_answer(name, …)` calls in source give their answers."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _called(node) in {"answer", "written_answer"}:
            args = [a for a in node.args[:1]] + [k.value for k in node.keywords if k.arg == "name"]
            names |= {a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    return names


# An example answer typed as Python with quotes or brackets (`q2 = "he"`, `student_id = "..."`).
TYPED_EXAMPLE = re.compile(r"`(?:q\d+\w*|student_id)\s*=\s*[\"'\[({]")


def instruction_problem(text: str) -> str:
    """The phrase of a markdown cell that tells the student to type Python syntax ("" when none).

    Lines of the optional *In code* hints (for students who program) may show code."""
    for line in text.splitlines():
        if "In code" in line:
            continue
        found = SYNTAX_INSTRUCTIONS.search(line) or TYPED_EXAMPLE.search(line)
        if found:
            return found.group(0)
    return ""
