"""Automatic replies and generated mail, known by their headers (RFC 3834 and common practice).

Vacation responders, list software and ticket systems mark their mail in a handful of ways; any
of them is enough, because answering a machine risks a mail loop.
"""

from __future__ import annotations

from mailflow.inbound.classify import Classification
from mailflow.inbound.mail import InboundMail

# "list" is left out on purpose: a person may answer through a mailing list.
_PRECEDENCE_AUTO = {"bulk", "junk", "auto_reply"}
_SUPPRESS_VALUES = {"all", "oof", "autoreply"}


def classify(mail: InboundMail) -> Classification | None:
    auto_submitted = mail.header("Auto-Submitted").lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return Classification("auto_reply", f"Auto-Submitted: {auto_submitted}")
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply"):
        if mail.header(name):
            return Classification("auto_reply", f"{name} header")
    precedence = mail.header("Precedence").lower()
    if precedence in _PRECEDENCE_AUTO:
        return Classification("auto_reply", f"Precedence: {precedence}")
    suppress = {v.strip().lower() for v in mail.header("X-Auto-Response-Suppress").split(",")}
    if suppress & _SUPPRESS_VALUES:
        return Classification("auto_reply", "X-Auto-Response-Suppress")
    return None
