"""Board links: signed per purpose, expiring by the caller's clock, revoked by a new key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mailflow.config.schema import Person
from mailflow.domain.board_access import is_executive, viewer_of
from mailflow.domain.board_links import (
    LinkError,
    LinkExpiredError,
    LinkInvalidError,
    read_link,
    sign_link,
)
from mailflow.web.guard import RateLimiter
from mailflow.web.texts import choose_lang

AT = datetime(2025, 4, 5, 2, 0, tzinfo=UTC)
MONTH = timedelta(days=30)


def test_a_link_reads_back_as_its_viewer_and_purpose() -> None:
    token = sign_link("k", "Alice@Example.TEST", "board", AT)
    link = read_link("k", token, "board", AT + timedelta(days=29), MONTH)
    assert (link.email, link.purpose, link.issued_at) == ("alice@example.test", "board", AT)


def test_expired_tampered_other_purpose_and_rotated_key_are_refused() -> None:
    token = sign_link("k", "alice@example.test", "board", AT)
    with pytest.raises(LinkExpiredError):
        read_link("k", token, "board", AT + MONTH + timedelta(seconds=1), MONTH)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(LinkInvalidError):
        read_link("k", tampered, "board", AT, MONTH)
    with pytest.raises(LinkInvalidError):
        read_link("k", token, "feed", AT, MONTH)
    with pytest.raises(LinkInvalidError):
        read_link("rotated", token, "board", AT, MONTH)
    with pytest.raises(LinkInvalidError):
        read_link("k", "not-a-token", "board", AT, MONTH)
    # Signed "in the future" (a clock stepped back): not honoured either.
    with pytest.raises(LinkInvalidError):
        ahead = sign_link("k", "a@b.c", "board", AT + timedelta(hours=1))
        read_link("k", ahead, "board", AT, MONTH)


def test_no_key_no_link() -> None:
    with pytest.raises(LinkError):
        sign_link("", "alice@example.test", "board", AT)


def test_executives_by_role_or_as_someones_manager() -> None:
    people = (
        Person("ceo@example.test", "CEO", role="总经理"),
        Person("boss@example.test", "Boss"),
        Person("bob@example.test", "Bob", manager="boss@example.test"),
    )
    assert is_executive("CEO@example.test", people)
    assert is_executive("boss@example.test", people)
    assert not is_executive("bob@example.test", people)
    assert viewer_of("Bob@Example.test", people).name == "Bob"


@pytest.mark.parametrize(
    ("query", "cookie", "header", "expected"),
    [
        (None, None, "zh-CN,zh;q=0.9,en;q=0.8", "zh_CN"),
        (None, None, "zh-TW", "zh_TW"),
        (None, None, "zh-HK,en;q=0.5", "zh_TW"),
        (None, None, "en-GB,zh-CN;q=0.5", "en"),
        (None, None, "fr, zh-Hant;q=0.4", "zh_TW"),
        (None, None, None, "en"),
        (None, "zh_TW", "en", "zh_TW"),
        ("en", "zh_TW", "zh-CN", "en"),
        ("xx", None, "zh-CN", "zh_CN"),
    ],
)
def test_the_language(
    query: str | None, cookie: str | None, header: str | None, expected: str
) -> None:
    assert choose_lang(query, cookie, header) == expected


def test_the_token_bucket_refills_with_the_clock() -> None:
    now = [0.0]
    limiter = RateLimiter(3, lambda: now[0])
    assert [limiter.allow("ip:a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("ip:b")  # another client has its own bucket
    now[0] += 20.0  # one token back per 20 s at 3 a minute
    assert limiter.allow("ip:a") and not limiter.allow("ip:a")
    # A request charged to two keys is refused when either is empty, and spends neither.
    assert not limiter.allow("ip:a", "token:t")
    assert limiter.allow("token:t")


def test_links_for_mails() -> None:
    from mailflow.domain.board_links import board_url, feed_url

    url = board_url("https://board.example.test/", "k", "Bob@example.test", AT, "/item/MF-0042")
    assert url.startswith("https://board.example.test/b/") and url.endswith("/item/MF-0042")
    token = url.split("/b/", 1)[1].split("/", 1)[0]
    assert read_link("k", token, "board", AT, MONTH).email == "bob@example.test"
    feed = feed_url("https://board.example.test", "k", "bob@example.test", AT)
    token = feed.rsplit("/", 1)[1].removesuffix(".ics")
    assert read_link("k", token, "feed", AT, MONTH).purpose == "feed"
    # No public URL or no key: mails carry no link.
    assert board_url("", "k", "bob@example.test", AT) == feed_url("https://b", "", "b@x", AT) == ""
