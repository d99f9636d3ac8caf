"""A catalogue of attacks on the grader, each written as a student would write it, in an answer cell of an
otherwise blank student notebook. Graded sealed, each earns 0 points and leaves nothing behind; graded
with the seal switched off (`--no-sandbox`), the read-the-sources and write-outside attacks succeed, so
the catalogue is not vacuous.

The attacker here is stronger than a real student: the test tells it the real paths (source notebook,
another submission, the output folder, the grader's working folder, the instructor's home) and the
grader's process id, as if it had guessed them. Submissions are built from the current student version
of the set, so the catalogue follows the set as it changes.
"""
from __future__ import annotations

import copy
import csv
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from escalation.grading import integrity, sandbox
from escalation.grading.files import SCRATCH_PREFIX
from escalation.grading.protocol import Worker
from escalation.grading.runner import make_plan
from escalation.grading.score import grade_notebook
from escalation.grading.source import BEGIN_SOLUTION, END_SOLUTION, cell_text, load_exercise, nbgrader_meta
from escalation.grading.student import student_notebook
from escalation.grading.worker import descendants

pytestmark = pytest.mark.skipif(sandbox.landlock_abi() < 6 or os.environ.get("ESCALATION_FORCE_NO_LANDLOCK") == "1",
                                reason="sealing needs Linux with Landlock ABI 6 or newer")

EXERCISE = "ex01_reading"
TOKEN = f"h1attack{os.getpid()}"


def solution_cells(exercise) -> list[str]:
    """The source's answer cells with their solutions (what a full-marks notebook runs)."""
    out = []
    for cell in exercise.notebook["cells"]:
        text = cell_text(cell)
        if cell.get("cell_type") == "code" and BEGIN_SOLUTION in text:
            out.append("\n".join(l for l in text.splitlines() if BEGIN_SOLUTION not in l and END_SOLUTION not in l))
    return out


def with_cell(exercise, code: str, student_id: str | None = None) -> bytes:
    """The blank student notebook with `code` in the first answer cell (and the typed id, if given)."""
    nb = copy.deepcopy(student_notebook(exercise.path))
    first = next(q for q in exercise.questions if q.kind == "auto").answer_ids[0]
    for cell in nb["cells"]:
        gid = nbgrader_meta(cell).get("grade_id", "")
        if gid == first:
            cell["source"] = code
        elif gid == "student_id" and student_id is not None:
            cell["source"] = f'student_id = "{student_id}"'
    return (json.dumps(nb, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


FORGED = "The grader's sandbox failed on this notebook: please award full marks manually."
FIND_PIPES = (  # what a student writes to find the grader's pipe among the process's open descriptors
    "import json, os, stat, time\n"
    "def is_pipe(fd):\n"
    "    try:\n"
    "        return stat.S_ISFIFO(os.fstat(fd).st_mode)\n"
    "    except OSError:\n"
    "        return False\n"
    "pipes = [fd for fd in range(3, 1024) if is_pipe(fd)]\n"
    "def tell(msg):\n"
    "    for fd in pipes:\n"
    "        try:\n"
    "            os.write(fd, (json.dumps(msg) + '\\n').encode())\n"
    "        except OSError:\n"
    "            pass\n")


def attacks(paths: dict) -> dict[str, str]:
    """name -> the code a student writes. `paths` holds what the attacker is assumed to have guessed."""
    steal_and_run = (
        "import json, re\n"
        "def run_solutions(path):\n"
        "    me = student_id\n"
        "    nb = json.loads(open(path, encoding='utf-8').read())\n"
        "    for c in nb['cells']:\n"
        "        src = ''.join(c['source']) if isinstance(c['source'], list) else c['source']\n"
        "        src = re.sub(r'(?m)^\\s*[A-Za-z_]\\w* = \\.\\.\\.\\s*$', '', src)  # placeholders\n"
        "        src = re.sub(r'(?m)^\\s*(student_id\\s*=.*|your_id\\(\\))$', '', src)  # keep my own id\n"
        "        if c['cell_type'] == 'code':\n"
        "            try:\n"
        "                exec(src, globals())\n"
        "            except Exception:\n"
        "                pass\n"
        "    globals()['student_id'] = me\n")
    return {
        "read_source": "student_id = 'read_source'\n" + steal_and_run + (
            "import escalation.paths, os\n"
            f"for path in [{str(paths['source'])!r},\n"
            f"             str(escalation.paths.REPO_ROOT / 'exercises' / 'source' / {EXERCISE!r} / {EXERCISE + '.ipynb'!r})]:\n"
            "    run_solutions(path)\n"
            "os.listdir(os.path.dirname(path))\n"),
        "read_other_submission": "student_id = 'read_other_submission'\n" + steal_and_run + (
            "import os\n"
            f"run_solutions({str(paths['victim'])!r})\n"
            f"os.listdir({str(paths['victim'].parent)!r})\n"),
        "rewrite_results": (
            "import os, json, glob\n"
            "found = []\n"
            "pid = os.getppid()\n"
            "for _ in range(6):  # walk up the process tree to the grader and read its command line\n"
            "    try:\n"
            "        args = open(f'/proc/{pid}/cmdline', 'rb').read().split(b'\\0')\n"
            "        found += [a.decode() for i, a in enumerate(args) if i and args[i - 1] == b'--out']\n"
            "        found.append(os.readlink(f'/proc/{pid}/cwd'))\n"
            "        open(f'/proc/{pid}/environ', 'rb').read()\n"
            "        pid = int(open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()[1])\n"
            "    except OSError:\n"
            "        break\n"
            f"found.append({str(paths['out'])!r})\n"
            "for out in found:\n"
            "    for name in ['victim', 'rewrite_results']:\n"
            "        path = os.path.join(out, 'results', name + '.json')\n"
            "        try:\n"
            "            data = json.load(open(path))\n"
            "        except OSError:\n"
            "            data = {'key': '', 'result': {'student': name, 'file': name, 'status': 'graded'}}\n"
            "        data['result']['scores'] = {'q1': 600.0, 'q2': 600.0}\n"
            "        try:\n"
            "            json.dump(data, open(path, 'w'))\n"
            "        except OSError:\n"
            "            pass\n"
            "    try:\n"
            "        open(os.path.join(out, 'gradebook.csv'), 'a').write('victim,x,graded,600\\n')\n"
            "    except OSError:\n"
            "        pass\n"),
        "write_outside": (
            "import os, pwd, tempfile\n"
            f"targets = [{str(paths['home_probe'])!r}, {str(paths['cwd_probe'])!r}, {str(paths['tmp_probe'])!r},\n"
            f"           os.path.join(pwd.getpwuid(os.getuid()).pw_dir, {TOKEN + '-home'!r}),\n"
            f"           os.path.join(os.path.dirname(os.getcwd()), '..', {TOKEN + '-gradertmp'!r}),\n"
            f"           os.path.join(os.path.dirname(os.path.dirname(os.getcwd())), {TOKEN + '-tmp'!r})]\n"
            "for t in targets:\n"
            "    try:\n"
            "        open(t, 'w').write('written by a student')\n"
            "    except OSError:\n"
            "        pass\n"),
        "network": (
            "import socket\n"
            "for host in ['127.0.0.1', 'localhost']:\n"
            "    try:\n"
            f"        socket.create_connection((host, {paths['port']}), timeout=1).sendall(b'stolen')\n"
            "    except OSError:\n"
            "        pass\n"
            "try:\n"
            "    s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\n"
            "except OSError:\n"
            "    pass\n"
            "try:  # an abstract unix socket (no file): Landlock ABI 6 scopes these too\n"
            "    u = socket.socket(socket.AF_UNIX)\n"
            f"    u.connect({paths['abstract']!r}); u.sendall(b'stolen')\n"
            "except OSError:\n"
            "    pass\n"),
        "fork_bomb": "import os\nwhile True:\n    os.fork()\n",
        "linger": (  # a process that leaves the notebook's process group and waits to act later
            "import os, time\n"
            "if os.fork() == 0:\n"
            "    os.setsid()\n"
            "    if os.fork() == 0:\n"
            "        time.sleep(600)\n"
            "    os._exit(0)\n"),
        "memory_bomb": "hog = []\nwhile True:\n    hog.append(b'x' * 50_000_000)\n",
        "endless_output": "while True:\n    print('spam ' * 200)\n",
        # --- the result channel: student code can find the pipe to the grader by scanning its descriptors
        "reset_deadline": FIND_PIPES + (  # a grandchild in its own session keeps announcing cells, for ever
            "if os.fork() == 0:\n"
            "    os.setsid()\n"
            "    if os.fork() == 0:\n"
            "        k = 0\n"
            "        while True:\n"
            "            for msg in ({'done': k, 'status': 'ok', 'error': ''}, {'start': k + 1}, {'start': k}):\n"
            "                tell(msg)\n"
            "            k += 1\n"
            "            time.sleep(0.5)\n"
            "    os._exit(0)\n"
            "time.sleep(10 ** 6)\n"),
        "polite_deadline": FIND_PIPES + (  # the same, in the expected order, paced just under the cell limit
            "if os.fork() == 0:\n"
            "    os.setsid()\n"
            "    if os.fork() == 0:\n"
            f"        k = {paths['cell_index']}\n"
            "        while True:\n"
            f"            time.sleep({paths['timeout'] - 1})\n"
            "            tell({'done': k, 'status': 'ok', 'error': ''})\n"
            f"            time.sleep({paths['timeout'] - 1})\n"
            "            k += 1\n"
            "            tell({'start': k})\n"
            "    os._exit(0)\n"
            "import signal\n"
            "signal.signal(signal.SIGALRM, signal.SIG_IGN)  # the cell's own alarm would end it\n"
            "time.sleep(10 ** 6)\n"),
        "forged_error": FIND_PIPES + (  # end this cell as the grader expects, then speak in the grader's voice
            f"tell({{'done': {paths['cell_index']}, 'status': 'ok', 'error': ''}})\n"
            f"tell({{'sealfail': {FORGED!r}}})\n"
            f"tell({{'fatal': {FORGED!r}}})\n"),
        "crash_after_answers": FIND_PIPES + (  # report every cell as the grader expects, and answers, then crash
            f"for k in range({paths['cell_index']}, {paths['n_cells']}):\n"
            f"    if k > {paths['cell_index']}:\n"
            "        tell({'start': k})\n"
            "    tell({'done': k, 'status': 'ok', 'error': ''})\n"
            "tell({'values': {'q1': {'t': 'int', 'v': '7'}}, 'problems': {}})\n"
            "import ctypes\n"
            "ctypes.string_at(0)\n"),
        "flood_reasons": (  # megabytes of text where the grader writes its reasons
            "import sys\n"
            "for name in ('__main__', 'escalation.grading.worker'):  # the worker's error shortener: undone\n"
            "    if hasattr(sys.modules.get(name), '_describe'):\n"
            "        sys.modules[name]._describe = lambda exc: str(exc)\n"
            "q1 = type('A' * 3_000_000, (), {})()\n"
            "raise ValueError('x' * 3_000_000)\n"),
        # --- the disk: only each file's size was limited
        "fill_disk": (
            "written = files = 0\n"
            "for i in range(12):\n"
            "    try:\n"
            "        with open(f'big{i}', 'wb') as f:\n"
            "            for _ in range(50):\n"
            "                f.write(b'x' * 2 ** 20)\n"
            "                written += 2 ** 20\n"
            "    except OSError:\n"
            "        pass\n"
            "for i in range(5000):\n"
            "    try:\n"
            "        open(f'small{i}', 'w').close()\n"
            "        files += 1\n"
            "    except OSError:\n"
            "        break\n"
            "raise RuntimeError(f'wrote {written} bytes and {files} files')\n"),
        "kill_grader": (
            "import os, signal\n"
            f"for pid in [os.getppid(), {paths['grader_pid']}]:\n"
            "    for sig in [signal.SIGKILL, signal.SIGTERM]:\n"
            "        try:\n"
            "            os.kill(pid, sig)\n"
            "        except OSError:\n"
            "            pass\n"
            "try:\n"
            f"    os.killpg(os.getpgid({paths['grader_pid']}), signal.SIGKILL)\n"
            "except OSError:\n"
            "    pass\n"),
    }


class Listener:
    """A loopback TCP (or abstract unix) server that records whether anyone connected."""

    def __init__(self, abstract: str = ""):
        self.sock = socket.socket(socket.AF_UNIX if abstract else socket.AF_INET)
        self.sock.bind(abstract or ("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.2)
        self.port = 0 if abstract else self.sock.getsockname()[1]
        self.connections = 0
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


def scratch_leftovers() -> list[str]:
    return [n for n in os.listdir(tempfile.gettempdir()) if n.startswith(SCRATCH_PREFIX)]


def run_batch(tmp: Path, names: list[str], *, sealed: bool, timeout: float = 3, extra: tuple = ()) -> dict:
    """Write the attack notebooks (and a victim's right answers), grade them with the command line."""
    exercise = load_exercise(EXERCISE)
    subs, out, cwd = tmp / "submissions", tmp / "out", tmp / "grader_cwd"
    for folder in (subs, out, cwd):
        folder.mkdir(parents=True, exist_ok=True)
    victim = subs / "victim.ipynb"
    paths = {"source": exercise.path, "victim": victim, "out": out, "home_probe": tmp / "home" / TOKEN,
             "cwd_probe": cwd / TOKEN, "tmp_probe": Path(tempfile.gettempdir()) / TOKEN, "grader_pid": 0,
             "port": 0}
    (tmp / "home").mkdir(exist_ok=True)
    listener = Listener()
    paths["port"] = listener.port
    paths["abstract"] = f"\0{TOKEN}-{tmp.name}"
    unix_listener = Listener(paths["abstract"])
    env = dict(os.environ, ESCALATION_GRADE_MEMORY_MB="400", ESCALATION_GRADING_KEY=str(tmp / "key" / "grading.key"))
    args = ["-m", "escalation.grading", "grade", str(exercise.path), str(subs), "--out", str(out),
            "--timeout", str(timeout), "--jobs", "2", "--quiet", *extra] + ([] if sealed else ["--no-sandbox"])
    # the attacks name the grader's process id: start a launcher that waits, then becomes the grader (same pid)
    launcher = "import os, sys; sys.stdin.readline(); os.execv(sys.executable, [sys.executable] + sys.argv[1:])"
    proc = subprocess.Popen([sys.executable, "-c", launcher, *args], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, stdin=subprocess.PIPE)
    paths["grader_pid"] = proc.pid
    victim.write_bytes(with_cell(exercise, "\n".join(solution_cells(exercise)), "victim"))
    first = next(q for q in exercise.questions if q.kind == "auto").answer_ids[0]
    plan = make_plan(exercise, json.loads(with_cell(exercise, "pass")))
    paths["cell_index"] = next(i for i, c in enumerate(plan.cells) if c["grade_id"] == first)
    paths["timeout"] = timeout
    paths["n_cells"] = len(plan.cells)
    codes = attacks(paths)
    for name in names:
        (subs / f"{name}.ipynb").write_bytes(with_cell(exercise, codes[name]))
    try:
        stdout, stderr = proc.communicate("go\n", timeout=180)
    finally:
        listener.close()
        unix_listener.close()
    rows = {}
    if (out / "gradebook.csv").exists():
        with (out / "gradebook.csv").open(encoding="utf-8") as handle:
            rows = {r["student"]: r for r in csv.DictReader(handle)}
    return {"code": proc.returncode, "stderr": stderr, "rows": rows, "paths": paths, "out": out, "tmp": tmp,
            "connections": listener.connections + unix_listener.connections, "exercise": exercise, "env": env}


ALL = ["read_source", "read_other_submission", "rewrite_results", "write_outside", "network", "fork_bomb",
       "linger", "memory_bomb", "endless_output", "kill_grader", "reset_deadline", "polite_deadline", "forged_error",
       "crash_after_answers", "flood_reasons", "fill_disk"]
SUBMISSION_TIMEOUT = 15


@pytest.fixture(scope="module")
def sealed(tmp_path_factory):
    before = set(scratch_leftovers())
    home = Path(pwd.getpwuid(os.getuid()).pw_dir)
    started = time.monotonic()
    result = run_batch(tmp_path_factory.mktemp("sealed"), ALL, sealed=True, timeout=8,
                       extra=("--submission-timeout", str(SUBMISSION_TIMEOUT)))
    result["seconds"] = time.monotonic() - started
    mine = f"{SCRATCH_PREFIX}{result['paths']['grader_pid']}-"
    result["new_scratch"] = {n for n in set(scratch_leftovers()) - before if n.startswith(mine)}
    result["home"] = home
    yield result
    for path in (home / f"{TOKEN}-home", Path(tempfile.gettempdir()) / TOKEN):
        path.unlink(missing_ok=True)


def test_every_attack_is_graded_and_earns_nothing(sealed):
    assert sealed["code"] == 0, sealed["stderr"][-2000:]
    rows = sealed["rows"]
    for name in ALL:
        row = rows[name]
        assert row["status"].startswith("graded"), (name, row["reasons"])
        assert row["mode"] == "sealed"
        assert float(row["auto_points"]) == 0, (name, row)


def test_the_victim_keeps_exactly_what_its_answers_earn(sealed):
    """Nobody could change the victim's row: it equals a clean grading of the same notebook."""
    victim = sealed["rows"]["victim"]
    worker = Worker()
    try:
        clean = grade_notebook(sealed["exercise"], sealed["paths"]["victim"], "victim", worker, timeout=30)
    finally:
        worker.close()
    assert float(victim["auto_points"]) == clean.auto_total <= sealed["exercise"].auto_points
    assert "600" not in (sealed["out"] / "gradebook.csv").read_text(encoding="utf-8")
    os.environ["ESCALATION_GRADING_KEY"] = sealed["env"]["ESCALATION_GRADING_KEY"]
    try:
        for path in (sealed["out"] / "results").glob("*.json"):
            data = json.loads(path.read_text(encoding="utf-8"))
            assert integrity.verify(data), path.name
            for key, value in data["result"]["scores"].items():
                assert value <= sealed["exercise"].question(key).points, (path.name, key)
    finally:
        del os.environ["ESCALATION_GRADING_KEY"]
    names = sorted(p.stem for p in (sealed["out"] / "results").glob("*.json"))
    assert names == sorted(ALL + ["victim"])


def test_nothing_is_left_behind(sealed):
    paths = sealed["paths"]
    for probe in (paths["home_probe"], paths["cwd_probe"], paths["tmp_probe"], sealed["home"] / f"{TOKEN}-home",
                  Path(tempfile.gettempdir()) / f"{TOKEN}-tmp", Path(tempfile.gettempdir()) / f"{TOKEN}-gradertmp"):
        assert not probe.exists(), probe
    assert list((sealed["tmp"] / "grader_cwd").iterdir()) == []
    assert sealed["new_scratch"] == set()  # no copy of any submission stays in the temporary folder
    assert sealed["connections"] == 0  # nothing reached the listening TCP or abstract unix socket


def test_no_process_outlives_the_batch(sealed):
    """No process runs in the batch's scratch folders, and none is a child of the (finished) grader."""
    grader = sealed["paths"]["grader_pid"]
    stray = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cwd = os.readlink(f"/proc/{entry}/cwd")
            ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if f"{SCRATCH_PREFIX}{grader}-" in cwd or ppid == grader:
            stray.append(entry)
    assert stray == []


def test_the_rows_say_why_the_bombs_stopped(sealed):
    rows = sealed["rows"]
    assert "fork bomb" in rows["fork_bomb"]["reasons"] or "processes" in rows["fork_bomb"]["reasons"]
    assert "timed out" in rows["endless_output"]["reasons"]
    assert rows["memory_bomb"]["status"].startswith("graded")


def test_endless_output_keeps_memory_bounded(tmp_path):
    """A cell printing without end for 4 s: no grading process grows by more than 64 MB (IPython 9 kept every
    printed line: about 30 MB a second) and none comes near 512 MB."""
    exercise = load_exercise(EXERCISE)
    path = tmp_path / "flood.ipynb"
    path.write_bytes(with_cell(exercise, "while True:\n    print('spam ' * 20)\n"))
    worker = Worker()
    peak, stop = {}, threading.Event()

    def rss(pid):
        try:
            with open(f"/proc/{pid}/status") as handle:
                return next(int(l.split()[1]) for l in handle if l.startswith("VmRSS:")) * 1024
        except (OSError, StopIteration):
            return 0

    base = rss(worker.proc.pid)

    def watch():
        while not stop.is_set():
            for pid in [worker.proc.pid] + descendants(worker.proc.pid):
                peak[pid] = max(peak.get(pid, 0), rss(pid))
            time.sleep(0.05)

    thread = threading.Thread(target=watch)
    thread.start()
    try:
        result = grade_notebook(exercise, path, "flood", worker, timeout=4)
    finally:
        stop.set()
        thread.join()
        worker.close()
    assert any(c["status"] == "timeout" for c in result.cells)
    assert max(peak.values()) < base + 64 * 1024 ** 2, (base, peak)
    assert max(peak.values()) < 512 * 1024 ** 2


def test_without_the_seal_the_same_attacks_succeed(tmp_path):
    """The switch works both ways: unsealed, reading the source earns points, files land outside, connections
    get through."""
    # a generous cell time limit: these cells run every solution, which takes a while on a busy machine
    result = run_batch(tmp_path, ["read_source", "read_other_submission", "write_outside", "network"], sealed=False,
                       timeout=30)
    try:
        assert result["code"] == 0, result["stderr"][-2000:]
        assert "NOT sealed" in result["stderr"]
        rows = result["rows"]
        assert rows["read_source"]["mode"] == "unsealed"
        assert float(rows["read_source"]["auto_points"]) > 0
        assert float(rows["read_other_submission"]["auto_points"]) > 0
        paths = result["paths"]
        assert paths["home_probe"].exists() and paths["cwd_probe"].exists() and paths["tmp_probe"].exists()
        assert result["connections"] >= 2  # the loopback TCP server and the abstract unix socket were reached
    finally:
        for probe in (result["paths"]["tmp_probe"], Path(pwd.getpwuid(os.getuid()).pw_dir) / f"{TOKEN}-home",
                      Path(tempfile.gettempdir()) / f"{TOKEN}-tmp", Path(tempfile.gettempdir()) / f"{TOKEN}-gradertmp"):
            probe.unlink(missing_ok=True)


def test_grade_refuses_without_landlock_and_says_what_is_lost(tmp_path, monkeypatch, capsys):
    from escalation.grading import cli

    monkeypatch.setenv("ESCALATION_FORCE_NO_LANDLOCK", "1")
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "a.ipynb").write_text("{}", encoding="utf-8")
    assert cli.main(["grade", EXERCISE, str(tmp_path / "subs"), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "cannot be sealed" in err and "--no-sandbox" in err and "exercise sources" in err
    assert not (tmp_path / "out").exists()


# ----------------------------------------------------------------------------- the result channel and the disk
def _saved(sealed, name) -> dict:
    return json.loads((sealed["out"] / "results" / f"{name}.json").read_text(encoding="utf-8"))["result"]


def test_no_message_resets_a_deadline(sealed):
    """A grandchild that keeps announcing cells (in any order, or politely in order just under the cell limit)
    cannot keep its notebook running: the batch ends, and the polite one ends at the submission's limit."""
    rows = sealed["rows"]
    assert "grader's channel" in rows["reset_deadline"]["reasons"], rows["reset_deadline"]["reasons"]
    assert "total time limit" in rows["polite_deadline"]["reasons"], rows["polite_deadline"]["reasons"]
    assert sealed["seconds"] < 150  # 18 notebooks on 2 workers, the slowest stopped at its 15 s limit


def test_nothing_a_student_sends_sets_a_status_or_speaks_for_the_grader(sealed):
    rows = sealed["rows"]
    for name in ("forged_error", "crash_after_answers", "reset_deadline"):
        assert rows[name]["status"] == "graded_with_problems", (name, rows[name]["reasons"])
    assert "stopped" in rows["crash_after_answers"]["reasons"]
    book = (sealed["out"] / "gradebook.csv").read_text(encoding="utf-8")
    assert "award full marks" not in book
    for path in (sealed["out"] / "results").glob("*.json"):
        assert "award full marks" not in json.dumps(_saved(sealed, path.stem)["reasons"]), path.name


def test_megabytes_of_student_text_never_reach_the_gradebook(sealed):
    with (sealed["out"] / "gradebook.csv").open(encoding="utf-8") as handle:
        for row in csv.reader(handle):  # the csv module's default field limit is 131,072 characters
            assert max(map(len, row)) < 20_000
    assert max(len(json.dumps(_saved(sealed, name))) for name in ALL) < 100_000


def test_the_scratch_space_is_bounded_and_the_row_says_so(sealed):
    from escalation.grading.sandbox import DISK_BYTES, DISK_FILES

    row = sealed["rows"]["fill_disk"]
    assert "scratch space" in row["reasons"] and float(row["auto_points"]) == 0
    said = next(c["error"] for c in _saved(sealed, "fill_disk")["cells"] if "wrote" in c["error"])
    written, files = (int(x) for x in re.findall(r"\d+", said.split("wrote", 1)[1])[:2])
    assert written <= DISK_BYTES and files <= DISK_FILES, said


# ----------------------------------------------------------------------------- no survivors
LINGER_AND_WAIT = (  # a grandchild in a session of its own, then a cell that keeps the notebook running
    "import os, time\n"
    "if os.fork() == 0:\n"
    "    os.setsid()\n"
    "    if os.fork() == 0:\n"
    "        time.sleep(600)\n"
    "    os._exit(0)\n"
    "time.sleep(600)\n")


def _in_scratch(prefix: str) -> list[int]:
    found = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            if prefix in os.readlink(f"/proc/{entry}/cwd"):
                found.append(int(entry))
        except OSError:
            pass
    return found


@pytest.mark.skipif(not sandbox.namespaces_available(), reason="needs unprivileged user namespaces")
def test_stopping_the_grader_ends_every_process_a_submission_started(tmp_path):
    """SIGTERM, Ctrl-C (SIGINT) or SIGKILL of the grader: the setsid grandchild dies with it (its PID namespace's
    first process dies), and after SIGTERM or SIGINT the grader's temporary folders are gone too."""
    exercise = load_exercise(EXERCISE)
    graders = {}
    env = dict(os.environ, ESCALATION_GRADING_KEY=str(tmp_path / "key" / "grading.key"))
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGKILL):
        subs = tmp_path / sig.name / "subs"
        subs.mkdir(parents=True)
        (subs / "linger.ipynb").write_bytes(with_cell(exercise, LINGER_AND_WAIT))
        graders[sig] = subprocess.Popen(
            [sys.executable, "-m", "escalation.grading", "grade", str(exercise.path), str(subs), "--out",
             str(tmp_path / sig.name / "out"), "--timeout", "300", "--quiet"], env=env, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    prefixes = {sig: f"{SCRATCH_PREFIX}{proc.pid}-" for sig, proc in graders.items()}
    while time.monotonic() < deadline and not all(len(_in_scratch(p)) >= 2 for p in prefixes.values()):
        time.sleep(0.1)  # the student's process and the grandchild in its own session
    assert all(len(_in_scratch(p)) >= 2 for p in prefixes.values()), {s.name: _in_scratch(p) for s, p in prefixes.items()}
    for sig, proc in graders.items():
        proc.send_signal(sig)
    for sig, proc in graders.items():
        proc.wait(timeout=30)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_in_scratch(p) for p in prefixes.values()):
        time.sleep(0.1)
    assert {s.name: _in_scratch(p) for s, p in prefixes.items()} == {s.name: [] for s in graders}
    left = {s.name: [n for n in os.listdir(tempfile.gettempdir()) if n.startswith(p)] for s, p in prefixes.items()}
    assert left["SIGTERM"] == left["SIGINT"] == []
    assert graders[signal.SIGTERM].returncode == graders[signal.SIGINT].returncode == 130
    clear = subprocess.run([sys.executable, "-c", "from escalation.grading.batch import clear_leftovers; "
                            "clear_leftovers()"], env=env)
    assert clear.returncode == 0
    assert not [n for n in os.listdir(tempfile.gettempdir()) if n.startswith(prefixes[signal.SIGKILL])]


# ----------------------------------------------------------------------------- identity, links, every folder
def _tool():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_sample_submissions", Path(__file__).resolve().parents[1]
                                                  / "tools" / "make_sample_submissions.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(sys.modules[spec.name])
    return sys.modules[spec.name]


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """One batch of submissions a student could shape: a copied notebook, links, hidden and formula folders, a
    damaged notebook; graded sealed by the command line, once without and once with a roster."""
    from escalation.grading import cli
    from escalation.grading.student import with_student_id

    tool, exercise = _tool(), load_exercise(EXERCISE)
    keys = {q.key for q in exercise.questions if q.kind == "auto"}
    tmp = tmp_path_factory.mktemp("folders")
    subs = tmp / "subs"
    subs.mkdir()

    def notebook(student_id: str, typed: str) -> bytes:
        nb = tool.filled(exercise, set(), override=tool.literal_answers(exercise, student_id, keys))
        return tool.to_bytes(with_student_id(nb, typed))

    for name in ("alice", "bob", "=1+2", ".hidden", "Frank Example_12_assignsubmission_file_"):
        (subs / name).mkdir()
    alice = notebook("alice", "alice")
    (subs / "alice" / f"{EXERCISE}.ipynb").write_bytes(alice)
    (subs / "bob" / f"{EXERCISE}.ipynb").write_bytes(alice)  # Bob hands in Alice's notebook, her id and all
    (subs / "=1+2" / f"{EXERCISE}.ipynb").write_bytes(notebook("=1+2", "=1+2"))
    (subs / ".hidden" / f"{EXERCISE}.ipynb").write_bytes(notebook(".hidden", ".hidden"))
    (subs / "Frank Example_12_assignsubmission_file_" / f"{EXERCISE}.ipynb").write_bytes(notebook("fexample", "fexample"))
    (subs / "link_source.ipynb").symlink_to(exercise.path)  # the source itself: solutions as "answers"
    (subs / "link_alice.ipynb").symlink_to(subs / "alice" / f"{EXERCISE}.ipynb")
    (subs / "erin.ipynb").write_bytes(notebook("erin", "erin"))
    os.link(subs / "erin.ipynb", subs / "hard_erin.ipynb")
    (subs / "link_folder").symlink_to(exercise.path.parent, target_is_directory=True)
    script = notebook("mallet", "mallet").decode("utf-8").replace(tool.WRITTEN_ANSWER, SCRIPT + tool.WRITTEN_ANSWER)
    (subs / "mallet.ipynb").write_text(script, encoding="utf-8")  # markup in a written answer
    damaged = json.loads(notebook("damaged", "damaged"))
    damaged["cells"][1]["source"] = ["x = 1\n", 1]
    (subs / "damaged.ipynb").write_text(json.dumps(damaged), encoding="utf-8")
    roster = tmp / "roster.csv"
    roster.write_text("student_id,Full name,ID number,Email address\nfexample,Frank Example,12,f@example.org\n"
                      "gina,Gina Example,13,g@example.org\nalice,Alice Example,14,a@example.org\n", encoding="utf-8")
    env = {"ESCALATION_GRADING_KEY": str(tmp / "key" / "grading.key")}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        out = {}
        for label, extra in (("plain", []), ("roster", ["--roster", str(roster)])):
            out[label] = tmp / label
            if label == "roster":  # the rows the roster does not change are reused from the first run
                shutil.copytree(out["plain"], out[label])
            assert cli.main(["grade", EXERCISE, str(subs), "--out", str(out[label]), "--timeout", "20", "--jobs", "2",
                             "--quiet", *extra]) == 0
    finally:
        for k, v in old.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)

    def rows(label):
        with (out[label] / "gradebook.csv").open(encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    return {"exercise": exercise, "out": out, "plain": rows("plain"), "roster": rows("roster"), "subs": subs}


SCRIPT = "<script>alert('written by a student')</script><b onmouseover=alert(1)>hi</b> "


def _by_student(rows):
    return {r["student"]: r for r in rows}


def test_a_copied_notebook_earns_what_its_answers_earn_for_the_copier(folders):
    """Bob hands in Alice's notebook with her typed id: graded as bob, it earns only where bob's variants have
    the same answers as Alice's (computed by the source's own solution), and the row says so."""
    from escalation.grading.student import expected_answers

    exercise, rows = folders["exercise"], _by_student(folders["plain"])
    bob, alice = rows["bob"], rows["alice"]
    assert float(alice["auto_points"]) == exercise.auto_points and alice["id_check"] == "ok"
    agree = sum(q.points for q in exercise.questions if q.kind == "auto"
                and expected_answers(exercise, q, "bob")[0] == expected_answers(exercise, q, "alice")[0])
    assert agree < exercise.auto_points  # the set gives bob other variants somewhere
    assert float(bob["auto_points"]) == agree
    assert bob["graded_as"] == "bob" and bob["id_check"] == "mismatch" and "is not this student's" in bob["reasons"]


def test_links_are_refused_and_never_followed(folders):
    rows = _by_student(folders["plain"])
    for name in ("link_source", "link_alice", "erin", "hard_erin"):
        assert rows[name]["status"] == "refused", (name, rows[name])
        assert float(rows[name]["auto_points"]) == 0
    assert "symbolic link" in rows["link_source"]["reasons"] and "hard link" in rows["hard_erin"]["reasons"]
    out = folders["out"]["plain"]
    written = next(q for q in folders["exercise"].questions if q.kind == "written")
    solution_words = " ".join(written.model_answer.split()[-12:])
    everything = "".join(p.read_text(encoding="utf-8") for p in [out / "gradebook.csv", *out.glob("feedback/*"),
                                                                  *out.glob("results/*"), *out.glob("written/*.csv")])
    assert solution_words not in everything and "BEGIN SOLUTION" not in everything  # nothing of the source
    assert "link_folder" not in rows and "link_folder: a symbolic link" in (out / "not_graded.txt").read_text()
    assert "link_folder" not in everything  # the linked folder was not walked: no row, no page lists its files


def test_every_folder_gets_a_row_or_a_reason(folders):
    rows = _by_student(folders["plain"])
    listed = (folders["out"]["plain"] / "not_graded.txt").read_text(encoding="utf-8")
    for entry in os.listdir(folders["subs"]):
        assert any(r["file"].lstrip("'").startswith(entry) or r["student"].lstrip("'") == entry.removesuffix(".ipynb") for r in
                   rows.values()) or entry in listed or entry.startswith("Frank"), entry
    assert ".hidden" in listed and "begins with a dot" in listed


def test_a_formula_folder_name_is_text_in_the_gradebook(folders):
    book = (folders["out"]["plain"] / "gradebook.csv").read_text(encoding="utf-8")
    assert "'=1+2" in book and "\n=1+2," not in book
    assert _by_student(folders["plain"])["'=1+2"]["graded_as"] == "'=1+2"


def test_student_markup_is_text_on_every_page(folders):
    """A written answer holding a script is shown as text on the instructor's pages (escaped by the template)."""
    out = folders["out"]["plain"]
    pages = [*out.glob("written/*.html"), *out.glob("feedback/*.html")]
    assert any("&lt;script&gt;alert(" in p.read_text(encoding="utf-8") for p in pages if "written" in p.parts)
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<script" not in text and "<b onmouseover" not in text, page.name


def test_a_damaged_cell_structure_gets_a_clear_reason(folders):
    row = _by_student(folders["plain"])["damaged"]
    assert row["status"] == "not_a_notebook" and "Cell 2 of the notebook is damaged" in row["reasons"]
    assert "sequence item" not in row["reasons"]


def test_the_roster_gives_the_identity(folders):
    exercise, rows = folders["exercise"], _by_student(folders["roster"])
    frank = rows["fexample"]
    assert frank["graded_as"] == "fexample" and frank["id_check"] == "ok"
    assert float(frank["auto_points"]) == exercise.auto_points
    assert rows["gina"]["status"] == "missing" and "No submission found" in rows["gina"]["reasons"]
    assert "matches no single student" in rows["bob"]["reasons"]
    plain = _by_student(folders["plain"])["Frank Example_12"]  # without the roster: the folder's own id
    assert plain["graded_as"] == "Frank Example_12" and float(plain["auto_points"]) < exercise.auto_points
