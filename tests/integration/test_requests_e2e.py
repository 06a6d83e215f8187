"""Collaboration requests (协作需求单) end to end on the real mail stack (issue 16, part 4).

Alice (市场部) asks 财务部 for help by mail; 王芳, its head, receives the request and confirms it,
passes it on inside her department, or declines it with a reason (Alice and the project's
coordinator are told). Each refusal — someone else answering, a colleague outside the
department, a decline without a reason, an unknown item — is answered and changes nothing. An
urgent request's receiver is reminded hours later, a normal one's only the next business day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mailflow.config.schema import Config, Person
from mailflow.dev.devstack import BOT, MailStack
from mailflow.services.projects import project_named
from mailflow.tracker.models import ActionItem, ItemStatus
from tests.conftest import SteppingClock, shanghai_config
from tests.integration.cycle import Cycle, latest, text
from tests.integration.cycle import reply as reply_to

# The mail stack's mailboxes, given the parts of this story.
ALICE, WANG, LI = "alice@example.test", "carol@example.test", "dave@example.test"
BOB, GRACE = "bob@example.test", "exec@example.test"
PEOPLE = (
    Person(ALICE, "Alice Wang", department="市场部", role="head", locale="en"),
    Person(WANG, "王芳", department="财务部", role="负责人", locale="zh_CN"),
    Person(LI, "李雷", department="财务部", locale="zh_TW"),
    Person(BOB, "张伟", department="研发部", locale="zh_CN"),
    Person(GRACE, "Grace Lin", department="研发部", role="head", locale="en"),
)
MONDAY = datetime(2025, 3, 10, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
REQUEST = (
    "需求内容：请核对 Q2 市场活动预算\n"
    "接收部门：财务\n"
    "紧急程度：紧急\n"
    "期望完成时间：3月14日前\n"
    "项目：新产品发布\n"
)


@pytest.fixture
def config(app_config: Config, monkeypatch: pytest.MonkeyPatch) -> Config:
    return shanghai_config(app_config, PEOPLE, monkeypatch)


@pytest.fixture
def cycle(
    config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> Cycle:
    clock.current = MONDAY
    return Cycle(config, mailstack, session_factory, clock)


def send(cycle: Cycle, sender: str, subject: str, body: str) -> None:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, BOT, subject
    msg["Message-ID"] = f"<{abs(hash((sender, subject, body)))}@example.test>"
    msg.set_content(body)
    cycle.stack.send(msg, sender, [BOT])
    cycle.run()


def reply(cycle: Cycle, to: EmailMessage, sender: str, body: str) -> None:
    cycle.stack.send(reply_to(to, sender, body), sender, [BOT])
    cycle.run()


def requests(sessions: sessionmaker[Session]) -> list[ActionItem]:
    with sessions() as session:
        found = list(session.scalars(select(ActionItem).order_by(ActionItem.id)))
        session.expunge_all()
        return found


def the_request(sessions: sessionmaker[Session]) -> ActionItem:
    (item,) = requests(sessions)
    return item


def test_a_request_reaches_the_head_who_confirms_it(
    cycle: Cycle, session_factory: sessionmaker[Session]
) -> None:
    send(cycle, ALICE, "协作需求：Q2 预算核对", REQUEST)
    item = the_request(session_factory)
    assert (item.kind, item.owner_email, item.department) == ("request", WANG, "财务部")
    assert (item.requester_email, item.requester_department) == (ALICE, "市场部")
    assert (item.urgency, item.due_date, item.status) == (
        "urgent",
        date(2025, 3, 14),
        ItemStatus.NOT_STARTED,
    )
    assert item.project_id is not None
    mail = latest(cycle, WANG, item.ref)
    assert "【紧急】" in str(mail["Subject"])
    assert "请核对 Q2 市场活动预算" in text(mail) and f"{item.ref} 转派 @同事" in text(mail)
    receipt = latest(cycle, ALICE, item.ref)
    assert "王芳" in text(receipt) and "not understood" not in text(receipt)

    reply(cycle, mail, WANG, "确认")
    assert the_request(session_factory).confirmed_at is not None
    assert "confirmed" in text(latest(cycle, ALICE, "confirmed"))


def test_the_head_passes_a_request_on_only_inside_her_department_and_it_is_done(
    cycle: Cycle, session_factory: sessionmaker[Session]
) -> None:
    send(cycle, ALICE, "REQUEST: Q2 budget check", REQUEST)
    item = the_request(session_factory)
    mail = latest(cycle, WANG, item.ref)

    reply(cycle, mail, WANG, "转派 @bob")
    assert the_request(session_factory).owner_email == WANG
    refused = cycle.inbox(WANG)[-1]
    assert "研发部" in text(refused) and "DECLINE" in text(refused)

    reply(cycle, mail, WANG, "轉派 李雷")
    passed = the_request(session_factory)
    assert (passed.owner_email, passed.confirmed_at) == (LI, None)
    to_li = latest(cycle, LI, item.ref)
    assert "王芳" in text(to_li) and "轉派" in text(to_li)
    assert "李雷" in text(latest(cycle, ALICE, "passed on"))

    reply(cycle, to_li, LI, "確認")
    assert the_request(session_factory).confirmed_at is not None

    # Done: the requester hears it once, and a later note does not say it again.
    reply(cycle, to_li, LI, "已完成")
    assert the_request(session_factory).status is ItemStatus.DONE
    assert "李雷" in text(latest(cycle, ALICE, "done"))
    reply(cycle, to_li, LI, "備註 明細已放共享盤")
    assert len([m for m in cycle.inbox(ALICE) if "done" in str(m["Subject"])]) == 1


def test_a_decline_needs_a_reason_and_is_told_to_requester_and_coordinator(
    cycle: Cycle, session_factory: sessionmaker[Session]
) -> None:
    with session_factory() as session, session.begin():
        project_named(session, "新产品发布", coordinator=GRACE, now=MONDAY)
    send(cycle, ALICE, "协作需求：Q2 预算核对", REQUEST)
    item = the_request(session_factory)
    mail = latest(cycle, WANG, item.ref)

    reply(cycle, mail, WANG, "拒绝")
    assert the_request(session_factory).status is ItemStatus.NOT_STARTED
    assert "原因" in text(cycle.inbox(WANG)[-1])

    reply(cycle, mail, WANG, "DECLINE not in this year's budget lines")
    declined = the_request(session_factory)
    assert declined.status is ItemStatus.CANCELLED
    for person in (ALICE, GRACE):
        told = latest(cycle, person, "declined")
        assert "not in this year's budget lines" in text(told) and item.ref in text(told)
    assert not [m for m in cycle.inbox(WANG) if "declined" in str(m["Subject"])]


def test_only_the_receiver_answers_a_request_and_unknown_items_are_named(
    cycle: Cycle, session_factory: sessionmaker[Session]
) -> None:
    send(cycle, ALICE, "协作需求：Q2 预算核对", REQUEST)
    item = the_request(session_factory)
    mail = latest(cycle, WANG, item.ref)

    reply(cycle, mail, BOB, f"{item.ref} 确认\n{item.ref} 拒绝 不合理")
    unchanged = the_request(session_factory)
    assert (unchanged.confirmed_at, unchanged.status) == (None, ItemStatus.NOT_STARTED)
    answer = text(cycle.inbox(BOB)[-1])
    assert "only the receiver" in answer and WANG in answer

    reply(cycle, mail, WANG, "MF-9999 确认")
    assert the_request(session_factory).confirmed_at is None
    assert "MF-9999" in text(cycle.inbox(WANG)[-1])


def test_the_receipt_says_what_was_not_understood(
    cycle: Cycle, session_factory: sessionmaker[Session]
) -> None:
    body = "Content: figures\nTo department: Finance\nUrgency: whenever\nExpected by: someday\n"
    send(cycle, ALICE, "REQUEST: figures", body)
    item = the_request(session_factory)
    assert (item.urgency, item.due_date) == ("normal", None)
    receipt = text(latest(cycle, ALICE, item.ref))
    assert "not understood" in receipt and "whenever" in receipt and "someday" in receipt


def test_a_request_without_a_known_receiver_creates_nothing(
    cycle: Cycle, session_factory: sessionmaker[Session]
) -> None:
    send(cycle, ALICE, "REQUEST: print the flyers", "To department: Printing\nUrgency: soonish\n")
    assert requests(session_factory) == []
    answer = latest(cycle, ALICE, "not created")
    assert "Printing" in text(answer) and "财务部" in text(answer)


def test_an_urgent_request_is_reminded_before_a_normal_one(
    cycle: Cycle, clock: SteppingClock, session_factory: sessionmaker[Session]
) -> None:
    send(cycle, ALICE, "REQUEST: urgent figures", "To department: Finance\nUrgency: urgent\n")
    send(cycle, ALICE, "REQUEST: normal figures", "To department: Finance\nUrgency: normal\n")
    urgent, normal = requests(session_factory)
    assert (urgent.urgency, normal.urgency) == ("urgent", "normal")

    clock.current = MONDAY + timedelta(hours=4, minutes=5)  # 13:05 in Shanghai
    cycle.run()
    reminders = [m for m in cycle.inbox(WANG) if str(m["Subject"]).startswith("提醒")]
    assert [urgent.ref in str(m["Subject"]) for m in reminders] == [True]
    assert "超过 4 小时" in text(reminders[0])

    clock.current = MONDAY + timedelta(days=1, minutes=5)  # Tuesday 09:05
    cycle.run()
    reminders = [m for m in cycle.inbox(WANG) if str(m["Subject"]).startswith("提醒")]
    assert len(reminders) == 2 and normal.ref in str(reminders[-1]["Subject"])
    # An answered request is not reminded again; each reminder was sent once.
    clock.current += timedelta(days=1)
    cycle.run()
    assert len([m for m in cycle.inbox(WANG) if str(m["Subject"]).startswith("提醒")]) == 2
