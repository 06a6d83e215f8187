"""The follow-up mails: reminders, the weekly request and nudge, and the three escalation levels."""

from __future__ import annotations

import email
import html
import json
import re
from collections.abc import Callable
from datetime import date, datetime
from email import policy
from email.message import EmailMessage
from html.parser import HTMLParser
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
from mailflow.domain.directory import Directory
from mailflow.domain.item_commands import parse_item_commands
from mailflow.outbound.delivery.registry import RENDERERS as STORED_RENDERERS
from mailflow.outbound.delivery.registry import Renderer
from mailflow.outbound.kinds.items.escalation_mail import Sent, escalation_payload
from mailflow.outbound.kinds.items.followup_mail import (
    item_reminder_payload,
    weekly_nudge_payload,
    weekly_progress_payload,
)
from mailflow.outbound.kinds.items.followup_parts import DueItem
from mailflow.outbound.rendering.compose import RenderContext, RenderError
from mailflow.outbound.rendering.items_export import ItemRow
from mailflow.outbound.rendering.payload_fields import OutboxPayload

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Friday 14 March 2025, 15:00 in Shanghai: when the weekly request goes out.
NOW = datetime(2025, 3, 14, 15, 0, tzinfo=SHANGHAI)
HOSTILE = "Book <script>alert(1)</script> & the room"
STOP_HEADER = "<mailto:meetings@example.com?subject=STOP%20REMINDERS>"
STOP_LINE = {
    "en": "Reply STOP REMINDERS to stop these reminders",
    "zh_CN": "回复 STOP REMINDERS 可停止提醒",
}


def context(now: datetime = NOW) -> RenderContext:
    config = Config(
        mail=MailSettings(
            domain="example.com", bot_address="meetings@example.com", bot_name="Meeting desk"
        ),
        imap=ImapSettings("imap.example.com", 993, "tls", "bot"),
        smtp=SmtpSettings("smtp.example.com", 587, "starttls"),
        people=PeopleSettings(
            people=(
                Person("bob@example.com", "Bob Li", aliases=("bob",), department="Engineering"),
                Person("alice@example.com", "Alice Wang", department="Engineering"),
            )
        ),
    )
    return RenderContext(config=config, now=now)


def item(ref: str, task: str, due: date, **fields: Any) -> ItemRow:
    return ItemRow(
        ref,
        task,
        owner="bob@example.com",
        owner_name="Bob Li",
        department="Engineering",
        meeting="Q2 review",
        due=due,
        **fields,
    )


PLAN = item("MF-0042", "Draft the hiring plan", date(2025, 3, 19))
ROOM = item("MF-0043", HOSTILE, date(2025, 3, 12), status="in_progress", progress=30)
BUDGET = item("MF-0044", "Ask for the budget", date(2025, 3, 14), status="delayed", progress=10)
DUE = (DueItem(PLAN, "before_3"), DueItem(ROOM, "overdue", 2), DueItem(BUDGET, "due_today"))
HISTORY = (
    Sent(datetime(2025, 3, 7, 9, 0, tzinfo=SHANGHAI), "before_3", "bob@example.com"),
    Sent(datetime(2025, 3, 11, 9, 0, tzinfo=SHANGHAI), "before_1", "bob@example.com"),
    Sent(datetime(2025, 3, 13, 9, 0, tzinfo=SHANGHAI), "overdue", "bob@example.com"),
    Sent(datetime(2025, 3, 14, 0, 0, tzinfo=SHANGHAI), "escalation_2", "alice@example.com"),
)


def payload_of(kind: str, locale: str = "en", **options: Any) -> dict[str, Any]:
    """A payload of ``kind`` as the outbox stores it: through JSON and back."""
    level = options.pop("level", 1)
    builders: dict[str, Callable[[], OutboxPayload]] = {
        "item_reminder": lambda: item_reminder_payload(
            options.pop("entries", DUE), locale=locale, timezone="Asia/Shanghai", **options
        ),
        "weekly_progress": lambda: weekly_progress_payload(
            options.pop("items", (PLAN, ROOM, BUDGET)),
            reply_by=options.pop("reply_by", datetime(2025, 3, 14, 17, 0, tzinfo=SHANGHAI)),
            locale=locale,
            timezone="Asia/Shanghai",
            **options,
        ),
        "weekly_nudge": lambda: weekly_nudge_payload(
            (PLAN, ROOM),
            asked_on=date(2025, 3, 14),
            locale=locale,
            timezone="Asia/Shanghai",
            **options,
        ),
        "escalation": lambda: escalation_payload(
            ROOM,
            level=level,
            overdue_days=2,
            history=HISTORY[: level + 1],
            silent_hours=None if level == 1 else 24 * (level - 1),
            next_step_at=None if level == 3 else datetime(2025, 3, 15, 0, 0, tzinfo=SHANGHAI),
            locale=locale,
            timezone="Asia/Shanghai",
            **options,
        ),
    }
    stored: dict[str, Any] = json.loads(json.dumps(builders[kind]().to_json()))
    return stored


# Each kind's renderer as the outbox calls it: the stored JSON, read and checked, then rendered.
RENDERERS: dict[str, Renderer] = {
    kind: STORED_RENDERERS[kind]
    for kind in ("item_reminder", "weekly_progress", "weekly_nudge", "escalation")
}
RECIPIENT = {
    "item_reminder": "Bob Li <bob@example.com>",
    "weekly_progress": "bob@example.com",
    "weekly_nudge": "bob@example.com",
    "escalation": "alice@example.com",
}


def render(
    kind: str, locale: str = "en", *, now: datetime = NOW, **options: Any
) -> tuple[EmailMessage, str, str]:
    """The mail as a client parses it, its text body, and its raw HTML body."""
    payload = payload_of(kind, locale, **options)
    msg = RENDERERS[kind](context(now), [RECIPIENT[kind]], payload)
    parsed = email.message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    text, markup = parsed.get_body(("plain",)), parsed.get_body(("html",))
    assert text is not None and markup is not None
    return parsed, text.get_content(), markup.get_content()


def visible(markup: str) -> str:
    """What a reader sees of the HTML body: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]*>", "", markup))


class _Rows(HTMLParser):
    """The text of each cell of each innermost table row."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def table_rows(markup: str) -> list[list[str]]:
    parser = _Rows()
    parser.feed(markup)
    return parser.rows


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
@pytest.mark.parametrize("kind", sorted(RENDERERS))
def test_every_kind_renders_with_both_alternatives(kind: str, locale: str) -> None:
    msg, text, markup = render(kind, locale)

    assert msg.get_content_type() == "multipart/alternative"
    assert msg["Content-Language"] == locale.replace("_", "-")
    assert msg["From"] == "Meeting desk <meetings@example.com>"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert text.strip() and "<html" in markup
    assert 'lang="zh-CN"' in markup if locale == "zh_CN" else 'lang="en"' in markup


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
@pytest.mark.parametrize("kind", ["item_reminder", "weekly_progress", "weekly_nudge"])
def test_reminders_and_weekly_mails_can_be_stopped(kind: str, locale: str) -> None:
    msg, text, markup = render(kind, locale)

    assert msg["List-Unsubscribe"] == STOP_HEADER
    # RFC 8058 one-click needs an https URI; mailflow offers only the mailto.
    assert msg["List-Unsubscribe-Post"] is None
    for body in (text, visible(markup)):
        assert STOP_LINE[locale] in body


def test_the_unsubscribe_mailto_may_name_a_routed_address() -> None:
    msg, _, _ = render("item_reminder", unsubscribe="meetings+u.k3Xf9@example.com")

    # A long value is folded before the "<" (RFC 5322 folding white space), never inside it.
    assert msg["List-Unsubscribe"].strip() == (
        "<mailto:meetings+u.k3Xf9@example.com?subject=STOP%20REMINDERS>"
    )


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_an_executive_cannot_opt_out_of_a_level_3_escalation(locale: str) -> None:
    msg, text, markup = render("escalation", locale, level=3)

    assert msg["List-Unsubscribe"] is None
    assert "STOP REMINDERS" not in text and "STOP REMINDERS" not in markup
    with pytest.raises(ValueError, match="opt out"):
        escalation_payload(
            ROOM, level=3, overdue_days=2, locale=locale, timezone=None, unsubscribe="m@x.com"
        )
    # A payload changed after planning is refused too, not sent with the header.
    payload = payload_of("escalation", locale, level=3)
    payload["unsubscribe"] = "meetings@example.com"
    with pytest.raises(RenderError):
        RENDERERS["escalation"](context(), ["ceo@example.com"], payload)


@pytest.mark.parametrize("level", [1, 2])
def test_lower_escalations_offer_the_stop_only_when_planned_with_it(level: int) -> None:
    plain, text, _ = render("escalation", level=level)
    offered, offered_text, _ = render("escalation", level=level, unsubscribe="meetings@example.com")

    assert plain["List-Unsubscribe"] is None and "STOP REMINDERS" not in text
    assert offered["List-Unsubscribe"] == STOP_HEADER
    assert STOP_LINE["en"] in offered_text


@pytest.mark.parametrize(
    ("locale", "stages"),
    [
        ("en", ["overdue by 2 days", "due today", "due in 3 business days"]),
        ("zh_CN", ["已逾期2天", "今天到期", "还有3个工作日到期"]),
    ],
)
def test_one_reminder_lists_every_item_most_urgent_first(locale: str, stages: list[str]) -> None:
    msg, text, markup = render("item_reminder", locale)

    refs = ["MF-0043", "MF-0044", "MF-0042"]
    # The HTML: one row per item, its ref, then the task above its stage and the other fields.
    html_rows = re.findall(r">(MF-\d+)</td>.*?<span[^>]*>([^<]+)</span>(?: · |；)", markup)
    html_stages = [(ref, html.unescape(stage).lower()) for ref, stage in html_rows]
    assert html_stages == list(zip(refs, stages, strict=True))
    # The text body: each ref, then its stage first on the next line (marked when overdue).
    found = re.findall(r"^  (MF-\d+)  .*\n\s+(.+)$", text, re.M)
    text_stages = [
        (ref, re.split(r" · |；", line)[0].strip("*【】 ").lower()) for ref, line in found
    ]
    assert text_stages == list(zip(refs, stages, strict=True))
    expected = {
        "en": "Your action items: 3 need an update (1 overdue)",
        "zh_CN": "您有3项行动项需要更新（1项已逾期）",
    }
    assert msg["Subject"] == expected[locale]


@pytest.mark.parametrize(
    ("entry", "subject"),
    [
        (DueItem(PLAN, "before_1"), "Due in 1 business day: MF-0042 Draft the hiring plan"),
        (DueItem(PLAN, "due_today"), "Due today: MF-0042 Draft the hiring plan"),
        (DueItem(PLAN, "overdue", 1), "Overdue by 1 day: MF-0042 Draft the hiring plan"),
    ],
)
def test_a_reminder_for_one_item_names_it_in_the_subject(entry: DueItem, subject: str) -> None:
    msg, text, _ = render("item_reminder", entries=[entry])

    assert msg["Subject"] == subject
    assert f"Your action item MF-0042 is {subject.split(':')[0].lower()}." in text


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
@pytest.mark.parametrize("kind", ["item_reminder", "weekly_progress", "escalation"])
def test_the_command_examples_are_commands_mailflow_understands(kind: str, locale: str) -> None:
    # Level 2 shows REASSIGN too, which only an organiser may use.
    options: dict[str, Any] = {"level": 2} if kind == "escalation" else {}
    _, text, _ = render(kind, locale, **options)

    lines = [
        line.split("——")[0].strip()
        for line in text.splitlines()
        if re.match(r"^\s+MF-\d+ ", line) and not re.match(r"^  MF-\d+  ", line)
    ]
    # The placeholders a reader replaces: a reason and a person.
    lines = [re.sub(r"\s{2,}.*$", "", line) for line in lines]
    lines = [re.sub(r"(<reason>| 原因)$", " waiting for the vendor", line) for line in lines]
    lines = [line.replace("@someone", "@bob").replace("@某人", "@bob") for line in lines]
    people = Directory(context().config.people.people)
    parsed = parse_item_commands("\n".join(lines), now=NOW, directory=people)

    assert not parsed.errors, parsed.errors
    verbs = {command.verb for command in parsed.commands}
    assert {"done", "progress", "delay"} <= verbs
    assert ("reassign" in verbs) is (kind == "escalation")
    assert all(command.ref and command.ref.startswith("MF-00") for command in parsed.commands)


@pytest.mark.parametrize(
    ("now", "reply_by", "en", "subject"),
    [
        (
            NOW,
            datetime(2025, 3, 14, 17, 0, tzinfo=SHANGHAI),
            "Please reply by 17:00 today (Asia/Shanghai)",
            "Weekly progress: please update your action items by 17:00 today",
        ),
        (
            NOW,
            datetime(2025, 3, 17, 17, 0, tzinfo=SHANGHAI),
            "Please reply by Mon 17 Mar 17:00 (Asia/Shanghai)",
            "Weekly progress: please update your action items by Mon 17 Mar 17:00",
        ),
        (
            # Held back by quiet hours past its answer time: it asks for an answer soon instead.
            datetime(2025, 3, 14, 18, 0, tzinfo=SHANGHAI),
            datetime(2025, 3, 14, 17, 0, tzinfo=SHANGHAI),
            "Please reply as soon as you can",
            "Weekly progress: please update your action items",
        ),
    ],
)
def test_the_weekly_request_names_its_answer_time(
    now: datetime, reply_by: datetime, en: str, subject: str
) -> None:
    msg, text, markup = render("weekly_progress", now=now, reply_by=reply_by)

    assert msg["Subject"] == subject
    for body in (text, visible(markup)):
        assert en in " ".join(body.split())
        assert "MF-0042 60%" in body and "MF-0043 DONE" in body
        assert "MF-0044 DELAY 2025-03-21 waiting for budget approval" in body


def test_the_weekly_request_in_chinese() -> None:
    msg, text, markup = render("weekly_progress", "zh_CN")

    assert msg["Subject"] == "每周进度：请于今天17:00前更新您的行动项"
    for body in (text, visible(markup)):
        assert "请于今天 17:00（北京时间 / Asia/Shanghai）前回复" in body
        assert "MF-0044 延期 3月21日 等待预算审批" in body


def test_one_item_gets_one_example_answer_line() -> None:
    _, text, _ = render("weekly_progress", items=(PLAN,))

    assert "MF-0042 60%" in text
    assert "MF-0042 DONE\n" not in text


@pytest.mark.parametrize(
    ("locale", "sentence", "subject"),
    [
        ("en", "On Fri 14 Mar 2025 we asked", "No update yet on your action items (2)"),
        ("zh_CN", "我们在2025年3月14日（周五）请您更新", "尚未收到您的进度更新（2项行动项）"),
    ],
)
def test_the_nudge_says_when_we_asked(locale: str, sentence: str, subject: str) -> None:
    msg, text, markup = render(
        "weekly_nudge", locale, now=datetime(2025, 3, 17, 8, 0, tzinfo=SHANGHAI)
    )

    assert msg["Subject"] == subject
    for body in (text, visible(markup)):
        assert sentence in body


@pytest.mark.parametrize(
    ("level", "subject", "sentence"),
    [
        (1, "Action needed: MF-0043 is overdue by 2 days", "was due on Wed 12 Mar 2025 and is"),
        (
            2,
            "Escalation: Bob Li's item MF-0043 is overdue by 2 days",
            "is overdue by 2 days and has had no update for 24 h",
        ),
        (
            3,
            "Escalation to you: Bob Li's item MF-0043 is overdue by 2 days",
            "it now comes to you as Bob Li's executive",
        ),
    ],
)
def test_each_escalation_level_says_what_is_late_and_what_was_sent(
    level: int, subject: str, sentence: str
) -> None:
    msg, text, markup = render("escalation", level=level)

    assert msg["Subject"] == subject
    history = [row for row in table_rows(markup) if re.match(r"^\w{3} \d+ Mar \d\d:\d\d$", row[0])]
    assert len(history) == level + 1
    text_history = re.findall(r"^  \w{3} \d+ Mar \d\d:\d\d\s+(.+?) \(to (.+)\)$", text, re.M)
    assert [(what, to) for what, to in text_history] == [(row[1], row[2]) for row in history]
    for body in (text, " ".join(visible(markup).split())):
        assert sentence in body
        assert ("REASSIGN @someone" in body) is (level > 1)
        assert ("will be told" in body) is (level < 3)
    assert text_history[0] == ("Reminder: due in 3 business days", "Bob Li")


def test_a_chinese_escalation_labels_its_history() -> None:
    msg, text, markup = render("escalation", "zh_CN", level=2)

    assert msg["Subject"] == "升级提醒：Bob Li负责的 MF-0043 已逾期2天"
    for body in (text, visible(markup)):
        assert "已 24 小时没有更新" in body
        assert "提醒：还有1个工作日到期" in body and "逾期通知" in body
        assert "MF-0043 转交 @某人" in body


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
@pytest.mark.parametrize("kind", sorted(RENDERERS))
def test_hostile_task_text_is_escaped_in_html(kind: str, locale: str) -> None:
    _, text, markup = render(kind, locale)

    assert "<script>" not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; the room" in markup
    assert HOSTILE in text


@pytest.mark.parametrize("kind", sorted(RENDERERS))
def test_a_malformed_payload_fails_the_row(kind: str) -> None:
    with pytest.raises(RenderError):
        RENDERERS[kind](context(), ["x@example.com"], {})


@pytest.mark.parametrize(
    ("kind", "key", "value"),
    [
        ("item_reminder", "items", [{"ref": "MF-1", "task": "t", "stage": "someday"}]),
        ("item_reminder", "items", [{"ref": "MF-1", "task": "t", "stage": "overdue"}]),
        (
            "item_reminder",
            "items",
            [{"ref": "MF-1", "task": "t", "stage": "due_today", "overdue_days": "2"}],
        ),
        ("item_reminder", "items", []),
        ("weekly_progress", "reply_by", "2025-03-14T17:00"),
        ("weekly_nudge", "asked_on", "last Friday"),
        ("escalation", "level", 4),
        ("escalation", "overdue_days", "two"),
        ("escalation", "history", [{"at": "2025-03-07T09:00", "what": "overdue"}]),
        ("escalation", "locale", 5),
    ],
)
def test_a_bad_value_fails_the_row(kind: str, key: str, value: object) -> None:
    payload = payload_of(kind)
    payload[key] = value

    with pytest.raises(RenderError):
        RENDERERS[kind](context(), [RECIPIENT[kind]], payload)


def test_builders_refuse_what_would_fail_later() -> None:
    other = ItemRow("MF-0050", "Someone else's", owner="carol@example.com", due=date(2025, 3, 1))
    with pytest.raises(ValueError, match="at least one"):
        item_reminder_payload([], locale="en", timezone=None)
    with pytest.raises(ValueError, match="one owner"):
        item_reminder_payload(
            [DueItem(PLAN, "before_3"), DueItem(other, "overdue", 13)], locale="en", timezone=None
        )
    with pytest.raises(ValueError, match="stage"):
        DueItem(PLAN, "before_0")
    with pytest.raises(ValueError, match="overdue_days"):
        DueItem(PLAN, "overdue")
    with pytest.raises(ValueError, match="closed"):
        weekly_progress_payload(
            [item("MF-1", "done", date(2025, 3, 1), status="done")],
            reply_by=NOW,
            locale="en",
            timezone=None,
        )
    with pytest.raises(ValueError, match="timezone-aware"):
        weekly_progress_payload(
            [PLAN], reply_by=datetime(2025, 3, 14, 17), locale="en", timezone=None
        )
    with pytest.raises(ValueError, match="level"):
        escalation_payload(ROOM, level=4, overdue_days=2, locale="en", timezone=None)
    with pytest.raises(ValueError, match="overdue"):
        escalation_payload(ROOM, level=1, overdue_days=0, locale="en", timezone=None)
    with pytest.raises(ValueError, match="timezone-aware"):
        Sent(datetime(2025, 3, 7, 9, 0), "overdue")


def test_header_values_never_carry_line_breaks() -> None:
    payload = payload_of("item_reminder")
    payload["unsubscribe"] = "a@example.com>\r\nBcc: victim@example.com"
    payload["reply_to"] = "a@example.com\r\nBcc: victim@example.com"
    msg = RENDERERS["item_reminder"](context(), ["bob@example.com"], payload)

    assert msg["Bcc"] is None
    assert "\n" not in msg["List-Unsubscribe"] and ">" not in msg["List-Unsubscribe"][1:-1]
