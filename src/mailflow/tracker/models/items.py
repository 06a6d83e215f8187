"""Action items from the minutes and the history of every change made to them."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mailflow.tracker.models.base import Base
from mailflow.tracker.models.enums import ItemStatus, enum_type


class ActionItem(Base):
    """One action item, known to people by ``ref`` (``MF-0042``), which replies quote.

    ``due_date``/``due_time`` are a wall-clock deadline in the meeting's zone (or the configured
    default zone when the item has no meeting); ``due_time`` NULL means the end of that day.
    """

    __tablename__ = "action_items"
    __table_args__ = (
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        CheckConstraint("escalation_level >= 0", name="escalation_level_nonnegative"),
        Index(None, "status", "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(32), unique=True)
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="SET NULL"), index=True
    )
    minutes_id: Mapped[int | None] = mapped_column(ForeignKey("minutes.id", ondelete="SET NULL"))
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"), index=True
    )
    # What it is: "action" (from minutes), "request" (协作需求单 between departments), "issue"
    # (a DISPUTE line: 进行中 → 已解决 or 需升级).
    kind: Mapped[str] = mapped_column(String(16), default="action", index=True)
    # A request's urgency (urgent/normal/low: 紧急/一般/低) and who asked, from which department.
    urgency: Mapped[str | None] = mapped_column(String(16))
    requester_email: Mapped[str | None] = mapped_column(String(320))
    requester_department: Mapped[str | None] = mapped_column(String(200))
    # Set while progress lags the elapsed fraction of the item's time (at risk); cleared when it
    # catches up. ``talked_at``: when the coordinator recorded the talk with the owner (约谈).
    at_risk_since: Mapped[datetime | None] = mapped_column(index=True)
    talked_at: Mapped[datetime | None]
    # Who checks the deliverable before the item is closed (验收人); NULL: closed on DONE.
    acceptor_email: Mapped[str | None] = mapped_column(String(320))
    # The category of the last delay: resources, scope, external, other (资源不足/需求变更/…).
    delay_category: Mapped[str | None] = mapped_column(String(32))
    # How many times the deliverable was rejected and the item went back to its owner.
    rework_count: Mapped[int] = mapped_column(default=0)
    owner_email: Mapped[str] = mapped_column(String(320), index=True)
    department: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    deliverable: Mapped[str | None] = mapped_column(Text)
    due_date: Mapped[date | None]
    due_time: Mapped[time | None]
    status: Mapped[ItemStatus] = mapped_column(
        enum_type(ItemStatus, "status"), default=ItemStatus.NOT_STARTED
    )
    progress: Mapped[int] = mapped_column(default=0)
    delay_reason: Mapped[str | None] = mapped_column(Text)
    # When the owner confirmed the assignment (replied CONFIRM); NULL while unconfirmed.
    confirmed_at: Mapped[datetime | None]
    last_update_at: Mapped[datetime | None]
    # 0 = none, 1 = owner reminded, 2 = organiser/coordinator told, 3 = the owner's executive told.
    escalation_level: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    history: Mapped[list[ItemHistory]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="ItemHistory.id"
    )


class ItemHistory(Base):
    """One change to an action item: who did what, when, and from which message."""

    __tablename__ = "item_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("action_items.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(320))
    # What happened ("created", "status", "progress", "due", "escalated", "comment"...), and the
    # field it touched when it was a field change.
    kind: Mapped[str] = mapped_column(String(32))
    field: Mapped[str | None] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    source_message_id: Mapped[str | None] = mapped_column(String(998))

    item: Mapped[ActionItem] = relationship(back_populates="history")
