"""`escalation-release students DIR` or `--branch NAME`: the students' copy of the module (stage: report).

    escalation-release students ../escalation-students        # a folder to push to a new repository
    escalation-release students --branch students             # a branch of this checkout (push it, link to it)

The copy is the checkout's last commit (HEAD) without what only instructors may see: the graded sets' sources
(`exercises/source/`: solutions and hidden tests, from which the answer keys are made), the sealed pages of
the teacher's pack (`docs/teachers_pack/instructor_only/`), the tests and benchmarks (they hold the expected
answers and run the sources), CI, and any key or certificate file. Uncommitted files never reach it (grades,
collected submissions, the edition's teacher's build: they are not in git). A branch is built with git's own
plumbing in a separate index and never shares history with the instructors' branches: each release is a new
commit on top of the previous release, so students' nbgitpuller pulls merge cleanly.
"""
from __future__ import annotations

import argparse
import fnmatch
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from .errors import EscalationError
from .paths import checkout_root

# Folders (with a trailing /) and file patterns that never reach students.
INSTRUCTOR_ONLY = (
    "exercises/source/",                     # solutions and hidden tests of the graded sets (the answer keys)
    "docs/teachers_pack/instructor_only/",   # the teacher's pack's sealed pages
    "tests/",                                # expected answers, leak checks, LMS fixtures
    "benchmarks/",                           # they grade the sources
    ".ci/",
)
KEY_FILES = ("*.pem", "*.key", "*.p12", "*.pfx", "*.jwk", "id_rsa*", "id_ecdsa*", "id_ed25519*", ".env")
SOURCES = "exercises/source"


class ReleaseError(EscalationError):
    """A students' copy that cannot be written as asked."""


def instructor_only(path: str) -> bool:
    """Whether a repository path (posix, relative) stays out of the students' copy."""
    name = path.rsplit("/", 1)[-1]
    return path.startswith(INSTRUCTOR_ONLY) or any(fnmatch.fnmatch(name, p) for p in KEY_FILES)


def git(root: Path, *args: str, env: dict | None = None, input: str | None = None) -> str:
    """Run git in `root`; its output, or a ReleaseError with git's own message."""
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, env=env,
                              input=input, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ReleaseError(f"git could not run ({exc}): install git, or run in a checkout of the module.") from exc
    if done.returncode:
        raise ReleaseError(f"git {args[0]} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def students_tree(root: Path, rev: str = "HEAD") -> tuple[str, list[str]]:
    """The git tree of `rev` without the instructor-only files, and the paths left out."""
    files = git(root, "ls-tree", "-r", "-z", "--name-only", rev).split("\0")
    dropped = [f for f in files if f and instructor_only(f)]
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, GIT_INDEX_FILE=str(Path(tmp) / "index"))
        git(root, "read-tree", rev, env=env)
        if dropped:
            git(root, "update-index", "--force-remove", "-z", "--stdin", env=env, input="\0".join(dropped) + "\0")
        tree = git(root, "write-tree", env=env).strip()
    return tree, dropped


def write_folder(root: Path, tree: str, out: Path) -> int:
    """Write the tree's files into `out` (new or empty); return how many."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ReleaseError(f"{out} exists and is not an empty folder: choose a new or empty folder.")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "copy.tar"
        git(root, "archive", "--format=tar", "-o", str(archive), tree)
        with tarfile.open(archive) as tar:
            members = [m for m in tar.getmembers() if m.isfile() or m.isdir() or m.issym()]
            tar.extractall(out, members=members, filter="data")
    return sum(1 for m in members if m.isfile())


def write_branch(root: Path, tree: str, branch: str, source_commit: str) -> str | None:
    """Commit the tree on `branch` (on top of its previous release); the new commit, or None if unchanged."""
    if subprocess.run(["git", "-C", str(root), "check-ref-format", "--branch", branch],
                      capture_output=True).returncode:
        raise ReleaseError(f"'{branch}' is not a branch name git accepts.")
    ref = f"refs/heads/{branch}"
    exists = subprocess.run(["git", "-C", str(root), "rev-parse", "--verify", "--quiet", ref],
                            capture_output=True, text=True)
    parent = exists.stdout.strip() if exists.returncode == 0 else None
    if parent:
        if git(root, "log", "-1", "--format=%H", parent, "--", SOURCES).strip():
            raise ReleaseError(f"The branch '{branch}' exists and its history holds {SOURCES}/ (the solutions): "
                               "students who clone it could read them in the history. Choose a new branch name "
                               "(e.g. --branch students); a release branch never shares history with yours.")
        if f"branch {ref}\n" in git(root, "worktree", "list", "--porcelain"):
            raise ReleaseError(f"The branch '{branch}' is checked out in a worktree: switch that worktree to "
                               "another branch first.")
        if git(root, "rev-parse", f"{parent}^{{tree}}").strip() == tree:
            return None
    message = (f"Students' copy of {source_commit[:12]}\n\nMade by escalation-release from {source_commit}: without "
               + ", ".join(INSTRUCTOR_ONLY) + " and key files.\n")
    commit = git(root, "commit-tree", tree, *(["-p", parent] if parent else []), "-m", message).strip()
    git(root, "update-ref", ref, commit, *([parent] if parent else ["0" * 40]))
    return commit


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="escalation-release",
        description="Write the students' copy of the module: this checkout's last commit without the graded "
                    "sets' sources (solutions, hidden tests), the teacher's pack's sealed pages, tests and keys.")
    sub = p.add_subparsers(dest="what", required=True, metavar="students")
    s = sub.add_parser("students", help="the copy students get (a folder, or a branch of this checkout)")
    s.add_argument("dir", nargs="?", type=Path, help="folder to write the copy into (new or empty)")
    s.add_argument("--branch", help="instead, commit the copy on this branch of the checkout (e.g. students)")
    s.add_argument("--rev", default="HEAD", help="commit to release (default: HEAD, the last commit)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if bool(args.dir) == bool(args.branch):
            raise ReleaseError("Give a folder (escalation-release students DIR) or --branch NAME, one of the two.")
        root = checkout_root("escalation-release")
        commit = git(root, "rev-parse", "--verify", f"{args.rev}^{{commit}}").strip()
        tree, dropped = students_tree(root, commit)
        left = f"left out {len(dropped)} instructor-only files ({', '.join(INSTRUCTOR_ONLY)}, keys)"
        if args.dir:
            count = write_folder(root, tree, args.dir.resolve())
            print(f"Students' copy of {commit[:12]}: {count} files in {args.dir.resolve()}; {left}.")
            return 0
        made = write_branch(root, tree, args.branch, commit)
        if made is None:
            print(f"The branch '{args.branch}' already holds the students' copy of {commit[:12]}: nothing to do.")
        else:
            print(f"Students' copy of {commit[:12]} committed on branch '{args.branch}' ({made[:12]}); {left}.\n"
                  f"Push it (git push origin {args.branch}) and hand it out with "
                  f"escalation-link HUB --branch {args.branch}.")
        return 0
    except EscalationError as exc:
        print(f"✘ {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
