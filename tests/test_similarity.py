"""Similar written answers: planted copies are listed, honest answers quoting the same sentence are not."""
from __future__ import annotations

import csv
import io
import random

import pytest

from escalation.corpus import load_articles
from escalation.grading import similarity
from escalation.grading.result import Result
from escalation.grading.source import load_exercise

ORIGINAL = ("The article presents the request mainly through the Ukrainian minister's own words, while the "
            "Russian warnings appear only as a summary by the journalist. Because the reader never sees who in "
            "Moscow said what, the threat feels vague and constant rather than a specific statement we could "
            "check. I would want the date and the speaker of each warning before trusting the framing, and a "
            "second outlet that reports the same phone call.")

HONEST = [
    "Kuleba is quoted directly and at length, which gives Ukraine's position a clear voice. Russia only appears "
    "through paraphrase, so its side is thinner. A fairer piece would name a Russian official.",
    "I counted the reporting verbs: 'demanded' is stronger than 'asked' and makes Ukraine sound pushy. The "
    "headline repeats the warnings but the text never quotes them.",
    "The piece relies on one phone call and one statement. There is no independent source for the claim "
    "about repeated warnings, so I would check a news agency report from the same week.",
    "Numbers are missing entirely: no ranges, no dates of deliveries. Without them the reader cannot judge "
    "whether the request was new or routine.",
    "Blinken's side of the call is absent. We only learn what Kuleba said he said, which is a single-sided "
    "account of a two-person conversation.",
    "The spelling Kiev instead of Kyiv hints at the outlet's conventions; combined with the unnamed warnings it "
    "leans towards a Russian-facing reading of events.",
]


def _copy_edited(text: str) -> str:
    """A light edit: two sentences swapped, a few words changed, one added."""
    sentences = text.split(". ")
    sentences[0], sentences[1] = sentences[1], sentences[0]
    edited = ". ".join(sentences)
    return (edited.replace("mainly", "mostly").replace("vague", "unclear").replace("second outlet", "second paper")
            + " That is my view.")


def _long_article_sentence() -> str:
    body = load_articles()[0].body
    sentences = [s.strip() for s in body.replace("\n", " ").split(". ")]
    return max(sentences, key=lambda s: len(s.split()))


@pytest.fixture(scope="module")
def module_texts():
    texts, notes = similarity.module_texts()
    assert not notes, notes
    return texts


def test_exact_and_lightly_edited_copies_are_listed(module_texts):
    answers = {f"student{n:02d}": t for n, t in enumerate(HONEST)}
    answers["ana"] = ORIGINAL
    answers["bea"] = ORIGINAL  # exact copy
    answers["chloé"] = _copy_edited(ORIGINAL)  # reordered and lightly edited
    pairs = similarity.similar_pairs("q5", answers, module_texts)
    listed = {(p.a.student, p.b.student) for p in pairs}
    assert listed == {("ana", "bea"), ("ana", "chloé"), ("bea", "chloé")}
    exact = next(p for p in pairs if (p.a.student, p.b.student) == ("ana", "bea"))
    assert exact.shared_words == len(similarity.tokens(ORIGINAL)) and exact.share("a") == 1.0
    edited = next(p for p in pairs if (p.a.student, p.b.student) == ("ana", "chloé"))
    assert 0.5 < edited.share("a") < 1.0  # the edits break some passages, most are still shared
    assert pairs[0] is exact  # the strongest pair comes first


def test_honest_answers_quoting_the_same_article_sentence_are_not_listed(module_texts):
    quote = _long_article_sentence()
    assert len(quote.split()) >= 25
    a = f"{HONEST[0]} As the article puts it, “{quote}.” This shows whose words frame the story."
    b = f"{HONEST[2]} The key line is: \"{quote.upper()}\" That sentence carries the article's framing."
    answers = {"dana": a, "eli": b, **{f"s{n}": t for n, t in enumerate(HONEST[3:])}}
    assert similarity.similar_pairs("q5", answers, module_texts) == []
    # the control: without setting the articles aside, the shared quote alone would list the pair
    control = similarity.similar_pairs("q5", answers, [])
    assert [(p.a.student, p.b.student) for p in control] == [("dana", "eli")]


def test_question_and_rubric_text_are_not_counted(module_texts):
    exercise = load_exercise("ex01_reading")
    q = next(q for q in exercise.questions if q.kind == "written")
    rubric_words = " ".join(q.rubric.split()[:40])
    answers = {"fay": f"{rubric_words} {HONEST[1]}", "gus": f"{rubric_words} {HONEST[4]}"}
    assert similarity.similar_pairs(q.key, answers, module_texts + [q.prompt, q.rubric]) == []
    assert similarity.similar_pairs(q.key, answers, module_texts) != []


def _results(answers: dict[str, str], key: str) -> list[Result]:
    return [Result(student=s, file=f"{s}.ipynb", status="graded", written={key: t}) for s, t in answers.items()]


def test_report_files_highlight_the_shared_passage_and_never_accuse(tmp_path, module_texts):
    exercise = load_exercise("ex01_reading")
    key = next(q.key for q in exercise.questions if q.kind == "written")
    answers = {"ana": ORIGINAL, "bea, \"the\" copier": _copy_edited(ORIGINAL), "cy": HONEST[0]}
    results = _results(answers, key) + [Result(student="dan", file="dan.ipynb", status="empty_file")]
    page, table = similarity.write_report(tmp_path, exercise, results, exclude_texts=module_texts)
    text = page.read_text(encoding="utf-8")
    assert "worth a human look" in text
    for word in ("plagiar", "cheat", "suspect", "guilty", "copied from"):
        assert word not in text.lower()
    assert "<mark title='shared passage 1'>" in text
    assert "Moscow said what, the threat feels" in text.split("<mark")[2]  # a shared passage is inside a mark
    assert "bea, &#34;the&#34; copier" in text and "bea, \"the\"" not in text  # names are escaped (jinja2)
    rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8"))))
    assert [(r["question"], r["student_a"], r["student_b"]) for r in rows] == [(key, "ana", "bea, \"the\" copier")]
    assert int(rows[0]["shared_words"]) >= 40 and int(rows[0]["longest_passage_words"]) >= 20
    # deterministic: the same answers in another order give the same bytes
    again = similarity.write_report(tmp_path / "again", exercise, list(reversed(results)), exclude_texts=module_texts)
    assert [p.read_bytes() for p in again] == [page.read_bytes(), table.read_bytes()]


def test_no_pairs_report_says_so(tmp_path, module_texts):
    exercise = load_exercise("ex01_reading")
    key = next(q.key for q in exercise.questions if q.kind == "written")
    page, table = similarity.write_report(tmp_path, exercise, _results({"a": HONEST[0], "b": HONEST[1]}, key),
                                          exclude_texts=module_texts)
    assert "No pair of answers shares that much wording." in page.read_text(encoding="utf-8")
    assert table.read_text(encoding="utf-8").splitlines() == [",".join(similarity.CSV_FIELDS)]


def test_a_class_of_300_with_one_planted_pair(module_texts):
    rng = random.Random(7)
    vocabulary = sorted({w.strip(".,“”\"'()").lower() for a in load_articles() for w in a.body.split()} - {""})
    answers = {f"s{n:03d}": " ".join(rng.choice(vocabulary) for _ in range(120)) for n in range(300)}
    answers["s150"] = answers["s042"][:400] + " " + answers["s150"]
    pairs = similarity.similar_pairs("q6", answers, module_texts)
    assert [(p.a.student, p.b.student) for p in pairs] == [("s042", "s150")]


def test_wording_in_many_answers_is_listed_apart_not_as_pairs(tmp_path, module_texts):
    exercise = load_exercise("ex01_reading")
    key = next(q.key for q in exercise.questions if q.kind == "written")
    answers = {f"s{n:02d}": f"Answer {n}. {ORIGINAL}" for n in range(12)}
    assert similarity.similar_pairs(key, answers, module_texts) == []  # 66 pairs would bury the signal
    commons = similarity.common_passages(key, answers, module_texts)
    assert len(commons) == 1 and commons[0].students == sorted(answers)
    assert commons[0].text.startswith("The article presents the request")
    page, _ = similarity.write_report(tmp_path, exercise, _results(answers, key), exclude_texts=module_texts)
    text = page.read_text(encoding="utf-8")
    assert "Wording found in many answers" in text and "12 answers" in text


def test_honest_answers_quoting_the_same_statement_are_not_listed(module_texts):
    from escalation.paths import data_path

    with data_path("statements.csv").open(encoding="utf-8-sig", newline="") as handle:
        quote = max((row["quote"] for row in csv.DictReader(handle)), key=lambda q: len(q.split()))
    assert len(quote.split()) >= 20
    answers = {"hal": f"{HONEST[3]} In the speaker's words: '{quote}' That is a warning, not a plan.",
               "ida": f"{HONEST[5]} Compare \u201c{quote}\u201d with what the article reports."}
    assert similarity.similar_pairs("q6", answers, module_texts) == []
    assert similarity.similar_pairs("q6", answers, []) != []
