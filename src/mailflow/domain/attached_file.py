"""A file someone attached to their mail, as mailflow passes it on (a deliverable to accept)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class File:
    name: str
    content_type: str
    data: bytes | None  # None: too large to carry, named only
