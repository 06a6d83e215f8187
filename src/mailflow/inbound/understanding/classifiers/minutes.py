"""Minutes mailed fresh, by subject, as people title them in Chinese and English.

``Minutes: <title>`` / ``会议纪要：<title>`` and what scribes really write: ``【会议纪要】…``,
``会议纪要-…``, ``纪要：…``, ``关于…的会议纪要``, ``研发周会纪要 0708``, ``會議紀錄：…``,
``MoM - …``, ``Minutes of (the) meeting …``, ``Sprint 14 planning - notes & AIs``, ``Offsite prep
- summary``, forwarded (``Fwd:``, ``转发：``) or in a thread mailflow did not start (``Re: …``):
the words name minutes wherever they stand. Minutes sent as a reply to the skeleton or the
notice are replies (the reply classifier catches them first); a reply to the organiser's own
notice with minutes in it is caught by :mod:`.minutes_content`.
"""

from __future__ import annotations

import re

from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.understanding.classification import Classification
from mailflow.text_forms import simplified

# Words that name minutes wherever they stand in a subject (after Traditional → Simplified).
_SUBJECT = re.compile(
    r"纪要|会议记录|会议纪录|纪录|会议结论|检讨会结论|(?<=会)结论|\b(?:minutes|mom|meeting\s+notes|notes|recap|debrief|action\s+items"
    r"|ais)\b|(?<![a-z])summary\b",
    re.IGNORECASE,
)
# …except where they name something else: our own request for minutes, an OA notice about them.
_NOT = re.compile(r"请提交会议纪要|please\s+submit\s+the\s+minutes|纪要通知|release\s+notes", re.I)


def is_minutes_subject(subject: str) -> bool:
    """Whether ``subject`` names minutes (see the module docstring)."""
    text = simplified(subject)
    return _SUBJECT.search(text) is not None and _NOT.search(text) is None


def classify(mail: InboundMail) -> Classification | None:
    if is_minutes_subject(mail.subject):
        return Classification("minutes", "subject names minutes")
    return None
