"""How fast each main widget answers in the browser: JupyterLab in Chromium at 1366×768, file browser open.

A benchmark, not a test (issue 21, "Figures": every widget under 300 ms). Lessons 02, 03 and 04 (and 00,
where the keyword-in-context search lives) are opened without outputs in a temporary copy and run with
Run All, as in the browser suite (tests/browser/labdriver.py). For each widget the input event (a click, a
change of a drop-down or list, Enter in a text box) is timed in the page, and a MutationObserver on the
widget's output (everything but the control itself) times the last change of the display; the response is
the time from the event to that last change, once the display has been quiet for QUIET_MS; an event
that changes nothing displayed (labdriver.shown_content) is an error, not a fast response.

    python benchmarks/widget_response.py [--repeats 7]

Prints, per widget, the median and the maximum in ms and whether each is under 300 ms.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
sys.path.insert(0, str(ROOT / "tests"))

import labdriver  # noqa: E402  (the browser suite's driver)
from timing import browser_options  # noqa: E402
from escalation.widgets.aid import KINDS  # noqa: E402  (the drop-down's option labels)

LIMIT_MS = 300
QUIET_MS = 600
CONTROLS = (".widget-toggle-buttons, .widget-dropdown, .widget-text, .widget-radio-box, .widget-button, "
            ".widget-select-multiple, .widget-select, .widget-checkbox, .widget-inline-hbox, button")

ARM_JS = f"""([output, events]) => {{
    const state = {{event: null, last: null}};
    window.__response = state;
    const onEvent = (e) => {{ if (state.event === null) {{ state.event = performance.now(); state.control =
        e.target.closest('{CONTROLS}'); }} }};
    for (const kind of events) {{ output.addEventListener(kind, onEvent, {{capture: true, once: false}}); }}
    state.observer = new MutationObserver((records) => {{
        if (state.event === null) {{ return; }}
        for (const r of records) {{
            const node = r.target.nodeType === 1 ? r.target : r.target.parentElement;
            if (state.control && node && state.control.contains(node)) {{ continue; }}
            state.last = performance.now();
            state.what = (node && (node.className || node.tagName) || '') + ' ' + r.type;
        }}
    }});
    state.observer.observe(output, {{subtree: true, childList: true, characterData: true, attributes: true}});
    state.cleanup = () => {{ state.observer.disconnect();
        for (const kind of events) {{ output.removeEventListener(kind, onEvent, {{capture: true}}); }} }};
}}"""
SETTLED_JS = f"""() => {{ const s = window.__response;
    return s.last !== null && performance.now() - s.last > {QUIET_MS}; }}"""
RESULT_JS = "() => { const s = window.__response; s.cleanup(); return [s.last - s.event, String(s.what)]; }"
STATE_JS = "() => { const s = window.__response; return [s.event, s.last, String(s.what)]; }"
LAST_CHANGED: list[str] = []


def timed(page, output, fire, events=("click", "change", "keydown")) -> float:
    """ms from the input event `fire()` causes to the last change of the output's display."""
    before = labdriver.shown_content(output)
    page.evaluate(ARM_JS, [output.element_handle(), list(events)])
    fire()
    try:
        page.wait_for_function(SETTLED_JS, timeout=30_000, polling=50)
    except Exception:
        raise RuntimeError(f"display did not settle (event, last change, what): {page.evaluate(STATE_JS)}") from None
    elapsed, what = page.evaluate(RESULT_JS)
    if labdriver.shown_content(output) == before:
        raise RuntimeError("the event changed nothing the widget displays, so there is no response to time")
    LAST_CHANGED.append(what)
    return elapsed


def explorer(page, title: str):
    out = labdriver.explorer(page, title)
    out.scroll_into_view_if_needed()
    return out


def select(output, label: str):
    return output.locator(f'.widget-dropdown:has(label:text-is("{label}")) select').first


def alternate_select(page, output, label: str, values: list[str], repeats: int) -> list[float]:
    """Each time pick the next of `values` that differs from the value shown (a real change every time)."""
    box = select(output, label)
    options = box.evaluate("s => [...s.options].map(o => o.value)")
    values = [next(o for o in options if o.replace("\xa0", " ") == v or o == v) for v in values]
    times = []
    for _ in range(repeats):
        current = box.input_value()
        value = next(v for v in values if v != current)
        values = values[values.index(value) + 1:] + values[:values.index(value) + 1]
        times.append(timed(page, output, lambda v=value: box.select_option(value=v)))
    return times


def aid_widgets(page, repeats: int) -> dict[str, list[float]]:
    out = explorer(page, "Aid explorer: Kiel Institute headline figures by release")
    other = out.locator(".widget-toggle-buttons button:not(.mod-active)").first  # the measure not shown
    toggle = [timed(page, out, other.click) for _ in range(repeats)]
    kind = alternate_select(page, out, "Kind of aid", [label for label, _ in KINDS], repeats)
    return {"aid explorer: measure toggle": toggle, "aid explorer: kind drop-down": kind}


def range_widgets(page, repeats: int) -> dict[str, list[float]]:
    out = explorer(page, "Range explorer: what lies within reach of a launch point?")
    launch = alternate_select(page, out, "Launch point", ["Odesa", "Kharkiv", "Kyiv"], repeats)
    box = out.locator('.widget-inline-hbox:has(label:text-is("Custom range (km, 0 = off)")) input').first
    values = ["300", "150"]

    def fire(v):
        box.fill(v)  # fill sends an input event the observer times (the number box updates as you type)
    km = [timed(page, out, lambda v=values[i % 2]: fire(v), events=("input",)) for i in range(repeats)]
    return {"range explorer: launch point": launch, "range explorer: custom range": km}


def timeline_widgets(page, repeats: int) -> dict[str, list[float]]:
    out = explorer(page, "Timeline of the debate (hold Ctrl or Shift to pick several countries or types)")
    types = out.locator('.widget-select-multiple:has(label:text-is("Event types")) select')
    choices = [["warning"], ["authorization", "warning"]]
    return {"timeline: event-type filter": [timed(page, out, lambda c=choices[i % 2]: types.select_option(c))
                                            for i in range(repeats)]}


def answer_widget(page, repeats: int) -> dict[str, list[float]]:
    out = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output:has(.jupyter-widgets)",
                       has=page.locator('strong:text-is("Exercise 3.1.")')).first
    out.scroll_into_view_if_needed()
    check = out.get_by_role("button", name="Check")
    times = []
    for i in range(repeats):
        out.locator(".widget-radio-box label", has_text=("horizontal", "vertical")[i % 2]).click()
        page.wait_for_timeout(300)
        times.append(timed(page, out, check.click, events=("click",)))
    return {"answer widget: choose and Check (3.1)": times}


def coding_widget(page, repeats: int) -> dict[str, list[float]]:
    out = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output:has(h4:text-is('
                       '"Code the sentences: Entman\'s four framing functions"))').first
    out.scroll_into_view_if_needed()
    nxt, prev = out.get_by_role("button", name="Next ▶"), out.get_by_role("button", name="◀ Previous")
    return {"coding widget: next/previous sentence": [timed(page, out, (nxt if i % 2 == 0 else prev).click,
                                                            events=("click",)) for i in range(repeats)]}


def kwic_widget(page, repeats: int) -> dict[str, list[float]]:
    out = explorer(page, "Keyword in context")
    box = out.locator('.widget-text:has(label:text-is("Word or phrase")) input').first
    times = []
    for i in range(repeats):
        box.fill(("Kiev", "ATACMS")[i % 2])
        times.append(timed(page, out, lambda: box.press("Enter"), events=("keydown",)))
    return {"KWIC: search (Enter)": times}


PLAN = [("02_arms_supply_in_numbers.ipynb", (aid_widgets, range_widgets)),
        ("03_red_lines_and_escalation.ipynb", (answer_widget, timeline_widgets)),
        ("04_rhetoric_as_data.ipynb", (coding_widget,)),
        ("00_start_here.ipynb", (kwic_widget,))]


def main(argv=None) -> int:
    opts = browser_options(__doc__.splitlines()[0], 7, argv, labdriver.missing_browser_reason)
    if opts is None:
        return 1
    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        labdriver.make_workspace(root)
        with labdriver.lab_in_chromium(root) as (lab, page):
            for notebook, measures in PLAN:
                labdriver.open_notebook(page, lab, f"notebooks/{notebook}")
                labdriver.run_all(page)
                labdriver.wait_widgets_rendered(page)
                for measure in measures:
                    try:
                        found = measure(page, opts.repeats)
                    except Exception as error:  # noqa: BLE001 - report and go on with the other widgets
                        print(f"{notebook}: {measure.__name__} could not be measured: {error!s:.200}")
                        continue
                    results.update(found)
                    for name, times in found.items():
                        print(f"  measured {name}: {[round(t) for t in times]} (last change: {LAST_CHANGED[-1][:60]})",
                              flush=True)
                lab.shutdown_kernels_of(f"notebooks/{notebook}")
    print(f"\nResponse in the browser (1366×768, file browser open), {opts.repeats} events per widget:")
    print(f"{'widget':45} {'median ms':>10} {'max ms':>8}  under {LIMIT_MS} ms (median / max)")
    for name, times in results.items():
        median, worst = statistics.median(times), max(times)
        print(f"{name:45} {median:10.0f} {worst:8.0f}  {'yes' if median < LIMIT_MS else 'NO':>3} / "
              f"{'yes' if worst < LIMIT_MS else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
