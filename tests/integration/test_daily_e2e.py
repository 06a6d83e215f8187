"""The daily rhythm (当日进展 + 明日计划), end to end on the real mail stack (issue 16, part 9).

Alice's project meeting turns the rhythm on (每日进展：17:30). On business days at 17:30 Bob, who
owns open items in the project, is asked for today's progress and tomorrow's plan; his answer is
folded into his item (history, latest update) and a progress line in it is applied. A weekend
asks nobody; a report on someone else's item is refused with the reason.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mailflow.config.schema import Config, Person
from mailflow.dev.devstack import BOT, MailStack
from mailflow.tracker.models import ActionItem, ItemHistory, Project
from tests.conftest import SteppingClock, shanghai_config
from tests.integration.cycle import Cycle, latest, reply, text

ALICE, BOB = "alice@example.test", "bob@example.test"
PEOPLE = (
    Person(ALICE, "Alice Wang", department="Ops", locale="en", timezone="Asia/Shanghai"),
    Person(BOB, "张伟", department="研发部", locale="zh_CN", timezone="Asia/Shanghai"),
)


@pytest.fixture
def config(app_config: Config, monkeypatch: pytest.MonkeyPatch) -> Config:
    return shanghai_config(app_config, PEOPLE, monkeypatch)


def daily_mails(cycle: Cycle) -> list[EmailMessage]:
    """The requests only, not the receipts that answer Bob's replies to them ("Re: …")."""
    return [m for m in cycle.inbox(BOB) if str(m["Subject"]).startswith("【官网改版】")]


def test_daily_requests_go_out_on_business_days_and_answers_fold_into_items(
    config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    cycle = Cycle(config, mailstack, session_factory, clock)
    clock.current = datetime(2025, 3, 10, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
    meeting = EmailMessage()
    meeting["From"], meeting["To"], meeting["Subject"] = ALICE, BOT, "MEETING: 官网改版启动会"
    meeting["Message-ID"] = "<kickoff@example.test>"
    meeting.set_content(
        "时间：2025-03-11 10:00-11:00\n参会人：张伟\n项目：官网改版\n每日进展：17:30\n"
    )
    mailstack.send(meeting, ALICE, [BOT])
    cycle.run()
    with session_factory() as session:
        assert session.scalars(select(Project)).one().daily_update_at == "17:30"
    clock.current = datetime(2025, 3, 11, 4, 0, tzinfo=UTC)
    cycle.run()
    notice = latest(cycle, ALICE, "官网改版启动会")
    minutes = "行动项：\n1. 由张伟负责首页改版，3月28日前完成\n"
    mailstack.send(reply(notice, ALICE, minutes), ALICE, [BOT])
    cycle.run()
    assert not daily_mails(cycle)  # 12:00: not yet

    clock.current = datetime(2025, 3, 11, 9, 30, tzinfo=UTC)  # Tuesday 17:30
    cycle.run()
    cycle.run()  # planned once a day, however many ticks
    [request] = daily_mails(cycle)
    with session_factory() as session:
        ref = session.scalars(select(ActionItem.ref)).one()
    assert ref in text(request) and "今日进展" in text(request)

    # Bob answers as he would in Foxmail: labels, a progress line, his signature.
    mailstack.send(
        reply(request, BOB, "今日进展：完成首页线框图\n明日计划：视觉稿\n进度 30%\n\n张伟\n研发部"),
        BOB,
        [BOT],
    )
    cycle.run()
    with session_factory() as session:
        item = session.scalars(select(ActionItem)).one()
        reports = session.scalars(
            select(ItemHistory.new_value).where(ItemHistory.kind == "daily")
        ).all()
        assert item.progress == 30 and item.last_update_at is not None
    assert reports == ["today: 完成首页线框图\ntomorrow: 视觉稿"]
    receipt = latest(cycle, BOB, "已记录您的日报")
    assert f"{ref} — 今日进展：完成首页线框图；明日计划：视觉稿" in text(receipt)

    # Saturday: nobody is asked. Monday 17:30: asked again.
    clock.current = datetime(2025, 3, 15, 9, 30, tzinfo=UTC)
    cycle.run()
    assert len(daily_mails(cycle)) == 1
    clock.current = datetime(2025, 3, 17, 9, 30, tzinfo=UTC)
    cycle.run()
    assert len(daily_mails(cycle)) == 2

    # A report on an item that does not exist is refused, and Bob hears why.
    mailstack.send(reply(daily_mails(cycle)[-1], BOB, "MF-9999 今日进展：无"), BOB, [BOT])
    cycle.run()
    assert "there is no item MF-9999" in text(cycle.inbox(BOB)[-1])
