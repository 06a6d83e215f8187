"""A countable workload for the daemon, and the audit that compares mailboxes with the database.

The workload has two halves. Inbound: "STOP REMINDERS" mails from people to the bot, each with its
own Message-ID; applying one records it and queues exactly one answer to its sender (keyed by the
message), so an answer that arrives under two Message-IDs means a message was applied twice.
Outbound: outbox rows of kind ``message``, each with a subject naming it, to one or two people.

:func:`audit` then reads the mailboxes over IMAP (headers only) and the tracker database and
counts what matters: inbound messages not recorded (lost), mails that arrived under more than one
Message-ID (sent or applied twice), and copies of one Message-ID (the documented at-least-once
window: the daemon died after the SMTP server accepted a message and before it was marked sent).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.parser import BytesHeaderParser
from email.policy import compat32

from sqlalchemy.orm import Session

from mailflow.dev.devstack.stack import BOT, DOMAIN, MailStack
from mailflow.outbound.delivery import outbox
from mailflow.outbound.rendering.compose import PlainMessage
from mailflow.tracker import leases, mail_log_repo
from mailflow.tracker.db import Engine

PEOPLE = tuple(f"{name}@{DOMAIN}" for name in ("alice", "bob", "carol", "exec"))
_HEADERS = b"BODY.PEEK[HEADER.FIELDS (MESSAGE-ID IN-REPLY-TO SUBJECT)]"
_HEADERS_KEY = b"BODY[HEADER.FIELDS (MESSAGE-ID IN-REPLY-TO SUBJECT)]"


def stop_request(tag: str, n: int) -> tuple[str, bytes]:
    """An inbound mail the daemon applies and answers once: (its Message-ID, raw bytes)."""
    sender = PEOPLE[n % len(PEOPLE)]
    message_id = f"<{tag}-in-{n}@{DOMAIN}>"
    raw = (
        f"From: {sender}\r\nTo: {BOT}\r\nSubject: STOP REMINDERS\r\n"
        f"Message-ID: {message_id}\r\nDate: Mon, 10 Mar 2025 09:00:00 +0000\r\n\r\n"
        "STOP REMINDERS\r\n"
    ).encode()
    return message_id, raw


def append_all(stack: MailStack, raws: Iterable[bytes], folder: str = "INBOX") -> int:
    """Drop raw messages into the bot's ``folder`` over one IMAP connection; returns the count."""
    count = 0
    with stack.imap(BOT) as client:
        for raw in raws:
            client.append(folder, raw)
            count += 1
    return count


def enqueue_messages(engine: Engine, tag: str, numbers: Iterable[int]) -> list[str]:
    """Queue one ``message`` row per number, to one or two people; returns their subjects."""
    subjects: list[str] = []
    now = datetime.now(UTC)
    with Session(engine) as session, session.begin():
        for n in numbers:
            subject = f"{tag} out {n}"
            first = PEOPLE[n % len(PEOPLE)]
            # Every third row has a second recipient: one row, one Message-ID, two mailboxes.
            recipients = [first] if n % 3 else [first, PEOPLE[(n + 1) % len(PEOPLE)]]
            outbox.enqueue(
                session,
                key=f"{tag}:out:{n}",
                recipients=recipients,
                payload=PlainMessage(subject, f"Row {n} of {tag}."),
                now=now,
            )
            subjects.extend(f"{to} {subject}" for to in recipients)
    return subjects


@dataclass(frozen=True)
class Copy:
    """One message found in a mailbox, by its headers."""

    mailbox: str
    message_id: str
    in_reply_to: str
    subject: str


def copies(stack: MailStack, users: Sequence[str], folder: str = "INBOX") -> list[Copy]:
    """Every message in ``folder`` of each user, headers only (fast for thousands)."""
    found: list[Copy] = []
    parser = BytesHeaderParser(policy=compat32)
    for user in users:
        with stack.imap(user) as client:
            if not client.folder_exists(folder):
                continue
            client.select_folder(folder, readonly=True)
            uids = client.search("ALL")
            ordered = sorted(uids)
            for start in range(0, len(ordered), 500):
                for item in client.fetch(ordered[start : start + 500], [_HEADERS]).values():
                    headers = parser.parsebytes(item[_HEADERS_KEY])
                    found.append(
                        Copy(
                            user,
                            str(headers.get("Message-ID", "")).strip(),
                            str(headers.get("In-Reply-To", "")).strip(),
                            " ".join(str(headers.get("Subject", "")).split()),
                        )
                    )
    return found


@dataclass
class Deliveries:
    """How the mails one expected set became copies in mailboxes."""

    expected: int = 0
    delivered: int = 0
    missing: list[str] = field(default_factory=list)
    # One mail under two or more Message-IDs: sent (or applied) twice. Must stay empty.
    different_ids: dict[str, list[str]] = field(default_factory=dict)
    # Extra copies of one Message-ID: the at-least-once window. Allowed, counted and reported.
    duplicates: dict[str, int] = field(default_factory=dict)

    @property
    def duplicate_copies(self) -> int:
        return sum(self.duplicates.values())


def deliveries(expected: Iterable[str], found: Iterable[tuple[str, str]]) -> Deliveries:
    """Match ``found`` (token, Message-ID) copies against the ``expected`` tokens."""
    ids: dict[str, Counter[str]] = defaultdict(Counter)
    for token, message_id in found:
        ids[token][message_id] += 1
    result = Deliveries()
    for token in expected:
        result.expected += 1
        seen = ids.get(token)
        if not seen:
            result.missing.append(token)
            continue
        result.delivered += 1
        if len(seen) > 1:
            result.different_ids[token] = sorted(seen)
        for message_id, count in seen.items():
            if count > 1:
                result.duplicates[f"{token} {message_id}"] = count - 1
    return result


@dataclass
class Audit:
    """Everything a replica or crash run is judged by; ``ok`` when nothing was lost or doubled."""

    inbound_expected: int
    inbound_recorded: int
    inbound_lost: list[str]
    inbound_left_in_inbox: int
    processed_moved_twice: int
    answers: Deliveries
    outbound: Deliveries
    outbox_unsent: dict[str, int]

    @property
    def ok(self) -> bool:
        return (
            not self.inbound_lost
            and not self.inbound_left_in_inbox
            and not self.processed_moved_twice
            and not self.answers.missing
            and not self.answers.different_ids
            and not self.outbound.missing
            and not self.outbound.different_ids
            and not self.outbox_unsent
        )

    def lines(self) -> list[str]:
        duplicates = {**self.answers.duplicates, **self.outbound.duplicates}
        return [
            f"inbound: {self.inbound_recorded}/{self.inbound_expected} recorded, "
            f"lost {len(self.inbound_lost)}, left in INBOX {self.inbound_left_in_inbox}, "
            f"moved twice {self.processed_moved_twice}",
            f"answers: {self.answers.delivered}/{self.answers.expected} delivered, "
            f"applied twice {len(self.answers.different_ids)}, "
            f"duplicate copies {self.answers.duplicate_copies}",
            f"outbox: {self.outbound.delivered}/{self.outbound.expected} delivered, "
            f"sent twice {len(self.outbound.different_ids)}, "
            f"duplicate copies {self.outbound.duplicate_copies}, unsent {self.outbox_unsent}",
            *(f"  duplicate (same Message-ID) x{n + 1}: {what}" for what, n in duplicates.items()),
        ]


def audit(
    stack: MailStack,
    engine: Engine,
    inbound_ids: Sequence[str],
    outbound_tokens: Sequence[str],
    processed_folder: str = "mailflow/processed",
) -> Audit:
    """Compare the mailboxes and the database with what the workload put in."""
    with Session(engine) as session:
        recorded = mail_log_repo.recorded_keys(session, inbound_ids)
        unsent = mail_log_repo.outbox_by_status(session, unsent_only=True)
    left = [c for c in copies(stack, [BOT]) if c.message_id in set(inbound_ids)]
    processed = Counter(c.message_id for c in copies(stack, [BOT], processed_folder))
    received = copies(stack, PEOPLE)
    answers = deliveries(
        inbound_ids,
        ((c.in_reply_to, c.message_id) for c in received if c.in_reply_to in set(inbound_ids)),
    )
    outbound = deliveries(
        outbound_tokens, ((f"{c.mailbox} {c.subject}", c.message_id) for c in received)
    )
    return Audit(
        inbound_expected=len(inbound_ids),
        inbound_recorded=len(recorded),
        inbound_lost=[key for key in inbound_ids if key not in recorded],
        inbound_left_in_inbox=len(left),
        processed_moved_twice=sum(1 for key in inbound_ids if processed[key] > 1),
        answers=answers,
        outbound=outbound,
        outbox_unsent=unsent,
    )


@dataclass(frozen=True)
class Progress:
    """The database's view of a run in progress, read cheaply and often."""

    inbound: int
    outbox: dict[str, int]
    lease_holder: str | None

    @property
    def unfinished(self) -> int:
        return self.outbox.get("pending", 0) + self.outbox.get("sending", 0)


def progress(engine: Engine, lease: str = "mailbox:INBOX") -> Progress:
    with Session(engine) as session:
        inbound = mail_log_repo.inbound_total(session)
        statuses = mail_log_repo.outbox_by_status(session)
        holder = leases.holder_of(session, lease)
    return Progress(inbound, statuses, holder)
