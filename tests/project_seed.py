"""A project with meetings, minutes and items with history, written straight into the tracker.

For the archive's CLI tests and the retrospective/archive benchmark: the rows the inbound path
would write (meetings through ``apply_spec``, minutes with content, items, history rows for
status changes, delays, acceptance verdicts, escalations and at-risk episodes), inserted in bulk
so 5,000 items take seconds. Deterministic: the same arguments give the same rows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from mailflow.domain.meeting import AgendaSpec, AttendeeSpec, MeetingSpec
from mailflow.services.meetings import apply_spec
from mailflow.tracker.models import (
    ActionItem,
    ItemHistory,
    ItemStatus,
    MeetingSource,
    Minutes,
    Project,
)

NOW = datetime(2025, 3, 10, 1, 0, tzinfo=UTC)
DEPARTMENTS = ("研发部", "市场部", "Finance", "销售部", "")
_STATUSES = (ItemStatus.DONE, ItemStatus.DONE, ItemStatus.IN_PROGRESS, ItemStatus.DELAYED)
_REASONS = ("人手不够", "需求变更：新增接口", "供应商延迟交货", "<b>other</b> & stuff")


def seed_project(
    session: Session,
    *,
    name: str = "新产品发布",
    meetings: int = 5,
    items: int = 20,
    people: tuple[str, ...] = ("alice@example.test", "bob@example.test", "carol@example.test"),
    now: datetime = NOW,
) -> Project:
    """One project called ``name`` with ``meetings`` meetings and ``items`` items spread over
    them; coordinated by ``people[0]``, owners and attendees round-robin from ``people``."""
    project = Project(
        name=name,
        coordinator_email=people[0],
        acceptor_email=people[-1],
        lead_department=DEPARTMENTS[0],
        end_date=date(2025, 6, 30),
        created_at=now,
        updated_at=now,
    )
    session.add(project)
    session.flush()
    meeting_ids = []
    for m in range(meetings):
        start = now + timedelta(days=m % 60, hours=m % 5)
        spec = MeetingSpec(
            uid=f"seed-{project.id}-{m}@example.test",
            title=f"{name} 周会 {m:03d} <&>",
            organiser=AttendeeSpec(people[0], None),
            start=start,
            end=start + timedelta(hours=1),
            tzid="Asia/Shanghai",
            attendees=tuple(AttendeeSpec(p, None) for p in people[1:]),
            location=f"Room {300 + m % 20}",
            agenda=(
                AgendaSpec("进度回顾", people[0], 20, "确认里程碑"),
                AgendaSpec("Risks <script>", None, 10),
            ),
        )
        found = apply_spec(
            session, spec, source=MeetingSource.CLI, domain="example.test", now=now
        ).meeting
        assert found is not None
        found.project_id = project.id
        meeting_ids.append(found.id)
    session.flush()
    item_rows: list[dict[str, Any]] = []
    for i in range(items):
        status = _STATUSES[i % len(_STATUSES)]
        item_rows.append(
            {
                "ref": f"MF-{project.id:02d}{i:05d}",
                "meeting_id": meeting_ids[i % meetings] if meetings else None,
                "project_id": project.id,
                "kind": ("action", "action", "action", "request", "issue")[i % 5],
                "owner_email": people[i % len(people)],
                "department": DEPARTMENTS[i % len(DEPARTMENTS)] or None,
                "description": f"任务 {i} — deliver <part> {i}",
                "deliverable": f"https://docs.example.test/{i}" if i % 2 else None,
                "due_date": date(2025, 3, 20) + timedelta(days=i % 30),
                "status": status,
                "progress": 100 if status is ItemStatus.DONE else (i * 7) % 100,
                "acceptor_email": people[-1] if i % 3 == 0 else None,
                "rework_count": 1 if i % 6 == 0 else 0,
                "delay_reason": _REASONS[i % 4] if status is ItemStatus.DELAYED else None,
                "escalation_level": 0,
                "created_at": now,
                "updated_at": now,
            }
        )
    ids = list(session.scalars(insert(ActionItem).returning(ActionItem.id), item_rows))
    history: list[dict[str, Any]] = []
    for i, item_id in enumerate(ids):
        row = item_rows[i]
        at = now + timedelta(days=1 + i % 40)

        def add(
            kind: str,
            field: str | None,
            old: str | None,
            new: str | None,
            hours: int,
            item_id: int = item_id,
            at: datetime = at,
            actor: str = row["owner_email"],
        ) -> None:
            history.append(
                {
                    "item_id": item_id,
                    "at": at + timedelta(hours=hours),
                    "actor": actor,
                    "kind": kind,
                    "field": field,
                    "old_value": old,
                    "new_value": new,
                }
            )

        add("created", None, None, None, 0)
        add("update", "progress", "0", "50", 1)
        if row["delay_reason"] or i % 8 == 1:
            due = row["due_date"]
            add("update", "due_date", due.isoformat(), (due + timedelta(7)).isoformat(), 2)
            add("update", "delay_reason", None, _REASONS[i % 4], 2)
        if row["rework_count"]:
            add("acceptance", None, None, "rejected: 缺少预算页 <missing>", 3)
        if row["status"] is ItemStatus.DONE:
            add("update", "status", "in_progress", "done", 4)
            if row["acceptor_email"]:
                add("acceptance", None, None, "accepted", 4)
        if i % 10 == 0:
            add("escalated", "organiser", None, f"k{i}", 5)
        if i % 7 == 0:
            add("at_risk", None, None, "time 60%, progress 10%", 1)
            add("at_risk", None, None, "cleared", 3)
    for first in range(0, len(history), 5000):
        session.execute(insert(ItemHistory), history[first : first + 5000])
    minutes_rows = [
        {
            "meeting_id": meeting_id,
            "version": version,
            "submitted_by": people[0],
            "raw_text": f"会议纪要 {m}\n决议：继续 <ok>",
            "received_at": now + timedelta(days=m % 60, hours=2),
            "official_sent_at": now + timedelta(days=m % 60, hours=3),
            "is_correction": version > 1,
            "content": {
                "decisions": [f"决议 {m}: 按期发布 <b>"],
                "actions": [
                    {
                        "ref": item_rows[j]["ref"],
                        "owner": item_rows[j]["owner_email"],
                        "department": item_rows[j]["department"] or "",
                        "task": item_rows[j]["description"],
                        "deliverable": "",
                        "due": item_rows[j]["due_date"].isoformat(),
                    }
                    for j in range(m, min(items, m + 3 * meetings), meetings)
                ]
                if meetings
                else [],
                "disputes": [],
                "present": list(people),
                "info": [],
            }
            if m % 4
            else None,
            "responses": {},
        }
        for m, meeting_id in enumerate(meeting_ids)
        for version in ((1, 2) if m % 5 == 0 else (1,))
    ]
    if minutes_rows:
        session.execute(insert(Minutes), minutes_rows)
    session.flush()
    return project
