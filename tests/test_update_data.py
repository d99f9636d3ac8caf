"""The next-term update command (tools/update_data.py) on sample batches in tests/fixtures/ (a private data copy)."""
import importlib.util
import json

import pytest

from escalation import events as ev
from escalation.paths import REPO_ROOT
from escalation.tables import catalogue_markdown, cutoff, data_dictionary_markdown

FIXTURES = REPO_ROOT / "tests" / "fixtures"


@pytest.fixture(scope="module")
def tool():
    spec = importlib.util.spec_from_file_location("update_data", REPO_ROOT / "tools" / "update_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_bad_rows_are_refused_with_file_line_and_reason_and_nothing_changes(tool, data_copy, capsys):
    before = snapshot(data_copy)
    code = tool.main([str(FIXTURES / "update_batch_bad"), "--data", str(data_copy)])
    err = capsys.readouterr().err
    assert code == 1 and "nothing was changed" in err
    assert "events.csv (batch), line 2, column 'date': '2026-02-30' is not a real calendar date" in err
    assert "events.csv (batch), line 2, column 'source_type': 'blog' is not one of the allowed values" in err
    assert "events.csv (batch), line 3, column 'event_type': 'threat' is not one of the allowed values" in err
    assert "events.csv (batch), line 4, column 'event_id': 'E10' is already used" in err
    assert "events.csv (batch), line 5, column 'source': a value is required" in err
    assert "aid.csv (batch), line 2, column 'figure': '12.5.1' expected a number" in err
    assert snapshot(data_copy) == before


def test_a_link_to_a_missing_event_is_refused_with_the_batch_line(tool, data_copy, capsys):
    before = snapshot(data_copy)
    assert tool.main([str(FIXTURES / "update_batch_badlink"), "--data", str(data_copy)]) == 1
    err = capsys.readouterr().err
    assert "statements.csv (batch), line 2, column 'event_id': 'E99' is not an event_id" in err
    assert snapshot(data_copy) == before


def test_check_and_dry_run_write_nothing_and_list_the_notebooks(tool, data_copy, capsys):
    before = snapshot(data_copy)
    assert tool.main([str(FIXTURES / "update_batch_good"), "--data", str(data_copy), "--check"]) == 0
    assert "events +2; statements +1" in capsys.readouterr().out
    assert tool.main([str(FIXTURES / "update_batch_good"), "--data", str(data_copy), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Dry run: nothing written." in out and "events: 2 row(s) added (E90, E91)" in out
    assert "statements: 1 row(s) added (S90)" in out
    # 05 draws the events and statements through their mix of sources (escalation.sources)
    assert "03_red_lines_and_escalation.ipynb" in out and "05_debate" in out.split("notebooks to")[1].split("\n")[0]
    assert snapshot(data_copy) == before


def test_good_batch_is_added_and_derived_files_recomputed(tool, data_copy, capsys):
    old_events = cutoff("events")
    assert tool.main([str(FIXTURES / "update_batch_good"), "--data", str(data_copy), "--no-execute"]) == 0
    out = capsys.readouterr().out
    events = ev.load_events()
    ids = list(events["event_id"])
    # E91 (30 Nov 2025) goes in date order, before the existing January 2026 row; E90 (March 2026) at the end
    assert ids[-1] == "E90" and ids.index("E91") < ids.index("E51")
    assert set(ev.load_statements(events=events)["statement_id"]) >= {"S90"}
    assert cutoff("events") == "2026-03-10" and f"cut-off of events: {old_events} -> 2026-03-10" in out
    assert (data_copy / "README.md").read_text(encoding="utf-8") == catalogue_markdown()
    assert (data_copy / "DATA_DICTIONARY.md").read_text(encoding="utf-8") == data_dictionary_markdown()
    assert "notebooks to re-execute: 03_red_lines_and_escalation.ipynb" in out
    package = json.loads((data_copy / "datapackage.json").read_text(encoding="utf-8"))
    assert next(r for r in package["resources"] if r["name"] == "statements")["cutoff"] == "2026-03-10"
    # the published column moves E91 to when it was knowable
    assert "E91" not in set(ev.as_of(events, "2025-12-01")["event_id"])
    assert "E91" in set(ev.as_of(events, "2025-12-02")["event_id"])


def test_unknown_table_and_empty_folder_are_explained(tool, data_copy, tmp_path, capsys):
    empty = tmp_path / "batch"
    empty.mkdir()
    assert tool.main([str(empty), "--data", str(data_copy)]) == 1
    assert "holds no CSV file" in capsys.readouterr().err
    (empty / "sightings.csv").write_text("id\nx\n", encoding="utf-8")
    assert tool.main([str(empty), "--data", str(data_copy)]) == 1
    assert "sightings.csv: no table of that name" in capsys.readouterr().err


def test_affected_notebooks_follow_the_tables_they_draw(tool):
    names = {p.name for p in tool.affected_notebooks({"aid"})}
    assert any(n.startswith("02_") for n in names) and not any(n.startswith("04_") for n in names)
    assert {p.name for p in tool.affected_notebooks({"argument_map"})} >= {
        p.name for p in (REPO_ROOT / "notebooks").glob("05_*.ipynb")}


def test_an_argument_map_stage_without_a_position_is_refused(tool, data_copy, capsys):
    """The issue-22 batch had a stage with reasons but no position; the map would not draw."""
    before = snapshot(data_copy)
    assert tool.main([str(FIXTURES / "update_batch_nomap"), "--data", str(data_copy), "--check"]) == 1
    err = capsys.readouterr().err
    assert "'Sample side (test fixture)' at stage 'Mar 2026' has no 'position' row" in err
    assert snapshot(data_copy) == before
