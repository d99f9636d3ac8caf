"""What each kind of round accepts, and what the class views show of it.

- lesson: the practice exercises of one notebook (`escalation.practice`); per exercise how many answered,
  how many right, the wrong answers grouped, most common first.
- poll: a 1–5 question ("Is this an escalation?"), asked before and after the debate; counts per value.
- coding: every student codes the same sentences of notebook 04's first article with Entman's scheme;
  Krippendorff's alpha over all coders (`escalation.agreement`), overall and per sentence, most disputed first.
- ladder: where on Kahn's ladder (groups 1–7) students place one event.

Summaries name students only when `names=True` (the instructor's view); the projector gets counts only.
"""
from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from functools import cache, lru_cache

from .. import agreement

MAX_VALUE = 200  # characters of one answer kept
STATUSES = {"correct", "wrong", "malformed", "error", "recorded"}
CODING_ARTICLE = "atacms_request_2023"
POLLS = {"escalation": "Is this an escalation? (1 = clearly not, 5 = clearly yes)",
         # the argument map's question (notebook 05, data/argument_map.csv), for before and after the debate
         "permit": "Should the supplier permit strikes inside Russia with long-range missiles? "
                   "(1 = clearly not, 5 = clearly yes)"}
SCALE = ("1", "2", "3", "4", "5")


RECHECKED = ("number", "text", "choice", "set")  # the service checks these answers again itself
NOT_RECHECKED = {"4.4"}  # its answer depends on the student's own codes, which stay in the notebook


class Rejected(ValueError):
    """A post the round cannot take; the message says why in plain words."""


@cache
def _sentences() -> tuple[tuple[str, int, str], ...]:
    from .. import coding
    from ..corpus import load_articles

    article = next(a for a in load_articles() if a.id == CODING_ARTICLE)
    return tuple((r.sentence_id, int(r.number), r.sentence) for r in coding.sentence_units(article).itertuples())


@cache
def _codes() -> tuple[str, ...]:
    from .. import coding

    return tuple(coding.scheme_codes())


@cache
def ladder_events() -> dict[str, dict]:
    """event id -> {summary, date, reference_group, alternative_group} for the events of the ladder reference."""
    from ..events import load_events
    from ..ladder import load_ladder_reference

    events = load_events().set_index("event_id")
    out = {}
    for row in load_ladder_reference().itertuples():
        ev = events.loc[row.event_id]
        out[row.event_id] = {"summary": str(ev["summary"]), "date": str(ev["date"])[:10],
                             "reference_group": int(row.reference_group),
                             "alternative_group": int(row.alternative_group)}
    return out


def group_names() -> dict[str, str]:
    from ..ladder import KAHN_GROUPS

    return {str(g.number): f"{g.number} · {g.name}" for g in KAHN_GROUPS}


def lesson_exercises(notebook: str) -> list:
    from .. import practice

    return practice.of_notebook(notebook)


def notebooks() -> dict[str, str]:
    from .. import practice

    return dict(practice.NOTEBOOKS)


def describe(round_: dict) -> str:
    """A one-line title of a round for the views."""
    kind, subject = round_["kind"], round_["subject"]
    if kind == "lesson":
        return f"Practice exercises of notebook {notebooks().get(subject, subject)}"
    if kind == "poll":
        phase = f" ({round_['phase']} the debate)" if round_["phase"] else ""
        return (round_["title"] or POLLS.get(subject, subject)) + phase
    if kind == "coding":
        return "Class coding round: sentences of notebook 04's first article, Entman's scheme"
    event = ladder_events().get(subject, {})
    return f"Kahn's ladder: {subject} ({event.get('date', '')}) {event.get('summary', '')}".strip()


# ------------------------------------------------------------------ what a post may be
def clean_value(value) -> str:
    """An answer as short text: numbers as written, lists sorted, at most MAX_VALUE characters."""
    if isinstance(value, bool):
        text = str(value)
    elif isinstance(value, (int, float)):
        text = repr(round(float(value), 4)).removesuffix(".0") if math.isfinite(value) else str(value)
    elif isinstance(value, list):
        text = ", ".join(sorted(clean_value(v) for v in value))
    elif value is None:
        text = ""
    else:
        text = " ".join(str(value).split())
    if len(text) > MAX_VALUE:
        raise Rejected(f"An answer can be at most {MAX_VALUE} characters long.")
    return text


def accept(round_: dict, key, value, status="") -> tuple[str, str, str]:
    """(key, value, status) to store for a post to this round, or Rejected saying why not."""
    kind, key = round_["kind"], str(key or "")
    if kind == "lesson":
        ids = {p.id: p for p in lesson_exercises(round_["subject"])}
        if key not in ids:
            raise Rejected(f"Exercise {key!r} is not one of this lesson's exercises ({', '.join(ids)}).")
        status = str(status or "")
        if status not in STATUSES:
            raise Rejected("The outcome of the check is missing or unknown.")
        if ids[key].kind == "written" or status == "recorded":
            return key, "", status  # written answers stay in the student's notebook: only "answered" is kept
        text = clean_value(value)
        if ids[key].kind in RECHECKED and key not in NOT_RECHECKED:
            verdict = recheck(key, json.dumps(value, sort_keys=True))
            if verdict is None:
                raise Rejected("That answer is still the ... placeholder.")
            status = "correct" if verdict else (status if status in ("malformed", "error") else "wrong")
        return key, text, status
    value = clean_value(value)
    if kind == "poll":
        if value not in SCALE:
            raise Rejected("A vote is a whole number from 1 to 5.")
        return "vote", value, ""
    if kind == "ladder":
        if value not in group_names():
            raise Rejected("A placement is one of Kahn's groups, 1 to 7.")
        return "group", value, ""
    ids = {sid for sid, _, _ in _sentences()}
    if key not in ids:
        raise Rejected(f"{key!r} is not a sentence of the coding round.")
    if value.lower() not in _codes():
        raise Rejected(f"The code must be one of {', '.join(_codes())}.")
    return key, value.lower(), ""


@lru_cache(maxsize=4096)
def recheck(exercise_id: str, value_json: str):
    """The module's own verdict on an answer (True, False, None = not answered), so a student's kernel cannot
    claim "right" for a wrong answer. Cached: a class gives the same few answers again and again."""
    from .. import practice

    value = json.loads(value_json)
    return practice.feedback(exercise_id, ... if value is None else value)[0]


# ------------------------------------------------------------------ what the views show
def _latest_by_user(posts: list[dict]) -> dict[tuple[str, str], dict]:
    return {(p["user"], p["key"]): p for p in posts}


def lesson_summary(round_: dict, posts: list[dict], *, names: bool) -> list[dict]:
    """Per exercise of the lesson: answered, correct, the wrong answers (most common first), still to revisit."""
    by_key: dict[str, list[dict]] = defaultdict(list)
    for p in _latest_by_user(posts).values():
        by_key[p["key"]].append(p)
    out = []
    for practice in lesson_exercises(round_["subject"]):
        rows = by_key.get(practice.id, [])
        wrong: dict[str, list[str]] = defaultdict(list)
        for p in rows:
            if p["status"] in ("wrong", "malformed", "error"):
                wrong[p["value"] or "(no answer text)"].append(p["user"])
        groups = sorted(wrong.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        item = {"id": practice.id, "label": practice.label, "prompt": practice.prompt, "kind": practice.kind,
                "answered": len(rows), "correct": sum(p["status"] == "correct" for p in rows),
                "recorded": sum(p["status"] == "recorded" for p in rows),
                "wrong": [{"value": v, "count": len(u), **({"users": sorted(u)} if names else {})} for v, u in groups]}
        if names:
            item["correct_users"] = sorted(p["user"] for p in rows if p["status"] == "correct")
        out.append(item)
    return out


def counts(posts: list[dict], scale, *, names: bool) -> dict:
    """Votes per value of `scale` (latest vote of each student)."""
    latest = _latest_by_user(posts).values()
    tally = Counter(p["value"] for p in latest)
    result = {"n": len(latest), "counts": [{"value": v, "count": tally.get(v, 0)} for v in scale]}
    if names:
        by: dict[str, list[str]] = defaultdict(list)
        for p in latest:
            by[p["value"]].append(p["user"])
        for c in result["counts"]:
            c["users"] = sorted(by.get(c["value"], []))
    if latest:
        result["mean"] = round(sum(int(p["value"]) for p in latest) / len(latest), 2)
    return result


def sentence_alpha(units: list[list[str]], expected_disagreement: float) -> float:
    """Alpha of one sentence: 1 − its observed disagreement / the round's expected disagreement.

    Its observed disagreement is the share of disagreeing pairs among the sentence's codes (from
    `agreement.coincidence_matrix` of that sentence alone); weighted by the number of codes, the sentences'
    alphas average to the round's alpha. NaN for a sentence with fewer than two codes.
    """
    values, matrix, n = agreement.coincidence_matrix(units)
    if n < 2 or not expected_disagreement:
        return float("nan")
    observed = sum(matrix[c][k] for c in range(len(values)) for k in range(len(values)) if c != k) / n
    return 1 - observed / expected_disagreement


def expected_disagreement(data: list[list]) -> float:
    """Krippendorff's D_e for nominal data: Σ_{c≠k} n_c n_k / (n (n − 1)) over all pairable values."""
    values, matrix, n = agreement.coincidence_matrix(data)
    if n < 2:
        return 0.0
    marginals = [sum(row) for row in matrix]
    return sum(marginals[c] * marginals[k] for c in range(len(values)) for k in range(len(values)) if c != k) / (
        n * (n - 1))


def coding_summary(posts: list[dict], *, names: bool) -> dict:
    """Krippendorff's alpha over every coder, overall and per sentence (most disputed first)."""
    latest = _latest_by_user(posts)
    coders = sorted({u for u, _ in latest})
    sentences = _sentences()
    data = [[latest[(c, sid)]["value"] if (c, sid) in latest else None for sid, _, _ in sentences] for c in coders]
    result = {"coders": len(coders), "codes": len(latest), "alpha": None, "reading": "", "sentences": []}
    if len(coders) < 2:
        result["reading"] = "Alpha needs at least two coders."
        return result
    alpha = agreement.krippendorff_alpha_nominal(data)
    d_e = expected_disagreement(data)
    result["alpha"] = None if math.isnan(alpha) else round(alpha, 3)
    result["reading"] = agreement.interpret_alpha(alpha)
    rows = []
    for j, (sid, number, text) in enumerate(sentences):
        present = [row[j] for row in data if row[j] is not None]
        if not present:
            continue
        a = sentence_alpha([[row[j]] for row in data], d_e)
        tally = Counter(present)
        row = {"sentence_id": sid, "number": number, "sentence": text, "n": len(present),
               "alpha": None if math.isnan(a) else round(a, 3),
               "codes": [{"code": c, "count": n} for c, n in tally.most_common()]}
        if names:
            row["by"] = {c: sorted(u for u in coders if latest.get((u, sid), {}).get("value") == c) for c in tally}
        rows.append(row)
    rows.sort(key=lambda r: (math.inf if r["alpha"] is None else r["alpha"], r["number"]))
    result["sentences"] = rows
    return result


def ladder_summary(round_: dict, posts: list[dict], *, names: bool) -> dict:
    result = counts(posts, tuple(group_names()), names=names)
    result.pop("mean", None)
    labels = group_names()
    for c in result["counts"]:
        c["label"] = labels[c["value"]]
    if names:  # the reference placement is for the instructor, to reveal when they choose
        event = ladder_events().get(round_["subject"], {})
        result["reference"] = labels.get(str(event.get("reference_group", "")), "")
        result["alternative"] = labels.get(str(event.get("alternative_group", "")), "")
    return result


def summary(round_: dict, posts: list[dict], *, names: bool) -> dict:
    """Everything a view shows of one round."""
    base = {"round": round_, "title": describe(round_)}
    kind = round_["kind"]
    if kind == "lesson":
        return {**base, "exercises": lesson_summary(round_, posts, names=names)}
    if kind == "poll":
        return {**base, **counts(posts, SCALE, names=names)}
    if kind == "coding":
        return {**base, **coding_summary(posts, names=names)}
    return {**base, **ladder_summary(round_, posts, names=names)}
