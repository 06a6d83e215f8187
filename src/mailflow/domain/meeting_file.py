"""Read a meeting file (``mailflow meeting add FILE.toml``) into a :class:`MeetingDraft`.

Pure: the file's bytes or text in, a draft out; the CLI reads the file.
``config/meeting.example.toml`` documents every key. Times may be TOML datetimes (local ones are
in the meeting's zone) or text that :func:`~mailflow.domain.when.parse_when` reads
(``"2025-03-10 09:30"``, ``"下周二 10:00"``).

Without ``uid`` the UID is ``mf-<sha1 of organiser, title and start>@<domain>``: adding the same
file twice yields one meeting, but changing its time makes a new one; give a ``uid`` to a meeting
you will edit.
"""

from __future__ import annotations

import difflib
import hashlib
import tomllib
from datetime import date, datetime, timedelta
from typing import Any

from icalendar import vRecur

from mailflow.domain.directory import Directory
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
from mailflow.domain.zones import zone, zone_name

DEFAULT_DURATION = timedelta(minutes=60)
_KEYS = frozenset(
    {"title", "start", "end", "duration", "timezone", "organiser", "organizer", "scribe"}
    | {"location", "online_url", "attendees", "agenda", "materials", "rrule", "uid", "description"}
)
_AGENDA_KEYS = frozenset({"topic", "owner", "minutes", "expected_conclusion"})


def parse_meeting_file(
    data: bytes | str,
    *,
    directory: Directory,
    now: datetime,
    default_timezone: str,
    domain: str,
    organiser: str | None = None,
    default_duration: timedelta = DEFAULT_DURATION,
) -> MeetingDraft:
    """The meeting in a TOML file; ``organiser`` is used when the file names none."""
    draft = MeetingDraft(None)
    problems = draft.problems
    try:
        doc = tomllib.loads(data.decode("utf-8") if isinstance(data, bytes) else data)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return MeetingDraft(None, [Problem("file", f"not valid TOML: {exc}")])
    for key in sorted(set(doc) - _KEYS):
        close = difflib.get_close_matches(key, sorted(_KEYS), n=1)
        problems.append(
            Problem(key, "unknown key", f"did you mean {close[0]!r}?" if close else None)
        )
    title = _text(doc, "title", problems)
    if not title:
        problems.append(Problem("title", "the meeting has no title"))
    boss = _person(
        _text(doc, "organiser", problems) or _text(doc, "organizer", problems) or organiser,
        directory,
        problems,
    )
    person = directory.by_email(boss.email) if boss else None
    tzid = (person.timezone if person and person.timezone else None) or default_timezone
    if (given := _text(doc, "timezone", problems)) is not None:
        tzid = zone_name(given) or tzid
        if zone_name(given) is None:
            problems.append(
                Problem("timezone", f"unknown time zone {given!r}", "e.g. Asia/Shanghai")
            )
    tzid = zone_name(tzid) or "UTC"
    start = _time(doc, "start", now=now, tzid=tzid, problems=problems)
    end = (
        _time(doc, "end", now=start or now, tzid=tzid, problems=problems) if "end" in doc else None
    )
    duration = _duration(doc.get("duration"), problems)
    if start is None and "start" not in doc:
        problems.append(Problem("start", "no start time", 'start = "2025-03-10 09:30"'))
    attendee_values = doc.get("attendees", [])
    tokens = split_people(attendee_values) if isinstance(attendee_values, str) else attendee_values
    if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
        problems.append(Problem("attendees", "must be a list of addresses or names"))
        tokens = []
    attendees, found = resolve_people(tokens, directory, where="attendees")
    problems.extend(found)
    if not attendees and not found:
        problems.append(Problem("attendees", "nobody is invited"))
    scribe = boss.email if boss else None
    if (scribe_text := _text(doc, "scribe", problems)) is not None:
        scribe_person = _person(scribe_text, directory, problems, where="scribe")
        scribe = scribe_person.email if scribe_person else scribe
    agenda = _agenda(doc.get("agenda", []), directory, problems)
    materials = doc.get("materials", [])
    materials = [materials] if isinstance(materials, str) else materials
    if not isinstance(materials, list) or not all(isinstance(m, str) for m in materials):
        problems.append(Problem("materials", "must be a list of strings"))
        materials = []
    rrule = _rrule(_text(doc, "rrule", problems), problems)
    if start is None or boss is None or not title:
        return draft
    end = settle_end(draft, start, end, duration, now=now, default_duration=default_duration)
    seed = f"{boss.email}|{title}|{start.isoformat()}"
    uid = _text(doc, "uid", problems) or f"mf-{hashlib.sha1(seed.encode()).hexdigest()}@{domain}"
    draft.spec = MeetingSpec(
        uid=uid,
        title=title,
        organiser=boss,
        start=start,
        end=end,
        tzid=tzid,
        attendees=tuple(attendees),
        location=_text(doc, "location", problems),
        online_url=_text(doc, "online_url", problems),
        description=_text(doc, "description", problems),
        rrule=rrule,
        scribe=scribe,
        agenda=tuple(agenda),
        materials=tuple(materials),
    )
    return draft


def _text(doc: dict[str, Any], key: str, problems: list[Problem]) -> str | None:
    value = doc.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        problems.append(Problem(key, f"must be a string, not {type(value).__name__}"))
        return None
    return value.strip() or None


def _person(
    token: str | None, directory: Directory, problems: list[Problem], *, where: str = "organiser"
) -> AttendeeSpec | None:
    if token is None:
        problems.append(Problem(where, "nobody named", 'organiser = "alice@example.com"'))
        return None
    people, problem = resolve_token(token, directory, where=where)
    if problem is not None:
        problems.append(problem)
    if not people:
        return None
    return AttendeeSpec(people[0].email, people[0].name, "CHAIR", "ACCEPTED")


def _time(
    doc: dict[str, Any], key: str, *, now: datetime, tzid: str, problems: list[Problem]
) -> datetime | None:
    value = doc.get(key)
    if isinstance(value, datetime):
        # A TOML local datetime is in the meeting's zone; an offset one keeps its instant.
        return (
            value.replace(tzinfo=zone(tzid))
            if value.tzinfo is None
            else value.astimezone(zone(tzid))
        )
    if isinstance(value, str):
        when = parse_when(value, now=now, tz=tzid)
        if when is not None and not when.date_only:
            problems.extend(Problem(key, warning) for warning in when.warnings)
            return when.start
    if isinstance(value, date | str):
        problems.append(
            Problem(key, f"cannot read {value!s} as a date and time", '"2025-03-10 09:30"')
        )
    elif value is not None:
        problems.append(Problem(key, f"must be a date and time, not {type(value).__name__}"))
    return None


def _duration(value: object, problems: list[Problem]) -> timedelta | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return timedelta(minutes=value)  # A bare number in the file means minutes.
    duration = parse_duration(value) if isinstance(value, str) else None
    if duration is None:
        problems.append(Problem("duration", f"cannot read {value!r}", 'e.g. 90 or "1h30"'))
    return duration


def _agenda(value: object, directory: Directory, problems: list[Problem]) -> list[AgendaSpec]:
    if not isinstance(value, list):
        problems.append(Problem("agenda", "must be an array of tables ([[agenda]])"))
        return []
    items: list[AgendaSpec] = []
    for number, entry in enumerate(value, 1):
        where = f"agenda[{number}]"
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("topic"), str)
            or not entry["topic"].strip()
        ):
            problems.append(Problem(where, "needs a topic", 'topic = "Budget"'))
            continue
        problems.extend(
            Problem(where, f"unknown key {k!r}") for k in sorted(set(entry) - _AGENDA_KEYS)
        )
        owner = None
        if isinstance(entry.get("owner"), str):
            people, problem = resolve_token(entry["owner"], directory, where=where)
            problems.extend([problem] if problem else [])
            owner = people[0].email if people else None
        minutes = entry.get("minutes")
        if minutes is not None and (
            not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0
        ):
            problems.append(Problem(where, "minutes must be a positive whole number"))
            minutes = None
        conclusion = entry.get("expected_conclusion")
        conclusion = conclusion.strip() or None if isinstance(conclusion, str) else None
        items.append(AgendaSpec(entry["topic"].strip(), owner, minutes, conclusion))
    return items


def _rrule(text: str | None, problems: list[Problem]) -> str | None:
    if text is None:
        return None
    value = text.removeprefix("RRULE:").strip()
    try:
        vRecur.from_ical(value)
    except ValueError as exc:
        problems.append(
            Problem("rrule", f"not a valid RRULE: {exc}", "FREQ=WEEKLY;BYDAY=MO;COUNT=10")
        )
        return None
    return value
