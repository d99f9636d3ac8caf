"""`escalation-class`: run the live class service under JupyterHub, export or delete a class's data.

    escalation-class serve [--db URL]          (JupyterHub starts this; see docs/live_class.md)
    escalation-class export --db URL [--out class.csv]
    escalation-class delete --db URL --yes
    escalation-class migrate --db URL
    escalation-class hub-config [--command-prefix DIR/] [--db URL]   (prints the jupyterhub_config.py part)
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from .hubconfig import URL_ENV, config_snippet

DEFAULT_DB = "sqlite:///escalation-class.sqlite"


def _store(url: str):
    from .store import Store

    try:
        return Store(url)
    except Exception as problem:  # noqa: BLE001 - one plain sentence instead of a traceback
        sys.exit(f"escalation-class: cannot open the database {url!r}: {problem.__class__.__name__}: {problem}")


def serve(args) -> int:
    import asyncio

    from tornado.httpserver import HTTPServer

    from .app import make_app
    from .limits import MAX_HTTP_BODY, RateLimit

    if not os.environ.get("JUPYTERHUB_API_TOKEN"):
        sys.exit("escalation-class serve runs as a JupyterHub service: add it to c.JupyterHub.services "
                 "(docs/live_class.md); JupyterHub then starts it with the token it needs.")
    url = urlsplit(os.environ.get("JUPYTERHUB_SERVICE_URL", f"http://127.0.0.1:{args.port}"))
    os.environ.pop(URL_ENV, None)  # the service's own checks (rechecking answers) must never post anywhere
    store = _store(args.db)

    async def run():
        from tornado.httpclient import AsyncHTTPClient

        AsyncHTTPClient.configure(None, max_clients=64)  # token checks with the hub in parallel (default 10)
        app = make_app(store, rate_limit=RateLimit(args.burst, args.per_second), token_cache=args.token_cache)
        server = HTTPServer(app, max_body_size=MAX_HTTP_BODY, xheaders=True)
        server.listen(url.port or args.port, args.ip or url.hostname or "127.0.0.1")
        print(f"escalation-class: serving {app.settings['prefix']} on {url.hostname}:{url.port}, database "
              f"{args.db} (schema {store.revision})", flush=True)
        await asyncio.Event().wait()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass
    return 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="escalation-class", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="run the service (JupyterHub starts it)")
    s.add_argument("--db", default=os.environ.get("ESCALATION_CLASS_DB", DEFAULT_DB),
                   help="SQLAlchemy URL (default: an SQLite file in the working folder)")
    s.add_argument("--port", type=int, default=10101, help="port when $JUPYTERHUB_SERVICE_URL does not give one")
    s.add_argument("--ip", default="", help="address to listen on (default: the host of $JUPYTERHUB_SERVICE_URL; "
                                            "0.0.0.0 in a Kubernetes hub pod)")
    s.add_argument("--burst", type=int, default=30, help="posts a student may send at once (default 30)")
    s.add_argument("--per-second", type=float, default=1.0, help="posts per second after the burst (default 1)")
    s.add_argument("--token-cache", type=int, default=10,
                   help="seconds the service trusts a token the hub has confirmed (default 10)")
    e = sub.add_parser("export", help="write every post of the class as CSV")
    e.add_argument("--db", required=True)
    e.add_argument("--out", default="-", help="CSV file (default: standard output)")
    d = sub.add_parser("delete", help="delete every round and post of the class")
    d.add_argument("--db", required=True)
    d.add_argument("--yes", action="store_true", help="really delete")
    m = sub.add_parser("migrate", help="bring the database's schema up to date")
    m.add_argument("--db", required=True)
    h = sub.add_parser("hub-config", help="print the JupyterHub configuration that turns the service on")
    h.add_argument("--command-prefix", default="", help="folder of the escalation-class script, ending in /")
    h.add_argument("--db", default="sqlite:////srv/escalation-class/class.sqlite", help="SQLAlchemy URL")
    args = p.parse_args(argv)
    if args.command == "serve":
        return serve(args)
    if args.command == "hub-config":
        sys.stdout.write(config_snippet(command_prefix=args.command_prefix, db_url=args.db))
        return 0
    store = _store(args.db)
    if args.command == "export":
        text = store.export_csv()
        if args.out == "-":
            sys.stdout.write(text)
        else:
            Path(args.out).write_text(text, encoding="utf-8")
            print(f"wrote {text.count(chr(10)) - 1} posts to {args.out}")
    elif args.command == "delete":
        if not args.yes:
            sys.exit("escalation-class delete removes every post of the class: add --yes to do it.")
        print(f"deleted {store.delete_all()} posts")
    else:
        print(f"schema at revision {store.revision}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
