"""The graded answer widgets in a real ipykernel, driven with the messages a browser sends.

Each test sends the widget update a JupyterLab view sends when the student types, clicks or ticks, and
checks what the kernel sends back: the display update that JupyterLab writes into the saved notebook,
the user-namespace variable, the my_answers copy and the form line. The restore tests build the saved
notebook from those very messages (a display's data replaced by its updates, as the front end does) and
run the answer cell again in a folder with nothing else. The grader's path (a plain InteractiveShell with
preloaded answers) runs in this process.
"""
import html
import json
import re
import subprocess
import sys

import nbformat
import pytest

from escalation import answers, checks
from escalation.marking import Mistake, mark_choice, mark_match, mark_names, mark_number, mark_order, mark_text
from escalation.widgets.graded import FORM_LINE_CLASS
from support.kernel_driver import Kernel, displays

MIME = answers.MIME


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    k = Kernel(tmp_path_factory.mktemp("kernel"))
    k.run("from escalation.widgets.graded import answer, your_id, written_answer\nimport os")
    yield k
    k.close()


def in_folder(kernel, folder, session="ex90_set.ipynb", **env):
    """Put the kernel where JupyterLab would: in the notebook's folder, with its session path."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"os.chdir({str(folder)!r})", f"os.environ['JPY_SESSION_NAME'] = {session!r}",
             "os.environ.pop('JUPYTERHUB_USER', None)"]
    lines += [f"os.environ[{k!r}] = {v!r}" for k, v in env.items()]
    kernel.run("\n".join(lines))


def bundle_of(content) -> dict:
    return content["data"][MIME]


def one_update(messages) -> dict:
    updates = displays(messages, "update_display_data")
    assert len(updates) == 1, updates
    return updates[0]


def status_line(kernel, shown) -> str:
    """The form line's current text under the widget a cell showed (its HTML, as the browser has it)."""
    (line,) = [cid for cid in kernel.find("HTMLModel", shown) if FORM_LINE_CLASS in kernel.comms[cid]["_dom_classes"]]
    return html.unescape(re.sub(r"<[^>]+>", "", kernel.comms[line]["value"]))


def form_words(label, value, kind, choices=None) -> str:
    """What the visible check prints for this plain value (the words the widget's form line must use)."""
    from contextlib import redirect_stdout
    from io import StringIO

    buffer = StringIO()
    with redirect_stdout(buffer):
        checks.check_format(label, value, kind=kind, choices=choices)
    return buffer.getvalue().strip()


def test_a_number_typed_in_the_box_travels_in_the_display_the_namespace_and_my_answers(kernel, tmp_path):
    in_folder(kernel, tmp_path, "course/ex90_numbers.ipynb")
    shown = kernel.run('answer("q1", "number", unit="%")')
    first = [d for d in displays(shown) if MIME in d["data"]]
    assert len(first) == 1 and bundle_of(first[0]) == {"name": "q1", "value": None}
    assert first[0]["data"]["text/plain"] == "Your answer to Q1: (none yet)"
    display_id = first[0]["transient"]["display_id"]
    assert kernel.value_of("q1") == "Ellipsis"
    (box,) = kernel.find("TextModel", shown, description="Your answer to Q1")
    for typed, value in (("12,5", 12.5), (" 42 ", 42), ("-3", -3), ("1 234", 1234), ("\u22120.5", -0.5)):
        sent = kernel.send(box, {"value": typed})
        update = one_update(sent)
        assert update["transient"]["display_id"] == display_id
        assert bundle_of(update) == {"name": "q1", "value": value}
        assert kernel.value_of("q1") == repr(value)
        assert form_words("Q1", value, "number") in status_line(kernel, shown)
        saved = json.loads((tmp_path / "my_answers" / "ex90_numbers.json").read_text(encoding="utf-8"))
        assert saved["q1"] == {"value": value, "typed": typed}
    assert update["data"]["text/plain"] == "Your answer to Q1: -0.5"
    assert "answer recorded (number, in the right form)" in status_line(kernel, shown)


def test_what_was_typed_gets_its_own_message_and_is_kept(kernel, tmp_path):
    in_folder(kernel, tmp_path)
    shown = kernel.run('answer("q2", "number", unit="%")')
    (box,) = kernel.find("TextModel", shown, description="Your answer to Q2")
    for typed, words in (("300km", "Q2: not in the right form yet. '300km' has a unit or word after the number (km)"),
                         ("42%", "'42%' has a per cent sign: type the number only, as in 42."),
                         ("twelve", "'twelve' is not a number")):
        sent = kernel.send(box, {"value": typed})
        assert words in status_line(kernel, shown) and "recorded" not in status_line(kernel, shown)
        assert bundle_of(one_update(sent))["value"] == typed  # nothing lost; the grader refuses it as a number
        assert kernel.value_of("q2") == repr(typed)
    sent = kernel.send(box, {"value": "0,42"})
    assert "answer recorded" in status_line(kernel, shown)
    assert "That looks like a share (0.42); the question asks for a percent (42)." in status_line(kernel, shown)
    sent = kernel.send(box, {"value": ""})
    assert bundle_of(one_update(sent))["value"] is None and kernel.value_of("q2") == "Ellipsis"
    sent = kernel.submit(box)  # Enter on the empty box
    assert "… Q2: not answered yet. Type your answer in the box, then press Enter." in status_line(kernel, shown)
    assert kernel.value_of("__import__('escalation.checks').checks.outcomes()['Q2'].status") == "'unanswered'"


def test_a_whole_number(kernel, tmp_path):
    in_folder(kernel, tmp_path)
    shown = kernel.run('answer("q3", "whole number")')
    (box,) = kernel.find("TextModel", shown)
    sent = kernel.send(box, {"value": "12,0"})
    assert bundle_of(one_update(sent))["value"] == 12 and kernel.value_of("q3") == "12"
    sent = kernel.send(box, {"value": "12.5"})
    assert form_words("Q3", 12.5, "whole number") in status_line(kernel, shown)
    assert "without decimals" in status_line(kernel, shown)


CHOICES = ["Yes: both are in euros", "No: one counts commitments, the other allocations", "Only after inflation"]


def drive(kernel, shown, kind):
    """Answer one widget of each kind as a student would; returns the last messages."""
    if kind == "choice":
        (radio,) = kernel.find("RadioButtonsModel", shown)
        return kernel.send(radio, {"index": 1})
    if kind == "names":
        for option in ("Peskov", "Zakharova"):
            (tick,) = kernel.find("CheckboxModel", shown, description=option)
            sent = kernel.send(tick, {"value": True})
        return sent
    if kind == "order":
        for item, position in (("deployment", 3), ("threat", 1), ("warning", 2)):
            (menu,) = kernel.find("DropdownModel", shown, description=item)
            sent = kernel.send(menu, {"index": position})  # index 0 is "choose a position"
        return sent
    if kind == "match":
        for left, index in (("It may escalate", 1), ("It will certainly escalate", 2)):
            (menu,) = kernel.find("DropdownModel", shown, description=left)
            sent = kernel.send(menu, {"index": index})
        return sent
    (box,) = kernel.find("TextModel", shown)
    return kernel.send(box, {"value": {"number": " 42,1 ", "text": '  "Peskov" '}[kind]})


KINDS = {  # kind: (the answer() call, the plain Python answer, the expected value, the marker, a wrong plain value)
    "number": ('answer("k_number", "number", unit="%")', 42.1, 42.1,
               lambda v, e: mark_number(v, e, tol=0.05, typical=[(0.421, "A share, not a percent.")]), 0.421),
    "text": ('answer("k_text", "text")', "Peskov", "Peskov",
             lambda v, e: mark_text(v, [e], typical={"Lavrov": "Lavrov is the foreign minister."}), "Lavrov"),
    "choice": (f'answer("k_choice", "choice", choices={CHOICES!r})', CHOICES[1], CHOICES[1],
               lambda v, e: mark_choice(v, e, misconceptions={CHOICES[0]: "The currency is not the point."}),
               CHOICES[0]),
    "names": ('answer("k_names", "names", choices=["Peskov", "Kuleba", "Zakharova"])', ["Peskov", "Zakharova"],
              ["Zakharova", "Peskov"],
              lambda v, e: mark_names(v, e, misconceptions={"Kuleba": "Kuleba speaks for Ukraine."}),
              ["Peskov", "Kuleba", "Zakharova"]),
    "order": ('answer("k_order", "order", items=["warning", "deployment", "threat"])',
              ["threat", "warning", "deployment"], ["threat", "warning", "deployment"],
              lambda v, e: mark_order(v, e, hint="Words come before acts."), ["warning", "threat", "deployment"]),
    "match": ('answer("k_match", "match", left=["It may escalate", "It will certainly escalate"], '
              'right=["hedge", "booster"])', {"It may escalate": "hedge", "It will certainly escalate": "booster"},
              {"It may escalate": "hedge", "It will certainly escalate": "booster"},
              lambda v, e: mark_match(v, e, misconceptions={("It may escalate", "booster"): "'May' doubts."}),
              {"It may escalate": "booster", "It will certainly escalate": "booster"}),
}


def outcome(marker, value, expected) -> str:
    try:
        marker(value, expected)
    except Mistake as mistake:
        return f"mistake: {mistake}"
    except AssertionError:
        return "wrong"
    return "right"


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_value_a_widget_saves_is_marked_as_its_plain_python_value(kernel, tmp_path, kind):
    import numpy as np

    in_folder(kernel, tmp_path, f"ex91_{kind}.ipynb")
    call, plain, expected, marker, wrong = KINDS[kind]
    shown = kernel.run(call)
    sent = drive(kernel, shown, kind)
    saved_in_display = json.loads(json.dumps(bundle_of(one_update(sent))["value"]))
    name = call.split('"')[1]
    saved_in_file = json.loads((tmp_path / "my_answers" / f"ex91_{kind}.json").read_text())[name]["value"]
    assert saved_in_display == saved_in_file
    assert "answer recorded" in status_line(kernel, shown)
    assert outcome(marker, saved_in_display, expected) == outcome(marker, plain, expected) == "right"
    if kind == "number":  # numpy, as code computing the answer gives it
        assert outcome(marker, np.float64(plain), expected) == "right"
    wrong_outcome = outcome(marker, wrong, expected)
    assert wrong_outcome.startswith("mistake: ")
    assert outcome(marker, json.loads(json.dumps(wrong)), expected) == wrong_outcome
    assert kernel.value_of(name) == repr(saved_in_display)
    again = kernel.run(call)  # Restart & Run All: the cell runs again and shows the same answer
    assert [bundle_of(d)["value"] for d in displays(again) if MIME in d["data"]] == [saved_in_display]
    assert "answer recorded" in status_line(kernel, again)


def test_an_answer_comes_back_from_the_saved_notebook_alone(kernel, tmp_path):
    first, second = tmp_path / "laptop", tmp_path / "lab_machine"
    in_folder(kernel, first, "home/ex92_restore.ipynb")
    cells = ['answer("q1", "number")', f'answer("q2", "choice", choices={CHOICES!r})',
             'answer("q3", "match", left=["It may escalate", "It will certainly escalate"], '
             'right=["hedge", "booster"])']
    ran = [kernel.run(code) for code in cells]
    (box,) = kernel.find("TextModel", ran[0])
    updates = {0: one_update(kernel.send(box, {"value": "7,5"}))}
    updates[1] = one_update(drive(kernel, ran[1], "choice"))
    updates[2] = one_update(drive(kernel, ran[2], "match"))
    nb = nbformat.v4.new_notebook()
    for i, (code, messages) in enumerate(zip(cells, ran)):
        outputs = []
        for content in displays(messages):
            data = content["data"]
            if content["transient"].get("display_id") == updates[i]["transient"]["display_id"]:
                data = updates[i]["data"]  # the front end replaces the display's data with the update
            outputs.append(nbformat.v4.new_output("display_data", data=data))
        nb.cells.append(nbformat.v4.new_code_cell(code, outputs=outputs))
    second.mkdir()
    nbformat.write(nb, second / "ex92_restore.ipynb")  # only the notebook travels, not my_answers
    in_folder(kernel, second, "home/ex92_restore.ipynb")
    again = [kernel.run(code) for code in cells]
    (box,) = kernel.find("TextModel", again[0])
    assert kernel.comms[box]["value"] == "7.5"
    assert [bundle_of(d) for d in displays(again[0]) if MIME in d["data"]] == [{"name": "q1", "value": 7.5}]
    (radio,) = kernel.find("RadioButtonsModel", again[1])
    assert kernel.comms[radio]["index"] == 1
    menus = kernel.find("DropdownModel", again[2])
    assert [kernel.comms[m]["index"] for m in menus] == [1, 2]
    assert kernel.value_of("(q1, q2, q3)") == repr((7.5, CHOICES[1], {"It may escalate": "hedge",
                                                                       "It will certainly escalate": "booster"}))
    # the answers restored from the file are copied to my_answers (outputs cleared and saved lose nothing)
    copied = json.loads((second / "my_answers" / "ex92_restore.json").read_text(encoding="utf-8"))
    assert {name: entry["value"] for name, entry in copied.items()} == {
        "q1": 7.5, "q2": CHOICES[1], "q3": {"It may escalate": "hedge", "It will certainly escalate": "booster"}}
    # my_answers (written at every change) wins over the notebook, which may not have been saved
    (second / "my_answers" / "ex92_restore.json").write_text(json.dumps({"q1": {"value": 9, "typed": "9"}}))
    third = kernel.run(cells[0])
    assert [bundle_of(d) for d in displays(third) if MIME in d["data"]] == [{"name": "q1", "value": 9}]
    assert kernel.value_of("q1") == "9"


def test_restart_and_run_all_keeps_a_malformed_answer_as_typed(kernel, tmp_path):
    in_folder(kernel, tmp_path, "ex93.ipynb")
    shown = kernel.run('answer("q1", "number")')
    (box,) = kernel.find("TextModel", shown)
    kernel.send(box, {"value": "300 km"})
    again = kernel.run('answer("q1", "number")')
    (box,) = kernel.find("TextModel", again)
    assert kernel.comms[box]["value"] == "300 km"
    assert "has a unit or word after the number (km)" in status_line(kernel, again)


def test_the_student_id_box_takes_the_hub_login_and_asks_to_run_again_after_a_change(kernel, tmp_path):
    in_folder(kernel, tmp_path, "ex94.ipynb", JUPYTERHUB_USER="asmith")
    shown = kernel.run("your_id()")
    (box,) = kernel.find("TextModel", shown, description="Your student id")
    assert kernel.comms[box]["value"] == "asmith" and kernel.value_of("student_id") == "'asmith'"
    assert "From your hub login: asmith. Change it only if your instructor gave you another id." \
        in status_line(kernel, shown)
    assert [bundle_of(d) for d in displays(shown) if MIME in d["data"]] == [{"name": "student_id", "value": "asmith"}]
    sent = kernel.send(box, {"value": "  s 1234 "})
    assert bundle_of(one_update(sent)) == {"name": "student_id", "value": "s 1234"}
    assert "run the cells below again (Run › Run All Cells)" in status_line(kernel, shown)
    assert kernel.value_of("student_id") == "'s 1234'"
    again = kernel.run("your_id()")  # the typed id, not the hub login, comes back
    (box,) = kernel.find("TextModel", again, description="Your student id")
    assert kernel.comms[box]["value"] == "s 1234"


def test_a_written_answer_saves_as_the_student_writes(kernel, tmp_path):
    in_folder(kernel, tmp_path, "ex95.ipynb")
    shown = kernel.run('written_answer("q7", min_words=3, max_words=5)')
    (area,) = kernel.find("TextareaModel", shown, description="Your answer to Q7")
    assert kernel.comms[area]["continuous_update"] is True
    sent = kernel.send(area, {"value": "Two words"})
    assert "2 words (at least 3 and at most 5 asked)" in status_line(kernel, shown)
    assert "Write at least 3 words" in status_line(kernel, shown)
    sent = kernel.send(area, {"value": "Both sides cite RAND selectively."})
    assert bundle_of(one_update(sent)) == {"name": "q7", "value": "Both sides cite RAND selectively."}
    assert "answer recorded (5 words)" in status_line(kernel, shown)
    sent = kernel.send(area, {"value": "one two three four five six seven"})
    assert "2 words over the limit of 5" in status_line(kernel, shown)


def test_every_control_has_an_accessible_name(kernel, tmp_path):
    in_folder(kernel, tmp_path, "ex96.ipynb")
    shown = kernel.run("\n".join(call for call, *_ in KINDS.values()) + "\nyour_id()\nwritten_answer('q9')")
    for model in ("TextModel", "RadioButtonsModel", "CheckboxModel", "DropdownModel", "TextareaModel"):
        ids = kernel.find(model, shown)
        assert ids, model
        assert all(kernel.comms[i]["description"].strip() for i in ids), model


def test_outside_a_kernel_the_names_take_the_preloaded_answers_and_nothing_is_shown(capsys):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        answers.preload({"q1": 12.5, "q2": CHOICES[1], "student_id": "s1", "q7": "My text.", "q4": None})
        result = shell.run_cell("from escalation.widgets.graded import answer, your_id, written_answer\n"
                                "your_id()\nanswer('q1', 'number')\n"
                                f"answer('q2', 'choice', choices={CHOICES!r})\n"
                                "answer('q3', 'names', choices=['a', 'b'])\nanswer('q4', 'text')\n"
                                "written_answer('q7')\n")
        assert result.success
        ns = shell.user_ns
        assert (ns["student_id"], ns["q1"], ns["q2"], ns["q7"]) == ("s1", 12.5, CHOICES[1], "My text.")
        assert ns["q3"] is Ellipsis and ns["q4"] is Ellipsis  # not saved / saved as not answered
        assert capsys.readouterr().out == ""
    finally:
        answers.preload({})
        InteractiveShell.clear_instance()


def test_plain_python_imports_no_widgets_and_sets_the_callers_names():
    code = ("import sys\nfrom escalation.widgets.graded import answer\nanswer('q1', 'number')\n"
            "print(q1, 'ipywidgets' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "Ellipsis False\n" and out.stderr == ""


def test_on_paper_the_answer_is_a_form_to_fill_in(kernel, tmp_path):
    in_folder(kernel, tmp_path, "ex98.ipynb", ESCALATION_STATIC_WIDGETS="1")
    try:
        shown = kernel.run(f'answer("q2", "choice", choices={CHOICES!r})\n'
                           'answer("q5", "match", left=["It may escalate"], right=["hedge", "booster"])\n'
                           "written_answer('q7', min_words=80)\nyour_id()")
    finally:
        kernel.run("os.environ.pop('ESCALATION_STATIC_WIDGETS')")
    assert not [m for m in shown if m["msg_type"] == "comm_open"]  # no live widget in print
    pages = [d["data"]["text/html"] for d in displays(shown)]
    assert len(pages) == 4 and all("Interactive in JupyterLab: an answer box" in p for p in pages)
    assert all(html.escape(c) in pages[0] for c in CHOICES) and "(choose one)" in pages[0]
    assert "write one of: hedge; booster" in pages[1] and "at least 80 words" in pages[2]
    assert kernel.value_of("(q2, q5, q7, student_id)") == "(Ellipsis, Ellipsis, Ellipsis, Ellipsis)"


def test_form_hints_for_a_share_and_a_comma():
    from escalation.widgets.graded import asks_percent, form_hints

    assert [asks_percent(u) for u in ("%", "% of the total", "per cent", "percent", "percentage points", "km", "")] \
        == [True, True, True, True, False, False, False]
    assert form_hints(0.42, "0,42", "% of the total") == [
        "That looks like a share (0.42); the question asks for a percent (42)."]
    assert form_hints(0.42, "0.42", "percentage points") == [] and form_hints(42, "42", "%") == []
    assert form_hints(1.234, "1,234", "") == [
        "Read as 1.234 (a decimal comma). If you meant 1234, type it without the comma."]


def test_an_author_mistake_in_the_call_is_named_before_anything_is_shown():
    from escalation.widgets.graded import answer

    for kwargs, words in (({"kind": "choice"}, "needs choices"), ({"kind": "choise", "choices": ["a"]}, "kind must be"),
                          ({"kind": "names", "choices": ["a", "a"]}, "repeat"),
                          ({"kind": "order", "items": ["a", 2]}, "lists of text"),
                          ({"kind": "match", "left": ["a"]}, r"left=\[\.\.\.\] and right=")):
        with pytest.raises(ValueError, match=words):
            answer("q1", **kwargs)


def test_without_a_hub_the_id_box_asks_for_the_id_and_a_written_answer_comes_back(kernel, tmp_path):
    in_folder(kernel, tmp_path, "ex99.ipynb")
    shown = kernel.run("your_id()")
    (box,) = kernel.find("TextModel", shown, description="Your student id")
    assert kernel.comms[box]["value"] == "" and kernel.value_of("student_id") == "Ellipsis"
    assert "Type your student id in the box, then press Enter." in status_line(kernel, shown)
    assert "Enter your student id at the top first" in kernel.value_of(
        "__import__('escalation.variants').variants.id_problem(student_id)")
    shown = kernel.run("written_answer('q6', min_words=2)")
    (area,) = kernel.find("TextareaModel", shown)
    kernel.send(area, {"value": "Both claims\nare sourced."})
    again = kernel.run("written_answer('q6', min_words=2)")
    (area,) = kernel.find("TextareaModel", again)
    assert kernel.comms[area]["value"] == "Both claims\nare sourced."
    assert [bundle_of(d)["value"] for d in displays(again) if MIME in d["data"]] == ["Both claims\nare sourced."]


def test_the_check_cell_follows_the_widget_and_never_shows_a_stale_answer(kernel, tmp_path):
    """Issue 21's stale feedback, for widget answers: the check cell's line is a display the widget updates."""
    in_folder(kernel, tmp_path, "ex90_follow.ipynb")
    shown = kernel.run('answer("q8", "number")')
    checked = kernel.run('from escalation.checks import check_format\n'
                         'check_format("Q8", q8, kind="number", plausible=(0, 100));')
    (line,) = [d for d in displays(checked) if MIME not in d["data"]]
    assert line["data"]["text/plain"].startswith("… Q8: not answered yet. Answer it above (choose, tick or type")
    assert "Replace the ..." not in line["data"]["text/plain"]
    (box,) = kernel.find("TextModel", shown, description="Your answer to Q8")
    sent = kernel.send(box, {"value": "42"})
    updates = {u["transient"]["display_id"]: u["data"]["text/plain"] for u in displays(sent, "update_display_data")}
    assert updates[line["transient"]["display_id"]] == form_words("Q8", 42, "number")
    sent = kernel.send(box, {"value": "420"})  # outside the check cell's plausible range: it says so at once
    updates = {u["transient"]["display_id"]: u["data"]["text/plain"] for u in displays(sent, "update_display_data")}
    assert "outside the range a sensible answer can take here" in updates[line["transient"]["display_id"]]
