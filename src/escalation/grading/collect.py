"""`escalation-grade collect`: gather a class's exercise notebooks from hub home folders (stage: grade).

    escalation-grade collect ex03_red_lines --from /home --to submissions/ex03_red_lines \
        --roster roster.csv --deadline 2026-03-01T23:59+01:00

Where a notebook is: `--layout` (relative to HOMES) with the placeholders {user}, {targetpath} and {set};
the default `{user}/{targetpath}/exercises/student/{set}/{set}.ipynb` is where an `escalation-link` link
puts it (targetpath `escalation-debates`). On The Littlest JupyterHub home folders are named
`jupyter-<user>`: use `--layout 'jupyter-{user}/{targetpath}/exercises/student/{set}/{set}.ipynb'`.

Each notebook is copied to `SUBMISSIONS/<user>/<set>.ipynb` (the layout `escalation-grade grade` reads),
byte for byte with its modification time, and the copy is checked against the original by SHA-256. The
student's file is only ever read, and never through a link: every component of the path under HOMES is opened
relative to the one before with O_NOFOLLOW, the copy is read from that open descriptor, and `fstat` before and
after must show the same regular file (device, inode, size, modification time) with one name only (a hard link
is refused too). So swapping the notebook for a link to someone else's while collect runs gets nothing. A
student on the roster without a notebook gets an empty folder (so the gradebook gives them a row with status
`missing`) and a row in `collect_report.csv`, which lists every
student with the file's modification time, whether it came after the deadline, and its hash.
"""
from __future__ import annotations

import csv
import errno
import hashlib
import io
import os
import re
import stat
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .csvsafe import neutralise
from .files import write_atomic

DEFAULT_TARGETPATH = "escalation-debates"  # the same default as escalation-link (escalation.hub.link)
DEFAULT_LAYOUT = "{user}/{targetpath}/exercises/student/{set}/{set}.ipynb"
REPORT = "collect_report.csv"
ROSTER_COLUMNS = ("student", "username", "user", "login", "id", "student_id")
REPORT_COLUMNS = ["student", "status", "late", "modified_utc", "sha256", "source", "note"]


class CollectError(ValueError):
    """A problem with the command's input (folders, roster, deadline, layout), explained in plain words."""


@dataclass
class Row:
    student: str
    status: str  # collected | missing | late | unreadable | refused | not_on_roster …
    late: str = ""
    modified_utc: str = ""
    sha256: str = ""
    source: str = ""
    note: str = ""


def parse_deadline(text: str | None) -> datetime | None:
    """An ISO 8601 date or date-time; without a time zone it is the machine's local time."""
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CollectError(f"The deadline '{text}' is not an ISO 8601 date-time: write it as 2026-03-01T23:59 "
                           "(local time) or 2026-03-01T23:59+01:00.") from None
    if len(text.strip()) == 10:  # a date alone: the end of that day
        when = when.replace(hour=23, minute=59, second=59)
    return when.astimezone() if when.tzinfo is None else when


def read_roster(path: Path) -> list[str]:
    """Students' user names from a CSV: the column student/username/user/login/id, else the first column."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CollectError(f"The roster {path} does not exist.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CollectError(f"The roster {path} cannot be read as UTF-8 text ({exc}).") from None
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise CollectError(f"The roster {path} is empty: put one student's hub user name per line, under a "
                           "header 'username'.")
    try:
        dialect = csv.Sniffer().sniff(lines[0], delimiters=",;\t") if any(d in lines[0] for d in ",;\t") else csv.excel
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(lines, dialect))
    except csv.Error as exc:  # e.g. a cell above the csv module's field size limit
        raise CollectError(f"The roster {path} cannot be read as CSV ({exc}).") from None
    header = [h.strip().casefold() for h in rows[0]]
    column = next((header.index(c) for c in ROSTER_COLUMNS if c in header), None)
    body = rows[1:] if column is not None else rows
    column = column or 0
    names = [r[column].strip() for r in body if len(r) > column and r[column].strip()]
    if not names:
        raise CollectError(f"The roster {path} lists no students (a header and no names under it).")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise CollectError(f"The roster {path} lists {', '.join(duplicates)} more than once.")
    return names


def _layout_regex(layout: str, set_name: str, targetpath: str) -> tuple[str, re.Pattern]:
    if "{user}" not in layout:
        raise CollectError(f"The layout '{layout}' has no {{user}}: it must say where the user name is.")
    try:
        glob = layout.format(user="*", set=set_name, targetpath=targetpath)
        pattern = re.escape(layout.replace("{user}", "\0")).replace("\0", "(?P<user>[^/]+)")
        pattern = pattern.replace(re.escape("{set}"), re.escape(set_name))
        pattern = pattern.replace(re.escape("{targetpath}"), re.escape(targetpath))
    except (KeyError, IndexError, ValueError) as exc:
        raise CollectError(f"The layout '{layout}' uses an unknown placeholder ({exc}); "
                           "the placeholders are {user}, {targetpath} and {set}.") from None
    return glob, re.compile(pattern + r"\Z")


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Refused(OSError):
    """The student's path is a link, a hard link or not a regular file: never followed, never collected."""


_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


def open_in_home(homes: Path, rel: str) -> int:
    """Open HOMES/REL for reading, one component at a time relative to the folder opened before (`dir_fd`),
    none of them followed if it is a symbolic link (O_NOFOLLOW), so the student cannot redirect any step."""
    parts = Path(rel).parts
    if not parts or any(p in ("", ".", "..") for p in parts):
        raise Refused(f"the path {rel} leaves the home folders")
    fd = os.open(homes, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    try:
        for part in parts[:-1]:
            try:
                nxt = os.open(part, _DIR_FLAGS, dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise Refused(f"{part} on the way to the notebook is a link or not a folder") from None
                raise
            os.close(fd)
            fd = nxt
        try:
            return os.open(parts[-1], _FILE_FLAGS, dir_fd=fd)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise Refused("the notebook is a symbolic link") from None
            raise
    finally:
        os.close(fd)


def _identity(st: os.stat_result) -> tuple:
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def _copy_verified(homes: Path, rel: str, dest: Path) -> tuple[str, os.stat_result]:
    """Copy the student's file from the descriptor opened without following links, with its modification
    time; return its hash and status. `fstat` before and after: the same regular file with one name
    (st_nlink 1), unchanged; the copy's SHA-256 must equal what was read."""
    for _ in range(3):  # a student saving during the copy: try again
        fd = open_in_home(homes, rel)
        try:
            before = os.fstat(fd)
            if not stat.S_ISREG(before.st_mode):
                raise Refused("the notebook is not a regular file")
            if before.st_nlink != 1:
                raise Refused(f"the notebook is a hard link ({before.st_nlink} names for one file)")
            h = hashlib.sha256()
            tmp = dest.with_name(f".{dest.name}.collecting")
            with open(tmp, "wb") as out:
                while block := os.read(fd, 1 << 20):
                    h.update(block)
                    out.write(block)
            after = os.fstat(fd)
        finally:
            os.close(fd)
        if _identity(after) == _identity(before) and after.st_nlink == 1 and tmp.stat().st_size == before.st_size \
                and sha256(tmp) == h.hexdigest():
            os.utime(tmp, ns=(before.st_atime_ns, before.st_mtime_ns))
            os.replace(tmp, dest)
            return h.hexdigest(), before
        tmp.unlink(missing_ok=True)
    raise OSError("the file kept changing while it was copied (is the student still saving it?)")


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="seconds")


def _own_homes() -> set[Path]:
    """The home folder of whoever runs the command (also through sudo), where collecting into is fine."""
    homes = {Path.home().resolve()}
    if os.environ.get("SUDO_USER"):
        import pwd

        try:
            homes.add(Path(pwd.getpwnam(os.environ["SUDO_USER"]).pw_dir).resolve())
        except KeyError:
            pass
    return homes


def find_notebooks(homes: Path, set_name: str, layout: str = DEFAULT_LAYOUT,
                   targetpath: str = DEFAULT_TARGETPATH) -> dict[str, Path]:
    """user name -> path of that user's notebook, for every home folder that has one."""
    glob, regex = _layout_regex(layout, set_name, targetpath)
    found = {}
    for path in sorted(homes.glob(glob)):
        m = regex.match(path.relative_to(homes).as_posix())
        if m:
            found[m.group("user")] = path
    return found


def collect(set_name: str, homes: Path, out: Path, *, roster: list[str] | None = None,
            deadline: datetime | None = None, layout: str = DEFAULT_LAYOUT,
            targetpath: str = DEFAULT_TARGETPATH) -> list[Row]:
    """Copy every student's notebook into `out/<user>/<set>.ipynb`; return one report row per student."""
    homes, out = Path(homes), Path(out)
    if not homes.is_dir():
        raise CollectError(f"The home folders {homes} do not exist (give the folder that holds the students' "
                           "home folders, e.g. /home on The Littlest JupyterHub).")
    if out.resolve() == homes.resolve():
        raise CollectError(f"The submissions folder {out} is the home folders' folder: collect into a folder of your own.")
    found = find_notebooks(homes, set_name, layout, targetpath)
    earlier = {d.name for d in out.iterdir() if d.is_dir() and not d.name.startswith(".")} if out.is_dir() else set()
    users = sorted(set(found) | set(roster or []) | earlier)
    bad = [u for u in users if u in (".", "..") or "/" in u or "\\" in u]
    if bad:
        raise CollectError(f"These user names cannot be folder names: {', '.join(bad)}.")
    mine = _own_homes()
    for user in set(found) | set(roster or []):
        home = (homes / Path(layout.format(user=user, set=set_name, targetpath=targetpath)).parts[0]).resolve()
        if home not in mine and (home == out.resolve() or home in out.resolve().parents):
            raise CollectError(f"The submissions folder {out} is inside {user}'s home folder, where that student could "
                               "read the whole class's work: collect into a folder of your own.")
    if not users:
        example = layout.format(user="<user>", set=set_name, targetpath=targetpath)
        raise CollectError(f"No notebook of {set_name} in {homes} (looked for {example}); give --roster to list "
                           "who is missing, or --layout if the notebooks are elsewhere.")
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for user in users:
        folder = out / user
        folder.mkdir(exist_ok=True)
        src = found.get(user)
        if src is None:
            kept = folder / f"{set_name}.ipynb"
            expected = Path(layout.format(user=user, set=set_name, targetpath=targetpath))
            note = (f"no notebook at {expected}" if (homes / expected.parts[0]).is_dir()
                    else f"no home folder {expected.parts[0]}")
            if kept.exists():
                note += "; the copy collected earlier is kept"
            rows.append(Row(user, "missing", note=note, sha256=sha256(kept) if kept.exists() else ""))
            continue
        rel = str(src.relative_to(homes))
        row = Row(user, "collected", source=rel)
        if roster is not None and user not in roster:
            row.status, row.note = "not_on_roster", "collected, but this user is not on the roster"
        try:
            row.sha256, st = _copy_verified(homes, rel, folder / f"{set_name}.ipynb")
            mtime = st.st_mtime
        except Refused as exc:
            row.status, row.note = "refused", f"{exc}: not collected (links are never followed)"
            rows.append(row)
            continue
        except OSError as exc:
            row.status, row.note = "unreadable", f"cannot be read: {exc.strerror or exc}"
            rows.append(row)
            continue
        row.modified_utc = _iso(mtime)
        if deadline is not None:
            row.late = "yes" if mtime > deadline.timestamp() else "no"
            if row.late == "yes" and row.status == "collected":
                row.status = "late"
        rows.append(row)
    write_report(out / REPORT, rows)
    return rows


def write_report(path: Path, rows: list[Row]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(REPORT_COLUMNS)
    for r in rows:  # user names, paths and notes come from the students' folder names: never a formula
        writer.writerow([neutralise(getattr(r, c)) for c in REPORT_COLUMNS])
    write_atomic(path, buffer.getvalue())


def add_parser(sub) -> None:
    """Register `collect` on the `escalation-grade` command line (called from cli.build_parser)."""
    c = sub.add_parser("collect", help="gather a class's notebooks from hub home folders for grading")
    c.add_argument("exercise", help="exercise set name, e.g. ex03_red_lines")
    c.add_argument("--from", dest="homes", required=True, help="folder holding the students' home folders (e.g. /home)")
    c.add_argument("--to", dest="out", required=True, help="submissions folder to create (one folder per student)")
    c.add_argument("--roster", help="CSV of enrolled students' hub user names (column 'username'), to list who has none")
    c.add_argument("--deadline", help="ISO 8601 date-time; notebooks saved after it are flagged as late")
    c.add_argument("--layout", default=DEFAULT_LAYOUT,
                   help=f"where a notebook is, relative to --from (default: {DEFAULT_LAYOUT})")
    c.add_argument("--targetpath", default=DEFAULT_TARGETPATH,
                   help=f"the folder the hand-out link pulled the module into (default: {DEFAULT_TARGETPATH})")
    c.add_argument("--quiet", "-q", action="store_true")
    c.set_defaults(func=cmd_collect)


def cmd_collect(args) -> int:
    set_name = Path(args.exercise).name.removesuffix(".ipynb")
    try:
        roster = read_roster(Path(args.roster)) if args.roster else None
        rows = collect(set_name, Path(args.homes), Path(args.out), roster=roster,
                       deadline=parse_deadline(args.deadline), layout=args.layout, targetpath=args.targetpath)
    except CollectError as exc:
        print(f"✘ {exc}", file=sys.stderr)
        return 2
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    if not args.quiet:
        print(f"{len(rows)} students: " + ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in sorted(counts.items())))
        for r in rows:
            if r.status not in ("collected",):
                print(f"  {r.student}: {r.status}" + (f" ({r.note})" if r.note else ""))
        print(f"report: {Path(args.out) / REPORT}\nnext:   escalation-grade grade {set_name} {args.out}")
    return 1 if counts.get("unreadable") else 0
