"""What the commands share: the ``--config`` and item filter options, and how a command fails."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from mailflow.errors import ConfigError, MailflowError

CONFIG_OPTION = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="MAILFLOW_CONFIG",
    default="mailflow.toml",
    show_default=True,
    help="Configuration file (env MAILFLOW_CONFIG).",
)

OWNER_OPTION = click.option("--owner", metavar="EMAIL", help="Only this owner's items.")
STATUS_OPTION = click.option(
    "--status",
    type=click.Choice(
        ["not_started", "in_progress", "awaiting_acceptance", "done", "delayed", "cancelled"]
    ),
    help="Only items in this state.",
)
OVERDUE_OPTION = click.option(
    "--overdue", is_flag=True, help="Only open items due before today (in schedule.timezone)."
)
DEPARTMENT_OPTION = click.option("--department", help="Only this department's items.")


def fail(exc: MailflowError) -> NoReturn:
    """Print ``exc`` (a configuration error problem by problem) and exit with status 2."""
    if isinstance(exc, ConfigError):
        click.echo(f"configuration invalid ({len(exc.problems)} problem(s)):", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
    else:
        click.echo(f"error: {exc}", err=True)
    sys.exit(2)
