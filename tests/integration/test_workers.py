"""Worker processes never outlive the daemon, however it dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# A "daemon" that starts one parse worker, prints the worker's PID and the fork server's, waits.
_DAEMON = """
import os, sys
from mailflow.workers import WorkerPool
pool = WorkerPool("parse", 1, preload=["mailflow.workers"])
assert pool.result(pool.submit(os.getpid)) is not None
worker = next(iter(pool._pool._processes))
server = int(open(f"/proc/{worker}/stat").read().split(")")[1].split()[1])
print(worker, server, flush=True)
sys.stdin.read()
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its parent's wait is missing


def test_workers_and_their_fork_server_end_when_the_daemon_is_killed() -> None:
    with subprocess.Popen(
        [sys.executable, "-c", _DAEMON],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # the resource tracker's note about the killed pool
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    ) as daemon:
        assert daemon.stdout is not None
        worker, server = map(int, daemon.stdout.readline().split())
        assert _alive(worker) and _alive(server)
        daemon.send_signal(signal.SIGKILL)

    # The worker checks for its daemon once a second; give it a few.
    deadline = time.monotonic() + 10
    while (_alive(worker) or _alive(server)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(worker), "the worker outlived its daemon"
    assert not _alive(server), "the fork server outlived the daemon and its workers"
