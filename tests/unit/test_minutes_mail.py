"""The minutes and action-item mails: every kind, both languages, the same facts in both bodies."""

from __future__ import annotations

import email
import html
import json
import re
from collections.abc import Callable
from datetime import date, datetime, time
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
from mailflow.domain.minutes import Problem
from mailflow.outbound.delivery.registry import RENDERERS as STORED_RENDERERS
from mailflow.outbound.delivery.registry import Renderer
from mailflow.outbound.kinds.items.items_mail import item_assignment_payload, item_receipt_payload
from mailflow.outbound.kinds.minutes.minutes_mail import (
    minutes_reminder_payload,
    minutes_skeleton_payload,
)
from mailflow.outbound.kinds.minutes.minutes_receipt import minutes_receipt_payload
from mailflow.outbound.kinds.minutes.official_minutes import official_minutes_payload
from mailflow.outbound.rendering.compose import RenderContext, RenderError
from mailflow.outbound.rendering.items_export import ItemRow
from mailflow.outbound.rendering.payload_fields import OutboxPayload

SHANGHAI = ZoneInfo("Asia/Shanghai")
ROOT = "<3f2a.thread.mailflow@example.com>"
SCRIBE_MAIL = "<minutes-1@mail.example.com>"
HOSTILE = "Book <script>alert(1)</script> & the room"
PROBLEM = Problem(
    "ACTION: @bobb fix the build", "nobody called 'bobb'", "write @bob or bob@example.com"
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
                Person("carol@example.com", "Carol Chen", department="Finance"),
                Person("li.si@example.com", "李四", department="人力资源部"),
            )
        ),
    )
    return RenderContext(config=config, now=datetime(2025, 3, 10, 12, 0, tzinfo=SHANGHAI))


def meeting() -> MeetingSpec:
    return MeetingSpec(
        uid="q2-review@example.com",
        title="Q2 review",
        organiser=AttendeeSpec("alice@example.com", "Alice Wang"),
        start=datetime(2025, 3, 10, 9, 30, tzinfo=SHANGHAI),
        end=datetime(2025, 3, 10, 10, 30, tzinfo=SHANGHAI),
        tzid="Asia/Shanghai",
        attendees=(
            AttendeeSpec("bob@example.com", "Bob Li", partstat="ACCEPTED"),
            AttendeeSpec("li.si@example.com", partstat="TENTATIVE"),
            AttendeeSpec("carol@example.com", partstat="DECLINED"),
        ),
        location="Room 501",
        scribe="carol@example.com",
        agenda=(
            AgendaSpec("Budget", "alice@example.com", 20, "Approve the Q2 budget"),
            AgendaSpec("Hiring plan", "bob@example.com", 15),
        ),
    )


ITEMS = (
    ItemRow(
        "MF-0042",
        "Draft the hiring plan",
        owner="bob@example.com",
        owner_name="Bob Li",
        department="Engineering",
        meeting="Q2 review",
        deliverable="Plan v1 in the shared drive",
        due=date(2025, 3, 14),
    ),
    ItemRow(
        "MF-0043",
        HOSTILE,
        owner="bob@example.com",
        owner_name="Bob Li",
        department="Engineering",
        due=date(2025, 3, 17),
        due_time=time(17, 0),
        status="delayed",
        progress=30,
        delay_reason="招标延期",
        last_update=datetime(2025, 3, 11, 8, 0, tzinfo=SHANGHAI),
    ),
)
CONTENT: dict[str, Any] = {
    "decisions": ["The Q2 budget is approved.", "批准招聘计划"],
    "actions": [
        {
            "ref": "MF-0042",
            "owner": "bob@example.com",
            "owner_raw": "@bob",
            "department": "Engineering",
            "task": "Draft the hiring plan",
            "deliverable": "Plan v1",
            "due": "2025-03-14",
            "due_time": None,
        },
        {
            "ref": "MF-0043",
            "owner": "li.si@example.com",
            "owner_raw": "李四",
            "department": "人力资源部",
            "task": HOSTILE,
            "deliverable": None,
            "due": "2025-03-17",
            "due_time": "17:00",
        },
    ],
    "disputes": [
        {"ref": None, "owner": "carol@example.com", "task": "Who pays?", "due": "2025-03-19"}
    ],
    "next_meeting": {
        "raw": "2025-03-24 09:30, Room 501",
        "start": "2025-03-24T09:30:00+08:00",
        "location": "Room 501",
        "topic": "Follow-up",
    },
    "present": ["alice@example.com", "bob@example.com", "Guest Speaker"],
    "info": ["The offsite moves to April."],
}


def payload_of(kind: str, locale: str = "en", **options: Any) -> dict[str, Any]:
    """A payload of ``kind`` as the outbox stores it: through JSON and back."""
    spec = meeting()
    builders: dict[str, Callable[[], OutboxPayload]] = {
        "minutes_skeleton": lambda: minutes_skeleton_payload(
            spec,
            locale=locale,
            timezone="Asia/Shanghai",
            deadline=datetime(2025, 3, 11, 10, 30, tzinfo=SHANGHAI),
            thread_root=ROOT,
            reply_to="meetings+t0k@example.com",
            **options,
        ),
        "official_minutes": lambda: official_minutes_payload(
            spec,
            options.pop("content", CONTENT),
            locale=locale,
            timezone="Asia/Shanghai",
            thread_root=ROOT,
            **options,
        ),
        "minutes_reminder": lambda: minutes_reminder_payload(
            spec,
            stage=options.pop("stage", "scribe"),
            deadline=datetime(2025, 3, 11, 10, 30, tzinfo=SHANGHAI),
            locale=locale,
            timezone="Asia/Shanghai",
            thread_root=ROOT,
            **options,
        ),
        "minutes_receipt": lambda: minutes_receipt_payload(
            title="Q2 review",
            decisions=CONTENT["decisions"],
            actions=ITEMS,
            problems=options.pop("problems", [PROBLEM]),
            locale=locale,
            timezone="Asia/Shanghai",
            in_reply_to=SCRIBE_MAIL,
            subject="Re: Please send the minutes: Q2 review (10 Mar)",
            thread_root=ROOT,
            **options,
        ),
        "item_assignment": lambda: item_assignment_payload(
            options.pop("items", ITEMS),
            meeting_title="Q2 review",
            meeting_start=spec.start,
            meeting_tzid="Asia/Shanghai",
            locale=locale,
            timezone="Asia/Shanghai",
            thread_root=ROOT,
            reply_to="meetings+t0k@example.com",
        ),
        "item_receipt": lambda: item_receipt_payload(
            ITEMS,
            applied=["MF-0042 DONE"],
            errors=[Problem("MF-0043 FROB", "unknown command 'FROB'", None)],
            locale=locale,
            timezone="Asia/Shanghai",
            in_reply_to="<owner-1@mail.example.com>",
            subject="Re: Please confirm your action items: Q2 review (10 Mar)",
            thread_root=ROOT,
            **options,
        ),
    }
    stored: dict[str, Any] = json.loads(json.dumps(builders[kind]().to_json()))
    return stored


# Each kind's renderer as the outbox calls it: the stored JSON, read and checked, then rendered.
RENDERERS: dict[str, Renderer] = {
    kind: STORED_RENDERERS[kind]
    for kind in (
        "minutes_skeleton",
        "official_minutes",
        "minutes_reminder",
        "minutes_receipt",
        "item_assignment",
        "item_receipt",
    )
}
ANSWERS = {"minutes_receipt", "item_receipt"}
RECIPIENT = {
    "minutes_skeleton": "Carol Chen <carol@example.com>",
    "official_minutes": "bob@example.com",
    "minutes_reminder": "carol@example.com",
    "minutes_receipt": "carol@example.com",
    "item_assignment": "bob@example.com",
    "item_receipt": "bob@example.com",
}


def render(kind: str, locale: str = "en", **options: Any) -> tuple[EmailMessage, str, str]:
    """The mail as a client parses it, its text body, and its raw HTML body."""
    msg = RENDERERS[kind](context(), [RECIPIENT[kind]], payload_of(kind, locale, **options))
    parsed = email.message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    text, markup = parsed.get_body(("plain",)), parsed.get_body(("html",))
    assert text is not None and markup is not None
    return parsed, text.get_content(), markup.get_content()


def both(text: str, markup: str) -> list[str]:
    """The text body and what a reader sees of the HTML one: tags dropped, entities decoded."""
    return [text, html.unescape(re.sub(r"<[^>]*>", "", markup))]


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
@pytest.mark.parametrize("kind", sorted(RENDERERS))
def test_every_kind_renders_in_its_thread_with_both_alternatives(kind: str, locale: str) -> None:
    msg, text, markup = render(kind, locale)

    assert msg.get_content_type() == "multipart/alternative"
    assert msg["Content-Language"] == locale.replace("_", "-")
    assert msg["From"] == "Meeting desk <meetings@example.com>"
    assert ROOT in msg["References"].split()
    expected = "auto-replied" if kind in ANSWERS else "auto-generated"
    assert msg["Auto-Submitted"] == expected
    assert msg["X-Auto-Response-Suppress"] == "OOF, AutoReply"
    assert text.strip() and "<html" in markup
    assert 'lang="zh-CN"' in markup if locale == "zh_CN" else 'lang="en"' in markup


@pytest.mark.parametrize("kind", ["minutes_skeleton", "official_minutes", "item_assignment"])
def test_planned_mails_reply_to_the_thread_root(kind: str) -> None:
    msg, _, _ = render(kind)

    assert msg["In-Reply-To"] == ROOT
    assert msg["References"] == ROOT


def test_answers_reply_to_the_persons_mail_within_the_thread() -> None:
    msg, _, _ = render("minutes_receipt")

    assert msg["In-Reply-To"] == SCRIBE_MAIL
    assert msg["References"] == f"{ROOT} {SCRIBE_MAIL}"
    assert msg["Subject"] == "Re: Please send the minutes: Q2 review (10 Mar)"


def test_reply_to_is_set_only_when_given() -> None:
    with_reply_to, _, _ = render("item_assignment")
    without, _, _ = render("official_minutes")

    assert with_reply_to["Reply-To"] == "meetings+t0k@example.com"
    assert without["Reply-To"] is None


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
@pytest.mark.parametrize("kind", ["official_minutes", "minutes_receipt", "item_assignment"])
def test_hostile_task_text_is_escaped_in_html(kind: str, locale: str) -> None:
    _, text, markup = render(kind, locale)

    assert "<script>" not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; the room" in markup
    # Plain text is shown as written: nothing there is interpreted.
    assert HOSTILE in text


@pytest.mark.parametrize(
    ("locale", "subject", "facts"),
    [
        (
            "en",
            "Minutes: Q2 review (10 Mar)",
            ["Engineering", "Fri 14 Mar 2025", "Mon 17 Mar 2025 17:00", "Wed 19 Mar 2025"],
        ),
        (
            "zh_CN",
            "会议纪要：Q2 review（3月10日）",
            ["人力资源部", "2025年3月14日（周五）", "2025年3月17日（周一）17:00", "负责人"],
        ),
    ],
)
def test_official_minutes_carry_the_same_facts_in_both_bodies(
    locale: str, subject: str, facts: list[str]
) -> None:
    msg, text, markup = render("official_minutes", locale)

    assert msg["Subject"] == subject
    for body in both(text, markup):
        for fact in facts:
            assert fact in body
        for ref in ("MF-0042", "MF-0043"):
            assert ref in body
        # Owners by name: from the meeting, then the people directory.
        assert "Bob Li" in body and "李四" in body and "Carol Chen" in body
        assert "The Q2 budget is approved." in body and "批准招聘计划" in body
        assert "Who pays?" in body
        assert "Alice Wang" in body and "Guest Speaker" in body
        assert "Room 501" in body and "Follow-up" in body
        assert "The offsite moves to April." in body
        assert "Correction" not in body and "更正】" not in body


@pytest.mark.parametrize(
    ("locale", "subject", "marker"),
    [
        ("en", "Correction: Minutes: Q2 review (10 Mar)", "What changed"),
        ("zh_CN", "更正：会议纪要：Q2 review（3月10日）", "更正内容"),
    ],
)
def test_a_correction_is_marked_and_lists_its_changes(
    locale: str, subject: str, marker: str
) -> None:
    changes = ["~ MF-0042: due 2025-03-13 → 2025-03-14", "- MF-0040: dropped"]
    msg, text, markup = render(
        "official_minutes", locale, version=2, correction=True, changes=changes
    )

    assert msg["Subject"] == subject
    for body in both(text, markup):
        assert marker in body
        for change in changes:
            assert change in body


def test_without_attendance_the_invitees_are_listed_as_invited() -> None:
    _, text, markup = render("official_minutes", content={**CONTENT, "present": []})

    for body in both(text, markup):
        assert "Invited:" in body or "Invited" in body
        assert "attendance not recorded" in body
        assert "Alice Wang, Bob Li, 李四, Carol Chen" in body


def test_official_minutes_show_both_times_to_a_reader_in_another_zone() -> None:
    payload = payload_of("official_minutes")
    payload["timezone"] = "Europe/London"
    msg = RENDERERS["official_minutes"](context(), ["bob@example.com"], payload)

    text = msg.get_body(("plain",))
    assert text is not None
    body = text.get_content()
    assert "Monday 10 March 2025, 01:30–02:30 (Europe/London)" in body
    assert "Monday 10 March 2025, 09:30–10:30 (Asia/Shanghai)" in body


@pytest.mark.parametrize(
    ("locale", "subject", "phrases"),
    [
        (
            "en",
            "Please send the minutes: Q2 review (10 Mar)",
            [
                "by replying to this mail",
                "a table with owner and due date columns",
                "ATTENDEES: Alice Wang, Bob Li",
                "[Topic 1] Budget (owner: Alice Wang; expected conclusion: Approve the Q2 budget)",
                "[Topic 2] Hiring plan (owner: Bob Li)",
                "e.g. ACTION: @bob Draft the hiring plan; deliverable: plan v1; due: 2025-03-17",
                "DISPUTE",
                "NEXT",
                "INFO",
                "accepted",
                "tentative",
                "declined",
            ],
        ),
        (
            "zh_CN",
            "请提交会议纪要：Q2 review（3月10日）",
            [
                "直接回复本邮件提交会议纪要",
                "含责任人、完成时间列的表格",
                "出席：Alice Wang、Bob Li",
                "【议题1】Budget（负责人：Alice Wang；预期结论：Approve the Q2 budget）",
                "例：行动项：李四 完成招聘计划 交付物：招聘计划初稿 截止：3月17日",
                "争议",
                "下次会议",
                "备注",
                "参加",
                "待定",
                "不参加",
            ],
        ),
    ],
)
def test_the_skeleton_prefills_the_agenda_and_explains_the_syntax(
    locale: str, subject: str, phrases: list[str]
) -> None:
    msg, text, markup = render("minutes_skeleton", locale)

    assert msg["Subject"] == subject
    assert msg["To"] == "Carol Chen <carol@example.com>"
    for body in both(text, markup):
        for phrase in phrases:
            assert phrase in body
        assert "li.si@example.com" in body


def test_the_skeleton_uses_the_latest_rsvps_given() -> None:
    latest = (AttendeeSpec("bob@example.com", "Bob Li", partstat="DECLINED"),)
    _, text, _ = render("minutes_skeleton", attendees=latest)

    assert "Bob Li <bob@example.com>: declined" in text
    assert "ATTENDEES: Alice Wang\n" in text


@pytest.mark.parametrize(
    ("stage", "locale", "subject", "phrase"),
    [
        ("scribe", "en", "Minutes due by Tue 11 Mar 10:30: Q2 review", "are due by"),
        ("organiser", "en", "Minutes not received: Q2 review (10 Mar)", "As the organiser"),
        ("scribe", "zh_CN", "请于3月11日 10:30前提交会议纪要：Q2 review", "须于"),
        ("organiser", "zh_CN", "会议纪要尚未收到：Q2 review（3月10日）", "会议组织者"),
    ],
)
def test_reminders_name_the_deadline_and_how_to_send(
    stage: str, locale: str, subject: str, phrase: str
) -> None:
    msg, text, markup = render("minutes_reminder", locale, stage=stage)

    assert msg["Subject"] == subject
    deadline = "Tuesday 11 March 2025, 10:30" if locale == "en" else "2025年3月11日（星期二）10:30"
    for body in both(text, markup):
        assert phrase in body and deadline in body
        assert "reply to this mail" in body.lower() or "回复本邮件" in body


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_the_minutes_receipt_lists_items_and_every_problem(locale: str) -> None:
    _, text, markup = render("minutes_receipt", locale)

    still = "the rest of the minutes still apply" if locale == "en" else "其余内容仍然有效"
    counts = "2 decisions, 2 action items, 0 issues and risks" if locale == "en" else "决议 2 条"
    for body in both(text, markup):
        assert still in body and counts in body
        assert "MF-0042" in body and "MF-0043" in body and "Bob Li" in body
        assert PROBLEM.line in body and PROBLEM.reason in body
        assert PROBLEM.hint is not None and PROBLEM.hint in body


def test_a_corrected_minutes_receipt_names_the_version_and_the_changes() -> None:
    msg, text, markup = render(
        "minutes_receipt", version=3, correction=True, changes=["+ MF-0044: new"], created=1
    )

    assert msg["Subject"] == "Re: Please send the minutes: Q2 review (10 Mar)"
    for body in both(text, markup):
        assert "version 3" in body
        assert "1 action item created" in body
        assert "+ MF-0044: new" in body


@pytest.mark.parametrize(
    ("locale", "held_words", "incomplete_words"),
    [
        ("en", ["held", "PUBLISH", "Nothing has been applied"], "Items created, but incomplete"),
        ("zh_CN", ["暂未发布", "发布", "没有发送正式会议纪要"], "已创建，但信息不完整"),
    ],
)
def test_a_held_receipt_says_why_and_how_to_release_and_lists_incomplete_items(
    locale: str, held_words: list[str], incomplete_words: str
) -> None:
    kept = Problem("ACTION: @bob Book the room", "no due date", "Add a date.", "no_due", True)
    msg, text, markup = render("minutes_receipt", locale, held="no_items", problems=[PROBLEM, kept])

    assert ("held" if locale == "en" else "暂未发布") in msg["Subject"], "said in the subject too"
    for body in both(text, markup):
        assert all(word in body for word in held_words)
        assert incomplete_words in body and kept.line in body and kept.reason in body
        assert PROBLEM.line in body, "the line that gave nothing is listed"


def test_a_minutes_receipt_without_a_mail_to_answer_has_its_own_subject() -> None:
    payload = payload_of("minutes_receipt", "zh_CN")
    payload["in_reply_to"] = None
    msg = RENDERERS["minutes_receipt"](context(), ["carol@example.com"], payload)

    assert msg["Subject"] == "会议纪要已登记：Q2 review"
    assert msg["In-Reply-To"] == ROOT


@pytest.mark.parametrize(
    ("locale", "commands"),
    [
        ("en", ["CONFIRM", "DONE", "PROGRESS 60%", "DELAY 2025-03-21 <reason>", "DECLINE", "NOTE"]),
        ("zh_CN", ["确认", "完成", "进度 60%", "延期 3月21日 原因", "拒绝 原因", "备注 内容"]),
    ],
)
def test_the_assignment_lists_the_items_and_explains_the_commands(
    locale: str, commands: list[str]
) -> None:
    msg, text, markup = render("item_assignment", locale)

    subject = {
        "en": "Please confirm your action items: Q2 review (10 Mar)",
        "zh_CN": "请确认您的行动项：Q2 review（3月10日）",
    }[locale]
    assert msg["Subject"] == subject
    prefix = '"MF-0042 DONE"' if locale == "en" else "“MF-0042 完成”"
    for body in both(text, markup):
        assert "MF-0042" in body and "Draft the hiring plan" in body
        assert "Plan v1 in the shared drive" in body
        for command in commands:
            assert command in body
        assert prefix in body


def test_a_single_item_needs_no_ref_prefix() -> None:
    _, text, markup = render("item_assignment", items=ITEMS[:1])

    for body in both(text, markup):
        assert "MF-0042 DONE" not in body
        assert "this action item" in body


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_the_item_receipt_shows_each_items_new_state(locale: str) -> None:
    _, text, markup = render("item_receipt", locale)

    state = ["delayed", "30%", "招标延期"] if locale == "en" else ["已延期", "30%", "招标延期"]
    for body in both(text, markup):
        assert "MF-0042 DONE" in body
        assert "MF-0043 FROB" in body and "unknown command 'FROB'" in body
        for fact in state:
            assert fact in body
        assert "11 Mar 08:00" in body or "3月11日 08:00" in body
        # The list of commands is for mail that had a command not understood.
        assert "CONFIRM" not in body and "确认 ——" not in body


def test_the_item_receipt_lists_the_valid_commands_when_asked() -> None:
    msg, text, markup = render("item_receipt", show_commands=True)

    assert msg["Subject"] == "Re: Please confirm your action items: Q2 review (10 Mar)"
    assert msg["In-Reply-To"] == "<owner-1@mail.example.com>"
    for body in both(text, markup):
        assert "CONFIRM" in body and "DECLINE <reason>" in body


@pytest.mark.parametrize("kind", sorted(RENDERERS))
def test_a_malformed_payload_fails_the_row(kind: str) -> None:
    with pytest.raises(RenderError):
        RENDERERS[kind](context(), ["x@example.com"], {})


@pytest.mark.parametrize(
    ("kind", "key", "value"),
    [
        ("official_minutes", "version", "two"),
        ("official_minutes", "changes", "not a list"),
        ("minutes_reminder", "stage", "everyone"),
        ("minutes_reminder", "deadline", "2025-03-11T10:30"),
        ("minutes_skeleton", "attendees", [{"name": "no address"}]),
        ("minutes_receipt", "problems", [{"line": "x"}]),
        ("item_assignment", "items", [{"ref": "MF-1", "task": "t", "status": "lost"}]),
        ("item_receipt", "errors", "boom"),
        ("item_receipt", "items", [{"ref": "MF-1", "task": "t", "progress": 140}]),
        ("official_minutes", "locale", 5),
    ],
)
def test_a_bad_value_fails_the_row(kind: str, key: str, value: object) -> None:
    payload = payload_of(kind)
    payload[key] = value

    with pytest.raises(RenderError):
        RENDERERS[kind](context(), [RECIPIENT[kind]], payload)


def test_an_unknown_locale_falls_back_to_english() -> None:
    msg, text, _ = render("official_minutes", "fr_FR")

    assert msg["Content-Language"] == "en"
    assert msg["Subject"] == "Minutes: Q2 review (10 Mar)"
    assert "Decisions:" in text


def test_a_mail_without_recipients_fails_the_row() -> None:
    with pytest.raises(RenderError):
        RENDERERS["minutes_receipt"](context(), [], payload_of("minutes_receipt"))


def test_builders_refuse_what_would_fail_later() -> None:
    spec = meeting()
    with pytest.raises(ValueError, match="stage"):
        minutes_reminder_payload(
            spec,
            stage="everyone",  # type: ignore[arg-type]  # an unknown stage, on purpose
            deadline=datetime(2025, 3, 11, tzinfo=SHANGHAI),
            locale="en",
            timezone=None,
        )
    with pytest.raises(ValueError, match="timezone-aware"):
        minutes_reminder_payload(
            spec, stage="scribe", deadline=datetime(2025, 3, 11), locale="en", timezone=None
        )
    with pytest.raises(ValueError, match="malformed"):
        official_minutes_payload(spec, {"actions": [{"owner": "x"}]}, locale="en", timezone=None)
    with pytest.raises(ValueError, match="at least one"):
        item_assignment_payload(
            [],
            meeting_title="t",
            meeting_start=spec.start,
            meeting_tzid=spec.tzid,
            locale="en",
            timezone=None,
        )


def test_header_values_never_carry_line_breaks() -> None:
    payload = payload_of("item_assignment")
    payload["meeting"]["title"] = "Q2\r\nBcc: victim@example.com"
    payload["reply_to"] = "a@example.com\r\nBcc: victim@example.com"
    msg = RENDERERS["item_assignment"](context(), ["bob@example.com"], payload)

    assert msg["Bcc"] is None
    assert msg["Subject"].startswith("Please confirm your action items: Q2 Bcc:")
