"""Apply a meeting's minutes: a new version, its decisions and disputes, and tracked action items.

A first version creates the items (each with a ref such as ``MF-0042``); a later version from the
scribe is a correction: it replaces decisions and disputes, keeps the ref of every item that is
still there (same owner and task), updates what changed, cancels what was dropped and creates what
is new — and the list of those changes goes out with the corrected minutes. Every item change is
kept as history with the message it came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailflow.domain.directory import Directory
from mailflow.domain.minutes import ActionSpec, MinutesDoc
from mailflow.tracker.models import (
    ActionItem,
    Decision,
    Dispute,
    ItemHistory,
    ItemStatus,
    Meeting,
    Minutes,
)
from mailflow.tracker.repo import allocate_item_ref


@dataclass
class MinutesResult:
    minutes: Minutes
    correction: bool
    new_items: list[ActionItem] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)


def _task_key(owner: str, task: str) -> tuple[str, str]:
    return owner.lower(), " ".join(task.lower().split())


def latest_minutes(session: Session, meeting: Meeting) -> Minutes | None:
    return session.scalar(
        select(Minutes).where(Minutes.meeting_id == meeting.id).order_by(Minutes.version.desc())
    )


def meeting_items(session: Session, meeting: Meeting) -> list[ActionItem]:
    return list(
        session.scalars(
            select(ActionItem).where(ActionItem.meeting_id == meeting.id).order_by(ActionItem.id)
        )
    )


def history(
    item: ActionItem,
    *,
    at: datetime,
    actor: str,
    kind: str,
    field_name: str | None = None,
    old: object = None,
    new: object = None,
    source: str | None = None,
) -> None:
    item.history.append(
        ItemHistory(
            at=at,
            actor=actor,
            kind=kind,
            field=field_name,
            old_value=None if old is None else str(old),
            new_value=None if new is None else str(new),
            source_message_id=source,
        )
    )


def apply_minutes(
    session: Session,
    meeting: Meeting,
    doc: MinutesDoc,
    *,
    raw_text: str,
    submitted_by: str,
    source_message_id: str | None,
    directory: Directory,
    now: datetime,
) -> MinutesResult:
    previous = latest_minutes(session, meeting)
    version = 1 if previous is None else previous.version + 1
    minutes = Minutes(
        meeting_id=meeting.id,
        version=version,
        submitted_by=submitted_by,
        source_message_id=source_message_id,
        raw_text=raw_text,
        received_at=now,
        is_correction=previous is not None,
    )
    session.add(minutes)
    session.flush()
    result = MinutesResult(minutes, correction=previous is not None)
    _replace_decisions(session, meeting, minutes, doc, now, result)
    _replace_disputes(session, meeting, minutes, doc, now)
    _sync_items(session, meeting, minutes, doc.actions, directory, now, submitted_by, result)
    minutes.content = content_json(doc, meeting_items(session, meeting))
    return result


def _replace_decisions(
    session: Session,
    meeting: Meeting,
    minutes: Minutes,
    doc: MinutesDoc,
    now: datetime,
    result: MinutesResult,
) -> None:
    old = list(session.scalars(select(Decision).where(Decision.meeting_id == meeting.id)))
    old_texts = [d.text for d in old]
    for decision in old:
        session.delete(decision)
    for position, text in enumerate(doc.decisions):
        session.add(
            Decision(
                meeting_id=meeting.id,
                minutes_id=minutes.id,
                position=position,
                text=text,
                created_at=now,
            )
        )
    if result.correction:
        result.changes += [f"+ decision: {t}" for t in doc.decisions if t not in old_texts]
        result.changes += [f"- decision: {t}" for t in old_texts if t not in doc.decisions]


def _replace_disputes(
    session: Session, meeting: Meeting, minutes: Minutes, doc: MinutesDoc, now: datetime
) -> None:
    for dispute in session.scalars(select(Dispute).where(Dispute.meeting_id == meeting.id)):
        session.delete(dispute)
    for spec in doc.disputes:
        session.add(
            Dispute(
                meeting_id=meeting.id,
                minutes_id=minutes.id,
                description=spec.task,
                owner_email=spec.owner,
                due_date=spec.due,
                created_at=now,
                updated_at=now,
            )
        )


def _sync_items(
    session: Session,
    meeting: Meeting,
    minutes: Minutes,
    actions: Sequence[ActionSpec],
    directory: Directory,
    now: datetime,
    actor: str,
    result: MinutesResult,
) -> None:
    existing = {
        _task_key(i.owner_email, i.description): i
        for i in meeting_items(session, meeting)
        if i.status is not ItemStatus.CANCELLED
    }
    source = minutes.source_message_id
    seen: set[tuple[str, str]] = set()
    for spec in actions:
        if spec.owner is None:
            continue  # listed as a problem in the receipt; never guessed
        key = _task_key(spec.owner, spec.task)
        seen.add(key)
        item = existing.get(key)
        if item is None:
            person = directory.by_email(spec.owner)
            item = ActionItem(
                ref=allocate_item_ref(session),
                meeting_id=meeting.id,
                minutes_id=minutes.id,
                owner_email=spec.owner,
                department=spec.department or (person.department if person else None),
                description=spec.task,
                deliverable=spec.deliverable,
                due_date=spec.due,
                due_time=spec.due_time,
                status=ItemStatus.NOT_STARTED,
                created_at=now,
                updated_at=now,
            )
            session.add(item)
            history(item, at=now, actor=actor, kind="created", source=source)
            result.new_items.append(item)
            if result.correction:
                result.changes.append(f"+ {item.ref}: {spec.task} ({spec.owner})")
            continue
        for name, new in (("deliverable", spec.deliverable), ("due_date", spec.due)):
            old = getattr(item, name)
            if old != new:
                setattr(item, name, new)
                history(
                    item,
                    at=now,
                    actor=actor,
                    kind="corrected",
                    field_name=name,
                    old=old,
                    new=new,
                    source=source,
                )
                result.changes.append(f"~ {item.ref}: {name} {old} → {new}")
        item.minutes_id = minutes.id
        item.updated_at = now
    for key, item in existing.items():
        if key not in seen:
            history(
                item,
                at=now,
                actor=actor,
                kind="status",
                field_name="status",
                old=item.status.value,
                new=ItemStatus.CANCELLED.value,
                source=source,
            )
            item.status = ItemStatus.CANCELLED
            item.updated_at = now
            result.changes.append(f"- {item.ref}: {item.description} (dropped)")
    session.flush()


def content_json(doc: MinutesDoc, items: Sequence[ActionItem]) -> dict[str, Any]:
    """The minutes as shown in the official mail: actions carry their refs."""
    refs = {_task_key(i.owner_email, i.description): i for i in items}

    def action(spec: ActionSpec) -> dict[str, Any]:
        item = refs.get(_task_key(spec.owner or "", spec.task)) if spec.owner else None
        return {
            "ref": item.ref if item is not None else None,
            "owner": spec.owner,
            "owner_raw": spec.owner_raw,
            "department": item.department if item is not None else spec.department,
            "task": spec.task,
            "deliverable": spec.deliverable,
            "due": spec.due.isoformat() if spec.due else None,
            "due_time": spec.due_time.isoformat() if spec.due_time else None,
            "due_raw": spec.due_raw,
        }

    next_meeting = doc.next_meeting
    return {
        "decisions": list(doc.decisions),
        "actions": [action(a) for a in doc.actions if a.owner],
        "disputes": [action(d) for d in doc.disputes],
        "next_meeting": None
        if next_meeting is None
        else {
            "raw": next_meeting.raw,
            "start": next_meeting.start.isoformat() if next_meeting.start else None,
            "location": next_meeting.location,
            "topic": next_meeting.topic,
        },
        "present": list(doc.attendees),
        "info": list(doc.info),
        "problems": [{"line": p.line, "reason": p.reason, "hint": p.hint} for p in doc.problems],
    }
