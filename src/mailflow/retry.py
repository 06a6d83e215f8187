"""Exponential backoff with full jitter, one formula for every retry in mailflow.

Used for reconnect loops (IMAP, SMTP) and for scheduling the next attempt of an outbox row, so
both back off the same way. Pure: the random source is an argument.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta


def backoff_seconds(
    attempt: int,
    *,
    base: float = 1.0,
    cap: float = 300.0,
    rand: Callable[[], float] = random.random,
) -> float:
    """Delay before retry ``attempt`` (1-based): uniform in [d/2, d]; d = min(cap, base*2**(n-1))"""
    if attempt < 1:
        raise ValueError("attempt is 1-based")
    ceiling = min(cap, base * float(2 ** min(attempt - 1, 62)))
    return ceiling / 2 + rand() * ceiling / 2


def backoff(attempt: int, *, base: float = 1.0, cap: float = 300.0) -> timedelta:
    return timedelta(seconds=backoff_seconds(attempt, base=base, cap=cap))
