"""Read Traditional Chinese as Simplified, one character for one, so positions stay valid.

Minutes from the Taipei office say 負責, 於, 下週三, 會議決議; the parsers' words are Simplified.
:func:`simplified` maps the text with OpenCC's Traditional-to-Simplified table (the converter the
field uses, not a hand-made list), keeping its length: an index into the simplified text is an
index into the original, so what a parser cuts out (a task, a name) can be taken from the text
as written. Text without a Traditional character comes back unchanged.
"""

from __future__ import annotations

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
