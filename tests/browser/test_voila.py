"""Presentation mode: the apps of apps/ served by Voila, opened in Chromium.

The range explorer is started as the README says (`voila apps/range_explorer.ipynb --no-browser
--port=P --Voila.ip=127.0.0.1`, in the temporary copy with temporary Jupyter folders); the test picks
launch points with the mouse and with the keyboard and checks the page shows what the package computes.
The other apps are rendered by one Voila server on the apps/ folder: the widget must appear, with no
error and nothing left loading. On every app axe-core (WCAG 2.1 A/AA) runs once: no violation inside a
cell's output (the module's); Voila's own template violations are printed with the reason, not failed.
"""
from __future__ import annotations

import pytest

import a11y
import labdriver
from labdriver import REPO_ROOT

APP = "apps/range_explorer.ipynb"
# The other presentation apps of the issue (the reading apps' widgets are driven in JupyterLab by
# test_notebooks.py, and every app runs under nbclient in tests/test_apps.py; this keeps the suite short).
OTHER_APPS = [name for name in ("timeline.ipynb", "coding.ipynb", "article_explorer.ipynb", "kwic_explorer.ipynb")
              if (REPO_ROOT / "apps" / name).exists()]
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


def assert_accessible(page, name: str) -> None:
    """axe-core once on the rendered app: nothing the module causes; Voila's template's printed."""
    module, template = a11y.audit_voila(page)
    for line in template:
        print(f"{name}: Voila template: {line}")
    assert not module, f"{name}: axe-core violations in the app's outputs:\n" + "\n".join(module)


def test_voila_app_serves_and_responds(voila_app, page, screenshots):
    from escalation.widgets.range import range_explorer

    try:
        page.goto(voila_app.url + "/", timeout=120_000)
        output = page.locator(f'.widget-vbox:has(h4:text-is("{TITLE}"))').first
        output.wait_for(timeout=120_000)
        output.locator("img[alt]").first.wait_for(timeout=60_000)
        text = page.inner_text("body")
        for failure in labdriver.WIDGET_FAILURES + ("Traceback", "There was an error"):
            assert failure not in text, f"{failure!r} on the page"
        assert_accessible(page, APP)

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

        # keyboard only: focus the drop-down and press the down arrow (the next place in the list)
        before = output.evaluate("o => o.lastElementChild.innerHTML")
        launch.focus()
        page.keyboard.press("ArrowDown")
        page.wait_for_function("([o, b]) => o.lastElementChild.innerHTML !== b",
                               arg=[output.element_handle(), before], timeout=60_000)
        names = [value for _, value in model.controls["launch"].options]
        following = names[names.index("Odesa") + 1]
        assert launch.input_value() == following
        model.controls["launch"].value = following
        expected = len(set(model.result["reach"]["name"]))
        shown = output.evaluate("o => o.lastElementChild.innerText")
        assert f"From {following} (★ on the map). {expected} listed place(s) in reach" in shown, shown[:300]
        page.set_viewport_size({"width": 1280, "height": 2000})  # Voila scrolls inside its own container
        page.screenshot(path=str(screenshots / "voila_range_explorer.png"))
    except Exception:
        page.screenshot(path=str(screenshots / "voila_range_explorer--failure.png"), full_page=True)
        raise


@pytest.fixture(scope="module")
def voila_folder(browser_root):
    server = labdriver.start_voila(browser_root, "apps")
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.parametrize("name", OTHER_APPS)
def test_voila_app_renders(name, voila_folder, page, screenshots):
    stem = screenshots / f"voila_{name.removesuffix('.ipynb')}"
    try:
        page.goto(f"{voila_folder.url}/voila/render/{name}", timeout=120_000)
        widget = page.locator(".jupyter-widgets.widget-vbox").first
        widget.wait_for(timeout=120_000)
        page.wait_for_function("() => !document.body.innerText.includes('Loading widget')", timeout=30_000)
        text = page.inner_text("body")
        for failure in labdriver.WIDGET_FAILURES + ("Traceback", "There was an error"):
            assert failure not in text, f"{name}: {failure!r} on the page"
        assert page.locator('[data-mime-type="application/vnd.jupyter.stderr"]').count() == 0
        assert widget.locator("select, input, button").count() > 0, "the app shows no control"
        assert_accessible(page, name)
        page.set_viewport_size({"width": 1280, "height": 1600})
        page.screenshot(path=str(stem.with_suffix(".png")))
    except Exception:
        page.screenshot(path=str(stem.with_name(stem.name + "--failure.png")))
        raise
