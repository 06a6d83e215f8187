"""Issues and risks of the minutes made into tracked items (kind ``issue``, status 进行中).

Called where the minutes are applied (:mod:`mailflow.services.minutes`): an issue written
without an owner is owned by the meeting's organiser until someone is named, and the scribe's
receipt says so (:func:`unowned_problems`); an issue has no acceptor (it is resolved, not
delivered). A corrected version of the minutes keeps the ref of every issue still there (same
owner and text), updates its due date and cancels the issues dropped, as for actions. What is
done with an issue afterwards (RESOLVED, ESCALATE) is :mod:`mailflow.services.issues`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from mailflow.domain.directory import Directory
from mailflow.domain.minutes import ActionSpec, Problem
from mailflow.outbound.kinds.answers import issue_texts as texts
from mailflow.services.item_history import cancel_dropped, history
from mailflow.services.projects import place_item
from mailflow.tracker.item_repo import tracked_items_of_meeting
from mailflow.tracker.models import ActionItem, ItemStatus, Meeting, Minutes
from mailflow.tracker.repo import allocate_item_ref

ISSUE = "issue"


def is_issue(item: ActionItem) -> bool:
    return item.kind == ISSUE


def _key(owner: str, task: str) -> tuple[str, str]:
    return owner.lower(), " ".join(task.lower().split())


def owner_of(spec: ActionSpec, meeting: Meeting) -> str:
    """Who owns the issue ``spec``: the person it names, else the meeting's organiser."""
    return (spec.owner or meeting.organiser_email).lower()


def meeting_issues(session: Session, meeting: Meeting) -> list[ActionItem]:
    """The meeting's issues still tracked (not cancelled), oldest first."""
    return tracked_items_of_meeting(session, meeting.id, ISSUE)


class _Result(Protocol):
    """What :func:`sync_issues` reports into: a ``services.minutes.MinutesResult``."""

    correction: bool
    new_items: list[ActionItem]
    changes: list[str]


def sync_issues(
    session: Session,
    meeting: Meeting,
    minutes: Minutes,
    specs: Sequence[ActionSpec],
    *,
    directory: Directory,
    now: datetime,
    actor: str,
    result: _Result,
) -> None:
    """Make the issues of ``specs`` items; on a correction keep the refs of those still there
    (same owner and text), update their due date, cancel the ones dropped."""
    existing = {_key(i.owner_email, i.description): i for i in meeting_issues(session, meeting)}
    source = minutes.source_message_id
    seen: set[tuple[str, str]] = set()
    for spec in specs:
        owner = owner_of(spec, meeting)
        key = _key(owner, spec.task)
        if key in seen:
            continue  # the same issue written twice is one issue
        seen.add(key)
        item = existing.get(key)
        if item is not None:
            if item.due_date != spec.due:
                old, item.due_date = item.due_date, spec.due
                history(
                    item,
                    at=now,
                    actor=actor,
                    kind="corrected",
                    field_name="due_date",
                    old=old,
                    new=spec.due,
                    source=source,
                )
                result.changes.append(f"~ {item.ref}: due_date {old} → {spec.due}")
            item.minutes_id = minutes.id
            item.updated_at = now
            continue
        person = directory.by_email(owner)
        item = ActionItem(
            ref=allocate_item_ref(session),
            kind=ISSUE,
            meeting_id=meeting.id,
            minutes_id=minutes.id,
            owner_email=owner,
            department=spec.department or (person.department if person else None),
            description=spec.task,
            deliverable=spec.deliverable,
            due_date=spec.due,
            due_time=spec.due_time,
            status=ItemStatus.IN_PROGRESS,
            created_at=now,
            updated_at=now,
        )
        place_item(session, item, meeting)
        item.acceptor_email = None  # an issue is resolved, not delivered for acceptance
        session.add(item)
        history(item, at=now, actor=actor, kind="created", source=source)
        result.new_items.append(item)
        if result.correction:
            result.changes.append(f"+ {item.ref}: {spec.task} ({owner}, issue)")
    result.changes += cancel_dropped(existing, seen, now=now, actor=actor, source=source)
    session.flush()


def issue_entries(
    specs: Sequence[ActionSpec], items: Sequence[ActionItem]
) -> list[dict[str, object]]:
    """The issues as the minutes' content lists them (see ``services.minutes.content_json``):
    each with its ref, owner and status once it is an item; an owner not written stays unnamed
    in ``owner_raw`` so that a held version is applied as written."""
    issues = [i for i in items if is_issue(i) and i.status is not ItemStatus.CANCELLED]
    entries: list[dict[str, object]] = []
    for spec in specs:
        task = _key("", spec.task)[1]
        item = next(
            (
                i
                for i in issues
                if _key("", i.description)[1] == task
                and (spec.owner is None or i.owner_email == spec.owner.lower())
            ),
            None,
        )
        entries.append(
            {
                "ref": item.ref if item is not None else None,
                "owner": item.owner_email if item is not None else spec.owner,
                "owner_named": spec.owner is not None,
                "owner_raw": spec.owner_raw,
                "department": item.department if item is not None else spec.department,
                "task": spec.task,
                "deliverable": spec.deliverable,
                "due": spec.due.isoformat() if spec.due else None,
                "due_time": spec.due_time.isoformat() if spec.due_time else None,
                "due_raw": spec.due_raw,
                "status": item.status.value if item is not None else ItemStatus.IN_PROGRESS.value,
            }
        )
    return entries


def unowned_problems(
    specs: Sequence[ActionSpec],
    items: Sequence[ActionItem],
    meeting: Meeting,
    directory: Directory,
    locale: str,
) -> list[Problem]:
    """For the scribe's receipt: each issue written without an owner, now the organiser's, and
    how to name one (a kept problem: the issue is tracked)."""
    person = directory.by_email(meeting.organiser_email)
    organiser = f"{person.name} <{person.email}>" if person else meeting.organiser_email
    found: list[Problem] = []
    for entry in issue_entries(specs, items):
        if entry["owner_named"] or not entry["ref"]:
            continue
        reason, hint = texts.owner_defaulted(locale, organiser, str(entry["ref"]))
        found.append(Problem(str(entry["task"]), reason, hint, "issue_owner_default", True))
    return found
