"""Backoff bounds (full jitter in [d/2, d], d doubling from ``base`` up to ``cap``) and its use
in ``connect_with_backoff``, with the sleep recorded instead of slept."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mailflow.adapters.imap import connect_with_backoff
from mailflow.errors import MailboxError, MailboxUnavailableError
from mailflow.retry import backoff, backoff_seconds


@pytest.mark.parametrize(
    ("attempt", "ceiling"),
    [(1, 1.0), (2, 2.0), (3, 4.0), (9, 256.0), (10, 300.0), (11, 300.0)],
)
def test_backoff_spans_half_to_full_ceiling(attempt: int, ceiling: float) -> None:
    assert backoff_seconds(attempt, rand=lambda: 0.0) == ceiling / 2
    assert backoff_seconds(attempt, rand=lambda: 1.0) == ceiling
    assert ceiling / 2 <= backoff_seconds(attempt) <= ceiling


def test_backoff_honours_base_and_cap() -> None:
    assert backoff_seconds(1, base=0.5, rand=lambda: 1.0) == 0.5
    assert backoff_seconds(4, base=0.5, cap=3.0, rand=lambda: 1.0) == 3.0


def test_huge_attempt_numbers_stay_at_the_cap() -> None:
    # An outbox row retried for weeks must not overflow the exponent.
    assert backoff_seconds(10_000, rand=lambda: 1.0) == 300.0


def test_attempts_are_one_based() -> None:
    with pytest.raises(ValueError):
        backoff_seconds(0)


def test_backoff_as_timedelta_is_within_bounds() -> None:
    assert timedelta(seconds=2) <= backoff(3) <= timedelta(seconds=4)


def test_connect_with_backoff_sleeps_between_unavailable_attempts() -> None:
    outcomes: list[Exception | str] = [
        MailboxUnavailableError("refused"),
        MailboxUnavailableError("refused"),
        "connected",
    ]
    sleeps: list[float] = []

    def factory() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    assert connect_with_backoff(factory, attempts=5, sleep=sleeps.append, base=2.0) == "connected"
    assert len(sleeps) == 2
    assert 1.0 <= sleeps[0] <= 2.0
    assert 2.0 <= sleeps[1] <= 4.0


def test_connect_with_backoff_does_not_retry_other_mailbox_errors() -> None:
    sleeps: list[float] = []

    def factory() -> str:
        raise MailboxError("login refused")

    with pytest.raises(MailboxError, match="login refused"):
        connect_with_backoff(factory, attempts=5, sleep=sleeps.append)
    assert sleeps == []


def test_connect_with_backoff_needs_an_attempt() -> None:
    with pytest.raises(ValueError):
        connect_with_backoff(lambda: None, attempts=0)
