"""Turn what people and calendar clients call a time zone into an IANA zone name.

Calendar clients and people name zones in many ways: IANA names (``Asia/Shanghai``), Windows names
written by Outlook and Exchange (``China Standard Time``), vendor-prefixed "globally unique" TZIDs
(``/mozilla.org/20050126_1/Europe/Paris``), offsets (``UTC+8``, ``GMT+08:00``) and words
(``北京时间``). :func:`zone_name` maps all of them to one IANA name, or None when it cannot.
"""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from datetime import UTC, datetime, timedelta, tzinfo
from functools import cache

from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

# Words people write for a zone that are neither IANA nor Windows names.
_WORDS = {
    "北京时间": "Asia/Shanghai",
    "beijing time": "Asia/Shanghai",
    "中国时间": "Asia/Shanghai",
    "china time": "Asia/Shanghai",
    "utc": "UTC",
    "gmt": "UTC",
    "z": "UTC",
    "zulu": "UTC",
}
_OFFSET = re.compile(r"^(?:utc|gmt)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$")


@cache
def _iana_by_folded_name() -> dict[str, str]:
    """Every IANA zone on this system, keyed by its casefolded name (the scan is done once)."""
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


@cache
def _windows_by_folded_name() -> dict[str, str]:
    return {name.casefold(): iana for name, iana in WINDOWS_TO_OLSON.items()}


def zone_name(text: str | None) -> str | None:
    """The IANA name that ``text`` means, or None. Never guesses from an unknown word."""
    if not text:
        return None
    word = " ".join(unicodedata.normalize("NFKC", text).strip().strip('"').split())
    folded = word.casefold()
    if not folded:
        return None
    iana = _iana_by_folded_name()
    if folded in iana:
        return "UTC" if folded in {"etc/utc", "utc", "zulu", "etc/zulu"} else iana[folded]
    if folded in _windows_by_folded_name():
        return _windows_by_folded_name()[folded]
    if folded in _WORDS:
        return _WORDS[folded]
    offset = _OFFSET.match(folded)
    if offset:
        return fixed_offset_zone(offset.group(1), int(offset.group(2)), int(offset.group(3) or 0))
    if "/" in folded:
        # A "globally unique" TZID (RFC 5545 3.2.19) ends with the IANA name after a vendor prefix.
        parts = [p for p in folded.split("/") if p]
        for size in (3, 2, 1):
            tail = "/".join(parts[-size:])
            if len(parts) >= size and tail in iana:
                return iana[tail]
    return None


def fixed_offset_zone(sign: str, hours: int, minutes: int = 0) -> str | None:
    """The ``Etc/GMT±N`` zone for a whole-hour offset (POSIX signs: UTC+8 is Etc/GMT-8)."""
    if minutes or hours > 14:
        return None
    if hours == 0:
        return "UTC"
    return f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"


def zone(name: str) -> zoneinfo.ZoneInfo:
    """The ZoneInfo for an IANA name that :func:`zone_name` returned (or UTC if it vanished)."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


@cache
def _candidates() -> tuple[str, ...]:
    """IANA zones to try for a VTIMEZONE of unknown name: each Windows zone's primary zone
    first (the one Outlook means), then every other zone, legacy aliases last."""
    primary = list(dict.fromkeys(WINDOWS_TO_OLSON.values()))
    others = sorted(
        name
        for name in zoneinfo.available_timezones()
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/"))
    )
    return tuple(dict.fromkeys([*primary, *others]))


def _offsets(tz: tzinfo, instants: list[datetime]) -> list[timedelta | None]:
    return [instant.astimezone(tz).utcoffset() for instant in instants]


def _samples(tz: tzinfo, around: datetime) -> list[datetime]:
    """UTC instants over two years from ``around``'s: five a month, and every hour of the days
    around each change of ``tz``'s offset, so zones that change on other days or at another
    hour are told apart. Instants, not wall times: a wall time in the hour a clock goes back
    happens twice."""
    coarse = [
        datetime(year, month, day, 12, tzinfo=UTC)
        for year in (around.year, around.year + 1)
        for month in range(1, 13)
        for day in (1, 8, 15, 22, 28)
    ]
    offsets = _offsets(tz, coarse)
    found = list(coarse)
    for index in range(1, len(coarse)):
        if offsets[index] != offsets[index - 1]:
            before = coarse[index - 1]
            hours = int((coarse[index] - before).total_seconds() // 3600)
            found.extend(before + timedelta(hours=h) for h in range(1, hours))
    return found


def matching_zone(tz: tzinfo, around: datetime) -> str | None:
    """The IANA zone whose offsets equal ``tz``'s (a VTIMEZONE of a name nobody knows, such as
    ``GMT -0500 (Standard) / GMT -0400 (Daylight)``) at every sampled instant of the two years
    from ``around``'s, preferring the zone Outlook means for its Windows names; None if none."""
    samples = _samples(tz, around)
    wanted = _offsets(tz, samples)
    if any(offset is None for offset in wanted):
        return None
    return _match(tuple(samples), tuple(w for w in wanted if w is not None))


@cache
def _match(samples: tuple[datetime, ...], wanted: tuple[timedelta, ...]) -> str | None:
    for name in _candidates():
        try:
            candidate = zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
        if all(
            at.astimezone(candidate).utcoffset() == offset
            for at, offset in zip(samples, wanted, strict=True)
        ):
            return name
    return None
