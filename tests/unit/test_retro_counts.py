"""The retrospective pack's counting (复盘数据), pure: each item's history folded to its facts,
and facts summed per department and overall."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from mailflow.domain.retro_counts import (
    NO_DEPARTMENT,
    Event,
    ItemFacts,
    Pack,
    item_facts,
    timeliness,
)

TODAY = date(2025, 4, 1)


def at(day: int, hour: int = 2) -> datetime:
    return datetime(2025, 3, day, hour, 0, tzinfo=UTC)


def facts(status: str = "done", due: date | None = date(2025, 3, 14), **more: Any) -> ItemFacts:
    base: dict[str, Any] = {
        "department": "研发部",
        "kind": "action",
        "status": status,
        "due": due,
        "first_due": due,
        "done_on": None,
        "rework": 0,
    }
    base.update(more)
    return ItemFacts(**base)


def test_done_by_the_first_due_date_is_on_time_and_after_it_late() -> None:
    assert timeliness(facts(done_on=date(2025, 3, 14)), TODAY) == "on_time"
    assert timeliness(facts(done_on=date(2025, 3, 15)), TODAY) == "late"
    # A DELAY moved the due date: finished by the new date still counts as late.
    moved = facts(due=date(2025, 3, 21), first_due=date(2025, 3, 14), done_on=date(2025, 3, 20))
    assert timeliness(moved, TODAY) == "late"
    assert timeliness(facts(due=None, done_on=date(2025, 5, 1)), TODAY) == "on_time"


def test_open_items_are_overdue_past_their_due_date_else_open_and_cancelled_apart() -> None:
    assert timeliness(facts("in_progress", due=date(2025, 3, 31)), TODAY) == "overdue"
    assert timeliness(facts("delayed", due=date(2025, 4, 1)), TODAY) == "open"
    assert timeliness(facts("not_started", due=None), TODAY) == "open"
    assert timeliness(facts("cancelled"), TODAY) == "cancelled"


def test_history_folds_into_delays_at_risk_escalations_verdicts_and_done_day() -> None:
    events = [
        Event("created", None, None, None, at(1)),
        Event("update", "due_date", "2025-03-14", "2025-03-21", at(10)),
        Event("update", "delay_reason", None, "供应商延迟交货", at(10)),
        Event("update", "due_date", "2025-03-21", "2025-03-28", at(18)),
        Event("update", "delay_reason", "供应商延迟交货", "人手不够", at(18)),
        Event("at_risk", None, None, "time 60%, progress 10%", at(5)),
        Event("at_risk", None, None, "cleared", at(6)),
        Event("at_risk", None, None, "time 80%, progress 20%", at(7)),
        Event("escalated", "organiser", None, "k", at(8)),
        Event("acceptance", None, None, "rejected: 缺少预算页", at(20)),
        Event("update", "status", "awaiting_acceptance", "done", at(25, 17)),  # 01:00 on the 26th
        Event("acceptance", None, None, "accepted", at(25, 17)),
    ]
    found = item_facts(
        department=None,
        kind="request",
        status="done",
        due=date(2025, 3, 28),
        rework=1,
        events=events,
        zone="Asia/Shanghai",
    )
    assert found.first_due == date(2025, 3, 14)
    assert found.done_on == date(2025, 3, 26)  # the day in the project's zone, not UTC
    assert found.delays == ("external", "resources")
    assert (found.at_risk, found.escalations, found.accepted, found.rejected) == (2, 1, 1, 1)
    assert found.department == NO_DEPARTMENT


def test_a_pack_sums_per_department_and_overall_and_survives_json() -> None:
    pack = Pack()
    pack.add(facts(done_on=date(2025, 3, 10), rework=2, delays=("scope",)), TODAY)
    pack.add(facts("in_progress", due=date(2025, 3, 1), kind="issue", at_risk=1), TODAY)
    pack.add(facts(department="市场部", kind="request", accepted=1, escalations=2), TODAY)
    pack.add(facts(department=NO_DEPARTMENT, status="cancelled"), TODAY)
    overall = pack.overall
    assert (overall.items, overall.actions, overall.requests, overall.issues) == (4, 2, 1, 1)
    assert (overall.on_time, overall.late, overall.overdue, overall.cancelled) == (2, 0, 1, 1)
    assert overall.rework == 2 and overall.delays["scope"] == 1 and overall.escalations == 2
    names = [name for name, _ in pack.sorted_departments()]
    assert names == ["市场部", "研发部", NO_DEPARTMENT]
    assert pack.departments["研发部"].at_risk == 1
    again = Pack.from_json(pack.as_json())
    assert again.as_json() == pack.as_json()
