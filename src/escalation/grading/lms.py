"""Report stage: fill the grade CSV that Canvas or Moodle exported, and zip feedback files for upload.

The instructor downloads the LMS's own file (Canvas: Grades › Export, the gradebook CSV; Moodle: the
assignment's "Download grading worksheet"), this module writes the scores into it (and Moodle's
"Feedback comments" column), and the instructor uploads the new file. Only the cells that receive a score
or comment change: every other byte (encoding and byte-order mark, delimiter, quoting, line endings, row
order, extra rows such as Canvas's "Points Possible") is copied as it was.

Students are matched by the LMS's own ids, found in the submission paths the LMS gave out:
- Moodle folders `Full Name_1234_assignsubmission_file_` carry the participant number of the worksheet's
  `Identifier` column ("Participant 1234");
- Canvas downloads are named `lastfirst_12345_67890_file.ipynb` (`_LATE_` may follow the name): like
  Canvas itself, the first two all-digit parts between underscores are the user id (the gradebook's `ID`
  column) and the id of the submitted file;
- otherwise a gradebook student id equal to an LMS id (Canvas SIS User ID or SIS Login ID; Moodle email
  address, ID number or username), or a mapping CSV (`student,lms_id`) given by the instructor.
Nothing is dropped silently: every student of either file who gets no score is listed with the reason.
"""
from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import EscalationError
from .batch import safe_name
from .csvsafe import FORMULA_PREFIXES, neutralise
from .files import write_atomic
from .gradebook import EXPORT_NEEDS
from .result import GRADED_STATUSES

LMS_KINDS = ("canvas", "moodle")
COMMENT_PREFIX = "Escalation debates"


class LmsError(EscalationError):
    """An LMS file or option that cannot be used as it is."""


# ----------------------------------------------------------------------------- byte-faithful CSV
@dataclass
class Field:
    value: str
    raw: str  # the field exactly as it stands in the file (with its quotes)


@dataclass
class Record:
    fields: list[Field]
    end: str  # the line ending after the record ("" for a last line without one)

    @property
    def values(self) -> list[str]:
        return [f.value for f in self.fields]


@dataclass
class CsvDoc:
    prefix: bytes  # byte-order mark, if any
    encoding: str
    delimiter: str
    records: list[Record]

    def to_bytes(self) -> bytes:
        text = "".join(self.delimiter.join(f.raw for f in r.fields) + r.end for r in self.records)
        try:
            return self.prefix + text.encode(self.encoding)
        except UnicodeEncodeError as exc:
            raise LmsError(f"A value to write ({text[exc.start:exc.end]!r}) cannot be stored in the file's "
                           f"encoding {self.encoding}. Export the file again as UTF-8.") from None

    def as_utf8_comma(self) -> None:
        """Re-encode as UTF-8 with commas (what an LMS upload reads by default), re-quoting where needed."""
        old, self.delimiter, self.encoding = self.delimiter, ",", "utf-8"
        if self.prefix not in (b"", b"\xef\xbb\xbf"):
            self.prefix = b""
        if old != ",":
            for record in self.records:
                for n, f in enumerate(record.fields):
                    if f.raw.startswith('"') or any(c in f.value for c in (',', '"', "\r", "\n")):
                        record.fields[n] = Field(f.value, '"' + f.value.replace('"', '""') + '"')

    def set(self, row: int, col: int, value: str) -> None:
        record = self.records[row]
        while len(record.fields) <= col:  # a short row: pad it, as a spreadsheet would
            record.fields.append(Field("", ""))
        old = record.fields[col]
        quoted = [f.raw.startswith('"') for f in record.fields if f.raw]
        must = any(c in value for c in (self.delimiter, '"', "\r", "\n")) or value != value.strip()
        if must or old.raw.startswith('"') or (not old.raw and quoted and all(quoted)):
            raw = '"' + value.replace('"', '""') + '"'
        else:
            raw = value
        record.fields[col] = Field(value, raw)


_ENCODINGS = [(b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")]


def decode(data: bytes, label: str) -> tuple[bytes, str, str]:
    """(byte-order mark, encoding, text) of a CSV file; UTF-8 first, then Windows-1252 (Excel's)."""
    for bom, encoding in _ENCODINGS:
        if data.startswith(bom):
            try:
                return bom, encoding, data[len(bom):].decode(encoding)
            except UnicodeDecodeError:
                raise LmsError(f"{label} starts with a {encoding} byte-order mark but is not {encoding} "
                               "text.") from None
    try:
        return b"", "utf-8", data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return b"", "cp1252", data.decode("cp1252")
    except UnicodeDecodeError:
        raise LmsError(f"{label} is neither UTF-8 nor Windows-1252 text. Download the file from the LMS again "
                       "and use it without re-saving it, or save it as 'CSV UTF-8'.") from None


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: the most frequent of , ; and tab outside quotes."""
    line, inside = [], False
    for ch in text:
        if ch == '"':
            inside = not inside
        elif ch in "\r\n" and not inside:
            break
        elif not inside:
            line.append(ch)
    counts = {d: line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def parse_csv(text: str, delimiter: str) -> list[Record]:
    """RFC 4180 records that remember each field's raw text, so unchanged fields are written back as read.
    No field size limit (unlike the csv module's 128 KiB): a huge cell is read, and bounded by the caller."""
    records, i, n = [], 0, len(text)
    stop = re.compile("[" + re.escape(delimiter) + "\r\n]")

    def to_stop(k: int) -> int:
        m = stop.search(text, k)
        return m.start() if m else n

    while i < n:
        fields = []
        while True:
            start = i
            if i < n and text[i] == '"':
                i += 1
                parts = []
                while True:
                    j = text.find('"', i)
                    if j < 0:  # no closing quote: the rest of the file
                        parts.append(text[i:])
                        i = n
                        break
                    parts.append(text[i:j])
                    if text.startswith('""', j):
                        parts.append('"')
                        i = j + 2
                        continue
                    i = j + 1
                    break
                k = to_stop(i)  # stray text after the closing quote
                parts.append(text[i:k])
                i = k
                fields.append(Field("".join(parts), text[start:i]))
            else:
                i = to_stop(i)
                fields.append(Field(text[start:i], text[start:i]))
            if i < n and text[i] == delimiter:
                i += 1
                continue
            break
        if text.startswith("\r\n", i):
            end = "\r\n"
        elif i < n:
            end = text[i]
        else:
            end = ""
        i += len(end)
        records.append(Record(fields, end))
    return records


def read_table(path: Path, label: str) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows (as dicts) of a UTF-8 CSV of ours (gradebook, mapping), every cell bounded to
    CELL_LIMIT characters; blank lines are skipped."""
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LmsError(f"{label} {path} is not UTF-8: save it as 'CSV UTF-8'.") from None
    records = [r.values for r in parse_csv(text, sniff_delimiter(text)) if r.values != [""]]
    if not records:
        return [], []
    header = [h.strip() for h in records[0]]
    rows = [{h: bounded(v) for h, v in zip(header, r)} for r in records[1:]]
    return header, rows


CELL_LIMIT = 2000  # characters kept of any one cell read from, or written to, a CSV


def bounded(value: str, limit: int = CELL_LIMIT) -> str:
    """A cell cut to `limit` characters, saying how much was left out (a 3 MB reason stays readable)."""
    if len(value) <= limit:
        return value
    return value[:limit] + f" … [{len(value) - limit} more characters not shown]"


def restore(value: str) -> str:
    """A cell that csvsafe.neutralise quoted (a leading ' before a formula character), as the text it was."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES) else value


def read_doc(path: Path) -> CsvDoc:
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise LmsError(f"{path} does not exist. Download the grade file from the LMS first.") from None
    if not data.strip():
        raise LmsError(f"{path} is empty. Download the grade file from the LMS again.")
    prefix, encoding, text = decode(data, str(path))
    delimiter = sniff_delimiter(text)
    return CsvDoc(prefix, encoding, delimiter, parse_csv(text, delimiter))


# ----------------------------------------------------------------------------- the LMS files
@dataclass
class LmsRow:
    index: int  # record number in the file
    name: str
    keys: dict[str, str]  # kind of id -> value, e.g. {"canvas_id": "12345", "sis_login": "asmith"}
    grade: str = ""
    comment: str = ""
    max_points: str = ""
    locked: bool = False


@dataclass
class LmsFile:
    kind: str
    doc: CsvDoc
    header: list[str]
    rows: list[LmsRow]
    grade_col: int
    grade_label: str
    comment_col: int | None = None
    max_points: str = ""  # Canvas: the column's "Points Possible"
    notes: list[str] = field(default_factory=list)


def _col(header: list[str], *names: str) -> int | None:
    wanted = [n.casefold() for n in names]
    for i, h in enumerate(header):
        if h.strip().casefold() in wanted:
            return i
    return None


def _cell(record: Record, col: int | None) -> str:
    return record.values[col] if col is not None and col < len(record.fields) else ""


_CANVAS_ASSIGNMENT = re.compile(r"^(?P<name>.*\S)\s*\((?P<id>\d+)\)$")


def _norm(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", text).strip().casefold()


def read_canvas(doc: CsvDoc, column: str | None, exercise_name: str) -> LmsFile:
    header = [h.strip() for h in doc.records[0].values]
    id_col = _col(header, "ID")
    if _col(header, "Student") is None or id_col is None:
        raise LmsError("This is not a Canvas gradebook export: its first row needs the columns 'Student' and "
                       f"'ID' (it has: {', '.join(header[:8])}). In Canvas: Grades › Export › Export Entire Gradebook.")
    assignments = {i: m for i, h in enumerate(header) if (m := _CANVAS_ASSIGNMENT.match(h))}
    if column:
        hits = [i for i, h in enumerate(header) if h == column.strip()] or [
            i for i, m in assignments.items() if _norm(m["name"]) == _norm(column) or m["id"] == column.strip()]
    else:
        hits = [i for i, m in assignments.items() if _norm(exercise_name) in _norm(m["name"])]
    names = "; ".join(f"'{header[i]}'" for i in assignments) or "none"
    if len(hits) != 1:
        what = f"'{column}'" if column else f"a name containing '{exercise_name}'"
        raise LmsError(f"{'Several' if hits else 'No'} assignment columns match {what}. Name the column with "
                       f"--column (its name, or its number in brackets). Assignment columns: {names}. A new "
                       "assignment must be created in Canvas first, then the gradebook exported again.")
    grade_col = hits[0]
    if grade_col not in assignments:
        raise LmsError(f"'{header[grade_col]}' is not an assignment column (Canvas computes it and ignores it on "
                       f"import). Assignment columns: {names}.")
    cols = {k: _col(header, n) for k, n in (("sis_user", "SIS User ID"), ("sis_login", "SIS Login ID"),
                                             ("integration", "Integration ID"))}
    student_col = _col(header, "Student")
    rows, max_points = [], ""
    for index, record in enumerate(doc.records[1:], start=1):
        name = _cell(record, student_col)
        if name.strip() == "Points Possible":
            max_points = _cell(record, grade_col).strip()
            continue
        canvas_id = _cell(record, id_col).strip()
        if not canvas_id:  # "Manual Posting" / "Muted" rows and blank lines carry no student
            continue
        keys = {"canvas_id": canvas_id, **{k: _cell(record, c).strip() for k, c in cols.items() if c is not None}}
        rows.append(LmsRow(index, name, {k: v for k, v in keys.items() if v}, grade=_cell(record, grade_col)))
    return LmsFile("canvas", doc, header, rows, grade_col, header[grade_col], max_points=max_points)


_PARTICIPANT = re.compile(r"(\d+)\s*$")

# The worksheet's column headers are Moodle language strings, in the language of the user who downloaded it
# (mod/assign/gradingtable.php builds them with get_string; the upload, feedback/offline/importgradeslib.php,
# looks for get_string('gradenoun'), get_string('recordid', 'assign') and get_string('lastmodifiedgrade', 'assign')
# in the uploader's language). Keys are Moodle's string ids. Sources, as read:
# - English, component assign: moodle/moodle mod/assign/lang/en/assign.php at commit
#   0085741f6f10a6c62f66ce4389fb1095d256f807 (it defines maxgrade twice, 'Maximum grade' then 'Maximum Grade';
#   PHP keeps the second, and both are accepted here). gradenoun as the grade column: moodle/moodle
#   mod/assign/feedback/offline/importgradeslib.php at commit 9762977c028cbd1884ed311a94c49efbae87591b (older
#   versions used get_string('grade'), also 'Grade' in English). The feedback column is the comments plugin's
#   get_editor_fields(): get_string('pluginname', 'assignfeedback_comments')
#   (mod/assign/feedback/comments/locallib.php).
# - English core strings (moodle.php: fullname, email, idnumber, username, gradenoun, no; and
#   assignfeedback_comments.php: pluginname) and all German, French and Spanish strings: Moodle's AMOS language
#   packs, version 4.5, as mirrored in github.com/projectestac/moodle-langpacks at commit
#   6340d351fc1339a800835fc90f5f3f769ec97446 (files {de,fr,es,en}/assign.php, moodle.php, assignfeedback_comments.php).
MOODLE_HEADERS = {
    "en": {"recordid": ("Identifier",), "fullname": ("Full name",), "email": ("Email address",),
           "idnumber": ("ID number",), "username": ("Username",), "status": ("Status",), "gradenoun": ("Grade",),
           "maxgrade": ("Maximum Grade", "Maximum grade"), "gradecanbechanged": ("Grade can be changed",),
           "lastmodifiedsubmission": ("Last modified (submission)",), "lastmodifiedgrade": ("Last modified (grade)",),
           "comments": ("Feedback comments",), "no": ("No",)},
    "de": {"recordid": ("ID",), "fullname": ("Vollständiger Name",), "email": ("E-Mail-Adresse",),
           "idnumber": ("ID-Nummer",), "username": ("Anmeldename",), "status": ("Status",), "gradenoun": ("Bewertung",),
           "maxgrade": ("Bestwertung",), "gradecanbechanged": ("Bewertung kann geändert werden",),
           "lastmodifiedsubmission": ("Zuletzt geändert (Abgabe)",),
           "lastmodifiedgrade": ("Zuletzt geändert (Bewertung)",), "comments": ("Feedback als Kommentar",),
           "no": ("Nein",)},
    "fr": {"recordid": ("Identifiant",), "fullname": ("Nom complet",), "email": ("Adresse de courriel",),
           "idnumber": ("Numéro d’identification",), "username": ("Nom d’utilisateur",), "status": ("Statut",),
           "gradenoun": ("Note",), "maxgrade": ("Note maximale",),
           "gradecanbechanged": ("La note peut être modifiée",),
           "lastmodifiedsubmission": ("Dernière modification (travail remis)",),
           "lastmodifiedgrade": ("Dernière modification (note)",), "comments": ("Feedback par commentaires",),
           "no": ("Non",)},
    "es": {"recordid": ("Identificador",), "fullname": ("Nombre completo",), "email": ("Dirección de correo",),
           "idnumber": ("Número de ID",), "username": ("Nombre de usuario",), "status": ("Estado",),
           "gradenoun": ("Calificación",), "maxgrade": ("Calificación máxima",),
           "gradecanbechanged": ("La calificación puede ser cambiada",),
           "lastmodifiedsubmission": ("Última modificación (entrega)",),
           "lastmodifiedgrade": ("Última modificación (calificación)",),
           "comments": ("Comentarios de retroalimentación",), "no": ("No",)},
}
MOODLE_LANGUAGES = {"en": "English", "de": "German", "fr": "French", "es": "Spanish"}
_MOODLE_NEEDED = ("recordid", "gradenoun", "lastmodifiedgrade")  # what Moodle's upload looks for


def moodle_language(header: list[str]) -> str | None:
    """The language whose worksheet headers the first row uses (most of them matched), or None."""
    found = {h.strip().casefold() for h in header}
    score = {lang: sum(any(n.casefold() in found for n in names) for key, names in strings.items() if key != "no")
             for lang, strings in MOODLE_HEADERS.items()}
    best = max(score, key=lambda lang: (score[lang], lang == "en"))
    needed = sum(any(n.casefold() in found for n in MOODLE_HEADERS[best][k]) for k in _MOODLE_NEEDED)
    return best if needed >= 2 else None


def read_moodle(doc: CsvDoc, column: str | None) -> LmsFile:
    header = [h.strip() for h in doc.records[0].values]
    lang = moodle_language(header)
    has = ", ".join(f"'{h}'" for h in header[:12]) + (" …" if len(header) > 12 else "")
    if lang is None:
        known = "; ".join(f"{MOODLE_LANGUAGES[k]}: '{v['recordid'][0]}', '{v['gradenoun'][0]}', "
                          f"'{v['lastmodifiedgrade'][0]}'" for k, v in MOODLE_HEADERS.items())
        raise LmsError("This is not a Moodle grading worksheet in a language this command knows: its first row needs "
                       f"the columns Moodle's upload reads ({known}); it has: {has}. In Moodle: the assignment › "
                       "View all submissions › Grading action › Download grading worksheet.")
    strings = MOODLE_HEADERS[lang]

    def col(key):
        return _col(header, *strings[key])

    id_col = col("recordid")
    grade_col = _col(header, column) if column else col("gradenoun")
    if id_col is None or grade_col is None:
        expected = strings["recordid"][0] if id_col is None else (column or strings["gradenoun"][0])
        raise LmsError(f"This Moodle grading worksheet ({MOODLE_LANGUAGES[lang]}) has no column '{expected}'; it has: "
                       f"{has}." + (" Give the grade column's name with --column." if id_col is not None else ""))
    name_col = col("fullname")
    comment_col = col("comments")
    max_col = col("maxgrade")
    lock_col = col("gradecanbechanged")
    no = {n.casefold() for n in strings["no"]}
    ident = {k: col(k) for k in ("email", "idnumber", "username")}
    rows = []
    for index, record in enumerate(doc.records[1:], start=1):
        m = _PARTICIPANT.search(_cell(record, id_col))
        if not m:
            continue
        keys = {"participant": str(int(m.group(1))), **{k: _cell(record, c).strip() for k, c in ident.items()
                                                          if c is not None}}
        rows.append(LmsRow(index, _cell(record, name_col), {k: v for k, v in keys.items() if v},
                           grade=_cell(record, grade_col), comment=_cell(record, comment_col),
                           max_points=_cell(record, max_col).strip(),
                           locked=_cell(record, lock_col).strip().casefold() in no))
    notes = [] if comment_col is not None else [
        f"The worksheet has no '{strings['comments'][0]}' column (feedback comments are off for this assignment): "
        "scores only; the feedback files zip still works if feedback files are on."]
    if lang != "en":
        notes.append(f"Worksheet in {MOODLE_LANGUAGES[lang]}: upload it as a Moodle user with the same language, "
                     "because Moodle's upload looks for the column names in the uploader's language.")
    return LmsFile("moodle", doc, header, rows, grade_col, header[grade_col], comment_col=comment_col, notes=notes)


def read_lms(kind: str, path: Path, column: str | None = None, exercise_name: str = "") -> LmsFile:
    """Read an LMS grade file: the students' rows with their ids, current grade and comment."""
    if kind not in LMS_KINDS:
        raise LmsError(f"Unknown LMS '{kind}': use one of {', '.join(LMS_KINDS)}.")
    doc = read_doc(path)
    return read_canvas(doc, column, exercise_name) if kind == "canvas" else read_moodle(doc, column)


# ----------------------------------------------------------------------------- the gradebook side
def canvas_ids(name: str) -> tuple[str, str] | None:
    """(user id, attachment id) from a Canvas download name, read the way Canvas reads it back."""
    digits = [p for p in Path(name).name.split("_") if p.isdigit()]
    return (str(int(digits[0])), digits[1]) if len(digits) >= 2 else None


def moodle_participant(name: str) -> str | None:
    m = re.search(r"_(\d+)(?:_assignsubmission_\w*)?_?$", Path(name).name) or re.search(
        r"_(\d+)_assign(?:submission|feedback)_", name)
    return str(int(m.group(1))) if m else None


@dataclass
class GradebookRow:
    student: str
    file: str
    status: str
    total: float | None
    max_points: float | None
    scores: dict[str, str]
    reasons: str
    id_check: str = ""  # ok / mismatch / missing, when the grader records it


def read_gradebook(folder: Path) -> list[GradebookRow]:
    """Read `gradebook.csv` by column name (extra columns are ignored). Cells are bounded (CELL_LIMIT) and a
    student id or file that the report stage neutralised for spreadsheets is read back as the folder name."""
    path = Path(folder) / "gradebook.csv"
    if not path.is_file():
        raise LmsError(f"{path} does not exist: grade the submissions first (escalation-grade grade …), and give "
                       "the output folder with --gradebook.")
    header, table = read_table(path, "The gradebook")
    missing = set(EXPORT_NEEDS) - set(header)
    if missing:
        raise LmsError(f"{path} lacks the columns {', '.join(sorted(missing))}: it is not a gradebook written by "
                       "escalation-grade.")

    def num(text):
        try:
            return float(text)
        except (TypeError, ValueError):
            return None

    rows = []
    for row in table:
        scores = {k: v for k, v in row.items() if k and re.fullmatch(r"q\d+\w*", k)}
        rows.append(GradebookRow(restore(row.get("student", "")), restore(row.get("file") or ""),
                                 row.get("status", ""), num(row.get("total")), num(row.get("max_points")), scores,
                                 row.get("reasons") or "", (row.get("id_check") or "").strip()))
    return rows


def read_mapping(path: Path | None) -> dict[str, str]:
    """A mapping CSV with columns student, lms_id (any id the LMS file shows for that student)."""
    if not path:
        return {}
    if not Path(path).is_file():
        raise LmsError(f"The mapping file {path} does not exist.")
    header, table = read_table(path, "The mapping file")
    if not {"student", "lms_id"} <= set(header):
        raise LmsError(f"The mapping file {path} needs the columns student and lms_id.")
    return {r["student"].strip(): r.get("lms_id", "").strip() for r in table if (r.get("student") or "").strip()}


# ----------------------------------------------------------------------------- matching and filling
@dataclass
class Outcome:
    kind: str  # filled, not_filled, not_in_lms, not_in_gradebook, ambiguous
    student: str = ""
    lms_name: str = ""
    lms_id: str = ""
    score: str = ""
    previous: str = ""
    note: str = ""


def _key_of(lms: LmsFile, row: LmsRow) -> str:
    return row.keys.get("canvas_id") or (f"Participant {row.keys['participant']}" if "participant" in row.keys else "")


def match(lms: LmsFile, gradebook: list[GradebookRow], mapping: dict[str, str]) -> tuple[dict, dict]:
    """For each gradebook student, the positions (in lms.rows) of the LMS rows that are theirs; and the
    LMS id read from each student's name or file (to explain a student that matches no row)."""
    by_key: dict[tuple[str, str], list[int]] = {}
    any_key: dict[str, list[int]] = {}
    for n, row in enumerate(lms.rows):
        for kind, value in row.keys.items():
            by_key.setdefault((kind, value.casefold()), []).append(n)
            any_key.setdefault(value.casefold(), []).append(n)
        if "participant" in row.keys:
            any_key.setdefault(f"participant {row.keys['participant']}", []).append(n)
    found, parsed = {}, {}
    for g in gradebook:
        if g.student in mapping:
            hits = any_key.get(mapping[g.student].casefold(), [])
        else:
            hits = []
            for name in (g.student, g.file.split("/")[0] if g.file else ""):
                if not name:
                    continue
                if lms.kind == "canvas" and (ids := canvas_ids(name)):
                    hits = by_key.get(("canvas_id", ids[0]), [])
                    parsed[g.student] = f"Canvas user id {ids[0]}"
                elif lms.kind == "moodle" and (p := moodle_participant(name)):
                    hits = by_key.get(("participant", p), [])
                    parsed[g.student] = f"Participant {p}"
                if hits:
                    break
            if not hits:
                hits = [n for n in any_key.get(g.student.strip().casefold(), [])
                        if lms.kind == "moodle" or "participant" not in lms.rows[n].keys]
        found[g.student] = sorted(set(hits))
    return found, parsed


def _decimal_comma(values: list[str]) -> bool:
    return any(re.fullmatch(r"\d+,\d+", v.strip()) for v in values if v)


def _number(text: str) -> float | None:
    try:
        return float(text.strip().replace(",", "."))
    except (AttributeError, ValueError):
        return None


def _fmt(x: float, comma: bool) -> str:
    text = f"{round(x, 2):.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if comma else text


def feedback_comment(exercise_name: str, g: GradebookRow, score: str, max_text: str, written: set[str],
                     comma: bool = False) -> str:
    parts = "; ".join(f"{q} {_fmt(_number(v), comma) if _number(v) is not None else '–'}" for q, v in g.scores.items())
    return (f"{COMMENT_PREFIX}, {exercise_name}: {score} / {max_text} points ({parts}). "
            f"Your feedback page lists each question's checks and the rubric"
            + (" of the written answers" if written else "") + ".")


@dataclass
class FillResult:
    lms: LmsFile
    outcomes: list[Outcome]
    feedback: dict[str, bytes]  # zip entry name -> file content


def fill(kind: str, exercise, gradebook_dir: Path, lms_path: Path, *, column: str | None = None,
         mapping: dict[str, str] | None = None, scale: bool = False, include_pending: bool = False,
         utf8_comma: bool = False) -> FillResult:
    """Fill the LMS file's grade (and Moodle comment) cells from the gradebook; nothing is written to disk."""
    gradebook = read_gradebook(gradebook_dir)
    lms = read_lms(kind, lms_path, column, exercise.name)
    written = {q.key for q in exercise.questions if q.kind == "written"}
    max_points = exercise.max_points
    comma = _decimal_comma([r.grade for r in lms.rows] + [r.max_points for r in lms.rows] + [lms.max_points])
    if utf8_comma:
        lms.doc.as_utf8_comma()
        comma = False  # a comma-separated file gets decimal points
    elif lms.doc.encoding != "utf-8" or lms.doc.delimiter != ",":
        lms.notes.append(f"The file is {lms.doc.encoding} with '{lms.doc.delimiter}' between fields (a spreadsheet "
                         "re-saved it?) and is written back the same way. If the LMS's upload does not accept that, "
                         "run again with --utf8-comma.")
    matches, parsed = match(lms, gradebook, mapping or {})
    claimed: dict[int, list[str]] = {}
    for student, hits in matches.items():
        for n in hits:
            claimed.setdefault(n, []).append(student)
    outcomes, feedback = [], {}
    lms_max_values = {_number(t) for t in [r.max_points for r in lms.rows] + [lms.max_points]}
    lms_max_values.discard(None)
    mismatch = sorted(v for v in lms_max_values if abs(v - max_points) > 1e-9)
    if mismatch and not scale:
        raise LmsError(f"The LMS assignment is out of {_fmt(mismatch[0], False)} points, the exercise set "
                       f"{exercise.name} out of {_fmt(max_points, False)}. Change the assignment's maximum in "
                       "the LMS, or pass --scale to convert the scores proportionally.")
    feedback_dir = Path(gradebook_dir) / "feedback"

    over: list[str] = []  # scores above the LMS maximum: refused as a whole, nothing is written
    lms_maxima: set[float] = set()

    for g in sorted(gradebook, key=lambda g: g.student):
        hits = matches[g.student]
        if not hits:
            if mapping and g.student in mapping:
                how = f"the mapping gives '{mapping[g.student]}', which no row of the LMS file shows"
            elif g.student in parsed:
                how = (f"its name gives {parsed[g.student]}, which no row of the LMS file has (a student who left "
                       "the course, or an export of another section or assignment?)")
            else:
                how = ("no LMS id could be read from its name or file, and no row of the LMS file has this id; add "
                       "it to a mapping CSV (--mapping)")
            outcomes.append(Outcome("not_in_lms", g.student, note=f"Not in the LMS file: {how}."))
            continue
        if len(hits) > 1:
            names = ", ".join(lms.rows[n].name for n in hits)
            outcomes.append(Outcome("ambiguous", g.student, note=f"Matches several LMS rows ({names}); not filled. "
                                    "Give the right id in a mapping CSV."))
            continue
        row = lms.rows[hits[0]]
        out = Outcome("not_filled", g.student, row.name, _key_of(lms, row), previous=row.grade)
        others = [s for s in claimed[hits[0]] if s != g.student]
        pending = [q for q in sorted(written) if g.status in GRADED_STATUSES and g.scores.get(q, "") == ""]
        if others:
            out.kind = "ambiguous"
            out.note = f"The same LMS row also matches {', '.join(others)}; not filled. Use a mapping CSV."
        elif g.status not in GRADED_STATUSES or g.total is None:
            out.note = (f"Not filled: the submission could not be graded (status {g.status}). Enter a grade by "
                        "hand after checking with the student.")
        elif pending and not include_pending:
            out.note = (f"Not filled: written answers {', '.join(pending)} are not scored yet (escalation-grade "
                        "merge), or pass --include-pending to upload the partial total.")
        elif row.locked:
            out.note = "Not filled: Moodle says this grade cannot be changed (locked or overridden in the gradebook)."
        else:
            lms_max = _number(row.max_points) if row.max_points else _number(lms.max_points)
            value = g.total * (lms_max / max_points) if scale and lms_max and max_points else g.total
            if lms_max is not None and round(value, 2) > lms_max + 1e-9:
                over.append(f"{g.student} ({_fmt(g.total, False)} of {_fmt(max_points, False)} points"
                            + (f" gives {_fmt(value, False)} scaled" if value != g.total else "") + ")")
                lms_maxima.add(lms_max)
            out.kind = "filled"
            out.score = _fmt(value, comma)
            lms.doc.set(row.index, lms.grade_col, out.score)
            notes = []
            if pending:
                notes.append(f"partial total: {', '.join(pending)} not scored yet")
            if row.grade.strip() and _number(row.grade) != _number(out.score):
                notes.append(f"replaced {row.grade.strip()}")
            if g.id_check == "mismatch":
                notes.append("the id entered in the notebook does not match the file's (see the gradebook's "
                             "reasons): check before uploading")
            if lms.comment_col is not None:
                text = _text_cell(html.escape(feedback_comment(exercise.name, g, out.score,
                                                               _fmt(lms_max or max_points, comma), written, comma),
                                              quote=False))
                if not row.comment.strip() or row.comment.startswith(COMMENT_PREFIX):
                    lms.doc.set(row.index, lms.comment_col, text)
                else:
                    notes.append("kept the feedback comment already in Moodle")
            joined = "; ".join(notes)
            out.note = joined[:1].upper() + joined[1:] + ("." if notes else "")
        page = feedback_dir / f"{safe_name(g.student)}.html"
        entry = feedback_entry(lms, row, g, exercise.name) if out.kind != "ambiguous" else None
        if page.is_file() and entry:
            feedback[entry] = page.read_bytes()
        elif page.is_file() and out.kind != "ambiguous":
            out.note = (out.note + " " if out.note else "") + ("No feedback file: Canvas needs the submitted "
                                                                 "file's id, found only in the downloaded file's name.")
        outcomes.append(out)
    for n, row in enumerate(lms.rows):
        if n not in claimed:
            test = " (Canvas's test student)" if lms.kind == "canvas" and row.name.strip() == "Student, Test" else ""
            outcomes.append(Outcome("not_in_gradebook", lms_name=row.name, lms_id=_key_of(lms, row),
                                    previous=row.grade, note=f"In the LMS file but no graded submission matches{test} "
                                    "(no submission, or a name the mapping does not cover); left unchanged."))
    if over:
        where = ("Canvas's Points Possible" if lms.kind == "canvas"
                 else f"Moodle's '{_maximum_label(lms)}' column")
        shown = "; ".join(over[:10]) + (f"; and {len(over) - 10} more" if len(over) > 10 else "")
        raise LmsError(f"{len(over)} score(s) would be above the LMS maximum of "
                       f"{' / '.join(_fmt(m, False) for m in sorted(lms_maxima))} ({where}): {shown}. Nothing was "
                       "written (Moodle skips a grade above the maximum without a word; Canvas would record it as "
                       "extra credit). Check these totals in the gradebook, or the assignment's maximum in the LMS.")
    return FillResult(lms, outcomes, feedback)


def _maximum_label(lms: LmsFile) -> str:
    for names in (strings["maxgrade"] for strings in MOODLE_HEADERS.values()):
        col = _col(lms.header, *names)
        if col is not None:
            return lms.header[col]
    return "Maximum grade"


def feedback_entry(lms: LmsFile, row: LmsRow, g: GradebookRow, exercise_name: str) -> str | None:
    """The zip entry name each LMS's bulk feedback upload matches to the student."""
    label = "feedback-" + re.sub(r"[^\w.-]+", "-", exercise_name).replace("_", "-") + ".html"
    if lms.kind == "moodle":
        name = " ".join(re.sub(r"[_/\\:*?\"<>|]+", " ", row.name).split()) or "student"
        return f"{name}_{row.keys['participant']}_assignsubmission_file_/{label}"
    for source in (g.file.split("/")[0] if g.file else "", g.student):
        ids = canvas_ids(source) if source else None
        if ids and ids[0] == row.keys.get("canvas_id"):
            first = Path(source).name.split("_")[0]
            lastfirst = first if first and not first.isdigit() else "student"
            return f"{lastfirst}_{ids[0]}_{ids[1]}_{label}"
    return None


def write_zip(path: Path, entries: dict[str, bytes]) -> None:
    """A deterministic zip (sorted entries, fixed dates), written atomically."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, entries[name])
    write_atomic(path, buffer.getvalue())


def _text_cell(value: str) -> str:
    """A text cell of a CSV we write: bounded, and never a spreadsheet formula (names, ids, notes come from
    students' folder names and the LMS's rows)."""
    return neutralise(bounded(value))


def _number_cell(value: str) -> str:
    """A score stays a number (a negative one is not a formula); anything else is text."""
    return value if _number(value) is not None else _text_cell(value)


REPORT_FIELDS = ["outcome", "student", "lms_name", "lms_id", "score", "previous", "note"]
ORDER = {"filled": 0, "not_filled": 1, "ambiguous": 2, "not_in_lms": 3, "not_in_gradebook": 4}


def write_outputs(result: FillResult, out: Path, feedback_zip: Path | None) -> dict[str, Path]:
    """Write the filled LMS file, the match report CSV and the feedback zip."""
    out = Path(out)
    write_atomic(out, result.lms.doc.to_bytes())
    paths = {"filled": out}
    report = out.with_name(f"{out.stem}_report.csv")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(REPORT_FIELDS)
    for o in sorted(result.outcomes, key=lambda o: (ORDER[o.kind], o.student, o.lms_name)):
        writer.writerow([o.kind, *(_text_cell(v) for v in (o.student, o.lms_name, o.lms_id)), o.score,
                         _number_cell(o.previous.strip()), _text_cell(o.note)])
    report.write_text(buffer.getvalue(), encoding="utf-8")
    paths["report"] = report
    if feedback_zip is not None and result.feedback:
        write_zip(Path(feedback_zip), result.feedback)
        paths["feedback"] = Path(feedback_zip)
    return paths


UPLOAD_HINT = {
    "canvas": ("Upload {filled} in Canvas: Grades › Import, then check the preview. Feedback files: Assignment › "
               "Re-Upload Submissions with {zip} (each file arrives as a submission comment)."),
    "moodle": ("Upload {filled} in Moodle: the assignment › View all submissions › Grading action › Upload grading "
               "worksheet. Feedback files: Grading action › Upload multiple feedback files in a zip, with {zip}."),
}


def summary(result: FillResult, paths: dict[str, Path]) -> str:
    counts: dict[str, int] = {}
    for o in result.outcomes:
        counts[o.kind] = counts.get(o.kind, 0) + 1
    lines = [f"{result.lms.kind}: {counts.get('filled', 0)} scores written into column '{result.lms.grade_label}' "
             f"of {paths['filled']}."]
    labels = {"not_filled": "matched but not filled", "ambiguous": "ambiguous (not filled)",
              "not_in_lms": "graded but not in the LMS file",
              "not_in_gradebook": "in the LMS file with no graded submission"}
    for kind, label in labels.items():
        items = [o for o in result.outcomes if o.kind == kind]
        if items:
            lines.append(f"⚠ {len(items)} {label}:")
            lines += [f"   {o.student or o.lms_name}{' (' + o.lms_name + ')' if o.student and o.lms_name else ''}: "
                      f"{o.note}" for o in items[:20]]
            if len(items) > 20:
                lines.append(f"   … and {len(items) - 20} more")
    lines += [f"Note: {n}" for n in result.lms.notes]
    lines.append(f"Every student with the reason: {paths['report']}")
    zip_path = paths.get("feedback")
    lines.append(UPLOAD_HINT[result.lms.kind].format(filled=paths["filled"], zip=zip_path or "(no feedback files)"))
    return "\n".join(lines)


def cmd_lms(args) -> int:
    """`escalation-grade lms canvas|moodle SET --gradebook DIR --lms-file FILE --out FILE`."""
    from .source import load_exercise

    exercise = load_exercise(args.exercise)
    gradebook = Path(args.gradebook or Path("grades") / exercise.name)
    out, lms_file = Path(args.out), Path(args.lms_file)
    if out.resolve() == lms_file.resolve():
        raise LmsError("--out must be a new file: keep the LMS's export as it is.")
    result = fill(args.lms, exercise, gradebook, lms_file, column=args.column, mapping=read_mapping(args.mapping),
                  scale=args.scale, include_pending=args.include_pending, utf8_comma=args.utf8_comma)
    zip_path = None if args.no_feedback_files else Path(args.feedback_zip or out.with_name(f"{out.stem}_feedback.zip"))
    paths = write_outputs(result, out, zip_path)
    if not args.quiet:
        print(summary(result, paths))
    return 0


def add_parser(sub) -> None:
    """Register the `lms` subcommand (called from cli.py)."""
    p = sub.add_parser("lms", help="fill the grade CSV exported by Canvas or Moodle, and zip feedback files")
    p.add_argument("lms", choices=LMS_KINDS, help="which LMS exported the file")
    p.add_argument("exercise", help="exercise set name (ex01_reading) or path of its source notebook")
    p.add_argument("--gradebook", help="folder holding gradebook.csv and feedback/ (default: grades/<exercise>)")
    p.add_argument("--lms-file", required=True, help="the CSV downloaded from the LMS (left unchanged)")
    p.add_argument("--out", required=True, help="the filled CSV to write (upload this one)")
    p.add_argument("--column", help="Canvas: the assignment column (name or number); Moodle: the grade column's "
                                    "name if not 'Grade'")
    p.add_argument("--mapping", help="CSV with columns student, lms_id for students whose id cannot be read "
                                     "from their file or folder name")
    p.add_argument("--scale", action="store_true", help="convert scores when the LMS maximum differs from the set's")
    p.add_argument("--include-pending", action="store_true",
                   help="also upload totals whose written answers are not scored yet")
    p.add_argument("--utf8-comma", action="store_true",
                   help="write the filled file as UTF-8 with commas, whatever the exported file used")
    p.add_argument("--feedback-zip", help="where to write the feedback files zip (default: next to --out)")
    p.add_argument("--no-feedback-files", action="store_true", help="do not write the feedback zip")
    p.add_argument("--quiet", "-q", action="store_true")
    p.set_defaults(func=cmd_lms)
