"""Alembic environment for the tracker: runs on the connection ``mailflow.tracker.db`` hands in.

Run by ``mailflow.tracker.db.upgrade``; there is no alembic.ini. A developer generating a new
revision passes a URL instead: ``alembic -x url=sqlite:///dev.db revision --autogenerate``
with a config whose ``script_location`` points here.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from mailflow.tracker.models import Base

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode recreates the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise RuntimeError("no database: pass a connection in config.attributes or -x url=...")
    engine = create_engine(url)
    try:
        with engine.begin() as engine_connection:
            _run(engine_connection)
    finally:
        engine.dispose()


def run_migrations_offline() -> None:
    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option(
        "sqlalchemy.url"
    )
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
