"""What a meeting intake hands back: the meeting as understood, and what is missing or ambiguous.

The "MEETING:" mail parser and the TOML meeting file both produce a :class:`MeetingDraft`. Its
``problems`` are the list the organiser gets back; a draft with problems is never created
("nothing half-created"), but ``spec`` is still filled when it can be, so the receipt can show
what was understood. ``notes`` are defaults the receipt should mention (e.g. the 60-minute
default duration). This module also turns what people write for attendees into people.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr

from mailflow.config.schema import Person
from mailflow.domain.directory import Directory, normalise
from mailflow.domain.meeting import AttendeeSpec, MeetingSpec


@dataclass(frozen=True)
class Problem:
    """One thing the organiser must fix: which field, what is wrong, and a hint how."""

    field: str
    text: str
    hint: str | None = None

    def __str__(self) -> str:
        return f"{self.field}: {self.text}" + (f" ({self.hint})" if self.hint else "")


@dataclass
class MeetingDraft:
    spec: MeetingSpec | None
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the meeting may be created: a spec and nothing to fix."""
        return self.spec is not None and not self.problems


def settle_end(
    draft: MeetingDraft,
    start: datetime,
    end: datetime | None,
    duration: timedelta | None,
    *,
    now: datetime,
    default_duration: timedelta,
) -> datetime:
    """The end from an end and/or a duration (else the default, noted); flags what looks wrong."""
    if start < now:
        draft.problems.append(
            Problem("when", f"{start:%Y-%m-%d %H:%M} ({start.tzinfo}) is in the past")
        )
    if end is not None and duration is not None and end - start != duration:
        draft.problems.append(Problem("duration", "the end and the duration disagree", "give one"))
    elif end is None and duration is not None:
        end = start + duration
    if end is None:
        end = start + default_duration
        minutes = int(default_duration.total_seconds() // 60)
        draft.notes.append(f"no end or duration given: {minutes} minutes assumed")
    if end <= start:
        draft.problems.append(Problem("end", "the meeting ends before it starts"))
    elif end - start > timedelta(hours=12):
        hint = "check the end or the duration"
        draft.problems.append(Problem("end", f"the meeting would last {end - start}", hint))
    return end


def split_people(text: str) -> list[str]:
    """Split a list of people on , ， 、 ; ； and newlines, not inside ``"..."`` or ``<...>``."""
    tokens: list[str] = []
    current: list[str] = []
    quoted = angled = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif char == "<":
            angled = True
        elif char == ">":
            angled = False
        if char in ",，、;；\n" and not quoted and not angled:
            tokens.append("".join(current))
            current = []
        else:
            current.append(char)
    tokens.append("".join(current))
    return [t.strip().strip("-*•·").strip() for t in tokens if t.strip().strip("-*•·").strip()]


def _describe(person: Person) -> str:
    return f"{person.name} <{person.email}>"


def _closest(token: str, directory: Directory) -> list[str]:
    """Up to three people or departments whose name, alias or address looks like ``token``."""
    words: dict[str, str] = {}
    for person in directory:
        for word in (person.name, person.email, person.email.partition("@")[0], *person.aliases):
            words.setdefault(normalise(word), _describe(person))
        if person.department:
            words.setdefault(normalise(person.department), f"{person.department} (department)")
    found = difflib.get_close_matches(
        normalise(token.removeprefix("@")), list(words), n=6, cutoff=0.6
    )
    return list(dict.fromkeys(words[w] for w in found))[:3]


def department_members(name: str, directory: Directory) -> list[Person]:
    """Everyone whose department is ``name`` (compared like a directory token)."""
    wanted = normalise(name)
    return [p for p in directory if p.department and normalise(p.department) == wanted]


def resolve_people(
    tokens: Iterable[str], directory: Directory, *, where: str
) -> tuple[list[AttendeeSpec], list[Problem]]:
    """People named by ``tokens``; a department means all its members; unknown addresses are guests.

    Returns the attendees (first mention wins, no duplicates) and a problem per token that names
    nobody (with the closest matches) or several people.
    """
    attendees: dict[str, AttendeeSpec] = {}
    problems: list[Problem] = []
    for token in tokens:
        people, problem = resolve_token(token, directory, where=where, departments=True)
        if problem is not None:
            problems.append(problem)
        for attendee in people:
            attendees.setdefault(attendee.email, attendee)
    return list(attendees.values()), problems


def resolve_token(
    token: str, directory: Directory, *, where: str, departments: bool = False
) -> tuple[list[AttendeeSpec], Problem | None]:
    """Whom one token names; ``departments`` allows a department to mean all its members."""
    found = directory.resolve(token)
    members = department_members(token.removeprefix("@"), directory) if departments else []
    if found.found and found.person is not None and not (found.via == "department" and members):
        return [AttendeeSpec(found.person.email, found.person.name)], None
    if members and (found.via in {None, "department"}):
        return [AttendeeSpec(p.email, p.name) for p in members], None
    if found.ambiguous:
        names = ", ".join(_describe(p) for p in found.candidates[:5])
        return [], Problem(
            where, f"{token!r} could be several people: {names}", "write the address"
        )
    name, address = parseaddr(token)
    local, at, domain = address.partition("@")
    if at and local and "." in domain and " " not in address:
        # An address nobody in the directory has: a guest from outside the organisation.
        return [AttendeeSpec(address.lower(), name or None)], None
    close = _closest(token, directory)
    hint = f"did you mean {' or '.join(close)}?" if close else "write their address"
    return [], Problem(where, f"nobody called {token!r} in the people directory", hint)
