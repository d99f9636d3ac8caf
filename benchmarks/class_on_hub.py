"""A class of 30 on one machine: admit it on a real JupyterHub, measure memory, collect and grade.

    python benchmarks/class_on_hub.py [--students 30] [--notebook 02] [--exercise ex03_red_lines]

1. Admit: JupyterHub with configurable-http-proxy on 127.0.0.1 (tests/support/local_hub.py, LocalHub; local-process
   spawner, one home folder per student). For every student at once: start the server through the REST API,
   then pull the module into the home through nbgitpuller's endpoint (the `escalation-link` parameters).
   Reported: seconds from the first request until the whole class is admitted. Target < 120 s.
2. Memory: every student opens the lesson notebook and runs all its cells in their own kernel (at most
   `--parallel` at a time; the kernels stay up). Then one snapshot of PSS (proportional set size, from
   /proc/<pid>/smaps_rollup: pages shared between processes are split among them, so the figures add up)
   per student (server + kernel), for the hub + proxy, and the total. Target < 300 MB per active student.
3. Grading: each student's exercise notebook is filled in and saved through the contents API; then
   `escalation-grade collect` + `escalation-grade grade` (the class from the hub's home folders) against
   `escalation-grade grade` alone on a plain copy of the same files. Target: ratio <= 1.1 (as fast).
Machine, load and times are printed; nothing is asserted (tests never time things).
"""
from __future__ import annotations

import argparse
import csv
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the test helpers (tests/support)

ROOT = Path(__file__).resolve().parents[1]


def machine() -> str:
    mem = next(int(l.split()[1]) for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal"))
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), platform.processor())
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores ({cpu}), {mem / 2**20:.1f} GiB RAM, {platform.system()} {platform.release()}; load average {load}"


def mib(kib: float) -> str:
    return f"{kib / 1024:.0f} MiB"


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used (from /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def points(out: Path) -> dict[str, str]:
    with open(out / "gradebook.csv", encoding="utf-8") as f:
        return {r["student"]: r["auto_points"] for r in csv.DictReader(f)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--students", type=int, default=30)
    p.add_argument("--notebook", default="02", help="lesson notebook each student runs (default 02)")
    p.add_argument("--exercise", default="ex03_red_lines")
    p.add_argument("--parallel", type=int, default=4, help="notebooks run at the same time (default 4)")
    p.add_argument("--rounds", type=int, default=2, help="timing rounds for the grading comparison (best kept)")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = p.parse_args(argv)

    from escalation.grading.source import load_exercise
    from escalation.hub.link import nbgitpuller_link, target_file
    from support.local_hub import LocalHub, answer_plan, fill_in, find_or_install_proxy, leftovers, pss_kib

    print(f"machine: {machine()}")
    tmp = Path(tempfile.mkdtemp(prefix="class-on-hub-"))
    bare = tmp / "escalation.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    subprocess.run(["git", "-C", str(bare), "symbolic-ref", "HEAD", "refs/heads/main"], check=True)
    subprocess.run(["git", "-C", str(bare), "fetch", "-q", "--depth=1", f"file://{ROOT}", "HEAD:refs/heads/main"],
                   check=True)
    lesson = target_file(notebook=args.notebook)
    ex_file = target_file(exercise=args.exercise)
    exercise = load_exercise(args.exercise)
    users = [f"student{i:03d}" for i in range(1, args.students + 1)]
    link = nbgitpuller_link("http://127.0.0.1", f"file://{bare}", file=lesson)
    q = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}

    hub = LocalHub(tmp / "hub", find_or_install_proxy())
    try:
        t0 = time.perf_counter()
        hub.start()
        hub_up = time.perf_counter() - t0
        hub.add_users(users)

        def admit(user):
            started = hub.start_server(user)
            t = time.perf_counter()
            hub.pull(user, q["repo"], q["branch"], q["targetpath"])
            return started, time.perf_counter() - t

        t0 = time.perf_counter()
        with ThreadPoolExecutor(len(users)) as pool:
            steps = list(pool.map(admit, users))
        admitted = time.perf_counter() - t0
        print(f"\nhub and proxy up: {hub_up:.1f} s")
        print(f"admit {len(users)} students (servers started + module pulled, all at once): {admitted:.1f} s "
              f"(target < 120 s); per student: server {max(s for s, _ in steps):.1f} s at worst, "
              f"pull {sum(p for _, p in steps) / len(steps):.1f} s on average")

        idle = hub.server_pids()
        idle_pss = sorted(sum(pss_kib(pid) for pid in pids) for pids in idle.values())
        print(f"idle server (no kernel yet): median {mib(idle_pss[len(idle_pss) // 2])} PSS")

        path = f"{q['targetpath']}/{lesson}"
        kernels, errors = [], {}

        def run_lesson(user):
            nb = hub.get_notebook(user, path)
            k = hub.kernel(user, path)
            t = time.perf_counter()
            errs = k.run_notebook(nb)
            k.close(shutdown=False)
            return user, k, errs, time.perf_counter() - t

        t0 = time.perf_counter()
        with ThreadPoolExecutor(args.parallel) as pool:
            for user, k, errs, secs in pool.map(run_lesson, users):
                kernels.append(k)
                if errs:
                    errors[user] = errs
        ran = time.perf_counter() - t0
        time.sleep(2)
        pids_by_user = hub.server_pids()
        per_user = {u: sum(pss_kib(pid) for pid in pids) for u, pids in pids_by_user.items()}
        cpu = sorted(sum(cpu_seconds(pid) for pid in pids) for pids in pids_by_user.values())
        base = sum(pss_kib(pid) for pid in hub.hub_and_proxy_pids())
        values = sorted(per_user.values())
        total = sum(values) + base
        print(f"\nnotebook {Path(lesson).name} run in every student's kernel ({args.parallel} at a time): {ran:.1f} s"
              + (f"; errors: {errors}" if errors else "; no errors"))
        print(f"memory per active student (server + kernel, PSS): median {mib(values[len(values) // 2])}, "
              f"max {mib(values[-1])} (target < 300 MB)")
        print(f"CPU time per student so far (server start, pull, notebook run; server + kernel processes): "
              f"median {cpu[len(cpu) // 2]:.1f} s, max {cpu[-1]:.1f} s")
        print(f"hub + proxy: {mib(base)}; total for {len(users)} active students: {mib(total)} "
              f"({total / 2**20:.2f} GiB)")

        def hand_in(args_):
            i, user = args_
            nb = hub.get_notebook(user, f"{q['targetpath']}/{ex_file}")
            fill_in(nb, exercise.notebook, exercise, user, answer_plan(exercise, i), blank=i % 2 == 1)
            hub.save_notebook(user, f"{q['targetpath']}/{ex_file}", nb)

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(hand_in, enumerate(users)))
    finally:
        killed = hub.stop()
    print(f"processes that outlived the hub's shutdown and had to be killed: {len(killed)}; "
          f"left after that: {len(leftovers(hub.marker))}")

    cmd = [sys.executable, "-m", "escalation.grading"]

    def timed(c):
        t = time.perf_counter()
        done = subprocess.run(c, capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"{' '.join(c)} failed:\n{done.stdout[-1500:]}\n{done.stderr[-1500:]}")
        return time.perf_counter() - t

    subs, plain = tmp / "collected", tmp / "plain"
    plain.mkdir()
    for user in users:
        shutil.copy2(hub.homes / user / q["targetpath"] / ex_file, plain / f"{user}.ipynb")
    # alternate the two ways, best of `--rounds` each, so neither pays alone for cold caches
    t_collect, t_grade_collected, t_grade_plain = [], [], []
    for r in range(args.rounds):
        shutil.rmtree(subs, ignore_errors=True)
        t_collect.append(timed(cmd + ["collect", args.exercise, "--from", str(hub.homes), "--to", str(subs), "-q"]))
        t_grade_collected.append(timed(cmd + ["grade", args.exercise, str(subs), "--out", str(tmp / "g1"),
                                              "--force", "-q"]))
        t_grade_plain.append(timed(cmd + ["grade", args.exercise, str(plain), "--out", str(tmp / "g2"),
                                          "--force", "-q"]))
    t_collect, t_grade_collected, t_grade_plain = min(t_collect), min(t_grade_collected), min(t_grade_plain)
    same = points(tmp / "g1") == points(tmp / "g2")
    ratio = (t_collect + t_grade_collected) / t_grade_plain
    print(f"\ncollect {len(users)} notebooks: {t_collect:.1f} s; grade the collected class: {t_grade_collected:.1f} s")
    print(f"grade the same files from a plain folder: {t_grade_plain:.1f} s (best of {args.rounds} rounds each)")
    print(f"ratio (collect + grade) / grade alone: {ratio:.2f} (target <= 1.1)" + ("" if same else " (gradebooks differ!)"))
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print(f"kept {tmp}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
