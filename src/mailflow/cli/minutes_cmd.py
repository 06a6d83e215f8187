"""``mailflow minutes show``: a meeting's latest minutes as Markdown or HTML. Read-only."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mailflow.cli.options import CONFIG_OPTION, fail
from mailflow.clock import SystemClock
from mailflow.errors import MailflowError


@click.group()
def minutes() -> None:
    """Show a meeting's minutes."""


def _no_single_meeting(text: str, found: object) -> None:
    """Say that no meeting matched ``text``, or list the candidates it matched; exit 1."""
    from zoneinfo import ZoneInfo

    candidates = found if isinstance(found, list) else []
    if not candidates:
        click.echo(f"no meeting matches {text!r}", err=True)
        sys.exit(1)
    click.echo(f"{text!r} matches {len(candidates)} meetings; name one by its id or UID:", err=True)
    for candidate in candidates:
        start = candidate.starts_at.astimezone(ZoneInfo(candidate.tzid))
        click.echo(
            f"  {candidate.id:>5}  {start:%Y-%m-%d %H:%M} {candidate.tzid}  "
            f"{candidate.uid}  {candidate.title}",
            err=True,
        )
    sys.exit(1)


@minutes.command("show")
@click.argument("meeting_text", metavar="MEETING")
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True)
@CONFIG_OPTION
def minutes_show(meeting_text: str, fmt: str, config_path: Path) -> None:
    """Print the latest minutes of MEETING: its UID, invite UID, id, or part of its title."""
    from mailflow.config.load import load_config
    from mailflow.domain.directory import Directory
    from mailflow.services.minutes import latest_minutes
    from mailflow.services.reports import find_meeting, minutes_html, minutes_markdown
    from mailflow.tracker.open import open_tracker

    try:
        cfg = load_config(config_path)
        with open_tracker(cfg) as tracker, tracker.sessions() as session:
            found = find_meeting(session, meeting_text)
            if isinstance(found, list):
                _no_single_meeting(meeting_text, found)
                return
            if latest_minutes(session, found) is None:
                click.echo(f"{found.title}: no minutes yet", err=True)
                sys.exit(1)
            if fmt == "html":
                text = minutes_html(session, found, cfg, now=SystemClock().now())
            else:
                text = minutes_markdown(session, found, Directory(cfg.people.people))
    except MailflowError as exc:
        fail(exc)
    click.echo(text, nl=False)
