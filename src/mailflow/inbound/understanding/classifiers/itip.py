"""Calendar messages (iTIP, RFC 5546): RSVPs, invitations, cancellations, counter-proposals.

Cheap for everything else: only a ``text/calendar`` (or ``application/ics``) message, or a
multipart message whose raw bytes mention a calendar type or an ``.ics`` file, pays for the full
parse; the METHOD is then read from the calendar text without parsing it with icalendar.

Methods without a kind of their own, decided here:

- ``ADD`` (new occurrences of a series) and ``PUBLISH`` (an event file, also what METHOD-less
  data is read as) are ``itip_request``: they describe a meeting; whether the sender may create
  one is the apply step's decision, as for REQUEST.
- ``REFRESH`` (an attendee asks for the current invitation) is ``itip_reply``: it is an attendee
  answering the organiser, and the answer is to send the invitation again.
- ``DECLINECOUNTER`` (an organiser refusing a proposed time) is ``itip_counter``: it belongs to the
  counter-proposal exchange and must never be read as a human reply.
- An unknown METHOD is not classified here: the message goes on to the next classifiers.
"""

from __future__ import annotations

import re

from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.understanding.calendar.itip import (
    CALENDAR_TYPES,
    calendar_method,
    find_calendar,
)
from mailflow.inbound.understanding.classification import Classification, Kind

_KINDS: dict[str, Kind] = {
    "REQUEST": "itip_request",
    "ADD": "itip_request",
    "PUBLISH": "itip_request",
    "CANCEL": "itip_cancel",
    "REPLY": "itip_reply",
    "REFRESH": "itip_reply",
    "COUNTER": "itip_counter",
    "DECLINECOUNTER": "itip_counter",
}
_MARKERS = re.compile(rb"text/calendar|application/ics|text/x-vcalendar|\.ics\b|\.vcs\b", re.I)


def classify(mail: InboundMail) -> Classification | None:
    content_type = mail.content_type
    if content_type not in CALENDAR_TYPES and not (
        content_type.startswith("multipart/") and _MARKERS.search(mail.raw)
    ):
        return None
    found = find_calendar(mail.message)
    if found is None:
        return None
    method = calendar_method(found.text) or found.method_param
    if method is None:
        if "BEGIN:VEVENT" not in found.text.upper():
            return None
        method = "PUBLISH"
    kind = _KINDS.get(method)
    if kind is None:
        return None
    return Classification(kind, f"{found.source} with METHOD:{method}", {"method": method})
