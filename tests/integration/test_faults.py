"""Faults a real deployment meets, survived by a running ``mailflow serve``.

Dovecot stopped under a running daemon: the outage is logged once, shown by ``mailflow status``,
and the daemon reconnects by itself and handles the mail that arrived meanwhile. The SMTP server
answering 421, 452 and 451, then 550 for one recipient: each reply is shown by ``mailflow status``,
the temporary ones are retried until delivered, and only the refused recipient misses the mail.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session

from mailflow.cli import main
from mailflow.dev.devstack import BOT, MailStack
from mailflow.dev.devstack.audit import append_all, copies, progress, stop_request
from mailflow.dev.devstack.fleet import Fleet, Pace, serve_env, wait_until
from mailflow.outbound.delivery import outbox
from mailflow.outbound.rendering.compose import PlainMessage
from mailflow.tracker import repo
from mailflow.tracker.db import upgrade
from mailflow.tracker.models import OutboxRow

ALICE, BOB, CAROL = "alice@example.test", "bob@example.test", "carol@example.test"
PACE = Pace(retry_base_seconds=0.2)


def _status(config: Path, password: str) -> str:
    # A wide terminal, so that rich does not wrap the error texts the test looks for.
    env = {**serve_env(password), "COLUMNS": "250"}
    result = CliRunner().invoke(main, ["status", "--config", str(config)], env=env)
    assert result.exit_code == 0, result.output
    return result.output


def _status_value(engine: Engine, key: str) -> str | None:
    with Session(engine) as session:
        entry = repo.get_status(session).get(key)
    return None if entry is None else entry.value


def test_dovecot_down_then_back_is_shown_and_survived(mailstack: MailStack, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'mailflow.db'}"
    upgrade(url)
    engine = create_engine(url)
    try:
        with Fleet(mailstack, url, tmp_path, PACE) as fleet:
            [daemon] = fleet.start()
            append_all(mailstack, [stop_request("before", 0)[1]])
            assert wait_until(lambda: progress(engine).inbound == 1, 30), fleet.logs()

            mailstack.dovecot.stop()
            assert wait_until(lambda: _status_value(engine, "last_inbox_error") is not None, 20)
            shown = _status(fleet.config_path, mailstack.password)
            assert "last_inbox_error" in shown and "IMAP" in shown, shown

            # An outage of a few seconds: the reconnects in it fail quietly (backoff 1 s, 2 s...).
            time.sleep(3)
            # Mail that arrives while the daemon is still backing off is handled once it is back.
            mailstack.dovecot.start()
            append_all(mailstack, (stop_request("during", n)[1] for n in range(5)))
            assert wait_until(lambda: progress(engine).inbound == 6, 40), fleet.logs()
            assert wait_until(lambda: progress(engine).unfinished == 0, 30), fleet.logs()
            assert daemon.stop() == 0, fleet.logs()
            log = daemon.log_text()
    finally:
        engine.dispose()
    assert log.count("inbox poll failed") == 1, "the outage is logged once, not per retry"
    assert "inbox reachable again" in log
    assert copies(mailstack, [BOT]) == [], "nothing left in the bot's INBOX"


def test_smtp_temporary_replies_then_one_refused_recipient(
    mailstack: MailStack, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'mailflow.db'}"
    upgrade(url)
    engine = create_engine(url)
    relay = mailstack.smtp
    # One fault per row, in the order the rows are sent: the server hangs up with 421 at MAIL,
    # refuses the recipient for now (452), fails DATA for now (451); carol is refused for good.
    relay.fail_next(421, "4.3.2 Service shutting down, try later", stage="mail")
    relay.fail_next(452, "4.5.3 Too many recipients for now", stage="rcpt")
    relay.fail_next(451, "4.3.0 Local error in processing", stage="data")
    relay.reject_recipient(CAROL, 550, "5.1.1 <carol@example.test>: mailbox unavailable")
    rows = {"r1": [ALICE], "r2": [ALICE], "r3": [ALICE], "r4": [BOB, CAROL], "r5": [CAROL]}
    with Session(engine) as session, session.begin():
        for key, recipients in rows.items():
            outbox.enqueue(
                session,
                key=key,
                recipients=recipients,
                payload=PlainMessage(f"fault {key}", "hello"),
                now=datetime.now(UTC),
            )
    try:
        with Fleet(mailstack, url, tmp_path, PACE) as fleet:
            [daemon] = fleet.start()
            assert wait_until(lambda: progress(engine).unfinished == 0, 40), fleet.logs()
            shown = _status(fleet.config_path, mailstack.password)
            assert daemon.stop() == 0, fleet.logs()
        with Session(engine) as session:
            outcome = {
                row.idempotency_key: (str(row.status), row.attempts, row.last_error or "")
                for row in session.scalars(select(OutboxRow))
            }
    finally:
        engine.dispose()
    for code in ("421", "452", "451", "550"):
        assert code in shown, f"{code} is among the last errors:\n{shown}"
    assert {key: status for key, (status, _a, _e) in outcome.items()} == {
        "r1": "sent",
        "r2": "sent",
        "r3": "sent",
        "r4": "sent",
        "r5": "failed",
    }, outcome
    assert sorted(error[:3] for _s, attempts, error in outcome.values() if attempts == 1) == [
        "421",
        "451",
        "452",
        "550",
    ], "each temporary reply cost its row one attempt, and the refusal failed r5 at once"
    assert "carol@example.test: 550" in outcome["r4"][2], "r4 went to bob, carol was refused"
    subjects = sorted(c.subject for c in copies(mailstack, [ALICE, BOB, CAROL]))
    assert subjects == ["fault r1", "fault r2", "fault r3", "fault r4"], "each delivered once"
