"""The email policy for every message mailflow reads or writes: ``policy.default``, remembering.

``policy.default`` parses a header again every time it is read or set (and builds a new header
class for it each time), and that happens
constantly: the parser reads each part's Content-Type several times, ``get_content_type``,
``get_param`` and ``get_filename`` read it again, and building a message sets the same
Content-Type / Content-Transfer-Encoding lines on every part of every mail. Without a cache most
of a full parse of an inbound message went to re-parsing the same few lines (measured with
``benchmarks/inbound_throughput.py``: the parse is ≈ 3.5x faster with it), and a good part of
rendering a notice too. Parsed header objects are immutable values, so sharing one between reads
(and between messages with the same header line) changes nothing a caller can see.
"""

from __future__ import annotations

import email.policy
from email.headerregistry import BaseHeader, HeaderRegistry
from functools import lru_cache
from typing import Any

# Header lines longer than this are parsed every time, so a hostile message cannot fill the cache.
_MAX_CACHED_HEADER_CHARS = 2000
# Reads repeat within a message and common lines (text/plain; charset=utf-8) across messages, so
# a few hundred entries hit as often as 4096 did; 4096 kept ≈ 40 MB of parse trees alive.
_CACHED_HEADERS = 256


class _RememberingHeaderRegistry(HeaderRegistry):
    """``policy.default``'s header factory, remembering the header objects it has built."""

    def __init__(self) -> None:
        super().__init__()
        self._cached = lru_cache(maxsize=_CACHED_HEADERS)(super().__call__)
        self._classes = lru_cache(maxsize=256)(super().__getitem__)

    def __getitem__(self, name: str) -> type[BaseHeader]:
        # The stdlib builds a new header class at every lookup, and one is looked up whenever a
        # header is set (for its max count) or parsed; one class per name does the same job.
        header_class: type[BaseHeader] = self._classes(name.lower())
        return header_class

    def __call__(self, name: str, value: Any) -> BaseHeader:
        # Only plain strings are cache keys: a value being set may be an Address list.
        if type(value) is str and len(value) <= _MAX_CACHED_HEADER_CHARS:
            header: BaseHeader = self._cached(name, value)
            return header
        return super().__call__(name, value)


POLICY = email.policy.default.clone(header_factory=_RememberingHeaderRegistry())
