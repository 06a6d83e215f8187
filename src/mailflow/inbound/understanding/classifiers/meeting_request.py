"""A plain meeting request by its subject: ``MEETING: <title>`` or ``会议通知：<title>``."""

from __future__ import annotations

from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.understanding.classification import Classification
from mailflow.inbound.understanding.meeting_mail import meeting_title


def classify(mail: InboundMail) -> Classification | None:
    title = meeting_title(mail.subject)
    if title is None:
        return None
    return Classification("meeting_request", "subject asks for a meeting", {"title": title})
