"""The plan job: run every due-work planner against the DB and enqueue what is due.

A planner is ``(session, now, config) -> int`` (rows enqueued). Planners never send; they only
create outbox rows, idempotent by key, so planning twice or on two replicas yields one row.
Meeting notices plan here today; minutes, reminders, escalation and digests join as they are built.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from mailflow.clock import Clock
from mailflow.config.schema import Config
from mailflow.services.acceptance import plan_acceptance_reminders
from mailflow.services.digests import plan_digests
from mailflow.services.escalations import plan_escalations
from mailflow.services.followups import plan_reminders, plan_weekly
from mailflow.services.minutes_mails import plan_minutes
from mailflow.services.notices import plan_notices

log = logging.getLogger("mailflow.plan")

PlannerFn = Callable[[Session, datetime, Config], int]

PLANNERS: list[tuple[str, PlannerFn]] = [
    ("notices", plan_notices),
    ("minutes", plan_minutes),
    ("reminders", plan_reminders),
    ("weekly", plan_weekly),
    ("escalations", plan_escalations),
    ("acceptance", plan_acceptance_reminders),
    ("digests", plan_digests),
]


class Planner:
    def __init__(self, config: Config, sessions: Callable[[], Session], clock: Clock) -> None:
        self._config = config
        self._sessions = sessions
        self._clock = clock

    def plan(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        now = self._clock.now()
        for name, planner in PLANNERS:
            with self._sessions() as session, session.begin():
                counts[name] = planner(session, now, self._config)
            if counts[name]:
                log.info("planned %d %s mail(s)", counts[name], name)
        return counts
