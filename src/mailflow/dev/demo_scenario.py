"""The story ``mailflow demo`` plays: who takes part, what they write, and when.

One working week in March 2025 in Shanghai, one project (二季度规划 / Q2 plan) from request to
retrospective. Alice asks for a meeting on Tuesday and names herself acceptor (验收人); Carol
accepts from her calendar and Dave declines by mail; Bob, the scribe, mails the minutes with three
action items and a risk. Bob says his is done, Alice sends it back (验收不通过), Bob reworks it and
Alice accepts it. Carol confirms hers but reports no progress: it is at risk, and Alice records her
talk with Carol (约谈). Carol asks 研发部 for test devices with a collaboration request (协作需求),
which Dave, its head, confirms. Dave ignores his own item, so it goes overdue and is escalated to
Alice. The executive's weekly digest on Friday evening shows it all, and Alice closes the project:
the retrospective is asked for, its report sent, and the project archived. The people write the
way people do (a ``MEETING:`` mail, replies in Chinese, a calendar answer); mailflow does the rest.

Pure data and message builders: the driver (:mod:`mailflow.dev.demo`) sends these mails through the
loopback stack at each act's time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import icalendar

from mailflow.config.schema import Person
from mailflow.dev.devstack import BOT, DOMAIN

ZONE = "Asia/Shanghai"
ALICE, BOB, CAROL, DAVE, EXEC = (f"{n}@{DOMAIN}" for n in ("alice", "bob", "carol", "dave", "exec"))
PEOPLE = (
    Person(ALICE, "Alice Wang", ("alice",), "Operations", locale="en", timezone=ZONE),
    Person(BOB, "张伟", ("bob", "zhangwei"), "研发部", manager=EXEC, locale="zh_CN", timezone=ZONE),
    Person(
        CAROL,
        "Carol Smith",
        ("carol",),
        "Sales",
        manager=EXEC,
        locale="en",
        timezone="Europe/London",
    ),
    Person(
        DAVE,
        "Dave Chen",
        ("dave",),
        "研发部",
        role="负责人",  # the head of 研发部: collaboration requests to it reach him
        manager=EXEC,
        locale="en",
        timezone=ZONE,
    ),
    Person(EXEC, "Li Ming", ("li",), "Management", role="head", locale="en", timezone=ZONE),
)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of March 2025 in Shanghai, as the UTC instant the clock works in."""
    return datetime(2025, 3, day, hour, minute, tzinfo=ZoneInfo(ZONE)).astimezone(UTC)


START, END = local(10, 9), local(14, 17)

REQUEST = {
    "en": (
        "MEETING: Q2 planning",
        "When: 2025-03-11 14:00\n"
        "Duration: 60 min\n"
        "Where: Room 301\n"
        "Attendees: bob, carol, dave\n"
        "Scribe: bob\n"
        "Agenda:\n"
        "1. Q1 results | alice | 20 | Agree on the Q1 numbers\n"
        "2. Q2 budget | bob | 30 | Approve the Q2 budget\n"
        "3. Test devices | dave | 10 | Decide who orders them\n"
        "Materials: Q1 report.pdf\n"
        "Project: Q2 plan\n"
        "Acceptor: alice\n",
    ),
    "zh": (
        "会议通知：二季度规划会",
        "时间：2025年3月11日 14:00\n"
        "时长：60分钟\n"
        "地点：3楼301会议室\n"
        "参会人：bob, carol, dave\n"
        "记录人：张伟\n"
        "议程：\n"
        "1. 一季度业绩 | alice | 20 | 确认一季度数字\n"
        "2. 二季度预算 | bob | 30 | 批准二季度预算\n"
        "3. 测试设备 | dave | 10 | 决定由谁采购\n"
        "材料：一季度报告.pdf\n"
        "项目：二季度规划\n"
        "验收人：alice\n",
    ),
}

MINUTES = (
    "决议：二季度预算批准，总额 120 万\n"
    "行动项：@bob 准备预算明细 交付物：预算表 截止：3月13日\n"
    "ACTION: @carol Prepare the Q2 sales forecast; deliverable: forecast sheet; due: 2025-03-17\n"
    "ACTION: @dave Order the test devices; due: 2025-03-12\n"
    "风险：测试设备可能延期到货 负责人：dave\n"
    "下次会议：3月18日 14:00 3楼301会议室 预算复盘\n"
)
PROJECT = {"en": "Q2 plan", "zh": "二季度规划"}


@dataclass(frozen=True)
class Outgoing:
    """A mail a person sends to the bot, and the label its copy gets in the output folder."""

    sender: str
    label: str
    message: EmailMessage


# Finds the newest mail of an outbox kind in a person's mailbox, from what the demo has read.
Finder = Callable[[str, str], EmailMessage]


@dataclass(frozen=True)
class Act:
    """One step of the story: at ``at``, these people send these mails (maybe none)."""

    at: datetime
    title: str
    says: str
    mails: Callable[[Finder], list[Outgoing]]


def _new(sender: str, subject: str, text: str, message_id: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = BOT
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{message_id}@{DOMAIN}>"
    msg.set_content(text)
    return msg


def _reply(to: EmailMessage, sender: str, text: str, message_id: str) -> EmailMessage:
    """A reply as a mail client writes it: to the Reply-To, "Re:" subject, thread headers."""
    msg = _new(sender, f"Re: {to['Subject']}", text, message_id)
    msg.replace_header("To", str(to["Reply-To"] or BOT))
    msg["In-Reply-To"] = str(to["Message-ID"])
    msg["References"] = f"{to['References'] or ''} {to['Message-ID']}".strip()
    return msg


def invite_uid(notice: EmailMessage) -> str:
    """The UID of the invite attached to a notice."""
    for part in notice.walk():
        if part.get_content_type() == "text/calendar":
            data = part.get_payload(decode=True)
            if isinstance(data, bytes):
                for event in icalendar.Calendar.from_ical(data).walk("VEVENT"):
                    return str(event["UID"])
    raise ValueError("the notice carries no invite")


def calendar_accept(notice: EmailMessage, attendee: str, name: str) -> EmailMessage:
    """What Outlook sends when the attendee clicks Accept: METHOD:REPLY with their PARTSTAT."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REPLY")
    event = icalendar.Event()
    event.add("uid", invite_uid(notice))
    event.add("dtstamp", local(10, 11))
    event.add("sequence", 0)
    event.add("attendee", f"mailto:{attendee}", parameters={"PARTSTAT": "ACCEPTED", "CN": name})
    event.add("comment", "See you there")
    calendar.add_component(event)
    title = str(notice["Subject"]).partition(":")[2].strip()
    msg = _new(attendee, f"Accepted: {title}", "", "carol-accepts")
    msg.add_alternative(
        calendar.to_ical(), maintype="text", subtype="calendar", params={"method": "REPLY"}
    )
    return msg


def _request(lang: str) -> Callable[[Finder], list[Outgoing]]:
    subject, text = REQUEST[lang]

    def mails(find: Finder) -> list[Outgoing]:
        msg = _new(ALICE, subject, text, "q2-planning")
        msg.replace_header("From", f"Alice Wang <{ALICE}>")
        return [Outgoing(ALICE, "meeting-request", msg)]

    return mails


def _rsvps(find: Finder) -> list[Outgoing]:
    return [
        Outgoing(CAROL, "calendar-accept", calendar_accept(find(CAROL, "notice"), CAROL, "Carol")),
        Outgoing(DAVE, "rsvp", _reply(find(DAVE, "notice"), DAVE, "不参加，出差", "dave-rsvp")),
    ]


def _minutes(find: Finder) -> list[Outgoing]:
    skeleton = find(BOB, "minutes_skeleton")
    return [Outgoing(BOB, "minutes", _reply(skeleton, BOB, MINUTES, "bob-minutes"))]


def _owners(find: Finder) -> list[Outgoing]:
    carol = _reply(find(CAROL, "item_assignment"), CAROL, "CONFIRM", "carol-confirm")
    bob = _reply(find(BOB, "item_assignment"), BOB, "完成 预算表已上传共享盘", "bob-done")
    return [Outgoing(CAROL, "confirm", carol), Outgoing(BOB, "done", bob)]


def _verdict_back(find: Finder) -> list[Outgoing]:
    """Alice sends Bob's budget back; she records her talk with Carol, whose item lags."""
    back = _reply(
        find(ALICE, "acceptance_request"), ALICE, "验收不通过 缺少分部门明细", "alice-reject"
    )
    talk = _reply(
        find(ALICE, "at_risk_prompt"), ALICE, "MF-0002 已约谈，Carol 周五前交初稿", "alice-talked"
    )
    return [Outgoing(ALICE, "reject", back), Outgoing(ALICE, "talked", talk)]


def _request_devices(lang: str) -> Callable[[Finder], list[Outgoing]]:
    def mails(find: Finder) -> list[Outgoing]:
        subject = "协作需求：销售演示用测试设备"
        text = (
            "需求内容：为销售演示准备 5 台测试设备\n"
            "接收部门：研发部\n"
            "紧急程度：紧急\n"
            "期望完成时间：3月14日\n"
            f"项目：{PROJECT[lang]}\n"  # the project as the meeting named it
        )
        msg = _new(CAROL, subject, text, "carol-request")
        return [Outgoing(CAROL, "request", msg)]

    return mails


def _dave_confirms(find: Finder) -> list[Outgoing]:
    confirm = _reply(find(DAVE, "request_assignment"), DAVE, "CONFIRM", "dave-confirm")
    return [Outgoing(DAVE, "confirm", confirm)]


def _rework(find: Finder) -> list[Outgoing]:
    done = _reply(find(BOB, "answer"), BOB, "完成 已补分部门明细", "bob-rework")
    return [Outgoing(BOB, "done", done)]


def _accept(find: Finder) -> list[Outgoing]:
    ok = _reply(find(ALICE, "acceptance_request"), ALICE, "验收通过", "alice-accept")
    return [Outgoing(ALICE, "accept", ok)]


def _close(lang: str) -> Callable[[Finder], list[Outgoing]]:
    def mails(find: Finder) -> list[Outgoing]:
        name = PROJECT[lang]
        subject = f"项目结束：{name}" if lang == "zh" else f"CLOSE PROJECT {name}"
        return [Outgoing(ALICE, "close-project", _new(ALICE, subject, "", "alice-close"))]

    return mails


def _nobody(find: Finder) -> list[Outgoing]:
    return []


def acts(lang: str) -> list[Act]:
    """The story in order; ``lang`` is the language of Alice's request ("en" or "zh")."""
    return [
        Act(START, "Alice asks for a meeting", "a MEETING: mail to the bot", _request(lang)),
        Act(
            local(10, 11),
            "Attendees answer",
            "Carol accepts in her calendar; Dave replies 不参加，出差",
            _rsvps,
        ),
        Act(local(11, 15), "The meeting ends", "the scribe gets a minutes skeleton", _nobody),
        Act(local(11, 16), "Bob mails the minutes", "DECISION and ACTION lines", _minutes),
        Act(
            local(11, 17),
            "Owners answer",
            "Carol: CONFIRM; Bob: 完成 (done), so Alice is asked to accept it",
            _owners,
        ),
        Act(
            local(12, 9),
            "Acceptance and at risk",
            "Alice: 验收不通过 (rework); Carol's item lags, Alice: 已约谈 (talked)",
            _verdict_back,
        ),
        Act(
            local(12, 10),
            "A collaboration request",
            "Carol asks 研发部: 协作需求",
            _request_devices(lang),
        ),
        Act(local(12, 11), "The head confirms", "Dave, head of 研发部: CONFIRM", _dave_confirms),
        Act(local(13, 10), "Rework", "Bob: 完成 again", _rework),
        Act(local(13, 11), "Accepted", "Alice: 验收通过", _accept),
        Act(local(14, 0), "Escalation", "Dave stays silent: the organiser is told", _nobody),
        Act(END, "Friday digest", "the executive's weekly digest", _nobody),
        Act(
            local(14, 17, 30),
            "Alice closes the project",
            "retrospective asked for, its report sent, the project archived",
            _close(lang),
        ),
    ]
