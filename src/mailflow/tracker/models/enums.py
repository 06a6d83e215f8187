"""The fixed vocabularies of the tracker, stored as strings guarded by CHECK constraints."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum

from mailflow.domain.item_status import ItemStatus

__all__ = ["ItemStatus"]  # defined in the domain, the tracker stores it


class MeetingStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    DONE = "done"


class MeetingSource(StrEnum):
    """How the meeting reached us: a calendar invite, a "MEETING:" mail, or the command line."""

    ITIP = "itip"
    MAIL = "mail"
    CLI = "cli"


class OccurrenceStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class AttendeeRole(StrEnum):
    """iCalendar ROLE values, kept verbatim so they round-trip to .ics without a table."""

    CHAIR = "CHAIR"
    REQUIRED = "REQ-PARTICIPANT"
    OPTIONAL = "OPT-PARTICIPANT"
    NON_PARTICIPANT = "NON-PARTICIPANT"


class PartStat(StrEnum):
    """iCalendar PARTSTAT values for a VEVENT."""

    NEEDS_ACTION = "NEEDS-ACTION"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    TENTATIVE = "TENTATIVE"
    DELEGATED = "DELEGATED"


class DisputeStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    DROPPED = "dropped"


class InboundOutcome(StrEnum):
    """What became of an inbound message; every message ends in exactly one of these."""

    APPLIED = "applied"
    IGNORED = "ignored"
    # Nothing mailflow understands: it stays in the inbox, flagged, for a person to read.
    LEFT_FOR_PERSON = "left_for_person"
    REFUSED = "refused"
    QUARANTINED = "quarantined"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


def enum_type(enum_class: type[StrEnum], name: str) -> Enum:
    """A VARCHAR(32) column type holding ``enum_class`` values, with a CHECK constraint ``name``.

    The length is fixed rather than derived from the longest value so that adding a value later
    does not change the column type and need a migration of its own.
    """
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        validate_strings=True,
        values_callable=lambda members: [member.value for member in members],
    )
