"""``mailflow archive``: a project's static HTML archive, written from the tracker. Read-only."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mailflow.cli.options import CONFIG_OPTION, fail
from mailflow.errors import MailflowError


@click.command("archive")
@click.argument("project_name", metavar="PROJECT")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="A folder (the archive goes in 跨部门协作-PROJECT/ inside it) or FILE.zip.",
)
@CONFIG_OPTION
def archive(project_name: str, out: Path, config_path: Path) -> None:
    """Write PROJECT's static HTML archive (pages, items.csv, items.ics); same DB, same bytes."""
    from mailflow.config.load import load_config
    from mailflow.services.archive import find_project, write_archive
    from mailflow.tracker.open import open_tracker

    try:
        cfg = load_config(config_path)
        with open_tracker(cfg) as tracker, tracker.sessions() as session:
            project = find_project(session, project_name)
            if project is None:
                click.echo(f"error: no project called {project_name!r}", err=True)
                sys.exit(1)
            name = project.name
            written = write_archive(session, cfg, project, out)
            session.rollback()
    except MailflowError as exc:
        fail(exc)
    click.echo(f"archive of {name} written to {written}", err=True)
