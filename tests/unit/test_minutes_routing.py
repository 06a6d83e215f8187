"""Which mails are minutes, which meeting they are about, and how a held version is released."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage

import pytest

from mailflow.domain.minutes_match import Candidate, Mail, choose, day_written
from mailflow.domain.reply_commands import wants_publish
from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.understanding.classifiers.minutes import is_minutes_subject
from mailflow.inbound.understanding.classify import classify


@pytest.mark.parametrize(
    "subject",
    [
        "Minutes: Q2 planning",
        "【会议纪要】二季度预算评审会",
        "会议纪要-研发周会",
        "纪要：供应商年度评审",
        "关于新办公室搬迁的会议纪要",
        "研发周会纪要 0708",
        "會議紀錄：Q3業務檢討",
        "MoM - partner programme call",
        "Minutes of the meeting held on 3 March",
        "Sprint 14 planning - notes & AIs",
        "Fwd: 【会议纪要】周会",
        "转发：年底冲刺会纪要",
    ],
)
def test_subjects_that_name_minutes(subject: str) -> None:
    assert is_minutes_subject(subject)


@pytest.mark.parametrize(
    "subject",
    [
        "MEETING: budget review",
        "Re: Budget",
        "会议纪要通知",  # an OA system's notice that minutes exist, not the minutes
        "Re: 请提交会议纪要：预算复盘",  # a reply to our own request: the reply classifier's
        "Release notes v4.2",
    ],
)
def test_subjects_that_do_not(subject: str) -> None:
    assert not is_minutes_subject(subject)


def _reply_to_their_notice(body: str) -> InboundMail:
    message = EmailMessage()
    message["From"] = "张伟 <zhang.wei@example.com>"
    message["To"] = "alice@example.com"
    message["Cc"] = "meetings@example.com"
    message["Subject"] = "答复: 【会议通知】8月经营分析会（8月20日 14:00）"
    message["In-Reply-To"] = "<notice-from-alices-outlook@example.com>"
    message.set_content(body)
    return InboundMail(message.as_bytes())


def test_a_reply_to_the_organisers_own_notice_is_minutes_when_it_holds_them() -> None:
    minutes = _reply_to_their_notice("会议纪要如下\n二、待办事项\n1. 张伟：汇总预算，8月25日前\n")
    assert classify(minutes).kind == "minutes"
    rsvp = _reply_to_their_notice("收到，我准时参加。")
    assert classify(rsvp).kind == "unknown", "a plain answer stays for a person"


NOW = datetime(2025, 7, 9, 2, tzinfo=UTC)


def _meeting(key: int, title: str, days_ago: float) -> Candidate:
    start = NOW - timedelta(days=days_ago)
    return Candidate(
        key=key,
        title=title,
        day=start.date(),
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        thread_ids=frozenset({f"<thread-{key}@example.com>"}),
        attendees=frozenset({"carol@example.com"}),
    )


def _mail(subject: str, text: str = "", threads: frozenset[str] = frozenset()) -> Mail:
    return Mail(subject, text, threads, frozenset({"carol@example.com"}), NOW)


def test_the_meeting_is_the_one_the_subject_and_the_date_name() -> None:
    weekly = [_meeting(1, "研发周会", 1), _meeting(2, "研发周会", 8), _meeting(3, "预算评审", 2)]
    chosen = choose(_mail("研发周会纪要 0701"), weekly)
    assert chosen is not None and chosen.key == 2, "the day written picks last week's one"
    chosen = choose(_mail("研发周会纪要"), weekly)
    assert chosen is not None and chosen.key == 1, "else the latest that has ended"
    chosen = choose(_mail("Re: notes", threads=frozenset({"<thread-3@example.com>"})), weekly)
    assert chosen is not None and chosen.key == 3, "the thread names it"


def test_two_meetings_that_fit_alike_are_not_guessed() -> None:
    same_day = [_meeting(1, "Design review", 1), _meeting(2, "Design review", 1)]
    assert choose(_mail("Design review minutes"), same_day) is None
    assert choose(_mail("Minutes"), []) is None


def test_days_as_subjects_write_them() -> None:
    day = date(2025, 7, 8)
    for text in ("7月8日", "7/8", "0708", "2025-07-08", "8 Jul", "July 8"):
        assert day_written(day, f"周会纪要 {text}"), text
    assert not day_written(day, "周会纪要 17/8")


@pytest.mark.parametrize(
    "text", ["PUBLISH", "发布", "發布", "确认发布。", "publish as is\n\n> quoted"]
)
def test_publish_releases_held_minutes(text: str) -> None:
    assert wants_publish(text)


@pytest.mark.parametrize(
    "text", ["Please publish the deck", "已发布到群里", "ACTION: @bob publish"]
)
def test_publish_in_a_sentence_is_not_the_command(text: str) -> None:
    assert not wants_publish(text)
