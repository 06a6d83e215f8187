"""Meetings and what hangs off them before they happen: occurrences, agenda, attendees."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mailflow.tracker.models.base import WHOLE_SERIES, Base
from mailflow.tracker.models.enums import (
    AttendeeRole,
    MeetingSource,
    MeetingStatus,
    OccurrenceStatus,
    PartStat,
    enum_type,
)


class Meeting(Base):
    """One VEVENT (a single meeting or a recurring series), identified by its iCalendar UID.

    ``starts_at``/``ends_at`` are UTC instants; ``tzid`` is the IANA zone the meeting is held in,
    needed to expand ``rrule`` across DST changes and to write VTIMEZONE.
    """

    __tablename__ = "meetings"
    __table_args__ = (CheckConstraint("ends_at >= starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(255), unique=True)
    sequence: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(500))
    organiser_email: Mapped[str] = mapped_column(String(320))
    scribe_email: Mapped[str | None] = mapped_column(String(320))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime] = mapped_column(index=True)
    tzid: Mapped[str] = mapped_column(String(64))
    location: Mapped[str | None] = mapped_column(String(500))
    online_url: Mapped[str | None] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(Text)
    rrule: Mapped[str | None] = mapped_column(Text, index=True)
    status: Mapped[MeetingStatus] = mapped_column(
        enum_type(MeetingStatus, "status"), default=MeetingStatus.SCHEDULED
    )
    source: Mapped[MeetingSource] = mapped_column(enum_type(MeetingSource, "source"))
    # The meeting as its organiser last described it (a MeetingSpec as JSON, see meeting_codec):
    # the columns above are kept in step with it for queries; rendering reads this.
    spec: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # mailflow's own invite: its UID (the organiser's UID for mail/CLI meetings, a derived one for
    # meetings that arrived as someone else's calendar invite) and its SEQUENCE, bumped whenever
    # mailflow announces a change.
    invite_uid: Mapped[str] = mapped_column(String(255), unique=True)
    invite_sequence: Mapped[int] = mapped_column(default=0)
    # Message-ID every mail about this meeting refers to, so they form one thread.
    thread_root: Mapped[str] = mapped_column(String(255), index=True)
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    occurrences: Mapped[list[MeetingOccurrence]] = relationship(
        back_populates="meeting",
        cascade="all, delete-orphan",
        order_by="MeetingOccurrence.recurrence_id",
    )
    agenda: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="AgendaItem.position"
    )
    attendees: Mapped[list[Attendee]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Attendee.id"
    )


class MeetingRevision(Base):
    """Each version of a meeting mailflow announced, so an update can say what changed."""

    __tablename__ = "meeting_revisions"
    __table_args__ = (UniqueConstraint("meeting_id", "invite_sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    invite_sequence: Mapped[int]
    spec: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class MeetingOccurrence(Base):
    """An override of one instance of a recurring meeting (moved or cancelled), by RECURRENCE-ID."""

    __tablename__ = "meeting_occurrences"
    __table_args__ = (UniqueConstraint("meeting_id", "recurrence_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    # The original start of the instance, as an instant; it names the instance even when moved.
    recurrence_id: Mapped[datetime]
    status: Mapped[OccurrenceStatus] = mapped_column(
        enum_type(OccurrenceStatus, "status"), default=OccurrenceStatus.SCHEDULED
    )
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    location: Mapped[str | None] = mapped_column(String(500))
    sequence: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime]

    meeting: Mapped[Meeting] = relationship(back_populates="occurrences")


class AgendaItem(Base):
    """One agenda topic: who presents it, for how long, and what it must conclude."""

    __tablename__ = "agenda_items"
    __table_args__ = (UniqueConstraint("meeting_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    position: Mapped[int]
    topic: Mapped[str] = mapped_column(Text)
    owner_email: Mapped[str | None] = mapped_column(String(320))
    duration_minutes: Mapped[int | None]
    expected_conclusion: Mapped[str | None] = mapped_column(Text)
    # Links or file names of the material to read beforehand, in the order given.
    materials: Mapped[list[str]] = mapped_column(default=list)

    meeting: Mapped[Meeting] = relationship(back_populates="agenda")


class Attendee(Base):
    """One invited address and their answer, for the whole series or for one occurrence.

    ``recurrence_id`` is WHOLE_SERIES ('') or the instance's key from ``recurrence_key()``.
    """

    __tablename__ = "attendees"
    __table_args__ = (UniqueConstraint("meeting_id", "email", "recurrence_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[AttendeeRole] = mapped_column(
        enum_type(AttendeeRole, "role"), default=AttendeeRole.REQUIRED
    )
    partstat: Mapped[PartStat] = mapped_column(
        enum_type(PartStat, "partstat"), default=PartStat.NEEDS_ACTION
    )
    recurrence_id: Mapped[str] = mapped_column(String(32), default=WHOLE_SERIES)
    delegated_to: Mapped[str | None] = mapped_column(String(320))
    responded_at: Mapped[datetime | None]
    comment: Mapped[str | None] = mapped_column(Text)
    # The invite SEQUENCE this attendee was last sent (None: never notified), and when they were
    # taken off the meeting (they then get a CANCEL once, if they had been notified).
    notified_sequence: Mapped[int | None]
    removed_at: Mapped[datetime | None]

    meeting: Mapped[Meeting] = relationship(back_populates="attendees")
