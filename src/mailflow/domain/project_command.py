"""The coordinator's project commands by mail: ``CLOSE PROJECT <name>`` / ``项目结束：<name>`` /
``專案結束：<name>``. Pure.

The command is the subject (no Re:/Fwd: prefix: a reply is read by the reply handlers); the
project's name follows it, after an optional colon, or stands alone on the first line of the
body when the subject has only the command. Simplified and Traditional spellings, and the verb
first or last (结束项目 / 项目结束), all count.
"""

from __future__ import annotations

import re

_CLOSE = re.compile(
    r"^\s*(?:\[[^\]]*\]\s*)*(?:close\s+(?:the\s+)?project|end\s+project"
    r"|(?:项目|項目|专案|專案)\s*(?:结束|結束|关闭|關閉|完结|完結)"
    r"|(?:结束|結束|关闭|關閉)\s*(?:项目|項目|专案|專案))"
    r"(?:\s*[:：]\s*|\s+|$)(?P<name>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_QUOTES = "\"'“”‘’「」『』《》【】"


def close_command(subject: str) -> str | None:
    """The name the subject closes ('' when it names none), or None when it is no such command."""
    match = _CLOSE.match(subject)
    if match is None:
        return None
    return clean_name(match.group("name"))


def clean_name(text: str) -> str:
    """A project's name as written: one line, outer quotes and spaces dropped."""
    return " ".join(text.split()).strip(_QUOTES + " ").strip()


def name_from_body(text: str) -> str:
    """The first non-empty line of the new text, when the subject named no project."""
    for line in text.splitlines():
        if line.strip():
            return clean_name(line)[:200]
    return ""
