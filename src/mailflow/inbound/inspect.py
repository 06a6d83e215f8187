"""``mailflow inspect``: what mailflow would make of one raw message, without any DB or server.

Pure: bytes (and optionally the config, for the people directory, the business calendar and the
time zone) in, a JSON-ready dict out. The keys are stable; later issues add their own.

Minutes (a "Minutes:" mail, or a reply whose new text holds minutes lines) are read as if the
meeting had started when the mail was written: a bare inspect has no DB to find the meeting in,
so relative dates ("by Friday", "3个工作日内") count from the Date header. A reply's ``commands``
list both RSVP words and item commands: which ones apply depends on the mail it answers, which
only the DB knows.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from zoneinfo import ZoneInfo

from mailflow.config.schema import CalendarSettings, Config
from mailflow.domain.business_calendar import BusinessCalendar
from mailflow.domain.collab_request import parse_request, request_json
from mailflow.domain.directory import Directory
from mailflow.domain.item_commands import parse_item_commands
from mailflow.domain.minutes import ActionSpec, MinutesDoc
from mailflow.domain.minutes_parser import parse_minutes
from mailflow.domain.reply_commands import parse_commands
from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.understanding.calendar.itip import parse_itip
from mailflow.inbound.understanding.classify import classify
from mailflow.inbound.understanding.minutes_source import minutes_source
from mailflow.inbound.understanding.replies.reply_text import new_text
from mailflow.inbound.understanding.request_mail import request_text


def _mail_date(mail: InboundMail, fallback: datetime) -> datetime:
    try:
        found = parsedate_to_datetime(mail.header("Date"))
    except (TypeError, ValueError, IndexError):
        return fallback
    return found if found.tzinfo is not None else fallback


def _spec_json(spec: ActionSpec) -> dict[str, Any]:
    return {
        "owner": spec.owner,
        "owner_raw": spec.owner_raw,
        "task": spec.task,
        "deliverable": spec.deliverable,
        "due": spec.due.isoformat() if spec.due else None,
        "due_raw": spec.due_raw,
        "department": spec.department,
    }


def _holds_minutes(doc: MinutesDoc) -> bool:
    # A problem counts too: it comes only from a line that starts with a minutes keyword.
    return bool(
        doc.decisions
        or doc.actions
        or doc.disputes
        or doc.next_meeting
        or doc.attendees
        or doc.info
        or doc.problems
    )


def _minutes_json(doc: MinutesDoc) -> dict[str, Any]:
    following = doc.next_meeting
    return {
        "meeting_uid": None,
        "decisions": list(doc.decisions),
        "actions": [_spec_json(spec) for spec in doc.actions],
        "disputes": [_spec_json(spec) for spec in doc.disputes],
        "next_meeting": None
        if following is None
        else {
            "raw": following.raw,
            "start": following.start.isoformat() if following.start else None,
            "location": following.location,
            "topic": following.topic,
        },
        "problems": [
            {"line": p.line, "reason": p.reason, "hint": p.hint, "item_made": p.kept}
            for p in doc.problems
        ],
    }


def inspect_message(
    raw: bytes, *, now: datetime, timezone: str | None = None, config: Config | None = None
) -> dict[str, Any]:
    """What mailflow would make of ``raw``; see the module docstring.

    ``timezone`` (default: the config's ``schedule.timezone``, else UTC) places floating calendar
    times; ``config`` gives the people directory and the business calendar that minutes and item
    commands are read with (without it: nobody is known, and business days are Monday to Friday).
    """
    mail = InboundMail(raw)
    found = classify(mail)
    zone = timezone or (config.schedule.timezone if config is not None else None)
    directory = Directory(config.people.people if config is not None else ())
    calendar = BusinessCalendar(
        config.schedule.calendar if config is not None else CalendarSettings()
    )
    written = _mail_date(mail, now)
    # Dates in the text are read on the writer's day: in the deployment's zone when one is known,
    # else in the Date header's own offset.
    local = written.astimezone(ZoneInfo(zone)) if zone else written
    report: dict[str, Any] = {
        "kind": found.kind,
        "reason": found.reason,
        "message_id": mail.message_id,
        "from": mail.sender,
        "subject": mail.subject,
        "date": written.isoformat(),
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
        itip = parse_itip(mail.message, floating_tz=zone or "UTC")
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
    text = report["new_text"]
    if found.kind in ("minutes", "reply"):
        source = minutes_source(mail)
        doc = parse_minutes(
            source.text,
            meeting_start=local,
            directory=directory,
            calendar=calendar,
            tables=source.tables,
            sender=mail.sender,
        )
        doc = dataclasses.replace(doc, problems=(*doc.problems, *source.problems))
        if found.kind == "minutes" or _holds_minutes(doc):
            report["minutes"] = _minutes_json(doc)
    if found.kind == "reply":
        report["commands"] = [{"verb": c.verb, "args": dict(c.args)} for c in parse_commands(text)]
        items = parse_item_commands(text, now=local, directory=directory, calendar=calendar)
        report["commands"] += [
            {"verb": c.verb, "ref": c.ref, "args": dict(c.args)} for c in items.commands
        ]
    if found.kind == "collab_request":
        report["request"] = request_json(
            parse_request(
                mail.subject,
                request_text(mail.message),
                sender=mail.sender,
                directory=directory,
                now=local,
                calendar=calendar,
            )
        )
    return report
