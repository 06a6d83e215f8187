"""What one planning tick costs as an organisation's history grows.

Run from the repository root::

    .venv/bin/python benchmarks/plan_cost.py [--quick] [--backends sqlite,postgresql]

One database per backend, grown in steps to 1k, 10k and 50k *past* meetings (four attendees each,
all told, and four action items each, all closed: 200k items at 50k), while the work that is due
stays the same at every size: 20 meetings ahead this week (notices due), 200 open items (some due
soon, some overdue, some lagging), 5 items awaiting acceptance and two projects with a daily
update. At each size the tick is one ``Planner.plan()`` — every planner, as the daemon runs it —
timed as the median of 5 ticks after a first one that enqueues the due work (later ticks find it
queued: that is the steady state the daemon lives in). History is seeded with bulk inserts of
rows copied from a meeting made by ``apply_spec``, so every row is what mailflow writes.

Goal: a tick <= 50 ms at 50k on SQLite, and the 50k tick within 1.5x of the 1k tick.
``--quick`` measures 1k and 10k only (under 40 s). The last line is the ratio of each backend's
largest size to 1k: ``plan tick 50k/1k ratio: R (sqlite) R (postgresql)``.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from datetime import datetime, timedelta
from typing import Any

import benchlib
from benchlib import NOW, ZONE, log
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from mailflow.config.schema import (
    CalendarSettings,
    Config,
    DatabaseSettings,
    ImapSettings,
    MailSettings,
    PeopleSettings,
    ScheduleSettings,
    SmtpSettings,
)
from mailflow.dev.devstack import DOMAIN
from mailflow.domain.meeting import AttendeeSpec, MeetingSpec
from mailflow.planning import Planner
from mailflow.services.meetings import apply_spec
from mailflow.services.projects import project_named
from mailflow.tracker.models import (
    ActionItem,
    Attendee,
    ItemStatus,
    Meeting,
    MeetingSource,
)

SIZES = (1_000, 10_000, 50_000)
QUICK = (1_000, 10_000)
TICKS = 5
TARGET_MS, TARGET_RATIO = 50.0, 1.5


def config(url: str) -> Config:
    people = benchlib.make_people(60)
    return Config(
        mail=MailSettings(domain=DOMAIN, bot_address=f"bot@{DOMAIN}"),
        imap=ImapSettings(host="127.0.0.1", port=1, security="plain", user="bot"),
        smtp=SmtpSettings(host="127.0.0.1", port=1, security="plain"),
        database=DatabaseSettings(url=url),
        schedule=ScheduleSettings(timezone=ZONE, calendar=CalendarSettings(country="CN")),
        people=PeopleSettings(people=people),
    )


def spec(n: int, start: datetime, people: Any) -> MeetingSpec:
    chosen = [people[(n * 5 + j) % len(people)] for j in range(5)]
    return MeetingSpec(
        uid=f"plan-{n}@{DOMAIN}",
        title=f"项目{n:05d}周会",
        organiser=AttendeeSpec(chosen[0].email, chosen[0].name),
        start=start,
        end=start + timedelta(hours=1),
        tzid=ZONE,
        attendees=tuple(AttendeeSpec(p.email, p.name) for p in chosen[1:]),
        location="Room 301",
        scribe=chosen[1].email,
    )


def seed_due_work(sessions: sessionmaker[Session], cfg: Config) -> None:
    """The work due at every size: meetings this week, open items, acceptance, daily updates."""
    people = cfg.people.people
    with sessions() as session, session.begin():
        upcoming = []
        for n in range(20):
            start = NOW + timedelta(days=1 + n % 4, hours=n % 6)
            result = apply_spec(
                session, spec(n, start, people), source=MeetingSource.CLI, domain=DOMAIN, now=NOW
            )
            assert result.meeting is not None
            upcoming.append(result.meeting)
        projects = [
            project_named(session, f"项目{p}", coordinator=people[p].email, now=NOW)
            for p in range(2)
        ]
        for project in projects:
            project.daily_update_at = "09:00"
        for i in range(205):
            meeting = upcoming[i % len(upcoming)]
            awaiting = i >= 200
            session.add(
                ActionItem(
                    ref=f"MF-{i + 1:06d}",
                    meeting_id=meeting.id,
                    project_id=projects[i % 2].id if i % 3 == 0 else None,
                    owner_email=people[i % len(people)].email,
                    department=people[i % len(people)].department,
                    description=f"Open task {i}",
                    due_date=(NOW + timedelta(days=(i % 30) - 5)).date(),
                    status=ItemStatus.AWAITING_ACCEPTANCE if awaiting else ItemStatus.IN_PROGRESS,
                    acceptor_email=people[0].email if awaiting else None,
                    progress=(i * 7) % 100,
                    created_at=NOW - timedelta(days=10),
                    updated_at=NOW - timedelta(days=1),
                )
            )


def grow_history(sessions: sessionmaker[Session], cfg: Config, target: int) -> None:
    """Past meetings up to ``target``: copies of one real meeting row, its attendees all told,
    and four closed items each."""
    with sessions() as session, session.begin():
        have = session.scalar(
            select(func.count()).select_from(Meeting).where(Meeting.ends_at < NOW)
        )
        have = int(have or 0)
        if have >= target:
            return
        first = NOW - timedelta(days=3 * 365)
        model = apply_spec(
            session,
            spec(10_000_000 + have, first, cfg.people.people),
            source=MeetingSource.CLI,
            domain=DOMAIN,
            now=first - timedelta(days=1),
        ).meeting
        assert model is not None
        session.flush()
        row = {c.key: getattr(model, c.key) for c in Meeting.__table__.columns if c.key != "id"}
        attendees = [
            {c.key: getattr(a, c.key) for c in Attendee.__table__.columns if c.key not in ("id",)}
            for a in model.attendees
        ]
        next_ref = int(session.scalar(select(func.count()).select_from(ActionItem)) or 0) + 1
        batch = 2_000
        for start in range(have + 1, target, batch):
            count = min(batch, target - start)
            rows = []
            for n in range(start, start + count):
                when = first + timedelta(hours=n % 20_000)
                copied = copy.copy(row)
                copied.update(
                    uid=f"past-{n}@{DOMAIN}",
                    invite_uid=f"past-{n}@{DOMAIN}",
                    thread_root=f"<past-{n}@{DOMAIN}>",
                    starts_at=when,
                    ends_at=when + timedelta(hours=1),
                    invite_sequence=0,
                )
                rows.append(copied)
            ids = session.scalars(insert(Meeting).returning(Meeting.id), rows).all()
            session.execute(
                insert(Attendee),
                [
                    {**a, "meeting_id": mid, "notified_sequence": 0}
                    for mid in ids
                    for a in attendees
                ],
            )
            items = []
            for mid in ids:
                for k in range(4):
                    items.append(
                        {
                            "ref": f"H-{next_ref:07d}",
                            "meeting_id": mid,
                            "owner_email": cfg.people.people[next_ref % 60].email,
                            "department": cfg.people.people[next_ref % 60].department,
                            "description": f"Closed task {next_ref}",
                            "due_date": (first + timedelta(days=next_ref % 900)).date(),
                            "status": ItemStatus.DONE if k else ItemStatus.CANCELLED,
                            "progress": 100 if k else 0,
                            "created_at": first,
                            "updated_at": first,
                        }
                    )
                    next_ref += 1
            session.execute(insert(ActionItem), items)


def tick_ms(planner: Planner) -> float:
    started = time.perf_counter()
    planner.plan()
    return (time.perf_counter() - started) * 1000


def measure(backend: str, sizes: tuple[int, ...]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with benchlib.database(backend) as url:
        cfg = config(url)
        sessions = benchlib.sessions_for(url)
        seed_due_work(sessions, cfg)
        for size in sizes:
            log(f"{backend}: growing history to {size:,} past meetings")
            grow_history(sessions, cfg, size)
            planner = Planner(cfg, sessions, benchlib.FixedClock(NOW))
            first = tick_ms(planner)
            ticks = [tick_ms(planner) for _ in range(TICKS)]
            rows.append(
                {
                    "backend": backend,
                    "past meetings": size,
                    "first tick ms": first,
                    "tick ms": benchlib.median(ticks),
                    "failed planners": sum(planner.failed.values()),
                }
            )
            log(f"{backend} {size:,}: first {first:.1f} ms, steady {rows[-1]['tick ms']:.1f} ms")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1k and 10k only")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    sizes = QUICK if args.quick else SIZES
    rows: list[dict[str, Any]] = []
    ratios: list[str] = []
    figures = []
    for backend in args.backends.split(","):
        if backend == "postgresql" and (problem := benchlib.pg_problem()):
            log(f"skipping postgresql: {problem}")
            continue
        measured = measure(backend, sizes)
        rows += measured
        small, large = measured[0]["tick ms"], measured[-1]["tick ms"]
        ratio = large / small if small else float("inf")
        ratios.append(f"{ratio:.2f} ({backend})")
        figures.append(
            benchlib.figure(
                f"plan tick at {sizes[-1] // 1000}k past meetings ({backend})",
                large,
                "ms",
                baseline=small,
                ratio=ratio,
                target=f"<= {TARGET_MS:.0f} ms, ratio <= {TARGET_RATIO}",
                passed=ratio <= TARGET_RATIO and (backend != "sqlite" or large <= TARGET_MS),
            )
        )
    benchlib.print_table(
        rows, ("backend", "past meetings", "first tick ms", "tick ms", "failed planners")
    )
    print()
    benchlib.print_figures(figures)
    benchlib.save("plan_cost", {"rows": rows, "figures": figures})
    print(f"plan tick {sizes[-1] // 1000}k/1k ratio: {' '.join(ratios)}")
    return 0 if all(f["pass"] for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
