"""Header signs of machine-written mail, shared by the bounce, report and auto-reply classifiers.

Everything here reads the cheap header parse of :class:`InboundMail` (and, for a subject that
parse mangled, the raw header block): no sign costs a body parse.
"""

from __future__ import annotations

import re

from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.reading.mailtext import decode_bytes

_DAEMON_LOCAL = re.compile(
    r"^(?:mailer-?daemon|mail-?daemon|mdaemon|mail\.delivery\.system|mail-?delivery)$",
    re.IGNORECASE,
)
# Display names MTAs sign with. "Postmaster" and "System Administrator" are left out: people
# sign with them too, and a postmaster address is a weaker sign of its own.
_DAEMON_NAME = re.compile(
    r"^\W*(?:mail deliver(?:y)? (?:system|subsystem|service)|mail administrator|mailer[- ]?daemon"
    r"|mail delivery)\W*(?:<|$)",
    re.IGNORECASE,
)
_POSTMASTER_LOCAL = re.compile(r"^(?:postmaster|post_master|poostmaster)$", re.IGNORECASE)
_RAW_SUBJECT = re.compile(rb"^subject:[ \t]*(.*(?:\r?\n[ \t].*)*)", re.IGNORECASE | re.MULTILINE)
_NO_REPLY_LOCAL = re.compile(r"^(?:no-?reply|do-?not-?reply|donotreply)(?:[+._-].*)?$", re.I)


def readable_subject(mail: InboundMail) -> str:
    """The decoded subject; a raw 8-bit one (SMTPUTF8 mail, some Chinese clients) is decoded too.

    The compat32 header parse turns raw 8-bit header bytes into U+FFFD, so such a subject is read
    again from the raw header block and decoded as body text is (UTF-8, GB18030, Big5).
    """
    subject = mail.subject
    if "\ufffd" not in subject:
        return subject
    head = mail.raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    found = _RAW_SUBJECT.search(head)
    if found is None:
        return subject
    return " ".join(decode_bytes(found.group(1)).split())


def sender_local(mail: InboundMail) -> str:
    return mail.sender.partition("@")[0]


def from_mail_system(mail: InboundMail) -> bool:
    """Sent as MAILER-DAEMON or "Mail Delivery System": the MTA itself speaks."""
    return bool(_DAEMON_LOCAL.match(sender_local(mail)) or _DAEMON_NAME.match(mail.header("From")))


def from_postmaster(mail: InboundMail) -> bool:
    """Sent by a postmaster address, which people also answer from, so a weaker sign."""
    return _POSTMASTER_LOCAL.match(sender_local(mail)) is not None


def from_no_reply(mail: InboundMail) -> bool:
    """Sent from an address that says it takes no replies (``no-reply@``, ``donotreply@``)."""
    return _NO_REPLY_LOCAL.match(sender_local(mail)) is not None


def auto_submitted(mail: InboundMail) -> str:
    """The ``Auto-Submitted`` keyword (RFC 3834), lowercased; '' when absent or ``no``."""
    value = mail.header("Auto-Submitted").lower()
    keyword = value.split(";")[0].split("(")[0].strip()
    return "" if keyword in {"", "no"} else keyword
