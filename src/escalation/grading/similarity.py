"""Report stage: pairs of near-identical written answers, for an instructor to read side by side.

Two answers to the same question are compared on their runs of identical words (word "shingles": every
sequence of `SHINGLE` consecutive words, case, accents' composition and punctuation ignored). Shingles that
also occur in the module's articles, the quotes of the statements table and the argument map, or the
question and rubric text are set aside first, so two honest answers that quote the same article sentence
share nothing. Shingles used by many answers (common phrasing, a shared source) are listed apart. A pair is listed when the two answers share at least
`min_shared` words in passages of `SHINGLE` or more words, reordered or not.

An inverted index (shingle -> answers) finds the candidate pairs, so 300 answers cost one pass over the
words, not 45,000 pairwise comparisons. Outputs are sorted and carry no timestamps: the same answers give
the same files. The wording never accuses: shared wording has many innocent explanations.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from . import pages
from .batch import load_results
from .source import load_exercise

SHINGLE = 6  # words per shingle: shared passages shorter than this are never counted
MIN_SHARED = 20  # words in shared passages for a pair to be listed
COMMON_SHARE = 0.2  # shingles in more than this share of the answers (and more than COMMON_MIN) are class phrasing
COMMON_MIN = 5
PLACEHOLDERS = ("YOUR ANSWER HERE",)
QUOTED_TABLES = {"statements.csv": ("quote",), "argument_map.csv": ("text",)}  # sourced words students quote

_WORD = re.compile(r"\w+", re.UNICODE)

REPORT_HTML = "similar.html"
REPORT_CSV = "similar.csv"
CSV_FIELDS = ["question", "student_a", "student_b", "shared_words", "share_of_a", "share_of_b",
              "longest_passage_words", "longest_passage"]


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Words of a text as (normalised word, start, end); the offsets point into the original text."""
    out = []
    for m in _WORD.finditer(text):
        word = unicodedata.normalize("NFKC", m.group()).casefold()
        out.append((word, m.start(), m.end()))
    return out


def shingles(words: list[str], k: int = SHINGLE) -> list[tuple[str, ...]]:
    return [tuple(words[i:i + k]) for i in range(len(words) - k + 1)]


def excluded_shingles(texts: list[str], k: int = SHINGLE) -> set[tuple[str, ...]]:
    """Every shingle of the given texts (articles, quotes, question and rubric)."""
    out: set[tuple[str, ...]] = set()
    for text in texts:
        out.update(shingles([w for w, _, _ in tokens(text)], k))
    return out


def module_texts() -> tuple[list[str], list[str]]:
    """The texts students may quote (article files, the statements' quotes, the argument map's texts); plus notes
    on what could not be read."""
    texts, notes = [], []
    try:
        from ..corpus import load_articles

        texts += [a.raw_text for a in load_articles()]
    except Exception as exc:  # a broken data folder must not stop the report; say what is missing
        notes.append(f"The module's articles could not be loaded ({exc}); quotes of them are not set aside.")
    from ..paths import data_path

    for table, columns in QUOTED_TABLES.items():
        try:
            with data_path(table).open(encoding="utf-8-sig", newline="") as handle:
                texts += [row.get(c) or "" for row in csv.DictReader(handle) for c in columns]
        except Exception as exc:
            notes.append(f"{table} could not be read ({exc}); its quotes are not set aside.")
    return texts, notes


@dataclass
class Answer:
    student: str
    text: str
    toks: list[tuple[str, int, int]] = field(default_factory=list)
    quoted: list[bool] = field(default_factory=list)  # word lies in a passage of the articles/question
    own: dict[tuple[str, ...], list[int]] = field(default_factory=dict)  # own shingles -> start positions

    @property
    def own_words(self) -> int:
        return sum(1 for q in self.quoted if not q)


@dataclass
class Pair:
    question: str
    a: Answer
    b: Answer
    covered_a: list[bool]
    covered_b: list[bool]

    @property
    def shared_words(self) -> int:
        return min(sum(self.covered_a), sum(self.covered_b))

    def share(self, side: str) -> float:
        answer, covered = (self.a, self.covered_a) if side == "a" else (self.b, self.covered_b)
        return sum(covered) / answer.own_words if answer.own_words else 0.0

    def passages(self, side: str = "a") -> list[str]:
        answer, covered = (self.a, self.covered_a) if side == "a" else (self.b, self.covered_b)
        return [answer.text[s:e] for s, e, _ in _runs(answer, covered)]


def _prepare(student: str, text: str, excluded: set, k: int) -> Answer:
    ans = Answer(student, text, tokens(text))
    words = [w for w, _, _ in ans.toks]
    ans.quoted = [False] * len(words)
    for i, sh in enumerate(shingles(words, k)):
        if sh in excluded:
            for j in range(i, i + k):
                ans.quoted[j] = True
        else:
            ans.own.setdefault(sh, []).append(i)
    return ans


def _runs(answer: Answer, covered: list[bool]) -> list[tuple[int, int, int]]:
    """Runs of covered words as (start offset, end offset, number of words)."""
    runs, i, n = [], 0, len(covered)
    while i < n:
        if covered[i]:
            j = i
            while j + 1 < n and covered[j + 1]:
                j += 1
            runs.append((answer.toks[i][1], answer.toks[j][2], j - i + 1))
            i = j + 1
        else:
            i += 1
    return runs


@dataclass
class Common:
    """A passage found in many answers (more than the common-phrasing limit): listed apart, never as pairs."""

    question: str
    text: str
    words: int
    students: list[str]


def _analyse(answers: dict[str, str], exclude_texts: list[str], k: int):
    excluded = excluded_shingles(list(exclude_texts) + list(PLACEHOLDERS), k)
    prepared = [_prepare(s, t, excluded, k) for s, t in sorted(answers.items()) if t and t.strip()]
    index: dict[tuple[str, ...], list[int]] = {}
    for n, ans in enumerate(prepared):
        for sh in ans.own:
            index.setdefault(sh, []).append(n)
    return prepared, index, max(COMMON_MIN, COMMON_SHARE * len(prepared))


def common_passages(question: str, answers: dict[str, str], exclude_texts: list[str], *, k: int = SHINGLE,
                    min_shared: int = MIN_SHARED) -> list[Common]:
    """Passages of `min_shared`+ words that more than the common-phrasing limit of answers contain."""
    prepared, index, limit = _analyse(answers, exclude_texts, k)
    found: dict[str, Common] = {}
    for ans in prepared:
        covered = [False] * len(ans.toks)
        for sh, starts in ans.own.items():
            if len(index[sh]) > limit:
                for i in starts:
                    for j in range(i, i + k):
                        covered[j] = True
        for start, end, words in _runs(ans, covered):
            if words < min_shared:
                continue
            i0 = next(i for i, t in enumerate(ans.toks) if t[1] == start)
            key = " ".join(w for w, _, _ in ans.toks[i0:i0 + words])
            if key not in found:
                owners = index[tuple(w for w, _, _ in ans.toks[i0:i0 + k])]
                found[key] = Common(question, " ".join(ans.text[start:end].split()), words,
                                    [prepared[n].student for n in owners])
    return sorted(found.values(), key=lambda c: (-len(c.students), -c.words, c.text))


def similar_pairs(question: str, answers: dict[str, str], exclude_texts: list[str], *, k: int = SHINGLE,
                  min_shared: int = MIN_SHARED) -> list[Pair]:
    """Pairs of answers to one question sharing at least `min_shared` words of their own wording."""
    prepared, index, common_limit = _analyse(answers, exclude_texts, k)
    counts: dict[tuple[int, int], int] = {}
    for sh, owners in index.items():
        if len(owners) < 2 or len(owners) > common_limit:
            continue
        for x in range(len(owners)):
            for y in range(x + 1, len(owners)):
                key = (owners[x], owners[y])
                counts[key] = counts.get(key, 0) + 1
    pairs = []
    # a shared passage of w >= k words yields w - k + 1 shared shingles: a cheap lower bound prefilter
    for (x, y), count in counts.items():
        if count + k - 1 < min_shared:
            continue
        a, b = prepared[x], prepared[y]
        covered_a, covered_b = [False] * len(a.toks), [False] * len(b.toks)
        for sh, starts in a.own.items():
            if sh in b.own and len(index[sh]) <= common_limit:
                for i in starts:
                    for j in range(i, i + k):
                        covered_a[j] = True
                for i in b.own[sh]:
                    for j in range(i, i + k):
                        covered_b[j] = True
        covered_a = [c and not q for c, q in zip(covered_a, a.quoted)]
        covered_b = [c and not q for c, q in zip(covered_b, b.quoted)]
        pair = Pair(question, a, b, covered_a, covered_b)
        if pair.shared_words >= min_shared:
            pairs.append(pair)
    pairs.sort(key=lambda p: (-p.shared_words, p.a.student, p.b.student))
    return pairs


def find_all(exercise, results, *, exclude_texts: list[str] | None = None, min_shared: int = MIN_SHARED,
             k: int = SHINGLE) -> tuple[list[Pair], list[Common], list[str]]:
    """Similar pairs and passages common to many answers, for every written question of an exercise; plus
    notes on what could not be set aside."""
    notes: list[str] = []
    if exclude_texts is None:
        exclude_texts, notes = module_texts()
    pairs, commons = [], []
    graded = [r for r in results if r.graded]
    for q in exercise.questions:
        if q.kind != "written":
            continue
        answers = {r.student: r.written.get(q.key) or "" for r in graded}
        texts = list(exclude_texts) + [q.prompt, q.rubric]
        pairs += similar_pairs(q.key, answers, texts, k=k, min_shared=min_shared)
        commons += common_passages(q.key, answers, texts, k=k, min_shared=min_shared)
    return pairs, commons, notes


def report_csv(pairs: list[Pair]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for p in pairs:
        longest = max(_runs(p.a, p.covered_a), key=lambda r: r[2])
        writer.writerow([p.question, p.a.student, p.b.student, p.shared_words, f"{p.share('a'):.2f}",
                         f"{p.share('b'):.2f}", longest[2], " ".join(p.a.text[longest[0]:longest[1]].split())])
    return buffer.getvalue()


INTRO = ("<p>Each pair below is two answers to the same written question that share long passages of "
         "identical wording (at least {min_shared} words in passages of {k} or more words, in any order). "
         "Quotations of the module's articles, of its statements table and argument map, and the question and "
         "rubric text are not counted, so students who quote the same sentence are not listed for that. Wording "
         "found in many answers is not used for pairs; it is listed apart, at the end, when there is any.</p>"
         "<p><strong>This is a list of answers worth a human look, not a finding about anyone.</strong> Shared "
         "wording has many innocent explanations: students who revised together, notes from class, a common "
         "outside source, or a quotation this report does not know. Read both answers in full before drawing "
         "any conclusion, and talk with the students before acting on it.</p>")


def _parts(answer: Answer, covered: list[bool]) -> list[tuple[str, int]]:
    """The answer's text in pieces: (text, 0) outside shared passages, (text, n) for shared passage n."""
    parts, pos = [], 0
    for n, (start, end, _) in enumerate(_runs(answer, covered), start=1):
        parts += [(answer.text[pos:start], 0), (answer.text[start:end], n)]
        pos = end
    return parts + [(answer.text[pos:], 0)]


def report_html(exercise_name: str, pairs: list[Pair], notes: list[str], n_answers: dict[str, int], *,
                commons: list[Common] = (), min_shared: int = MIN_SHARED, k: int = SHINGLE) -> str:
    """The report page, rendered by an autoescaping template (pages.py) from plain data."""
    counts = ", ".join(f"{q}: {n} answers" for q, n in sorted(n_answers.items())) or "no written questions"
    return pages.similar_page(
        f"{exercise_name} · similar written answers: worth a human look",
        intro=pages.markup(INTRO.format(min_shared=min_shared, k=k)), notes=notes, counts=counts,
        pairs=[{"question": p.question, "a": p.a.student, "b": p.b.student, "shared": p.shared_words,
                "share_a": f"{100 * p.share('a'):.0f}", "share_b": f"{100 * p.share('b'):.0f}",
                "parts_a": _parts(p.a, p.covered_a), "parts_b": _parts(p.b, p.covered_b),
                "passages": [" ".join(t.split()) for t in p.passages("a")]} for p in pairs],
        commons=[{"question": c.question, "count": len(c.students), "words": c.words, "text": c.text,
                  "names": ", ".join(c.students[:12]) + (f" and {len(c.students) - 12} more"
                                                         if len(c.students) > 12 else "")} for c in commons],
        common_min=COMMON_MIN)


def write_report(folder: Path, exercise, results, *, exclude_texts: list[str] | None = None,
                 min_shared: int = MIN_SHARED) -> list[Path]:
    """Write `similar.html` and `similar.csv` into `folder` (the written-answer pages' folder)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    pairs, commons, notes = find_all(exercise, results, exclude_texts=exclude_texts, min_shared=min_shared)
    graded = [r for r in results if r.graded]
    n_answers = {q.key: sum(1 for r in graded if (r.written.get(q.key) or "").strip())
                 for q in exercise.questions if q.kind == "written"}
    page, table = folder / REPORT_HTML, folder / REPORT_CSV
    page.write_text(report_html(exercise.name, pairs, notes, n_answers, commons=commons, min_shared=min_shared),
                    encoding="utf-8")
    table.write_text(report_csv(pairs), encoding="utf-8")
    return [page, table]


def cmd_similar(args) -> int:
    """`escalation-grade similar SET --out grades/SET [--min-shared N]`: (re)write the report alone."""
    exercise = load_exercise(args.exercise)
    out = Path(args.out or Path("grades") / exercise.name)
    if args.min_shared < SHINGLE:
        raise ValueError(f"--min-shared must be at least {SHINGLE} words (the shortest passage compared).")
    paths = write_report(out / "written", exercise, load_results(out), min_shared=args.min_shared)
    if not args.quiet:
        pairs = max(0, len(paths[1].read_text(encoding="utf-8").splitlines()) - 1)
        print(f"{pairs} pairs of written answers worth a human look: {paths[0]} (table: {paths[1]})")
    return 0


def add_parser(sub) -> None:
    """Register the `similar` subcommand (called from cli.py)."""
    p = sub.add_parser("similar", help="list pairs of near-identical written answers, worth a human look")
    p.add_argument("exercise", help="exercise set name (ex01_reading) or path of its source notebook")
    p.add_argument("--out", help="grading output folder (default: grades/<exercise>)")
    p.add_argument("--min-shared", type=int, default=MIN_SHARED,
                   help=f"words the two answers must share in passages of {SHINGLE}+ words (default {MIN_SHARED})")
    p.add_argument("--quiet", "-q", action="store_true")
    p.set_defaults(func=cmd_similar)
