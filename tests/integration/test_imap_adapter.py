"""ImapMailbox against a real Dovecot: UIDs, fetch, move, UIDVALIDITY, IDLE, restarts, errors."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from datetime import UTC

import pytest

from mailflow.adapters.imap import ImapMailbox, connect_with_backoff
from mailflow.config.schema import Secret
from mailflow.dev.devstack import BOT, MailStack
from mailflow.errors import MailboxError, MailboxUnavailableError

pytestmark = pytest.mark.integration


def _raw(subject: str) -> bytes:
    return f"From: alice@example.test\r\nTo: {BOT}\r\nSubject: {subject}\r\n\r\nbody\r\n".encode()


@pytest.fixture
def mailbox(mailstack: MailStack) -> Iterator[ImapMailbox]:
    with ImapMailbox(mailstack.imap_settings(), mailstack.password) as mailbox:
        yield mailbox


def test_mail_sent_over_smtp_is_fetched_by_uid_without_being_marked_seen(
    mailstack: MailStack, mailbox: ImapMailbox
) -> None:
    mailstack.send(_raw("Agenda"), "alice@example.test", [BOT])
    mailbox.select()

    [uid] = mailbox.uids_after(0)
    [message] = mailbox.fetch([uid])

    assert message.uid == uid
    assert b"Subject: Agenda" in message.raw
    assert message.size == len(message.raw)
    assert message.internaldate is not None
    assert message.internaldate.tzinfo == UTC
    # BODY.PEEK[]: the message is processed before anything marks it read.
    assert b"\\Seen" not in mailbox.client.get_flags([uid])[uid]


def test_uids_after_the_last_one_is_empty(mailstack: MailStack, mailbox: ImapMailbox) -> None:
    mailbox.select()
    assert mailbox.uids_after(0) == []
    mailstack.append(BOT, _raw("one"))
    [uid] = mailbox.uids_after(0)

    # The server answers "UID n:*" with the highest UID even when it is below n.
    assert mailbox.uids_after(uid) == []
    mailstack.append(BOT, _raw("two"))
    assert mailbox.uids_after(uid) == [uid + 1]


def test_fetch_returns_every_message_in_uid_order_across_batches(mailstack: MailStack) -> None:
    for n in range(5):
        mailstack.append(BOT, _raw(f"message {n}"))
    settings = mailstack.imap_settings(batch_size=2)
    with ImapMailbox(settings, mailstack.password) as mailbox:
        mailbox.select()
        uids = mailbox.uids_after(0)
        # A UID that no longer exists is skipped, not an error.
        fetched = list(mailbox.fetch([*reversed(uids), max(uids) + 100]))

    assert [m.uid for m in fetched] == uids
    assert [f"Subject: message {n}".encode() in m.raw for n, m in enumerate(fetched)] == [True] * 5


def test_move_to_processed_and_flag(mailstack: MailStack, mailbox: ImapMailbox) -> None:
    mailstack.append(BOT, _raw("done"))
    mailstack.append(BOT, _raw("kept"))
    mailbox.ensure_folders()
    mailbox.ensure_folders()  # Idempotent: a second start must not fail.
    mailbox.select()
    done, kept = mailbox.uids_after(0)

    mailbox.move([done], "mailflow/processed")
    mailbox.flag([kept], "$MailflowSeen")

    [moved] = mailstack.messages(BOT, "mailflow/processed")
    assert b"Subject: done" in moved
    assert mailbox.uids_after(0) == [kept]
    assert b"$MailflowSeen" in mailbox.client.get_flags([kept])[kept]


def test_move_without_the_move_extension_copies_and_expunges_only_those_uids(
    mailstack: MailStack, mailbox: ImapMailbox
) -> None:
    for subject in ("a", "b"):
        mailstack.append(BOT, _raw(subject))
    mailbox.ensure_folders()
    mailbox.select()
    first, second = mailbox.uids_after(0)

    # Dovecot always offers MOVE, so the fallback for servers without it is called directly.
    mailbox._copy_and_expunge([first], "mailflow/quarantine")

    assert mailbox.uids_after(0) == [second]
    assert len(mailstack.messages(BOT, "mailflow/quarantine")) == 1


def test_uidvalidity_changes_when_a_folder_is_recreated(mailbox: ImapMailbox) -> None:
    mailbox.client.create_folder("scratch")
    before = mailbox.select("scratch")
    assert before == mailbox.select("scratch")
    mailbox.client.close_folder()
    mailbox.client.delete_folder("scratch")
    mailbox.client.create_folder("scratch")

    assert mailbox.select("scratch") != before


def test_idle_reports_mail_that_arrives_during_idle(
    mailstack: MailStack, mailbox: ImapMailbox
) -> None:
    mailbox.select()

    def deliver_once_idling() -> None:
        mailstack.dovecot.wait_until_idle(BOT)
        mailstack.send(_raw("news"), "alice@example.test", [BOT])

    sender = threading.Thread(target=deliver_once_idling)
    sender.start()
    try:
        # Dovecot notifies about 500 ms after the change; the bound is generous on purpose.
        assert mailbox.idle_wait(10) is True
    finally:
        sender.join()
    assert len(mailbox.uids_after(0)) == 1


def test_idle_without_news_returns_false_at_its_timeout(mailbox: ImapMailbox) -> None:
    mailbox.select()
    assert mailbox.idle_wait(0.2) is False
    mailbox.noop()  # The connection is still usable after IDLE.


def test_idle_needs_a_selected_folder(mailbox: ImapMailbox) -> None:
    with pytest.raises(MailboxError, match="select"):
        mailbox.idle_wait(0.1)


def test_dovecot_restart_during_idle_is_unavailable_and_a_reconnect_sees_new_mail(
    mailstack: MailStack,
) -> None:
    settings = mailstack.imap_settings()
    mailbox = ImapMailbox(settings, mailstack.password).connect()
    mailbox.select()

    def restart_once_idling() -> None:
        mailstack.dovecot.wait_until_idle(BOT)
        mailstack.dovecot.restart()

    restarter = threading.Thread(target=restart_once_idling)
    restarter.start()
    try:
        with pytest.raises(MailboxUnavailableError):
            mailbox.idle_wait(10)
    finally:
        restarter.join()
        mailbox.close()
    with pytest.raises(MailboxUnavailableError):
        mailbox.noop()  # The lost connection was closed, not left half-open.

    mailstack.send(_raw("after restart"), "alice@example.test", [BOT])
    with connect_with_backoff(
        lambda: ImapMailbox(settings, mailstack.password).connect(), attempts=3
    ) as again:
        again.select()
        [uid] = again.uids_after(0)
        [message] = again.fetch([uid])
    assert b"Subject: after restart" in message.raw


def test_connect_with_backoff_retries_until_the_server_is_back(mailstack: MailStack) -> None:
    settings = mailstack.imap_settings()
    mailstack.dovecot.stop()
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        # Instead of waiting, bring the server back after the second refused attempt.
        sleeps.append(seconds)
        if len(sleeps) == 2:
            mailstack.dovecot.start()

    with connect_with_backoff(
        lambda: ImapMailbox(settings, mailstack.password).connect(),
        attempts=5,
        sleep=sleep,
        base=1.0,
    ) as mailbox:
        assert mailbox.select() > 0
    assert len(sleeps) == 2
    assert 0.5 <= sleeps[0] <= 1.0
    assert 1.0 <= sleeps[1] <= 2.0


def test_connection_refused_is_unavailable_after_the_last_attempt(mailstack: MailStack) -> None:
    settings = mailstack.imap_settings()
    mailstack.dovecot.stop()
    sleeps: list[float] = []

    with pytest.raises(MailboxUnavailableError, match="connect"):
        connect_with_backoff(
            lambda: ImapMailbox(settings, mailstack.password).connect(),
            attempts=3,
            sleep=sleeps.append,
        )
    assert len(sleeps) == 2


def test_wrong_password_is_a_mailbox_error_that_is_not_retried(mailstack: MailStack) -> None:
    sleeps: list[float] = []
    with pytest.raises(MailboxError) as failure:
        connect_with_backoff(
            lambda: ImapMailbox(mailstack.imap_settings(), "wrong").connect(),
            attempts=3,
            sleep=sleeps.append,
        )
    assert not isinstance(failure.value, MailboxUnavailableError)
    assert sleeps == []


def test_interrupt_ends_a_blocking_idle_at_once(mailstack: MailStack, mailbox: ImapMailbox) -> None:
    mailbox.select()

    def interrupt_once_idling() -> None:
        mailstack.dovecot.wait_until_idle(BOT)
        mailbox.interrupt()

    interrupter = threading.Thread(target=interrupt_once_idling)
    interrupter.start()
    try:
        started = time.monotonic()
        assert mailbox.idle_wait(30) is False
        assert time.monotonic() - started < 10
    finally:
        interrupter.join()
    # A stop request is final: the next wait returns at once instead of blocking.
    assert mailbox.idle_wait(30) is False


def test_xoauth2_login_reads_the_token_at_each_connection(mailstack: MailStack) -> None:
    settings = dataclasses.replace(mailstack.imap_settings(), auth="xoauth2")
    reads: list[str] = []

    def token() -> str:
        reads.append("read")
        return mailstack.password

    for _ in range(2):
        with ImapMailbox(settings, token) as mailbox:
            mailbox.select("INBOX")

    assert reads == ["read", "read"], "an access token expires: read again at each login"
    log = mailstack.dovecot.log_text()
    assert f"user=<{BOT}>, method=XOAUTH2" in log


def test_a_refused_token_is_a_login_error_and_a_failing_helper_is_retried(
    mailstack: MailStack,
) -> None:
    settings = dataclasses.replace(mailstack.imap_settings(), auth="xoauth2")
    with pytest.raises(MailboxError, match="AUTHENTICATIONFAILED") as refused:
        ImapMailbox(settings, "expired-token").connect()
    assert not isinstance(refused.value, MailboxUnavailableError)

    helper = Secret("imap.password", command=("sh", "-c", "echo 'no network' >&2; exit 1"))
    with pytest.raises(MailboxUnavailableError, match="exited 1: no network"):
        ImapMailbox(settings, helper.reveal).connect()
