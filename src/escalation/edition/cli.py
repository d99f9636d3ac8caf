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
    args = parser.parse_args(argv)
    try:
        checkout_root("escalation-edition")
    except EscalationError as exc:
        print(f"✘ {exc}", file=sys.stderr)
        return 2

    from .build import build_edition, clean, folder_size

    out = args.out.resolve()
    if out.exists() and any(out.iterdir()) and not (out / "BUILD.json").is_file():
        print(f"{out} exists and is not an earlier edition build: choose an empty or new folder.", file=sys.stderr)
        return 2
    clean(out)
    start = time.perf_counter()
    print(f"Building the edition into {out} …")
    try:
        report = build_edition(out, run_notebooks=not args.no_execute, pdfs=not args.no_pdf, jobs=args.jobs)
    except (EscalationError, RuntimeError, OSError) as exc:
        print(f"The edition could not be built: {exc}", file=sys.stderr)
        return 1
    total = time.perf_counter() - start
    print(f"Students' edition: {out / 'index.html'}")
    print(f"Slides: {len(report.slides)} decks in {out / 'slides'}")
    if report.pdf_skipped:
        print(f"PDFs: skipped. {report.pdf_skipped}")
    else:
        print(f"PDFs: {len(report.pdfs)} in {out / 'pdf'}" + (f"; problems: {report.pdf_problems}"
                                                               if report.pdf_problems else ", each checked"))
    print(f"Teacher's build (instructor only, do not hand out): {out / 'teacher' / 'index.html'}")
    print(f"Done in {total:.0f} s; {folder_size(out) / 1e6:.1f} MB. Details: {out / 'BUILD.json'}")
    return 1 if report.pdf_problems else 0


if __name__ == "__main__":
    sys.exit(main())
