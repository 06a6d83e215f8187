"""Who may confirm, pass on or decline a collaboration request, and what each does; the urgency
clock of its reminder. Pure: items in memory, commands as the reply parser makes them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from mailflow.config.load import config_from_mapping
from mailflow.config.schema import CalendarSettings, Person, ScheduleSettings
from mailflow.domain.business_calendar import BusinessCalendar
from mailflow.domain.directory import Directory
from mailflow.domain.item_commands import ItemCommand, parse_item_commands
from mailflow.domain.minutes import Problem
from mailflow.domain.request_clock import reminder_due
from mailflow.errors import ConfigError
from mailflow.services.request_commands import RequestEvent, apply_request_command
from mailflow.tracker.models import ActionItem, ItemStatus

HEAD, MEMBER, OUTSIDER, ASKER = "wang@x.test", "li@x.test", "bob@x.test", "carol@x.test"
DIRECTORY = Directory(
    (
        Person(HEAD, "王芳", ("wang",), "财务部", "负责人"),
        Person(MEMBER, "李雷", ("li",), "财务部"),
        Person(OUTSIDER, "张伟", ("bob",), "研发部"),
        Person(ASKER, "Carol King", ("carol",), "市场部", "head"),
    )
)
NOW = datetime(2025, 3, 10, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
SETTINGS = ScheduleSettings(timezone="Asia/Shanghai", calendar=CalendarSettings(country="CN"))
CALENDAR = BusinessCalendar(SETTINGS.calendar)


def request(owner: str = HEAD) -> ActionItem:
    return ActionItem(
        ref="MF-0042",
        kind="request",
        urgency="normal",
        requester_email=ASKER,
        requester_department="市场部",
        owner_email=owner,
        department="财务部",
        description="核对 Q2 预算",
        status=ItemStatus.NOT_STARTED,
        created_at=NOW,
        updated_at=NOW,
    )


def command(line: str) -> ItemCommand:
    parsed = parse_item_commands(line, now=NOW, directory=DIRECTORY, calendar=CALENDAR)
    assert parsed.errors == [], parsed.errors
    (found,) = parsed.commands
    return found


def apply(item: ActionItem, line: str, sender: str) -> RequestEvent | Problem:
    return apply_request_command(
        item, command(line), sender=sender, now=NOW, source="<m@x>", directory=DIRECTORY
    )


@pytest.mark.parametrize("line", ["CONFIRM", "确认", "確認"])
def test_the_head_confirms(line: str) -> None:
    item = request()
    event = apply(item, line, HEAD)
    assert isinstance(event, RequestEvent) and event.verb == "confirm"
    assert item.confirmed_at == NOW and item.history[-1].kind == "confirmed"


@pytest.mark.parametrize("line", ["REASSIGN @li", "转派 @li", "轉派 李雷", "转交 李雷"])
def test_the_head_passes_it_on_inside_the_department(line: str) -> None:
    item = request()
    item.confirmed_at = NOW
    event = apply(item, line, HEAD)
    assert isinstance(event, RequestEvent) and (event.verb, event.detail) == ("reassign", HEAD)
    assert item.owner_email == MEMBER and item.confirmed_at is None
    assert (item.history[-1].old_value, item.history[-1].new_value) == (HEAD, MEMBER)


def test_the_new_owner_may_confirm_and_the_head_may_pass_it_on_again() -> None:
    item = request(owner=MEMBER)
    assert isinstance(apply(item, "确认", MEMBER), RequestEvent)
    assert isinstance(apply(item, "转派 @wang", HEAD), RequestEvent)
    assert item.owner_email == HEAD


def test_passing_on_outside_the_department_is_refused_and_changes_nothing() -> None:
    item = request()
    refused = apply(item, "转派 @bob", HEAD)
    assert isinstance(refused, Problem)
    assert "研发部" in refused.reason and "DECLINE" in (refused.hint or "")
    assert item.owner_email == HEAD and item.history == []


def test_only_the_head_passes_a_request_on() -> None:
    item = request(owner=MEMBER)
    refused = apply(item, "转派 @wang", MEMBER)
    assert isinstance(refused, Problem) and HEAD in refused.reason
    assert item.owner_email == MEMBER


@pytest.mark.parametrize("line", ["DECLINE not our budget", "拒绝 不属于本部门", "拒絕 人手不足"])
def test_a_decline_with_a_reason_cancels_the_request(line: str) -> None:
    item = request()
    event = apply(item, line, HEAD)
    assert isinstance(event, RequestEvent) and event.verb == "decline"
    assert event.detail == line.split(" ", 1)[1]
    assert item.status is ItemStatus.CANCELLED
    assert [h.kind for h in item.history] == ["declined", "status"]


@pytest.mark.parametrize("line", ["DECLINE", "拒绝", "拒絕"])
def test_a_decline_without_a_reason_is_a_parse_error(line: str) -> None:
    parsed = parse_item_commands(line, now=NOW, directory=DIRECTORY, calendar=CALENDAR)
    assert parsed.commands == [] and parsed.errors[0].code == "decline_no_reason"


@pytest.mark.parametrize(("line", "sender"), [("确认", OUTSIDER), ("拒绝 不合理", ASKER)])
def test_someone_else_cannot_confirm_or_decline(line: str, sender: str) -> None:
    item = request()
    refused = apply(item, line, sender)
    assert isinstance(refused, Problem) and "only the receiver" in refused.reason
    assert (item.confirmed_at, item.status, item.history) == (None, ItemStatus.NOT_STARTED, [])


def test_a_closed_request_takes_no_more_commands() -> None:
    item = request()
    item.status = ItemStatus.CANCELLED
    refused = apply(item, "确认", HEAD)
    assert isinstance(refused, Problem) and "closed" in refused.reason


def test_an_urgent_request_is_due_a_reminder_in_hours_a_normal_one_next_business_day() -> None:
    urgent = reminder_due(NOW, "urgent", settings=SETTINGS, calendar=CALENDAR)
    normal = reminder_due(NOW, "normal", settings=SETTINGS, calendar=CALENDAR)
    low = reminder_due(NOW, "low", settings=SETTINGS, calendar=CALENDAR)
    assert urgent == NOW + timedelta(hours=4)
    assert normal == low == datetime(2025, 3, 11, 1, 0, tzinfo=UTC)  # Tuesday 09:00 Shanghai


def test_a_request_made_before_a_holiday_is_reminded_after_it() -> None:
    friday = datetime(2025, 1, 24, 8, 0, tzinfo=UTC)  # the Spring Festival week follows
    due = reminder_due(friday, "normal", settings=SETTINGS, calendar=CALENDAR)
    assert CALENDAR.is_business_day(due.date()) and due.date() > friday.date()
    assert due.date().isoformat() == "2025-01-26"  # a Sunday made a working day (调休)


def test_the_urgent_clock_is_configured_and_checked() -> None:
    base: dict[str, Any] = {
        "mail": {"domain": "example.com", "bot_address": "meetings@example.com"},
        "imap": {"host": "imap.example.com", "user": "bot", "password_env": "IMAP_PASSWORD"},
        "smtp": {"host": "smtp.example.com"},
    }
    config = config_from_mapping(
        {**base, "schedule": {"urgent_request_reminder_hours": 2}},
        source=None,
        base_dir=Path("/srv"),
    )
    assert config.schedule.urgent_request_reminder_hours == 2
    assert (
        config_from_mapping(base, source=None, base_dir=Path("/srv")).schedule == ScheduleSettings()
    )
    with pytest.raises(ConfigError) as failed:
        config_from_mapping(
            {**base, "schedule": {"urgent_request_reminder_hours": 0}},
            source=None,
            base_dir=Path("/srv"),
        )
    assert [p.key for p in failed.value.problems] == ["schedule.urgent_request_reminder_hours"]
