"""``mailflow status``: what the tracker DB says about the daemon, as rich tables. Read-only.

Shows no secret: the database URL is printed with its password hidden, and nothing else printed
comes from the configuration's secret keys.
"""

from __future__ import annotations

from datetime import datetime

from rich.console import Console
from rich.table import Table

from mailflow.config.schema import Config
from mailflow.tracker import db
from mailflow.tracker.report import StatusReport, status_report


def _when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S UTC") if at else "-"


def load_report(config: Config) -> tuple[StatusReport, str]:
    engine = db.make_engine(config.database.url)
    try:
        if not db.is_up_to_date(engine):
            db.upgrade(engine)
        with db.make_session_factory(engine)() as session:
            return status_report(session), engine.url.render_as_string(hide_password=True)
    finally:
        engine.dispose()


def render(report: StatusReport, database: str, console: Console) -> None:
    console.print(f"[bold]database[/] {database}")
    daemon = Table(title="daemon", show_header=True)
    daemon.add_column("what")
    daemon.add_column("value")
    daemon.add_column("at")
    for key, entry in sorted(report.status.items()):
        daemon.add_row(key, entry.value, _when(entry.updated_at))
    if not report.status:
        daemon.add_row("(nothing yet)", "-", "-")
    console.print(daemon)

    mailboxes = Table(title="mailbox checkpoints")
    for column in ("mailbox", "UIDVALIDITY", "last UID", "updated"):
        mailboxes.add_column(column)
    for cp in report.checkpoints:
        mailboxes.add_row(cp.mailbox, str(cp.uidvalidity), str(cp.last_uid), _when(cp.updated_at))
    console.print(mailboxes)

    inbound = Table(title="inbound messages")
    for column in ("kind", "outcome", "count"):
        inbound.add_column(column)
    for (kind, outcome), count in sorted(report.inbound.items()):
        inbound.add_row(kind, outcome, str(count))
    console.print(inbound)

    outbox = Table(title="outbox")
    outbox.add_column("status")
    outbox.add_column("rows", justify="right")
    for status, count in report.outbox.items():
        outbox.add_row(status, str(count))
    console.print(outbox)

    errors = Table(title="last errors")
    for column in ("at", "where", "ref", "error"):
        errors.add_column(column)
    for error in report.errors:
        errors.add_row(_when(error.at), error.source, error.ref, error.error)
    console.print(errors)


def print_status(config: Config, console: Console | None = None) -> None:
    report, database = load_report(config)
    render(report, database, console or Console())
