"""A project from meeting to acceptance, end to end on the real mail stack (issue 16).

Alice's MEETING: mail names the project (项目) and its acceptor (验收人 Carol). The minutes give
Bob an item; Bob's DONE does not close it: Carol is asked to accept the deliverable; she sends it
back (验收不通过 + what is missing), Bob reworks it, and her bare "ACCEPT" in answer to the second
request closes it. Someone who is not the acceptor cannot accept; a delay's reason is filed in a
category; an attendee's objection to the official minutes reaches the organiser.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from email.message import EmailMessage

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mailflow.config.schema import Config, Person
from mailflow.dev.devstack import BOT, MailStack
from mailflow.tracker.models import ActionItem, ItemHistory, ItemStatus, Meeting, Minutes, Project
from tests.conftest import SteppingClock, shanghai_config
from tests.integration.cycle import Cycle, latest, reply, text

ALICE, BOB, CAROL = "alice@example.test", "bob@example.test", "carol@example.test"
PEOPLE = (
    Person(ALICE, "Alice Wang", department="Ops", locale="en", timezone="Asia/Shanghai"),
    Person(BOB, "张伟", department="研发部", locale="zh_CN", timezone="Asia/Shanghai"),
    Person(CAROL, "Carol Smith", department="市场部", locale="en", timezone="Asia/Shanghai"),
)


@pytest.fixture
def config(app_config: Config, monkeypatch: pytest.MonkeyPatch) -> Config:
    return shanghai_config(app_config, PEOPLE, monkeypatch)


def item(sessions: sessionmaker[Session]) -> ActionItem:
    with sessions() as session:
        found = session.scalars(select(ActionItem)).one()
        session.expunge(found)
        return found


def test_a_deliverable_is_sent_back_reworked_and_accepted_and_minutes_objected_to(
    config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    cycle = Cycle(config, mailstack, session_factory, clock)
    clock.current = datetime(2025, 3, 10, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
    meeting = EmailMessage()
    meeting["From"], meeting["To"], meeting["Subject"] = ALICE, BOT, "MEETING: 发布评审"
    meeting["Message-ID"] = "<launch@example.test>"
    meeting.set_content(
        "时间：2025-03-11 10:00-11:00\n地点：3楼301\n参会人：张伟, carol@example.test\n"
        "项目：新产品发布\n验收人：Carol Smith\n"
    )
    mailstack.send(meeting, ALICE, [BOT])
    cycle.run()
    with session_factory() as session:
        project = session.scalars(select(Project)).one()
        assert (project.name, project.coordinator_email) == ("新产品发布", ALICE)
        assert session.scalars(select(Meeting)).one().project_id == project.id

    clock.current = datetime(2025, 3, 11, 4, 0, tzinfo=UTC)  # after the meeting
    cycle.run()
    notice = latest(cycle, ALICE, "发布评审")
    minutes = "会议纪要\n决议：按期发布\n行动项：\n1. 由张伟负责整理发布方案，3月14日前完成\n"
    mailstack.send(reply(notice, ALICE, minutes), ALICE, [BOT])
    cycle.run()
    first = item(session_factory)
    assert first.acceptor_email == CAROL and first.project_id is not None

    # Bob says done: the item waits for Carol, who is asked to accept it.
    assignment = latest(cycle, BOB, "行动项")
    mailstack.send(
        reply(assignment, BOB, "完成 方案见 https://docs.example.test/launch"), BOB, [BOT]
    )
    cycle.run()
    assert item(session_factory).status is ItemStatus.AWAITING_ACCEPTANCE
    request = latest(cycle, CAROL, first.ref)
    assert "https://docs.example.test/launch" in text(request)
    assert f"{first.ref} ACCEPT" in text(request)

    # Bob cannot accept his own work; nothing changes.
    mailstack.send(reply(request, BOB, f"{first.ref} 验收通过"), BOB, [BOT])
    cycle.run()
    assert item(session_factory).status is ItemStatus.AWAITING_ACCEPTANCE
    assert "acceptor" in text(cycle.inbox(BOB)[-1])

    # Carol sends it back: rework, due again three business days later, Bob told why.
    mailstack.send(reply(request, CAROL, "验收不通过 缺少预算页"), CAROL, [BOT])
    cycle.run()
    reworked = item(session_factory)
    assert reworked.status is ItemStatus.IN_PROGRESS and reworked.rework_count == 1
    assert reworked.due_date == date(2025, 3, 14)  # Tue 11 Mar + 3 business days
    sent_back = latest(cycle, BOB, "验收不通过")
    assert "缺少预算页" in text(sent_back)

    # Bob reworks it; Carol's bare ACCEPT answers the new request and closes it.
    mailstack.send(reply(sent_back, BOB, f"{first.ref} 完成 已补预算页"), BOB, [BOT])
    cycle.run()
    second = [m for m in cycle.inbox(CAROL) if first.ref in str(m["Subject"])][-1]
    assert second["Message-ID"] != request["Message-ID"]
    mailstack.send(reply(second, CAROL, "Accept"), CAROL, [BOT])
    cycle.run()
    done = item(session_factory)
    assert done.status is ItemStatus.DONE
    assert "验收通过" in str(latest(cycle, BOB, "验收通过")["Subject"])
    with session_factory() as session:
        verdicts = [
            h.new_value
            for h in session.scalars(select(ItemHistory).where(ItemHistory.kind == "acceptance"))
        ]
    assert verdicts == ["rejected: 缺少预算页", "accepted"]

    # Carol objects to the official minutes: Alice (organiser and scribe) hears it at once.
    official = latest(cycle, CAROL, "发布评审")
    mailstack.send(reply(official, CAROL, "有异议：发布日期应为3月20日"), CAROL, [BOT])
    cycle.run()
    objection = latest(cycle, ALICE, "Objection")
    assert "发布日期应为3月20日" in text(objection) and "1 objected" in text(objection)
    with session_factory() as session:
        answers = session.scalars(select(Minutes)).one().responses
    assert answers[CAROL]["verdict"] == "object"


def test_a_delay_reason_is_filed_in_its_category(
    config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    cycle = Cycle(config, mailstack, session_factory, clock)
    clock.current = datetime(2025, 3, 10, 1, 0, tzinfo=UTC)
    meeting = EmailMessage()
    meeting["From"], meeting["To"], meeting["Subject"] = ALICE, BOT, "MEETING: Weekly"
    meeting["Message-ID"] = "<weekly@example.test>"
    meeting.set_content("When: 2025-03-11 10:00-11:00\nAttendees: bob@example.test\n")
    mailstack.send(meeting, ALICE, [BOT])
    cycle.run()
    clock.current = datetime(2025, 3, 11, 4, 0, tzinfo=UTC)
    cycle.run()
    notice = latest(cycle, ALICE, "Meeting notice")
    mailstack.send(
        reply(notice, ALICE, "ACTION: @bob send the figures by 2025-03-14"), ALICE, [BOT]
    )
    cycle.run()
    assignment = latest(cycle, BOB, "行动项")
    mailstack.send(reply(assignment, BOB, "延期 3月21日 供应商延迟交货"), BOB, [BOT])
    cycle.run()
    delayed = item(session_factory)
    assert delayed.status is ItemStatus.DELAYED
    assert (delayed.delay_category, delayed.delay_reason) == ("external", "供应商延迟交货")


def awaiting_item(
    cycle: Cycle, mailstack: MailStack, sessions: sessionmaker[Session], clock: SteppingClock
) -> tuple[ActionItem, EmailMessage]:
    """Alice's project meeting, Bob's item with Carol as acceptor, Bob's DONE: Carol's request."""
    clock.current = datetime(2025, 3, 10, 1, 0, tzinfo=UTC)
    meeting = EmailMessage()
    meeting["From"], meeting["To"], meeting["Subject"] = ALICE, BOT, "MEETING: 验收演练"
    meeting["Message-ID"] = "<drill@example.test>"
    meeting.set_content(
        "时间：2025-03-11 10:00-11:00\n参会人：张伟, carol@example.test\n"
        "项目：演练\n验收人：Carol\n"
    )
    mailstack.send(meeting, ALICE, [BOT])
    cycle.run()
    clock.current = datetime(2025, 3, 11, 4, 0, tzinfo=UTC)
    cycle.run()
    notice = latest(cycle, ALICE, "验收演练")
    mailstack.send(
        reply(notice, ALICE, "行动项：\n1. 由张伟负责整理演练报告，3月14日前完成\n"), ALICE, [BOT]
    )
    cycle.run()
    mailstack.send(reply(latest(cycle, BOB, "行动项"), BOB, "完成 报告已上传"), BOB, [BOT])
    cycle.run()
    found = item(sessions)
    assert found.status is ItemStatus.AWAITING_ACCEPTANCE
    return found, latest(cycle, CAROL, found.ref)


def test_bad_verdicts_get_a_clear_answer_and_change_nothing(
    config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    cycle = Cycle(config, mailstack, session_factory, clock)
    first, request = awaiting_item(cycle, mailstack, session_factory, clock)
    for line, said in (
        ("验收不通过", "reason"),  # what is missing is required
        ("MF-9999 ACCEPT", "no item MF-9999"),
        (f"{first.ref} REJECT", "reason"),
    ):
        mailstack.send(reply(request, CAROL, line), CAROL, [BOT])
        cycle.run()
        answer = text(cycle.inbox(CAROL)[-1])
        assert said in answer, (line, answer)
        unchanged = item(session_factory)
        assert unchanged.status is ItemStatus.AWAITING_ACCEPTANCE and unchanged.rework_count == 0
    # Accepted once, a second ACCEPT is refused: the item is no longer awaiting acceptance.
    mailstack.send(reply(request, CAROL, f"{first.ref} ACCEPT"), CAROL, [BOT])
    cycle.run()
    assert item(session_factory).status is ItemStatus.DONE
    mailstack.send(reply(request, CAROL, f"{first.ref} REJECT 太晚了"), CAROL, [BOT])
    cycle.run()
    assert "not awaiting acceptance" in text(cycle.inbox(CAROL)[-1])
    assert item(session_factory).status is ItemStatus.DONE


def test_a_silent_acceptor_is_reminded_then_the_coordinator_told(
    config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    cycle = Cycle(config, mailstack, session_factory, clock)
    first, _ = awaiting_item(cycle, mailstack, session_factory, clock)
    asked = len([m for m in cycle.inbox(CAROL) if first.ref in str(m["Subject"])])
    clock.current = datetime(2025, 3, 12, 2, 0, tzinfo=UTC)  # one business day: not yet
    cycle.run()
    assert len([m for m in cycle.inbox(CAROL) if first.ref in str(m["Subject"])]) == asked
    clock.current = datetime(2025, 3, 13, 2, 0, tzinfo=UTC)  # two business days: reminded
    cycle.run()
    reminders = [m for m in cycle.inbox(CAROL) if first.ref in str(m["Subject"])]
    assert len(reminders) == asked + 1 and "2 business days" in text(reminders[-1])
    before = len(cycle.inbox(ALICE))
    clock.current = datetime(2025, 3, 17, 2, 0, tzinfo=UTC)  # four business days: Alice told
    cycle.run()
    told = [m for m in cycle.inbox(ALICE)[before:] if first.ref in str(m["Subject"])]
    assert len(told) == 1 and "4 business days" in text(told[0])


def test_files_attached_to_done_reach_the_acceptor(
    config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    cycle = Cycle(config, mailstack, session_factory, clock)
    clock.current = datetime(2025, 3, 10, 1, 0, tzinfo=UTC)
    meeting = EmailMessage()
    meeting["From"], meeting["To"], meeting["Subject"] = ALICE, BOT, "MEETING: 方案评审"
    meeting["Message-ID"] = "<files@example.test>"
    meeting.set_content("时间：2025-03-11 10:00-11:00\n参会人：张伟\n验收人：Carol\n")
    mailstack.send(meeting, ALICE, [BOT])
    cycle.run()
    clock.current = datetime(2025, 3, 11, 4, 0, tzinfo=UTC)
    cycle.run()
    notice = latest(cycle, ALICE, "方案评审")
    mailstack.send(reply(notice, ALICE, "行动项：由张伟负责方案初稿，3月14日前"), ALICE, [BOT])
    cycle.run()
    # Bob answers as Outlook does: text, an inline logo in his signature, and the deliverable.
    done = reply(latest(cycle, BOB, "行动项"), BOB, "完成，初稿见附件")
    done.add_alternative("<p>完成，初稿见附件</p><img src='cid:logo'>", subtype="html")
    parts = done.get_payload()
    assert isinstance(parts, list) and isinstance(parts[1], EmailMessage)
    parts[1].add_related(
        b"\x89PNG\r\n\x1a\nlogo",
        maintype="image",
        subtype="png",
        cid="<logo>",
        filename="logo.png",
        disposition="inline",
    )
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 40
    done.add_attachment(pdf, maintype="application", subtype="pdf", filename="方案初稿.pdf")
    mailstack.send(done, BOB, [BOT])
    cycle.run()
    accepted = item(session_factory)
    assert accepted.status is ItemStatus.AWAITING_ACCEPTANCE
    # The deliverable names the file beside what Bob wrote; the logo is not a deliverable.
    shown = str(accepted.deliverable)
    assert "初稿见附件" in shown and shown.endswith("方案初稿.pdf") and "logo" not in shown
    request = latest(cycle, CAROL, accepted.ref)
    files = {
        part.get_filename(): part.get_payload(decode=True) for part in request.iter_attachments()
    }
    assert files == {"方案初稿.pdf": pdf}
    assert "方案初稿.pdf" in text(request)
