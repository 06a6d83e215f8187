"""``mailflow serve`` (the daemon, until SIGTERM/SIGINT) and ``mailflow status`` (read-only)."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType

import click

from mailflow import logs
from mailflow.cli.options import CONFIG_OPTION, fail
from mailflow.errors import MailflowError


@click.command()
@CONFIG_OPTION
@click.option(
    "--log-format",
    type=click.Choice(["human", "json"]),
    default=None,
    help="Overrides logging.format.",
)
def serve(config_path: Path, log_format: str | None) -> None:
    """Run the daemon: watch the inbox, plan due mail, send the outbox. Stops on SIGTERM/SIGINT."""
    from mailflow.config.load import load_config
    from mailflow.daemon import Daemon

    try:
        cfg = load_config(config_path)
        logs.configure(cfg.logging.level, log_format or cfg.logging.format)
        # The daemon migrates the schema itself, under its database lock.
        daemon = Daemon(cfg)
    except MailflowError as exc:
        fail(exc)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    daemon.run(stop)


@click.command()
@CONFIG_OPTION
def status(config_path: Path) -> None:
    """Show mailbox checkpoints, inbound counts, the outbox and the last errors."""
    from mailflow.config.load import load_config
    from mailflow.status import print_status

    try:
        print_status(load_config(config_path))
    except MailflowError as exc:
        fail(exc)
