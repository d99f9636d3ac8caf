"""`escalation-edition --out DIR`: build the reading edition, PDFs, slides and the teacher's build (stage: report)."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..errors import EscalationError
from ..paths import checkout_root


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="escalation-edition",
        description="Build the module as a static website (students' edition), one PDF per lesson and per graded "
                    "set, one slide deck per lesson, and the instructor-only teacher's build in DIR/teacher/. "
                    "Works offline.")
    parser.add_argument("--out", type=Path, required=True, help="output folder (created; a previous build there "
                        "is replaced)")
    parser.add_argument("--no-execute", action="store_true",
                        help="use the notebooks' committed outputs instead of running copies (faster)")
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDFs")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks run in parallel (default 2)")
    parser.add_argument("--base-url", default=None,
                        help="the address the edition is published at, for \"Cite this\" (default: the "
                             "environment variable ESCALATION_EDITION_URL, else base_url in docs/edition.toml; "
                             "without one the citation says the copy has no web address)")
    parser.add_argument("--sheets", type=Path, default=None, metavar="ROSTER.csv",
                        help="also print question sheets with each student's own variants: a CSV with a column "
                             "student_id (and optionally name); writes DIR/pdf/sheets/<set>.pdf, one page per student")
    parser.add_argument("--page-counts-into", type=Path, default=None, metavar="FILE.md",
                        help="after the build, write the handouts' page counts into the table between the "
                             "page-counts markers of FILE.md (docs/reading_edition.md)")
    args = parser.parse_args(argv)
    try:
        checkout_root("escalation-edition")
    except EscalationError as exc:
        print(f"✘ {exc}", file=sys.stderr)
        return 2

    from . import cite
    from .build import build_edition, clean, folder_size, write_page_counts
    from .sheets import read_roster

    try:
        url = cite.base_url(args.base_url)
        if args.sheets:
            read_roster(args.sheets)
    except EscalationError as exc:
        print(f"escalation-edition: {exc}", file=sys.stderr)
        return 2
    if args.sheets and args.no_pdf:
        print("escalation-edition: --sheets prints PDFs, so it cannot be combined with --no-pdf.", file=sys.stderr)
        return 2
    out = args.out.resolve()
    if out.exists() and any(out.iterdir()) and not (out / "BUILD.json").is_file():
        print(f"{out} exists and is not an earlier edition build: choose an empty or new folder.", file=sys.stderr)
        return 2
    clean(out)
    start = time.perf_counter()
    print(f"Building the edition into {out} …")
    try:
        report = build_edition(out, run_notebooks=not args.no_execute, pdfs=not args.no_pdf, jobs=args.jobs,
                               url=url, roster=args.sheets)
    except (EscalationError, RuntimeError, OSError) as exc:
        print(f"The edition could not be built: {exc}", file=sys.stderr)
        return 1
    total = time.perf_counter() - start
    if args.page_counts_into and report.pages:
        try:
            write_page_counts(args.page_counts_into, report)
        except (EscalationError, OSError) as exc:
            print(f"The page counts could not be written: {exc}", file=sys.stderr)
            return 1
        print(f"Page counts written into {args.page_counts_into}")
    print(f"Students' edition: {out / 'index.html'}")
    print(f"Slides: {len(report.slides)} decks in {out / 'slides'}")
    if report.pdf_skipped:
        print(f"PDFs: skipped. {report.pdf_skipped}")
    else:
        print(f"PDFs: {len(report.pdfs)} in {out / 'pdf'}" + (f"; problems: {report.pdf_problems}"
                                                               if report.pdf_problems else ", each checked"))
        if report.sheets:
            print(f"Question sheets: {len(report.sheets)} in {out / 'pdf' / 'sheets'} (one page per student)")
    print("Cite this: " + (f"pages cited at {url}" if url else "no web address set (--base-url, "
                                                               "ESCALATION_EDITION_URL or docs/edition.toml)"))
    print(f"Teacher's build (instructor only, do not hand out): {out / 'teacher' / 'index.html'}")
    print(f"Done in {total:.0f} s; {folder_size(out) / 1e6:.1f} MB. Details: {out / 'BUILD.json'}")
    return 1 if report.pdf_problems else 0


if __name__ == "__main__":
    sys.exit(main())
