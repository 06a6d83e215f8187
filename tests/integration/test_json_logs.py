"""``mailflow serve --log-format json``: one JSON object per line, with refs, and never a secret."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from mailflow.dev.devstack import BOT, MailStack
from mailflow.dev.devstack.__main__ import PASSWORD_ENV, config_toml
from tests.integration.test_cli import _wait_for_processed

ALICE = "alice@example.test"
TOKEN_SECRET = "json-log-token-secret"


def _meeting_mail() -> EmailMessage:
    # A week ahead, whatever day the suite runs: the meeting is never in the past.
    day = date.today() + timedelta(days=7)
    msg = EmailMessage()
    msg["From"] = f"Alice Wang <{ALICE}>"
    msg["To"] = BOT
    msg["Subject"] = "MEETING: Log review"
    msg["Message-ID"] = "<log-review@example.test>"
    msg.set_content(f"When: {day} 10:00\nDuration: 30 min\nAttendees: bob@example.test\n")
    return msg


def test_every_line_is_a_json_object_with_refs(mailstack: MailStack, tmp_path: Path) -> None:
    config = tmp_path / "mailflow.toml"
    text = config_toml(mailstack, f"sqlite:///{tmp_path / 'mailflow.db'}")
    # A reply-token secret as well, so the test covers every secret the daemon reads.
    text = text.replace("[imap]", 'token_secret_env = "MF_TEST_TOKEN"\n\n[imap]', 1)
    config.write_text(text, encoding="utf-8")
    env = {**os.environ, PASSWORD_ENV: mailstack.password, "MF_TEST_TOKEN": TOKEN_SECRET}
    command = ["serve", "--config", str(config), "--log-format", "json"]
    daemon = subprocess.Popen(
        [sys.executable, "-m", "mailflow.cli", *command],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        mailstack.send(_meeting_mail(), ALICE, [BOT])
        _wait_for_processed(mailstack)
        # The receipt to Alice is the first mail the daemon sends.
        mailstack.wait_for_messages(ALICE, 1, timeout=20)
    finally:
        daemon.send_signal(signal.SIGTERM)
        _, log = daemon.communicate(timeout=30)
    assert daemon.returncode == 0, log

    lines = [line for line in log.splitlines() if line.strip()]
    entries: list[dict[str, Any]] = [json.loads(line) for line in lines]
    assert all({"ts", "level", "logger", "msg"} <= entry.keys() for entry in entries)
    [inbound] = [e for e in entries if e.get("event") == "inbound"]
    assert inbound["kind"] == "meeting_request" and inbound["outcome"] == "applied"
    assert inbound["key"] == "<log-review@example.test>" and inbound["sender"] == ALICE
    assert inbound["meeting"], "the meeting the message created is named"
    assert f"meeting={inbound['meeting']}" in inbound["msg"], "and in the human-readable text"
    sent = [e for e in entries if e["msg"].startswith("sent row=")]
    assert sent and any(ALICE in e["msg"] for e in sent), "each sent mail is a line of its own"
    for secret in (mailstack.password, TOKEN_SECRET):
        assert secret not in log, "no secret in the log"
