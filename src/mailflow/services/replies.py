"""Which meeting a reply is about, and the answers mailflow sends back to people.

A reply is routed by its signed plus-address first (it survives clients that drop In-Reply-To),
then by its thread headers: the Message-ID of an outbox row or a meeting's thread root. A token
whose signature does not hold is a forgery and is refused.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.orm import Session

from mailflow.config.schema import Config
from mailflow.domain.readers import reader
from mailflow.domain.tokens import token_of, verify
from mailflow.outbound.delivery import outbox
from mailflow.outbound.kinds.answers import answer_texts as texts
from mailflow.outbound.kinds.answers.answer import answer_payload
from mailflow.outbound.kinds.answers.answer_texts import re_subject
from mailflow.tracker import mail_log_repo, meeting_repo
from mailflow.tracker.models import Meeting

_ID = r"<[^<>\s]+>"
log = logging.getLogger(__name__)


class ReceivedMail(Protocol):
    """What the services read of an inbound mail: its headers.

    :class:`~mailflow.inbound.reading.mail.InboundMail` is one. The services name only this, so they
    never import the inbound layer, which calls them (``docs/architecture.md``)."""

    @property
    def sender(self) -> str: ...

    @property
    def subject(self) -> str: ...

    @property
    def message_id(self) -> str | None: ...

    def header(self, name: str) -> str: ...


@dataclass(frozen=True)
class Target:
    meeting: Meeting | None
    forged: bool = False
    how: str = ""
    replied_kind: str | None = None  # the outbox kind of the mail being answered, when known


def _replied_kind(session: Session, ids: list[str]) -> str | None:
    """The kind of our mail the newest of ``ids`` answers; asked twice per reply (the answer and
    the loop guard), read once: a sent row's Message-ID never changes under an inbound batch."""
    if not ids:
        return None
    rows = mail_log_repo.sent_with_ids_once(session, ids)
    return rows[0].kind if rows else None


def _message_ids(mail: ReceivedMail) -> list[str]:
    # Newest first: In-Reply-To, then References from the end.
    found = re.findall(_ID, mail.header("In-Reply-To"))
    found += list(reversed(re.findall(_ID, mail.header("References"))))
    return list(dict.fromkeys(found))


def resolve_target(session: Session, mail: ReceivedMail, config: Config) -> Target:
    secret = config.mail.token_secret.reveal().encode() if config.mail.token_secret.key else b""
    addresses = [
        a
        for name in ("To", "Cc", "Delivered-To", "X-Original-To")
        for a in mail.header(name).replace(",", " ").replace("<", " ").replace(">", " ").split()
    ]
    for address in addresses:
        token = token_of(address, config.mail.bot_address)
        if token is None:
            continue
        verified = verify(secret, token)
        if verified is None:
            return Target(None, forged=True, how=f"reply token {token!r} is not ours")
        if verified.kind == "m" and verified.ref.isdigit():
            meeting = session.get(Meeting, int(verified.ref))
            if meeting is not None:
                answered = _replied_kind(session, _message_ids(mail))
                return Target(meeting, how="reply token", replied_kind=answered)
    ids = _message_ids(mail)
    if ids:
        # The mail answered directly (In-Reply-To, then the newest reference) decides.
        rows = mail_log_repo.sent_about_meetings(session, ids)
        replied = rows[0] if rows else None
        meeting = (
            session.get(Meeting, replied.meeting_id)
            if replied is not None
            else meeting_repo.meeting_by_thread_root(session, ids)
        )
        if meeting is not None:
            kind = replied.kind if replied is not None else None
            return Target(meeting, how="thread", replied_kind=kind)
    return Target(None, how="no meeting found for the reply")


_MACHINE_LOCALS = {
    "mailer-daemon",
    "postmaster",
    "no-reply",
    "noreply",
    "donotreply",
    "do-not-reply",
}


def is_automatic(mail: ReceivedMail) -> bool:
    """Marked as sent without a person (RFC 3834 and common practice), or from a mail system."""
    auto = mail.header("Auto-Submitted").lower()
    if auto and not auto.startswith("no"):
        return True
    if mail.header("X-Autoreply") or mail.header("X-Autorespond"):
        return True
    if mail.header("Precedence").lower() in {"bulk", "junk", "auto_reply"}:
        return True
    return mail.sender.partition("@")[0] in _MACHINE_LOCALS


def locale_of(config: Config, address: str) -> str:
    return reader(config, address).locale


def answer(
    session: Session,
    config: Config,
    mail: ReceivedMail,
    *,
    key: str,
    to: str,
    paragraphs: Sequence[str],
    now: datetime,
    table: tuple[Sequence[str], Sequence[Sequence[str]]] | None = None,
    subject: str | None = None,
    meeting_id: int | None = None,
) -> None:
    """Queue one answer to a person's mail; the key makes it once per message and purpose.

    Nothing is queued when the mail was sent by a machine (an auto-responder, a calendar robot,
    a mail system): answering machines is how mail loops start.
    """
    if is_automatic(mail):
        return
    if to == mail.sender and in_a_loop(session, mail, now):
        log.warning(
            "not answering %s: %d mails in %s with one subject", to, LOOP_MAILS, LOOP_WINDOW
        )
        if meeting_id is not None:
            _tell_organiser_of_loop(session, config, mail, meeting_id, now)
        return
    payload = answer_payload(
        locale=locale_of(config, to),
        subject=subject or re_subject(mail.subject or "mailflow"),
        paragraphs=paragraphs,
        in_reply_to=mail.message_id,
        table=table,
    )
    outbox.enqueue_soon(
        session,
        key=key,
        recipients=[to],
        payload=payload,
        now=now,
        meeting_id=meeting_id,
    )


# An auto-responder without any marker (no Auto-Submitted, no Precedence) answers each answer:
# this many mails from one address within the window, all on one subject (Re:/AW:/回复: aside),
# is a loop, and mailflow stops answering that address until it calms down.
LOOP_MAILS = 6
LOOP_WINDOW = timedelta(minutes=30)
_PREFIXES = re.compile(
    r"^\s*((re|aw|sv|wg|fw|fwd|antw|答复|回复|回覆|转发|轉寄)\s*[:：]\s*)+", re.I
)


def subject_stem(subject: str | None) -> str:
    """The subject without its reply and forward prefixes, case-blind."""
    return " ".join(_PREFIXES.sub("", subject or "").split()).casefold()


_ANSWER_KINDS = frozenset({"answer", "receipt", "item_receipt", "minutes_receipt"})


def in_a_loop(session: Session, mail: ReceivedMail, now: datetime) -> bool:
    """Whether ``mail`` answers one of mailflow's own answers and its sender has sent
    :data:`LOOP_MAILS` mails (this one included) within :data:`LOOP_WINDOW`, all with this
    mail's subject stem: a person's new mails, however many, are never taken for a loop."""
    if not mail.sender or _replied_kind(session, _message_ids(mail)) not in _ANSWER_KINDS:
        return False
    subjects = mail_log_repo.recent_subjects(
        session, mail.sender, since=now - LOOP_WINDOW, limit=LOOP_MAILS * 4
    )
    stem = subject_stem(mail.subject)
    same = sum(1 for subject in subjects if subject_stem(subject) == stem)
    return same + 1 >= LOOP_MAILS


def _tell_organiser_of_loop(
    session: Session, config: Config, mail: ReceivedMail, meeting_id: int, now: datetime
) -> None:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        return
    locale = locale_of(config, meeting.organiser_email)
    outbox.enqueue_soon(
        session,
        key=f"loop:{mail.sender}:{meeting_id}:{now:%Y-%m-%d}",
        recipients=[meeting.organiser_email],
        payload=answer_payload(
            locale=locale,
            subject=texts.loop_subject(locale, mail.sender),
            paragraphs=texts.loop_stopped(locale, mail.sender, meeting.title),
        ),
        now=now,
        meeting_id=meeting_id,
    )
