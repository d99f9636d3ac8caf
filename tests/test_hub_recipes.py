"""The deployment recipes in tools/hub/ are real files: parsed, and run as far as this machine allows.

TLJH plugin: imported, its hooks called (post-install really clones a repository; pip is replaced by a
recorder), and built as a wheel with its entry point. Z2JH config and LTI overlay: parsed, the values
checked by JupyterHub's own classes, the hub's extra Python config run and the pods built by the real
KubeSpawner (PyPI). Shell scripts: `bash -n`, then run in DRY_RUN mode.

Against the upstream projects' own files at the pinned versions (Z2JH chart 4.4.0, TLJH 2.0.0: its values
schema and hub config, its hook specifications and config code), read from $ESCALATION_UPSTREAM and skipped,
naming the file to place, where absent (tests/support/upstream.py, tools/hub/upstream_files.txt).
"""
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml
from traitlets.config import Config

from escalation.grading.collect import DEFAULT_TARGETPATH as COLLECT_TARGETPATH
from escalation.hub.link import DEFAULT_TARGETPATH
from support.local_hub import STUDENT_ARGS
from support.upstream import load_functions, merge_values, upstream_file
from support.z2jh_pods import chart_spawner_config, mounts_of, pod_for, write_offline_kubeconfig

REPO = Path(__file__).resolve().parents[1]
HUB = REPO / "tools" / "hub"
SCRIPTS = sorted(HUB.rglob("*.sh"))
SERVER_ARGS = [a for a in STUDENT_ARGS if a != "--allow-root"]  # what the tested hub gives each student


def load_plugin():
    spec = importlib.util.spec_from_file_location("tljh_escalation", HUB / "tljh" / "tljh_escalation.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sh(*args, env=None, check=True):
    done = subprocess.run(["bash", *map(str, args)], capture_output=True, text=True,
                          env=dict(os.environ, DRY_RUN="1", **(env or {})))
    if check:
        assert done.returncode == 0, done.stderr
    return done


def test_link_and_collect_agree_on_where_the_module_lands():
    assert DEFAULT_TARGETPATH == COLLECT_TARGETPATH


# The Littlest JupyterHub plugin

def test_tljh_plugin_hooks_are_marked_and_callable():
    plugin = load_plugin()
    hooks = {name for name in dir(plugin) if hasattr(getattr(plugin, name), "tljh_impl")}
    assert hooks == {"tljh_extra_user_pip_packages", "tljh_post_install", "tljh_custom_jupyterhub_config"}
    assert plugin.tljh_extra_user_pip_packages() == ["nbgitpuller"]
    c = Config()
    c.Spawner.args = ["--existing"]
    plugin.tljh_custom_jupyterhub_config(c)
    assert c.Spawner.default_url == "/lab"
    assert c.Spawner.args == ["--existing"] + SERVER_ARGS
    # the same config, loaded by JupyterHub's own spawner class
    from jupyterhub.spawner import Spawner

    assert Spawner(config=c).args == ["--existing"] + SERVER_ARGS


def test_tljh_plugin_registers_with_pluggy():
    import pluggy

    pm = pluggy.PluginManager("tljh")
    pm.register(load_plugin())
    assert pm.hook.tljh_extra_user_pip_packages() == [["nbgitpuller"]]


def test_tljh_post_install_clones_then_updates_and_installs_from_the_checkout(tmp_path, monkeypatch):
    upstream = tmp_path / "upstream.git"
    subprocess.run(["git", "init", "-q", "--bare", str(upstream)], check=True)
    subprocess.run(["git", "-C", str(upstream), "fetch", "-q", "--depth=1", f"file://{REPO}", "HEAD:refs/heads/main"],
                   check=True)
    user_env = tmp_path / "user"
    (user_env / "bin").mkdir(parents=True)
    record = tmp_path / "pip_calls.txt"
    shim = user_env / "bin" / "python"  # records how pip would be called instead of installing everything
    shim.write_text(f'#!/bin/sh\necho "$PWD|$*" >> {record}\n', encoding="utf-8")
    shim.chmod(0o755)
    checkout = tmp_path / "opt" / "escalation-debates"
    monkeypatch.setenv("ESCALATION_REPO", f"file://{upstream}")
    plugin = load_plugin()
    monkeypatch.setattr(plugin, "CHECKOUT", checkout)
    monkeypatch.setattr(plugin, "USER_ENV", user_env)
    monkeypatch.setattr(plugin, "commands", lambda repo, branch, _c=plugin.commands: _c(repo, branch, checkout, user_env))
    plugin.tljh_post_install()
    assert (checkout / "requirements.txt").is_file() and (checkout / "data").is_dir()
    assert "-e ." in (checkout / "requirements.txt").read_text().splitlines()
    plugin.tljh_post_install()  # a second run updates the checkout instead of cloning again
    calls = record.read_text().splitlines()
    assert calls == [f"{checkout}|-m pip install --no-cache-dir -r requirements.txt"] * 2


def test_tljh_plugin_says_where_the_module_must_come_from(monkeypatch):
    monkeypatch.delenv("ESCALATION_REPO", raising=False)
    with pytest.raises(RuntimeError, match="ESCALATION_REPO"):
        load_plugin().module_repository()


def test_tljh_plugin_builds_as_a_wheel_with_its_entry_point(tmp_path):
    meta = tomllib.loads((HUB / "tljh" / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["project"]["entry-points"]["tljh"] == {"escalation": "tljh_escalation"}
    src = tmp_path / "plugin"  # a copy: building in place would leave build/ and *.egg-info in the repository
    shutil.copytree(HUB / "tljh", src)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(tmp_path), str(src)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    wheel = next(tmp_path.glob("tljh_escalation-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        entry = z.read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "tljh_escalation.py" in names
    assert "[tljh]" in entry and "escalation = tljh_escalation" in entry


# Zero to JupyterHub

def z2jh(name: str) -> dict:
    return yaml.safe_load((HUB / "z2jh" / name).read_text(encoding="utf-8"))


def test_z2jh_config_serves_the_student_set_up():
    cfg = z2jh("config.yaml")
    single = cfg["singleuser"]
    assert single["defaultUrl"] == "/lab"
    assert single["image"]["name"] and single["image"]["tag"]
    assert single["storage"]["type"] == "static" and single["storage"]["static"]["subPath"] == "{username}"
    assert cfg["hub"]["config"]["KubeSpawner"]["args"] == SERVER_ARGS
    assert cfg["cull"]["enabled"] is True
    admins = cfg["hub"]["config"]["Authenticator"]["admin_users"]
    assert admins and all(isinstance(a, str) for a in admins)


def test_z2jh_passwords_pass_jupyterhubs_own_checks():
    from jupyterhub.authenticators.shared import SharedPasswordAuthenticator

    cfg = z2jh("config.yaml")["hub"]["config"]
    assert cfg["JupyterHub"]["authenticator_class"] == "shared-password"
    auth = SharedPasswordAuthenticator(config=Config({"SharedPasswordAuthenticator": cfg["SharedPasswordAuthenticator"]}))
    assert auth.user_password.startswith("CHANGE-ME") and auth.admin_password != auth.user_password


@pytest.fixture
def offline_kubeconfig(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBECONFIG", str(write_offline_kubeconfig(tmp_path)))


@pytest.mark.parametrize("form", ["dict", "list"], ids=["chart-4.3-and-later", "chart-before-4.3"])
def test_z2jh_hook_gives_the_instructor_all_homes_in_a_real_kubespawner_pod(offline_kubeconfig, form):
    c = chart_spawner_config(z2jh("config.yaml"), form)
    teacher = pod_for(c, "teacher", admin=True)["spec"]["containers"][0]
    student = pod_for(c, "student1", admin=False)["spec"]["containers"][0]
    assert mounts_of(teacher) == [("home", "/home/jovyan", "teacher", False), ("home", "/srv/homes", None, True)]
    assert mounts_of(student) == [("home", "/home/jovyan", "student1", False)]


def test_z2jh_hook_as_it_was_breaks_the_instructors_spawn(offline_kubeconfig):
    """The hook this recipe had (`list(spawner.volume_mounts)`) turns chart 4.3's dict into its keys."""
    values = z2jh("config.yaml")
    values["hub"]["extraConfig"] = {"10-instructor-sees-homes": OLD_HOOK}
    c = chart_spawner_config(values, "dict")
    with pytest.raises(AttributeError, match="Expected object of type 'dict'"):
        pod_for(c, "teacher", admin=True)
    assert mounts_of(pod_for(c, "student1", admin=False)["spec"]["containers"][0])  # students were unaffected


def test_z2jh_home_folder_is_chowned_by_an_init_container_before_a_non_root_server(offline_kubeconfig):
    c = chart_spawner_config(z2jh("config.yaml"), "dict")
    spec = pod_for(c, "student1", admin=False)["spec"]
    (init,) = spec["initContainers"]
    server = spec["containers"][0]
    assert init["securityContext"]["runAsUser"] == 0
    assert mounts_of(init) == [("home", "/home/jovyan", "student1", False)]  # the student's own folder only
    assert init["command"][-1] == "chown 1000:1000 /home/jovyan"
    assert server["securityContext"]["runAsUser"] == 1000  # the server itself is not root
    assert {v["name"]: v["persistentVolumeClaim"]["claimName"] for v in spec["volumes"]} == {"home": "escalation-homes"}


def test_z2jh_lti_overlay():
    cfg = z2jh("lti.yaml")["hub"]["config"]
    assert cfg["JupyterHub"]["authenticator_class"] == "ltiauthenticator.lti13.auth.LTI13Authenticator"
    lti = cfg["LTI13Authenticator"]
    for key in ("issuer", "authorize_url", "jwks_endpoint"):
        assert lti[key].startswith("https://"), key
    assert isinstance(lti["client_id"], list) and lti["client_id"]
    assert lti["username_key"] == "custom_uname"
    ltiauth = pytest.importorskip("ltiauthenticator.lti13.auth", reason="jupyterhub-ltiauthenticator not installed")
    # Helm merges the overlay over config.yaml: its allowed_users list stays, allow_all comes on top
    merged = merge_values(z2jh("config.yaml"), z2jh("lti.yaml"))["hub"]["config"]
    auth = ltiauth.LTI13Authenticator(config=Config({k: merged[k] for k in ("LTI13Authenticator", "Authenticator")}))
    assert auth.issuer == lti["issuer"] and set(auth.client_id) == set(lti["client_id"])
    assert auth.check_allowed("a-student-not-in-allowed-users", None) is True


# Shell scripts

@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(HUB)))
def test_shell_script_parses_and_explains_itself(script):
    assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0
    usage = sh(script, check=False)
    assert usage.returncode == 2 and "docs/serving_a_class.md" in usage.stdout
    assert f"tools/hub/{script.relative_to(HUB)}" in usage.stdout
    assert os.access(script, os.X_OK)


def test_tljh_install_commands():
    out = sh(HUB / "tljh" / "install.sh", "install", "https://github.com/owner/escalation", "teacher").stdout
    lines = out.splitlines()
    assert lines[0].startswith("curl -fsSL https://tljh.jupyter.org/bootstrap.py | sudo python3 - --version '2.0.0' "
                               "--admin 'teacher'")
    assert "--plugin 'git+https://github.com/owner/escalation@main#subdirectory=tools/hub/tljh'" in lines[0]
    assert (HUB / "tljh" / "pyproject.toml").is_file()  # the subdirectory the plugin spec names
    assert "sudo tljh-config set limits.memory 1G" in lines and "sudo tljh-config reload" in lines
    bad = sh(HUB / "tljh" / "install.sh", "install", "github.com/owner/escalation", "teacher", check=False)
    assert bad.returncode == 2 and "not a git repository address" in bad.stderr
    update = sh(HUB / "tljh" / "install.sh", "update").stdout
    assert "/opt/escalation-debates" in update and "pip install --no-cache-dir -r requirements.txt" in update
    assert load_plugin().CHECKOUT == Path("/opt/escalation-debates")


@pytest.mark.parametrize("lms,auth_url", [("canvas", "https://lms.example.edu/api/lti/authorize_redirect"),
                                          ("moodle", "https://lms.example.edu/mod/lti/auth.php")])
def test_tljh_lti_commands(lms, auth_url):
    out = sh(HUB / "tljh" / "lti.sh", lms, "https://lms.example.edu/", "10000000000042").stdout
    assert "tljh-config set auth.type ltiauthenticator.lti13.auth.LTI13Authenticator" in out
    assert f"auth.LTI13Authenticator.authorize_url '{auth_url}'" in out
    assert "add-item auth.LTI13Authenticator.client_id '10000000000042'" in out
    assert "sudo tljh-config set auth.LTI13Authenticator.allow_all true" in out.splitlines()  # else 403 on JupyterHub 5+
    assert sh(HUB / "tljh" / "lti.sh", "blackboard", "https://x.edu", "1", check=False).returncode == 2


def test_z2jh_image_build_command():
    out = sh(HUB / "z2jh" / "build_image.sh", f"file://{REPO}", "registry.example.edu/escalation", "HEAD").stdout
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True).stdout[:12]
    assert "jupyter-repo2docker --no-run --push" in out
    assert "--target-repo-dir /srv/escalation-debates" in out
    assert f"--image-name 'registry.example.edu/escalation:{head}'" in out
    assert (REPO / "requirements.txt").is_file() and (REPO / "runtime.txt").read_text().startswith("python-")


# Checked against the upstream projects' own files, at the versions the recipes pin (tests/support/upstream.py:
# read from $ESCALATION_UPSTREAM, skipped with the file to place where they are absent)

Z2JH_REPO = "jupyterhub/zero-to-jupyterhub-k8s"
TLJH_REPO = "jupyterhub/the-littlest-jupyterhub"


def chart_values(*overlays: str) -> dict:
    """The values Helm validates: the chart's values.yaml with config.yaml (and overlays) merged over it."""
    values = yaml.safe_load(upstream_file(Z2JH_REPO, "jupyterhub/values.yaml").read_text(encoding="utf-8"))
    for name in ("config.yaml", *overlays):
        values = merge_values(values, z2jh(name))
    return values


def schema_errors(values: dict) -> list[str]:
    import jsonschema

    schema = yaml.safe_load(upstream_file(Z2JH_REPO, "jupyterhub/values.schema.yaml").read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    return sorted(f"{'.'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in validator.iter_errors(values))


@pytest.mark.parametrize("overlays", [(), ("lti.yaml",)], ids=["config", "config+lti"])
def test_z2jh_values_pass_the_charts_schema(overlays):
    assert schema_errors(chart_values(*overlays)) == []


@pytest.mark.parametrize("path,bad,expected", [
    (("singleuser", "storage", "static", "pvcname"), "escalation-homes", "Additional properties"),
    (("proxy", "https", "hosts"), "hub.school.example", "is not of type 'array'"),
    (("cull", "timeout"), "an hour", "is not of type 'integer'"),
], ids=["misspelt-key", "hosts-not-a-list", "timeout-not-a-number"])
def test_z2jh_schema_check_catches_a_broken_recipe(path, bad, expected):
    values = chart_values()
    *parents, leaf = path
    node = values
    for key in parents:
        node = node[key]
    node[leaf] = bad
    assert any(expected in e for e in schema_errors(values))


def tljh_hookspecs():
    spec = importlib.util.spec_from_file_location("tljh_hookspecs", upstream_file(TLJH_REPO, "tljh/hooks.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # TLJH's own hooks.py: it needs pluggy only
    return module


def checked_against_tljh(plugin):
    import pluggy

    pm = pluggy.PluginManager("tljh")
    pm.add_hookspecs(tljh_hookspecs())
    pm.register(plugin)
    pm.check_pending()  # every hook the plugin implements is one TLJH calls
    return pm


def test_tljh_plugin_hooks_match_tljhs_hook_specifications():
    pm = checked_against_tljh(load_plugin())
    assert pm.hook.tljh_extra_user_pip_packages() == [["nbgitpuller"]]
    c = Config()
    pm.hook.tljh_custom_jupyterhub_config(c=c)  # TLJH calls it with the keyword `c`
    assert c.Spawner.default_url == "/lab"


@pytest.mark.parametrize("old,new,expected", [
    ("def tljh_extra_user_pip_packages():", "def tljh_extra_user_pip_package():", "unknown hook"),
    ("def tljh_custom_jupyterhub_config(c):", "def tljh_custom_jupyterhub_config(config):", "can not be found in the hookspec"),
], ids=["misspelt-hook", "wrong-argument-name"])
def test_tljh_hook_check_refuses_a_broken_plugin(tmp_path, old, new, expected):
    import pluggy

    source = (HUB / "tljh" / "tljh_escalation.py").read_text(encoding="utf-8")
    assert old in source
    broken = tmp_path / "tljh_escalation.py"
    broken.write_text(source.replace(old, new), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("tljh_escalation_broken", broken)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with pytest.raises(pluggy.PluginValidationError, match=expected):
        checked_against_tljh(module)


def tljh_code() -> dict:
    """TLJH's own functions for `tljh-config set/add-item` and for turning its config into JupyterHub's."""
    import collections.abc
    import copy
    ns = {"deepcopy": copy.deepcopy, "re": re, "sys": sys, "Mapping": collections.abc.Mapping,
          "Sequence": collections.abc.Sequence}
    load_functions(upstream_file(TLJH_REPO, "tljh/config.py"),
                   {"set_item_in_config", "add_item_to_config", "parse_value", "_is_dict", "_is_list"}, ns)
    load_functions(upstream_file(TLJH_REPO, "tljh/config_schema.py"), {"config_schema"}, ns)
    load_functions(upstream_file(TLJH_REPO, "tljh/configurer.py"),
                   {"default", "_merge_dictionaries", "set_if_not_none", "update_auth", "update_userlists",
                    "update_limits", "set_cull_idle_service"}, ns)
    return ns


def tljh_config_from(*outputs: str) -> dict:
    """Replay the scripts' `tljh-config set/add-item` lines as tljh-config does, each validated by TLJH's schema."""
    import copy
    import shlex

    import jsonschema

    tljh, config = tljh_code(), {}
    actions = {"set": tljh["set_item_in_config"], "add-item": tljh["add_item_to_config"]}
    for line in "\n".join(outputs).splitlines():
        words = shlex.split(line)
        if words[:2] == ["sudo", "tljh-config"] and words[2] in actions:
            config = actions[words[2]](config, words[3], tljh["parse_value"](words[4]))
            jsonschema.validate(config, tljh["config_schema"])  # tljh-config refuses what fails this
    merged = tljh["_merge_dictionaries"](copy.deepcopy(tljh["default"]), config)
    return {"config": merged, **tljh}


def test_tljh_lti_lets_the_lms_students_in_through_tljhs_own_config_code():
    ltiauth = pytest.importorskip("ltiauthenticator.lti13.auth", reason="jupyterhub-ltiauthenticator not installed")
    out = sh(HUB / "tljh" / "lti.sh", "moodle", "https://moodle.example.edu", "cid").stdout
    tljh = tljh_config_from(out)
    c = Config()
    tljh["update_auth"](c, tljh["config"])
    tljh["update_userlists"](c, tljh["config"])
    assert c.JupyterHub.authenticator_class == "ltiauthenticator.lti13.auth.LTI13Authenticator"
    assert "allow_all" not in c.FirstUseAuthenticator  # TLJH sets it only for its default login
    auth = ltiauth.LTI13Authenticator(config=c)
    assert auth.check_allowed("any-student-of-the-course", None) is True
    # the recipe without its allow_all line: JupyterHub 5's default refuses every student (the 403)
    without = "\n".join(line for line in out.splitlines() if "allow_all" not in line)
    c2 = Config()
    tljh2 = tljh_config_from(without)
    tljh2["update_auth"](c2, tljh2["config"])
    tljh2["update_userlists"](c2, tljh2["config"])
    assert ltiauth.LTI13Authenticator(config=c2).check_allowed("any-student-of-the-course", None) is False


def test_tljh_install_settings_pass_tljhs_schema_and_set_limits_and_culling():
    out = sh(HUB / "tljh" / "install.sh", "install", "https://github.com/owner/escalation", "teacher").stdout
    tljh = tljh_config_from(out)
    c = Config()
    tljh["update_limits"](c, tljh["config"])
    assert (c.Spawner.mem_limit, c.Spawner.cpu_limit) == ("1G", 1)
    cull = tljh["set_cull_idle_service"](tljh["config"])["command"]
    assert "--timeout=3600" in cull and "--cull-every=60" in cull


# The JupyterHub versions: the students' servers (requirements.txt) and the hubs the recipes install

def single_user_jupyterhub():
    from packaging.version import Version

    pins = [line.split("==")[1].split()[0] for line in (REPO / "requirements.txt").read_text().splitlines()
            if line.startswith("jupyterhub==")]
    assert len(pins) == 1, "requirements.txt must pin jupyterhub exactly once"
    return Version(pins[0])


def pinned_chart_version() -> str:
    header = (HUB / "z2jh" / "config.yaml").read_text(encoding="utf-8")
    (version,) = set(re.findall(r"--version (\d+\.\d+\.\d+)", header))
    return version


def pinned_tljh_version() -> str:
    (version,) = re.findall(r'TLJH_VERSION="\$\{TLJH_VERSION:-([\d.]+)\}"', (HUB / "tljh" / "install.sh").read_text())
    return version


def test_recipes_pin_the_upstream_versions_their_tests_check():
    from support.upstream import tag_of

    assert tag_of(Z2JH_REPO) == pinned_chart_version()
    assert tag_of(TLJH_REPO) == pinned_tljh_version()
    guide = (REPO / "docs" / "serving_a_class.md").read_text(encoding="utf-8")
    assert f"--version {pinned_chart_version()}" in guide


def test_students_jupyterhub_has_the_major_version_the_recipes_say_their_hubs_run():
    said = re.search(r"Chart \S+ runs JupyterHub (\d+)\.", (HUB / "z2jh" / "config.yaml").read_text()).group(1)
    assert single_user_jupyterhub().major == int(said)


def test_students_jupyterhub_major_matches_the_z2jh_charts_hub_and_tljhs_hub_pin():
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

    def pin(path: Path) -> str:
        (spec,) = [line.split("#")[0].strip()[len("jupyterhub"):] for line in path.read_text().splitlines()
                   if re.match(r"jupyterhub\s*[=<>!~]", line)]
        return spec

    chart_hub = Version(pin(upstream_file(Z2JH_REPO, "images/hub/requirements.txt")).lstrip("="))
    tljh_hub = SpecifierSet(pin(upstream_file(TLJH_REPO, "tljh/requirements-hub-env.txt")))
    students = single_user_jupyterhub()
    assert students.major == chart_hub.major, f"students' jupyterhub {students}, chart's hub {chart_hub}"
    assert students in tljh_hub, f"students' jupyterhub {students}, TLJH's hub {tljh_hub}"
    said = re.search(r"Chart \S+ runs JupyterHub ([\d.]+) ", (HUB / "z2jh" / "config.yaml").read_text()).group(1)
    assert Version(said) == chart_hub  # what the recipe tells the administrator is what the chart ships


OLD_HOOK = ("def instructor_sees_homes(spawner):\n"
            "    if spawner.user.admin:\n"
            "        spawner.volume_mounts = list(spawner.volume_mounts) + [\n"
            "            {'name': 'home', 'mountPath': '/srv/homes', 'readOnly': True}]\n"
            "c.KubeSpawner.pre_spawn_hook = instructor_sees_homes\n")


@pytest.fixture(scope="module")
def chart_pods(tmp_path_factory) -> dict:
    """Pods from the pinned chart's own hub config (tests/support/z2jh_chart_hub.py, its own process): the
    recipe's values, and the same values with the hook this recipe had before."""
    hub_files = upstream_file(Z2JH_REPO, "jupyterhub/files/hub/jupyterhub_config.py").parent
    upstream_file(Z2JH_REPO, "jupyterhub/files/hub/z2jh.py")
    old = chart_values()
    old["hub"]["extraConfig"] = {"10-instructor-sees-homes": OLD_HOOK}
    jobs = {"recipe": {"values": chart_values(), "users": [["teacher", True], ["student1", False]]},
            "old-hook": {"values": old, "users": [["teacher", True]]}}
    tmp = tmp_path_factory.mktemp("chart")
    (tmp / "jobs.json").write_text(json.dumps(jobs), encoding="utf-8")
    env = dict(os.environ, KUBECONFIG=str(write_offline_kubeconfig(tmp)))
    done = subprocess.run([sys.executable, str(REPO / "tests" / "support" / "z2jh_chart_hub.py"), str(hub_files),
                           str(tmp / "jobs.json"), str(tmp / "out.json")], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads((tmp / "out.json").read_text(encoding="utf-8"))


def test_z2jh_charts_own_hub_config_spawns_the_instructor_and_students(chart_pods):
    assert "error" not in chart_pods["recipe"], chart_pods["recipe"].get("error")
    pods = chart_pods["recipe"]["pods"]
    teacher, student = (pods[u]["spec"] for u in ("teacher", "student1"))
    assert mounts_of(teacher["containers"][0]) == [("home", "/home/jovyan", "teacher", False),
                                                   ("home", "/srv/homes", None, True)]
    assert mounts_of(student["containers"][0]) == [("home", "/home/jovyan", "student1", False)]
    init = {i["name"]: i for i in student["initContainers"]}
    assert mounts_of(init["home-owned-by-jovyan"]) == [("home", "/home/jovyan", "student1", False)]
    assert student["containers"][0]["securityContext"]["runAsUser"] == 1000
    assert student["containers"][0]["resources"]["requests"]["memory"] == 384 * 2**20
    assert "--ServerApp.jpserver_extensions=jupyter_lsp=False" in student["containers"][0]["args"]


def test_z2jh_charts_own_hub_config_with_the_old_hook_fails_the_instructors_spawn(chart_pods):
    assert "Expected object of type 'dict'" in chart_pods["old-hook"].get("error", "")


def test_kubespawner_the_tests_build_pods_with_has_the_charts_major_version():
    from importlib.metadata import version

    from packaging.version import Version

    (chart,) = [line.split("==")[1].split()[0] for line in
                upstream_file(Z2JH_REPO, "images/hub/requirements.txt").read_text().splitlines()
                if line.startswith("jupyterhub-kubespawner==")]
    assert Version(version("jupyterhub-kubespawner")).major == Version(chart).major, f"the chart's hub has {chart}"
