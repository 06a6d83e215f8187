"""Trim the text of a reply to what the person wrote: quotes first, then the signature.

The order matters: a signature or a client footer is recognised only once the quotes below it are
gone, and an answer written under a quote is kept before the signature under it is removed.
"""

from __future__ import annotations

from mailflow.inbound.reply_quotes import strip_quotes
from mailflow.inbound.reply_signature import strip_signature


def trim_reply(text: str) -> str:
    """The new part of a reply's text: quotes, forwards and signature removed, ends stripped."""
    # No-break spaces are how HTML and some clients pad text; a command reads better without them.
    return strip_signature(strip_quotes(text.replace("\xa0", " ")))
