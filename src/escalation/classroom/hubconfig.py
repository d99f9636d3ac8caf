"""The class service's name, its JupyterHub custom scopes, and the hub configuration that turns it on.

Who may do what is decided by the hub, never by the service's own list:
- `custom:escalation-class:take` — a student of the class (granted to the hub group `class`);
- `custom:escalation-class:instruct` — an instructor (granted to the hub group `instructors`).
A student's kernel reaches the service with its server's token ($JUPYTERHUB_API_TOKEN), which carries the
`take` scope only if its owner holds it (JupyterHub gives a server token the subset of
`Spawner.server_token_scopes` its owner has).
"""
from __future__ import annotations

SERVICE = "escalation-class"
TAKE = f"custom:{SERVICE}:take"
INSTRUCT = f"custom:{SERVICE}:instruct"
ACCESS = f"access:services!service={SERVICE}"
URL_ENV = "ESCALATION_CLASS_URL"  # set in single-user servers: where a kernel reaches the service
DEFAULT_PORT = 10101


def config_snippet(*, url: str = f"http://127.0.0.1:{DEFAULT_PORT}", kernel_url: str | None = None,
                   db_url: str = "sqlite:////srv/escalation-class/class.sqlite", command_prefix: str = "",
                   students_group: str = "class", instructors_group: str = "instructors",
                   environment: dict | None = None, extra_args: tuple[str, ...] = (),
                   command: list[str] | None = None) -> str:
    """Python for jupyterhub_config.py that runs the service, defines its scopes, roles and groups.

    `url`: where the hub starts the service and proxies /services/escalation-class/ to. `kernel_url`:
    where students' kernels reach it (default: `url` + the service prefix). `command_prefix`: the folder of
    the `escalation-class` script, e.g. "/opt/tljh/user/bin/" (empty: on PATH); `command` replaces the script
    (e.g. [python, "-m", "escalation.classroom.cli"]).
    """
    kernel_url = kernel_url or url.rstrip("/") + f"/services/{SERVICE}/"
    command = [*(command or [f"{command_prefix}escalation-class"]), "serve", "--db", db_url, *extra_args]
    env = dict(environment or {})
    return f"""
# --- escalation-class: the live class service (docs/live_class.md) ---
c.JupyterHub.custom_scopes = {{
    {TAKE!r}: {{"description": "Post one's own answers to the live class (student)."}},
    {INSTRUCT!r}: {{"description": "See the live class view and the projector view; open rounds (instructor)."}},
}}
c.JupyterHub.services.append({{
    "name": {SERVICE!r},
    "url": {url!r},
    "command": {command!r},
    "environment": {env!r},
    "oauth_client_allowed_scopes": [{TAKE!r}, {INSTRUCT!r}],
    "oauth_no_confirm": True,
}})
c.JupyterHub.load_roles.extend([
    {{"name": "escalation-class-student", "groups": [{students_group!r}], "scopes": [{ACCESS!r}, {TAKE!r}]}},
    {{"name": "escalation-class-instructor", "groups": [{instructors_group!r}],
     "scopes": [{ACCESS!r}, {INSTRUCT!r}]}},
])
# a kernel's token may reach the service, and carries the take scope when its owner holds it
c.Spawner.server_token_scopes = ["users:activity!user", "access:servers!server", {ACCESS!r}, {TAKE!r}]
c.Spawner.environment.update({{{URL_ENV!r}: {kernel_url!r}}})
"""
