"""The `escalation-grade` command: grade a folder of submissions, export written answers, merge scores.

    escalation-grade grade ex01_reading submissions/ --out grades/ex01_reading
    escalation-grade written ex01_reading --out grades/ex01_reading
    escalation-grade merge ex01_reading my_scores.csv --out grades/ex01_reading

`grade` runs student code sealed by the kernel (sandbox.py, docs/grading_security.md). Where the system
cannot seal (macOS, Windows/WSL 1, Linux before 5.13), it refuses unless the instructor passes
`--no-sandbox`, which says what protection is lost; the gradebook's `mode` column records it per row.
The default output folder, `grading-output/<exercise>`, is ignored by git.
"""
from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from .files import write_atomic
from .batch import INDEX, load_results
from .result import STATUS_TEXT
from .runner import DEFAULT_TIMEOUT
from .source import FormatError, load_exercise

SKIPPED = "not_graded.txt"  # every folder or file of the submissions folder that got no row, and why
DEFAULT_OUT = "grading-output"
NO_SANDBOX_FLAG = "--no-sandbox"


def _output_folder(args, exercise) -> Path:
    return Path(args.out) if args.out else Path(DEFAULT_OUT) / exercise.name


def _seal_problem(exercise, submissions: Path, out: Path) -> str:
    """Why the seal would not protect these files (a readable folder contains them), or ""."""
    from . import integrity, sandbox

    readable = sandbox.read_paths()
    for what, path in (("the exercise source", exercise.path), ("the submissions folder", submissions),
                       ("the output folder", out), ("the grading key", integrity.key_path())):
        folder = sandbox.inside(path, readable)
        if folder:
            return (f"{what} ({path}) lies inside {folder}, which graded code may read (it holds the Python "
                    "installation, the package or its data). Move it elsewhere and run again.")
    return ""


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def cmd_grade(args) -> int:
    import os

    from . import sandbox

    if not hasattr(os, "fork"):
        print("✘ Grading runs each submission in a forked process, which this system does not offer. "
              "Run it on Linux or macOS (on Windows: inside WSL).", file=sys.stderr)
        return 2
    from .batch import clear_leftovers, grade_folder, safe_name, write_json_atomic
    from .find import Roster, find_submissions
    from .report import write_reports

    exercise = load_exercise(args.exercise)
    out = _output_folder(args, exercise)
    seal = not args.no_sandbox
    if seal:
        reason = sandbox.unavailable_reason()
        if reason:
            print(f"✘ Not grading: student code cannot be sealed off here, because {reason}.\n"
                  f"  {sandbox.UNSEALED_WARNING}\n"
                  f"  Grade on a Linux machine with kernel 5.13 or newer (any current distribution), or, if you "
                  f"accept that risk for these submissions, run the same command with {NO_SANDBOX_FLAG}.",
                  file=sys.stderr)
            return 2
        abi = sandbox.landlock_abi()
        if abi < 6 and not args.quiet:
            lost = ["TCP connections" if abi < 4 else "", "signals to your processes and abstract unix sockets"]
            print(f"⚠ This kernel's Landlock (ABI {abi}) seals files but cannot block "
                  f"{' or '.join(x for x in lost if x)}; a kernel from 6.12 on blocks them too.", file=sys.stderr)
    else:
        print(f"⚠ {NO_SANDBOX_FLAG}: student code is NOT sealed off. {sandbox.UNSEALED_WARNING} "
              "The gradebook marks these rows 'unsealed'.", file=sys.stderr)
    roster = None
    if args.roster:
        roster = Roster.read(Path(args.roster))
    if not find_submissions(Path(args.submissions), exercise.name, roster):
        print(f"✘ No submissions in {args.submissions}: put one notebook (.ipynb) per student there, or one "
              "folder per student.", file=sys.stderr)
        return 1
    if seal:
        problem = _seal_problem(exercise, Path(args.submissions), out)
        if problem:
            print(f"✘ Not grading: {problem}", file=sys.stderr)
            return 2
    if not sandbox.namespaces_available() and not args.quiet:
        print("⚠ This system does not offer unprivileged user namespaces: a process a notebook starts in a session "
              "of its own may outlive a stopped grader, and a notebook's scratch space is limited per file only.",
              file=sys.stderr)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        skipped: list[str] = []
        results = grade_folder(exercise, Path(args.submissions), out, jobs=args.jobs, timeout=args.timeout,
                               quiet=args.quiet, force=args.force, seal=seal, total_timeout=args.submission_timeout,
                               roster=roster, skipped=skipped)
    except KeyboardInterrupt:  # grade_folder has stopped every worker: each namespace died with its first process
        clear_leftovers(mine_too=True)
        print("✘ Stopped: every process the submissions started was ended; results saved so far are kept and "
              "reused by the next run.", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
    write_json_atomic(out / INDEX, [[r.student, safe_name(r.student)] for r in results])
    write_atomic(out / SKIPPED, "".join(f"{line}\n" for line in skipped))
    paths = write_reports(out, exercise, results)
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    if not args.quiet:
        print(f"{len(results)} submissions: " + ", ".join(f"{n} {STATUS_TEXT.get(s, s)}" for s, n in sorted(counts.items())))
        mismatched = [r.student for r in results if r.id_check == "mismatch"]
        if mismatched:
            print(f"typed id is not the identity graded as: {', '.join(mismatched)} (see reasons)")
        if skipped:
            print(f"not graded: {len(skipped)} folders or files in the submissions folder, listed in {out / SKIPPED}")
        print(f"gradebook: {paths['gradebook']}\nfeedback:  {paths['feedback']}/\nsummary:   {paths['summary']} "
              f"(text alternative: {paths['summary_text']})\nitems:     {paths['summary_page']} (item analysis; "
              f"{paths['item_csv'].name}, {paths['item_options'].name}, {paths['item_json'].name})\n"
              f"written:   {paths['written']}/")
    return 0


def cmd_written(args) -> int:
    from .written import export_written

    exercise = load_exercise(args.exercise)
    out = _output_folder(args, exercise)
    paths = export_written(out, exercise, load_results(out))
    if not args.quiet:
        print("\n".join(str(p) for p in paths))
    return 0


def cmd_merge(args) -> int:
    from .report import write_reports
    from .written import merge_manual

    exercise = load_exercise(args.exercise)
    out = _output_folder(args, exercise)
    results = load_results(out)
    n = merge_manual(out, Path(args.scores), exercise, {r.student for r in results if r.graded})
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
    g.add_argument("--out", help=f"output folder (default: {DEFAULT_OUT}/<exercise>, ignored by git)")
    g.add_argument("--jobs", "-j", type=int, default=None, help="parallel workers (default: number of CPU cores)")
    g.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds allowed per cell (default 30)")
    g.add_argument("--roster", metavar="CSV", help="the students, one per row: a 'student_id' column (the id each "
                   "was told to type, which picks their variants) and any other columns naming them (login, e-mail, "
                   "full name, as in an LMS export); a file or folder name that equals one of a row's cells is "
                   "graded as that row's student_id")
    g.add_argument("--submission-timeout", type=float, default=None, metavar="SECONDS",
                   help="seconds allowed per submission in all (default: the cell limit, plus 2 s, per cell)")
    g.add_argument("--force", action="store_true", help="regrade everything instead of reusing saved results")
    g.add_argument("--quiet", "-q", action="store_true", help="no progress bar or summary")
    g.add_argument(NO_SANDBOX_FLAG, dest="no_sandbox", action="store_true",
                   help="run student code WITHOUT the operating-system seal (only where it is unavailable, e.g. macOS): "
                        "it can then read the exercise sources and other submissions and write anywhere you can")
    g.set_defaults(func=cmd_grade)
    w = sub.add_parser("written", help="export written answers by question, with the rubric")
    w.add_argument("exercise")
    w.add_argument("--out", help=f"output folder of `grade` (default: {DEFAULT_OUT}/<exercise>)")
    w.add_argument("--quiet", "-q", action="store_true")
    w.set_defaults(func=cmd_written)
    m = sub.add_parser("merge", help="merge manual scores for written answers from a CSV")
    m.add_argument("exercise")
    m.add_argument("scores", help="CSV with columns student, question, points[, comment]")
    m.add_argument("--out", help=f"output folder of `grade` (default: {DEFAULT_OUT}/<exercise>)")
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
    except (FormatError, FileNotFoundError, ValueError) as exc:  # RosterError is a ValueError
        print(f"✘ {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
