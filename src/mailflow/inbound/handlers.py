"""Which handler applies each kind of inbound message: one line per kind.

Apply is the only place inbound mail writes the tracker (DESIGN.md). A kind without a handler is
left for a person.
"""

from __future__ import annotations

from mailflow.inbound.apply import (
    ApplyContext,
    Handler,
    Outcome,
    leave_for_person,
    record_machine_mail,
)
from mailflow.inbound.classify import Classification
from mailflow.inbound.intake_handlers import take_calendar_invite, take_meeting_mail
from mailflow.inbound.mail import InboundMail

HANDLERS: dict[str, Handler] = {
    "bounce": record_machine_mail,
    "auto_reply": record_machine_mail,
    "feedback_report": record_machine_mail,
    "read_receipt": record_machine_mail,
    "itip_request": take_calendar_invite,
    "itip_cancel": take_calendar_invite,
    "meeting_request": take_meeting_mail,
    "unknown": leave_for_person,
}


def apply(ctx: ApplyContext, mail: InboundMail, found: Classification) -> Outcome:
    return HANDLERS.get(found.kind, leave_for_person)(ctx, mail, found)
