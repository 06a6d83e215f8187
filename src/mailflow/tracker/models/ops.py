"""The daemon's own bookkeeping: leases between replicas, status values, and counters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mailflow.tracker.models.base import Base


class Lease(Base):
    """A named lock with an expiry (e.g. "poll:INBOX"), so one replica does a job at a time."""

    __tablename__ = "leases"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    holder: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[datetime]
    acquired_at: Mapped[datetime]


class DaemonStatus(Base):
    """A key/value pair shown by ``mailflow status`` ("last_poll_ok", "last_error"...)."""

    __tablename__ = "daemon_status"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]


class Counter(Base):
    """A named counter for human-facing numbers such as item refs; see ``repo.next_counter``."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class SendLog(Base):
    """One delivered mail per recipient, kept a day, for the per-recipient hourly limit."""

    __tablename__ = "send_log"
    __table_args__ = (Index(None, "recipient", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(320))
    sent_at: Mapped[datetime]
