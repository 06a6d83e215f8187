"""Properties of signed reply tokens: what is signed verifies, and nothing else does.

A token is ``<kind><ref>.<signature>``, lower case (some servers lower-case the local part, so a
change of case alone is no change). Any other change of one character, a character more or
fewer, or another secret makes it fail; the bot's plus-address carries it there and back.
"""

from __future__ import annotations

import string

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from mailflow.domain.tokens import Token, reply_address, sign, token_of, verify

KINDS = st.sampled_from(string.ascii_letters)
REFS = st.one_of(
    st.integers(0, 10**12),
    st.text(string.ascii_letters + string.digits + "-", min_size=1, max_size=40),
)
SECRETS = st.binary(min_size=1, max_size=64)
# What a mangled address may hold: letters of either case, digits, the token's "." and "-", and
# characters a mail client or a forger might put there.
REPLACEMENTS = st.sampled_from(string.ascii_letters + string.digits + ".-_+@ \n\t0é中")
# Local parts and domains a bot address may have (RFC 5321 atoms, without "+": see below).
LOCALS = st.text(string.ascii_letters + string.digits + "._-", min_size=1, max_size=20)
DOMAINS = st.lists(
    st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=10), min_size=2, max_size=4
).map(".".join)


@settings(deadline=None, max_examples=300)
@given(SECRETS, KINDS, REFS)
def test_what_is_signed_verifies_as_itself(secret: bytes, kind: str, ref: str | int) -> None:
    token = sign(secret, kind, ref)
    assert token == token.lower() and token.isascii()
    assert token.startswith(f"{kind.lower()}{str(ref).lower()}.")
    assert verify(secret, token) == Token(kind.lower(), str(ref).lower())
    # A server that upper-cases the local part changes nothing.
    assert verify(secret, token.upper()) == verify(secret, token)


@settings(deadline=None, max_examples=300)
@given(SECRETS, KINDS, REFS, st.data())
def test_any_other_single_character_change_fails(
    secret: bytes, kind: str, ref: str | int, data: st.DataObject
) -> None:
    token = sign(secret, kind, ref)
    at = data.draw(st.integers(0, len(token) - 1), label="position")
    replacement = data.draw(REPLACEMENTS, label="replacement")
    assume(replacement.lower() != token[at])  # a change of case only is the same token
    changed = token[:at] + replacement + token[at + 1 :]
    assert verify(secret, changed) is None


@settings(deadline=None, max_examples=200)
@given(SECRETS, KINDS, REFS, st.data())
def test_a_character_more_or_fewer_fails(
    secret: bytes, kind: str, ref: str | int, data: st.DataObject
) -> None:
    token = sign(secret, kind, ref)
    at = data.draw(st.integers(0, len(token)), label="position")
    inserted = token[:at] + data.draw(REPLACEMENTS, label="inserted") + token[at:]
    assert verify(secret, inserted) is None
    dropped = token[: min(at, len(token) - 1)] + token[min(at, len(token) - 1) + 1 :]
    assert verify(secret, dropped) is None


@settings(deadline=None, max_examples=200)
@given(SECRETS, SECRETS, KINDS, REFS)
def test_a_token_signed_with_another_secret_fails(
    secret: bytes, other: bytes, kind: str, ref: str | int
) -> None:
    assume(secret != other)
    assert verify(other, sign(secret, kind, ref)) is None
    assert sign(other, kind, ref) != sign(secret, kind, ref)


@settings(deadline=None, max_examples=200)
@given(SECRETS, KINDS, REFS, LOCALS, DOMAINS, st.booleans())
# A bot whose own address is a plus-address (a shared mailbox's sub-address).
@example(b"k", "m", 42, "team+meetings", "example.com", False)
def test_the_plus_address_carries_the_token_there_and_back(
    secret: bytes, kind: str, ref: str | int, local: str, domain: str, shouted: bool
) -> None:
    bot = f"{local}@{domain}"
    token = sign(secret, kind, ref)
    address = reply_address(bot, token)
    assert address.endswith(f"+{token}@{domain}")
    if shouted:  # some servers and clients upper-case the whole address on the way back
        address = address.upper()
    assert token_of(address, bot) == token
    assert verify(secret, token_of(address, bot) or "") == Token(kind.lower(), str(ref).lower())
    # Somebody else's plus-address, or the bot's at another domain, carries no token.
    assert token_of(f"x{address}", bot) is None
    assert token_of(address.rpartition("@")[0] + "@other.invalid", bot) is None
