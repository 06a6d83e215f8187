"""The daily report (当日进展 + 明日计划) people write in answer to a project's daily request.

Pure. People write it as labelled lines, in any order, with or without a colon, in Simplified or
Traditional Chinese or English::

    今日进展：完成接口联调          Today: finished the API wiring
    明日计划：联调测试              Tomorrow: integration tests
    进度 60%                        (a progress line is an item command, read elsewhere)

An English label needs its colon ("Today I met Bob" is a sentence). A label may stand on its own
line with the text under it (飞书 and Outlook paste it that way); such text runs until the next
label or a blank line. A line may start with the item's ref
(``MF-0042 今日进展：…``) when the writer reports on several items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mailflow.text_forms import simplified

_TODAY = (
    *("今日进展", "当日进展", "今天进展", "今日完成", "今天完成", "今日工作", "今日", "今天"),
    *("today", "done today", "progress today", "today's progress", "todays progress"),
)
_TOMORROW = (
    *("明日计划", "明天计划", "明日工作", "明日", "明天", "次日计划"),
    *("tomorrow", "plan for tomorrow", "tomorrow's plan", "tomorrows plan"),
)
_ISSUES = ("问题", "困难", "风险", "需协助", "需要协助", "blockers", "blocker", "issues", "help")


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_LABEL = re.compile(
    rf"^\s*(?:[-*•]\s+)?(?:(?P<ref>[A-Z]{{1,8}}-\d+)\s*[:：]?\s*)?[*_【\[]*\s*"
    rf"(?P<label>{_alternation(_TODAY)}|{_alternation(_TOMORROW)}|{_alternation(_ISSUES)})"
    r"\s*[*_】\]]*\s*(?P<colon>[:：]\s*|\s+|$|(?<=[】\]]))[*_]*\s*(?P<text>.*)$",
    re.IGNORECASE,
)


# A line that is an item command ends a report part: "进度 60%", "MF-0042 DONE", "60%".
_COMMAND = re.compile(
    r"^(?:[A-Z]{1,8}-\d+\b|\d{1,3}\s*%|(?:进度|進度|progress)\s*[:：]?\s*\d)", re.IGNORECASE
)
_BULLET = re.compile(r"^(?:[-*•·]|\d{1,2}[.)、])\s*")


@dataclass(frozen=True)
class DailyEntry:
    """What one report says, per item ref (None: the item the writer has), by part."""

    ref: str | None
    today: str = ""
    tomorrow: str = ""
    issues: str = ""

    @property
    def empty(self) -> bool:
        return not (self.today or self.tomorrow or self.issues)


def _part(label: str) -> str:
    folded = simplified(label).lower()
    if folded in (w.lower() for w in _TODAY):
        return "today"
    if folded in (w.lower() for w in _TOMORROW):
        return "tomorrow"
    return "issues"


def daily_entries(text: str) -> list[DailyEntry]:
    """The report's entries in the order their refs first appear; [] when it holds none."""
    return split_daily(text)[0]


def split_daily(text: str) -> tuple[list[DailyEntry], str]:
    """The report's entries, and the rest of ``text`` (the lines that are not the report)."""
    parts: dict[str | None, dict[str, list[str]]] = {}
    current: tuple[str | None, str] | None = None
    rest: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(">"):
            current = None
            rest.append(raw)
            continue
        match = _LABEL.match(simplified(line))
        if match is not None and match["label"].isascii() and match["text"].strip():
            # "Today I met Bob" is a sentence; "Today: met Bob" is the report.
            match = match if match["colon"].strip() else None
        if match is not None and (match["text"].strip() or line.rstrip().endswith((":", "："))):
            ref = match["ref"].upper() if match["ref"] else None
            current = (ref, _part(match["label"]))
            said = line[match.start("text") :].strip()
            if said:
                parts.setdefault(ref, {}).setdefault(current[1], []).append(said)
            else:
                parts.setdefault(ref, {}).setdefault(current[1], [])
        elif current is not None and not _COMMAND.match(line):
            said = _BULLET.sub("", line)
            parts.setdefault(current[0], {}).setdefault(current[1], []).append(said)
        else:
            current = None
            rest.append(raw)
    entries = [
        entry
        for ref, by_part in parts.items()
        if not (
            entry := DailyEntry(
                ref,
                "；".join(by_part.get("today", [])),
                "；".join(by_part.get("tomorrow", [])),
                "；".join(by_part.get("issues", [])),
            )
        ).empty
    ]
    return entries, "\n".join(rest)
