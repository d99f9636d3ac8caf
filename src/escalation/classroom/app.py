"""The `escalation-class` web app: tornado handlers authenticated by JupyterHub OAuth (HubOAuth).

Every request is identified by the hub: a browser by the OAuth cookie the hub issued to this service, a
student's kernel by its server's token. The name stored with a post is always the identified user's,
never anything in the request body. Scopes decide what a user may do: `custom:escalation-class:take`
(post, read one's own posts), `custom:escalation-class:instruct` (the class and projector views, opening
rounds, export, delete). Pages are jinja2 templates with autoescaping; forms and the views' polling carry
JupyterHub's XSRF token; posts are rate-limited per user and size-limited.
"""
from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader
from jupyterhub.services.auth import HubOAuth, HubOAuthCallbackHandler, HubOAuthenticated, UserNotAllowed
from tornado import web

from . import rounds
from .hubconfig import INSTRUCT, SERVICE, TAKE
from .limits import MAX_BODY, MAX_CODES, RateLimit
from .store import Store

HERE = Path(__file__).parent
POLL_MS = 1000  # the views ask for news every second (updates reach them well within 2 s)
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


class SharedAuth:
    """Every handler uses the application's one HubOAuth (its OAuth states live in that object)."""

    @property
    def hub_auth(self):
        return self.settings["hub_auth"]

    @hub_auth.setter
    def hub_auth(self, value):  # HubAuthenticated's setter; the application's object is kept
        pass


class CallbackHandler(SharedAuth, HubOAuthCallbackHandler):
    """JupyterHub's OAuth callback, with the application's HubOAuth."""


class Base(SharedAuth, HubOAuthenticated, web.RequestHandler):
    """Identify the user through the hub before every request (asynchronously)."""

    api = False

    def check_xsrf_cookie(self):
        """Tornado checks XSRF before `prepare`, when it cannot yet know a kernel's token: `prepare` checks."""

    @property
    def hub_scopes(self):
        return {TAKE, INSTRUCT}

    @property
    def store(self) -> Store:
        return self.settings["store"]

    def set_default_headers(self):
        self.set_header("Content-Security-Policy", CSP)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "same-origin")
        self.set_header("Cache-Control", "no-store")

    async def prepare(self):
        self._not_allowed = False
        model = await self.hub_auth.get_user(self, sync=False)
        if model:
            try:
                model = self.check_hub_user(model)
            except UserNotAllowed:
                model, self._not_allowed = None, True
        self._hub_auth_user_cache = model
        if self.request.method not in ("GET", "HEAD", "OPTIONS") and not getattr(self, "_token_authenticated", False):
            self.hub_auth.check_xsrf_cookie(self)  # a browser's post must carry JupyterHub's XSRF token

    def get_current_user(self):
        return getattr(self, "_hub_auth_user_cache", None)

    @property
    def scopes(self) -> set[str]:
        return set((self.current_user or {}).get("scopes", []))

    @property
    def is_instructor(self) -> bool:
        return INSTRUCT in self.scopes

    @property
    def is_student(self) -> bool:
        return TAKE in self.scopes

    def require(self, scope: str | None = None) -> str:
        """The identified user's name, or stop: log in (pages), 403 (no such scope, or an API call)."""
        user = self.current_user
        if user is None:
            if self.api or self._not_allowed or self.request.method != "GET":
                raise web.HTTPError(403, "Not logged in to the class, or not in it.")
            self.redirect(self.get_login_url())
            raise web.Finish()
        if user.get("kind", "user") != "user":
            raise web.HTTPError(403, "Only users of the hub take part in the class.")
        if scope and scope not in self.scopes:
            raise web.HTTPError(403, "This page is for the class's instructors." if scope == INSTRUCT
                                else "You are not in this class.")
        return user["name"]

    def rate_limited(self, user: str) -> None:
        limit: RateLimit = self.settings["rate_limit"]
        if not limit.allow(user):
            self.set_header("Retry-After", str(limit.retry_after(user)))
            raise web.HTTPError(429, "Too many posts: wait a few seconds and try again.")

    def check_size(self) -> None:
        if len(self.request.body or b"") > MAX_BODY:
            raise web.HTTPError(413, f"A post can be at most {MAX_BODY} bytes.")

    def render_page(self, name: str, **context) -> None:
        env: Environment = self.settings["jinja"]
        self.write(env.get_template(name).render(
            prefix=self.settings["prefix"], xsrf=self.xsrf_token.decode(), poll_ms=POLL_MS,
            user=(self.current_user or {}).get("name", ""), instructor=self.is_instructor,
            student=self.is_student, notebooks=rounds.notebooks(), polls=rounds.POLLS,
            events=rounds.ladder_events(), describe=rounds.describe, **context))

    def write_error(self, status_code: int, **kwargs):
        reason = self._reason
        exc = kwargs.get("exc_info", (None, None))[1]
        if isinstance(exc, web.HTTPError) and exc.log_message:
            reason = exc.log_message % exc.args if exc.args else exc.log_message
        if self.api:
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps({"error": reason}))
        else:
            self.set_header("Content-Type", "text/html; charset=utf-8")
            env: Environment = self.settings["jinja"]
            self.finish(env.get_template("error.html").render(prefix=self.settings["prefix"], status=status_code,
                                                               message=reason))


class Api(Base):
    api = True

    def get_login_url(self):
        raise web.HTTPError(403)

    def reply(self, data: dict, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(data))


# ------------------------------------------------------------------ students (and their kernels)
class MeHandler(Api):
    def get(self):
        name = self.require()
        open_ = [{**r, "title": rounds.describe(r)} for r in self.store.rounds(open_only=True)]
        self.reply({"name": name, "student": self.is_student, "instructor": self.is_instructor,
                    "open": open_ if self.is_student else []})


class MineHandler(Api):
    def get(self):
        name = self.require(TAKE)
        self.reply({"name": name, "posts": self.store.mine(name)})


def record(store: Store, user: str, data: dict) -> int:
    """Store one post from `user` (the hub-identified user; any name in `data` is ignored)."""
    kind = data.get("kind")
    round_kind = {"answer": "lesson", "poll": "poll", "ladder": "ladder", "coding": "coding"}.get(kind)
    if round_kind is None:
        raise rounds.Rejected("kind must be answer, poll, ladder or coding.")
    round_ = store.open_of_kind(round_kind)
    if round_ is None:
        raise rounds.Rejected(f"No {round_kind} round is open in the class right now.")
    if data.get("round") not in (None, "") and str(data["round"]) != str(round_["id"]):
        raise rounds.Rejected("That round is closed.")
    if kind == "coding":
        codes = data.get("codes")
        if not isinstance(codes, dict) or not codes or len(codes) > MAX_CODES:
            raise rounds.Rejected(f"codes must map sentence ids to codes (at most {MAX_CODES}).")
        accepted = [rounds.accept(round_, k, v) for k, v in codes.items() if v not in (None, "")]
        for key, value, status in accepted:
            store.post(round_["id"], user, key, value, status)
        return len(accepted)
    key, value, status = rounds.accept(round_, data.get("exercise", data.get("key")), data.get("value"),
                                       data.get("status", ""))
    store.post(round_["id"], user, key, value, status)
    return 1


class PostHandler(Api):
    def post(self):
        name = self.require(TAKE)
        self.rate_limited(name)
        self.check_size()
        try:
            data = json.loads(self.request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise web.HTTPError(400, "The post is not JSON.") from None
        if not isinstance(data, dict):
            raise web.HTTPError(400, "The post must be a JSON object.")
        try:
            stored = record(self.store, name, data)
        except rounds.Rejected as why:
            return self.reply({"error": str(why)}, 409 if "open" in str(why) or "closed" in str(why) else 400)
        self.reply({"ok": True, "stored": stored, "user": name})


class HomeHandler(Base):
    def get(self):
        name = self.require()
        self.render_page("home.html", open_rounds=[r for r in self.store.rounds(open_only=True)
                                                   if r["kind"] in ("poll", "ladder")],
                         mine=self.store.mine(name) if self.is_student else [],
                         rounds_by_id={r["id"]: r for r in self.store.rounds()},
                         groups=rounds.group_names(), scale=rounds.SCALE, sent=self.get_argument("sent", ""))


class VoteHandler(Base):
    """A vote from the student's page (a form with the XSRF token)."""

    def post(self):
        name = self.require(TAKE)
        self.rate_limited(name)
        self.check_size()
        kind = self.get_body_argument("kind", "")
        try:
            record(self.store, name, {"kind": kind, "value": self.get_body_argument("value", ""),
                                      "round": self.get_body_argument("round", "")})
        except rounds.Rejected as why:
            raise web.HTTPError(400, str(why)) from None
        self.redirect(self.settings["prefix"] + "?" + urlencode({"sent": kind}))


# ------------------------------------------------------------------ instructors
class InstructorHandler(Base):
    def get(self):
        self.require(INSTRUCT)
        self.render_page("instructor.html", open_rounds=self.store.rounds(open_only=True),
                         groups=rounds.group_names())


class ProjectorHandler(Base):
    def get(self):
        self.require(INSTRUCT)
        self.render_page("projector.html")


class LiveHandler(Base):
    """The live part of a view as an HTML fragment (rendered here, autoescaped), asked for every second."""

    def get(self, view: str):
        self.require(INSTRUCT)
        names = view == "instructor"
        cache = self.settings["live_cache"]
        key = (view, self.store.version)
        if key not in cache:
            for stale in [k for k in cache if k[1] != self.store.version]:
                del cache[stale]
            summaries = [rounds.summary(r, self.store.posts(r["id"]), names=names)
                         for r in self.store.rounds(open_only=True)]
            before_after = self.poll_pairs(names)
            env: Environment = self.settings["jinja"]
            cache[key] = env.get_template("live.html").render(summaries=summaries, names=names,
                                                              pairs=before_after, version=self.store.version)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(cache[key])

    def poll_pairs(self, names: bool) -> list[dict]:
        """The latest 'before' and 'after' polls of each question, side by side."""
        latest: dict[tuple[str, str], dict] = {}
        for r in self.store.rounds():
            if r["kind"] == "poll" and r["phase"] in ("before", "after"):
                latest[(r["subject"], r["phase"])] = r
        out = []
        for (subject, phase), r in latest.items():
            if phase == "before" and (subject, "after") in latest:
                after = latest[(subject, "after")]
                out.append({"question": rounds.POLLS.get(subject, subject),
                            "before": rounds.counts(self.store.posts(r["id"]), rounds.SCALE, names=False),
                            "after": rounds.counts(self.store.posts(after["id"]), rounds.SCALE, names=False)})
        return out


class ControlHandler(Base):
    """Open and close rounds (instructors only; a form with the XSRF token)."""

    def post(self):
        self.require(INSTRUCT)
        self.check_size()
        action = self.get_body_argument("action", "")
        value = self.get_body_argument("subject", "")
        if action == "lesson" and value in rounds.notebooks():
            self.store.open_round("lesson", value)
        elif action == "poll" and value in rounds.POLLS:
            phase = self.get_body_argument("phase", "")
            self.store.open_round("poll", value, rounds.POLLS[value], phase if phase in ("before", "after") else "")
        elif action == "coding":
            self.store.open_round("coding", rounds.CODING_ARTICLE)
        elif action == "ladder" and value in rounds.ladder_events():
            self.store.open_round("ladder", value)
        elif action == "close" and value.isdigit():
            self.store.close_round(int(value))
        else:
            raise web.HTTPError(400, "Unknown action or subject.")
        self.redirect(self.settings["prefix"] + "instructor")


class ExportHandler(Base):
    def get(self):
        self.require(INSTRUCT)
        self.set_header("Content-Type", "text/csv; charset=utf-8")
        self.set_header("Content-Disposition", 'attachment; filename="escalation-class.csv"')
        self.finish(self.store.export_csv())


class DeleteHandler(Base):
    def post(self):
        self.require(INSTRUCT)
        if self.get_body_argument("confirm", "") != "delete":
            raise web.HTTPError(400, "Type delete in the box to delete the class's data.")
        self.store.delete_all()
        self.redirect(self.settings["prefix"] + "instructor")


class HealthHandler(web.RequestHandler):
    def get(self):
        self.finish({"ok": True})


def cookie_secret(db_url: str) -> bytes:
    """A cookie secret that survives restarts: kept next to an SQLite file, else from the environment."""
    env = os.environ.get("ESCALATION_CLASS_COOKIE_SECRET")
    if env:
        return env.encode()
    if db_url.startswith("sqlite:///") and not db_url.endswith(":memory:"):
        path = Path(db_url.removeprefix("sqlite:///")).with_suffix(".cookie_secret")
        if not path.exists():
            path.write_bytes(secrets.token_hex(32).encode())
            path.chmod(0o600)
        return path.read_bytes().strip()
    return secrets.token_hex(32).encode()


def make_app(store: Store, *, prefix: str | None = None, hub_auth: HubOAuth | None = None,
             rate_limit: RateLimit | None = None, token_cache: int = 10) -> web.Application:
    """The tornado application under the service prefix JupyterHub gives ($JUPYTERHUB_SERVICE_PREFIX)."""
    prefix = prefix or os.environ.get("JUPYTERHUB_SERVICE_PREFIX", f"/services/{SERVICE}/")
    prefix = prefix.rstrip("/") + "/"
    hub_auth = hub_auth or HubOAuth(api_token=os.environ.get("JUPYTERHUB_API_TOKEN", ""),
                                    cache_max_age=token_cache)
    hub_auth.access_scopes = {TAKE, INSTRUCT}
    jinja = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True)
    routes = [
        (prefix, HomeHandler), (prefix + "instructor", InstructorHandler), (prefix + "projector", ProjectorHandler),
        (prefix + r"live/(instructor|projector)", LiveHandler), (prefix + "control", ControlHandler),
        (prefix + "vote", VoteHandler), (prefix + "export.csv", ExportHandler), (prefix + "delete", DeleteHandler),
        (prefix + "api/me", MeHandler), (prefix + "api/mine", MineHandler), (prefix + "api/post", PostHandler),
        (prefix + "health", HealthHandler), (prefix + "oauth_callback", CallbackHandler),
    ]
    return web.Application(
        routes, store=store, hub_auth=hub_auth, prefix=prefix, jinja=jinja, live_cache={},
        rate_limit=rate_limit or RateLimit(), cookie_secret=cookie_secret(store.url), xsrf_cookies=True,
        static_path=str(HERE / "static"), static_url_prefix=prefix + "static/", login_url=hub_auth.login_url)
