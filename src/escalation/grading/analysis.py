"""Item analysis after grading: how hard each question was, how well it told stronger from weaker students,
and, for choice-like items, what students chose and which authored feedback each wrong choice met.

One stage: it reads graded results and the scores the report stage settled (clamped, manual scores merged)
and returns plain data; report.py writes it out (table, figure, CSV, JSON). Per question:

- `share_correct`: the share of graded students with full points; `mean_share`: their mean share of the points.
- `discrimination`: the corrected point-biserial, Pearson's r between the item's score and the total of the
  *other* items (for a right/wrong item this is the point-biserial; the item's own points are left out of the
  total so they cannot correlate with themselves). None when either side is the same for everyone.
- `upper_lower`: Kelley's upper–lower index, the item's mean share of points in the top 27 % of students by
  total score minus that in the bottom 27 % (for a right/wrong item: share correct in the upper group minus
  share correct in the lower group). Group size: 27 % of the graded students, rounded, at least one; students
  tied at a group's boundary score share the remaining places equally, so the order of names never matters.
- Fewer than MIN_STUDENTS graded students: the values are given but flagged (TOO_FEW).

Choice-like items (the graded cell's `metadata.escalation.item` is choice, order, match or names): the share
choosing each option (names: ticking it; order: giving that order; match: each pairing), how many of them had
full points, and the authored feedback lines ("Not right: …", from `escalation.marking.Mistake`) that the
students with that choice and without full points got. Options appear in the order the answer cell's
`answer(…, choices=[…])` names them when it names them as a literal list (options nobody chose included);
options named by a set-up variable are listed by how often they were chosen (this stage runs no source code).
"""
from __future__ import annotations

import ast
from dataclasses import asdict, dataclass, field

from .result import Result
from .source import Exercise, Question

MIN_STUDENTS = 10  # below this, discrimination is too unstable to judge
GROUP_SHARE = 0.27  # Kelley's upper and lower groups
TOO_FEW = "too few students to judge discrimination"
CHOICE_ITEMS = ("choice", "order", "match", "names")
MISTAKE_PREFIX = "Not right: "
GENERIC_FAILURE = "the answer did not pass the further (hidden) checks."  # check.py's line with no authored reason
NOT_ANSWERED = "(not answered)"
OTHER = "(another answer, not one of the options)"
MAX_OPTION_CHARS = 120
MAX_OPTIONS = 25  # distinct answers listed per item (the rest are counted together)
OPTION_KEYWORDS = ("choices", "items", "left", "right")


@dataclass
class OptionRow:
    """One option of a choice-like item: who chose it, how many of them had full points, what feedback they got."""

    option: str
    students: int
    share: float
    full_points: int
    feedback: list[tuple[str, int]] = field(default_factory=list)  # (authored line, students who got it)


@dataclass
class ItemStats:
    """One question's analysis."""

    key: str
    item: str  # metadata.escalation.item ("" when the source names none)
    points: float
    students: int
    share_correct: float | None
    mean_share: float | None
    discrimination: float | None
    upper_lower: float | None
    notes: list[str] = field(default_factory=list)
    options: list[OptionRow] = field(default_factory=list)


@dataclass
class Analysis:
    """The whole set's item analysis (JSON-serialisable through `to_dict`)."""

    exercise: str
    students: int
    items: list[ItemStats]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def pearson(x: list[float], y: list[float]) -> float | None:
    """Pearson's r of two equally long lists; None when either has no spread (r is then undefined)."""
    n = len(x)
    if n < 2 or n != len(y):
        return None
    mx, my = sum(x) / n, sum(y) / n
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return sum((a - mx) * (b - my) for a, b in zip(x, y)) / (sxx * syy) ** 0.5


def corrected_point_biserial(item: list[float], totals: list[float]) -> float | None:
    """r between an item's scores and the totals without that item (the rest score)."""
    return pearson(item, [t - s for s, t in zip(item, totals)])


def group_weights(totals: list[float], upper: bool, share: float = GROUP_SHARE) -> list[float]:
    """Each student's membership (0 … 1) of the upper or lower group by total score; ties at the boundary share
    the places left, so the weights sum to the group size whatever the order of the list."""
    n = len(totals)
    size = max(1, int(share * n + 0.5))
    weights = [0.0] * n
    left = float(size)
    for level in sorted(set(totals), reverse=upper):
        tied = [i for i, t in enumerate(totals) if t == level]
        take = min(left, len(tied))
        for i in tied:
            weights[i] = take / len(tied)
        left -= take
        if left <= 0:
            break
    return weights


def upper_lower_index(item_share: list[float], totals: list[float], share: float = GROUP_SHARE) -> float | None:
    """Mean item share (0 … 1) in the upper group minus that in the lower group; None when the groups overlap."""
    n = len(totals)
    size = max(1, int(share * n + 0.5))
    if 2 * size > n:
        return None
    up, low = group_weights(totals, True, share), group_weights(totals, False, share)
    return (sum(w * s for w, s in zip(up, item_share)) - sum(w * s for w, s in zip(low, item_share))) / size


def item_kind(question: Question) -> str:
    """The item type named in the graded cell's `metadata.escalation.item` ("" when none)."""
    item = question.meta.get("item", "")
    return item if isinstance(item, str) else ""


def declared_options(exercise: Exercise, question: Question) -> dict:
    """The options an answer cell's `answer("qN", kind, choices=[…], …)` line names as literals ({} when none)."""
    ids = set(question.answer_ids)
    found: dict = {}
    for cell in exercise.notebook.get("cells", []):
        m = cell.get("metadata") if isinstance(cell, dict) else None
        if not (isinstance(m, dict) and isinstance(m.get("nbgrader"), dict) and m["nbgrader"].get("grade_id") in ids):
            continue
        src = cell.get("source", "")
        try:
            tree = ast.parse("".join(src) if isinstance(src, list) else str(src))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            func = getattr(node, "func", None)
            name = getattr(func, "id", None) or getattr(func, "attr", None)
            if not isinstance(node, ast.Call) or name != "answer" or not node.args:
                continue
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and first.value in question.variables):
                continue
            for kw in node.keywords:
                if kw.arg in OPTION_KEYWORDS:
                    try:
                        found[kw.arg] = ast.literal_eval(kw.value)
                    except ValueError:
                        pass
    return found


def answer_value(result: Result, question: Question):
    """The plain value a result holds for the question's first answer variable (None when absent)."""
    values = result.answers.get(question.key)
    return values.get(question.variables[0]) if isinstance(values, dict) and question.variables else None


def _short(text) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_OPTION_CHARS else text[: MAX_OPTION_CHARS - 1] + "…"


def chosen(kind: str, value, options: dict) -> list[str]:
    """The option labels one answer counts for (one for choice and order, several for names and match)."""
    if value is None or value == "" or value == [] or value == {}:
        return [NOT_ANSWERED]
    known = [_short(c) for c in options.get("choices") or []]
    if kind == "choice":
        label = _short(value)
        return [label if not known or label in known else OTHER]
    if kind == "names":
        ticked = {_short(v) for v in (value if isinstance(value, (list, tuple)) else [value])}
        labels = [c for c in known if c in ticked] + sorted(t for t in ticked if t not in known)
        return list(dict.fromkeys(s if not known or s in known else OTHER for s in labels))
    if kind == "order":
        seq = value if isinstance(value, (list, tuple)) else [value]
        return [_short(" → ".join(str(v) for v in seq))]
    if kind == "match" and isinstance(value, dict):
        left = [k for k in options.get("left") or [] if k in value] or sorted(value, key=str)
        return [_short(f"{k} → {value[k]}") for k in left]
    return [_short(value)]


def authored_feedback(result: Result, key: str) -> list[str]:
    """The authored "Not right: …" lines a result's question got (without the prefix; the generic one left out)."""
    lines = []
    for line in result.test_messages.get(key, []):
        if line.startswith(MISTAKE_PREFIX):
            text = line[len(MISTAKE_PREFIX):].strip()
            if text and text != GENERIC_FAILURE and text not in lines:
                lines.append(text)
    return lines


def option_rows(exercise: Exercise, question: Question, kind: str, graded: list[Result],
                scores: dict[str, dict[str, float]]) -> list[OptionRow]:
    """Who chose what on a choice-like item, in the options' own order, then other answers by frequency."""
    options = declared_options(exercise, question)
    counts: dict[str, list[Result]] = {}
    for r in graded:
        for label in chosen(kind, answer_value(r, question), options):
            counts.setdefault(label, []).append(r)
    if kind == "choice" or kind == "names":
        order = [_short(c) for c in options.get("choices") or []]
    elif kind == "match" and options.get("left") and options.get("right"):
        order = [_short(f"{a} → {b}") for a in options["left"] for b in options["right"]]
    else:
        order = []
    for label in order:
        counts.setdefault(label, [])
    tail = (NOT_ANSWERED, OTHER)
    free = sorted((s for s in counts if s not in order and s not in tail), key=lambda s: (-len(counts[s]), s))
    for s in free[MAX_OPTIONS:]:  # too many distinct free answers: counted together
        counts.setdefault(OTHER, []).extend(counts.pop(s))
    labels = [s for s in [*order, *free[:MAX_OPTIONS], *tail] if s in counts]
    rows = []
    for label in labels:
        who = counts[label]
        full = [r for r in who if scores[r.student].get(question.key, 0.0) >= question.points]
        feedback: dict[str, int] = {}
        for r in who:
            if scores[r.student].get(question.key, 0.0) >= question.points:
                continue
            for line in authored_feedback(r, question.key):
                feedback[line] = feedback.get(line, 0) + 1
        rows.append(OptionRow(label, len(who), len(who) / len(graded) if graded else 0.0, len(full),
                              sorted(feedback.items(), key=lambda kv: (-kv[1], kv[0]))))
    return rows


def analyse(exercise: Exercise, results: list[Result], scores: dict[str, dict[str, float]]) -> Analysis:
    """The item analysis of a graded set.

    `scores`: per graded student, per question, the points the report stage settled (a question missing for a
    student is not graded yet, e.g. a written answer awaiting manual grading). Questions not graded for every
    graded student are left out, of the analysis and of the totals."""
    graded = sorted((r for r in results if r.graded and r.student in scores), key=lambda r: r.student)
    n = len(graded)
    notes = []
    complete = [q for q in exercise.questions if q.points > 0 and all(q.key in scores[r.student] for r in graded)]
    pending = [q.key for q in exercise.questions if q not in complete and q.points > 0]
    if pending:
        notes.append(f"Not analysed yet (not graded for every student): {', '.join(pending)}.")
    if n < MIN_STUDENTS:
        notes.append(f"Only {_students(n)} graded: discrimination values are shown, but there are {TOO_FEW} "
                     f"(at least {MIN_STUDENTS} are needed).")
    totals = [sum(scores[r.student][q.key] for q in complete) for r in graded]
    items = []
    for q in complete:
        got = [scores[r.student][q.key] for r in graded]
        share = [g / q.points for g in got]
        kind = item_kind(q)
        stats = ItemStats(q.key, kind, q.points, n,
                          share_correct=sum(1 for g in got if g >= q.points) / n if n else None,
                          mean_share=sum(share) / n if n else None,
                          discrimination=corrected_point_biserial(got, totals),
                          upper_lower=upper_lower_index(share, totals) if n else None)
        if n and n < MIN_STUDENTS:
            stats.notes.append(TOO_FEW)
        if n and len(set(got)) == 1:
            stats.notes.append("every student scored the same on this item: it cannot discriminate")
        elif stats.discrimination is None and n > 1:
            stats.notes.append("the other items' totals are the same for everyone: no correlation to compute")
        if stats.discrimination is not None and stats.discrimination < 0:
            stats.notes.append("negative: students who did better on the rest did worse here; check the key and "
                               "the wording")
        if kind in CHOICE_ITEMS and n:
            stats.options = option_rows(exercise, q, kind, graded, scores)
        items.append(stats)
    return Analysis(exercise.name, n, items, notes)


def _students(n: int) -> str:
    return f"{n} student" if n == 1 else f"{n} students"


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.0f}%"


def _r(x: float | None) -> str:
    return "–" if x is None else f"{x:+.2f}"


def figure(analysis: Analysis):
    """Share fully correct against discrimination, one labelled point per question; returns the figure."""
    from matplotlib.figure import Figure  # no pyplot: no global figure state, any backend

    from .. import plotting

    plotting.use_style()
    fig = Figure(figsize=(7, 4.5))
    ax = fig.subplots()
    ax.axhline(0, color=plotting.OKABE_ITO["black"], linewidth=0.8, linestyle="--")
    plotted = [i for i in analysis.items if i.discrimination is not None and i.share_correct is not None]
    few = analysis.students < MIN_STUDENTS
    ax.scatter([100 * i.share_correct for i in plotted], [i.discrimination for i in plotted],
               color=plotting.colour(1 if few else 0), marker=plotting.marker(1 if few else 0), s=60,
               edgecolor="black", zorder=3)
    at: dict[tuple, list[str]] = {}  # questions at the same point share one label
    for i in plotted:
        at.setdefault((round(100 * i.share_correct, 1), round(i.discrimination, 3)), []).append(i.key)
    for (x, y), keys in at.items():
        ax.annotate(", ".join(keys), (x, y), xytext=(6, 4), textcoords="offset points", fontsize=10)
    ax.set_xlim(-5, 105)
    ax.set_ylim(-1.05, 1.05)
    graded = f"{analysis.students} graded" + (f": {TOO_FEW}" if few else "")
    plotting.finish(fig, ax, title=f"{analysis.exercise}: difficulty and discrimination\n({graded})",
                    xlabel="Students with full points (%)",
                    ylabel="Discrimination (corrected point-biserial r)", alt_text=figure_text(analysis))
    fig.tight_layout()
    return fig


def figure_text(analysis: Analysis) -> str:
    """The figure's text alternative: every question's two values, and what could not be plotted."""
    if not analysis.students:
        return f"{analysis.exercise}: no submission was graded, so there is nothing to analyse yet."
    if not analysis.items:
        return f"{analysis.exercise}: no question could be analysed yet ({_students(analysis.students)} graded)."
    points = "; ".join(f"{i.key} {_pct(i.share_correct)} with full points, discrimination {_r(i.discrimination)}"
                       for i in analysis.items if i.discrimination is not None)
    missing = [i.key for i in analysis.items if i.discrimination is None]
    text = (f"Scatter plot of {analysis.exercise}, {_students(analysis.students)} graded: for each question, the share "
            f"of students with full points (horizontal, 0 to 100%) against its discrimination, the corrected "
            f"point-biserial r (vertical, -1 to 1; a dashed line marks 0). {points or 'No question could be plotted'}.")
    if missing:
        text += f" Not plotted (no discrimination can be computed): {', '.join(missing)}."
    if analysis.students < MIN_STUDENTS:
        text += f" With fewer than {MIN_STUDENTS} graded students there are {TOO_FEW}."
    return text


QUESTION_COLUMNS = ("question", "item", "points", "graded_students", "share_full_points", "mean_share_of_points",
                    "discrimination_point_biserial", "upper_lower_27", "notes")
OPTION_COLUMNS = ("question", "item", "option", "students", "share", "with_full_points", "feedback")


def question_rows(analysis: Analysis) -> list[dict]:
    """One CSV row per question (numbers as plain decimals, '' when undefined)."""
    def num(x):
        return "" if x is None else f"{x:.4f}"

    return [{"question": i.key, "item": i.item, "points": f"{i.points:g}", "graded_students": i.students,
             "share_full_points": num(i.share_correct), "mean_share_of_points": num(i.mean_share),
             "discrimination_point_biserial": num(i.discrimination), "upper_lower_27": num(i.upper_lower),
             "notes": "; ".join(i.notes)} for i in analysis.items]


def option_csv_rows(analysis: Analysis) -> list[dict]:
    """One CSV row per option of each choice-like item."""
    return [{"question": i.key, "item": i.item, "option": o.option, "students": o.students, "share": f"{o.share:.4f}",
             "with_full_points": o.full_points,
             "feedback": " | ".join(f"{text} ({count})" for text, count in o.feedback)}
            for i in analysis.items for o in i.options]


def page_context(analysis: Analysis) -> dict:
    """Plain strings for the summary page's tables (the template escapes every value)."""
    return {"students": analysis.students, "notes": analysis.notes, "min_students": MIN_STUDENTS,
            "items": [{"key": i.key, "item": i.item or "–", "points": f"{i.points:g}",
                       "share_correct": _pct(i.share_correct), "mean_share": _pct(i.mean_share),
                       "discrimination": _r(i.discrimination), "upper_lower": _r(i.upper_lower),
                       "notes": i.notes} for i in analysis.items],
            "choices": [{"key": i.key, "item": i.item,
                         "options": [{"option": o.option, "students": o.students, "share": _pct(o.share),
                                      "full_points": o.full_points,
                                      "feedback": [f"{t} ({c} {'student' if c == 1 else 'students'})"
                                                   for t, c in o.feedback]} for o in i.options]}
                        for i in analysis.items if i.options]}
