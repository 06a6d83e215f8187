"""The executive digest and its DETAILS answer: the same numbers in both bodies, mail-safe HTML."""

from __future__ import annotations

import email
import html
import json
import re
from datetime import date, datetime
from email import policy
from email.message import EmailMessage
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailflow.config.schema import Config, ImapSettings, MailSettings, SmtpSettings
from mailflow.outbound.delivery.registry import RENDERERS
from mailflow.outbound.kinds.digest.digest_chart import BAR_PX, split
from mailflow.outbound.kinds.digest.digest_data import (
    Decision,
    MeetingAhead,
    MinutesGap,
    OverdueItem,
)
from mailflow.outbound.kinds.digest.digest_mail import digest_details_payload, digest_payload
from mailflow.outbound.rendering.compose import RenderContext, RenderError
from mailflow.outbound.rendering.items_export import ItemRow

# The renderers as the outbox calls them: the stored JSON, read and checked, then rendered.
render_digest_row = RENDERERS["digest"]
render_digest_details_row = RENDERERS["digest_details"]

SHANGHAI = ZoneInfo("Asia/Shanghai")
AS_OF = datetime(2025, 3, 17, 8, 0, tzinfo=SHANGHAI)
HOSTILE = "Book <script>alert(1)</script> & the room"
HR = "人力资源部"
DEPARTMENTS = ["Engineering", HR, "Finance"]
COUNTS = {
    "Engineering": {"not_started": 3, "in_progress": 4, "done": 6, "delayed": 1},
    HR: {"not_started": 1, "in_progress": 2, "done": 1},
    "Finance": {"done": 2, "delayed": 2, "cancelled": 1},
}
PREVIOUS = {
    "Engineering": {"not_started": 4, "in_progress": 3, "done": 4, "delayed": 1},
    HR: {"not_started": 2, "in_progress": 2},
    "Finance": {"done": 2, "delayed": 1, "cancelled": 1},
}
# What the counts above add up to: status → (items now, change since the last digest).
TOTALS = {
    "not_started": (4, "-2"),
    "in_progress": (6, "+1"),
    "done": (9, "+3"),
    "delayed": (3, "+1"),
    "cancelled": (1, "0"),
}
LABELS = {
    "en": {
        "not_started": "not started",
        "in_progress": "in progress",
        "done": "done",
        "delayed": "delayed",
        "cancelled": "cancelled",
    },
    "zh_CN": {
        "not_started": "未开始",
        "in_progress": "进行中",
        "done": "已完成",
        "delayed": "已延期",
        "cancelled": "已取消",
    },
}


def context() -> RenderContext:
    config = Config(
        mail=MailSettings(
            domain="example.com", bot_address="meetings@example.com", bot_name="Meeting desk"
        ),
        imap=ImapSettings("imap.example.com", 993, "tls", "bot"),
        smtp=SmtpSettings("smtp.example.com", 587, "starttls"),
    )
    return RenderContext(config=config, now=AS_OF)


def item(ref: str, task: str, department: str, due: date, **fields: Any) -> ItemRow:
    return ItemRow(
        ref,
        task,
        owner="bob@example.com",
        owner_name="Bob Li",
        department=department,
        due=due,
        **fields,
    )


OVERDUE = (
    OverdueItem(item("MF-0050", "预算审批", "Finance", date(2025, 3, 14), status="delayed"), 3, 1),
    OverdueItem(
        item("MF-0043", HOSTILE, "Engineering", date(2025, 3, 11), status="in_progress"), 6, 2
    ),
    OverdueItem(item("MF-0041", "Order laptops", "Engineering", date(2025, 3, 7)), 10, 3),
)
MEETINGS = (
    MeetingAhead("Q3 planning", datetime(2025, 3, 19, 9, 30, tzinfo=SHANGHAI), "Alice", 5, 1, 2, 3),
    MeetingAhead("招聘会议", datetime(2025, 3, 20, 14, 0, tzinfo=SHANGHAI), "李四", 0, 0, 0, 7),
)


def payload_of(locale: str = "en", **options: Any) -> dict[str, Any]:
    """A digest payload as the outbox stores it: through JSON and back."""
    values: dict[str, Any] = {
        "period": "weekly",
        "as_of": AS_OF,
        "since": datetime(2025, 3, 10, 8, 0, tzinfo=SHANGHAI),
        "departments": DEPARTMENTS,
        "counts": COUNTS,
        "previous_counts": PREVIOUS,
        "decisions": [
            Decision("Q2 review", date(2025, 3, 10), HOSTILE),
            Decision("招聘会议", date(2025, 3, 12), "批准招聘计划"),
        ],
        "overdue": OVERDUE,
        "due_soon": [item("MF-0044", "Draft the plan", "Engineering", date(2025, 3, 20))],
        "meetings": MEETINGS,
        "minutes": [
            MinutesGap(
                "Budget committee",
                datetime(2025, 3, 13, 14, 0, tzinfo=SHANGHAI),
                datetime(2025, 3, 14, 14, 0, tzinfo=SHANGHAI),
                scribe="Carol",
            ),
            MinutesGap(
                "Weekly sync",
                datetime(2025, 3, 10, 10, 0, tzinfo=SHANGHAI),
                datetime(2025, 3, 11, 10, 0, tzinfo=SHANGHAI),
                received=datetime(2025, 3, 11, 15, 30, tzinfo=SHANGHAI),
            ),
        ],
        "locale": locale,
        "timezone": "Asia/Shanghai",
        "reply_to": "meetings+d1.k3Xf9@example.com",
    }
    values.update(options)
    stored: dict[str, Any] = json.loads(json.dumps(digest_payload(**values).to_json()))
    return stored


def parsed(msg: EmailMessage) -> tuple[EmailMessage, str, str]:
    """The mail as a client parses it, its text body, and its raw HTML body."""
    mail = email.message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert isinstance(mail, EmailMessage)
    text, markup = mail.get_body(("plain",)), mail.get_body(("html",))
    assert text is not None and markup is not None
    return mail, text.get_content(), markup.get_content()


def render(locale: str = "en", **options: Any) -> tuple[EmailMessage, str, str]:
    payload = payload_of(locale, **options)
    return parsed(render_digest_row(context(), ["Chen Jing <ceo@example.com>"], payload))


def details(locale: str = "en", **options: Any) -> tuple[EmailMessage, str, str]:
    values: dict[str, Any] = {
        "as_of": AS_OF,
        "departments": DEPARTMENTS,
        "locale": locale,
        "timezone": "Asia/Shanghai",
        "in_reply_to": "<digest-reply-1@mail.example.com>",
        "subject": "Re: Weekly digest (17 Mar): 3 overdue, 1 due in the next 7 days",
    }
    values.update(options)
    items = [
        item("MF-0040", "Done already", "Engineering", date(2025, 3, 1), status="done"),
        OVERDUE[1].item,
        item("MF-0044", "Draft the plan", "Engineering", date(2025, 3, 20), delay_reason=HOSTILE),
        OVERDUE[2].item,
    ]
    stored = digest_details_payload("Engineering", items, **values).to_json()
    payload = json.loads(json.dumps(stored))
    return parsed(render_digest_details_row(context(), ["ceo@example.com"], payload))


class _Rows(HTMLParser):
    """The cells of every table row; a cell's text includes the text of tables nested in it."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._open: list[list[list[str]]] = []  # open rows, each a list of cells (text parts)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self._open.append([])
        elif tag in ("td", "th") and self._open:
            self._open[-1].append([])

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr" and self._open:
            row = self._open.pop()
            self.rows.append([" ".join("".join(cell).split()) for cell in row])

    def handle_data(self, data: str) -> None:
        for row in self._open:
            if row:
                row[-1].append(data)


def table_rows(markup: str) -> list[list[str]]:
    parser = _Rows()
    parser.feed(markup)
    return parser.rows


def visible(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", " ", markup))


_PATTERNS = {
    "en": (
        r"Days late: (\d+) · Escalation: (.+)",
        r"Accepted: (\d+) · Declined: (\d+) · Tentative: (\d+) · No answer: (\d+)",
    ),
    "zh_CN": (
        r"逾期天数：(\d+)；升级情况：(.+)",
        r"参加：(\d+) · 不参加：(\d+) · 待定：(\d+) · 未回复：(\d+)",
    ),
}


def html_facts(markup: str, locale: str) -> dict[str, Any]:
    """The digest's numbers as the HTML shows them, read from its tables."""
    labels = {label: status for status, label in LABELS[locale].items()}
    rows = table_rows(markup)
    statuses = {
        labels[row[0].lstrip("■ ").lower()]: (int(row[1]), row[2])
        for row in rows
        if len(row) == 3 and row[0].lstrip("■ ").lower() in labels
    }
    chart = {
        row[0]: (int(row[2]), _counts(row[1], locale))
        for row in rows
        if len(row) == 3 and row[0] in DEPARTMENTS
    }
    # Overdue items and meetings are one row each: a key (ref, time), then the item's fields.
    late, answers = _PATTERNS[locale]
    overdue = {
        (row[0], int(found[1]), found[2])
        for row in rows
        if len(row) == 2 and (found := re.search(late + "$", row[1]))
    }
    meetings = [
        tuple(int(n) for n in found.groups())
        for row in rows
        if len(row) == 2 and (found := re.search(answers, row[1]))
    ]
    tiles = next(row for row in rows if len(row) == 4)
    return {
        "statuses": statuses,
        "chart": chart,
        "overdue": overdue,
        "meetings": meetings,
        "figures": [int(tile.split()[0]) for tile in tiles],
    }


def text_facts(text: str, locale: str) -> dict[str, Any]:
    """The same numbers as the text body shows them."""
    labels = {label: status for status, label in LABELS[locale].items()}
    statuses = {}
    for line in text.splitlines():
        match = re.match(r"^  (\S+(?: \S+)?)\s+(\d+)\s+(\S+)$", line)
        if match and match[1].lower() in labels:
            statuses[labels[match[1].lower()]] = (int(match[2]), match[3])
    chart = {
        name: (int(total), _counts(beneath, locale))
        for name, total, beneath in re.findall(r"^  (\S+)\s+[.=#!x]+\s+(\d+)\n\s+(.+)$", text, re.M)
    }
    if locale == "en":
        late = re.findall(r"^    (MF-\d+) .*\n.*Days late: (\d+) · Escalation: (.+)$", text, re.M)
        meetings = re.findall(
            r"Accepted: (\d+) · Declined: (\d+) · Tentative: (\d+) · No answer: (\d+)", text
        )
        figures = re.search(
            r"Open items: (\d+) · Overdue: (\d+) · Due in the next 7 days: (\d+) · "
            r"Decisions: (\d+)",
            text,
        )
    else:
        late = re.findall(r"^    (MF-\d+) .*\n.*逾期天数：(\d+)；升级情况：(.+)$", text, re.M)
        meetings = re.findall(r"参加：(\d+) · 不参加：(\d+) · 待定：(\d+) · 未回复：(\d+)", text)
        figures = re.search(
            r"未完成行动项：(\d+) · 已逾期：(\d+) · 7 天内到期：(\d+) · 新决议：(\d+)", text
        )
    assert figures is not None
    return {
        "statuses": statuses,
        "chart": chart,
        "overdue": {(ref, int(days), level) for ref, days, level in late},
        "meetings": [tuple(int(n) for n in row) for row in meetings],
        "figures": [int(n) for n in figures.groups()],
    }


def _counts(line: str, locale: str) -> dict[str, int]:
    """``3 not started · 4 in progress`` / ``未开始 3 项 · 进行中 4 项`` → {status: count}."""
    labels = {label: status for status, label in LABELS[locale].items()}
    pattern = r"(\d+) ([a-z ]+?)(?= ·|$)" if locale == "en" else r"(\S+?) (\d+) 项"
    found = re.findall(pattern, line.strip())
    pairs = found if locale == "en" else [(n, label) for label, n in found]
    return {labels[label]: int(n) for n, label in pairs}


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_the_digest_renders_in_both_languages(locale: str) -> None:
    msg, _, markup = render(locale)

    assert msg.get_content_type() == "multipart/alternative"
    assert msg["Content-Language"] == locale.replace("_", "-")
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Reply-To"] == "meetings+d1.k3Xf9@example.com"
    # A digest is bulk mail: STOP (this mailto's subject) ends digests as it ends reminders.
    assert msg["List-Unsubscribe"] == "<mailto:meetings@example.com?subject=STOP%20REMINDERS>"
    subjects = {
        "en": "Weekly digest (17 Mar): 3 overdue, 1 due in the next 7 days",
        "zh_CN": "每周管理摘要（3月17日）：逾期3项，7天内到期1项",
    }
    assert msg["Subject"] == subjects[locale]
    assert 'lang="zh-CN"' in markup if locale == "zh_CN" else 'lang="en"' in markup


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_both_bodies_carry_the_same_numbers(locale: str) -> None:
    _, text, markup = render(locale)
    from_html, from_text = html_facts(markup, locale), text_facts(text, locale)

    assert from_html == from_text
    # And they are the payload's numbers: totals and changes, per department, overdue items.
    assert from_html["statuses"] == TOTALS
    expected_chart = {
        department: (sum(by.values()), {s: n for s, n in by.items() if n})
        for department, by in COUNTS.items()
    }
    assert from_html["chart"] == expected_chart
    assert {(ref, days) for ref, days, _ in from_html["overdue"]} == {
        (e.item.ref, e.days_late) for e in OVERDUE
    }
    assert from_html["meetings"] == [(5, 1, 2, 3), (0, 0, 0, 7)]
    assert from_html["figures"] == [13, 3, 1, 2]


def test_overdue_items_are_grouped_by_department_most_late_first() -> None:
    _, text, _ = render()

    section = text.split("Overdue items (3):")[1].split("Due in the next 7 days")[0]
    assert re.findall(r"^  (\S+) \((\d+)\)$", section, re.M) == [
        ("Engineering", "2"),
        ("Finance", "1"),
    ]
    assert re.findall(r"MF-\d+", section) == ["MF-0041", "MF-0043", "MF-0050"]
    assert "Escalation: level 3 (executive)" in section


def test_the_html_is_mail_safe() -> None:
    for markup in (render()[2], render("zh_CN")[2], details()[2]):
        lowered = markup.lower()
        for banned in ("<img", "<script", "<style", "<link", "<iframe", "javascript:", "url("):
            assert banned not in lowered
        # No resource is fetched: no http(s) address anywhere (the meta tag's http-equiv is no URL).
        assert not re.search(r"https?:", lowered)
        assert not re.search(r"\s(?:src|background)\s*=", lowered)
        assert "class=" not in lowered


def test_the_chart_is_bars_of_table_cells() -> None:
    _, _, markup = render()

    bars = re.findall(
        r'<table role="presentation" width="(\d+)"[^>]*><tr>\s*((?:<td width="\d+" height="20" '
        r'bgcolor="#[0-9a-f]{6}"[^>]*>.*?</td>\s*)+)</tr></table>',
        markup,
    )
    assert len(bars) == len(DEPARTMENTS)
    widths = []
    for table_width, cells in bars:
        cell_widths = [int(w) for w in re.findall(r'<td width="(\d+)"', cells)]
        assert sum(cell_widths) == int(table_width)
        widths.append(int(table_width))
    # The department with the most items spans the full bar; the others are in proportion.
    assert widths[0] == BAR_PX
    assert widths[1] == round(4 * BAR_PX / 14) and widths[2] == round(5 * BAR_PX / 14)
    assert 'bgcolor="#1a7f37"' in markup  # the done colour


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_hostile_text_is_escaped_in_html(locale: str) -> None:
    _, text, markup = render(locale, departments=[*DEPARTMENTS, "<b>R&D</b>"])

    assert "<script>" not in markup and "<b>R&D</b>" not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; the room" in markup
    assert "&lt;b&gt;R&amp;D&lt;/b&gt;" in markup
    assert HOSTILE in text


@pytest.mark.parametrize(
    ("locale", "line"),
    [
        ("en", "Reply DETAILS <department> for the full list"),
        ("zh_CN", "回复 DETAILS <部门> 获取完整清单"),
    ],
)
def test_the_digest_says_how_to_ask_for_details(locale: str, line: str) -> None:
    _, text, markup = render(locale)

    for body in (text, visible(markup)):
        assert line in " ".join(body.split())
        assert "DETAILS Engineering" in body


def test_a_first_digest_shows_no_change() -> None:
    _, text, markup = render(since=None, previous_counts=None, period="daily")

    assert "first digest" in text and "first digest" in markup
    assert {change for _, change in html_facts(markup, "en")["statuses"].values()} == {"—"}
    assert "Daily digest." in text


def test_empty_sections_say_so() -> None:
    _, text, _ = render(decisions=[], overdue=[], due_soon=[], meetings=[], minutes=[])

    assert text.count("  None.") == 5
    assert "Overdue items (0):" in text


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_details_answer_the_executives_mail(locale: str) -> None:
    msg, text, markup = details(locale)

    assert msg["In-Reply-To"] == "<digest-reply-1@mail.example.com>"
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["Subject"] == "Re: Weekly digest (17 Mar): 3 overdue, 1 due in the next 7 days"
    rows = [row for row in table_rows(markup) if len(row) == 2 and row[0].startswith("MF-")]
    late = [re.search(r"(?:Days late: |逾期天数：)(\d+)", row[1]) for row in rows]
    # Open items first, by due date; the done one last. Days late only for open overdue items.
    assert [(row[0], found[1] if found else "") for row, found in zip(rows, late, strict=True)] == [
        ("MF-0041", "10"),
        ("MF-0043", "6"),
        ("MF-0044", ""),
        ("MF-0040", ""),
    ]
    assert re.findall(r"^  (MF-\d+)  ", text, re.M) == [row[0] for row in rows]
    assert "&lt;script&gt;" in markup and "<script>" not in markup


def test_details_without_a_mail_to_answer_have_their_own_subject() -> None:
    msg, _, _ = details(in_reply_to=None, subject=None)

    assert msg["Subject"] == "Details: Engineering (4 action items)"
    assert msg["Auto-Submitted"] == "auto-generated"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("period", "monthly"),
        ("as_of", "2025-03-17T08:00"),
        ("counts", {"Engineering": {"lost": 1}}),
        ("counts", {"Engineering": {"done": -1}}),
        ("previous_counts", "none"),
        ("overdue", [{"ref": "MF-1", "task": "t", "days_late": 0, "level": 1}]),
        ("overdue", [{"ref": "MF-1", "task": "t", "days_late": 2, "level": 5}]),
        ("meetings", [{"title": "x", "start": "2025-03-19T09:30", "accepted": 1}]),
        ("minutes", [{"title": "x", "start": "2025-03-13T14:00+08:00"}]),
        ("departments", "Engineering"),
    ],
)
def test_a_bad_value_fails_the_row(key: str, value: object) -> None:
    payload = payload_of()
    payload[key] = value

    with pytest.raises(RenderError):
        render_digest_row(context(), ["ceo@example.com"], payload)


def test_a_malformed_payload_fails_the_row() -> None:
    for renderer in (render_digest_row, render_digest_details_row):
        with pytest.raises(RenderError):
            renderer(context(), ["ceo@example.com"], {})


def test_builders_refuse_what_would_fail_later() -> None:
    with pytest.raises(ValueError, match="period"):
        payload_of(period="monthly")
    with pytest.raises(ValueError, match="timezone-aware"):
        payload_of(as_of=datetime(2025, 3, 17, 8, 0))
    with pytest.raises(ValueError, match="unknown item statuses"):
        payload_of(counts={"Engineering": {"lost": 1}})
    with pytest.raises(ValueError, match="one day late"):
        OverdueItem(OVERDUE[0].item, 0, 1)
    with pytest.raises(ValueError, match="timezone-aware"):
        MeetingAhead("x", datetime(2025, 3, 19, 9, 30))


@given(
    st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=6),
    st.integers(min_value=0, max_value=600),
    st.integers(min_value=1, max_value=8),
)
def test_split_shares_the_width_exactly(counts: list[int], width: int, minimum: int) -> None:
    parts = split(counts, width, minimum)

    shown = sum(1 for count in counts if count)
    assert len(parts) == len(counts)
    assert sum(parts) == (max(width, shown * minimum) if shown else 0)
    for count, part in zip(counts, parts, strict=True):
        assert part == 0 if count == 0 else part >= minimum
