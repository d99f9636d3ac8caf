"""Fixtures of the browser tests: one JupyterLab server and one Chromium for the whole session.

Both run on a temporary copy of what students open (notebooks without outputs, data, student exercises,
apps) with temporary Jupyter folders. Without Playwright or Chromium every browser test is skipped with
the reason. Teardown stops the browser, then the server (SIGINT twice, then kill), then checks that no
process started for this session is left.
"""
from __future__ import annotations

import os
import signal
import time

import pytest

import labdriver

# The self-test notebook has defects on purpose; only test_selftest.py opens it (not nbval).
collect_ignore = ["fixtures"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_root(tmp_path_factory):
    """A temporary folder holding the copied repository, Jupyter folders and browser profile.

    Torn down last: checks that nothing started from it (servers, kernels, Chromium) still runs.
    """
    reason = labdriver.missing_browser_reason()
    if reason:
        pytest.skip(f"browser tests skipped: {reason}")
    root = tmp_path_factory.mktemp("browser")
    labdriver.make_workspace(root)
    yield root
    deadline = time.monotonic() + 10  # kernels take about 2 s to go after their server
    leftovers = labdriver.processes_mentioning(str(root))
    while leftovers and time.monotonic() < deadline:
        time.sleep(0.5)
        leftovers = labdriver.processes_mentioning(str(root))
    for pid, _ in leftovers:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert not leftovers, f"processes left running after the browser tests (now killed): {leftovers}"


@pytest.fixture(scope="session")
def lab(browser_root):
    """A JupyterLab server on 127.0.0.1 with a token, serving the temporary copy."""
    server = labdriver.start_lab(browser_root)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def chromium(browser_root):
    """Debian's Chromium driven by Playwright (never a downloaded browser), one profile for the session."""
    with labdriver.chromium_context(browser_root / "chromium-profile") as context:
        yield context


def open_tab(chromium):
    """Yield a new tab and close it afterwards, also when the test fails."""
    tab = chromium.new_page()
    try:
        yield tab
    finally:
        tab.close()


@pytest.fixture
def page(chromium):
    """A fresh tab for one test."""
    yield from open_tab(chromium)


@pytest.fixture(scope="session")
def lab_page(chromium, lab):
    """One tab with JupyterLab loaded once for the whole session; tests open and close notebooks in it."""
    yield from open_tab(chromium)


@pytest.fixture(scope="session")
def screenshots():
    labdriver.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return labdriver.SCREENSHOTS
