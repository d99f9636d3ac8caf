"""The generated parts of the teacher's pack: role cards and answer keys (stage: report).

Role cards are generated from data/argument_map.csv at build time (never copied), so rows added to the
table appear on the cards. Answer keys come from the sources: graded sets through `escalation-exercises
--keys` when that command offers it, otherwise from the source notebooks read by
`escalation.grading.source`; practice exercises from `escalation.practice.EXERCISES`.
"""
from __future__ import annotations

import csv
import importlib
import re
import subprocess
import sys
import tempfile
from collections import OrderedDict
from pathlib import Path

from ..paths import REPO_ROOT
from .printing import md

TEAMS = (
    ("for permitting", "Team A argues: the supplier should permit strikes inside Russia"),
    ("against permitting", "Team B argues: the supplier should not permit strikes inside Russia"),
)
MARKS = {"verbatim quote": "verbatim quote", "close paraphrase": "close paraphrase",
         "discussion question": "discussion question (no source says this)"}


def read_argument_map(path: Path | None = None) -> list[dict]:
    path = path or REPO_ROOT / "data" / "argument_map.csv"
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def split_source(source: str) -> list[str]:
    """The "; "-separated parts of a source field, ignoring separators inside parentheses or quotes."""
    parts, depth, quote, current = [], 0, False, ""
    for ch in source:
        if ch in "(" and not quote:
            depth += 1
        elif ch == ")" and not quote:
            depth = max(0, depth - 1)
        elif ch == "'" and (not current or current[-1] in " (") or (ch == "'" and quote):
            quote = not quote
        if ch == ";" and depth == 0 and not quote:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    parts.append(current.strip())
    return [p for p in parts if p]


def short_source(source: str) -> str:
    """Outlet and date of a source field ("Outlet; title; date; URL" -> "Outlet, date")."""
    parts = split_source(source)
    date = next((p for p in parts if re.fullmatch(r"\d{4}(-\d{2}){0,2}", p)), "")
    outlet = parts[0] if parts else source
    return f"{outlet}, {date}" if date else outlet


def _line(row: dict, level: str) -> str:
    mark = MARKS.get(row["text_kind"], row["text_kind"])
    who = ", ".join(x for x in (row.get("speaker", ""), row.get("role", "")) if x)
    if level == "plain":
        kind = "our plain-words summary of a " + mark if row["text_kind"] != "discussion question" else mark
        return (f"- **{row['element'].capitalize()}:** {row['summary']}  \n"
                f"  *[{kind}{'; ' + row['speaker'] if row.get('speaker') else ''}]* "
                f"Source: {short_source(row['source'])}")
    text = f"\u201c{row['text']}\u201d" if row["text_kind"] == "verbatim quote" else row["text"]
    return (f"- **{row['element'].capitalize()}** ({row['side']}, {row['stage']}): {text}  \n"
            f"  *[{mark}{' — ' + who if who else ''}; {row['date']}]* Source: {row['source']}")


def role_cards_markdown(rows: list[dict] | None = None) -> str:
    """Structured-controversy role cards at two reading levels, generated from the argument map."""
    rows = rows if rows is not None else read_argument_map()
    questions = list(OrderedDict.fromkeys(r["question"] for r in rows))
    out = ["# Role cards: structured controversy",
           "",
           "*Generated from `data/argument_map.csv` when the edition is built: every line keeps its mark "
           "(verbatim quote, close paraphrase, or discussion question where no source says) and its source. "
           "Quotes from Russian, German, French and Ukrainian officials are English translations.*",
           "",
           "**How to run it (about 45 minutes).** Pairs of pairs. (1) Each pair reads its card and prepares "
           "the strongest case for its side in the side's own words (8 min). (2) Team A presents, Team B "
           "listens and restates it to A's satisfaction; then B presents and A restates (12 min). (3) Teams "
           "swap sides and add one point the other team missed (8 min). (4) The four drop their roles and write "
           "a joint synthesis: where the sides agree, where they disagree, what evidence would change a mind, "
           "and what the group concludes, each claim attributed (15 min). Students choose their side when a "
           "role is painful for them (ground rule 4 of the guide). Grading: attribution and fairness, never "
           "the position.",
           "",
           "Two reading levels: the **plain** card gives the module's own summary of each line, marked with "
           "what kind of line it summarises; the **full** card gives the words as recorded, with speaker, "
           "date and the full source.", ""]
    for question in questions:
        qrows = [r for r in rows if r["question"] == question]
        out += [f"## Question: {question}", ""]
        for stance, heading in TEAMS:
            team = [r for r in qrows if r["stance"] == stance]
            if not team:
                continue
            for level, label in (("plain", "plain card"), ("full", "full card")):
                out += [f"### {heading} ({label})", ""]
                for side in OrderedDict.fromkeys(r["side"] for r in team):
                    out += [f"**{side}**", ""]
                    out += [_line(r, level) for r in team if r["side"] == side]
                    out.append("")
        middle = [r for r in qrows if r["stance"] not in {s for s, _ in TEAMS}]
        if middle:
            stances = ", ".join(OrderedDict.fromkeys(r["stance"] for r in middle))
            out += [f"### For the joint synthesis: positions in between ({stances})", "",
                    "Use these in step 4: governments that permitted some strikes and not others.", ""]
            for side in OrderedDict.fromkeys(r["side"] for r in middle):
                out += [f"**{side}**", ""] + [_line(r, "full") for r in middle if r["side"] == side] + [""]
    out += ["## Joint synthesis sheet", "",
            "1. The strongest case for permitting, in its own words (with who said it and when): ______",
            "2. The strongest case against, in its own words: ______",
            "3. Where the sides' claims can be checked, and what the evidence shows: ______",
            "4. What, according to a source, changed a side's position? Where no source says, what might? ______",
            "5. Our conclusion, and the strongest objection to it: ______", ""]
    return "\n".join(out)


# ------------------------------------------------------------------------------------------ answer keys

def _keys_from_command(dest: Path) -> list[Path] | None:
    """Run `escalation-exercises --keys DIR` if the command offers it; None when it does not."""
    cmd = [sys.executable, "-c", "from escalation.grading.student import main; raise SystemExit(main())"]
    try:
        helptext = subprocess.run(cmd + ["--help"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    if "--keys" not in helptext:
        return None
    result = subprocess.run(cmd + ["--keys", str(dest)], capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        return None
    files = sorted(dest.rglob("*.md"))
    return files or None


def graded_keys_from_sources() -> dict[str, str]:
    """Set name -> Markdown key, read from the source notebooks (fallback when --keys is not available)."""
    from ..grading import source as src

    keys = {}
    for path in src.all_sources():
        try:
            ex = src.load_exercise(path)
        except src.FormatError as exc:
            keys[path.stem] = f"# Answer key: {path.stem}\n\nThe source could not be read: {exc}\n"
            continue
        lines = [f"# Answer key: {ex.name}", "",
                 f"*Instructor only. Generated from `exercises/source/{ex.name}/{ex.name}.ipynb`; "
                 f"{ex.max_points:g} points ({ex.auto_points:g} autograded).*", ""]
        cells = ex.notebook["cells"]
        by_id = {src.nbgrader_meta(c).get("grade_id", ""): c for c in cells}
        for q in ex.questions:
            lines += [f"## {q.key} ({q.kind}, {q.points:g} points)", "", q.prompt.strip(), ""]
            if q.kind == "auto":
                for gid in q.answer_ids:
                    text = src.cell_text(by_id.get(gid, {"source": ""}))
                    region = src.split_region(text, src.BEGIN_SOLUTION, src.END_SOLUTION, gid)
                    sol = "\n".join(line for inside, line in region
                                    if inside and src.BEGIN_SOLUTION not in line and src.END_SOLUTION not in line)
                    lines += ["**Solution:**", "", "```python", sol.strip(), "```", ""]
                for gid in q.test_ids:
                    test = ex.tests[gid]
                    if test.hidden.strip():
                        lines += [f"**Hidden tests ({gid}):**", "", "```python", test.hidden.strip(), "```", ""]
            else:
                lines += ["**Model answer and notes:**", "", q.model_answer.strip(), ""]
        keys[ex.name] = "\n".join(lines)
    return keys


def practice_keys_markdown() -> str:
    """Markdown key of every practice exercise, from escalation.practice.EXERCISES (C4)."""
    head = ["# Answer key: practice exercises in the lesson notebooks", "",
            "*Instructor only. Generated from `escalation.practice.EXERCISES`; expected values are computed "
            "from the data when the key is built.*", ""]
    try:
        practice = importlib.import_module("escalation.practice")
        exercises = practice.EXERCISES
    except Exception as exc:  # noqa: BLE001 - a missing or broken module is reported in the key
        return "\n".join(head + [f"**Not available in this build:** `escalation.practice` could not be read "
                                 f"({type(exc).__name__}: {exc}). The practice keys appear here once the "
                                 "module provides `EXERCISES`.", ""])
    lines = head
    for ex_id, ex in exercises.items():
        lines += [f"## Exercise {ex_id} ({getattr(ex, 'kind', '')}; notebook {getattr(ex, 'notebook', '')})", "",
                  str(getattr(ex, "prompt", "")).strip(), ""]
        try:
            value = ex.expected_value() if hasattr(ex, "expected_value") else getattr(ex, "expected", None)
        except Exception as exc:  # noqa: BLE001 - answers that depend on the student's own input
            value = f"(depends on the student's own answer: {type(exc).__name__})"
        if value is not None and not callable(value):
            lines += [f"**Expected:** `{value!r}`", ""]
        if getattr(ex, "accepted", ()):
            lines += ["**Accepted:** " + ", ".join(f"`{a}`" for a in ex.accepted), ""]
        if getattr(ex, "model_answer", ""):
            lines += ["**Model answer:**", "", ex.model_answer.strip(), ""]
        if getattr(ex, "rubric", ()):
            lines += ["**Rubric (checklist):**", ""] + [f"- [ ] {r}" for r in ex.rubric] + [""]
        if getattr(ex, "solution_note", ""):
            lines += ["**How to find it:** " + ex.solution_note.strip(), ""]
    return "\n".join(lines)


def write_keys(dest: Path) -> dict[str, str]:
    """Write every key as Markdown into dest; return name -> how it was produced."""
    dest.mkdir(parents=True, exist_ok=True)
    report = {}
    with tempfile.TemporaryDirectory(prefix="edition-keys-") as tmp:
        files = _keys_from_command(Path(tmp))
        if files:
            for f in files:
                name = f.stem.removesuffix("_key")
                (dest / f"{name}.md").write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
                report[name] = "escalation-exercises --keys"
    if not report:
        for name, text in graded_keys_from_sources().items():
            (dest / f"{name}.md").write_text(text, encoding="utf-8")
            report[name] = "read from the source notebook (escalation.grading.source)"
    (dest / "practice.md").write_text(practice_keys_markdown(), encoding="utf-8")
    report["practice"] = "escalation.practice.EXERCISES"
    return report


# ------------------------------------------------------------------------------------------ ground rules

POSTER_CSS = """
@page { size: A4 landscape; margin: 14mm; }
body { font-family: "DejaVu Sans", Verdana, sans-serif; color: #111; margin: 0; }
h1 { font-size: 30pt; margin: 0 0 .3em; color: #0b3c5d; border-bottom: 6px solid #E69F00; }
ol { font-size: 17pt; line-height: 1.3; padding-left: 1.4em; margin: 0; }
li { margin-bottom: .35em; }
p.from { font-size: 10pt; color: #333; margin-top: .8em; }
"""


def ground_rules_markdown(rules: list[str]) -> str:
    """The teacher's-pack page of the ground rules, from the guide, with the poster to print."""
    lines = ["# Ground rules poster", "",
             "*Generated from the instructor's guide (§3, \u201cTeaching a contested topic\u201d) when the edition is "
             "built. Read the rules out in the first session and keep them visible: print the poster "
             '(<a href="../pdf/ground_rules_poster.pdf">ground_rules_poster.pdf</a>, one A4 landscape page) or '
             "show the second slide of any deck.*", ""]
    lines += [f"{n}. {rule}" for n, rule in enumerate(rules, 1)]
    return "\n".join(lines) + "\n"


def ground_rules_poster_html(rules: list[str]) -> str:
    """One printable A4 landscape page with the ground rules in large type."""
    items = "".join(f"<li>{md(r).strip().removeprefix('<p>').removesuffix('</p>')}</li>" for r in rules)
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Ground rules</title>'
            f"<style>{POSTER_CSS}</style></head><body><h1>Ground rules for discussing a war that is going on</h1>"
            f"<ol>{items}</ol><p class=\"from\">Escalation debates (module): from the instructor's guide, §3.</p>"
            "</body></html>")
