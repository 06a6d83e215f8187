"""The forms words are compared in: Traditional Chinese read as Simplified, and NFKC-casefolded.

Minutes from the Taipei office say 負責, 於, 下週三, 會議決議; the parsers' words are Simplified.
:func:`simplified` maps the text with OpenCC's Traditional-to-Simplified table (the converter the
field uses, not a hand-made list), keeping its length: an index into the simplified text is an
index into the original, so what a parser cuts out (a task, a name) can be taken from the text
as written. Text without a Traditional character comes back unchanged. :func:`normalise` is the
form names, aliases, departments and roles are compared in.

This module sits below both the domain and the configuration (it imports nothing of mailflow):
the people loader checks roles with the same comparison the directory uses
(``docs/architecture.md``).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import opencc

_CONVERTER = opencc.OpenCC("t2s")


@lru_cache(maxsize=4096)
def simplified(text: str) -> str:
    """``text`` with Traditional characters as Simplified ones, the same length as ``text``."""
    if text.isascii():
        return text
    converted: str = _CONVERTER.convert(text)
    if len(converted) == len(text):
        return converted
    # A phrase rule changed the length: convert character by character instead.
    return "".join(_char(ch) for ch in text)


@lru_cache(maxsize=8192)
def _char(ch: str) -> str:
    converted: str = _CONVERTER.convert(ch)
    return converted if len(converted) == 1 else ch


def normalise(text: str) -> str:
    """The comparison form of a word: NFKC (full-width → half-width), casefolded, one space,
    Simplified characters."""
    return simplified(" ".join(unicodedata.normalize("NFKC", text).casefold().split()))
