"""Notices, updates and cancellations: MIME shape, headers, localisation, the same facts twice."""

from __future__ import annotations

import dataclasses
import email
import re
from datetime import datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from mailflow.config.schema import (
    Config,
    ImapSettings,
    MailSettings,
    PeopleSettings,
    Person,
    SmtpSettings,
)
from mailflow.domain.meeting import AgendaSpec, AttendeeSpec, MeetingSpec
from mailflow.outbound.kinds.meetings.notice import Change, diff_meetings, render_notice
from mailflow.outbound.rendering.compose import RenderContext, RenderError

SHANGHAI = ZoneInfo("Asia/Shanghai")
ZHANG = AttendeeSpec("zhang.san@example.com", "张三")
BOB = AttendeeSpec("bob@example.com", "Bob Li")


def context(templates_dir: Path | None = None) -> RenderContext:
    config = Config(
        mail=MailSettings(
            domain="example.com", bot_address="meetings@example.com", bot_name="Meeting desk"
        ),
        imap=ImapSettings("imap.example.com", 993, "tls", "bot"),
        smtp=SmtpSettings("smtp.example.com", 587, "starttls"),
        people=PeopleSettings(people=(Person("carol@example.com", "Carol Chen"),)),
        templates_dir=templates_dir,
    )
    return RenderContext(config=config, now=datetime(2025, 1, 10, 9, 0, tzinfo=SHANGHAI))


def meeting(month: int = 1, day: int = 13, **changes: Any) -> MeetingSpec:
    spec = MeetingSpec(
        uid="q2-review@example.com",
        title="Q2 review",
        organiser=AttendeeSpec("alice@example.com", "Alice Wang"),
        start=datetime(2025, month, day, 9, 30, tzinfo=SHANGHAI),
        end=datetime(2025, month, day, 10, 30, tzinfo=SHANGHAI),
        tzid="Asia/Shanghai",
        sequence=1,
        attendees=(BOB, ZHANG),
        location="Room 501",
        online_url="https://meet.example.com/q2",
        scribe="carol@example.com",
        agenda=(
            AgendaSpec("Budget", "alice@example.com", 20, "Approve the Q2 budget"),
            AgendaSpec("Hiring plan", "bob@example.com", 15),
        ),
        materials=("https://docs.example.com/q2.pdf",),
    )
    return dataclasses.replace(spec, **changes)


def reparse(msg: EmailMessage) -> EmailMessage:
    parsed = email.message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def bodies(msg: EmailMessage) -> tuple[str, str]:
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def calendar_part(msg: EmailMessage) -> EmailMessage:
    parts = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    part = parts[0]
    assert isinstance(part, EmailMessage)
    return part


def notice(spec: MeetingSpec, recipient: AttendeeSpec = ZHANG, **kwargs: Any) -> EmailMessage:
    options: dict[str, Any] = {"recipient_locale": "en", "recipient_tz": None}
    options.update(kwargs)
    ctx = options.pop("ctx", None) or context()
    return reparse(render_notice(ctx, spec, recipient, **options))


def test_mime_shape_is_what_calendar_clients_recognise() -> None:
    msg = notice(meeting())

    assert msg.get_content_type() == "multipart/mixed"
    alternative, attachment = msg.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.iter_parts()] == [
        "text/plain",
        "text/html",
        "text/calendar",
    ]
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_param("name") == "invite.ics"
    # The attachment and the inline part are the same invitation.
    inline = calendar_part(msg).get_payload(decode=True)
    assert isinstance(inline, bytes)
    assert attachment.get_content() == inline
    assert inline.count(b"\r\n") == inline.count(b"\n")  # RFC 5545 lines end in CRLF


@pytest.mark.parametrize(("kind", "method"), [("notice", "REQUEST"), ("cancel", "CANCEL")])
def test_content_type_method_equals_the_vcalendar_method(kind: str, method: str) -> None:
    part = calendar_part(notice(meeting(), kind=kind))
    calendar = Calendar.from_ical(part.get_content())

    assert part.get_param("method") == method
    assert calendar["METHOD"] == method
    assert part.get_content_charset() == "utf-8"


def test_cancel_attachment_is_named_cancel_ics() -> None:
    msg = notice(meeting(), kind="cancel")
    assert [p.get_filename() for p in msg.iter_attachments()] == ["cancel.ics"]


def test_headers() -> None:
    msg = notice(
        meeting(), thread_root="<first@example.com>", reply_to="meetings+m1.Xy@example.com"
    )

    assert msg["From"].addresses[0].addr_spec == "meetings@example.com"
    (to,) = msg["To"].addresses
    assert (to.display_name, to.addr_spec) == ("张三", "zhang.san@example.com")
    assert msg["Reply-To"] == "meetings+m1.Xy@example.com"
    assert msg["In-Reply-To"] == "<first@example.com>"
    assert msg["References"] == "<first@example.com>"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Subject"] == "Meeting notice: Q2 review — Mon 13 Jan 09:30"


def test_display_name_is_encoded_on_the_wire() -> None:
    raw = render_notice(context(), meeting(), ZHANG, recipient_locale="en", recipient_tz=None)
    to_line = next(line for line in raw.as_bytes().split(b"\n") if line.startswith(b"To:"))
    assert to_line.isascii() and b"=?utf-8?" in to_line


def test_user_text_cannot_inject_headers() -> None:
    spec = meeting(title="Q2\r\nBcc: victim@example.com")
    msg = notice(spec, AttendeeSpec("zhang.san@example.com", "Zhang\r\nBcc: x@example.com"))

    assert msg["Bcc"] is None
    assert "\n" not in msg["Subject"] and msg["Subject"].startswith("Meeting notice: Q2 Bcc")
    assert len(msg["To"].addresses) == 1


@pytest.mark.parametrize(
    ("month", "day", "london"), [(1, 13, "01:30–02:30"), (7, 14, "02:30–03:30")]
)
def test_london_recipient_sees_own_time_and_meeting_time(month: int, day: int, london: str) -> None:
    msg = notice(meeting(month, day), recipient_tz="Europe/London")
    text, html = bodies(msg)

    for body in (text, html):
        assert f"{london} (Europe/London)" in body
        assert "09:30–10:30 (Asia/Shanghai)" in body
    assert london[:5] in msg["Subject"]


def test_same_zone_shows_the_time_once() -> None:
    text, _ = bodies(notice(meeting(), recipient_tz="Asia/Shanghai"))
    assert text.count("09:30–10:30") == 1


def test_unknown_recipient_zone_falls_back_to_the_meeting_zone() -> None:
    text, _ = bodies(notice(meeting(), recipient_tz="Mars/Olympus"))
    assert "Monday 13 January 2025, 09:30–10:30 (Asia/Shanghai)" in text


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_both_alternatives_carry_the_same_facts(locale: str) -> None:
    msg = notice(meeting(), recipient_locale=locale, recipient_tz="Europe/London")
    text, html = bodies(msg)

    facts = [
        "Q2 review",
        "01:30–02:30",
        "09:30–10:30",
        "Room 501",
        "https://meet.example.com/q2",
        "Budget",
        "Approve the Q2 budget",
        "Hiring plan",
        "Alice Wang",
        "Bob Li",
        "Carol Chen",  # the scribe, named from the people directory
        "https://docs.example.com/q2.pdf",
    ]
    for fact in facts:
        assert fact in text, fact
        assert fact in html, fact


def test_english_and_chinese_notices_for_the_same_meeting() -> None:
    en = notice(meeting(), recipient_locale="en")
    zh = notice(meeting(), recipient_locale="zh_CN")
    en_text, _ = bodies(en)
    zh_text, zh_html = bodies(zh)
    zh_html = re.sub(r"<[^>]+>", "", zh_html)

    assert en["Subject"] == "Meeting notice: Q2 review — Mon 13 Jan 09:30"
    assert zh["Subject"] == "会议通知：Q2 review（1月13日 09:30）"
    assert "Monday 13 January 2025, 09:30–10:30 (Asia/Shanghai)" in en_text
    assert "Accept, Decline or Tentative" in en_text
    assert "2025年1月13日（星期一）09:30–10:30（北京时间 / Asia/Shanghai）" in zh_text
    for phrase in (
        "会议议程",
        "会议地点",
        "记录人",
        "请于会议开始前回复",
        "“参加”“不参加”或“待定”",
    ):
        assert phrase in zh_text and phrase in zh_html
    assert zh["Content-Language"] == "zh-CN"


def test_rsvp_deadline_is_shown_in_the_recipient_zone() -> None:
    deadline = datetime(2025, 1, 12, 17, 0, tzinfo=SHANGHAI)
    text, _ = bodies(notice(meeting(), recipient_locale="zh_CN", rsvp_by=deadline))
    assert "请于2025年1月12日（星期日）17:00（北京时间 / Asia/Shanghai）前回复" in text


def test_locale_falls_back_to_the_configured_default() -> None:
    ctx = context()
    ctx = dataclasses.replace(
        ctx,
        config=dataclasses.replace(
            ctx.config, mail=dataclasses.replace(ctx.config.mail, default_locale="zh_CN")
        ),
    )
    msg = notice(meeting(), recipient_locale="fr", ctx=ctx)
    assert msg["Subject"].startswith("会议通知：")


def test_markup_in_user_text_is_escaped_in_html_only() -> None:
    evil = "<script>alert(1)</script>"
    spec = meeting(title=f"Q2 {evil}", agenda=(AgendaSpec(f"Budget {evil}", None, 5),))
    text, html = bodies(notice(spec))

    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert text.count(evil) == 2


def test_update_lists_what_changed_in_the_recipient_zone() -> None:
    old = meeting()
    new = meeting(day=14, sequence=2, location="Room 7")
    changes = diff_meetings(old, new)
    msg = notice(new, kind="update", changes=changes, recipient_tz="Europe/London")
    text, html = bodies(msg)

    assert msg["Subject"] == "Updated: Q2 review — Tue 14 Jan 01:30"
    for body in (text, html):
        assert "Monday 13 January 2025, 01:30–02:30 (Europe/London)" in body
        assert "Tuesday 14 January 2025, 01:30–02:30 (Europe/London)" in body
        assert "Room 501" in body and "Room 7" in body
    calendar = Calendar.from_ical(calendar_part(msg).get_content())
    assert calendar.events[0]["SEQUENCE"] == 2


def test_chinese_update_and_cancel_subjects() -> None:
    update = notice(meeting(), recipient_locale="zh_CN", kind="update")
    cancel = notice(meeting(), recipient_locale="zh_CN", kind="cancel")
    assert update["Subject"] == "会议变更：Q2 review（1月13日 09:30）"
    assert cancel["Subject"] == "会议取消：Q2 review（1月13日 09:30）"
    assert "以下会议已取消" in bodies(cancel)[0]


def test_cancel_for_a_removed_attendee_lists_only_them() -> None:
    removed = AttendeeSpec("carol@example.com", "Carol Chen")
    msg = notice(meeting(), removed, kind="cancel")
    event = Calendar.from_ical(calendar_part(msg).get_content()).events[0]

    assert str(event["ATTENDEE"]) == "mailto:carol@example.com"
    assert "no longer on the attendee list" in bodies(msg)[0]


def test_cancel_of_the_whole_meeting_lists_everyone() -> None:
    msg = notice(meeting(), kind="cancel")
    event = Calendar.from_ical(calendar_part(msg).get_content()).events[0]

    assert {str(a) for a in event.attendees} == {
        "mailto:bob@example.com",
        "mailto:zhang.san@example.com",
    }
    assert event["STATUS"] == "CANCELLED"
    assert "has been cancelled" in bodies(msg)[0]


def test_deployment_override_template_wins(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "notice.txt.j2").write_text("ACME notice for {{ title }}.\n", "utf-8")
    text, html = bodies(notice(meeting(), ctx=context(tmp_path)))

    assert text == "ACME notice for Q2 review.\n"
    assert "Room 501" in html  # the HTML alternative still comes from the package


def test_broken_override_is_a_render_error(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "notice.txt.j2").write_text("{{ no_such_field }}", "utf-8")
    with pytest.raises(RenderError, match="no_such_field"):
        notice(meeting(), ctx=context(tmp_path))


def test_diff_meetings_lists_each_kind_of_change() -> None:
    old = meeting()
    carol = AttendeeSpec("carol@example.com", "Carol Chen")
    new = meeting(
        title="Q2 review (moved)",
        day=14,
        location=None,
        online_url="https://meet.example.com/other",
        agenda=old.agenda[:1],
        attendees=(AttendeeSpec("BOB@example.com", "Bob Li"), carol),
    )
    changes = {c.field: c for c in diff_meetings(old, new)}

    assert set(changes) == {
        "title",
        "time",
        "location",
        "online_url",
        "agenda",
        "attendees_added",
        "attendees_removed",
    }
    assert changes["time"] == Change("time", (old.start, old.end), (new.start, new.end))
    assert changes["attendees_added"].new == (carol,)
    assert changes["attendees_removed"].old == (ZHANG,)
    assert diff_meetings(old, old) == []


def test_same_instant_in_another_zone_is_not_a_change() -> None:
    old = meeting()
    london = ZoneInfo("Europe/London")
    new = dataclasses.replace(
        old, start=old.start.astimezone(london), end=old.end.astimezone(london)
    )
    assert diff_meetings(old, new) == []
