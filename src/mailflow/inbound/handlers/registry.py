"""Which handler applies each kind of inbound message: one line per kind.

Apply is the only place inbound mail writes the tracker (DESIGN.md). A kind without a handler is
left for a person.
"""

from __future__ import annotations

from mailflow.inbound.handlers.apply import (
    ApplyContext,
    Handler,
    Outcome,
    leave_for_person,
    record_machine_mail,
)
from mailflow.inbound.handlers.intake import take_calendar_invite, take_meeting_mail
from mailflow.inbound.handlers.machine import take_bounce
from mailflow.inbound.handlers.minutes import take_minutes_mail
from mailflow.inbound.handlers.project import take_project_command
from mailflow.inbound.handlers.reply import refuse, take_calendar_reply, take_counter, take_reply
from mailflow.inbound.handlers.request import take_collab_request
from mailflow.inbound.reading import auth_results
from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.understanding.classify import Classification

# Machine mail is never acted on for a person, and unknown mail only waits for one: neither needs
# an authenticated sender.
_UNCHECKED = {record_machine_mail, take_bounce, leave_for_person}

HANDLERS: dict[str, Handler] = {
    "bounce": take_bounce,
    "auto_reply": record_machine_mail,
    "feedback_report": record_machine_mail,
    "read_receipt": record_machine_mail,
    "itip_request": take_calendar_invite,
    "itip_cancel": take_calendar_invite,
    "itip_reply": take_calendar_reply,
    "itip_counter": take_counter,
    "reply": take_reply,
    "minutes": take_minutes_mail,
    "meeting_request": take_meeting_mail,
    "project_command": take_project_command,
    "collab_request": take_collab_request,
    "unknown": leave_for_person,
}


def apply(ctx: ApplyContext, mail: InboundMail, found: Classification) -> Outcome:
    handler = HANDLERS.get(found.kind, leave_for_person)
    if ctx.config.mail.require_authenticated_senders and handler not in _UNCHECKED:
        verdict = auth_results.check(mail.headers, ctx.config.mail.authserv_ids)
        if not verdict.authenticated:
            return refuse(ctx, mail, f"the sender could not be authenticated ({verdict.reason})")
    return handler(ctx, mail, found)
