"""Helpers shared by the benchmark scripts (not a benchmark itself)."""
import argparse
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


def browser_options(description: str, repeats: int, argv=None, missing_reason=None):
    """The `--repeats` option of a browser benchmark, or None (after saying why) when no browser can run."""
    args = argparse.ArgumentParser(description=description)
    args.add_argument("--repeats", type=int, default=repeats)
    opts = args.parse_args(argv)
    reason = missing_reason() if missing_reason else None
    if reason:
        print(f"cannot run: {reason}")
        return None
    return opts
