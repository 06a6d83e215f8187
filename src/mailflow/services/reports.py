"""Read-only reports on the tracker for the command line: a meeting's minutes and the action items.

The library behind ``mailflow minutes show`` and ``mailflow items``: find a meeting from what a
person types (UID, invite UID, id or part of the title), write its latest minutes as Markdown or as
the official minutes' HTML, and list action items by owner, status, department or lateness.
Nothing here changes a record or the schema (the caller opens the tracker with
:func:`mailflow.tracker.open.open_tracker`); "overdue" is relative to the ``date`` the caller
passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from mailflow.config.schema import Config
from mailflow.domain.directory import Directory
from mailflow.outbound.kinds.minutes.official_minutes import (
    official_minutes_payload,
    render_official_minutes_row,
)
from mailflow.outbound.kinds.minutes.official_minutes_data import OfficialMinutes
from mailflow.outbound.rendering.compose import RenderContext
from mailflow.outbound.rendering.items_export import ItemRow
from mailflow.outbound.rendering.templating import format_when
from mailflow.services.meetings import invite_spec
from mailflow.services.minutes import latest_minutes, meeting_items
from mailflow.services.minutes_mails import item_row
from mailflow.tracker.item_repo import item_by_ref
from mailflow.tracker.minutes_repo import disputes_of
from mailflow.tracker.models import ActionItem, ItemHistory, ItemStatus, Meeting, Minutes
from mailflow.tracker.report_repo import (
    history_of_item,
    items_matching,
    meeting_by_any_uid,
    meeting_titles,
    meetings_by_start,
    titles_of_meetings,
)


def find_meeting(session: Session, text: str) -> Meeting | list[Meeting]:
    """The meeting ``text`` names, or every candidate when it names several (none: ``[]``).

    Tried in order: the meeting's UID or invite UID, its numeric id, then a case-insensitive part
    of its title; among several title matches, the one whose whole title it is wins.
    """
    wanted = text.strip()
    if not wanted:
        return []
    by_uid = meeting_by_any_uid(session, wanted)
    if by_uid is not None:
        return by_uid
    if wanted.isascii() and wanted.isdigit():
        by_id = session.get(Meeting, int(wanted))
        if by_id is not None:
            return by_id
    # Titles are matched in Python: SQLite's lower() folds ASCII only, and casefold() is right
    # for every script. Only ids and titles are read, which stays cheap for years of meetings.
    folded = wanted.casefold()
    titles = meeting_titles(session)
    ids = [row.id for row in titles if folded in row.title.casefold()]
    exact = [row.id for row in titles if row.title.casefold().strip() == folded]
    if len(exact) == 1 and len(ids) > 1:
        ids = exact
    matches = meetings_by_start(session, ids)
    return matches[0] if len(matches) == 1 else matches


def _required_minutes(session: Session, meeting: Meeting) -> Minutes:
    minutes = latest_minutes(session, meeting)
    if minutes is None:
        raise ValueError(f"meeting {meeting.id} ({meeting.title}) has no minutes yet")
    return minutes


def _cell(value: object) -> str:
    # A table cell is one line, and a "|" written by a person must not open another column.
    return " ".join(str(value).split()).replace("|", "\\|") if value not in (None, "") else "-"


def _line(value: object) -> str:
    return " ".join(str(value).split())


def _person(directory: Directory, email: str | None) -> str:
    if not email:
        return "-"
    person = directory.by_email(email)
    return f"{person.name} ({email})" if person is not None and person.name else email


def due_text(day: date | None, at: time | None = None) -> str:
    """A due date as tables show it: ``2025-03-14``, or ``2025-03-14 17:00`` with a time."""
    if day is None:
        return "-"
    return f"{day.isoformat()} {at:%H:%M}" if at is not None else day.isoformat()


def status_text(item: ActionItem) -> str:
    """The status, with the progress while the item is being worked on (``in_progress 60%``)."""
    if item.status in (ItemStatus.IN_PROGRESS, ItemStatus.DELAYED):
        return f"{item.status.value} {item.progress}%"
    return item.status.value


def _shown_items(session: Session, meeting: Meeting, minutes: Minutes) -> list[ActionItem]:
    """The meeting's items as of these minutes: an item a correction dropped is left out."""
    return [
        item
        for item in meeting_items(session, meeting)
        if item.status is not ItemStatus.CANCELLED or item.minutes_id == minutes.id
    ]


def _next_meeting(data: dict[str, Any] | None, zone: str) -> str | None:
    if not data:
        return None
    start_text = data.get("start")
    when = ""
    if start_text:
        start = datetime.fromisoformat(str(start_text))
        # A wall-clock time written in the minutes is in the meeting's own zone.
        start = start.replace(tzinfo=ZoneInfo(zone)) if start.tzinfo is None else start
        when = format_when(start, zone, "en")
    parts = [when or _line(data.get("raw") or ""), data.get("location"), data.get("topic")]
    return " · ".join(_line(part) for part in parts if part)


def minutes_markdown(session: Session, meeting: Meeting, directory: Directory) -> str:
    """The latest minutes of ``meeting`` as Markdown, with each item's current status.

    Raises ValueError when the meeting has no minutes yet.
    """
    minutes = _required_minutes(session, meeting)
    content: dict[str, Any] = minutes.content or {}
    zone = meeting.tzid
    present = [_person(directory, who) for who in content.get("present") or ()]
    if not present:
        # Without an ATTENDEES line nobody is called present, as in the official minutes.
        invited = [meeting.organiser_email]
        invited += [
            a.email for a in meeting.attendees if a.recurrence_id == "" and not a.removed_at
        ]
        names = [_person(directory, email) for email in dict.fromkeys(e.lower() for e in invited)]
        present = [f"not recorded (invited: {', '.join(names)})"]
    version = f"{minutes.version}"
    if minutes.is_correction:
        version += f", a correction of version {minutes.version - 1}"
    received = minutes.received_at.astimezone(ZoneInfo(zone))
    out = [
        f"# Minutes: {_line(meeting.title)}",
        "",
        f"- **Time:** {format_when(meeting.starts_at, zone, 'en', meeting.ends_at)}",
        *([f"- **Place:** {_line(meeting.location)}"] if meeting.location else []),
        f"- **Organiser:** {_person(directory, meeting.organiser_email)}",
        f"- **Present:** {', '.join(present)}",
        f"- **Version:** {version} (from {minutes.submitted_by}, {received:%Y-%m-%d %H:%M})",
        "",
        "## Decisions",
        "",
    ]
    decisions = content.get("decisions") or []
    out += [f"{n}. {_line(text)}" for n, text in enumerate(decisions, 1)] or ["(none recorded)"]
    out += ["", "## Action items", ""]
    items = _shown_items(session, meeting, minutes)
    if items:
        out += [
            "| Ref | Owner | Department | Task | Deliverable | Due | Status |",
            "|---|---|---|---|---|---|---|",
        ]
        out += [
            "| "
            + " | ".join(
                _cell(value)
                for value in (
                    item.ref,
                    _person(directory, item.owner_email),
                    item.department,
                    item.description,
                    item.deliverable,
                    due_text(item.due_date, item.due_time),
                    status_text(item),
                )
            )
            + " |"
            for item in items
        ]
    else:
        out.append("(none)")
    disputes = sorted(disputes_of(session, meeting.id), key=lambda d: d.id)
    if disputes:
        out += ["", "## Disputes", "", "| Question | Owner | Due | Status |", "|---|---|---|---|"]
        out += [
            f"| {_cell(d.description)} | {_cell(_person(directory, d.owner_email))} "
            f"| {_cell(due_text(d.due_date))} | {d.status.value} |"
            for d in disputes
        ]
    next_meeting = _next_meeting(content.get("next_meeting"), zone)
    if next_meeting:
        out += ["", "## Next meeting", "", next_meeting]
    info = content.get("info") or []
    if info:
        out += ["", "## For the record", "", *(f"- {_line(text)}" for text in info)]
    problems = content.get("problems") or []
    if problems:
        out += ["", "## Lines not applied", ""]
        out += [f"- `{_line(p.get('line', ''))}`: {_line(p.get('reason', ''))}" for p in problems]
    return "\n".join(out) + "\n"


def minutes_html(session: Session, meeting: Meeting, config: Config, *, now: datetime) -> str:
    """The latest minutes of ``meeting`` as the official minutes mail's HTML body.

    Rendered by the official minutes' own renderer and templates (in the default locale and the
    meeting's zone), so the page looks like the mail attendees received. Raises ValueError when the
    meeting has no minutes yet.
    """
    minutes = _required_minutes(session, meeting)
    payload = official_minutes_payload(
        invite_spec(meeting),
        minutes.content or {},
        version=minutes.version,
        correction=minutes.is_correction,
        locale=config.mail.default_locale,
        timezone=meeting.tzid,
    )
    # The renderer builds a whole mail for a recipient; the bot's own address greets nobody.
    # The payload is read back as the outbox stores it, so the page is what the mail shows.
    message = render_official_minutes_row(
        RenderContext(config, now),
        [config.mail.bot_address],
        OfficialMinutes.from_json(payload.to_json()),
    )
    body = message.get_body(preferencelist=("html",))
    if body is None:  # pragma: no cover - the renderer always adds an HTML alternative
        raise ValueError("the official minutes renderer produced no HTML")
    return str(body.get_content())


def list_items(
    session: Session,
    *,
    owner: str | None = None,
    status: ItemStatus | None = None,
    overdue_on: date | None = None,
    department: str | None = None,
) -> list[ActionItem]:
    """Action items by ref, filtered by owner address, status and department (case-insensitive).

    ``overdue_on`` keeps the open items (not done, not cancelled) due before that day.
    """
    return items_matching(
        session,
        owner=owner.strip().lower() if owner else None,
        status=status,
        overdue_on=overdue_on,
        department=department.strip().lower() if department else None,
    )


def item_rows(session: Session, items: Sequence[ActionItem], directory: Directory) -> list[ItemRow]:
    """The items as export rows, each with its owner's name and its meeting's title."""
    ids = {item.meeting_id for item in items if item.meeting_id is not None}
    titles = titles_of_meetings(session, ids)
    return [item_row(item, directory, titles.get(item.meeting_id or 0, "")) for item in items]


# What a history row's kind means, as `mailflow items show` prints it.
HISTORY_WORDS = {
    "created": "created",
    "update": "changed",
    "acceptance": "acceptance record (验收确认单)",
    "accepted": "accepted",
    "rejected": "sent back",
    "at_risk": "at risk (进度滞后)",
    "talked": "talk recorded (约谈)",
    "talk_missing": "no talk recorded: executive told",
    "daily": "daily report (当日进展)",
    "deliverable_files": "files delivered",
    "reminded": "reminded",
    "escalated": "escalated",
    "reassigned": "reassigned",
    "declined": "declined",
    "note": "note",
    "confirmed": "confirmed",
}


def item_with_history(session: Session, ref: str) -> tuple[ActionItem, list[ItemHistory]] | None:
    """The item known as ``ref`` (case aside) and its whole history, oldest first; None if none."""
    item = item_by_ref(session, ref.strip().upper())
    if item is None:
        return None
    return item, history_of_item(session, item.id)
