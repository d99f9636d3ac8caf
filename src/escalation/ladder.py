"""Herman Kahn's escalation ladder as data, and a placement check that explains instead of marking.

Kahn, *On Escalation: Metaphors and Scenarios* (1965), describes 44 rungs in 7 groups separated by
6 thresholds ("firebreaks") where the character of a conflict changes sharply. He offered it as a
heuristic for a US–Soviet crisis, not a measuring instrument, and stressed that one can climb down as
well as up. Placing a 2022–2024 event on it is a judgement: the answer depends on whose relationship
you look at (Russia–Ukraine, or Russia–the suppliers) and on what you count as the step. So
`compare_placements` says where a student's placement agrees with the reference or its alternative and
gives the reasoning for each, and never calls a placement wrong.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .errors import DataError, QueryError
from .events import get_event
from .tables import load_table, resource

SOURCE = ("Herman Kahn, On Escalation: Metaphors and Scenarios (1965); group names, thresholds and rung "
          "ranges as listed in the book's ladder diagram")


@dataclass(frozen=True)
class LadderGroup:
    """One of Kahn's seven groups of rungs, and the threshold crossed on the way into it."""

    number: int
    name: str
    first_rung: int
    last_rung: int
    threshold_below: str
    examples: str


KAHN_GROUPS = (
    LadderGroup(1, "Subcrisis manoeuvring", 1, 3, "",
                "ostensible crisis; political, economic and diplomatic gestures; solemn and formal declarations"),
    LadderGroup(2, "Traditional crises", 4, 9, "Don't rock the boat",
                "hardening of positions; show of force; significant mobilisation; harassing acts of violence"),
    LadderGroup(3, "Intense crises", 10, 20, "Nuclear war is unthinkable",
                "large conventional war; large compound escalation; nuclear 'ultimatums'; "
                "spectacular show or demonstration of force"),
    LadderGroup(4, "Bizarre crises", 21, 25, "No nuclear use",
                "local nuclear war; declaration of limited nuclear war"),
    LadderGroup(5, "Exemplary central attacks", 26, 31, "Central sanctuary",
                "demonstration attack on the zone of interior; exemplary attacks on military targets"),
    LadderGroup(6, "Military central wars", 32, 38, "Central war",
                "formal declaration of general war; counterforce attacks"),
    LadderGroup(7, "Civilian central wars", 39, 44, "City targeting",
                "countercity war; spasm or insensate war"),
)
THRESHOLDS = tuple(g.threshold_below for g in KAHN_GROUPS[1:])


def groups_table() -> pd.DataFrame:
    """Kahn's groups as a table: number, name, rungs, the threshold below each group, example rungs."""
    return pd.DataFrame([g.__dict__ for g in KAHN_GROUPS])


def group_name(number: int) -> str:
    """'3 · Intense crises' for a group number, or a QueryError for a number outside 1–7."""
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= len(KAHN_GROUPS):
        raise QueryError(f"Kahn's ladder has groups 1 to {len(KAHN_GROUPS)}; {number!r} is not one of them.")
    return f"{number} · {KAHN_GROUPS[number - 1].name}"


def thresholds_between(a: int, b: int) -> list[str]:
    """The thresholds that lie between two groups (empty when they are the same group)."""
    group_name(a), group_name(b)
    low, high = sorted((a, b))
    return [KAHN_GROUPS[g - 1].threshold_below for g in range(low + 1, high + 1)]


def load_ladder_reference(folder: Path | None = None, events: pd.DataFrame | None = None) -> pd.DataFrame:
    """The reference placements, validated; each event_id must be a row of events.csv."""
    frame = load_table("ladder_reference", folder)
    if events is not None:
        known = set(events["event_id"])
        label = resource("ladder_reference", folder)["path"]
        bad = [f"{label}, line {i + 2}, column 'event_id': '{e}' is not an event_id in events.csv"
               for i, e in enumerate(frame["event_id"]) if e not in known]
        if bad:
            raise DataError("The data does not follow its data dictionary:\n  " + "\n  ".join(bad))
    return frame


def explain_placement(reference_row, group: int) -> tuple[str, str]:
    """How one placement relates to the reference: (agreement, explanation in plain words).

    agreement is 'reference', 'alternative' or 'different reading'; the explanation gives the reasoning
    behind the reference (and the alternative), and the thresholds a different placement would cross.
    """
    group_name(group)
    ref, alt = int(reference_row["reference_group"]), int(reference_row["alternative_group"])
    reasons = (f"The reference places it in {group_name(ref)} (rung {reference_row['reference_rung']}): "
               f"{reference_row['rationale']}")
    if group == ref:
        other = "" if alt == ref else f" Another reading puts it in {group_name(alt)}: {reference_row['alternative_rationale']}"
        return "reference", f"Same group as the reference. {reasons}{other}"
    if group == alt:
        return "alternative", (f"Same group as the alternative reading: {reference_row['alternative_rationale']} "
                               f"{reasons}")
    crossed = thresholds_between(group, ref)
    between = ("the threshold" + ("s" if len(crossed) > 1 else "") + " " +
               ", ".join(f"'{t}'" for t in crossed))
    return "different reading", (
        f"You placed it in {group_name(group)}, which is {('above' if group > ref else 'below')} the reference "
        f"across {between}. {reasons} If you keep your placement, say what makes this event cross "
        f"{'those thresholds' if len(crossed) > 1 else 'that threshold'}: that argument is what a reader will judge.")


def compare_placements(placements: dict[str, int | None], reference: pd.DataFrame,
                       events: pd.DataFrame) -> pd.DataFrame:
    """Compare a student's placements (event_id → group, or None for not placed) with the reference.

    Returns one row per reference event with the student's group, the reference and alternative groups,
    the agreement, and the explanation. Unknown event ids raise a QueryError.
    """
    known = set(reference["event_id"])
    unknown = sorted(set(placements) - known)
    if unknown:
        raise QueryError(f"No reference placement for {', '.join(unknown)}. Events with one: {', '.join(sorted(known))}.")
    rows = []
    for ref in reference.to_dict("records"):
        event = get_event(events, ref["event_id"])
        chosen = placements.get(ref["event_id"])
        if chosen is None:
            agreement, text = "not placed", "Choose a group to see how your reading compares."
        else:
            agreement, text = explain_placement(ref, int(chosen))
        rows.append({"event_id": ref["event_id"], "date": event["date"], "summary": event["summary"],
                     "your_group": chosen, "reference_group": int(ref["reference_group"]),
                     "alternative_group": int(ref["alternative_group"]), "agreement": agreement,
                     "explanation": text})
    table = pd.DataFrame(rows)
    table["your_group"] = table["your_group"].astype("Int64")
    return table


def placement_summary(table: pd.DataFrame) -> str:
    """One sentence on a set of placements: how many match each reading, without a score."""
    placed = table[table["agreement"] != "not placed"]
    if placed.empty:
        return "No event placed yet."
    counts = placed["agreement"].value_counts()
    return (f"{len(placed)} of {len(table)} events placed: {counts.get('reference', 0)} in the reference group, "
            f"{counts.get('alternative', 0)} in the alternative group, {counts.get('different reading', 0)} read "
            "differently. Placement is a judgement: compare your reasons with the ones given, not your score.")
