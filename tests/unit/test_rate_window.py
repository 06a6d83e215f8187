"""The per-flush window of the hourly limit: admitted sends count for the rows after them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mailflow.outbound.delivery.rate_limit import Window

NOW = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)


def test_sends_admitted_in_one_flush_count_toward_the_limit() -> None:
    window = Window(limit=2)
    assert window.admit(["Bob@example.test"], now=NOW) is None
    assert window.admit(["bob@example.test", "carol@example.test"], now=NOW) is None
    # Bob is at the limit: the row waits until the older of his two sends leaves the hour, and
    # Carol's slot is not taken by a row that did not go.
    assert window.admit(["bob@example.test", "carol@example.test"], now=NOW) == NOW + timedelta(
        hours=1
    )
    assert window.admit(["carol@example.test"], now=NOW) is None


def test_a_send_that_did_not_happen_frees_its_slot() -> None:
    window = Window(limit=1)
    assert window.admit(["bob@example.test"], now=NOW) is None
    window.forget(["bob@example.test"], now=NOW)
    assert window.admit(["bob@example.test"], now=NOW) is None


def test_no_limit_admits_everything() -> None:
    window = Window(limit=0)
    assert all(window.admit(["bob@example.test"], now=NOW) is None for _ in range(50))
