"""At risk before late, end to end on the real mail stack (issue 16, part 3).

Alice's project meeting gives Bob (研发部) an item due in eight business days. Halfway through its
time Bob has reported nothing: the item is at risk. Alice, the project's coordinator, is asked to
talk to him (约谈) and record it; Bob's next reminder carries the flag. Bob cannot record the talk
himself; Alice's "已约谈 …" does. In a second project nobody records a talk, and 24 hours later
Bob's department head hears of it. When Bob's progress catches up, the flag clears.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from email.message import EmailMessage

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mailflow.config.schema import Config, Person
from mailflow.dev.devstack import BOT, MailStack
from mailflow.services.projects import project_statuses
from mailflow.tracker.models import ActionItem, ItemHistory
from tests.conftest import SteppingClock, shanghai_config
from tests.integration.cycle import Cycle, latest, reply, text

ALICE, BOB, DAVE = "alice@example.test", "bob@example.test", "dave@example.test"
PEOPLE = (
    Person(ALICE, "Alice Wang", department="Ops", locale="en", timezone="Asia/Shanghai"),
    Person(BOB, "张伟", department="研发部", locale="zh_CN", timezone="Asia/Shanghai"),
    Person(DAVE, "王强", department="研发部", role="负责人", locale="zh_CN"),
)


@pytest.fixture
def config(app_config: Config, monkeypatch: pytest.MonkeyPatch) -> Config:
    return shanghai_config(app_config, PEOPLE, monkeypatch)


def one_item(sessions: sessionmaker[Session], title: str) -> ActionItem:
    with sessions() as session:
        found = session.scalars(
            select(ActionItem).where(ActionItem.description.contains(title))
        ).one()
        session.expunge(found)
        return found


def project_meeting(cycle: Cycle, mailstack: MailStack, clock: SteppingClock, name: str) -> None:
    """A project meeting on Tue 11 Mar 2025 whose minutes give Bob a task due Fri 21 Mar."""
    clock.current = datetime(2025, 3, 10, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
    meeting = EmailMessage()
    meeting["From"], meeting["To"], meeting["Subject"] = ALICE, BOT, f"MEETING: {name}"
    meeting["Message-ID"] = f"<{abs(hash(name))}@example.test>"
    meeting.set_content(
        f"时间：2025-03-11 10:00-11:00\n地点：3楼301\n参会人：张伟\n项目：{name}\n"
        "牵头部门：研发部\n项目结束：2025-04-30\n"
    )
    mailstack.send(meeting, ALICE, [BOT])
    cycle.run()
    clock.current = datetime(2025, 3, 11, 4, 0, tzinfo=UTC)  # after the meeting
    cycle.run()
    notice = latest(cycle, ALICE, name)
    minutes = f"会议纪要\n行动项：\n1. 由张伟负责{name}方案，3月21日前完成\n"
    mailstack.send(reply(notice, ALICE, minutes), ALICE, [BOT])
    cycle.run()


def test_a_lagging_item_is_flagged_talked_about_and_cleared(
    config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    cycle = Cycle(config, mailstack, session_factory, clock)
    project_meeting(cycle, mailstack, clock, "发布")
    item = one_item(session_factory, "发布")
    assert item.at_risk_since is None  # its time has only begun

    # Mon 17 Mar: four of eight business days gone, nothing reported: at risk.
    clock.current = datetime(2025, 3, 17, 1, 0, tzinfo=UTC)
    cycle.run()
    assert one_item(session_factory, "发布").at_risk_since is not None
    with session_factory() as session:
        [status] = project_statuses(session, date(2025, 3, 17))
    assert (status.name, status.coordinator, status.lead_department) == ("发布", ALICE, "研发部")
    assert (status.end_date, status.open, status.at_risk, status.overdue) == (
        date(2025, 4, 30),
        1,
        1,
        0,
    )
    prompt = latest(cycle, ALICE, "At risk")
    assert item.ref in str(prompt["Subject"])
    assert "50% of its time has passed" in text(prompt) and f"{item.ref} TALKED" in text(prompt)

    # Tue 18 Mar: Bob's reminder (three business days before) carries the flag.
    clock.current = datetime(2025, 3, 18, 1, 30, tzinfo=UTC)
    cycle.run()
    assert "【进度滞后】" in text(latest(cycle, BOB, item.ref))

    # Bob may not record a talk with himself; nothing changes, and he is told why.
    assignment = latest(cycle, BOB, item.ref)
    mailstack.send(reply(assignment, BOB, f"{item.ref} 已约谈"), BOB, [BOT])
    cycle.run()
    assert one_item(session_factory, "发布").talked_at is None
    assert "coordinator" in text(cycle.inbox(BOB)[-1])

    # Alice answers the prompt: the talk is recorded with what was agreed.
    mailstack.send(reply(prompt, ALICE, "已约谈，周三前补齐人手"), ALICE, [BOT])
    cycle.run()
    talked = one_item(session_factory, "发布")
    assert talked.talked_at is not None
    with session_factory() as session:
        notes = session.scalars(
            select(ItemHistory.new_value).where(ItemHistory.kind == "talked")
        ).all()
    assert notes == ["周三前补齐人手"]

    # A day later nobody is escalated: the talk was recorded in time.
    clock.current = datetime(2025, 3, 19, 2, 0, tzinfo=UTC)
    cycle.run()
    assert not [m for m in cycle.inbox(DAVE) if "no talk" in str(m["Subject"]).lower()]

    # Bob reports 70 %: the item has caught up and the flag clears.
    mailstack.send(reply(assignment, BOB, "进度 70%"), BOB, [BOT])
    cycle.run()
    clock.current = datetime(2025, 3, 19, 3, 0, tzinfo=UTC)
    cycle.run()
    assert one_item(session_factory, "发布").at_risk_since is None
    with session_factory() as session:
        episodes = session.scalars(
            select(ItemHistory.new_value).where(ItemHistory.kind == "at_risk")
        ).all()
    assert episodes[0] is not None and episodes[0].startswith("time 50%")
    assert episodes[-1] == "cleared"


def test_no_talk_within_a_day_reaches_the_owners_head_once(
    config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    cycle = Cycle(config, mailstack, session_factory, clock)
    project_meeting(cycle, mailstack, clock, "迁移")
    ref = one_item(session_factory, "迁移").ref
    clock.current = datetime(2025, 3, 17, 1, 0, tzinfo=UTC)
    cycle.run()
    assert latest(cycle, ALICE, "At risk")
    clock.current = datetime(2025, 3, 17, 20, 0, tzinfo=UTC)  # 19 h later: not yet
    cycle.run()
    assert not [m for m in cycle.inbox(DAVE) if ref in str(m["Subject"])]
    clock.current = datetime(2025, 3, 18, 2, 0, tzinfo=UTC)  # 25 h later
    cycle.run()
    clock.current = datetime(2025, 3, 18, 3, 0, tzinfo=UTC)
    cycle.run()
    told = [m for m in cycle.inbox(DAVE) if "未约谈" in str(m["Subject"])]
    assert len(told) == 1 and ref in str(told[0]["Subject"])
    assert "Alice Wang" in text(told[0]) and "时间已过 62%" in text(told[0])
    clock.current = datetime(2025, 3, 19, 3, 0, tzinfo=UTC)  # later ticks tell nobody again
    cycle.run()
    assert len([m for m in cycle.inbox(DAVE) if "未约谈" in str(m["Subject"])]) == 1
