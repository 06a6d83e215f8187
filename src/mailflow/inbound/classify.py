"""Decide what an inbound message is: an ordered registry of small classifiers.

Each classifier is one function ``(InboundMail) -> Classification | None`` in
:mod:`mailflow.inbound.classifiers`; the first that answers wins, so the order below is the order
of DESIGN.md (machine-generated mail first, so a bounce is never read as a human reply). Adding a
kind of inbound mail means adding one module and one line here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from mailflow.inbound.mail import InboundMail

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


def _registry() -> tuple[Classifier, ...]:
    # Imported here so each classifier module can import Classification from this one.
    from mailflow.inbound.classifiers import (
        auto_reply,
        bounce,
        collab_request,
        itip,
        meeting_request,
        minutes,
        minutes_content,
        project_command,
        reply,
        reports,
    )

    return (
        bounce.classify,
        reports.classify,
        auto_reply.classify,
        itip.classify,
        reply.classify,
        project_command.classify,  # CLOSE PROJECT / 项目结束：, before minutes' loose words
        minutes.classify,
        meeting_request.classify,
        collab_request.classify,  # REQUEST: / 协作需求： (协作需求单)
        minutes_content.classify,  # reads the body: only what no header told apart
    )


def classify(mail: InboundMail, classifiers: Sequence[Classifier] | None = None) -> Classification:
    for classifier in classifiers if classifiers is not None else _registry():
        found = classifier(mail)
        if found is not None:
            return found
    return Classification("unknown", "no classifier recognised it")
