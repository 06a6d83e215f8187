"""Named leases between replicas: a row with a holder and an expiry, taken over once it expires.

Several ``mailflow serve`` processes may share one PostgreSQL database; a lease makes sure only
one of them does a given job at a time (polling the bot's mailbox: ``mailbox:INBOX``). The holder
renews its lease well before it expires; when the holder dies, the lease runs out and another
replica takes it over, so nothing waits for longer than the lease's time to live.

:func:`acquire`, :func:`renew` and :func:`release` work in the caller's transaction and take
``now``. Each is a single statement, so two replicas racing for one lease cannot both win: on
PostgreSQL the second ``INSERT ... ON CONFLICT`` waits for the first to commit and then sees its
row; SQLite has one writer at a time anyway. :class:`LeaseKeeper` wraps them for a process that
holds one lease for as long as it can (the inbox watcher's turn).

Replicas compare expiry times written by each other's clocks, so their clocks must agree (NTP)
to well within the time to live.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Executable, case, delete, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from mailflow.clock import Clock
from mailflow.errors import StorageError
from mailflow.tracker.models import Lease
from mailflow.tracker.repo import upsert

log = logging.getLogger("mailflow.lease")


def acquire(session: Session, name: str, holder: str, now: datetime, ttl: float) -> bool:
    """Take lease ``name`` for ``holder`` until ``now + ttl``; True when ``holder`` has it now.

    One atomic upsert: the row is created when there is none, renewed when ``holder`` already
    has it, taken over when it has expired, and left alone (False) while another holder's lease
    runs. ``acquired_at`` is kept across renewals so it says since when the holder has it.
    """
    expires = now + timedelta(seconds=ttl)
    insert = upsert(session, Lease).values(
        name=name, holder=holder, expires_at=expires, acquired_at=now
    )
    statement = insert.on_conflict_do_update(
        index_elements=["name"],
        set_={
            "holder": holder,
            "expires_at": expires,
            "acquired_at": case((Lease.holder == holder, Lease.acquired_at), else_=now),
        },
        where=or_(Lease.expires_at < now, Lease.holder == holder),
    ).returning(Lease.holder)
    return session.execute(statement).scalar_one_or_none() is not None


def renew(session: Session, name: str, holder: str, now: datetime, ttl: float) -> bool:
    """Extend ``holder``'s lease to ``now + ttl``; False when it is no longer ``holder``'s.

    A lease that ran out but was not taken over is still renewed: nobody else started the job in
    between, so carrying on is safe.
    """
    statement = (
        update(Lease)
        .where(Lease.name == name, Lease.holder == holder)
        .values(expires_at=now + timedelta(seconds=ttl))
        .execution_options(synchronize_session=False)
    )
    return _rowcount(session, statement) == 1


def release(session: Session, name: str, holder: str) -> bool:
    """Give lease ``name`` up, if ``holder`` has it, so another replica need not wait it out."""
    statement = (
        delete(Lease)
        .where(Lease.name == name, Lease.holder == holder)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(session, statement) == 1


def holder_of(session: Session, name: str) -> str | None:
    """Who holds lease ``name`` now (expired or not), or None when nobody took it."""
    return session.scalar(select(Lease.holder).where(Lease.name == name))


def _rowcount(session: Session, statement: Executable) -> int:
    # An UPDATE or DELETE returns a CursorResult; the ORM types ``execute`` as a plain Result.
    result = cast("CursorResult[Any]", session.execute(statement))
    return result.rowcount


class LeaseKeeper:
    """One lease this process tries to hold: ``hold`` acquires or renews it, ``release`` ends it.

    Each call is its own short transaction. Database failures leave as :class:`StorageError`, so
    the caller's reconnect loop treats them like any other outage. Changes of hands are logged
    once each: taken, lost, standing by.
    """

    def __init__(
        self,
        sessions: Callable[[], Session],
        name: str,
        holder: str,
        clock: Clock,
        ttl_seconds: float,
    ) -> None:
        if ttl_seconds <= 0:
            raise ValueError("a lease needs a positive time to live")
        self.name = name
        self.holder = holder
        self._sessions = sessions
        self._clock = clock
        self._ttl = ttl_seconds
        self._held = False
        self._standing_by = False

    @property
    def check_seconds(self) -> float:
        """How often to call :meth:`hold`: a third of the time to live leaves two misses spare."""
        return self._ttl / 3

    @property
    def held(self) -> bool:
        """Whether the last :meth:`hold` succeeded."""
        return self._held

    def hold(self) -> bool:
        """Renew the lease when held, else try to take it; True while this process has it."""
        now = self._clock.now()
        try:
            with self._sessions() as session, session.begin():
                if self._held:
                    held = renew(session, self.name, self.holder, now, self._ttl)
                else:
                    held = acquire(session, self.name, self.holder, now, self._ttl)
        except SQLAlchemyError as exc:
            raise StorageError(f"lease {self.name}: {exc}") from exc
        if held and not self._held:
            log.info("lease %s taken by %s", self.name, self.holder)
        elif self._held and not held:
            log.warning("lease %s lost by %s: another replica took it over", self.name, self.holder)
        elif not held and not self._standing_by:
            log.info("lease %s is held by another replica; %s stands by", self.name, self.holder)
        self._standing_by = not held
        self._held = held
        return held

    def release(self) -> None:
        """Give the lease up (best effort: if the database is unreachable it simply expires)."""
        was_held, self._held = self._held, False
        if not was_held:
            return
        try:
            with self._sessions() as session, session.begin():
                release(session, self.name, self.holder)
        except SQLAlchemyError as exc:
            log.warning("lease %s not released (it expires by itself): %s", self.name, exc)
            return
        log.info("lease %s released by %s", self.name, self.holder)
