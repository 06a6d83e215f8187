"""People the tracker knows: who they are, whom they report to, and whether mail to them bounces."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mailflow.tracker.models.base import Base


class Person(Base):
    """One person, keyed by a lower-cased address; ``aliases`` lists other addresses they use."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    aliases: Mapped[list[str]] = mapped_column(default=list)
    department: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(200))
    # The executive who receives the last escalation level for this person's overdue items.
    manager_email: Mapped[str | None] = mapped_column(String(320))
    locale: Mapped[str | None] = mapped_column(String(16))
    timezone: Mapped[str | None] = mapped_column(String(64))
    reminders_opt_out: Mapped[bool] = mapped_column(default=False)
    # Hard bounces: set on the first one, cleared when mail gets through again, so planning can
    # stop writing to a dead address and tell the organiser instead.
    failing_since: Mapped[datetime | None]
    bounce_count: Mapped[int] = mapped_column(default=0)
    last_bounce_at: Mapped[datetime | None]
    last_bounce_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
