"""Collaboration requests (协作需求单): stored as items of kind ``request``, and their mail.

A request becomes an :class:`ActionItem` owned by the receiving department's head (or the person
it names), with the requester, their department, the urgency, the expected date and the project.
The receiver gets the request with its commands (outbox kind ``request_assignment``, so a reply
to it is read as commands on that request); the requester gets a receipt. When the receiver
confirms, passes it on, declines or finishes it, the requester is told; on a decline the
project's coordinator too. Who may do what is decided in :mod:`mailflow.services.request_commands`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final

from sqlalchemy.orm import Session

from mailflow.config.schema import Config
from mailflow.domain.collab_request import CollabRequest
from mailflow.domain.readers import directory_of, reader
from mailflow.outbound.delivery import outbox
from mailflow.outbound.kinds.answers import request_texts as texts
from mailflow.outbound.kinds.answers.answer import answer_payload
from mailflow.outbound.rendering.compose import thread_root_id
from mailflow.services.item_history import history
from mailflow.services.projects import project_named
from mailflow.services.request_commands import RequestEvent
from mailflow.tracker.models import ActionItem, ItemStatus, Project
from mailflow.tracker.repo import allocate_item_ref
from mailflow.tracker.request_repo import items_mailed_with

REQUEST_KIND = "request"
# The outbox kind of the mail that hands a request to its receiver (and of its reminders).
ASSIGNMENT_KIND: Final = "request_assignment"


def name_of(config: Config, email: str) -> str:
    person = directory_of(config).by_email(email)
    return f"{person.name} <{email}>" if person is not None else email


def thread_of(config: Config, item: ActionItem) -> str:
    """The thread of one request: its mail, reminders, receipt and outcomes read as one
    conversation, apart from the receiver's other requests."""
    return thread_root_id(f"request:{item.ref}", config.mail.domain)


def view_of(config: Config, session: Session, item: ActionItem) -> texts.RequestView:
    project = session.get(Project, item.project_id) if item.project_id else None
    return texts.RequestView(
        ref=item.ref,
        content=item.description,
        requester=name_of(config, item.requester_email or ""),
        requester_department=item.requester_department,
        department=item.department,
        owner=name_of(config, item.owner_email),
        urgency=item.urgency or "normal",
        due=item.due_date.isoformat() if item.due_date else None,
        project=project.name if project else None,
    )


def create_request(
    session: Session, request: CollabRequest, *, sender: str, now: datetime, source: str | None
) -> ActionItem:
    """Store ``request`` (which must be ``ok``) as a new item; its project is made when new."""
    if request.receiver is None or not request.content:
        raise ValueError("only a complete request can be stored")
    project = (
        project_named(session, request.project, coordinator=sender, now=now)
        if request.project
        else None
    )
    item = ActionItem(
        ref=allocate_item_ref(session),
        kind=REQUEST_KIND,
        project_id=project.id if project else None,
        urgency=request.urgency,
        requester_email=sender.lower(),
        requester_department=request.requester_department,
        owner_email=request.receiver.email.lower(),
        department=request.receiving_department,
        description=request.content,
        due_date=request.due,
        status=ItemStatus.NOT_STARTED,
        created_at=now,
        updated_at=now,
    )
    session.add(item)
    history(item, at=now, actor=sender.lower(), kind="created", new=REQUEST_KIND, source=source)
    session.flush()
    return item


def send_to_owner(
    session: Session,
    config: Config,
    item: ActionItem,
    now: datetime,
    *,
    key: str,
    passed_on_by: str | None = None,
    waited: str | None = None,
    not_before: datetime | None = None,
) -> bool:
    """Queue the request to its owner (``waited``: a reminder, saying how long it waited)."""
    locale = reader(config, item.owner_email).locale
    view = view_of(config, session, item)
    return outbox.enqueue(
        session,
        key=key,
        recipients=[item.owner_email],
        payload=answer_payload(
            kind=ASSIGNMENT_KIND,
            locale=locale,
            subject=texts.request_subject(locale, view, reminder=waited is not None),
            paragraphs=texts.request_to_owner(
                locale, view, passed_on_by=passed_on_by, waited=waited
            ),
            references=[thread_of(config, item)],
        ),
        now=now,
        not_before=not_before,
        item_id=item.id,
    )


def send_receipt(
    session: Session,
    config: Config,
    to: str,
    *,
    key: str,
    title: str,
    item: ActionItem | None,
    lines: Sequence[str],
    now: datetime,
    in_reply_to: str | None,
) -> bool:
    """The requester's receipt: the ref, the owner and what was skipped; or what to fix."""
    locale = reader(config, to).locale
    view = view_of(config, session, item) if item is not None else None
    paragraphs = (
        texts.request_receipt(locale, view, lines)
        if view is not None
        else texts.request_not_created(locale, lines)
    )
    return outbox.enqueue(
        session,
        key=key,
        recipients=[to],
        payload=answer_payload(
            locale=locale,
            subject=texts.receipt_subject(locale, view, title),
            paragraphs=paragraphs,
            in_reply_to=in_reply_to,
            references=[thread_of(config, item)] if item is not None else (),
        ),
        now=now,
        item_id=item.id if item is not None else None,
    )


def tell_outcome(
    session: Session,
    config: Config,
    item: ActionItem,
    verb: str,
    *,
    actor: str,
    detail: str | None,
    now: datetime,
    source: str,
) -> int:
    """The requester hears that ``actor`` confirmed, passed on or declined the request; on a
    decline the project's coordinator too. Nobody is told of their own action."""
    recipients = [item.requester_email or ""]
    if verb == "decline" and item.project_id is not None:
        project = session.get(Project, item.project_id)
        recipients.append(project.coordinator_email if project else "")
    view = view_of(config, session, item)
    who = name_of(config, actor)
    shown = name_of(config, detail) if verb == "reassign" and detail else detail
    sent = 0
    for to in dict.fromkeys(r.lower() for r in recipients if r):
        if to == actor.lower():
            continue
        locale = reader(config, to).locale
        sent += outbox.enqueue(
            session,
            key=f"request-{verb}:{item.ref}:{to}:{source}",
            recipients=[to],
            payload=answer_payload(
                locale=locale,
                subject=texts.outcome_subject(locale, item.ref, verb),
                paragraphs=texts.request_outcome(locale, view, verb, who, shown),
                references=[thread_of(config, item)],
            ),
            now=now,
            item_id=item.id,
        )
    return sent


# Mails about one item, whose reply is about that item when its lines name no ref.
ONE_ITEM_KINDS = (ASSIGNMENT_KIND, "at_risk_prompt", "acceptance_request")


def replied_request_ref(session: Session, message_ids: Sequence[str]) -> str | None:
    """The ref of the item whose mail a reply answers — a request (or its reminder), an at-risk
    prompt, an acceptance request — newest id first."""
    if not message_ids:
        return None
    rows = items_mailed_with(session, message_ids, ONE_ITEM_KINDS)
    if not rows:
        return None
    order = {mid: index for index, mid in enumerate(message_ids)}
    return str(min(rows, key=lambda row: order.get(str(row.message_id), len(order))).ref)


def announce(
    session: Session,
    config: Config,
    events: Sequence[RequestEvent],
    now: datetime,
    *,
    source: str,
    touched: Sequence[ActionItem] = (),
) -> None:
    """Tell people what the commands on requests did: a reassigned request goes to its new
    owner; the requester hears of every confirm, reassign and decline (see :func:`tell_outcome`),
    and once when a request of ``touched`` is done."""
    for item in touched:
        if item.kind == REQUEST_KIND and item.status is ItemStatus.DONE:
            actor = item.owner_email
            # Keyed without the message: a note on a done request does not say "done" again.
            tell_outcome(
                session, config, item, "done", actor=actor, detail=None, now=now, source="once"
            )
    for event in events:
        item = event.item
        detail = event.detail
        if event.verb == "reassign":
            send_to_owner(
                session,
                config,
                item,
                now,
                key=f"request:{item.ref}:{item.owner_email}:{source}",
                passed_on_by=name_of(config, event.actor),
            )
            detail = item.owner_email
        tell_outcome(
            session,
            config,
            item,
            event.verb,
            actor=event.actor,
            detail=detail,
            now=now,
            source=source,
        )
