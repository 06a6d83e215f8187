"""Reply commands on issues and risks (问题与风险): RESOLVED (已解决) and ESCALATE (需升级).

An issue is an :class:`~mailflow.tracker.models.ActionItem` of kind ``issue``, with a ref like any
item, so every reply command, reminder and digest that knows items knows it too. It is made from
the minutes (:mod:`mailflow.services.issue_items`) with status ``in_progress`` (进行中); then:

- ``RESOLVED [note]`` / ``已解决`` / ``已解決``: ``done`` (已解决), the note kept in its history;
- ``ESCALATE <reason>`` / ``需升级 <原因>`` / ``需升級``: the reason is required; the issue stays
  open, its ``escalation_level`` goes to 3, the reason goes into its history, and the owner's
  executive (the directory's ``executive_of``; else the meeting's organiser) is mailed the issue
  and the reason, and whoever escalated it is told who was told.

Who may: the owner, the meeting's organiser or scribe (and the owner's executive), as for every
item command (:mod:`mailflow.services.items`). RESOLVED on an action item is its DONE (people
write 已解决 for "done"); ESCALATE on an action item is refused, with DELAY and DECLINE named
instead: actions escalate on their own when overdue (:mod:`mailflow.services.escalations`).
ESCALATE or RESOLVED on an issue already resolved or cancelled is refused. A refusal changes
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from mailflow.config.schema import Config
from mailflow.domain.directory import Directory
from mailflow.domain.item_commands import ItemCommand
from mailflow.domain.problem_messages import is_chinese
from mailflow.domain.readers import directory_of
from mailflow.outbound.delivery import outbox
from mailflow.outbound.kinds.answers import issue_texts as texts
from mailflow.outbound.kinds.answers.answer import answer_payload
from mailflow.outbound.kinds.minutes.minutes_parts import format_day
from mailflow.services.issue_items import ISSUE, is_issue
from mailflow.services.item_history import history
from mailflow.services.replies import ReceivedMail, answer, locale_of
from mailflow.tracker.models import ActionItem, ItemStatus, Meeting

__all__ = ["ISSUE", "ISSUE_VERBS", "apply_issue_verb", "refusal", "tell_escalation"]

ISSUE_VERBS = ("resolve", "escalate")
ESCALATED = 3  # the level at which the owner's executive has been told
_CLOSED = (ItemStatus.DONE, ItemStatus.CANCELLED)


def refusal(item: ActionItem, command: ItemCommand) -> str | None:
    """Why ``command`` cannot apply to ``item`` (nothing is changed), or None; in Chinese when
    the command was written in Chinese."""
    chinese = is_chinese(command.line)
    ref = item.ref
    if command.verb == "escalate" and not is_issue(item):
        if chinese:
            return (
                f"{ref} 是行动项，不是问题：只有问题可以回复“需升级”（逾期的行动项会自动升级）；"
                f"请写“{ref} 延期 <日期> <原因>”或“{ref} 拒绝 <原因>”"
            )
        return (
            f"{ref} is an action item, not an issue: only issues are escalated by reply "
            f"(overdue actions escalate on their own); write “{ref} DELAY <date> <reason>” "
            f"or “{ref} DECLINE <reason>”"
        )
    if command.verb in ISSUE_VERBS and is_issue(item) and item.status in _CLOSED:
        done = item.status is ItemStatus.DONE
        if chinese:
            return f"问题 {ref} 已{'解决' if done else '取消'}"
        return f"{ref} is already {'resolved' if done else 'cancelled'}"
    return None


def apply_issue_verb(
    item: ActionItem,
    command: ItemCommand,
    *,
    actor: str,
    now: datetime,
    source: str | None,
    escalated: list[tuple[ActionItem, str]],
) -> None:
    """RESOLVED or ESCALATE on the issue ``item``, already allowed (see :func:`refusal`)."""
    if command.verb == "resolve":
        old = item.status
        item.status, item.progress = ItemStatus.DONE, 100
        history(
            item,
            at=now,
            actor=actor,
            kind="update",
            field_name="status",
            old=old.value,
            new=ItemStatus.DONE.value,
            source=source,
        )
        history(
            item, at=now, actor=actor, kind="resolved", new=command.args.get("note"), source=source
        )
        return
    reason = command.args["reason"]
    level, item.escalation_level = item.escalation_level, max(item.escalation_level, ESCALATED)
    if level != item.escalation_level:
        history(
            item,
            at=now,
            actor=actor,
            kind="update",
            field_name="escalation_level",
            old=level,
            new=item.escalation_level,
            source=source,
        )
    history(item, at=now, actor=actor, kind="issue_escalated", new=reason, source=source)
    escalated.append((item, reason))


@dataclass(frozen=True)
class Told:
    to: str
    organiser: bool  # the organiser stood in for a missing executive


def escalation_recipient(
    item: ActionItem, meeting: Meeting | None, directory: Directory
) -> Told | None:
    """The owner's executive, else the meeting's organiser, else nobody."""
    owner = directory.by_email(item.owner_email)
    executive = directory.executive_of(owner) if owner is not None else None
    if executive is not None:
        return Told(executive.email.lower(), False)
    if meeting is not None:
        return Told(meeting.organiser_email.lower(), True)
    return None


def tell_escalation(
    session: Session,
    config: Config,
    mail: ReceivedMail,
    item: ActionItem,
    reason: str,
    *,
    now: datetime,
    key: str,
) -> Told | None:
    """Mail the escalated issue and its reason to the owner's executive (else the organiser)
    and tell the sender who was told; recorded in the issue's history."""
    directory = directory_of(config)
    meeting = session.get(Meeting, item.meeting_id) if item.meeting_id else None
    told = escalation_recipient(item, meeting, directory)
    if told is None:
        history(
            item,
            at=now,
            actor="mailflow",
            kind="escalation_skipped",
            new="issue",
            old="no executive and no organiser",
        )
        return None
    owner = directory.by_email(item.owner_email)
    sender = directory.by_email(mail.sender)
    locale = locale_of(config, told.to)
    outbox.enqueue_soon(
        session,
        key=f"issue-escalation:{item.ref}:{key}",
        recipients=[told.to],
        payload=answer_payload(
            locale=locale,
            subject=texts.escalation_subject(locale, item.ref, item.description),
            paragraphs=texts.escalation(
                locale,
                ref=item.ref,
                task=item.description,
                owner=f"{owner.name} <{owner.email}>" if owner else item.owner_email,
                by=f"{sender.name} <{mail.sender}>" if sender else mail.sender,
                reason=reason,
                meeting=meeting.title if meeting else None,
                due=format_day(item.due_date, locale) if item.due_date else None,
            ),
            references=[meeting.thread_root] if meeting else [],
        ),
        now=now,
        meeting_id=meeting.id if meeting else None,
    )
    history(
        item, at=now, actor="mailflow", kind="issue_escalation_sent", field_name=told.to, new=reason
    )
    mine = locale_of(config, mail.sender)
    person = directory.by_email(told.to)
    answer(
        session,
        config,
        mail,
        key=f"issue-escalated:{item.ref}:{key}",
        to=mail.sender,
        subject=texts.escalated_subject(mine, item.ref),
        paragraphs=texts.escalated(
            mine,
            ref=item.ref,
            task=item.description,
            to=f"{person.name} <{told.to}>" if person else told.to,
            organiser=told.organiser,
        ),
        now=now,
        meeting_id=meeting.id if meeting else None,
    )
    return told
