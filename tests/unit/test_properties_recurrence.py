"""Properties of recurrence expansion: the planner's occurrences are dateutil's, in order, in the
window, at the meeting's wall-clock time across daylight-saving changes.

``notice_timing.occurrences`` runs ``recurring-ical-events`` on the event as mailflow's invite
describes it; dateutil's ``rrule`` (which keeps the wall-clock time of a zone-aware DTSTART, as
RFC 5545 asks) is the reference for plain daily and weekly rules, with COUNT, UNTIL and EXDATE.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from mailflow.domain.meeting import AttendeeSpec, MeetingSpec, OccurrenceSpec
from mailflow.domain.notice_timing import MAX_WINDOW_OCCURRENCES, occurrences
from mailflow.domain.recurrence_limits import RecurrenceLimits, recurrence_problem
from mailflow.domain.series import is_occurrence, occurrence

# Zones whose offset changes (London and New York in different weeks, Sydney the other way round)
# and one that never does.
ZONES = st.sampled_from(["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Shanghai"])
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@st.composite
def rules(draw: st.DrawFn, start: datetime) -> str:
    """A plain daily or weekly rule, perhaps with an interval, BYDAY, COUNT or an UNTIL after
    ``start`` (one before it has no occurrence at all, and intake refuses it)."""
    parts = [f"FREQ={draw(st.sampled_from(['DAILY', 'WEEKLY']))}"]
    interval = draw(st.integers(1, 3))
    if interval > 1:
        parts.append(f"INTERVAL={interval}")
    if parts[0] == "FREQ=WEEKLY" and draw(st.booleans()):
        days = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=3, unique=True))
        parts.append("BYDAY=" + ",".join(days))
    end = draw(st.sampled_from(["", "COUNT", "UNTIL"]))
    if end == "COUNT":
        parts.append(f"COUNT={draw(st.integers(1, 40))}")
    elif end == "UNTIL":
        until = start.astimezone(UTC) + draw(st.timedeltas(timedelta(0), timedelta(days=400)))
        parts.append(f"UNTIL={until:%Y%m%dT%H%M%S}Z")
    return ";".join(parts)


@st.composite
def series(draw: st.DrawFn) -> MeetingSpec:
    tzid = draw(ZONES)
    # Any quarter hour, those the clocks skip or repeat on a change day included: both sides read
    # a wall-clock time that does not exist with the offset before the change (RFC 5545 3.3.5),
    # and one that exists twice as its first instant.
    clock = time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 15, 30, 45])))
    day = draw(st.dates(datetime(2025, 1, 1).date(), datetime(2026, 12, 31).date()))
    start = datetime.combine(day, clock, ZoneInfo(tzid))
    length = timedelta(minutes=draw(st.sampled_from([30, 60, 90])))
    return made(start, draw(rules(start)), length)


def made(start: datetime, rule: str, length: timedelta = timedelta(hours=1)) -> MeetingSpec:
    assert isinstance(start.tzinfo, ZoneInfo)
    return MeetingSpec(
        uid="series@example.test",
        title="Series",
        organiser=AttendeeSpec("alice@example.test"),
        start=start,
        end=start + length,
        tzid=start.tzinfo.key,
        rrule=rule,
    )


def instants(moments: list[datetime]) -> list[datetime]:
    """The moments in UTC: comparing them so is exact even for a wall-clock time a zone repeats
    (``==`` between zones is False for such a time, PEP 495, and True within one for both)."""
    return [moment.astimezone(UTC) for moment in moments]


def reference(
    spec: MeetingSpec, after: datetime, before: datetime, cap: int = MAX_WINDOW_OCCURRENCES
) -> list[datetime]:
    """dateutil's starts in [after, before), DTSTART included, less the EXDATEs, at most the
    planner's cap.

    A DTSTART the rule does not produce (a Wednesday start of ``BYDAY=MO``) is left undefined by
    RFC 5545; calendars, ``recurring-ical-events`` and intake's limits count it as an occurrence
    besides the rule's COUNT, and so does the reference.
    """
    assert spec.rrule is not None
    ruled: list[datetime] = rrulestr(spec.rrule, dtstart=spec.start).between(
        after, before, inc=True
    )
    every = sorted({*ruled, *([spec.start] if after <= spec.start else [])})
    off = instants(list(spec.exdates))
    found = [start for start in every if start < before and start.astimezone(UTC) not in off]
    return found[:cap]


WINDOWS = st.tuples(st.integers(-30, 300), st.integers(1, 250))


NEW_YORK, LONDON = ZoneInfo("America/New_York"), ZoneInfo("Europe/London")


@settings(deadline=None, max_examples=120)
@given(series(), WINDOWS)
# Daily across the spring change at a time that does not exist that day (02:30 in New York on
# 8 March 2026), across the autumn one at a time that exists twice, and weekly across London's.
@example(made(datetime(2026, 3, 6, 2, 30, tzinfo=NEW_YORK), "FREQ=DAILY;COUNT=5"), (-1, 10))
@example(made(datetime(2026, 10, 30, 1, 30, tzinfo=NEW_YORK), "FREQ=DAILY"), (0, 5))
@example(made(datetime(2026, 3, 16, 9, 0, tzinfo=LONDON), "FREQ=WEEKLY;BYDAY=MO,TH"), (0, 40))
# A Wednesday DTSTART of a Monday rule is an occurrence too, for the series module as well.
@example(made(datetime(2026, 3, 4, 9, 0, tzinfo=LONDON), "FREQ=WEEKLY;BYDAY=MO"), (0, 30))
def test_occurrences_are_dateutils_in_order_in_the_window(
    spec: MeetingSpec, window: tuple[int, int]
) -> None:
    after = spec.start + timedelta(days=window[0], hours=-3)
    before = after + timedelta(days=window[1])
    found = occurrences(spec, after=after, before=before)
    starts = [start for _, start in found]
    assert instants(starts) == instants(reference(spec, after, before))
    assert instants(starts) == sorted(set(instants(starts)))
    assert all(after <= start < before for start in starts)
    assert len(starts) <= MAX_WINDOW_OCCURRENCES
    for named, start in found:
        # No exception moves anything: an occurrence is named by its own start, and both are
        # given in the meeting's zone at the series' wall-clock time, summer or winter.
        assert named.astimezone(UTC) == start.astimezone(UTC)
        assert str(start.tzinfo) == spec.tzid
        assert start.timetz().replace(tzinfo=None) == spec.start.time()
    # The series module agrees (each look parses the rule again: the ends are enough).
    for start in starts[:1] + starts[-1:]:
        assert is_occurrence(spec, start)
        assert not is_occurrence(spec, start + timedelta(minutes=15))
        one = occurrence(spec, start)
        assert (one.start, one.end - one.start) == (start, spec.end - spec.start)


@settings(deadline=None, max_examples=60)
@given(series())
def test_count_and_until_bound_the_whole_series(spec: MeetingSpec) -> None:
    assert spec.rrule is not None
    after = spec.start - timedelta(days=1)
    # Far enough for 31 daily or weekly occurrences, so a longer series is cut by the cap.
    found = occurrences(spec, after=after, before=after + timedelta(days=3 * 366))
    assert found[0][1].astimezone(UTC) == spec.start.astimezone(UTC)  # DTSTART comes first
    parts = dict(part.split("=") for part in spec.rrule.split(";"))
    if "COUNT" in parts:
        # COUNT bounds what the rule makes; DTSTART off the rule comes on top (see reference()).
        extra = 0 if spec.start in rrulestr(spec.rrule, dtstart=spec.start) else 1
        assert len(found) == min(int(parts["COUNT"]) + extra, MAX_WINDOW_OCCURRENCES)
    if "UNTIL" in parts:
        until = datetime.strptime(parts["UNTIL"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        # RFC 5545: DTSTART counts as the first occurrence even past UNTIL.
        assert all(start <= until for _, start in found[1:])
    whole = reference(spec, after, after + timedelta(days=3 * 366))
    assert instants([start for _, start in found]) == instants(whole)


@settings(deadline=None, max_examples=60)
@given(series(), st.data())
def test_exdates_are_left_out_and_nothing_else(spec: MeetingSpec, data: st.DataObject) -> None:
    after = spec.start - timedelta(days=1)
    before = after + timedelta(days=120)
    every = reference(spec, after, before)
    dropped = data.draw(st.lists(st.sampled_from(every), max_size=3, unique=True))
    # An EXDATE may be written in UTC: it names an instant, not a wall-clock time.
    spec = dataclasses.replace(spec, exdates=tuple(d.astimezone(UTC) for d in dropped))
    starts = instants([start for _, start in occurrences(spec, after=after, before=before)])
    assert starts == instants(reference(spec, after, before))
    assert not set(starts) & set(instants(dropped))


@settings(deadline=None, max_examples=60)
@given(series(), st.data(), st.integers(-72, 72).filter(lambda hours: hours != 0))
def test_a_moved_occurrence_is_found_at_its_new_time_under_its_old_name(
    spec: MeetingSpec, data: st.DataObject, hours: int
) -> None:
    after = spec.start - timedelta(days=1)
    before = after + timedelta(days=60)
    every = reference(spec, after, before, cap=1000)
    rid = data.draw(st.sampled_from(every))
    new_start = rid + timedelta(hours=hours)
    # Moved onto another occurrence's start, the two would tie and either order is right.
    assume(new_start.astimezone(UTC) not in instants(every))
    moved = OccurrenceSpec(rid, new_start, new_start + (spec.end - spec.start))
    spec = dataclasses.replace(spec, overrides=(moved,))
    found = occurrences(spec, after=after, before=before)
    kept = [(start, start) for start in instants(every) if start != rid.astimezone(UTC)]
    if after <= new_start < before:
        kept.append((rid.astimezone(UTC), new_start.astimezone(UTC)))
    expected = sorted(kept, key=lambda pair: pair[1])[:MAX_WINDOW_OCCURRENCES]
    assert [(named.astimezone(UTC), start.astimezone(UTC)) for named, start in found] == expected


@settings(deadline=None, max_examples=80)
@given(
    st.lists(st.integers(0, 23), min_size=1, max_size=4, unique=True),
    st.integers(1, 3),
    st.sampled_from(["Europe/London", "America/New_York"]),
)
def test_intake_refuses_a_daily_rule_exactly_when_a_day_has_too_many(
    hours: list[int], per_day: int, tzid: str
) -> None:
    start = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo(tzid))
    rule = "FREQ=DAILY;BYHOUR=" + ",".join(map(str, hours))
    problem = recurrence_problem(rule, start, RecurrenceLimits(per_day=per_day, per_year=4000))
    # DTSTART (09:00) counts as an occurrence of its day even when 9 is not one of the hours;
    # that day has the hours after it, every other day all of them.
    busiest = max(len(hours), 1 + sum(hour > 9 for hour in hours))
    assert (problem is not None) == (busiest > per_day)
    if problem is not None:
        assert f"at most {per_day} a day" in problem


@settings(deadline=None, max_examples=80)
@given(
    st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True),
    st.integers(1, 3),
    st.integers(20, 400),
)
def test_intake_refuses_a_weekly_rule_exactly_when_a_year_has_too_many(
    days: list[str], interval: int, per_year: int
) -> None:
    start = datetime(2026, 3, 2, 9, 0)  # a Monday
    rule = f"FREQ=WEEKLY;INTERVAL={interval};BYDAY={','.join(days)}"
    year = start.replace(year=2027)
    ruled: list[datetime] = rrulestr(rule, dtstart=start).between(start, year, inc=True)
    expected = len({start, *(o for o in ruled if o < year)})
    problem = recurrence_problem(rule, start, RecurrenceLimits(per_day=1, per_year=per_year))
    assert (problem is not None) == (expected > per_year)
