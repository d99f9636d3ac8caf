"""Sample answers (issue 20): every written question of every set has a strong, a partial and a weak example, in
the format code can read, and none of them reaches a student: not a student version, not the students' release.

The written questions are read here straight from each source notebook's nbgrader metadata (graded solution
cells), not through the module under test; the leak search is the one the answer-key checks use
(tests/support/answer_keys.py), with the samples' own sentences as the secrets.
"""
import io
import json
import re
import subprocess
import tarfile
from pathlib import Path

import pytest
from support.answer_keys import MIN_PROSE, fragments, leaks, public_text, source_secrets

from escalation import release
from escalation.grading import samples
from escalation.grading.source import all_sources, load_exercise

REPO = Path(__file__).resolve().parents[1]
SOURCES = all_sources()


def written_grade_ids(source: Path) -> set[str]:
    """grade_ids of the cells nbgrader grades by hand: graded solution cells (markdown or code)."""
    cells = json.loads(source.read_text(encoding="utf-8"))["cells"]
    metas = [c.get("metadata", {}).get("nbgrader", {}) for c in cells]
    return {m["grade_id"] for m in metas if m.get("grade") and m.get("solution")}


def word_range(source: Path, grade_id: str) -> tuple[int, int] | None:
    """The length a written question asks for: `written_answer(…, min_words=…, max_words=…)` in its cell, or
    "In 60–120 words" / "(300–500 words" in its prompt."""
    cells = json.loads(source.read_text(encoding="utf-8"))["cells"]
    index = next(i for i, c in enumerate(cells) if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id)
    text = "".join(cells[index]["source"])
    m = re.search(r"min_words=(\d+),\s*max_words=(\d+)", text)
    if not m:
        before = "".join(cells[index - 1]["source"]) if cells[index]["cell_type"] == "code" else ""
        m = re.search(r"(\d+)–(\d+)[ -]words?", text.split("### BEGIN SOLUTION")[0] + before)
    return (int(m.group(1)), int(m.group(2))) if m else None


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_every_written_question_has_three_labelled_examples(source):
    wanted = written_grade_ids(source)
    assert wanted, "every set has written questions"
    found = samples.load_samples(source)
    assert set(found) == wanted
    for gid, question in found.items():
        assert list(question.samples) == list(samples.LEVELS), gid
        for sample in question.samples.values():
            assert len(sample.text.split()) >= 10 and len(sample.rubric.split()) >= 8, (gid, sample.level)
            assert re.match(r"\d+ of \d+", sample.rubric), (gid, sample.level, "the rubric line starts with the score")
    assert samples.check_samples(source) == []
    intro = samples.samples_path(source).read_text(encoding="utf-8").split("\n## ")[0]
    assert "examples written for this module" in intro and "instructor only" in intro.casefold()


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_strong_examples_keep_to_the_length_the_question_asks(source):
    for gid, question in samples.load_samples(source).items():
        limits = word_range(source, gid)
        assert limits, f"{gid}: no word range found in the question"
        words = len(question.samples["Strong"].text.split())
        assert limits[0] <= words <= limits[1], (gid, words, limits)


def test_the_answer_key_section_shows_all_three_examples():
    exercise = load_exercise("ex05_synthesis")
    lines = samples.key_section(exercise, "q8_written")
    text = "\n".join(lines)
    assert all(f"*{level} example:*" in text for level in samples.LEVELS)
    assert "examples written for this module" in text and text.count("*Rubric:*") == 3
    assert samples.key_section(exercise, "q1_test") == []


GOOD = """# Sample answers · exNN

## q6_written · Title

### Strong example

> One.
>
> Two.

*Rubric:* 3 of 3. Because.

### Partial example

> Partial.

*Rubric:* 2 of 3. Because it
wraps.

### Weak example

> Weak.

*Rubric:* 0 of 3. Because.
"""


def test_the_parser_reads_the_format():
    q = samples.parse_samples(GOOD)["q6_written"]
    assert q.title == "Title"
    assert q.samples["Strong"].text == "One.\n\nTwo."
    assert q.samples["Partial"].rubric == "2 of 3. Because it wraps."


@pytest.mark.parametrize("broken, says", [
    (GOOD.replace("## q6_written · Title", "## Q6 · Title"), "line 3: a question heading reads"),
    (GOOD.replace("> Partial.\n", ">\n"), "the partial example of q6_written has no text"),
    (GOOD.replace("> Partial.\n", ""), "the '*Rubric:*' line of q6_written comes before its example"),
    (GOOD.replace("*Rubric:* 0 of 3. Because.\n", ""), "the weak example of q6_written has no line starting '*Rubric:*'"),
    (GOOD.replace("### Weak example", "### Strong example"), "q6_written has two strong examples"),
    (GOOD.replace("### Weak example", "### Poor example"), "should be one of '### Strong example'"),
    (GOOD.replace("> Weak.", "Weak, not quoted."), "must be a blockquote"),
    (GOOD + GOOD.split("\n", 2)[2], "q6_written appears twice"),
])
def test_the_parser_names_the_line_that_is_wrong(broken, says):
    with pytest.raises(samples.SampleError, match=re.escape(says)):
        samples.parse_samples(broken, "sample_answers.md")


def test_a_missing_level_or_question_is_reported(tmp_path):
    source = next(p for p in SOURCES if p.stem == "ex05_synthesis")
    folder = tmp_path / source.parent.name
    folder.mkdir()
    (folder / source.name).write_bytes(source.read_bytes())
    text = samples.samples_path(source).read_text(encoding="utf-8")
    q7 = text.index("## q7_written")
    weak = text.index("### Weak example", q7)
    (folder / samples.FILE_NAME).write_text(text[:weak] + text[text.index("## q8_written"):] + "\n## q9_written · Extra\n",
                                            encoding="utf-8")
    problems = samples.check_samples(folder / source.name)
    assert "ex05_synthesis: q7_written lacks its weak example." in problems
    assert any("q9_written, which is not a written question" in p for p in problems)
    (folder / samples.FILE_NAME).unlink()
    assert "no sample_answers.md" in samples.check_samples(folder / source.name)[0]


@pytest.fixture(scope="module")
def secrets() -> set[str]:
    """The samples' sentences that are specific (long enough) and not also in public material (the data, the lesson
    notebooks' prompts, the sources' visible cells): a quote from the data inside an example is not a leak."""
    _, visible = source_secrets()
    public = public_text() + "\n" + visible
    found = set()
    for source in SOURCES:
        for question in samples.load_samples(source).values():
            for sample in question.samples.values():
                found |= fragments(sample.text, MIN_PROSE) | fragments(sample.rubric, MIN_PROSE)
    found = {s for s in found if s not in public}
    assert len(found) >= 100, "too few sample sentences found: the reader is broken"
    return found


def notebook_text(data: bytes) -> str:
    cells = json.loads(data.decode("utf-8"))["cells"]
    return "\n".join("".join(c["source"]) + json.dumps(c.get("outputs", [])) for c in cells)


def test_no_sample_reaches_a_student_version(secrets):
    for path in sorted((REPO / "exercises" / "student").rglob("*")):
        if path.is_file():
            text = notebook_text(path.read_bytes()) if path.suffix == ".ipynb" else path.read_text(errors="ignore")
            assert not leaks(text, secrets), f"{path.relative_to(REPO)} holds sample answers"


def test_no_sample_reaches_the_students_release_and_the_search_sees_them_in_the_commit(tmp_path, secrets, capsys):
    out = tmp_path / "students"
    assert release.main(["students", str(out)]) == 0
    capsys.readouterr()
    files = {p.relative_to(out).as_posix(): p for p in out.rglob("*") if p.is_file()}
    assert "exercises/student/ex05_synthesis/ex05_synthesis.ipynb" in files
    assert not any(name.endswith(samples.FILE_NAME) for name in files)
    for name, path in files.items():
        if path.suffix in {".ipynb", ".md", ".txt", ".html", ".py", ".json", ".csv"}:
            data = path.read_bytes()
            text = notebook_text(data) if path.suffix == ".ipynb" else data.decode("utf-8", errors="ignore")
            assert not leaks(text, secrets), f"the students' release holds sample answers in {name}"
    # the same search over the commit as it is (the release's filter switched off) finds every set's samples
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", "HEAD"], capture_output=True,
                             check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        committed = {m.name: tar.extractfile(m).read().decode("utf-8", errors="ignore")
                     for m in tar.getmembers() if m.isfile() and m.name.endswith(samples.FILE_NAME)}
    assert sorted(Path(n).parent.name for n in committed if leaks(committed[n], secrets)) == [p.stem for p in SOURCES]
