"""Opening the tracker database for a command: connect, check (or migrate) the schema, close.

Every command of the ``mailflow`` CLI opens the tracker through :func:`open_tracker`. Commands
that only read never migrate: a database behind this mailflow's newest schema (or without one)
stops them with a :class:`~mailflow.errors.StorageError` that names the command to run. A URL
that cannot be parsed, a server that does not answer or a file that cannot be opened is a
``StorageError`` too, with the URL (password hidden) and the reason.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from mailflow.errors import StorageError
from mailflow.tracker import db

if TYPE_CHECKING:
    from mailflow.config.schema import Config


class Tracker:
    """An open tracker database: ``engine`` and ``sessions``; the engine is disposed on close."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions: sessionmaker[Session] = db.make_session_factory(engine)

    @property
    def url(self) -> str:
        """The database URL as it may be shown: the password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Tracker:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def open_tracker(config: Config | str | URL, *, migrate: bool = False) -> Tracker:
    """The tracker of ``config`` (or at a URL), its schema at the newest revision.

    ``migrate``: bring an older (or empty) schema up to date; without it such a database is a
    StorageError saying to run ``mailflow db upgrade``, and nothing in it is changed.
    """
    raw, source = (config, None) if isinstance(config, str | URL) else _of(config)
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
        raise StorageError(f"the database URL {_shown(raw)!r} is not valid: {exc}") from exc
    shown = url.render_as_string(hide_password=True)
    hint = f"mailflow db upgrade --config {source}" if source else "mailflow db upgrade"
    if not migrate:
        _require_sqlite_file(url, hint)
    engine = db.make_engine(url)
    try:
        current = _revision(engine, shown)
        head = db.head_revision()
        if current is not None and not _known(current):
            raise StorageError(
                f"the tracker database at {shown} is at schema {current}, which this mailflow "
                f"does not know (its newest is {head}): use the mailflow that migrated it"
            )
        if current != head:
            if not migrate:
                raise StorageError(_behind(shown, current, head, hint))
            db.upgrade(engine)
    except BaseException:
        engine.dispose()
        raise
    return Tracker(engine)


def _of(config: Config) -> tuple[str, Path | None]:
    return config.database.url, config.source


def _shown(raw: str | URL) -> str:
    """``raw`` as it may be printed: a password hidden even where the URL does not parse."""
    if isinstance(raw, URL):
        return raw.render_as_string(hide_password=True)
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", raw)


def _require_sqlite_file(url: URL, hint: str) -> None:
    """A reading command does not create a SQLite file (nor its directory) where there is none."""
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return
    if database.startswith("file:"):
        return
    path = Path(database).expanduser()
    if not path.exists():
        raise StorageError(f"there is no tracker database at {path}: run `{hint}` to create it")


def _known(revision: str) -> bool:
    scripts = ScriptDirectory.from_config(db.alembic_config())
    return any(script.revision == revision for script in scripts.walk_revisions())


def _revision(engine: Engine, shown: str) -> str | None:
    """The schema revision, connecting for the first time: connection failures said plainly."""
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except DBAPIError as exc:
        reason = " ".join(str(exc.orig).split())
        raise StorageError(f"cannot open the tracker database at {shown}: {reason}") from exc
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot open the tracker database at {shown}: {exc}") from exc


def _behind(shown: str, current: str | None, head: str | None, hint: str) -> str:
    if current is None:
        return (
            f"the tracker database at {shown} has no mailflow schema yet, "
            f"this mailflow needs {head}: run `{hint}`"
        )
    return (
        f"the tracker database at {shown} is at schema {current}, "
        f"this mailflow needs {head}: run `{hint}`"
    )
