"""Find the join link of an online meeting where calendar clients and people put it.

Pure. Teams, Google Meet, Zoom, Webex, 腾讯会议 (Tencent Meeting / VooV), 飞书 (Lark) and 钉钉
(DingTalk) links are recognised in any text — LOCATION, URL, the vendors' own properties
(``X-MICROSOFT-ONLINEMEETINGCONFLINK``, ``X-GOOGLE-CONFERENCE``), RFC 7986 CONFERENCE, or the
description, where Outlook and Google write "Join Microsoft Teams Meeting <https://…>". The
first meeting link wins; a plain web link counts only where a link is expected (URL,
CONFERENCE, a LOCATION that is only a link).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_PROVIDERS = re.compile(
    r"https?://(?:"
    r"teams\.microsoft\.com/l/meetup-join/\S+|teams\.live\.com/meet/\S+"
    r"|meet\.google\.com/[a-z]{3}-[a-z]{4}-[a-z]{3}\S*"
    r"|(?:[\w-]+\.)?zoom\.(?:us|com\.cn)/(?:j|w|my|s)/\S+|(?:[\w-]+\.)?zoomgov\.com/j/\S+"
    r"|(?:[\w-]+\.)?webex\.com/(?:meet|join|[\w.-]+/j\.php|wbxmjs)\S*"
    r"|meeting\.tencent\.com/(?:dm|p|s|l)/\S+|voovmeeting\.com/(?:dm|p|s)/\S+"
    r"|vc\.feishu\.cn/j/\S+|(?:[\w-]+\.)?larksuite\.com/(?:j|meeting)/\S+"
    r"|meeting\.dingtalk\.com/(?:j|app)/\S+|(?:[\w-]+\.)?gotomeeting\.com/join/\S+"
    r")",
    re.IGNORECASE,
)
_ANY_LINK = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}>'\"，。；"


def meeting_link(text: str | None) -> str | None:
    """The first online-meeting link of a known provider in ``text``, or None."""
    if not text:
        return None
    found = _PROVIDERS.search(text)
    return found.group().rstrip(_TRAILING) if found else None


def join_link(expected: Iterable[str | None], described: Iterable[str | None]) -> str | None:
    """The join link: a provider's link from ``expected`` (URL, CONFERENCE, vendor properties,
    LOCATION) or from ``described`` (the description), else a bare link from ``expected``."""
    given = [value for value in expected if value]
    for value in (*given, *described):
        found = meeting_link(value)
        if found:
            return found
    for value in given:
        bare = _ANY_LINK.fullmatch(value.strip())
        if bare:
            return bare.group()
    return None


_PLATFORMS = re.compile(
    r"^(?:microsoft\s+teams|teams|zoom|google\s+meet|hangouts\s+meet|webex|cisco\s+webex"
    r"|腾讯会议|tencent\s+meeting|voov(?:\s+meeting)?|飞书|lark|钉钉|dingtalk|skype(?:\s+for\s+business)?)"
    r"[\s-]*(?:meeting|会议|视频会议|besprechung|réunion|reunión|riunione|call)?$",
    re.IGNORECASE,
)


def platform_only(location: str | None) -> bool:
    """Whether a LOCATION names only the online platform ("Microsoft Teams Meeting",
    "Microsoft Teams 会议", "腾讯会议"): no place to go, the join link says it all."""
    if not location:
        return False
    words = " ".join(location.split())
    if words.lower().startswith(("réunion ", "reunión ", "riunione ")):
        words = words.split(" ", 1)[1]
    return bool(_PLATFORMS.match(words.strip(" ;,")))
