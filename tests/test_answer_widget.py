"""The answer widgets speak as widgets: an empty answer gets the widget's own instruction, and Enter in an
empty text box answers (the front end's "submit" message, as JupyterLab sends it on Enter)."""
from escalation import checks, practice


def submit(widget) -> None:
    """What the browser sends when Enter is pressed in a Text box (ipywidgets' TextView)."""
    widget.control._handle_custom_msg({"event": "submit"}, [])


def test_enter_on_an_empty_box_says_what_to_do_in_widget_words():
    text = practice.answer("1.2")
    assert text.feedback.value == ""
    submit(text)
    assert "Exercise 1.2: not answered yet. Type your answer in the box, then press Enter or Check." \
        in text.feedback.value
    assert "..." not in text.feedback.value and "Replace" not in text.feedback.value
    assert checks.outcomes()["Exercise 1.2"].status == "unanswered"
    text.control.value = "kuleba"
    assert text.outcome is True
    submit(text)  # Enter again on the same answer: the feedback stays
    assert text.outcome is True and "correct" in text.feedback.value


def test_an_empty_choice_or_set_gets_widget_words():
    for exercise_id, words in (("3.1", "Choose one of the options, then press Check."),
                               ("5.4", "Tick every option that applies, then press Check.")):
        widget = practice.answer(exercise_id)
        widget.check_button.click()
        assert words in widget.feedback.value and "Replace the" not in widget.feedback.value
        assert widget.outcome is None
