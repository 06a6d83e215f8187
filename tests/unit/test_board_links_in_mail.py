"""The signed board links in mails: made at render time for the one reader, verifiable with the
board's own reader, and absent (the mail unchanged) when the board is not configured."""

from __future__ import annotations

import dataclasses
import email
import re
from collections.abc import Callable
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

import pytest

from mailflow.config.schema import Secret, WebSettings
from mailflow.domain.board_links import LinkExpiredError, Purpose, read_link
from mailflow.domain.meeting import AttendeeSpec
from mailflow.outbound.delivery.registry import render
from mailflow.outbound.delivery.render_ahead import ToRender, render_rows
from mailflow.outbound.kinds.answers.answer import AnswerKind, answer_payload
from mailflow.outbound.kinds.meetings.notice_mail import notice_payload
from mailflow.outbound.rendering.compose import RenderContext
from tests.unit import test_digest_mail as digest_tests
from tests.unit import test_followup_mail as followup_tests
from tests.unit import test_minutes_mail as minutes_tests
from tests.unit import test_notice as notice_tests

SECRET = "mail-link-secret-0123456789"
BASE = "https://board.example.org"
ENV = "MAILFLOW_TEST_MAIL_LINK_SECRET"
# A token is three dot-separated base64url parts; a feed's ends in ".ics", a page's has a path.
LINK = re.compile(
    r"https://board\.example\.org/(b|feed)/([\w-]+\.[\w-]+\.[\w-]+)(?:\.ics)?(/[^\s\"<>]*)?"
)
MEETING_ID = 7
DAYS_30 = timedelta(days=30)


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, SECRET)


def _notice(locale: str) -> dict[str, Any]:
    spec = notice_tests.meeting()
    bob = AttendeeSpec("bob@example.com", "Bob Li")
    return dict(
        notice_payload(spec, bob, kind="notice", locale=locale, timezone="Asia/Shanghai").to_json()
    )


def _answer(kind: AnswerKind) -> Callable[[str], dict[str, Any]]:
    def payload(locale: str) -> dict[str, Any]:
        return dict(
            answer_payload(
                kind=kind,
                locale=locale,
                subject="MF-0042 is done: do you accept it?",
                paragraphs=["Bob says MF-0042 is done.", "Reply ACCEPT or REJECT <reason>."],
                table=(["Ref", "Task"], [["MF-0042", "Draft the plan"]]),
            ).to_json()
        )

    return payload


# kind → (base context, stored payload for a locale, the one recipient).
Case = tuple[Callable[[], RenderContext], Callable[[str], dict[str, Any]], str]


def _of(module: Any, kind: str) -> Callable[[str], dict[str, Any]]:
    def payload(locale: str) -> dict[str, Any]:
        stored: dict[str, Any] = module.payload_of(kind, locale)
        return stored

    return payload


CASES: dict[str, Case] = {
    **{
        kind: (minutes_tests.context, _of(minutes_tests, kind), "bob@example.com")
        for kind in ("item_assignment", "item_receipt", "official_minutes")
    },
    **{
        kind: (followup_tests.context, _of(followup_tests, kind), "bob@example.com")
        for kind in ("item_reminder", "weekly_progress", "weekly_nudge", "escalation")
    },
    "digest": (digest_tests.context, digest_tests.payload_of, "Chen Jing <ceo@example.com>"),
    "notice": (notice_tests.context, _notice, "Bob Li <bob@example.com>"),
    **{
        kind: (digest_tests.context, _answer(kind), "alice@example.com")
        for kind in ("acceptance_request", "at_risk_prompt")
    },
}
LOCALES = ("en", "zh_CN", "zh_TW")


def configured(ctx: RenderContext, *, base_url: str = BASE, env: str | None = ENV) -> RenderContext:
    web = WebSettings(base_url=base_url, secret_key=Secret("web.secret_key", env=env))
    config = dataclasses.replace(ctx.config, web=web)
    return dataclasses.replace(ctx, config=config, meeting_id=MEETING_ID)


def bodies(msg: EmailMessage) -> tuple[str, str]:
    mail = email.message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert isinstance(mail, EmailMessage)
    text, markup = mail.get_body(("plain",)), mail.get_body(("html",))
    assert text is not None and markup is not None
    return text.get_content(), markup.get_content()


def mail(kind: str, locale: str, make: Callable[[RenderContext], RenderContext]) -> tuple[str, str]:
    base, payload, recipient = CASES[kind]
    ctx = make(base())
    return bodies(render(ctx, kind, [recipient], payload(locale)))


def links(body: str) -> list[tuple[str, str, str]]:
    return [(m.group(1), m.group(2), m.group(3) or "") for m in LINK.finditer(body)]


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", sorted(CASES))
def test_a_configured_board_gives_the_reader_links_that_verify(kind: str, locale: str) -> None:
    base, _, recipient = CASES[kind]
    now = base().now
    text, markup = mail(kind, locale, configured)
    found = links(text)
    assert found, text
    # The HTML has the text's links, and the refs in its tables link to their items.
    assert set(found) <= set(links(markup))
    for purpose, token, _path in found + links(markup):
        kind_of: Purpose = "feed" if purpose == "feed" else "board"
        link = read_link(SECRET, token, kind_of, now, DAYS_30)
        assert link.email == parseaddr(recipient)[1]
        assert link.issued_at == now
        # web.link_days later the board turns it away.
        with pytest.raises(LinkExpiredError):
            read_link(SECRET, token, kind_of, now + timedelta(days=31), DAYS_30)
    assert any(purpose == "b" and path == "/" for purpose, _, path in found)
    assert "30" in text


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        ("item_reminder", ""),  # three items: the board only
        ("escalation", "/item/MF-0043"),
        ("notice", f"/meeting/{MEETING_ID}"),
        ("official_minutes", f"/meeting/{MEETING_ID}"),
        ("item_assignment", f"/meeting/{MEETING_ID}"),
    ],
)
def test_a_mail_about_one_thing_links_to_its_page(kind: str, path: str) -> None:
    text, _ = mail(kind, "en", configured)
    paths = {p for purpose, _, p in links(text) if purpose == "b"}
    assert paths == ({"/", path} if path else {"/"})


def test_the_flusher_gives_the_renderer_the_rows_meeting() -> None:
    ctx = configured(notice_tests.context())
    row = ToRender("notice", ["bob@example.com"], _notice("en"), "<n1@example.com>", MEETING_ID)
    [wire] = render_rows([row], ctx.config, ctx.now)
    assert not isinstance(wire, str)
    sent = email.message_from_bytes(wire.data, policy=policy.default)
    assert isinstance(sent, EmailMessage)
    text, _ = bodies(sent)
    assert f"/meeting/{MEETING_ID}" in {path for _, _, path in links(text)}


def test_one_reminder_links_to_its_item_and_the_assignment_and_digest_to_the_feed() -> None:
    base, _, recipient = CASES["item_reminder"]
    payload = followup_tests.payload_of("item_reminder", "zh_CN", entries=followup_tests.DUE[:1])
    text, markup = bodies(render(configured(base()), "item_reminder", [recipient], payload))
    assert {p for _, _, p in links(text)} == {"/", "/item/MF-0042"}
    assert "本行动项：https://board.example.org/b/" in text
    assert "在看板中查看此行动项" in markup
    for kind, label in (("item_assignment", "订阅我的截止日期"), ("digest", "订阅我的截止日期")):
        text, markup = mail(kind, "zh_CN", configured)
        assert any(purpose == "feed" for purpose, _, _ in links(text))
        assert label in text and label in markup


def test_the_refs_in_the_digests_tables_link_to_their_items() -> None:
    _, markup = mail("digest", "zh_TW", configured)
    items = {path for purpose, _, path in links(markup) if path.startswith("/item/")}
    assert items == {"/item/MF-0041", "/item/MF-0043", "/item/MF-0044", "/item/MF-0050"}
    assert ">MF-0043</a></td>" in markup


def _unchanged(ctx: RenderContext) -> RenderContext:
    return ctx


@pytest.mark.parametrize("kind", sorted(CASES))
@pytest.mark.parametrize(
    "make",
    [
        lambda ctx: configured(ctx, base_url=""),
        lambda ctx: configured(ctx, env=None),
    ],
    ids=["no-base-url", "no-key"],
)
def test_without_a_url_or_a_key_the_mail_is_unchanged(
    kind: str, make: Callable[[RenderContext], RenderContext]
) -> None:
    for locale in LOCALES:
        before = mail(kind, locale, _unchanged)
        assert mail(kind, locale, make) == before
        assert "/b/" not in before[0] + before[1]


def test_a_plain_answer_carries_no_link() -> None:
    # An RSVP receipt or a refusal is about the reader's mail, not about a page of the board.
    base = digest_tests.context
    before = bodies(render(base(), "answer", ["alice@example.com"], _answer("answer")("en")))
    after = render(configured(base()), "answer", ["alice@example.com"], _answer("answer")("en"))
    assert bodies(after) == before


def test_a_mail_to_several_readers_carries_no_personal_link() -> None:
    base, payload, _ = CASES["official_minutes"]
    readers = ["bob@example.com", "carol@example.com"]
    plain = bodies(render(base(), "official_minutes", readers, payload("en")))
    assert bodies(render(configured(base()), "official_minutes", readers, payload("en"))) == plain


def test_a_mail_rendered_for_the_bot_itself_carries_no_link() -> None:
    # The archive renders the official minutes for the bot's address to keep their HTML page.
    base, payload, _ = CASES["official_minutes"]
    bot = [base().config.mail.bot_address]
    plain = bodies(render(base(), "official_minutes", bot, payload("en")))
    assert bodies(render(configured(base()), "official_minutes", bot, payload("en"))) == plain


def test_an_unreadable_key_sends_the_mail_without_links(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MAILFLOW_TEST_MAIL_LINK_MISSING", raising=False)
    before = mail("digest", "en", _unchanged)
    after = mail("digest", "en", lambda ctx: configured(ctx, env="MAILFLOW_TEST_MAIL_LINK_MISSING"))
    assert after == before
