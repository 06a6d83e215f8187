"""The mail log: every inbound message seen, every outbound mail planned, and IMAP checkpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mailflow.tracker.models.base import Base
from mailflow.tracker.models.enums import InboundOutcome, OutboxStatus, enum_type


class InboundMessage(Base):
    """One inbound message, recorded once with what was done about it and why.

    ``message_key`` is the normalised ``<Message-ID>``, or ``sha256:<hex>`` of the raw bytes for a
    message without one, so a message fetched twice (restart, second replica) is handled once.
    """

    __tablename__ = "inbound_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_key: Mapped[str] = mapped_column(String(998), unique=True)
    mailbox: Mapped[str | None] = mapped_column(String(255))
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger)
    uid: Mapped[int | None] = mapped_column(BigInteger)
    # The classifier's verdict ("bounce", "itip", "reply", "minutes"...); owned by inbound/.
    kind: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[InboundOutcome] = mapped_column(enum_type(InboundOutcome, "outcome"))
    error: Mapped[str | None] = mapped_column(Text)
    sender: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime]
    processed_at: Mapped[datetime] = mapped_column(index=True)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class OutboxRow(Base):
    """One mail to send, planned once per ``idempotency_key`` and delivered by the send job.

    ``message_id`` is chosen and stored before the first SMTP attempt, so a resend after a crash
    carries the same Message-ID and the recipient's client shows one mail.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index(None, "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(512), unique=True)
    kind: Mapped[str] = mapped_column(String(64))
    recipients: Mapped[list[str]]
    payload: Mapped[dict[str, Any]]
    status: Mapped[OutboxStatus] = mapped_column(
        enum_type(OutboxStatus, "status"), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(255))
    claimed_until: Mapped[datetime | None]
    # Indexed: replies are routed by the Message-ID they answer (services/replies.py).
    message_id: Mapped[str | None] = mapped_column(String(998), index=True)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("action_items.id", ondelete="SET NULL"))


class MailboxCheckpoint(Base):
    """How far a mailbox has been read: the last UID handled under one UIDVALIDITY."""

    __tablename__ = "mailbox_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    mailbox: Mapped[str] = mapped_column(String(255), unique=True)
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime]
