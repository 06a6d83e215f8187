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
from functools import cache, lru_cache

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


_Changes = tuple[tuple[datetime, timedelta], ...]


@lru_cache(maxsize=32)
def _changes(tz: tzinfo, year: int) -> _Changes | None:
    """``tz``'s offset changes over the two years from ``year``: (instant, offset from then on),
    the first at 1 January. Found by sampling every 14 days and bisecting each change to the
    minute: a VTIMEZONE's tzinfo walks its rules from 1601 on every call (milliseconds each), so
    it is asked about a hundred times, never a thousand."""
    start = datetime(year, 1, 1, tzinfo=UTC)
    points = [start + timedelta(days=14 * i) for i in range(54)]
    offsets = [point.astimezone(tz).utcoffset() for point in points]
    first = offsets[0]
    if first is None or any(offset is None for offset in offsets):
        return None
    found: list[tuple[datetime, timedelta]] = [(start, first)]
    for index in range(1, len(points)):
        before, after = offsets[index - 1], offsets[index]
        if after is None or before == after:
            continue
        low, high = points[index - 1], points[index]
        while high - low > timedelta(minutes=1):
            middle = low + (high - low) / 2
            if middle.astimezone(tz).utcoffset() == before:
                low = middle
            else:
                high = middle
        found.append((low.replace(second=0, microsecond=0) + timedelta(minutes=1), after))
    return tuple(found)


def _offset_at(changes: _Changes, instant: datetime) -> timedelta:
    offset = changes[0][1]
    for at, after in changes:
        if at > instant:
            break
        offset = after
    return offset


def _samples(changes: _Changes) -> list[datetime]:
    """UTC instants over the two years: five a month, and every hour of the days around each
    change of offset, so zones that change on other days or at another hour are told apart.
    Instants, not wall times: a wall time in the hour a clock goes back happens twice."""
    year = changes[0][0].year
    found = [
        datetime(y, month, day, 12, tzinfo=UTC)
        for y in (year, year + 1)
        for month in range(1, 13)
        for day in (1, 8, 15, 22, 28)
    ]
    for at, _ in changes[1:]:
        base = at.replace(minute=0) - timedelta(days=4)
        found.extend(base + timedelta(hours=h) for h in range(8 * 24))
    return found


def matching_zone(tz: tzinfo, around: datetime) -> str | None:
    """The IANA zone whose offsets equal ``tz``'s (a VTIMEZONE of a name nobody knows, such as
    ``GMT -0500 (Standard) / GMT -0400 (Daylight)``) at every sampled instant of the two years
    from ``around``'s, preferring the zone Outlook means for its Windows names; None if none."""
    changes = _changes(tz, around.year)
    if changes is None:
        return None
    samples = _samples(changes)
    return _match(tuple(samples), tuple(_offset_at(changes, at) for at in samples))


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


def nearest_zone(tz: tzinfo, around: datetime) -> str | None:
    """When no zone matches ``tz`` exactly (a VTIMEZONE with outdated summer-time dates, such as
    the US rules before 2007): the IANA zone with the same offsets that agrees with it on the most
    days of two years (at least four in five), else None. Times then differ only in the weeks
    between the two sets of change dates."""
    changes = _changes(tz, around.year)
    if changes is None:
        return None
    first = changes[0][0] + timedelta(hours=12)
    samples = [first + timedelta(days=day) for day in range(730)]
    return _nearest(tuple(samples), tuple(_offset_at(changes, at) for at in samples))


@cache
def _nearest(samples: tuple[datetime, ...], wanted: tuple[timedelta, ...]) -> str | None:
    kinds = set(wanted)
    # Cheap first cut: a candidate must have exactly these offsets in mid-January and mid-July.
    seasons = [i for i, at in enumerate(samples) if (at.month, at.day) in ((1, 15), (7, 15))]
    best, best_score = None, int(len(samples) * 0.8) - 1
    for name in (*_COMMON, *_candidates()):
        try:
            candidate = zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
        if any(samples[i].astimezone(candidate).utcoffset() != wanted[i] for i in seasons):
            continue
        offsets = [at.astimezone(candidate).utcoffset() for at in samples]
        if set(offsets) != kinds:
            continue
        score = sum(1 for got, want in zip(offsets, wanted, strict=True) if got == want)
        if score > best_score:
            best, best_score = name, score
    return best


# Where several zones tie, the one most people mean.
_COMMON = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Australia/Sydney",
)
