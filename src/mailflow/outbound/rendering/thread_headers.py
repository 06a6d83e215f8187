"""Thread headers every mail from mailflow carries, whatever its kind.

Gmail and Apple Mail thread by References/In-Reply-To; Outlook by Thread-Index (its conversation
id) and Thread-Topic. A mail of a meeting's thread already names the meeting's thread root; a mail
of no meeting (an item reminder, a digest, the weekly progress request) gets a stable root of its
own per kind family and recipient, so a person's reminders form one conversation and their digests
another. Thread-Index is derived from the root: the same 22 bytes (a FILETIME-shaped prefix and a
GUID-shaped hash) for every mail of the thread, which is what Outlook groups on. Pure.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from email.message import EmailMessage

from mailflow.outbound.rendering.compose import thread_root_id

# Which mails of no meeting share a thread with which: one conversation per family and person.
_FAMILIES = {
    "item_reminder": "items",
    "weekly_progress": "items",
    "weekly_nudge": "items",
    "item_assignment": "items",
    "item_receipt": "items",
    "escalation": "escalations",
    "digest": "digest",
    "digest_details": "digest",
}
_PREFIXES = ("re:", "aw:", "fwd:", "fw:", "回复：", "回复:", "答复：", "转发：")


def thread_index(root: str) -> str:
    """Outlook's Thread-Index for the thread ``root``: 22 bytes, base64 (MS-OXOMSG 2.2.1.3)."""
    digest = hashlib.sha256(root.encode("utf-8")).digest()
    # A FILETIME-shaped 6-byte prefix (its first byte 0x01, as Outlook's are) and a 16-byte GUID.
    return base64.b64encode(b"\x01" + digest[:5] + digest[5:21]).decode("ascii")


def thread_topic(subject: str) -> str:
    """The subject without reply/forward prefixes: Outlook's conversation topic."""
    text = " ".join(subject.split())
    changed = True
    while changed:
        changed = False
        for prefix in _PREFIXES:
            if text.lower().startswith(prefix):
                text = text[len(prefix) :].lstrip()
                changed = True
    return text


def add_thread_headers(
    msg: EmailMessage, kind: str, recipients: Sequence[str], domain: str
) -> EmailMessage:
    """References/In-Reply-To to a stable root when the renderer gave none, then Thread-Index
    and Thread-Topic; Content-Language is left to the renderer (it knows the language)."""
    references = str(msg.get("References") or "").split()
    if not references:
        family = _FAMILIES.get(kind, kind)
        person = recipients[0].lower() if recipients else ""
        root = thread_root_id(f"{family}:{person}", domain)
        msg["References"] = root
        if msg.get("In-Reply-To") is None:
            msg["In-Reply-To"] = root
        references = [root]
    if msg.get("Thread-Index") is None:
        msg["Thread-Index"] = thread_index(references[0])
    if msg.get("Thread-Topic") is None and msg.get("Subject") is not None:
        msg["Thread-Topic"] = thread_topic(str(msg["Subject"]))
    return msg
