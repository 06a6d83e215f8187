"""Parse a plain "MEETING:" mail (or "会议通知：") into a :class:`MeetingDraft`.

Pure: an ``EmailMessage`` (or title and text) plus the directory, ``now`` and the defaults in; a
draft out. Only the organiser's own new text is read
(:func:`~mailflow.inbound.understanding.replies.reply_trim.trim_reply`).

Decisions where the requirements were silent:

- Subjects: ``MEETING:`` in any case, or ``会议通知``, with an ASCII or full-width colon, after
  optional ``[tag]`` prefixes. A ``Re:``/``Fwd:``/``回复：``/``转发：`` subject is *not* a meeting
  request: a reply answers an earlier mail, and a forward carries someone else's text, which must
  never act as a new instruction.
- No end and no duration: the meeting lasts ``default_duration`` (60 minutes) and a note says so.
- No scribe: the organiser takes the minutes, with a note.
- Times are read in the organiser's zone (their directory entry, else the configured default),
  unless the mail has a ``Timezone:``/``时区：`` field or names a zone in the time itself.
- The UID is ``mf-<sha1 of the Message-ID>@<domain>``, so processing the same mail twice yields the
  same meeting; a mail without Message-ID is hashed from its From, Date, Subject and text.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from email.message import Message
from email.utils import parseaddr

from mailflow.config.schema import CalendarSettings
from mailflow.domain.business_calendar import BusinessCalendar
from mailflow.domain.directory import Directory
from mailflow.domain.due_dates import parse_due
from mailflow.domain.meeting import AgendaSpec, AttendeeSpec, MeetingSpec
from mailflow.domain.meeting_draft import (
    MeetingDraft,
    Problem,
    resolve_people,
    resolve_token,
    settle_end,
    split_people,
)
from mailflow.domain.when import parse_duration, parse_when
from mailflow.domain.zones import zone_name
from mailflow.inbound.reading.mailtext import body_text, header_text
from mailflow.inbound.understanding.meeting_fields import (
    Fields,
    read_fields,
    split_agenda_line,
    strip_bullet,
)
from mailflow.inbound.understanding.replies.reply_trim import trim_reply

DEFAULT_DURATION = timedelta(minutes=60)
_SUBJECT = re.compile(
    r"^\s*(?:\[[^\]]*\]\s*)*(?:meeting|会议通知)\s*[:：]\s*(?P<title>.*)$", re.I | re.S
)
_REPLY_PREFIX = re.compile(r"^\s*(?:re|fw|fwd|aw|wg|sv|vs|回复|答复|转发|回覆|轉寄)\s*[:：]", re.I)
_URL = re.compile(r"https?://[^\s<>\"'，。；]+", re.I)
DURATION_HINT = "e.g. 90 min, 1h30, 1.5小时"
TIME_HINT = "write e.g. 2025-03-10 09:30, 3月10日 上午9:30 or next Tuesday 10:00"


def meeting_title(subject: str) -> str | None:
    """The title when ``subject`` asks for a new meeting, else None (see the module docstring)."""
    if _REPLY_PREFIX.match(subject):
        return None
    match = _SUBJECT.match(subject)
    return None if match is None else " ".join(match.group("title").split())


def meeting_uid(message_id: str, domain: str) -> str:
    """The stable UID of the meeting a mail creates."""
    digest = hashlib.sha1(message_id.strip().strip("<>").encode("utf-8", "replace"))
    return f"mf-{digest.hexdigest()}@{domain}"


def parse_meeting_mail(
    message: Message,
    *,
    directory: Directory,
    now: datetime,
    default_timezone: str,
    domain: str,
    default_duration: timedelta = DEFAULT_DURATION,
) -> MeetingDraft:
    """Read a "MEETING:" mail; ``now`` is aware, ``default_timezone`` is ``schedule.timezone``."""
    subject = header_text(message, "Subject")
    name, address = parseaddr(header_text(message, "From"))
    text = trim_reply(body_text(message))
    message_id = header_text(message, "Message-ID")
    if not message_id:
        message_id = "|".join([address, header_text(message, "Date"), subject, text])
    title = meeting_title(subject)
    if title is None:
        hint = "start the subject with MEETING: or 会议通知："
        return MeetingDraft(
            None, [Problem("subject", f"{subject!r} is not a meeting request", hint)]
        )
    if not address:
        return MeetingDraft(None, [Problem("organiser", "the mail has no From address")])
    person = directory.by_email(address)
    organiser = AttendeeSpec(
        address.lower(), person.name if person else (name or None), "CHAIR", "ACCEPTED"
    )
    zone = (person.timezone if person and person.timezone else None) or default_timezone
    return parse_meeting_text(
        title,
        text,
        organiser=organiser,
        uid=meeting_uid(message_id, domain),
        directory=directory,
        now=now,
        timezone=zone,
        default_duration=default_duration,
    )


def parse_meeting_text(
    title: str,
    text: str,
    *,
    organiser: AttendeeSpec,
    uid: str,
    directory: Directory,
    now: datetime,
    timezone: str,
    default_duration: timedelta = DEFAULT_DURATION,
) -> MeetingDraft:
    """The core of :func:`parse_meeting_mail`: the title and the new text of the mail."""
    fields = read_fields(text)
    draft = MeetingDraft(None)
    problems = draft.problems
    problems.extend(Problem(name, "given twice: the first one is used") for name in fields.repeated)
    if not title:
        problems.append(Problem("subject", "the meeting has no title", "MEETING: <title>"))
    tzid = zone_name(timezone) or "UTC"
    if (given_zone := fields.text("timezone")) is not None:
        tzid = zone_name(given_zone) or tzid
        if zone_name(given_zone) is None:
            problems.append(
                Problem("timezone", f"unknown time zone {given_zone!r}", "e.g. Asia/Shanghai")
            )
    times = _times(fields, now=now, tzid=tzid, default_duration=default_duration, draft=draft)
    location, online_url = _place(fields, problems)
    attendees, found = resolve_people(
        split_people("\n".join(fields.values.get("attendees", []))), directory, where="attendees"
    )
    problems.extend(found)
    if not attendees and not found:
        problems.append(
            Problem("attendees", "nobody is invited", "Attendees: names, addresses or departments")
        )
    scribe = organiser.email
    if (scribe_text := fields.text("scribe")) is not None:
        people, problem = resolve_token(scribe_text, directory, where="scribe")
        problems.extend([problem] if problem else [])
        scribe = people[0].email if people else scribe
    else:
        draft.notes.append("no scribe given: the organiser takes the minutes")
    agenda = _agenda(fields.values.get("agenda", []), directory, problems)
    materials = [
        strip_bullet(m)
        for line in fields.values.get("materials", [])
        for m in re.split(r"[;；、]", line)
    ]
    description = "\n".join([*fields.free, *fields.values.get("description", [])]).strip()
    extra: dict[str, str] = {}
    if (project := fields.text("project")) is not None and project.strip():
        extra["project"] = " ".join(project.split())[:200]
    if (acceptor_text := fields.text("acceptor")) is not None:
        people, problem = resolve_token(acceptor_text, directory, where="acceptor")
        problems.extend([problem] if problem else [])
        if people:
            extra["acceptor"] = people[0].email
    _project_fields(fields, directory, now, extra, problems)
    if times is not None and title:
        draft.spec = MeetingSpec(
            uid=uid,
            title=title,
            organiser=organiser,
            start=times[0],
            end=times[1],
            tzid=times[2],
            attendees=tuple(attendees),
            location=location,
            online_url=online_url,
            description=description or None,
            scribe=scribe,
            agenda=tuple(agenda),
            materials=tuple(m for m in materials if m),
            extra=extra,
        )
    return draft


_DAILY_TIME = re.compile(r"(?P<h>\d{1,2})\s*[:：点點]\s*(?P<m>\d{2})")
_DAILY_OFF = re.compile(r"\b(?:off|none|no)\b|关闭|關閉|不需要|取消|无|無", re.IGNORECASE)


def _project_fields(
    fields: Fields,
    directory: Directory,
    now: datetime,
    extra: dict[str, str],
    problems: list[Problem],
) -> None:
    """The project's coordinator, lead department and end date, when the mail names them."""
    if (text := fields.text("coordinator")) is not None:
        people, problem = resolve_token(text, directory, where="coordinator")
        problems.extend([problem] if problem else [])
        if people:
            extra["coordinator"] = people[0].email
    if (text := fields.text("lead_department")) is not None and text.strip():
        extra["lead_department"] = " ".join(text.split())[:200]
    if (text := fields.text("daily_update")) is not None and text.strip():
        at = _DAILY_TIME.search(text)
        if at is not None and int(at["h"]) < 24 and int(at["m"]) < 60:
            extra["daily_update_at"] = f"{int(at['h']):02d}:{at['m']}"
        elif _DAILY_OFF.search(text):
            extra["daily_update_at"] = "off"
        else:
            problems.append(
                Problem(
                    "daily update",
                    f"“{text.strip()[:60]}” is not a time of day",
                    "Daily update: 17:30 / 每日进展：17:30 (or “off” / 关闭)",
                )
            )
    if (text := fields.text("project_end")) is not None and text.strip():
        due = parse_due(text, now=now, calendar=BusinessCalendar(CalendarSettings()))
        if due is None:
            problems.append(
                Problem(
                    "project end",
                    f"“{text.strip()[:60]}” is not a date",
                    "Project end: 2025-06-30 / 项目结束：6月30日",
                )
            )
        else:
            extra["project_end"] = due.day.isoformat()


def _times(
    fields: Fields, *, now: datetime, tzid: str, default_duration: timedelta, draft: MeetingDraft
) -> tuple[datetime, datetime, str] | None:
    """Start, end and zone from When (+ Date), End and Duration; problems go to ``draft``."""
    problems = draft.problems
    when_text = " ".join(t for t in (fields.text("date"), fields.text("when")) if t)
    if not when_text:
        problems.append(Problem("when", "no date and time", TIME_HINT))
        return None
    when = parse_when(when_text, now=now, tz=tzid)
    if when is None:
        problems.append(Problem("when", f"cannot read {when_text!r} as a date and time", TIME_HINT))
        return None
    problems.extend(Problem("when", warning, "check the date") for warning in when.warnings)
    if when.date_only:
        problems.append(Problem("when", f"{when_text!r} has no time of day", TIME_HINT))
        return None
    start, end, duration = when.start, when.end, None
    if (end_text := fields.text("end")) is not None:
        # "now=start" makes a bare time ("End: 11:00") fall on the meeting's own day.
        end_when = parse_when(end_text, now=start, tz=when.tzid)
        if end_when is None or end_when.date_only:
            problems.append(Problem("end", f"cannot read {end_text!r} as a time", "e.g. 11:00"))
        else:
            end = end_when.start
    if (duration_text := fields.text("duration")) is not None:
        duration = parse_duration(duration_text)
        if duration is None:
            problems.append(Problem("duration", f"cannot read {duration_text!r}", DURATION_HINT))
    end = settle_end(draft, start, end, duration, now=now, default_duration=default_duration)
    return start, end, when.tzid


def _place(fields: Fields, problems: list[Problem]) -> tuple[str | None, str | None]:
    """A room and/or a link from Where (a URL there is the link) and Link fields."""
    where = fields.text("where") or ""
    online = fields.text("online") or ""
    urls = _URL.findall(online) + _URL.findall(where)
    if online and not _URL.search(online):
        problems.append(Problem("where", f"{online!r} is not a link", "https://..."))
    room = _URL.sub(" ", where).strip(" \t/|,;-—–·()（）") or None
    return room, (urls[0].rstrip(".,);") if urls else None)


def _agenda(lines: list[str], directory: Directory, problems: list[Problem]) -> list[AgendaSpec]:
    """Agenda lines ``topic | owner | minutes | expected conclusion`` (later parts optional)."""
    items: list[AgendaSpec] = []
    for line in lines:
        parts = [*split_agenda_line(line), "", "", ""]
        topic, owner_text, minutes_text = parts[:3]
        conclusion = " | ".join(p for p in parts[3:] if p)
        if not topic:
            problems.append(
                Problem("agenda", f"{line!r} has no topic", "topic | owner | minutes | conclusion")
            )
            continue
        owner = None
        if owner_text:
            people, problem = resolve_token(owner_text, directory, where="agenda")
            problems.extend([problem] if problem else [])
            owner = people[0].email if people else None
        minutes = None
        if minutes_text:
            duration = (
                timedelta(minutes=int(minutes_text))
                if minutes_text.isdigit()
                else parse_duration(minutes_text)
            )
            if duration is None:
                problems.append(
                    Problem("agenda", f"cannot read {minutes_text!r} as minutes", "e.g. 20")
                )
            else:
                minutes = duration.seconds // 60 + duration.days * 1440
        items.append(AgendaSpec(topic, owner, minutes, conclusion or None))
    return items
