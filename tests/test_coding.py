"""Coding scheme, sentence units, and coding files (save, load, validation messages)."""
import pytest

from escalation import coding
from escalation import text as textlib
from escalation.corpus import load_articles
from escalation.errors import DataError, QueryError


@pytest.fixture(scope="module")
def articles():
    return load_articles()


def test_scheme_is_entman_plus_none():
    codes = coding.scheme_codes()
    assert codes == ["problem_definition", "causal_interpretation", "moral_evaluation",
                     "treatment_recommendation", "none"]


def test_sentence_ids_follow_split_sentences(articles):
    for article in articles:
        units = coding.sentence_units(article)
        assert list(units["sentence"]) == textlib.split_sentences(article.body)
        assert units["sentence_id"].iloc[0] == f"{article.id}-s01"
        assert units["sentence_id"].is_unique


def test_reference_coding_covers_every_sentence(articles):
    for article in articles:
        ref = coding.reference_coding(article)
        units = coding.sentence_units(article)
        assert list(ref["sentence_id"]) == list(units["sentence_id"])
        assert list(ref["sentence"]) == list(units["sentence"])  # the file's text matches today's split
        assert (ref["code"] != "").all()


def test_save_load_roundtrip_and_no_overwrite(tmp_path, articles):
    article = articles[0]
    table = coding.codes_to_table(article, {f"{article.id}-s01": "none", f"{article.id}-s03": "moral_evaluation"}, "Ana")
    path = tmp_path / "sub" / "ana.csv"
    coding.save_coding(table, path, article=article)
    loaded = coding.load_coding(path, article)
    assert dict(zip(loaded["sentence_id"], loaded["code"]))[f"{article.id}-s03"] == "moral_evaluation"
    assert (loaded["code"] == "").sum() == len(loaded) - 2
    with pytest.raises(QueryError, match="already exists"):
        coding.save_coding(table, path, article=article)
    coding.save_coding(table, path, article=article, overwrite=True)
    with pytest.raises(QueryError, match=r"\.csv"):
        coding.save_coding(table, tmp_path / "ana.txt")


def write(tmp_path, text, name="f.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_files_give_clear_messages(tmp_path, articles):
    a, b = articles[0], articles[1]
    with pytest.raises(DataError, match="lacks the column"):
        coding.load_coding(write(tmp_path, "article,sentence,label\nx,y,z\n"), a)
    with pytest.raises(DataError, match="not in the scheme.*'framing'"):
        coding.load_coding(write(tmp_path, f"article,sentence_id,code,coder\n{a.id},{a.id}-s01,framing,me\n"), a)
    with pytest.raises(DataError, match=f"codes the article '{b.id}', not '{a.id}'"):
        coding.load_coding(write(tmp_path, f"article,sentence_id,code,coder\n{b.id},{b.id}-s01,none,me\n"), a)
    with pytest.raises(DataError, match="not sentences of"):
        coding.load_coding(write(tmp_path, f"article,sentence_id,code,coder\n{a.id},{a.id}-s99,none,me\n"), a)
    with pytest.raises(DataError, match="more than once"):
        coding.load_coding(write(tmp_path, f"article,sentence_id,code,coder\n{a.id},{a.id}-s01,none,me\n"
                                           f"{a.id},{a.id}-s01,none,me\n"), a)
    with pytest.raises(DataError, match="not in the corpus"):
        coding.load_coding(write(tmp_path, "article,sentence_id,code,coder\nnope,nope-s01,none,me\n"))
    with pytest.raises(DataError, match="There is no file"):
        coding.load_coding(tmp_path / "missing.csv", a)
    with pytest.raises(DataError, match="empty"):
        coding.load_coding(write(tmp_path, ""), a)
    with pytest.raises(DataError, match="do(es)? not know"):
        coding.load_coding(write(tmp_path, f"article,sentence_id,code,coder,mood\n{a.id},{a.id}-s01,none,me,ok\n"), a)


def test_reference_keyword_and_counts(articles):
    ref = coding.load_coding("reference", articles[1])
    counts = coding.code_counts(ref)
    assert counts.sum() == len(ref) and counts["not coded"] == 0
    with pytest.raises(QueryError):
        coding.load_coding("reference")


def test_default_path_is_relative_and_safe():
    path = coding.default_path("atacms_request_2023", "Ana María / 2")
    assert not path.is_absolute() and path.suffix == ".csv" and "/" not in path.name


def test_reference_coding_names_its_coder_in_plain_words(articles):
    reference = coding.reference_coding(articles[0])
    assert set(reference["coder"]) == {coding.REFERENCE_CODER}
    assert "issue" not in coding.REFERENCE_CODER


def test_codes_are_accepted_as_number_name_or_label():
    scheme = coding.load_scheme()
    for code in scheme:
        assert coding.normalise_code(code.key, scheme) == code.code
        assert coding.normalise_code(int(code.key), scheme) == code.code
        assert coding.normalise_code(code.code.upper(), scheme) == code.code
        assert coding.normalise_code(f"  {code.label} ", scheme) == code.code
    with pytest.raises(Exception, match="Give a code's number or name: 1 or"):
        coding.normalise_code("angry", scheme)
