"""Whether two addresses are the same mailbox: case, and the organisation's alias domains.

Pure. Mail systems compare domains without case and, in practice, local parts too; an
organisation often has more than one domain for the same mailboxes (``example.com`` and
``example.cn``), configured as ``[mail.alias_domains]``. Every check of *who* sent something —
the organiser of a meeting, the attendee of an answer, the owner of an item — compares
:func:`canonical` forms, so an alias domain is neither refused nor a way around a check.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


class Identities:
    """The canonical form of an address under a set of alias domains."""

    def __init__(self, aliases: Iterable[tuple[str, str]] = ()) -> None:
        self._aliases: Mapping[str, str] = {a.lower(): c.lower() for a, c in aliases}

    def canonical(self, address: str) -> str:
        """``address`` stripped, lower-cased, its domain put under its canonical name."""
        local, at, domain = address.strip().strip("<>").lower().rpartition("@")
        if not at:
            return domain
        return f"{local}@{self._aliases.get(domain, domain)}"

    def same(self, one: str | None, other: str | None) -> bool:
        """Whether ``one`` and ``other`` name the same mailbox (False when either is missing)."""
        if not one or not other:
            return False
        return self.canonical(one) == self.canonical(other)


PLAIN = Identities()
