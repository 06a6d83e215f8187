"""Pictures of what recipients see, drawn and measured by headless Chromium.

Two sets:

- the README's pictures (``docs/images/``): the demo's own HTML mails (``mailflow demo`` in English
  and Chinese), so they show exactly what it sends;
- the layout check (``docs/screenshots/``): every HTML mail kind, rendered by the real renderers
  from sample payloads with long titles, long links and long Chinese strings, in en, zh_CN and
  zh_TW, drawn at a phone's width (390 px) and a desktop's (1280 px). In the browser each page is
  measured: the page must not scroll sideways (``scrollWidth`` within the viewport), no text may
  be smaller than 14 px, and every text must reach a 4.5:1 contrast against the background it is
  drawn on (WCAG AA, computed from the computed styles). ``report.md`` beside the pictures lists
  the figures.

Chromium is driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``): one browser
for every page, a page's full height in one screenshot, and measurements taken in the page itself.

Usage: ``python -m tests.screenshots [IMAGES_DIR] [--shots DIR] [--no-demo]`` (defaults
``docs/images`` and ``docs/screenshots``). ``tests/integration/test_screenshots.py`` runs the same
code into ``artifacts/``.
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import io
import json
import os
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time as clock
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypedDict, Unpack
from zoneinfo import ZoneInfo

from rich.console import Console

from mailflow.config.schema import (
    Config,
    ImapSettings,
    MailSettings,
    PeopleSettings,
    Person,
    SmtpSettings,
)
from mailflow.domain.meeting import AgendaSpec, AttendeeSpec, MeetingSpec
from mailflow.domain.meeting_draft import Problem as IntakeProblem
from mailflow.domain.minutes import Problem
from mailflow.outbound.delivery.registry import RENDERERS
from mailflow.outbound.kinds.answers import answer_texts
from mailflow.outbound.kinds.answers.answer import answer_payload
from mailflow.outbound.kinds.digest.digest_data import (
    Decision,
    MeetingAhead,
    MinutesGap,
    OverdueItem,
)
from mailflow.outbound.kinds.digest.digest_mail import (
    digest_details_payload,
    digest_payload,
)
from mailflow.outbound.kinds.digest.digest_payloads import DigestPayload
from mailflow.outbound.kinds.items.escalation_mail import Sent, escalation_payload
from mailflow.outbound.kinds.items.followup_mail import (
    item_reminder_payload,
    weekly_nudge_payload,
    weekly_progress_payload,
)
from mailflow.outbound.kinds.items.followup_parts import DueItem
from mailflow.outbound.kinds.items.items_mail import (
    item_assignment_payload,
    item_receipt_payload,
)
from mailflow.outbound.kinds.meetings.changes import diff_meetings
from mailflow.outbound.kinds.meetings.notice import render_notice
from mailflow.outbound.kinds.meetings.receipt import receipt_payload
from mailflow.outbound.kinds.minutes.minutes_mail import (
    minutes_reminder_payload,
    minutes_skeleton_payload,
)
from mailflow.outbound.kinds.minutes.minutes_receipt import minutes_receipt_payload
from mailflow.outbound.kinds.minutes.official_minutes import (
    official_minutes_payload,
)
from mailflow.outbound.rendering.compose import RenderContext
from mailflow.outbound.rendering.items_export import ItemRow
from mailflow.outbound.rendering.payload_fields import OutboxPayload

ROOT = Path(__file__).resolve().parents[1]
WIDTH = 900
# Picture name → (language of the demo's request, the mail's file name after its number, the
# window height that fits the whole mail without a long empty margin below it).
SHOTS = {
    "notice_en": ("en", "carol-notice", 800),
    "notice_zh": ("zh", "bob-notice", 800),
    "minutes_zh": ("zh", "bob-official-minutes", 950),
    "digest_en": ("en", "exec-digest", 1650),
}
# No network, no first-run chores, no GPU: the page is a local file and the run is unattended.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)

# The layout check: a phone (iPhone 12–15: 390 CSS px) and a desktop window.
LOCALES = ("en", "zh_CN", "zh_TW")
WIDTHS = (390, 1280)
MIN_FONT_PX = 14.0
MIN_CONTRAST = 4.5


def find_chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def html_of(eml: Path) -> str:
    msg = message_from_bytes(eml.read_bytes(), policy=policy.default)
    body = msg.get_body(("html",))
    if body is None:
        raise ValueError(f"{eml.name} has no HTML part")
    return str(body.get_content())


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk, which always follows the signature."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def screenshot(chromium: str, page: Path, png: Path, profile: Path, height: int) -> None:
    png.unlink(missing_ok=True)
    subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--screenshot={png}",
            f"--window-size={WIDTH},{height}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


def take_all(chromium: str, out: Path, work: Path) -> dict[str, Path]:
    """Play the demo in each language needed, then draw each README picture into ``out``."""
    from mailflow.dev.demo import run_demo  # the demo needs Dovecot; the layout check does not

    quiet = Console(file=io.StringIO())
    mails = {lang: work / f"demo-{lang}" for lang in sorted({shot[0] for shot in SHOTS.values()})}
    for lang, folder in mails.items():
        run_demo(folder, lang=lang, console=quiet)
    out.mkdir(parents=True, exist_ok=True)
    taken = {}
    for name, (lang, stem, height) in SHOTS.items():
        # The newest such mail, should the story ever send two (a corrected notice, say).
        [eml] = sorted(mails[lang].glob(f"[0-9][0-9]-{stem}.eml"))[-1:]
        page = work / f"{name}.html"
        page.write_text(html_of(eml), encoding="utf-8")
        screenshot(chromium, page, out / f"{name}.png", work / "profile", height)
        taken[name] = out / f"{name}.png"
    return taken


# --------------------------------------------------------------------------------------------
# Every HTML mail kind, from sample payloads through the real renderers.

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 3, 10, 12, 0, tzinfo=SHANGHAI)
BOT = "meetings@example.com"
# A join link as conferencing tools write them: long, and without a place to break.
LONG_URL = (
    "https://meet.example.com/j/88123456789012?pwd=Q2FsZW5kYXJJbnZpdGVUb2tlbkZvclRoZVF1YXJ0ZXJseVJl"
    "dmlld01lZXRpbmdXaXRob3V0QW55QnJlYWtz&uname=organiser"
)
READER_ZONE = {"en": "Europe/London", "zh_CN": "Asia/Shanghai", "zh_TW": "Asia/Taipei"}
# What people write, in each reader's language: titles, tasks and names of a realistic size, the
# longest with no space or punctuation to break at.
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Quarterly budget review and hiring plan for the Shanghai and London offices",
        "room": "Room 501 (fifth floor, east wing)",
        "topic1": "Budget",
        "topic2": "Hiring plan for the second half of the year",
        "conclusion": "Approve the Q2 budget",
        "task1": "Draft the hiring plan",
        "task2": "Compare three offers for the new laptops and order the cheapest that fits",
        "task3": "Ask finance for the revised budget",
        "deliverable": "Plan v1 in the shared drive",
        "decision1": "The Q2 budget is approved.",
        "decision2": "Hiring starts in April; the London office hires first.",
        "reason": "waiting for the supplier's quote",
        "dispute": "Which team pays for the new laptops?",
        "info": "The offsite moves to April.",
        "department": "Engineering",
        "department2": "Finance",
        "zhang": "张伟",
        "note": "no end or duration given: 60 minutes assumed",
    },
    "zh_CN": {
        "title": "关于二〇二五年第二季度全公司预算执行情况与下半年上海及伦敦办公室"
        "招聘计划的专题评审会议",
        "room": "三楼大会议室（东区）",
        "topic1": "预算回顾",
        "topic2": "下半年招聘计划",
        "conclusion": "确认二季度预算",
        "task1": "汇总预算明细",
        "task2": "比较三家供应商的笔记本电脑报价并在预算范围内采购性价比最高的型号"
        "同时完成资产登记手续",
        "task3": "向财务部确认修订后的预算",
        "deliverable": "预算明细表第一版",
        "decision1": "批准第二季度预算。",
        "decision2": "四月开始招聘，伦敦办公室优先。",
        "reason": "等待供应商报价",
        "dispute": "新笔记本电脑的费用由哪个部门承担？",
        "info": "团建活动改到四月。",
        "department": "研发部",
        "department2": "财务部",
        "zhang": "张伟",
        "note": "未写结束时间或时长：按60分钟计",
    },
    "zh_TW": {
        "title": "關於二〇二五年第二季全公司預算執行情形與下半年上海及倫敦辦公室"
        "招募計畫的專題審查會議",
        "room": "三樓大會議室（東區）",
        "topic1": "預算檢討",
        "topic2": "下半年招募計畫",
        "conclusion": "確認第二季預算",
        "task1": "彙整預算明細",
        "task2": "比較三家廠商的筆記型電腦報價並在預算範圍內採購最划算的機型同時完成財產登錄手續",
        "task3": "向財務部確認修正後的預算",
        "deliverable": "預算明細表第一版",
        "decision1": "通過第二季預算。",
        "decision2": "四月開始招募，倫敦辦公室優先。",
        "reason": "等待廠商報價",
        "dispute": "新筆記型電腦的費用由哪個部門負擔？",
        "info": "員工旅遊改到四月。",
        "department": "研發部",
        "department2": "財務部",
        "zhang": "張偉",
        "note": "未寫結束時間或長度：以 60 分鐘計",
    },
}


def _people(words: Mapping[str, str]) -> tuple[Person, ...]:
    return (
        Person("alice@example.com", "Alice Wang", department="Engineering"),
        Person("bob@example.com", "Bob Li", department="Engineering"),
        Person("carol@example.com", "Carol Chen", department="Finance"),
        Person("zhang.wei@example.com", words["zhang"], department=words["department"]),
    )


def _context(words: Mapping[str, str], now: datetime = NOW) -> RenderContext:
    config = Config(
        mail=MailSettings(domain="example.com", bot_address=BOT, bot_name="Meeting desk"),
        imap=ImapSettings("imap.example.com", 993, "tls", "bot"),
        smtp=SmtpSettings("smtp.example.com", 587, "starttls"),
        people=PeopleSettings(people=_people(words)),
    )
    return RenderContext(config=config, now=now)


def _meeting(words: Mapping[str, str], **changes: Any) -> MeetingSpec:
    spec = MeetingSpec(
        uid="q2-review@example.com",
        title=words["title"],
        organiser=AttendeeSpec("alice@example.com", "Alice Wang"),
        start=datetime(2025, 3, 12, 9, 30, tzinfo=SHANGHAI),
        end=datetime(2025, 3, 12, 10, 30, tzinfo=SHANGHAI),
        tzid="Asia/Shanghai",
        sequence=1,
        attendees=(
            AttendeeSpec("bob@example.com", "Bob Li", partstat="ACCEPTED"),
            AttendeeSpec("zhang.wei@example.com", words["zhang"], partstat="TENTATIVE"),
            AttendeeSpec("carol@example.com", "Carol Chen", partstat="DECLINED"),
            AttendeeSpec("guest.speaker.from.partner@partner-company.example"),
        ),
        location=words["room"],
        online_url=LONG_URL,
        scribe="carol@example.com",
        agenda=(
            AgendaSpec(words["topic1"], "alice@example.com", 20, words["conclusion"]),
            AgendaSpec(words["topic2"], "bob@example.com", 15),
        ),
        materials=(LONG_URL.replace("meet.", "docs."), "Q1 report.pdf"),
    )
    return dataclasses.replace(spec, **changes)


def _items(words: Mapping[str, str]) -> tuple[ItemRow, ItemRow, ItemRow]:
    department = words["department"]
    return (
        ItemRow(
            "MF-0042",
            words["task1"],
            owner="bob@example.com",
            owner_name="Bob Li",
            department=department,
            meeting=words["title"],
            deliverable=words["deliverable"],
            due=date(2025, 3, 19),
        ),
        ItemRow(
            "MF-0043",
            words["task2"],
            owner="bob@example.com",
            owner_name="Bob Li",
            department=department,
            meeting=words["title"],
            due=date(2025, 3, 7),
            due_time=time(17, 0),
            status="delayed",
            progress=30,
            delay_reason=words["reason"],
            last_update=datetime(2025, 3, 6, 8, 0, tzinfo=SHANGHAI),
        ),
        ItemRow(
            "MF-0044",
            words["task3"],
            owner="bob@example.com",
            owner_name="Bob Li",
            department=department,
            meeting=words["title"],
            due=date(2025, 3, 10),
            status="in_progress",
            progress=60,
        ),
    )


def _html(msg: EmailMessage) -> str:
    body = msg.get_body(("html",))
    if body is None:
        raise ValueError("no HTML part")
    return str(body.get_content())


def _parsed(msg: EmailMessage) -> EmailMessage:
    """The mail as a client reads it: through bytes and back."""
    parsed = message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _row(
    words: Mapping[str, str],
    to: str,
    payload: OutboxPayload,
    now: datetime = NOW,
) -> EmailMessage:
    # Through JSON and back, as the outbox stores a payload, and rendered as the outbox does.
    stored = json.loads(json.dumps(payload.to_json()))
    return _parsed(RENDERERS[payload.KIND](_context(words, now), [to], stored))


def catalogue(locale: str) -> dict[str, str]:
    """The HTML body of every mail kind for a reader in ``locale``, from sample payloads."""
    return {kind: _html(msg) for kind, msg in sample_mails(locale).items()}


class _Where(TypedDict):
    """The reader's language and time zone, given to every payload."""

    locale: str
    timezone: str


def sample_mails(locale: str) -> dict[str, EmailMessage]:
    """Every mail kind for a reader in ``locale``, rendered from sample payloads."""
    words = WORDS[locale]
    zone = READER_ZONE[locale]
    spec = _meeting(words)
    plan, laptops, budget = _items(words)
    ctx = _context(words)
    reader = AttendeeSpec("bob@example.com", "Bob Li")
    where: _Where = {"locale": locale, "timezone": zone}
    earlier = _meeting(
        words,
        start=spec.start - timedelta(days=1),
        end=spec.end - timedelta(days=1),
        location="Room 301",
    )
    mails: dict[str, Callable[[], EmailMessage]] = {
        "notice": lambda: _parsed(
            render_notice(
                ctx,
                spec,
                reader,
                recipient_locale=locale,
                recipient_tz=zone,
                rsvp_by=datetime(2025, 3, 11, 18, 0, tzinfo=SHANGHAI),
            )
        ),
        "notice_update": lambda: _parsed(
            render_notice(
                ctx,
                spec,
                reader,
                recipient_locale=locale,
                recipient_tz=zone,
                kind="update",
                changes=diff_meetings(earlier, spec),
            )
        ),
        "notice_cancel": lambda: _parsed(
            render_notice(
                ctx, spec, reader, recipient_locale=locale, recipient_tz=zone, kind="cancel"
            )
        ),
        "receipt": lambda: _row(
            words,
            "alice@example.com",
            receipt_payload(
                outcome="created", spec=spec, notes=[words["note"]], source="mail", **where
            ),
        ),
        "receipt_rejected": lambda: _row(
            words,
            "alice@example.com",
            receipt_payload(
                outcome="rejected",
                spec=spec,
                problems=[
                    IntakeProblem(
                        "when", "cannot read 'next blursday' as a date", "2025-03-12 09:30"
                    ),
                    IntakeProblem("attendees", f"nobody called '{LONG_URL[8:40]}'", None),
                ],
                source="mail",
                **where,
            ),
        ),
        "answer": lambda: _row(
            words,
            "alice@example.com",
            answer_payload(
                locale=locale,
                subject=f"Re: {words['title']}",
                paragraphs=answer_texts.rsvp_summary(
                    locale, words["title"], {"ACCEPTED": 1, "TENTATIVE": 1, "DECLINED": 1}
                ),
                table=(
                    answer_texts.summary_headers(locale),
                    [
                        ("Bob Li", answer_texts.partstat_label(locale, "ACCEPTED"), ""),
                        (
                            words["zhang"],
                            answer_texts.partstat_label(locale, "TENTATIVE"),
                            words["reason"],
                        ),
                        ("Carol Chen", answer_texts.partstat_label(locale, "DECLINED"), LONG_URL),
                    ],
                ),
            ),
        ),
        "minutes_skeleton": lambda: _row(
            words,
            "Carol Chen <carol@example.com>",
            minutes_skeleton_payload(
                spec, deadline=datetime(2025, 3, 13, 10, 30, tzinfo=SHANGHAI), **where
            ),
        ),
        "minutes_reminder": lambda: _row(
            words,
            "alice@example.com",
            minutes_reminder_payload(
                spec,
                stage="organiser",
                deadline=datetime(2025, 3, 13, 10, 30, tzinfo=SHANGHAI),
                **where,
            ),
        ),
        "minutes_receipt": lambda: _row(
            words,
            "carol@example.com",
            minutes_receipt_payload(
                title=words["title"],
                decisions=[words["decision1"], words["decision2"]],
                actions=(plan, laptops),
                problems=[
                    Problem(f"ACTION: @bobb {words['task2']}", "nobody called 'bobb'", "@bob")
                ],
                in_reply_to="<minutes-1@mail.example.com>",
                subject=f"Re: {words['title']}",
                **where,
            ),
        ),
        "official_minutes": lambda: _row(
            words,
            "bob@example.com",
            official_minutes_payload(spec, _content(words), **where),
        ),
        "item_assignment": lambda: _row(
            words,
            "bob@example.com",
            item_assignment_payload(
                (plan, laptops),
                meeting_title=words["title"],
                meeting_start=spec.start,
                meeting_tzid="Asia/Shanghai",
                **where,
            ),
        ),
        "item_receipt": lambda: _row(
            words,
            "bob@example.com",
            item_receipt_payload(
                (plan, laptops),
                applied=["MF-0042 DONE"],
                errors=[Problem("MF-0043 FROB", "unknown command 'FROB'", None)],
                show_commands=True,
                in_reply_to="<owner-1@mail.example.com>",
                subject="Re: MF-0042",
                **where,
            ),
        ),
        "item_reminder": lambda: _row(
            words,
            "Bob Li <bob@example.com>",
            item_reminder_payload(
                (
                    DueItem(plan, "before_3"),
                    DueItem(laptops, "overdue", 3),
                    DueItem(budget, "due_today"),
                ),
                **where,
            ),
        ),
        "weekly_progress": lambda: _row(
            words,
            "bob@example.com",
            weekly_progress_payload(
                (plan, laptops, budget),
                reply_by=datetime(2025, 3, 14, 17, 0, tzinfo=SHANGHAI),
                **where,
            ),
            now=datetime(2025, 3, 14, 9, 0, tzinfo=SHANGHAI),
        ),
        "weekly_nudge": lambda: _row(
            words,
            "bob@example.com",
            weekly_nudge_payload((plan, laptops), asked_on=date(2025, 3, 7), **where),
        ),
        "escalation": lambda: _row(
            words,
            "alice@example.com",
            escalation_payload(
                laptops,
                level=2,
                overdue_days=3,
                history=(
                    Sent(
                        datetime(2025, 3, 4, 9, 0, tzinfo=SHANGHAI), "before_3", "bob@example.com"
                    ),
                    Sent(datetime(2025, 3, 8, 9, 0, tzinfo=SHANGHAI), "overdue", "bob@example.com"),
                    Sent(
                        datetime(2025, 3, 9, 9, 0, tzinfo=SHANGHAI),
                        "escalation_1",
                        "bob@example.com",
                    ),
                ),
                silent_hours=72,
                next_step_at=datetime(2025, 3, 12, 9, 0, tzinfo=SHANGHAI),
                **where,
            ),
        ),
        "digest": lambda: _row(
            words,
            "Chen Jing <ceo@example.com>",
            _digest(words, (plan, laptops, budget), **where),
        ),
        "digest_details": lambda: _row(
            words,
            "ceo@example.com",
            digest_details_payload(
                words["department"],
                [plan, laptops, budget],
                as_of=NOW,
                departments=[words["department"], words["department2"]],
                in_reply_to="<digest-reply-1@mail.example.com>",
                subject=f"Re: DETAILS {words['department']}",
                **where,
            ),
        ),
    }
    return {kind: make() for kind, make in mails.items()}


def _content(words: Mapping[str, str]) -> dict[str, Any]:
    """Official minutes as the minutes reader stores them."""
    return {
        "decisions": [words["decision1"], words["decision2"]],
        "actions": [
            {
                "ref": "MF-0042",
                "owner": "bob@example.com",
                "owner_raw": "@bob",
                "department": words["department"],
                "task": words["task1"],
                "deliverable": words["deliverable"],
                "due": "2025-03-19",
                "due_time": None,
            },
            {
                "ref": "MF-0043",
                "owner": "zhang.wei@example.com",
                "owner_raw": words["zhang"],
                "department": words["department"],
                "task": words["task2"],
                "deliverable": None,
                "due": "2025-03-21",
                "due_time": "17:00",
            },
        ],
        "disputes": [
            {
                "ref": None,
                "owner": "carol@example.com",
                "task": words["dispute"],
                "due": "2025-03-19",
            }
        ],
        "next_meeting": {
            "raw": "2025-03-26 09:30",
            "start": "2025-03-26T09:30:00+08:00",
            "location": words["room"],
            "topic": words["topic2"],
        },
        "present": ["alice@example.com", "bob@example.com", "Guest Speaker"],
        "info": [words["info"], LONG_URL],
    }


def _digest(
    words: Mapping[str, str], items: Sequence[ItemRow], **where: Unpack[_Where]
) -> DigestPayload:
    first, second = words["department"], words["department2"]
    plan, laptops, budget = items
    return digest_payload(
        period="weekly",
        as_of=datetime(2025, 3, 17, 8, 0, tzinfo=SHANGHAI),
        since=datetime(2025, 3, 10, 8, 0, tzinfo=SHANGHAI),
        departments=[first, second],
        counts={
            first: {"not_started": 3, "in_progress": 4, "done": 6, "delayed": 1},
            second: {"done": 2, "delayed": 2, "cancelled": 1},
        },
        previous_counts={
            first: {"not_started": 4, "in_progress": 3, "done": 4, "delayed": 1},
            second: {"done": 2, "delayed": 1, "cancelled": 1},
        },
        decisions=[
            Decision(words["title"], date(2025, 3, 12), words["decision1"]),
            Decision(words["title"], date(2025, 3, 12), words["decision2"]),
        ],
        overdue=[
            OverdueItem(laptops, 10, 2),
            OverdueItem(dataclasses.replace(budget, department=second), 7, 3),
        ],
        due_soon=[plan],
        meetings=[
            MeetingAhead(
                words["title"],
                datetime(2025, 3, 19, 9, 30, tzinfo=SHANGHAI),
                "Alice Wang",
                5,
                1,
                2,
                3,
            )
        ],
        minutes=[
            MinutesGap(
                words["topic2"],
                datetime(2025, 3, 13, 14, 0, tzinfo=SHANGHAI),
                datetime(2025, 3, 14, 14, 0, tzinfo=SHANGHAI),
                scribe="Carol Chen",
            )
        ],
        **where,
    )


# --------------------------------------------------------------------------------------------
# Chromium over the DevTools protocol, on a pipe: fd 3 carries commands in, fd 4 answers out,
# each message a JSON object ended by a NUL byte.

# Measures the page it runs in; returns plain JSON. Text is every non-blank text node that is
# drawn; its size is its element's computed font-size; its background is the first opaque
# background-color found walking up from its element (translucent ones blended on top), else
# the canvas (white).
MEASURE_JS = r"""
(() => {
  const parse = (value) => {
    const m = value.match(/rgba?\(([^)]+)\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, under) => {
    const a = top[3] + under[3] * (1 - top[3]);
    if (a === 0) return [0, 0, 0, 0];
    const mix = (i) => (top[i] * top[3] + under[i] * under[3] * (1 - top[3])) / a;
    return [mix(0), mix(1), mix(2), a];
  };
  const background = (el) => {
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const c = parse(getComputedStyle(node).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    let colour = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i--) colour = over(layers[i], colour);
    return colour;
  };
  const luminance = (c) => {
    const ch = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
  };
  const ratio = (fg, bg) => {
    const text = over(fg, bg);
    const [a, b] = [luminance(text), luminance(bg)].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const texts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const words = node.textContent.replace(/[\s\u00a0]+/g, " ").trim();
    if (!words) continue;
    const el = node.parentElement;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none") continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    texts.push({
      text: words.slice(0, 60),
      tag: el.tagName.toLowerCase(),
      size: parseFloat(style.fontSize),
      contrast: ratio(parse(style.color), background(el)),
      right: box.right,
    });
  }
  const smallest = texts.reduce((a, b) => (b.size < a.size ? b : a), texts[0]);
  const faintest = texts.reduce((a, b) => (b.contrast < a.contrast ? b : a), texts[0]);
  return {
    viewport: window.innerWidth,
    scrollWidth: document.documentElement.scrollWidth,
    height: document.documentElement.scrollHeight,
    texts: texts.length,
    minFont: smallest.size,
    minFontText: smallest.text,
    minContrast: faintest.contrast,
    minContrastText: faintest.text,
    small: texts.filter((t) => t.size < %(font)s).slice(0, 8),
    faint: texts.filter((t) => t.contrast < %(contrast)s).slice(0, 8),
    outside: texts.filter((t) => t.right > window.innerWidth + 0.5).slice(0, 8),
  };
})()
""".replace("%(font)s", f"{MIN_FONT_PX}").replace("%(contrast)s", f"{MIN_CONTRAST}")


class DevToolsError(RuntimeError):
    """Chromium answered a command with an error, closed the pipe, or did not answer in time."""


class Browser:
    """One headless Chromium and one page in it, driven over ``--remote-debugging-pipe``."""

    def __init__(self, chromium: str, profile: Path, timeout: float = 60.0) -> None:
        self.timeout = timeout
        commands_read, self._commands = os.pipe()
        self._answers, answers_write = os.pipe()

        def plumb() -> None:
            # In the child: the protocol's fixed descriptors.
            os.dup2(commands_read, 3)
            os.dup2(answers_write, 4)

        self.process = subprocess.Popen(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(3, 4),
            preexec_fn=plumb,
        )
        os.close(commands_read)
        os.close(answers_write)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        self.call("Page.enable", session=True)

    def close(self) -> None:
        with suppress(DevToolsError):
            self.call("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._commands)
        os.close(self._answers)

    def call(self, method: str, *, session: bool = False, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._read()
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise DevToolsError(f"{method}: {answer['error']}")
                result: dict[str, Any] = answer.get("result", {})
                return result
            if "method" in answer:
                self._events.append(answer)

    def wait_for(self, event: str) -> None:
        while True:
            for i, seen in enumerate(self._events):
                if seen.get("method") == event:
                    del self._events[: i + 1]
                    return
            self._events.append(self._read())

    def _read(self) -> dict[str, Any]:
        deadline = clock.monotonic() + self.timeout
        while b"\0" not in self._buffer:
            left = deadline - clock.monotonic()
            ready, _, _ = select.select([self._answers], [], [], max(left, 0))
            if not ready:
                raise DevToolsError("Chromium did not answer in time")
            chunk = os.read(self._answers, 1 << 20)
            if not chunk:
                raise DevToolsError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        parsed: dict[str, Any] = json.loads(message)
        return parsed

    def show(self, page: Path, width: int) -> dict[str, Any]:
        """Load ``page`` in a ``width`` px wide viewport (a phone's below 600 px) and measure it."""
        self._viewport(width, 800)
        self.call("Page.navigate", session=True, url=page.as_uri())
        self.wait_for("Page.loadEventFired")
        return self.evaluate(MEASURE_JS)

    def evaluate(self, expression: str) -> dict[str, Any]:
        result = self.call(
            "Runtime.evaluate", session=True, expression=expression, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise DevToolsError(f"script failed: {result['exceptionDetails']}")
        value: dict[str, Any] = result["result"]["value"]
        return value

    def capture(self, width: int, height: int) -> bytes:
        """The whole page, ``height`` px tall, as a PNG."""
        self._viewport(width, height)
        data = self.call("Page.captureScreenshot", session=True, format="png")["data"]
        return base64.b64decode(data)

    def _viewport(self, width: int, height: int) -> None:
        self.call(
            "Emulation.setDeviceMetricsOverride",
            session=True,
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=width < 600,
        )


@contextmanager
def browser(chromium: str) -> Iterator[Browser]:
    with tempfile.TemporaryDirectory(prefix="mailflow-chromium-") as profile:
        opened = Browser(chromium, Path(profile))
        try:
            yield opened
        finally:
            opened.close()


@dataclass(frozen=True)
class Measurement:
    """One mail kind in one locale at one width, as the browser drew it."""

    kind: str
    locale: str
    width: int
    scroll_width: int
    height: int
    min_font: float
    min_font_text: str
    min_contrast: float
    min_contrast_text: str
    problems: tuple[str, ...]
    png: Path

    @property
    def name(self) -> str:
        return f"{self.kind} {self.locale} {self.width}px"

    @property
    def fits(self) -> bool:
        return self.scroll_width <= self.width


def _problems(found: Mapping[str, Any]) -> tuple[str, ...]:
    listed = [f"text outside the viewport: {t['text']!r}" for t in found["outside"]]
    listed += [f"{t['size']:g} px text: {t['text']!r}" for t in found["small"]]
    listed += [f"contrast {t['contrast']:.2f}:1: {t['text']!r}" for t in found["faint"]]
    return tuple(listed)


def check_layout(
    chromium: str,
    out: Path,
    work: Path,
    *,
    locales: Sequence[str] = LOCALES,
    widths: Sequence[int] = WIDTHS,
    kinds: Sequence[str] | None = None,
) -> list[Measurement]:
    """Draw and measure every mail kind in every locale at every width; PNGs go to ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    measured = []
    with browser(chromium) as tab:
        for locale in locales:
            for kind, markup in catalogue(locale).items():
                if kinds is not None and kind not in kinds:
                    continue
                page = work / f"{kind}-{locale}.html"
                page.write_text(markup, encoding="utf-8")
                for width in widths:
                    found = tab.show(page, width)
                    png = out / f"{kind}-{locale}-{width}.png"
                    png.write_bytes(tab.capture(width, int(found["height"])))
                    measured.append(
                        Measurement(
                            kind=kind,
                            locale=locale,
                            width=width,
                            scroll_width=int(found["scrollWidth"]),
                            height=int(found["height"]),
                            min_font=float(found["minFont"]),
                            min_font_text=str(found["minFontText"]),
                            min_contrast=float(found["minContrast"]),
                            min_contrast_text=str(found["minContrastText"]),
                            problems=_problems(found),
                            png=png,
                        )
                    )
    return measured


def report(measured: Sequence[Measurement]) -> str:
    """The figures as a Markdown table, one row per kind and locale, both widths side by side."""
    lines = [
        "# What each HTML mail measures in Chromium",
        "",
        f"Page width (`document.documentElement.scrollWidth`) at a {WIDTHS[0]} px phone and a "
        f"{WIDTHS[1]} px desktop window, the smallest text (px) and the lowest text/background "
        f"contrast (WCAG). Required: width within the window, text ≥ {MIN_FONT_PX:g} px, "
        f"contrast ≥ {MIN_CONTRAST:g}:1. Redraw with `scripts/screenshots`.",
        "",
        "| mail | locale | width at 390 | width at 1280 | smallest text | lowest contrast |",
        "|---|---|---|---|---|---|",
    ]
    rows: dict[tuple[str, str], dict[int, Measurement]] = {}
    for m in measured:
        rows.setdefault((m.kind, m.locale), {})[m.width] = m
    for (kind, locale), by_width in rows.items():
        both = list(by_width.values())
        widths = [
            f"{by_width[w].scroll_width} px" + ("" if by_width[w].fits else " ✗")
            if w in by_width
            else "—"
            for w in WIDTHS
        ]
        font = min(m.min_font for m in both)
        contrast = min(m.min_contrast for m in both)
        lines.append(
            f"| {kind} | {locale} | {widths[0]} | {widths[1]} | {font:g} px | {contrast:.2f}:1 |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.screenshots", description=__doc__)
    parser.add_argument("images", nargs="?", type=Path, default=ROOT / "docs" / "images")
    parser.add_argument("--shots", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--no-demo", action="store_true", help="skip the README's pictures")
    args = parser.parse_args(argv)
    chromium = find_chromium()
    if chromium is None:
        print("no chromium: apt-get install chromium fonts-wqy-zenhei", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="mailflow-shots-") as work:
        if not args.no_demo:
            for name, png in take_all(chromium, args.images, Path(work)).items():
                print(f"{name}: {png} ({png.stat().st_size // 1024} kB)")
        measured = check_layout(chromium, args.shots, Path(work))
    (args.shots / "report.md").write_text(report(measured), encoding="utf-8")
    failed = [m for m in measured if m.problems or not m.fits]
    for m in failed:
        print(f"{m.name}: page {m.scroll_width} px wide; " + "; ".join(m.problems[:3]))
    print(f"{len(measured)} pictures in {args.shots}; {len(failed)} with layout problems")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
