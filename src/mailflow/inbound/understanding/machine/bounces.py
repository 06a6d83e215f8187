"""Recognise a bounce and read who failed: the one entry point the bounce classifier calls.

Two steps, so ordinary replies stay cheap: :func:`bounce_signal` looks only at headers (the
report type, the sender, the subject, ``X-Failed-Recipients``) and :func:`read_bounce`, called
only when a signal was seen, parses the body: the DSN fields when there are any, else the notice
text. A report that names only delivered or relayed recipients is not a bounce.

Rules chosen here:

- ``permanent`` is False only for a warning that delivery is still being retried (DSN
  ``Action: delayed``, "Delayed Mail (still being retried)"). A message the mail system gave up
  on is permanent even with a ``4.x.x`` status (e.g. ``4.4.7`` expired): it was not delivered.
- A message that calls itself an automatic response (``Auto-Submitted: auto-replied``) is read as
  a bounce only when a standard bounce sign agrees (a DSN, a MAILER-DAEMON sender, a known bounce
  subject, ``X-Failed-Recipients``): Exim marks its bounces that way, but so do mailbox filters
  that write a "your mail was rejected" notice of their own, which are auto-replies.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import getaddresses
from typing import Any, Literal

from mailflow.inbound.reading.addresses import find_addresses
from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.understanding.machine import bounce_text
from mailflow.inbound.understanding.machine.bounce_dsn import (
    STATUS_TYPES,
    RecipientStatus,
    parse_report,
    recipients_in_parts,
    recipients_in_text,
    report_parts,
)
from mailflow.inbound.understanding.machine.bounce_text import Notice
from mailflow.inbound.understanding.machine.ses import SENDER_DOMAINS, ses_event
from mailflow.inbound.understanding.machine.signs import (
    auto_submitted,
    from_mail_system,
    from_no_reply,
    from_postmaster,
    readable_subject,
)

Strength = Literal["strong", "weak"]

# Subjects MTAs put on bounces; anchored, so "Re: undeliverable notice" from a person is not one.
_SUBJECT = re.compile(
    r"^\W*(?:undeliver(?:able|ed)|undelivered mail|delivery status|returned mail|mail failure"
    r"|failed mail|(?:mail|message|e-?mail) could not be delivered"
    r"|mail failed|mail delivery (?:failed|failure|problem|warning|system|status)|delivery fail"
    r"|failure notice|failure delivery|non[- ]?deliver|delivery (?:notification|report|problem)"
    r"|message (?:not delivered|delivery failed|could not be delivered|delayed)"
    r"|warning\W+(?:could not send|message)|delayed mail|could not send message|nondeliverable"
    r"|mail system error|permanent delivery failure|returned to sender|unzustellbar|non remis"
    r"|onbestelbaar|impossible de remettre|no se puede entregar|no entregado|non recapitabile"
    r"|mail error|メールエラー|配信エラー|配信不能|不達|未達|送信エラー|メール送信失敗"
    r"|退信|系统退信|邮件投递失败|邮件退回|邮件发送失败|無法傳遞|無法送達|退件)",
    re.IGNORECASE,
)
_SUBJECT_ANYWHERE = re.compile(
    r"delivery (?:has )?failed|undeliver|returned mail|delivery status notification|not delivered"
    r"|delivery failure|退信",
    re.IGNORECASE,
)
_SES_SUBJECT = "AWS Notification Message"
_MAX_RECIPIENTS = 50


@dataclass(frozen=True)
class BounceReport:
    """Who could not be reached, whether the mail system gave up, and the status it gave."""

    recipients: tuple[str, ...]
    permanent: bool
    status: str | None
    source: str

    def details(self) -> dict[str, Any]:
        return {
            "recipients": list(self.recipients),
            "permanent": self.permanent,
            "status": self.status,
        }


def bounce_signal(mail: InboundMail) -> tuple[Strength, str] | None:
    """The header sign that ``mail`` may be a bounce, and how much it says; None for most mail."""
    content_type = mail.content_type
    if content_type == "multipart/report":
        report_type = str(mail.headers.get_param("report-type", "") or "").lower()
        if report_type in {"delivery-status", "global-delivery-status"}:
            return "strong", f"multipart/report; report-type={report_type}"
    if content_type in STATUS_TYPES:
        return "strong", content_type
    if mail.header("X-Failed-Recipients"):
        return "strong", "X-Failed-Recipients header"
    if from_mail_system(mail):
        return "strong", f"sent by {mail.sender or mail.header('From')}"
    subject = readable_subject(mail)
    if _SUBJECT.match(subject):
        return "strong", f"subject {subject[:40]!r}"
    if subject == _SES_SUBJECT and mail.sender.endswith(SENDER_DOMAINS):
        return "strong", "an Amazon SES notification"
    if from_postmaster(mail) or from_no_reply(mail):
        return "weak", f"sent by {mail.sender}"
    if _SUBJECT_ANYWHERE.search(subject) and not mail.header("In-Reply-To"):
        # A person answering about a failed delivery writes the same words, in a reply.
        return "weak", f"subject {subject[:40]!r}"
    if mail.header("From") and not mail.sender:
        return "weak", "a From without an address"
    if mail.header("Return-Path") == "<>":
        return "weak", "a null Return-Path"
    return None


def _addresses(mail: InboundMail, *names: str) -> set[str]:
    fields = [str(v) for name in names for v in mail.headers.get_all(name, [])]
    return {address.lower() for _, address in getaddresses(fields) if address}


def _from_records(records: Sequence[RecipientStatus], source: str) -> BounceReport | None:
    failed = [r for r in records if r.failed]
    chosen = failed or [r for r in records if r.delayed]
    if not chosen:
        return None
    recipients = tuple(dict.fromkeys(r.address for r in chosen))[:_MAX_RECIPIENTS]
    status = next((r.status for r in chosen if r.status), None)
    return BounceReport(recipients, bool(failed), status, source)


def _ses_report(text: str) -> BounceReport | Literal[False] | None:
    """An SES bounce event as a report, None for its other events, False when it is no event."""
    event = ses_event(text)
    if event is None:
        return False
    if event.kind != "Bounce":
        return None
    return BounceReport(event.recipients, event.permanent, event.status, "SES notification")


def _text_recipients(mail: InboundMail, notice: Notice) -> list[str]:
    """Failed addresses from the header Exim adds, the notice, or an original with one recipient."""
    failed_header = find_addresses(mail.header("X-Failed-Recipients"))
    if failed_header:
        return failed_header
    # The mail system's own address is never a failed recipient. The original sender (the
    # bounce's To) may be one only where the notice prints an address as a recipient: a notice
    # often names its sender in prose ("your message from ...").
    system = _addresses(mail, "From", "Sender", "Reply-To")
    excluded = system | _addresses(mail, "To", "Cc", "Return-Path")
    original = [a for a in bounce_text.original_recipients(notice) if a not in excluded]
    named = bounce_text.failed_recipients(notice.text, system, excluded, original)
    if named:
        return named
    # Google Groups and some providers name nobody; the returned original then says who it was
    # for, which is only trusted when it was for one address.
    return original if len(original) == 1 else []


def read_bounce(mail: InboundMail, strength: Strength) -> BounceReport | None:
    """Who failed, read from the DSN fields or the notice text; None when it is no bounce."""
    message = parse_report(mail.raw)
    parts = report_parts(message)
    if not parts and strength == "strong":
        parts = report_parts(message, enter_attached=True)
    records = recipients_in_parts(parts)
    if records:
        # A report that lists recipients but none failed or delayed is a success notice.
        return _from_records(records, "DSN")
    notice = bounce_text.read_notice(message)
    ses = _ses_report(notice.text)
    if ses is not False:
        return ses
    inline = _from_records(recipients_in_text(notice.text), "DSN fields in the text")
    if inline is not None:
        return inline
    subject = readable_subject(mail)
    text = f"{subject}\n{notice.text}"
    evidence = bounce_text.FAILURE.search(text) or (
        strength == "strong" and bounce_text.FAILURE_LOOSE.search(text)
    )
    delayed = bool(bounce_text.DELAY.search(text)) and not bounce_text.GIVEN_UP.search(text)
    if not (evidence or delayed or parts):
        return None
    if strength == "weak" and auto_submitted(mail) == "auto-replied":
        return None
    recipients = _text_recipients(mail, notice)
    if not recipients and strength == "weak":
        return None
    status = bounce_text.status_in(notice.text)
    permanent = not delayed or (status is not None and status.startswith("5"))
    return BounceReport(tuple(recipients[:_MAX_RECIPIENTS]), permanent, status, "notice text")
