"""Read a collaboration request (协作需求单) from the text of a ``REQUEST:`` / ``协作需求：`` mail.

Pure: the subject, the new text of the mail, the sender's address, ``now`` (aware, in the
sender's zone), the directory and the business calendar in; a :class:`CollabRequest` out.

Fields are one per line, ``label: value`` with an ASCII or full-width colon, in zh_CN, zh_TW or
English, or the rows of a two-column table (label | value) as Word/Outlook HTML tables, 飞书
markdown tables (``| 需求内容 | … |``) and tab-separated pastes arrive. Labels are compared after
NFKC, casefolding and Traditional → Simplified, so ``緊急程度`` is ``紧急程度``:

- content: 需求内容, 内容, 协作内容, 需求描述, 协作事项 / Content, Request, Details;
- requester: 发起部门, 需求部门, 申请部门, 需求方 / Requesting department, From;
- receiver: 接收部门, 协作部门, 配合部门, 承接部门, 接收人, 协作人, 对接人 / To department, To,
  Assignee;
- urgency: 紧急程度, 紧急度, 优先级 / Urgency, Priority;
- due: 期望完成时间, 期望时间, 期望日期, 截止时间, 完成时间 / Expected by, Due, Deadline;
- project: 项目, 所属项目, 項目, 專案 / Project.

Decision where usage differs: 需求部门 is the department that *has* the need (the requester), as
the guides' forms use it; the receiving side is 接收/协作/配合/承接部门.

The subject gives the title and, when no content line is written, the content. The receiver is
a department (its head receives the request: ``财务``, ``Finance``, ``研发部``) or a person
(an address, ``@alias`` or a name). Urgency 紧急/急/加急/高 → urgent, 一般/普通/中 → normal
(also when not written), 低/不急 → low. The requester's department comes from the directory
when not written.

What cannot be used is reported as a :class:`~mailflow.domain.meeting_draft.Problem` with how
to fix it. ``problems`` block the request (no content, no or an unknown receiver): nothing is
created. ``skipped`` are fields that were written but could not be read (an unknown urgency, a
date that is not one): the request is created without them and the receipt says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from mailflow.config.schema import Person
from mailflow.domain.business_calendar import BusinessCalendar
from mailflow.domain.directory import Directory, normalise
from mailflow.domain.due_dates import parse_due
from mailflow.domain.meeting_draft import Problem, department_members
from mailflow.text_forms import simplified

Urgency = Literal["urgent", "normal", "low"]
Field = Literal["content", "requester", "receiver", "urgency", "due", "project"]

_LABELS: dict[Field, tuple[str, ...]] = {
    "content": (
        *("需求内容", "内容", "协作内容", "需求描述", "协作事项", "事项", "需求事项", "具体需求"),
        *("content", "request", "details", "description", "what", "task", "request details"),
    ),
    "requester": (
        *("发起部门", "需求部门", "申请部门", "需求方", "发起方", "提出部门", "需求提出部门"),
        *("requesting department", "requester department", "from department", "from dept"),
        *("from", "requested by department"),
    ),
    "receiver": (
        *("接收部门", "协作部门", "配合部门", "承接部门", "接收方", "协作方", "被需求部门"),
        *("接收人", "协作人", "对接人", "指派给", "协作对象", "需协作部门"),
        *("to department", "to dept", "receiving department", "to", "assignee", "to person"),
        *("for department",),
    ),
    "urgency": ("紧急程度", "紧急度", "优先级", "紧急性", "urgency", "priority"),
    "due": (
        *("期望完成时间", "期望时间", "期望日期", "期望完成日期", "截止时间", "截止日期"),
        *("完成时间", "要求完成时间", "需求时间", "期限"),
        *("expected by", "expected", "expected date", "due", "due date", "deadline", "by"),
    ),
    "project": ("项目", "所属项目", "项目名称", "专案", "project"),
}
_FIELD_OF_LABEL = {normalise(label): name for name, labels in _LABELS.items() for label in labels}
_URGENCY_WORDS: dict[str, Urgency] = {
    **dict.fromkeys(("紧急", "急", "加急", "特急", "非常紧急", "高", "urgent", "high"), "urgent"),
    **dict.fromkeys(("asap", "critical", "p0", "p1"), "urgent"),
    **dict.fromkeys(("一般", "普通", "中", "正常", "normal", "medium", "p2"), "normal"),
    **dict.fromkeys(("低", "不急", "较低", "low", "p3"), "low"),
}
_SUBJECT = re.compile(
    r"^\s*(?:\[[^\]]*\]\s*)*(?:request|collaboration request|协作需求单?|协作请求)\s*[:：]\s*"
    r"(?P<title>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_REPLY_PREFIX = re.compile(r"^\s*(?:re|fw|fwd|aw|wg|sv|vs|回复|答复|转发|回覆|轉寄)\s*[:：]", re.I)
_FIELD_LINE = re.compile(
    r"^\s*[-*•]?\s*\**(?P<key>[^:：\n|｜\t]{1,24}?)\**\s*[:：]\s*(?P<value>.*)$"
)
_RULE_ROW = re.compile(r"^[\s|｜:：\-—=+]*$")
_MAX_CONTENT = 4000
URGENCY_HINT = "紧急 / 一般 / 低 (urgent / normal / low)"
DUE_HINT = "e.g. 2026-12-10, 12月10日前, 下周五, by Friday"
RECEIVER_HINT = "接收部门：财务部 / To department: Finance, or a person: 接收人：@alias"


@dataclass(frozen=True)
class RequestFields:
    """The labelled values of a request as written (None: not written)."""

    values: dict[str, str]
    free: tuple[str, ...]
    repeated: tuple[str, ...] = ()

    def get(self, name: Field) -> str | None:
        value = self.values.get(name, "").strip()
        return value or None


@dataclass
class CollabRequest:
    """A request as understood; ``ok`` when it may become an item."""

    title: str
    content: str | None = None
    receiver: Person | None = None
    receiving_department: str | None = None
    requester_department: str | None = None
    urgency: Urgency = "normal"
    due: date | None = None
    due_raw: str | None = None
    project: str | None = None
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.content) and self.receiver is not None and not self.problems


def request_title(subject: str) -> str | None:
    """The title when ``subject`` asks for a collaboration request, else None.

    A reply or forward (``Re:``, ``转发：``) is not a new request: it answers or carries
    someone else's mail, which must never act as a new instruction.
    """
    if _REPLY_PREFIX.match(subject):
        return None
    # simplified() keeps every position, so 協作需求 matches and the title stays as written.
    match = _SUBJECT.match(simplified(subject))
    return None if match is None else " ".join(subject[match.start("title") :].split())


def _cells(line: str) -> list[str] | None:
    """The cells of a table row (``a | b``, ``| a | b |``, ``a<TAB>b``), or None."""
    stripped = line.strip()
    if "\t" in stripped:
        parts = stripped.split("\t")
    elif "|" in stripped or "｜" in stripped:
        parts = re.split(r"[|｜]", stripped.strip("|｜"))
    else:
        return None
    cells = [cell.strip().strip("*").strip() for cell in parts]
    return [cell for cell in cells if cell] or None


def _label(text: str) -> Field | None:
    return _FIELD_OF_LABEL.get(normalise(text.strip().strip("*").rstrip(":：").strip()))


def read_request_fields(text: str) -> RequestFields:
    """The labelled fields of ``text`` (lines or two-column table rows) and the other lines.

    A content field also takes the lines that follow it up to a blank line or the next field,
    because people describe a need in a few lines. A field given twice keeps its first value.
    """
    values: dict[str, str] = {}
    free: list[str] = []
    repeated: list[str] = []
    current: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            current = None
            continue
        found: tuple[Field, str] | None = None
        cells = _cells(line)
        if cells is not None:
            if _RULE_ROW.match(line):
                continue  # a markdown table's |---|---| line
            name = _label(cells[0]) if len(cells) >= 2 else None
            if name is not None:
                found = (name, " ".join(cells[1:]))
        if found is None and (match := _FIELD_LINE.match(line)) is not None:
            name = _label(match["key"])
            if name is not None:
                found = (name, match["value"].strip())
        if found is None:
            if current is not None and not _cells(line):
                values[current] = f"{values[current]}\n{line}".strip()
            else:
                free.append(line)
            continue
        name, value = found
        if name in values:
            repeated.append(name)
            current = None
            continue
        values[name] = value
        current = name if name == "content" else None
    return RequestFields(values, tuple(free), tuple(repeated))


def parse_request(
    subject: str,
    text: str,
    *,
    sender: str,
    directory: Directory,
    now: datetime,
    calendar: BusinessCalendar,
) -> CollabRequest:
    """Read a request mail's ``subject`` and new ``text`` (see the module docstring)."""
    title = request_title(subject) or ""
    fields = read_request_fields(text)
    request = CollabRequest(title=title)
    request.skipped.extend(
        Problem(name, "given twice: the first one is used") for name in fields.repeated
    )
    content = fields.get("content") or title
    if not content:
        hint = "需求内容：<what you need> / Content: <what you need>, or REQUEST: <what> as subject"
        request.problems.append(
            Problem("content", "the request says nothing about what is needed", hint)
        )
    request.content = content[:_MAX_CONTENT] if content else None
    request.title = (title or (content.splitlines()[0] if content else ""))[:200]
    _receiver(request, fields.get("receiver"), directory)
    asker = directory.by_email(sender)
    written = fields.get("requester")
    request.requester_department = _department(written, directory) or (
        asker.department if asker else None
    )
    _urgency(request, fields.get("urgency"))
    _due(request, fields.get("due"), now, calendar)
    if (project := fields.get("project")) is not None:
        request.project = " ".join(project.split())[:200]
    return request


def _department(written: str | None, directory: Directory) -> str | None:
    """The directory's name of the department ``written`` names (as written when unknown)."""
    if not written:
        return None
    found = directory.resolve(written)
    if found.found and found.via == "department" and found.person and found.person.department:
        return found.person.department
    members = department_members(written, directory)
    if members and members[0].department:
        return members[0].department
    return " ".join(written.split())[:200]


def _receiver(request: CollabRequest, written: str | None, directory: Directory) -> None:
    """The person who receives the request: a department's head, or the person named."""
    if not written:
        request.problems.append(
            Problem("receiver", "no receiving department or person", RECEIVER_HINT)
        )
        return
    token = " ".join(written.split())
    found = directory.resolve(token)
    if found.found and found.person is not None:
        request.receiver = found.person
        request.receiving_department = found.person.department
        return
    members = department_members(token.removeprefix("@"), directory)
    if members:
        name = members[0].department or token
        request.problems.append(
            Problem(
                "receiver",
                f"{name} has no head in the people directory to receive the request",
                "name the person: 接收人：<name> / To: <address>",
            )
        )
        return
    if found.ambiguous:
        names = ", ".join(f"{p.name} <{p.email}>" for p in found.candidates[:5])
        request.problems.append(
            Problem(
                "receiver", f"{written!r} could be several people: {names}", "write the address"
            )
        )
        return
    departments = sorted({p.department for p in directory if p.department})
    hint = "known departments: " + ", ".join(departments) if departments else RECEIVER_HINT
    request.problems.append(
        Problem("receiver", f"no department or person called {written!r} in the directory", hint)
    )


def urgency_of(written: str) -> Urgency | None:
    """``紧急`` → urgent, ``一般`` → normal, ``低`` → low (and the English words); else None."""
    word = normalise(written).strip(" .。!！")
    word = re.sub(r"^(?:优先级|priority)\s*", "", word)
    return _URGENCY_WORDS.get(word)


def _urgency(request: CollabRequest, written: str | None) -> None:
    if written is None:
        return
    found = urgency_of(written)
    if found is None:
        request.skipped.append(
            Problem("urgency", f"cannot read {written!r}: normal is used", URGENCY_HINT)
        )
        return
    request.urgency = found


def _due(
    request: CollabRequest, written: str | None, now: datetime, calendar: BusinessCalendar
) -> None:
    if written is None:
        return
    due = parse_due(written, now=now, calendar=calendar)
    if due is None:
        request.skipped.append(
            Problem("due", f"cannot read {written!r} as a date: no expected date set", DUE_HINT)
        )
        return
    if due.day < now.date():
        request.skipped.append(
            Problem("due", f"{due.day.isoformat()} is in the past: no expected date set", DUE_HINT)
        )
        return
    request.due, request.due_raw = due.day, due.raw


def request_json(request: CollabRequest) -> dict[str, Any]:
    """A request as ``mailflow inspect`` shows it: what was understood and what was not."""
    return {
        "ok": request.ok,
        "title": request.title,
        "content": request.content,
        "receiver": request.receiver.email if request.receiver else None,
        "receiving_department": request.receiving_department,
        "requester_department": request.requester_department,
        "urgency": request.urgency,
        "due": request.due.isoformat() if request.due else None,
        "project": request.project,
        "problems": [str(p) for p in request.problems],
        "skipped": [str(p) for p in request.skipped],
    }
