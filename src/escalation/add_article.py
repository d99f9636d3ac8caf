"""Add this week's article to the module in one command.

    escalation-add-article FILE --headline "…" --outlet "…" --date YYYY-MM-DD [--byline "…"] [--language en]
        [--translated-from German] [--body-starts-with "first words"] [--body-ends-before "first words after"]
        [--no-execute] [--data FOLDER]

The command checks the text and the details, stores the file verbatim (byte for byte) in data/articles/,
writes its row in data/articles/articles.csv, shows where the article's own text starts and ends, recomputes
the catalogue (cut-offs, data dictionary, README, the cards' "Data as of" rows) and re-executes the notebooks
that read the articles. Every tool that lists articles reads articles.csv, so the article appears in all of them.
Bad input is refused with the file, line and reason, and then nothing is written.

Exit status: 0 when the article was added, 1 when it was refused (or re-execution failed), 2 for a usage error.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from . import data_update, tables
from .corpus import TABLE, find_body, load_articles
from .data_update import Refused
from .errors import DataError, EscalationError
from .paths import data_dir

MAX_BYTES = 500_000
MIN_BODY_WORDS = 50


@dataclass
class Plan:
    """What the command will write: the stored file's name and bytes, and the metadata row."""

    file: str
    content: bytes
    row: dict
    body: str
    body_lines: tuple[int, int]


def line_of(text: str, index: int) -> int:
    """1-based line number of a character position."""
    return text.count("\n", 0, index) + 1


def _decode(path: Path, raw: bytes) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise Refused(f"{path}, line {line}: not UTF-8 text (the byte at position {exc.start} cannot be read); "
                      "open the file in a text editor and save it as UTF-8.") from None
    return text


def _control_characters(path: Path, text: str) -> list[str]:
    problems = []
    for match in re.finditer(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text):
        problems.append(f"{path}, line {line_of(text, match.start())}: a control character (U+{ord(match.group()):04X}) "
                        "that is not text; was a binary file given?")
        if len(problems) >= 3:
            break
    return problems


def _marker(path: Path, text: str, marker: str, option: str, start: int = 0) -> tuple[int, list[str]]:
    """Where a body marker occurs (after `start`); it must occur exactly once there."""
    hits = [m.start() for m in re.finditer(re.escape(marker), text)]
    after = [h for h in hits if h >= start]
    if not after:
        where = "after the start of the body" if start and hits else "in the text"
        return -1, [f"{path}: {option} '{marker}' does not occur {where}; copy the words exactly from the file."]
    if len(after) > 1:
        lines = ", ".join(str(line_of(text, h)) for h in after[:5])
        return -1, [f"{path}, lines {lines}: {option} '{marker}' occurs {len(after)} times; give enough words "
                    "to find one place only."]
    return after[0], []


def _slug(headline: str, date: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", headline).encode("ascii", "ignore").decode().lower()
    words = [w for w in re.findall(r"[a-z0-9]+", ascii_text) if w not in {"a", "an", "the", "of", "to", "in", "on", "and"}]
    return "_".join(words[:4] or ["article"]) + "_" + date[:4]


def plan(path: Path, *, headline: str, outlet: str, date: str, byline: str = "", language: str = "en",
         translated_from: str = "", body_starts_with: str = "", body_ends_before: str = "",
         data: Path | None = None) -> Plan:
    """Check the input against the corpus; return what would be written, or raise Refused listing every problem."""
    data = data or data_dir()
    res = tables.resource(TABLE, data)
    table_path = data / res["path"]
    problems: list[str] = []
    if not path.is_file():
        raise Refused(f"{path}: no such file (give the path of a plain-text file with the article).")
    raw = path.read_bytes()
    if not raw.strip():
        raise Refused(f"{path}, line 1: the file is empty; paste the article's text into it.")
    if len(raw) > MAX_BYTES:
        raise Refused(f"{path}: {len(raw):,} bytes is more than an article ({MAX_BYTES:,}); was a whole web page saved?")
    text = _decode(path, raw)
    problems += _control_characters(path, text)
    if text.lstrip().startswith(("<!DOCTYPE", "<html", "<HTML", "{\\rtf", "%PDF")):
        problems.append(f"{path}, line 1: this is a web page, RTF or PDF file, not plain text; copy the article's "
                        "text into a .txt file.")
    for name, value in (("--headline", headline), ("--outlet", outlet), ("--byline", byline),
                        ("--language", language), ("--translated-from", translated_from)):
        if "\n" in value or "\r" in value:
            problems.append(f"{name}: give it on one line")
    if not headline.strip():
        problems.append("--headline: a headline is required (as printed; write it as it appears in the file)")
    if not outlet.strip():
        problems.append("--outlet: the publishing outlet is required (or 'not stated in the source file')")
    try:
        day = dt.date.fromisoformat(date)
        if day > dt.date.today():
            problems.append(f"--date: '{date}' is in the future")
    except ValueError:
        problems.append(f"--date: '{date}' is not a real date written YYYY-MM-DD")
    if not re.fullmatch(r"[a-z]{2,3}", language.strip()):
        problems.append(f"--language: '{language}' is not a language code such as en, de, uk or ru")
    start = end = -1
    if body_starts_with:
        start, found = _marker(path, text, body_starts_with, "--body-starts-with")
        problems += found
    if body_ends_before:
        end, found = _marker(path, text, body_ends_before, "--body-ends-before", max(start, 0))
        problems += found
    header, rows = tables.read_rows(table_path)
    digest = hashlib.sha256(raw).hexdigest()
    for number, row in enumerate(rows, start=2):
        other = table_path.parent / row["file"]
        if other.is_file() and hashlib.sha256(other.read_bytes()).hexdigest() == digest:
            problems.append(f"{path}: the same text is already stored as {row['file']} (articles.csv, line {number}, "
                            f"id {row['id']})")
        if row["headline"].strip().lower() == headline.strip().lower() and row["date"] == date:
            problems.append(f"--headline: articles.csv, line {number} already has this headline and date (id {row['id']})")
    if problems:
        raise Refused("\n".join(problems))

    body = find_body(text, body_starts_with, body_ends_before, path.name)
    if len(body.split()) < MIN_BODY_WORDS:
        raise Refused(f"{path}: the body between the markers has {len(body.split())} words; an article has at least "
                      f"{MIN_BODY_WORDS}. Check --body-starts-with and --body-ends-before.")
    body_start = text.find(body)
    body_lines = (line_of(text, body_start), line_of(text, body_start + len(body) - 1))
    ids = {r["id"] for r in rows}
    base = _slug(headline, date)
    new_id = base if base not in ids else next(f"{base}_{n}" for n in range(2, 1000) if f"{base}_{n}" not in ids)
    numbers = [int(m.group(1)) for r in rows if (m := re.match(r"(\d+)_", r["file"]))]
    file = f"{(max(numbers) + 1) if numbers else 0:03d}_{digest[:16]}.txt"
    furniture = []
    if body_starts_with:
        furniture.append(f"lines 1–{body_lines[0] - 1} before the body" if body_lines[0] > 1 else "")
    if body_ends_before:
        furniture.append(f"from line {line_of(text, end)} on, after the body")
    row = {
        "id": new_id, "file": file, "headline": headline.strip(), "outlet": outlet.strip(),
        "byline": byline.strip() or "not stated in the source file", "date": date, "date_precision": "day",
        "date_basis": "stated", "date_note": "Date as given when the article was added (escalation-add-article).",
        "language": f"{language} (translated from {translated_from.strip()})" if translated_from.strip() else language,
        "translation_note": (f"Translated from {translated_from.strip()}; translator as the file states, if at all."
                             if translated_from.strip() else ""),
        "boilerplate_note": ("Page furniture set aside by the markers: " + "; ".join(f for f in furniture if f) + "."
                             if any(furniture) else ""),
        "body_starts_with": body_starts_with, "body_ends_before": body_ends_before,
    }
    problems = []
    try:
        tables.validate_rows(header, [row], res["schema"], label=f"{res['path']} (new row)")
    except DataError as exc:
        problems.append(str(exc))
    if problems:
        raise Refused("\n".join(problems))
    return Plan(file=file, content=raw, row=row, body=body, body_lines=body_lines)


def apply(p: Plan, data: Path | None = None) -> dict:
    """Write the file and the row (the row last, so a half-done add leaves no listed article without a file)."""
    data = data or data_dir()
    res = tables.resource(TABLE, data)
    table_path = data / res["path"]
    header, rows = tables.read_rows(table_path)
    target = table_path.parent / p.file
    data_update.write_text_atomic(target, p.content)
    try:
        data_update.write_csv(table_path, header, rows + [p.row])
        load_articles(data)  # the corpus still loads with the new article
    except BaseException:
        data_update.write_csv(table_path, header, rows)
        target.unlink(missing_ok=True)
        raise
    return {"cutoffs": data_update.refresh_derived(data)}


def describe(p: Plan) -> str:
    """Where the body starts and ends, in the stored file's lines and words."""
    words = p.body.split()
    return (f"Body: lines {p.body_lines[0]}–{p.body_lines[1]} of {p.file}, {len(words)} words\n"
            f"  starts: {' '.join(words[:12])} …\n"
            f"  ends:   … {' '.join(words[-12:])}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="escalation-add-article", description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path, help="plain-text file (UTF-8) with the article as received")
    parser.add_argument("--headline", required=True, help="headline as printed")
    parser.add_argument("--outlet", required=True, help="publishing outlet, or 'not stated in the source file'")
    parser.add_argument("--date", required=True, help="publication date, YYYY-MM-DD")
    parser.add_argument("--byline", default="", help="author as printed (default: not stated)")
    parser.add_argument("--language", default="en", help="language code of the text (default: en)")
    parser.add_argument("--translated-from", default="", help="the original's language, if the text is a translation")
    parser.add_argument("--body-starts-with", default="", help="the first words of the article's own text")
    parser.add_argument("--body-ends-before", default="", help="the first words after the article's own text")
    parser.add_argument("--no-execute", action="store_true", help="write the article but only list the notebooks")
    parser.add_argument("--data", type=Path, default=None, help="data folder (default: the module's data/)")
    parser.add_argument("--notebooks", type=Path, default=data_update.NOTEBOOKS, help="folder of lesson notebooks")
    args = parser.parse_args(argv)
    try:
        data = (args.data or data_dir()).resolve()
        p = plan(args.file, headline=args.headline, outlet=args.outlet, date=args.date, byline=args.byline,
                 language=args.language, translated_from=args.translated_from,
                 body_starts_with=args.body_starts_with, body_ends_before=args.body_ends_before, data=data)
    except Refused as exc:
        return data_update.report_refused(exc, "Refused: nothing was written. Fix these and run the command again:")
    except EscalationError as exc:
        print(f"Refused: nothing was written. {exc}", file=sys.stderr)
        return 1
    changes = apply(p, data)
    print(f"Added article '{p.row['id']}': data/articles/{p.file} (stored verbatim) and its row in articles.csv")
    print(describe(p))
    for name, (old, new) in changes["cutoffs"].items():
        print(f"cut-off of {name}: {old} -> {new}")
    print("rewrote data/datapackage.json (cut-offs), data/DATA_DICTIONARY.md and data/README.md")
    if data_update.is_repository_data(data):
        cards = data_update.refresh_cards(args.notebooks, data)
        print("cards' 'Data as of' rows rewritten: " + (", ".join(c.name for c in cards) or "none changed"))
    notebooks = data_update.affected_notebooks({"articles"}, args.notebooks)
    names = ", ".join(n.name for n in notebooks)
    if args.no_execute or not data_update.is_repository_data(data):
        print(f"notebooks to re-execute: {names}\n  run: python tools/execute_notebooks.py "
              + " ".join(f"notebooks/{n.name}" for n in notebooks))
        return 0
    try:
        data_update.execute_notebooks(notebooks)
    except EscalationError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    print(f"notebooks re-executed: {names}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
