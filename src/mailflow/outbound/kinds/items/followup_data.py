"""The payloads of outbox kinds ``item_reminder``, ``weekly_progress`` and ``weekly_nudge``:
typed, versioned, checked when read back (see :mod:`mailflow.outbound.rendering.payload_fields`).
:mod:`mailflow.outbound.kinds.items.followup_mail` builds and renders them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar, Self

from mailflow.outbound.kinds.items.followup_parts import DueItem, due_item_from_json, due_item_json
from mailflow.outbound.kinds.minutes.minutes_parts import (
    aware,
    item_json,
    items_of,
    list_of,
    text_of,
)
from mailflow.outbound.rendering.items_export import ItemRow
from mailflow.outbound.rendering.payload_fields import JSONObject, StoredJSON, decoding, version


@dataclass(frozen=True)
class ItemReminder:
    """Outbox kind ``item_reminder``: one owner's items that need a word, each with its stage.

    ``unsubscribe`` is the address the List-Unsubscribe mailto writes to (None: the bot's).
    """

    KIND: ClassVar[str] = "item_reminder"
    VERSION: ClassVar[int] = 1

    entries: tuple[DueItem, ...]
    locale: str | None = None
    timezone: str | None = None
    reply_to: str | None = None
    unsubscribe: str | None = None

    def to_json(self) -> JSONObject:
        return {
            "v": self.VERSION,
            "items": [due_item_json(entry) for entry in self.entries],
            "locale": self.locale,
            "timezone": self.timezone,
            "reply_to": self.reply_to,
            "unsubscribe": self.unsubscribe,
        }

    @classmethod
    def from_json(cls, data: StoredJSON) -> ItemReminder:
        version(data, cls.VERSION)
        with decoding():
            locale = text_of(data, "locale")
            entries = tuple(due_item_from_json(e) for e in list_of(data, "items"))
            if not entries:
                raise ValueError("no items")
            return cls(
                entries,
                locale,
                text_of(data, "timezone"),
                text_of(data, "reply_to"),
                text_of(data, "unsubscribe"),
            )


@dataclass(frozen=True)
class _Weekly:
    """What the weekly request and its nudge share: the owner's open items, how to answer."""

    VERSION: ClassVar[int] = 1

    items: tuple[ItemRow, ...]
    locale: str | None
    timezone: str | None
    reply_to: str | None
    unsubscribe: str | None

    def _json(self) -> JSONObject:
        return {
            "v": self.VERSION,
            "items": [item_json(item) for item in self.items],
            "locale": self.locale,
            "timezone": self.timezone,
            "reply_to": self.reply_to,
            "unsubscribe": self.unsubscribe,
        }

    @classmethod
    def _read(cls, data: StoredJSON) -> tuple[tuple[ItemRow, ...], str | None]:
        version(data, cls.VERSION)
        locale = text_of(data, "locale")
        items = tuple(items_of(data, "items"))
        if not items:
            raise ValueError("no items")
        return items, locale


@dataclass(frozen=True)
class WeeklyProgress(_Weekly):
    """Outbox kind ``weekly_progress``: the Friday request, answers wanted by ``reply_by``."""

    KIND: ClassVar[str] = "weekly_progress"

    reply_by: datetime

    def to_json(self) -> JSONObject:
        return {**self._json(), "reply_by": self.reply_by.isoformat()}

    @classmethod
    def from_json(cls, data: StoredJSON) -> Self:
        with decoding():
            items, locale = cls._read(data)
            return cls(
                items,
                locale,
                text_of(data, "timezone"),
                text_of(data, "reply_to"),
                text_of(data, "unsubscribe"),
                reply_by=aware(str(data["reply_by"])),
            )


@dataclass(frozen=True)
class WeeklyNudge(_Weekly):
    """Outbox kind ``weekly_nudge``: to an owner who did not answer the request of ``asked_on``."""

    KIND: ClassVar[str] = "weekly_nudge"

    asked_on: date

    def to_json(self) -> JSONObject:
        return {**self._json(), "asked_on": self.asked_on.isoformat()}

    @classmethod
    def from_json(cls, data: StoredJSON) -> Self:
        with decoding():
            items, locale = cls._read(data)
            return cls(
                items,
                locale,
                text_of(data, "timezone"),
                text_of(data, "reply_to"),
                text_of(data, "unsubscribe"),
                asked_on=date.fromisoformat(str(data["asked_on"])),
            )
