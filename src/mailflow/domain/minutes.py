"""Minutes as plain values: what the minutes parser produces and the minutes mails consume.

Pure data, no ORM. Owners are resolved to email addresses against the people directory; what
could not be resolved is not guessed but listed in ``problems`` with what to write instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time


@dataclass(frozen=True)
class Problem:
    """One line the parser could not fully use: the line as written, why, what to write instead.

    ``kept`` is True when an item was still made from the line (without its due date, say) and
    the scribe should complete it; False when the line was not used at all.
    """

    line: str
    reason: str
    hint: str | None = None
    code: str | None = None  # machine-readable kind, e.g. "unknown_owner", "bad_due"
    kept: bool = False


@dataclass(frozen=True)
class ActionSpec:
    owner: str | None  # email once resolved
    owner_raw: str
    task: str
    deliverable: str | None = None
    due: date | None = None
    due_time: time | None = None
    due_raw: str | None = None
    department: str | None = None
    kind: str = "action"  # "action" or "dispute" (an open question with an owner and a due date)
    status: str | None = None  # an initial status a tracking table gave ("in_progress", "done")


@dataclass(frozen=True)
class NextMeetingSpec:
    raw: str
    start: datetime | None = None
    location: str | None = None
    topic: str | None = None
    date_only: bool = False  # a date was given without a time of day


@dataclass(frozen=True)
class MinutesDoc:
    decisions: tuple[str, ...] = ()
    actions: tuple[ActionSpec, ...] = ()
    disputes: tuple[ActionSpec, ...] = ()
    next_meeting: NextMeetingSpec | None = None
    attendees: tuple[str, ...] = ()  # emails of who actually attended (ATTENDEES: / 出席：)
    info: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def unused(self) -> tuple[Problem, ...]:
        """The lines that looked like something but gave nothing (no item made from them)."""
        return tuple(p for p in self.problems if not p.kept)


# Problems that mean a line written as an action gave no item.
ACTION_LOST = frozenset(
    {"no_owner", "unknown_owner", "ambiguous_owner", "table_no_owner", "no_task"}
    | {"attachment_unread"}
)


def hold_reason(doc: MinutesDoc, *, forwarded_summary: bool = False) -> str | None:
    """Why these minutes must wait for the scribe's PUBLISH before anything is applied or sent.

    ``summary``: another system's notes (an OA notice, an AI summary of a call) forwarded by
    the scribe; their items are not tracked without the scribe saying so. ``no_items``: lines
    written as actions but not one item came of them; official minutes with no items would
    tell every attendee there is nothing to do. None: apply and send at once.
    """
    if forwarded_summary:
        return "summary"
    if not doc.actions and any(p.code in ACTION_LOST for p in doc.problems):
        return "no_items"
    return None
