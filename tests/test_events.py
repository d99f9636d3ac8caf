"""Tests for escalation.events: the events, statements and ledger tables, filters and day counts."""
import csv
import datetime as dt

import pandas as pd
import pytest

from escalation.errors import DataError, QueryError
from escalation import events as ev


@pytest.fixture(scope="module")
def events():
    return ev.load_events()


def rewrite(path, change):
    """Rewrite a CSV file after `change(rows)` edits its list of row dicts in place."""
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        header, rows = reader.fieldnames, list(reader)
    change(rows)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


# --- the data itself ---------------------------------------------------------------------------------

def test_tables_load_and_are_in_size_range(events):
    assert 25 <= len(events) <= 80  # a selection of events, not a complete record (51 after the 2026 update)
    statements = ev.load_statements(events=events)
    assert len(statements) >= 20
    assert len(ev.load_ledger(events=events)) >= 5


def test_every_row_has_a_source_and_a_summary(events):
    for table in (events, ev.load_statements(events=events)):
        assert (table["source"].str.len() > 10).all()
    assert (events["summary"].str.len() > 20).all()


def test_every_event_type_is_used(events):
    assert set(events["event_type"]) == set(ev.EVENT_TYPES)


def test_statements_are_balanced_across_sides_and_countries(events):
    statements = ev.load_statements(events=events)
    # issue 22's bar: at least 12 countries or bodies, governments against supply and a third country among them
    assert set(statements["country"]) >= {"Russia", "Ukraine", "United States", "United Kingdom", "Germany",
                                          "France", "Italy", "NATO", "European Union", "Hungary", "Slovakia",
                                          "Poland", "China"}
    assert len(set(statements["country"])) >= 12
    counts = statements["side"].value_counts()
    assert counts[["Russia", "Ukraine", "Ukraine's suppliers"]].min() >= 5, counts
    assert counts[["governments against supply", "third countries"]].min() >= 2, counts
    # Russia speaks in 2025-26 through more than its loudest voice (head of state, foreign ministry, security council)
    recent = statements[(statements["country"] == "Russia") & statements["date"].str[:4].isin(["2025", "2026"])]
    assert {"Vladimir Putin", "Sergey Lavrov", "Dmitry Medvedev"} <= set(recent["speaker"])
    assert len(set(recent["speaker"])) >= 3


def test_translated_quotes_say_so(events):
    statements = ev.load_statements(events=events)
    not_english = statements[statements["language"] != "en"]
    assert (not_english["translation"].str.len() > 0).all()


def test_article_quotes_are_in_the_articles(events):
    """A statement marked as quoted in an article must appear in that article's text word for word."""
    from escalation.corpus import load_articles

    bodies = {a.id: " ".join(a.body.split()) for a in load_articles()}  # the texts contain no-break spaces
    statements = ev.load_statements(events=events)
    marked = statements[statements["in_article"] != ""]
    assert len(marked) >= 5
    for row in marked.itertuples():
        assert " ".join(row.quote.rstrip(",").split()) in bodies[row.in_article], row.statement_id


def test_events_the_articles_report_are_present(events):
    by_article = events.groupby("in_article")["event_id"].apply(set)
    assert {"E06", "E07", "E10"} <= by_article["atacms_request_2023"]
    assert {"E21", "E24", "E25"} <= by_article["pentagon_policy_2024"]


def test_unconfirmed_items_are_marked(events):
    by_id = events.set_index("event_id")
    assert by_id.loc["E31", "confirmation"] == "reported"  # the NYT report of 17 November 2024
    assert by_id.loc["E38", "confirmation"] == "confirmed"  # the White House confirmation
    assert by_id.loc["E33", "confirmation"] == "claimed"  # the Russian Defence Ministry's account
    assert "unconfirmed" in by_id.loc["E35", "confirmation_note"].lower() or \
        "not independently confirmed" in by_id.loc["E35", "confirmation_note"]


# --- extra validation ----------------------------------------------------------------------------------

def test_date_bounds_for_day_and_month():
    assert ev.date_bounds("2024-11-17", "day") == (pd.Timestamp(2024, 11, 17), pd.Timestamp(2024, 11, 17))
    assert ev.date_bounds("2024-02", "month") == (pd.Timestamp(2024, 2, 1), pd.Timestamp(2024, 2, 29))


def test_malformed_date_names_row_and_column(data_copy):
    rewrite(data_copy / "events.csv", lambda rows: rows[4].update(date="2023-13-11"))
    with pytest.raises(DataError) as err:
        ev.load_events()
    assert "line 6" in str(err.value) and "'date'" in str(err.value)


def test_unknown_event_type_names_row_and_column(data_copy):
    rewrite(data_copy / "events.csv", lambda rows: rows[0].update(event_type="threat"))
    with pytest.raises(DataError) as err:
        ev.load_events(data_copy)
    message = str(err.value)
    assert "line 2" in message and "'event_type'" in message and "warning" in message


def test_missing_source_names_row_and_column(data_copy):
    rewrite(data_copy / "statements.csv", lambda rows: rows[2].update(source=""))
    with pytest.raises(DataError, match=r"line 4, column 'source'"):
        ev.load_statements()


def test_precision_must_match_date(data_copy):
    rewrite(data_copy / "events.csv", lambda rows: rows[10].update(date_precision="day"))
    with pytest.raises(DataError, match=r"line 12, column 'date'.*YYYY-MM-DD"):
        ev.load_events()


def test_events_must_be_in_date_order(data_copy):
    def swap(rows):
        rows[1]["date"], rows[2]["date"] = rows[2]["date"], rows[1]["date"]
    rewrite(data_copy / "events.csv", swap)
    with pytest.raises(DataError, match="line 4.*date order"):
        ev.load_events()


def test_statement_links_to_unknown_event_are_refused(data_copy):
    rewrite(data_copy / "statements.csv", lambda rows: rows[0].update(event_id="E99"))
    with pytest.raises(DataError, match=r"line 2, column 'event_id': 'E99'"):
        ev.load_statements()


def test_ledger_warning_must_be_a_warning(data_copy):
    rewrite(data_copy / "red_line_ledger.csv", lambda rows: rows[0].update(warning_id="E04"))
    with pytest.raises(DataError, match="'E04' is a delivery, not a warning"):
        ev.load_ledger()


# --- filtering -----------------------------------------------------------------------------------------

def test_filter_by_type_country_and_dates(events):
    shown = ev.filter_events(events, start="2024-01-01", end="2024-12-31", countries=["Russia"],
                             types=["warning"])
    assert len(shown) > 0
    assert set(shown["country"]) == {"Russia"} and set(shown["event_type"]) == {"warning"}
    assert all(d.startswith("2024") for d in shown["date"])
    expected = sum(1 for r in events.itertuples()
                   if r.country == "Russia" and r.event_type == "warning" and r.date.startswith("2024"))
    assert len(shown) == expected


def test_filter_keeps_month_dates_that_overlap_the_range(events):
    month_rows = events[events["date_precision"] == "month"]
    row = month_rows.iloc[0]
    first, last = ev.date_bounds(row["date"], "month")
    middle = first + (last - first) / 2
    shown = ev.filter_events(events, start=middle, end=middle)
    assert row["event_id"] in set(shown["event_id"])


def test_filter_by_actor_text_ignores_case(events):
    shown = ev.filter_events(events, actor="  putin ")
    assert len(shown) == sum("Putin" in a for a in events["actor"]) > 0
    assert ev.filter_events(events, actor="nobody of that name").empty


def test_filter_without_arguments_keeps_everything(events):
    assert ev.filter_events(events).equals(events)


def test_filter_refuses_unknown_values(events):
    with pytest.raises(QueryError, match="Unknown event type: 'threat'.*warning"):
        ev.filter_events(events, types=["threat"])
    with pytest.raises(QueryError, match="Unknown country"):
        ev.filter_events(events, countries="Narnia")


def test_filter_refuses_reversed_or_bad_dates(events):
    with pytest.raises(QueryError, match="after the end date"):
        ev.filter_events(events, start="2024-12-01", end="2024-01-01")
    with pytest.raises(QueryError, match="not a date"):
        ev.filter_events(events, start="last spring")


# --- day counts ----------------------------------------------------------------------------------------

def test_days_between_counts_calendar_days(events):
    by_id = events.set_index("event_id")
    a, b = "E31", "E38"
    expected = (dt.date.fromisoformat(by_id.loc[b, "date"]) - dt.date.fromisoformat(by_id.loc[a, "date"])).days
    assert ev.days_between(events, a, b) == expected == 8
    assert ev.days_between(events, b, a) == -expected
    assert not ev.is_approximate(events, a, b)


def test_month_dates_make_counts_approximate(events):
    month_id = events[events["date_precision"] == "month"]["event_id"].iloc[0]
    assert ev.is_approximate(events, month_id, "E01")


def test_unknown_event_id(events):
    with pytest.raises(QueryError, match="no event 'E77'"):
        ev.days_between(events, "E01", "E77")


def test_milestones_are_firsts_in_stage_order(events):
    table = ev.milestones(events, "ATACMS")
    atacms = events[events["weapon_family"] == "ATACMS"]
    for row in table.itertuples():
        same = atacms[atacms["event_type"] == row.stage]
        assert row.event_id == same.sort_values("start").iloc[0]["event_id"]
    assert table["days_since_first"].min() == 0
    assert list(table["start"]) == sorted(table["start"])


def test_days_between_stages_matches_days_between(events):
    table = ev.milestones(events, "ATACMS").set_index("stage")
    days = ev.days_between_stages(events, "ATACMS", "request", "authorization")
    assert days == ev.days_between(events, table.loc["request", "event_id"], table.loc["authorization", "event_id"])
    assert days > 0


def test_days_between_stages_explains_missing_stage(events):
    with pytest.raises(QueryError, match="records no request or delivery for Taurus"):
        ev.days_between_stages(events, "Taurus", "request", "delivery")
    with pytest.raises(QueryError, match="Unknown stage"):
        ev.days_between_stages(events, "ATACMS", "order", "delivery")


def test_milestone_table_covers_every_family_with_a_stage(events):
    table = ev.milestone_table(events)
    staged = events[events["event_type"].isin(ev.STAGES) & (events["weapon_family"] != "")]
    assert set(table["weapon_family"]) == set(staged["weapon_family"])
    assert len(table) == staged.groupby(["weapon_family", "event_type"]).ngroups


# --- the ledger ----------------------------------------------------------------------------------------

def test_ledger_day_counts_come_from_event_dates(events):
    ledger = ev.load_ledger(events=events)
    table = ev.red_line_ledger(events, ledger)
    assert len(table) == len(ledger)
    for row in table.itertuples():
        if row.crossing_id:
            assert row.days_to_crossing == ev.days_between(events, row.warning_id, row.crossing_id)
            assert row.days_to_crossing >= 0
        else:
            assert pd.isna(row.days_to_crossing)
    uncrossed = table[table["crossing_id"] == ""]
    assert set(uncrossed["crossed"]) <= {"no", "unclear"}


def test_event_card_shows_summary_status_and_source(events):
    card = ev.event_card_html(events, "E31")
    row = events.set_index("event_id").loc["E31"]
    assert "Reported, not officially confirmed" in card
    assert "kyivindependent.com" in card and row["summary"][:30] in card


# --- "as of": what had been published by a date (C3) -----------------------------------------------------

def test_as_of_uses_the_publication_date_where_it_differs():
    from escalation.events import as_of, load_statements
    statements = load_statements()
    row = statements.set_index("statement_id").loc["S27"]
    assert row["date"] == "2024-11-25" and row["published"] == pd.Timestamp("2024-12-12")
    before = as_of(statements, "2024-12-11")
    after = as_of(statements, "2024-12-12")
    assert "S27" not in set(before["statement_id"]) and "S27" in set(after["statement_id"])


def test_as_of_keeps_only_rows_known_by_the_day_and_counts_month_dates_from_their_end():
    from escalation.events import as_of, load_events
    events = load_events()
    shown = as_of(events, "2024-07-17")
    assert len(shown) < len(events)
    assert (shown["start"] <= "2024-07-17").all()
    assert "E31" not in set(shown["event_id"])  # reported on 17 November 2024
    month_rows = events[events["date_precision"] == "month"]
    first = month_rows.iloc[0]
    mid_month = first["start"] + pd.Timedelta(days=10)
    assert first["event_id"] not in set(as_of(events, mid_month)["event_id"])
    assert first["event_id"] in set(as_of(events, first["end"])["event_id"])
    assert as_of(events, None) is events


def test_as_of_refuses_a_date_that_is_not_one():
    from escalation.events import as_of, load_events
    with pytest.raises(QueryError, match="as-of date 'next week' is not a date"):
        as_of(load_events(), "next week")
