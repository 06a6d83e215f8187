"""``mailflow db upgrade``: the one command that migrates the tracker schema on request."""

from __future__ import annotations

from pathlib import Path

import click

from mailflow.cli.options import CONFIG_OPTION, fail
from mailflow.errors import MailflowError


@click.group()
def db() -> None:
    """Manage the tracker database."""


@db.command("upgrade")
@CONFIG_OPTION
@click.option("--url", help="Database URL (overrides the configuration's database.url).")
def db_upgrade(config_path: Path, url: str | None) -> None:
    """Create or migrate the tracker schema to the newest revision (Alembic)."""
    from mailflow.config.load import load_config
    from mailflow.tracker import db as tracker_db
    from mailflow.tracker.open import open_tracker

    try:
        with open_tracker(url or load_config(config_path), migrate=True) as tracker:
            click.echo(f"database at revision {tracker_db.current_revision(tracker.engine)}")
    except MailflowError as exc:
        fail(exc)
