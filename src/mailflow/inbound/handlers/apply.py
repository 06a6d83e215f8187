"""What applying an inbound message means: its context, its outcome, the handler contract.

A handler per kind, ``(ApplyContext, InboundMail, Classification) -> Outcome``, listed in
:mod:`mailflow.inbound.handlers.registry`; the two simplest live here. Handlers run inside
the message's own savepoint (see ``pipeline.py``): whatever they write is kept only together with
the message's inbound record. Raising :class:`~mailflow.errors.MessageError` quarantines the message
with that reason; any other exception does the same, with the exception as the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from mailflow.config.schema import Config
from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.understanding.classify import Classification

Destination = Literal["processed", "quarantine", "inbox"]
# The InboundOutcome values, so a handler cannot name an outcome the inbound record refuses;
# "duplicate" is the pipeline's own (a message already recorded: no new record is written).
OutcomeName = Literal[
    "applied", "ignored", "left_for_person", "refused", "quarantined", "duplicate"
]


@dataclass(frozen=True)
class Outcome:
    """What was done with a message and where it is filed afterwards."""

    outcome: OutcomeName
    destination: Destination
    detail: str = ""
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ApplyContext:
    session: Session
    now: datetime
    config: Config


Handler = Callable[[ApplyContext, InboundMail, Classification], Outcome]


def refs(meeting: str | None = None, items: Iterable[str] = ()) -> dict[str, Any]:
    """What an outcome touched — the meeting's UID, the items' refs — for its record and log line.

    Kept in the inbound record's details too, so a person can find which meeting a mail changed.
    """
    found: dict[str, Any] = {}
    if meeting:
        found["meeting"] = meeting
    if item_refs := sorted(set(items)):
        found["items"] = item_refs
    return found


def record_machine_mail(ctx: ApplyContext, mail: InboundMail, found: Classification) -> Outcome:
    """Bounces, auto-replies, feedback reports, read receipts: recorded, filed, never answered."""
    return Outcome("ignored", "processed", found.reason)


def leave_for_person(ctx: ApplyContext, mail: InboundMail, found: Classification) -> Outcome:
    """Nothing mailflow understands: stays in the inbox, flagged, for a person to read."""
    return Outcome("left_for_person", "inbox", found.reason)
