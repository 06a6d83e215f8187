"""Connecting to the tracker database and bringing its schema up to date.

This is the storage edge: SQLAlchemy and Alembic failures leave it as
:class:`mailflow.errors.StorageError`, so the rest of mailflow never catches a library's type.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine as Engine  # re-exported: callers outside tracker/ name it
from sqlalchemy import create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.orm import Session, sessionmaker

from mailflow.errors import StorageError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# How long a SQLite connection waits for another writer before giving up, in milliseconds.
SQLITE_BUSY_TIMEOUT_MS = 10_000


def make_engine(url: str | URL) -> Engine:
    """An engine for ``url``, tuned per backend (see ``_tune_sqlite``; pre-ping on PostgreSQL)."""
    parsed = make_url(url)
    try:
        if parsed.get_backend_name() == "sqlite":
            return _make_sqlite_engine(parsed)
        return create_engine(parsed, pool_pre_ping=True)
    except (SQLAlchemyError, ImportError) as exc:
        raise StorageError(f"cannot open database {parsed.render_as_string()}: {exc}") from exc


def _make_sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        try:
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create the directory for {database}: {exc}") from exc
    engine = create_engine(url)
    _tune_sqlite(engine)
    return engine


def _tune_sqlite(engine: Engine) -> None:
    """Make SQLite behave for a daemon whose scheduler threads write concurrently.

    WAL lets readers proceed while one writer writes; foreign keys are off by default in SQLite.
    pysqlite's own transaction handling is switched off and every transaction starts with
    ``BEGIN IMMEDIATE``: a deferred transaction that reads and then writes fails at once with
    SQLITE_BUSY when another thread committed in between (busy_timeout does not help there),
    whereas IMMEDIATE waits for the write lock up front.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine``; objects stay readable after commit without a reload."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit on success, roll back on error; database errors as StorageError."""
    session = factory()
    try:
        yield session
        session.commit()
    except DBAPIError as exc:
        session.rollback()
        raise StorageError(f"database error: {exc.orig!r}") from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(connection: Any = None) -> Config:
    """An Alembic configuration built in code: the migrations ship inside the package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine_or_url: Engine | str | URL, revision: str = "head") -> None:
    """Migrate the schema to ``revision`` (default: the newest)."""
    with _engine(engine_or_url) as engine:
        try:
            with engine.begin() as connection:
                command.upgrade(alembic_config(connection), revision)
        except (SQLAlchemyError, CommandError) as exc:
            raise StorageError(f"database migration to {revision} failed: {exc}") from exc


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot read the schema revision: {exc}") from exc


def head_revision() -> str | None:
    """The newest revision shipped with this version of mailflow."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def is_up_to_date(engine: Engine) -> bool:
    """True when the database schema is at the newest shipped revision."""
    return current_revision(engine) == head_revision()


@contextmanager
def _engine(engine_or_url: Engine | str | URL) -> Iterator[Engine]:
    """Use a given engine as is; make (and dispose) one for a URL."""
    if isinstance(engine_or_url, Engine):
        yield engine_or_url
        return
    engine = make_engine(engine_or_url)
    try:
        yield engine
    finally:
        engine.dispose()


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc`` is the database's trouble rather than the data's: the connection lost or
    refused, a lock wait timed out (SQLite's "database is locked"), the disk full, a serialization
    failure or deadlock. Work that met it is retried later as it was, never blamed on its input.

    PostgreSQL says which by SQLSTATE class (08 connection, 40 rollback, 53 resources, 57P
    shutdown, 55P03 lock not available); an OperationalError with another state (an index row
    too large, say) is the data's. SQLite says it in words.
    """
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, InterfaceError | DisconnectionError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    state = getattr(exc.orig, "sqlstate", None)
    if isinstance(state, str) and state:
        return state.startswith(_TRANSIENT_STATES)
    text = str(exc.orig).lower()
    return any(word in text for word in _TRANSIENT_WORDS)


_TRANSIENT_STATES = ("08", "40", "53", "57P", "55P03")
_TRANSIENT_WORDS = ("locked", "busy", "disk", "unable to open", "connection", "server closed")
