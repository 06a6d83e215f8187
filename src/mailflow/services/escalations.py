"""Plan escalations: level 2 to the meeting's organiser after 24 h overdue without an update,
level 3 to the owner's executive after 48 h (delays from ``schedule.escalation``).

Level 1 — telling the owner — is the overdue reminder (``services/followups``). Each level is sent
once per due date (a DELAY with a new date restarts the clock), held to the recipient's business
hours, and says what is late, by how much, and which reminders went before it. A level without a
recipient is recorded in the item's history, once, and the next level still follows.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from mailflow.config.schema import Config
from mailflow.domain.business_calendar import calendar_for
from mailflow.domain.escalation import escalations
from mailflow.domain.quiet_hours import next_send_time
from mailflow.domain.readers import directory_of, reader
from mailflow.outbound.delivery import outbox
from mailflow.outbound.kinds.items.escalation_mail import Sent, escalation_payload
from mailflow.services.followups import item_states, loaded, open_items, sent_keys
from mailflow.services.item_history import history
from mailflow.services.minutes_mails import item_row
from mailflow.services.notices import meeting_reply_address
from mailflow.tracker import meeting_repo
from mailflow.tracker.models import ActionItem, ItemHistory


def _sent_before(item: ActionItem) -> list[Sent]:
    """The reminders and escalations already sent about this item, oldest first."""
    found = []
    for entry in item.history:
        if entry.kind == "reminded" and entry.new_value:
            found.append(Sent(entry.at, entry.new_value.rsplit(":", 1)[-1], item.owner_email))
        elif entry.kind == "escalated" and entry.new_value:
            level = entry.new_value.split(":")[2]
            found.append(Sent(entry.at, f"escalation_{level}", entry.field or ""))
    return found


def plan_escalations(session: Session, now: datetime, config: Config) -> int:
    calendar = calendar_for(config.schedule.calendar)
    directory = directory_of(config)
    items = open_items(session)
    done = sent_keys(session, ("escalated", "escalation_skipped"), items)
    due_now = [
        due
        for due in escalations(
            item_states(items, directory, config), now=now, settings=config.schedule
        )
        if due.level >= 2 and due.key not in done
    ]
    refs = {due.ref for due in due_now}
    by_ref = loaded(session, (i for i in items if i.ref in refs))
    meetings = meeting_repo.meetings_by_id(
        session, {i.meeting_id for i in by_ref.values() if i.meeting_id is not None}
    )
    created = 0
    for due in due_now:
        item = by_ref[due.ref]
        if due.to is None:
            history(
                item,
                at=now,
                actor="mailflow",
                kind="escalation_skipped",
                new=due.key,
                old=due.skipped_reason,
            )
            continue
        meeting = meetings.get(item.meeting_id or -1)
        who = reader(config, due.to)
        locale, zone = who.locale, who.timezone
        overdue_days = max(
            1, (now.astimezone(ZoneInfo(zone)).date() - (item.due_date or now.date())).days
        )
        created += outbox.enqueue(
            session,
            key=due.key,
            recipients=[due.to],
            payload=escalation_payload(
                item_row(item, directory, meeting.title if meeting else ""),
                level=due.level,
                overdue_days=overdue_days,
                history=_sent_before(item),
                silent_hours=int(due.overdue_by.total_seconds() // 3600),
                locale=locale,
                timezone=zone,
                thread_root=meeting.thread_root if meeting else None,
                reply_to=meeting_reply_address(config, meeting) if meeting else None,
            ),
            now=now,
            not_before=next_send_time(now, settings=config.schedule, calendar=calendar, tz=zone),
            meeting_id=meeting.id if meeting else None,
            item_id=item.id,
        )
        item.history.append(
            ItemHistory(at=now, actor="mailflow", kind="escalated", field=due.to, new_value=due.key)
        )
        item.escalation_level = max(item.escalation_level, due.level)
    return created
