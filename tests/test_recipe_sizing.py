"""The sizing table of docs/serving_a_class.md §9 against the recipes' own numbers and the measurements.

Independent sources: the Z2JH guarantee and limit are read from the pod KubeSpawner builds from config.yaml
(the bytes it would ask Kubernetes for), the placeholders from config.yaml, TLJH's limit from install.sh's
commands, the working set and the hub's memory from the measurement table of the same section (written by
benchmarks/class_on_hub.py's run). The table must schedule: every row's machines hold what it reserves.
"""
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from support.z2jh_pods import chart_spawner_config, pod_for, write_offline_kubeconfig

REPO = Path(__file__).resolve().parents[1]
GUIDE = REPO / "docs" / "serving_a_class.md"
MIB = 2**20


def sizing_section() -> str:
    text = GUIDE.read_text(encoding="utf-8")
    return text[text.index("<!-- sizing-start -->"):text.index("<!-- sizing-end -->")]


def table(header_start: str) -> list[dict]:
    lines = [l for l in sizing_section().splitlines()]
    start = next(i for i, l in enumerate(lines) if l.startswith(header_start))
    header = [h.strip() for h in lines[start].strip("|").split("|")]
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append(dict(zip(header, (c.strip() for c in line.strip("|").split("|")))))
    return rows


def number(pattern: str, text: str) -> float:
    found = re.search(pattern, text)
    assert found, f"{pattern!r} not in {text!r}"
    return float(found.group(1))


@pytest.fixture(scope="module")
def measured() -> dict:
    rows = {r["What (30 students on one machine)"]: r["Measured"] for r in table("| What (30 students")}
    return {
        "student": number(r"(\d+) MiB", rows["memory per active student: server + kernel that has run all of notebook 02 (PSS)"]),
        "server": number(r"(\d+) MiB", rows["memory of a server with no kernel open yet"]),
        "hub": number(r"(\d+) MiB", rows["hub + proxy"]),
        "cpu": number(r"([\d.]+) s of one core", rows["CPU per student: server start, pull and Run All of notebook 02"]),
    }


@pytest.fixture(scope="module")
def recipe(tmp_path_factory) -> dict:
    values = yaml.safe_load((REPO / "tools" / "hub" / "z2jh" / "config.yaml").read_text(encoding="utf-8"))
    old = os.environ.get("KUBECONFIG")
    os.environ["KUBECONFIG"] = str(write_offline_kubeconfig(tmp_path_factory.mktemp("kube")))
    try:
        resources = pod_for(chart_spawner_config(values, "dict"), "student1", admin=False)["spec"]["containers"][0]["resources"]
    finally:
        os.environ.pop("KUBECONFIG") if old is None else os.environ.__setitem__("KUBECONFIG", old)
    tljh = subprocess.run(["bash", str(REPO / "tools" / "hub" / "tljh" / "install.sh"), "install",
                           "https://github.com/owner/escalation", "teacher"], capture_output=True, text=True,
                          env=dict(os.environ, DRY_RUN="1"), check=True).stdout
    tljh_limit = re.search(r"tljh-config set limits\.memory (\d+)G$", tljh, re.M)
    return {
        "guarantee": resources["requests"]["memory"] / MIB,  # bytes KubeSpawner asks Kubernetes to reserve
        "limit": resources["limits"]["memory"] / MIB,
        "placeholders": values["scheduling"]["userPlaceholder"]["replicas"],
        "tljh_limit": int(tljh_limit.group(1)) * 1024,  # systemd reads 1G as 1 GiB
    }


def sizing_rows() -> list[dict]:
    return table("| Students active at once | Hub |")


def gib(text: str) -> float:
    """The last figure in GiB of a cell (the total, after '=' or ':')."""
    found = re.findall(r"([\d.]+) GiB", text)
    assert found, f"no GiB figure in {text!r}"
    return float(found[-1])


def test_sizing_table_covers_30_100_and_300_students_on_the_recipes():
    rows = sizing_rows()
    assert {int(r["Students active at once"]) for r in rows} == {30, 100, 300}
    assert {r["Hub"] for r in rows} == {"TLJH", "Z2JH"}
    assert any(r["Hub"] == "Z2JH" and r["Students active at once"] == "300" for r in rows)


@pytest.mark.parametrize("row", sizing_rows(), ids=lambda r: f"{r['Students active at once']}-{r['Hub']}")
def test_sizing_row_uses_the_recipes_numbers_and_fits_its_machines(row, measured, recipe):
    n = int(row["Students active at once"])
    machines = row["Machines"]
    count = int(number(r"^(\d+) (?:server|nodes?)", machines))
    in_use = n * measured["student"] + measured["hub"]
    assert f"{n} × {measured['student']:.0f} MiB + {measured['hub']:.0f} MiB" in row["Memory in use (measured)"]
    assert gib(row["Memory in use (measured)"]) == pytest.approx(in_use / 1024, abs=0.05)
    peak = n * measured["cpu"] / 60
    assert number(r"\(([\d.]+)\)", row["Cores (peak)"]) == pytest.approx(peak, abs=0.05)
    cores = number(r"^(\d+)", row["Cores (peak)"])
    assert cores == count * number(r"(\d+) cores", machines) and cores >= peak
    if row["Hub"] == "Z2JH":
        # Kubernetes schedules by reservations: nodes × allocatable ≥ (students + placeholders) × guarantee + hub
        reserved = (n + recipe["placeholders"]) * recipe["guarantee"] + measured["hub"]
        stated = f"({n} + {recipe['placeholders']}) × {recipe['guarantee']:.0f} MiB + {measured['hub']:.0f} MiB"
        assert stated in row["Memory reserved"]
        assert gib(row["Memory reserved"]) == pytest.approx(reserved / 1024, abs=0.05)
        allocatable = number(r"([\d.]+) GiB allocatable each", machines)
        assert gib(machines) == count * allocatable
        assert count * allocatable * 1024 >= reserved >= in_use
        assert allocatable < number(r"/ ([\d.]+) GiB each", machines)  # allocatable is less than the node
    else:
        # TLJH reserves nothing: the one server's memory must hold the planned use (and the measured one)
        assert count == 1 and row["Memory reserved"].startswith("none")
        assert f"limit {recipe['tljh_limit'] / 1024:.0f} GiB each" in row["Memory reserved"]
        planned = gib(row["Memory planned"])
        assert planned * 1024 >= in_use
        assert number(r"/ ([\d.]+) GiB", machines) >= planned


def test_z2jh_guarantee_holds_a_server_with_two_lesson_kernels(measured, recipe):
    kernel = measured["student"] - measured["server"]
    assert recipe["guarantee"] >= measured["server"] + 2 * kernel
    assert recipe["limit"] >= 2 * recipe["guarantee"]
    assert f"{recipe['guarantee']:.0f} MiB" in sizing_section()


def test_disk_per_student_holds_the_module_as_cloned_with_a_checkpoint_of_every_notebook():
    """A shallow clone is at most its files twice (working tree + their compressed objects), plus one
    JupyterLab checkpoint copy per notebook; the plan per student must hold that, for the repository as it is."""
    files = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z"], capture_output=True, check=True).stdout
    paths = [REPO / p for p in files.decode().split("\0") if p and (REPO / p).is_file()]
    tracked = sum(p.stat().st_size for p in paths)
    notebooks = sum(p.stat().st_size for p in paths if p.suffix == ".ipynb")
    bound = (2 * tracked + notebooks) / MIB
    plan = number(r"Plan\s+(\d+) MiB per student", sizing_section())
    assert plan >= bound, f"a home may need {bound:.0f} MiB, the guide plans {plan:.0f}"
    for row in sizing_rows():
        n = int(row["Students active at once"])
        assert f"{n} × {plan:.0f} MiB" in row["Home folders"]
        assert gib(row["Home folders"]) == pytest.approx(n * plan / 1024, abs=0.05)
