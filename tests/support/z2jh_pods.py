"""Pod manifests for the Z2JH recipe, built offline by the real KubeSpawner (PyPI jupyterhub-kubespawner).

Test helper for tests/test_hub_recipes.py and tests/test_recipe_sizing.py: the KubeSpawner config the chart
makes from config.yaml's values, and the pod KubeSpawner would send to the Kubernetes API for a user after
the hub ran the recipe's pre-spawn hook. No cluster is needed: KubeSpawner only loads a cluster
configuration when it is made, and write_offline_kubeconfig gives it one that points at a closed port.
"""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import yaml
from traitlets.config import Config


def write_offline_kubeconfig(folder: Path) -> Path:
    """A kubeconfig (for $KUBECONFIG) naming a cluster at a closed local port: nothing is ever contacted."""
    path = Path(folder) / "kubeconfig"
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "none",
        "clusters": [{"name": "none", "cluster": {"server": "https://127.0.0.1:9"}}],
        "users": [{"name": "none", "user": {"token": "none"}}],
        "contexts": [{"name": "none", "context": {"cluster": "none", "user": "none", "namespace": "escalation"}}],
    }), encoding="utf-8")
    return path


def chart_spawner_config(values: dict, form: str) -> Config:
    """The KubeSpawner config the chart makes from config.yaml's values (`form`: "dict" or "list").

    The chart passes singleuser.memory/cpu/initContainers/uid straight to the KubeSpawner traits
    (jupyterhub/files/hub/jupyterhub_config.py); for static storage it sets one volume and one mount named
    `home`: a dict keyed "home" since chart 4.3.0, a list before. Then it runs each hub.extraConfig block.
    """
    single = values["singleuser"]
    storage = single["storage"]
    mount = {"name": "home", "mountPath": storage["homeMountPath"], "subPath": storage["static"]["subPath"]}
    volume = {"name": "home", "persistentVolumeClaim": {"claimName": storage["static"]["pvcName"]}}
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


def pod_for(c: Config, name: str, admin: bool) -> dict:
    """The pod manifest KubeSpawner builds for a user after the pre-spawn hook, as JSON for the API."""
    from kubernetes_asyncio.client import ApiClient
    from kubespawner import KubeSpawner

    async def build():
        user = SimpleNamespace(name=name, id=1, url=f"/user/{name}/", admin=admin)
        spawner = KubeSpawner(_mock=True, config=c, user=user)
        spawner.pre_spawn_hook(spawner)
        pod = await spawner.get_pod_manifest()
        async with ApiClient() as api:
            return api.sanitize_for_serialization(pod)

    # a thread of its own: the browser suite's session-long Playwright keeps an event loop running in this one
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, build()).result()


def mounts_of(container: dict) -> list[tuple]:
    """(name, mountPath, subPath, readOnly) of each of a container's volume mounts."""
    return [(m["name"], m["mountPath"], m.get("subPath"), m.get("readOnly", False)) for m in container["volumeMounts"]]
