"""source_type on the sourced tables: the labels follow the data dictionary's stated rules, and the counts add up."""
import pytest

from escalation.errors import DataError
from escalation.sources import SOURCED_TABLES, source_type_counts, source_types
from escalation.tables import load_table

# The dictionary's examples, by the outlet the row's first source names (the copy the row rests on).
EXPECTED = {
    "TASS": "state media", "Sputnik": "state media", "Parstoday": "state media",
    "The Epoch Times": "partisan or advocacy outlet", "Antiwar.com": "partisan or advocacy outlet",
    "Newsmax": "partisan or advocacy outlet", "Al Mayadeen": "partisan or advocacy outlet",
    "The Washington Times (copy at armedforcesconnect.org)": "aggregator or re-host", "DNYUZ": "aggregator or re-host",
    "EEAS": "primary record", "Kiel Institute": "research institute",
    "First source article": "aggregator or re-host", "Second source article": "aggregator or re-host",
}


def lead(source):
    return source.split(" | ")[0].split(";")[0].strip()


@pytest.mark.parametrize("table", SOURCED_TABLES)
def test_rows_follow_the_dictionary_rules(table):
    frame = load_table(table)
    checked = 0
    for row in frame.itertuples():
        first = lead(row.source)
        for outlet, kind in EXPECTED.items():
            if first.startswith(outlet):
                assert row.source_type == kind, (table, first, row.source_type)
                checked += 1
        if first.startswith("Discussion question"):
            assert row.source_type == ""
        elif table in ("events", "statements"):
            assert row.source_type in source_types()
    if table in ("events", "statements", "argument_map"):
        assert checked >= 3  # the rule is exercised on real rows, not vacuously


def test_no_event_or_statement_rests_on_an_unlabelled_source():
    for table in ("events", "statements"):
        assert (load_table(table)["source_type"] != "").all()


def test_counts_add_up_to_the_tables_and_match_a_count_by_outlet():
    counts = source_type_counts(("events", "statements"))
    assert list(counts.index[:7]) == source_types() and counts.index[-1] == "all kinds"
    for table in ("events", "statements"):
        assert counts.loc["all kinds", table] == len(load_table(table))
    statements = load_table("statements")
    by_outlet = sum(lead(s).startswith(("TASS", "Sputnik", "RIA")) for s in statements["source"])
    assert counts.loc["state media", "statements"] >= by_outlet >= 1
    assert counts.loc["all kinds", "total"] == counts.loc["all kinds", "events"] + counts.loc["all kinds", "statements"]


def test_a_table_without_sources_is_refused_by_name():
    with pytest.raises(DataError, match="no source_type column.*events"):
        source_type_counts(("places",))
