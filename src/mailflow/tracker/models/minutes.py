"""What a meeting produced on paper: minutes versions, decisions and open disputes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mailflow.tracker.models.base import Base
from mailflow.tracker.models.enums import DisputeStatus, enum_type


class Minutes(Base):
    """One submitted version of a meeting's minutes; a correction is a later version."""

    __tablename__ = "minutes"
    __table_args__ = (UniqueConstraint("meeting_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    version: Mapped[int]
    submitted_by: Mapped[str] = mapped_column(String(320))
    source_message_id: Mapped[str | None] = mapped_column(String(998))
    raw_text: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime]
    # Set when the official minutes went out to everyone; NULL while still to be sent.
    official_sent_at: Mapped[datetime | None]
    is_correction: Mapped[bool] = mapped_column(default=False)
    # The minutes as parsed and as the official mail showed them (decisions, actions with their
    # refs, disputes, next meeting, attendance, problems), so a correction can list its changes.
    content: Mapped[dict[str, Any] | None]
    # Why this version waits for the scribe's PUBLISH ("no_items", "summary"); NULL once applied.
    held_reason: Mapped[str | None] = mapped_column(String(40))
    # Attendees' answers to the official minutes (确认各方无异议): address -> {"verdict":
    # "confirm" | "object", "text", "at"}; the latest answer of each counts.
    responses: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Decision(Base):
    """A decision recorded in the minutes, reported in the executives' digest."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    minutes_id: Mapped[int | None] = mapped_column(ForeignKey("minutes.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class Dispute(Base):
    """A question the meeting could not settle; like an action item, it has an owner and a due."""

    __tablename__ = "disputes"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    minutes_id: Mapped[int | None] = mapped_column(ForeignKey("minutes.id", ondelete="SET NULL"))
    description: Mapped[str] = mapped_column(Text)
    owner_email: Mapped[str | None] = mapped_column(String(320))
    due_date: Mapped[date | None]
    status: Mapped[DisputeStatus] = mapped_column(
        enum_type(DisputeStatus, "status"), default=DisputeStatus.OPEN
    )
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
