"""The ``mailflow`` command line (click). Each command is a thin shell over the library.

One module per command group; the options and the way a command fails are shared
(:mod:`mailflow.cli.options`). Every command opens the tracker with
:func:`mailflow.tracker.open.open_tracker`: only ``db upgrade`` and the commands that write
(``meeting add``, ``import``; ``serve``, ``demo`` and ``dev`` through the daemon and the demo)
migrate its schema, the reading ones ask for ``mailflow db upgrade`` when it is behind.
"""

from __future__ import annotations

import click

from mailflow import __version__
from mailflow.cli.archive_cmd import archive
from mailflow.cli.config_cmd import config
from mailflow.cli.db_cmd import db
from mailflow.cli.dev_cmd import demo, dev
from mailflow.cli.items_cmd import items_group, projects
from mailflow.cli.mail_cmd import import_archive, inspect
from mailflow.cli.meeting_cmd import meeting
from mailflow.cli.minutes_cmd import minutes
from mailflow.cli.serve_cmd import serve, status
from mailflow.cli.web_cmd import web

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mailflow")
def main() -> None:
    """mailflow runs a meeting cycle over plain email: notices, RSVPs, minutes, action items."""


for _command in (
    config,
    db,
    serve,
    status,
    web,
    meeting,
    inspect,
    import_archive,
    minutes,
    items_group,
    projects,
    archive,
    demo,
    dev,
):
    main.add_command(_command)
