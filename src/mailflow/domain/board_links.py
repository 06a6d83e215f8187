"""Signed, expiring links to the web board: one token says who may look and for what.

Used by the web app (``mailflow.web``) to read a link and by mail rendering to write one, so it
imports no web framework: itsdangerous only (``URLSafeTimedSerializer``). A token carries the
viewer's address and the link's *purpose*; each purpose signs with its own salt, so a calendar
feed's token never opens the board and the other way round. The key is ``web.secret_key``:
rotating it revokes every link at once.

Time is an argument: ``issued_at`` when signing and ``now`` when reading, so tests step a clock
instead of sleeping. A link older than ``max_age`` is :class:`LinkExpiredError` (the page says to
ask for a fresh one); anything else that does not verify is :class:`LinkInvalidError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from mailflow.errors import MailflowError

Purpose = Literal["board", "feed"]
PURPOSES: tuple[Purpose, ...] = ("board", "feed")
_SALT = "mailflow.web."


class LinkError(MailflowError):
    """A board link that cannot be honoured."""


class LinkInvalidError(LinkError):
    """Tampered, signed with another key (rotated), or made for another purpose."""


class LinkExpiredError(LinkError):
    """Correctly signed but older than the links' lifetime."""


@dataclass(frozen=True)
class Link:
    """What a verified token says: who is looking, for what, and since when."""

    email: str
    purpose: Purpose
    issued_at: datetime


class _FixedTimeSigner(TimestampSigner):
    """A TimestampSigner whose "now" is given, so the caller's clock decides the timestamp."""

    def __init__(self, *args: Any, issued_at: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._issued_at = issued_at

    def get_timestamp(self) -> int:
        return self._issued_at


def sign_link(secret: str, email: str, purpose: Purpose, issued_at: datetime) -> str:
    """The URL-safe token for ``email`` and ``purpose``, issued at ``issued_at`` (aware)."""
    if not secret:
        raise LinkError("no key to sign board links with (web.secret_key)")
    serializer = URLSafeTimedSerializer(
        secret,
        salt=_SALT + purpose,
        signer=_FixedTimeSigner,
        signer_kwargs={"issued_at": int(issued_at.timestamp())},
    )
    token: str = serializer.dumps({"e": email.strip().lower()})
    return token


def read_link(secret: str, token: str, purpose: Purpose, now: datetime, max_age: timedelta) -> Link:
    """The link ``token`` stands for. Raises LinkExpiredError or LinkInvalidError."""
    serializer = URLSafeTimedSerializer(secret, salt=_SALT + purpose)
    try:
        data, signed = serializer.loads(token, return_timestamp=True)
    except SignatureExpired as exc:  # pragma: no cover - loads without max_age never expires
        raise LinkExpiredError("the link has expired") from exc
    except (BadData, UnicodeError, ValueError) as exc:
        raise LinkInvalidError("the link is not valid") from exc
    if not isinstance(data, dict) or not isinstance(data.get("e"), str) or not data["e"]:
        raise LinkInvalidError("the link is not valid")
    issued: datetime = signed.astimezone(now.tzinfo)
    # A link from the future (a clock stepped back) is as suspect as a tampered one.
    if issued - now > timedelta(minutes=5):
        raise LinkInvalidError("the link is not valid")
    if now - issued > max_age:
        raise LinkExpiredError("the link has expired")
    return Link(email=data["e"], purpose=purpose, issued_at=issued)


def board_url(base_url: str, secret: str, email: str, issued_at: datetime, path: str = "/") -> str:
    """The board link a mail gives ``email``: ``base_url`` + ``/b/<token>`` + ``path``; "" when
    the board has no public URL or no key (the mail then carries no link)."""
    if not base_url or not secret:
        return ""
    token = sign_link(secret, email, "board", issued_at)
    return f"{base_url.rstrip('/')}/b/{token}{path if path.startswith('/') else '/' + path}"


def feed_url(base_url: str, secret: str, email: str, issued_at: datetime) -> str:
    """The calendar feed link of ``email``; "" without a public URL or a key."""
    if not base_url or not secret:
        return ""
    return f"{base_url.rstrip('/')}/feed/{sign_link(secret, email, 'feed', issued_at)}.ics"
