"""Read one action (or dispute) of the minutes into an :class:`ActionSpec`: owner, task, due.

Pure. The same reader serves every way an action is written — an ``ACTION:`` line, a line under
an actions heading, a numbered line, a free sentence, a table row — and differs only in how
formal the place is (``context``, see :func:`~mailflow.domain.minutes_cues.find_cue`):

1. The text is cut into *parts* at ``;`` ``；`` ``|`` and at dashes with spaces around them
   (`` — ``, `` - ``, ``——``), so ``Prepare the budget — @bob — by Friday`` has three parts.
2. Labelled fields are taken out wherever they stand: ``deliverable:`` / ``交付物：`` / ``产出：``,
   ``due:`` / ``deadline:`` / ``截止：`` / ``期限：``, ``owner:`` / ``负责人：`` / ``责任人：``.
   Chinese labels need no space before them (``准备预算交付物：预算表``).
3. The owner is the owner label if there is one; else the person the first part that names one
   gives the task to (:func:`~mailflow.domain.minutes_cues.find_cue`: ``@bob …``, ``张伟：…``,
   ``由市场部负责…``, ``请张伟于…``, ``Bob to …``, ``… (Bob)``); else, in a list of actions, an
   ``@mention`` or address anywhere. When several people are named together (``张伟、李娜``) the
   first owns the item and the scribe is told. A department means its head.
4. The due date is the due label if there is one; else a part that is only a date
   (``— by Friday``); else a date phrase in a part: at its end (``… by Friday``, ``准备预算
   3月8日前``), in brackets (``(due 3/14)``), after ``by`` / ``before`` (``send it by Friday to
   the board``) or, in Chinese, before the verb (``在3月15日前完成``); see
   :mod:`mailflow.domain.item_dues`, all read by :func:`mailflow.domain.due_dates.parse_due`
   against the meeting's start.
5. What is left is the task, cleaned (:func:`clean_task`).

An owner that cannot be resolved (unknown, two people of that name, nobody named) refuses the
line: no item is guessed. A due date that cannot be read, lies before the meeting or comes twice
does not: the item is made (without the date, or with the first) and the problem is kept with it
(``Problem.kept``), so the scribe can complete it. A DISPUTE may have no owner at all, but a
name it gives must resolve.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from mailflow.domain.business_calendar import BusinessCalendar
from mailflow.domain.due_dates import Due, fold, parse_due
from mailflow.domain.item_dues import due_in, trailing_due
from mailflow.domain.minutes import ActionSpec, Problem
from mailflow.domain.minutes_cues import OwnerCue, find_cue
from mailflow.domain.owners import Named, People, describe
from mailflow.domain.problem_messages import is_chinese, problem
from mailflow.text_forms import simplified

_PARTS = re.compile(r"\s*[;；|｜]\s*|\s+[—–-]{1,2}\s+|\s*——\s*")
_LABEL = re.compile(
    r"(?:(?<![\w])(?P<en>deliverables?|output|due(?:\s+date)?|deadline|owner|assignee)\s*[:：]"
    r"|(?P<zh>交付物|交付成果|输出物|产出物?|截止(?:日期|时间)?|截至|完成时间|完成期限|期限|时限)"
    r"\s*[:：]?|(?P<who>负责人|责任人|牵头人)\s*[:：])",
    re.IGNORECASE,
)
_FIELD = {"deliverable": "deliverable", "deliverables": "deliverable", "output": "deliverable"}
_FIELD |= dict.fromkeys(("交付物", "交付成果", "产出", "产出物", "输出物"), "deliverable")
_FIELD |= dict.fromkeys(("due", "due date", "deadline", "截止", "截止日期", "截止时间"), "due")
_FIELD |= dict.fromkeys(("截至", "期限", "完成时间", "完成期限", "时限"), "due")
_FIELD |= dict.fromkeys(("owner", "assignee", "负责人", "责任人", "牵头", "牵头人"), "owner")
_LEAD = re.compile(
    r"^(?:[\s:：,，;；、.。\-—–>→]|(?:to|will|shall|please|pls|plz)\s+(?=\w)"
    r"|(?:负责|牵头|来|于|在(?=\S)|会后|随后|麻烦|将会|将|会后)(?!人))+",
    re.IGNORECASE,
)
_DECIDED = re.compile(
    r"^(?:会议)?(?:议定|决定|同意|要求|明确|确定|决议|强调|指出|认为)(?:[:：，,]\s*|(?=\S))"
)
_TAIL = re.compile(r"(?:[，,]?\s*(?:并|并且)?(?:按时|尽快)?(?:之前|前)?完成|[\s.。,，;；、:：])+$")
_WIDE_PUNCT_SPACE = re.compile(r"\s*([，。；、：！？])\s*")
_EMPTY_BRACKETS = re.compile(r"[(（\[【]\s*[)）\]】]")
_REPORTED = re.compile(
    r"表示|指出|提出|认为|汇报|介绍|提到|建议|会上|会议|经讨论|讨论|同意|决定|要求|强调"
    r"|\b(?:next steps|actions?|follow[- ]ups?|todo|we|agreed|said|noted)\b",
    re.IGNORECASE,
)


@dataclass
class _Fields:
    parts: list[str] = field(default_factory=list)
    labelled: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class ParsedItem:
    """What one line gave: the item, or the problems that refused it, and notes for the scribe.

    ``problems`` with ``kept=True`` came with an item (it lacks its due date, say).
    """

    spec: ActionSpec | None
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    assigned: bool = True  # the owner was given the task plainly, not only reported to act


def parse_item(
    body: str,
    line: str,
    *,
    kind: str,
    people: People,
    meeting_start: datetime,
    calendar: BusinessCalendar,
    context: str = "list",
) -> ParsedItem:
    """The ACTION (``kind="action"``) or DISPUTE (``kind="dispute"``) in ``body``.

    ``context`` is ``list`` for an ``ACTION:`` line or a line under an actions heading, ``item``
    for a numbered line elsewhere and ``text`` for running text (see the module docstring).
    """
    fields = _split(body)
    owned = _owner(
        fields,
        people,
        line,
        required=kind == "action",
        context=context,
        keep_subject=kind == "dispute",
    )
    if isinstance(owned, Problem):
        return ParsedItem(None, [owned])
    owners, parts, assigned = owned
    problems: list[Problem] = []
    found: list[Due] = []
    for text in fields.labelled.get("due", []):
        labelled = parse_due(text, now=meeting_start, calendar=calendar)
        if labelled is None:
            problems.append(problem("due_unreadable", line, raw=text))
        else:
            found.append(labelled)
    task_parts: list[str] = []
    for index, part in enumerate(parts):
        if not fields.labelled.get("due"):
            whole = parse_due(part, now=meeting_start, calendar=calendar) if index else None
            if whole is not None:
                found.append(whole)
                continue
            part = _bracketed_due(part, found, meeting_start, calendar)
        rest, unreadable = due_in(part, found, meeting_start, calendar)
        if not found and not fields.labelled.get("due"):
            rest = _due_after_by(rest, found, meeting_start, calendar)
        if unreadable is not None and not found:
            problems.append(problem("due_unreadable", line, raw=unreadable))
            rest = rest.replace(unreadable, " ", 1)
        task_parts.append(rest)
    deliverables = fields.labelled.get("deliverable", [])
    if deliverables and not found:
        deliverables[-1] = trailing_due(deliverables[-1], found, meeting_start, calendar)
    task = clean_task("; ".join(p for p in task_parts if clean_task(p)))
    if not task:
        return ParsedItem(None, [problem("no_task", line)])
    due = _one_due(found, line, problems)
    if due is not None and due.day < meeting_start.date():
        problems.append(
            problem("due_in_past", line, day=due.day.isoformat(), meeting=str(meeting_start.date()))
        )
        due = None
    owner = owners[0] if owners else None
    if len(owners) > 1:
        names = (
            "、".join(n.raw for n in owners)
            if is_chinese(line)
            else ", ".join(n.raw for n in owners)
        )
        problems.append(problem("co_owners", line, names=names, owner=owner.raw if owner else ""))
    if (
        due is None
        and kind == "action"
        and not any(p.code.startswith("due") for p in problems if p.code)
    ):
        problems.append(problem("no_due", line))
    person = owner.person if owner else None
    spec = ActionSpec(
        owner=person.email if person else None,
        owner_raw=owner.raw if owner else "",
        task=task,
        deliverable="; ".join(clean_task(d) for d in deliverables if clean_task(d)) or None,
        due=due.day if due else None,
        due_time=due.time if due else None,
        due_raw=due.raw if due else None,
        department=person.department if person else None,
        kind=kind,
    )
    return ParsedItem(spec, problems, due_notes(due, task, line, calendar), assigned)


def clean_task(text: str) -> str:
    """The task as it should read in a tracker: no leading cue words ("to", "负责", "会议决定："),
    no trailing "完成" or punctuation, no empty brackets, single spaces."""
    text = " ".join(_EMPTY_BRACKETS.sub(" ", text).split())
    text = _WIDE_PUNCT_SPACE.sub(r"\1", text)
    view = simplified(text)  # the patterns are Simplified; cuts apply to the text as written
    previous = None
    while previous != text:
        previous = text
        for pattern in (_LEAD, _DECIDED):
            match = pattern.match(view)
            if match is not None and match.end():
                text, view = text[match.end() :], view[match.end() :]
        tail = _TAIL.search(view)
        if tail is not None and tail.start() < len(view):
            text, view = text[: tail.start()], view[: tail.start()]
    return text.strip()


def _one_due(found: list[Due], line: str, problems: list[Problem]) -> Due | None:
    distinct = list({(d.day, d.time): d for d in found}.values())
    if len(distinct) > 1:
        raws = ", ".join(d.raw for d in distinct)
        problems.append(problem("due_ambiguous", line, raws=raws, first=distinct[0].raw))
    return distinct[0] if distinct else None


_BRACKETED = re.compile(
    r"[(（\[【]\s*(?:due(?:\s+date)?|deadline|by|截止(?:日期|时间)?|期限|完成时间)?\s*[:：]?\s*"
    r"(?P<when>[^()（）\[\]【】]{1,30}?)\s*[)）\]】]"
)
_DAYTIME = re.compile(r"morning|afternoon|evening|night|noon|am|pm|eod|cob", re.IGNORECASE)
_BY = re.compile(
    r"\b(?:on|by|before|due(?:\s+(?:date|by|on))?|deadline|no\s+later\s+than|not\s+later\s+than"
    r"|until|till|on\s+or\s+before)\s+",
    re.IGNORECASE,
)


def _bracketed_due(
    part: str, found: list[Due], meeting_start: datetime, calendar: BusinessCalendar
) -> str:
    """``part`` without a due date written in brackets ("(due 3/14)", "（周五前）")."""
    for match in _BRACKETED.finditer(part):
        due = parse_due(match.group("when"), now=meeting_start, calendar=calendar)
        if due is not None:
            found.append(due)
            return (part[: match.start()] + " " + part[match.end() :]).strip()
    return part


def _due_after_by(
    part: str, found: list[Due], meeting_start: datetime, calendar: BusinessCalendar
) -> str:
    """``part`` without a "by DATE" inside it ("send the deck by Friday to the board")."""
    for match in _BY.finditer(part):
        words = part[match.end() :].split(" ")
        for size in range(min(len(words), 5), 0, -1):
            phrase = " ".join(words[:size]).rstrip(" ,.;")
            due = parse_due(phrase, now=meeting_start, calendar=calendar) if phrase else None
            if due is not None:
                found.append(due)
                # "on Tuesday morning": the part of the day goes with the day; "before
                # Monday's board call": so does the event it names.
                while size < len(words) and _DAYTIME.fullmatch(words[size].strip(" ,.;")):
                    size += 1
                if phrase.endswith("'s"):
                    while size < len(words) and not words[size - 1].endswith((",", ";", ".")):
                        size += 1
                after = " ".join(words[size:])
                return (part[: match.start()] + " " + after).strip()
    return part


def _split(body: str) -> _Fields:
    fields = _Fields()
    for part in _PARTS.split(body):
        # Labels are matched in Simplified (same positions), so 負責人：/截止時間： count too.
        labels = list(_LABEL.finditer(simplified(part)))
        head = part[: labels[0].start()] if labels else part
        if head.strip():
            fields.parts.append(head.strip())
        for label, following in zip(labels, [*labels[1:], None][: len(labels)], strict=True):
            name = fold(label["en"] or label["zh"] or label["who"])
            value = part[label.end() : following.start() if following else len(part)].strip()
            fields.labelled.setdefault(_FIELD[name], []).append(value.strip(" ,，"))
    return fields


def _owner(
    fields: _Fields,
    people: People,
    line: str,
    *,
    required: bool,
    context: str,
    keep_subject: bool = False,
) -> tuple[list[Named], list[str], bool] | Problem:
    """The owner and the others named with them, the parts without them, and whether the
    owner was plainly assigned; or the problem."""
    parts = list(fields.parts)
    named: list[Named] = []
    assigned = True
    for value in fields.labelled.get("owner", []):
        names, rest = people.run(value)
        if rest or not names:
            return problem(
                "unknown_owner", line, name=value, suggest=people.suggestion(value, line)
            )
        named.extend(names)
    if not named:
        cues = [(i, find_cue(part, people, context=context)) for i, part in enumerate(parts)]
        # A name the directory knows wins over an unknown one found in an earlier part.
        known = [
            (i, c) for i, c in cues if c is not None and c.named.resolution.status != "unknown"
        ]
        unknown = [(i, c) for i, c in cues if c is not None]
        for index, cue in (known or unknown)[:1]:
            named = [cue.named, *cue.others]
            written, parts[index] = parts[index], _without_cue(parts[index], cue)
            if keep_subject:
                parts[index] = _with_subject(written[: cue.start], parts[index])
            assigned = cue.strong
    if context != "text":
        # "Prepare the budget — @bob — @alice": a part that is only names names the owners.
        for index, part in enumerate(parts):
            names, rest = people.run(part)
            if names and not rest:
                named.extend(names)
                parts[index] = ""
    if not named and context == "list":
        # "Book the venue @emma by 3/12": a mention anywhere names the owner.
        for index, part in enumerate(parts):
            names, rest = people.mentions(part)
            if names:
                named = names
                parts[index] = rest
                break
    issue = _unresolved(named, people, line)
    if issue is not None:
        return issue
    if not named and required:
        word = people.leading_word(parts[0]) if parts else None
        if word is not None:
            return problem("unknown_owner", line, name=word, suggest=people.suggestion(word, line))
        return problem("no_owner", line)
    unique: list[Named] = []
    for one in named:
        if one.person is not None and all(u.person != one.person for u in unique):
            unique.append(one)
    return unique, [p for p in parts if p.strip()], assigned


def _unresolved(named: list[Named], people: People, line: str) -> Problem | None:
    first = named[0] if named else None
    if first is None:
        return None
    if first.resolution.status == "unknown":
        return problem(
            "unknown_owner", line, name=first.raw, suggest=people.suggestion(first.raw, line)
        )
    if first.resolution.ambiguous:
        listed = ", ".join(describe(p) for p in first.resolution.candidates)
        return problem("ambiguous_owner", line, name=first.raw, candidates=listed)
    return None


def _without_cue(text: str, cue: OwnerCue) -> str:
    """``text`` without the owner's words, the helpers, and the side that is not the task."""
    cuts = sorted([(cue.start, cue.end), *cue.removed])
    pieces: list[str] = []
    position = 0
    for start, end in cuts:
        if start >= position:
            pieces.append(text[position:start])
            position = end
    before = " ".join(pieces[:1]).strip()
    after = " ".join([*pieces[1:], text[position:]]).strip()
    verb = _VERB_FIRST.match(simplified(after)) if before and cue.keep == "around" else None
    if verb is not None and before[-1:] not in "，,；;。":
        # "展位预订由Grace负责跟进" → "跟进展位预订": the verb goes before what it acts on.
        return f"{after[: verb.end()]}{before} {after[verb.end() :]}".strip()
    separate = before[-1:] in "，,；;。" and not _ABOUT.match(before)
    if cue.keep == "around" and not (separate and _says_more(after)):
        # "竞品分析报告由市场部负责" / "同意采购新服务器，由信息部落实": both sides are the task.
        return f"{before} {after}".strip()
    if not separate and _topic(before):
        # "奖品采购何经理负责，周四前下单": the words before the owner say what the task is about.
        return f"{before} {after}".strip()
    if cue.keep == "tail" and not clean_task(after):
        return before
    return after


def _with_subject(before: str, task: str) -> str:
    """An issue's text keeps what it is about, written before its owner ("供应商交期不稳定，由李娜
    负责协调" is about the supplier), which an action's task drops as a report."""
    subject = before.strip(" ,，;；、")
    if not subject or subject in task:
        return task
    return f"{subject}{'，' if is_chinese(subject) else ', '}{task}" if task else subject


_VERB_FIRST = re.compile(r"(?:跟进|跟踪|追踪|落实|审核|审阅|协助|对接|联系|处理|推进|督办|统筹)")
_ABOUT = re.compile(r"^(?:关于|对于|针对|至于|about|re:|regarding)", re.IGNORECASE)
_DATEISH_ONLY = re.compile(
    r"^[\s，,。]*(?:\S{1,8}(?:前|内)|by\s+\S+)?\s*(?:完成|完毕|done)?[\s。.]*$"
)


def _says_more(after: str) -> bool:
    """Whether the words after an owner say what to do, beyond a date ("，月底前完成")."""
    return bool(clean_task(after)) and _DATEISH_ONLY.match(simplified(after)) is None


def _topic(before: str) -> bool:
    """Whether the words before an owner are the task's subject, not a label or a report."""
    stripped = before.strip()
    if not stripped or stripped[-1:] in ":：" or len(stripped) > 40:
        return False
    return _REPORTED.search(simplified(stripped)) is None


def due_notes(due: Due | None, task: str, line: str, calendar: BusinessCalendar) -> list[str]:
    """What the scribe should know about how the due date of ``task`` was read."""
    if due is None:
        return []
    chinese = is_chinese(line)
    if due.moved_from is not None:
        why = calendar.holiday_name(due.moved_from) or ("非工作日" if chinese else "weekend")
        if chinese:
            return [
                f"{task}：“{due.raw}”是 {due.moved_from.isoformat()}（{why}），"
                f"截止日期提前到前一个工作日 {due.day.isoformat()}"
            ]
        return [
            f"{task}: {due.raw!r} fell on {due.moved_from.isoformat()} ({why}); "
            f"due moved to the business day before, {due.day.isoformat()}"
        ]
    if not due.business_day:
        weekday = (
            ("周" + "一二三四五六日"[due.day.weekday()]) if chinese else due.day.strftime("%A")
        )
        why = calendar.holiday_name(due.day) or weekday
        if chinese:
            return [f"{task}：截止日期 {due.day.isoformat()} 不是工作日（{why}），按原文保留"]
        return [f"{task}: due {due.day.isoformat()} is not a business day ({why}); kept as written"]
    return []
