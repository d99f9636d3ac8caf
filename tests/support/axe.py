"""axe-core in a real browser: install the npm package once, run it on a Playwright page.

Test helper, shared by the browser suite, the edition tests and the class-service tests. The package comes from
the npm registry (the only network the tests use, as the hub test does for configurable-http-proxy) and is kept in
the user's cache, so a second run installs nothing.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

AXE_VERSION = "4.14.1"
WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


class AxeUnavailable(RuntimeError):
    """npm could not provide axe-core (the message says why)."""


def default_cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "escalation-axe"


def axe_script(cache: Path | None = None, timeout: float = 300) -> Path:
    """Path of axe.min.js: from the cache, or installed there with npm."""
    cache = Path(cache or default_cache()) / AXE_VERSION
    script = cache / "node_modules" / "axe-core" / "axe.min.js"
    if script.exists():
        return script
    npm = shutil.which("npm")
    if not npm:
        raise AxeUnavailable("npm is not installed, so axe-core cannot be installed (install Node.js and npm).")
    try:
        done = subprocess.run([npm, "install", "--prefix", str(cache), "--no-audit", "--no-fund",
                               "--fetch-timeout=30000", "--fetch-retries=1", f"axe-core@{AXE_VERSION}"],
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise AxeUnavailable(f"npm could not install axe-core within {timeout:.0f} s (is the npm registry reachable?).") from None
    if done.returncode or not script.exists():
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise AxeUnavailable("npm could not install axe-core: " + " | ".join(tail))
    return script


def run_axe(page, *, context: str | dict = "document", tags=WCAG21_AA, disable: tuple[str, ...] = ()) -> list[dict]:
    """Run axe-core on a Playwright (sync API) page and return its violations.

    `context` is an axe context: a CSS selector, or {"include": [...], "exclude": [...]}. Each violation is
    axe's own object (id, impact, help, nodes with their `target` selectors and `html`).
    """
    page.add_script_tag(path=str(axe_script()))
    options = {"runOnly": {"type": "tag", "values": list(tags)},
               "rules": {rule: {"enabled": False} for rule in disable}}
    ctx = context if isinstance(context, dict) else (None if context == "document" else context)
    result = page.evaluate("async ([ctx, opts]) => await axe.run(ctx === null ? document : ctx, opts)", [ctx, options])
    return result["violations"]


def describe(violations: list[dict]) -> str:
    """One line per violation and node, for an assertion message."""
    lines = []
    for v in violations:
        for node in v["nodes"]:
            lines.append(f"{v['id']} ({v['impact']}): {v['help']} at {' '.join(map(str, node['target']))}: {node['html'][:160]}")
    return "\n".join(lines)
