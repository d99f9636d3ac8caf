"""The Littlest JupyterHub plugin for the teaching module "Escalation debates".

Install it with TLJH's bootstrap (tools/hub/tljh/install.sh does this):

    curl -L https://tljh.jupyter.org/bootstrap.py | sudo python3 - --admin INSTRUCTOR \
        --plugin "git+https://github.com/OWNER/REPO@main#subdirectory=tools/hub/tljh"

What it does, through TLJH's hooks:
- tljh_extra_user_pip_packages: nbgitpuller in the user environment (the hand-out links need it).
- tljh_post_install: clones the module (the repository the plugin was installed from, or $ESCALATION_REPO)
  into /opt/escalation-debates and runs `pip install -r requirements.txt` there with the user
  environment's pip, so every student gets the pinned libraries and the package (`-e .`) with its data;
  the package's own Jupyter settings files (nbgrader's extensions and the news pop-up off, C6) come with it.
- tljh_custom_jupyterhub_config: students land in JupyterLab, and the language-server extension (which
  looks for language servers at every server start) is off.
"""
from __future__ import annotations

import json
import os
import subprocess
from importlib import metadata
from pathlib import Path

try:
    from tljh.hooks import hookimpl
except ImportError:  # outside TLJH (the repository's tests): the same pluggy marker
    import pluggy

    hookimpl = pluggy.HookimplMarker("tljh")

CHECKOUT = Path(os.environ.get("ESCALATION_DIR", "/opt/escalation-debates"))
USER_ENV = Path(os.environ.get("ESCALATION_USER_ENV", "/opt/tljh/user"))
STUDENT_SERVER_ARGS = ["--ServerApp.jpserver_extensions=jupyter_lsp=False"]


def module_repository() -> tuple[str, str]:
    """(git URL, branch) of the module: $ESCALATION_REPO / $ESCALATION_BRANCH, else where pip got this plugin."""
    if os.environ.get("ESCALATION_REPO"):
        return os.environ["ESCALATION_REPO"], os.environ.get("ESCALATION_BRANCH", "main")
    try:
        direct = json.loads(metadata.distribution("tljh-escalation").read_text("direct_url.json") or "{}")
    except metadata.PackageNotFoundError:
        direct = {}
    vcs = direct.get("vcs_info") or {}
    if direct.get("url") and vcs.get("vcs") == "git":
        return direct["url"], vcs.get("requested_revision") or "main"
    raise RuntimeError("tljh-escalation: set ESCALATION_REPO to the module's git address (the plugin was not "
                       "installed from a git URL, so it cannot tell where the module lives).")


def commands(repo: str, branch: str, checkout: Path = CHECKOUT, user_env: Path = USER_ENV) -> list[tuple[list[str], str]]:
    """The commands post-install runs, each with its working folder (a fresh clone, or an update)."""
    if (checkout / ".git").is_dir():
        fetch = [(["git", "-C", str(checkout), "fetch", "--depth=1", "origin", branch], "/"),
                 (["git", "-C", str(checkout), "checkout", "--force", "FETCH_HEAD"], "/")]
    else:
        fetch = [(["git", "clone", "--depth=1", "--branch", branch, repo, str(checkout)], "/")]
    pip = [str(user_env / "bin" / "python"), "-m", "pip", "install", "--no-cache-dir", "-r", "requirements.txt"]
    return fetch + [(pip, str(checkout))]  # `-e .` in requirements.txt is relative to the working folder


@hookimpl
def tljh_extra_user_pip_packages():
    return ["nbgitpuller"]


@hookimpl
def tljh_post_install():
    repo, branch = module_repository()
    for cmd, cwd in commands(repo, branch):
        subprocess.run(cmd, cwd=cwd, check=True)


@hookimpl
def tljh_custom_jupyterhub_config(c):
    c.Spawner.default_url = "/lab"
    c.Spawner.args.extend(STUDENT_SERVER_ARGS)
