"""A live class on JupyterHub: the `escalation-class` service, and what a student's kernel sends it.

- `hubconfig`: the service's name, its custom scopes and the JupyterHub configuration that turns it on.
- `client` and `hook`: in a student's kernel, class mode (on only when the hub runs the service and the
  student is in the class) and the one hook `escalation.checks` calls after a practice check.
- `store` (SQLAlchemy, migrations with alembic), `rounds` (what the views show, alpha with
  `escalation.agreement`), `limits`, `app` (tornado + HubOAuth) and `cli`: the service itself.

This package's `__init__` imports nothing, so a kernel that imports `escalation.checks` loads only the
standard library from here.
"""
