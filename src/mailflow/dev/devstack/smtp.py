"""An SMTP server on loopback that hands every message to Dovecot over LMTP, with fault injection.

aiosmtpd runs in its own thread; each message is delivered to Dovecot before the DATA reply, so a
message is in the mailbox when the client's ``sendmail()`` returns and tests need not poll.
Delivery opens one LMTP transaction per recipient: ``smtplib.LMTP.sendmail`` reads only the first
per-recipient reply, so several recipients in one transaction corrupt the session.

Faults for tests (each applies to the next matching command, then normal service resumes):
:meth:`RelaySmtpServer.fail_next` answers a chosen code (``421`` also closes the connection),
:meth:`RelaySmtpServer.reject_recipient` refuses one address, and
:meth:`RelaySmtpServer.drop_next_connection` closes the connection without a reply.
"""

from __future__ import annotations

import base64
import logging
import smtplib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal, cast

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from mailflow.dev.devstack.dovecot import free_port

Stage = Literal["mail", "rcpt", "data"]


@dataclass(frozen=True)
class ReceivedEnvelope:
    """What the relay accepted for delivery: the SMTP envelope and the raw message."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes
    peer: tuple[str, int]  # The client's address: equal peers mean one SMTP connection.
    # "MECHANISM:user" when the client logged in (AUTH PLAIN, LOGIN or XOAUTH2), else None.
    authenticated_as: str | None = None


@dataclass
class _Fault:
    stage: Stage
    code: int | None  # None: close the connection without a reply.
    text: str
    remaining: int


class _RelayHandler:
    """aiosmtpd hooks: apply injected faults, check recipients, deliver over LMTP."""

    def __init__(
        self, lmtp_host: str, lmtp_port: int, is_local: Callable[[str], bool] | None
    ) -> None:
        self.lmtp_host = lmtp_host
        self.lmtp_port = lmtp_port
        self.is_local = is_local
        # The hooks run in aiosmtpd's thread; tests configure faults from theirs.
        self.lock = threading.Lock()
        self.faults: list[_Fault] = []
        self.rejected: dict[str, tuple[int, str]] = {}
        self.received: list[ReceivedEnvelope] = []

    def _take_fault(self, stage: Stage) -> _Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.stage == stage:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

    async def _fault_reply(self, server: SMTP, stage: Stage) -> str | None:
        fault = self._take_fault(stage)
        if fault is None:
            return None
        if fault.code is None or fault.code == 421:
            if fault.code == 421:
                await server.push(f"421 {fault.text}")
            # Closing the transport makes aiosmtpd cancel the session: nothing more is sent.
            assert server.transport is not None
            server.transport.close()
        return f"{fault.code or 421} {fault.text}"

    # aiosmtpd finds its hooks by these exact names.
    async def handle_MAIL(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        reply = await self._fault_reply(server, "mail")
        if reply is not None:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        reply = await self._fault_reply(server, "rcpt")
        if reply is not None:
            return reply
        with self.lock:
            rejected = self.rejected.get(address.lower())
        if rejected is not None:
            return f"{rejected[0]} {rejected[1]}"
        if self.is_local is not None and not self.is_local(address):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        reply = await self._fault_reply(server, "data")
        if reply is not None:
            return reply
        content = envelope.original_content or b""
        mail_from = envelope.mail_from or ""
        # Blocking LMTP inside the event loop is deliberate: delivery completes before the reply,
        # and a test relay serves one client at a time anyway.
        failures = self._deliver(mail_from, envelope.rcpt_tos, content)
        if len(failures) == len(envelope.rcpt_tos):
            code, text = failures[0]
            return f"{code} {text}"
        with self.lock:
            self.received.append(
                ReceivedEnvelope(
                    mail_from,
                    tuple(envelope.rcpt_tos),
                    content,
                    cast("tuple[str, int]", session.peer),
                    session.auth_data if isinstance(session.auth_data, str) else None,
                )
            )
        return "250 OK delivered"

    def _deliver(
        self, mail_from: str, rcpt_tos: list[str], content: bytes
    ) -> list[tuple[int, str]]:
        failures: list[tuple[int, str]] = []
        try:
            with smtplib.LMTP(self.lmtp_host, self.lmtp_port, timeout=10) as lmtp:
                for rcpt in rcpt_tos:
                    try:
                        lmtp.sendmail(mail_from, [rcpt], content)
                    except smtplib.SMTPRecipientsRefused as exc:
                        code, text = exc.recipients[rcpt]
                        failures.append((code, _text(text)))
                    except smtplib.SMTPResponseException as exc:
                        failures.append((exc.smtp_code, _text(exc.smtp_error)))
        except (OSError, smtplib.SMTPException) as exc:
            # Dovecot is down or restarting: a real MTA would queue; we ask the client to retry.
            return [(451, f"4.4.1 LMTP delivery failed: {exc}")] * len(rcpt_tos)
        return failures


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply


class _NoLoginDataWarning(logging.Filter):
    """aiosmtpd 1.4 logs a deprecation warning of its own at every successful AUTH."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "login_data is deprecated" not in record.getMessage()


logging.getLogger("mail.log").addFilter(_NoLoginDataWarning())


class _Authenticator:
    """AUTH PLAIN and LOGIN against the stack's users; successes are counted by mechanism."""

    def __init__(self, credentials: Callable[[str, str], bool]) -> None:
        self.credentials = credentials

    def __call__(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if isinstance(data, LoginPassword):
            user, password = data.login.decode(), data.password.decode()
            if self.credentials(user, password):
                return AuthResult(success=True, auth_data=f"{mechanism}:{user}")
        return AuthResult(success=False, handled=False)


class _AuthRelayHandler(_RelayHandler):
    """The relay that also speaks SASL XOAUTH2, the token checked like a password."""

    def __init__(
        self,
        lmtp_host: str,
        lmtp_port: int,
        is_local: Callable[[str], bool] | None,
        credentials: Callable[[str, str], bool],
    ) -> None:
        super().__init__(lmtp_host, lmtp_port, is_local)
        self.credentials = credentials

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:  # noqa: N802
        # aiosmtpd finds a mechanism as the handler method auth_<NAME>.
        if len(args) > 1:
            blob = base64.b64decode(args[1])
        else:
            answer = await server.challenge_auth("")
            if not isinstance(answer, bytes):
                return AuthResult(success=False, handled=False)
            blob = answer
        fields = dict(
            part.split("=", 1) for part in blob.decode("utf-8", "replace").split("\x01") if part
        )
        user, bearer = fields.get("user", ""), fields.get("auth", "")
        token = bearer.removeprefix("Bearer ")
        if bearer.startswith("Bearer ") and self.credentials(user, token):
            return AuthResult(success=True, auth_data=f"XOAUTH2:{user}")
        return AuthResult(success=False, handled=False)


class RelaySmtpServer:
    """aiosmtpd on a free loopback port, relaying to Dovecot's LMTP listener."""

    def __init__(
        self,
        lmtp_host: str,
        lmtp_port: int,
        *,
        is_local: Callable[[str], bool] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        hostname: str = "relay.mailflow.test",
        credentials: Callable[[str, str], bool] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.hostname = hostname
        self._handler = (
            _RelayHandler(lmtp_host, lmtp_port, is_local)
            if credentials is None
            else _AuthRelayHandler(lmtp_host, lmtp_port, is_local, credentials)
        )
        self._credentials = credentials
        self._controller: Controller | None = None

    def start(self) -> None:
        if self._controller is not None:
            return
        if not self.port:
            self.port = free_port(self.host)
        auth: dict[str, Any] = {}
        if self._credentials is not None:
            # AUTH offered (PLAIN, LOGIN, XOAUTH2) but not required: as a submission server
            # would, on loopback without TLS.
            auth = {
                "authenticator": _Authenticator(self._credentials),
                "auth_require_tls": False,
                "auth_required": False,
            }
        controller = Controller(
            self._handler,
            hostname=self.host,
            port=self.port,
            server_hostname=self.hostname,
            **auth,
        )
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    def __enter__(self) -> RelaySmtpServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # Fault injection and inspection; safe to call from any thread.

    def fail_next(self, code: int, text: str, count: int = 1, *, stage: Stage = "data") -> None:
        """Answer ``code text`` to the next ``count`` commands of ``stage`` (421 also hangs up)."""
        with self._handler.lock:
            self._handler.faults.append(_Fault(stage, code, text, count))

    def drop_next_connection(self, *, stage: Stage = "data") -> None:
        """Close the connection without a reply at the next command of ``stage``."""
        with self._handler.lock:
            self._handler.faults.append(_Fault(stage, None, "", 1))

    def reject_recipient(self, address: str, code: int = 550, text: str | None = None) -> None:
        """Refuse ``address`` at RCPT with ``code`` until :meth:`reset`."""
        reason = text or f"5.1.1 <{address}>: Recipient address rejected"
        with self._handler.lock:
            self._handler.rejected[address.lower()] = (code, reason)

    def received(self) -> list[ReceivedEnvelope]:
        """Every envelope delivered since the last :meth:`reset`, oldest first."""
        with self._handler.lock:
            return list(self._handler.received)

    def reset(self) -> None:
        """Forget injected faults, rejected recipients and received envelopes."""
        with self._handler.lock:
            self._handler.faults.clear()
            self._handler.rejected.clear()
            self._handler.received.clear()


def local_users(users: Iterable[str]) -> Callable[[str], bool]:
    """A recipient check that accepts exactly ``users`` (case-insensitive)."""
    known = frozenset(user.lower() for user in users)
    return lambda address: address.lower() in known
