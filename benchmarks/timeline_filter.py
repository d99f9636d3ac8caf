"""How long the lesson-03 timeline takes to redraw after a filter change (target: median under 200 ms).

Drives the real widget as a student would: each step changes one control (event types, countries, the
month range, the actor box, the lane) and times the whole callback — filtering, drawing the SVG timeline and refilling
the event list. Also times the static matplotlib figure used in the notebook, for comparison.

    python benchmarks/timeline_filter.py
"""
import statistics
import time

from matplotlib.figure import Figure

from escalation import plotting
from escalation.events import filter_events, load_events
from escalation.timeline import draw_timeline, figure_png_html
from escalation.widgets.timeline import timeline_explorer

ROUNDS = 5


def steps(widget):
    """A fixed, repeatable sequence of filter changes."""
    options = widget.controls["dates"].options
    n = len(options)
    return [
        ("types", ("warning", "strike")),
        ("types", tuple(widget.controls["types"].options)),
        ("countries", ("Russia", "United States")),
        ("countries", tuple(widget.controls["countries"].options)),
        ("dates", (options[n // 2][1], options[-1][1])),
        ("dates", (options[0][1], options[-1][1])),
        ("actor", "Putin"),
        ("actor", ""),
        ("lane", "event_type"),
        ("lane", "country"),
    ]


def report(label, times):
    times = sorted(times)
    p90 = times[int(round(0.9 * (len(times) - 1)))]
    print(f"{label}: n={len(times)}  median {statistics.median(times):.1f} ms  p90 {p90:.1f} ms  "
          f"max {times[-1]:.1f} ms")


def main():
    plotting.use_style()
    widget = timeline_explorer()
    times = []
    for _ in range(ROUNDS):
        for name, value in steps(widget):
            start = time.perf_counter()
            widget.controls[name].value = value
            times.append((time.perf_counter() - start) * 1000)
            assert widget.message == "", widget.message
    report("widget redraw after one filter change (filter + SVG + event list)", times)

    events = load_events()
    fig = Figure(figsize=(9, 5.8))
    static = []
    for i in range(ROUNDS * 2):
        shown = filter_events(events, types=None if i % 2 else ["warning", "strike", "authorization"])
        start = time.perf_counter()
        draw_timeline(fig, shown, "event_type")
        figure_png_html(fig)
        static.append((time.perf_counter() - start) * 1000)
    report("matplotlib figure redrawn and rendered to PNG (for comparison; not used by the widget)", static)


if __name__ == "__main__":
    main()
