"""Issues from the minutes in the tracker: each state transition and each refused command.

Run against SQLite and PostgreSQL (the ``session_factory`` fixture). Minutes are applied with
``services.minutes.apply_minutes`` and replies with ``services.items.apply_item_commands``, as
the inbound handlers do; the mail around them is ``test_issues_e2e``'s.

进行中 (in_progress) → 已解决 (done) by RESOLVED / 已解决 / 已解決 / DONE; 进行中 → 需升级
(escalation level 3, still open) by ESCALATE / 需升级 <reason>, then resolved. Refused, with
nothing changed: an unknown ref, a sender who is not the owner/organiser/scribe, ESCALATE
without a reason, ESCALATE on an action item, either command on an issue already resolved.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mailflow.config.schema import CalendarSettings, Person
from mailflow.domain.business_calendar import BusinessCalendar
from mailflow.domain.directory import Directory
from mailflow.domain.item_commands import parse_item_commands
from mailflow.domain.minutes import hold_reason
from mailflow.domain.minutes_parser import parse_minutes
from mailflow.services.items import ItemsResult, apply_item_commands
from mailflow.services.minutes import apply_minutes, doc_from_content, publish_held
from mailflow.tracker.models import ActionItem, ItemStatus, Meeting, MeetingSource

SHANGHAI = ZoneInfo("Asia/Shanghai")
ORG, SCRIBE, BOB, CAROL, BOSS = (
    "org@example.test",
    "scribe@example.test",
    "bob@example.test",
    "carol@example.test",
    "boss@example.test",
)
DIRECTORY = Directory(
    (
        Person(ORG, "Olivia Org", ("olivia",), "Ops"),
        Person(SCRIBE, "Sam Scribe", ("sam",), "Ops"),
        Person(BOB, "张伟", ("bob",), "研发部", manager=BOSS),
        Person(CAROL, "Carol King", ("carol",), "Sales"),
        Person(BOSS, "王总", ("boss",), "研发部"),
    )
)
CALENDAR = BusinessCalendar(CalendarSettings(country="CN"))
START = datetime(2025, 3, 11, 10, tzinfo=SHANGHAI)
NOW = datetime(2025, 3, 11, 6, tzinfo=UTC)
MINUTES = (
    "ACTION: @bob send the plan by 2025-03-14\n"
    "RISK: @bob the vendor may ship late; due: 2025-03-20\n"
    "问题：测试环境不足\n"
)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as session:
        meeting = Meeting(
            uid="issues@example.test",
            invite_uid="issues@example.test",
            thread_root="<thread.issues@example.test>",
            title="Launch review",
            organiser_email=ORG,
            scribe_email=SCRIBE,
            starts_at=START,
            ends_at=START + timedelta(hours=1),
            tzid="Asia/Shanghai",
            source=MeetingSource.MAIL,
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(meeting)
        session.flush()
        minutes(session, MINUTES)
        yield session


def meeting_of(session: Session) -> Meeting:
    return session.scalars(select(Meeting)).one()


def minutes(session: Session, text: str) -> list[str]:
    doc = parse_minutes(text, meeting_start=START, directory=DIRECTORY, calendar=CALENDAR)
    result = apply_minutes(
        session,
        meeting_of(session),
        doc,
        raw_text=text,
        submitted_by=SCRIBE,
        source_message_id=f"<{abs(hash(text))}@example.test>",
        directory=DIRECTORY,
        now=NOW,
    )
    return result.changes


def by_task(session: Session) -> dict[str, ActionItem]:
    return {i.description: i for i in session.scalars(select(ActionItem).order_by(ActionItem.id))}


def reply(session: Session, sender: str, text: str) -> tuple[ItemsResult, list[str | None]]:
    """Apply ``text`` from ``sender``; the result and the codes of lines that did not parse."""
    parsed = parse_item_commands(text, now=NOW, directory=DIRECTORY, calendar=CALENDAR)
    result = apply_item_commands(
        session,
        parsed.commands,
        sender=sender,
        context_meeting=meeting_of(session),
        now=NOW,
        source="<reply@example.test>",
        directory=DIRECTORY,
    )
    return result, [p.code for p in parsed.errors]


def snapshot(session: Session) -> list[tuple[str, str, ItemStatus, int, int]]:
    session.flush()
    return [
        (i.ref, i.owner_email, i.status, i.escalation_level, len(i.history))
        for i in by_task(session).values()
    ]


def test_minutes_make_open_issues_and_an_unowned_one_is_the_organisers(session: Session) -> None:
    items = by_task(session)
    action, risk, env = (
        items["send the plan"],
        items["the vendor may ship late"],
        items["测试环境不足"],
    )
    assert (action.kind, action.status) == ("action", ItemStatus.NOT_STARTED)
    assert (risk.kind, risk.status, risk.owner_email, risk.due_date) == (
        "issue",
        ItemStatus.IN_PROGRESS,
        BOB,
        date(2025, 3, 20),
    )
    assert (env.kind, env.owner_email, env.department, env.acceptor_email) == (
        "issue",
        ORG,
        "Ops",
        None,
    )
    assert [i.ref for i in items.values()] == ["MF-0001", "MF-0002", "MF-0003"]


def test_a_correction_keeps_issue_refs_and_cancels_dropped_issues_only(session: Session) -> None:
    before = {task: item.ref for task, item in by_task(session).items()}
    changes = minutes(
        session,
        "ACTION: @bob send the plan by 2025-03-14\n"
        "RISK: @bob the vendor may ship late; due: 2025-03-21\n",
    )
    after = by_task(session)
    assert after["the vendor may ship late"].ref == before["the vendor may ship late"]
    assert after["the vendor may ship late"].due_date == date(2025, 3, 21)
    assert after["send the plan"].status is ItemStatus.NOT_STARTED, "issues do not drop actions"
    assert after["测试环境不足"].status is ItemStatus.CANCELLED
    assert any("(dropped)" in change for change in changes)


@pytest.mark.parametrize(
    ("sender", "line"),
    [
        (BOB, "{ref} RESOLVED the vendor confirmed"),
        (BOB, "{ref} 已解决 供应商已确认"),
        (ORG, "{ref} 已解決 供應商已確認"),
        (SCRIBE, "{ref} DONE"),
        (BOSS, "{ref} resolved."),
    ],
    ids=["owner-en", "owner-zh", "organiser-zh_TW", "scribe-done", "executive"],
)
def test_an_issue_is_resolved(session: Session, sender: str, line: str) -> None:
    risk = by_task(session)["the vendor may ship late"]
    result, errors = reply(session, sender, line.format(ref=risk.ref))
    assert (result.errors, errors) == ([], [])
    assert (risk.status, risk.progress) == (ItemStatus.DONE, 100)
    assert [h.new_value for h in risk.history if h.field == "status"] == ["done"]


def test_an_issue_is_escalated_with_its_reason_then_resolved(session: Session) -> None:
    risk = by_task(session)["the vendor may ship late"]
    result, errors = reply(session, SCRIBE, f"{risk.ref} 需升级 供应商无法承诺交期")
    assert (result.errors, errors) == ([], [])
    assert (risk.status, risk.escalation_level) == (ItemStatus.IN_PROGRESS, 3)
    assert result.escalated == [(risk, "供应商无法承诺交期")]
    assert [h.new_value for h in risk.history if h.kind == "issue_escalated"] == [
        "供应商无法承诺交期"
    ]
    result, _ = reply(session, BOB, f"{risk.ref} 需升級 廠商仍無回覆")  # zh_TW: escalated again
    assert result.escalated and risk.escalation_level == 3
    reply(session, BOB, f"{risk.ref} RESOLVED")
    assert risk.status is ItemStatus.DONE


def test_a_bare_command_applies_to_the_senders_one_open_issue(session: Session) -> None:
    env = by_task(session)["测试环境不足"]
    result, _ = reply(session, ORG, "ESCALATE no budget for test servers")
    assert result.escalated == [(env, "no budget for test servers")]


def test_resolved_on_an_action_item_is_its_done(session: Session) -> None:
    action = by_task(session)["send the plan"]
    result, _ = reply(session, BOB, f"{action.ref} 已解决")
    assert not result.errors and action.status is ItemStatus.DONE


@pytest.mark.parametrize(
    ("sender", "line", "said"),
    [
        (BOB, "MF-9999 RESOLVED", "there is no item MF-9999"),
        (CAROL, "{risk} RESOLVED", "may only be changed by"),
        (CAROL, "{risk} ESCALATE the vendor is late", "may only be changed by"),
        (BOB, "{action} ESCALATE the plan is late", "is an action item, not an issue"),
        (BOB, "{action} 需升级 方案延误", "是行动项，不是问题"),
    ],
    ids=["unknown-ref", "outsider-resolves", "outsider-escalates", "action-en", "action-zh"],
)
def test_a_refused_command_changes_nothing(
    session: Session, sender: str, line: str, said: str
) -> None:
    items = by_task(session)
    refs = {"risk": items["the vendor may ship late"].ref, "action": items["send the plan"].ref}
    before = snapshot(session)
    result, _ = reply(session, sender, line.format(**refs))
    assert [said in e.reason for e in result.errors] == [True]
    assert not result.applied and not result.escalated
    assert snapshot(session) == before


@pytest.mark.parametrize(
    "line", ["{risk} ESCALATE", "{risk} 需升级", "{risk} 需升級：", "ESCALATE"]
)
def test_escalate_without_a_reason_is_refused(session: Session, line: str) -> None:
    before = snapshot(session)
    result, errors = reply(
        session, BOB, line.format(risk=by_task(session)["the vendor may ship late"].ref)
    )
    assert errors == ["escalate_no_reason"] and not result.applied
    assert snapshot(session) == before


def test_a_resolved_issue_is_neither_resolved_nor_escalated_again(session: Session) -> None:
    risk = by_task(session)["the vendor may ship late"]
    reply(session, BOB, f"{risk.ref} RESOLVED")
    before = snapshot(session)
    for line, said in (
        (f"{risk.ref} ESCALATE still late", "is already resolved"),
        (f"{risk.ref} 已解决", "已解决"),
    ):
        result, _ = reply(session, BOB, line)
        assert [said in e.reason for e in result.errors] == [True], result.errors
    assert snapshot(session) == before


def test_held_minutes_make_their_issues_when_published(session: Session) -> None:
    text = "ACTION: @nobody fix the printer\nRISK: the printer vendor may close\n"
    doc = parse_minutes(text, meeting_start=START, directory=DIRECTORY, calendar=CALENDAR)
    meeting = meeting_of(session)
    held = apply_minutes(
        session,
        meeting,
        doc,
        raw_text=text,
        submitted_by=SCRIBE,
        source_message_id="<held@example.test>",
        directory=DIRECTORY,
        now=NOW,
        hold=hold_reason(doc),
    )
    assert held.minutes.held_reason == "no_items" and held.new_items == []
    published = publish_held(
        session, meeting, held.minutes, actor=SCRIBE, directory=DIRECTORY, now=NOW
    )
    [issue] = [i for i in published.new_items if i.kind == "issue"]
    assert (issue.description, issue.owner_email) == ("the printer vendor may close", ORG)
    [entry] = (held.minutes.content or {})["disputes"]
    assert (entry["ref"], entry["owner"], entry["owner_named"]) == (issue.ref, ORG, False)
    assert doc_from_content(held.minutes.content or {}).disputes[0].owner is None
