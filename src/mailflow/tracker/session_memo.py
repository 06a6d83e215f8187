"""Reads remembered for one transaction: asked once, however many messages of a batch ask.

A value is kept in the session's ``info`` together with the root transaction it was read in, so
the next transaction (the next batch, a redo message by message, the next planning pass) reads
afresh. Whoever changes what a value was read from in the same transaction forgets it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session

T = TypeVar("T")
_PREFIX = "mailflow.memo:"


def remembered(session: Session, key: str, read: Callable[[], T]) -> T:
    """``read()`` once per transaction of ``session`` under ``key``."""
    transaction = session.get_transaction()
    kept = session.info.get(_PREFIX + key)
    if kept is not None and transaction is not None and kept[0] is transaction:
        value: T = kept[1]
        return value
    value = read()
    session.info[_PREFIX + key] = (transaction, value)
    return value


def forget(session: Session, key: str) -> None:
    session.info.pop(_PREFIX + key, None)
