import json
import re

import pytest

from escalation.errors import DataError
from escalation.paths import REPO_ROOT
from escalation.tables import catalogue_markdown, data_dictionary_markdown, load_table, read_package, validate_all


def test_every_table_in_the_catalogue_validates():
    counts = validate_all()
    assert counts["articles"] >= 2
    assert all(n > 0 for n in counts.values()), counts


def test_every_table_has_a_source_column_or_source_for_each_row():
    for res in read_package()["resources"]:
        names = [f["name"] for f in res["schema"]["fields"]]
        assert res.get("sources"), f"{res['name']} has no sources in the catalogue"
        if "source" in names:
            field = next(f for f in res["schema"]["fields"] if f["name"] == "source")
            assert field.get("constraints", {}).get("required"), f"{res['name']}.source must be required"


def test_every_field_is_described():
    for res in read_package()["resources"]:
        for field in res["schema"]["fields"]:
            assert field.get("description"), f"{res['name']}.{field['name']} has no description"


def test_data_dictionary_file_is_up_to_date():
    committed = (REPO_ROOT / "data" / "DATA_DICTIONARY.md").read_text(encoding="utf-8")
    assert committed == data_dictionary_markdown(), "run: python tools/write_data_dictionary.py"


def test_data_catalogue_is_up_to_date_and_lists_every_table():
    committed = (REPO_ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert committed == catalogue_markdown(), "run: python tools/write_data_dictionary.py"
    for res in read_package()["resources"]:
        assert f"`data/{res['path']}`" in committed
        assert res.get("licenses"), f"{res['name']} states no terms of use"


def test_malformed_date_names_line_and_column(data_copy):
    path = data_copy / "articles" / "articles.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",2024-07-17,", ",2024-13-17,"), encoding="utf-8")
    with pytest.raises(DataError, match=r"line 3, column 'date': '2024-13-17' is not a real calendar date"):
        load_table("articles")


def test_unknown_category_names_allowed_values(data_copy):
    path = data_copy / "articles" / "articles.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",day,stated,", ",week,stated,"), encoding="utf-8")
    with pytest.raises(DataError, match=r"column 'date_precision': 'week' is not one of the allowed values: day, month, year"):
        load_table("articles")


def test_missing_required_value_and_duplicate_id(data_copy):
    path = data_copy / "lexicons" / "place_names.csv"
    path.write_text(path.read_text(encoding="utf-8") + "Kyiv,,city,x\nOdesa,,city,\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_table("place_names")
    message = str(info.value)
    assert "'Kyiv' appears twice" in message
    assert "column 'source': a value is required" in message


def test_missing_column_is_reported(data_copy):
    path = data_copy / "lexicons" / "place_names.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(",".join(l.split(",")[:3]) for l in lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="missing column\\(s\\): source"):
        load_table("place_names")


def test_unknown_table_lists_known_tables():
    with pytest.raises(DataError, match="No table called 'nope'.*articles"):
        load_table("nope")


def test_broken_catalogue_is_reported(data_copy):
    (data_copy / "datapackage.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match="not valid UTF-8 JSON"):
        load_table("articles")


def test_types_are_applied(data_copy):
    package = json.loads((data_copy / "datapackage.json").read_text(encoding="utf-8"))
    package["resources"].append({"name": "typed", "path": "typed.csv", "schema": {"fields": [
        {"name": "n", "type": "integer"}, {"name": "x", "type": "number", "constraints": {"minimum": 0}},
        {"name": "flag", "type": "boolean"}, {"name": "d", "type": "date"}]}})
    (data_copy / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    (data_copy / "typed.csv").write_text("n,x,flag,d\n3,2.5,true,2024-11-19\n", encoding="utf-8")
    frame = load_table("typed")
    assert frame.loc[0, "n"] == 3 and frame.loc[0, "x"] == 2.5 and bool(frame.loc[0, "flag"]) is True
    assert str(frame.loc[0, "d"].date()) == "2024-11-19"
    (data_copy / "typed.csv").write_text("n,x,flag,d\n3.5,-1,maybe,19/11/2024\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_table("typed")
    message = str(info.value)
    for expected in ["'3.5' expected a whole number", "'-1' is below the minimum 0", "'maybe' expected true or false",
                     "'19/11/2024' expected a date written YYYY-MM-DD"]:
        assert expected in message


# --- cut-offs (C3) -----------------------------------------------------------------------------------------

def test_every_table_states_a_cutoff_and_the_note_words_it():
    from escalation.tables import cutoff, cutoff_note
    for res in read_package()["resources"]:
        day = cutoff(res["name"])
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", day), (res["name"], day)
    assert cutoff_note("events") == f"Data as of {cutoff('events')} (events)"
    note = cutoff_note("events", "red_line_ledger")
    assert note == f"Data as of {cutoff('events')} (events, red_line_ledger)"


def test_cutoff_follows_new_rows_after_refresh(data_copy):
    from escalation.tables import computed_cutoff, cutoff, refresh_cutoffs
    path = data_copy / "lexicons" / "spelling_changes.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    old = cutoff("spelling_changes")
    row = lines[-1]
    # a copy of the last row, dated later
    import csv as _csv, io as _io
    values = next(_csv.reader([row]))
    values[header.index("date")] = "2030-01-02"
    values[header.index("date_precision")] = "day"
    values[0] = values[0] + "_later"
    out = _io.StringIO()
    _csv.writer(out, lineterminator="\n").writerow(values)
    path.write_text("\n".join(lines) + "\n" + out.getvalue(), encoding="utf-8")
    assert computed_cutoff("spelling_changes") == "2030-01-02"
    assert refresh_cutoffs() == {"spelling_changes": (old, "2030-01-02")}
    assert cutoff("spelling_changes") == "2030-01-02"


def test_missing_cutoff_is_explained(data_copy):
    from escalation.tables import cutoff
    package = json.loads((data_copy / "datapackage.json").read_text(encoding="utf-8"))
    package["resources"][0].pop("cutoff")
    (data_copy / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    with pytest.raises(DataError, match="states no cut-off"):
        cutoff(package["resources"][0]["name"])
