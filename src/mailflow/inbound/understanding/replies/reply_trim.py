"""Trim the text of a reply to what the person wrote: quotes, then signature, then sign-off.

The order matters: a signature or a client footer is recognised only once the quotes below it are
gone, an answer written under a quote is kept before the signature under it is removed, and the
closing ("Regards,\nJohn") is the last thing left above where the signature was.
"""

from __future__ import annotations

from collections.abc import Callable

from mailflow.inbound.understanding.replies.reply_quotes import strip_quotes
from mailflow.inbound.understanding.replies.reply_signature import strip_signature, tidy
from mailflow.inbound.understanding.replies.reply_signoff import Sender, strip_sign_off

__all__ = ["Sender", "trim_reply"]


def trim_reply(
    text: str,
    *,
    sender: Sender | Callable[[], Sender | None] | None = None,
    keep_sign_off: bool = False,
) -> str:
    """The new part of a reply's text: quotes, forwards, signature and sign-off removed.

    ``sender`` (the From header, or a function that reads it when needed) lets the sender's own
    name and address under the text go as a signature too.
    ``keep_sign_off`` keeps the closing and the name under it, as the shared corpora's ground
    truth does (Discourse shows them in the post; talon leaves them to its signature stage).
    """
    # No-break spaces are how HTML and some clients pad text; a command reads better without them.
    text = strip_signature(strip_quotes(text.replace("\xa0", " ")))
    if keep_sign_off or not text:
        return text
    return "\n".join(tidy(strip_sign_off(text.split("\n"), sender)))
