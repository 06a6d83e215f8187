"""Read Amazon SES event notifications mailed through SNS (a JSON body instead of a DSN).

An SES sender can subscribe a mailbox to its bounce, complaint and delivery events; each arrives
as "AWS Notification Message" whose body is the event as JSON, either bare or wrapped in an SNS
envelope whose ``Message`` field holds the same JSON as a string.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from mailflow.inbound.reading.addresses import find_address
from mailflow.inbound.understanding.machine.bounce_dsn import best_status

SENDER_DOMAINS = ("sns.amazonaws.com", "amazonses.com")
_KIND = re.compile(r'"notificationType"\s*:\s*"(\w+)"')
_RECIPIENT = re.compile(r'"emailAddress"\s*:\s*"([^"]+)"(?:[^}]*?"status"\s*:\s*"([^"]*)")?')


@dataclass(frozen=True)
class SesEvent:
    """One SES event: ``kind`` is ``Bounce``, ``Complaint`` or ``Delivery``."""

    kind: str
    recipients: tuple[str, ...]
    permanent: bool
    status: str | None
    feedback_type: str | None


def _load(text: str) -> dict[str, Any] | None:
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        data = json.loads(text[start : end + 1])
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    inner = data.get("Message")
    if "notificationType" not in data and isinstance(inner, str):
        # The SNS envelope: the event itself is a JSON string inside it.
        return _load(inner)
    return data


def _section(data: dict[str, Any], name: str) -> dict[str, Any]:
    value = data.get(name)
    return value if isinstance(value, dict) else {}


def _rows(entries: Any) -> list[tuple[str, str | None]]:
    """(address, status) of each recipient entry that names a valid address."""
    rows: list[tuple[str, str | None]] = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        address = find_address(str(entry.get("emailAddress", "")))
        if address is not None:
            status = best_status(str(entry.get("status", "")), str(entry.get("diagnosticCode", "")))
            rows.append((address, status))
    return rows


def _salvage(text: str) -> dict[str, Any] | None:
    """The fields of a notification whose JSON a mail gateway broke (wrapped lines, escapes)."""
    flat = re.sub(r"!?\r?\n ?", "", text).replace("\\", "")
    kind = _KIND.search(flat)
    if kind is None:
        return None
    rows = [{"emailAddress": a, "status": s} for a, s in _RECIPIENT.findall(flat)]
    if kind.group(1) == "Bounce":
        return {"notificationType": "Bounce", "bounce": {"bouncedRecipients": rows}}
    return {"notificationType": kind.group(1), "complaint": {"complainedRecipients": rows}}


def ses_event(text: str) -> SesEvent | None:
    """The SES event in a notification body; None when the body is not one."""
    if "notificationType" not in text:
        return None
    data = _load(text) or _salvage(text)
    if data is None:
        return None
    kind = str(data.get("notificationType") or "")
    if kind == "Bounce":
        rows = _rows(_section(data, "bounce").get("bouncedRecipients"))
        status = next((status for _, status in rows if status), None)
        # SES reports a bounce once it has stopped trying, "Transient" ones too: the message was
        # not delivered, which is what ``permanent`` means here (see bounces.py).
        return SesEvent(kind, tuple(a for a, _ in rows), True, status, None)
    if kind == "Complaint":
        complaint = _section(data, "complaint")
        rows = _rows(complaint.get("complainedRecipients"))
        feedback = str(complaint.get("complaintFeedbackType") or "abuse")
        return SesEvent(kind, tuple(a for a, _ in rows), False, None, feedback)
    if kind == "Delivery":
        return SesEvent(kind, (), False, None, None)
    return None
