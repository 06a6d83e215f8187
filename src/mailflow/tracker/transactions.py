"""One unit of work, one transaction: retried when the database failed, mapped to the error tree.

:func:`in_transaction` opens a session from the caller's factory, runs ``work(session)`` between
BEGIN and COMMIT and returns what it returned. When SQLAlchemy raises an error that is the
database's trouble rather than the data's (:func:`mailflow.tracker.db.is_transient`: the
connection lost, a lock wait timed out, a serialisation failure or deadlock), the transaction is
rolled back and the work run again, after the backoff of :mod:`mailflow.retry`; after the last
attempt :class:`~mailflow.errors.TransientStorageError` is raised. Any other SQLAlchemy error
becomes :class:`~mailflow.errors.StorageError` at once. Errors of the work's own pass unchanged.

The work is run again from the start on a fresh session, so it must not leave anything behind
outside the database that a second run would repeat (or it undoes it when it starts again). The
sleep is injectable, so tests never wait on the wall clock.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from mailflow.errors import StorageError, TransientStorageError
from mailflow.retry import backoff_seconds
from mailflow.tracker.db import is_transient

log = logging.getLogger("mailflow.tracker")

T = TypeVar("T")


@dataclass(frozen=True)
class Retry:
    """How often a unit of work is tried on a transient database error, and how it waits:
    ``attempts`` runs in all, ``backoff_seconds(n, base=base, cap=cap)`` between run n and n+1.
    The defaults ride out a lock held for a moment or a failover without holding a job long."""

    attempts: int = 3
    base: float = 0.2
    cap: float = 5.0
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("a unit of work is tried at least once")


DEFAULT_RETRY = Retry()
# For work whose caller has its own answer to an outage (a scrape, a best-effort note): one try,
# errors mapped all the same.
ONCE = Retry(attempts=1)


def in_transaction(
    sessions: Callable[[], Session],
    work: Callable[[Session], T],
    *,
    retry: Retry = DEFAULT_RETRY,
) -> T:
    """Run ``work`` in one transaction of a new session and commit; see the module docstring."""
    attempt = 1
    while True:
        try:
            with sessions() as session, session.begin():
                return work(session)
        except SQLAlchemyError as exc:
            if not is_transient(exc):
                raise StorageError(f"database error: {exc}") from exc
            if attempt >= retry.attempts:
                raise TransientStorageError(
                    f"database unavailable after {attempt} attempt(s): {exc}"
                ) from exc
            delay = backoff_seconds(attempt, base=retry.base, cap=retry.cap)
            log.debug(
                "transient database error (attempt %d), retrying in %.2fs: %s", attempt, delay, exc
            )
            retry.sleep(delay)
            attempt += 1
