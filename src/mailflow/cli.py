"""The ``mailflow`` command line (click). Each command is a thin shell over the library."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from types import FrameType

import click

from mailflow import __version__, logs
from mailflow.clock import SystemClock
from mailflow.config.schema import Config
from mailflow.domain.meeting_draft import MeetingDraft
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


def _fail(exc: MailflowError) -> None:
    if isinstance(exc, ConfigError):
        click.echo(f"configuration invalid ({len(exc.problems)} problem(s)):", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
    else:
        click.echo(f"error: {exc}", err=True)
    sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mailflow")
def main() -> None:
    """mailflow runs a meeting cycle over plain email: notices, RSVPs, minutes, action items."""


@main.group()
def config() -> None:
    """Check a configuration file."""


@config.command("check")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
def config_check(path: Path) -> None:
    """Report every problem in PATH with its key path and line; exit 0 when it is valid."""
    from mailflow.config.load import check_config

    problems = check_config(path)
    if problems:
        click.echo(f"{path}: {len(problems)} problem(s)", err=True)
        for problem in problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    click.echo(f"{path}: OK")


@main.group()
def db() -> None:
    """Manage the tracker database."""


@db.command("upgrade")
@CONFIG_OPTION
@click.option("--url", help="Database URL (overrides the configuration's database.url).")
def db_upgrade(config_path: Path, url: str | None) -> None:
    """Create or migrate the tracker schema to the newest revision (Alembic)."""
    from mailflow.config.load import load_config
    from mailflow.tracker import db as tracker_db

    try:
        target = url or load_config(config_path).database.url
        engine = tracker_db.make_engine(target)
        try:
            tracker_db.upgrade(engine)
            click.echo(f"database at revision {tracker_db.current_revision(engine)}")
        finally:
            engine.dispose()
    except MailflowError as exc:
        _fail(exc)


@main.command()
@CONFIG_OPTION
@click.option(
    "--log-format",
    type=click.Choice(["human", "json"]),
    default=None,
    help="Overrides logging.format.",
)
def serve(config_path: Path, log_format: str | None) -> None:
    """Run the daemon: watch the inbox, plan due mail, send the outbox. Stops on SIGTERM/SIGINT."""
    from mailflow.config.load import load_config
    from mailflow.daemon import Daemon

    try:
        cfg = load_config(config_path)
        logs.configure(cfg.logging.level, log_format or cfg.logging.format)
        daemon = Daemon(cfg)
    except MailflowError as exc:
        _fail(exc)
        return
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    daemon.run(stop)


@main.command()
@CONFIG_OPTION
def status(config_path: Path) -> None:
    """Show mailbox checkpoints, inbound counts, the outbox and the last errors."""
    from mailflow.config.load import load_config
    from mailflow.status import print_status

    try:
        print_status(load_config(config_path))
    except MailflowError as exc:
        _fail(exc)


@main.group()
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
    from mailflow.tracker import db as tracker_db
    from mailflow.tracker.models import MeetingSource

    try:
        cfg, draft = _read_meeting_file(path, config_path)
        if draft.spec is None:
            _print_problems(draft)
            sys.exit(1)
        engine = tracker_db.make_engine(cfg.database.url)
        try:
            tracker_db.upgrade(engine)
            with tracker_db.make_session_factory(engine)() as session, session.begin():
                report = take_draft(
                    session,
                    draft,
                    source=MeetingSource.CLI,
                    organiser=draft.spec.organiser.email,
                    config=cfg,
                    now=SystemClock().now(),
                    receipt_key="cli:" + hashlib.sha256(path.read_bytes()).hexdigest(),
                )
        finally:
            engine.dispose()
    except MailflowError as exc:
        _fail(exc)
        return
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
        _fail(exc)
        return
    _print_problems(draft)
    if not draft.ok or draft.spec is None:
        sys.exit(1)
    for written in write_previews(preview_notices(cfg, draft.spec, SystemClock().now()), out):
        click.echo(str(written))


@main.command()
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False))
def inspect(path: Path, as_json: bool, config_path: Path | None) -> None:
    """Classify and parse one raw message (.eml); print what mailflow would do. No DB, no mail."""
    import json

    from rich.console import Console
    from rich.table import Table

    from mailflow.config.load import load_config
    from mailflow.inbound.inspect import inspect_message

    cfg = None
    if config_path is not None:
        try:
            cfg = load_config(config_path)
        except MailflowError as exc:
            _fail(exc)
    report = inspect_message(path.read_bytes(), now=SystemClock().now(), config=cfg)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    table = Table(show_header=False)
    for key, value in report.items():
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        table.add_row(key, shown)
    Console().print(table)


@main.command("import")
@click.argument("path", type=click.Path(path_type=Path, exists=True))
@CONFIG_OPTION
def import_archive(path: Path, config_path: Path) -> None:
    """Feed an mbox file or a Maildir through the inbound pipeline (migrations, replays)."""
    import dataclasses

    from rich.progress import Progress

    from mailflow.config.load import load_config
    from mailflow.inbound.archive import ArchiveMailbox
    from mailflow.inbound.pipeline import InboundPipeline
    from mailflow.tracker import db as tracker_db

    try:
        cfg = load_config(config_path)
        archive = ArchiveMailbox(path)
        # The archive gets its own checkpoint and records name it as their mailbox.
        folders = dataclasses.replace(cfg.imap.folders, inbox=f"import:{path.resolve()}")
        cfg = dataclasses.replace(cfg, imap=dataclasses.replace(cfg.imap, folders=folders))
        engine = tracker_db.make_engine(cfg.database.url)
    except MailflowError as exc:
        _fail(exc)
        return
    pipeline = InboundPipeline(cfg, tracker_db.make_session_factory(engine), SystemClock())
    try:
        tracker_db.upgrade(engine)
        with Progress() as progress:
            task = progress.add_task(f"importing {path.name}", total=len(archive))
            result = pipeline.poll(
                archive, on_batch=lambda done, total: progress.update(task, completed=done)
            )
    finally:
        pipeline.close()
        archive.close()
        engine.dispose()
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(result.by_outcome.items()))
    click.echo(f"{result.fetched} message(s): {outcomes or 'nothing new'}")
    if archive.skipped:
        shown = ", ".join(archive.skipped[:10]) + (" …" if len(archive.skipped) > 10 else "")
        click.echo(f"skipped {len(archive.skipped)} entries that are not regular files: {shown}")


@main.group()
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
    from mailflow.services.reports import (
        find_meeting,
        minutes_html,
        minutes_markdown,
        tracker_session,
    )

    try:
        cfg = load_config(config_path)
        with tracker_session(cfg) as session:
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
        _fail(exc)
        return
    click.echo(text, nl=False)


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


@main.group("items", invoke_without_command=True)
@OWNER_OPTION
@STATUS_OPTION
@OVERDUE_OPTION
@DEPARTMENT_OPTION
@CONFIG_OPTION
@click.pass_context
def items_group(
    ctx: click.Context,
    owner: str | None,
    status: str | None,
    overdue: bool,
    department: str | None,
    config_path: Path,
) -> None:
    """List action items as a table; `items export` writes them as CSV or iCalendar VTODOs."""
    from zoneinfo import ZoneInfo

    from rich.console import Console
    from rich.table import Table

    from mailflow.config.load import load_config
    from mailflow.services.reports import due_text, list_items, tracker_session
    from mailflow.tracker.models import ItemStatus

    if ctx.invoked_subcommand is not None:
        return  # The subcommand reads these filters from ctx.parent.params.
    try:
        cfg = load_config(config_path)
        zone = ZoneInfo(cfg.schedule.timezone)
        with tracker_session(cfg) as session:
            found = list_items(
                session,
                owner=owner,
                status=ItemStatus(status) if status else None,
                overdue_on=SystemClock().now().astimezone(zone).date() if overdue else None,
                department=department,
            )
    except MailflowError as exc:
        _fail(exc)
        return
    table = Table(caption=f"{len(found)} item(s)")
    for column in ("ref", "owner", "department", "task"):
        table.add_column(column, no_wrap=column == "ref")
    for column in ("due", "status", "progress", "last update", "escalation"):
        table.add_column(column, no_wrap=True)
    for item in found:
        updated = item.last_update_at
        table.add_row(
            item.ref,
            item.owner_email,
            item.department or "-",
            " ".join(item.description.split()),
            due_text(item.due_date, item.due_time),
            item.status.value,
            f"{item.progress}%",
            f"{updated.astimezone(zone):%Y-%m-%d %H:%M}" if updated else "-",
            str(item.escalation_level),
        )
    Console().print(table)


@items_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "ics"]), required=True)
@click.option(
    "--out", type=click.Path(path_type=Path, dir_okay=False), help="File to write (default stdout)."
)
@OWNER_OPTION
@STATUS_OPTION
@OVERDUE_OPTION
@DEPARTMENT_OPTION
@CONFIG_OPTION
@click.pass_context
def items_export(
    ctx: click.Context,
    fmt: str,
    out: Path | None,
    owner: str | None,
    status: str | None,
    overdue: bool,
    department: str | None,
    config_path: Path,
) -> None:
    """Export the action items as CSV (for Excel) or as iCalendar VTODOs (for task apps)."""
    from zoneinfo import ZoneInfo

    from click.core import ParameterSource

    from mailflow.config.load import load_config
    from mailflow.domain.directory import Directory
    from mailflow.outbound.ics import PRODID
    from mailflow.outbound.items_export import items_csv, items_ics
    from mailflow.services.reports import item_rows, list_items, tracker_session
    from mailflow.tracker.models import ItemStatus

    # Filters given before the subcommand (`items --overdue export`) count as well.
    parent = ctx.parent.params if ctx.parent is not None else {}
    owner = owner or parent.get("owner")
    status = status or parent.get("status")
    overdue = overdue or bool(parent.get("overdue"))
    department = department or parent.get("department")
    if ctx.get_parameter_source("config_path") is ParameterSource.DEFAULT:
        config_path = parent.get("config_path", config_path)
    now = SystemClock().now()
    try:
        cfg = load_config(config_path)
        with tracker_session(cfg) as session:
            found = list_items(
                session,
                owner=owner,
                status=ItemStatus(status) if status else None,
                overdue_on=(
                    now.astimezone(ZoneInfo(cfg.schedule.timezone)).date() if overdue else None
                ),
                department=department,
            )
            rows = item_rows(session, found, Directory(cfg.people.people))
    except MailflowError as exc:
        _fail(exc)
        return
    if fmt == "csv":
        text = items_csv(rows)
        if out is None:
            click.echo(text, nl=False)
        else:
            # newline="": the CSV already ends its lines with CRLF, as Excel expects.
            out.write_text(text, encoding="utf-8", newline="")
    else:
        data = items_ics(rows, prodid=PRODID, domain=cfg.mail.domain, now=now)
        if out is None:
            click.echo(data, nl=False)
        else:
            out.write_bytes(data)
    if out is not None:
        click.echo(f"{len(rows)} item(s) written to {out}", err=True)


@main.command("projects")
@CONFIG_OPTION
def projects(config_path: Path) -> None:
    """List projects: coordinator, lead department, end date and their items by state."""
    from zoneinfo import ZoneInfo

    from rich.console import Console
    from rich.table import Table

    from mailflow.config.load import load_config
    from mailflow.services.projects import project_statuses
    from mailflow.services.reports import tracker_session

    try:
        cfg = load_config(config_path)
        today = SystemClock().now().astimezone(ZoneInfo(cfg.schedule.timezone)).date()
        with tracker_session(cfg) as session:
            found = project_statuses(session, today)
    except MailflowError as exc:
        _fail(exc)
        return
    table = Table(caption=f"{len(found)} project(s)")
    for column in ("project", "coordinator", "lead department", "ends"):
        table.add_column(column)
    for column in ("open", "overdue", "at risk", "awaiting acceptance", "done"):
        table.add_column(column, justify="right")
    for p in found:
        table.add_row(
            p.name + (" (closed)" if p.closed else ""),
            p.coordinator,
            p.lead_department or "-",
            p.end_date.isoformat() if p.end_date else "-",
            *(str(n) for n in (p.open, p.overdue, p.at_risk, p.awaiting, p.done)),
        )
    Console().print(table)


@main.command("archive")
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
    from mailflow.services.reports import tracker_session

    try:
        cfg = load_config(config_path)
        with tracker_session(cfg) as session:
            project = find_project(session, project_name)
            if project is None:
                click.echo(f"error: no project called {project_name!r}", err=True)
                sys.exit(1)
            name = project.name
            written = write_archive(session, cfg, project, out)
            session.rollback()
    except MailflowError as exc:
        _fail(exc)
        return
    click.echo(f"archive of {name} written to {written}", err=True)


@main.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("mailflow-demo"),
    show_default=True,
    help="Where every mail is written as NN-recipient-kind.eml (and the digest as .html).",
)
@click.option(
    "--lang",
    type=click.Choice(["en", "zh"]),
    default="en",
    show_default=True,
    help="The language of the organiser's request (MEETING: or 会议通知：).",
)
def demo(out: Path, lang: str) -> None:
    """Play one whole meeting cycle on a throwaway loopback mail stack; keep every mail."""
    from mailflow.demo import run_demo

    try:
        run_demo(out, lang=lang)
    except MailflowError as exc:
        _fail(exc)


@main.command()
@click.option(
    "--dir",
    "workdir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("var/dev"),
    show_default=True,
    help="Where the SQLite DB and the generated config go.",
)
def dev(workdir: Path) -> None:
    """Serve against a throwaway loopback mail stack (Dovecot + SMTP relay) and a SQLite DB."""
    from mailflow.devrun import run_dev

    try:
        run_dev(workdir)
    except MailflowError as exc:
        _fail(exc)


if __name__ == "__main__":  # pragma: no cover
    main()
