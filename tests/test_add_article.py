"""escalation-add-article on an article the module has never seen (an invented fixture, not news), in a data copy."""
import hashlib

import pytest

from escalation import add_article
from escalation.corpus import load_articles
from escalation.paths import REPO_ROOT
from escalation.tables import cutoff

FIXTURE = REPO_ROOT / "tests" / "fixtures" / "add_article" / "invented_article.txt"
GOOD = ["--headline", "Town council debates a new footbridge", "--outlet", "Invented test fixture (not a real outlet)",
        "--date", "2026-02-03", "--byline", "Test Writer", "--body-starts-with", "The council of the fictional town",
        "--body-ends-before", "Related stories", "--no-execute"]


def snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def run(args, data, capsys):
    code = add_article.main([*map(str, args), "--data", str(data)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_article_is_stored_verbatim_listed_everywhere_and_its_body_shown(data_copy, capsys):
    before = {a.id for a in load_articles(data_copy)}
    code, out, err = run([FIXTURE, *GOOD], data_copy, capsys)
    assert code == 0, err
    new = [a for a in load_articles(data_copy) if a.id not in before]
    assert len(new) == 1 and new[0].headline == "Town council debates a new footbridge"
    stored = data_copy / "articles" / new[0].file
    assert stored.read_bytes() == FIXTURE.read_bytes()  # byte for byte
    assert new[0].file.endswith(hashlib.sha256(FIXTURE.read_bytes()).hexdigest()[:16] + ".txt")
    # the body: from the first words given to just before "Related stories", without the page furniture
    assert new[0].body.startswith("The council of the fictional town of Exampleton")
    assert new[0].body.endswith("at a public meeting.") and "Sign in" not in new[0].body
    assert "Body: lines 9–20" in out and "starts: The council of the fictional town" in out
    assert "ends:   … " in out and "at a public meeting." in out
    assert cutoff("articles", data_copy) == "2026-02-03" and "cut-off of articles: 2024-07-17 -> 2026-02-03" in out
    assert "2026-02-03" in (data_copy / "README.md").read_text(encoding="utf-8")
    assert "01_reading_the_articles.ipynb" in out and "04_rhetoric_as_data.ipynb" in out
    # every tool that lists articles reads the same table
    from escalation.widgets.coding import CodingWidget
    from escalation.widgets.reading import article_explorer, kwic_explorer
    ids = lambda dropdown: {value for _, value in dropdown.options}  # noqa: E731
    assert new[0].id in ids(article_explorer().controls["article_id"])
    assert new[0].id in ids(kwic_explorer().controls["article_id"])
    assert new[0].id in ids(CodingWidget(demo=True).article_choice)
    from escalation.text import kwic_table
    assert len(kwic_table(load_articles(data_copy), "footbridge")) == 1


def test_adding_the_same_text_twice_is_refused(data_copy, capsys):
    assert run([FIXTURE, *GOOD], data_copy, capsys)[0] == 0
    before = snapshot(data_copy)
    code, _, err = run([FIXTURE, *GOOD[:5], "2026-02-04", *GOOD[6:]], data_copy, capsys)
    assert code == 1 and "is already stored as 003_" in err and "articles.csv, line 4" in err
    assert snapshot(data_copy) == before


@pytest.mark.parametrize("change,expected", [
    ({"--date": "2026-02-30"}, "--date: '2026-02-30' is not a real date written YYYY-MM-DD"),
    ({"--date": "2999-01-01"}, "--date: '2999-01-01' is in the future"),
    ({"--headline": " "}, "--headline: a headline is required"),
    ({"--language": "English"}, "--language: 'English' is not a language code"),
    ({"--body-starts-with": "The council of the real town"}, "--body-starts-with 'The council of the real town' does not occur in the text"),
    ({"--body-starts-with": "The council"}, "lines 9, 15, 19: --body-starts-with 'The council' occurs 3 times"),
])
def test_bad_details_are_refused_with_the_reason_and_nothing_is_written(data_copy, capsys, change, expected):
    args = list(GOOD) + ["--language", "en"]
    for option, value in change.items():
        args[args.index(option) + 1] = value
    before = snapshot(data_copy)
    code, _, err = run([FIXTURE, *args], data_copy, capsys)
    assert code == 1 and "Refused: nothing was written" in err and expected in err, err
    assert snapshot(data_copy) == before


def test_bad_files_are_refused_with_file_and_line(data_copy, tmp_path, capsys):
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes(FIXTURE.read_bytes().replace(b"Exampleton met", "Exampletön met".encode("latin-1")))
    html = tmp_path / "page.txt"
    html.write_text("<!DOCTYPE html><html><body>" + FIXTURE.read_text(encoding="utf-8") + "</body></html>", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    before = snapshot(data_copy)
    for path, expected in ((latin1, f"{latin1}, line 9: not UTF-8 text"), (html, f"{html}, line 1: this is a web page"),
                           (empty, f"{empty}, line 1: the file is empty"), (tmp_path / "nope.txt", "no such file")):
        code, _, err = run([path, *GOOD], data_copy, capsys)
        assert code == 1 and expected in err, err
        assert "Traceback" not in err
    assert snapshot(data_copy) == before


def test_a_marker_that_leaves_too_little_text_is_refused(data_copy, capsys):
    args = list(GOOD)
    args[args.index("--body-ends-before") + 1] = "met on Tuesday"
    before = snapshot(data_copy)
    code, _, err = run([FIXTURE, *args], data_copy, capsys)
    assert code == 1 and "the body between the markers has" in err
    assert snapshot(data_copy) == before
