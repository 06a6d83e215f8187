"""The tracker schema: every table mailflow keeps, as SQLAlchemy typed declarative models."""

from mailflow.tracker.models.base import WHOLE_SERIES, Base, recurrence_key
from mailflow.tracker.models.enums import (
    AttendeeRole,
    DisputeStatus,
    InboundOutcome,
    ItemStatus,
    MeetingSource,
    MeetingStatus,
    OccurrenceStatus,
    OutboxStatus,
    PartStat,
)
from mailflow.tracker.models.items import ActionItem, ItemHistory
from mailflow.tracker.models.mail import InboundMessage, MailboxCheckpoint, OutboxRow
from mailflow.tracker.models.meetings import (
    AgendaItem,
    Attendee,
    Meeting,
    MeetingOccurrence,
    MeetingRevision,
)
from mailflow.tracker.models.minutes import Decision, Dispute, Minutes
from mailflow.tracker.models.ops import Counter, DaemonStatus, Lease, SendLog
from mailflow.tracker.models.people import Person
from mailflow.tracker.models.projects import Project

__all__ = [
    "WHOLE_SERIES",
    "ActionItem",
    "AgendaItem",
    "Attendee",
    "AttendeeRole",
    "Base",
    "Counter",
    "DaemonStatus",
    "Decision",
    "Dispute",
    "DisputeStatus",
    "InboundMessage",
    "InboundOutcome",
    "ItemHistory",
    "ItemStatus",
    "Lease",
    "MailboxCheckpoint",
    "Meeting",
    "MeetingOccurrence",
    "MeetingRevision",
    "MeetingSource",
    "MeetingStatus",
    "Minutes",
    "OccurrenceStatus",
    "OutboxRow",
    "OutboxStatus",
    "PartStat",
    "Person",
    "Project",
    "SendLog",
    "recurrence_key",
]
