"""LMS round trip: fill Canvas's gradebook export and Moodle's grading worksheet, then read them back.

The sample files in tests/fixtures/lms/ follow each LMS's documented export format (see the README there),
with names holding accents, commas and quotes. Every test reads the filled file again and compares.
"""
from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from escalation.grading import lms
from escalation.grading.batch import safe_name

FIXTURES = Path(__file__).parent / "fixtures" / "lms"
EXERCISE = SimpleNamespace(
    name="ex01_reading", max_points=20.0,
    questions=[SimpleNamespace(key="q1", kind="auto", points=4.0), SimpleNamespace(key="q2", kind="auto", points=6.0),
               SimpleNamespace(key="q3", kind="written", points=10.0)])


def gradebook_dir(tmp_path: Path, which: str) -> Path:
    """A copy of a sample gradebook with each student's feedback page, as `escalation-grade grade` writes them."""
    folder = tmp_path / which
    (folder / "feedback").mkdir(parents=True)
    shutil.copy(FIXTURES / which / "gradebook.csv", folder / "gradebook.csv")
    with (folder / "gradebook.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            (folder / "feedback" / f"{safe_name(row['student'])}.html").write_text(
                f"<p>Feedback for {row['student']}</p>", encoding="utf-8")
    return folder


def run(tmp_path, kind, gradebook, lms_file, mapping=None, **options):
    result = lms.fill(kind, EXERCISE, gradebook_dir(tmp_path, gradebook), FIXTURES / lms_file,
                      mapping=lms.read_mapping(FIXTURES / mapping) if mapping else None, **options)
    paths = lms.write_outputs(result, tmp_path / "filled.csv", tmp_path / "feedback.zip")
    return result, paths


def table(path: Path, encoding="utf-8-sig") -> list[list[str]]:
    text = path.read_bytes().decode(encoding)
    delimiter = ";" if text.splitlines()[0].count(";") > text.splitlines()[0].count(",") else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def changed_cells(before: list[list[str]], after: list[list[str]]) -> dict[tuple[int, int], tuple[str, str]]:
    assert len(before) == len(after)  # no row added, dropped or moved
    out = {}
    for r, (a, b) in enumerate(zip(before, after)):
        assert len(a) == len(b), r
        out.update({(r, c): (x, y) for c, (x, y) in enumerate(zip(a, b)) if x != y})
    return out


def outcomes(result) -> dict[str, str]:
    return {(o.student or o.lms_name): o.kind for o in result.outcomes}


# ----------------------------------------------------------------------------- Canvas
@pytest.mark.parametrize("lms_file", ["canvas_gradebook_export.csv", "canvas_gradebook_export_semicolon.csv"])
def test_canvas_fill_changes_only_the_assignment_column(tmp_path, lms_file):
    result, paths = run(tmp_path, "canvas", "gradebook_canvas", lms_file, mapping="mapping_canvas.csv")
    before, after = table(FIXTURES / lms_file), table(paths["filled"])
    col = before[0].index("ex01_reading (4501)")
    changes = changed_cells(before, after)
    assert {k[1] for k in changes} == {col}
    by_name = {row[0]: row[col] for row in after[2:]}
    assert by_name == {"Smith, Alice": "18", "Dupré, Zoé": "15.5", 'O\'Brien, "Pat" Jr.': "17",
                       "Nguyễn, Văn An": "", "Müller, Jörg": "", "Lima, Ana": "", "Student, Test": ""}
    assert after[1][0] == "    Points Possible" and after[1][col] == "20.00"
    assert outcomes(result) == {
        "smithalice_1001_5001": "filled",  # id from the Canvas download name
        "duprézoé_LATE_1002_5002_1": "filled",  # late, resubmitted ("-1"), accents
        "pat": "filled",  # through the mapping CSV (SIS Login ID)
        "alima": "not_filled",  # matched by SIS Login ID; written answer not scored yet
        "nguyễnvănan_1004_5004": "not_filled",  # empty file: never a silent 0
        "ghost_2001_6001": "not_in_lms", "Müller, Jörg": "not_in_gradebook", "Student, Test": "not_in_gradebook"}
    assert "test student" in next(o for o in result.outcomes if o.lms_name == "Student, Test").note
    smith = next(o for o in result.outcomes if o.student == "smithalice_1001_5001")
    assert smith.previous == "12.00" and "Replaced 12.00" in smith.note
    # read back with the module's own reader too: the round trip gives the scores written
    again = lms.read_lms("canvas", paths["filled"], exercise_name="ex01_reading")
    assert {r.name: r.grade for r in again.rows}["Dupré, Zoé"] == "15.5"
    assert again.max_points == "20.00"


def test_canvas_file_keeps_bom_delimiter_quoting_and_line_endings(tmp_path):
    for name in ("canvas_gradebook_export.csv", "canvas_gradebook_export_semicolon.csv"):
        _, paths = run(tmp_path / name, "canvas", "gradebook_canvas", name, mapping="mapping_canvas.csv")
        original, filled = (FIXTURES / name).read_bytes(), paths["filled"].read_bytes()
        assert filled.startswith(b"\xef\xbb\xbf")
        old_lines, new_lines = original.split(b"\n"), filled.split(b"\n")
        assert len(old_lines) == len(new_lines)
        untouched = [n for n, (a, b) in enumerate(zip(old_lines, new_lines)) if a == b]
        # header, Points Possible row and the four rows without a new score are byte-identical
        assert untouched == [0, 1, 5, 6, 7, 8, 9], name
        assert all(line.endswith(b"\r") for line in new_lines[:-1]) == name.endswith("semicolon.csv")
    filled = (tmp_path / "canvas_gradebook_export.csv" / "filled.csv").read_bytes().decode("utf-8-sig")
    assert '"O\'Brien, ""Pat"" Jr.",1003,S003,pobrien,,"Media Literacy, Section B",17,7.00' in filled


def test_canvas_feedback_zip_uses_the_names_canvas_reads_back(tmp_path):
    result, paths = run(tmp_path, "canvas", "gradebook_canvas", "canvas_gradebook_export.csv",
                        mapping="mapping_canvas.csv")
    with zipfile.ZipFile(paths["feedback"]) as zf:
        names = zf.namelist()
        assert zf.read("smithalice_1001_5001_feedback-ex01-reading.html") == (
            tmp_path / "gradebook_canvas" / "feedback" / "smithalice_1001_5001.html").read_bytes()
    assert names == sorted(names)
    # Canvas's re-upload reads the first two all-digit parts of a name as user id and submitted-file id
    expected = {"smithalice_1001_5001": ("1001", "5001"), "duprézoé_LATE_1002_5002_1": ("1002", "5002"),
                "nguyễnvănan_1004_5004": ("1004", "5004")}
    read_back = {}
    for name in names:
        digits = [p for p in name.split("_") if p.isdigit()][:2]
        read_back[tuple(digits)] = name
    assert set(read_back) == set(expected.values())
    pat = next(o for o in result.outcomes if o.student == "pat")
    assert "No feedback file" in pat.note  # matched through the mapping: no submitted-file id to reuse
    assert "does not match" in pat.note  # the grader's id_check column is passed on


def test_canvas_column_choice_and_errors(tmp_path):
    gradebook = gradebook_dir(tmp_path, "gradebook_canvas")
    source = FIXTURES / "canvas_gradebook_export.csv"
    for column in ("ex01_reading (4501)", "ex01_reading", "4501"):
        result = lms.fill("canvas", EXERCISE, gradebook, source, column=column)
        assert result.lms.grade_label == "ex01_reading (4501)"
    with pytest.raises(lms.LmsError, match="not an assignment column"):
        lms.fill("canvas", EXERCISE, gradebook, source, column="Final Score")
    with pytest.raises(lms.LmsError, match="No assignment columns match 'Essay 9'.*'Reading response \\(4502\\)'"):
        lms.fill("canvas", EXERCISE, gradebook, source, column="Essay 9")
    with pytest.raises(lms.LmsError, match="not a Canvas gradebook export"):
        lms.fill("canvas", EXERCISE, gradebook, FIXTURES / "moodle_grading_worksheet.csv")
    other = SimpleNamespace(**{**vars(EXERCISE), "max_points": 14.0})
    with pytest.raises(lms.LmsError, match="out of 20 points.*out of 14.*--scale"):
        lms.fill("canvas", other, gradebook, source)
    wider = SimpleNamespace(**{**vars(EXERCISE), "max_points": 25.0})
    scaled = lms.fill("canvas", wider, gradebook, source, mapping={"pat": "pobrien"}, scale=True)
    assert {o.student: o.score for o in scaled.outcomes if o.kind == "filled"} == {
        "pat": "13.6", "smithalice_1001_5001": "14.4", "duprézoé_LATE_1002_5002_1": "12.4"}  # 17, 18, 15.5 × 20/25


def test_scale_never_writes_above_the_canvas_maximum(tmp_path):
    """The issue's case: a set out of 14, Canvas's column out of 20, Alice's 18 gave 25.71 without a word."""
    gradebook = gradebook_dir(tmp_path, "gradebook_canvas")
    other = SimpleNamespace(**{**vars(EXERCISE), "max_points": 14.0})
    with pytest.raises(lms.LmsError) as info:
        lms.fill("canvas", other, gradebook, FIXTURES / "canvas_gradebook_export.csv", mapping={"pat": "pobrien"},
                 scale=True)
    message = str(info.value)
    assert "above the LMS maximum of 20 (Canvas's Points Possible)" in message
    assert "smithalice_1001_5001 (18 of 14 points gives 25.71 scaled)" in message  # 18 × 20/14 = 25.714…
    assert "pat (17 of 14 points gives 24.29 scaled)" in message and "Nothing was written" in message
    assert "duprézoé_LATE_1002_5002_1 (15.5 of 14 points gives 22.14 scaled)" in message
    assert message.startswith("3 score(s)")  # alima's 10 gives 14.29: pending, and within the maximum anyway


def _gradebook_with_total(tmp_path, which, student, total):
    folder = gradebook_dir(tmp_path, which)
    path = folder / "gradebook.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if row["student"] == student:
            row["total"] = str(total)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return folder


@pytest.mark.parametrize("scale, set_max", [(False, 20.0), (True, 16.0)])
def test_never_above_moodles_maximum_grade(tmp_path, scale, set_max):
    """The issue's case: 25 written into a worksheet whose Maximum grade is 20 (Moodle then skips it silently)."""
    total = 25 if not scale else 20  # 20 of 16, scaled to the worksheet's 20: 25
    folder = _gradebook_with_total(tmp_path, "gradebook_moodle", "Alice Smith_1234", total)
    exercise = SimpleNamespace(**{**vars(EXERCISE), "max_points": set_max})
    with pytest.raises(lms.LmsError, match=r"above the LMS maximum of 20 \(Moodle's 'Maximum Grade' column\): "
                                           r"Alice Smith_1234 \(") as info:
        lms.fill("moodle", exercise, folder, FIXTURES / "moodle_grading_worksheet.csv", scale=scale)
    assert ("gives 25 scaled" in str(info.value)) == scale


def test_the_refusal_writes_nothing(tmp_path, capsys):
    from escalation.grading.cli import main
    from escalation.grading.source import load_exercise

    top = load_exercise("ex01_reading").max_points
    grades = tmp_path / "grades"
    grades.mkdir()
    (grades / "gradebook.csv").write_text("student,file,status,total,max_points\n"
                                          f"Ann_77,Ann_77_assignsubmission_file_/x.ipynb,graded,{top},{top}\n"
                                          f"Ben_78,Ben_78_assignsubmission_file_/x.ipynb,graded,{top * 1.25},{top}\n",
                                          encoding="utf-8")
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("Identifier,Full name,Grade,Maximum grade,Last modified (grade)\n"
                     "Participant 77,Ann,,20.00,-\nParticipant 78,Ben,,20.00,-\n", encoding="utf-8")
    out = tmp_path / "filled.csv"
    code = main(["lms", "moodle", "ex01_reading", "--gradebook", str(grades), "--lms-file", str(sheet),
                 "--out", str(out), "--scale", "--include-pending"])
    err = capsys.readouterr().err
    assert code == 2 and "1 score(s)" in err and "Ben_78" in err and "Ann_77" not in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["grades", "sheet.csv"]  # no filled file, report or zip


def test_include_pending_uploads_the_partial_total(tmp_path):
    result, paths = run(tmp_path, "canvas", "gradebook_canvas", "canvas_gradebook_export.csv",
                        mapping="mapping_canvas.csv", include_pending=True)
    alima = next(o for o in result.outcomes if o.student == "alima")
    assert alima.kind == "filled" and alima.score == "10" and "partial total" in alima.note.lower()
    row = next(r for r in table(paths["filled"]) if r[0] == "Lima, Ana")
    assert row[6] == "10"


# ----------------------------------------------------------------------------- Moodle
def test_moodle_fill_grades_and_feedback_comments(tmp_path):
    result, paths = run(tmp_path, "moodle", "gradebook_moodle", "moodle_grading_worksheet.csv",
                        mapping="mapping_moodle.csv")
    before, after = table(FIXTURES / "moodle_grading_worksheet.csv"), table(paths["filled"])
    header = before[0]
    grade, comment = header.index("Grade"), header.index("Feedback comments")
    assert {k[1] for k in changed_cells(before, after)} == {grade, comment}
    rows = {r[1]: r for r in after[1:]}
    assert rows["Alice Smith"][grade] == "17.5"
    assert rows['Pat "PJ" O\'Brien, Jr.'][grade] == "13"  # folder name with comma and quotes
    assert rows["Bob Jones"][grade] == "10"  # mapping CSV: email address
    assert rows["Zoé Dupré"][grade] == "12"
    assert rows["Zoé Dupré"][comment] == "<p>Great improvement!</p>"  # the instructor's own comment is kept
    assert rows["Alice Smith"][comment].startswith(
        "Escalation debates, ex01_reading: 17.5 / 20 points (q1 4; q2 6; q3 7.5)")
    for name in ("Nguyễn Văn An", "Jörg Müller", "Ana Lima", "Inès Ortiz"):
        assert rows[name] == next(r for r in before[1:] if r[1] == name)
    assert outcomes(result) == {
        "Alice Smith_1234": "filled", "Pat PJ O'Brien, Jr._1236": "filled", "Zoé Dupré_1235": "filled",
        "bjones": "filled", "Inès Ortiz_1241": "not_filled", "Jörg Müller_1238": "not_filled",
        "Nguyễn Văn An_1237": "not_filled", "Ghost Person_9999": "not_in_lms", "Ana Lima": "not_in_gradebook"}
    ghost = next(o for o in result.outcomes if o.student == "Ghost Person_9999")
    assert "Participant 9999" in ghost.note
    assert "cannot be changed" in next(o for o in result.outcomes if o.student == "Inès Ortiz_1241").note
    # the report lists every student of both files, with the reason
    report = list(csv.DictReader(io.StringIO(paths["report"].read_text(encoding="utf-8"))))
    assert len(report) == 9 and all(r["note"] for r in report if r["outcome"] != "filled")
    again = lms.read_lms("moodle", paths["filled"])
    assert {r.name: r.grade for r in again.rows}["Pat \"PJ\" O'Brien, Jr."] == "13"


def test_moodle_excel_resave_keeps_encoding_semicolons_crlf_and_decimal_comma(tmp_path):
    result, paths = run(tmp_path, "moodle", "gradebook_moodle", "moodle_grading_worksheet_excel.csv",
                        mapping="mapping_moodle.csv")
    assert result.lms.doc.encoding == "cp1252" and result.lms.doc.delimiter == ";"
    raw = paths["filled"].read_bytes()
    raw.decode("cp1252")
    assert b"\r\n" in raw and raw.count(b"\r\n") == raw.count(b"\n")
    after = table(paths["filled"], "cp1252")
    rows = {r[1]: r for r in after[1:]}
    assert rows["Alice Smith"][4] == "17,5" and rows["Zoé Dupré"][4] == "12"
    assert "17,5 / 20 points (q1 4; q2 6; q3 7,5)" in rows["Alice Smith"][9]
    before = table(FIXTURES / "moodle_grading_worksheet_excel.csv", "cp1252")
    assert {k[1] for k in changed_cells(before, after)} == {4, 9}


def test_moodle_feedback_zip_folders_match_moodles_import_rule(tmp_path):
    _, paths = run(tmp_path, "moodle", "gradebook_moodle", "moodle_grading_worksheet.csv", mapping="mapping_moodle.csv")
    with zipfile.ZipFile(paths["feedback"]) as zf:
        names = zf.namelist()
        alice = zf.read("Alice Smith_1234_assignsubmission_file_/feedback-ex01-reading.html")
    assert alice == (tmp_path / "gradebook_moodle" / "feedback" / "Alice_Smith_1234-"
                     f"{safe_name('Alice Smith_1234').split('-')[-1]}.html").read_bytes()
    # Moodle's zip import splits each folder name at "_" (at most 5 parts): part 2 is the participant
    # number, parts 3 and 4 a plugin; the name part must therefore hold no "_"
    participants = set()
    for name in names:
        folder = name.split("/")[0]
        info = folder.split("_", 4)
        assert len(info) >= 4 and info[1].isdigit() and (info[2], info[3]) == ("assignsubmission", "file")
        participants.add(info[1])
    assert participants == {"1234", "1235", "1236", "1237", "1238", "1240", "1241"}
    assert "Pat PJ O'Brien, Jr._1236_assignsubmission_file_/feedback-ex01-reading.html" in names


def test_deterministic_outputs(tmp_path):
    first = run(tmp_path / "a", "moodle", "gradebook_moodle", "moodle_grading_worksheet.csv", "mapping_moodle.csv")[1]
    second = run(tmp_path / "b", "moodle", "gradebook_moodle", "moodle_grading_worksheet.csv", "mapping_moodle.csv")[1]
    for key in ("filled", "report", "feedback"):
        assert first[key].read_bytes() == second[key].read_bytes(), key


# ----------------------------------------------------------------------------- CSV details and bad input
def test_csv_reader_keeps_raw_fields():
    text = 'a,"b ""q"", c",d\r\n"multi\nline",,\n\nlast'
    records = lms.parse_csv(text, ",")
    assert [r.values for r in records] == [["a", 'b "q", c', "d"], ["multi\nline", "", ""], [""], ["last"]]
    assert "".join(",".join(f.raw for f in r.fields) + r.end for r in records) == text
    doc = lms.CsvDoc(b"", "utf-8", ",", records)
    doc.set(0, 0, 'x,"y"')
    doc.set(1, 1, "plain")  # the row's other filled fields are all quoted: so is the new one
    doc.set(3, 0, "new")  # an unquoted field stays unquoted
    assert doc.to_bytes().decode() == '"x,""y""","b ""q"", c",d\r\n"multi\nline","plain",\n\nnew'


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (b"\xff\xfe\x00\xd8", "not utf-16-le text"),  # a lone surrogate
    ("Name,Score\nA,1\n".encode(), "not a Moodle grading worksheet"),
])
def test_bad_lms_files_get_a_clear_message(tmp_path, content, message):
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    with pytest.raises(lms.LmsError, match=message):
        lms.read_lms("moodle", path)


def test_cli_round_trip_with_the_real_grader_gradebook(tmp_path, capsys):
    """`escalation-grade lms moodle …` on a gradebook written by the grader's own report code."""
    from escalation.grading.cli import main
    from escalation.grading.report import gradebook_rows, write_gradebook
    from escalation.grading.result import Result
    from escalation.grading.source import load_exercise

    exercise = load_exercise("ex01_reading")
    auto = [q for q in exercise.questions if q.kind == "auto"]
    results = [Result(student="Zoë Ångström_77",
                      file="Zoë Ångström_77_assignsubmission_file_/ex01_reading.ipynb", status="graded",
                      scores={q.key: q.points for q in auto}),
               Result(student="Late Comer_78", file="Late Comer_78_assignsubmission_file_/x.ipynb",
                      status="invalid_json")]
    grades = tmp_path / "grades"
    (grades / "feedback").mkdir(parents=True)
    write_gradebook(grades / "gradebook.csv", exercise, gradebook_rows(exercise, results, {}))
    for r in results:
        (grades / "feedback" / f"{safe_name(r.student)}.html").write_text("<p>feedback</p>", encoding="utf-8")
    maximum = f"{exercise.max_points:.2f}"
    worksheet = tmp_path / "worksheet.csv"
    worksheet.write_bytes(("\ufeffIdentifier,Full name,Email address,Status,Grade,Maximum Grade,Grade can be changed,"
                           "Last modified (submission),Last modified (grade),Feedback comments\r\n"
                           f'Participant 77,"Ångström, Zoë",z@example.edu,Submitted,,{maximum},Yes,-,-,\r\n'
                           f"Participant 78,Late Comer,l@example.edu,Submitted,,{maximum},Yes,-,-,\r\n").encode())
    out = tmp_path / "filled.csv"
    code = main(["lms", "moodle", "ex01_reading", "--gradebook", str(grades), "--lms-file", str(worksheet),
                 "--out", str(out), "--include-pending"])
    printed = capsys.readouterr().out
    assert code == 0
    assert "1 scores written" in printed and "Late Comer_78" in printed and "invalid_json" in printed
    rows = table(out)
    assert rows[1][4] == f"{exercise.auto_points:g}" and rows[2][4] == ""
    assert out.read_bytes().startswith(b"\xef\xbb\xbf") and out.read_bytes().count(b"\r\n") == 3
    assert (tmp_path / "filled_feedback.zip").is_file() and (tmp_path / "filled_report.csv").is_file()
    assert main(["lms", "moodle", "ex01_reading", "--gradebook", str(grades), "--lms-file", str(worksheet),
                 "--out", str(worksheet)]) == 2
    assert "--out must be a new file" in capsys.readouterr().err


def test_ids_the_grader_derives_from_lms_downloads_carry_the_lms_ids(tmp_path):
    """The grader's student ids (batch.find_submissions) keep what the matching reads."""
    from escalation.grading.batch import find_submissions

    canvas, moodle = tmp_path / "canvas", tmp_path / "moodle"
    canvas.mkdir()
    for name in ("smithalice_1001_5001_ex01_reading.ipynb", "duprézoé_LATE_1002_5002_ex01_reading-1.ipynb"):
        (canvas / name).write_text("{}", encoding="utf-8")
    for folder in ("Alice Smith_1234_assignsubmission_file_", "Pat PJ O'Brien, Jr._1236_assignsubmission_file_",
                   "Zoé Dupré_1235_assignfeedback_file"):
        (moodle / folder).mkdir(parents=True)
        (moodle / folder / "ex01_reading.ipynb").write_text("{}", encoding="utf-8")
    assert {s.student: lms.canvas_ids(s.student) for s in find_submissions(canvas, "ex01_reading")} == {
        "smithalice_1001_5001": ("1001", "5001"), "duprézoé_LATE_1002_5002_1": ("1002", "5002")}
    subs = find_submissions(moodle, "ex01_reading")
    assert sorted(lms.moodle_participant(s.student) or lms.moodle_participant(s.rel.split("/")[0])
                  for s in subs) == ["1234", "1235", "1236"]


def test_utf8_comma_option_rewrites_a_spreadsheet_resave_for_upload(tmp_path):
    plain = run(tmp_path / "plain", "moodle", "gradebook_moodle", "moodle_grading_worksheet_excel.csv",
                mapping="mapping_moodle.csv")[0]
    assert any("--utf8-comma" in n for n in plain.lms.notes)
    result = lms.fill("moodle", EXERCISE, gradebook_dir(tmp_path, "gradebook_moodle"),
                      FIXTURES / "moodle_grading_worksheet_excel.csv", mapping={"bjones": "b.jones@example.edu"},
                      utf8_comma=True)
    paths = lms.write_outputs(result, tmp_path / "filled.csv", None)
    raw = paths["filled"].read_bytes()
    assert "Zoé".encode("utf-8") in raw and b"\r\n" in raw
    rows = table(paths["filled"])
    before = table(FIXTURES / "moodle_grading_worksheet_excel.csv", "cp1252")
    assert rows[0] == before[0] and len(rows) == len(before)
    alice = next(r for r in rows if r[1] == "Alice Smith")
    assert alice[4] == "17.5" and alice[5] == "20,00"  # our score with a decimal point; other cells as they were
    assert '"Monday, 30 November 2026, 9:14 AM"' in raw.decode("utf-8")  # re-quoted for commas
    assert "feedback" not in paths


# ----------------------------------------------------------------------------- Moodle in other languages
# The header rows, typed here from Moodle's language packs (AMOS, version 4.5: {lang}/assign.php, moodle.php,
# assignfeedback_comments.php, as mirrored in github.com/projectestac/moodle-langpacks at 6340d351fc13): the
# strings gradingtable.php puts in the worksheet's first row.
LOCALISED_HEADERS = {
    "de": ["ID", "Vollständiger Name", "E-Mail-Adresse", "Status", "Bewertung", "Bestwertung",
           "Bewertung kann geändert werden", "Zuletzt geändert (Abgabe)", "Zuletzt geändert (Bewertung)",
           "Feedback als Kommentar"],
    "fr": ["Identifiant", "Nom complet", "Adresse de courriel", "Statut", "Note", "Note maximale",
           "La note peut être modifiée", "Dernière modification (travail remis)", "Dernière modification (note)",
           "Feedback par commentaires"],
    "es": ["Identificador", "Nombre completo", "Dirección de correo", "Estado", "Calificación", "Calificación máxima",
           "La calificación puede ser cambiada", "Última modificación (entrega)", "Última modificación (calificación)",
           "Comentarios de retroalimentación"],
}


@pytest.mark.parametrize("lang", sorted(LOCALISED_HEADERS))
def test_moodle_worksheet_in_german_french_and_spanish(tmp_path, lang):
    name = f"moodle_grading_worksheet_{lang}.csv"
    before = table(FIXTURES / name)
    assert before[0] == LOCALISED_HEADERS[lang]
    result, paths = run(tmp_path, "moodle", "gradebook_moodle", name, mapping="mapping_moodle.csv")
    after = table(paths["filled"])
    grade, comment = 4, 9
    assert {k[1] for k in changed_cells(before, after)} == {grade, comment}
    rows = {r[1]: r for r in after[1:]}
    assert rows["Alice Smith"][grade] == "17,5"  # the worksheet writes numbers with the language's decimal comma
    assert rows["Bob Jones"][grade] == "10" and rows["Zoé Dupré"][comment] == "<p>Great improvement!</p>"
    assert rows["Alice Smith"][comment].startswith("Escalation debates, ex01_reading: 17,5 / 20 points")
    assert outcomes(result) == {
        "Alice Smith_1234": "filled", "Pat PJ O'Brien, Jr._1236": "filled", "Zoé Dupré_1235": "filled",
        "bjones": "filled", "Inès Ortiz_1241": "not_filled", "Jörg Müller_1238": "not_filled",
        "Nguyễn Văn An_1237": "not_filled", "Ghost Person_9999": "not_in_lms", "Ana Lima": "not_in_gradebook"}
    assert "cannot be changed" in next(o for o in result.outcomes if o.student == "Inès Ortiz_1241").note
    assert result.lms.grade_label == LOCALISED_HEADERS[lang][4]
    assert any("same language" in n for n in result.lms.notes)
    assert lms.read_lms("moodle", paths["filled"]).rows[0].grade == "17,5"


@pytest.mark.parametrize("lang, missing, expected", [
    ("de", "Bewertung", "has no column 'Bewertung'"), ("fr", "Identifiant", "has no column 'Identifiant'"),
    ("es", "Calificación", "has no column 'Calificación'")])
def test_a_localised_worksheet_without_a_needed_column_names_it(tmp_path, lang, missing, expected):
    text = (FIXTURES / f"moodle_grading_worksheet_{lang}.csv").read_text(encoding="utf-8")
    first, rest = text.split("\n", 1)
    path = tmp_path / "w.csv"
    path.write_text(first.replace(missing, "Something else", 1) + "\n" + rest, encoding="utf-8")
    with pytest.raises(lms.LmsError, match=re.escape(expected)) as info:
        lms.read_lms("moodle", path)
    assert "'Something else'" in str(info.value)  # the headers found are listed


def test_a_worksheet_in_an_unknown_language_is_refused_with_what_was_expected(tmp_path):
    path = tmp_path / "nl.csv"  # Dutch (nl/assign.php): not in the table
    path.write_text("Identificatie,Volledige naam,Status,Cijfer,Laatst gewijzigd (beoordeling)\n", encoding="utf-8")
    with pytest.raises(lms.LmsError) as info:
        lms.read_lms("moodle", path)
    message = str(info.value)
    assert "not a Moodle grading worksheet in a language this command knows" in message
    assert "German: 'ID', 'Bewertung', 'Zuletzt geändert (Bewertung)'" in message
    assert "'Laatst gewijzigd (beoordeling)'" in message


# ----------------------------------------------------------------------------- students' text: huge, or formulas
def _rewrite_gradebook(folder: Path, change) -> None:
    path = folder / "gradebook.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    fields = list(rows[0])
    rows = [change(dict(r)) or r for r in rows]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def test_a_3_mb_reason_does_not_stop_the_class(tmp_path):
    """Issue 19: 3 MB of text in one student's reasons made `escalation-grade lms` fail for everyone
    ("field larger than field limit", the csv module's 131072-character limit)."""
    folder = gradebook_dir(tmp_path, "gradebook_moodle")

    def huge(row):
        if row["student"] == "Jörg Müller_1238":
            row["reasons"] = "please award full marks manually " * 100_000  # 3.3 MB
        return row

    _rewrite_gradebook(folder, huge)
    assert (folder / "gradebook.csv").stat().st_size > 3_000_000
    with pytest.raises(csv.Error, match="field larger than field limit"):  # what the old reader hit
        list(csv.DictReader(io.StringIO((folder / "gradebook.csv").read_text(encoding="utf-8"))))
    result = lms.fill("moodle", EXERCISE, folder, FIXTURES / "moodle_grading_worksheet.csv",
                      mapping={"bjones": "b.jones@example.edu"})
    assert sum(o.kind == "filled" for o in result.outcomes) == 4
    assert len(next(g for g in lms.read_gradebook(folder) if g.student == "Jörg Müller_1238").reasons) < 2100
    paths = lms.write_outputs(result, tmp_path / "filled.csv", None)
    for path in (paths["filled"], paths["report"]):  # everything written reads back with the default limit
        assert list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def test_a_huge_mapping_cell_is_read_and_bounded(tmp_path):
    path = tmp_path / "mapping.csv"
    path.write_text("student,lms_id\nbjones," + "x" * 300_000 + "\n", encoding="utf-8")
    assert len(lms.read_mapping(path)["bjones"]) < 2100


def test_formula_names_reach_the_report_and_the_lms_file_as_text(tmp_path):
    """A Moodle folder named `=1+2_1234_assignsubmission_file_` (the student's own name in Moodle's profile):
    matched by its participant number, and shown as text, never run as a formula."""
    folder = gradebook_dir(tmp_path, "gradebook_moodle")
    feedback = folder / "feedback"

    def rename(row):
        if row["student"] == "Alice Smith_1234":
            row["student"] = "'=1+2_1234"  # as the report stage writes it: neutralised
            row["file"] = "'=1+2_1234_assignsubmission_file_/ex01_reading.ipynb"
        elif row["student"] == "Ghost Person_9999":
            row["student"] = "@SUM(A1)_9999"
        elif row["student"] == "Zoé Dupré_1235":
            row["total"] = "-1.5"
        return row

    _rewrite_gradebook(folder, rename)
    (feedback / f"{safe_name('=1+2_1234')}.html").write_text("<p>formula folder</p>", encoding="utf-8")
    sheet = tmp_path / "sheet.csv"
    sheet.write_text((FIXTURES / "moodle_grading_worksheet.csv").read_text(encoding="utf-8")
                     .replace('"Alice Smith"', '"=1+2"'), encoding="utf-8")
    result = lms.fill("moodle", EXERCISE, folder, sheet, mapping={"bjones": "b.jones@example.edu"})
    paths = lms.write_outputs(result, tmp_path / "filled.csv", tmp_path / "feedback.zip")
    report = {r[1]: r for r in csv.reader(io.StringIO(paths["report"].read_text(encoding="utf-8")))}
    assert report["'=1+2_1234"][0] == "filled" and report["'=1+2_1234"][2] == "'=1+2"
    assert report["'@SUM(A1)_9999"][0] == "not_in_lms"
    assert report["Zoé Dupré_1235"][4] == "-1.5"  # a negative score stays a number
    filled = table(paths["filled"])
    assert next(r for r in filled if r[0] == "Participant 1234")[4] == "17.5"
    assert next(r for r in filled if r[0] == "Participant 1235")[4] == "-1.5"
    for cells in filled[1:]:  # the only text cells written are our comments
        assert cells[9] == "" or not cells[9].startswith(("=", "+", "-", "@"))
    with zipfile.ZipFile(paths["feedback"]) as zf:  # the neutralised id was read back as the folder's name
        assert zf.read("=1+2_1234_assignsubmission_file_/feedback-ex01-reading.html") == b"<p>formula folder</p>"
