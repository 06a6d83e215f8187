"""``mailflow inspect`` (no DB, no server) and ``mailflow import`` (archives, via the pipeline)."""

from __future__ import annotations

import json
import mailbox
import os
from email.message import EmailMessage
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import create_engine, func, select

from mailflow.cli import main
from mailflow.tracker.models import InboundMessage
from tests.conftest import offline_config_text


def _message(subject: str, body: str, **headers: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Bob <bob@example.test>"
    msg["To"] = "bot@example.test"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{abs(hash(subject))}@example.test>"
    msg["Date"] = "Mon, 10 Mar 2025 09:00:00 +0800"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg


def test_inspect_prints_the_reply_commands_from_the_new_text_only(tmp_path: Path) -> None:
    eml = tmp_path / "reply.eml"
    reply = _message(
        "Re: 会议通知：季度规划",
        "不参加，出差\n\n在 2025年3月9日，mailflow 写道：\n> 参加\n",
        In_Reply_To="<1.2.3.mailflow@example.test>",
    )
    eml.write_bytes(reply.as_bytes())
    result = CliRunner().invoke(main, ["inspect", str(eml), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["kind"] == "reply"
    assert report["from"] == "bob@example.test"
    assert report["new_text"].strip() == "不参加，出差"
    assert report["commands"] == [
        {"verb": "rsvp", "args": {"partstat": "DECLINED", "comment": "出差"}}
    ]


def test_inspect_machine_mail_has_no_new_text(tmp_path: Path) -> None:
    eml = tmp_path / "ooo.eml"
    eml.write_bytes(_message("Out of office", "away", Auto_Submitted="auto-replied").as_bytes())
    report = json.loads(CliRunner().invoke(main, ["inspect", str(eml), "--json"]).output)
    assert report["kind"] == "auto_reply" and report["new_text"] == ""


def _config(tmp_path: Path) -> Path:
    config = tmp_path / "mailflow.toml"
    config.write_text(offline_config_text(tmp_path / "mf.db"), encoding="utf-8")
    return config


def _count(tmp_path: Path) -> int:
    engine = create_engine(f"sqlite:///{tmp_path / 'mf.db'}")
    try:
        with engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(InboundMessage)) or 0)
    finally:
        engine.dispose()


def test_import_mbox_and_maildir_apply_each_message_once(tmp_path: Path) -> None:
    config = _config(tmp_path)
    messages = [
        _message("Out of office", "away", Auto_Submitted="auto-replied"),
        _message("hello", "just a note"),
        _message("another", "another note"),
    ]
    mbox_path = tmp_path / "archive.mbox"
    archive = mailbox.mbox(mbox_path)
    for msg in messages:
        archive.add(msg.as_bytes())
    archive.close()
    maildir = mailbox.Maildir(tmp_path / "Maildir")
    for msg in [*messages, _message("only in maildir", "x")]:
        maildir.add(msg.as_bytes())

    runner = CliRunner()
    first = runner.invoke(main, ["import", str(mbox_path), "--config", str(config)])
    again = runner.invoke(main, ["import", str(mbox_path), "--config", str(config)])
    both = runner.invoke(main, ["import", str(tmp_path / "Maildir"), "--config", str(config)])

    assert first.exit_code == 0, first.output
    assert "3 message(s)" in first.output and "left_for_person 2" in first.output
    assert "nothing new" in again.output
    assert "duplicate 3" in both.output, "the same mail in another archive is not applied twice"
    assert _count(tmp_path) == 4


def test_import_refuses_what_is_not_a_mailbox(tmp_path: Path) -> None:
    config = _config(tmp_path)
    runner = CliRunner()
    pdf = tmp_path / "minutes.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    eml = tmp_path / "one.eml"
    eml.write_bytes(_message("hello", "a single message").as_bytes())
    empty = tmp_path / "empty.mbox"
    empty.write_bytes(b"")
    for path, said in ((pdf, "not an mbox"), (eml, "not an mbox"), (empty, "is empty")):
        result = runner.invoke(main, ["import", str(path), "--config", str(config)])
        assert result.exit_code != 0, result.output
        assert said in result.output
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = runner.invoke(main, ["import", str(fifo), "--config", str(config)])
    assert result.exit_code != 0 and "not a regular file" in result.output
    assert not (tmp_path / "mf.db").exists() or _count(tmp_path) == 0


def test_import_skips_fifos_and_devices_in_a_maildir(tmp_path: Path) -> None:
    config = _config(tmp_path)
    maildir = mailbox.Maildir(tmp_path / "Maildir")
    maildir.add(_message("hello", "a note").as_bytes())
    os.mkfifo(tmp_path / "Maildir" / "new" / "1700000000.fifo.host")
    (tmp_path / "Maildir" / "cur" / "link:2,S").symlink_to("/dev/zero")
    result = CliRunner().invoke(
        main, ["import", str(tmp_path / "Maildir"), "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    assert "1 message(s)" in result.output and "skipped 2 entries" in result.output
