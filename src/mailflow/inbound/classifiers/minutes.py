"""Minutes mailed fresh, by subject: ``Minutes: <title>`` / ``会议纪要：<title>``.

Minutes sent as a reply to the skeleton are replies (the reply classifier catches them first);
this catches the scribe who writes a new mail. "Re:"/"Fwd:" subjects are left to the others.
"""

from __future__ import annotations

import re

from mailflow.inbound.classify import Classification
from mailflow.inbound.mail import InboundMail

_SUBJECT = re.compile(r"^\s*(?:\[[^\]]*\]\s*)?(?:minutes|会议纪要|會議紀要)\s*[:：]", re.IGNORECASE)


def classify(mail: InboundMail) -> Classification | None:
    if _SUBJECT.match(mail.subject):
        return Classification("minutes", "subject names minutes")
    return None
