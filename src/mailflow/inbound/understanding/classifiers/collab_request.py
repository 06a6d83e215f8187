"""A collaboration request by its subject: ``REQUEST: <title>``, ``协作需求：``, ``協作需求：``."""

from __future__ import annotations

from mailflow.domain.collab_request import request_title
from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.understanding.classification import Classification


def classify(mail: InboundMail) -> Classification | None:
    title = request_title(mail.subject)
    if title is None:
        return None
    return Classification("collab_request", "subject asks for collaboration", {"title": title})
