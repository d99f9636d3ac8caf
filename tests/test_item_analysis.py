"""Item analysis after grading (escalation.grading.analysis) against values worked out by hand.

The dataset: six students, three right/wrong questions and one that everyone gets right (1 point each).

    student  q1 q2 q3 q4   total
    A         1  1  1  1     4
    B         1  1  0  1     3
    C         1  0  1  1     3
    D         0  1  0  1     2
    E         1  0  0  1     2
    F         0  0  0  1     1

q1, corrected point-biserial: x = (1,1,1,0,1,0), rest = total − q1 = (3,2,2,2,1,1). Means 2/3 and 11/6;
deviations x: (1/3,1/3,1/3,−2/3,1/3,−2/3), rest: (7/6,1/6,1/6,1/6,−5/6,−5/6).
Σ dx·dy = (7+1+1−2−5+10)/18 = 2/3; Σ dx² = 4/3; Σ dy² = 102/36 = 17/6.
r = (2/3) / √(4/3 · 17/6) = (2/3) / (√34 / 3) = 2/√34 ≈ 0.3430.

Upper–lower 27 %: group size round(0.27 · 6) = 2. Upper: A (total 4), then B and C tied at 3 share the one
place left (½ each); lower: F (1), then D and E tied at 2 (½ each).
q1: upper (1 + ½·1 + ½·1)/2 = 1, lower (0 + ½·0 + ½·1)/2 = ¼: D = 0.75.
q2: upper (1 + ½·1 + ½·0)/2 = ¾, lower (0 + ½·1 + ½·0)/2 = ¼: D = 0.5.
q4 is constant: no correlation (r undefined) and D = 1 − 1 = 0.

The same six students twice (twelve): Pearson's r is unchanged by duplicating every pair, so q1 stays 2/√34.
Group size round(0.27 · 12) = 3: upper A, A′ and one place shared by the four at 3 (¼ each): q1 (1+1+4·¼)/3 = 1;
lower F, F′ and one place shared by the four at 2 (D, D′, E, E′, ¼ each): (0+0+¼+¼)/3 = 1/6: D = 5/6.
"""
from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import numpy as np
import pytest

from escalation.grading import analysis
from escalation.grading.report import write_reports
from escalation.grading.result import Result
from escalation.grading.source import load_exercise

TABLE = {"A": (1, 1, 1, 1), "B": (1, 1, 0, 1), "C": (1, 0, 1, 1), "D": (0, 1, 0, 1), "E": (1, 0, 0, 1),
         "F": (0, 0, 0, 1)}
CHOICES = ["named and sourced", "named, no source given", "not named"]
MISTAKE_NO_SOURCE = "the article names who said it but gives no document or link for the figure."
MISTAKE_ANON = "a speaker is named in the sentence before; read it again."
# q5 (choice, 1 point): what each student chose, whether it was right for their variant, and the feedback line
CHOSEN = {"A": ("named and sourced", True, None), "B": ("named, no source given", True, None),
          "C": ("named, no source given", False, MISTAKE_NO_SOURCE), "D": ("not named", False, MISTAKE_ANON),
          "E": ("not named", False, MISTAKE_ANON), "F": (None, False, None)}
NAMES = ["Reuters", "AP", "the ministry"]
TICKED = {"A": ["Reuters", "AP"], "B": ["Reuters"], "C": ["AP", "the ministry"], "D": [], "E": ["Reuters"],
          "F": ["Reuters", "AP"]}


def _cell(kind, gid, source, *, grade=False, solution=False, points=None, item=None):
    meta = {"nbgrader": {"grade": grade, "grade_id": gid, "locked": not solution, "schema_version": 3,
                         "solution": solution}}
    if points is not None:
        meta["nbgrader"]["points"] = points
    if item:
        meta["escalation"] = {"objectives": ["01.1"], "skill": "attribution", "item": item}
    cell = {"cell_type": kind, "metadata": meta, "source": source}
    if kind == "code":
        cell.update(outputs=[], execution_count=None)
    return cell


def source_notebook(folder: Path) -> Path:
    """A small source: q1–q4 number items, q5 a choice item, q6 a tick-box item (only parsed, never run)."""
    cells = [_cell("code", "setup", "from escalation.widgets.graded import answer")]
    for k in range(1, 5):
        cells += [_cell("code", f"q{k}_answer", f'answer("q{k}", "number")\n### BEGIN SOLUTION\nq{k} = {k}\n'
                        "### END SOLUTION", solution=True),
                  _cell("code", f"q{k}_test", f"assert q{k} == {k}", grade=True, points=1, item="number")]
    cells += [_cell("code", "q5_answer", f'answer("q5", "choice", choices={CHOICES!r})\n### BEGIN SOLUTION\n'
                    f'q5 = {CHOICES[0]!r}\n### END SOLUTION', solution=True),
              _cell("code", "q5_test", "assert q5", grade=True, points=1, item="choice"),
              _cell("code", "q6_answer", f'answer("q6", "names", choices={NAMES!r})\n### BEGIN SOLUTION\n'
                    f'q6 = {NAMES[:2]!r}\n### END SOLUTION', solution=True),
              _cell("code", "q6_test", "assert q6", grade=True, points=1, item="names")]
    path = folder / "ex99_items" / "ex99_items.ipynb"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")
    return path


def results_for(table: dict, copies: int = 1) -> list[Result]:
    out = []
    for c in range(copies):
        for name, row in table.items():
            student = name + ("'" * c)
            choice, right, feedback = CHOSEN[name]
            scores = {f"q{k + 1}": float(v) for k, v in enumerate(row)}
            scores.update(q5=1.0 if right else 0.0, q6=1.0 if TICKED[name] == ["Reuters", "AP"] else 0.0)
            messages = {"q5": ["Form: recorded for grading."] + ([f"Not right: {feedback}"] if feedback else []),
                        "q6": ["Not right: the answer did not pass the further (hidden) checks."]
                        if scores["q6"] < 1 else []}
            out.append(Result(student=student, file=f"{student}.ipynb", status="graded", scores=scores,
                              test_messages=messages, answers={"q5": {"q5": choice}, "q6": {"q6": TICKED[name]}}))
    return out


def only(scores, keys):
    return {s: {k: v for k, v in row.items() if k in keys} for s, row in scores.items()}


@pytest.fixture(scope="module")
def exercise(tmp_path_factory):
    return load_exercise(source_notebook(tmp_path_factory.mktemp("source")))


def scores_of(results):
    return {r.student: dict(r.scores) for r in results}


def analyse_four(exercise, results):
    """Analyse q1–q4 only (q5, q6 left out of the totals as if not yet graded) to match the hand-worked table."""
    return analysis.analyse(exercise, results, only(scores_of(results), {"q1", "q2", "q3", "q4"}))


def test_hand_worked_point_biserial_upper_lower_and_constant_item(exercise):
    found = analyse_four(exercise, results_for(TABLE))
    items = {i.key: i for i in found.items}
    assert sorted(items) == ["q1", "q2", "q3", "q4"] and found.students == 6
    assert "Not analysed yet (not graded for every student): q5, q6." in found.notes
    assert items["q1"].discrimination == pytest.approx(2 / 34 ** 0.5)
    assert items["q1"].upper_lower == pytest.approx(0.75)
    assert items["q2"].upper_lower == pytest.approx(0.5)
    assert items["q1"].share_correct == pytest.approx(4 / 6) and items["q3"].share_correct == pytest.approx(2 / 6)
    assert items["q4"].discrimination is None and items["q4"].upper_lower == 0
    assert "every student scored the same on this item: it cannot discriminate" in items["q4"].notes
    for key in ("q1", "q2", "q3"):  # numpy's Pearson r of the 0/1 item and the rest score, an independent implementation
        k = int(key[1]) - 1
        x = [row[k] for row in TABLE.values()]
        rest = [sum(row[:3]) - row[k] for row in TABLE.values()]  # q4 adds 1 to every total: no effect on r
        assert items[key].discrimination == pytest.approx(np.corrcoef(x, rest)[0, 1]), key
    assert all(analysis.TOO_FEW in items[k].notes for k in items)


def test_twelve_students_duplicate_r_and_share_tied_places(exercise):
    found = analyse_four(exercise, results_for(TABLE, copies=2))
    items = {i.key: i for i in found.items}
    assert found.students == 12
    assert items["q1"].discrimination == pytest.approx(2 / 34 ** 0.5)
    assert items["q1"].upper_lower == pytest.approx(5 / 6)
    assert not any(analysis.TOO_FEW in i.notes for i in found.items) and not any("Only" in n for n in found.notes)


def test_order_of_students_never_changes_the_result(exercise):
    results = results_for(TABLE, copies=2)
    first = analyse_four(exercise, results).to_dict()
    random.Random(4).shuffle(results)
    assert analyse_four(exercise, results).to_dict() == first


def test_negative_discrimination_is_flagged(exercise):
    # q1 right only for the students weakest elsewhere: r must come out negative (numpy agrees)
    table = {"A": (0, 1, 1, 1), "B": (0, 1, 1, 1), "C": (0, 1, 0, 1), "D": (1, 0, 1, 1), "E": (1, 0, 0, 1),
             "F": (1, 0, 0, 1)}
    found = analyse_four(exercise, results_for(table))
    q1 = found.items[0]
    x = [row[0] for row in table.values()]
    rest = [sum(row[1:3]) for row in table.values()]
    assert q1.discrimination == pytest.approx(np.corrcoef(x, rest)[0, 1]) and q1.discrimination < 0
    assert any(n.startswith("negative") for n in q1.notes)


def test_choice_shares_and_the_misconception_each_wrong_choice_met(exercise):
    found = analysis.analyse(exercise, results_for(TABLE), scores_of(results_for(TABLE)))
    q5 = next(i for i in found.items if i.key == "q5")
    assert q5.item == "choice"
    rows = {o.option: o for o in q5.options}
    assert [o.option for o in q5.options] == [*CHOICES, analysis.NOT_ANSWERED]
    assert (rows["named and sourced"].students, rows["named and sourced"].full_points) == (1, 1)
    sourced = rows["named, no source given"]
    assert (sourced.students, sourced.share, sourced.full_points) == (2, pytest.approx(2 / 6), 1)
    assert sourced.feedback == [(MISTAKE_NO_SOURCE, 1)]
    assert rows["not named"].feedback == [(MISTAKE_ANON, 2)] and rows["not named"].share == pytest.approx(2 / 6)
    assert rows[analysis.NOT_ANSWERED].students == 1 and rows[analysis.NOT_ANSWERED].feedback == []
    q6 = next(i for i in found.items if i.key == "q6")
    ticks = {o.option: o.students for o in q6.options}
    assert ticks == {"Reuters": 4, "AP": 3, "the ministry": 1, analysis.NOT_ANSWERED: 1}
    assert all(o.feedback == [] for o in q6.options)  # the generic hidden-check line is no misconception


def test_summary_page_csv_and_json_hold_the_analysis(exercise, tmp_path, monkeypatch):
    monkeypatch.setenv("ESCALATION_GRADING_KEY", str(tmp_path / "grading.key"))
    results = results_for(TABLE, copies=2)
    paths = write_reports(tmp_path, exercise, results)
    page = paths["summary_page"].read_text(encoding="utf-8")
    alt = (tmp_path / "item_analysis.txt").read_text(encoding="utf-8").strip()
    x = [r.scores["q1"] for r in results]
    rest = [sum(r.scores.values()) - r.scores["q1"] for r in results]  # all six questions are graded here
    r_q1 = np.corrcoef(x, rest)[0, 1]
    assert f"q1 67% with full points, discrimination {r_q1:+.2f}" in alt
    assert "Not plotted (no discrimination can be computed): q4." in alt
    import html

    assert f"alt='{html.escape(alt, quote=True)}'" in page
    assert "<caption>Item analysis per question</caption>" in page and "<th scope='col'>Point-biserial r" in page
    assert "<th scope='row'>named, no source given</th>" in page and html.escape(MISTAKE_NO_SOURCE) in page
    with paths["item_csv"].open(encoding="utf-8") as handle:
        rows = {r["question"]: r for r in csv.DictReader(handle)}
    assert float(rows["q1"]["discrimination_point_biserial"]) == pytest.approx(r_q1, abs=1e-4)
    assert rows["q4"]["discrimination_point_biserial"] == "" and rows["q5"]["item"] == "choice"
    data = json.loads(paths["item_json"].read_text(encoding="utf-8"))
    assert data["students"] == 12 and data["figure_text"] == alt
    assert (tmp_path / "item_analysis.png").read_bytes()[:4] == b"\x89PNG"
    with paths["item_options"].open(encoding="utf-8") as handle:
        options = [r for r in csv.DictReader(handle) if r["question"] == "q5"]
    assert {r["option"]: int(r["students"]) for r in options}["not named"] == 4
    made = {p: p.read_bytes() for key, p in paths.items() if key.startswith(("item_", "summary"))}
    random.Random(2).shuffle(results)
    write_reports(tmp_path, exercise, results)
    assert {p: p.read_bytes() for p in made} == made  # same bytes: no timestamps, order of students irrelevant


def test_summary_page_passes_axe_in_chromium(exercise, tmp_path, monkeypatch):
    """axe-core (WCAG 2.1 A/AA) finds nothing on the instructor's summary page at 1366×768, and the figures are
    shown unscaled (their smallest text is the size plotting's style gives it)."""
    from escalation.edition import printing
    from support import axe

    if printing.chromium_available():
        pytest.skip(printing.chromium_available())
    try:
        script = str(axe.axe_script())
    except axe.AxeUnavailable as exc:
        pytest.skip(str(exc))
    monkeypatch.setenv("ESCALATION_GRADING_KEY", str(tmp_path / "grading.key"))
    page = write_reports(tmp_path, exercise, results_for(TABLE))["summary_page"]

    def audit():
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(printing.CHROMIUM), headless=True,
                                         args=printing.CHROMIUM_ARGS)
            try:
                tab = browser.new_page(viewport={"width": 1366, "height": 768})
                tab.goto(page.as_uri())
                images = tab.evaluate("[...document.images].map(i => [i.naturalWidth, i.clientWidth, i.alt.length])")
                tab.add_script_tag(path=script)
                found = tab.evaluate("async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags},"
                                     " resultTypes: ['violations']})).violations", axe.WCAG21_AA)
                return images, found
            finally:
                browser.close()

    images, violations = printing.in_own_thread(audit)
    # both figures load, with a text alternative, shown at their own size (their text is not scaled down)
    assert len(images) == 2 and all(natural > 0 and shown == natural and alt > 50 for natural, shown, alt in images)
    assert not violations, axe.describe(violations)


def test_real_grading_of_widget_answers_fills_the_option_table(tmp_path, monkeypatch):
    """Four notebooks answered through the choice widget (its saved bundle), graded by the real grader: the option
    table counts the saved choices and shows the misconception `mark_choice` raised for the wrong one."""
    from escalation import answers
    from escalation.grading import cli, sandbox
    from escalation.grading.student import dumps, student_notebook

    monkeypatch.setenv("ESCALATION_GRADING_KEY", str(tmp_path / "grading.key"))
    mistake = "the article quotes a named official but links no document."
    cells = [_cell("code", "setup", "from escalation.marking import mark_choice\n"
                   "from escalation.widgets.graded import answer"),
             _cell("code", "q1_answer", f'answer("q1", "choice", choices={CHOICES!r})\n### BEGIN SOLUTION\n'
                   f"q1 = {CHOICES[1]!r}\n### END SOLUTION", solution=True),
             _cell("code", "q1_test", f"assert q1 is not None\n### BEGIN HIDDEN TESTS\nmark_choice(q1, {CHOICES[1]!r}, "
                   f"misconceptions={{{CHOICES[0]!r}: {mistake!r}}})\n### END HIDDEN TESTS", grade=True, points=1,
                   item="choice")]
    source = tmp_path / "src" / "ex98_choice" / "ex98_choice.ipynb"
    source.parent.mkdir(parents=True)
    source.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), "utf-8")
    subs = tmp_path / "subs"
    subs.mkdir()
    picks = {"ann": CHOICES[1], "ben": CHOICES[0], "cal": CHOICES[0], "dee": None}
    for student, pick in picks.items():
        nb = student_notebook(source)
        cell = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "q1_answer")
        cell["outputs"] = [{"output_type": "display_data", "metadata": {}, "data": answers.bundle("q1", pick, "Q1")}]
        (subs / f"{student}.ipynb").write_text(dumps(nb), encoding="utf-8")
    out = tmp_path / "out"
    flags = [] if sandbox.landlock_abi() >= 1 else ["--no-sandbox"]
    assert cli.main(["grade", str(source), str(subs), "--out", str(out), "--quiet", "--jobs", "1", *flags]) == 0
    with (out / "item_options.csv").open(encoding="utf-8") as handle:
        rows = {r["option"]: r for r in csv.DictReader(handle)}
    assert {k: int(r["students"]) for k, r in rows.items()} == {CHOICES[0]: 2, CHOICES[1]: 1, CHOICES[2]: 0,
                                                                 analysis.NOT_ANSWERED: 1}
    assert rows[CHOICES[1]]["with_full_points"] == "1" and rows[CHOICES[0]]["with_full_points"] == "0"
    assert rows[CHOICES[0]]["feedback"] == f"{mistake} (2)"
    assert "<th scope='row'>named and sourced</th>" in (out / "summary.html").read_text(encoding="utf-8")
