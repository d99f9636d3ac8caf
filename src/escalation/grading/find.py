"""Find the submissions in a folder and the identity each is graded as (find stage).

Identity comes from the instructor's side, never from the notebook:
- a notebook directly in the folder: its file name without `.ipynb`, with the exercise set name removed when
  it is part of the name (`alice_ex01_reading.ipynb` → `alice`);
- a notebook inside a sub-folder (LMS downloads): the top-level sub-folder's name, with Moodle's
  `_assignsubmission_file_` suffix removed (`Alice Smith_123_assignsubmission_file_/…` → `Alice Smith_123`);
- with a roster (`--roster FILE`, a CSV with a `student_id` column, e.g. made from the LMS's export), the
  roster row the file or folder name matches: a row matches when the name, after the variants' normalisation,
  equals one of the row's cells, or, for Moodle's `<full name>_<number>`, when the name equals one cell and
  the number is another cell (or ends one, as in `Participant 123`). The row's `student_id` is the identity;
  its other cells are the other names a typed id may be.
The typed `student_id` is only compared with those names, whole (score.id_matches).

Links are refused, never followed: a symbolic link, a hard link (a file with more than one name), or anything
that is not a regular file gets a row saying so; a link to a folder is never walked. Folders that are not
graded (hidden ones, whose names begin with a dot, and `__MACOSX`) are listed in `skipped` with the reason.
"""
from __future__ import annotations

import csv
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ..variants import normalise_id

IGNORED_DIRS = {"__MACOSX"}
ROSTER_ID = "student_id"
MAX_ROSTER_BYTES = 5 * 1024 ** 2


@dataclass
class Submission:
    """One student's submission: the id it is filed under, the file to grade (None: nothing to grade)."""

    student: str
    path: Path | None
    rel: str
    notes: list[str] = field(default_factory=list)
    aliases: tuple[str, ...] = ()  # the identity's other names, which a typed id may also be
    refused: str = ""  # why the file is not read at all (a link, not a regular file)

    @property
    def path_ids(self) -> tuple[str, ...]:
        """The identity first, then its other names (a typed student_id is compared with each, whole)."""
        return tuple(dict.fromkeys(x for x in (self.student, *self.aliases) if x))


@dataclass
class Found:
    """What a submissions folder holds: the submissions, and every folder or file not graded, with why."""

    submissions: list[Submission]
    skipped: list[str] = field(default_factory=list)


class RosterError(ValueError):
    """A roster file that cannot be used (the message says why and what to do)."""


def clean_id(text: str, exercise_name: str) -> str:
    """The student id a file or folder name gives."""
    text = re.sub(r"_?assignsubmission_\w*$", "", text).strip(" _-")
    if exercise_name and exercise_name in text and text != exercise_name:
        text = text.replace(exercise_name, " ")
        text = re.sub(r"[\s_-]{2,}", "_", text).strip(" _-")
    return text or exercise_name or "unknown"


def link_problem(st: os.stat_result) -> str:
    """Why a file with this (lstat) status is refused, or ""."""
    if stat.S_ISLNK(st.st_mode):
        return "it is a symbolic link"
    if not stat.S_ISREG(st.st_mode):
        return "it is not a regular file"
    if st.st_nlink > 1:
        return f"it is a hard link (the same file has {st.st_nlink} names)"
    return ""


def _notebooks(top: Path) -> tuple[list[Path], list[str]]:
    """The .ipynb entries below a student's folder (never following a link) and the links met on the way."""
    found, links = [], []
    for root, dirs, files in os.walk(top, followlinks=False):
        here = Path(root)
        for name in sorted(dirs):
            if os.path.islink(here / name):
                links.append(str((here / name).relative_to(top)))
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in IGNORED_DIRS
                         and not os.path.islink(here / d))
        found += [here / f for f in sorted(files) if f.endswith(".ipynb")]
    return found, links


def find_submissions(folder: Path, exercise_name: str = "", roster: "Roster | None" = None) -> list[Submission]:
    """Every student's notebook in a folder (flat or nested), one per identity, sorted by identity."""
    return find(folder, exercise_name, roster).submissions


def find(folder: Path, exercise_name: str = "", roster: "Roster | None" = None) -> Found:
    """The submissions in a folder, and what was not graded there, with why."""
    folder = Path(folder)
    if folder.is_symlink() or not folder.is_dir():
        raise FileNotFoundError(f"The submissions folder {folder} does not exist (or is a link).")
    groups: dict[str, list] = {}
    skipped: list[str] = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        st = entry.stat(follow_symlinks=False)
        if entry.name.startswith(".") or entry.name in IGNORED_DIRS:
            what = "folder" if stat.S_ISDIR(st.st_mode) else "file"
            skipped.append(f"{entry.name}: a hidden {what} (its name begins with a dot) or an archive's leftovers: "
                           "not graded; rename it if it is a student's submission.")
            continue
        if stat.S_ISDIR(st.st_mode):
            notebooks, links = _notebooks(Path(entry.path))
            key = clean_id(entry.name, exercise_name)
            notes = [f"The link {entry.name}/{link}/ was not followed." for link in links]
            if notebooks:
                for path in notebooks:
                    groups.setdefault(key, []).append((path, entry.name, notes))
            else:
                found = sorted(str(p.relative_to(entry.path)) for p in Path(entry.path).rglob("*")
                               if not p.is_symlink() and p.is_file())
                note = f"No notebook (.ipynb) in the folder {entry.name}/" + (
                    f"; it holds {', '.join(found[:5])}{' …' if len(found) > 5 else ''}." if found else " (it is empty).")
                groups.setdefault(key, []).append((None, entry.name, notes + [note]))
        elif entry.name.endswith(".ipynb"):
            groups.setdefault(clean_id(entry.name[: -len(".ipynb")], exercise_name), []).append(
                (Path(entry.path), entry.name[: -len(".ipynb")], []))
        elif stat.S_ISLNK(st.st_mode):
            skipped.append(f"{entry.name}: a symbolic link: not followed.")
        else:
            skipped.append(f"{entry.name}: not a notebook (.ipynb) or a student's folder: not graded.")
    subs = []
    for key, entries in groups.items():
        subs.append(_one(folder, key, entries, exercise_name))
    if roster is not None:
        subs = roster.assign(subs)
    return Found(sorted(subs, key=lambda s: s.student), skipped)


def _one(folder: Path, key: str, entries: list, exercise_name: str) -> Submission:
    raw = entries[0][1]
    notes = [n for _, _, ns in entries for n in ns]
    paths = [p for p, _, _ in entries if p is not None]
    aliases = (raw,)
    moodle = re.fullmatch(r"(.+?)_(\d+)", key)
    if moodle:
        aliases += (moodle.group(1),)
    if not paths:
        return Submission(key, None, "", list(dict.fromkeys(notes)), aliases)
    good = [p for p in paths if not link_problem(p.lstat())]
    refused = [p for p in paths if p not in good]
    pool = good or refused
    pool = sorted(pool, key=lambda p: (exercise_name not in p.stem, str(p.relative_to(folder))))
    chosen = pool[0]
    for p in refused:
        if p is not chosen:
            notes.append(f"{p.relative_to(folder)} was not read: {link_problem(p.lstat())}.")
    others = [p for p in pool[1:] if p not in refused]
    if others:
        notes.append(f"Several notebooks for this student: graded {chosen.relative_to(folder)}, ignored "
                     f"{', '.join(str(p.relative_to(folder)) for p in others)}.")
    problem = link_problem(chosen.lstat())
    return Submission(key, chosen, str(chosen.relative_to(folder)), notes, aliases, refused=problem)


# ----------------------------------------------------------------------------- the roster
class Roster:
    """The instructor's list of students: each row's `student_id` is an identity, its other cells its names."""

    def __init__(self, rows: list[dict[str, str]], source: str = "the roster"):
        self.rows = rows
        self.source = source

    @classmethod
    def read(cls, path: Path) -> "Roster":
        path = Path(path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise RosterError(f"The roster {path} cannot be read ({exc.strerror}).") from None
        if len(raw) > MAX_ROSTER_BYTES:
            raise RosterError(f"The roster {path} is larger than {MAX_ROSTER_BYTES // 1024 ** 2} MB.")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise RosterError(f"The roster {path} is not UTF-8 text: save it as CSV UTF-8.") from None
        try:
            sample = text[:4096]
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
        except csv.Error:
            dialect = csv.excel
        reader = csv.DictReader(text.splitlines(), dialect=dialect)
        fields = [f.strip() for f in (reader.fieldnames or [])]
        if ROSTER_ID not in fields:
            raise RosterError(f"The roster {path} needs a column named {ROSTER_ID!r} (the id each student was told "
                              f"to type, which picks their variants); its columns are: {', '.join(fields) or 'none'}.")
        rows, seen = [], {}
        for number, row in enumerate(reader, start=2):
            clean = {str(k).strip(): str(v or "").strip() for k, v in row.items() if k is not None}
            sid = clean.get(ROSTER_ID, "")
            if not sid:
                continue
            if normalise_id(sid) in seen:
                raise RosterError(f"The roster {path} lists the student_id {sid!r} twice (lines {seen[normalise_id(sid)]} "
                                  f"and {number}).")
            seen[normalise_id(sid)] = number
            rows.append(clean)
        if not rows:
            raise RosterError(f"The roster {path} lists no student (no row has a {ROSTER_ID}).")
        return cls(rows, str(path))

    def match(self, sub: Submission) -> dict[str, str] | None:
        """The roster row a submission's file or folder name gives, or None (no row, or several)."""
        names = {normalise_id(n) for n in sub.path_ids if n}
        moodle = re.fullmatch(r"(.+?)_(\d+)", sub.student)
        hits = []
        for row in self.rows:
            cells = {normalise_id(v) for v in row.values() if v}
            if names & cells:
                hits.append(row)
            elif moodle and normalise_id(moodle.group(1)) in cells and any(
                    c == moodle.group(2) or c.endswith(" " + moodle.group(2)) for c in cells):
                hits.append(row)
        return hits[0] if len(hits) == 1 else None

    def assign(self, subs: list[Submission]) -> list[Submission]:
        """Give each submission the identity of its roster row; add a `missing` row for every other student."""
        out: dict[str, Submission] = {}
        for sub in subs:
            row = self.match(sub)
            if row is None:
                sub.notes.append(f"{sub.rel or sub.student!r} matches no single student of {Path(self.source).name}: "
                                 f"graded as {sub.student!r}, the id its file or folder name gives.")
                identity, aliases = sub.student, sub.aliases
            else:
                identity = row[ROSTER_ID]
                aliases = tuple(v for k, v in row.items() if v and k != ROSTER_ID)
            if identity in out:
                kept = out[identity]
                if kept.path is None and sub.path is not None:
                    out[identity], sub, kept = sub, kept, sub
                kept.notes.append(f"{sub.rel or sub.student} is also this student's: not graded.")
                continue
            sub.student, sub.aliases = identity, aliases
            out[identity] = sub
        for row in self.rows:
            if row[ROSTER_ID] not in out:
                out[row[ROSTER_ID]] = Submission(row[ROSTER_ID], None, "", [
                    f"No submission found for this student of {Path(self.source).name}."],
                    tuple(v for k, v in row.items() if v and k != ROSTER_ID))
        return list(out.values())
