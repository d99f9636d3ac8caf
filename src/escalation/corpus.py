"""The article corpus: the texts in `data/articles/` and their metadata table.

Each article is a UTF-8 text file, stored verbatim as received, plus a row in
`data/articles/articles.csv`. The loader finds every article listed there, so adding a text file and a
row is all it takes to add an article to every notebook and widget. The row also says where the
article's own text starts and ends, so page furniture (menus, "Check Also", comment forms) can be set
aside without editing the original file.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import DataError
from .paths import data_dir
from .tables import read_rows, resource, validate_rows

TABLE = "articles"


@dataclass(frozen=True)
class Article:
    """One article: the verbatim file text, the article body, and its metadata."""

    id: str
    headline: str
    outlet: str
    byline: str
    date: str
    date_precision: str
    date_basis: str
    date_note: str
    language: str
    translation_note: str
    boilerplate_note: str
    file: str
    raw_text: str = field(repr=False)
    body: str = field(repr=False)

    @property
    def label(self) -> str:
        """A short human-readable label: date and headline."""
        return f"{self.date} · {self.headline}"


def find_body(raw: str, starts_with: str, ends_before: str, filename: str) -> str:
    """Cut the article body out of the raw text using the two markers of its metadata row."""
    start = 0
    if starts_with:
        start = raw.find(starts_with)
        if start < 0:
            raise DataError(f"{filename}: the text does not contain the body_starts_with marker "
                            f"'{starts_with}'. Correct the marker in articles.csv.")
    end = len(raw)
    if ends_before:
        end = raw.find(ends_before, start)
        if end < 0:
            raise DataError(f"{filename}: the text does not contain the body_ends_before marker "
                            f"'{ends_before}' after the start of the body. Correct it in articles.csv.")
    return raw[start:end].strip()


def read_article_text(path: Path) -> str:
    """Read one article file as UTF-8, with a clear error if it is missing or in another encoding."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise DataError(f"The article file {path.name} is listed in articles.csv but is missing from "
                        f"{path.parent}. Add the file or remove its row.") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"The article file {path.name} is not UTF-8 text (the byte at position {exc.start} "
                        "cannot be read). Open it in a text editor and save it as UTF-8.") from None


def load_articles(folder: Path | None = None) -> list[Article]:
    """Load every article listed in the metadata table, in the table's order."""
    folder = folder or data_dir()
    res = resource(TABLE, folder)
    table_path = folder / res["path"]
    header, rows = read_rows(table_path)
    typed = validate_rows(header, rows, res["schema"], label=res["path"])
    if not typed:
        raise DataError(f"{res['path']} lists no articles. Add a row per article text file.")
    articles = []
    for row in typed:
        path = table_path.parent / row["file"]
        raw = read_article_text(path)
        if not raw.strip():
            raise DataError(f"The article file {path.name} is empty. Paste the article's text into it.")
        body = find_body(raw, row["body_starts_with"] or "", row["body_ends_before"] or "", path.name)
        articles.append(Article(
            id=row["id"], headline=row["headline"], outlet=row["outlet"], byline=row["byline"] or "",
            date=row["date"], date_precision=row["date_precision"], date_basis=row["date_basis"],
            date_note=row["date_note"] or "", language=row["language"],
            translation_note=row["translation_note"] or "", boilerplate_note=row["boilerplate_note"] or "",
            file=row["file"], raw_text=raw, body=body,
        ))
    listed = {row["file"] for row in typed}
    unlisted = sorted(p.name for p in table_path.parent.glob("*.txt") if p.name not in listed)
    if unlisted:
        raise DataError(f"{', '.join(unlisted)} in {table_path.parent} has no row in articles.csv. "
                        "Add a metadata row for it (or move it out of the folder).")
    return articles


def get_article(article_id: str, articles: list[Article] | None = None) -> Article:
    """Return one article by its id, with a clear message listing the ids if it is unknown."""
    articles = articles if articles is not None else load_articles()
    for article in articles:
        if article.id == article_id:
            return article
    raise DataError(f"No article with id '{article_id}'. Known ids: {', '.join(a.id for a in articles)}.")
