"""Limits that keep one hostile message from costing unbounded time or memory.

Checked before a message is classified: its size (``mail.max_message_bytes``; an oversized message
is never downloaded whole, see ``adapters.imap``), the number of MIME parts (a 10,000-part bomb)
and the depth of nested ``message/rfc822`` parts. A message over a limit is quarantined with the
reason, never dropped. The counts are estimated from the raw bytes, without parsing.
"""

from __future__ import annotations

import re

from mailflow.config.schema import MailSettings
from mailflow.errors import MessageError

MAX_PARTS = 1000
MAX_NESTED_MESSAGES = 50

_PART_HEADER = re.compile(rb"^content-type:", re.IGNORECASE | re.MULTILINE)
_NESTED = re.compile(rb"^content-type:\s*message/rfc822", re.IGNORECASE | re.MULTILINE)


def check(raw: bytes, size: int, settings: MailSettings) -> None:
    """Raise MessageError naming the limit a message exceeds."""
    if size > settings.max_message_bytes:
        raise MessageError(f"message of {size} bytes exceeds mail.max_message_bytes")
    parts = len(_PART_HEADER.findall(raw))
    if parts > MAX_PARTS:
        raise MessageError(f"message has about {parts} MIME parts; at most {MAX_PARTS} are read")
    nested = len(_NESTED.findall(raw))
    if nested > MAX_NESTED_MESSAGES:
        raise MessageError(
            f"message nests {nested} message/rfc822 parts; at most {MAX_NESTED_MESSAGES} are read"
        )
