"""The explorers' "As of" boxes take ISO dates (year-month-day), show that form, and answer anything else with
a message about the date, never about another field (issue 21: a browser date box turned 2024-07-17 into
02/02/40717 and the timeline said "Unknown country: 'Russia'. Choose from: .")."""
import pytest

from escalation.widgets.aid import aid_explorer
from escalation.widgets.timeline import timeline_explorer

BAD = ["07/17/2024", "17.07.2024", "2024-02-30", "40717-02-02", "yesterday", "2024/07/17", "12345"]


@pytest.fixture(scope="module")
def explorers():
    return {"timeline": timeline_explorer(), "aid": aid_explorer()}


@pytest.mark.parametrize("name", ["timeline", "aid"])
def test_the_box_is_a_text_box_showing_the_form(explorers, name):
    box = explorers[name].controls["as_of"]
    assert type(box).__name__ == "Text" and "YYYY-MM-DD" in box.placeholder and "2024-07-17" in box.placeholder
    assert box.description == "As of (published by)"


def test_an_iso_date_is_accepted(explorers):
    timeline, aid = explorers["timeline"], explorers["aid"]
    timeline.controls["as_of"].value = "2024-07-17"
    assert timeline.message == "" and "published by 17 July 2024" in timeline.display_area.value
    assert 0 < len(timeline.result.events) < len(timeline.events)
    aid.controls["as_of"].value = " 2024-03-01 "
    assert aid.message == "" and "As of 01 March 2024" in aid.display_area.value
    for widget in (timeline, aid):
        widget.controls["as_of"].value = ""
        assert widget.message == "" and "As of 0" not in widget.display_area.value


@pytest.mark.parametrize("typed", BAD)
@pytest.mark.parametrize("name", ["timeline", "aid"])
def test_anything_else_gets_a_message_about_the_date(explorers, name, typed):
    widget = explorers[name]
    widget.controls["as_of"].value = typed
    try:
        assert widget.message.startswith(f"As of: '{typed}' ")
        assert "YYYY-MM-DD (year-month-day), for example 2024-07-17" in widget.message
        assert "country" not in widget.message.lower() and "Choose from" not in widget.message
        assert "Check your input" in widget.display_area.value  # shown, with a text label
    finally:
        widget.controls["as_of"].value = ""
    assert widget.message == ""


def test_months_shown_are_two_labelled_drop_downs_that_follow_the_value(explorers):
    timeline = explorers["timeline"]
    months = timeline.controls["dates"]
    assert (months.first.description, months.last.description) == ("Months shown: from", "to")
    options = months.options
    nov = next(v for label, v in options if label == "Nov 2024")
    months.first.value = nov  # as a student picks it
    assert timeline.result is not None and all(d >= "2024-11" for d in timeline.result.events["date"])
    months.value = (options[0][1], options[-1][1])  # and as code sets it
    assert months.first.value == options[0][1] and len(timeline.result.events) == len(timeline.events)
    months.first.value, months.last.value = options[-1][1], options[-1][1]
    months.last.value = options[0][1]  # last before first: a message about the months
    assert timeline.message.startswith("Months shown: the first month") and "country" not in timeline.message
    months.value = (options[0][1], options[-1][1])
    assert timeline.message == ""
