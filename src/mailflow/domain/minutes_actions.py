"""Read one ACTION or DISPUTE line into an :class:`ActionSpec`: owner, task, deliverable, due.

Pure. The body of the line (after the keyword) is read as follows:

1. It is cut into *parts* at ``;`` ``；`` ``|`` and at dashes with spaces around them (`` — ``,
   `` - ``, ``——``), so ``Prepare the budget — @bob — by Friday`` has three parts.
2. Labelled fields are taken out wherever they stand: ``deliverable:`` / ``交付物：`` / ``产出：``,
   ``due:`` / ``deadline:`` / ``截止：`` / ``期限：``, ``owner:`` / ``负责人：`` / ``责任人：``.
   Chinese labels need no space before them (``准备预算交付物：预算表``).
3. The owner is the owner label if there is one; else the names the first part starts with
   (``@bob``, ``bob@example.com``, ``张伟``, ``Bob Smith``, ``财务部`` meaning its head); else a
   later part that is only a name (``— @bob —``); else an ``@mention`` or address anywhere
   (``Book the venue @emma by 3/12``). Two names in one run, or two different owners found in
   different places, are refused (one owner per item).
4. The due date is the due label if there is one; else a part that is only a date
   (``— by Friday``); else a date phrase ending a part (``… by Friday``, ``… due 3/8``,
   ``准备预算 3月8日前``) or a Chinese ``…前/内`` deadline before the verb (``在3月15日前完成``),
   see :mod:`mailflow.domain.item_dues`; all read by :func:`mailflow.domain.due_dates.parse_due`
   against the meeting's start. A phrase meant as a date that cannot be read (``3月32日前``,
   ``by Fridya``) is a problem rather than part of the task.
5. What is left is the task; a leading ``to`` / ``will`` / ``负责`` after the owner is dropped.

Any problem refuses the whole line (no item is created without its owner or with half a due
date); a DISPUTE may have no owner at all, but a name it gives must resolve.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from mailflow.domain.business_calendar import BusinessCalendar
from mailflow.domain.due_dates import Due, fold, parse_due
from mailflow.domain.item_dues import due_in, trailing_due
from mailflow.domain.minutes import ActionSpec, Problem
from mailflow.domain.owners import Named, People, describe
from mailflow.domain.problem_messages import is_chinese, problem

_PARTS = re.compile(r"\s*[;；|]\s*|\s+[—–-]{1,2}\s+|\s*——\s*")
_LABEL = re.compile(
    r"(?:(?<![\w])(?P<en>deliverables?|output|due(?:\s+date)?|deadline|owner|assignee)\s*[:：]"
    r"|(?P<zh>交付物|交付成果|产出物?|截止(?:日期|时间)?|截至|期限|负责人|责任人|牵头人?)\s*[:：]?)",
    re.IGNORECASE,
)
_FIELD = {"deliverable": "deliverable", "deliverables": "deliverable", "output": "deliverable"}
_FIELD |= dict.fromkeys(("交付物", "交付成果", "产出", "产出物"), "deliverable")
_FIELD |= dict.fromkeys(("due", "due date", "deadline", "截止", "截止日期", "截止时间"), "due")
_FIELD |= dict.fromkeys(("截至", "期限"), "due")
_FIELD |= dict.fromkeys(("owner", "assignee", "负责人", "责任人", "牵头", "牵头人"), "owner")
_TASK_LEAD = re.compile(r"^(?:[:：,，\-—]\s*)*(?:(?:to|will)\s+(?=\w)|负责\s*)?", re.IGNORECASE)


@dataclass
class _Fields:
    parts: list[str] = field(default_factory=list)
    labelled: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class ParsedItem:
    """What one line gave: the item, or the problems that refused it, and notes for the scribe."""

    spec: ActionSpec | None
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def parse_item(
    body: str,
    line: str,
    *,
    kind: str,
    people: People,
    meeting_start: datetime,
    calendar: BusinessCalendar,
) -> ParsedItem:
    """The ACTION (``kind="action"``) or DISPUTE (``kind="dispute"``) in ``body``."""
    fields = _split(body)
    owners, parts, issue = _owner(fields, people, line, required=kind == "action")
    if issue is not None:
        return ParsedItem(None, [issue])
    found: list[Due] = []
    problems: list[Problem] = []
    for text in fields.labelled.get("due", []):
        labelled = parse_due(text, now=meeting_start, calendar=calendar)
        if labelled is None:
            problems.append(problem("bad_due", line, raw=text))
        else:
            found.append(labelled)
    task_parts: list[str] = []
    for index, part in enumerate(parts):
        if index and not fields.labelled.get("due"):
            whole = parse_due(part, now=meeting_start, calendar=calendar)
            if whole is not None:
                found.append(whole)
                continue
        rest, unreadable = due_in(part, found, meeting_start, calendar)
        if unreadable is not None:
            problems.append(problem("bad_due", line, raw=unreadable))
        task_parts.append(rest)
    deliverables = fields.labelled.get("deliverable", [])
    if deliverables and not found:
        deliverables[-1] = trailing_due(deliverables[-1], found, meeting_start, calendar)
    task = _TASK_LEAD.sub("", "; ".join(p for p in task_parts if p)).strip(" .。,，;；")
    if len({(d.day, d.time) for d in found}) > 1:
        problems.append(problem("two_dues", line, raws=", ".join(d.raw for d in found)))
    due = found[0] if found else None
    if due is not None and due.day < meeting_start.date():
        problems.append(
            problem(
                "due_before_meeting",
                line,
                day=due.day.isoformat(),
                meeting=str(meeting_start.date()),
            )
        )
    if not task:
        problems.append(problem("no_task", line))
    if problems:
        return ParsedItem(None, problems[:1])
    owner = owners[0] if owners else None
    person = owner.person if owner else None
    spec = ActionSpec(
        owner=person.email if person else None,
        owner_raw=owner.raw if owner else "",
        task=task,
        deliverable="; ".join(d for d in deliverables if d) or None,
        due=due.day if due else None,
        due_time=due.time if due else None,
        due_raw=due.raw if due else None,
        department=person.department if person else None,
        kind=kind,
    )
    return ParsedItem(spec, [], _due_notes(due, task, line, calendar))


def _split(body: str) -> _Fields:
    fields = _Fields()
    for part in _PARTS.split(body):
        labels = list(_LABEL.finditer(part))
        head = part[: labels[0].start()] if labels else part
        if head.strip():
            fields.parts.append(head.strip())
        for label, following in zip(labels, [*labels[1:], None][: len(labels)], strict=True):
            name = fold(label["en"] or label["zh"])
            value = part[label.end() : following.start() if following else len(part)].strip()
            fields.labelled.setdefault(_FIELD[name], []).append(value.strip(" ,，"))
    return fields


def _owner(
    fields: _Fields, people: People, line: str, *, required: bool
) -> tuple[list[Named], list[str], Problem | None]:
    """The owner run, the parts without it, or the problem with the owner."""
    parts = list(fields.parts)
    runs: list[list[Named]] = []
    for value in fields.labelled.get("owner", []):
        names, rest = people.run(value)
        if rest or not names:
            return (
                [],
                parts,
                problem("unknown_owner", line, name=value, suggest=people.suggestion(value, line)),
            )
        runs.append(names)
    if not runs and parts:
        names, rest = people.run(parts[0])
        if names:
            runs.append(names)
            parts[0] = rest
        for index in range(1, len(parts)):
            names, rest = people.run(parts[index])
            if names and not rest:
                runs.append(names)
                parts[index] = ""
        # "Book the venue @emma by 3/12": a mention elsewhere names the owner only when nothing
        # else did; after an owner, "with @alice" is part of the task.
        for index, part in enumerate(parts if not runs else []):
            names, rest = people.mentions(part)
            if names:
                runs.append(names)
                parts[index] = rest
    named = [n for run in runs for n in run]
    unknown = next((n for n in named if n.resolution.status == "unknown"), None)
    if unknown is not None:
        hint = people.suggestion(unknown.raw, line)
        return [], parts, problem("unknown_owner", line, name=unknown.raw, suggest=hint)
    vague = next((n for n in named if n.resolution.ambiguous), None)
    if vague is not None:
        listed = ", ".join(describe(p) for p in vague.resolution.candidates)
        return [], parts, problem("ambiguous_owner", line, name=vague.raw, candidates=listed)
    emails = {n.person.email for n in named if n.person}
    if len(emails) > 1:
        return [], parts, problem("two_owners", line, names=", ".join(n.raw for n in named))
    if not named:
        word = people.leading_word(parts[0]) if parts else None
        if word is not None and (required or word.startswith("@") or "@" in word):
            hint = people.suggestion(word, line)
            return [], parts, problem("unknown_owner", line, name=word, suggest=hint)
        if required:
            return [], parts, problem("no_owner", line)
    return named[:1], [p for p in parts if p], None


def _due_notes(due: Due | None, task: str, line: str, calendar: BusinessCalendar) -> list[str]:
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
