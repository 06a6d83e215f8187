"""One daemon per SQLite file: an exclusive ``flock`` on ``<db file>.lock`` held for its life.

SQLite serves one process well, but two ``mailflow serve`` on one file would both poll the mailbox
and both send the outbox (SQLite has no ``SKIP LOCKED``), so the second one is refused at start with
a message that says who holds the file and what to use instead. PostgreSQL needs no such lock:
replicas coordinate through leases and row locks there.

``flock`` locks belong to the open file, so the kernel drops the lock when the holder exits in any
way, SIGKILL included: a crashed daemon never leaves a stale lock behind. The holder's pid is
written into the file only to name it in the refusal.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import URL, make_url

from mailflow.errors import AlreadyRunningError, StorageError


class DatabaseLock:
    """An exclusive lock on ``path``, held until :meth:`release` or the end of the process."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    def release(self) -> None:
        """Unlock and close; safe to call twice. The file stays (removing it would race)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def sqlite_file(url: str | URL) -> Path | None:
    """The database file of a SQLite URL, however it is spelled (relative, ``~``, a symlink, a
    URI filename ``file:/path/mf.db?mode=rwc`` with ``?uri=true``); None for PostgreSQL and for
    in-memory databases. One file is one lock, so no spelling can start a second daemon on it."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database.startswith("file:"):
        target = urlsplit(database)
        options = parse_qs(target.query)
        mode = options.get("mode", [""])[0] or str(parsed.query.get("mode", ""))
        if mode == "memory" or not target.path or target.path == ":memory:":
            return None
        database = unquote(target.path)
    if not database or database == ":memory:":
        return None
    return Path(database).expanduser().resolve()


def lock_database(url: str | URL) -> DatabaseLock | None:
    """Lock a SQLite database for this process; None (nothing to lock) for PostgreSQL.

    Raises :class:`AlreadyRunningError` when another process holds the lock.
    """
    database = sqlite_file(url)
    if database is None:
        return None
    path = database.with_name(database.name + ".lock")
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
        # os.open makes a descriptor that child processes do not inherit, so a subprocess the
        # daemon starts cannot keep the lock alive after the daemon is gone.
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StorageError(f"cannot open the lock file {path}: {exc.strerror}") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_pid(fd)
        os.close(fd)
        raise AlreadyRunningError(
            f"another mailflow serve is using {database} (pid {holder}); SQLite allows one "
            "daemon — use PostgreSQL for several replicas"
        ) from None
    except OSError as exc:
        os.close(fd)
        raise StorageError(f"cannot lock {path}: {exc.strerror}") from exc
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return DatabaseLock(path, fd)


def _read_pid(fd: int) -> str:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        text = ""
    return text if text.isdigit() else "unknown"
