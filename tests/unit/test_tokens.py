"""Signed reply tokens in the bot's plus-address: round trip, forgery, case, address handling."""

from __future__ import annotations

import pytest

from mailflow.domain.tokens import Token, reply_address, sign, token_of, verify

SECRET = b"correct horse battery staple"
BOT = "meetings@example.com"


def test_sign_then_verify_round_trips() -> None:
    token = sign(SECRET, "m", 42)
    assert token.startswith("m42.")
    assert verify(SECRET, token) == Token("m", "42")


def test_refs_may_be_text() -> None:
    assert verify(SECRET, sign(SECRET, "d", "2025-w11")) == Token("d", "2025-w11")


def test_signing_is_deterministic() -> None:
    assert sign(SECRET, "i", 7) == sign(SECRET, "i", 7)
    assert sign(SECRET, "i", 7) != sign(SECRET, "i", 8)
    assert sign(SECRET, "i", 7) != sign(SECRET, "m", 7)


def test_a_changed_ref_is_refused() -> None:
    signature = sign(SECRET, "m", 42).partition(".")[2]
    assert verify(SECRET, f"m43.{signature}") is None
    assert verify(SECRET, f"i42.{signature}") is None


def test_a_changed_signature_is_refused() -> None:
    token = sign(SECRET, "m", 42)
    last = token[-1]
    forged = token[:-1] + ("a" if last != "a" else "b")
    assert verify(SECRET, forged) is None


def test_a_token_signed_with_another_secret_is_refused() -> None:
    assert verify(b"another secret", sign(SECRET, "m", 42)) is None


def test_an_empty_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="non-empty secret"):
        sign(b"", "m", 42)
    assert verify(b"", sign(SECRET, "m", 42)) is None


@pytest.mark.parametrize(
    "garbage",
    ["", "m42", "m42.", ".abcdefghij", "m42.abc", "m42.abcdefghij1", "42.abcdefghij", "m 42.x"],
)
def test_malformed_tokens_are_refused(garbage: str) -> None:
    assert verify(SECRET, garbage) is None


def test_trailing_text_is_refused() -> None:
    # A regex anchored with "$" would let a newline through after the signature.
    token = sign(SECRET, "m", 42)
    assert verify(SECRET, token + "\n") is None
    assert verify(SECRET, token + "x") is None


@pytest.mark.parametrize(("kind", "ref"), [("mm", 1), ("", 1), ("中", 1), ("m", "a.b"), ("m", "")])
def test_bad_kinds_and_refs_are_refused_when_signing(kind: str, ref: str | int) -> None:
    with pytest.raises(ValueError, match="cannot make a token"):
        sign(SECRET, kind, ref)


def test_an_uppercased_address_still_verifies() -> None:
    # Some servers and clients upper-case the local part on the way back.
    address = reply_address(BOT, sign(SECRET, "m", "q2review")).upper()
    token = token_of(address, BOT)
    assert token is not None
    assert verify(SECRET, token) == Token("m", "q2review")


def test_reply_address_and_token_of_round_trip() -> None:
    token = sign(SECRET, "m", 42)
    address = reply_address(BOT, token)
    assert address == f"meetings+{token}@example.com"
    assert token_of(address, BOT) == token


@pytest.mark.parametrize(
    "address",
    [
        "meetings@example.com",  # no token at all
        "meetings+@example.com",  # an empty one
        "other+m42.abcdefghij@example.com",  # somebody else's plus-address
        "meetings+m42.abcdefghij@example.org",  # another domain
    ],
)
def test_token_of_other_addresses_is_none(address: str) -> None:
    assert token_of(address, BOT) is None
