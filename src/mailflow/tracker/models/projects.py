"""Projects: the collaboration guides' unit of work, which groups meetings and action items."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from mailflow.tracker.models.base import Base


class Project(Base):
    """A cross-department project (跨部门协作项目): its name as people write it, who coordinates it
    (协调人, by default whoever named it first), who accepts its deliverables by default (验收人),
    the department that leads it, and when it ends."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    coordinator_email: Mapped[str] = mapped_column(String(320))
    acceptor_email: Mapped[str | None] = mapped_column(String(320))
    lead_department: Mapped[str | None] = mapped_column(String(200))
    end_date: Mapped[date | None]
    closed_at: Mapped[datetime | None]
    # When the coordinator was asked to hold the retrospective (复盘会), the retro meeting once
    # known, and when the project's archive (归档) was written.
    retro_requested_at: Mapped[datetime | None]
    retro_meeting_id: Mapped[int | None]
    archived_at: Mapped[datetime | None]
    # "HH:MM" (configured zone): the daily 当日进展 + 明日计划 request to the project's people.
    daily_update_at: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
