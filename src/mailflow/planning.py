"""The plan job: run every due-work planner against the DB and enqueue what is due.

A planner is ``(session, now, config) -> int`` (rows enqueued). Planners never send; they only
create outbox rows, idempotent by key, so planning twice or on two replicas yields one row.

Each planner has its own error boundary. Most run in a transaction of their own; the follow-up
planners (reminders, weekly requests, escalations) judge the same open items, so they run in one
transaction, each in a savepoint: the items are read once
(:func:`~mailflow.services.followups.open_items` keeps them for the transaction), and one that
raises still rolls back only its own work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from mailflow.clock import Clock
from mailflow.config.schema import Config
from mailflow.errors import TransientStorageError
from mailflow.services.acceptance import plan_acceptance_reminders
from mailflow.services.at_risk import plan_at_risk
from mailflow.services.daily import plan_daily_updates
from mailflow.services.digests import plan_digests
from mailflow.services.escalations import plan_escalations
from mailflow.services.followups import plan_reminders, plan_weekly
from mailflow.services.minutes_mails import plan_minutes
from mailflow.services.notices import plan_notices
from mailflow.services.project_close import plan_project_archives, plan_project_close
from mailflow.tracker.db import is_transient
from mailflow.tracker.transactions import DEFAULT_RETRY, Retry, in_transaction

log = logging.getLogger("mailflow.plan")

PlannerFn = Callable[[Session, datetime, Config], int]
Named = tuple[str, PlannerFn]
# Planners sharing one transaction, each in a savepoint of its own.
Together = tuple[Named, ...]

PLANNERS: list[Named | Together] = [
    ("notices", plan_notices),
    ("minutes", plan_minutes),
    (("reminders", plan_reminders), ("weekly", plan_weekly), ("escalations", plan_escalations)),
    ("acceptance", plan_acceptance_reminders),
    ("at_risk", plan_at_risk),
    ("daily", plan_daily_updates),
    ("digests", plan_digests),
    # Projects past their end date close (复盘 queued); closed projects are archived (归档).
    ("projects", plan_project_close),
    ("archives", plan_project_archives),
]


class Planner:
    def __init__(
        self,
        config: Config,
        sessions: Callable[[], Session],
        clock: Clock,
        *,
        retry: Retry = DEFAULT_RETRY,
    ) -> None:
        self._config = config
        self._sessions = sessions
        self._clock = clock
        self._retry = retry
        self._failing: dict[str, str] = {}  # planner → its last error, logged once
        self.failed: dict[str, int] = {}  # planner → passes it failed in

    def plan(self) -> dict[str, int]:
        """Run every planner, each in its own transaction and its own error boundary: one that
        raises is logged (once until it works again), its work rolled back and counted in
        :attr:`failed`, and the planners after it still run. A database that cannot be reached (or
        another transient database error), once retried with backoff, fails the whole pass
        instead: the job logs the outage once, not once per planner."""
        counts: dict[str, int] = {}
        now = self._clock.now()
        for entry in PLANNERS:
            if isinstance(entry[0], str):
                name, planner = entry
                try:
                    counts[name] = self._run(planner, now)
                except TransientStorageError:
                    raise
                except Exception as exc:  # the boundary: one planner, not the whole pass
                    self._failed(name, exc)
                    continue
                self._worked(name, counts[name])
            else:
                self._run_together(entry, now, counts)
        return counts

    def _run(self, planner: PlannerFn, now: datetime) -> int:
        """One planner in its own transaction, retried on a transient database error."""
        return in_transaction(
            self._sessions, lambda session: planner(session, now, self._config), retry=self._retry
        )

    def _run_together(self, together: Together, now: datetime, counts: dict[str, int]) -> None:
        """Planners in one transaction, each in a savepoint and its own error boundary; the whole
        is retried on a transient database error (which no savepoint can hold)."""

        def work(session: Session) -> dict[str, int | Exception]:
            outcome: dict[str, int | Exception] = {}
            for name, planner in together:
                try:
                    with session.begin_nested():
                        outcome[name] = planner(session, now, self._config)
                except Exception as exc:
                    if is_transient(exc):
                        raise
                    outcome[name] = exc
            return outcome

        for name, result in in_transaction(self._sessions, work, retry=self._retry).items():
            if isinstance(result, Exception):
                self._failed(name, result)
            else:
                counts[name] = result
                self._worked(name, result)

    def _failed(self, name: str, exc: BaseException) -> None:
        text = f"{type(exc).__name__}: {exc}"
        if self._failing.get(name) != text:
            log.error("planner %s failed: %s", name, text, exc_info=exc)
        self._failing[name] = text
        self.failed[name] = self.failed.get(name, 0) + 1

    def _worked(self, name: str, count: int) -> None:
        if self._failing.pop(name, None) is not None:
            log.info("planner %s works again", name)
        if count:
            log.info("planned %d %s mail(s)", count, name)
