"""The intake receipt: one answer per intake, in the organiser's language and zone."""

from __future__ import annotations

import dataclasses
import email
import html
import json
import re
from collections.abc import Sequence
from datetime import datetime
from email import policy
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from mailflow.config.schema import (
    Config,
    ImapSettings,
    MailSettings,
    PeopleSettings,
    Person,
    SmtpSettings,
)
from mailflow.domain.meeting import AgendaSpec, AttendeeSpec, MeetingSpec
from mailflow.domain.meeting_draft import Problem
from mailflow.outbound.delivery.registry import RENDERERS
from mailflow.outbound.kinds.meetings.receipt import receipt_payload
from mailflow.outbound.kinds.meetings.receipt_data import Outcome
from mailflow.outbound.rendering.compose import RenderContext, RenderError

# The receipt's renderer as the outbox calls it: the stored JSON, read and checked, then rendered.
render_receipt_row = RENDERERS["receipt"]

SHANGHAI = ZoneInfo("Asia/Shanghai")
ORGANISER = "alice@example.com"
PROBLEMS = (
    Problem(
        "when", "cannot read 'next blursday' as a date and time", "write e.g. 2025-03-10 09:30"
    ),
    Problem("attendees", "nobody called 'bobb' in the people directory", "did you mean Bob Li?"),
    Problem("end", "the meeting ends before it starts"),
)


def context() -> RenderContext:
    config = Config(
        mail=MailSettings(
            domain="example.com", bot_address="meetings@example.com", bot_name="Meeting desk"
        ),
        imap=ImapSettings("imap.example.com", 993, "tls", "bot"),
        smtp=SmtpSettings("smtp.example.com", 587, "starttls"),
        people=PeopleSettings(
            people=(
                Person("carol@example.com", "Carol Chen"),
                Person(ORGANISER, "Alice Wang", timezone="Europe/London"),
            )
        ),
    )
    return RenderContext(config=config, now=datetime(2025, 1, 10, 9, 0, tzinfo=SHANGHAI))


def meeting(**changes: Any) -> MeetingSpec:
    spec = MeetingSpec(
        uid="q2-review@example.com",
        title="Q2 review",
        organiser=AttendeeSpec(ORGANISER, "Alice Wang"),
        start=datetime(2025, 1, 13, 9, 30, tzinfo=SHANGHAI),
        end=datetime(2025, 1, 13, 10, 30, tzinfo=SHANGHAI),
        tzid="Asia/Shanghai",
        sequence=1,
        attendees=(
            AttendeeSpec("bob@example.com", "Bob Li"),
            AttendeeSpec("zhang.san@example.com", "张三", role="OPT-PARTICIPANT"),
            AttendeeSpec("guest@partner.example"),
        ),
        location="Room 501",
        online_url="https://meet.example.com/q2",
        scribe="carol@example.com",
        agenda=(
            AgendaSpec("Budget", ORGANISER, 20, "Approve the Q2 budget"),
            AgendaSpec("Hiring plan", "bob@example.com", 15),
        ),
        materials=("https://docs.example.com/q2.pdf",),
    )
    return dataclasses.replace(spec, **changes)


def receipt(
    recipients: Sequence[str] = (ORGANISER,), **kwargs: Any
) -> tuple[EmailMessage, str, str]:
    """The receipt as a client parses it, its text body, and its HTML body with entities decoded."""
    options: dict[str, Any] = {
        "outcome": "created",
        "spec": meeting(),
        "locale": "en",
        "timezone": "Europe/London",
        "source": "mail",
    }
    options.update(kwargs)
    # Through JSON and back, as the payload is stored in the outbox table.
    payload = json.loads(json.dumps(receipt_payload(**options).to_json()))
    msg = render_receipt_row(context(), recipients, payload)
    parsed = email.message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    text, markup = parsed.get_body(("plain",)), parsed.get_body(("html",))
    assert text is not None and markup is not None
    return parsed, text.get_content(), markup.get_content()


def both(text: str, markup: str) -> list[str]:
    """The text body and what a reader sees of the HTML one: tags dropped, entities decoded."""
    return [text, html.unescape(re.sub(r"<[^>]*>", "", markup))]


def test_created_in_english_shows_the_meeting_as_understood() -> None:
    msg, text, markup = receipt(notes=["no end or duration given: 60 minutes assumed"])

    assert msg["Subject"] == "Meeting received: Q2 review"
    assert msg["To"] == ORGANISER
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["In-Reply-To"] is None
    assert msg["Content-Language"] == "en"
    assert msg.get_content_type() == "multipart/alternative"
    for body in both(text, markup):
        assert "Dear Alice Wang," in body
        assert "has been created" in body
        assert "Bob Li <bob@example.com>" in body
        assert "张三 <zhang.san@example.com> (optional)" in body
        assert "guest@partner.example" in body
        assert "Carol Chen <carol@example.com>" in body
        assert "Room 501" in body
        assert "https://meet.example.com/q2" in body
        assert "Budget" in body and "Approve the Q2 budget" in body and "Hiring plan" in body
        assert "https://docs.example.com/q2.pdf" in body
        assert "no end or duration given: 60 minutes assumed" in body


def test_times_are_shown_in_the_organisers_zone_and_the_meetings() -> None:
    _, text, markup = receipt()

    for body in both(text, markup):
        assert "Monday 13 January 2025, 01:30–02:30 (Europe/London)" in body
        assert "Monday 13 January 2025, 09:30–10:30 (Asia/Shanghai)" in body


def test_organiser_in_the_meetings_zone_sees_one_time() -> None:
    _, text, markup = receipt(timezone="Asia/Shanghai")

    assert "Time:         Monday 13 January 2025, 09:30–10:30 (Asia/Shanghai)" in text
    assert "Your time" not in text and "Your time" not in markup
    assert "(Europe/London)" not in text


def test_an_unknown_organiser_zone_falls_back_to_the_meetings() -> None:
    _, text, _ = receipt(timezone="Mars/Olympus_Mons")

    assert "Monday 13 January 2025, 09:30–10:30 (Asia/Shanghai)" in text


def test_created_in_chinese() -> None:
    msg, text, markup = receipt(locale="zh_CN")

    assert msg["Subject"] == "已收到会议：Q2 review"
    assert msg["Content-Language"] == "zh-CN"
    for body in both(text, markup):
        assert "Alice Wang，您好：" in body
        assert "已创建" in body
        assert "2025年1月13日（星期一）01:30–02:30（伦敦时间 / Europe/London）" in body
        assert "2025年1月13日（星期一）09:30–10:30（北京时间 / Asia/Shanghai）" in body
        assert "张三 <zhang.san@example.com>（可选）" in body
        assert "预期结论" in body


def test_recurrence_and_exceptions_are_spelled_out() -> None:
    spec = meeting(
        rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=10",
        exdates=(datetime(2025, 1, 20, 9, 30, tzinfo=SHANGHAI),),
    )
    _, text, markup = receipt(spec=spec)
    _, zh_text, zh_markup = receipt(spec=spec, locale="zh_CN")

    for body in both(text, markup):
        assert "every week on Monday, 10 times" in body
        assert "Monday 20 January 2025, 01:30 (Europe/London)" in body
    for body in both(zh_text, zh_markup):
        assert "每周星期一，共 10 次" in body


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_every_problem_and_hint_appears_in_both_alternatives(locale: str) -> None:
    spec = meeting(title="Weekly sync")
    _, text, markup = receipt(outcome="rejected", spec=spec, problems=PROBLEMS, locale=locale)

    for body in both(text, markup):
        for problem in PROBLEMS:
            assert problem.text in body
            if problem.hint:
                assert problem.hint in body
        # What could be read is still shown, clearly marked as not created.
        assert "Weekly sync" in body


def test_rejected_in_english_says_nothing_was_created_and_answers_the_mail() -> None:
    msg, text, markup = receipt(
        outcome="rejected",
        spec=None,
        problems=PROBLEMS,
        in_reply_to="<request-1@mail.example.com>",
        subject="MEETING: Weekly sync",
    )

    assert msg["Subject"] == "Re: MEETING: Weekly sync"
    assert msg["In-Reply-To"] == "<request-1@mail.example.com>"
    assert msg["References"] == "<request-1@mail.example.com>"
    assert msg["Auto-Submitted"] == "auto-replied"
    for body in both(text, markup):
        assert "NOT created: nothing was created and nobody was notified" in body
        assert 'new "MEETING:" mail' in body or "new “MEETING:” mail" in body
        # Without a meeting the greeting comes from the people directory.
        assert "Dear Alice Wang," in body


def test_rejected_in_chinese_without_a_meeting() -> None:
    msg, text, markup = receipt(
        outcome="rejected",
        spec=None,
        problems=PROBLEMS,
        locale="zh_CN",
        subject="会议通知：周例会",
        source="itip",
    )

    assert msg["Subject"] == "会议未创建：会议通知：周例会"
    for body in both(text, markup):
        assert "未能创建：系统没有创建任何内容，也没有通知任何人" in body
        assert "请在您的日历中修改该会议后重新发送邀请" in body
    # Field names are the ones a Chinese organiser writes in a "会议通知：" mail.
    assert "1. 时间：cannot read" in text
    assert ">时间</td>" in markup


def test_rejected_without_title_or_subject_is_untitled() -> None:
    msg, _, _ = receipt(outcome="rejected", spec=None, problems=PROBLEMS, source="cli")
    assert msg["Subject"] == "Meeting not created: (untitled)"


def test_a_reply_subject_is_not_prefixed_twice() -> None:
    msg, _, _ = receipt(in_reply_to="<r@x.example>", subject="RE: MEETING: Q2 review")
    assert msg["Subject"] == "RE: MEETING: Q2 review"


@pytest.mark.parametrize(
    ("locale", "subject", "line"),
    [
        ("en", "Meeting updated: Q2 review", "Place: Room 101 → Room 501"),
        ("zh_CN", "会议已更新：Q2 review", "会议地点：原为 Room 101，现改为 Room 501"),
    ],
)
def test_updated_lists_the_changes(locale: str, subject: str, line: str) -> None:
    before = meeting(location="Room 101", start=meeting().start.replace(hour=8))
    msg, text, markup = receipt(outcome="updated", previous=before, locale=locale)

    assert msg["Subject"] == subject
    assert line in text
    for body in both(text, markup):
        assert "Room 101" in body and "Room 501" in body
    # The old time is shown in the organiser's zone too.
    assert "00:30" in text and "01:30" in text


def test_updated_without_a_visible_change_says_so() -> None:
    _, text, markup = receipt(outcome="updated", previous=meeting(sequence=0))
    for body in both(text, markup):
        assert "unchanged" in body


@pytest.mark.parametrize(
    ("locale", "subject", "said"),
    [
        ("en", "Invitation ignored: Q2 review", "SEQUENCE (1) is not newer than the one already"),
        ("zh_CN", "会议邀请已忽略：Q2 review", "SEQUENCE（1）不比已登记的版本（3）更新"),
    ],
)
def test_ignored_names_the_sequences_and_shows_what_stands(
    locale: str, subject: str, said: str
) -> None:
    recorded = meeting(sequence=3, location="Room 101")
    msg, text, markup = receipt(outcome="ignored", previous=recorded, locale=locale, source="itip")

    assert msg["Subject"] == subject
    for body in both(text, markup):
        assert said in body
        # The version that stands is the recorded one, not the stale invitation.
        assert "Room 101" in body and "Room 501" not in body


def test_ignored_for_another_reason_gives_the_intakes_reason() -> None:
    # A CANCEL for a meeting nobody recorded: nothing stands, so the invitation itself is shown.
    msg, text, markup = receipt(
        outcome="ignored",
        spec=meeting(status="CANCELLED"),
        notes=["cancellation of an unknown meeting"],
        source="itip",
    )

    assert msg["Subject"] == "Invitation ignored: Q2 review"
    for body in both(text, markup):
        assert "was ignored, so nothing was changed" in body
        assert "cancellation of an unknown meeting" in body
        assert "SEQUENCE" not in body
        assert "The invitation as received" in body


def test_updated_says_attendees_are_told_only_when_something_they_see_changed() -> None:
    _, changed, _ = receipt(outcome="updated", previous=meeting(location="Room 101"))
    _, same, _ = receipt(outcome="updated", previous=meeting(sequence=0))
    assert "will be told what changed" in changed
    assert "will be told" not in same


def test_cancelled_occurrence_recorded_as_a_new_exdate() -> None:
    # The intake cancels one occurrence by adding an EXDATE to the stored series.
    series = meeting(rrule="FREQ=WEEKLY;COUNT=5")
    after = dataclasses.replace(series, exdates=(datetime(2025, 1, 20, 9, 30, tzinfo=SHANGHAI),))
    _, text, markup = receipt(outcome="cancelled", spec=after, previous=series, locale="zh_CN")

    for body in both(text, markup):
        assert "2025年1月20日（星期一）01:30（伦敦时间 / Europe/London）的这一次已取消" in body
        assert "系列会议的当前安排" in body


def test_a_whole_cancellation_shows_the_meeting_that_was_recorded() -> None:
    # A calendar's CANCEL may be sparse; what was cancelled is the meeting as recorded.
    cancel = meeting(status="CANCELLED", location=None, agenda=(), sequence=2)
    _, text, markup = receipt(outcome="cancelled", spec=cancel, previous=meeting())

    for body in both(text, markup):
        assert "Q2 review" in body and "has been cancelled." in body
        assert "Room 501" in body and "Approve the Q2 budget" in body
        assert "the rest of the series" not in body


def test_cancelled_occurrence_names_it() -> None:
    occurrence = datetime(2025, 1, 20, 9, 30, tzinfo=SHANGHAI)
    spec = meeting(rrule="FREQ=WEEKLY;COUNT=5", recurrence_id=occurrence, status="CANCELLED")
    msg, text, markup = receipt(outcome="cancelled", spec=spec)

    assert msg["Subject"] == "Meeting cancelled: Q2 review"
    for body in both(text, markup):
        assert "on Monday 20 January 2025, 01:30 (Europe/London) has been cancelled" in body
        assert "the rest of the series stands" in body


def test_hostile_text_is_escaped_in_html_and_kept_off_headers() -> None:
    spec = meeting(
        title='<script>alert("x")</script>\r\nBcc: victim@example.net',
        location="<img src=x onerror=alert(1)>",
        online_url="javascript:alert(1)",
        agenda=(AgendaSpec("<b>bold</b> & more", None, 5),),
    )
    problems = [Problem("when", "<i>bad</i>", "<a href='x'>hint</a>")]
    msg, text, markup = receipt(outcome="rejected", spec=spec, problems=problems)

    assert msg["Bcc"] is None
    assert "\n" not in str(msg["Subject"])
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert "<img" not in markup and "<b>bold</b>" not in markup and "<i>bad</i>" not in markup
    assert 'href="javascript:' not in markup
    # The text part carries the same words, unescaped.
    assert '<script>alert("x")</script>' in text
    assert "<b>bold</b> & more" in text


def test_an_unknown_locale_falls_back_to_the_default() -> None:
    msg, _, _ = receipt(locale="fr_FR")
    assert msg["Content-Language"] == "en"


@pytest.mark.parametrize("outcome", ["created", "updated", "cancelled"])
def test_payload_needs_a_meeting_unless_rejected_or_ignored(outcome: Outcome) -> None:
    with pytest.raises(ValueError, match="needs the meeting"):
        receipt_payload(outcome=outcome, spec=None, locale="en", timezone=None, source="cli")


def test_an_ignored_message_without_a_meeting_still_gets_its_receipt() -> None:
    msg, text, _ = receipt(
        outcome="ignored", spec=None, notes=["no event in the calendar"], subject="Invitation: x"
    )
    assert msg["Subject"] == "Invitation ignored: Invitation: x"
    assert "no event in the calendar" in text


def good_payload() -> dict[str, Any]:
    payload = receipt_payload(
        outcome="rejected",
        spec=meeting(),
        problems=PROBLEMS,
        locale="en",
        timezone=None,
        source="mail",
    )
    through_json: dict[str, Any] = json.loads(json.dumps(payload.to_json()))
    return through_json


@pytest.mark.parametrize(
    "damage",
    [
        {"outcome": None},
        {"outcome": "maybe"},
        {"source": "fax"},
        {"outcome": "created", "spec": None},
        {"spec": {"title": "no uid"}},
        {"spec": ["not", "a", "meeting"]},
        {"problems": "when: missing"},
        {"problems": [{"field": "when"}]},
        {"notes": 42},
        {"locale": ["en"]},
    ],
)
def test_a_malformed_payload_is_a_render_error(damage: dict[str, Any]) -> None:
    payload = good_payload() | damage
    with pytest.raises(RenderError):
        render_receipt_row(context(), [ORGANISER], payload)


def test_a_payload_without_its_outcome_is_a_render_error() -> None:
    payload = good_payload()
    del payload["outcome"]
    with pytest.raises(RenderError):
        render_receipt_row(context(), [ORGANISER], payload)


def test_no_recipient_is_a_render_error() -> None:
    with pytest.raises(RenderError):
        render_receipt_row(context(), [], good_payload())


def test_the_outbox_registry_renders_receipts() -> None:
    from mailflow.outbound.delivery.registry import render

    msg = render(context(), "receipt", [ORGANISER], good_payload())
    assert msg["Subject"] == "Meeting not created: Q2 review"
