"""``mailflow meeting add`` (store a meeting file) and ``meeting preview`` (write its notices)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mailflow.cli.options import CONFIG_OPTION, fail
from mailflow.clock import SystemClock
from mailflow.config.schema import Config
from mailflow.domain.meeting_draft import MeetingDraft
from mailflow.errors import MailflowError


@click.group()
def meeting() -> None:
    """Add a meeting from a TOML file, or preview the notices it would send."""


def _read_meeting_file(path: Path, config_path: Path) -> tuple[Config, MeetingDraft]:
    from mailflow.config.load import load_config
    from mailflow.domain.directory import Directory
    from mailflow.domain.meeting_file import parse_meeting_file

    cfg = load_config(config_path)
    draft = parse_meeting_file(
        path.read_bytes(),
        directory=Directory(cfg.people.people),
        now=SystemClock().now(),
        default_timezone=cfg.schedule.timezone,
        domain=cfg.mail.domain,
    )
    return cfg, draft


def _print_problems(draft: MeetingDraft) -> None:
    for problem in draft.problems:
        click.echo(f"  problem: {problem}", err=True)
    for note in draft.notes:
        click.echo(f"  note: {note}", err=True)


@meeting.command("add")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@CONFIG_OPTION
def meeting_add(path: Path, config_path: Path) -> None:
    """Store the meeting in PATH; the daemon sends the receipt and, when due, the notices."""
    import hashlib

    from mailflow.services.intake import take_draft
    from mailflow.tracker.models import MeetingSource
    from mailflow.tracker.open import open_tracker

    try:
        cfg, draft = _read_meeting_file(path, config_path)
        if draft.spec is None:
            _print_problems(draft)
            sys.exit(1)
        # A command that writes migrates the schema first, as it always has.
        with (
            open_tracker(cfg, migrate=True) as tracker,
            tracker.sessions() as session,
            session.begin(),
        ):
            report = take_draft(
                session,
                draft,
                source=MeetingSource.CLI,
                organiser=draft.spec.organiser.email,
                config=cfg,
                now=SystemClock().now(),
                receipt_key="cli:" + hashlib.sha256(path.read_bytes()).hexdigest(),
            )
    except MailflowError as exc:
        fail(exc)
    _print_problems(draft)
    click.echo(f"{draft.spec.title}: {report.summary}")
    if report.outcome == "rejected":
        sys.exit(1)


@meeting.command("preview")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True)
@CONFIG_OPTION
def meeting_preview(path: Path, out: Path, config_path: Path) -> None:
    """Write the notice each attendee would receive as one .eml per attendee; sends nothing."""
    from mailflow.services.preview import preview_notices, write_previews

    try:
        cfg, draft = _read_meeting_file(path, config_path)
    except MailflowError as exc:
        fail(exc)
    _print_problems(draft)
    if not draft.ok or draft.spec is None:
        sys.exit(1)
    for written in write_previews(preview_notices(cfg, draft.spec, SystemClock().now()), out):
        click.echo(str(written))
