"""Issues and risks from the minutes, end to end on the real mail stack (issue 16, part 6).

Alice's minutes hold an action, a 风险 line owned by Bob and a RISK line with no owner. Both risks
become tracked issues (进行中) with refs, listed under 问题与风险 / Issues and risks in the
official minutes and in Alice's receipt, which says the ownerless one is hers until she names
someone. Bob's 需升级 without a reason is refused; with one, his executive Dave gets the issue
and the reason and Bob is told who was told. An outsider cannot resolve an issue, an action
cannot be escalated, an unknown ref is answered; the organiser resolves her issue in English and
Bob his in Traditional Chinese. Every refusal leaves the items as they were.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from email.message import EmailMessage

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mailflow.config.schema import Config, Person
from mailflow.dev.devstack import BOT, MailStack
from mailflow.tracker.models import ActionItem, ItemHistory, ItemStatus
from tests.conftest import SteppingClock, shanghai_config
from tests.integration.cycle import Cycle, latest, reply, text

ALICE, BOB, CAROL = "alice@example.test", "bob@example.test", "carol@example.test"
DAVE, ERIN = "dave@example.test", "exec@example.test"  # Erin: not in the meeting
PEOPLE = (
    Person(ALICE, "Alice Wang", department="Ops", locale="en", timezone="Asia/Shanghai"),
    Person(
        BOB, "张伟", department="研发部", manager=DAVE, locale="zh_CN", timezone="Asia/Shanghai"
    ),
    Person(CAROL, "Carol Smith", department="市场部", locale="en", timezone="Asia/Shanghai"),
    Person(DAVE, "王总", department="研发部", locale="zh_CN", timezone="Asia/Shanghai"),
    Person(ERIN, "陳怡君", department="業務部", locale="zh_TW", timezone="Asia/Taipei"),
)
MINUTES = (
    "会议纪要\n"
    "决议：按期发布\n"
    "行动项：\n"
    "1. 由张伟负责整理发布方案，3月14日前完成\n"
    "风险：供应商可能延期交货 负责人：张伟 截止：3月20日前\n"
    "RISK: the venue may be double-booked\n"
)


@pytest.fixture
def config(app_config: Config, monkeypatch: pytest.MonkeyPatch) -> Config:
    return shanghai_config(app_config, PEOPLE, monkeypatch)


def saying(cycle: Cycle, person: str, words: str) -> EmailMessage:
    found = [m for m in cycle.inbox(person) if words in text(m)]
    assert found, f"no mail to {person} saying {words!r}"
    return found[-1]


def items(sessions: sessionmaker[Session]) -> dict[str, ActionItem]:
    with sessions() as session:
        found = list(session.scalars(select(ActionItem).order_by(ActionItem.id)))
        for one in found:
            session.expunge(one)
        return {one.description: one for one in found}


def state(sessions: sessionmaker[Session]) -> list[tuple[str, str, ItemStatus, int]]:
    """What a refused command must leave as it was."""
    return [(i.ref, i.owner_email, i.status, i.escalation_level) for i in items(sessions).values()]


def test_risks_become_issues_that_are_escalated_and_resolved_by_reply(
    config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    cycle = Cycle(config, mailstack, session_factory, clock)
    clock.current = datetime(2025, 3, 10, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
    meeting = EmailMessage()
    meeting["From"], meeting["To"], meeting["Subject"] = ALICE, BOT, "MEETING: 发布评审"
    meeting["Message-ID"] = "<issues@example.test>"
    meeting.set_content(
        "时间：2025-03-11 10:00-11:00\n地点：3楼301\n参会人：张伟, carol@example.test\n"
    )
    mailstack.send(meeting, ALICE, [BOT])
    cycle.run()

    clock.current = datetime(2025, 3, 11, 4, 0, tzinfo=UTC)  # after the meeting
    cycle.run()
    mailstack.send(reply(latest(cycle, ALICE, "发布评审"), ALICE, MINUTES), ALICE, [BOT])
    cycle.run()
    made = items(session_factory)
    action = made["整理发布方案"]
    risk, venue = made["供应商可能延期交货"], made["the venue may be double-booked"]
    assert (action.kind, risk.kind, venue.kind) == ("action", "issue", "issue")
    assert (risk.owner_email, risk.due_date, risk.status) == (
        BOB,
        date(2025, 3, 20),
        ItemStatus.IN_PROGRESS,
    )
    # Nobody was named for the venue: the organiser owns it, and her receipt says how to change it.
    assert (venue.owner_email, venue.due_date, venue.acceptor_email) == (ALICE, None, None)
    receipt = text(saying(cycle, ALICE, "have been applied"))
    assert "Issues and risks:" in receipt and risk.ref in receipt
    assert (
        f"Alice Wang <{ALICE}>, owns {venue.ref} for now" in receipt
        and f"{venue.ref} REASSIGN @alias" in receipt
    )
    official_en = text(latest(cycle, CAROL, "发布评审"))
    assert "Issues and risks:" in official_en
    assert f"{risk.ref}  供应商可能延期交货" in official_en and "Status: open" in official_en
    assert f"{risk.ref} ESCALATE <reason>" in official_en
    official_zh = text(latest(cycle, BOB, "会议纪要"))
    assert "问题与风险：" in official_zh and "状态：进行中" in official_zh

    clock.advance(hours=1)
    before = state(session_factory)
    # An outsider cannot resolve the issue; an unknown ref is answered; nothing changes.
    mailstack.send(
        reply(latest(cycle, CAROL, "发布评审"), ERIN, f"{risk.ref} 已解決\nMF-0999 RESOLVED"),
        ERIN,
        [BOT],
    )
    cycle.run()
    refused = text(cycle.inbox(ERIN)[-1])
    assert f"{risk.ref} may only be changed by" in refused and "there is no item MF-0999" in refused
    # 需升级 needs a reason; an action is not escalated by reply.
    assignment = latest(cycle, BOB, "行动项")
    mailstack.send(
        reply(assignment, BOB, f"{risk.ref} 需升级\n{action.ref} ESCALATE the plan is late"),
        BOB,
        [BOT],
    )
    cycle.run()
    answered = text(cycle.inbox(BOB)[-1])
    assert "需升级需要写明原因" in answered and f"{action.ref} is an action item" in answered
    assert state(session_factory) == before
    assert not [m for m in cycle.inbox(DAVE) if "需升级" in str(m["Subject"])]

    clock.advance(hours=1)
    mailstack.send(reply(assignment, BOB, f"{risk.ref} 需升级 供应商无法承诺交期"), BOB, [BOT])
    cycle.run()
    escalated = items(session_factory)["供应商可能延期交货"]
    assert (escalated.status, escalated.escalation_level) == (ItemStatus.IN_PROGRESS, 3)
    to_dave = latest(cycle, DAVE, "问题需升级")
    assert risk.ref in str(to_dave["Subject"])
    assert "供应商无法承诺交期" in text(to_dave) and f"{risk.ref} 已解决" in text(to_dave)
    told = text(latest(cycle, BOB, f"{risk.ref} 已升级"))
    assert "王总 <dave@example.test>" in told
    with session_factory() as session:
        reasons = [
            (h.kind, h.field, h.new_value)
            for h in session.scalars(select(ItemHistory).where(ItemHistory.item_id == risk.id))
            if h.kind.startswith("issue_")
        ]
    assert reasons == [
        ("issue_escalated", None, "供应商无法承诺交期"),
        ("issue_escalation_sent", DAVE, "供应商无法承诺交期"),
    ]

    # The organiser resolves hers in English, Bob his in Traditional Chinese.
    clock.advance(hours=1)
    receipt_mail = saying(cycle, ALICE, "have been applied")
    mailstack.send(
        reply(receipt_mail, ALICE, f"{venue.ref} RESOLVED room 301 is ours"), ALICE, [BOT]
    )
    mailstack.send(reply(assignment, BOB, f"{risk.ref} 已解決 供應商已確認交期"), BOB, [BOT])
    cycle.run()
    resolved = items(session_factory)
    assert resolved["the venue may be double-booked"].status is ItemStatus.DONE
    assert resolved["供应商可能延期交货"].status is ItemStatus.DONE
    assert resolved["整理发布方案"].status is ItemStatus.NOT_STARTED

    # A resolved issue is not escalated again.
    clock.advance(hours=1)
    after = state(session_factory)
    mailstack.send(reply(assignment, BOB, f"{risk.ref} ESCALATE still worried"), BOB, [BOT])
    cycle.run()
    assert f"{risk.ref} is already resolved" in text(cycle.inbox(BOB)[-1])
    assert state(session_factory) == after
