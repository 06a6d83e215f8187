"""Time as an argument: everything that decides what is due asks a Clock for ``now``.

Production uses :class:`SystemClock`. Tests and the demo pass their own clock; production code never
imports a test helper.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class SteppingClock:
    """A clock moved by hand (``mailflow demo``): time jumps to the next step, nobody sleeps."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        self.current = start

    def now(self) -> datetime:
        return self.current

    def set(self, at: datetime) -> None:
        """Move to ``at``; never backwards, because planners assume time only moves on."""
        if at < self.current:
            raise ValueError(f"the clock cannot go back from {self.current} to {at}")
        self.current = at

    def advance(self, delta: timedelta) -> datetime:
        self.set(self.current + delta)
        return self.current
