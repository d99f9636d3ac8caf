"""Presentation mode: an app of apps/ served by Voila, opened in Chromium, its widget driven.

Starts `voila apps/range_explorer.ipynb --no-browser --port=P --Voila.ip=127.0.0.1` in the temporary copy
(temporary Jupyter folders), picks another launch point and checks the page shows what the package
computes for it.
"""
from __future__ import annotations

import pytest

import labdriver
from labdriver import REPO_ROOT

APP = "apps/range_explorer.ipynb"
TITLE = "Range explorer: what lies within reach of a launch point?"


@pytest.fixture(scope="module")
def voila_app(browser_root):
    if not (REPO_ROOT / APP).exists():
        pytest.skip(f"{APP} is missing")
    server = labdriver.start_voila(browser_root, APP)
    try:
        yield server
    finally:
        server.stop()


def test_voila_app_serves_and_responds(voila_app, page, screenshots):
    from escalation.widgets.range import range_explorer

    try:
        page.goto(voila_app.url + "/", timeout=120_000)
        output = page.locator(f'.widget-vbox:has(h4:text-is("{TITLE}"))').first
        output.wait_for(timeout=120_000)
        output.locator("img[alt]").first.wait_for(timeout=60_000)
        assert labdriver.WIDGET_FAILURES[0] not in page.inner_text("body")
        page.locator("text=Traceback").wait_for(state="detached", timeout=1_000)

        before = output.evaluate("o => o.lastElementChild.innerHTML")
        launch = output.locator('.widget-dropdown:has(label:text-is("Launch point")) select')
        launch.select_option(label="Odesa")
        page.wait_for_function("([o, b]) => o.lastElementChild.innerHTML !== b",
                               arg=[output.element_handle(), before], timeout=60_000)
        model = range_explorer()
        model.controls["launch"].value = "Odesa"
        expected = len(set(model.result["reach"]["name"]))
        shown = output.evaluate("o => o.lastElementChild.innerText")
        assert f"From Odesa (★ on the map). {expected} listed place(s) in reach" in shown, shown[:300]
        assert output.locator("img[alt]").first.get_attribute("alt") == model.result["alt_text"]
        page.set_viewport_size({"width": 1280, "height": 2000})  # Voila scrolls inside its own container
        page.screenshot(path=str(screenshots / "voila_range_explorer.png"))
    except Exception:
        page.screenshot(path=str(screenshots / "voila_range_explorer--failure.png"), full_page=True)
        raise
