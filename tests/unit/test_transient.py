"""Which SQLAlchemy errors are the database's trouble (retried, never blamed on the input) and which
are the data's (``tracker.db.is_transient``), and how the tree draws them."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import (
    DisconnectionError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
)

from mailflow.errors import MailflowError, StorageError, TransientStorageError
from mailflow.tracker.db import is_transient


class PgError(Exception):
    """What psycopg raises: the SQLSTATE on ``sqlstate``."""

    def __init__(self, state: str) -> None:
        super().__init__(state)
        self.sqlstate = state


@pytest.mark.parametrize(
    "state",
    [
        "08006",  # connection failure
        "08001",  # cannot connect now
        "40001",  # serialization failure
        "40P01",  # deadlock detected
        "55P03",  # lock not available (lock_timeout)
        "57P01",  # admin shutdown (the server restarting)
        "53100",  # disk full
    ],
)
def test_postgresql_states_of_the_databases_trouble(state: str) -> None:
    assert is_transient(OperationalError("x", {}, PgError(state)))


@pytest.mark.parametrize(
    "state",
    [
        "54000",  # program limit exceeded: an index row too large is the data's
        "22001",  # string data right truncation
        "42P01",  # undefined table: a schema behind is not waited out
    ],
)
def test_postgresql_states_of_the_datas_fault(state: str) -> None:
    assert not is_transient(OperationalError("x", {}, PgError(state)))


@pytest.mark.parametrize(
    "message",
    [
        "database is locked",
        "database table is locked",
        "database or disk is full",
        "unable to open database file",
        "disk I/O error",
    ],
)
def test_sqlite_says_it_in_words(message: str) -> None:
    assert is_transient(OperationalError("x", {}, sqlite3.OperationalError(message)))


def test_lost_connections_are_transient_whatever_the_words() -> None:
    assert is_transient(InterfaceError("x", {}, Exception("cursor already closed")))
    assert is_transient(DisconnectionError("pool pre-ping failed"))
    invalidated = ProgrammingError("x", {}, Exception("?"), connection_invalidated=True)
    assert is_transient(invalidated)


def test_the_datas_faults_are_not_transient() -> None:
    assert not is_transient(OperationalError("x", {}, sqlite3.OperationalError("no such table")))
    assert not is_transient(IntegrityError("x", {}, Exception("duplicate key")))
    assert not is_transient(ProgrammingError("x", {}, Exception("syntax error")))
    assert not is_transient(ValueError("a bug"))


def test_transient_storage_errors_sit_under_storage_errors() -> None:
    assert issubclass(TransientStorageError, StorageError)
    assert issubclass(StorageError, MailflowError)
