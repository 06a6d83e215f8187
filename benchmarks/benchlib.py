"""Shared pieces of the speed benchmarks: databases, a config, seeded meetings, mail, results.

Every speed script runs on the real loopback stack (:class:`mailflow.dev.devstack.MailStack`) and a
database it creates and drops itself: a SQLite file in a temporary directory, or a PostgreSQL
database ``mf_bench_<random>`` on the local server (``MAILFLOW_BENCH_PG_URL``, default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``). Results go to ``benchmarks/results/`` as
JSON with a ``figures`` list that ``run_all.py`` gathers into one table.
"""

from __future__ import annotations

import base64
import contextlib
import json
import multiprocessing
import os
import platform
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from imapclient import IMAPClient
from sqlalchemy import create_engine, make_url, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from mailflow.config.schema import (
    CalendarSettings,
    Config,
    DatabaseSettings,
    ImapSettings,
    MailSettings,
    PeopleSettings,
    Person,
    ScheduleSettings,
    Secret,
    SmtpSettings,
)
from mailflow.dev.devstack import BOT, DOMAIN, MailStack
from mailflow.dev.devstack.stack import imap_settings as loopback_imap_settings
from mailflow.dev.devstack.stack import smtp_settings as loopback_smtp_settings
from mailflow.domain.meeting import AgendaSpec, AttendeeSpec, MeetingSpec
from mailflow.outbound.delivery import outbox
from mailflow.outbound.kinds.meetings.notice_mail import notice_payload
from mailflow.outbound.rendering.compose import new_message_id
from mailflow.services.meetings import apply_spec, invite_spec
from mailflow.services.notices import meeting_reply_address
from mailflow.tracker.db import make_engine, make_session_factory, upgrade
from mailflow.tracker.models import Meeting, MeetingSource, OutboxRow, OutboxStatus

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
CORPUS = ROOT.parent / "shared" / "corpus"
PG_URL_ENV = "MAILFLOW_BENCH_PG_URL"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TOKEN_ENV = "MF_BENCH_TOKEN_SECRET"
ZONE = "Asia/Shanghai"
# Monday 2025-03-10 10:00 in Shanghai: inside business hours, meetings later that week.
NOW = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)
NOT_MAIL = {"LICENSE", "SOURCE.txt", "EXPECTED.tsv", "EXPECTED.txt", "COPYING.LESSER", "README.md"}


# --- Databases -----------------------------------------------------------------------------


def pg_admin_url() -> str:
    return os.environ.get(PG_URL_ENV) or DEFAULT_PG_URL


def pg_problem() -> str | None:
    """None when the PostgreSQL admin URL answers, else why not."""
    engine = create_engine(pg_admin_url(), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except SQLAlchemyError as exc:
        return f"no PostgreSQL at {pg_admin_url()}: {exc.__class__.__name__}"
    finally:
        engine.dispose()
    return None


@contextlib.contextmanager
def database(backend: str) -> Iterator[str]:
    """A fresh tracker database at the newest schema; its URL. Dropped (or deleted) afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="mf-bench-") as tmp:
            url = f"sqlite:///{Path(tmp) / 'tracker.db'}"
            upgrade(url)
            yield url
        return
    admin_url = make_url(pg_admin_url())
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"mf_bench_{secrets.token_hex(4)}"
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = admin_url.set(database=name).render_as_string(hide_password=False)
        try:
            upgrade(url)
            yield url
        finally:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


def sessions_for(url: str) -> sessionmaker[Session]:
    return make_session_factory(make_engine(url))


# --- People and configuration ----------------------------------------------------------------

_SURNAMES = ("Wang", "Li", "Zhang", "Smith", "Chen", "Brown", "Liu", "Lee", "Yang", "Khan")
_DEPARTMENTS = ("Ops", "Sales", "Finance", "研发部", "市场部", "HR")


def make_people(count: int) -> tuple[Person, ...]:
    """``count`` people ``p0001@example.test``…: a third read Chinese, some live in London."""
    people = []
    for i in range(count):
        chinese = i % 3 == 0
        name = f"张{i:04d}" if chinese else f"Person{i:04d} {_SURNAMES[i % len(_SURNAMES)]}"
        people.append(
            Person(
                email=f"p{i:04d}@{DOMAIN}",
                name=name,
                aliases=(f"p{i:04d}",),
                department=_DEPARTMENTS[i % len(_DEPARTMENTS)],
                locale="zh_CN" if chinese else "en",
                timezone="Europe/London" if i % 7 == 0 else ZONE,
            )
        )
    return tuple(people)


def bench_config(
    stack: MailStack | StackProcess, db_url: str, people: Sequence[Person], **imap: Any
) -> Config:
    """A Config for the bot on ``stack``, ``db_url``, ``people``, with signed reply tokens."""
    os.environ.setdefault(TOKEN_ENV, "benchmark-token-secret")
    return Config(
        mail=MailSettings(
            domain=DOMAIN,
            bot_address=BOT,
            token_secret=Secret("mail.token_secret", env=TOKEN_ENV),
        ),
        imap=stack.imap_settings(**imap),
        smtp=stack.smtp_settings(),
        database=DatabaseSettings(url=db_url),
        schedule=ScheduleSettings(timezone=ZONE, calendar=CalendarSettings(country="CN")),
        people=PeopleSettings(people=tuple(people)),
    )


def stack_users(people: Sequence[Person]) -> tuple[str, ...]:
    return (BOT, *(p.email for p in people))


# --- Meetings with their sent notices ----------------------------------------------------------


@dataclass(frozen=True)
class SeededMeeting:
    """What mail about one seeded meeting needs: its refs, people and notice Message-IDs."""

    id: int
    title: str
    invite_uid: str
    thread_root: str
    organiser: Person
    scribe: Person
    attendees: tuple[Person, ...]
    reply_to: str
    notice_ids: dict[str, str]  # attendee email -> Message-ID of the notice they got


def seed_meetings(
    sessions: sessionmaker[Session],
    config: Config,
    people: Sequence[Person],
    *,
    meetings: int,
    attendees: int,
    sent: bool,
    now: datetime = NOW,
) -> list[SeededMeeting]:
    """Create meetings and one outbox ``notice`` row per attendee, as the planner would.

    With ``sent`` the rows look sent (status sent, a Message-ID each) so that replies can thread
    to them; without, they are pending for the outbox flusher. Attendees are taken round-robin
    from ``people`` so every person gets the same number of notices.
    """
    seeded: list[SeededMeeting] = []
    with sessions() as session, session.begin():
        for m in range(meetings):
            chosen = tuple(people[(m * attendees + j) % len(people)] for j in range(attendees))
            organiser, scribe = chosen[0], chosen[1]
            start = (now + timedelta(days=1 + m % 4)).replace(hour=1 + m % 8, minute=30)
            spec = MeetingSpec(
                uid=f"bench-{m}-{secrets.token_hex(3)}@{DOMAIN}",
                title=f"Project {m:03d} review" if m % 2 else f"项目{m:03d}周会",
                organiser=AttendeeSpec(organiser.email, organiser.name),
                start=start,
                end=start + timedelta(hours=1),
                tzid=ZONE,
                attendees=tuple(AttendeeSpec(p.email, p.name) for p in chosen[1:]),
                location=f"Room {300 + m % 20}",
                online_url=f"https://meet.example.test/{m}",
                description="Quarterly planning: budget, hiring and the roadmap.",
                scribe=scribe.email,
                agenda=(
                    AgendaSpec("Budget review", organiser.email, 20, "Approve the Q2 budget"),
                    AgendaSpec("Hiring plan", scribe.email, 30, "Decide the headcount"),
                    AgendaSpec("Risks", None, 10),
                ),
                materials=("https://docs.example.test/q2-plan",),
            )
            result = apply_spec(session, spec, source=MeetingSource.CLI, domain=DOMAIN, now=now)
            meeting = result.meeting
            assert meeting is not None
            reply_to = meeting_reply_address(config, meeting) or BOT
            notice_spec = invite_spec(meeting)
            ids: dict[str, str] = {}
            for person in chosen[1:]:
                message_id = new_message_id(DOMAIN) if sent else ""
                outbox.enqueue(
                    session,
                    key=f"notice:{meeting.invite_uid}:0:-:{person.email}",
                    recipients=[person.email],
                    payload=notice_payload(
                        notice_spec,
                        AttendeeSpec(person.email, person.name),
                        kind="notice",
                        locale=person.locale,
                        timezone=person.timezone,
                        thread_root=meeting.thread_root,
                        reply_to=reply_to,
                    ),
                    now=now,
                    meeting_id=meeting.id,
                )
                ids[person.email] = message_id
            for attendee in meeting.attendees:
                attendee.notified_sequence = 0
            seeded.append(
                SeededMeeting(
                    id=meeting.id,
                    title=meeting.title,
                    invite_uid=meeting.invite_uid,
                    thread_root=meeting.thread_root,
                    organiser=organiser,
                    scribe=scribe,
                    attendees=chosen[1:],
                    reply_to=reply_to,
                    notice_ids=ids,
                )
            )
        if sent:
            by_key = {
                f"notice:{m.invite_uid}:0:-:{email}": mid
                for m in seeded
                for email, mid in m.notice_ids.items()
            }
            for row in session.scalars(select(OutboxRow).where(OutboxRow.kind == "notice")):
                row.message_id = by_key[row.idempotency_key]
                row.status = OutboxStatus.SENT
                row.sent_at = now
    return seeded


def meeting_ids(sessions: sessionmaker[Session]) -> list[int]:
    with sessions() as session:
        return list(session.scalars(select(Meeting.id)))


# --- Inbound mail ------------------------------------------------------------------------------

_QUOTE_EN = (
    "Meeting notice: {title}\n\nWhen: Wednesday 12 March 2025, 09:30-10:30 (Asia/Shanghai)\n"
    "Where: Room 301, https://meet.example.test/1\n\nAgenda\n"
    "1. Budget review (20 min) - Approve the Q2 budget\n"
    "2. Hiring plan (30 min) - Decide the headcount\n3. Risks (10 min)\n\n"
    "Reply ACCEPT, DECLINE or TENTATIVE (a comment may follow), or STATUS for the answers so far.\n"
    "Materials: https://docs.example.test/q2-plan\n"
)
_RSVP_WORDS = (
    ("Accept", "ACCEPTED"),
    ("Accept - see you there", "ACCEPTED"),
    ("接受", "ACCEPTED"),
    ("Decline, I am travelling that week", "DECLINED"),
    ("拒绝 出差", "DECLINED"),
    ("Tentative, may be late", "TENTATIVE"),
    ("待定", "TENTATIVE"),
)
_QUOTE_HTML = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>'
    '<body><div dir="ltr"><div style="font-family:Arial,Helvetica,sans-serif;font-size:small">'
    "{words}</div></div><br>\r\n"
    '<div class="gmail_quote"><div dir="ltr" class="gmail_attr">{attribution}<br></div>\r\n'
    '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid '
    'rgb(204,204,204);padding-left:1ex"><div style="font-family:Arial,sans-serif">'
    "{quote}</div></blockquote></div></body></html>\r\n"
)
_HELP_TEXT = "Thanks, could you send the slides before the meeting?"
_AUTO_SUBJECTS = (
    "Automatic reply: {title}",
    "Out of Office: {title}",
    "自动回复：{title}",
    "Abwesenheitsnotiz: {title}",
)


def _headers(fields: Sequence[tuple[str, str]]) -> str:
    return "".join(f"{name}: {value}\r\n" for name, value in fields)


def _signature(rng: random.Random, chars: int = 344) -> str:
    """A folded base64 blob the size of an RSA-2048 signature, as DKIM/ARC headers carry."""
    blob = base64.b64encode(rng.randbytes(chars * 3 // 4)).decode("ascii")
    return "\r\n\t ".join(blob[i : i + 70] for i in range(0, len(blob), 70))


def _transport(rng: random.Random, sender: str) -> list[tuple[str, str]]:
    """What the receiving servers put on top of a person's mail: trace, DKIM, auth results."""
    domain = sender.rpartition("@")[2]
    stamp = _date(rng)
    queue = secrets.token_hex(5).upper()
    return [
        ("Return-Path", f"<{sender}>"),
        ("Delivered-To", BOT),
        (
            "Received",
            f"from mx1.{DOMAIN} ([192.0.2.10])\r\n\tby imap.{DOMAIN} with LMTP\r\n"
            f"\tid {secrets.token_hex(8)}; {stamp}",
        ),
        (
            "Received",
            f"from mail.{domain} (mail.{domain} [198.51.100.{rng.randint(2, 250)}])\r\n"
            f"\tby mx1.{DOMAIN} (Postfix) with ESMTPS id {queue}\r\n"
            f"\tfor <{BOT}>; {stamp}",
        ),
        (
            "Authentication-Results",
            f"mx1.{DOMAIN}; dkim=pass (2048-bit key) header.d={domain} header.s=s1 "
            f"header.b=Ab3dE9fG;\r\n\tspf=pass smtp.mailfrom={sender};\r\n"
            f"\tdmarc=pass (p=quarantine) header.from={domain}",
        ),
        (
            "DKIM-Signature",
            f"v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain}; s=s1;\r\n"
            f"\tt={rng.randint(1_700_000_000, 1_800_000_000)}; "
            "h=from:to:subject:date:message-id:in-reply-to:references:mime-version;\r\n"
            f"\tbh={base64.b64encode(rng.randbytes(32)).decode()};\r\n\tb={_signature(rng)}",
        ),
    ]


def _b64(text: str) -> str:
    raw = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return "\r\n".join(raw[i : i + 76] for i in range(0, len(raw), 76))


def _date(rng: random.Random) -> str:
    return format_datetime(NOW - timedelta(minutes=rng.randint(1, 600)))


class MailMaker:
    """Realistic inbound mail about seeded meetings, each with a unique Message-ID."""

    def __init__(self, meetings: Sequence[SeededMeeting], seed: int = 7) -> None:
        self.meetings = list(meetings)
        self.rng = random.Random(seed)
        self.count = 0
        self.last_kinds: list[str] = []  # what backlog() made, in order
        self.corpus_bounces = _corpus_files("bounces-sisimai", max_bytes=40_000)
        self.corpus_auto = _corpus_files("auto-replies-sisimai", max_bytes=40_000)

    def _mid(self) -> str:
        self.count += 1
        return f"<bench.{self.count}.{secrets.token_hex(6)}@mail.{DOMAIN}>"

    def _pick(self) -> tuple[SeededMeeting, Person]:
        meeting = self.rng.choice(self.meetings)
        return meeting, self.rng.choice(meeting.attendees[1:])

    def reply(self) -> bytes:
        """A plain-text (or text + HTML) reply to a notice: RSVP words, STATUS, or a question."""
        meeting, person = self._pick()
        notice_id = meeting.notice_ids[person.email]
        roll = self.rng.random()
        sender = person
        if roll < 0.05:
            sender, words = meeting.organiser, "STATUS"
        elif roll < 0.15:
            words = _HELP_TEXT
        else:
            words = self.rng.choice(_RSVP_WORDS)[0]
        quote = "\r\n".join(
            "> " + line for line in _QUOTE_EN.format(title=meeting.title).split("\n")
        )
        text = (
            f"{words}\r\n\r\n{sender.name.split()[0]}\r\n\r\n"
            f"On {format_datetime(NOW)}, mailflow <{BOT}> wrote:\r\n{quote}\r\n"
        )
        headers = [
            *_transport(self.rng, sender.email),
            ("From", f'"{sender.name}" <{sender.email}>'),
            ("To", f"mailflow <{meeting.reply_to}>"),
            ("Subject", f"Re: Meeting notice: {meeting.title}"),
            ("Date", _date(self.rng)),
            ("Message-ID", self._mid()),
            ("In-Reply-To", notice_id),
            ("References", f"{meeting.thread_root} {notice_id}"),
            ("User-Agent", "Mozilla Thunderbird"),
            ("Content-Language", "en-US"),
            ("MIME-Version", "1.0"),
        ]
        if self.rng.random() < 0.3:
            body = (
                "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n"
                f"\r\n{_b64(text)}\r\n"
            )
            return (_headers(headers) + body).encode()
        html = _QUOTE_HTML.format(
            words=words,
            attribution=f"On {format_datetime(NOW)}, mailflow &lt;{BOT}&gt; wrote:",
            quote=_QUOTE_EN.format(title=meeting.title).replace("\n", "<br>\r\n"),
        )
        boundary = f"b{secrets.token_hex(8)}"
        body = (
            f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'
            f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Transfer-Encoding: base64\r\n\r\n{_b64(text)}\r\n"
            f"--{boundary}\r\nContent-Type: text/html; charset=utf-8\r\n"
            f"Content-Transfer-Encoding: base64\r\n\r\n{_b64(html)}\r\n--{boundary}--\r\n"
        )
        return (_headers(headers) + body).encode()

    def rsvp(self) -> bytes:
        """A calendar client's iTIP REPLY (Outlook style: no ORGANIZER, with a VTIMEZONE)."""
        meeting, person = self._pick()
        label, partstat = self.rng.choice(
            [("Accepted", "ACCEPTED"), ("Declined", "DECLINED"), ("Tentative", "TENTATIVE")]
        )
        stamp = (NOW - timedelta(seconds=self.rng.randint(1, 30_000))).strftime("%Y%m%dT%H%M%SZ")
        outlook = self.rng.random() < 0.5
        organizer = "" if outlook else f"ORGANIZER;CN=mailflow:mailto:{BOT}\r\n"
        ics = (
            "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nPRODID:Microsoft Exchange Server 2010\r\n"
            "VERSION:2.0\r\nBEGIN:VTIMEZONE\r\nTZID:China Standard Time\r\nBEGIN:STANDARD\r\n"
            "DTSTART:16010101T000000\r\nTZOFFSETFROM:+0800\r\nTZOFFSETTO:+0800\r\n"
            "END:STANDARD\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\n"
            f"ATTENDEE;PARTSTAT={partstat};CN={person.name}:mailto:{person.email}\r\n"
            f"{organizer}"
            "COMMENT;LANGUAGE=en-US:\r\n"
            f"SUMMARY;LANGUAGE=en-US:{label}: {meeting.title}\r\n"
            "DTSTART;TZID=China Standard Time:20250312T093000\r\n"
            "DTEND;TZID=China Standard Time:20250312T103000\r\n"
            f"UID:{meeting.invite_uid}\r\nCLASS:PUBLIC\r\nPRIORITY:5\r\n"
            f"DTSTAMP:{stamp}\r\nTRANSP:OPAQUE\r\nSEQUENCE:0\r\nLOCATION:Room 301\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n"
        )
        boundary = f"c{secrets.token_hex(8)}"
        text = f"{person.name} has {label.lower()} this invitation."
        headers = [
            *_transport(self.rng, person.email),
            ("From", f'"{person.name}" <{person.email}>'),
            ("To", f"mailflow <{BOT}>"),
            ("Subject", f"{label}: {meeting.title}"),
            ("Thread-Topic", meeting.title),
            ("Thread-Index", base64.b64encode(self.rng.randbytes(22)).decode()),
            ("Content-Language", "en-US"),
            ("X-MS-Exchange-Organization-SCL", "-1"),
            ("X-MS-TNEF-Correlator", ""),
            ("X-MS-Exchange-Organization-RecordReviewCfmType", "0"),
            ("x-ms-publictraffictype", "Email"),
            ("Date", _date(self.rng)),
            ("Message-ID", self._mid()),
            ("X-MS-Has-Attach", ""),
            ("X-Auto-Response-Suppress", "All"),
            ("MIME-Version", "1.0"),
            ("Content-Type", f'multipart/alternative; boundary="{boundary}"'),
        ]
        body = (
            f"\r\n--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n"
            f"--{boundary}\r\nContent-Type: text/calendar; charset=utf-8; method=REPLY\r\n"
            f"Content-Transfer-Encoding: base64\r\n\r\n{_b64(ics)}\r\n--{boundary}--\r\n"
        )
        return (_headers(headers) + body).encode()

    def minutes(self) -> bytes:
        """A scribe's fresh "Minutes: <title>" mail with decisions and action items."""
        meeting = self.rng.choice(self.meetings)
        a, b = meeting.attendees[2], meeting.attendees[3]
        text = (
            f"Hi all, minutes of {meeting.title} below.\r\n\r\n"
            f"Attendees: {a.name}, {b.name}\r\n\r\n"
            "- DECISION: The Q2 marketing budget is capped at 120k.\r\n"
            f"- ACTION: @{a.aliases[0]} Prepare the revised budget; deliverable: spreadsheet; "
            "due: 2025-03-20\r\n"
            f"- ACTION: @{b.aliases[0]} Collect the travel requests for Q2 by Friday\r\n"
            "- INFO: Finance will publish the new approval form next week.\r\n"
            "- NEXT: 2025-03-19 14:00; Room 301; Q2 budget sign-off\r\n\r\n"
            f"Best,\r\n{meeting.scribe.name}\r\n"
        )
        headers = [
            *_transport(self.rng, meeting.scribe.email),
            ("From", f'"{meeting.scribe.name}" <{meeting.scribe.email}>'),
            ("To", f"mailflow <{BOT}>"),
            ("Subject", f"Minutes: {meeting.title}"),
            ("Date", _date(self.rng)),
            ("Message-ID", self._mid()),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Transfer-Encoding", "base64"),
        ]
        return (_headers(headers) + f"\r\n{_b64(text)}\r\n").encode()

    def auto_reply(self) -> bytes:
        """An out-of-office answer to a notice (built, or one of the corpus's, re-identified)."""
        if self.corpus_auto and self.rng.random() < 0.2:
            return with_message_id(self.rng.choice(self.corpus_auto), self._mid())
        meeting, person = self._pick()
        subject = self.rng.choice(_AUTO_SUBJECTS).format(title=f"Meeting notice: {meeting.title}")
        text = (
            "I am out of the office until 17 March with limited access to mail.\r\n"
            "For urgent matters please contact the team lead.\r\n\r\n"
            "我将于3月17日前休假，期间邮件回复可能延迟。\r\n"
        )
        headers = [
            *_transport(self.rng, person.email),
            ("From", f'"{person.name}" <{person.email}>'),
            ("To", f"<{BOT}>"),
            ("Subject", subject),
            ("Date", _date(self.rng)),
            ("Message-ID", self._mid()),
            ("In-Reply-To", meeting.notice_ids[person.email]),
            ("Auto-Submitted", "auto-replied"),
            ("X-Auto-Response-Suppress", "All"),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Transfer-Encoding", "base64"),
        ]
        return (_headers(headers) + f"\r\n{_b64(text)}\r\n").encode()

    def bounce(self) -> bytes:
        """A delivery failure: a built RFC 3464 DSN for an attendee, or a corpus bounce."""
        if self.corpus_bounces and self.rng.random() < 0.5:
            return with_message_id(self.rng.choice(self.corpus_bounces), self._mid())
        meeting, person = self._pick()
        permanent = self.rng.random() < 0.3
        status, action = ("5.1.1", "failed") if permanent else ("4.2.2", "delayed")
        boundary = f"d{secrets.token_hex(8)}"
        original = (
            f"From: mailflow <{BOT}>\r\nTo: {person.email}\r\n"
            f"Subject: Meeting notice: {meeting.title}\r\n"
            f"Message-ID: {meeting.notice_ids[person.email]}\r\n"
            "Auto-Submitted: auto-generated\r\n"
        )
        body = (
            f"--{boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
            "This is the mail system at host mx.example.test.\r\n\r\n"
            "I'm sorry to have to inform you that your message could not\r\n"
            "be delivered to one or more recipients.\r\n\r\n"
            f"<{person.email}>: host mx.example.test said: 550 {status} User unknown\r\n\r\n"
            f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"
            "Reporting-MTA: dns; mx.example.test\r\n"
            "Arrival-Date: Mon, 10 Mar 2025 10:00:00 +0800\r\n"
            f"\r\nFinal-Recipient: rfc822; {person.email}\r\nAction: {action}\r\n"
            f"Status: {status}\r\nDiagnostic-Code: smtp; 550 {status} User unknown\r\n\r\n"
            f"--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n{original}\r\n"
            f"--{boundary}--\r\n"
        )
        headers = [
            *_transport(self.rng, f"MAILER-DAEMON@mx.{DOMAIN}")[1:4],
            ("From", f"MAILER-DAEMON@mx.{DOMAIN} (Mail Delivery System)"),
            ("To", f"<{BOT}>"),
            ("Subject", "Undelivered Mail Returned to Sender"),
            ("Date", _date(self.rng)),
            ("Message-ID", self._mid()),
            ("Auto-Submitted", "auto-replied"),
            ("MIME-Version", "1.0"),
            (
                "Content-Type",
                f'multipart/report; report-type=delivery-status; boundary="{boundary}"',
            ),
        ]
        return (_headers(headers) + "\r\n" + body).encode()

    def backlog(self, count: int, mix: dict[str, float] | None = None) -> list[bytes]:
        """``count`` messages in a shuffled mix of the kinds above (default: :data:`MIX`)."""
        mix = mix or MIX
        makers = {
            "reply": self.reply,
            "rsvp": self.rsvp,
            "minutes": self.minutes,
            "auto_reply": self.auto_reply,
            "bounce": self.bounce,
        }
        kinds = [k for k, share in mix.items() for _ in range(round(share * count))]
        kinds = (kinds + ["reply"] * count)[:count]
        self.rng.shuffle(kinds)
        self.last_kinds = kinds
        return [makers[k]() for k in kinds]


# Share of each kind in a backlog: mostly answers to notices, some machine mail, a few minutes.
MIX = {"reply": 0.35, "rsvp": 0.30, "minutes": 0.02, "auto_reply": 0.18, "bounce": 0.15}


def _corpus_files(folder: str, max_bytes: int) -> list[bytes]:
    base = CORPUS / folder
    if not base.is_dir():
        return []
    files = sorted(p for p in base.rglob("*") if p.is_file() and p.name not in NOT_MAIL)
    return [raw for raw in (p.read_bytes() for p in files) if len(raw) <= max_bytes]


def with_message_id(raw: bytes, message_id: str) -> bytes:
    """``raw`` with its Message-ID header(s) replaced by ``message_id`` (so it is new mail)."""
    raw = raw.lstrip()
    end = raw.find(b"\n\n")
    crlf_end = raw.find(b"\r\n\r\n")
    if crlf_end != -1 and (end == -1 or crlf_end < end):
        end = crlf_end
    head, body = (raw[:end], raw[end:]) if end != -1 else (raw, b"")
    kept: list[bytes] = []
    skipping = False
    for line in head.splitlines(keepends=True):
        if line[:1] in (b" ", b"\t") and skipping:
            continue
        skipping = line.lower().startswith(b"message-id:")
        if not skipping:
            kept.append(line)
    return f"Message-ID: {message_id}\r\n".encode() + b"".join(kept) + body


# --- A mail stack in its own process ----------------------------------------------------------


def _serve_stack(users: tuple[str, ...], conn: Any) -> None:
    """Child process: run a MailStack until the parent says stop (or goes away)."""
    try:
        with MailStack(users) as stack:
            conn.send(
                {
                    "host": stack.host,
                    "imap_port": stack.imap_port,
                    "smtp_port": stack.smtp_port,
                    "password": stack.password,
                    "password_file": str(stack.password_file),
                }
            )
            with contextlib.suppress(EOFError):
                conn.recv()
    except Exception as exc:
        conn.send({"error": f"{type(exc).__name__}: {exc}"})


class StackProcess:
    """A MailStack served by a child process, with the parts of MailStack's API scripts use.

    In-process, the aiosmtpd relay's Python work shares the measured process's GIL: it waits
    behind the sender's own rendering and database work, which a real SMTP server never does.
    """

    def __init__(self, users: Sequence[str]) -> None:
        self.users = tuple(users)
        self._process: Any = None
        self._conn: Any = None

    def __enter__(self) -> StackProcess:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve_stack, args=(self.users, child))
        self._process.start()
        if not self._conn.poll(60):
            self.__exit__(None, None, None)
            raise RuntimeError("the mail stack process did not start within 60 s")
        info = self._conn.recv()
        if "error" in info:
            self.__exit__(None, None, None)
            raise RuntimeError(f"the mail stack process failed: {info['error']}")
        self.host: str = info["host"]
        self.imap_port: int = info["imap_port"]
        self.smtp_port: int = info["smtp_port"]
        self.password: str = info["password"]
        self.password_file = Path(info["password_file"])
        return self

    def __exit__(self, *exc_info: object) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._conn.send("stop")
        self._process.join(30)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(10)

    def imap_settings(self, user: str = BOT, **overrides: Any) -> ImapSettings:
        where = {"host": self.host, "port": self.imap_port}
        return loopback_imap_settings(self.password_file, user, **{**where, **overrides})

    def smtp_settings(self, **overrides: Any) -> SmtpSettings:
        return loopback_smtp_settings(**{"host": self.host, "port": self.smtp_port, **overrides})

    @contextlib.contextmanager
    def imap(self, user: str) -> Iterator[IMAPClient]:
        client = IMAPClient(self.host, self.imap_port, ssl=False, timeout=10)
        try:
            client.login(user, self.password)
            yield client
        finally:
            with contextlib.suppress(Exception):
                client.logout()


# --- IMAP helpers ------------------------------------------------------------------------------


@contextlib.contextmanager
def imap(stack: MailStack | StackProcess, user: str = BOT) -> Iterator[IMAPClient]:
    with stack.imap(user) as client:
        yield client


def bulk_append(
    stack: MailStack | StackProcess, raws: Sequence[bytes], folder: str = "INBOX", chunk: int = 2000
) -> float:
    """Append ``raws`` to the bot's ``folder`` with MULTIAPPEND; returns messages per second."""
    start = time.perf_counter()
    with imap(stack) as client:
        if not client.folder_exists(folder):
            client.create_folder(folder)
        for i in range(0, len(raws), chunk):
            client.multiappend(folder, list(raws[i : i + chunk]))
    return len(raws) / (time.perf_counter() - start)


def empty_folder(stack: MailStack | StackProcess, folder: str) -> None:
    with imap(stack) as client:
        if not client.folder_exists(folder):
            return
        client.select_folder(folder)
        uids = client.search("ALL")
        if uids:
            client.delete_messages(uids)
            client.expunge()
        client.close_folder()


# --- Results -----------------------------------------------------------------------------------


def figure(
    name: str,
    value: float,
    unit: str,
    *,
    baseline: float | None = None,
    ratio: float | None = None,
    target: str,
    passed: bool | None,
    note: str = "",
) -> dict[str, Any]:
    """One line of the summary: the measured value beside its baseline and target."""
    return {
        "figure": name,
        "value": round(value, 3),
        "unit": unit,
        "baseline": round(baseline, 3) if baseline is not None else None,
        "ratio": round(ratio, 3) if ratio is not None else None,
        "target": target,
        "pass": passed,
        "note": note,
    }


def save(name: str, payload: dict[str, Any]) -> Path:
    """Write ``benchmarks/results/<name>.json`` with when and where it was measured."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    stamped = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cpu",
        **payload,
    }
    path.write_text(json.dumps(stamped, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "pass" if value else "FAIL"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    return str(value)


def print_table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    cells = [[fmt(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))


def print_figures(figures: Sequence[dict[str, Any]]) -> None:
    print_table(figures, ("figure", "value", "unit", "baseline", "ratio", "target", "pass"))


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by linear interpolation, as numpy's default does."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def log(message: str) -> None:
    """Progress on stderr, so a table on stdout stays clean."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def replace_imap(config: Config, **changes: Any) -> Config:
    return replace(config, imap=replace(config.imap, **changes))


class FixedClock:
    """Always :data:`NOW`: the seeded meetings stay ahead, whatever the wall clock says."""

    def __init__(self, now: datetime = NOW) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current
