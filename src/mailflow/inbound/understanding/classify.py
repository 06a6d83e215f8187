"""Decide what an inbound message is: an ordered registry of small classifiers.

Each classifier is one function ``(InboundMail) -> Classification | None`` in
:mod:`mailflow.inbound.understanding.classifiers`; the first that answers wins, so the order below
is the order of DESIGN.md (machine-generated mail first, so a bounce is never read as a human
reply). Adding a kind of inbound mail means adding one module and one line here.
"""

from __future__ import annotations

from collections.abc import Sequence

from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.understanding.classification import MACHINE_KINDS as MACHINE_KINDS
from mailflow.inbound.understanding.classification import Classification as Classification
from mailflow.inbound.understanding.classification import Classifier as Classifier
from mailflow.inbound.understanding.classification import Kind as Kind


def _registry() -> tuple[Classifier, ...]:
    # Imported on first use, so importing this module for its types stays cheap.
    from mailflow.inbound.understanding.classifiers import (
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
