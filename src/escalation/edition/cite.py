"""Version and "Cite this" text for every page of the edition (stage: report)."""
from __future__ import annotations

import datetime as dt
import html
import tomllib
from pathlib import Path

from ..paths import REPO_ROOT

TITLE = "Escalation debates: how the news and officials talk about long-range weapons for Ukraine"
URL_PLACEHOLDER = "https://REPLACE-WITH-THE-EDITION-ADDRESS/"


def version(root: Path = REPO_ROOT) -> str:
    """The module's version, read from pyproject.toml (the one place it is set)."""
    with open(root / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)["project"]["version"]


def build_date() -> str:
    """Today's date (UTC), ISO 8601: the date the edition was built."""
    return dt.datetime.now(dt.timezone.utc).date().isoformat()


def citation(page_title: str, page_path: str, *, ver: str, date: str, url: str = URL_PLACEHOLDER) -> str:
    """A plain-text citation of one page."""
    return (f"Escalation debates (module), \u201c{page_title}\u201d. In: {TITLE}. Version {ver}, built {date}. "
            f"{url}{page_path}")


def cite_box_html(page_title: str, page_path: str, tables: list[tuple[str, str]], *, ver: str, date: str,
                  prefix: str, url: str = URL_PLACEHOLDER) -> str:
    """The "Cite this" and "Data used on this page" box, as raw HTML.

    `tables` are (table name, path inside the data folder); `prefix` leads from the page to the site root.
    """
    text = html.escape(citation(page_title, page_path, ver=ver, date=date, url=url))
    parts = ['<div class="cite-this" role="note" aria-label="Cite this page">',
             '<p class="cite-title"><strong>Cite this</strong></p>',
             f'<p class="cite-text">{text}</p>',
             f'<p class="cite-meta">Title: {html.escape(page_title)} · Version: {html.escape(ver)} · '
             f'Date: {html.escape(date)} · URL: {html.escape(url + page_path)} (placeholder until the edition '
             'is published)</p>']
    if tables:
        links = " · ".join(f'<a class="data-download" href="{prefix}data/{html.escape(path)}" download>'
                           f'{html.escape(name)} ({html.escape(path.rsplit("/", 1)[-1])})</a>'
                           for name, path in tables)
        parts.append(f'<p class="data-downloads"><strong>Download the data used on this page:</strong> {links}. '
                     'Each table is described in the data catalogue; every row carries its source.</p>')
    else:
        parts.append('<p class="data-downloads"><strong>Data used on this page:</strong> none of the module\'s '
                     f'tables. <a class="data-download" href="{prefix}data/datapackage.json" download>'
                     'All tables are described in datapackage.json</a>.</p>')
    parts.append("</div>")
    return "\n".join(parts)
