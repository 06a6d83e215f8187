"""``mailflow status``: what the tracker DB says about the daemon, as rich tables. Read-only.

The daemon's status values, checkpoints, counts and the last errors, then — last, so a terminal
shows them without scrolling — the health figures an operator checks
(:mod:`mailflow.tracker.ops_report`, the same ones the Prometheus endpoint serves): last
successful poll and send, the inbox backlog, the unsent outbox and how long it has waited, open
escalations.

Shows no secret: the database URL is printed with its password hidden, and nothing else printed
comes from the configuration's secret keys.
"""

from __future__ import annotations

from datetime import UTC, datetime

from rich.console import Console
from rich.table import Table

from mailflow.clock import Clock, SystemClock
from mailflow.config.schema import Config
from mailflow.tracker.open import open_tracker
from mailflow.tracker.ops_report import OpsFigures, ops_figures
from mailflow.tracker.report import StatusReport, status_report


def _when(at: datetime | None) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if at else "-"


def _ago(now: datetime, at: datetime | None) -> str:
    """``at`` and how long before ``now`` it was, in the largest whole unit that fits."""
    if at is None:
        return "never"
    seconds = max(0, int((now - at).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{_when(at)} ({seconds // size} {unit} ago)"
    return f"{_when(at)} ({seconds} s ago)"


def load_report(
    config: Config, clock: Clock | None = None
) -> tuple[StatusReport, OpsFigures, str, datetime]:
    """Everything shown, read in one session, with the time it was read at."""
    now = (clock or SystemClock()).now()
    # Read-only: a schema that is behind is a StorageError naming `mailflow db upgrade`.
    with open_tracker(config) as tracker, tracker.sessions() as session:
        report, figures = status_report(session), ops_figures(session, now)
        return report, figures, tracker.url, now


def _counted(now: datetime, count: int, last: tuple[datetime, str] | None) -> str:
    if not count or last is None:
        return f"{count} message(s)"
    at, why = last
    return f"{count} message(s); last {_ago(now, at)}: {' '.join(why.split())[:160]}"


def render_health(figures: OpsFigures, now: datetime, console: Console) -> None:
    health = Table(title="health")
    health.add_column("what")
    health.add_column("value")
    health.add_row("last successful poll", _ago(now, figures.last_poll))
    health.add_row("last successful send", _ago(now, figures.last_send))
    backlog = f"{figures.unprocessed} message(s)"
    if figures.unprocessed:
        backlog += f", waiting since {_ago(now, figures.unprocessed_since)}"
    health.add_row("inbox backlog", backlog)
    unsent = f"{figures.outbox_depth} row(s)"
    if figures.oldest_unsent_at is not None:
        unsent += f"; oldest planned {_ago(now, figures.oldest_unsent_at)}"
    health.add_row("outbox unsent", unsent)
    health.add_row(
        "outbox due, not sent",
        "nothing waiting"
        if figures.oldest_due_at is None
        else f"due since {_ago(now, figures.oldest_due_at)}",
    )
    health.add_row("open escalations", f"{figures.open_escalations} item(s) at level 2 or 3")
    health.add_row(
        "inbound quarantined", _counted(now, figures.quarantined, figures.last_quarantined)
    )
    health.add_row("outbox failed for good", _counted(now, figures.failed, figures.last_failed))
    console.print(health)


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


def print_status(
    config: Config, console: Console | None = None, clock: Clock | None = None
) -> None:
    report, figures, database, now = load_report(config, clock)
    console = console or Console()
    render(report, database, console)
    render_health(figures, now, console)
