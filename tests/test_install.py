"""The package installs like any other: from a clean clone with `pip install .`, and in repo2docker's order.

Each install goes into a child virtual environment made with `--without-pip` whose `.pth` file shows it this
test environment's site-packages (every dependency, not the checkout's package), with pip's
`--no-deps --no-build-isolation --no-index`: no network, about two seconds an install. The installed package
then runs from folders that hold no checkout, with PYTHONPATH and ESCALATION_DATA removed.
"""
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
SHARED_DATA = PYPROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]["shared-data"]
NOT_FOR_STUDENTS = {"nbgrader", "jupyterhub", "sphinx", "playwright", "pytest", "nbval", "myst-nb", "pypdf",
                    "jupyterhub-kubespawner", "voila"}


def site_dirs() -> list[str]:
    """This environment's site-packages folders, without any folder that holds the checkout's package."""
    return [entry for entry in dict.fromkeys(sys.path)
            if entry and Path(entry).is_dir() and {"site-packages", "dist-packages"} & set(Path(entry).parts)
            and not (Path(entry) / "escalation" / "__init__.py").exists()]


def clean_env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "ESCALATION_DATA", "VIRTUAL_ENV") and not k.startswith("JUPYTER")}
    return dict(env, HOME=str(home), MPLBACKEND="Agg", PYTHONNOUSERSITE="1")


def child_venv(folder: Path) -> Path:
    """A venv without pip that sees this environment's packages; its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True, timeout=120)
    python = folder / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "_test_environment.pth").write_text("\n".join(site_dirs()) + "\n", encoding="utf-8")
    return python


def pip(python: Path, *args: str, cwd: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                           "--disable-pip-version-check", "--no-build-isolation", "--no-index", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=300, env=clean_env(cwd))
    assert done.returncode == 0, ("pip failed (this environment must hold requirements.txt, hatchling included):\n"
                                  + done.stdout[-1500:] + done.stderr[-3000:])


def run_py(python: Path, code: str, cwd: Path, **env) -> subprocess.CompletedProcess:
    return subprocess.run([str(python), "-c", code], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env=dict(clean_env(cwd), **env))


RUN_NOTEBOOKS = r"""
import json, os, sys
import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient
argv0 = KernelSpecManager().get_kernel_spec("python3").argv[0]
assert argv0 == sys.executable, f"the kernel would run {argv0}, not {sys.executable}"
report = {}
for path in sys.argv[1:]:
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        "import escalation, escalation.paths; print(escalation.__file__); print(escalation.paths.data_dir())"))
    folder = os.path.dirname(os.path.abspath(path))  # a notebook runs in its own folder, as in JupyterLab
    NotebookClient(nb, timeout=240, kernel_name="python3", resources={"metadata": {"path": folder}}).execute()
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    report[path] = {"errors": len(errors), "last": nb.cells[-1].outputs[0]["text"].split()}
print(json.dumps(report))
"""


def run_notebooks(python: Path, cwd: Path, *paths: str) -> dict:
    done = subprocess.run([str(python), "-c", RUN_NOTEBOOKS, *paths], cwd=cwd, capture_output=True, text=True,
                          timeout=600, env=clean_env(cwd))
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def prefix_site(python: Path) -> Path:
    return Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())


def check_settings_landed(prefix: Path) -> None:
    """The students' JupyterLab settings are where pip writes a wheel's data files, as in the repository."""
    for source, target in SHARED_DATA.items():
        installed = prefix / target
        assert installed.is_file(), f"{target} was not installed under {prefix}"
        assert json.loads(installed.read_text()) == json.loads((REPO / source).read_text()), target


@pytest.fixture(scope="module")
def plain_install(tmp_path_factory) -> Path:
    """A clean `git clone` of HEAD installed with `pip install .` (not editable); the clone is then deleted."""
    tmp = tmp_path_factory.mktemp("plain")
    clone = tmp / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True, timeout=120)
    python = child_venv(tmp / "env")
    pip(python, "--no-deps", str(clone), cwd=tmp)
    shutil.rmtree(clone)
    (tmp / "elsewhere").mkdir()
    return python


def test_plain_install_reads_the_data_it_ships_from_any_folder(plain_install, tmp_path):
    site = prefix_site(plain_install)
    with (REPO / "data" / "articles" / "articles.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = sum(1 for _ in csv.DictReader(handle))
    done = run_py(plain_install, "import escalation, escalation.paths as p; from escalation.corpus import "
                  "load_articles; print(escalation.__file__); print(p.data_dir()); print(len(load_articles()))",
                  cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    module, data, count = done.stdout.split()
    assert Path(module) == site / "escalation" / "__init__.py"
    assert Path(data) == site / "escalation" / "data" and int(count) == rows >= 2

    copy = tmp_path / "my data"
    shutil.copytree(REPO / "data", copy)
    override = run_py(plain_install, "import escalation.paths as p; print(p.data_dir())", cwd=tmp_path,
                      ESCALATION_DATA=str(copy))
    assert Path(override.stdout.strip()) == copy


def test_missing_data_give_one_clear_sentence(plain_install, tmp_path):
    probe = ("from escalation.errors import DataError\nfrom escalation.corpus import load_articles\n"
             "try:\n    load_articles()\nexcept DataError as e:\n    print(e)")
    wrong = run_py(plain_install, probe, cwd=tmp_path, ESCALATION_DATA=str(tmp_path / "nowhere"))
    assert wrong.stdout.count(".") >= 1 and len(wrong.stdout.strip().splitlines()) == 1
    assert "ESCALATION_DATA" in wrong.stdout and "nowhere" in wrong.stdout
    data = prefix_site(plain_install) / "escalation" / "data"
    data.rename(data.with_name("data-away"))
    try:
        gone = run_py(plain_install, probe, cwd=tmp_path)
    finally:
        data.with_name("data-away").rename(data)
    assert len(gone.stdout.strip().splitlines()) == 1 and "reinstall" in gone.stdout, gone.stdout + gone.stderr


@pytest.mark.slow
def test_plain_install_runs_notebook_02_from_another_folder(plain_install, tmp_path):
    shutil.copy(REPO / "notebooks" / "02_arms_supply_in_numbers.ipynb", tmp_path)
    report = run_notebooks(plain_install, tmp_path, "02_arms_supply_in_numbers.ipynb")
    result = report["02_arms_supply_in_numbers.ipynb"]
    site = prefix_site(plain_install)
    assert result["errors"] == 0
    assert result["last"] == [str(site / "escalation" / "__init__.py"), str(site / "escalation" / "data")]


def test_plain_install_writes_the_students_jupyterlab_settings(plain_install, tmp_path):
    prefix = plain_install.parent.parent
    check_settings_landed(prefix)
    # `jupyter server extension list` (the child has no jupyter-server script: it runs the module instead)
    server = subprocess.run([str(plain_install), "-m", "jupyter_server.extension.serverextension", "list"],
                            cwd=tmp_path,
                            capture_output=True, text=True, timeout=120, env=clean_env(tmp_path))
    text = re.sub(r"\x1b\[[0-9;]*m", "", server.stdout + server.stderr)
    assert f"Config dir: {prefix / 'etc' / 'jupyter'}" in text, text[:800]  # jupyter reads where pip wrote
    line = next(l for l in text.splitlines() if "nbgrader.server_extensions.formgrader " in l)
    assert "disabled" in line, line
    removed = run_py(plain_install, "from escalation.hub import student_lab; student_lab.main(['remove'])",
                     cwd=tmp_path)
    assert "Removed 3 file(s)" in removed.stdout, removed.stderr
    assert not any((prefix / target).exists() for target in SHARED_DATA.values())


def test_checkout_only_commands_say_so_in_a_plain_install(plain_install, tmp_path):
    for script, args in (("escalation-edition", ["--out", "edition"]), ("escalation-release", ["students", "copy"])):
        done = subprocess.run([str(plain_install.parent / script), *args], cwd=tmp_path, capture_output=True,
                              text=True, timeout=120, env=clean_env(tmp_path))
        assert done.returncode == 2 and "needs a checkout" in done.stderr and "Traceback" not in done.stderr, \
            done.stderr
    assert not (tmp_path / "edition").exists() and not (tmp_path / "copy").exists()


def closure(requirements: list[str], extras: frozenset = frozenset({""})) -> set[str]:
    """Every distribution the requirements pull in, read from the installed packages' own metadata."""
    seen, todo = set(), [(Requirement(r), extras) for r in requirements]
    while todo:
        req, active = todo.pop()
        if req.marker and not any(req.marker.evaluate({"extra": e}) for e in active):
            continue
        name = canonicalize_name(req.name)
        if name in seen:
            continue
        seen.add(name)
        dist = metadata.distribution(name)
        todo += [(Requirement(r), frozenset({""} | req.extras)) for r in dist.requires or []]
    return seen


def test_the_base_install_holds_no_instructor_or_test_tools(plain_install):
    """The wheel's own metadata: its requirements without extras, followed through the installed packages."""
    dist_info = next(prefix_site(plain_install).glob("escalation-*.dist-info"))
    dist = metadata.Distribution.at(dist_info)
    base = [r for r in dist.requires if "extra ==" not in r]
    assert {canonicalize_name(Requirement(r).name) for r in base} >= {"jupyterlab", "ipywidgets", "matplotlib",
                                                                      "pandas", "numpy", "ipykernel"}
    pulled = closure(base)
    assert len(pulled) > 40 and "jupyterlab" in pulled
    assert not pulled & NOT_FOR_STUDENTS, sorted(pulled & NOT_FOR_STUDENTS)
    assert {"grading", "edition", "hub", "test"} <= set(dist.metadata.get_all("Provides-Extra"))
    full = closure(["escalation[test]"], frozenset({""}))
    assert {"nbgrader", "jupyterhub", "sphinx", "playwright"} <= full  # the extras do bring them


def test_requirements_pins_satisfy_the_declared_dependencies():
    """requirements.txt (the tested set) pins a version inside every range pyproject.toml declares."""
    pins = {canonicalize_name(m[1]): m[2] for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)",
                                                                (REPO / "requirements.txt").read_text(), re.M)}
    declared = PYPROJECT["project"]["dependencies"] + [
        r for group in PYPROJECT["project"]["optional-dependencies"].values() for r in group
        if not r.startswith("escalation[")]
    for text in declared:
        req = Requirement(text)
        name = canonicalize_name(req.name)
        assert name in pins, f"{name} is declared in pyproject.toml but not pinned in requirements.txt"
        assert req.specifier.contains(pins[name], prereleases=True), f"{name}=={pins[name]} is outside {req}"


@pytest.mark.slow
def test_repo2docker_sequence_gives_a_working_students_server(tmp_path):
    """repo2docker's python buildpack, for a repository whose pyproject.toml has [project] and
    [build-system]: `${KERNEL_PYTHON_PREFIX}/bin/pip install --no-cache-dir -r requirements.txt`, then
    `pip install --no-cache-dir .`, both in ${REPO_DIR}, which is the home folder (jupyterhub/repo2docker,
    repo2docker/buildpacks/python/__init__.py: _get_pip_scripts and get_assemble_scripts, _is_python_package;
    buildpacks/base.py: REPO_DIR=${HOME}). What differs from the real build: no Docker image and no conda
    Python; every pinned package is already visible through the child's .pth, so pip only checks the pins
    (offline, --no-index) instead of downloading them; and the builds run without build isolation (the real
    one fetches hatchling from PyPI)."""
    home = tmp_path / "home"
    subprocess.run(["git", "clone", "-q", str(REPO), str(home)], check=True, timeout=120)
    python = child_venv(tmp_path / "env")
    pip(python, "-r", "requirements.txt", cwd=home)
    pip(python, ".", cwd=home)
    check_settings_landed(tmp_path / "env")
    site = prefix_site(python)
    assert not list(site.glob("_editable_impl_escalation*.pth")), "pip install . must replace the editable install"
    report = run_notebooks(python, home, "notebooks/00_start_here.ipynb",
                           "exercises/student/ex03_red_lines/ex03_red_lines.ipynb")
    for path, result in report.items():
        assert result["errors"] == 0, path
        assert result["last"] == [str(site / "escalation" / "__init__.py"), str(site / "escalation" / "data")], path


def test_a_checkout_reads_its_own_data_folder(monkeypatch):
    """The README's editable install (or PYTHONPATH=src) reads data/ of the checkout, where instructors edit
    the data, and not the copy an editable wheel also carries."""
    import escalation
    from escalation import paths

    monkeypatch.delenv("ESCALATION_DATA", raising=False)
    assert Path(escalation.__file__).parent == REPO / "src" / "escalation"
    assert paths.packaged_data() is None and paths.data_dir() == REPO / "data"
    assert paths.checkout_root() == REPO
