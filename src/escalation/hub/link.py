"""The `escalation-link` command: links that hand the module out (stage: report).

    escalation-link https://hub.example.edu --repo https://github.com/OWNER/REPO
    escalation-link https://hub.example.edu --exercise ex03_red_lines
    escalation-link --binder https://github.com/OWNER/REPO

A hub link is an nbgitpuller link: a student's click clones the repository into
`~/<targetpath>` on their first visit, merges upstream changes on later visits without overwriting
what the student changed (nbgitpuller's merge rules), and opens the chosen notebook in JupyterLab.
The Binder link launches the repository on mybinder.org (or another BinderHub) from the same address.

Students must get the students' copy (`escalation-release students --branch students`, pushed), never a
branch with `exercises/source/` (the solutions and hidden tests): the command asks the repository which
commit the branch is, looks at that commit in this checkout and refuses one that holds the folder, or one it
cannot check, unless `--allow-sources`. Students' servers clone anonymously, so SSH
addresses (git@host:…, ssh://…) are refused too.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from ..errors import EscalationError
from ..paths import REPO_ROOT, is_checkout

DEFAULT_TARGETPATH = "escalation-debates"
START_NOTEBOOK = "notebooks/00_start_here.ipynb"
DEFAULT_BINDER = "https://mybinder.org"
BADGE_IMAGE = "https://mybinder.org/badge_logo.svg"
REPO_SCHEMES = ("https", "http", "git", "file")
SOURCES = "exercises/source"


class LinkError(EscalationError):
    """A hub address, repository address, notebook or exercise set that cannot make a link."""


def normalise_hub_url(url: str) -> str:
    """The hub's base address without a trailing slash (a trailing /hub, /hub/home or /hub/login is dropped)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise LinkError(f"'{url}' is not a hub address: give it as https://hub.example.edu (with https:// and the "
                        "host name; add the path if the hub lives under one, e.g. https://example.edu/jupyter).")
    if parts.query or parts.fragment:
        raise LinkError(f"'{url}' has a query or fragment (?… or #…): give only the hub's address.")
    path = re.sub(r"/hub(/(home|login|spawn)?)?/?$", "", parts.path.rstrip("/")).rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def check_repo_url(url: str) -> str:
    """The repository address as given, after checking that git can fetch from it."""
    url = url.strip()
    scp = re.match(r"^[\w.-]+@([\w.-]+):([\w./~-]+)$", url)  # scp-like: git@github.com:OWNER/REPO.git
    parts = urlsplit(url)
    if scp or parts.scheme == "ssh" or parts.scheme.startswith("git+ssh"):
        host, path = (scp.group(1), scp.group(2)) if scp else (parts.hostname or "HOST", parts.path.lstrip("/"))
        raise LinkError(f"'{url}' is an SSH address: students' servers clone without your SSH key, so the pull "
                        f"would fail. Give the repository's https address instead, e.g. "
                        f"https://{host}/{path.removesuffix('.git')} (a public repository, or one the hub can "
                        "read), or file:///path/to/repo for a copy on the hub's own disk.")
    if parts.scheme not in REPO_SCHEMES or not (parts.netloc or (parts.scheme == "file" and parts.path)):
        raise LinkError(f"'{url}' is not a git repository address: give it as https://github.com/OWNER/REPO "
                        "(or file:///path/to/repo).")
    if parts.scheme == "https" and parts.netloc.endswith("github.com") and len(parts.path.strip("/").split("/")) < 2:
        raise LinkError(f"'{url}' names no repository: a GitHub address is https://github.com/OWNER/REPO.")
    return url.rstrip("/")


def default_repo(root: Path = REPO_ROOT) -> str:
    """The `origin` remote of the checkout the package runs from (the repository students should pull)."""
    if not is_checkout(Path(root)):
        raise LinkError("The package is not running from a checkout, so there is no 'origin' remote to hand out: "
                        "give the repository's public address with --repo https://github.com/OWNER/REPO.")
    try:
        out = subprocess.run(["git", "-C", str(root), "remote", "get-url", "origin"], capture_output=True,
                             text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        out = None
    if out is None or out.returncode or not out.stdout.strip():
        raise LinkError("This checkout has no 'origin' remote to hand out: give the repository's public "
                        "address with --repo https://github.com/OWNER/REPO.")
    return out.stdout.strip()


def target_file(notebook: str | None = None, exercise: str | None = None, root: Path = REPO_ROOT) -> str:
    """The file to open, relative to the repository: the start notebook, a lesson notebook or an exercise set.

    A notebook may be given as `02`, `02_arms_supply_in_numbers`, its file name or `notebooks/<file>`;
    it must exist in this checkout (the one the link will hand out).
    """
    root = Path(root)
    if notebook and exercise:
        raise LinkError("Give either --notebook or --exercise, not both.")
    if (notebook or exercise) and not (root / "notebooks").is_dir():
        raise LinkError("--notebook and --exercise are checked against a checkout of the module, and the package "
                        "is not running from one: run escalation-link in a clone of the repository.")
    if exercise:
        name = Path(exercise.strip().rstrip("/")).name.removesuffix(".ipynb")
        rel = f"exercises/student/{name}/{name}.ipynb"
        if not (root / rel).is_file():
            known = sorted(p.parent.name for p in (root / "exercises" / "student").glob("*/*.ipynb")
                           if p.stem == p.parent.name)
            raise LinkError(f"No exercise set '{exercise}'. The sets are: {', '.join(known) or 'none'}.")
        return rel
    if notebook:
        name = Path(notebook.strip()).name.removesuffix(".ipynb")
        books = sorted(p.name for p in (root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
        found = [b for b in books if b.removesuffix(".ipynb") == name or b.startswith(name + "_")]
        if len(found) != 1:
            raise LinkError(f"No notebook '{notebook}'. The notebooks are: {', '.join(books) or 'none'} "
                            "(the number alone, e.g. 02, is enough).")
        return f"notebooks/{found[0]}"
    return START_NOTEBOOK


def remote_commit(repo: str, ref: str) -> str | None:
    """The commit `ref` (a branch, a tag or HEAD) names in the repository students pull, asked with git ls-remote.

    A commit id is its own answer (Binder's --ref may be one)."""
    if re.fullmatch(r"[0-9a-f]{7,40}", ref):
        return ref
    names = ["HEAD"] if ref == "HEAD" else [f"refs/heads/{ref}", f"refs/tags/{ref}^{{}}", f"refs/tags/{ref}"]
    try:
        done = subprocess.run(["git", "ls-remote", repo, *names], capture_output=True, text=True, timeout=30,
                              env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = dict(reversed(line.split("\t")) for line in done.stdout.splitlines() if "\t" in line)
    return next((found[n] for n in names if n in found), None) if done.returncode == 0 else None


def check_no_sources(repo: str, ref: str, root: Path = REPO_ROOT, allow_sources: bool = False) -> None:
    """Refuse to hand out `ref` of `repo` if it holds exercises/source/, or if that cannot be checked.

    The repository says which commit `ref` is (git ls-remote); this checkout, which made or fetched that commit,
    says whether its tree holds the solutions folder.
    """
    if allow_sources:
        return
    make = ("make the students' copy with escalation-release students --branch students and push it "
            "(docs/serving_a_class.md, section 1)")
    commit = remote_commit(repo, ref)
    if commit is None:
        raise LinkError(f"Cannot check that '{ref}' of {repo} holds no {SOURCES}/ (the solutions): git ls-remote "
                        f"found no such branch or tag there. Push it first ({make}), or pass --allow-sources.")
    listed = subprocess.run(["git", "-C", str(root), "ls-tree", "--name-only", commit, SOURCES],
                            capture_output=True, text=True, timeout=10) if (Path(root) / ".git").exists() else None
    if listed is None or listed.returncode:
        raise LinkError(f"Cannot check that '{ref}' of {repo} holds no {SOURCES}/ (the solutions): its commit "
                        f"{commit[:12]} is not in this checkout. Run escalation-link in the checkout you release "
                        f"from (git fetch first), or pass --allow-sources.")
    if listed.stdout.strip():
        raise LinkError(f"'{ref}' of {repo} still holds {SOURCES}/ (the solutions and hidden tests): every student "
                        f"would get the answers. Instead, {make}, and link to that. --allow-sources hands this "
                        "branch out anyway (for instructors' own servers only).")


def _query(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{key}={quote(value, safe='')}" for key, value in pairs)


def nbgitpuller_link(hub: str, repo: str, branch: str = "main", file: str = START_NOTEBOOK,
                     targetpath: str = DEFAULT_TARGETPATH, app: str = "lab") -> str:
    """The nbgitpuller link: pull `repo` into ~/<targetpath> on the student's server, then open `file`."""
    if not re.match(r"^[\w.-]+$", targetpath or ""):
        raise LinkError(f"The target folder '{targetpath}' must be one plain folder name (letters, digits, . _ -).")
    if not branch or any(c in branch for c in " ~^:?*[\\"):
        raise LinkError(f"'{branch}' is not a branch name.")
    base = normalise_hub_url(hub)
    urlpath = f"{app}/tree/{targetpath}/{file}" if app == "lab" else f"tree/{targetpath}/{file}"
    return (f"{base}/hub/user-redirect/git-pull?"
            + _query([("repo", check_repo_url(repo)), ("branch", branch), ("targetpath", targetpath),
                      ("urlpath", urlpath)]))


def binder_link(repo: str, ref: str = "HEAD", file: str = START_NOTEBOOK, host: str = DEFAULT_BINDER) -> str:
    """The Binder launch link for a repository on GitHub, GitLab or any public git host."""
    repo = check_repo_url(repo)
    host = normalise_hub_url(host)
    parts = urlsplit(repo)
    path = parts.path.strip("/").removesuffix(".git")
    if parts.scheme == "https" and parts.netloc in ("github.com", "www.github.com"):
        spec = "gh/" + "/".join(path.split("/")[:2]) + f"/{ref}"
    elif parts.scheme == "https" and parts.netloc == "gitlab.com":
        spec = "gl/" + quote(path, safe="") + f"/{ref}"
    elif parts.scheme in ("https", "http"):
        spec = "git/" + quote(repo, safe="") + f"/{ref}"
    else:
        raise LinkError(f"Binder builds only public repositories reachable over https; '{repo}' is not one.")
    return f"{host}/v2/{spec}?" + _query([("urlpath", f"lab/tree/{file}")])


def binder_badge(link: str) -> str:
    """The Markdown badge for a README or a web page."""
    return f"[![Launch on Binder]({BADGE_IMAGE})]({link})"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="escalation-link",
        description="Print the link that hands the module out on a JupyterHub (nbgitpuller), or its Binder link.")
    p.add_argument("hub", nargs="?", help="the hub's address, e.g. https://hub.example.edu")
    p.add_argument("--repo", help="the repository students pull (default: this checkout's 'origin' remote)")
    p.add_argument("--branch", default="main", help="branch to pull (default: main)")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--notebook", help="open this lesson notebook (e.g. 02 or 02_arms_supply_in_numbers.ipynb)")
    what.add_argument("--exercise", help="open this exercise set (e.g. ex03_red_lines)")
    p.add_argument("--targetpath", default=DEFAULT_TARGETPATH,
                   help=f"folder in each student's home that receives the module (default: {DEFAULT_TARGETPATH}; "
                        "`escalation-grade collect` assumes the same)")
    p.add_argument("--binder", metavar="REPO_URL",
                   help="print the Binder launch link and README badge for this public repository instead")
    p.add_argument("--binder-host", default=DEFAULT_BINDER, help=f"BinderHub to launch on (default: {DEFAULT_BINDER})")
    p.add_argument("--ref", default="HEAD", help="branch, tag or commit Binder builds (default: HEAD)")
    p.add_argument("--allow-sources", action="store_true",
                   help="hand out a branch that still holds exercises/source/ (the solutions): instructors only")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        file = target_file(args.notebook, args.exercise)
        if args.binder:
            if args.hub:
                raise LinkError("Give a hub address or --binder REPO_URL, not both.")
            link = binder_link(args.binder, args.ref, file, args.binder_host)
            check_no_sources(check_repo_url(args.binder), args.ref, allow_sources=args.allow_sources)
            print(link)
            print(binder_badge(link))
            return 0
        if not args.hub:
            raise LinkError("Give the hub's address (escalation-link https://hub.example.edu) or --binder REPO_URL.")
        repo = args.repo or default_repo()
        url = nbgitpuller_link(args.hub, repo, args.branch, file, args.targetpath)
        check_no_sources(check_repo_url(repo), args.branch, allow_sources=args.allow_sources)
        print(url)
        return 0
    except LinkError as exc:
        print(f"✘ {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
