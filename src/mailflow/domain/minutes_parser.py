"""Turn the scribe's minutes text into a :class:`~mailflow.domain.minutes.MinutesDoc`.

Pure: text (HTML already converted with :func:`mailflow.inbound.mailtext.html_to_text`), the
meeting's start, the people directory and the business calendar in, values out. The caller passes
only the new text of the mail (quotes cut).

The grammar, one item per line (details in the modules named):

- lines, bullets, numbering, sections and continuations: :mod:`mailflow.domain.minutes_lines`;
- ``DECISION:`` / ``决议：`` / ``决定：`` — the text is the decision;
- ``ACTION:`` / ``行动项：`` / ``待办：`` and ``DISPUTE:`` / ``争议：`` — owner, task,
  deliverable and due date: :mod:`mailflow.domain.minutes_actions`, e.g.
  ``ACTION: @bob Prepare the budget; deliverable: spreadsheet; due: 2025-03-08``,
  ``行动项：张伟 准备预算 交付物：预算表 截止：3月8日前``,
  ``ACTION: Prepare the budget — @bob — by Friday``;
- ``NEXT:`` / ``下次会议：`` — date and time, place, topic, in any order, optionally labelled
  (``time:``/``时间：``, ``place:``/``地点：``, ``topic:``/``议题：``), e.g.
  ``NEXT: 2025-03-14 10:00; Room 301; budget review`` or
  ``下次会议：3月14日上午10点 301会议室 预算评审``;
  a place is recognised by words such as Room, Zoom, 会议室, 线上; the rest is the topic;
- ``ATTENDEES:`` / ``出席：`` — names, aliases or addresses separated by ``,`` ``、`` ``;`` or
  spaces; a note in parentheses (``(remote)``, ``（线上）``) is ignored;
- ``INFO:`` / ``备注：`` — kept as information.

What cannot be resolved (an unknown, ambiguous or second owner, an unreadable or past due date) is
not guessed: the line becomes a :class:`~mailflow.domain.minutes.Problem` with what to write
instead, and the rest of the minutes still parse. ``notes`` tell the scribe how a deadline was
adjusted (a relative deadline moved off a holiday, an absolute one on a non-business day).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from mailflow.domain.business_calendar import BusinessCalendar
from mailflow.domain.directory import Directory
from mailflow.domain.due_dates import cuttable, fold, parse_moment
from mailflow.domain.minutes import ActionSpec, MinutesDoc, NextMeetingSpec, Problem
from mailflow.domain.minutes_actions import parse_item
from mailflow.domain.minutes_lines import Entry, split_entries
from mailflow.domain.owners import People, describe
from mailflow.domain.problem_messages import problem
from mailflow.domain.when import When

_NEXT_PARTS = re.compile(r"\s*(?:[;；|]|[,，](?!\s*\d{4}))\s*")
_NEXT_LABEL = re.compile(
    r"(?:(?<!\w)(?P<en>time|when|date|place|location|where|venue|room|topic|subject|agenda)\s*[:：]"
    r"|(?P<zh>时间|日期|地点|会议室|主题|议题|内容)\s*[:：])",
    re.IGNORECASE,
)
_NEXT_FIELD = dict.fromkeys(("time", "when", "date", "时间", "日期"), "start")
_NEXT_FIELD |= dict.fromkeys(("place", "location", "where", "venue", "room", "地点"), "location")
_NEXT_FIELD |= {"会议室": "location"}
_NEXT_FIELD |= dict.fromkeys(("topic", "subject", "agenda", "主题", "议题", "内容"), "topic")
_PLACE = re.compile(
    r"\b(?:room|rm|floor|building|office|hall|zoom|teams|webex|meet|online|hq)\b"
    r"|会议室|室|楼|厅|线上|腾讯会议|飞书|钉钉|视频会议|电话会议",
    re.IGNORECASE,
)
_PLACE_LEAD = re.compile(r"^(?:at|in|@|在|于)\s*", re.IGNORECASE)
_DIGITISH = re.compile(r"\d|(?:周|星期|礼拜)[一二三四五六日天]|明天|后天")
_ATTENDEE_SPLIT = re.compile(r"\s*[,，、;；/]\s*")
_ASIDE = re.compile(r"[(（][^)）]*[)）]")


@dataclass
class _Collected:
    decisions: list[str] = field(default_factory=list)
    actions: list[ActionSpec] = field(default_factory=list)
    disputes: list[ActionSpec] = field(default_factory=list)
    next_meeting: NextMeetingSpec | None = None
    attendees: list[str] = field(default_factory=list)
    info: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def parse_minutes(
    text: str, *, meeting_start: datetime, directory: Directory, calendar: BusinessCalendar
) -> MinutesDoc:
    """The decisions, items, next meeting and attendees in ``text`` (see the module docstring).

    ``meeting_start`` is aware and in the meeting's zone: relative dates count from its day.
    """
    people = People(directory)
    found = _Collected()
    for entry in split_entries(text):
        if entry.kind == "decision":
            found.decisions.append(entry.body)
        elif entry.kind == "info":
            found.info.append(entry.body)
        elif entry.kind in ("action", "dispute"):
            item = parse_item(
                entry.body,
                entry.line,
                kind=entry.kind,
                people=people,
                meeting_start=meeting_start,
                calendar=calendar,
            )
            found.problems.extend(item.problems)
            found.notes.extend(item.notes)
            if item.spec is not None:
                (found.actions if entry.kind == "action" else found.disputes).append(item.spec)
        elif entry.kind == "attendees":
            _attendees(entry, people, found)
        elif found.next_meeting is not None:
            found.problems.append(problem("two_next", entry.line))
        else:
            spec = _next_meeting(entry, meeting_start, found)
            found.next_meeting = spec
    return MinutesDoc(
        decisions=tuple(found.decisions),
        actions=tuple(found.actions),
        disputes=tuple(found.disputes),
        next_meeting=found.next_meeting,
        attendees=tuple(found.attendees),
        info=tuple(found.info),
        problems=tuple(found.problems),
        notes=tuple(found.notes),
    )


def _attendees(entry: Entry, people: People, found: _Collected) -> None:
    for piece in _ATTENDEE_SPLIT.split(entry.body):
        rest = piece.strip(" .。")
        while rest:
            names, rest = people.run(rest)
            # A note in brackets after a name ("(remote)", "（线上）") is not a name.
            rest = _ASIDE.sub(" ", rest).strip()
            if not names:
                word, rest = _unknown_name(rest, people)
                hint = people.suggestion(word, entry.line)
                found.problems.append(
                    problem("unknown_attendee", entry.line, name=word, suggest=hint)
                )
            for named in names:
                if named.resolution.ambiguous:
                    listed = ", ".join(describe(p) for p in named.resolution.candidates)
                    found.problems.append(
                        problem("ambiguous_attendee", entry.line, name=named.raw, candidates=listed)
                    )
                elif named.person is None:
                    hint = people.suggestion(named.raw, entry.line)
                    found.problems.append(
                        problem("unknown_attendee", entry.line, name=named.raw, suggest=hint)
                    )
                elif named.person.email not in found.attendees:
                    found.attendees.append(named.person.email)


def _unknown_name(text: str, people: People) -> tuple[str, str]:
    """The unknown name ``text`` starts with, up to the next known one, and the rest.

    "Zed Zhang, …" is one unknown person; in "赵敏 李娜" only 赵敏 is unknown.
    """
    words = text.split()
    taken = 1
    while taken < len(words) and people.one(" ".join(words[taken:])) is None:
        taken += 1
    return " ".join(words[:taken]), " ".join(words[taken:])


def _next_meeting(entry: Entry, meeting_start: datetime, found: _Collected) -> NextMeetingSpec:
    """The next meeting in ``entry``; an unreadable or past date is a problem, the text is kept."""
    labelled: dict[str, list[str]] = {}
    loose: list[str] = []
    for part in _NEXT_PARTS.split(entry.body):
        labels = list(_NEXT_LABEL.finditer(part))
        if not labels or labels[0].start() > 0:
            loose.append(part[: labels[0].start()] if labels else part)
        for label, following in zip(labels, [*labels[1:], None][: len(labels)], strict=True):
            value = part[label.end() : following.start() if following else len(part)]
            name = _NEXT_FIELD[fold(label["en"] or label["zh"])]
            labelled.setdefault(name, []).append(value.strip())
    when: When | None = None
    for value in labelled.get("start", []):
        when = when or parse_moment(value, now=meeting_start)
    rest: list[str] = []
    for part in (p.strip() for p in loose):
        if when is None and part:
            when, part = _take_moment(part, meeting_start)
        rest.extend(_words_with_place(part))
    location = next(iter(labelled.get("location", [])), None)
    topics = labelled.get("topic", [])
    for part in rest:
        if location is None and _PLACE.search(part):
            location = _PLACE_LEAD.sub("", part)
        elif part:
            topics.append(part)
    raw_dates = " ".join(labelled.get("start", [])) or entry.body
    if when is None and (labelled.get("start") or _DIGITISH.search(" ".join(loose))):
        found.problems.append(problem("bad_next", entry.line, raw=raw_dates))
    elif when is not None and when.start.date() < meeting_start.date():
        day = when.start.date().isoformat()
        found.problems.append(
            problem("next_before_meeting", entry.line, day=day, meeting=str(meeting_start.date()))
        )
        when = None
    return NextMeetingSpec(
        raw=entry.body,
        start=when.start if when else None,
        location=location or None,
        topic="; ".join(topics) or None,
        date_only=bool(when and when.date_only),
    )


def _take_moment(part: str, meeting_start: datetime) -> tuple[When | None, str]:
    """The longest leading (else trailing) piece of ``part`` that is a date, and the rest.

    Cuts between words are tried before cuts inside a run of Chinese text, so that in
    ``下午2点 3号会议室`` the 3 is not read as the minutes.
    """
    spaced = [i for i in range(len(part), 0, -1) if i == len(part) or part[i].isspace()]
    cuts = spaced + [i for i in range(len(part), 0, -1) if cuttable(part, i) and i not in spaced]
    for cut in cuts:
        when = parse_moment(part[:cut], now=meeting_start)
        if when is not None:
            return when, part[cut:].strip()
    for cut in reversed(cuts):
        when = parse_moment(part[cut:], now=meeting_start) if cut < len(part) else None
        if when is not None:
            return when, part[:cut].strip()
    return None, part


def _words_with_place(part: str) -> list[str]:
    """``part`` split so that a place written inside it (``301会议室 预算评审``) stands alone."""
    words = part.split()
    if len(words) < 2 or not any(_PLACE.search(w) for w in words):
        return [part]
    # "Room 301 budget review": a place word takes the number after it along.
    size = 2 if re.fullmatch(r"[\w-]*\d[\w-]*", words[1]) else 1
    if size == len(words):
        return [part]
    if _PLACE.search(" ".join(words[:size])) and not _PLACE.search(" ".join(words[size:])):
        return [" ".join(words[:size]), " ".join(words[size:])]
    return [part]
