"""What a classifier answers: the kind of an inbound message and why.

The types live apart from :mod:`mailflow.inbound.understanding.classify` (the registry, which
imports every classifier) so that each classifier imports them without importing the registry back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from mailflow.inbound.reading.mail import InboundMail

Kind = Literal[
    "bounce",
    "auto_reply",
    "feedback_report",
    "read_receipt",
    "itip_reply",
    "itip_request",
    "itip_cancel",
    "itip_counter",
    "reply",
    "minutes",
    "meeting_request",
    "collab_request",
    "project_command",
    "unknown",
]

MACHINE_KINDS: frozenset[str] = frozenset(
    {"bounce", "auto_reply", "feedback_report", "read_receipt"}
)


@dataclass(frozen=True)
class Classification:
    kind: Kind
    reason: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def machine_generated(self) -> bool:
        """Mail no person wrote: never answered, never read as an instruction."""
        return self.kind in MACHINE_KINDS


Classifier = Callable[[InboundMail], Classification | None]
