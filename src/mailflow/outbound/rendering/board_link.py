"""The signed board links a mail gives its one recipient, made when the mail is rendered.

A link is personal: it carries the reader's address (``domain.board_links``), so only a mail to
exactly one recipient carries links, and nothing of them is stored in the outbox payload. They
are signed with ``web.secret_key`` at the render's ``now`` and expire after ``web.link_days``
(the board checks the age). Without ``web.base_url`` or a key, :func:`links_for` is None and the
mail reads as it always did.

The key is resolved once per process (a ``secret_key_command`` is not run for every mail); one
that cannot be read (its environment variable unset) is logged once and the mails go out without
links rather than failing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import getaddresses
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from mailflow.config.schema import Secret
from mailflow.domain.board_links import board_url, feed_url
from mailflow.errors import ConfigError
from mailflow.outbound.rendering.compose import RenderContext

log = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def signing_key(secret: Secret) -> str:
    """``web.secret_key``'s value, read once per process; "" when unset or unreadable."""
    try:
        return secret.reveal()
    except ConfigError as exc:
        log.warning("mails carry no board links: %s", exc)
        return ""


@dataclass(frozen=True)
class BoardLinks:
    """One reader's links: ``home`` (``…/b/<token>/``), ``feed`` (their calendar), and for how
    many ``days`` they work."""

    home: str
    feed: str
    days: int

    def page(self, path: str) -> str:
        return self.home + path.lstrip("/")

    def item(self, ref: str) -> str:
        return self.page(f"item/{quote(ref, safe='')}")

    def meeting(self, meeting_id: int) -> str:
        return self.page(f"meeting/{meeting_id}")


def links_for(ctx: RenderContext, recipients: Sequence[str]) -> BoardLinks | None:
    """The links of the mail's one reader; None for several readers, the bot itself, or an
    unconfigured board."""
    web = ctx.config.web
    people = getaddresses(list(recipients))
    if not web.base_url or len(people) != 1 or not people[0][1]:
        return None
    key = signing_key(web.secret_key)
    if not key:
        return None
    email = people[0][1]
    if email.strip().lower() == ctx.config.mail.bot_address.strip().lower():
        # A mail rendered for the bot itself (the archive's minutes page) is nobody's to open.
        return None
    return BoardLinks(
        home=board_url(web.base_url, key, email, ctx.now),
        feed=feed_url(web.base_url, key, email, ctx.now),
        days=web.link_days,
    )


def board_values(
    links: BoardLinks | None, *, item: str = "", meeting_id: int | None = None, feed: bool = False
) -> dict[str, Any] | None:
    """What the templates show (``board`` in their context): the board, the one page the mail is
    about (``page_kind`` item or meeting), the calendar feed when ``feed``; None: no links."""
    if links is None:
        return None
    page, kind = "", ""
    if item:
        page, kind = links.item(item), "item"
    elif meeting_id is not None:
        page, kind = links.meeting(meeting_id), "meeting"
    return {
        "home": links.home,
        "page": page,
        "page_kind": kind,
        "feed": links.feed if feed else "",
        "days": links.days,
        "item": links.item,
    }
