"""Text any database column can take: what every value read from a mail passes before a write.

A hostile or broken mail carries text no database stores: a lone surrogate (a malformed UTF-7
encoded word decodes to one, and UTF-8 cannot encode it), a NUL (PostgreSQL refuses it in text
and in JSON), control characters, or a header of megabytes. Any of them made the apply *and then
the quarantine record* fail, so one mail stopped the inbox. Every value that came from a mail is
made storable here before it is written; the raw bytes stay untouched in the mailbox.
"""

from __future__ import annotations

import re
from typing import Any

_SURROGATES = re.compile("[\ud800-\udfff]")
# C0 controls except TAB, LF, CR; DEL; C1 controls. NUL is among them.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\t\r\n]+")


def storable(value: str, limit: int | None = None, *, one_line: bool = False) -> str:
    """``value`` without surrogates (→ U+FFFD) and control characters, cut to ``limit``
    characters; ``one_line`` also turns tabs and line breaks into spaces (for headers)."""
    text = _SURROGATES.sub("\ufffd", value)
    text = _CONTROLS.sub("", text)
    if one_line:
        text = _LINE_BREAKS.sub(" ", text)
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + "…" if limit > 1 else text[:limit]
    return text


def storable_json(value: Any, *, limit: int = 10_000, depth: int = 0) -> Any:
    """A JSON-able value with every string made :func:`storable` (keys too), bounded in depth."""
    if isinstance(value, str):
        return storable(value, limit)
    if depth > 20:
        return None
    if isinstance(value, dict):
        return {
            storable(str(k), 200): storable_json(v, limit=limit, depth=depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [storable_json(v, limit=limit, depth=depth + 1) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return storable(str(value), limit)
