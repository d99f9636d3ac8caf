"""The events and statements of the long-range weapons debate: loading, checking, filtering, counting days.

`data/events.csv` holds dated events (requests, announcements, deliveries, authorisations, restrictions,
warnings, strikes, doctrine changes) and `data/statements.csv` verbatim quotes, each row with its source.
The data dictionary checks types and allowed values; this module adds the checks a schema cannot express
(a date written to the precision it claims, links between tables that point at real rows) and the
calculations the lessons use: filtering, days between two events, the first request, announcement,
delivery, authorisation and strike for each weapon, and the red-line ledger.

Days are counted from the dates in the table. A date known only to the month counts from the first of
that month, and every result that rests on such a date is flagged `approximate`.
"""
from __future__ import annotations

import calendar
import html
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from .errors import DataError, QueryError
from .tables import load_table, resource

EVENT_TYPES = ("request", "announcement", "delivery", "authorization", "restriction", "warning", "strike",
               "doctrine")
# The stages of a supply decision, in the order the lessons compare them.
STAGES = ("request", "announcement", "delivery", "authorization", "strike")
UNCONFIRMED = ("reported", "claimed")


def _line_of(frame: pd.DataFrame, index) -> int:
    """The CSV line number of a row (header is line 1)."""
    return int(frame.index.get_loc(index)) + 2


def date_bounds(date: str, precision: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day covered by a partial date ('2024-11-17' day, '2023-10' month)."""
    parts = [int(p) for p in date.split("-")]
    if precision == "day":
        day = pd.Timestamp(parts[0], parts[1], parts[2])
        return day, day
    if precision == "month":
        last = calendar.monthrange(parts[0], parts[1])[1]
        return pd.Timestamp(parts[0], parts[1], 1), pd.Timestamp(parts[0], parts[1], last)
    raise DataError(f"Unknown date precision '{precision}': use 'day' or 'month'.")


def precision_problems(frame: pd.DataFrame, label: str) -> list[str]:
    """Rows whose date is not written to the precision its date_precision column claims."""
    expected = {"day": 3, "month": 2}
    problems = []
    for index, row in frame.iterrows():
        parts = len(row["date"].split("-"))
        want = expected.get(row["date_precision"])
        if want is not None and parts != want:
            form = "YYYY-MM-DD" if want == 3 else "YYYY-MM"
            problems.append(f"{label}, line {_line_of(frame, index)}, column 'date': '{row['date']}' is not written "
                            f"{form}, as date_precision '{row['date_precision']}' says")
    return problems


def _raise(problems: list[str]) -> None:
    if problems:
        raise DataError("The data does not follow its data dictionary:\n  " + "\n  ".join(problems[:10]))


def check_events(frame: pd.DataFrame, label: str = "events.csv") -> None:
    """Checks beyond the schema: dates match their precision, ids run in date order."""
    problems = precision_problems(frame, label)
    if not problems:
        starts = [date_bounds(d, p)[0] for d, p in zip(frame["date"], frame["date_precision"])]
        for i in range(1, len(starts)):
            if starts[i] < starts[i - 1]:
                problems.append(f"{label}, line {i + 2}, column 'date': '{frame['date'].iloc[i]}' is earlier than the "
                                "row before it; keep the events in date order")
    _raise(problems)


def load_events(folder: Path | None = None) -> pd.DataFrame:
    """The events table, validated, with `start` and `end` (the days its date covers) added."""
    frame = load_table("events", folder)
    check_events(frame, resource("events", folder)["path"])
    bounds = [date_bounds(d, p) for d, p in zip(frame["date"], frame["date_precision"])]
    frame["start"] = pd.to_datetime([b[0] for b in bounds])
    frame["end"] = pd.to_datetime([b[1] for b in bounds])
    return frame


def _check_links(frame: pd.DataFrame, columns: Iterable[str], known: set[str], label: str) -> list[str]:
    problems = []
    for index, row in frame.iterrows():
        for column in columns:
            for ref in row[column].split():
                if ref not in known:
                    problems.append(f"{label}, line {_line_of(frame, index)}, column '{column}': '{ref}' is not an "
                                    "event_id in events.csv")
    return problems


def load_statements(folder: Path | None = None, events: pd.DataFrame | None = None) -> pd.DataFrame:
    """The statements table, validated; every event_id must name a row of events.csv."""
    frame = load_table("statements", folder)
    events = events if events is not None else load_events(folder)
    label = resource("statements", folder)["path"]
    _raise(precision_problems(frame, label) + _check_links(frame, ["event_id"], set(events["event_id"]), label))
    return frame


def load_ledger(folder: Path | None = None, events: pd.DataFrame | None = None) -> pd.DataFrame:
    """The red-line ledger, validated: each warning_id is a warning; the other ids are real events."""
    frame = load_table("red_line_ledger", folder)
    events = events if events is not None else load_events(folder)
    label = resource("red_line_ledger", folder)["path"]
    problems = _check_links(frame, ["warning_id", "crossing_id", "response_ids"], set(events["event_id"]), label)
    types = dict(zip(events["event_id"], events["event_type"]))
    for index, row in frame.iterrows():
        if types.get(row["warning_id"], "warning") != "warning":
            problems.append(f"{label}, line {_line_of(frame, index)}, column 'warning_id': '{row['warning_id']}' is a "
                            f"{types[row['warning_id']]}, not a warning")
    _raise(problems)
    return frame


def _allowed(name: str, chosen, allowed: Iterable[str]) -> list[str] | None:
    """Normalise a filter argument to a list, refusing values that are not in the data."""
    if chosen is None:
        return None
    values = [chosen] if isinstance(chosen, str) else list(chosen)
    allowed = sorted(set(allowed))
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise QueryError(f"Unknown {name}: {', '.join(map(repr, unknown))}. Choose from: {', '.join(allowed)}.")
    return values


def _timestamp(value, name: str) -> pd.Timestamp | None:
    if value is None or value == "":
        return None
    try:
        return pd.Timestamp(value)
    except (ValueError, TypeError):
        raise QueryError(f"The {name} date '{value}' is not a date: write it as YYYY-MM-DD.") from None


def filter_events(events: pd.DataFrame, *, start=None, end=None, countries=None, sides=None, types=None,
                  families=None, confirmation=None, actor: str | None = None) -> pd.DataFrame:
    """Events inside a date range and matching the chosen countries, sides, types, weapons and status.

    A filter left as None keeps everything. An event dated only to a month is kept when its month
    overlaps the range. `actor` keeps events whose actor contains that text (case ignored), e.g.
    "Putin". Unknown values raise a QueryError that lists the allowed ones.
    """
    first, last = _timestamp(start, "start"), _timestamp(end, "end")
    if first is not None and last is not None and first > last:
        raise QueryError(f"The start date {first.date()} is after the end date {last.date()}: swap them.")
    keep = pd.Series(True, index=events.index)
    if first is not None:
        keep &= events["end"] >= first
    if last is not None:
        keep &= events["start"] <= last
    for column, name, chosen, allowed in (
            ("country", "country", countries, events["country"]),
            ("side", "side", sides, events["side"]),
            ("event_type", "event type", types, EVENT_TYPES),
            ("weapon_family", "weapon family", families, events["weapon_family"][events["weapon_family"] != ""]),
            ("confirmation", "confirmation status", confirmation, ("confirmed", "reported", "claimed"))):
        values = _allowed(name, chosen, allowed)
        if values is not None:
            keep &= events[column].isin(values)
    if actor is not None and actor.strip():
        keep &= events["actor"].str.casefold().str.contains(actor.strip().casefold(), regex=False)
    return events[keep]


def knowable_from(table: pd.DataFrame) -> pd.Series:
    """The day from which each row of the events or statements table had been published.

    The `published` column where it is filled (the first report came later than the event), else the
    row's date; a date known only to the month counts from the month's last day, so a row is never shown
    as knowable before it surely was.
    """
    if "date" not in table or "date_precision" not in table:
        raise QueryError("as_of needs the events or statements table (columns 'date' and 'date_precision').")
    ends = pd.to_datetime([date_bounds(d, p)[1] if p in ("day", "month") else pd.Timestamp(int(d[:4]), 12, 31)
                           for d, p in zip(table["date"], table["date_precision"])])
    known = pd.Series(ends, index=table.index)
    if "published" in table:
        published = pd.to_datetime(table["published"].replace("", None), errors="coerce")
        known = published.where(published.notna(), known)
    return known


def as_of(table: pd.DataFrame, date) -> pd.DataFrame:
    """The rows of the events or statements table that had been published by `date` (inclusive).

    "What was knowable then": a report published on 18 November about an event of 17 November is not
    shown as of the 17th. Publication is the `published` column where it differs from the date.
    """
    day = _timestamp(date, "as-of")
    if day is None:
        return table
    return table[knowable_from(table) <= day]


def get_event(events: pd.DataFrame, event_id: str) -> pd.Series:
    """One event by id, or a QueryError saying which ids exist."""
    match = events[events["event_id"] == event_id]
    if match.empty:
        ids = sorted(events["event_id"], key=lambda e: (len(e), e))
        raise QueryError(f"There is no event '{event_id}'. Event ids run from {ids[0]} to {ids[-1]}.")
    return match.iloc[0]


def days_between(events: pd.DataFrame, first_id: str, second_id: str) -> int:
    """Days from one event to another (negative if the second came first), from the table's dates.

    A month-only date counts from the first of its month; see `is_approximate`.
    """
    return int((get_event(events, second_id)["start"] - get_event(events, first_id)["start"]).days)


def is_approximate(events: pd.DataFrame, *event_ids: str) -> bool:
    """True when any of the events is dated only to the month, so a day count is approximate."""
    return any(get_event(events, e)["date_precision"] != "day" for e in event_ids)


def milestones(events: pd.DataFrame, family: str) -> pd.DataFrame:
    """The first request, announcement, delivery, authorisation and strike recorded for a weapon family.

    Stages with no event in the table are left out; `days_since_first` counts from the earliest stage
    found. "First in this table" is not "first ever": the table holds a selection of events.
    """
    _allowed("weapon family", family, events["weapon_family"][events["weapon_family"] != ""])
    rows = []
    for stage in STAGES:
        found = events[(events["weapon_family"] == family) & (events["event_type"] == stage)]
        if not found.empty:
            first = found.sort_values("start", kind="stable").iloc[0]
            rows.append({"stage": stage, "event_id": first["event_id"], "date": first["date"],
                         "date_precision": first["date_precision"], "confirmation": first["confirmation"],
                         "start": first["start"], "summary": first["summary"]})
    table = pd.DataFrame(rows, columns=["stage", "event_id", "date", "date_precision", "confirmation", "start",
                                        "summary"])
    if table.empty:
        table["days_since_first"] = pd.Series(dtype="Int64")
        table["approximate"] = pd.Series(dtype=bool)
        return table
    origin = table["start"].min()
    table["days_since_first"] = (table["start"] - origin).dt.days.astype("Int64")
    table["approximate"] = table["date_precision"] != "day"
    table["order"] = [STAGES.index(s) for s in table["stage"]]
    table = table.sort_values(["start", "order"], kind="stable").drop(columns="order")
    return table.reset_index(drop=True)


def days_between_stages(events: pd.DataFrame, family: str, from_stage: str, to_stage: str) -> int:
    """Days from the first `from_stage` event to the first `to_stage` event for one weapon family."""
    for stage in (from_stage, to_stage):
        if stage not in STAGES:
            raise QueryError(f"Unknown stage '{stage}'. Choose from: {', '.join(STAGES)}.")
    table = milestones(events, family).set_index("stage")
    missing = [s for s in (from_stage, to_stage) if s not in table.index]
    if missing:
        raise QueryError(f"The table records no {' or '.join(missing)} for {family}, so the days cannot be counted.")
    return int((table.loc[to_stage, "start"] - table.loc[from_stage, "start"]).days)


def milestone_table(events: pd.DataFrame, families: Iterable[str] | None = None) -> pd.DataFrame:
    """Days from the first recorded stage to each later stage, one row per weapon family and stage."""
    families = sorted(set(events["weapon_family"]) - {""}) if families is None else list(families)
    parts = []
    for family in families:
        table = milestones(events, family)
        table.insert(0, "weapon_family", family)
        parts.append(table)
    columns = ["weapon_family", "stage", "event_id", "date", "days_since_first", "approximate", "confirmation"]
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns]


def red_line_ledger(events: pd.DataFrame, ledger: pd.DataFrame) -> pd.DataFrame:
    """The ledger with dates and day counts computed from the events table.

    `days_to_crossing` runs from the warning to the crossing event; `days_to_response` from the crossing
    (or, if none, the warning) to the first response event. Missing events give missing counts.
    """
    by_id = events.set_index("event_id")
    rows = []
    for row in ledger.itertuples(index=False):
        warning = by_id.loc[row.warning_id]
        crossing = by_id.loc[row.crossing_id] if row.crossing_id else None
        responses = row.response_ids.split()
        first_response = by_id.loc[responses[0]] if responses else None
        anchor = crossing if crossing is not None else warning
        ids = [row.warning_id] + ([row.crossing_id] if row.crossing_id else []) + responses[:1]
        rows.append({
            "warning_id": row.warning_id, "warning_date": warning["date"], "warned_by": warning["actor"],
            "line": row.line, "threatened": row.threatened, "crossing_id": row.crossing_id,
            "crossing_date": crossing["date"] if crossing is not None else "",
            "days_to_crossing": (crossing["start"] - warning["start"]).days if crossing is not None else pd.NA,
            "crossed": row.crossed, "response_ids": row.response_ids,
            "days_to_response": (first_response["start"] - anchor["start"]).days if first_response is not None else pd.NA,
            "approximate": any(by_id.loc[e, "date_precision"] != "day" for e in ids),  # as is_approximate
            "reading_note": row.reading_note})
    table = pd.DataFrame(rows)
    for column in ("days_to_crossing", "days_to_response"):
        table[column] = table[column].astype("Int64")
    return table


def event_card_html(events: pd.DataFrame, event_id: str) -> str:
    """One event as a short HTML card: date, actor, type, summary, status and source."""
    row = get_event(events, event_id)
    status = row["confirmation"]
    badge = {"confirmed": "Confirmed", "reported": "Reported, not officially confirmed",
             "claimed": "Claim by one party, not independently verified"}[status]
    sources = "".join(f"<li>{html.escape(s.strip())}</li>" for s in row["source"].split(" | "))
    date_note = f" ({html.escape(row['date_note'])})" if row["date_note"] else ""
    precision = " (month only)" if row["date_precision"] == "month" else ""
    weapon = f" · Weapon: {html.escape(row['weapon'])}" if row["weapon"] else ""
    return (f'<div role="region" aria-label="Event {html.escape(event_id)}" style="border-left:4px solid #0072B2;'
            f'padding:4px 8px;"><p><strong>{html.escape(event_id)} · {html.escape(row["date"])}{precision}</strong>'
            f"{date_note}<br>{html.escape(row['actor'])} ({html.escape(row['country'])}) · "
            f"{html.escape(row['event_type'])}{weapon}</p><p>{html.escape(row['summary'])}</p>"
            f"<p><strong>Status:</strong> {badge}. {html.escape(row['confirmation_note'])}</p>"
            f"<p><strong>Source:</strong></p><ul>{sources}</ul></div>")


def event_label(row) -> str:
    """A one-line label for lists: date, type, actor."""
    mark = "" if row["confirmation"] == "confirmed" else f" [{row['confirmation']}]"
    return f"{row['date']} · {row['event_type']} · {row['actor']}{mark}"
