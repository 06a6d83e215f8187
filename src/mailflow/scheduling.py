"""The scheduler only ticks: APScheduler with an in-memory job store, jobs recreated at each start.

Every job is a plain callable that reads and writes the tracker DB; nothing is pickled and nothing
the scheduler holds survives a restart, because nothing needs to (DESIGN.md, "State lives in the
database"). ``coalesce`` folds missed runs after downtime into one, ``max_instances=1`` keeps a slow
run from overlapping the next.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from apscheduler.schedulers.background import BackgroundScheduler

log = logging.getLogger("mailflow.scheduler")


@dataclass(frozen=True)
class Job:
    name: str
    interval_seconds: float
    run: Callable[[], object]


def _guarded(job: Job) -> Callable[[], None]:
    failures = 0

    def run() -> None:
        # A failing job is logged and tried again at its next tick; it never stops the daemon.
        # Logged once per outage (the first failure, then its end), not at every tick.
        nonlocal failures
        try:
            job.run()
        except Exception as exc:
            failures += 1
            if failures == 1:
                log.exception("job %s failed", job.name)
            else:
                log.debug("job %s still failing (run %d): %s", job.name, failures, exc)
            return
        if failures:
            log.info("job %s works again after %d failed run(s)", job.name, failures)
            failures = 0

    return run


def build_scheduler(jobs: list[Job]) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(
        timezone="UTC",
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    for job in jobs:
        scheduler.add_job(
            _guarded(job), "interval", seconds=job.interval_seconds, id=job.name, name=job.name
        )
    return scheduler


def run_now(scheduler: BackgroundScheduler, name: str) -> None:
    """Bring a job's next run forward to now (e.g. flush the outbox right after inbound work)."""
    from datetime import UTC, datetime

    job = scheduler.get_job(name)
    if job is not None:
        job.modify(next_run_time=datetime.now(UTC))
