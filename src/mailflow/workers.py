"""Worker processes for pure CPU work done ahead: parsing inbound mail, rendering outbound mail.

The daemon's hot paths alternate CPU work (MIME parsing, jinja2 and icalendar) with waiting on the
database, IMAP and SMTP. A :class:`WorkerPool` runs the CPU work of the *next* batch in other
processes while the daemon does the I/O of the current one, so both cores of a small server work.

Everything here fails soft: a pool that cannot start, a worker that dies, a result that cannot be
sent back all make :meth:`WorkerPool.result` return None (logged once per failure, the pool is
stopped and started again when next needed), and the caller does the work itself. Workers are
started by ``forkserver`` (never forked from the threaded daemon), ignore SIGINT (the daemon
stops them), end within a second of the daemon's death however it died, and run no database or
network code.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

log = logging.getLogger("mailflow.workers")

T = TypeVar("T")
Waiting = Callable[[], list[T] | None]


def _start_worker(daemon_pid: int) -> None:
    # Ctrl-C reaches the whole process group; the daemon decides when its workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(
        target=_exit_without, args=(daemon_pid,), name="mailflow-daemon-watch", daemon=True
    ).start()


def _exit_without(daemon_pid: int) -> None:
    """End this worker once the daemon is gone (SIGKILL, OOM killer).

    A pool's worker waits for work on a pipe it holds both ends of, so it never sees the daemon
    die; its parent is the fork server, so PR_SET_PDEATHSIG would not fire either. Left alone, it
    and the fork server would live on forever after every crash.
    """
    while True:
        time.sleep(_WATCH_SECONDS)
        try:
            os.kill(daemon_pid, 0)
        except ProcessLookupError:
            os._exit(0)
        except PermissionError:  # the PID was reused by another user's process: gone too
            os._exit(0)


_WATCH_SECONDS = 1.0


class WorkerPool:
    """Up to ``workers`` processes (none: every :meth:`submit` returns None), started on first use.

    ``preload`` names the modules the fork server imports once, so a worker starts warm.
    """

    def __init__(self, name: str, workers: int, preload: Sequence[str] = ()) -> None:
        self.name = name
        self.workers = max(0, workers)
        self._preload = list(preload)
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T] | None:
        """Start ``fn(*args)`` in a worker; None when there are no workers or they failed."""
        if self.workers == 0:
            return None
        try:
            return self._started().submit(fn, *args)
        except Exception as exc:
            self._failed(exc)
            return None

    def split(self, fn: Callable[..., T], items: Sequence[Any], *args: Any) -> Waiting[T]:
        """Start ``fn(chunk, *args)`` on up to :attr:`workers` equal chunks of ``items``.

        Calling what it returns waits for them: each chunk's result in order, or None when there
        are no workers or any of them failed (the caller then does the work itself).
        """
        if self.workers == 0 or not items:
            return lambda: None
        step = -(-len(items) // self.workers)
        futures = [
            self.submit(fn, list(items[i : i + step]), *args) for i in range(0, len(items), step)
        ]

        def wait() -> list[T] | None:
            results = []
            for future in futures:
                result = self.result(future)
                if result is None:
                    return None
                results.append(result)
            return results

        return wait

    def result(self, future: Future[T] | None) -> T | None:
        """Wait for ``future``; None when it was not started or its worker failed."""
        if future is None:
            return None
        try:
            return future.result()
        except Exception as exc:
            self._failed(exc)
            return None

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(self._preload)
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=context,
                initializer=_start_worker,
                initargs=(os.getpid(),),
            )
        return self._pool

    def _failed(self, exc: BaseException) -> None:
        log.warning(
            "%s workers failed (%s: %s); doing the work in the daemon",
            self.name,
            type(exc).__name__,
            exc,
        )
        self.close()

    def peak_rss_kib(self) -> int:
        """The running workers' peak resident sets (VmHWM) summed, in KiB; 0 when none run.

        Linux only (``/proc``); for the memory benchmark, which must count the workers too.
        """
        pool = self._pool
        if pool is None:
            return 0
        total = 0
        # ProcessPoolExecutor keeps its processes by PID; there is no public accessor.
        for pid in list(getattr(pool, "_processes", None) or {}):
            with contextlib.suppress(OSError, ValueError):
                status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1])
        return total

    def close(self) -> None:
        """Stop the workers (started again when next needed); pending work is cancelled."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
