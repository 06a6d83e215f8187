"""A payload of any outbox kind for tests of the outbox itself (claim, mark, counts): stored as
given and never rendered. Tests that send mail use the kind's real payload instead."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, cast

from mailflow.outbound.rendering.payload_fields import JSONObject, OutboxPayload


@dataclass(frozen=True)
class _Stored:
    KIND: ClassVar[str] = ""

    data: JSONObject = field(default_factory=dict)

    def to_json(self) -> JSONObject:
        return dict(self.data)


def stored(kind: str, data: JSONObject | None = None) -> OutboxPayload:
    """A payload stored under ``kind`` as ``data`` (default: empty)."""
    of_kind = type(f"Stored_{kind}", (_Stored,), {"KIND": kind})
    return cast("OutboxPayload", of_kind(dict(data or {})))
