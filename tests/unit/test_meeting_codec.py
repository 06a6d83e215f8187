"""MeetingSpec to JSON and back: nothing lost, times back in the meeting's own zone."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from mailflow.domain.meeting import AgendaSpec, AttendeeSpec, MeetingSpec, OccurrenceSpec
from mailflow.domain.meeting_codec import from_json, to_json

SHANGHAI = ZoneInfo("Asia/Shanghai")
LONDON = ZoneInfo("Europe/London")

FULL = MeetingSpec(
    uid="q2-review@example.com",
    title="季度评审 Q2 review",
    organiser=AttendeeSpec("alice@example.com", "王爱丽", role="CHAIR", partstat="ACCEPTED"),
    start=datetime(2025, 3, 10, 9, 30, tzinfo=SHANGHAI),
    end=datetime(2025, 3, 10, 10, 30, tzinfo=SHANGHAI),
    tzid="Asia/Shanghai",
    sequence=3,
    attendees=(
        AttendeeSpec("bob@example.com", "Bob Li"),
        AttendeeSpec("zhang.san@example.com", "张三", role="OPT-PARTICIPANT", partstat="TENTATIVE"),
    ),
    location="501 会议室",
    online_url="https://meet.example.com/q2",
    description="讨论预算。\nSecond line.",
    rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=10",
    exdates=(datetime(2025, 3, 17, 9, 30, tzinfo=SHANGHAI),),
    recurrence_id=datetime(2025, 3, 24, 9, 30, tzinfo=SHANGHAI),
    overrides=(
        OccurrenceSpec(
            datetime(2025, 3, 31, 9, 30, tzinfo=SHANGHAI),
            datetime(2025, 4, 1, 14, 0, tzinfo=SHANGHAI),
            datetime(2025, 4, 1, 15, 0, tzinfo=SHANGHAI),
            location="302 会议室",
        ),
    ),
    scribe="carol@example.com",
    agenda=(
        AgendaSpec("预算", "alice@example.com", 20, "批准 Q2 预算"),
        AgendaSpec("Hiring plan"),
    ),
    materials=("https://docs.example.com/q2.pdf", "上季度纪要"),
    status="CONFIRMED",
    extra={"x-source": "itip"},
)


def test_a_full_meeting_round_trips_through_json() -> None:
    text = json.dumps(to_json(FULL), ensure_ascii=False)
    back = from_json(json.loads(text))
    assert back == FULL
    assert "季度评审" in text


def test_a_minimal_meeting_round_trips() -> None:
    minimal = MeetingSpec(
        uid="m@example.com",
        title="Sync",
        organiser=AttendeeSpec("alice@example.com"),
        start=datetime(2025, 3, 10, 9, 30, tzinfo=SHANGHAI),
        end=datetime(2025, 3, 10, 10, 0, tzinfo=SHANGHAI),
        tzid="Asia/Shanghai",
    )
    assert from_json(json.loads(json.dumps(to_json(minimal)))) == minimal


def test_times_come_back_in_the_meetings_zone() -> None:
    data = to_json(FULL)
    # As if another writer had stored the instants in UTC.
    data["start"] = FULL.start.astimezone(UTC).isoformat()
    back = from_json(data)
    assert back.start.tzinfo == SHANGHAI
    assert (back.start.hour, back.start.minute) == (9, 30)
    assert back.end.tzinfo == SHANGHAI
    assert back.recurrence_id is not None and back.recurrence_id.tzinfo == SHANGHAI
    assert all(d.tzinfo == SHANGHAI for d in back.exdates)


def test_times_keep_the_zones_rules_across_dst() -> None:
    # A London series starting in winter (GMT) with an exception in summer (BST).
    spec = MeetingSpec(
        uid="london@example.com",
        title="Stand-up",
        organiser=AttendeeSpec("alice@example.com"),
        start=datetime(2025, 3, 24, 9, 30, tzinfo=LONDON),
        end=datetime(2025, 3, 24, 9, 45, tzinfo=LONDON),
        tzid="Europe/London",
        rrule="FREQ=WEEKLY",
        exdates=(datetime(2025, 4, 7, 9, 30, tzinfo=LONDON),),
    )
    data = to_json(spec)
    assert data["start"].endswith("+00:00") and data["exdates"][0].endswith("+01:00")
    back = from_json(json.loads(json.dumps(data)))
    assert back == spec
    assert back.start.tzinfo == LONDON and back.exdates[0].tzinfo == LONDON
    assert back.start.utcoffset() != back.exdates[0].utcoffset()
    assert back.exdates[0].hour == 9
    # Adding a week to a zone-aware start crosses into BST at the same wall time.
    assert (back.start.replace(day=31)).utcoffset() == back.exdates[0].utcoffset()


def test_an_ambiguous_autumn_time_keeps_its_instant() -> None:
    # 01:30 happens twice in London on 26 October 2025; fold=1 is the second one (GMT).
    second = datetime(2025, 10, 26, 1, 30, fold=1, tzinfo=LONDON)
    spec = MeetingSpec(
        uid="fold@example.com",
        title="Night shift",
        organiser=AttendeeSpec("alice@example.com"),
        start=second,
        end=datetime(2025, 10, 26, 2, 30, tzinfo=LONDON),
        tzid="Europe/London",
    )
    back = from_json(to_json(spec))
    assert back.start.astimezone(UTC) == second.astimezone(UTC)
    assert back.start.utcoffset() == second.utcoffset()


@pytest.mark.parametrize("key", ["start", "end"])
def test_a_stored_meeting_without_start_or_end_is_a_value_error(key: str) -> None:
    data = to_json(FULL)
    data[key] = None
    with pytest.raises(ValueError, match="start and an end"):
        from_json(data)


def _asdict_reference(spec: MeetingSpec) -> dict[str, object]:
    """What to_json wrote before it was made field by field: asdict, then the fixed-up fields."""
    from dataclasses import asdict

    data = asdict(spec)
    for key in ("start", "end", "recurrence_id"):
        value = getattr(spec, key)
        data[key] = value.isoformat() if value is not None else None
    data["exdates"] = [value.isoformat() for value in spec.exdates]
    data["attendees"] = [asdict(a) for a in spec.attendees]
    data["agenda"] = [asdict(a) for a in spec.agenda]
    data["materials"] = list(spec.materials)
    data["overrides"] = [
        {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in asdict(o).items()}
        for o in spec.overrides
    ]
    return data


def test_to_json_writes_what_asdict_wrote() -> None:
    data = to_json(FULL)
    assert data == _asdict_reference(FULL)
    assert json.dumps(data, sort_keys=True) == json.dumps(_asdict_reference(FULL), sort_keys=True)
    assert data["extra"] is not FULL.extra, "the payload does not share the spec's dict"
