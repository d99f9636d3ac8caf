"""Practice exercises: the registry's answers are right, checks never raise, widgets save and reveal."""
import json
import re

import nbformat
import pytest

from escalation import checks, practice
from escalation.widgets import written as written_widget

from test_repository import NOTEBOOKS

AUTOMATIC = [p for p in practice.EXERCISES.values() if p.kind not in ("written", "board") and p.id != "4.4"]


@pytest.fixture(autouse=True)
def fresh_registry():
    checks.reset()
    yield
    checks.reset()


@pytest.mark.parametrize("exercise", AUTOMATIC, ids=lambda p: p.id)
def test_the_expected_answer_is_correct_and_a_wrong_one_is_not(exercise, capsys):
    expected = exercise.expected_value()
    assert practice.check(exercise.id, expected).value is True
    assert "correct" in capsys.readouterr().out
    wrong = {"number": -12345, "text": "nobody", "choice": "nobody", "set": ["nothing"]}[exercise.kind]
    assert practice.check(exercise.id, wrong).value is False
    assert "not quite" in capsys.readouterr().out


@pytest.mark.parametrize("value", [..., None])
def test_unanswered_is_not_answered_yet_for_every_exercise(value, capsys):
    for exercise in practice.EXERCISES.values():
        assert practice.check(exercise.id, value).value is None, exercise.id
    assert capsys.readouterr().out.count("not answered yet") == len(practice.EXERCISES)


def test_answers_right_in_substance_are_accepted():
    assert practice.check("3.1", "horizontal escalation").value is True
    assert practice.check("3.1", " Horizontal ") == True  # noqa: E712 (Result compares by value)
    assert practice.check("1.2", "Dmytro Kuleba").value is True


def test_odd_input_gets_a_message_not_an_exception(capsys):
    assert practice.check("1.1", "three").value is False
    assert practice.check("4.4", 0.5).value is False  # no coding widget given: a plain message
    assert practice.check("no such id", 1).value is False
    out = capsys.readouterr().out
    assert "Traceback" not in out and "coding widget" in out and "0.1" in out


def test_written_exercises_have_a_model_answer_and_a_rubric():
    for exercise in practice.EXERCISES.values():
        assert exercise.notebook in practice.NOTEBOOKS.values()
        assert exercise.prompt and exercise.title.startswith(("Exercise", "Discussion"))
        if exercise.kind == "written":
            assert exercise.min_words >= 40 and len(exercise.rubric) >= 3
            assert len(exercise.model_answer.split()) >= exercise.min_words, exercise.id
        else:
            assert exercise.hint, exercise.id


def test_every_exercise_is_in_its_notebook_with_its_anchor_and_no_expected_value_code():
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        headings = {line.lstrip("#").strip() for c in nb.cells if c.cell_type == "markdown"
                    for line in c.source.splitlines() if line.startswith("#")}
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        for exercise in practice.of_notebook(path.stem):
            assert exercise.title in headings, f"{path.name}: no heading '{exercise.title}'"
            assert f'"{exercise.id}"' in code, f"{path.name}: exercise {exercise.id} is not used"
        assert "expected =" not in code and "practice(check_" not in code, path.name
        assert not re.search(r'=\s*"""', code), f"{path.name}: prose in a Python string"
        assert "progress_summary(" in nb.cells[-3].source + nb.cells[-2].source + nb.cells[-1].source \
            or any("progress_summary(" in c.source for c in nb.cells[-4:]), path.name


def test_answer_widget_checks_choice_text_and_set_without_code():
    choice = practice.answer("3.1")
    assert checks.outcomes()["Exercise 3.1"].status == "unanswered"
    choice.control.value = "vertical"
    choice.check_button.click()
    assert choice.outcome is False and "not quite" in choice.feedback.value
    choice.control.value = "horizontal"
    choice.check_button.click()
    assert choice.outcome is True and 'role="status"' in choice.feedback.value

    text = practice.answer("1.2")
    text.control.value = "kuleba"  # Enter in the box checks
    assert text.outcome is True

    ticks = practice.answer("5.4")
    wanted = set(practice.EXERCISES["5.4"].expected_value())
    for box in ticks.boxes:
        box.value = box.description in wanted
    ticks.check_button.click()
    assert ticks.outcome is True
    assert "3 of 3 answered, 3 correct" in checks.progress_text()


def test_written_widget_saves_reloads_and_reveals_only_after_enough_words(tmp_path):
    widget = practice.written("1.3", folder=tmp_path)
    assert widget.reveal_button.disabled and not widget.reveal()
    assert widget.checklist_box.layout.display == "none" and widget.model.value == ""
    widget.text.value = "too short"
    assert widget.reveal_button.disabled and checks.outcomes()["Exercise 1.3"].status == "malformed"
    widget.text.value = " ".join(["word"] * 40)
    assert not widget.reveal_button.disabled
    widget.reveal_button.click()
    assert widget.revealed and "model answer" in widget.model.value
    widget.checklist[0].value = True
    saved = json.loads((tmp_path / "my_answers" / "01_reading_the_articles.json").read_text())
    assert saved["1.3"]["text"].count("word") == 40 and saved["1.3"]["checked"] == [0]
    assert checks.outcomes()["Exercise 1.3"].status == "recorded"

    again = practice.written("1.3", folder=tmp_path)  # the cell run again: the answer comes back
    assert again.text.value == widget.text.value and again.revealed and again.checklist[0].value
    other = practice.written("1.4" if False else "2.5", folder=tmp_path)
    other.text.value = "another notebook"
    assert (tmp_path / "my_answers" / "02_arms_supply_in_numbers.json").exists()
    assert json.loads((tmp_path / "my_answers" / "01_reading_the_articles.json").read_text())["1.3"]


def test_written_widget_keeps_the_text_when_the_folder_cannot_be_written(tmp_path):
    blocker = tmp_path / "my_answers"
    blocker.write_text("a file where the folder should be")
    widget = practice.written("3.5", folder=tmp_path)
    widget.text.value = "my words stay here"
    assert "not saved" in widget.status.value and widget.text.value == "my words stay here"


def test_static_widgets_show_the_prompt_without_the_model_answer(monkeypatch):
    monkeypatch.setenv("ESCALATION_STATIC_WIDGETS", "1")
    shown = practice.written("3.5")._repr_html_()
    assert "Interactive in JupyterLab" in shown and practice.EXERCISES["3.5"].model_answer[:40] not in shown
    assert "horizontal" in practice.answer("3.1")._repr_html_()


def test_answer_keys_for_the_teachers_pack():
    for exercise in practice.EXERCISES.values():
        assert practice.answer_key(exercise.id)
    assert practice.answer_key("3.1").startswith("horizontal")


def test_saving_is_atomic_and_keeps_other_entries(tmp_path):
    path = written_widget.answers_path("05_debate_and_synthesis", tmp_path)
    written_widget.save_answer(path, "5.3", {"text": "a"})
    written_widget.save_answer(path, "5.5", {"text": "b"})
    assert set(written_widget.load_answers(path)) == {"5.3", "5.5"}
    path.write_text("{broken")
    assert written_widget.load_answers(path) == {}


def test_a_check_cell_shows_only_the_feedback(capsys):
    from IPython.core.formatters import DisplayFormatter

    result = practice.check("0.1", 2)
    assert result.value is True and "correct" in capsys.readouterr().out
    assert DisplayFormatter().format(result) == ({}, {})  # nothing under the cell but the printed line


def test_the_board_exercise_reads_the_widgets_board():
    import pandas as pd

    from escalation import evidence

    board = evidence.new_board()
    for n in range(2):
        board = evidence.add_row(board, claim=f"claim {n}", who="someone", evidence="e",
                                 source="Outlet, title, 2024-01-01", confidence="low")
    assert practice.check("5.1", board).value is None  # the two example rows only
    for n in range(2):
        board = evidence.add_row(board, claim=f"mine {n}", who="me", evidence="e",
                                 source="Notebook 02, ratio, 2026", confidence="medium")
    assert practice.check("5.1", board).value is True
    assert practice.check("5.1", pd.DataFrame({"source": ["x"] * 4})).value is False
