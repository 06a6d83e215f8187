"""Inbound collaboration requests (协作需求单): read the mail, store the request, tell both sides.

A request that names no content or no receiver that the directory knows creates nothing: the
sender is told what to fix. Otherwise the item is created, the receiver gets the request with its
commands, and the sender a receipt with the ref, the owner and whatever was not understood. A
request must come from someone in the people directory (when one is configured): the requester's
department and the coordinator's role depend on it.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from mailflow.domain.business_calendar import calendar_for
from mailflow.domain.collab_request import CollabRequest, parse_request
from mailflow.domain.meeting_draft import Problem
from mailflow.domain.readers import directory_of, reader
from mailflow.inbound.handlers.apply import ApplyContext, Outcome, refs
from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.understanding.classify import Classification
from mailflow.inbound.understanding.request_mail import request_text
from mailflow.services.replies import is_automatic
from mailflow.services.requests import (
    create_request,
    replied_request_ref,
    send_receipt,
    send_to_owner,
)
from mailflow.tracker import repo

_ID = re.compile(r"<[^<>\s]+>")


def read_request(ctx: ApplyContext, mail: InboundMail) -> CollabRequest:
    zone = ZoneInfo(reader(ctx.config, mail.sender).timezone)
    return parse_request(
        mail.subject,
        request_text(mail.message),
        sender=mail.sender,
        directory=directory_of(ctx.config),
        now=ctx.now.astimezone(zone),
        calendar=calendar_for(ctx.config.schedule.calendar),
    )


def take_collab_request(ctx: ApplyContext, mail: InboundMail, found: Classification) -> Outcome:
    """A ``REQUEST:`` / ``协作需求：`` mail: the request stored and sent, or what to fix."""
    if not mail.sender:
        return Outcome("ignored", "processed", "a request without a From address")
    key = repo.message_key(mail.message_id, mail.raw)
    directory = directory_of(ctx.config)
    request = read_request(ctx, mail)
    if len(directory) and directory.by_email(mail.sender) is None:
        hint = "send it from your work address"
        request.problems.insert(0, Problem("from", "you are not in the people directory", hint))
    answered = not is_automatic(mail)
    if not request.ok:
        if answered:
            send_receipt(
                ctx.session,
                ctx.config,
                mail.sender,
                key=f"request-receipt:{key}",
                title=request.title or mail.subject,
                item=None,
                lines=[str(p) for p in request.problems] + [str(p) for p in request.skipped],
                now=ctx.now,
                in_reply_to=mail.message_id,
            )
        reasons = "; ".join(str(p) for p in request.problems)
        return Outcome("ignored", "processed", f"request not created: {reasons}")
    item = create_request(
        ctx.session, request, sender=mail.sender, now=ctx.now, source=mail.message_id
    )
    send_to_owner(ctx.session, ctx.config, item, ctx.now, key=f"request:{item.ref}:{key}")
    if answered:
        send_receipt(
            ctx.session,
            ctx.config,
            mail.sender,
            key=f"request-receipt:{key}",
            title=request.title,
            item=item,
            lines=[str(p) for p in request.skipped],
            now=ctx.now,
            in_reply_to=mail.message_id,
        )
    detail = f"request {item.ref} ({item.urgency}) to {item.owner_email}"
    if request.skipped:
        detail += f"; {len(request.skipped)} field(s) not understood"
    return Outcome("applied", "processed", detail, refs(items=[item.ref]))


def request_answered(ctx: ApplyContext, mail: InboundMail) -> str | None:
    """The ref of the request a reply answers (its mail or a reminder), else None."""
    ids = _ID.findall(mail.header("In-Reply-To"))
    ids += list(reversed(_ID.findall(mail.header("References"))))
    return replied_request_ref(ctx.session, list(dict.fromkeys(ids)))
