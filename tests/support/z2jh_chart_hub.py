"""Run the Z2JH chart's own hub configuration on a set of values, then build pods with real KubeSpawner.

    python tests/support/z2jh_chart_hub.py HUB_FILES JOBS.json OUT.json

HUB_FILES is the chart's `jupyterhub/files/hub/` folder at the pinned version (jupyterhub_config.py and
z2jh.py, placed from upstream, never committed). In the hub pod, z2jh.py reads the values and resource
names from files that Helm mounts under /usr/local/etc/jupyterhub/; here the three functions that read
those files answer from VALUES.json instead, and everything else (every trait the chart sets, the
extraConfig blocks it runs, KubeSpawner's pod) is the upstream code. Run in its own process: the chart's
config switches tornado's HTTP client globally to the curl one (stubbed here: pycurl is not needed
for building pods, and no request is made).
JOBS.json: {job: {"values": {...}, "users": [[name, is_admin], ...]}}; OUT.json gets, for each job,
{"pods": {user: pod manifest}} or {"error": "Type: message"} (one process for all jobs: starting one costs
seconds). Needs $KUBECONFIG (tests/support/z2jh_pods.write_offline_kubeconfig).
"""
from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import sys
import types
from pathlib import Path
from types import SimpleNamespace


def chart_config(hub_files: Path, values: dict):
    from traitlets.config import Config

    from tornado.simple_httpclient import SimpleAsyncHTTPClient

    curl = types.ModuleType("tornado.curl_httpclient")  # the chart only selects it; no request is made here
    curl.CurlAsyncHTTPClient = type("CurlAsyncHTTPClient", (SimpleAsyncHTTPClient,), {})
    sys.modules["tornado.curl_httpclient"] = curl
    spec = importlib.util.spec_from_file_location("z2jh", hub_files / "z2jh.py")
    z2jh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(z2jh)
    z2jh._load_config = lambda: values  # the Helm-mounted values
    z2jh._get_config_value = lambda name: f"escalation-{name}"  # the resource names Helm gives the chart
    z2jh.get_secret_value = lambda key, default="unset": "0" * 64 if default == "unset" else default
    sys.modules["z2jh"] = z2jh
    for name in ("proxy-api", "hub"):  # the service ports Kubernetes puts in the hub's environment
        os.environ[f"ESCALATION_{name.upper().replace('-', '_')}_SERVICE_PORT"] = "8081"
    c = Config()
    source = hub_files / "jupyterhub_config.py"
    exec(compile(source.read_text(encoding="utf-8"), str(source), "exec"),
         {"get_config": lambda: c, "__file__": str(source), "__name__": "jupyterhub_config"})
    return c


def pods(c, users) -> dict:
    from kubernetes_asyncio.client import ApiClient
    from kubespawner import KubeSpawner

    async def build():
        out = {}
        async with ApiClient() as api:
            for name, admin in users:
                user = SimpleNamespace(name=name, id=1, url=f"/user/{name}/", admin=admin)
                spawner = KubeSpawner(_mock=True, config=c, user=user)
                if spawner.pre_spawn_hook:
                    spawner.pre_spawn_hook(spawner)
                out[name] = api.sanitize_for_serialization(await spawner.get_pod_manifest())
        return out

    return asyncio.run(build())


def main(argv: list[str]) -> int:
    hub_files, jobs, out = Path(argv[0]), json.loads(Path(argv[1]).read_text(encoding="utf-8")), Path(argv[2])
    results = {}
    for job, spec in jobs.items():
        try:
            results[job] = {"pods": pods(chart_config(hub_files, spec["values"]), spec["users"])}
        except Exception as e:  # reported to the test, which decides whether it was expected
            results[job] = {"error": f"{type(e).__name__}: {e}"}
    out.write_text(json.dumps(results), encoding="utf-8")  # the chart's config prints what it loads: not stdout
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
