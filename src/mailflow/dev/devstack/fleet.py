"""Real ``mailflow serve`` processes against the loopback stack, to kill, restart and count.

The replica, crash and fault tests and their benchmarks run the daemon exactly as an operator
does: a TOML config, ``python -m mailflow.cli serve``, signals. :func:`serve_config` writes a
config for the stack with short intervals (polls and flushes every second, a lease of a few
seconds) so that a takeover or a retry happens within a test's patience. :class:`ServeProcess`
starts one daemon with its log in a file (a pipe nobody reads would block a chatty daemon) and
stops it with SIGTERM or SIGKILL; :class:`Fleet` makes sure none outlives the test.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from mailflow.dev.devstack.stack import BOT, DOMAIN, MailStack

PASSWORD_ENV = "MAILFLOW_IMAP_PASSWORD"
# The daemon logs this once it is set up, just before its watcher and scheduler start.
SERVING = "mailflow serving "


@dataclass(frozen=True)
class Pace:
    """The timing knobs a test turns; the defaults make a takeover take seconds, not minutes."""

    lease_seconds: int = 5
    claim_seconds: int = 5
    poll_seconds: int = 1
    flush_seconds: int = 1
    retry_base_seconds: float = 0.5
    imap_batch: int = 25
    smtp_batch: int = 20
    timeout_seconds: float = 3.0


def serve_config(stack: MailStack, database_url: str, pace: Pace = Pace()) -> str:
    """A config for the bot's mailbox on ``stack`` (keys as in config/mailflow.example.toml)."""
    folders = stack.imap_settings().folders
    return f"""\
# Written by mailflow.dev.devstack.fleet: the loopback stack with short intervals.
[mail]
domain = "{DOMAIN}"
bot_address = "{BOT}"

[imap]
host = "{stack.host}"
port = {stack.imap_port}
security = "plain"
user = "{BOT}"
password_env = "{PASSWORD_ENV}"
poll_interval_seconds = {pace.poll_seconds}
batch_size = {pace.imap_batch}
timeout_seconds = {pace.timeout_seconds}
lease_seconds = {pace.lease_seconds}

[imap.folders]
inbox = "{folders.inbox}"
processed = "{folders.processed}"
quarantine = "{folders.quarantine}"

[smtp]
host = "{stack.host}"
port = {stack.smtp_port}
security = "plain"
batch_size = {pace.smtp_batch}
timeout_seconds = {pace.timeout_seconds}
claim_seconds = {pace.claim_seconds}
retry_base_seconds = {pace.retry_base_seconds}
# The load tests mail a few people thousands of times; the hourly limit would only defer.
max_per_recipient_per_hour = 1000000

[database]
url = "{database_url}"

[schedule]
poll_interval_seconds = {pace.poll_seconds}
flush_interval_seconds = {pace.flush_seconds}
"""


def serve_env(password: str) -> dict[str, str]:
    """The environment a daemon with :func:`serve_config`'s config needs: the IMAP password."""
    return {**os.environ, PASSWORD_ENV: password}


def serve_command(config_path: Path) -> list[str]:
    return [sys.executable, "-m", "mailflow.cli", "serve", "--config", str(config_path)]


class ServeProcess:
    """One ``mailflow serve`` child process, logging to ``log_path``."""

    def __init__(self, config_path: Path, log_path: Path, password: str) -> None:
        self.config_path = config_path
        self.log_path = log_path
        self._env = serve_env(password)
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> ServeProcess:
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                serve_command(self.config_path),
                env=self._env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        return self

    @property
    def pid(self) -> int:
        if self._process is None:
            raise RuntimeError("not started")
        return self._process.pid

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def returncode(self) -> int | None:
        return None if self._process is None else self._process.poll()

    def kill(self) -> None:
        """SIGKILL: no handler runs, no transaction finishes, sockets are simply gone."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=10)

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM and wait; SIGKILL after ``timeout``. Returns the exit code."""
        process = self._process
        if process is None:
            raise RuntimeError("not started")
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        return process.returncode

    def log_text(self) -> str:
        with contextlib.suppress(FileNotFoundError):
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        return ""

    def wait_until_serving(self, timeout: float = 30.0) -> bool:
        """Wait for the daemon's start line (after imports and migrations, before any work)."""
        return wait_until(lambda: SERVING in self.log_text() or not self.running, timeout) and (
            self.running
        )


class Fleet:
    """Serve processes sharing one config; leaving the ``with`` block kills any still running."""

    def __init__(self, stack: MailStack, database_url: str, workdir: Path, pace: Pace = Pace()):
        self.stack = stack
        self.workdir = workdir
        self.config_path = workdir / "mailflow.toml"
        self.config_path.write_text(serve_config(stack, database_url, pace), encoding="utf-8")
        self.processes: list[ServeProcess] = []

    def start(self, count: int = 1) -> list[ServeProcess]:
        started: list[ServeProcess] = []
        for _ in range(count):
            log_path = self.workdir / f"serve-{len(self.processes) + 1}.log"
            process = ServeProcess(self.config_path, log_path, self.stack.password).start()
            self.processes.append(process)
            started.append(process)
        return started

    def by_pid(self, pid: int) -> ServeProcess | None:
        return next((p for p in self.processes if p.pid == pid), None)

    def logs(self) -> str:
        return "\n".join(f"--- {p.log_path.name}\n{p.log_text()}" for p in self.processes)

    def kill_all(self) -> None:
        for process in self.processes:
            process.kill()

    def __enter__(self) -> Fleet:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.kill_all()


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` seconds pass; returns its last value.

    Waiting on other processes has no event to block on; the deadline keeps every wait bounded.
    """
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
