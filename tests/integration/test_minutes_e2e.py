"""Minutes and action items end to end on the real mail stack, SQLite and PostgreSQL.

The meeting ends → the scribe gets the skeleton → replies with the minutes (plain, Outlook-style
HTML, Chinese) → items are created → the official minutes reach every attendee within the deadline
(driven by the stepping clock) → owners reply with each command → states and receipts are checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mailflow.config.schema import (
    Config,
    Person,
)
from mailflow.dev.devstack import BOT, MailStack
from mailflow.tracker.models import (
    ActionItem,
    Decision,
    InboundMessage,
    ItemHistory,
    ItemStatus,
    Minutes,
    OutboxRow,
)
from tests.conftest import SteppingClock, shanghai_config
from tests.integration.cycle import Cycle

ALICE, BOB, CAROL, EXEC = (
    "alice@example.test",
    "bob@example.test",
    "carol@example.test",
    "exec@example.test",
)
PEOPLE = (
    Person(
        ALICE,
        "Alice Wang",
        aliases=("alice",),
        department="Ops",
        locale="en",
        timezone="Asia/Shanghai",
    ),
    Person(
        BOB,
        "张伟",
        aliases=("bob", "zhangwei"),
        department="研发部",
        locale="zh_CN",
        timezone="Asia/Shanghai",
        manager=EXEC,
    ),
    Person(
        CAROL,
        "Carol Smith",
        aliases=("carol",),
        department="Sales",
        locale="en",
        timezone="Europe/London",
    ),
    Person(
        EXEC,
        "Executive Li",
        aliases=("li",),
        department="研发部",
        role="head",
        locale="zh_CN",
        timezone="Asia/Shanghai",
    ),
)
# The meeting: Tuesday 11 March 2025, 14:00–15:00 in Shanghai (06:00–07:00 UTC).
START = datetime(2025, 3, 11, 6, 0, tzinfo=UTC)


@pytest.fixture
def config(app_config: Config, monkeypatch: pytest.MonkeyPatch) -> Config:
    return shanghai_config(app_config, PEOPLE, monkeypatch)


@pytest.fixture
def ended(
    config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> Iterator[Cycle]:
    """The meeting was announced, held, and has just ended: the skeleton is in Bob's mailbox."""
    run = Cycle(config, mailstack, session_factory, clock)
    clock.current = START - timedelta(days=1)
    msg = EmailMessage()
    msg["From"] = f"Alice Wang <{ALICE}>"
    msg["To"] = BOT
    msg["Subject"] = "MEETING: Q2 planning"
    msg["Message-ID"] = "<q2@example.test>"
    msg.set_content(
        f"When: 2025-03-11 14:00\nDuration: 60 min\nAttendees: {BOB}, {CAROL}\nScribe: bob\n"
        "Agenda:\n1. Budget | alice | 30 | Approve the Q2 budget\n"
    )
    mailstack.send(msg, ALICE, [BOT])
    run.run()
    clock.current = START + timedelta(hours=1, minutes=5)
    run.run()
    yield run


def _skeleton(cycle: Cycle) -> EmailMessage:
    [skeleton] = [m for m in cycle.inbox(BOB) if "纪要" in str(m["Subject"])]
    return skeleton


def _reply(to: EmailMessage, sender: str, text: str, html: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = str(to["Reply-To"] or BOT)
    msg["Subject"] = f"Re: {to['Subject']}"
    msg["In-Reply-To"] = str(to["Message-ID"])
    msg["References"] = f"{to['References'] or ''} {to['Message-ID']}".strip()
    msg["Message-ID"] = f"<{abs(hash((sender, text)))}@example.test>"
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    return msg


def _receipts(cycle: Cycle, user: str) -> list[EmailMessage]:
    """Answers to a person's own mail (RFC 3834 auto-replied), oldest first."""
    return [m for m in cycle.inbox(user) if m["Auto-Submitted"] == "auto-replied"]


def _items(sessions: sessionmaker[Session]) -> dict[str, ActionItem]:
    with sessions() as session:
        return {i.ref: i for i in session.scalars(select(ActionItem).order_by(ActionItem.id))}


def _text(msg: EmailMessage) -> str:
    body = msg.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


MINUTES_ZH = """决议：二季度预算批准，总额 120 万
行动项：@bob 准备预算明细 交付物：预算表 截止：3月14日
行动项：carol Prepare the sales forecast; due: 2025-03-20
争议：是否外包测试 负责人：alice 截止：下周五
下次会议：3月18日 14:00 3楼会议室 预算复盘
"""


def test_minutes_from_the_skeleton_reply_to_official_minutes_and_assignments(
    ended: Cycle, mailstack: MailStack, session_factory: sessionmaker[Session]
) -> None:
    skeleton = _skeleton(ended)
    assert "Budget" in _text(skeleton), "the agenda is pre-filled"
    mailstack.send(
        _reply(skeleton, BOB, MINUTES_ZH + "\n\n> DECISION: quoted, never read\n"), BOB, [BOT]
    )
    ended.clock.current += timedelta(hours=2)
    ended.run()

    items = _items(session_factory)
    assert [(i.owner_email, i.due_date, i.kind) for i in items.values()] == [
        (BOB, date(2025, 3, 14), "action"),
        (CAROL, date(2025, 3, 20), "action"),
        (ALICE, date(2025, 3, 21), "issue"),  # the 争议 line: a tracked issue
    ]
    with session_factory() as session:
        decisions = list(session.scalars(select(Decision.text)))
    assert decisions == ["二季度预算批准，总额 120 万"]
    for person in (ALICE, BOB, CAROL, EXEC):
        official = [
            m
            for m in ended.inbox(person)
            if "Minutes" in str(m["Subject"]) or "会议纪要：" in str(m["Subject"])
        ]
        assert official, f"{person} received the official minutes"
        body = _text(official[-1])
        assert all(ref in body for ref in items), "every ref is in the minutes"
    assignment_bob = [m for m in ended.inbox(BOB) if any(r in _text(m) for r in items)]
    assert assignment_bob, "Bob is asked to confirm his item"
    receipt = _receipts(ended, BOB)[-1]
    assert receipt["In-Reply-To"], "the receipt answers the scribe's mail"


def test_owner_commands_change_state_with_history_and_receipts(
    ended: Cycle, mailstack: MailStack, session_factory: sessionmaker[Session]
) -> None:
    mailstack.send(_reply(_skeleton(ended), BOB, MINUTES_ZH), BOB, [BOT])
    ended.run()
    refs = list(_items(session_factory))
    bob_ref, carol_ref, _issue_ref = refs
    assignment = next(m for m in ended.inbox(CAROL) if carol_ref in _text(m))

    mailstack.send(_reply(assignment, CAROL, "CONFIRM\n60%"), CAROL, [BOT])
    ended.run()
    carol_item = _items(session_factory)[carol_ref]
    assert carol_item.confirmed_at is not None
    assert (carol_item.status, carol_item.progress) == (ItemStatus.IN_PROGRESS, 60)
    receipt = ended.inbox(CAROL)[-1]
    assert carol_ref in _text(receipt) and "60" in _text(receipt)

    mailstack.send(
        _reply(assignment, CAROL, "DELAY 2025-03-28 waiting for the Q1 numbers"), CAROL, [BOT]
    )
    mailstack.send(_reply(assignment, BOB, f"{bob_ref} 完成"), BOB, [BOT])
    mailstack.send(_reply(assignment, CAROL, f"{bob_ref} DONE"), CAROL, [BOT])
    ended.run()
    items = _items(session_factory)
    assert (items[carol_ref].status, items[carol_ref].due_date) == (
        ItemStatus.DELAYED,
        date(2025, 3, 28),
    )
    assert items[carol_ref].delay_reason == "waiting for the Q1 numbers"
    assert items[bob_ref].status is ItemStatus.DONE
    assert "may only be changed" in _text(ended.inbox(CAROL)[-1]), "not Carol's item"

    mailstack.send(_reply(assignment, CAROL, "DELAY 2025-04-02"), CAROL, [BOT])
    ended.run()
    assert _items(session_factory)[carol_ref].due_date == date(2025, 3, 28), "no reason: refused"
    with session_factory() as session:
        kinds = list(
            session.scalars(
                select(ItemHistory.kind)
                .join(ActionItem)
                .where(ActionItem.ref == carol_ref)
                .order_by(ItemHistory.id)
            )
        )
    assert kinds[0] == "created" and "confirmed" in kinds and kinds.count("update") >= 3


def test_correction_keeps_refs_and_lists_changes(
    ended: Cycle, mailstack: MailStack, session_factory: sessionmaker[Session]
) -> None:
    mailstack.send(_reply(_skeleton(ended), BOB, MINUTES_ZH), BOB, [BOT])
    ended.run()
    first = _items(session_factory)
    receipt = _receipts(ended, BOB)[-1]
    corrected = MINUTES_ZH.replace("截止：3月14日", "截止：3月17日").replace(
        "行动项：carol Prepare the sales forecast; due: 2025-03-20\n", ""
    )
    mailstack.send(_reply(receipt, BOB, corrected), BOB, [BOT])
    ended.run()

    items = _items(session_factory)
    bob_ref, carol_ref, issue_ref = list(first)
    assert items[bob_ref].due_date == date(2025, 3, 17), "same ref, new due date"
    assert items[issue_ref].status is ItemStatus.IN_PROGRESS, "the issue keeps its ref"
    assert items[carol_ref].status is ItemStatus.CANCELLED
    with session_factory() as session:
        versions = [(m.version, m.is_correction) for m in session.scalars(select(Minutes))]
    assert versions == [(1, False), (2, True)]
    correction = [m for m in ended.inbox(CAROL) if "Correction" in str(m["Subject"])]
    assert correction and carol_ref in _text(correction[0])


def test_outlook_html_minutes_and_problems_listed(
    ended: Cycle, mailstack: MailStack, session_factory: sessionmaker[Session]
) -> None:
    html = (
        "<html><body><div class=WordSection1>"
        "<p class=MsoNormal><b>DECISION:</b> Ship on 1 April<o:p></o:p></p>"
        "<p class=MsoNormal>ACTION: @carol Update the launch plan; due: by Friday<o:p></o:p></p>"
        "<p class=MsoNormal>ACTION: @nobody Find a venue<o:p></o:p></p>"
        "</div></body></html>"
    )
    text = "DECISION: Ship on 1 April\nACTION: @carol Update the launch plan; due: by Friday\n"
    mailstack.send(
        _reply(_skeleton(ended), BOB, text + "ACTION: @nobody Find a venue\n", html), BOB, [BOT]
    )
    ended.run()
    items = list(_items(session_factory).values())
    assert [(i.owner_email, i.due_date) for i in items] == [(CAROL, date(2025, 3, 14))]
    receipt = _receipts(ended, BOB)[-1]
    assert "nobody" in _text(receipt), "the unresolved line is listed with what to write"


def _reminders(sessions: sessionmaker[Session]) -> list[list[str]]:
    with sessions() as session:
        rows = session.scalars(
            select(OutboxRow.recipients)
            .where(OutboxRow.kind == "minutes_reminder")
            .order_by(OutboxRow.id)
        )
        return [list(r) for r in rows]


def test_late_minutes_remind_the_scribe_then_the_organiser(
    ended: Cycle, session_factory: sessionmaker[Session]
) -> None:
    deadline = START + timedelta(hours=1 + 24)
    bob_before, alice_before = len(ended.inbox(BOB)), len(ended.inbox(ALICE))
    ended.clock.current = deadline - timedelta(hours=2, minutes=1)
    ended.run()
    assert _reminders(session_factory) == [], "not before 2 h ahead of the deadline"
    ended.clock.current = deadline - timedelta(hours=2)
    ended.run()
    assert _reminders(session_factory) == [[BOB]]
    assert len(ended.inbox(BOB)) == bob_before + 1
    ended.clock.current = deadline
    ended.run()
    ended.run()
    assert _reminders(session_factory) == [[BOB], [ALICE]]
    assert len(ended.inbox(ALICE)) == alice_before + 1, "the organiser is told once"


def _official(cycle: Cycle, user: str) -> list[EmailMessage]:
    return [m for m in cycle.inbox(user) if m["Auto-Submitted"] != "auto-replied"]


WORD_TABLE = """<html xmlns:o="urn:schemas-microsoft-com:office:office"><body lang=ZH-CN>
<div class=WordSection1><p class=MsoNormal>各位好，会议纪要如下。<o:p></o:p></p>
<p class=MsoNormal><b>一、会议决议</b></p><p class=MsoNormal>1. 二季度预算总额控制在120万以内</p>
<p class=MsoNormal><b>二、行动项</b></p>
<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0>
<tr><td width=40><p class=MsoNormal><b>序号</b></p></td><td><p class=MsoNormal><b>事项</b></p></td>
<td><p class=MsoNormal><b>责任人</b></p></td><td><p class=MsoNormal><b>完成时间</b></p></td></tr>
<tr><td><p>1</p></td><td><p class=MsoNormal><span lang=ZH-CN>汇总预算明细<o:p></o:p></span></p>
</td><td><p>张伟</p></td><td><p>3月14日</p></td></tr>
<tr><td><p>2</p></td><td><p>Prepare the sales forecast</p></td><td><p>Carol</p></td>
<td><p>待定</p></td></tr>
<tr><td><p>3</p></td><td><p>联系场地供应商</p></td><td><p>赵敏</p></td><td><p>下周三</p></td></tr>
</table><p class=MsoNormal>谢谢！</p></div></body></html>"""


def test_a_word_table_becomes_items_and_the_receipt_lists_every_row_it_could_not_use(
    ended: Cycle, mailstack: MailStack, session_factory: sessionmaker[Session]
) -> None:
    # Outlook's text alternative puts each cell on a line of its own: the HTML grid is read.
    plain = "各位好，会议纪要如下。\n序号\n事项\n责任人\n完成时间\n1\n汇总预算明细\n张伟\n3月14日\n"
    mailstack.send(_reply(_skeleton(ended), BOB, plain, WORD_TABLE), BOB, [BOT])
    ended.run()

    items = list(_items(session_factory).values())
    assert [(i.owner_email, i.description, i.due_date) for i in items] == [
        (BOB, "汇总预算明细", date(2025, 3, 14)),
        (CAROL, "Prepare the sales forecast", None),
    ]
    receipt = _text(_receipts(ended, BOB)[-1])
    assert "赵敏" in receipt and "找不到负责人" in receipt, "the unknown owner's row is listed"
    assert "没有截止日期" in receipt or "无法识别截止日期" in receipt, (
        "the dateless item is flagged"
    )
    assert any(items[0].ref in _text(m) for m in _official(ended, CAROL))


HELD = """会议纪要
二、待办事项
1. 赵敏：联系场地供应商，下周三前
2. 王小明 负责整理参会名单
"""


def test_minutes_whose_actions_all_fail_are_held_until_the_scribe_publishes(
    ended: Cycle, mailstack: MailStack, session_factory: sessionmaker[Session]
) -> None:
    carol_before = len(_official(ended, CAROL))
    mailstack.send(_reply(_skeleton(ended), BOB, HELD), BOB, [BOT])
    ended.run()

    with session_factory() as session:
        [minutes] = session.scalars(select(Minutes))
        assert (minutes.held_reason, minutes.official_sent_at) == ("no_items", None)
    assert len(_official(ended, CAROL)) == carol_before, "nothing went to the attendees"
    receipt = _receipts(ended, BOB)[-1]
    assert "暂未发布" in str(receipt["Subject"])
    body = _text(receipt)
    assert "赵敏" in body and "王小明" in body and "发布" in body
    told = [m for m in ended.inbox(ALICE) if "held" in str(m["Subject"]).lower()]
    assert told and "PUBLISH" in _text(told[-1]), "the organiser knows the minutes wait"

    mailstack.send(_reply(receipt, BOB, "发布"), BOB, [BOT])
    ended.run()
    with session_factory() as session:
        [minutes] = session.scalars(select(Minutes))
        assert minutes.held_reason is None and minutes.official_sent_at is not None
    assert len(_official(ended, CAROL)) == carol_before + 1, "published as written"
    assert _items(session_factory) == {}, "still no item: nobody to own one"


AI_SUMMARY = """麻烦看一下，会上的 AI 纪要转给你们。

---------- Forwarded message ---------
From: 腾讯会议 <noreply@meeting.example.test>
Date: 2025年3月11日 周二 15:05
Subject: 腾讯会议 AI 小助手：Q2 planning 智能纪要
To: 张伟 <bob@example.test>

会议待办
1. Carol 负责整理销售预测，3月20日前完成
2. 张伟 汇总预算明细，本周五前
"""


def test_a_forwarded_ai_summary_waits_for_the_scribe_before_its_items_count(
    ended: Cycle, mailstack: MailStack, session_factory: sessionmaker[Session]
) -> None:
    msg = EmailMessage()
    msg["From"] = f"张伟 <{BOB}>"
    msg["To"] = ALICE
    msg["Cc"] = BOT
    msg["Subject"] = "转发：腾讯会议 AI 小助手：Q2 planning 智能纪要"
    msg["Message-ID"] = "<fwd-ai@example.test>"
    msg.set_content(AI_SUMMARY)
    mailstack.send(msg, BOB, [ALICE, BOT])
    ended.run()

    assert _items(session_factory) == {}, "another system's notes create nothing by themselves"
    receipt = _receipts(ended, BOB)[-1]
    assert "AI" in _text(receipt) and "发布" in _text(receipt)

    mailstack.send(_reply(receipt, BOB, "发布"), BOB, [BOT])
    ended.run()
    items = list(_items(session_factory).values())
    assert sorted((i.owner_email, i.due_date) for i in items) == [
        (BOB, date(2025, 3, 14)),
        (CAROL, date(2025, 3, 20)),
    ]


def test_minutes_under_a_subject_of_the_scribes_own_are_matched_to_the_meeting(
    ended: Cycle, mailstack: MailStack, session_factory: sessionmaker[Session]
) -> None:
    msg = EmailMessage()
    msg["From"] = f"张伟 <{BOB}>"
    msg["To"] = f"{CAROL}, {ALICE}"
    msg["Cc"] = BOT
    msg["Subject"] = "Q2 planning 会议纪要 3/11"
    msg["Message-ID"] = "<own-subject@example.test>"
    msg.set_content(
        "会议确定二季度预算。\n由张伟负责汇总预算明细，3月14日前完成。\n请Carol于下周三前提交销售预测。\n"
    )
    mailstack.send(msg, BOB, [CAROL, ALICE, BOT])
    stranger = EmailMessage()
    stranger["From"] = f"Carol Smith <{CAROL}>"
    stranger["To"] = BOT
    stranger["Subject"] = "Minutes: customer workshop"
    stranger["Message-ID"] = "<not-hers@example.test>"
    stranger.set_content("ACTION: @bob Send the deck by Friday\n")
    mailstack.send(stranger, CAROL, [BOT])
    oa = EmailMessage()
    oa["From"] = "协同办公平台 <oa@example.test>"
    oa["To"] = BOT
    oa["Subject"] = "【会议纪要】Q2 planning 已归档"
    oa["Message-ID"] = "<oa-1@example.test>"
    oa.set_content("您有一份会议纪要待阅。此邮件由系统自动发送，请勿直接回复。")
    mailstack.send(oa, "oa@example.test", [BOT])
    ended.run()

    items = list(_items(session_factory).values())
    assert sorted((i.owner_email, i.due_date) for i in items) == [
        (BOB, date(2025, 3, 14)),
        (CAROL, date(2025, 3, 19)),
    ]
    answer = _text(_receipts(ended, CAROL)[-1])
    assert "could not be matched" in answer and "only a meeting's organiser or scribe" in answer
    with session_factory() as session:
        recorded = session.scalar(
            select(InboundMessage.outcome).where(InboundMessage.sender == "oa@example.test")
        )
        recipients = [r for row in session.scalars(select(OutboxRow.recipients)) for r in row]
    assert recorded is not None and recorded.value == "ignored"
    assert "oa@example.test" not in recipients, "a system's notice is never answered"
