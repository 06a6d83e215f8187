"""The per-recipient hourly limit: never more than N mails to one address in any hour.

Every delivered recipient is logged (``send_log``); before a row is sent, each of its recipients'
sends in the past hour are counted (a flush reads them once per batch into a :class:`Window`).
A row over the limit is deferred to when the oldest of those sends leaves the window, without
counting a failed attempt: the mail is late, never dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from mailflow.tracker import outbox_repo

WINDOW = timedelta(hours=1)
KEEP = timedelta(days=1)


class Window:
    """The sends of the past hour per recipient, for one flush: what ``send_log`` held when the
    recipient first came up, plus the sends admitted since.

    One query per batch instead of two per row, and a row admitted earlier in the same flush
    counts for the rows after it, as its ``send_log`` line would.
    """

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._times: dict[str, list[datetime]] = {}

    def load(self, session: Session, recipients: Iterable[str], *, now: datetime) -> None:
        """Read the past hour of ``send_log`` for the recipients not read yet."""
        new = {r.lower() for r in recipients} - self._times.keys()
        if not new or self._limit <= 0:
            return
        for recipient in new:
            self._times[recipient] = []
        for recipient, sent_at in outbox_repo.recent_sends(session, new, since=now - WINDOW):
            self._times[recipient].append(sent_at)

    def admit(self, recipients: Sequence[str], *, now: datetime) -> datetime | None:
        """None, and the send is counted, when every recipient is under the limit; else when
        the row may go: when the oldest send that keeps a recipient at the limit leaves the
        window."""
        if self._limit <= 0:
            return None
        latest: datetime | None = None
        addresses = {r.lower() for r in recipients}
        for recipient in addresses:
            recent = sorted(t for t in self._times.get(recipient, []) if t > now - WINDOW)
            if len(recent) >= self._limit:
                frees = recent[len(recent) - self._limit] + WINDOW
                latest = frees if latest is None or frees > latest else latest
        if latest is None:
            for recipient in addresses:
                self._times.setdefault(recipient, []).append(now)
        return latest

    def forget(self, recipients: Sequence[str], *, now: datetime) -> None:
        """An admitted send that did not happen (refused, retried later)."""
        for recipient in {r.lower() for r in recipients}:
            times = self._times.get(recipient, [])
            if now in times:
                times.remove(now)


def record(session: Session, recipients: Sequence[str], *, now: datetime) -> None:
    outbox_repo.log_sends(session, {r.lower() for r in recipients}, now=now)


def prune(session: Session, *, now: datetime) -> None:
    outbox_repo.prune_sends(session, before=now - KEEP)
