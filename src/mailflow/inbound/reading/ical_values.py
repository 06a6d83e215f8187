"""Read single iCalendar values the way real clients write them: times, addresses, SEQUENCE.

Helpers of :mod:`mailflow.inbound.understanding.calendar.itip`. Each takes an icalendar property and
a list to which it appends what it had to guess or refuse, so one odd value never loses the whole
message.

Times (:func:`moment`) follow DESIGN.md's "Known traps": a TZID is mapped to an IANA zone
(IANA names, Windows names such as ``Romance Standard Time``, vendor-prefixed names); when the
name is unknown, the embedded VTIMEZONE's offsets give the instant, expressed in a fixed
``Etc/GMT±N`` zone when the VTIMEZONE has one offset all year, else in the IANA zone whose
offsets and summer-time changes it has (:func:`~mailflow.domain.zones.matching_zone`), and only
when none has, in UTC — said loudly, so the organiser hears of it. A TZID'd time is never
read as UTC, and a time without any zone ("floating") or a date (all-day) is read in the caller's
zone, which is noted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from mailflow.domain.zones import (
    fixed_offset_zone,
    matching_zone,
    nearest_zone,
    zone,
    zone_name,
)

MAX_SEQUENCE = 2**31 - 1  # The tracker stores SEQUENCE in a 32-bit integer column.
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Moment:
    """A calendar time: aware, with the IANA zone it is expressed in."""

    at: datetime
    tzid: str
    all_day: bool = False
    floating: bool = False


def moment(prop: Any, *, floating_tz: str, problems: list[str], what: str) -> Moment | None:
    """The time in a DTSTART/DTEND/RECURRENCE-ID/EXDATE value; None (+ a problem) if unreadable."""
    try:
        value = prop.dt
    except (ValueError, AttributeError, TypeError) as exc:
        problems.append(f"{what}: unreadable time ({exc})")
        return None
    if not isinstance(value, date):
        problems.append(f"{what}: not a date or time ({type(value).__name__})")
        return None
    if not isinstance(value, datetime):
        midnight = datetime.combine(value, time(0), zone(floating_tz))
        return Moment(midnight, floating_tz, all_day=True, floating=True)
    params = getattr(prop, "params", {}) or {}
    tzid_param = str(params.get("TZID", "")).strip() or None
    if value.tzinfo is None:
        named = zone_name(tzid_param)
        if named is not None:
            return Moment(value.replace(tzinfo=zone(named)), named)
        if tzid_param is not None:
            problems.append(
                f"{what}: unknown time zone {tzid_param!r} without VTIMEZONE, read in {floating_tz}"
            )
        return Moment(value.replace(tzinfo=zone(floating_tz)), floating_tz, floating=True)
    key = getattr(value.tzinfo, "key", None)
    named = zone_name(key) if isinstance(key, str) else None
    if named is None and value.utcoffset() == timedelta(0) and tzid_param is None:
        named = "UTC"  # a Z time, whatever tzinfo class the library used for it
    if named is not None:
        return Moment(value.replace(tzinfo=zone(named)), named)
    return _embedded(value, tzid_param or str(value.tzinfo), problems, what)


def _embedded(value: datetime, name: str, problems: list[str], what: str) -> Moment:
    """A time whose zone came from the message's own VTIMEZONE (e.g. Outlook's Windows names)."""
    named = zone_name(name)
    if named is not None:
        mapped = value.replace(tzinfo=zone(named))
        if mapped.utcoffset() != value.utcoffset():
            problems.append(f"{what}: VTIMEZONE {name!r} disagrees with {named}; {named} used")
        return Moment(mapped, named)
    tz = value.tzinfo
    assert tz is not None  # only aware values reach here
    seasonal = tz.utcoffset(datetime(value.year, 1, 1)) != tz.utcoffset(datetime(value.year, 7, 1))
    # A zone with summer time is the IANA zone with the same changes; one offset all year is
    # that offset (naming one city among many with it would mislead readers).
    matched = matching_zone(tz, value) if seasonal else None
    if matched is not None:
        problems.append(
            f"{what}: time zone {name!r} read as {matched} (its VTIMEZONE has that zone's "
            "offsets and summer-time changes)"
        )
        return Moment(value.astimezone(zone(matched)), matched)
    near = nearest_zone(tz, value) if seasonal else None
    if near is not None:
        problems.append(
            f"{what}: time zone {name!r} has the offsets of {near} but other summer-time dates: "
            f"read as {near}, so occurrences between the two sets of change dates may be an hour "
            "off. Please choose a standard time zone for this meeting in your calendar."
        )
        return Moment(value.astimezone(zone(near)), near)
    january, july = (tz.utcoffset(datetime(value.year, m, 1)) for m in (1, 7))
    offset = value.utcoffset() or timedelta(0)
    fixed = None
    if january == july == offset and offset.total_seconds() % 3600 == 0:
        hours = int(offset.total_seconds() // 3600)
        fixed = fixed_offset_zone("+" if hours >= 0 else "-", abs(hours))
    tzid = fixed or "UTC"
    if fixed:
        problems.append(f"{what}: unknown time zone {name!r}: its fixed offset used ({tzid})")
    else:
        problems.append(
            f"{what}: the time zone {name!r} matches no known zone: the time is kept as the "
            "instant it names (UTC), so a series will not follow its summer time. Please "
            "choose a standard time zone for this meeting in your calendar."
        )
    return Moment(value.astimezone(zone(tzid)), tzid)


def moments(value: Any, *, floating_tz: str, problems: list[str], what: str) -> list[Moment]:
    """Every time in an EXDATE/RDATE value (one property or a list of them)."""
    found: list[Moment] = []
    for prop in value if isinstance(value, list) else [value]:
        for item in getattr(prop, "dts", []):
            at = moment(item, floating_tz=floating_tz, problems=problems, what=what)
            if at is not None:
                found.append(at)
    return found


def address(prop: Any) -> tuple[str | None, str | None]:
    """``(email, name)`` of an ORGANIZER/ATTENDEE: the EMAIL parameter, else the ``mailto:`` value.

    iCloud puts a routing address in the value and the person's address in EMAIL (RFC 6638);
    ``mailto:`` and ``MAILTO:`` are both seen; addresses are lowercased.
    """
    params = getattr(prop, "params", {}) or {}
    name = str(params.get("CN", "")).strip().strip('"').strip() or None
    for candidate in (str(params.get("EMAIL", "")), str(prop)):
        text = candidate.strip().strip('"')
        if text[:7].lower() == "mailto:":
            text = text[7:]
        text = text.strip().lower()
        if _ADDRESS.match(text):
            return text, (None if name is not None and name.lower() == text else name)
    return None, name


def sequence(value: Any, problems: list[str]) -> int:
    """SEQUENCE as an int: missing → 0; unreadable or negative → 0; huge → clamped (noted)."""
    if value is None:
        return 0
    if not isinstance(value, int) and str(value).strip().isdigit():
        # icalendar refuses integers beyond 32 bits (Google writes millisecond timestamps).
        value = int(str(value).strip())
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            problems.append(f"SEQUENCE {value} is negative: read as 0")
            return 0
        if value > MAX_SEQUENCE:
            problems.append(f"SEQUENCE {value} is out of range: read as {MAX_SEQUENCE}")
            return MAX_SEQUENCE
        return value
    problems.append(f"SEQUENCE {str(value)!r} is not a number: read as 0")
    return 0


def text(value: Any) -> str | None:
    """A TEXT property (the first when repeated, as in multiple SUMMARY lines), stripped."""
    if isinstance(value, list):
        value = next((v for v in value if str(v).strip()), None)
    if value is None:
        return None
    return str(value).strip() or None


def stamp(value: Any, problems: list[str]) -> datetime | None:
    """DTSTAMP as an aware UTC datetime, or None when missing or unreadable."""
    if value is None:
        return None
    at = moment(value, floating_tz="UTC", problems=problems, what="DTSTAMP")
    return None if at is None else at.at.astimezone(UTC)
