"""The evidence board: a student's table of claims, who makes them, the evidence and how sure they are.

A board is a plain DataFrame with the columns of `COLUMNS`. Every function returns a new board and leaves
its input alone, so a widget (or a test) can call them one after another. Boards are saved as UTF-8 CSV to
a file in the student's own folder (`my_work/evidence_board.csv` by default, next to the notebooks); an
existing file is never replaced unless the caller says so, and a reloaded file is checked, with a message
that names the line and column of any problem.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from .errors import EscalationError

COLUMNS = ["claim", "who", "evidence", "source", "confidence"]
CONFIDENCE = ["low", "medium", "high"]
REQUIRED = ["claim", "who", "source", "confidence"]
DESCRIPTIONS = {
    "claim": "What is claimed, in one sentence",
    "who": "Who makes the claim (a person, government or outlet)",
    "evidence": "What supports or contradicts it (a figure, a quote, a notebook result)",
    "source": "Where it is said or shown: outlet or notebook, title, date",
    "confidence": "How sure you are that the claim holds: low, medium or high",
}
MAX_LENGTH = 1000
DEFAULT_FILE = "evidence_board.csv"
# The student's own folder for work the widgets save, next to the notebooks (never a temporary folder).
WORK_FOLDER = "my_work"
DEFAULT_PATH = f"{WORK_FOLDER}/{DEFAULT_FILE}"


def new_board() -> pd.DataFrame:
    """An empty board with the standard columns."""
    return pd.DataFrame({name: pd.Series([], dtype=str) for name in COLUMNS})


def clean_row(claim: str, who: str, evidence: str, source: str, confidence: str) -> dict:
    """Check one row's values and return them tidied (spaces trimmed, confidence lower-case)."""
    values = {"claim": claim, "who": who, "evidence": evidence, "source": source, "confidence": confidence}
    row = {}
    for name, value in values.items():
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise EscalationError(f"The {name} should be text, not {type(value).__name__}.")
        value = " ".join(value.split())
        if len(value) > MAX_LENGTH:
            raise EscalationError(f"The {name} is {len(value)} characters long; keep it under {MAX_LENGTH} "
                                  "(summarise, and put the details in your notes).")
        row[name] = value
    row["confidence"] = row["confidence"].lower()
    missing = [name for name in REQUIRED if not row[name]]
    if missing:
        raise EscalationError("Fill in " + ", ".join(missing) + ": every row of the board needs a claim, "
                              "who makes it, a source and your confidence.")
    if row["confidence"] not in CONFIDENCE:
        raise EscalationError(f"Confidence '{row['confidence']}' is not one of: {', '.join(CONFIDENCE)}.")
    return row


def add_row(board: pd.DataFrame, claim: str, who: str, evidence: str, source: str,
            confidence: str) -> pd.DataFrame:
    """Return a new board with one row added at the end."""
    row = clean_row(claim, who, evidence, source, confidence)
    return pd.concat([board[COLUMNS], pd.DataFrame([row], columns=COLUMNS)], ignore_index=True)


def check_index(board: pd.DataFrame, index) -> int:
    """Return a valid row number or explain which numbers exist (a number out of range is refused)."""
    if isinstance(index, float) and index.is_integer():
        index = int(index)
    if isinstance(index, bool) or not isinstance(index, int):
        raise EscalationError(f"Choose a row by its number (0, 1, 2 …), not {index!r}.")
    if not 0 <= index < len(board):
        if len(board) == 0:
            raise EscalationError("The board is empty: add a row first.")
        raise EscalationError(f"There is no row {index}: the board has rows 0 to {len(board) - 1}.")
    return index


def edit_row(board: pd.DataFrame, index: int, **changes: str) -> pd.DataFrame:
    """Return a new board with some values of one row changed (for example confidence="high")."""
    index = check_index(board, index)
    unknown = sorted(set(changes) - set(COLUMNS))
    if unknown:
        raise EscalationError(f"Unknown column(s) {', '.join(unknown)}; the board has {', '.join(COLUMNS)}.")
    values = {name: board.iloc[index][name] for name in COLUMNS}
    values.update(changes)
    row = clean_row(**values)
    edited = board[COLUMNS].copy()
    for name in COLUMNS:
        edited.at[index, name] = row[name]
    return edited


def remove_row(board: pd.DataFrame, index: int) -> pd.DataFrame:
    """Return a new board without one row (the rows after it move up by one)."""
    index = check_index(board, index)
    return board[COLUMNS].drop(index=board.index[index]).reset_index(drop=True)


def board_to_csv(board: pd.DataFrame) -> str:
    """The board as CSV text (UTF-8, a header line, every field quoted where needed)."""
    buffer = io.StringIO()
    board[COLUMNS].to_csv(buffer, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    return buffer.getvalue()


def resolve_path(path) -> Path:
    """Turn the student's file name into a path, refusing names that cannot be a CSV file."""
    if path is None or not str(path).strip():
        raise EscalationError(f"Type a file name, for example {DEFAULT_FILE}.")
    target = Path(str(path).strip()).expanduser()
    if target.suffix.lower() != ".csv":
        raise EscalationError(f"The file name '{target.name}' should end in .csv, for example {DEFAULT_FILE}.")
    return target


def save_board(board: pd.DataFrame, path, *, overwrite: bool = False) -> Path:
    """Save the board as CSV; refuse to replace an existing file unless `overwrite` is True."""
    target = resolve_path(path)
    if target.is_dir():
        raise EscalationError(f"'{target}' is a folder; add a file name such as {DEFAULT_FILE}.")
    if target.exists() and not overwrite:
        raise EscalationError(f"The file '{target.name}' already exists. Choose another name, or confirm that "
                              "you want to replace it (in the widget, tick 'Overwrite the file if it exists'; "
                              "in code, pass overwrite=True).")
    if target.parent.exists() and not target.parent.is_dir():
        raise EscalationError(f"'{target.parent}' is a file, not a folder; choose another place for the board.")
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".partial")
    temporary.write_text(board_to_csv(board), encoding="utf-8")
    temporary.replace(target)
    return target


def parse_board(text: str, label: str = "the file") -> pd.DataFrame:
    """Read CSV text into a board, checking columns and every row; errors name the line and column."""
    reader = csv.reader(io.StringIO(text))
    try:
        lines = list(reader)
    except csv.Error as exc:
        raise EscalationError(f"{label} is not a readable CSV file ({exc}).") from None
    if not lines or not any(cell.strip() for cell in lines[0]):
        raise EscalationError(f"{label} is empty. An evidence board starts with the header line "
                              f"{','.join(COLUMNS)}.")
    header = [cell.strip().lower() for cell in lines[0]]
    missing = [name for name in COLUMNS if name not in header]
    extra = [name for name in header if name not in COLUMNS]
    if missing or extra:
        detail = []
        if missing:
            detail.append("missing column(s): " + ", ".join(missing))
        if extra:
            detail.append("unexpected column(s): " + ", ".join(extra))
        raise EscalationError(f"{label} is not an evidence board ({'; '.join(detail)}). Its first line must be "
                              f"{','.join(COLUMNS)}.")
    rows, problems = [], []
    for number, cells in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            problems.append(f"line {number}: {len(cells)} values for {len(header)} columns (a comma inside "
                            "a value needs quotation marks)")
            continue
        values = dict(zip(header, cells))
        try:
            rows.append(clean_row(**{name: values[name] for name in COLUMNS}))
        except EscalationError as exc:
            problems.append(f"line {number}: {exc}")
    if problems:
        shown = problems[:5]
        more = f" … and {len(problems) - 5} more." if len(problems) > 5 else ""
        raise EscalationError(f"{label} has problems: " + "; ".join(shown) + more)
    return pd.DataFrame(rows, columns=COLUMNS) if rows else new_board()


def load_board(path) -> pd.DataFrame:
    """Load a board saved by `save_board` (or written by hand), with clear messages for bad files."""
    target = resolve_path(path)
    if not target.exists():
        raise EscalationError(f"There is no file '{target}'. Check the name and the folder.")
    if target.is_dir():
        raise EscalationError(f"'{target}' is a folder, not a CSV file.")
    try:
        text = target.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EscalationError(f"'{target.name}' is not UTF-8 text (byte {exc.start}). Save it again as "
                              "UTF-8 CSV.") from None
    return parse_board(text, label=f"'{target.name}'")


def board_summary(board: pd.DataFrame) -> pd.DataFrame:
    """Count the board's rows by who makes the claim and by confidence (sorted, zeros filled)."""
    if board.empty:
        return pd.DataFrame(columns=CONFIDENCE)
    table = pd.crosstab(board["who"], pd.Categorical(board["confidence"], categories=CONFIDENCE),
                        dropna=False)
    table.columns = [str(c) for c in table.columns]
    table.index.name = "who"
    return table.sort_index()[CONFIDENCE]


def word_count(text: str) -> int:
    """Number of words in a written answer (the brief's 300–500 word limit is checked with this)."""
    if text is None or text is Ellipsis:
        return 0
    if not isinstance(text, str):
        raise EscalationError(f"The brief should be written text (in the answer box), not {type(text).__name__}.")
    return len(text.split())


def quote_words(text: str) -> list[str]:
    """Words and punctuation marks of a quote, for comparison; curly quotes made straight, U.S. kept whole."""
    import re

    table = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
    return re.findall(r"[A-Z](?:\.[A-Z])+\.?|[\w'-]+|[^\w\s]", text.translate(table))


def quote_differences(printed: str, reported: str) -> list[dict]:
    """Word-level differences between a quote as printed and as another source reported it.

    Returns one dict per difference: `kind` (changed, added, left out), the printed words and the reported
    words. An empty list means the two agree word for word (ignoring curly versus straight quotes).
    """
    import difflib

    for name, value in (("printed", printed), ("reported", reported)):
        if not isinstance(value, str) or not value.strip():
            raise EscalationError(f"Give the {name} quote as non-empty text.")
    a, b = quote_words(printed), quote_words(reported)
    kinds = {"replace": "changed", "insert": "left out", "delete": "added"}
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op != "equal":
            out.append({"kind": kinds[op], "printed": " ".join(a[i1:i2]), "reported": " ".join(b[j1:j2])})
    return out


def quote_agreement(printed: str, reported: str) -> float:
    """Share of words the two versions of a quote have in common, in order (0 to 1; difflib's ratio)."""
    import difflib

    quote_differences(printed, reported)
    return difflib.SequenceMatcher(a=quote_words(printed), b=quote_words(reported), autojunk=False).ratio()
