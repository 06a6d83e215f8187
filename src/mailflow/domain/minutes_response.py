"""An attendee's answer to the official minutes: no objection (无异议) or an objection (有异议).

Pure. The collaboration guides ask that minutes be confirmed by all sides (确认各方无异议); an
attendee answers the official minutes mail with a first line such as "无异议", "确认", "Agreed",
"No objection", or "有异议：第3条的完成时间应为5月" / "OBJECTION: item 2 is Legal's, not ours".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from mailflow.text_forms import simplified

Verdict = Literal["confirm", "object"]

_OBJECT = re.compile(
    r"^(?:有异议|异议|提出异议|我有异议|不同意|反对|object(?:ion)?s?|i object|disagree)"
    r"(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_CONFIRM = re.compile(
    r"^(?:无异议|没有异议|沒有異議|确认无误|确认|同意|无意见|confirm(?:ed)?|agree[d]?|"
    r"no objections?|lgtm|looks good)(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_LEAD = re.compile(r"^[\s:：,，.。!！;；\-—]+")


@dataclass(frozen=True)
class MinutesResponse:
    verdict: Verdict
    text: str  # what the attendee wrote after the keyword (the objection itself)


def minutes_response(text: str) -> MinutesResponse | None:
    """The answer in ``text`` (a reply's new text), or None when it is neither."""
    body = text.strip()
    if not body:
        return None
    first = simplified(body.splitlines()[0].strip())
    rest_lines = "\n".join(body.splitlines()[1:]).strip()
    patterns: tuple[tuple[Verdict, re.Pattern[str]], ...] = (
        ("object", _OBJECT),
        ("confirm", _CONFIRM),
    )
    for verdict, pattern in patterns:
        match = pattern.match(first)
        if match is None:
            continue
        rest = match["rest"]
        # A keyword must be the whole first word: "Confirmed the booking" is not an answer.
        if rest and rest[:1].isalnum() and rest[:1].isascii():
            continue
        said = _LEAD.sub("", body.splitlines()[0].strip()[len(first) - len(rest) :]).strip()
        words = "\n".join(part for part in (said, rest_lines) if part)
        return MinutesResponse(verdict, words)
    return None
