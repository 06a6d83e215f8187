"""SmtpSender against the loopback relay: delivery, partial refusals, 4xx/5xx mapping, reconnect."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from email.message import EmailMessage

import pytest

from mailflow.adapters.smtp import SmtpSender
from mailflow.config.schema import Auth, Secret
from mailflow.dev.devstack import MailStack
from mailflow.dev.devstack.dovecot import free_port
from mailflow.errors import DeliveryError, PermanentDeliveryError, TemporaryDeliveryError

pytestmark = pytest.mark.integration

BOT = "bot@example.test"
ALICE = "alice@example.test"
BOB = "bob@example.test"


def _message(subject: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = BOT
    msg["To"] = ALICE
    msg["Subject"] = subject
    msg.set_content("See you there.\n")
    return msg


@pytest.fixture
def sender(mailstack: MailStack) -> Iterator[SmtpSender]:
    with SmtpSender(mailstack.smtp_settings(), None) as sender:
        yield sender


def test_a_batch_is_sent_over_one_connection(mailstack: MailStack, sender: SmtpSender) -> None:
    results = [sender.send(_message(f"n{n}"), sender=BOT, recipients=[ALICE]) for n in range(3)]

    assert [r.accepted for r in results] == [(ALICE,)] * 3
    assert all(r.refused == () for r in results)
    assert len(mailstack.messages(ALICE)) == 3
    assert len({envelope.peer for envelope in mailstack.smtp.received()}) == 1


def test_451_is_temporary_and_the_next_send_is_delivered(
    mailstack: MailStack, sender: SmtpSender
) -> None:
    mailstack.smtp.fail_next(451, "4.7.1 Try again later")

    with pytest.raises(TemporaryDeliveryError) as failure:
        sender.send(_message("Notice"), sender=BOT, recipients=[ALICE])
    assert failure.value.code == 451
    assert mailstack.messages(ALICE) == []

    result = sender.send(_message("Notice"), sender=BOT, recipients=[ALICE])
    assert result.accepted == (ALICE,)
    [raw] = mailstack.messages(ALICE)
    assert b"Subject: Notice" in raw


def test_one_refused_recipient_gives_a_partial_result(
    mailstack: MailStack, sender: SmtpSender
) -> None:
    result = sender.send(_message("Minutes"), sender=BOT, recipients=[ALICE, "nobody@example.test"])

    assert result.accepted == (ALICE,)
    [refusal] = result.refused
    assert (refusal.address, refusal.code, refusal.temporary) == ("nobody@example.test", 550, False)
    assert len(mailstack.messages(ALICE)) == 1


def test_every_recipient_refused_with_5xx_is_permanent(sender: SmtpSender) -> None:
    with pytest.raises(PermanentDeliveryError) as failure:
        sender.send(_message("x"), sender=BOT, recipients=["a@nowhere.test", "b@nowhere.test"])
    assert failure.value.code == 550
    assert failure.value.recipients == ("a@nowhere.test", "b@nowhere.test")


def test_every_recipient_refused_with_any_4xx_is_temporary(
    mailstack: MailStack, sender: SmtpSender
) -> None:
    mailstack.smtp.reject_recipient(BOB, 452, "4.2.2 Mailbox full")

    with pytest.raises(TemporaryDeliveryError) as failure:
        sender.send(_message("x"), sender=BOT, recipients=["a@nowhere.test", BOB])
    assert failure.value.code == 452


def test_5xx_at_data_is_permanent(mailstack: MailStack, sender: SmtpSender) -> None:
    mailstack.smtp.fail_next(554, "5.6.0 Message rejected")

    with pytest.raises(PermanentDeliveryError) as failure:
        sender.send(_message("x"), sender=BOT, recipients=[ALICE])
    assert failure.value.code == 554
    assert failure.value.recipients == (ALICE,)


def test_sender_refused_with_4xx_is_temporary(mailstack: MailStack, sender: SmtpSender) -> None:
    mailstack.smtp.fail_next(450, "4.7.1 Sender throttled", stage="mail")

    with pytest.raises(TemporaryDeliveryError) as failure:
        sender.send(_message("x"), sender=BOT, recipients=[ALICE])
    assert failure.value.code == 450


def test_dropped_connection_is_temporary_and_the_next_send_reconnects(
    mailstack: MailStack, sender: SmtpSender
) -> None:
    mailstack.smtp.drop_next_connection()

    with pytest.raises(TemporaryDeliveryError) as failure:
        sender.send(_message("lost"), sender=BOT, recipients=[ALICE])
    assert failure.value.code is None

    sender.send(_message("after"), sender=BOT, recipients=[ALICE])
    [raw] = mailstack.messages(ALICE)
    assert b"Subject: after" in raw


def test_421_closes_the_connection_and_the_next_send_reconnects(
    mailstack: MailStack, sender: SmtpSender
) -> None:
    mailstack.smtp.fail_next(421, "4.3.2 Shutting down", stage="rcpt")

    with pytest.raises(TemporaryDeliveryError) as failure:
        sender.send(_message("x"), sender=BOT, recipients=[ALICE])
    assert failure.value.code == 421

    assert sender.send(_message("y"), sender=BOT, recipients=[ALICE]).accepted == (ALICE,)


def test_nothing_listening_is_temporary(mailstack: MailStack) -> None:
    settings = mailstack.smtp_settings(port=free_port())

    with pytest.raises(TemporaryDeliveryError, match="cannot connect"), SmtpSender(settings, None):
        pass


def test_reconnect_happens_once_then_gives_up(mailstack: MailStack) -> None:
    with SmtpSender(mailstack.smtp_settings(), None) as sender:
        mailstack.smtp.drop_next_connection()
        with pytest.raises(TemporaryDeliveryError):
            sender.send(_message("x"), sender=BOT, recipients=[ALICE])
        mailstack.smtp.stop()
        try:
            with pytest.raises(TemporaryDeliveryError, match="cannot connect"):
                sender.send(_message("y"), sender=BOT, recipients=[ALICE])
        finally:
            mailstack.smtp.start()


def _login(mailstack: MailStack, auth: Auth, secret: str | Callable[[], str]) -> SmtpSender:
    settings = dataclasses.replace(mailstack.smtp_settings(), user=BOT, auth=auth)
    return SmtpSender(settings, secret)


@pytest.mark.parametrize(("auth", "mechanism"), [("password", "PLAIN"), ("xoauth2", "XOAUTH2")])
def test_login_with_a_password_or_an_oauth2_token(
    mailstack: MailStack, auth: Auth, mechanism: str
) -> None:
    # XOAUTH2's secret is an access token, read from its source at each login.
    reads: list[str] = []

    def token() -> str:
        reads.append("read")
        return mailstack.password

    with _login(mailstack, auth, token) as sender:
        result = sender.send(_message(f"via {auth}"), sender=BOT, recipients=[ALICE])

    assert result.accepted == (ALICE,) and reads == ["read"]
    envelope = mailstack.smtp.received()[-1]
    assert envelope.authenticated_as == f"{mechanism}:{BOT}"


def test_a_refused_token_stops_the_batch_as_a_login_failure(mailstack: MailStack) -> None:
    with pytest.raises(DeliveryError, match=r"login as bot@example\.test refused: 535") as caught:
        _login(mailstack, "xoauth2", "expired-token").open()
    assert not isinstance(caught.value, TemporaryDeliveryError | PermanentDeliveryError)


def test_a_failing_token_command_is_temporary(mailstack: MailStack) -> None:
    broken = Secret(
        "smtp.password", command=("sh", "-c", "echo 'refresh token revoked' >&2; exit 3")
    )
    with pytest.raises(TemporaryDeliveryError, match="exited 3: refresh token revoked"):
        _login(mailstack, "xoauth2", broken.reveal).open()
