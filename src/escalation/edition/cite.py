"""Version, address and "Cite this" text for every page of the edition (stage: report).

The edition's web address is a setting, never a placeholder: `--base-url`, else the environment variable
ESCALATION_EDITION_URL, else `base_url` under `[edition]` in docs/edition.toml. When none is set, the citation
says plainly that this copy has no web address.
"""
from __future__ import annotations

import datetime as dt
import html
import os
import tomllib
from pathlib import Path

from ..errors import EscalationError
from ..paths import REPO_ROOT

TITLE = "Escalation debates: how the news and officials talk about long-range weapons for Ukraine"
URL_ENV = "ESCALATION_EDITION_URL"
SETTINGS = REPO_ROOT / "docs" / "edition.toml"
NO_URL = "no web address: this copy of the edition was built without one"


def version(root: Path = REPO_ROOT) -> str:
    """The module's version, read from pyproject.toml (the one place it is set)."""
    with open(root / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)["project"]["version"]


def build_date() -> str:
    """Today's date (UTC), ISO 8601: the date the edition was built."""
    return dt.datetime.now(dt.timezone.utc).date().isoformat()


def base_url(explicit: str | None = None, settings: Path = SETTINGS) -> str:
    """The address the edition is published at, ending in "/", or "" when none is set."""
    url = explicit or os.environ.get(URL_ENV, "")
    if not url and settings.is_file():
        try:
            with open(settings, "rb") as handle:
                url = str(tomllib.load(handle).get("edition", {}).get("base_url", ""))
        except tomllib.TOMLDecodeError as exc:
            raise EscalationError(f"{settings} is not valid TOML ({exc}); fix it or remove it.") from None
    url = url.strip()
    if url and not url.startswith(("https://", "http://")):
        raise EscalationError(f"The edition's address must start with https:// or http:// (got {url!r}).")
    return url if not url or url.endswith("/") else url + "/"


def page_url(page_path: str, url: str) -> str:
    return f"{url}{page_path}" if url else ""


def citation(page_title: str, page_path: str, *, ver: str, date: str, url: str = "") -> str:
    """A plain-text citation of one page (`url`: the edition's base address, "" when it has none)."""
    where = page_url(page_path, url) or f"Not published at a web address (page {page_path} of a local copy)."
    return (f"Escalation debates (module), \u201c{page_title}\u201d. In: {TITLE}. Version {ver}, built {date}. "
            f"{where}")


def cite_box_html(page_title: str, page_path: str, tables: list[tuple[str, str]], *, ver: str, date: str,
                  prefix: str, url: str = "") -> str:
    """The "Cite this" and "Data used on this page" box, as raw HTML.

    `tables` are (table name, path inside the data folder); `prefix` leads from the page to the site root.
    """
    text = html.escape(citation(page_title, page_path, ver=ver, date=date, url=url))
    address = page_url(page_path, url)
    shown = (f'<a href="{html.escape(address)}">{html.escape(address)}</a>' if address else html.escape(NO_URL))
    parts = ['<div class="cite-this" role="note" aria-label="Cite this page">',
             '<p class="cite-title"><strong>Cite this</strong></p>',
             f'<p class="cite-text">{text}</p>',
             f'<p class="cite-meta">Title: {html.escape(page_title)} · Version: {html.escape(ver)} · '
             f'Date: {html.escape(date)} · URL: {shown}</p>']
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
