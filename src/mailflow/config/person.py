"""One person of the people directory, and the rules each of their fields obeys.

A person is written as a row of a CSV file, a ``[[person]]`` table of a TOML file or a
``[[people.person]]`` table of the main config; :mod:`mailflow.config.people` validates each
against :class:`Person` and then checks the directory as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from mailflow.config.fields import (
    LOCALES,
    Check,
    Email,
    Lower,
    OptionalText,
    Text,
    Zone,
    mistyped,
    problem,
    table,
    text,
)
from mailflow.text_forms import normalise


def _alias(value: object) -> str:
    """An alias without a leading "@"; one word because minutes write it as ``@bob``."""
    if not isinstance(value, str):
        raise mistyped(value, "a string")
    alias = value.strip().removeprefix("@").removeprefix("＠")
    if not alias or any(ch.isspace() or ch == "@" for ch in alias):
        raise problem(f"{value!r} is not an alias: use one word without spaces or @")
    return alias


def _once_each(aliases: tuple[str, ...]) -> tuple[str, ...]:
    kept: list[str] = []
    for alias in aliases:
        if alias.casefold() not in (a.casefold() for a in kept):
            kept.append(alias)
    return tuple(kept)


def _locale(value: object) -> str | None:
    """The person's locale as mailflow names it; "zh-TW" and "zh_tw" are read as zh_TW."""
    written = text(value, blank=True)
    if written is None:
        return None
    known = {locale.lower(): locale for locale in LOCALES}
    locale = known.get(written.replace("-", "_").lower())
    if locale is None:
        raise problem(f"{written!r} is not one of {', '.join(LOCALES)}")
    return locale


_Name = Check("after", lambda name: " ".join(name.split()))
_Aliases = Check("after", _once_each)


@table
@dataclass(frozen=True)
class Person:
    email: Annotated[str, Text, Email, Lower]
    name: Annotated[str, Text, _Name]
    aliases: Annotated[tuple[Annotated[str, Check("plain", _alias)], ...], _Aliases] = ()
    department: Annotated[str | None, OptionalText] = None
    role: Annotated[str | None, OptionalText] = None
    # The email of the person's executive / manager.
    manager: Annotated[str | None, OptionalText, Email, Lower] = None
    locale: Annotated[str | None, Check("plain", _locale)] = None
    timezone: Annotated[str | None, OptionalText, Zone] = None


# Roles that make a person the head of their department, compared after `normalise`. Here, next
# to Person, because the people loader (two heads for one department) and the directory both ask.
HEAD_ROLES = frozenset({"head", "department head", "dept head", "负责人", "部门负责人"})


def is_head(person: Person) -> bool:
    """Whether ``person`` heads their department (their role is one of HEAD_ROLES)."""
    return person.role is not None and normalise(person.role) in HEAD_ROLES
