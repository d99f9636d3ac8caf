"""The coding widget: navigation, codes by button, save without overwriting, reload, comparison."""
import pytest

from escalation import coding
from escalation.corpus import load_articles
from escalation.widgets.coding import coding_widget, comparison_widget, compare_files


@pytest.fixture
def widget(tmp_path):
    return coding_widget(coder="Ana", folder=tmp_path / "codes")


def test_navigation_and_codes(widget):
    assert widget.index == 0
    widget.previous_button.click()
    assert widget.index == 0
    widget.code_choice.value = "treatment_recommendation"
    widget.next_button.click()
    assert widget.index == 1 and widget.code_choice.value == ""
    widget.code_choice.value = "none"
    widget.previous_button.click()
    assert widget.code_choice.value == "treatment_recommendation"
    assert "2 coded" in widget.position.value
    assert "2 of 14" in widget.summary.value and "treatment recommendation 1" in widget.summary.value
    widget.view.value = "list"
    assert "Treatment recommendation" in widget.sentence_html.value
    widget.code_choice.value = ""
    assert len(widget.codes) == 1


def test_save_refuses_overwrite_of_another_file_then_loads(widget, tmp_path):
    widget.set_code("none", 0)
    path = widget.save()                          # the student's own file: always up to date
    assert path == widget.own_path() and path.exists() and "codes" in str(path)
    other = tmp_path / "other.csv"
    widget.path_box.value = str(other)
    assert widget.save() == other
    widget.set_code("moral_evaluation", 0)
    assert widget.save() is None and "already exists" in widget.message
    assert coding.load_coding(other, widget.article)["code"].iloc[0] == "none"  # file unchanged
    widget.overwrite.value = True
    assert widget.save() == other and widget.overwrite.value is False
    widget.codes = {}
    widget.load()
    assert widget.codes == {f"{widget.article.id}-s01": "moral_evaluation"}


def test_codes_are_saved_after_each_change_and_come_back(tmp_path):
    first = coding_widget(coder="Ana", folder=tmp_path / "codes")
    first.set_code("none", 0)
    first.quick_entry.value = "2"
    own = tmp_path / "codes" / f"{first.article.id}_ana.csv"
    assert first.own_path() == own and own.exists()
    saved = coding.load_coding(own, first.article)
    assert (saved["code"] != "").sum() == 1
    again = coding_widget(coder="Ana", folder=tmp_path / "codes")     # Run All builds it again
    assert again.codes == first.codes and "Welcome back" in again.message
    assert "saved automatically in" in again.position.value


def test_demo_coding_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    demo = coding_widget(coder="Sam (invented)", demo=True)
    demo.set_code("none", 0)
    assert demo.save() is None and "memory only" in demo.message
    assert list(tmp_path.rglob("*")) == []
    assert demo.table()["code"].iloc[0] == "none"


def test_damaged_saved_codes_are_never_overwritten(tmp_path):
    folder = tmp_path / "codes"
    folder.mkdir()
    article = load_articles()[0]
    damaged = folder / f"{article.id}_ana.csv"
    damaged.write_text("a,b\n1,2\n", encoding="utf-8")
    widget = coding_widget(coder="Ana", folder=folder)
    assert "could not be read" in widget.message
    widget.set_code("none", 0)
    assert damaged.read_text(encoding="utf-8") == "a,b\n1,2\n"


def test_load_bad_file_shows_message(widget, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    widget.path_box.value = str(bad)
    widget.load()
    assert "lacks the column" in widget.message and "Check your input" in widget.status.value


def test_compare_with_reference(widget):
    reference = coding.reference_coding(widget.article)
    for i, code in enumerate(reference["code"]):
        widget.set_code(code, i)
    widget.compare_reference()
    assert widget.result.percent == 1 and widget.result.kappa == pytest.approx(1)
    assert widget.result.figure is not None and "alt=" in widget.comparison.value
    assert "Reading these figures" in widget.comparison.value


def test_comparison_widget_files(tmp_path):
    article = load_articles()[0]
    ref = coding.reference_coding(article)
    changed = ref.copy()
    changed.loc[0, "code"] = "moral_evaluation" if ref.loc[0, "code"] != "moral_evaluation" else "none"
    changed["coder"] = "Ben"
    path = coding.save_coding(changed, tmp_path / "ben.csv", article=article)
    explorer = comparison_widget(str(path), "reference", article.id)
    assert explorer.message == ""
    assert explorer.result.percent == pytest.approx((len(ref) - 1) / len(ref))
    assert len(explorer.result.disagreements) == 1
    explorer.controls["path_a"].value = str(tmp_path / "nothing.csv")
    assert "There is no file" in explorer.message
    html, result = compare_files("reference", "reference", article.id, plot=False)
    assert result.percent == 1 and "(1)" in html


def test_quick_entry_by_keyboard(widget):
    widget.quick_entry.value = "4"
    assert widget.codes == {f"{widget.article.id}-s01": "treatment_recommendation"}
    assert widget.index == 1 and widget.quick_entry.value == ""
    widget.quick_entry.value = "9"
    assert "not a code number" in widget.message and widget.index == 1
    widget.go(0)
    widget.quick_entry.value = "0"
    assert widget.codes == {}
