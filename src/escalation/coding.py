"""Coding sentences with Entman's four framing functions: the scheme, the units, and coding files.

Entman (1993) says a frame defines a problem, interprets its cause, evaluates it morally and
recommends a treatment. The scheme here gives each sentence one of those four codes or "none". The
units are the sentences of an article's body as `escalation.text.split_sentences` cuts them; a
sentence's id is the article id, "-s" and its 1-based position (`atacms_request_2023-s03`), so codings
made on different machines line up.

A coding file is a CSV with the columns `article, sentence_id, code, coder` (and optionally
`sentence`, `note`); an empty code means "not coded yet". Loading checks the columns, the codes and
the article and says plainly what is wrong. Saving never overwrites a file unless asked to.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import text as textlib
from .corpus import Article, get_article, load_articles
from .errors import DataError, QueryError
from .tables import load_table

REQUIRED_COLUMNS = ("article", "sentence_id", "code", "coder")
OPTIONAL_COLUMNS = ("sentence", "note")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
REFERENCE = "reference"


@dataclass(frozen=True)
class Code:
    """One code of the scheme."""

    code: str
    label: str
    key: str
    definition: str
    question: str


def load_scheme(folder: Path | None = None) -> list[Code]:
    """The coding scheme (Entman's four functions and 'none'), in the order of its keyboard keys."""
    table = load_table("entman_scheme", folder).sort_values("key")
    return [Code(r.code, r.label, r.key, r.definition, r.question) for r in table.itertuples()]


def scheme_codes(scheme: list[Code] | None = None) -> list[str]:
    """The code names of the scheme, in key order."""
    return [c.code for c in (scheme if scheme is not None else load_scheme())]


def normalise_code(value, scheme: list[Code] | None = None) -> str:
    """A code given in any form the module uses — its key number ("4" or 4), its name
    ("treatment_recommendation") or its label ("Treatment recommendation") — as the code's name.

    Raises a QueryError that lists the accepted forms when the value is none of them.
    """
    scheme = scheme if scheme is not None else load_scheme()
    text = " ".join(str(value).strip().replace("_", " ").split()).casefold()
    for code in scheme:
        if text in {str(code.key).casefold(), code.code.replace("_", " ").casefold(), code.label.casefold()}:
            return code.code
    accepted = "; ".join(f"{c.key} or '{c.code}'" for c in scheme)
    raise QueryError(f"'{value}' is not a code of the scheme. Give a code's number or name: {accepted}.")


def sentence_id(article_id: str, number: int) -> str:
    """The id of the `number`-th sentence (1-based) of an article."""
    return f"{article_id}-s{number:02d}"


def sentence_units(article: Article) -> pd.DataFrame:
    """The coding units of an article: one row per sentence (sentence_id, number, sentence)."""
    sentences = textlib.split_sentences(article.body)
    return pd.DataFrame({"article": article.id,
                         "sentence_id": [sentence_id(article.id, i) for i in range(1, len(sentences) + 1)],
                         "number": range(1, len(sentences) + 1), "sentence": sentences})


def blank_coding(article: Article, coder: str) -> pd.DataFrame:
    """A coding table for an article with every code empty."""
    units = sentence_units(article)
    return pd.DataFrame({"article": article.id, "sentence_id": units["sentence_id"], "code": "",
                         "coder": coder, "sentence": units["sentence"], "note": ""}, columns=list(COLUMNS))


def validate_coding(table: pd.DataFrame, *, article: Article | None = None, scheme: list[Code] | None = None,
                    label: str = "The coding") -> pd.DataFrame:
    """Check a coding table; return it tidied (text columns, ordered) or raise DataError saying what is wrong.

    Checks: the required columns are there; every code is in the scheme (or empty); the file codes one
    article (the one expected, if given); every sentence id belongs to that article and appears once.
    """
    columns = [str(c).strip() for c in table.columns]
    table = table.copy()
    table.columns = columns
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        found = ", ".join(columns) if columns else "none"
        raise DataError(f"{label} lacks the column(s) {', '.join(missing)}. A coding file needs the columns "
                        f"{', '.join(REQUIRED_COLUMNS)} (found: {found}). Save it again from the coding widget.")
    unknown_cols = [c for c in columns if c not in COLUMNS]
    if unknown_cols:
        raise DataError(f"{label} has column(s) the coding format does not know: {', '.join(unknown_cols)}. "
                        f"Allowed: {', '.join(COLUMNS)}.")
    for column in COLUMNS:
        if column not in table:
            table[column] = ""
        table[column] = table[column].fillna("").astype(str).str.strip()
    codes = set(scheme_codes(scheme))
    bad = [(i + 2, c) for i, c in enumerate(table["code"]) if c and c not in codes]
    if bad:
        shown = "; ".join(f"line {line}: '{c}'" for line, c in bad[:5])
        raise DataError(f"{label} uses code(s) not in the scheme ({shown}). Allowed codes: "
                        f"{', '.join(sorted(codes))}, or leave the code empty.")
    articles_in_file = sorted(set(table["article"]) - {""})
    if not articles_in_file:
        raise DataError(f"{label} names no article. Fill the 'article' column with the article id.")
    if len(articles_in_file) > 1:
        raise DataError(f"{label} mixes articles ({', '.join(articles_in_file)}). Keep one article per file.")
    if article is not None and articles_in_file[0] != article.id:
        raise DataError(f"{label} codes the article '{articles_in_file[0]}', not '{article.id}'. "
                        "Choose the file for this article, or switch the article.")
    target = article if article is not None else _find_article(articles_in_file[0], label)
    valid_ids = set(sentence_units(target)["sentence_id"])
    stray = [s for s in table["sentence_id"] if s not in valid_ids]
    if stray:
        raise DataError(f"{label} has sentence id(s) that are not sentences of {target.id}: "
                        f"{', '.join(stray[:5])}. Ids run from {sentence_id(target.id, 1)} to "
                        f"{sentence_id(target.id, len(valid_ids))}.")
    dupes = sorted(table["sentence_id"][table["sentence_id"].duplicated()].unique())
    if dupes:
        raise DataError(f"{label} codes sentence(s) {', '.join(dupes[:5])} more than once. Keep one row per sentence.")
    return table[list(COLUMNS)].sort_values("sentence_id", ignore_index=True)


def _find_article(article_id: str, label: str) -> Article:
    try:
        return get_article(article_id)
    except DataError:
        known = ", ".join(a.id for a in load_articles())
        raise DataError(f"{label} codes an article '{article_id}' that is not in the corpus. "
                        f"Known articles: {known}.") from None


def read_coding_csv(path: str | Path) -> pd.DataFrame:
    """Read a coding CSV as text (no validation), with plain errors for missing or unreadable files."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise DataError(f"{path} is a folder. Give the name of a .csv file inside it.")
    try:
        raw = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise DataError(f"There is no file {path}. Check the name and folder (relative names start in "
                        f"{Path.cwd()}).") from None
    except UnicodeDecodeError:
        raise DataError(f"{path} is not UTF-8 text. Is it a CSV file saved by the coding widget?") from None
    if not raw.strip():
        raise DataError(f"{path} is empty. Save a coding into it first.")
    try:
        return pd.read_csv(io.StringIO(raw), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataError(f"{path} is not a readable CSV file ({exc}). Save it again from the coding widget.") from None


def load_coding(path: str | Path, article: Article | None = None, scheme: list[Code] | None = None) -> pd.DataFrame:
    """Load and check a coding file; `path` may be "reference" for the module's reference coding."""
    if str(path).strip().lower() == REFERENCE:
        if article is None:
            raise QueryError("Say which article's reference coding you want.")
        return reference_coding(article, scheme=scheme)
    return validate_coding(read_coding_csv(path), article=article, scheme=scheme, label=f"The file {Path(path).name}")


REFERENCE_CODER = "reference coding (one careful reading by the module's authors)"


def reference_coding(article: Article, folder: Path | None = None, scheme: list[Code] | None = None) -> pd.DataFrame:
    """The module's reference coding of one article (from data/coding/reference_coding.csv)."""
    table = load_table("reference_coding", folder)
    rows = table[table["article"] == article.id]
    if rows.empty:
        raise DataError(f"The reference coding has no sentences of '{article.id}'.")
    rows = rows.reset_index(drop=True).assign(coder=REFERENCE_CODER)
    return validate_coding(rows, article=article, scheme=scheme, label="The reference coding")


def save_coding(table: pd.DataFrame, path: str | Path, *, overwrite: bool = False,
                article: Article | None = None, scheme: list[Code] | None = None) -> Path:
    """Check a coding table and write it as CSV; refuse to replace an existing file unless `overwrite`.

    Creates the folder if needed. Returns the path written.
    """
    path = Path(path).expanduser()
    if not str(path).strip() or path.name in {"", "."}:
        raise QueryError("Type a file name to save to, for example my_coding/coding.csv.")
    if path.suffix.lower() != ".csv":
        raise QueryError(f"Save codings as .csv files (the name '{path.name}' does not end in .csv).")
    if path.is_dir():
        raise QueryError(f"{path} is a folder. Add a file name, for example {path / 'coding.csv'}.")
    if path.exists() and not overwrite:
        raise QueryError(f"{path} already exists. Choose another name, or tick 'Overwrite' to replace it.")
    tidy = validate_coding(table, article=article, scheme=scheme)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    tidy.to_csv(buffer, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def default_path(article_id: str, coder: str, folder: str | Path = "my_codings") -> Path:
    """The default place to save a coding: a folder under the working folder, one file per article and coder."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in coder.strip().lower()) or "coder"
    return Path(folder) / f"{article_id}_{safe}.csv"


def codes_to_table(article: Article, codes: dict[str, str], coder: str, notes: dict[str, str] | None = None) -> pd.DataFrame:
    """Build a coding table from {sentence_id: code} (sentences without a code stay empty)."""
    table = blank_coding(article, coder)
    table["code"] = table["sentence_id"].map(lambda s: codes.get(s, "") or "")
    if notes:
        table["note"] = table["sentence_id"].map(lambda s: notes.get(s, ""))
    return table


def code_counts(table: pd.DataFrame, scheme: list[Code] | None = None) -> pd.Series:
    """How many sentences got each code (scheme order; 'not coded' last)."""
    codes = scheme_codes(scheme)
    counts = table["code"].replace("", "not coded").value_counts()
    return counts.reindex(codes + ["not coded"], fill_value=0)
