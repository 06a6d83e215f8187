"""The declarative base of the tracker schema: naming convention and Python-to-SQL type map."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, MetaData
from sqlalchemy.orm import DeclarativeBase

from mailflow.tracker.coltypes import UTCDateTime

# Every constraint gets a predictable name so that Alembic (and SQLite's batch mode, which
# recreates tables) can find and alter it later on both backends.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The sentinel for "the whole series" in per-occurrence keys. NULL would not work there: SQL
# treats NULLs as distinct, so a unique constraint would let one person answer the series twice.
WHOLE_SERIES = ""


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Every datetime in the tracker is an instant; local wall times live only at the edges.
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        dict[str, Any] | None: JSON(),
        list[str]: JSON(),
    }


def recurrence_key(recurrence_id: datetime | None) -> str:
    """The per-occurrence key for an attendee answer: WHOLE_SERIES, or the UTC instant as iCal text.

    >>> recurrence_key(datetime(2025, 3, 10, 2, 0, tzinfo=UTC))
    '20250310T020000Z'
    """
    if recurrence_id is None:
        return WHOLE_SERIES
    if recurrence_id.tzinfo is None:
        raise ValueError("recurrence_id must be timezone-aware")
    return recurrence_id.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
