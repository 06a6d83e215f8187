"""Commands in a reply to an action-item mail, English and Chinese: CONFIRM, DONE, 60%, DELAY …

Pure: the new text of the reply (quotes and signature already cut), ``now`` and the directory
in, :class:`ItemCommand` values and :class:`~mailflow.domain.minutes.Problem` errors out. One
command per line; the line may start with a bullet and with the item's ref (``MF-0042 DONE``,
``[MF-0042]: 60%``) when one mail answers for several items.

=========  ====================================  ==================================
verb       English                               Chinese
=========  ====================================  ==================================
confirm    ``CONFIRM`` ``CONFIRMED``             ``确认`` ``已确认``
done       ``DONE`` ``COMPLETED`` ``FINISHED``   ``完成`` ``已完成`` ``完成了``
progress   ``60%`` ``PROGRESS 60%``              ``进度 60%`` ``进度60%`` ``进度：60%``
delay      ``DELAY 2025-03-20 <reason>``         ``延期 3月20日 <原因>`` ``延期到3月20日，<原因>``
                                                 ``延后 …`` ``完成时间：3月20日 <原因>``
decline    ``DECLINE <reason>``                  ``拒绝 <原因>`` ``婉拒 <原因>``
reassign   ``REASSIGN @bob``                     ``转交 @bob`` ``改派 张伟`` ``负责人：张伟``
                                                 ``转派 @bob`` (a request, inside its department)
note       ``NOTE <text>``                       ``备注 <内容>``
accept     ``ACCEPT``                            ``验收通过`` ``通过验收`` ``验收合格``
reject     ``REJECT <what is missing>``          ``验收不通过 <原因>`` ``返工 <原因>``
acceptor   ``ACCEPTOR @carol``                   ``验收人：王芳``
talked     ``TALKED <what was agreed>``          ``已约谈 <内容>`` ``约谈 <内容>``
resolve    ``RESOLVED [note]`` (an issue)        ``已解决 [说明]`` (``已解決``)
escalate   ``ESCALATE <reason>`` (an issue)      ``需升级 <原因>`` (``需升級``)
=========  ====================================  ==================================

Traditional Chinese (``確認``, ``已完成``, ``進度 60%``, ``延期 下週三 廠商延遲``,
``負責人：王小明``, ``完成時間：3月20日 …``, ``備註 …``) is read through
:func:`~mailflow.text_forms.simplified`, which keeps every character's position: keywords
and dates are matched in Simplified, while a reason, a note or a name is kept as written.

Everyday sentences must not become commands, so a keyword counts only at the start of a line and
only when one of these holds:

- nothing follows it, or punctuation does (``Done.``, ``done, thanks``, ``Note: …``, ``完成！``);
- the line starts with a ref (``MF-0042 done with the draft``: the ref shows intent);
- it is written in capitals (``DONE with lunch`` is DONE with the note "with lunch"), or it is
  Chinese and followed by a space (``备注 供应商已回复``);
- its argument follows in the form the command needs: a percentage after PROGRESS, a readable
  date after DELAY, an ``@alias`` or address after REASSIGN.

``args`` per verb: confirm and done ``{note?}``; progress ``{percent, note?}``; delay ``{until}``
(ISO date), ``until_raw``, ``reason``, ``time?`` (HH:MM); decline ``{reason}``; reassign
``{owner}`` (email), ``owner_raw``, ``note?``; note ``{text}``.

So "Done with lunch, will send later", "Note that the room changed", "Delay is likely" and
"完成报告后再发" are free text. A bare percentage is progress only when the line holds nothing
else (``60%``, ``60% done``, ``完成60%`` is free text). Text after CONFIRM, DONE and PROGRESS
becomes the command's ``note``.

Errors (the line looked like a command but cannot be applied): DELAY without a readable date, with a
date already past, or without a reason; DECLINE without a reason (the organiser needs it to
reassign); a percentage over 100; REASSIGN to nobody, to an unknown or ambiguous person or to two
people; NOTE without text; a ref followed by an unknown word. Dates are read like deadlines
(:mod:`mailflow.domain.due_dates`) relative to ``now``, which must be aware.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from mailflow.config.schema import CalendarSettings
from mailflow.domain.business_calendar import BusinessCalendar
from mailflow.domain.directory import Directory
from mailflow.domain.due_dates import leading_due
from mailflow.domain.minutes import Problem
from mailflow.domain.minutes_lines import clean, strip_prefix
from mailflow.domain.owners import People, describe
from mailflow.domain.problem_messages import problem
from mailflow.text_forms import simplified

Verb = Literal[
    "confirm",
    "done",
    "progress",
    "delay",
    "decline",
    "reassign",
    "note",
    "accept",
    "reject",
    "acceptor",
    "talked",
    "resolve",
    "escalate",
]

_WORDS: dict[str, Verb] = {"confirm": "confirm", "confirmed": "confirm", "确认": "confirm"}
_WORDS |= {"已确认": "confirm", "done": "done", "completed": "done", "finished": "done"}
_WORDS |= {"完成": "done", "完成了": "done", "已经完成": "done"}
_WORDS |= {"已完成": "done", "progress": "progress", "进度": "progress", "delay": "delay"}
_WORDS |= {"延期": "delay", "decline": "decline", "拒绝": "decline", "reassign": "reassign"}
_WORDS |= {"转交": "reassign", "改派": "reassign", "note": "note", "备注": "note"}
# A department head passing a collaboration request on inside the department: 转派 / 轉派.
_WORDS |= {"转派": "reassign"}
# Words Taiwan uses for the same commands (as simplified() reads them): 延後 a delay, 婉拒 a
# polite decline, 負責人：<name> a new owner, 完成時間：<date> <reason> a new due date.
_WORDS |= {"延后": "delay", "婉拒": "decline", "负责人": "reassign", "完成时间": "delay"}
# The acceptor's verdict on a deliverable (成果验收): ACCEPT closes the item, REJECT (with what is
# missing) sends it back to its owner as rework.
_WORDS |= {"accept": "accept", "accepted": "accept", "验收通过": "accept", "通过验收": "accept"}
_WORDS |= {"验收合格": "accept", "reject": "reject", "rejected": "reject"}
_WORDS |= {"验收不通过": "reject", "验收不合格": "reject", "退回返工": "reject", "返工": "reject"}
# Who accepts the item's deliverable (the organiser names them): ACCEPTOR @carol / 验收人：王芳.
_WORDS |= {"acceptor": "acceptor", "验收人": "acceptor"}
# The coordinator's record of a talk with the owner of an at-risk item (约谈): TALKED / 已约谈.
_WORDS |= {"talked": "talked", "已约谈": "talked", "约谈": "talked", "已面谈": "talked"}
# An issue from the minutes (问题与风险) is resolved, or escalated to the owner's executive with a
# reason (需升级); see services.issues. RESOLVED on an action item is its DONE.
_WORDS |= {"resolved": "resolve", "resolve": "resolve", "已解决": "resolve"}
_WORDS |= {"escalate": "escalate", "需升级": "escalate", "需要升级": "escalate"}
_EN = "|".join(sorted((w for w in _WORDS if w.isascii()), key=len, reverse=True))
_ZH = "|".join(sorted((w for w in _WORDS if not w.isascii()), key=len, reverse=True))
# An English keyword must end its word ("Noted" is not NOTE); a Chinese one needs no boundary.
_KEYWORD = re.compile(rf"^(?P<word>(?:{_EN})(?![A-Za-z0-9_-])|{_ZH})(?P<rest>.*)$", re.IGNORECASE)
_SEPARATOR = re.compile(r"^\s*[:：,，.。!！;；\-—]+\s*")
_PERCENT = re.compile(r"^(?P<value>\d{1,4})\s*%")
_BARE_PERCENT = re.compile(
    r"^(?P<value>\d{1,4})\s*%\s*(?:done|complete|completed|finished|完成|已完成)?\s*[.。!！]?$",
    re.IGNORECASE,
)
_DELAY_LEAD = re.compile(r"^(?:to|until|till|至|到|为)\s*", re.IGNORECASE)
_REASON_LEAD = re.compile(
    r"^(?:[:：,，.。;；\-—]\s*)*(?:(?:reason|because|原因|理由)\s*[:：]?\s*)?", re.IGNORECASE
)
_REASSIGN_LEAD = re.compile(r"^(?:to|给|至)\s*", re.IGNORECASE)
_ADDRESS = re.compile(r"^(?:to\s+|给\s*)?(?:@|[\w.+-]+@)", re.IGNORECASE)


@dataclass(frozen=True)
class ItemCommand:
    """One command: what to do, to which item (None: the item the mail is about), its values."""

    verb: Verb
    ref: str | None
    args: dict[str, str]
    line: str


@dataclass
class ItemCommands:
    """Every command of a reply in order, and the lines that looked like commands but were not."""

    commands: list[ItemCommand] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)


def parse_item_commands(
    text: str,
    *,
    now: datetime,
    directory: Directory,
    calendar: BusinessCalendar | None = None,
    ref_prefix: str = "MF",
    acceptance: bool = False,
) -> ItemCommands:
    """The commands in ``text`` (see the module docstring); dates are read relative to ``now``.

    Without a ``calendar`` business days are Monday to Friday. English ACCEPT/REJECT without a
    ref count only in an answer to an acceptance request (``acceptance``): elsewhere "Accept" is
    an RSVP.
    """
    reader = _Reader(
        now, People(directory), calendar or BusinessCalendar(CalendarSettings()), acceptance
    )
    ref_re = re.compile(
        rf"^[\[【(]?\s*(?P<ref>{re.escape(ref_prefix)}-\d+)\s*[\]】)]?\s*[:：,，\-—]?\s*", re.I
    )
    found = ItemCommands()
    for raw in text.splitlines():
        line = clean(raw).strip()
        if not line or line.startswith(">"):
            continue
        rest, _ = strip_prefix(line)
        ref_match = ref_re.match(rest)
        ref = ref_match["ref"].upper() if ref_match else None
        rest = rest[ref_match.end() :] if ref_match else rest
        plain = simplified(rest)
        result = reader.read(plain, ref, raw.strip())
        if isinstance(result, ItemCommand):
            found.commands.append(_as_written(result, plain, rest))
        elif result is not None:
            found.errors.append(result)
        elif ref is not None and rest:
            found.errors.append(problem("unknown_command", raw.strip(), word=rest.split()[0]))
    return found


# The arguments that are people's words, kept as they wrote them (Traditional stays Traditional).
_WRITTEN = ("note", "reason", "text", "owner_raw", "until_raw")


def _as_written(command: ItemCommand, plain: str, written: str) -> ItemCommand:
    """``command`` read from ``plain`` (``written`` simplified, the same length), its free-text
    arguments taken back from ``written``."""
    if plain == written:
        return command
    args = dict(command.args)
    for key in _WRITTEN:
        value = args.get(key)
        at = plain.rfind(value) if value else -1
        if value and at >= 0:
            args[key] = written[at : at + len(value)]
    return ItemCommand(command.verb, command.ref, args, command.line)


@dataclass
class _Reader:
    now: datetime
    people: People
    calendar: BusinessCalendar
    acceptance: bool = False

    def read(self, text: str, ref: str | None, line: str) -> ItemCommand | Problem | None:
        """The command ``text`` holds, the error it makes, or None for free text."""
        bare = _BARE_PERCENT.match(text)
        if bare is not None:
            return self._progress(bare["value"], "", ref, line)
        match = _KEYWORD.match(text)
        if match is None:
            return None
        word, rest = match["word"], match["rest"]
        verb = _WORDS[word.casefold()]
        if verb in ("accept", "reject") and word.isascii() and ref is None and not self.acceptance:
            return None  # "Accept" answering a notice is an RSVP
        separator = _SEPARATOR.match(rest)
        argument = rest[separator.end() :] if separator else rest.strip()
        explicit = bool(
            not rest.strip()
            or separator
            or ref is not None
            or (rest[:1].isspace() and (word.isupper() or not word.isascii()))
        )
        if not explicit and not self._argument_fits(verb, argument, spaced=rest[:1].isspace()):
            return None
        return self._build(verb, argument.strip(), ref, line)

    def _argument_fits(self, verb: Verb, argument: str, *, spaced: bool) -> bool:
        """Whether ``argument`` has the form ``verb`` needs, which shows the line is a command."""
        if verb == "progress":
            return _PERCENT.match(argument) is not None
        if verb == "delay":
            lead = _DELAY_LEAD.sub("", argument)
            return leading_due(lead, now=self.now, calendar=self.calendar) is not None
        if verb in ("reassign", "acceptor"):
            return _ADDRESS.match(argument) is not None
        return False

    def _build(
        self, verb: Verb, argument: str, ref: str | None, line: str
    ) -> ItemCommand | Problem:
        if verb == "progress":
            percent = _PERCENT.match(argument)
            if percent is None:
                return problem("bad_progress", line, value=argument or "?")
            note = argument[percent.end() :].strip(" ,，.。;；:：-—")
            return self._progress(percent["value"], note, ref, line)
        if verb == "delay":
            return self._delay(argument, ref, line)
        if verb == "reassign":
            return self._reassign(argument, ref, line)
        if verb == "acceptor":
            named = self._reassign(argument, ref, line)
            if isinstance(named, Problem):
                return named
            return ItemCommand("acceptor", ref, named.args, line)
        if verb in ("decline", "note", "reject", "escalate") and not argument:
            code = {"decline": "decline_no_reason", "reject": "reject_no_reason"}
            code |= {"escalate": "escalate_no_reason"}
            return problem(code.get(verb, "empty_note"), line)
        key = {"decline": "reason", "note": "text", "reject": "reason", "escalate": "reason"}.get(
            verb, "note"
        )
        return ItemCommand(verb, ref, {key: argument} if argument else {}, line)

    def _progress(self, value: str, note: str, ref: str | None, line: str) -> ItemCommand | Problem:
        if int(value) > 100:
            return problem("bad_progress", line, value=f"{value}%")
        args = {"percent": str(int(value))} | ({"note": note} if note else {})
        return ItemCommand("progress", ref, args, line)

    def _delay(self, argument: str, ref: str | None, line: str) -> ItemCommand | Problem:
        read = leading_due(_DELAY_LEAD.sub("", argument), now=self.now, calendar=self.calendar)
        if read is None:
            return problem("delay_no_date", line)
        due, rest = read
        if due.day < self.now.date():
            return problem("delay_in_past", line, day=due.day.isoformat())
        reason = _REASON_LEAD.sub("", rest).strip()
        if not reason:
            return problem("delay_no_reason", line)
        args = {"until": due.day.isoformat(), "until_raw": due.raw, "reason": reason}
        if due.time is not None:
            args["time"] = due.time.strftime("%H:%M")
        return ItemCommand("delay", ref, args, line)

    def _reassign(self, argument: str, ref: str | None, line: str) -> ItemCommand | Problem:
        names, rest = self.people.run(_REASSIGN_LEAD.sub("", argument))
        if not names:
            return problem("no_new_owner", line)
        named = names[0]
        if len(names) > 1:
            return problem("two_owners", line, names=", ".join(n.raw for n in names))
        if named.resolution.ambiguous:
            listed = ", ".join(describe(p) for p in named.resolution.candidates)
            return problem("ambiguous_owner", line, name=named.raw, candidates=listed)
        if named.person is None:
            hint = self.people.suggestion(named.raw, line)
            return problem("unknown_owner", line, name=named.raw, suggest=hint)
        args = {"owner": named.person.email, "owner_raw": named.raw}
        if rest.strip(" ,，.。;；"):
            args["note"] = rest.strip(" ,，.。;；")
        return ItemCommand("reassign", ref, args, line)
