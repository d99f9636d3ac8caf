import pytest

from escalation.corpus import get_article, load_articles
from escalation.errors import DataError


def test_loads_both_source_articles_verbatim():
    from escalation.paths import REPO_ROOT

    articles = load_articles()
    assert [a.id for a in articles] == ["atacms_request_2023", "pentagon_policy_2024"]
    for article in articles:
        seed = REPO_ROOT.parent / "shared" / "seeds" / article.file
        if seed.exists():  # the seeds sit beside the checkout on the team's machines and in CI
            assert article.raw_text == seed.read_text(encoding="utf-8")


def test_body_leaves_out_page_furniture():
    first = get_article("atacms_request_2023")
    assert first.body.startswith("Ukraine’s Foreign Minister Dmytro Kuleba")
    assert "Check Also" not in first.body and "Leave a Reply" not in first.body
    assert first.body.endswith("he added.")
    second = get_article("pentagon_policy_2024")
    assert second.body.startswith("The Pentagon still does not want")
    assert "Home page" not in second.body
    assert second.date == "2024-07-17" and second.date_basis == "stated"
    assert first.date_basis == "inferred" and first.date_precision == "month"


def test_a_third_article_is_picked_up_without_code_changes(data_copy):
    (data_copy / "articles" / "003_new.txt").write_text("Headline\n\nA new article about escalation.\n", encoding="utf-8")
    with open(data_copy / "articles" / "articles.csv", "a", encoding="utf-8") as table:
        table.write("new_2025,003_new.txt,Headline,Test outlet,,2025-01-02,day,stated,,en,,,A new article,\n")
    articles = load_articles()
    assert articles[-1].id == "new_2025"
    assert articles[-1].body == "A new article about escalation."


def test_missing_file_names_the_file(data_copy):
    (data_copy / "articles" / "002_7ce3156f0341aa22.txt").unlink()
    with pytest.raises(DataError, match="002_7ce3156f0341aa22.txt.*missing"):
        load_articles()


def test_empty_file_is_reported(data_copy):
    (data_copy / "articles" / "002_7ce3156f0341aa22.txt").write_text("", encoding="utf-8")
    with pytest.raises(DataError, match="002_7ce3156f0341aa22.txt is empty"):
        load_articles()


def test_non_utf8_file_is_reported(data_copy):
    (data_copy / "articles" / "000_6a1cb8e2277d60ca.txt").write_bytes("Kiev - caf\xe9".encode("latin-1"))
    with pytest.raises(DataError, match="not UTF-8.*save it as UTF-8"):
        load_articles()


def test_text_file_without_metadata_row_is_reported(data_copy):
    (data_copy / "articles" / "004_orphan.txt").write_text("text", encoding="utf-8")
    with pytest.raises(DataError, match="004_orphan.txt.*has no row in articles.csv"):
        load_articles()


def test_wrong_body_marker_is_reported(data_copy):
    path = data_copy / "articles" / "articles.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",Check Also", ",Check Later"), encoding="utf-8")
    with pytest.raises(DataError, match="body_ends_before marker 'Check Later'"):
        load_articles()


def test_unknown_article_id_lists_known_ids():
    with pytest.raises(DataError, match="Known ids: atacms_request_2023, pentagon_policy_2024"):
        get_article("nope")


def test_missing_data_folder_is_explained(monkeypatch, tmp_path):
    monkeypatch.setenv("ESCALATION_DATA", str(tmp_path / "absent"))
    with pytest.raises(DataError, match="does not exist"):
        load_articles()
