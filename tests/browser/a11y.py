"""Accessibility of a notebook as JupyterLab shows it: axe-core (WCAG 2.1 A/AA) split into what the module
causes (nodes inside cell outputs) and what JupyterLab itself causes, plus checks axe cannot make.

Used by test_notebooks.py after Run All; axe-core is the npm package (tests/support/axe.py).
"""
from __future__ import annotations

from support.axe import run_axe

OUTPUT = ".jp-OutputArea-output"
# What JupyterLab itself adds inside outputs (the collapse button of a heading in rendered Markdown).
LAB_PARTS = ".jp-collapseHeadingButton"
# A node belongs to the module when it sits inside a cell's output (its HTML, figures and widgets).
IN_OUTPUT_JS = f"""(selectors) => selectors.map(sel => {{
    try {{ const e = document.querySelector(sel);
           return Boolean(e && e.closest('{OUTPUT}') && !e.matches('{LAB_PARTS}')); }}
    catch (error) {{ return false; }} }})"""


def split_violations(page, violations: list[dict]) -> tuple[list[str], list[str]]:
    """(the module's, JupyterLab's): one line per violating node, 'rule: html'."""
    module, lab = [], []
    for violation in violations:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        inside = page.evaluate(IN_OUTPUT_JS, targets)
        for node, ours in zip(violation["nodes"], inside):
            line = f"{violation['id']} ({violation['impact']}): {node['html'][:200]}"
            (module if ours else lab).append(line)
    return module, lab


def audit(page) -> tuple[list[str], list[str]]:
    """axe-core on the open JupyterLab page: (violations in cell outputs, JupyterLab's own)."""
    return split_violations(page, run_axe(page))


MISSING_NAMES_JS = f"""() => {{
    const root = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    const found = [];
    for (const img of root.querySelectorAll('{OUTPUT} img')) {{
        if (!(img.getAttribute('alt') || '').trim()) {{ found.push('image without alt text: ' + img.src.slice(0, 40)); }}
    }}
    const controls = 'input, select, textarea, button, [role=slider], [role=listbox], [role=radiogroup]';
    for (const el of root.querySelectorAll('{OUTPUT} ' + controls.split(', ').join(', {OUTPUT} '))) {{
        if (!el.getClientRects().length || el.type === 'hidden' || el.matches('{LAB_PARTS}')) {{ continue; }}
        const label = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.title
            || (el.labels && [...el.labels].map(l => l.innerText).join(' ').trim())
            || (el.tagName === 'BUTTON' && el.innerText.trim());
        if (!label) {{ found.push(`${{el.tagName.toLowerCase()}}${{el.getAttribute('role') ? '[role=' +
            el.getAttribute('role') + ']' : ''}} without an accessible name in ` +
            el.outerHTML.slice(0, 160)); }}
    }}
    return found;
}}"""


def unnamed(page) -> list[str]:
    """Figures without alt text and widget controls without an accessible name, in the open notebook."""
    return page.evaluate(MISSING_NAMES_JS)


# Voila: the same split (nodes inside a cell's output are the module's; the rest is Voila's page template).
# Why each rule seen on Voila's own template is not the module's to fix (printed with the violation).
VOILA_REASONS = {
    "html-has-lang": "Voila's lab template writes <html> without a lang attribute",
    "landmark-one-main": "Voila's template has no <main> landmark (best practice, outside the WCAG tags)",
    "page-has-heading-one": "Voila's template adds no heading of its own",
    "region": "Voila's template puts the outputs outside any landmark",
    "document-title": "Voila sets the page title from the notebook name",
}


def audit_voila(page) -> tuple[list[str], list[str]]:
    """axe-core on a Voila page: (violations in cell outputs, Voila template's, each with its reason)."""
    module, template = split_violations(page, run_axe(page))
    reasons = [f"{line}  [reason: {VOILA_REASONS.get(line.split(' ', 1)[0], 'outside any cell output: Voila template')}]"
               for line in template]
    return module, reasons
