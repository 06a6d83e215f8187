"""The inbound loop against real Dovecot and a real database (SQLite and PostgreSQL).

Messages are appended to the bot's INBOX over IMAP, one poll runs, and the effect is read back
from the DB and from the mailbox folders.
"""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
from collections.abc import Sequence
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from mailflow.adapters.imap import ImapMailbox
from mailflow.config.schema import Config, Folders
from mailflow.dev.devstack import BOT, MailStack
from mailflow.errors import TransientStorageError
from mailflow.inbound.handlers import apply as apply_module
from mailflow.inbound.handlers import registry as handlers
from mailflow.inbound.pipeline import InboundPipeline
from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.understanding.classify import Classification
from mailflow.tracker import repo
from mailflow.tracker.db import is_transient
from mailflow.tracker.models import InboundMessage
from mailflow.tracker.transactions import Retry
from tests.conftest import SteppingClock


def _mail(subject: str, body: str = "hello", **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Alice <alice@example.test>"
    msg["To"] = BOT
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{subject.replace(' ', '-')}@example.test>"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg.as_bytes()


def _mailbox(config: Config, stack: MailStack) -> ImapMailbox:
    return ImapMailbox(config.imap, stack.password)


def _records(sessions: sessionmaker[Session]) -> list[tuple[str, str, str]]:
    with sessions() as session:
        rows = session.execute(
            select(InboundMessage.message_key, InboundMessage.kind, InboundMessage.outcome)
        )
        return sorted((key, kind, str(outcome)) for key, kind, outcome in rows)


def test_each_kind_recorded_once_and_filed(
    app_config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
    corpus: Path,
) -> None:
    auto_reply = (corpus / "auto-replies-sisimai" / "rfc3834-01.eml").read_bytes()
    mailstack.append(BOT, auto_reply)
    mailstack.append(BOT, _mail("just saying hi"))
    mailstack.append(BOT, _mail("out of office", Auto_Submitted="auto-replied"))
    pipeline = InboundPipeline(app_config, session_factory, clock)

    with _mailbox(app_config, mailstack) as mailbox:
        mailbox.ensure_folders()
        result = pipeline.poll(mailbox)
        again = pipeline.poll(mailbox)

    assert result.fetched == 3
    assert again.fetched == 0, "a second poll finds nothing new above the checkpoint"
    assert _records(session_factory) == [
        ("<200503142138.j3QNaaaa222222@neko.example.org>", "auto_reply", "ignored"),
        ("<just-saying-hi@example.test>", "unknown", "left_for_person"),
        ("<out-of-office@example.test>", "auto_reply", "ignored"),
    ]
    processed = mailstack.messages(BOT, app_config.imap.folders.processed)
    assert len(processed) == 2
    inbox = mailstack.messages(BOT, "INBOX")
    assert [b"just saying hi" in raw for raw in inbox] == [True], "unknown mail stays for a person"
    with mailstack.imap(BOT) as client:
        client.select_folder("INBOX", readonly=True)
        flags = client.get_flags(client.search("ALL"))
    assert all(b"\\Flagged" in f for f in flags.values())
    with session_factory() as session:
        checkpoint = repo.get_checkpoint(session, "INBOX")
    assert checkpoint is not None and checkpoint.last_uid >= 3


class _CrashBeforeMove(ImapMailbox):
    """The process 'dies' after the DB commit and before the messages leave the inbox."""

    def move(self, uids: Sequence[int], folder: str) -> None:
        raise KeyboardInterrupt("simulated crash between commit and move")


def test_crash_between_commit_and_move_applies_each_message_once(
    app_config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    for n in range(3):
        mailstack.append(BOT, _mail(f"auto {n}", Auto_Submitted="auto-replied"))
    pipeline = InboundPipeline(app_config, session_factory, clock)

    with _CrashBeforeMove(app_config.imap, mailstack.password) as crashing:
        crashing.ensure_folders()
        with pytest.raises(KeyboardInterrupt):
            pipeline.poll(crashing)
    assert len(_records(session_factory)) == 3, "the batch committed before the crash"
    assert len(mailstack.messages(BOT, "INBOX")) == 3, "nothing was moved"

    with _mailbox(app_config, mailstack) as mailbox:
        result = pipeline.poll(mailbox)

    assert result.by_outcome == {"duplicate": 3}
    assert len(_records(session_factory)) == 3, "re-fetched messages are not applied again"
    assert mailstack.messages(BOT, "INBOX") == []
    assert len(mailstack.messages(BOT, app_config.imap.folders.processed)) == 3


def test_failing_handler_quarantines_that_message_only(
    app_config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*args: object) -> apply_module.Outcome:
        raise RuntimeError("handler bug")

    monkeypatch.setitem(handlers.HANDLERS, "unknown", broken)
    mailstack.append(BOT, _mail("before", Auto_Submitted="auto-replied"))
    mailstack.append(BOT, _mail("will break"))
    mailstack.append(BOT, _mail("fine", Auto_Submitted="auto-replied"))
    pipeline = InboundPipeline(app_config, session_factory, clock)

    with _mailbox(app_config, mailstack) as mailbox, caplog.at_level(logging.INFO):
        mailbox.ensure_folders()
        pipeline.poll(mailbox)

    # The batch was applied straight through, rolled back at the failure and redone message by
    # message: each message is still logged once, after the commit.
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("inbound uid=")]
    assert len(lines) == 3 and sum("quarantined: RuntimeError" in line for line in lines) == 1

    assert _records(session_factory) == [
        ("<before@example.test>", "auto_reply", "ignored"),
        ("<fine@example.test>", "auto_reply", "ignored"),
        ("<will-break@example.test>", "unknown", "quarantined"),
    ]
    with session_factory() as session:
        error = session.scalar(
            select(InboundMessage.error).where(InboundMessage.outcome == "quarantined")
        )
    assert error == "RuntimeError: handler bug"
    quarantined = mailstack.messages(BOT, app_config.imap.folders.quarantine)
    assert len(quarantined) == 1 and b"will break" in quarantined[0]


def test_oversized_message_is_quarantined_with_reason(
    app_config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    config = dataclasses.replace(
        app_config, mail=dataclasses.replace(app_config.mail, max_message_bytes=2_000)
    )
    mailstack.append(BOT, _mail("huge", "x" * 5_000))
    with _mailbox(config, mailstack) as mailbox:
        mailbox.ensure_folders()
        InboundPipeline(config, session_factory, clock).poll(mailbox)
    with session_factory() as session:
        row = session.scalars(select(InboundMessage)).one()
    assert str(row.outcome) == "quarantined"
    assert row.error is not None and "exceeds mail.max_message_bytes" in row.error


def test_uidvalidity_change_rescans_without_applying_twice(
    app_config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    # A folder other than INBOX can be deleted and recreated, which gives it a new UIDVALIDITY.
    folders = Folders(inbox="Intake", processed="Intake-done", quarantine="Intake-bad")
    config = dataclasses.replace(
        app_config, imap=dataclasses.replace(app_config.imap, folders=folders)
    )
    pipeline = InboundPipeline(config, session_factory, clock)
    mailstack.append(BOT, _mail("first", Auto_Submitted="auto-replied"), folder="Intake")
    with _mailbox(config, mailstack) as mailbox:
        mailbox.ensure_folders()
        pipeline.poll(mailbox)
    with mailstack.imap(BOT) as client:
        client.delete_folder("Intake")
        client.create_folder("Intake")
    # The same message again (restored from a backup) plus a new one, under the new UIDVALIDITY.
    mailstack.append(BOT, _mail("first", Auto_Submitted="auto-replied"), folder="Intake")
    mailstack.append(BOT, _mail("second", Auto_Submitted="auto-replied"), folder="Intake")
    with _mailbox(config, mailstack) as mailbox:
        result = pipeline.poll(mailbox)

    assert result.by_outcome == {"duplicate": 1, "ignored": 1}
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(InboundMessage)) == 2


def test_a_duplicate_within_one_batch_is_filed_with_the_first(
    app_config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object) -> apply_module.Outcome:
        raise RuntimeError("handler bug")

    monkeypatch.setitem(handlers.HANDLERS, "unknown", broken)
    # The same two messages twice each (a client that sent twice), all four in one batch.
    for _ in range(2):
        mailstack.append(BOT, _mail("will break"))
        mailstack.append(BOT, _mail("fine", Auto_Submitted="auto-replied"))
    pipeline = InboundPipeline(app_config, session_factory, clock)

    with _mailbox(app_config, mailstack) as mailbox:
        mailbox.ensure_folders()
        result = pipeline.poll(mailbox)

    assert result.by_outcome == {"quarantined": 1, "ignored": 1, "duplicate": 2}
    assert _records(session_factory) == [
        ("<fine@example.test>", "auto_reply", "ignored"),
        ("<will-break@example.test>", "unknown", "quarantined"),
    ]
    assert len(mailstack.messages(BOT, app_config.imap.folders.quarantine)) == 2
    assert len(mailstack.messages(BOT, app_config.imap.folders.processed)) == 2


def test_a_transient_database_error_leaves_the_message_in_the_inbox(
    app_config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A lock timeout or a lost connection is the database's trouble: the batch is retried with
    backoff and, when the database still fails, the message is neither quarantined nor recorded,
    stays in the INBOX and is applied by the next poll."""
    calls: list[str] = []
    waited: list[float] = []
    real = handlers.HANDLERS["unknown"]

    def locked_twice(
        ctx: apply_module.ApplyContext, mail: InboundMail, found: Classification
    ) -> apply_module.Outcome:
        calls.append("x")
        if len(calls) <= 2:  # both attempts of the first poll meet it
            raise OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))
        return real(ctx, mail, found)

    monkeypatch.setitem(handlers.HANDLERS, "unknown", locked_twice)
    mailstack.append(BOT, _mail("meets a lock"))
    retry = Retry(attempts=2, sleep=waited.append)
    pipeline = InboundPipeline(app_config, session_factory, clock, retry=retry)
    with _mailbox(app_config, mailstack) as mailbox:
        mailbox.ensure_folders()
        with pytest.raises(TransientStorageError):
            pipeline.poll(mailbox)
        assert len(calls) == 2 and len(waited) == 1
        assert _records(session_factory) == []
        assert not mailstack.messages(BOT, app_config.imap.folders.quarantine)
        assert len(mailstack.messages(BOT, "INBOX")) == 1
        pipeline.poll(mailbox)
    assert [outcome for _, _, outcome in _records(session_factory)] != ["quarantined"]
    assert len(_records(session_factory)) == 1
    assert not mailstack.messages(BOT, app_config.imap.folders.quarantine)


def test_a_lock_held_for_a_moment_is_waited_out_within_the_poll(
    app_config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    waited: list[float] = []
    real = handlers.HANDLERS["unknown"]

    def locked_once(
        ctx: apply_module.ApplyContext, mail: InboundMail, found: Classification
    ) -> apply_module.Outcome:
        calls.append("x")
        if len(calls) == 1:
            raise OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))
        return real(ctx, mail, found)

    monkeypatch.setitem(handlers.HANDLERS, "unknown", locked_once)
    mailstack.append(BOT, _mail("waits out a lock"))
    retry = Retry(attempts=3, sleep=waited.append)
    pipeline = InboundPipeline(app_config, session_factory, clock, retry=retry)
    with _mailbox(app_config, mailstack) as mailbox:
        mailbox.ensure_folders()
        result = pipeline.poll(mailbox)
    assert len(calls) == 2 and len(waited) == 1
    assert "quarantined" not in result.by_outcome
    assert [outcome for _, _, outcome in _records(session_factory)] != ["quarantined"]
    assert len(_records(session_factory)) == 1
    assert not mailstack.messages(BOT, app_config.imap.folders.quarantine)


def test_is_transient_tells_the_databases_trouble_from_the_datas() -> None:
    class PgError(Exception):
        def __init__(self, state: str) -> None:
            super().__init__(state)
            self.sqlstate = state

    assert is_transient(OperationalError("x", {}, sqlite3.OperationalError("database is locked")))
    assert is_transient(OperationalError("x", {}, PgError("40001")))  # serialization failure
    assert is_transient(OperationalError("x", {}, PgError("08006")))  # connection failure
    assert not is_transient(OperationalError("x", {}, PgError("54000")))  # index row too large
    assert not is_transient(IntegrityError("x", {}, Exception("duplicate key")))
    assert not is_transient(ValueError("a bug"))
