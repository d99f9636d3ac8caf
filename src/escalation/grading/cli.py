"""The `escalation-grade` command: grade a folder of submissions, export written answers, merge scores.

    escalation-grade grade ex01_reading submissions/ --out grades/ex01_reading
    escalation-grade written ex01_reading --out grades/ex01_reading
    escalation-grade merge ex01_reading my_scores.csv --out grades/ex01_reading
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .runner import DEFAULT_TIMEOUT, STATUS_TEXT, Result
from .source import FormatError, load_exercise

INDEX = "students.json"


def _load_results(out: Path) -> list[Result]:
    index = out / INDEX
    if not index.is_file():
        raise FileNotFoundError(f"{out} holds no grading results yet: run `escalation-grade grade` first.")
    results = []
    for _, name in json.loads(index.read_text(encoding="utf-8")):
        data = json.loads((out / "results" / f"{name}.json").read_text(encoding="utf-8"))
        results.append(Result.from_dict(data["result"]))
    return results


def cmd_grade(args) -> int:
    import os

    if not hasattr(os, "fork"):
        print("✘ Grading runs each submission in a forked process, which this system does not offer. "
              "Run it on Linux or macOS (on Windows: inside WSL).", file=sys.stderr)
        return 2
    from .batch import grade_folder, safe_name, write_json_atomic
    from .report import write_reports

    exercise = load_exercise(args.exercise)
    out = Path(args.out or Path("grades") / exercise.name)
    from .batch import find_submissions

    if not find_submissions(Path(args.submissions), exercise.name):
        print(f"✘ No submissions in {args.submissions}: put one notebook (.ipynb) per student there, or one "
              "folder per student.", file=sys.stderr)
        return 1
    results = grade_folder(exercise, Path(args.submissions), out, jobs=args.jobs, timeout=args.timeout,
                           quiet=args.quiet, force=args.force)
    write_json_atomic(out / INDEX, [[r.student, safe_name(r.student)] for r in results])
    paths = write_reports(out, exercise, results)
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    if not args.quiet:
        print(f"{len(results)} submissions: " + ", ".join(f"{n} {STATUS_TEXT.get(s, s)}" for s, n in sorted(counts.items())))
        print(f"gradebook: {paths['gradebook']}\nfeedback:  {paths['feedback']}/\nsummary:   {paths['summary']} "
              f"(text alternative: {paths['summary_text']})\nwritten:   {paths['written']}/")
    return 0


def cmd_written(args) -> int:
    from .written import export_written

    exercise = load_exercise(args.exercise)
    out = Path(args.out or Path("grades") / exercise.name)
    paths = export_written(out, exercise, _load_results(out))
    if not args.quiet:
        print("\n".join(str(p) for p in paths))
    return 0


def cmd_merge(args) -> int:
    from .report import write_reports
    from .written import merge_manual

    exercise = load_exercise(args.exercise)
    out = Path(args.out or Path("grades") / exercise.name)
    results = _load_results(out)
    n = merge_manual(out, Path(args.scores), exercise, {r.student for r in results if r.status.startswith("graded")})
    write_reports(out, exercise, results)
    if not args.quiet:
        print(f"merged {n} manual scores into {out / 'manual_scores.csv'}; gradebook and feedback updated.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="escalation-grade", description="Grade exercise submissions.")
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grade", help="grade a folder of submitted notebooks")
    g.add_argument("exercise", help="exercise set name (ex01_reading) or path of its source notebook")
    g.add_argument("submissions", help="folder of submissions: one notebook per student, or one folder per student")
    g.add_argument("--out", help="output folder (default: grades/<exercise>)")
    g.add_argument("--jobs", "-j", type=int, default=None, help="parallel workers (default: number of CPU cores)")
    g.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds allowed per cell (default 30)")
    g.add_argument("--force", action="store_true", help="regrade everything instead of reusing saved results")
    g.add_argument("--quiet", "-q", action="store_true", help="no progress bar or summary")
    g.set_defaults(func=cmd_grade)
    w = sub.add_parser("written", help="export written answers by question, with the rubric")
    w.add_argument("exercise")
    w.add_argument("--out")
    w.add_argument("--quiet", "-q", action="store_true")
    w.set_defaults(func=cmd_written)
    m = sub.add_parser("merge", help="merge manual scores for written answers from a CSV")
    m.add_argument("exercise")
    m.add_argument("scores", help="CSV with columns student, question, points[, comment]")
    m.add_argument("--out")
    m.add_argument("--quiet", "-q", action="store_true")
    m.set_defaults(func=cmd_merge)
    from .collect import add_parser as add_collect_parser  # gather notebooks from hub homes (collect.py)

    add_collect_parser(sub)
    from .lms import add_parser as add_lms_parser  # fill Canvas/Moodle grade files (lms.py)
    from .similarity import add_parser as add_similar_parser  # near-identical written answers (similarity.py)

    add_lms_parser(sub)
    add_similar_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (FormatError, FileNotFoundError, ValueError) as exc:
        print(f"✘ {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
