"""What the instructor gets: gradebook CSV, per-student feedback pages, a class summary figure.

Everything here is derived from the saved results and the manual scores, in a fixed order and without
timestamps, so the same submissions always give the same files.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from . import analysis, gradebook, pages
from .batch import safe_name
from .csvsafe import neutralise
from .files import write_atomic
from .result import GRADED_STATUSES, STATUS_TEXT, Result
from .source import Exercise
from .written import export_written, load_manual


def _fmt(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


def clamp(score, points: float, what: str, reasons: list[str] | None) -> float:
    """A score within 0 … points; anything else (not a number, negative, above the maximum) is flagged."""
    try:
        value = float(score)
    except (TypeError, ValueError):
        value = float("nan")
    if value != value or value < 0 or value > points:
        fixed = 0.0 if value != value or value < 0 else float(points)
        if reasons is not None:
            reasons.append(f"The stored score {score!r} for {what} is outside 0–{points:g}: counted as {fixed:g}. "
                           "Check who changed the grading files.")
        return fixed
    return value


def gradebook_rows(exercise: Exercise, results: list[Result], manual: dict) -> list[dict]:
    """One row per student: a column per question, totals, status, id check, mode and reasons.

    Every stored score, automatic or manual, is clamped to its question's points (and flagged), so no
    file changed behind the grader's back can give more than a question is worth.
    """
    rows = []
    for r in sorted(results, key=lambda r: r.student):
        row = {"student": r.student, "file": r.file, "status": r.status}
        gradable = r.graded
        auto = manual_total = 0.0
        pending = []
        reasons = list(r.reasons)
        for q in exercise.questions:
            if q.kind == "auto":
                score = clamp(r.scores.get(q.key, 0.0), q.points, q.key, reasons) if gradable else 0.0
                auto += score
                row[q.key] = _fmt(score)
            else:
                entry = manual.get((r.student, q.key))
                if entry is not None:
                    points = clamp(entry[0], q.points, f"{q.key} (manual)", reasons)
                    manual_total += points
                    row[q.key] = _fmt(points)
                elif gradable and r.written.get(q.key):
                    pending.append(q.key)
                    row[q.key] = ""
                else:
                    row[q.key] = "0" if gradable else ""
        if pending:
            reasons.append(f"Written answers awaiting manual grading: {', '.join(pending)}.")
        row.update(auto_points=_fmt(auto), manual_points=_fmt(manual_total), total=_fmt(auto + manual_total),
                   max_points=_fmt(exercise.max_points), id_check=r.id_check, graded_as=r.graded_as or r.student,
                   mode=r.mode,
                   reasons=" | ".join(reasons))
        rows.append(row)
    return rows


def write_gradebook(path: Path, exercise: Exercise, rows: list[dict]) -> None:
    """Write the gradebook CSV (gradebook.py's columns); cells a student controls cannot become formulas."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=gradebook.columns(exercise), lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: neutralise(v) if k in gradebook.STUDENT_TEXT else v for k, v in row.items()} for row in rows)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(buffer.getvalue(), encoding="utf-8")
    tmp.replace(path)


def feedback_html(exercise: Exercise, result: Result, manual: dict) -> str:
    """A student's feedback page: scores, visible check messages, written answers with the rubric.

    It never contains hidden tests or model answers: messages come from the visible checks only.
    """
    gradable = result.graded
    rows = []
    total = 0.0
    for q in exercise.questions:
        if q.kind == "auto":
            score = clamp(result.scores.get(q.key, 0.0), q.points, q.key, None) if gradable else 0.0
            total += score
            msgs = list(result.test_messages.get(q.key, [])) if gradable else []
            msgs = [f"Your answer cell raised {c['error']}" for c in result.cells
                    if c.get("label") in q.answer_ids and c.get("status") == "error"] + msgs
            rows.append({"key": q.key, "points": f"{_fmt(score)} / {_fmt(q.points)}", "messages": msgs,
                         "correct": not msgs and score == q.points, "written": False})
        else:
            entry = manual.get((result.student, q.key))
            if entry:
                entry = (clamp(entry[0], q.points, q.key, None), entry[1])
                total += entry[0]
            answer = result.written.get(q.key) if gradable else None
            if entry:
                score_text = f"{_fmt(entry[0])} / {_fmt(q.points)}"
            else:
                score_text = f"– / {_fmt(q.points)}" if answer else f"0 / {_fmt(q.points)}"
            rows.append({"key": q.key, "points": score_text, "written": True, "answer": answer, "rubric": q.rubric,
                         "comment": entry[1] if entry else "", "pending": bool(answer) and not entry})
    return pages.feedback_page(f"{exercise.name} · feedback for {result.student}",
                               status=STATUS_TEXT.get(result.status, result.status), reasons=result.reasons,
                               rows=rows, total=f"{_fmt(total)} / {_fmt(exercise.max_points)}")


def summary_figure(exercise: Exercise, rows: list[dict]):
    """Score distribution and share of students with full points per question; returns the figure."""
    from matplotlib.figure import Figure  # no pyplot: no global figure state, any backend

    from .. import plotting

    graded = [r for r in rows if r["status"] in GRADED_STATUSES]
    totals = [float(r["total"]) for r in graded]
    shares: list[float | None] = []
    for q in exercise.questions:
        scored = [r for r in graded if r[q.key] != ""]
        if q.kind == "written" and len(scored) < len(graded):
            shares.append(None)  # manual grading not finished: no share yet
            continue
        got = [r for r in scored if float(r[q.key]) >= q.points]
        shares.append(len(got) / len(graded) if graded else 0.0)
    plotting.use_style()
    fig = Figure(figsize=(10, 4))
    ax1, ax2 = fig.subplots(1, 2)
    bins = list(range(0, int(exercise.max_points) + 2))
    ax1.hist(totals, bins=bins, color=plotting.colour(0), edgecolor="black", align="left")
    ax1.set_xlim(-0.5, exercise.max_points + 0.5)
    keys = [q.key for q in exercise.questions]
    ax2.bar(keys, [100 * (s or 0) for s in shares], color=plotting.colour(1), edgecolor="black")
    ax2.set_ylim(0, 105)
    for i, s in enumerate(shares):
        ax2.text(i, (100 * s if s is not None else 0) + 2, f"{100 * s:.0f}%" if s is not None else "not\ngraded",
                 ha="center", fontsize=9)
    ungraded = len(rows) - len(graded)
    alt = summary_text(exercise, rows, shares, totals, ungraded)
    plotting.finish(fig, ax2, title="Students with full points, by question", xlabel="Question",
                    ylabel="Share of graded students (%)", alt_text=alt)
    plotting.finish(fig, ax1, title=f"{exercise.name}: total scores ({len(graded)} graded)",
                    xlabel=f"Total points (of {exercise.max_points:g})", ylabel="Number of students", alt_text=alt)
    fig.tight_layout()
    return fig


def summary_text(exercise: Exercise, rows, shares, totals, ungraded) -> str:
    if not totals:
        return f"{exercise.name}: no submission could be graded ({ungraded} could not be graded)."
    ordered = sorted(totals)
    median = ordered[len(ordered) // 2] if len(ordered) % 2 else (ordered[len(ordered) // 2 - 1] + ordered[len(ordered) // 2]) / 2
    per_q = "; ".join(f"{q.key} {100 * s:.0f}%" if s is not None else f"{q.key} not graded yet"
                      for q, s in zip(exercise.questions, shares))
    pending = [q.key for q, s in zip(exercise.questions, shares) if s is None]
    note = (f" Written questions {', '.join(pending)} await manual grading; their points are not in the totals yet."
            if pending else "")
    return (f"{exercise.name}: {len(totals)} submissions graded, {ungraded} could not be graded. Total scores "
            f"range from {min(totals):g} to {max(totals):g} of {exercise.max_points:g} points, median {median:g}. "
            f"Share of graded students with full points per question: {per_q}.{note}")


def item_scores(exercise: Exercise, rows: list[dict]) -> dict[str, dict[str, float]]:
    """Per graded student, the settled (clamped, manual merged) points of each question graded so far."""
    return {r["student"]: {q.key: float(r[q.key]) for q in exercise.questions if r[q.key] != ""}
            for r in rows if r["status"] in GRADED_STATUSES}


def _csv(columns, rows, student_text=()) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: neutralise(v) if k in student_text else v for k, v in row.items()} for row in rows)
    return buffer.getvalue()


def write_item_analysis(out: Path, exercise: Exercise, results: list[Result], rows: list[dict],
                        summary_alt: str) -> dict[str, Path]:
    """The item analysis (analysis.py) as a figure with its text alternative, CSV, JSON and the summary page."""
    import json

    from .. import plotting

    found = analysis.analyse(exercise, results, item_scores(exercise, rows))
    fig = analysis.figure(found)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    paths = {"item_figure": out / "item_analysis.png", "item_text": out / "item_analysis.txt",
             "item_csv": out / "item_analysis.csv", "item_options": out / "item_options.csv",
             "item_json": out / "item_analysis.json", "summary_page": out / "summary.html"}
    write_atomic(paths["item_figure"], buffer.getvalue())
    write_atomic(paths["item_text"], plotting.alt_text(fig) + "\n")
    write_atomic(paths["item_csv"], _csv(analysis.QUESTION_COLUMNS, analysis.question_rows(found)))
    write_atomic(paths["item_options"], _csv(analysis.OPTION_COLUMNS, analysis.option_csv_rows(found),
                                             student_text=("option", "feedback")))
    data = dict(found.to_dict(), figure_text=plotting.alt_text(fig))
    write_atomic(paths["item_json"], json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    graded = sum(1 for r in rows if r["status"] in GRADED_STATUSES)
    write_atomic(paths["summary_page"], pages.summary_page(
        f"{exercise.name} · summary for the instructor", counts=f"{len(rows)} submissions, {graded} graded.",
        summary_alt=summary_alt, alt=plotting.alt_text(fig), **analysis.page_context(found)))
    return paths


def write_reports(out: Path, exercise: Exercise, results: list[Result]) -> dict[str, Path]:
    """Write gradebook.csv, feedback/*.html, summary.png + summary.txt, the item analysis (summary.html,
    item_analysis.png/.txt/.csv/.json, item_options.csv) and the written-answer pages."""
    out = Path(out)
    manual = load_manual(out)
    rows = gradebook_rows(exercise, results, manual)
    paths = {"gradebook": out / "gradebook.csv"}
    write_gradebook(paths["gradebook"], exercise, rows)
    feedback = out / "feedback"
    feedback.mkdir(parents=True, exist_ok=True)
    for r in results:
        (feedback / f"{safe_name(r.student)}.html").write_text(feedback_html(exercise, r, manual), encoding="utf-8")
    paths["feedback"] = feedback
    fig = summary_figure(exercise, rows)
    from .. import plotting

    fig.savefig(out / "summary.png", dpi=100, metadata={"Software": None})
    (out / "summary.txt").write_text(plotting.alt_text(fig) + "\n", encoding="utf-8")
    paths["summary"] = out / "summary.png"
    paths["summary_text"] = out / "summary.txt"
    paths.update(write_item_analysis(out, exercise, results, rows, plotting.alt_text(fig)))
    export_written(out, exercise, results)
    paths["written"] = out / "written"
    return paths
