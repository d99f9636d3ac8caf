"""Friendly errors: one plain sentence in a real Jupyter kernel, an AnswerError for the check, no halt.

The kernel test runs one notebook in a real ipykernel (nbclient) once for the module; the unit tests
check the sentences and that nothing is installed outside a Jupyter kernel (the grader's shell).
"""
import nbformat
import pytest
from IPython.core.interactiveshell import InteractiveShell
from nbclient import NotebookClient

from escalation import friendly

CELLS = [
    "from escalation.checks import check_format, progress_summary",  # 0
    "q1 = he",  # 1: a word without quotes
    "check_format('Q1', q1, kind='text');",  # 2
    'q2 = "7',  # 3: a missing quote (a compile-time SyntaxError)
    "check_format('Q2', q2, kind='whole number');",  # 4
    'q3 = "7"',  # 5: a number in quotes
    "check_format('Q3', q3, kind='whole number', plausible=(0, 1000));",  # 6
    "import pandas as pd\ntable = pd.DataFrame({'weapon_id': ['gmlrs']})\nq4 = len(table['weapon'])",  # 7
    "check_format('Q4', q4, kind='whole number');",  # 8
    "q5 = [1, 2",  # 9: a bracket never closed
    "check_format('Q5', q5, kind='list');",  # 10
    "q6 = 12",  # 11: right form
    "check_format('Q6', q6, kind='whole number');",  # 12
    "progress_summary()",  # 13
    # a lesson's answer (ex2_1) first right, then broken three ways: the check must never grade the stale 12
    "from escalation import practice\nex2_1 = 12",  # 14
    "ex2_1 = he",  # 15
    "practice.check('2.1', ex2_1);",  # 16
    "ex2_1 = ",  # 17: emptied
    "practice.check('2.1', ex2_1);",  # 18
    "ex2_1 = 41.3%",  # 19
    "practice.check('2.1', ex2_1);",  # 20
    "ex2_1 = 300km",  # 21
    "practice.check('2.1', ex2_1);",  # 22
    "helper = 1 / 0",  # last: not an answer cell: the error is explained and stops Run All as usual
]


def text_of(cell) -> str:
    parts = []
    for o in cell.outputs:
        parts.append(o.get("text", "") or "\n".join(o.get("traceback", [])) or o.get("data", {}).get("text/markdown", ""))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    client = NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": str(tmp_path_factory.mktemp("friendly"))}})
    with pytest.raises(Exception) as stopped:  # only cell 14 may stop the run
        client.execute()
    assert "1 / 0" in str(stopped.value)
    return nb


@pytest.mark.slow
def test_answer_cell_errors_become_one_sentence_and_do_not_halt(executed):
    one = text_of(executed.cells[1])
    assert one.startswith("✘ `he` is not a name Python knows: did you forget the quotes, as in \"he\"?")
    assert "Traceback" not in one and "NameError" not in one and len(one.splitlines()) == 1
    assert "A quote is missing" in text_of(executed.cells[3])
    assert "no column or entry called 'weapon'" in text_of(executed.cells[7])
    assert "Did you mean 'weapon_id'?" in text_of(executed.cells[7])
    assert "A bracket is opened but never closed" in text_of(executed.cells[9])
    for index in (1, 3, 7, 9):  # Run All went on: every later cell ran
        assert [o.output_type for o in executed.cells[index].outputs] == ["error"]


@pytest.mark.slow
def test_the_check_says_the_answer_cell_has_an_error(executed):
    assert "✘ Q1: your answer cell has an error: `he` is not a name Python knows" in text_of(executed.cells[2])
    assert "Q2: your answer cell has an error: A quote is missing" in text_of(executed.cells[4])
    assert "not answered" not in text_of(executed.cells[4])
    assert "quotes around '7' make it text. Remove the quotes, as in q3 = 7" in text_of(executed.cells[6])
    assert "Q4: your answer cell has an error: There is no column" in text_of(executed.cells[8])
    assert "Q5: your answer cell has an error: A bracket" in text_of(executed.cells[10])
    assert "answer recorded" in text_of(executed.cells[12])
    summary = text_of(executed.cells[13])
    assert "6 of 6 answered" in summary and "5 to revisit: Q1, Q2, Q3, Q4, Q5" in summary


@pytest.mark.slow
def test_a_failed_lesson_answer_cell_is_never_graded_by_its_earlier_value(executed):
    expected = {16: "`he` is not a name Python knows", 18: "The answer is missing: type it after `ex2_1 =`",
                20: "Python does not read the % sign: write the number alone, as in ex2_1 = 41.3",
                22: "A number runs into letters"}
    for index, sentence in expected.items():
        check = text_of(executed.cells[index])
        assert f"Exercise 2.1: your answer cell has an error: {sentence}" in check, check
        assert "not quite" not in check and "correct" not in check.replace("Correct it", "")
    for index in (17, 19):  # specific to what was typed: no advice about quoting words
        assert "horizontal escalation" not in text_of(executed.cells[index])
        assert "quotes" not in text_of(executed.cells[index])


@pytest.mark.slow
def test_other_errors_are_explained_but_still_stop(executed):
    last = text_of(executed.cells[-1])
    assert last.startswith("✘ A number is divided by zero") and "Traceback" not in last


def test_not_installed_outside_a_jupyter_kernel():
    shell = InteractiveShell.instance()
    assert friendly.install(shell) is False  # the grader's shell is an InteractiveShell, not ipykernel's
    assert getattr(shell, "_escalation_friendly", None) is None
    assert shell.custom_exceptions == ()


def test_forced_install_in_a_plain_shell_sets_an_answer_error(capsys):
    shell = InteractiveShell.instance()
    try:
        assert friendly.install(shell, force=True) is True
        result = shell.run_cell("q7 = 5\nq8 = [Kyiv]")
        assert result.success  # an answer cell's error does not stop Run All
        assert shell.user_ns["q7"] == 5
        assert isinstance(shell.user_ns["q8"], friendly.AnswerError)
        assert "did you forget the quotes" in shell.user_ns["q8"].message
        assert not shell.run_cell("x = undefined_thing").success
    finally:
        friendly.uninstall(shell)
        shell.user_ns.pop("q8", None)
    assert shell.custom_exceptions == ()
    assert not shell.run_cell("y = q8").success  # ordinary NameError again


@pytest.mark.parametrize("code, expected", [
    ("q1 = 300km", "A number runs into letters"),
    ("  q1 = 4", "starts with spaces"),
    ("q1 = “Kyiv”", "curly quote"),
    ("q1 = 'Kyiv", "A quote is missing"),
    ("q1 = [1, 2))", "closing bracket"),
    ("q1 = horizontal escalation", "text goes inside quotes"),
    ("q1 = ", "The answer is missing: type it after `q1 =`"),
    ("ex3_2 =   # your answer", "The answer is missing: type it after `ex3_2 =`"),
    ("q1 = 41.3%", "write the number alone, as in q1 = 41.3"),
    ("ex2_1 = 300km", "A number runs into letters"),
])
def test_syntax_errors_name_the_likely_cause(code, expected):
    try:
        compile(code, "<cell>", "exec")
    except SyntaxError as exc:
        assert expected in friendly.explain(exc, {}, code)
    else:
        pytest.fail("expected a SyntaxError")


def test_table_filter_slips_name_the_fix():
    import pandas as pd

    table = pd.DataFrame({"a": [1, 2], "b": [3, 4]})
    with pytest.raises(ValueError) as ambiguous:
        table[(table["a"] == 1) and (table["b"] > 2)]
    assert "use & (and) or | (or)" in friendly.explain(ambiguous.value)
    with pytest.raises((TypeError, ValueError)) as brackets:
        table[table["a"] == 1 & table["b"] > 2]
    assert "needs brackets around each part" in friendly.explain(brackets.value) or \
        "use & (and)" in friendly.explain(brackets.value)


def test_other_errors_name_the_likely_cause():
    assert "did you mean `events`" in friendly.explain(NameError("name 'evnts' is not defined", name="evnts"),
                                                        {"events": 1}, "x = evnts")
    assert "has no value yet" in friendly.explain(NameError("x", name="q3"), {}, "check(q3)")
    assert "Text and a number are mixed" in friendly.explain(TypeError("can only concatenate str (not \"int\") to str"))
    assert friendly.answer_names_after("a = 1\nq1 = 2\nq2: int = 3\nq3 == 4\nstudent_id = 'x'", 2) == [
        "q1", "q2", "student_id"]
