"""A project closed, reviewed (复盘) and archived (归档), end to end on the real mail stack.

Alice's MEETING: mail names the project; Bob's item from its minutes is delayed (a resource
shortage), done, sent back once by Carol and then accepted. Carol cannot close the project (she
is not its coordinator), an unknown name is answered with the projects there are, a bare
"项目结束" with no name is answered with how to write it — none of them changes anything. Alice's
项目结束 closes it: she gets the 复盘会 request with a MEETING: draft, which she sends on and which
lands in the same project; everyone and the 研发部 head get the 复盘报告 with the report attached;
the archive zip is written and mailed to her. A second close is answered "already closed". A
project whose end date has passed is closed by the planner, once.
"""

from __future__ import annotations

import dataclasses
import io
import zipfile
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from mailflow.config.schema import ArchiveSettings, Config, Person
from mailflow.dev.devstack import BOT, MailStack
from mailflow.tracker.models import Meeting, OutboxRow, Project
from tests.conftest import SteppingClock, shanghai_config
from tests.integration.cycle import Cycle, latest, reply
from tests.integration.cycle import text as plain

ALICE, BOB, CAROL = "alice@example.test", "bob@example.test", "carol@example.test"
# The loopback stack has these mailboxes only: Erin (zh_TW) reads hers at exec@.
DAVE, ERIN = "dave@example.test", "exec@example.test"
PEOPLE = (
    Person(ALICE, "Alice Wang", department="Ops", locale="en", timezone="Asia/Shanghai"),
    Person(BOB, "张伟", department="研发部", locale="zh_CN", timezone="Asia/Shanghai"),
    Person(CAROL, "Carol Smith", department="市场部", locale="en", timezone="Asia/Shanghai"),
    Person(DAVE, "李强", department="研发部", role="head", locale="zh_CN"),
    Person(ERIN, "陳怡君", department="業務部", locale="zh_TW", timezone="Asia/Taipei"),
)


@pytest.fixture
def config(app_config: Config, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Config:
    base = shanghai_config(app_config, PEOPLE, monkeypatch)
    return dataclasses.replace(base, archive=ArchiveSettings(dir=tmp_path / "archives"))


def mail(sender: str, subject: str, body: str, mid: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, BOT, subject
    msg["Message-ID"] = f"<{mid}@example.test>"
    msg.set_content(body)
    return msg


def project(sessions: sessionmaker[Session], name: str) -> Project:
    with sessions() as session:
        found = session.scalars(select(Project).where(Project.name == name)).one()
        session.expunge(found)
        return found


def outbox_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(OutboxRow)) or 0


def run_project(cycle: Cycle, mailstack: MailStack, clock: SteppingClock) -> None:
    """A meeting in 新产品发布 and Bob's item: delayed, done, sent back, redone, accepted."""
    clock.current = datetime(2025, 3, 10, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
    mailstack.send(
        mail(
            ALICE,
            "MEETING: 发布评审",
            "时间：2025-03-11 10:00-11:00\n地点：3楼301\n参会人：张伟, carol@example.test\n"
            "项目：新产品发布\n验收人：Carol Smith\n",
            "launch",
        ),
        ALICE,
        [BOT],
    )
    cycle.run()
    clock.current = datetime(2025, 3, 11, 4, 0, tzinfo=UTC)
    cycle.run()
    notice = latest(cycle, ALICE, "发布评审")
    minutes = "会议纪要\n决议：按期发布\n行动项：\n1. 由张伟负责整理发布方案，3月14日前完成\n"
    mailstack.send(reply(notice, ALICE, minutes), ALICE, [BOT])
    cycle.run()
    assignment = latest(cycle, BOB, "行动项")
    mailstack.send(reply(assignment, BOB, "延期 3月18日 人手不够"), BOB, [BOT])
    cycle.run()
    mailstack.send(reply(assignment, BOB, "完成 方案见 https://docs.example.test/a"), BOB, [BOT])
    cycle.run()
    request = [m for m in cycle.inbox(CAROL) if "Please accept" in str(m["Subject"])][-1]
    mailstack.send(reply(request, CAROL, "验收不通过 缺少预算页"), CAROL, [BOT])
    cycle.run()
    sent_back = latest(cycle, BOB, "验收不通过")
    mailstack.send(reply(sent_back, BOB, "完成 已补预算页"), BOB, [BOT])
    cycle.run()
    second = [m for m in cycle.inbox(CAROL) if "Please accept" in str(m["Subject"])][-1]
    mailstack.send(reply(second, CAROL, "Accept"), CAROL, [BOT])
    cycle.run()


def text(msg: EmailMessage) -> str:
    return plain(msg).replace("\r\n", "\n")


def attachment(msg: EmailMessage, suffix: str) -> bytes:
    for part in msg.iter_attachments():
        if str(part.get_filename() or "").endswith(suffix):
            data = part.get_payload(decode=True)
            assert isinstance(data, bytes)
            return data
    raise AssertionError(f"no {suffix} attachment in {msg['Subject']}")


def test_a_project_is_closed_reviewed_and_archived_and_bad_commands_change_nothing(
    config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    cycle = Cycle(config, mailstack, session_factory, clock)
    run_project(cycle, mailstack, clock)
    clock.current = datetime(2025, 3, 20, 2, 0, tzinfo=UTC)  # Thursday 10:00

    # Carol is not the coordinator; nothing changes, and she is told who is.
    before = outbox_count(session_factory)
    mailstack.send(mail(CAROL, "项目结束：新产品发布", "", "c1"), CAROL, [BOT])
    cycle.run()
    assert project(session_factory, "新产品发布").closed_at is None
    answer = cycle.inbox(CAROL)[-1]
    assert "only the coordinator" in text(answer) and ALICE in text(answer)
    # An unknown name, and no name at all, are answered with how to write it.
    mailstack.send(mail(ALICE, "CLOSE PROJECT Lunch", "", "a1"), ALICE, [BOT])
    mailstack.send(mail(ALICE, "Close project", "\n\n", "a2"), ALICE, [BOT])
    cycle.run()
    answers = [text(m) for m in cycle.inbox(ALICE)[-2:]]
    assert any("no project called Lunch" in a and "新产品发布" in a for a in answers)
    assert any("does not say which project" in a for a in answers)
    assert project(session_factory, "新产品发布").closed_at is None
    assert outbox_count(session_factory) == before + 3  # the three answers, nothing else

    # Alice closes it (name on the first line of the body): retro request, reports, archive.
    mailstack.send(mail(ALICE, "项目结束", "新产品发布\n谢谢大家", "a3"), ALICE, [BOT])
    cycle.run()
    closed = project(session_factory, "新产品发布")
    assert closed.closed_at is not None and closed.retro_requested_at is not None
    assert closed.archived_at is not None
    assert "is closed" in text(latest(cycle, ALICE, "项目结束"))

    request = latest(cycle, ALICE, "retrospective")
    body = text(request)
    assert "2025-03-27" in body  # five business days after Thursday 20 March
    draft = body.split("----\n")[1]
    assert "Project: 新产品发布" in draft and BOB in draft
    assert b"<html" in attachment(request, ".html")

    report = latest(cycle, BOB, "复盘报告")
    body = text(report)
    assert "共 1 个事项" in body and "研发部 (1)" in body
    assert "返工次数 1" in body and "资源不足 1" in body and "验收通过 1" in body
    page = attachment(report, ".html").decode()
    assert "复盘报告：新产品发布" in page and "<script" not in page and "http" not in page.lower()
    assert "Retrospective report" in str(latest(cycle, CAROL, "Retrospective")["Subject"])
    assert "复盘报告" in str(latest(cycle, DAVE, "复盘报告")["Subject"])  # 研发部's head

    archived = latest(cycle, ALICE, "Project archive")
    data = attachment(archived, ".zip")
    stored = config.archive.dir / "跨部门协作-新产品发布.zip"
    assert stored.read_bytes() == data
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert names == sorted(names)
    assert "跨部门协作-新产品发布/index.html" in names
    assert (
        "跨部门协作-新产品发布/items.csv" in names and "跨部门协作-新产品发布/report.html" in names
    )
    item_page = next(n for n in names if "/items/MF-" in n)
    html = zipfile.ZipFile(io.BytesIO(data)).read(item_page).decode()
    assert "验收确认单" not in html or "Acceptance record" in html
    assert "Acceptance record" in html and "缺少预算页" in html

    # The draft, sent on as a new mail, makes the retro meeting in the same project.
    subject, _, fields = draft.partition("\n\n")
    mailstack.send(mail(ALICE, subject.removeprefix("Subject: "), fields, "retro"), ALICE, [BOT])
    cycle.run()
    cycle.run()
    with session_factory() as session:
        retro = session.scalars(select(Meeting).where(Meeting.title.contains("Retro"))).one()
        assert retro.project_id == closed.id
        reviewed = session.get(Project, closed.id)
        assert reviewed is not None and reviewed.retro_meeting_id == retro.id

    # Closing again changes nothing and says so; no second report or archive.
    before = outbox_count(session_factory)
    mailstack.send(mail(ALICE, "CLOSE PROJECT 新产品发布", "", "a4"), ALICE, [BOT])
    cycle.run()
    assert "already closed" in text(cycle.inbox(ALICE)[-1])
    assert outbox_count(session_factory) == before + 1


def test_a_project_past_its_end_date_is_closed_once_by_the_planner_zh_tw(
    config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    cycle = Cycle(config, mailstack, session_factory, clock)
    clock.current = datetime(2025, 3, 10, 1, 0, tzinfo=UTC)
    mailstack.send(
        mail(
            ERIN,
            "MEETING: 週會",
            "時間：2025-03-11 10:00-11:00\n參會人：張偉 <bob@example.test>\n專案：新品上市\n",
            "tw",
        ),
        ERIN,
        [BOT],
    )
    cycle.run()
    with session_factory() as session, session.begin():
        found = session.scalars(select(Project)).one()
        found.end_date = date(2025, 3, 12)
    # Bob (not the coordinator) writes the zh_TW command: refused, nothing changes.
    mailstack.send(mail(BOB, "專案結束：新品上市", "", "b1"), BOB, [BOT])
    cycle.run()
    assert "只有项目“新品上市”的协调人" in text(cycle.inbox(BOB)[-1])
    assert project(session_factory, "新品上市").closed_at is None

    clock.current = datetime(2025, 3, 13, 1, 0, tzinfo=UTC)  # the day after its end date
    cycle.run()
    closed = project(session_factory, "新品上市")
    assert closed.closed_at == clock.current
    request = latest(cycle, ERIN, "復盤會")
    assert "結束日期 2025-03-12 已過" in text(request)
    assert "專案：新品上市" in text(request)
    assert "復盤報告" in str(latest(cycle, ERIN, "復盤報告")["Subject"])
    before = outbox_count(session_factory)
    clock.advance(days=1)
    cycle.run()
    assert outbox_count(session_factory) == before
    assert (config.archive.dir / "跨部门协作-新品上市.zip").is_file()
