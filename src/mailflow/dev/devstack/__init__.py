"""A loopback mail stack (Dovecot IMAP/LMTP behind an aiosmtpd relay) for tests and the demo.

Never used by the daemon itself: ``mailflow serve`` talks to whatever servers its config names.
"""

from mailflow.dev.devstack.dovecot import (
    APT_HINT,
    DevStackError,
    DovecotNotInstalledError,
    DovecotServer,
    find_dovecot,
)
from mailflow.dev.devstack.smtp import ReceivedEnvelope, RelaySmtpServer
from mailflow.dev.devstack.stack import BOT, DEFAULT_USERS, DOMAIN, PASSWORD, MailStack

__all__ = [
    "APT_HINT",
    "BOT",
    "DEFAULT_USERS",
    "DOMAIN",
    "PASSWORD",
    "DevStackError",
    "DovecotNotInstalledError",
    "DovecotServer",
    "MailStack",
    "ReceivedEnvelope",
    "RelaySmtpServer",
    "find_dovecot",
]
