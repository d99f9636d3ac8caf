"""Tests for escalation.ladder: Kahn's groups as data and the explaining placement check."""
import pytest

from escalation.errors import DataError, QueryError
from escalation.events import load_events
from escalation import ladder


@pytest.fixture(scope="module")
def events():
    return load_events()


@pytest.fixture(scope="module")
def reference(events):
    return ladder.load_ladder_reference(events=events)


def test_kahn_ladder_shape():
    """44 rungs in 7 groups, contiguous, with 6 thresholds between them (Kahn 1965)."""
    groups = ladder.KAHN_GROUPS
    assert len(groups) == 7 and len(ladder.THRESHOLDS) == 6
    assert groups[0].first_rung == 1 and groups[-1].last_rung == 44
    for below, above in zip(groups, groups[1:]):
        assert above.first_rung == below.last_rung + 1
    assert ladder.THRESHOLDS[0] == "Don't rock the boat" and ladder.THRESHOLDS[-1] == "City targeting"
    assert list(ladder.groups_table()["number"]) == list(range(1, 8))


def test_group_name_and_bad_numbers():
    assert ladder.group_name(3) == "3 · Intense crises"
    for bad in (0, 8, "3", True, 2.5):
        with pytest.raises(QueryError, match="groups 1 to 7"):
            ladder.group_name(bad)


def test_thresholds_between_is_symmetric():
    assert ladder.thresholds_between(2, 2) == []
    assert ladder.thresholds_between(1, 3) == ladder.thresholds_between(3, 1) == \
        ["Don't rock the boat", "Nuclear war is unthinkable"]


def test_reference_rows_point_at_events(reference, events):
    assert set(reference["event_id"]) <= set(events["event_id"])
    assert reference["reference_group"].between(1, 7).all()


def test_reference_with_unknown_event_is_refused(data_copy):
    path = data_copy / "ladder_reference.csv"
    text = path.read_text(encoding="utf-8").replace("\nE03,", "\nE98,", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match="line 2, column 'event_id': 'E98'"):
        ladder.load_ladder_reference(events=load_events())


def test_reference_with_group_out_of_range_names_row_and_column(data_copy):
    path = data_copy / "ladder_reference.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    parts = lines[3].split(",", 2)
    lines[3] = ",".join([parts[0], "9", parts[2]])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="line 4, column 'reference_group': '9' is above the maximum 7"):
        ladder.load_ladder_reference()


def test_agreement_with_reference_alternative_and_other(reference):
    row = reference.iloc[0]
    ref, alt = int(row["reference_group"]), int(row["alternative_group"])
    agreement, text = ladder.explain_placement(row, ref)
    assert agreement == "reference" and row["rationale"] in text
    agreement, text = ladder.explain_placement(row, alt)
    assert agreement == "alternative" and row["alternative_rationale"] in text and row["rationale"] in text
    other = next(g for g in range(1, 8) if g not in (ref, alt))
    agreement, text = ladder.explain_placement(row, other)
    assert agreement == "different reading"
    for threshold in ladder.thresholds_between(other, ref):
        assert threshold in text
    assert "wrong" not in text.lower() and "incorrect" not in text.lower()


def test_compare_placements(reference, events):
    first = reference["event_id"].iloc[0]
    table = ladder.compare_placements({first: 7}, reference, events)
    assert len(table) == len(reference)
    assert table.set_index("event_id").loc[first, "your_group"] == 7
    assert (table["agreement"] == "not placed").sum() == len(reference) - 1
    summary = ladder.placement_summary(table)
    assert summary.startswith("1 of") and "judgement" in summary


def test_compare_placements_refuses_unknown_event(reference, events):
    with pytest.raises(QueryError, match="No reference placement for E01"):
        ladder.compare_placements({"E01": 2}, reference, events)
