"""Tests for the evidence board (escalation.evidence) and its widget."""
from pathlib import Path

import pandas as pd
import pytest

from escalation import evidence
from escalation.errors import EscalationError
from escalation.widgets.evidence import EvidenceBoardWidget, board_html, demo_board, evidence_board, preview_html

ROW = dict(claim="ATACMS reach about 300 km", who="First article", evidence="weapons table",
           source="Notebook 02", confidence="Medium")


def board_with(n):
    board = evidence.new_board()
    for i in range(n):
        board = evidence.add_row(board, **{**ROW, "claim": f"claim {i}"})
    return board


def test_add_row_tidies_and_keeps_input_unchanged():
    empty = evidence.new_board()
    board = evidence.add_row(empty, **{**ROW, "claim": "  two   spaces  "})
    assert empty.empty and list(board.columns) == evidence.COLUMNS
    assert board.loc[0, "claim"] == "two spaces"
    assert board.loc[0, "confidence"] == "medium"


@pytest.mark.parametrize("change, words", [
    ({"claim": ""}, "Fill in claim"),
    ({"source": "   "}, "Fill in source"),
    ({"confidence": "certain"}, "not one of: low, medium, high"),
    ({"who": 3}, "should be text"),
    ({"evidence": "x" * 1001}, "keep it under"),
])
def test_add_row_rejects_bad_values_with_a_plain_message(change, words):
    with pytest.raises(EscalationError, match=words):
        evidence.add_row(evidence.new_board(), **{**ROW, **change})


def test_edit_and_remove_rows():
    board = board_with(3)
    edited = evidence.edit_row(board, 1, confidence="high")
    assert edited["confidence"].tolist() == ["medium", "high", "medium"]
    assert board.loc[1, "confidence"] == "medium"
    removed = evidence.remove_row(edited, 0)
    assert removed["claim"].tolist() == ["claim 1", "claim 2"]
    assert list(removed.index) == [0, 1]


@pytest.mark.parametrize("index, words", [(3, "rows 0 to 2"), (-1, "rows 0 to 2"), ("1", "by its number"),
                                          (True, "by its number")])
def test_bad_row_numbers(index, words):
    with pytest.raises(EscalationError, match=words):
        evidence.remove_row(board_with(3), index)


def test_edit_unknown_column_and_empty_board():
    with pytest.raises(EscalationError, match="Unknown column"):
        evidence.edit_row(board_with(1), 0, colour="red")
    with pytest.raises(EscalationError, match="empty"):
        evidence.edit_row(evidence.new_board(), 0, claim="x")


def test_save_and_load_round_trip_with_commas_quotes_and_accents(tmp_path):
    board = evidence.add_row(evidence.new_board(), claim='Peskov: "spiralling tension", again',
                             who="Kremlin, spokesman", evidence="", source="Reuters; 2023-06-04",
                             confidence="low")
    board = evidence.add_row(board, **{**ROW, "who": "Fabian Müller"})
    path = evidence.save_board(board, tmp_path / "board.csv")
    loaded = evidence.load_board(path)
    pd.testing.assert_frame_equal(loaded, board)


def test_save_never_overwrites_without_asking(tmp_path):
    path = tmp_path / "board.csv"
    evidence.save_board(board_with(1), path)
    with pytest.raises(EscalationError, match="already exists"):
        evidence.save_board(board_with(2), path)
    assert len(evidence.load_board(path)) == 1
    evidence.save_board(board_with(2), path, overwrite=True)
    assert len(evidence.load_board(path)) == 2


@pytest.mark.parametrize("name, words", [("", "Type a file name"), ("board.txt", "should end in .csv")])
def test_save_bad_names(tmp_path, monkeypatch, name, words):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(EscalationError, match=words):
        evidence.save_board(board_with(1), name)


@pytest.mark.parametrize("content, words", [
    (b"", "is empty"),
    (b"claim,who\nx,y\n", "missing column"),
    (b"claim,who,evidence,source,confidence,extra\n", "unexpected column"),
    (b"claim,who,evidence,source,confidence\nx,y,z,s,sure\n", "line 2: Confidence 'sure'"),
    (b"claim,who,evidence,source,confidence\nx,y,z,s,low,extra\n", "line 2: 6 values"),
    (b"claim,who,evidence,source,confidence\n,y,z,s,low\n", "line 2: Fill in claim"),
    ("claim,who,evidence,source,confidence\nKiev,y,z,s,low\n".encode("cp1251") + b"\xff", "not UTF-8"),
])
def test_load_bad_files_names_the_problem(tmp_path, content, words):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(EscalationError, match=words):
        evidence.load_board(path)


def test_load_missing_file_and_folder(tmp_path):
    with pytest.raises(EscalationError, match="no file"):
        evidence.load_board(tmp_path / "none.csv")
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(EscalationError, match="folder"):
        evidence.load_board(tmp_path / "dir.csv")


def test_load_accepts_a_byte_order_mark_and_blank_lines(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffclaim,who,evidence,source,confidence\r\nx,y,,s,HIGH\r\n\r\n".encode("utf-8"))
    board = evidence.load_board(path)
    assert board.to_dict("records") == [{"claim": "x", "who": "y", "evidence": "", "source": "s",
                                         "confidence": "high"}]


def test_summary_counts_by_who_and_confidence():
    board = board_with(2)
    board = evidence.add_row(board, **{**ROW, "who": "Kremlin", "confidence": "low"})
    summary = evidence.board_summary(board)
    assert list(summary.columns) == ["low", "medium", "high"]
    assert summary.loc["First article"].tolist() == [0, 2, 0]
    assert summary.loc["Kremlin"].tolist() == [1, 0, 0]
    assert evidence.board_summary(evidence.new_board()).empty


def test_word_count():
    assert evidence.word_count("one two  three\nfour") == 4
    assert evidence.word_count(...) == 0
    with pytest.raises(EscalationError):
        evidence.word_count(42)


def fill(widget, **values):
    for name, value in {**ROW, "confidence": "medium", **values}.items():
        widget.fields[name].value = value


def test_save_creates_the_students_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    target = evidence.save_board(board_with(1), evidence.DEFAULT_PATH)
    assert target == tmp_path / "my_work" / "evidence_board.csv" or target.resolve() == (tmp_path / "my_work" / "evidence_board.csv")
    assert len(evidence.load_board(target)) == 1


def test_widget_add_edit_remove(tmp_path):
    widget = EvidenceBoardWidget(path=str(tmp_path / "b.csv"))
    fill(widget)
    widget.add_button.click()
    assert len(widget.board) == 1 and widget.message.startswith("Row added. Saved automatically in")
    assert widget.fields["claim"].value == ""
    widget.add_button.click()
    assert len(widget.board) == 1 and "Fill in claim" in widget.message
    assert "Check your input" in widget.status.value
    fill(widget, claim="second")
    widget.add_button.click()
    widget.row.value = 1
    widget.pick_button.click()
    assert widget.fields["claim"].value == "second"
    widget.fields["confidence"].value = "high"
    widget.update_button.click()
    assert widget.board["confidence"].tolist() == ["medium", "high"]
    widget.row.value = 0
    widget.remove_button.click()
    assert widget.board["claim"].tolist() == ["second"]
    assert evidence.load_board(tmp_path / "b.csv")["claim"].tolist() == ["second"]


@pytest.mark.parametrize("number", [99, 1, -1])
def test_widget_refuses_row_numbers_out_of_range(tmp_path, number):
    widget = EvidenceBoardWidget(board=board_with(1), path=str(tmp_path / "b.csv"))
    widget.row.value = number
    assert widget.row.value == number             # not clamped to the last row
    widget.remove_button.click()
    assert len(widget.board) == 1 and "There is no row" in widget.message and "rows 0 to 0" in widget.message
    widget.update_button.click()
    assert len(widget.board) == 1 and "There is no row" in widget.message


def test_widget_loads_the_students_saved_board_when_rebuilt(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    starter = board_with(2)
    first = evidence_board(starter)
    assert first.own_file == Path(evidence.DEFAULT_PATH) and not (tmp_path / evidence.DEFAULT_PATH).exists()
    fill(first, claim="my own claim")
    first.add_button.click()
    saved = tmp_path / "my_work" / "evidence_board.csv"
    assert saved.exists() and evidence.load_board(saved)["claim"].tolist()[-1] == "my own claim"
    again = evidence_board(starter)                # Run All builds the widget again from the starter rows
    assert len(again.board) == 3 and again.board["claim"].tolist()[-1] == "my own claim"
    assert "Welcome back" in again.message
    assert saved.read_text(encoding="utf-8") == evidence.board_to_csv(again.board)


def test_a_damaged_saved_board_is_never_overwritten(tmp_path):
    path = tmp_path / "b.csv"
    path.write_text("claim,who\nbroken\n", encoding="utf-8")
    widget = EvidenceBoardWidget(board=board_with(1), path=str(path))
    assert "could not be read" in widget.message and "missing column" in widget.message
    fill(widget)
    widget.add_button.click()
    assert "Not saved automatically" in widget.message
    assert path.read_text(encoding="utf-8") == "claim,who\nbroken\n"


def test_demo_board_never_touches_the_students_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    mine = evidence_board(board_with(1))
    fill(mine, claim="student row")
    mine.add_button.click()
    before = (tmp_path / evidence.DEFAULT_PATH).read_text(encoding="utf-8")
    demo = demo_board(board_with(1))
    assert len(demo.board) == 1                   # not loaded from the student's file
    fill(demo, claim="demo row")
    demo.add_button.click()
    demo.save_button.click()
    assert "kept in memory only" in demo.message
    demo.board = board_with(3)
    demo.load_button.click()
    assert demo.board["claim"].tolist()[-1] == "demo row"
    assert (tmp_path / evidence.DEFAULT_PATH).read_text(encoding="utf-8") == before
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["evidence_board.csv"]


def test_widget_save_asks_before_replacing_and_loads(tmp_path):
    path = tmp_path / "b.csv"
    other = tmp_path / "other.csv"
    evidence.save_board(board_with(2), other)
    widget = EvidenceBoardWidget(board=board_with(2), path=str(path))
    widget.save_button.click()
    assert widget.message == "Saved 2 row(s) to b.csv."
    widget.board = board_with(1)
    widget.save_button.click()                    # the widget's own file is always brought up to date
    assert widget.message == "Saved 1 row(s) to b.csv." and len(evidence.load_board(path)) == 1
    widget.board = board_with(2)
    widget.save_button.click()
    widget.path.value = str(other)
    widget.board = board_with(1)
    widget.save_button.click()                    # another existing file is never replaced without asking
    assert "already exists" in widget.message and len(evidence.load_board(other)) == 2
    widget.overwrite.value = True
    widget.save_button.click()
    assert len(evidence.load_board(other)) == 1 and widget.overwrite.value is False
    assert widget.own_file == other               # from now on, changes are saved there
    widget.board = board_with(3)
    widget.load_button.click()
    assert len(widget.board) == 1 and widget.message == "Loaded 1 row(s) from other.csv."
    widget.path.value = ""
    widget.load_button.click()
    assert "Type a file name" in widget.message and len(widget.board) == 1


def test_widget_controls_have_descriptions():
    widget = EvidenceBoardWidget(demo=True)
    controls = [*widget.fields.values(), widget.row, widget.path, widget.overwrite]
    assert all(c.description for c in controls)
    buttons = [widget.add_button, widget.update_button, widget.pick_button, widget.remove_button,
               widget.save_button, widget.load_button]
    assert all(b.description and b.tooltip for b in buttons)


def test_board_html_escapes_and_labels():
    html = board_html(evidence.add_row(evidence.new_board(), **{**ROW, "claim": "<b>x</b>"}))
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<caption" in html and 'scope="col"' in html
    assert "empty" in board_html(evidence.new_board())


def test_quote_differences_finds_changes_additions_and_omissions():
    printed = "I thanked the US and stressed the need [for missiles], he said"
    reported = "I thanked the U.S. and stressed the need, he said"
    diffs = evidence.quote_differences(printed, reported)
    assert {"kind": "changed", "printed": "US", "reported": "U.S."} in diffs
    assert {"kind": "added", "printed": "[ for missiles ]", "reported": ""} in diffs
    omitted = evidence.quote_differences("stressed the need", "stressed the urgent need")
    assert omitted == [{"kind": "left out", "printed": "", "reported": "urgent"}]


def test_quote_differences_ignores_curly_apostrophes_only():
    assert evidence.quote_differences("Ukraine’s “long-range”", "Ukraine's \"long-range\"") == []
    assert evidence.quote_agreement("a b c d", "a b c d") == 1.0
    assert evidence.quote_agreement("a b c d", "a b x d") == pytest.approx(0.75)


@pytest.mark.parametrize("printed, reported", [("", "x"), ("x", "   "), (None, "x")])
def test_quote_differences_rejects_empty_input(printed, reported):
    with pytest.raises(EscalationError, match="non-empty text"):
        evidence.quote_differences(printed, reported)


def test_widget_display_follows_the_row_being_typed():
    widget = EvidenceBoardWidget(demo=True)
    assert "still to fill in: claim, who, source" in widget.display_area.value
    before = widget.display_area.value
    widget.fields["confidence"].value = "high"
    assert widget.display_area.value != before and "confidence: high" in widget.display_area.value
    fill(widget)
    assert "ready: press <em>Add row</em>" in widget.display_area.value
    assert "still to fill in: who" in preview_html({**ROW, "who": " "})
