"""``mailflow inspect``: what mailflow would make of one raw message, without any DB or server.

Pure: bytes (and optionally the config, for the people directory and the time zone) in, a JSON-
ready dict out. The keys are stable; later issues add their own (``minutes``).
"""

from __future__ import annotations

from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from mailflow.domain.reply_commands import parse_commands
from mailflow.inbound.classify import classify
from mailflow.inbound.itip import parse_itip
from mailflow.inbound.mail import InboundMail
from mailflow.inbound.reply_text import new_text


def _mail_date(mail: InboundMail, fallback: datetime) -> datetime:
    try:
        found = parsedate_to_datetime(mail.header("Date"))
    except (TypeError, ValueError, IndexError):
        return fallback
    return found if found.tzinfo is not None else fallback


def inspect_message(raw: bytes, *, now: datetime, timezone: str = "UTC") -> dict[str, Any]:
    mail = InboundMail(raw)
    found = classify(mail)
    report: dict[str, Any] = {
        "kind": found.kind,
        "reason": found.reason,
        "message_id": mail.message_id,
        "from": mail.sender,
        "subject": mail.subject,
        "date": _mail_date(mail, now).isoformat(),
    }
    if found.machine_generated:
        report["new_text"] = ""
    else:
        report["new_text"] = new_text(mail.message)
    if found.kind == "bounce":
        report["bounce"] = {
            "recipients": list(found.details.get("recipients", [])),
            "permanent": bool(found.details.get("permanent", False)),
            "status": found.details.get("status"),
        }
    if found.kind.startswith("itip_"):
        itip = parse_itip(mail.message, floating_tz=timezone)
        if itip is not None:
            report["rsvp"] = [
                {
                    "uid": r.uid,
                    "recurrence_id": r.recurrence_id.isoformat() if r.recurrence_id else None,
                    "attendee": r.attendee,
                    "partstat": r.partstat,
                    "comment": r.comment,
                }
                for r in itip.replies
            ]
            report["meetings"] = [
                {"uid": s.uid, "title": s.title, "start": s.start.isoformat(), "status": s.status}
                for s in itip.requests
            ]
            report["problems"] = list(itip.problems)
    if found.kind == "reply":
        report["commands"] = [
            {"verb": c.verb, "args": dict(c.args)} for c in parse_commands(report["new_text"])
        ]
    return report
