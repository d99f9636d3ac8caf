"""Timing helper shared by the benchmark scripts (not a benchmark itself)."""
import statistics
import time


def timed(action, repeats):
    """Run `action(i)` for i in range(repeats); return the median and the worst time in milliseconds."""
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        action(i)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)
