"""The payloads of outbox kinds ``item_assignment`` and ``item_receipt``: typed, versioned,
checked when read back (see :mod:`mailflow.outbound.rendering.payload_fields`).
:mod:`mailflow.outbound.kinds.items.items_mail` builds and renders them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from mailflow.domain.minutes import Problem
from mailflow.outbound.kinds.minutes.minutes_parts import (
    aware,
    item_json,
    items_of,
    problem_json,
    problems_of,
    strings,
    text_of,
)
from mailflow.outbound.rendering.items_export import ItemRow
from mailflow.outbound.rendering.payload_fields import (
    JSONObject,
    StoredJSON,
    decoding,
    obj,
    version,
)


@dataclass(frozen=True)
class ItemAssignment:
    """Outbox kind ``item_assignment``: one owner's items from one meeting, to confirm."""

    KIND: ClassVar[str] = "item_assignment"
    VERSION: ClassVar[int] = 1

    items: tuple[ItemRow, ...]
    meeting_title: str
    meeting_start: datetime  # timezone-aware
    meeting_tzid: str
    locale: str | None = None
    timezone: str | None = None
    thread_root: str | None = None
    reply_to: str | None = None

    def to_json(self) -> JSONObject:
        return {
            "v": self.VERSION,
            "meeting": {
                "title": self.meeting_title,
                "start": self.meeting_start.isoformat(),
                "tzid": self.meeting_tzid,
            },
            "items": [item_json(item) for item in self.items],
            "locale": self.locale,
            "timezone": self.timezone,
            "thread_root": self.thread_root,
            "reply_to": self.reply_to,
        }

    @classmethod
    def from_json(cls, data: StoredJSON) -> ItemAssignment:
        version(data, cls.VERSION)
        with decoding():
            locale = text_of(data, "locale")
            meeting = obj(data["meeting"], "meeting")
            title = str(meeting["title"])
            tzid = str(meeting["tzid"])
            ZoneInfo(tzid)  # an unknown zone fails the row here, with the reason
            start = aware(str(meeting["start"]))
            items = tuple(items_of(data, "items"))
            if not items:
                raise ValueError("no items")
            return cls(
                items,
                title,
                start,
                tzid,
                locale,
                text_of(data, "timezone"),
                text_of(data, "thread_root"),
                text_of(data, "reply_to"),
            )


@dataclass(frozen=True)
class ItemReceipt:
    """Outbox kind ``item_receipt``: the answer to an owner's reply: ``items`` as they now
    stand, the ``applied`` lines as written, the ``errors``; ``show_commands`` when a command
    was not understood."""

    KIND: ClassVar[str] = "item_receipt"
    VERSION: ClassVar[int] = 1

    items: tuple[ItemRow, ...]
    applied: tuple[str, ...]
    errors: tuple[Problem, ...] = ()
    show_commands: bool = False
    locale: str | None = None
    timezone: str | None = None
    in_reply_to: str | None = None
    subject: str | None = None
    thread_root: str | None = None

    def to_json(self) -> JSONObject:
        return {
            "v": self.VERSION,
            "items": [item_json(item) for item in self.items],
            "applied": list(self.applied),
            "errors": [problem_json(problem) for problem in self.errors],
            "show_commands": self.show_commands,
            "locale": self.locale,
            "timezone": self.timezone,
            "in_reply_to": self.in_reply_to,
            "subject": self.subject,
            "thread_root": self.thread_root,
        }

    @classmethod
    def from_json(cls, data: StoredJSON) -> ItemReceipt:
        version(data, cls.VERSION)
        with decoding():
            return cls(
                items=tuple(items_of(data, "items")),
                applied=tuple(strings(data, "applied")),
                errors=tuple(problems_of(data, "errors")),
                show_commands=bool(data.get("show_commands")),
                locale=text_of(data, "locale"),
                timezone=text_of(data, "timezone"),
                in_reply_to=text_of(data, "in_reply_to"),
                subject=text_of(data, "subject"),
                thread_root=text_of(data, "thread_root"),
            )
