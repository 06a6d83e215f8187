"""A private Dovecot instance on loopback: IMAP (with IDLE) and LMTP for tests and the demo.

The instance writes its own self-contained configuration (no ``/etc/dovecot`` includes) into a
short directory under ``/tmp``: Dovecot refuses a ``base_dir`` longer than about 82 characters, so
pytest's ``tmp_path`` cannot be used. Users live in a passwd-file with plain passwords.

Storage is ``sdbox``, not Maildir, for two reasons: its hierarchy separator is ``/``, so the
default folder names (``mailflow/processed``) work as written, whereas Maildir++ uses ``.``; and
measured here, polling stays flat as a mailbox grows (10 new in 10k: 4 ms vs 23 ms with Maildir),
which matters for the demo's long-lived mailboxes. Tests read messages over IMAP, so Maildir's
human-readable files would bring nothing.

As root, mail is owned by the virtual uid/gid 5000 (no ``/etc/passwd`` entry needed); as a normal
user the whole instance runs as that user (the "rootless" configuration).
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

from mailflow.errors import MailflowError

APT_HINT = "apt-get install dovecot-imapd dovecot-lmtpd"
VMAIL_ID = 5000
_START_TIMEOUT = 10.0
_STOP_TIMEOUT = 10.0
_STOP_GRACE = 0.25


class DevStackError(MailflowError):
    """The loopback mail stack could not be started or used."""


class DovecotNotInstalledError(DevStackError):
    """No dovecot binary was found."""


def find_dovecot() -> str | None:
    """Path of the dovecot binary; ``/usr/sbin`` is often missing from a normal user's PATH."""
    return shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/usr/local/sbin")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free right now on ``host`` (bind to port 0 and ask the kernel)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # SO_REUSEADDR as Dovecot sets it: TIME_WAIT connections do not block a new listener.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


class DovecotServer:
    """One Dovecot process tree serving IMAP and LMTP on loopback ports picked at creation."""

    def __init__(
        self,
        users: Iterable[str],
        password: str = "secret",
        *,
        host: str = "127.0.0.1",
        postmaster: str = "postmaster@example.test",
    ) -> None:
        self.users = tuple(users)
        self.password = password
        self.host = host
        self.postmaster = postmaster
        # Ports are chosen once, so that restart() comes back where clients expect it.
        self.imap_port = free_port(host)
        self.lmtp_port = free_port(host)
        self.base = Path(tempfile.mkdtemp(dir="/tmp", prefix="mf-"))
        self.instance_name = f"mailflow-{self.base.name}"
        self.config_path = self.base / "dovecot.conf"
        self.log_path = self.base / "dovecot.log"
        self._stderr_path = self.base / "stderr.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Start Dovecot and return once its IMAP greeting answers (bounded wait)."""
        if self.running:
            return
        binary = find_dovecot()
        if binary is None:
            raise DovecotNotInstalledError(f"dovecot is not installed: {APT_HINT}")
        self._write_files()
        with self._stderr_path.open("ab") as stderr:
            # A new session keeps a terminal's Ctrl-C away from Dovecot: its owner stops it.
            self._process = subprocess.Popen(
                [binary, "-F", "-c", str(self.config_path)],
                stdin=subprocess.DEVNULL,
                stdout=stderr,
                stderr=stderr,
                start_new_session=True,
            )
        self._wait_for_greeting()

    def stop(self) -> None:
        """Stop Dovecot and return once its ports are free again (bounded wait).

        SIGTERM goes to the whole process group, so every process gets to say ``* BYE`` and
        close its files at once. The master itself then sometimes waits 1-6 s for children that
        are already dead (measured: their zombies sit unreaped), so after a short grace the group
        gets SIGKILL. Clients see ``BYE`` or a closed connection, as with a real server restart.
        """
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=_STOP_GRACE)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=_STOP_TIMEOUT)
        self._wait_for_free_ports()

    def restart(self) -> None:
        """Stop and start again on the same ports, as a server restart looks to its clients."""
        self.stop()
        self.start()

    def remove(self) -> None:
        """Stop and delete the instance's directory (configuration, mail, logs)."""
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)

    def log_text(self) -> str:
        """Dovecot's log and anything it wrote to stderr, for a failing test's report."""
        parts = []
        for path in (self._stderr_path, self.log_path):
            with contextlib.suppress(FileNotFoundError):
                parts.append(path.read_text(encoding="utf-8", errors="replace"))
        return "".join(parts)

    def wait_until_idle(self, user: str, timeout: float = 5.0) -> None:
        """Return once an IMAP session of ``user`` is in IDLE: tests act "during IDLE" on this.

        ``verbose_proctitle`` makes each imap process show its user and current command, which
        is the only outside view of a session's state. Linux only (it reads /proc).
        """
        prefix = f"dovecot-{self.instance_name}/imap [{user} "
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
                with contextlib.suppress(OSError):
                    title = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
                    if title.startswith(prefix) and title.rstrip().endswith(" IDLE]"):
                        return
            time.sleep(0.01)
        raise DevStackError(f"no IMAP session of {user} entered IDLE within {timeout} s")

    def __enter__(self) -> DovecotServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.remove()

    def _wait_for_greeting(self) -> None:
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                code = self._process.returncode
                self._process = None
                raise DevStackError(f"dovecot exited with {code}:\n{self.log_text()}")
            try:
                with socket.create_connection((self.host, self.imap_port), timeout=1.0) as sock:
                    if sock.recv(64).startswith(b"* OK"):
                        return
            except OSError:
                pass
            # Waiting for an external process to come up: a short poll is the only signal there is.
            time.sleep(0.02)
        self.stop()
        raise DevStackError(f"dovecot did not answer within {_START_TIMEOUT} s:\n{self.log_text()}")

    def _wait_for_free_ports(self) -> None:
        # A child that outlives the master for a moment still holds the listening sockets; the
        # next start() on the same ports must not race it.
        deadline = time.monotonic() + _STOP_TIMEOUT
        for port in (self.imap_port, self.lmtp_port):
            while not _port_is_free(self.host, port) and time.monotonic() < deadline:
                time.sleep(0.01)

    def _write_files(self) -> None:
        mail = self.base / "mail"
        mail.mkdir(exist_ok=True)
        users_file = self.base / "users"
        users_file.write_text(
            "".join(f"{user}:{{PLAIN}}{self.password}\n" for user in self.users), encoding="utf-8"
        )
        # The auth process may run as an unprivileged user and must read the users file.
        users_file.chmod(0o644)
        if os.geteuid() == 0:
            # Mail processes run as uid 5000 and must reach their mail directory.
            self.base.chmod(0o711)
            os.chown(mail, VMAIL_ID, VMAIL_ID)
            identity = _ROOT_IDENTITY.format(id=VMAIL_ID)
            userdb_args = f"uid={VMAIL_ID} gid={VMAIL_ID} home={mail}/%d/%n"
            login_chroot = ""
        else:
            user = pwd.getpwuid(os.geteuid()).pw_name
            group = grp.getgrgid(os.getegid()).gr_name
            identity = _ROOTLESS_IDENTITY.format(user=user, group=group)
            userdb_args = f"home={mail}/%d/%n"
            # Chroot needs root; an unprivileged instance runs its login processes unchrooted.
            login_chroot = "  chroot =\n"
        self.config_path.write_text(
            _CONFIG.format(
                base=self.base,
                instance_name=self.instance_name,
                identity=identity,
                users_file=users_file,
                userdb_args=userdb_args,
                login_chroot=login_chroot,
                host=self.host,
                imap_port=self.imap_port,
                lmtp_port=self.lmtp_port,
                log=self.log_path,
                postmaster=self.postmaster,
            ),
            encoding="utf-8",
        )


_ROOT_IDENTITY = """\
mail_uid = {id}
mail_gid = {id}
first_valid_uid = {id}
last_valid_uid = {id}
"""

_ROOTLESS_IDENTITY = """\
default_login_user = {user}
default_internal_user = {user}
default_internal_group = {group}
"""

_CONFIG = """\
# Written by mailflow.dev.devstack: a private loopback instance, no /etc/dovecot includes.
instance_name = {instance_name}
base_dir = {base}/run
state_dir = {base}/state
protocols = imap lmtp
listen = {host}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2 oauthbearer
# A wrong password in a test should fail at once, not after Dovecot's default 2 s.
auth_failure_delay = 0
log_path = {log}
verbose_proctitle = yes
{identity}
mail_location = sdbox:~/mail
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {users_file}
}}
userdb {{
  driver = static
  args = {userdb_args}
}}
# No penalty for failed logins from loopback: a test of a wrong password must not slow the
# logins of every test after it (anvil delays that IP for up to 15 s).
service anvil {{
{login_chroot}  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
{login_chroot}  inet_listener imap {{
    address = {host}
    port = {imap_port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service lmtp {{
  inet_listener lmtp {{
    address = {host}
    port = {lmtp_port}
  }}
}}
protocol imap {{
  mail_max_userip_connections = 200
}}
protocol lmtp {{
  postmaster_address = {postmaster}
}}
"""
