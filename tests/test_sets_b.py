"""ex02 and ex03 (issue 20): the skill items' expected answers agree with the data read another way, and
every distractor of every variant earns 0 with its own feedback line, which never names the answer."""
import csv
import datetime as dt
from pathlib import Path

import pytest

from escalation import variants
from escalation.grading.check import run_tests
from escalation.grading.source import load_exercise
from escalation.grading.student import expected_answers, setup_namespace, variant_key

ROOT = Path(__file__).resolve().parents[1]


def _csv(name):
    with open(ROOT / "data" / f"{name}.csv", encoding="utf-8", newline="") as f:
        return {row[next(iter(row))]: row for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def sets():
    out = {}
    for name in ("ex02_arms_supply", "ex03_red_lines"):
        exercise = load_exercise(name)
        out[name] = (exercise, setup_namespace(exercise))
    return out


def _variants(exercise, ns, key):
    q = exercise.question(key)
    found = variant_key(exercise, q, ns)
    return q, variants.ids_covering(*found)


CHOICE_ITEMS = [("ex02_arms_supply", "q8", "Q8_CHOICES"), ("ex02_arms_supply", "q10", "Q10_CHOICES"),
                ("ex02_arms_supply", "q9", "Q9_CHOICES"), ("ex03_red_lines", "q9", "Q9_CHOICES"),
                ("ex03_red_lines", "q11", "Q11_CHOICES"), ("ex03_red_lines", "q8", "Q8_CHOICES")]


@pytest.mark.parametrize("name,key,choices", CHOICE_ITEMS)
def test_every_distractor_of_every_variant_gets_its_own_line_and_no_points(sets, name, key, choices):
    exercise, ns = sets[name]
    q, ids = _variants(exercise, ns, key)
    for sid in ids.values():
        right = expected_answers(exercise, q, sid, ns)[0][key]
        scores, messages = run_tests(exercise, {key: right}, sid)
        assert scores[key] == q.points, (key, sid)
        accepted = ns["accepted_groups"](variants.choose(sid, "ex03.q8", ns["Q8_EVENTS"])) if (name, key) == (
            "ex03_red_lines", "q8") else [right]
        for option in ns[choices]:
            if option in accepted:
                continue
            scores, messages = run_tests(exercise, {key: option}, sid)
            said = " ".join(messages[key])
            assert scores[key] == 0, (key, sid, option)
            assert "Not right:" in said and "further (hidden) checks" not in said, (key, sid, option, said)  # its own line
            assert all(a not in said for a in accepted), (key, sid, option, said)  # never names the answer


def test_ex02_comparability_agrees_with_the_package_change_tool(sets):
    """Kiel pairs: the right option is 'Yes' exactly when escalation.aid.change calls the rows comparable."""
    from escalation import aid as aidlib

    _, ns = sets["ex02_arms_supply"]
    aid = aidlib.load_aid()
    rows = _csv("aid")
    kinds = set()
    for pair in ns["Q8_PAIRS"]:
        right = ns["comparability"](pair)
        kinds.add(right)
        if all(rows[f]["unit"] == "EUR bn" for f in pair):
            assert (right == ns["Q8_CHOICES"][0]) == aidlib.change(aid, *pair)["comparable"], pair
        else:
            assert right == ns["Q8_CHOICES"][3], pair
    assert len(kinds) >= 5  # the variants between them need every kind of reason
    for pair in ns["Q2_PAIRS"]:  # Q2's changes are all like for like
        assert aidlib.change(aid, *pair)["comparable"], pair


def test_ex02_attribution_and_reach_follow_the_csv_files(sets):
    _, ns = sets["ex02_arms_supply"]
    rows = _csv("aid")
    for figure in ns["Q10_FIGURES"]:
        option = ns["attribution"](figure)
        assert option in ns["Q10_CHOICES"]
        row = rows[figure]
        assert option.startswith("SIPRI" if row["publisher"].startswith("SIPRI") else "Kiel Institute")
        if row["publisher"].startswith("Kiel"):
            assert ("committed" if row["measure"] == "commitments" else "allocated") in option
            year = row["release_date"][:4]
            assert year in option
    places = _csv("places")
    for city, weapon in ns["Q5_REACH"]:
        for name in ns["russian_places_within"](city, weapon):
            assert places[name]["country_code"] == "RU" and name in ns["Q5_CHOICES"]


def test_ex03_status_and_order_follow_events_csv(sets):
    _, ns = sets["ex03_red_lines"]
    events = _csv("events")
    for triple in ns["Q7_TRIPLES"]:
        assert list(ns["statuses"](triple).values()) == [events[e]["confirmation"] for e in triple]
    for items in ns["Q10_SETS"]:
        days = [dt.date.fromisoformat(events[e]["date"]) for e in items]
        assert len(set(days)) == 4 and all(events[e]["date_precision"] == "day" for e in items)  # no ties
        by_day = [label for _, label in sorted(zip(days, ns["Q10_ITEMS"]))]
        assert ns["in_date_order"](items) == by_day


def test_ex03_each_day_count_has_exactly_one_limit_of_the_lesson(sets):
    """Q11's variants are unambiguous: exactly one of the lesson's four limits applies to each pair."""
    _, ns = sets["ex03_red_lines"]
    events = _csv("events")
    for pair in ns["Q11_PAIRS"]:
        rows = [events[e] for e in pair]
        limits = [any(r["date_precision"] != "day" for r in rows),
                  any(r["confirmation"] != "confirmed" for r in rows),
                  any(r["event_type"] == "delivery" and "confirmation" in r["date_note"] for r in rows),
                  rows[0]["event_type"] == "request"]
        assert sum(limits) == 1, pair


def test_a_typical_wrong_number_gets_its_line(sets):
    """A percentage typed as a fraction (ex02 Q2) and a count of both end days (ex03 Q2) are named."""
    exercise, ns = sets["ex02_arms_supply"]
    q, ids = _variants(exercise, ns, "q2")
    sid = ids[0]
    right = expected_answers(exercise, q, sid, ns)[0]["q2"]
    scores, messages = run_tests(exercise, {"q2": round(right / 100, 3)}, sid)
    assert scores["q2"] == 0 and "fraction" in " ".join(messages["q2"])
    exercise, ns = sets["ex03_red_lines"]
    q, ids = _variants(exercise, ns, "q2")
    sid = ids[0]
    right = expected_answers(exercise, q, sid, ns)[0]["q2"]
    scores, messages = run_tests(exercise, {"q2": right + 1}, sid)
    assert scores["q2"] == 0 and "both the first and the last day" in " ".join(messages["q2"])
    assert run_tests(exercise, {"q2": right}, sid)[0]["q2"] == q.points


def test_ex03_day_count_follows_the_data(sets):
    """Answers are computed, not stored: a confirmation one day later moves Q2's expected count by one."""
    import pandas as pd

    exercise, ns = sets["ex03_red_lines"]
    q, ids = _variants(exercise, ns, "q2")
    sid = ids[0]
    first, second = variants.choose(sid, "ex03.q2", ns["Q2_PAIRS"])
    before, _ = expected_answers(exercise, q, sid, ns)
    events = ns["events"].copy()
    row = events["event_id"] == second
    later = dt.date.fromisoformat(events.loc[row, "date"].iloc[0]) + dt.timedelta(days=1)
    events.loc[row, "date"] = later.isoformat()
    events.loc[row, "start"] = pd.Timestamp(later)
    after, ok = expected_answers(exercise, q, sid, dict(ns, events=events))
    assert ok and after["q2"] == before["q2"] + 1


def test_ex03_each_wrong_status_and_ex02_each_wrong_tick_get_their_own_line(sets):
    exercise, ns = sets["ex03_red_lines"]
    q, ids = _variants(exercise, ns, "q7")
    for sid in ids.values():
        right = expected_answers(exercise, q, sid, ns)[0]["q7"]
        for label, status in right.items():
            for wrong in set(ns["Q7_STATUSES"]) - {status}:
                scores, messages = run_tests(exercise, {"q7": dict(right, **{label: wrong})}, sid)
                said = " ".join(messages["q7"])
                assert scores["q7"] == 0 and f"Not right: {label}:" in said and status not in said, (sid, label, said)
    exercise, ns = sets["ex02_arms_supply"]
    q, ids = _variants(exercise, ns, "q5")
    for sid in ids.values():
        right = expected_answers(exercise, q, sid, ns)[0]["q5"]
        for option in ns["Q5_CHOICES"]:
            ticked = [n for n in right if n != option] if option in right else right + [option]
            scores, messages = run_tests(exercise, {"q5": ticked}, sid)
            said = " ".join(messages["q5"])
            assert scores["q5"] == 0 and "Not right:" in said and "further (hidden) checks" not in said, (sid, option)
