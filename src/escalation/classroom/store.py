"""Where the class's posts live: SQLAlchemy tables, SQLite in WAL mode by default, migrated with alembic.

Two tables. `rounds`: what the instructor opened (a lesson's practice exercises, a poll, a coding round,
a ladder round), one open round of each kind at a time. `posts`: one row per (round, user, key) — a
student's latest answer to an exercise, vote, code for a sentence or ladder group — replaced when the
student answers again. Every write is committed before the service answers, so a post the student saw
accepted survives the service being killed (SQLite's WAL with synchronous=NORMAL is durable against a
crashed process; only a power cut can lose the last transactions).
"""
from __future__ import annotations

import csv
import io
import time
from pathlib import Path

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint, create_engine, event, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

KINDS = ("lesson", "poll", "coding", "ladder")
EXPORT_COLUMNS = ["round_id", "round_kind", "round_subject", "round_title", "round_phase", "user", "key", "value",
                  "status", "posted_at"]


class Base(DeclarativeBase):
    pass


class Round(Base):
    __tablename__ = "rounds"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(200))  # notebook "03", poll question id, article id, event id
    title: Mapped[str] = mapped_column(String(300), default="")
    phase: Mapped[str] = mapped_column(String(16), default="")  # "before" / "after" for a poll, else ""
    opened_at: Mapped[float] = mapped_column(Float)
    closed_at: Mapped[float | None] = mapped_column(Float, nullable=True)

    def as_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "subject": self.subject, "title": self.title, "phase": self.phase,
                "opened_at": self.opened_at, "closed_at": self.closed_at, "open": self.closed_at is None}


class Post(Base):
    __tablename__ = "posts"
    __table_args__ = (UniqueConstraint("round_id", "user", "key", name="one_post_per_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    user: Mapped[str] = mapped_column(String(255), index=True)
    key: Mapped[str] = mapped_column(String(100))
    value: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="")
    posted_at: Mapped[float] = mapped_column(Float)

    def as_dict(self) -> dict:
        return {"round_id": self.round_id, "user": self.user, "key": self.key, "value": self.value,
                "status": self.status, "posted_at": self.posted_at}


def sqlite_url(path: str | Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def make_engine(url: str):
    """An engine for `url`; SQLite files get WAL mode, synchronous=NORMAL and foreign keys."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def migrate(engine) -> str:
    """Bring the schema to the newest revision with alembic; return that revision."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


class Store:
    """The class's rounds and posts in one database (any SQLAlchemy URL)."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.revision = migrate(self.engine)
        self.version = 0  # bumped on every write: the views recompute only when it moves

    def _session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    # rounds
    def open_round(self, kind: str, subject: str, title: str = "", phase: str = "") -> dict:
        """Open a round, closing any open round of the same kind (one lesson, one poll... at a time)."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        now = time.time()
        with self._session() as s, s.begin():
            for r in s.scalars(select(Round).where(Round.kind == kind, Round.closed_at.is_(None))):
                r.closed_at = now
            r = Round(kind=kind, subject=subject, title=title, phase=phase, opened_at=now)
            s.add(r)
        self.version += 1
        return r.as_dict()

    def close_round(self, round_id: int) -> None:
        with self._session() as s, s.begin():
            r = s.get(Round, round_id)
            if r is not None and r.closed_at is None:
                r.closed_at = time.time()
        self.version += 1

    def rounds(self, *, open_only: bool = False) -> list[dict]:
        with self._session() as s:
            q = select(Round).order_by(Round.id)
            if open_only:
                q = q.where(Round.closed_at.is_(None))
            return [r.as_dict() for r in s.scalars(q)]

    def get_round(self, round_id: int) -> dict | None:
        with self._session() as s:
            r = s.get(Round, round_id)
            return r.as_dict() if r else None

    def open_of_kind(self, kind: str) -> dict | None:
        with self._session() as s:
            r = s.scalars(select(Round).where(Round.kind == kind, Round.closed_at.is_(None))
                          .order_by(Round.id.desc())).first()
            return r.as_dict() if r else None

    # posts
    def post(self, round_id: int, user: str, key: str, value: str, status: str = "") -> dict:
        """Record (or replace) a user's post for one key of a round; committed before returning."""
        now = time.time()
        with self._session() as s, s.begin():
            row = s.scalars(select(Post).where(Post.round_id == round_id, Post.user == user, Post.key == key)).first()
            if row is None:
                row = Post(round_id=round_id, user=user, key=key, value=value, status=status, posted_at=now)
                s.add(row)
            else:
                row.value, row.status, row.posted_at = value, status, now
        self.version += 1
        return row.as_dict()

    def posts(self, round_id: int) -> list[dict]:
        with self._session() as s:
            return [p.as_dict() for p in s.scalars(select(Post).where(Post.round_id == round_id).order_by(Post.id))]

    def mine(self, user: str) -> list[dict]:
        """One user's own posts, newest first (what a student may read)."""
        with self._session() as s:
            q = select(Post).where(Post.user == user).order_by(Post.posted_at.desc())
            return [p.as_dict() for p in s.scalars(q)]

    # the class's data
    def export_csv(self) -> str:
        """Every post with its round, as CSV text (one header row, then one row per post)."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(EXPORT_COLUMNS)
        with self._session() as s:
            q = select(Post, Round).join(Round, Post.round_id == Round.id).order_by(Round.id, Post.id)
            for p, r in s.execute(q):
                writer.writerow([r.id, r.kind, r.subject, r.title, r.phase, p.user, p.key, p.value, p.status,
                                 f"{p.posted_at:.3f}"])
        return out.getvalue()

    def delete_all(self) -> int:
        """Delete every post and round of the class; return how many posts were deleted."""
        with self._session() as s, s.begin():
            n = len(s.scalars(select(Post.id)).all())
            s.query(Post).delete()
            s.query(Round).delete()
        self.version += 1
        return n

    def close(self) -> None:
        self.engine.dispose()
