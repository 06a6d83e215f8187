"""Apply a meeting's minutes: a new version, its decisions and disputes, and tracked action items.

A first version creates the items (each with a ref such as ``MF-0042``); a later version from the
scribe is a correction: it replaces decisions and disputes, keeps the ref of every item that is
still there (same owner and task), updates what changed, cancels what was dropped and creates what
is new — and the list of those changes goes out with the corrected minutes. Every item change is
kept as history with the message it came from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy.orm import Session

from mailflow.domain.directory import Directory
from mailflow.domain.minutes import ActionSpec, MinutesDoc, NextMeetingSpec, Problem
from mailflow.services.issue_items import ISSUE, issue_entries, sync_issues
from mailflow.services.item_history import cancel_dropped, history
from mailflow.services.projects import place_item
from mailflow.tracker import item_repo, minutes_repo
from mailflow.tracker.models import (
    ActionItem,
    Decision,
    Dispute,
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


def latest_minutes(
    session: Session, meeting: Meeting, *, published: bool = False
) -> Minutes | None:
    """The meeting's latest minutes version; with ``published``, the latest one not held."""
    return minutes_repo.latest_minutes(session, meeting.id, published=published)


def meeting_items(session: Session, meeting: Meeting) -> list[ActionItem]:
    return item_repo.items_of_meeting(session, meeting.id)


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
    hold: str | None = None,
) -> MinutesResult:
    """Record a new version of ``meeting``'s minutes and apply it; with ``hold`` (see
    :func:`~mailflow.domain.minutes.hold_reason`) only record it, to apply on PUBLISH."""
    previous = latest_minutes(session, meeting)
    published = latest_minutes(session, meeting, published=True)
    minutes = Minutes(
        meeting_id=meeting.id,
        version=1 if previous is None else previous.version + 1,
        submitted_by=submitted_by,
        source_message_id=source_message_id,
        raw_text=raw_text,
        received_at=now,
        is_correction=published is not None,
        held_reason=hold,
    )
    session.add(minutes)
    session.flush()
    if hold is not None:
        minutes.content = content_json(doc, [])
        return MinutesResult(minutes, correction=published is not None)
    return _apply(session, meeting, minutes, doc, directory, now, submitted_by)


def publish_held(
    session: Session,
    meeting: Meeting,
    minutes: Minutes,
    *,
    actor: str,
    directory: Directory,
    now: datetime,
) -> MinutesResult:
    """Apply a held version as it was written, on the scribe's PUBLISH."""
    doc = doc_from_content(minutes.content or {})
    minutes.held_reason = None
    minutes.is_correction = minutes_repo.published_other_than(session, meeting.id, minutes.id)
    return _apply(session, meeting, minutes, doc, directory, now, actor)


def _apply(
    session: Session,
    meeting: Meeting,
    minutes: Minutes,
    doc: MinutesDoc,
    directory: Directory,
    now: datetime,
    actor: str,
) -> MinutesResult:
    result = MinutesResult(minutes, correction=minutes.is_correction)
    _replace_decisions(session, meeting, minutes, doc, now, result)
    _replace_disputes(session, meeting, minutes, doc, now)
    _sync_items(session, meeting, minutes, doc.actions, directory, now, actor, result)
    # DISPUTE / ISSUE / RISK lines: tracked issues (进行中 → 已解决 / 需升级), services.issues.
    sync_issues(
        session,
        meeting,
        minutes,
        doc.disputes,
        directory=directory,
        now=now,
        actor=actor,
        result=result,
    )
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
    old = minutes_repo.decisions_of(session, meeting.id)
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
    for dispute in minutes_repo.disputes_of(session, meeting.id):
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
        if i.status is not ItemStatus.CANCELLED and i.kind != ISSUE
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
                status=_initial_status(spec),
                created_at=now,
                updated_at=now,
            )
            place_item(session, item, meeting)
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
    result.changes += cancel_dropped(existing, seen, now=now, actor=actor, source=source)
    session.flush()


def _initial_status(spec: ActionSpec) -> ItemStatus:
    """A tracking table's status column starts the item where the table says it is."""
    wanted = {ItemStatus.IN_PROGRESS.value, ItemStatus.DELAYED.value}
    return ItemStatus(spec.status) if spec.status in wanted else ItemStatus.NOT_STARTED


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
            "status": spec.status,
        }

    next_meeting = doc.next_meeting
    return {
        "decisions": list(doc.decisions),
        "actions": [action(a) for a in doc.actions if a.owner],
        "disputes": issue_entries(doc.disputes, items),
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
        "problems": [
            {"line": p.line, "reason": p.reason, "hint": p.hint, "code": p.code, "kept": p.kept}
            for p in doc.problems
        ],
        "notes": list(doc.notes),
    }


def doc_from_content(content: Mapping[str, Any]) -> MinutesDoc:
    """The minutes a version's content (:func:`content_json`) holds, to apply them later."""

    def spec(row: Mapping[str, Any], kind: str) -> ActionSpec:
        return ActionSpec(
            # An issue written without an owner shows the organiser, but was written unowned.
            owner=row.get("owner") if row.get("owner_named", True) else None,
            owner_raw=str(row.get("owner_raw") or ""),
            task=str(row.get("task") or ""),
            deliverable=row.get("deliverable"),
            due=date.fromisoformat(row["due"]) if row.get("due") else None,
            due_time=time.fromisoformat(row["due_time"]) if row.get("due_time") else None,
            due_raw=row.get("due_raw"),
            department=row.get("department"),
            kind=kind,
            status=row.get("status"),
        )

    following = content.get("next_meeting")
    return MinutesDoc(
        decisions=tuple(content.get("decisions") or ()),
        actions=tuple(spec(row, "action") for row in content.get("actions") or ()),
        disputes=tuple(spec(row, "dispute") for row in content.get("disputes") or ()),
        next_meeting=None
        if not following
        else NextMeetingSpec(
            raw=str(following.get("raw") or ""),
            start=datetime.fromisoformat(following["start"]) if following.get("start") else None,
            location=following.get("location"),
            topic=following.get("topic"),
        ),
        attendees=tuple(content.get("present") or ()),
        info=tuple(content.get("info") or ()),
        problems=tuple(
            Problem(
                str(p.get("line") or ""),
                str(p.get("reason") or ""),
                p.get("hint"),
                p.get("code"),
                bool(p.get("kept")),
            )
            for p in content.get("problems") or ()
        ),
        notes=tuple(content.get("notes") or ()),
    )
