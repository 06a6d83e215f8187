"""Turn pydantic's validation errors into our problems: a key path, a line and a message.

pydantic locates an error by a tuple (``("schedule", "calendar", "extra_holidays", 2)``); we print
it as the key path a person finds in the file (``schedule.calendar.extra_holidays[2]``). Messages
of our own validators (:func:`mailflow.config.fields.problem`) are kept word for word; pydantic's
own errors about the shape of the file (a missing key, an unknown key, a table where a value was
expected) are said as the rest are, an unknown key with a "did you mean" hint from the keys the
table may have (:func:`file_keys`).
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple, get_args, get_origin, get_type_hints

from mailflow.config.fields import FileName, NotInFile, suggest, type_name
from mailflow.config.secret import Secret
from mailflow.errors import ConfigProblem

if TYPE_CHECKING:
    from pydantic import ValidationError

_TABLE_ERRORS = ("dataclass_type", "dataclass_exact_type", "dict_type", "model_type")
_ARRAY_ERRORS = ("tuple_type", "list_type", "iterable_type")
_MISSING = ("missing", "missing_argument", "missing_keyword_only_argument")
_UNKNOWN = ("unexpected_keyword_argument", "extra_forbidden", "unexpected_positional_argument")


def _nowhere(_key: str) -> int | None:
    return None


class Problems:
    """Collects problems for one source file; ``locate`` maps a key path to its line.

    With an ``anchor`` the problem's key is the anchor and the path goes into the message: a
    people file reports ``people.file: row 4: email: ...`` because the key path the person wrote
    in the main config is ``people.file``, while the row is what they must look at.
    """

    def __init__(
        self,
        source: str | None,
        locate: Callable[[str], int | None] = _nowhere,
        *,
        anchor: str | None = None,
        items: list[ConfigProblem] | None = None,
    ) -> None:
        self.source = source
        self.locate = locate
        self.anchor = anchor
        self.items: list[ConfigProblem] = [] if items is None else items

    def add(self, path: str, message: str) -> None:
        line = self.locate(path)
        if self.anchor is None:
            self.items.append(ConfigProblem(path, message, line, self.source))
        else:
            self.items.append(ConfigProblem(self.anchor, f"{path}: {message}", line, self.source))

    def at_line(self, line: int) -> Problems:
        """A view that adds to the same list but reports every problem on ``line``."""
        return Problems(self.source, lambda _key: line, anchor=self.anchor, items=self.items)

    def report_errors(
        self, error: ValidationError, table: type, *, prefix: str = "", sep: str = "."
    ) -> None:
        """Add each error of validating a ``table`` written at ``prefix`` (``row 3``, joined by
        ``sep``, or a key path)."""
        for item in error.errors(include_url=False):
            loc = _as_written(table, item["loc"])
            context = item.get("ctx") or {}
            if context.get("at"):
                loc[-1:] = [context["at"]]
            self.add(key_path(loc, prefix, sep), _message(item, table, loc))


def key_path(loc: Sequence[str | int], prefix: str = "", sep: str = ".") -> str:
    """``("a", "b", 2)`` as ``a.b[2]``, after ``prefix`` and ``sep`` when there is one."""
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not path:
            path = part
        else:
            path += f"{sep if path == prefix else '.'}{part}"
    return path


def _message(item: Any, table: type, loc: list[str | int]) -> str:
    kind, value = item["type"], item["input"]
    if kind == "config":
        return str(item["ctx"]["message"])
    if kind in _MISSING:
        return "is required but missing"
    if kind in _UNKNOWN:
        return f"unknown key{suggest(str(loc[-1]), sorted(_keys_at(table, loc[:-1])))}"
    if kind in _TABLE_ERRORS:
        return f"expected a table, got {type_name(value)}"
    if kind in _ARRAY_ERRORS:
        return f"expected an array, got {type_name(value)}"
    return str(item["msg"])


class Key(NamedTuple):
    """What a key of a table holds: a sub-table (its dataclass), an array of tables (``array``),
    a :class:`Secret`, or a value (``table`` None); and the dataclass field it fills."""

    table: type | None
    array: bool = False
    field: str | None = None


_VALUE = Key(None)


def _as_written(table: type, loc: Sequence[str | int]) -> list[str | int]:
    """pydantic's location with each field named as the file writes it (``people.person``)."""
    written: list[str | int] = []
    kind: type | None = table
    for part in loc:
        if isinstance(part, str) and kind is not None:
            keys = file_keys(kind).items()
            part, key = next(((n, k) for n, k in keys if k.field == part), (part, _VALUE))
            kind = key.table
        written.append(part)
    return written


def _keys_at(table: type, loc: Sequence[str | int]) -> dict[str, Key]:
    """The keys the table at ``loc`` (below ``table``) may have."""
    kind: type | None = table
    for part in loc:
        if isinstance(part, str):
            kind = file_keys(kind).get(part, _VALUE).table if kind is not None else None
    return file_keys(kind) if kind is not None else {}


@cache
def file_keys(table: type) -> dict[str, Key]:
    """The keys a table of dataclass ``table`` may have in the file, and what each holds.

    A key is the field's name, or its :class:`FileName`; a secret ``password`` is written as
    ``password_env``, ``password_file`` or ``password_command`` (``password`` itself is refused
    with its own message). Fields the loader sets (:data:`NotInFile`) are not keys.
    """
    if not dataclasses.is_dataclass(table):
        return {}
    hints = get_type_hints(table, include_extras=True)
    keys: dict[str, Key] = {}
    for field in dataclasses.fields(table):
        kind, extras = hints[field.name], list[object]()
        if get_origin(kind) is Annotated:
            kind, *extras = get_args(kind)
        if NotInFile in extras:
            continue
        name = next((e.name for e in extras if isinstance(e, FileName)), field.name)
        if kind is Secret:
            keys.update({f"{name}{end}": _VALUE for end in ("_env", "_file", "_command")})
        array = get_origin(kind) is tuple
        element = get_args(kind)[0] if array else kind
        if element is Secret or (isinstance(element, type) and dataclasses.is_dataclass(element)):
            keys[name] = Key(typing.cast(type, element), array, field.name)
        else:
            keys[name] = Key(None, field=field.name)
    return keys
