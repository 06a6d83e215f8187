"""Authentication-Results read per RFC 8601: comments, quoted strings, our own authserv-id only,
DMARC/DKIM/SPF aligned with the From domain. Header values as real servers write them."""

from __future__ import annotations

from email.message import Message

import pytest

from mailflow.inbound.reading.auth_results import check, parse_header

OURS = ("mx.example.com",)


def headers(from_: str, *results: str) -> Message:
    msg = Message()
    for value in results:
        msg["Authentication-Results"] = value
    msg["From"] = from_
    return msg


def test_a_header_with_comments_and_quoted_strings_is_read_whole() -> None:
    header = parse_header(
        "mx.example.com (Postfix; a comment; with (nested) parts); "
        'dkim=pass (2048-bit key; secure) header.d=example.org header.i="@example.org"; '
        "spf=pass (mx.example.com: domain of bounce@example.org designates 1.2.3.4) "
        "smtp.mailfrom=bounce@example.org; dmarc=pass (p=reject dis=none) header.from=example.org"
    )
    assert header is not None and header.authserv_id == "mx.example.com"
    assert [(r.method, r.result) for r in header.results] == [
        ("dkim", "pass"),
        ("spf", "pass"),
        ("dmarc", "pass"),
    ]
    assert header.results[0].props["header.i"] == "@example.org"
    assert header.results[2].props["header.from"] == "example.org"


@pytest.mark.parametrize(
    "value",
    [
        "mx.example.com; dkim=pass header.d=example.org",
        "mx.example.com; dmarc=pass (p=none) header.from=example.org",
        "mx.example.com; spf=pass smtp.mailfrom=news.example.org",
        "MX.Example.com;\r\n dkim = pass header.d = mail.example.org",
        "mx.example.com 1; arc=none; dkim=pass header.d=example.org",
    ],
)
def test_our_servers_pass_for_the_from_domain(value: str) -> None:
    assert check(headers("Alice <alice@example.org>", value), OURS).authenticated


@pytest.mark.parametrize(
    ("values", "why"),
    [
        # The sender wrote a header with another id (or ours is absent).
        (["attacker.example; dkim=pass header.d=example.org"], "our own"),
        # dmarc=pass for another domain is no pass for this From.
        (["mx.example.com; dmarc=pass header.from=evil.example"], "neither"),
        # A ";" in a comment once cut the header short and left "dkim=pass" for the wrong domain.
        (
            [
                "mx.example.com; dkim=fail (reason; dkim=pass header.d=example.org) "
                "header.d=evil.example"
            ],
            "neither",
        ),
        # DKIM passed, but for the sender's own domain.
        (
            [
                "mx.example.com; dkim=pass header.d=evil.example; "
                "spf=pass smtp.mailfrom=evil.example"
            ],
            "neither",
        ),
        ([], "our own"),
    ],
)
def test_forged_or_unaligned_results_are_not_believed(values: list[str], why: str) -> None:
    verdict = check(headers("Alice <alice@example.org>", *values), OURS)
    assert not verdict.authenticated and why in verdict.reason


def test_a_forged_header_below_ours_does_not_count_but_ours_does() -> None:
    forged_first = headers(
        "alice@example.org",
        "mx.example.com; dkim=fail header.d=example.org",
        "mx.example.com; dkim=pass header.d=example.org",  # our id, but written by the sender?
    )
    # Every header with our id counts: our border removes headers carrying its id (RFC 8601 5).
    assert check(forged_first, OURS).authenticated
    assert not check(headers("alice@example.org", "mx.example.com; dkim=fail"), OURS).authenticated


def test_without_configured_ids_only_the_topmost_header_counts() -> None:
    msg = headers(
        "alice@example.org",
        "top.example; dkim=fail header.d=example.org",
        "lower.example; dkim=pass header.d=example.org",
    )
    assert not check(msg).authenticated


def test_no_single_from_address_is_never_authenticated() -> None:
    ok = "mx.example.com; dkim=pass header.d=example.org"
    assert not check(headers("", ok), OURS).authenticated
    assert not check(headers("a@example.org, b@example.org", ok), OURS).authenticated
