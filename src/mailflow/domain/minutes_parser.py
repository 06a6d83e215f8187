"""Turn the scribe's minutes into a :class:`~mailflow.domain.minutes.MinutesDoc`.

Pure: text (HTML already converted by
:func:`mailflow.inbound.understanding.replies.reply_html.html_reply_text`, tables as tab-separated
rows), tables from attachments, the meeting's start, the people directory and the business calendar
in, values out. The caller passes only the new text of the mail.

Minutes are read the way people write them, in any mix (details in the modules named):

- lines, bullets, numbering, headings, sections and tables: :mod:`mailflow.domain.minutes_lines`;
- keyword lines, mailflow's documented syntax: ``DECISION:`` / ``决议：``, ``ACTION:`` /
  ``行动项：``, ``DISPUTE:`` / ``争议：`` (also ``ISSUE:`` / ``RISK:`` / ``问题：`` / ``风险：``),
  ``NEXT:`` / ``下次会议：``, ``ATTENDEES:`` / ``出席：``, ``INFO:`` / ``备注：``;
- issue and risk rows of action tables (a 类型 column saying 风险, or a table under 问题与风险):
  :mod:`mailflow.domain.minutes_issues`;
- headings and the lines under them: 一、会议决议 / 二、待办事项 / 三、遗留问题 / 下次会议安排,
  Decisions / Action items / Next steps / Open issues / Next meeting;
- action tables by what their columns mean: :mod:`mailflow.domain.minutes_tables`;
- free sentences that give someone a task, in any section: 由X负责…前, 请X于…, X牵头Y配合,
  责成X, @X, "X to … by …", "X will …": :mod:`mailflow.domain.minutes_cues`;
- each action's owner, task, deliverable and due date: :mod:`mailflow.domain.minutes_actions`;
- ``NEXT`` — date and time, place, topic, in any order, optionally labelled (``time:``/``时间：``,
  ``place:``/``地点：``, ``topic:``/``议题：``), e.g. ``NEXT: 2025-03-14 10:00; Room 301; budget
  review`` or ``下次会议：3月14日上午10点 301会议室 预算评审``;
- ``ATTENDEES`` — names, aliases or addresses separated by ``,`` ``、`` ``;`` or spaces; a note
  in parentheses (``(remote)``, ``（线上）``) is ignored.

Nothing is guessed and nothing is dropped in silence: a line or table row that looks like an
action but cannot become an item (an unknown, ambiguous or missing owner) is a
:class:`~mailflow.domain.minutes.Problem` with what to write instead; an item made without its
due date carries a kept problem saying so. Sentences that give everyone a standing duty
(各部门负责人要…) and lines that are only a signature are not actions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from mailflow.domain.business_calendar import BusinessCalendar
from mailflow.domain.directory import Directory, Resolution, normalise
from mailflow.domain.due_dates import cuttable, fold, parse_due, parse_moment
from mailflow.domain.minutes import ActionSpec, MinutesDoc, NextMeetingSpec, Problem
from mailflow.domain.minutes_actions import ParsedItem, clean_task, due_notes, parse_item
from mailflow.domain.minutes_cues import find_cue, is_ownerless_task, is_standing_duty
from mailflow.domain.minutes_issues import is_issue_row, read_issue_row
from mailflow.domain.minutes_lines import Entry, split_entries
from mailflow.domain.minutes_tables import Table, read_table, status_of
from mailflow.domain.owners import Named, People, describe, people_of
from mailflow.domain.problem_messages import is_chinese, problem
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
_SENTENCES = re.compile(r"(?<=[。；;！？!?])\s*|(?<=[A-Za-z0-9)][.])\s+(?=[A-Z@])")
_COMMAS = re.compile(r"(?<=[，,])")
_CONTACT = re.compile(
    r"^(?:(?:tel|phone|mobile|fax|ext|手机|电话|分机|传真|邮箱|e-?mail|地址|address|www\.|http)"
    r"|[+\d][\d\s()+-]{6,}$)",
    re.IGNORECASE,
)
# What people put in an owner cell when there is no owner yet.
_NOBODY = re.compile(
    r"^(?:待定|待确认|未定|暂无|无|待分配|待指定|tbd|tbc|n/?a|none|-+|—+|\?+|？+|/)$", re.IGNORECASE
)


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

    def take(self, parsed: ParsedItem) -> None:
        self.problems.extend(parsed.problems)
        self.notes.extend(parsed.notes)
        if parsed.spec is not None:
            target = self.actions if parsed.spec.kind == "action" else self.disputes
            target.append(parsed.spec)


@dataclass(frozen=True)
class _Reader:
    people: People
    meeting_start: datetime
    calendar: BusinessCalendar

    def item(self, body: str, line: str, kind: str, context: str) -> ParsedItem:
        return parse_item(
            body,
            line,
            kind=kind,
            people=self.people,
            meeting_start=self.meeting_start,
            calendar=self.calendar,
            context=context,
        )


def parse_minutes(
    text: str,
    *,
    meeting_start: datetime,
    directory: Directory,
    calendar: BusinessCalendar,
    tables: Sequence[Table] = (),
    sender: str | None = None,
) -> MinutesDoc:
    """The decisions, items, next meeting and attendees in ``text`` and ``tables`` (the
    attachments'), see the module docstring.

    ``meeting_start`` is aware and in the meeting's zone: relative dates count from its day.
    ``sender`` is the address of who wrote the minutes: "由我负责" gives them the item.
    """
    reader = _Reader(people_of(directory).written_by(sender), meeting_start, calendar)
    found = _Collected()
    entries = split_entries(text)
    entries += [Entry("table", "", "\n".join(t.lines), "list", None, t) for t in tables]
    for entry in entries:
        _read_entry(entry, reader, found)
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


def _read_entry(entry: Entry, reader: _Reader, found: _Collected) -> None:
    if entry.kind == "decision":
        found.decisions.append(entry.body)
        # 会议决定：由信息部负责采购服务器 — a decision that gives someone the work is an item too.
        _sentences(entry, reader, found, context="item", required=False)
    elif entry.kind == "info":
        found.info.append(entry.body)
    elif entry.kind == "action":
        _sentences(entry, reader, found, context="list", required=True)
    elif entry.kind == "dispute":
        found.take(reader.item(entry.body, entry.line, "dispute", "list"))
    elif entry.kind == "attendees":
        _attendees(entry, reader.people, found)
    elif entry.kind == "next":
        if found.next_meeting is not None:
            found.problems.append(problem("two_next", entry.line))
        else:
            found.next_meeting = _next_meeting(entry, reader.meeting_start, found)
    elif entry.kind == "table" and entry.table is not None:
        _table(entry, entry.table, reader, found)
    elif entry.kind == "text" and entry.section not in ("dispute", "next", "attendees"):
        _sentences(entry, reader, found, context=entry.context, required=False)


def _sentences(
    entry: Entry, reader: _Reader, found: _Collected, *, context: str, required: bool
) -> None:
    """The items in ``entry``, one per sentence or clause that names its owner.

    In a list of actions a clause that names nobody belongs to the item around it
    (``张伟负责汇总预算；交付物：预算表``, ``需尽快确定供应商；由张伟负责``); in running text it is
    left out, since it is most often someone's report.
    """
    body = entry.body
    if not entry.explicit and _not_an_action(body, reader.people):
        return
    groups: list[list[str]] = []
    owned: list[bool] = []
    for clause in _clauses(body, reader.people, context):
        cue = find_cue(clause, reader.people, context=context) is not None
        if not cue and entry.section != "decision" and is_ownerless_task(clause):
            if not is_standing_duty(clause):
                # "需尽快确定供应商": something to do, and nobody to do it. Said, not guessed.
                found.problems.append(problem("ownerless", clause.strip()))
            continue
        if cue and groups and not owned[-1] and context != "text":
            groups[-1].append(clause)
            owned[-1] = True
        elif cue or (context != "text" and not groups):
            groups.append([clause])
            owned.append(cue)
        elif context != "text":
            groups[-1].append(clause)
    for clauses, has_owner in zip(groups, owned, strict=True):
        text = "; ".join(c.strip(" ;；。") for c in clauses if c.strip(" ;；。"))
        if not text or not (has_owner or required):
            continue
        if not entry.explicit and _not_an_action(text, reader.people):
            continue
        line = entry.line if len(groups) == 1 else text
        parsed = reader.item(text, line, "action", context)
        if parsed.spec is not None and parsed.spec.due is None and _needs_due(entry, parsed):
            continue
        found.take(parsed)


def _needs_due(entry: Entry, parsed: ParsedItem) -> bool:
    """Whether an item read from ``entry`` counts only with a due date: a decision ("由法务部
    审阅后再签署") or a report of the discussion is a task when it says by when; so is a
    sentence that only reports someone will act ("研发部需…")."""
    if entry.explicit or entry.kind == "action":
        return False
    if entry.kind == "decision" or entry.section in ("decision", "other"):
        return True
    return not parsed.assigned


def _clauses(body: str, people: People, context: str) -> list[str]:
    """``body`` cut into sentences, and a sentence cut at a comma where a second owner starts
    (``张伟负责预算，李娜负责场地``)."""
    clauses: list[str] = []
    for sentence in _SENTENCES.split(body):
        current = ""
        current_owned = False
        owner = None
        for piece in (p for p in _COMMAS.split(sentence) if p):
            cue = find_cue(piece.strip(), people, context=context)
            starts_owner = cue is not None and cue.start == 0 and cue.keep == "after"
            # "工作量由研发部评估，@陈静 负责": the same person named twice is one owner.
            same = cue is not None and owner is not None and cue.named.person == owner
            if current and current_owned and starts_owner and not same:
                clauses.append(current)
                current, current_owned = piece, True
                owner = cue.named.person if cue else None
            else:
                current += piece
                current_owned = current_owned or cue is not None
                if cue is not None and owner is None:
                    owner = cue.named.person
        if current.strip():
            clauses.append(current)
    return [c.strip().rstrip("，,") for c in clauses if c.strip()]


def _not_an_action(text: str, people: People) -> bool:
    """A standing duty for everyone, a signature or contact line, or only names."""
    stripped = text.strip(" .。,，;；:：")
    if is_standing_duty(stripped) or _CONTACT.match(stripped):
        return True
    names, rest = people.run(stripped)
    return bool(names) and not clean_task(rest)


def _table(entry: Entry, table: Table, reader: _Reader, found: _Collected) -> None:
    actions = read_table(table)
    if actions is None:
        return
    for cells, line in actions.rows:
        if is_issue_row(cells, entry.section):
            read = partial(reader.item, kind="dispute", context="list")
            parsed = read_issue_row(cells, line, read)
        else:
            parsed = _row(cells, line, reader)
        if parsed is not None:
            found.take(parsed)


def _row(cells: dict[str, str], line: str, reader: _Reader) -> ParsedItem | None:
    """One data row of an action table as an item, or the problem that refuses it."""
    task = clean_task(cells.get("task", ""))
    owner_text = cells.get("owner", "")
    department = cells.get("dept", "")
    if not task:
        if owner_text or cells.get("due"):
            return ParsedItem(None, [problem("no_task", line)])
        return None
    people = reader.people
    if _NOBODY.match(owner_text):
        owner_text = ""
    owners, _ = people.run(owner_text) if owner_text else ([], "")
    if owners and owners[0].resolution.ambiguous and department:
        owners[0] = _told_apart(owners[0], department, people)
    if owner_text and not owners:
        word = owner_text.split()[0]
        unknown = people.resolve(word)
        if unknown.resolution.status == "unknown" and is_standing_duty(owner_text):
            return None
        return _refused_owner(unknown.raw, owner_text, line, people)
    if not owners and department:
        owners, _rest = people.run(department)
    if not owners:
        code = "table_no_owner" if not department else "unknown_owner"
        if department:
            return ParsedItem(
                None,
                [problem(code, line, name=department, suggest=people.suggestion(department, line))],
            )
        return ParsedItem(None, [problem(code, line)])
    first = owners[0]
    if first.resolution.status != "found":
        return _refused_owner(first.raw, owner_text or department, line, people)
    status = status_of(cells.get("status", ""))
    if status == "done":
        # A row the tracking sheet already marks done is history, not a new action.
        return ParsedItem(None, [], [_done_note(task, line)])
    body = task
    due_text = cells.get("due", "")
    problems: list[Problem] = []
    due = (
        parse_due(due_text, now=reader.meeting_start, calendar=reader.calendar)
        if due_text
        else None
    )
    if due_text and due is None:
        problems.append(problem("due_unreadable", line, raw=due_text))
    elif due is not None and due.day < reader.meeting_start.date():
        problems.append(
            problem(
                "due_in_past",
                line,
                day=due.day.isoformat(),
                meeting=str(reader.meeting_start.date()),
            )
        )
        due = None
    elif due is None:
        problems.append(problem("no_due", line))
    others = [n for n in owners[1:] if n.person is not None and n.person != first.person]
    if others:
        names = "、".join(n.raw for n in owners)
        problems.append(problem("co_owners", line, names=names, owner=first.raw))
    person = first.person
    assert person is not None
    spec = ActionSpec(
        owner=person.email,
        owner_raw=first.raw,
        task=body,
        deliverable=clean_task(cells.get("deliverable", "")) or None,
        due=due.day if due else None,
        due_time=due.time if due else None,
        due_raw=due.raw if due else None,
        department=person.department,
        status=status,
    )
    return ParsedItem(spec, problems, due_notes(due, body, line, reader.calendar))


def _done_note(task: str, line: str) -> str:
    if is_chinese(line):
        return f"{task}：表格中已标记为完成，未新建事项"
    return f"{task}: marked done in the table, not tracked as a new item"


def _told_apart(named: Named, department: str, people: People) -> Named:
    """An ambiguous name told apart by the row's department column (王伟 | 人事部)."""
    head = people.resolve(department).person
    wanted = normalise(head.department if head and head.department else department)
    match = [p for p in named.resolution.candidates if normalise(p.department or "") == wanted]
    if len(match) != 1:
        return named
    resolution = Resolution(named.raw, "found", match[0], (match[0],), named.resolution.via)
    return Named(named.raw, resolution)


def _refused_owner(raw: str, written: str, line: str, people: People) -> ParsedItem:
    resolution = people.resolve(raw).resolution
    if resolution.ambiguous:
        listed = ", ".join(describe(p) for p in resolution.candidates)
        return ParsedItem(None, [problem("ambiguous_owner", line, name=raw, candidates=listed)])
    return ParsedItem(
        None,
        [problem("unknown_owner", line, name=written, suggest=people.suggestion(raw, line))],
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
