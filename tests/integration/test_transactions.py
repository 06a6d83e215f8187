"""A unit of work against a real SQLite file another connection has locked (``BEGIN IMMEDIATE``).

The lock is the database's trouble, not the data's: the work is rolled back and run again after
the backoff, and only when every attempt met the lock does ``TransientStorageError`` come out,
with SQLAlchemy's error underneath. A constraint the data breaks is ``StorageError`` at once; the
work's own error passes unchanged. The sleep is injected: nothing here waits on the wall clock
beyond SQLite's own 50 ms lock wait.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from mailflow.errors import StorageError, TransientStorageError
from mailflow.tracker.transactions import ONCE, Retry, in_transaction


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "locked.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    return path


@pytest.fixture
def engine(database: Path) -> Iterator[Engine]:
    # A short lock wait, so a held lock fails the statement in 50 ms rather than mailflow's 10 s.
    made = create_engine(f"sqlite:///{database}", connect_args={"timeout": 0.05})
    yield made
    made.dispose()


@pytest.fixture
def holder(database: Path) -> Iterator[sqlite3.Connection]:
    """Another connection holding the write lock until the test lets go."""
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    yield connection
    if connection.in_transaction:
        connection.execute("ROLLBACK")
    connection.close()


def _bodies(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return [row[0] for row in connection.execute(text("SELECT body FROM notes ORDER BY id"))]


def _write(calls: list[int], body: str = "note") -> Callable[[Session], int]:
    def work(session: Session) -> int:
        calls.append(1)
        session.execute(text("INSERT INTO notes (body) VALUES (:body)"), {"body": body})
        return len(calls)

    return work


def test_a_lock_held_through_every_attempt_is_transient(
    engine: Engine, holder: sqlite3.Connection
) -> None:
    calls: list[int] = []
    waited: list[float] = []
    retry = Retry(attempts=3, base=0.2, cap=5.0, sleep=waited.append)
    with pytest.raises(TransientStorageError) as raised:
        in_transaction(sessionmaker(engine), _write(calls), retry=retry)
    assert isinstance(raised.value, StorageError)
    assert isinstance(raised.value.__cause__, OperationalError)
    assert "locked" in str(raised.value)
    assert len(calls) == 3
    # The backoff of mailflow.retry: full jitter in [d/2, d], d doubling from the base.
    assert len(waited) == 2
    assert 0.1 <= waited[0] <= 0.2 and 0.2 <= waited[1] <= 0.4
    holder.execute("ROLLBACK")
    assert _bodies(engine) == []


def test_a_lock_let_go_during_the_backoff_is_waited_out(
    engine: Engine, holder: sqlite3.Connection
) -> None:
    calls: list[int] = []
    waited: list[float] = []

    def sleep(seconds: float) -> None:
        waited.append(seconds)
        holder.execute("ROLLBACK")  # the other writer commits its short transaction meanwhile

    work = _write(calls, "written once")
    result = in_transaction(sessionmaker(engine), work, retry=Retry(sleep=sleep))
    assert result == 2 and len(calls) == 2 and len(waited) == 1
    assert _bodies(engine) == ["written once"]


def test_the_datas_fault_is_a_storage_error_at_once(engine: Engine) -> None:
    calls: list[int] = []
    waited: list[float] = []

    def duplicate(session: Session) -> None:
        calls.append(1)
        session.execute(text("INSERT INTO notes (id, body) VALUES (1, 'a')"))
        session.execute(text("INSERT INTO notes (id, body) VALUES (1, 'b')"))

    with pytest.raises(StorageError) as raised:
        in_transaction(sessionmaker(engine), duplicate, retry=Retry(sleep=waited.append))
    assert not isinstance(raised.value, TransientStorageError)
    assert isinstance(raised.value.__cause__, IntegrityError)
    assert calls == [1] and waited == []
    assert _bodies(engine) == []  # rolled back


def test_the_works_own_error_passes_unchanged_and_rolls_back(engine: Engine) -> None:
    def half_done(session: Session) -> None:
        session.execute(text("INSERT INTO notes (body) VALUES ('half')"))
        raise ValueError("a bug in the work")

    with pytest.raises(ValueError, match="a bug in the work"):
        in_transaction(sessionmaker(engine), half_done, retry=ONCE)
    assert _bodies(engine) == []


def test_once_tries_once(engine: Engine, holder: sqlite3.Connection) -> None:
    calls: list[int] = []
    with pytest.raises(TransientStorageError):
        in_transaction(sessionmaker(engine), _write(calls), retry=ONCE)
    assert calls == [1]


def test_a_unit_of_work_is_tried_at_least_once() -> None:
    with pytest.raises(ValueError, match="at least once"):
        Retry(attempts=0)
