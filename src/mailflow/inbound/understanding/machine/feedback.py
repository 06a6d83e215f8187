"""Read feedback reports and read receipts: who complained about what, who displayed what.

- Feedback reports: ARF (RFC 5965, a ``message/feedback-report`` part), Microsoft's JMRP (a
  complaint with the message attached and ``X-HmXmrOriginalRecipient`` in it), Amazon SES
  complaint events, and Apple Mail's one-click unsubscribe mail (``X-Apple-Unsubscribe``).
- Read receipts: MDNs (RFC 8098, a ``message/disposition-notification`` part), wherever the part
  sits in the message.

Pure: a parsed message in, a small record out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message

from mailflow.inbound.reading.addresses import find_address, find_addresses
from mailflow.inbound.understanding.machine.bounce_dsn import part_fields, report_parts

FEEDBACK_TYPES = frozenset({"message/feedback-report"})
MDN_TYPES = frozenset(
    {"message/disposition-notification", "message/global-disposition-notification"}
)
_JMRP_RECIPIENT = re.compile(rb"^X-HmXmrOriginalRecipient:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class FeedbackReport:
    """A complaint or opt-out: its type (``abuse``, ``opt-out``…) and the complaining addresses."""

    feedback_type: str
    recipients: tuple[str, ...]

    def details(self) -> dict[str, object]:
        return {"feedback_type": self.feedback_type, "recipients": list(self.recipients)}


@dataclass(frozen=True)
class ReadReceipt:
    """An MDN: what happened to the message (``displayed``, ``deleted``…), for whom, which one."""

    disposition: str
    recipient: str | None
    original_message_id: str | None

    def details(self) -> dict[str, object]:
        return {
            "disposition": self.disposition,
            "recipient": self.recipient,
            "original_message_id": self.original_message_id,
        }


def _first(fields: list[tuple[str, str]], *names: str) -> str:
    return next((value for name, value in fields if name in names), "")


def read_arf(message: Message) -> FeedbackReport | None:
    """The ARF report in ``message``; None when it has no ``message/feedback-report`` part."""
    parts = report_parts(message, types=FEEDBACK_TYPES)
    if not parts:
        return None
    fields = part_fields(parts[0])
    feedback_type = _first(fields, "feedback-type").lower() or "other"
    named = " ".join(v for n, v in fields if n in {"original-rcpt-to", "removal-recipient"})
    return FeedbackReport(feedback_type, tuple(find_addresses(named)))


def read_jmrp(raw: bytes) -> FeedbackReport:
    """A Microsoft (Hotmail/Outlook.com) JMRP complaint: the complainer is named in the copy."""
    found = _JMRP_RECIPIENT.search(raw)
    address = find_address(found.group(1).decode("ascii", "replace")) if found else None
    return FeedbackReport("abuse", (address,) if address else ())


def read_mdn(message: Message) -> ReadReceipt | None:
    """The MDN in ``message``, at any depth outside attached messages; None when there is none."""
    parts = report_parts(message, types=MDN_TYPES)
    if not parts:
        return None
    fields = part_fields(parts[0])
    disposition = _first(fields, "disposition")
    # "manual-action/MDN-sent-manually; displayed": the type after the semicolon is what happened.
    kind = disposition.rpartition(";")[2].split("/")[0].strip().lower() or "unknown"
    recipient = find_address(_first(fields, "original-recipient", "final-recipient"))
    message_id = _first(fields, "original-message-id") or None
    return ReadReceipt(kind, recipient, message_id)
