"""Apply an owner's reply commands to their action items, item by item, with history.

Who may: an item's owner, or its meeting's organiser or scribe; REASSIGN and ACCEPTOR only the
organiser (or the project's coordinator); ACCEPT and REJECT only the item's acceptor. A command
without a ref applies to the one open item the reply is about (for ACCEPT/REJECT: the one item
awaiting the sender's acceptance); when the reply covers several, the ref is required. A declined
item goes to the organiser to reassign. A DELAY with a new date restarts the escalation clock and
records the delay's category. RESOLVED and ESCALATE on issues (问题与风险): ``services.issues``.

Acceptance (成果验收): an item with an acceptor is not closed by its owner's DONE; it waits
(``awaiting_acceptance``) for the acceptor's ACCEPT (closed, done) or REJECT with what is missing
(back to its owner as rework, due again ``rework_due``). Every verdict is kept in the history as
the acceptance record (who, when, verdict, reason, the deliverable as the owner described it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy.orm import Session

from mailflow.domain.delay_categories import delay_category
from mailflow.domain.directory import Directory
from mailflow.domain.item_commands import ItemCommand
from mailflow.domain.item_status import OPEN_STATUSES
from mailflow.domain.minutes import Problem
from mailflow.services.issues import ISSUE, ISSUE_VERBS, apply_issue_verb, refusal
from mailflow.services.item_history import history
from mailflow.services.request_commands import (
    RequestEvent,
    apply_request_command,
    is_request_command,
)
from mailflow.tracker import item_repo
from mailflow.tracker.models import ActionItem, ItemStatus, Meeting, Project

OPEN = OPEN_STATUSES


@dataclass
class ItemsResult:
    touched: list[ActionItem] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    declined: list[ActionItem] = field(default_factory=list)
    reassigned: list[tuple[ActionItem, str]] = field(default_factory=list)
    awaiting: list[ActionItem] = field(default_factory=list)  # DONE, now the acceptor's turn
    accepted: list[ActionItem] = field(default_factory=list)
    rejected: list[tuple[ActionItem, str]] = field(default_factory=list)
    # CONFIRM/REASSIGN/DECLINE on collaboration requests (协作需求单), which follow their own rules.
    requests: list[RequestEvent] = field(default_factory=list)
    # Issues escalated (需升级) by this reply, with the reason: their executives are mailed.
    escalated: list[tuple[ActionItem, str]] = field(default_factory=list)


ACCEPTANCE_VERBS = ("accept", "reject")


def awaiting_acceptance_of(session: Session, acceptor: str) -> list[ActionItem]:
    """The items waiting for ``acceptor``'s verdict, oldest first."""
    return item_repo.awaiting_acceptance_of(session, acceptor.lower())


def at_risk_led_by(session: Session, lead: str) -> list[ActionItem]:
    """The at-risk items ``lead`` coordinates (their project's coordinator, else their meeting's
    organiser) with no talk recorded yet in the current episode."""
    return [
        item
        for item in item_repo.at_risk_coordinated_by(session, lead)
        if item.talked_at is None or (item.at_risk_since and item.talked_at < item.at_risk_since)
    ]


def open_items_of(session: Session, owner: str, meeting: Meeting | None) -> list[ActionItem]:
    meeting_id = meeting.id if meeting is not None else None
    return item_repo.items_of_owner(session, owner.lower(), OPEN, meeting_id)


def _may(
    item: ActionItem,
    meeting: Meeting | None,
    sender: str,
    *,
    organiser_only: bool,
    executive: str | None,
    acceptor_only: bool = False,
    coordinator: str | None = None,
) -> bool:
    # The owner's executive may act on any of the owner's items: level 3 of the escalation asks
    # them to reassign, extend or close.
    if not sender:
        return False  # a mail without a usable From authorises nothing
    if acceptor_only:
        return bool(item.acceptor_email) and sender == (item.acceptor_email or "").lower()
    if executive is not None and sender == executive.lower():
        return True
    leaders: set[str] = set()
    if meeting is not None:
        leaders = {e.lower() for e in (meeting.organiser_email, meeting.scribe_email) if e}
        if organiser_only:
            return sender == meeting.organiser_email.lower() or sender == (coordinator or "")
    return sender == item.owner_email.lower() or sender in leaders


def apply_item_commands(
    session: Session,
    commands: Sequence[ItemCommand],
    *,
    sender: str,
    context_meeting: Meeting | None,
    now: datetime,
    source: str | None,
    directory: Directory | None = None,
    rework_due: date | None = None,
) -> ItemsResult:
    """``rework_due`` is the new due date of an item sent back by REJECT (None: unchanged)."""
    sender = sender.lower()
    result = ItemsResult()
    for command in commands:
        item = _target(session, command, sender, context_meeting, result)
        if item is None:
            continue
        if is_request_command(item, command):
            event = apply_request_command(
                item, command, sender=sender, now=now, source=source, directory=directory
            )
            if isinstance(event, Problem):
                result.errors.append(event)
                continue
            result.requests.append(event)
            item.last_update_at = item.updated_at = now
            if item not in result.touched:
                result.touched.append(item)
            result.applied.append(command.line)
            continue
        meeting = session.get(Meeting, item.meeting_id) if item.meeting_id else None
        project = session.get(Project, item.project_id) if item.project_id else None
        owner = directory.by_email(item.owner_email) if directory else None
        executive = directory.executive_of(owner) if directory and owner else None
        allowed = _may(
            item,
            meeting,
            sender,
            organiser_only=command.verb in ("reassign", "acceptor", "talked"),
            executive=executive.email if executive else None,
            acceptor_only=command.verb in ACCEPTANCE_VERBS,
            coordinator=project.coordinator_email.lower() if project else None,
        )
        if not allowed:
            who = {
                "reassign": "the organiser",
                "acceptor": "the organiser or the project's coordinator",
                "accept": f"its acceptor ({item.acceptor_email or 'none named'})",
                "reject": f"its acceptor ({item.acceptor_email or 'none named'})",
                "talked": "its coordinator or the meeting's organiser",
            }.get(command.verb, "its owner or organiser")
            result.errors.append(
                Problem(command.line, f"{item.ref} may only be changed by {who}", None)
            )
            continue
        if command.verb in ACCEPTANCE_VERBS and item.status is not ItemStatus.AWAITING_ACCEPTANCE:
            state = item.status.value.replace("_", " ")
            result.errors.append(
                Problem(
                    command.line, f"{item.ref} is not awaiting acceptance (it is {state})", None
                )
            )
            continue
        refused = refusal(item, command)
        if refused is not None:
            result.errors.append(Problem(command.line, refused, None))
            continue
        _apply(item, command, sender, now, source, result, rework_due)
        item.last_update_at = now
        item.updated_at = now
        if item not in result.touched:
            result.touched.append(item)
        result.applied.append(command.line)
    return result


def _target(
    session: Session,
    command: ItemCommand,
    sender: str,
    meeting: Meeting | None,
    result: ItemsResult,
) -> ActionItem | None:
    if command.ref is not None:
        item = item_repo.item_by_ref(session, command.ref.upper())
        if item is None:
            result.errors.append(Problem(command.line, f"there is no item {command.ref}", None))
        return item
    if command.verb in ACCEPTANCE_VERBS:
        candidates = awaiting_acceptance_of(session, sender)
    elif command.verb == "talked":
        candidates = at_risk_led_by(session, sender)
    else:
        candidates = open_items_of(session, sender, meeting)
    if len(candidates) == 1:
        return candidates[0]
    refs = ", ".join(i.ref for i in candidates) or "none"
    result.errors.append(
        Problem(
            command.line,
            "which item? this reply covers several" if candidates else "you have no open item",
            f"start the line with the ref ({refs}), e.g. “{refs.split(',')[0]} DONE”"
            if candidates
            else None,
        )
    )
    return None


def _set(
    item: ActionItem,
    name: str,
    value: object,
    *,
    actor: str,
    now: datetime,
    source: str | None,
    kind: str = "update",
) -> None:
    old = getattr(item, name)
    if old == value:
        return
    setattr(item, name, value)
    shown_old = old.value if isinstance(old, ItemStatus) else old
    shown_new = value.value if isinstance(value, ItemStatus) else value
    history(
        item,
        at=now,
        actor=actor,
        kind=kind,
        field_name=name,
        old=shown_old,
        new=shown_new,
        source=source,
    )


def _apply(
    item: ActionItem,
    command: ItemCommand,
    actor: str,
    now: datetime,
    source: str | None,
    result: ItemsResult,
    rework_due: date | None = None,
) -> None:
    args = command.args

    def put(name: str, value: object, kind: str = "update") -> None:
        _set(item, name, value, actor=actor, now=now, source=source, kind=kind)

    def finished() -> None:
        """DONE: closed, or handed to the acceptor when the item has one (not the owner)."""
        if args.get("note"):
            put("deliverable", args["note"])
        if item.acceptor_email and item.acceptor_email.lower() != actor:
            put("status", ItemStatus.AWAITING_ACCEPTANCE)
            result.awaiting.append(item)
        else:
            put("status", ItemStatus.DONE)

    if command.verb == "confirm":
        item.confirmed_at = item.confirmed_at or now
        history(item, at=now, actor=actor, kind="confirmed", new=args.get("note"), source=source)
    elif command.verb == "done" or (command.verb == "resolve" and item.kind != ISSUE):
        put("progress", 100)
        finished()
    elif command.verb in ISSUE_VERBS:
        apply_issue_verb(
            item, command, actor=actor, now=now, source=source, escalated=result.escalated
        )
    elif command.verb == "progress":
        percent = int(args["percent"])
        put("progress", percent)
        if percent >= 100:
            finished()
        else:
            put("status", ItemStatus.IN_PROGRESS)
    elif command.verb == "accept":
        put("status", ItemStatus.DONE, "accepted")
        history(item, at=now, actor=actor, kind="acceptance", new="accepted", source=source)
        result.accepted.append(item)
    elif command.verb == "reject":
        put("status", ItemStatus.IN_PROGRESS, "rejected")
        history(
            item,
            at=now,
            actor=actor,
            kind="acceptance",
            new=f"rejected: {args['reason']}",
            source=source,
        )
        item.rework_count += 1
        if rework_due is not None:
            put("due_date", rework_due)
        put("escalation_level", 0)
        result.rejected.append((item, args["reason"]))
    elif command.verb == "acceptor":
        put("acceptor_email", args["owner"], "acceptor")
    elif command.verb == "delay":
        put("due_date", date.fromisoformat(args["until"]))
        if args.get("time"):
            put("due_time", time.fromisoformat(args["time"]))
        put("delay_reason", args["reason"])
        put("delay_category", delay_category(args["reason"]))
        put("status", ItemStatus.DELAYED)
        # An accepted new date restarts the escalation clock.
        put("escalation_level", 0)
    elif command.verb == "decline":
        history(item, at=now, actor=actor, kind="declined", new=args["reason"], source=source)
        result.declined.append(item)
    elif command.verb == "reassign":
        previous = item.owner_email
        put("owner_email", args["owner"], "reassigned")
        item.confirmed_at = None
        result.reassigned.append((item, previous))
    elif command.verb == "note":
        history(item, at=now, actor=actor, kind="note", new=args["text"], source=source)
    elif command.verb == "talked":
        item.talked_at = now
        history(item, at=now, actor=actor, kind="talked", new=args.get("note"), source=source)
