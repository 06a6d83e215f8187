"""The loopback mail stack itself: delivery through the relay, helpers, faults, restart, CLI."""

from __future__ import annotations

import os
import selectors
import signal
import smtplib
import subprocess
import sys
import time
import tomllib
from email.message import EmailMessage
from pathlib import Path

import pytest
from imapclient import IMAPClient

from mailflow.dev.devstack import DevStackError, DovecotNotInstalledError, DovecotServer, MailStack
from mailflow.dev.devstack import dovecot as dovecot_module

pytestmark = pytest.mark.integration

ALICE = "alice@example.test"
BOB = "bob@example.test"


def _message(subject: str, to: str = ALICE) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "carol@example.test"
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content("hello\n")
    return msg


def test_sent_mail_is_in_every_mailbox_when_send_returns(mailstack: MailStack) -> None:
    refused = mailstack.send(_message("Hi both"), "carol@example.test", [ALICE, BOB])

    assert refused == {}
    # No waiting: the relay delivers over LMTP before it answers DATA.
    for user in (ALICE, BOB):
        [raw] = mailstack.messages(user)
        assert b"Subject: Hi both" in raw
    [envelope] = mailstack.smtp.received()
    assert envelope.rcpt_tos == (ALICE, BOB)


def test_unknown_recipient_is_refused_with_550_and_the_others_get_the_mail(
    mailstack: MailStack,
) -> None:
    refused = mailstack.send(_message("Hi"), "carol@example.test", [ALICE, "nobody@example.test"])

    assert list(refused) == ["nobody@example.test"]
    assert refused["nobody@example.test"][0] == 550
    assert len(mailstack.messages(ALICE)) == 1


def test_append_and_clear_cover_every_folder(mailstack: MailStack) -> None:
    mailstack.append(ALICE, b"Subject: one\r\n\r\nbody\r\n")
    mailstack.append(ALICE, b"Subject: two\r\n\r\nbody\r\n", folder="Archive/2025")
    assert len(mailstack.messages(ALICE)) == 1
    assert len(mailstack.wait_for_messages(ALICE, 1, folder="Archive/2025")) == 1

    mailstack.clear(ALICE)

    assert mailstack.messages(ALICE) == []
    with mailstack.imap(ALICE) as client:
        assert [name for _flags, _sep, name in client.list_folders()] == ["INBOX"]


def test_wait_for_messages_gives_up_at_its_timeout(mailstack: MailStack) -> None:
    with pytest.raises(DevStackError, match="0 messages"):
        mailstack.wait_for_messages(ALICE, 1, timeout=0.1)


def test_injected_faults_apply_once_then_service_resumes(mailstack: MailStack) -> None:
    raw = b"Subject: faults\r\n\r\nbody\r\n"
    mailstack.smtp.fail_next(451, "4.7.1 Try again later")
    with smtplib.SMTP(mailstack.host, mailstack.smtp_port, timeout=10) as smtp:
        with pytest.raises(smtplib.SMTPDataError) as refused:
            smtp.sendmail("carol@example.test", [ALICE], raw)
        assert refused.value.smtp_code == 451
        assert smtp.sendmail("carol@example.test", [ALICE], raw) == {}

        mailstack.smtp.drop_next_connection()
        with pytest.raises(smtplib.SMTPServerDisconnected):
            smtp.sendmail("carol@example.test", [ALICE], raw)

    mailstack.smtp.reject_recipient(BOB, 552, "5.2.2 Mailbox full")
    with smtplib.SMTP(mailstack.host, mailstack.smtp_port, timeout=10) as smtp:
        assert smtp.sendmail("carol@example.test", [ALICE, BOB], raw) == {
            BOB: (552, b"5.2.2 Mailbox full")
        }
    assert len(mailstack.messages(ALICE)) == 2
    assert mailstack.messages(BOB) == []


def test_restart_keeps_ports_and_mail(mailstack: MailStack) -> None:
    mailstack.append(ALICE, b"Subject: kept\r\n\r\nbody\r\n")
    ports = (mailstack.imap_port, mailstack.lmtp_port)

    mailstack.dovecot.restart()

    assert (mailstack.imap_port, mailstack.lmtp_port) == ports
    assert len(mailstack.messages(ALICE)) == 1
    assert "starting up" in mailstack.dovecot.log_text()


def test_settings_point_at_the_stack_and_their_secret_reveals(mailstack: MailStack) -> None:
    imap = mailstack.imap_settings(ALICE, batch_size=7)
    smtp = mailstack.smtp_settings()

    assert (imap.port, imap.security, imap.batch_size) == (mailstack.imap_port, "plain", 7)
    assert imap.password.reveal() == mailstack.password
    assert (smtp.host, smtp.port, smtp.user) == ("127.0.0.1", mailstack.smtp_port, None)
    with IMAPClient(imap.host, imap.port, ssl=False, timeout=10) as client:
        client.login(imap.user, imap.password.reveal())


def test_missing_dovecot_names_the_packages_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dovecot_module, "find_dovecot", lambda: None)
    server = DovecotServer([ALICE])
    try:
        with pytest.raises(DovecotNotInstalledError, match="apt-get install dovecot-imapd"):
            server.start()
    finally:
        server.remove()


def _read_until(process: subprocess.Popen[bytes], marker: str, timeout: float) -> str:
    """Output of ``process`` up to ``marker``; bounded by ``timeout``."""
    assert process.stdout is not None
    fd = process.stdout.fileno()
    seen = b""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        # Raw reads on the descriptor: a buffered readline() could hide lines from select().
        selector.register(fd, selectors.EVENT_READ)
        while marker.encode() not in seen:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                raise AssertionError(f"no {marker!r} within {timeout} s; output:\n{seen!r}")
            chunk = os.read(fd, 4096)
            if not chunk:
                raise AssertionError(f"exited before {marker!r}; output:\n{seen!r}")
            seen += chunk
    return seen.decode()


def test_module_entry_point_writes_a_config_and_stops_on_sigterm(
    mailstack: MailStack, tmp_path: Path
) -> None:
    config = tmp_path / "mailflow.toml"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "mailflow.dev.devstack", "--write-config", str(config)]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, bufsize=0, env=env
    ) as process:
        try:
            _read_until(process, "ready", timeout=15)
            settings = tomllib.loads(config.read_text(encoding="utf-8"))
            imap = settings["imap"]
            with IMAPClient(imap["host"], imap["port"], ssl=False, timeout=10) as client:
                client.login(imap["user"], "secret")
            process.send_signal(signal.SIGTERM)
            tail = _read_until(process, "stopped", timeout=15)
            assert process.wait(timeout=15) == 0, tail
        finally:
            if process.poll() is None:
                # SIGTERM, not SIGKILL: the stack must get to stop its own Dovecot.
                process.terminate()
                process.wait(timeout=15)

    assert settings["mail"] == {"domain": "example.test", "bot_address": "bot@example.test"}
    assert imap["security"] == "plain"
    assert imap["password_env"] == "MAILFLOW_IMAP_PASSWORD"
    assert imap["folders"]["processed"] == "mailflow/processed"
    assert settings["smtp"]["security"] == "plain"
    assert settings["database"]["url"] == f"sqlite:///{tmp_path / 'mailflow.db'}"
