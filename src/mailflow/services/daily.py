"""The daily rhythm (当日进展 + 明日计划), optional per project.

A project with ``daily_update_at`` ("HH:MM" in ``schedule.timezone``, from a ``每日进展：17:30`` /
``Daily update: 17:30`` line of its MEETING: mail) asks the owners of its open items, on business
days at that time, for today's progress and tomorrow's plan — one mail per person, listing their
open items in the project. Their answers are folded into the items: each report is kept in the
item's history (kind ``daily``) and counts as the item's latest update; a progress line in the
same reply (``进度 60%``) is an ordinary item command. A pass reads only projects with the rhythm
on and their open items.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from mailflow.config.schema import Config
from mailflow.domain.business_calendar import calendar_for
from mailflow.domain.daily_report import DailyEntry
from mailflow.domain.item_status import OPEN_STATUSES
from mailflow.domain.readers import reader
from mailflow.outbound.delivery import outbox
from mailflow.outbound.kinds.answers import daily_texts as texts
from mailflow.outbound.kinds.answers.answer import answer_payload
from mailflow.services.item_history import history
from mailflow.services.preferences import opted_out
from mailflow.tracker.due_work_repo import open_items_of_projects
from mailflow.tracker.item_repo import item_by_ref, items_of_owner
from mailflow.tracker.mail_log_repo import queued_keys
from mailflow.tracker.models import ActionItem
from mailflow.tracker.project_repo import (
    daily_update_project_ids,
    open_projects_with_daily_update,
)

OPEN = OPEN_STATUSES


def plan_daily_updates(session: Session, now: datetime, config: Config) -> int:
    zone = ZoneInfo(config.schedule.timezone)
    local = now.astimezone(zone)
    if not calendar_for(config.schedule.calendar).is_business_day(local.date()):
        return 0
    projects = [
        p for p in open_projects_with_daily_update(session) if _due(p.daily_update_at, local.time())
    ]
    if not projects:
        return 0
    by_id = {p.id: p for p in projects}
    items = open_items_of_projects(session, by_id)
    people: dict[tuple[int, str], list[ActionItem]] = defaultdict(list)
    for item in items:
        people[(item.project_id or 0, item.owner_email.lower())].append(item)
    quiet = opted_out(session)
    day = local.date().isoformat()
    keys = {pair: f"daily:{pair[0]}:{pair[1]}:{day}" for pair in people}
    # Asked already today: found in one read, so later ticks of the day write nothing.
    asked = queued_keys(session, keys.values())
    created = 0
    for (project_id, owner), theirs in people.items():
        if owner in quiet or keys[(project_id, owner)] in asked:
            continue
        project = by_id[project_id]
        locale = reader(config, owner).locale
        created += outbox.enqueue(
            session,
            key=keys[(project_id, owner)],
            recipients=[owner],
            payload=answer_payload(
                kind="daily_update",
                locale=locale,
                subject=texts.request_subject(locale, project.name, day),
                paragraphs=texts.request(locale, project.name, [i.ref for i in theirs]),
                table=(
                    texts.table_headers(locale),
                    [
                        [
                            i.ref,
                            i.description,
                            i.due_date.isoformat() if i.due_date else "—",
                            f"{i.progress}%",
                        ]
                        for i in theirs
                    ],
                ),
            ),
            now=now,
        )
    return created


def _due(at: str | None, now: time) -> bool:
    """Whether the project's daily time ``at`` ("HH:MM") has come today."""
    try:
        return at is not None and now >= time.fromisoformat(at)
    except ValueError:
        return False


@dataclass
class DailyResult:
    recorded: list[tuple[ActionItem, DailyEntry]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def record_daily(
    session: Session,
    entries: Sequence[DailyEntry],
    *,
    sender: str,
    now: datetime,
    source: str | None,
) -> DailyResult:
    """Fold each entry into its item: the one its ref names (the sender's own), else the
    sender's one open item in a project with the daily rhythm (else their one open item)."""
    result = DailyResult()
    sender = sender.lower()
    for entry in entries:
        item = _item_for(session, entry, sender, result)
        if item is None:
            continue
        said = {"today": entry.today, "tomorrow": entry.tomorrow, "issues": entry.issues}
        history(
            item,
            at=now,
            actor=sender,
            kind="daily",
            new="\n".join(f"{k}: {v}" for k, v in said.items() if v),
            source=source,
        )
        item.last_update_at = now
        item.updated_at = now
        result.recorded.append((item, entry))
    return result


def _item_for(
    session: Session, entry: DailyEntry, sender: str, result: DailyResult
) -> ActionItem | None:
    if entry.ref is not None:
        item = item_by_ref(session, entry.ref)
        if item is None:
            result.problems.append(f"there is no item {entry.ref}")
            return None
        if item.owner_email.lower() != sender:
            result.problems.append(f"{entry.ref} is not yours: only its owner reports on it")
            return None
        return item
    mine = items_of_owner(session, sender, OPEN, None)
    rhythm = daily_update_project_ids(session)
    daily = [i for i in mine if i.project_id in rhythm]
    candidates = daily or list(mine)
    if len(candidates) == 1:
        return candidates[0]
    refs = ", ".join(i.ref for i in candidates)
    result.problems.append(
        f"which item? you have several open ({refs}): start each line with its ref, "
        f"e.g. “{candidates[0].ref} 今日进展：…”"
        if candidates
        else "you have no open item to report on"
    )
    return None
