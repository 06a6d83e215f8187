"""``mailflow dev``: the daemon against a throwaway loopback mail stack and a SQLite DB.

The stack (Dovecot + SMTP relay on free loopback ports) lives as long as this command; the SQLite
DB and the generated config stay in the work directory, so ``mailflow status`` can read them after.
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from types import FrameType

from rich.console import Console

from mailflow import logs
from mailflow.config.load import load_config
from mailflow.daemon import Daemon
from mailflow.dev.devstack.__main__ import PASSWORD_ENV, config_toml
from mailflow.dev.devstack.stack import BOT, MailStack


def run_dev(workdir: Path, console: Console | None = None) -> None:
    console = console or Console()
    workdir = workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    with MailStack() as stack:
        config_path = workdir / "mailflow.toml"
        config_path.write_text(
            config_toml(stack, f"sqlite:///{workdir / 'mailflow.db'}"), encoding="utf-8"
        )
        # The generated config names the password's environment variable; this process sets it.
        os.environ[PASSWORD_ENV] = stack.password
        config = load_config(config_path)
        logs.configure(config.logging.level, config.logging.format)
        console.print(
            f"[bold]loopback mail stack[/] IMAP {stack.host}:{stack.imap_port}  "
            f"SMTP {stack.host}:{stack.smtp_port}"
        )
        console.print(
            f"users: {', '.join(stack.users)} (password {stack.password!r}); the bot is {BOT}"
        )
        console.print(f"config: {config_path}  database: {config.database.url}")
        console.print(
            f"try: swaks --server {stack.host}:{stack.smtp_port} --to {BOT}  "
            f"or python -c \"import smtplib; smtplib.SMTP('{stack.host}', {stack.smtp_port})"
            f".sendmail('alice@example.test', ['{BOT}'], b'Subject: hi\\r\\n\\r\\nhello')\""
        )
        console.print(f"status: MAILFLOW_CONFIG={config_path} mailflow status   (Ctrl-C stops)")
        Daemon(config).run(stop)
