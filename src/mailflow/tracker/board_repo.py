"""Every query of the web board (``mailflow web``): read-only, scoped to the viewer.

The board never writes. Each function takes a :class:`~mailflow.domain.board_access.Viewer` and
answers only what that viewer may see (:mod:`mailflow.domain.board_access`): an executive
everything; anyone else the items they own, accept or asked for, the meetings they organise or
attend (and the items those meetings created), and the projects they coordinate (with their
meetings and items). Rows come back as small frozen records with aware UTC datetimes, never as
ORM objects, so the web layer holds no session.

A project's board is counted in the database and reads only the cards it shows
(:mod:`mailflow.tracker.board_project`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    Select,
    create_engine,
    event,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session, sessionmaker

from mailflow.domain.board_access import Viewer
from mailflow.tracker.board_rows import (
    AgendaRow,
    AttendeeRow,
    BoardItem,
    HistoryRow,
    ItemDetail,
    MeetingDetail,
    MeetingRow,
    MinutesRow,
    ProjectRow,
)
from mailflow.tracker.db import SQLITE_BUSY_TIMEOUT_MS
from mailflow.tracker.models import (
    WHOLE_SERIES,
    ActionItem,
    AgendaItem,
    Attendee,
    InboundMessage,
    ItemHistory,
    ItemStatus,
    Meeting,
    Minutes,
    Project,
)


def read_only_sessions(engine: Engine) -> sessionmaker[Session]:
    """Sessions for the board that cannot write, on a database another process writes.

    The daemon's SQLite engine starts every transaction with ``BEGIN IMMEDIATE`` (it writes from
    several threads), which would make each page view take the write lock and queue behind the
    daemon. The board gets its own engine on the same file instead: deferred ``BEGIN`` (WAL lets
    it read beside the writer) and ``PRAGMA query_only``. On PostgreSQL the transactions are
    ``READ ONLY``.
    """
    if engine.dialect.name != "sqlite":
        readonly = engine.execution_options(postgresql_readonly=True)
        return sessionmaker(bind=readonly, expire_on_commit=False)
    reader = create_engine(engine.url)

    @event.listens_for(reader, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA query_only = ON")
        finally:
            cursor.close()

    @event.listens_for(reader, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")

    return sessionmaker(bind=reader, expire_on_commit=False)


def _aware(at: datetime | None) -> datetime | None:
    if at is None:
        return None
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _value(status: object) -> str:
    return str(getattr(status, "value", status))


# What may be seen, as SQL conditions -------------------------------------------------------


def _coordinated(email: str) -> Select[Any]:
    return select(Project.id).where(Project.coordinator_email == email)


def _attended(email: str) -> Select[Any]:
    return select(Attendee.meeting_id).where(Attendee.email == email, Attendee.removed_at.is_(None))


def meeting_scope(viewer: Viewer) -> ColumnElement[bool]:
    """The meetings ``viewer`` may see: organised, attended, or of a coordinated project."""
    if viewer.everything:
        return true()
    return or_(
        Meeting.organiser_email == viewer.email,
        Meeting.id.in_(_attended(viewer.email)),
        Meeting.project_id.in_(_coordinated(viewer.email)),
    )


def item_scope(viewer: Viewer) -> ColumnElement[bool]:
    """The items ``viewer`` may see: their own, their meetings', their projects'."""
    if viewer.everything:
        return true()
    email = viewer.email
    return or_(
        ActionItem.owner_email == email,
        ActionItem.acceptor_email == email,
        ActionItem.requester_email == email,
        ActionItem.meeting_id.in_(select(Meeting.id).where(meeting_scope(viewer))),
        ActionItem.project_id.in_(_coordinated(email)),
    )


def _project_scope(viewer: Viewer) -> ColumnElement[bool]:
    if viewer.everything:
        return true()
    return or_(
        Project.coordinator_email == viewer.email,
        Project.id.in_(select(ActionItem.project_id).where(item_scope(viewer))),
        Project.id.in_(select(Meeting.project_id).where(meeting_scope(viewer))),
    )


# Queries ------------------------------------------------------------------------------------

# Soonest due first, the items without a due date last.
SOONEST = (ActionItem.due_date.is_(None), ActionItem.due_date, ActionItem.id)

ITEM_COLUMNS = (
    ActionItem.id,
    ActionItem.ref,
    ActionItem.kind,
    ActionItem.description,
    ActionItem.owner_email,
    ActionItem.department,
    ActionItem.status,
    ActionItem.progress,
    ActionItem.due_date,
    ActionItem.at_risk_since,
    ActionItem.created_at,
    ActionItem.last_update_at,
    ActionItem.updated_at,
    ActionItem.meeting_id,
    ActionItem.project_id,
)


def board_item(row: Any) -> BoardItem:
    status = _value(row.status)
    finished = _aware(row.last_update_at or row.updated_at) if status == "done" else None
    created = _aware(row.created_at)
    assert created is not None
    return BoardItem(
        id=row.id,
        ref=row.ref,
        kind=row.kind,
        description=row.description,
        owner=row.owner_email,
        department=row.department or "",
        status=status,
        progress=row.progress,
        due=row.due_date,
        at_risk=row.at_risk_since is not None,
        created_at=created,
        finished_at=finished,
        meeting_id=row.meeting_id,
        project_id=row.project_id,
    )


def projects(session: Session, viewer: Viewer) -> list[ProjectRow]:
    """The projects ``viewer`` sees something of, by name."""
    rows = session.scalars(select(Project).where(_project_scope(viewer)).order_by(Project.name))
    return [_project_row(p) for p in rows]


def _project_row(p: Project) -> ProjectRow:
    return ProjectRow(
        id=p.id,
        name=p.name,
        coordinator=p.coordinator_email,
        lead_department=p.lead_department or "",
        end_date=p.end_date,
        closed=p.closed_at is not None,
    )


def project(session: Session, viewer: Viewer, project_id: int) -> ProjectRow | None:
    found = session.scalars(
        select(Project).where(Project.id == project_id, _project_scope(viewer))
    ).first()
    return None if found is None else _project_row(found)


def person_items(session: Session, viewer: Viewer, email: str) -> list[BoardItem]:
    """The items ``email`` owns or accepts, as far as ``viewer`` may see them."""
    email = email.lower()
    query = (
        select(*ITEM_COLUMNS)
        .where(
            item_scope(viewer),
            or_(ActionItem.owner_email == email, ActionItem.acceptor_email == email),
            ActionItem.status != ItemStatus.CANCELLED,
        )
        .order_by(ActionItem.due_date.is_(None), ActionItem.due_date, ActionItem.id)
    )
    return [board_item(row) for row in session.execute(query)]


def person_meetings(
    session: Session, viewer: Viewer, email: str, *, since: datetime | None = None
) -> list[MeetingRow]:
    """The meetings ``email`` organises or attends (ended after ``since``), for ``viewer``."""
    email = email.lower()
    own: ColumnElement[bool] = or_(
        Meeting.organiser_email == email, Meeting.id.in_(_attended(email))
    )
    query = select(*_MEETING_COLUMNS).where(meeting_scope(viewer), own)
    if since is not None:
        # A recurring series goes on after its first occurrence ends: always listed.
        query = query.where(or_(Meeting.ends_at >= since, Meeting.rrule.is_not(None)))
    return [_meeting_columns(row) for row in session.execute(query.order_by(Meeting.starts_at))]


def project_meetings(
    session: Session, viewer: Viewer, project_id: int, *, limit: int | None = None
) -> list[MeetingRow]:
    """The project's meetings ``viewer`` sees, the latest first (at most ``limit``)."""
    query = select(*_MEETING_COLUMNS).where(meeting_scope(viewer), Meeting.project_id == project_id)
    query = query.order_by(Meeting.starts_at.desc(), Meeting.id.desc()).limit(limit)
    return [_meeting_columns(row) for row in session.execute(query)]


_MEETING_COLUMNS = (
    Meeting.id,
    Meeting.title,
    Meeting.organiser_email,
    Meeting.starts_at,
    Meeting.ends_at,
    Meeting.tzid,
    Meeting.location,
    Meeting.online_url,
    Meeting.status,
    Meeting.rrule,
    Meeting.invite_uid,
    Meeting.project_id,
)


def _meeting_columns(row: Any) -> MeetingRow:
    starts, ends = _aware(row.starts_at), _aware(row.ends_at)
    assert starts is not None and ends is not None
    return MeetingRow(
        id=row.id,
        title=row.title,
        organiser=row.organiser_email,
        starts_at=starts,
        ends_at=ends,
        tzid=row.tzid,
        location=row.location or "",
        online_url=row.online_url or "",
        status=_value(row.status),
        rrule=row.rrule or "",
        uid=row.invite_uid,
        project_id=row.project_id,
    )


def meeting_detail(session: Session, viewer: Viewer, meeting_id: int) -> MeetingDetail | None:
    """A meeting with its agenda, attendees, minutes versions and items; None if not seen."""
    meeting = session.execute(
        select(*_MEETING_COLUMNS).where(Meeting.id == meeting_id, meeting_scope(viewer))
    ).first()
    if meeting is None:
        return None
    agenda = session.scalars(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position)
    )
    attendees = session.scalars(
        select(Attendee)
        .where(
            Attendee.meeting_id == meeting_id,
            Attendee.recurrence_id == WHOLE_SERIES,
            Attendee.removed_at.is_(None),
        )
        .order_by(Attendee.id)
    )
    minutes = session.scalars(
        select(Minutes).where(Minutes.meeting_id == meeting_id).order_by(Minutes.version.desc())
    )
    items = session.execute(
        select(*ITEM_COLUMNS).where(ActionItem.meeting_id == meeting_id).order_by(ActionItem.ref)
    )
    return MeetingDetail(
        meeting=_meeting_columns(meeting),
        agenda=tuple(
            AgendaRow(
                a.position,
                a.topic,
                a.owner_email or "",
                a.duration_minutes,
                a.expected_conclusion or "",
            )
            for a in agenda
        ),
        attendees=tuple(
            AttendeeRow(a.email, a.name or "", _value(a.role), _value(a.partstat), a.comment or "")
            for a in attendees
        ),
        minutes=tuple(
            MinutesRow(
                version=m.version,
                submitted_by=m.submitted_by,
                received_at=_aware(m.received_at) or m.received_at,
                official_sent_at=_aware(m.official_sent_at),
                is_correction=m.is_correction,
                text=m.raw_text,
            )
            for m in minutes
        ),
        items=tuple(board_item(row) for row in items),
    )


def item_detail(session: Session, viewer: Viewer, ref: str) -> ItemDetail | None:
    """An item with its whole history and the mail behind each change; None if not seen."""
    item = session.scalars(
        select(ActionItem).where(ActionItem.ref == ref.upper(), item_scope(viewer))
    ).first()
    if item is None:
        return None
    rows = session.execute(
        select(ItemHistory, InboundMessage.subject, InboundMessage.sender)
        .outerjoin(InboundMessage, InboundMessage.message_key == ItemHistory.source_message_id)
        .where(ItemHistory.item_id == item.id)
        .order_by(ItemHistory.at, ItemHistory.id)
    )
    history = tuple(
        HistoryRow(
            at=_aware(h.at) or h.at,
            actor=h.actor,
            kind=h.kind,
            field=h.field or "",
            old=h.old_value or "",
            new=h.new_value or "",
            message_id=h.source_message_id or "",
            mail_subject=subject or "",
            mail_sender=sender or "",
        )
        for h, subject, sender in rows
    )
    meeting_title = (
        session.scalar(select(Meeting.title).where(Meeting.id == item.meeting_id))
        if item.meeting_id
        else None
    )
    project_name = (
        session.scalar(select(Project.name).where(Project.id == item.project_id))
        if item.project_id
        else None
    )
    board = session.execute(select(*ITEM_COLUMNS).where(ActionItem.id == item.id)).one()
    return ItemDetail(
        item=board_item(board),
        deliverable=item.deliverable or "",
        acceptor=item.acceptor_email or "",
        requester=item.requester_email or "",
        delay_reason=item.delay_reason or "",
        delay_category=item.delay_category or "",
        escalation_level=item.escalation_level,
        meeting_title=meeting_title or "",
        project_name=project_name or "",
        history=history,
    )
