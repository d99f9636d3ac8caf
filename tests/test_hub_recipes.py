"""The deployment recipes in tools/hub/ are real files: parsed, and run as far as this machine allows.

TLJH plugin: imported, its hooks called (post-install really clones a repository; pip is replaced by a
recorder), and built as a wheel with its entry point. Z2JH config and LTI overlay: parsed, the values
checked by JupyterHub's own classes, the hub's extra Python config executed. Shell scripts: `bash -n`,
then run in DRY_RUN mode.
"""
import asyncio
import importlib.util
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from traitlets.config import Config

from escalation.grading.collect import DEFAULT_TARGETPATH as COLLECT_TARGETPATH
from escalation.hub.link import DEFAULT_TARGETPATH
from escalation.hub.local import STUDENT_ARGS

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


HOME_VOLUME = {"name": "home", "persistentVolumeClaim": {"claimName": "escalation-homes"}}


def chart_spawner_config(values: dict, form: str) -> Config:
    """The KubeSpawner config the chart makes from config.yaml's `singleuser` values.

    The chart passes singleuser.memory/cpu/initContainers/uid straight to the KubeSpawner traits
    (jupyterhub/files/hub/jupyterhub_config.py); for static storage it sets one volume and one mount named
    `home`: a dict keyed "home" since chart 4.3.0, a list before.
    """
    single = values["singleuser"]
    storage = single["storage"]
    mount = {"name": "home", "mountPath": storage["homeMountPath"], "subPath": storage["static"]["subPath"]}
    volume = dict(HOME_VOLUME, persistentVolumeClaim={"claimName": storage["static"]["pvcName"]})
    c = Config()
    k = c.KubeSpawner
    k.volumes, k.volume_mounts = ({"home": volume}, {"home": mount}) if form == "dict" else ([volume], [mount])
    k.mem_guarantee, k.mem_limit = single["memory"]["guarantee"], single["memory"]["limit"]
    k.cpu_guarantee, k.cpu_limit = single["cpu"]["guarantee"], single["cpu"]["limit"]
    k.init_containers = single["initContainers"]
    k.uid, k.cmd = 1000, ["jupyterhub-singleuser"]  # the chart's defaults
    k.image = f"{single['image']['name']}:{single['image']['tag']}"
    for code in values["hub"]["extraConfig"].values():
        exec(code, {"c": c})  # the chart runs each block the same way, with `c` in scope
    return c


@pytest.fixture
def offline_kubeconfig(tmp_path, monkeypatch):
    """KubeSpawner loads a cluster configuration when it is made; this one points at a closed port."""
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "none",
        "clusters": [{"name": "none", "cluster": {"server": "https://127.0.0.1:9"}}],
        "users": [{"name": "none", "user": {"token": "none"}}],
        "contexts": [{"name": "none", "context": {"cluster": "none", "user": "none", "namespace": "escalation"}}],
    }), encoding="utf-8")
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))


def pod_for(c: Config, name: str, admin: bool) -> dict:
    """The pod manifest real KubeSpawner builds for a user after the hub ran the pre-spawn hook, as the
    JSON it would send to the Kubernetes API."""
    from kubernetes_asyncio.client import ApiClient
    from kubespawner import KubeSpawner

    async def build():
        user = SimpleNamespace(name=name, id=1, url=f"/user/{name}/", admin=admin)
        spawner = KubeSpawner(_mock=True, config=c, user=user)
        spawner.pre_spawn_hook(spawner)
        pod = await spawner.get_pod_manifest()
        async with ApiClient() as api:
            return api.sanitize_for_serialization(pod)

    return asyncio.run(build())


def mounts_of(container: dict) -> list[tuple]:
    return [(m["name"], m["mountPath"], m.get("subPath"), m.get("readOnly", False)) for m in container["volumeMounts"]]


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
    values["hub"]["extraConfig"] = {"10-instructor-sees-homes": (
        "def instructor_sees_homes(spawner):\n"
        "    if spawner.user.admin:\n"
        "        spawner.volume_mounts = list(spawner.volume_mounts) + [\n"
        "            {'name': 'home', 'mountPath': '/srv/homes', 'readOnly': True}]\n"
        "c.KubeSpawner.pre_spawn_hook = instructor_sees_homes\n")}
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
    try:
        from ltiauthenticator.lti13.auth import LTI13Authenticator
    except ImportError:
        return  # the hub image has it; here only the structure can be checked
    auth = LTI13Authenticator(config=Config({"LTI13Authenticator": lti}))
    assert auth.issuer == lti["issuer"] and set(auth.client_id) == set(lti["client_id"])


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
    assert sh(HUB / "tljh" / "lti.sh", "blackboard", "https://x.edu", "1", check=False).returncode == 2


def test_z2jh_image_build_command():
    out = sh(HUB / "z2jh" / "build_image.sh", f"file://{REPO}", "registry.example.edu/escalation", "HEAD").stdout
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True).stdout[:12]
    assert "jupyter-repo2docker --no-run --push" in out
    assert "--target-repo-dir /srv/escalation-debates" in out
    assert f"--image-name 'registry.example.edu/escalation:{head}'" in out
    assert (REPO / "requirements.txt").is_file() and (REPO / "runtime.txt").read_text().startswith("python-")
