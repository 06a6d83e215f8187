"""Parsing ahead: the pure part of handling inbound mail, done by worker processes.

Handling a message is about half parsing (MIME, the calendar data, the reply's new text) and half
database work. On a backlog the pipeline hands the next batch's raw bytes to worker processes
while it applies the current one: each worker runs the limits check, the classifiers and the
parse the message's handler will ask for, and sends back each :class:`InboundMail` with what it
learnt (its header views and :meth:`InboundMail.remember`'d results, never the parse tree) and
its :class:`Classification`. The daemon then only applies and records.

Nothing depends on the workers: a message that was not prepared (a failed worker, a result that
could not be sent back, a check that failed) is handled in the daemon exactly as before, where any
error quarantines it as usual. Workers are started by ``forkserver`` (never forked from the
threaded daemon), ignore SIGINT (the daemon stops them), and run no database or network code.
"""

from __future__ import annotations

import logging
import multiprocessing
import pickle
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from mailflow.config.schema import MailSettings
from mailflow.inbound import limits
from mailflow.inbound.classify import Classification, classify
from mailflow.inbound.itip import itip_of
from mailflow.inbound.mail import InboundMail
from mailflow.inbound.reply_text import reply_text_of

log = logging.getLogger("mailflow.inbound")

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
    elif found.kind in ("reply", "minutes"):
        reply_text_of(mail)


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


def _ignore_sigint() -> None:
    # Ctrl-C reaches the whole process group; the daemon decides when its workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


Pending = Callable[[], list[Prepared]]


class Preparer:
    """Prepares batches in ``workers`` processes (started on first use), results in order.

    :meth:`submit` returns at once; calling what it returns waits for the batch. With
    ``workers=0``, or after a worker failed, messages come back unprepared and the pipeline does
    all the work itself.
    """

    def __init__(self, workers: int, work: Work) -> None:
        self._workers = workers
        self._work = work
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, messages: Sequence[tuple[bytes, int]]) -> Pending:
        bare: list[Prepared] = [(InboundMail(raw), None) for raw, _size in messages]
        if self._workers <= 0 or not messages:
            return lambda: list(bare)
        try:
            pool = self._started()
            step = -(-len(messages) // self._workers)
            futures = [
                pool.submit(prepare_batch, list(messages[i : i + step]), self._work)
                for i in range(0, len(messages), step)
            ]
        except Exception as exc:
            self._failed(exc)
            return lambda: list(bare)
        return lambda: self._collect(futures, bare)

    def _collect(self, futures: list[Future[bytes]], bare: list[Prepared]) -> list[Prepared]:
        try:
            prepared: list[Prepared] = []
            for future in futures:
                prepared.extend(pickle.loads(future.result()))
        except Exception as exc:
            self._failed(exc)
            return bare
        return prepared

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([__name__])
            self._pool = ProcessPoolExecutor(
                self._workers, mp_context=context, initializer=_ignore_sigint
            )
        return self._pool

    def _failed(self, exc: BaseException) -> None:
        log.warning("parse workers failed (%s: %s); parsing in the daemon", type(exc).__name__, exc)
        self.close()

    def close(self) -> None:
        """Stop the workers (they are started again when next needed)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
