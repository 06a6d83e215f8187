"""A reply to one of mailflow's own mails: by a signed plus-address or by its thread headers.

Pure and cheap: every Message-ID mailflow writes ends in ``.mailflow@<domain>`` and every reply
address looks like ``bot+m42.k3xf9abq2c@…``, so the headers alone tell. Which meeting or item the
reply is about, and whether the token's signature holds, is decided when it is applied.
"""

from __future__ import annotations

import re

from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.understanding.classification import Classification
from mailflow.outbound.rendering.compose import MESSAGE_ID_MARK

_TOKEN_ADDRESS = re.compile(r"\+[a-z][0-9a-z-]{1,40}\.[a-z2-7]{10}@", re.IGNORECASE)


_UNSUBSCRIBE = re.compile(r"^\s*(?:stop\s+reminders?|停止提醒|退订提醒)\s*$", re.IGNORECASE)


def classify(mail: InboundMail) -> Classification | None:
    if _UNSUBSCRIBE.match(mail.subject):
        # The List-Unsubscribe mailto of a reminder: a fresh mail, outside any thread.
        return Classification("reply", "asks to stop reminders")
    addressed = " ".join(
        mail.header(name) for name in ("To", "Cc", "Delivered-To", "X-Original-To")
    )
    if _TOKEN_ADDRESS.search(addressed):
        return Classification("reply", "addressed to a reply token")
    thread = f"{mail.header('In-Reply-To')} {mail.header('References')}"
    if MESSAGE_ID_MARK in thread:
        return Classification("reply", "in the thread of a mailflow message")
    return None
