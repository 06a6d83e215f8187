"""Parsing ahead: the pure part of handling inbound mail, done by worker processes.

Handling a message is about half parsing (MIME, the calendar data, the reply's new text) and half
database work. On a backlog the pipeline hands the next batch's raw bytes to worker processes
while it applies the current one: each worker runs the limits check, the classifiers and the
parse the message's handler will ask for, and sends back each :class:`InboundMail` with what it
learnt (its header views and :meth:`InboundMail.remember`'d results, never the parse tree) and
its :class:`Classification`. The daemon then only applies and records.

Nothing depends on the workers (:mod:`mailflow.workers`): a message that was not prepared (a
failed worker, a result that could not be sent back, a check that failed) is handled in the
daemon exactly as before, where any error quarantines it as usual.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from mailflow.config.schema import MailSettings
from mailflow.inbound.reading import limits
from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.understanding.calendar.itip import itip_of
from mailflow.inbound.understanding.classify import Classification, classify
from mailflow.inbound.understanding.minutes_source import minutes_source
from mailflow.inbound.understanding.replies.reply_text import reply_text_of
from mailflow.workers import WorkerPool

# One prepared message: the mail with what it learnt, and its classification (None: not
# prepared; the pipeline classifies it itself).
Prepared = tuple[InboundMail, Classification | None]


@dataclass(frozen=True)
class Work:
    """What a worker needs besides the messages: the limits and the zone for floating times."""

    mail: MailSettings
    floating_tz: str


def warm(mail: InboundMail, found: Classification, floating_tz: str) -> None:
    """Do the parse the handler of ``found.kind`` will ask ``mail`` for (see handlers.py)."""
    if found.kind in ("itip_reply", "itip_counter"):
        itip_of(mail, floating_tz=floating_tz)
    elif found.kind == "reply":
        reply_text_of(mail)
    elif found.kind == "minutes":
        minutes_source(mail)


def prepare_one(raw: bytes, size: int, work: Work) -> Prepared:
    mail = InboundMail(raw)
    try:
        limits.check(raw, size, work.mail)
        found = classify(mail)
        warm(mail, found, work.floating_tz)
    except Exception:  # the pipeline meets the same error again, inside the message's guard
        return InboundMail(raw), None
    return mail, found


def prepare_batch(messages: Sequence[tuple[bytes, int]], work: Work) -> bytes:
    """Worker side: prepare every message, pickled here so one unpicklable result costs only
    its own preparation (it goes back bare)."""
    prepared = [prepare_one(raw, size, work) for raw, size in messages]
    try:
        return pickle.dumps(prepared, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        return pickle.dumps([_picklable(one) for one in prepared], pickle.HIGHEST_PROTOCOL)


def _picklable(one: Prepared) -> Prepared:
    try:
        pickle.dumps(one)
    except Exception:
        return InboundMail(one[0].raw), None
    return one


Pending = Callable[[], list[Prepared]]


class Preparer:
    """Prepares batches in ``workers`` processes (:class:`~mailflow.workers.WorkerPool`).

    :meth:`submit` returns at once; calling what it returns waits for the batch, results in
    order. With ``workers=0``, or when a worker failed, messages come back unprepared and the
    pipeline does all the work itself.
    """

    def __init__(self, workers: int, work: Work) -> None:
        self._pool = WorkerPool("parse", workers, preload=[__name__])
        self._work = work

    def submit(self, messages: Sequence[tuple[bytes, int]]) -> Pending:
        bare: list[Prepared] = [(InboundMail(raw), None) for raw, _size in messages]
        waiting = self._pool.split(prepare_batch, messages, self._work)

        def prepared() -> list[Prepared]:
            parts = waiting()
            return bare if parts is None else [one for data in parts for one in pickle.loads(data)]

        return prepared

    def worker_peak_kib(self) -> int:
        return self._pool.peak_rss_kib()

    def close(self) -> None:
        """Stop the workers (they are started again when next needed)."""
        self._pool.close()
