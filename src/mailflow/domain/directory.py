"""Answer "who is this?" for what people write in mail: addresses, @aliases, names, departments.

The minutes parser (``ACTION: @bob ...``), attendee lists and escalation all ask a
:class:`Directory`. It is pure: built from the validated people of the configuration, no I/O.

How :meth:`Directory.resolve` reads a token, first rule that matches wins:

1. An address (``bob@example.com``, ``Bob <bob@example.com>``, ``mailto:...``): that person.
2. Otherwise, with any leading ``@`` removed, the token is compared (Unicode NFKC, case-insensitive,
   whitespace collapsed; Chinese names therefore match exactly) with, in order of precedence,
   a person's aliases, their full name, the local part of their address, and finally a department
   name, which means that department's head. The first rule with any match decides: one person
   is *found*, several are *ambiguous* (the candidates are listed so the caller can ask back).

A department's head is the person of that department whose role is one of :data:`HEAD_ROLES`
("head", "负责人", ...); the people loader reports a department with two heads. A person's
executive is their ``manager`` if set, else the head of their department (unless they are that
head).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Literal

from mailflow.config.schema import Person

Status = Literal["found", "ambiguous", "unknown"]
Via = Literal["email", "alias", "name", "local part", "department"]
# Roles that make a person the head of their department, compared after `normalise`.
HEAD_ROLES = frozenset({"head", "department head", "dept head", "负责人", "部门负责人"})


def is_head(person: Person) -> bool:
    """Whether ``person`` heads their department (their role is one of HEAD_ROLES)."""
    return person.role is not None and normalise(person.role) in HEAD_ROLES


@dataclass(frozen=True)
class Resolution:
    """What a token names: one person, several candidates, or nobody."""

    token: str
    status: Status
    person: Person | None = None
    candidates: tuple[Person, ...] = ()
    via: Via | None = None  # which rule matched, for messages such as "matched by alias"

    @property
    def found(self) -> bool:
        return self.status == "found"

    @property
    def ambiguous(self) -> bool:
        return self.status == "ambiguous"


def normalise(text: str) -> str:
    """The comparison form of a word: NFKC (full-width → half-width), casefolded, one space."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


class Directory:
    """The organisation's people, indexed for lookup; see the module docstring for the rules."""

    def __init__(self, people: Iterable[Person]) -> None:
        self._people = tuple(people)
        self._by_email: dict[str, Person] = {}
        self._indexes: dict[Via, dict[str, list[Person]]] = {
            "alias": {},
            "name": {},
            "local part": {},
            "department": {},
        }
        for person in self._people:
            self._by_email.setdefault(person.email.lower(), person)
            for alias in person.aliases:
                self._add("alias", alias, person)
            self._add("name", person.name, person)
            self._add("local part", person.email.partition("@")[0], person)
            if person.department and is_head(person):
                self._add("department", person.department, person)

    def _add(self, via: Via, word: str, person: Person) -> None:
        found = self._indexes[via].setdefault(normalise(word), [])
        if person not in found:
            found.append(person)

    def __iter__(self) -> Iterator[Person]:
        return iter(self._people)

    def __len__(self) -> int:
        return len(self._people)

    def by_email(self, address: str) -> Person | None:
        """The person with this address (case-insensitive), or None."""
        return self._by_email.get(address.strip().lower())

    def resolve(self, token: str) -> Resolution:
        """Who ``token`` names: an address, ``@alias``, alias, name or department."""
        text = unicodedata.normalize("NFKC", token).strip()
        address = _address(text)
        if address is not None:
            person = self.by_email(address)
            if person is None:
                return Resolution(token, "unknown")
            return Resolution(token, "found", person, (person,), "email")
        word = normalise(text.removeprefix("@"))
        for via, index in self._indexes.items():
            matches = index.get(word, [])
            if len(matches) == 1:
                return Resolution(token, "found", matches[0], (matches[0],), via)
            if matches:
                return Resolution(token, "ambiguous", None, tuple(matches), via)
        return Resolution(token, "unknown")

    def department_head(self, department: str) -> Person | None:
        """The head of ``department`` (name compared like a token), or None if it has not one."""
        heads = self._indexes["department"].get(normalise(department), [])
        return heads[0] if len(heads) == 1 else None

    def executive_of(self, person: Person) -> Person | None:
        """Where ``person``'s overdue work escalates: their manager, else their department head."""
        if person.manager:
            return self.by_email(person.manager)
        head = self.department_head(person.department) if person.department else None
        return head if head is not None and head.email != person.email else None

    def management_chain(self, person: Person) -> tuple[Person, ...]:
        """``executive_of`` repeated upwards, nearest first; stops at the top or at a loop."""
        chain: list[Person] = []
        seen = {person.email}
        current = self.executive_of(person)
        while current is not None and current.email not in seen:
            chain.append(current)
            seen.add(current.email)
            current = self.executive_of(current)
        return tuple(chain)


def _address(text: str) -> str | None:
    """The address in ``text`` if it is one (bare, ``mailto:`` or ``Name <addr>``), else None."""
    if "<" in text and text.endswith(">"):
        text = parseaddr(text)[1]
    text = text.removeprefix("mailto:")
    local, at, domain = text.partition("@")
    if at and local and "." in domain and " " not in text:
        return text
    return None
