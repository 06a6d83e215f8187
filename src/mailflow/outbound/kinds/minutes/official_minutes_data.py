"""The payload of outbox kind ``official_minutes``: the meeting and its minutes as applied, typed,
versioned and checked when read back (see :mod:`mailflow.outbound.rendering.payload_fields`).
:mod:`mailflow.outbound.kinds.minutes.official_minutes` builds and renders it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import ClassVar

from mailflow.domain.meeting import MeetingSpec
from mailflow.domain.meeting_codec import to_json
from mailflow.outbound.kinds.minutes.minutes_data import meeting_of
from mailflow.outbound.kinds.minutes.minutes_parts import (
    item_from_json,
    item_json,
    list_of,
    strings,
    text_of,
)
from mailflow.outbound.rendering.items_export import ItemRow
from mailflow.outbound.rendering.payload_fields import (
    JSONObject,
    StoredJSON,
    decoding,
    iso,
    obj,
    version,
)


@dataclass(frozen=True)
class MinutesEntry:
    """An action or dispute of the minutes; the owner's name is looked up when it is shown."""

    item: ItemRow  # ``owner_name`` as the minutes gave it, maybe ""
    owner_raw: str = ""  # the owner as written, when no address was found

    def named(self, name: Callable[[str], str]) -> ItemRow:
        """The item with its owner's name: as given, else the directory's, else as written."""
        owner_name = self.item.owner_name or name(self.item.owner) or self.owner_raw
        return replace(self.item, owner_name=owner_name)

    def to_json(self) -> JSONObject:
        return {**item_json(self.item), "owner_raw": self.owner_raw}

    @classmethod
    def from_json(cls, value: object, where: str) -> MinutesEntry:
        data = obj(value, where)
        item = item_from_json(
            {
                **data,
                "ref": data.get("ref") or "",
                "owner_name": str(data.get("owner_name") or ""),
            }
        )
        return cls(item, str(data.get("owner_raw") or ""))


@dataclass(frozen=True)
class NextMeeting:
    """The next meeting the minutes named: its time if it was read (a naive one is in the
    meeting's own zone), else the raw line."""

    raw: str = ""
    start: datetime | None = None
    location: str = ""
    topic: str = ""

    def to_json(self) -> JSONObject:
        return {
            "raw": self.raw,
            "start": iso(self.start),
            "location": self.location,
            "topic": self.topic,
        }

    @classmethod
    def from_json(cls, value: object) -> NextMeeting:
        data = obj(value, "next_meeting")
        start = text_of(data, "start")
        return cls(
            raw=str(data.get("raw") or ""),
            start=datetime.fromisoformat(start) if start else None,
            location=str(data.get("location") or ""),
            topic=str(data.get("topic") or ""),
        )


@dataclass(frozen=True)
class MinutesContent:
    """The minutes as applied: decisions, actions, disputes, the next meeting, who was present
    (names or addresses) and the lines for the record."""

    decisions: tuple[str, ...] = ()
    actions: tuple[MinutesEntry, ...] = ()
    disputes: tuple[MinutesEntry, ...] = ()
    next_meeting: NextMeeting | None = None
    present: tuple[str, ...] = ()
    info: tuple[str, ...] = ()

    def to_json(self) -> JSONObject:
        return {
            "decisions": list(self.decisions),
            "actions": [entry.to_json() for entry in self.actions],
            "disputes": [entry.to_json() for entry in self.disputes],
            "next_meeting": self.next_meeting.to_json() if self.next_meeting else None,
            "present": list(self.present),
            "info": list(self.info),
        }

    @classmethod
    def from_json(cls, value: object) -> MinutesContent:
        data = obj(value, "minutes")
        following = data.get("next_meeting")
        return cls(
            decisions=tuple(strings(data, "decisions")),
            actions=tuple(
                MinutesEntry.from_json(e, f"actions[{n}]")
                for n, e in enumerate(list_of(data, "actions"))
            ),
            disputes=tuple(
                MinutesEntry.from_json(e, f"disputes[{n}]")
                for n, e in enumerate(list_of(data, "disputes"))
            ),
            next_meeting=NextMeeting.from_json(following) if following else None,
            present=tuple(strings(data, "present")),
            info=tuple(strings(data, "info")),
        )


@dataclass(frozen=True)
class OfficialMinutes:
    """Outbox kind ``official_minutes``: the minutes (version ``version``, a ``correction`` with
    its ``changes``) for one recipient, or several sharing a locale and zone."""

    KIND: ClassVar[str] = "official_minutes"
    VERSION: ClassVar[int] = 1

    spec: MeetingSpec
    minutes: MinutesContent
    version: int = 1
    correction: bool = False
    changes: tuple[str, ...] = ()
    locale: str | None = None
    timezone: str | None = None
    thread_root: str | None = None
    reply_to: str | None = None

    def to_json(self) -> JSONObject:
        return {
            "v": self.VERSION,
            "spec": to_json(self.spec),
            "minutes": self.minutes.to_json(),
            "version": self.version,
            "correction": self.correction,
            "changes": list(self.changes),
            "locale": self.locale,
            "timezone": self.timezone,
            "thread_root": self.thread_root,
            "reply_to": self.reply_to,
        }

    @classmethod
    def from_json(cls, data: StoredJSON) -> OfficialMinutes:
        version(data, cls.VERSION)
        with decoding():
            locale = text_of(data, "locale")
            spec = meeting_of(data)
            minutes = MinutesContent.from_json(data["minutes"])
            number = data.get("version") or 1
            if not isinstance(number, int | float | str):
                raise TypeError(f"version must be a number, not {type(number).__name__}")
            return cls(
                spec=spec,
                minutes=minutes,
                version=int(number),
                correction=bool(data.get("correction")),
                changes=tuple(strings(data, "changes")),
                locale=locale,
                timezone=text_of(data, "timezone"),
                thread_root=text_of(data, "thread_root"),
                reply_to=text_of(data, "reply_to"),
            )
