"""What every outbox payload shares: the JSON it is stored as, its version, and strict readers.

Each outbox kind has a frozen dataclass payload (beside its renderer) that knows its ``KIND``,
writes itself with ``to_json()`` (``"v"``: its version) and reads itself back with ``from_json()``.
A row outlives the code that wrote it, so reading is strict about types and lenient about age: a
row without ``"v"`` is version 0 (the same fields, written before versions were recorded). A row
that does not fit raises :class:`PayloadError` naming the field; the renderer registry turns it
into a :class:`~mailflow.outbound.rendering.compose.RenderError` and the flusher parks the row with
it.

The JSON boundary is typed as ``object``: what ``json.loads`` gives, checked field by field here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, time
from typing import ClassVar, Protocol

# A payload as it is stored (written) and as it comes back from the database (read).
JSONObject = dict[str, object]
StoredJSON = Mapping[str, object]


class PayloadError(ValueError):
    """A stored payload does not fit its kind: which field, and what is wrong with it."""


class OutboxPayload(Protocol):
    """A typed payload: the outbox stores ``to_json()`` under the row kind ``KIND``, a class
    constant, so the kind and the payload cannot disagree."""

    KIND: ClassVar[str]

    def to_json(self) -> JSONObject: ...


def version(data: StoredJSON, current: int) -> int:
    """The payload's version: 0 when absent; one newer than ``current`` cannot be read."""
    found = data.get("v", 0)
    if isinstance(found, bool) or not isinstance(found, int) or not 0 <= found <= current:
        raise PayloadError(f"v: version {found!r} is newer than this mailflow reads")
    return found


@contextmanager
def decoding() -> Iterator[None]:
    """Read a payload with the codecs of its parts: whatever is missing or of the wrong type
    becomes a :class:`PayloadError` that shows the original error."""
    try:
        yield
    except PayloadError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PayloadError(repr(exc)) from exc


def obj(value: object, key: str) -> StoredJSON:
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise PayloadError(f"{key}: expected an object")
    return value


def text(data: StoredJSON, key: str, *, where: str = "") -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise PayloadError(f"{where}{key}: expected text, not {type(value).__name__}")
    return value


def opt_text(data: StoredJSON, key: str, *, where: str = "") -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise PayloadError(f"{where}{key}: expected text, not {type(value).__name__}")
    return value


def texts(value: object, key: str) -> tuple[str, ...]:
    """A list of texts; null or absent is empty."""
    if value is None:
        return ()
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise PayloadError(f"{key}: expected a list of texts")
    return tuple(value)


def items(value: object, key: str) -> tuple[object, ...]:
    """A list of anything (each element checked by the caller); null or absent is empty."""
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise PayloadError(f"{key}: expected a list, not {type(value).__name__}")
    return tuple(value)


def integer(data: StoredJSON, key: str, *, where: str = "") -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PayloadError(f"{where}{key}: expected a whole number, not {type(value).__name__}")
    return value


def opt_integer(data: StoredJSON, key: str, *, where: str = "") -> int | None:
    return None if data.get(key) is None else integer(data, key, where=where)


def flag(data: StoredJSON, key: str, default: bool, *, where: str = "") -> bool:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise PayloadError(f"{where}{key}: expected true or false, not {type(value).__name__}")
    return value


def moment(data: StoredJSON, key: str, *, where: str = "", aware: bool = False) -> datetime:
    raw = text(data, key, where=where)
    try:
        when = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise PayloadError(f"{where}{key}: {raw!r} is not an ISO time") from exc
    if aware and when.tzinfo is None:
        raise PayloadError(f"{where}{key}: {raw!r} has no UTC offset")
    return when


def opt_moment(
    data: StoredJSON, key: str, *, where: str = "", aware: bool = False
) -> datetime | None:
    return None if not data.get(key) else moment(data, key, where=where, aware=aware)


def day(data: StoredJSON, key: str, *, where: str = "") -> date:
    raw = text(data, key, where=where)
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise PayloadError(f"{where}{key}: {raw!r} is not an ISO date") from exc


def opt_day(data: StoredJSON, key: str, *, where: str = "") -> date | None:
    return None if not data.get(key) else day(data, key, where=where)


def opt_clock(data: StoredJSON, key: str, *, where: str = "") -> time | None:
    if not data.get(key):
        return None
    raw = text(data, key, where=where)
    try:
        return time.fromisoformat(raw)
    except ValueError as exc:
        raise PayloadError(f"{where}{key}: {raw!r} is not an ISO time of day") from exc


def iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
