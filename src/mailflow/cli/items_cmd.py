"""``mailflow items`` (a table), ``items export`` (CSV or VTODOs) and ``mailflow projects``.

All three only read the tracker.
"""

from __future__ import annotations

from pathlib import Path

import click

from mailflow.cli.options import (
    CONFIG_OPTION,
    DEPARTMENT_OPTION,
    OVERDUE_OPTION,
    OWNER_OPTION,
    STATUS_OPTION,
    fail,
)
from mailflow.clock import SystemClock
from mailflow.errors import MailflowError


@click.group("items", invoke_without_command=True)
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
    from mailflow.services.reports import due_text, list_items
    from mailflow.tracker.models import ItemStatus
    from mailflow.tracker.open import open_tracker

    if ctx.invoked_subcommand is not None:
        return  # The subcommand reads these filters from ctx.parent.params.
    try:
        cfg = load_config(config_path)
        zone = ZoneInfo(cfg.schedule.timezone)
        with open_tracker(cfg) as tracker, tracker.sessions() as session:
            found = list_items(
                session,
                owner=owner,
                status=ItemStatus(status) if status else None,
                overdue_on=SystemClock().now().astimezone(zone).date() if overdue else None,
                department=department,
            )
    except MailflowError as exc:
        fail(exc)
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
    from mailflow.outbound.rendering.ics import PRODID
    from mailflow.outbound.rendering.items_export import items_csv, items_ics
    from mailflow.services.reports import item_rows, list_items
    from mailflow.tracker.models import ItemStatus
    from mailflow.tracker.open import open_tracker

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
        with open_tracker(cfg) as tracker, tracker.sessions() as session:
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
        fail(exc)
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


@items_group.command("show")
@click.argument("ref")
@CONFIG_OPTION
def items_show(ref: str, config_path: Path) -> None:
    """One item and its whole history: status and progress changes, delays and their reasons,
    reassignments, acceptance records (验收确认单), at-risk episodes and talks, daily reports,
    reminders and escalations, each with who and when."""
    from zoneinfo import ZoneInfo

    from rich.console import Console
    from rich.table import Table

    from mailflow.config.load import load_config
    from mailflow.services.reports import HISTORY_WORDS, due_text, item_with_history
    from mailflow.tracker.open import open_tracker

    try:
        cfg = load_config(config_path)
        zone = ZoneInfo(cfg.schedule.timezone)
        with open_tracker(cfg) as tracker, tracker.sessions() as session:
            found = item_with_history(session, ref)
            if found is None:
                raise click.ClickException(f"there is no item {ref.strip().upper()}")
            item, rows = found
            console = Console()
            console.print(
                f"[bold]{item.ref}[/]  {item.description}\n"
                f"kind {item.kind} · owner {item.owner_email} · {item.status.value} · "
                f"{item.progress}% · due {due_text(item.due_date, item.due_time)}"
                + (f" · acceptor {item.acceptor_email}" if item.acceptor_email else "")
                + (" · [red]at risk[/]" if item.at_risk_since else "")
            )
            table = Table(caption=f"{len(rows)} change(s)")
            for column in ("when", "who", "what", "field", "from", "to"):
                table.add_column(column, overflow="fold")
            for row in rows:
                table.add_row(
                    f"{row.at.astimezone(zone):%Y-%m-%d %H:%M}",
                    row.actor,
                    HISTORY_WORDS.get(row.kind, row.kind),
                    row.field or "",
                    row.old_value or "",
                    row.new_value or "",
                )
            console.print(table)
    except MailflowError as exc:
        fail(exc)


@click.command("projects")
@CONFIG_OPTION
def projects(config_path: Path) -> None:
    """List projects: coordinator, lead department, end date and their items by state."""
    from zoneinfo import ZoneInfo

    from rich.console import Console
    from rich.table import Table

    from mailflow.config.load import load_config
    from mailflow.services.projects import project_statuses
    from mailflow.tracker.open import open_tracker

    try:
        cfg = load_config(config_path)
        today = SystemClock().now().astimezone(ZoneInfo(cfg.schedule.timezone)).date()
        with open_tracker(cfg) as tracker, tracker.sessions() as session:
            found = project_statuses(session, today)
    except MailflowError as exc:
        fail(exc)
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
