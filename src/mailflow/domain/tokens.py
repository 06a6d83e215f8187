"""Signed reply tokens in the bot's plus-address: ``bot+m42.k3xf9abq2c@example.com``.

A token names what a reply is about (``m`` meeting, ``i`` action item, ``d`` digest …, then the
id) and carries a truncated HMAC-SHA256 over it, so a reply is routed by the address it was sent
to even when the client dropped In-Reply-To, and a forged address is recognised. Lower-case
base32 only: some servers lower-case the local part. Pure: the secret is an argument.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

_SIG_LEN = 10
_TOKEN = re.compile(r"(?P<kind>[a-z])(?P<ref>[0-9a-z-]{1,40})\.(?P<sig>[a-z2-7]{10})")


@dataclass(frozen=True)
class Token:
    kind: str
    ref: str


def _signature(secret: bytes, kind: str, ref: str) -> str:
    digest = hmac.new(secret, f"{kind}{ref}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:_SIG_LEN]


def sign(secret: bytes, kind: str, ref: str | int) -> str:
    """The token text for ``kind`` (one letter) and ``ref``; raises ValueError on a bad kind/ref."""
    ref = str(ref).lower()
    if not secret:
        raise ValueError("a reply token needs a non-empty secret (mail.token_secret_env/_file)")
    # ASCII only: a kind such as "中" would make a token that verify() can never accept.
    if not re.fullmatch(r"[a-z]", kind.lower()) or not re.fullmatch(r"[0-9a-z-]{1,40}", ref):
        raise ValueError(f"cannot make a token of kind {kind!r} and ref {ref!r}")
    return f"{kind.lower()}{ref}.{_signature(secret, kind.lower(), ref)}"


def verify(secret: bytes, token: str) -> Token | None:
    """The Token when ``token`` is well-formed and its signature is right, else None."""
    # fullmatch, not "^...$": "$" also matches before a trailing newline.
    match = _TOKEN.fullmatch(token.lower())
    if match is None or not secret:
        return None
    kind, ref, sig = match["kind"], match["ref"], match["sig"]
    if not hmac.compare_digest(sig, _signature(secret, kind, ref)):
        return None
    return Token(kind, ref)


def reply_address(bot_address: str, token: str) -> str:
    local, _, domain = bot_address.partition("@")
    return f"{local}+{token}@{domain}"


def token_of(address: str, bot_address: str) -> str | None:
    """The token in ``address`` when it is the bot's plus-address, else None; the bot's own
    address may be a plus-address too (``team+mf+m42.k3xf9abq2c@`` for ``team+mf@``)."""
    local, _, domain = address.lower().partition("@")
    bot_local, _, bot_domain = bot_address.lower().partition("@")
    base, plus, token = local.partition(f"{bot_local}+")
    if base or not plus or not token or domain != bot_domain:
        return None
    return token
