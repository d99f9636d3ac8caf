"""The edition on screen and on the projector, in Debian's Chromium: every slide fits 1366×768 and 1920×1080
(every visible leaf element inside the viewport), no slide points "above" or "below", the ground rules are on a
slide and a poster, the landing page's pointers are links, tables scroll in a named, focusable region, no empty
header rows, "Cite this" never shows a placeholder, and axe-core finds no WCAG 2.1 A/AA violation on the
students' pages and the slides.

Shares the one edition build of the session (the `edition` fixture of tests/conftest.py).
"""
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from escalation.edition import cite, content, printing

REPO = Path(__file__).resolve().parents[1]
LESSONS = content.lesson_paths()
NO_BROWSER = printing.chromium_available()
browser_only = pytest.mark.skipif(bool(NO_BROWSER), reason=NO_BROWSER or "")

FIT_JS = """() => {
  const bad = [];
  for (const e of document.querySelectorAll('.slide.active *, .footer *')) {
    if (e.children.length) continue;
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || getComputedStyle(e).visibility === 'hidden') continue;
    if (r.left < -0.5 || r.top < -0.5 || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5)
      bad.push(`${e.tagName} "${(e.textContent || e.alt || '').trim().slice(0, 50)}" ends at ${Math.round(r.right)}×${Math.round(r.bottom)}`);
  }
  return bad;
}"""


def decks(edition: Path) -> list[Path]:
    return [edition / "slides" / f"{p.stem}.html" for p in LESSONS]


def student_pages(edition: Path) -> list[Path]:
    skip = {"genindex.html", "search.html"}
    return sorted(p for p in edition.rglob("*.html")
                  if p.relative_to(edition).parts[0] not in ("teacher", "slides", "pdf", "_static", "data")
                  and p.name not in skip)


def visible_text(page: Path) -> str:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    return " ".join(soup.get_text(" ").split())


def with_browser(task):
    def run():
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(printing.CHROMIUM), headless=True,
                                         args=printing.CHROMIUM_ARGS)
            try:
                return task(browser)
            finally:
                browser.close()
    return printing.in_own_thread(run)


@browser_only
def test_every_slide_fits_the_projector_at_1366x768_and_1920x1080(edition):
    def check(browser):
        problems = []
        for width, height in ((1366, 768), (1920, 1080)):
            tab = browser.new_page(viewport={"width": width, "height": height})
            for deck in decks(edition):
                tab.goto(deck.as_uri())
                count = tab.evaluate("document.querySelectorAll('.slide').length")
                for n in range(1, count + 1):
                    assert tab.inner_text("#counter") == f"Slide {n} of {count}"
                    problems += [f"{width}×{height} {deck.stem} slide {n}: {b}" for b in tab.evaluate(FIT_JS)]
                    size = tab.eval_on_selector(".slide.active", "e => parseFloat(getComputedStyle(e).fontSize)")
                    assert size >= 16, f"{deck.stem} slide {n}: type shrunk to {size}px"
                    tab.keyboard.press("ArrowRight")
            tab.close()
        return problems
    problems = with_browser(check)
    assert not problems, "\n".join(problems[:20])


def test_no_slide_points_above_or_below_and_each_deck_shows_the_ground_rules(edition):
    rules = content.ground_rules()
    assert len(rules) >= 5, "the guide's ground rules were not found"
    for deck in decks(edition):
        text = visible_text(deck)
        found = re.search(r".{40}\b(above|below)\b.{20}", text, re.I)
        assert not found, f"{deck.name}: {found.group(0)!r}"
        assert "Ground rules" in text
        for rule in rules:
            first = re.sub(r"[*`]", "", rule).split(".")[0]
            assert first in text, f"{deck.name} lacks the ground rule {first!r}"


def test_the_ground_rules_poster_is_printed_and_in_the_pack(edition):
    page = visible_text(edition / "pack" / "ground_rules.html")
    for rule in content.ground_rules():
        assert re.sub(r"[*`]", "", rule).split(".")[0] in page
    if not NO_BROWSER:
        pages, text = printing.pdf_text(edition / "pdf" / "ground_rules_poster.pdf")
        assert pages == 1, "the poster should be one page"
        assert printing.squash("We attribute every claim") in printing.squash(text)


def test_the_landing_page_and_the_guide_point_with_real_links(edition):
    index = BeautifulSoup((edition / "index.html").read_text(encoding="utf-8"), "html.parser")
    main = index.find("main") or index
    targets = {a.get("href", "") for a in main.find_all("a")}
    for page in ("notebook_map.html", "articles.html", "data/catalogue.html", "data/dictionary.html",
                 "guide/instructor_guide.html", "pack/index.html"):
        assert page in targets, f"the landing page does not link {page}"
        assert (edition / page).is_file()
    for page in (edition / "index.html", edition / "guide" / "instructor_guide.html", edition / "pack" / "index.html"):
        found = re.findall(r"\(in the repository: ([\w/.-]+\.(?:md|ipynb))\)", visible_text(page))
        assert not found, f"{page.name}: documents named as text, not linked: {found}"


def test_every_table_scrolls_in_a_named_focusable_region_and_has_no_empty_header_row(edition):
    tables = 0
    for page in student_pages(edition):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for table in soup.select("main table, article table"):
            tables += 1
            region = table.find_parent(attrs={"role": "region"})
            assert region is not None, f"{page.name}: a table outside a scroll region: {str(table)[:120]}"
            assert region.get("tabindex") == "0" and region.get("aria-label", "").strip(), page.name
            head = table.find("thead")
            assert head is None or head.get_text(strip=True), f"{page.name}: an empty header row"
    assert tables > 50


def test_cite_this_never_shows_a_placeholder_and_takes_the_address_from_a_setting(edition, tmp_path, monkeypatch):
    for page in student_pages(edition) + decks(edition):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        boxes = soup.select(".cite-this") or soup.find_all("section", attrs={"aria-label": "Cite this"})
        assert boxes, f"{page.name}: no Cite this"
        for box in boxes:
            text = box.get_text(" ")
            assert "REPLACE-WITH" not in text and "placeholder" not in text.lower(), page.name
    assert cite.NO_URL in visible_text(edition / "index.html")
    monkeypatch.delenv(cite.URL_ENV, raising=False)
    settings = tmp_path / "edition.toml"
    settings.write_text('[edition]\nbase_url = "https://edition.example.org/escalation"\n', encoding="utf-8")
    assert cite.base_url(settings=settings) == "https://edition.example.org/escalation/"
    monkeypatch.setenv(cite.URL_ENV, "https://env.example.org/")
    assert cite.base_url(settings=settings) == "https://env.example.org/"
    assert cite.base_url("https://flag.example.org", settings=settings) == "https://flag.example.org/"
    box = cite.cite_box_html("T", "notebooks/x.html", [], ver="1", date="2026-01-01", prefix="../",
                             url="https://flag.example.org/")
    assert 'href="https://flag.example.org/notebooks/x.html"' in box
    monkeypatch.delenv(cite.URL_ENV)
    settings.write_text('[edition]\nbase_url = "edition.example.org"\n', encoding="utf-8")
    with pytest.raises(Exception, match="must start with https://"):
        cite.base_url(settings=settings)


@browser_only
def test_axe_finds_no_wcag_21_violation_on_the_edition_and_the_slides(edition):
    from support import axe

    try:
        axe.axe_script()
    except axe.AxeUnavailable as exc:
        pytest.skip(str(exc))

    script = str(axe.axe_script())
    # axe.run with resultTypes=["violations"]: the same rules and verdicts as support.axe.run_axe, about half the
    # time (axe then gathers no detail about passing nodes).
    options = {"runOnly": {"type": "tag", "values": axe.WCAG21_AA}, "resultTypes": ["violations"]}

    def audit(browser):
        found = []
        tab = browser.new_page(viewport={"width": 1366, "height": 768})
        for page in student_pages(edition) + decks(edition):
            tab.goto(page.as_uri())
            if page.parent.name == "slides":  # every slide at once (axe skips hidden ones)
                tab.evaluate("document.querySelectorAll('.slide').forEach(s => { s.classList.add('active'); "
                             "s.setAttribute('aria-hidden', 'false'); })")
            tab.add_script_tag(path=script)
            violations = tab.evaluate("async (opts) => (await axe.run(document, opts)).violations", options)
            found += [f"{page.relative_to(edition)}: {line}" for line in axe.describe(violations).splitlines()]
        return found
    found = with_browser(audit)
    assert not found, "\n".join(found[:20])
