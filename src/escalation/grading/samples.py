"""Sample answers to the written questions: read and check `exercises/source/<set>/sample_answers.md`.

Each graded set's source folder may hold a `sample_answers.md` (instructor only: `exercises/source/` never reaches
students). For every written question of the set (grade_id `qN_written`) it gives a strong, a partial and a weak
example, written for this module, each with a line saying which rubric points it earns:

    ## q6_written · The strongest case, in its own terms

    ### Strong example

    > The example, as a blockquote (one or more paragraphs; a line `>` separates them).

    *Rubric:* 4 of 4. Why it earns what it earns (one or two lines).

    ### Partial example
    …
    ### Weak example
    …

Text before the first `## ` heading is the file's introduction. `load_samples` parses a file (a `SampleError` names
the line that is wrong); `check_samples` compares it with the set's source (every written question has all three
levels, and no sample is for a question the source does not have); `key_section` gives the Markdown lines the
answer key shows under a question's model answer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .source import Exercise, FormatError, load_exercise

FILE_NAME = "sample_answers.md"
LEVELS = ("Strong", "Partial", "Weak")
QUESTION = re.compile(r"^## (q\d+[a-z]?_written) · (\S.*)$")
LEVEL = re.compile(r"^### (\w+) example\s*$")
RUBRIC = "*Rubric:*"


class SampleError(FormatError):
    """A sample-answers file does not follow the format above."""


@dataclass(frozen=True)
class Sample:
    """One example answer at one level, with the line saying which rubric points it earns."""

    level: str
    text: str
    rubric: str


@dataclass
class QuestionSamples:
    """The examples of one written question (level → Sample, in the order of LEVELS)."""

    grade_id: str
    title: str
    samples: dict[str, Sample] = field(default_factory=dict)


def samples_path(source: Path) -> Path:
    """Where the sample answers of a source notebook live: next to it."""
    return Path(source).parent / FILE_NAME


def parse_samples(text: str, label: str = FILE_NAME) -> dict[str, QuestionSamples]:
    """The questions of a sample-answers file (grade_id → QuestionSamples); SampleError when malformed."""
    questions: dict[str, QuestionSamples] = {}
    current: QuestionSamples | None = None
    level, quote, rubric, level_line = "", [], [], 0

    def close(line_no: int) -> None:
        nonlocal level, quote, rubric
        if not level:
            return
        where = f"{label}, line {level_line}"
        body = "\n".join(quote).strip()
        if not body:
            raise SampleError(f"{where}: the {level.lower()} example of {current.grade_id} has no text: put the "
                              "example in a blockquote (lines starting with '>').")
        if not rubric:
            raise SampleError(f"{where}: the {level.lower()} example of {current.grade_id} has no line starting "
                              f"'{RUBRIC}' after its blockquote.")
        current.samples[level] = Sample(level, body, " ".join(rubric).strip())
        level, quote, rubric = "", [], []

    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.rstrip()
        if stripped.startswith("## "):
            close(number)
            m = QUESTION.match(stripped)
            if not m:
                raise SampleError(f"{label}, line {number}: a question heading reads '## qN_written · Title' "
                                  f"(for example '## q6_written · The strongest case'), not '{stripped}'.")
            if m.group(1) in questions:
                raise SampleError(f"{label}, line {number}: {m.group(1)} appears twice.")
            current = questions[m.group(1)] = QuestionSamples(m.group(1), m.group(2).strip())
        elif stripped.startswith("### "):
            close(number)
            m = LEVEL.match(stripped)
            if current is None or not m or m.group(1) not in LEVELS:
                raise SampleError(f"{label}, line {number}: '{stripped}' should be one of "
                                  + ", ".join(f"'### {lv} example'" for lv in LEVELS) + " under a question heading.")
            if m.group(1) in current.samples:
                raise SampleError(f"{label}, line {number}: {current.grade_id} has two {m.group(1).lower()} examples.")
            level, level_line = m.group(1), number
        elif level and stripped.startswith(">"):
            if rubric:
                raise SampleError(f"{label}, line {number}: the example of {current.grade_id} continues after its "
                                  f"'{RUBRIC}' line; keep the blockquote together, then the rubric line.")
            quote.append(stripped[1:].removeprefix(" "))
        elif level and stripped.startswith(RUBRIC):
            if not quote:
                raise SampleError(f"{label}, line {number}: the '{RUBRIC}' line of {current.grade_id} comes before "
                                  "its example; put the example (a blockquote) first.")
            rubric.append(stripped[len(RUBRIC):].strip())
        elif level and rubric and stripped:
            rubric.append(stripped)  # the rubric line may wrap
        elif level and stripped:
            raise SampleError(f"{label}, line {number}: the {level.lower()} example of {current.grade_id} must be a "
                              f"blockquote (lines starting with '>') followed by a line starting '{RUBRIC}'.")
    close(len(text.splitlines()) + 1)
    return questions


def load_samples(source: Path) -> dict[str, QuestionSamples]:
    """The sample answers next to a source notebook ({} when it has no sample-answers file)."""
    path = samples_path(source)
    if not path.is_file():
        return {}
    return parse_samples(path.read_text(encoding="utf-8"), f"{path.parent.name}/{path.name}")


def written_ids(exercise: Exercise) -> list[str]:
    """The grade_ids of the set's written questions, in question order."""
    return [q.written_id for q in exercise.questions if q.kind == "written"]


def check_samples(source) -> list[str]:
    """What is missing or wrong in a set's sample answers, as sentences ([] when complete)."""
    exercise = source if isinstance(source, Exercise) else load_exercise(source)
    wanted = written_ids(exercise)
    path = samples_path(exercise.path)
    if not wanted:
        return []
    if not path.is_file():
        return [f"{exercise.name}: no {FILE_NAME} next to the source (its written questions: {', '.join(wanted)})."]
    try:
        found = load_samples(exercise.path)
    except SampleError as problem:
        return [str(problem)]
    problems = [f"{exercise.name}: {gid} has no sample answers." for gid in wanted if gid not in found]
    problems += [f"{exercise.name}: {gid} lacks its {level.lower()} example." for gid in wanted if gid in found
                 for level in LEVELS if level not in found[gid].samples]
    problems += [f"{exercise.name}: {FILE_NAME} has samples for {gid}, which is not a written question of the set."
                 for gid in found if gid not in wanted]
    return problems


def key_section(exercise: Exercise, grade_id: str) -> list[str]:
    """Markdown lines for the answer key under a written question: its three examples with their rubric lines
    ([] when the set has no samples for it)."""
    found = load_samples(exercise.path).get(grade_id)
    if not found:
        return []
    out = ["**Sample answers** (examples written for this module, not students' work):", ""]
    for level in LEVELS:
        sample = found.samples.get(level)
        if sample is None:
            continue
        out += [f"*{level} example:*", ""]
        out += [f"> {line}".rstrip() for line in sample.text.splitlines()]
        out += ["", f"*Rubric:* {sample.rubric}", ""]
    return out
