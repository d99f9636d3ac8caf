"""Speed of the range explorer: reach for 1,000 places, and one widget update (recompute + redraw).

    python benchmarks/range_explorer.py

Targets (issue 8): reach for 1,000 places under 20 ms; a widget update (new launch point or range,
recompute and redraw the map) under 200 ms median on the 2-core course machine. Prints medians.
"""

import numpy as np
import pandas as pd

from escalation import geo
from escalation.widgets.range import CUSTOM, range_explorer
from timing import timed


def main():
    rng = np.random.default_rng(0)
    many = pd.DataFrame({"name": [f"p{i:04d}" for i in range(1000)], "latitude": rng.uniform(44, 56, 1000),
                         "longitude": rng.uniform(22, 46, 1000)})
    launches = [(rng.uniform(45, 55), rng.uniform(25, 42)) for _ in range(50)]
    median, worst = timed(lambda i: geo.places_within(many, *launches[i % 50], 300), 200)
    print(f"reach for 1,000 places (places_within): median {median:.2f} ms, max {worst:.2f} ms (target < 20 ms)")

    widget = range_explorer()
    places = ["Sumy", "Kyiv", "Dnipro", "Kharkiv", "Odesa", "Zaporizhzhia", "Lviv", "Chernihiv"]
    median, worst = timed(lambda i: setattr(widget.controls["launch"], "value", places[i % len(places)]), 40)
    print(f"widget update, new launch point: median {median:.1f} ms, max {worst:.1f} ms (target < 200 ms)")
    median, worst = timed(lambda i: setattr(widget.controls["custom_km"], "value", 100 + 10 * (i % 60)), 40)
    print(f"widget update, custom range slider: median {median:.1f} ms, max {worst:.1f} ms (target < 200 ms)")
    widget.controls["launch"].value = CUSTOM
    median, worst = timed(lambda i: setattr(widget.controls["latitude"], "value", 48.0 + 0.1 * (i % 40)), 40)
    print(f"widget update, custom latitude: median {median:.1f} ms, max {worst:.1f} ms (target < 200 ms)")
    assert widget.message == "", widget.message


if __name__ == "__main__":
    main()
