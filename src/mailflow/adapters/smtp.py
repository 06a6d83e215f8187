"""The SMTP adapter: one smtplib connection per batch, SMTP replies mapped to delivery errors.

4xx replies and lost connections become :class:`TemporaryDeliveryError` (the outbox retries the
row later); 5xx replies become :class:`PermanentDeliveryError`. Both carry the reply code. Nothing
here loops on a 4xx: retrying across time is the outbox's job, driven by the database. A
connection lost mid-batch is reopened once, by the next :meth:`SmtpSender.send`.

A failed login raises the base :class:`DeliveryError`: it says nothing about any one message, so
the caller should stop the batch rather than count an attempt against a row.
"""

from __future__ import annotations

import copy as copy_module
import io
import smtplib
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.policy import EmailPolicy
from types import TracebackType
from typing import cast

from mailflow.adapters.subject_header import rewrite_subject
from mailflow.config.schema import SmtpSettings
from mailflow.errors import (
    ConfigError,
    DeliveryError,
    PermanentDeliveryError,
    TemporaryDeliveryError,
)


@dataclass(frozen=True)
class Refusal:
    """One recipient the server refused, with its reply."""

    address: str
    code: int
    text: str

    @property
    def temporary(self) -> bool:
        return 400 <= self.code < 500


@dataclass(frozen=True)
class SendResult:
    """What the server accepted: the message went to ``accepted``; ``refused`` did not get it."""

    accepted: tuple[str, ...]
    refused: tuple[Refusal, ...] = ()


@dataclass(frozen=True)
class Wire:
    """A message serialised as it goes on the wire, and whether it needs SMTPUTF8."""

    data: bytes
    international: bool


def wire(msg: EmailMessage, *, sender: str, recipients: Sequence[str]) -> Wire:
    """``msg`` as :meth:`smtplib.SMTP.send_message` would send it: Bcc removed, CRLF line ends,
    UTF-8 headers only when an address needs SMTPUTF8 (RFC 6531). Pure, so it can be done ahead.
    """
    international = not all(a.isascii() for a in (sender, *recipients))
    copy = copy_module.copy(msg)
    del copy["Bcc"]
    del copy["Resent-Bcc"]
    policy = cast(EmailPolicy, msg.policy).clone(utf8=True) if international else msg.policy
    buffer = io.BytesIO()
    BytesGenerator(buffer, policy=policy).flatten(copy, linesep="\r\n")
    data = buffer.getvalue()
    subject = msg.get("Subject")
    if subject is not None and not international:
        # CPython's folding of mixed CJK/ASCII subjects loses spaces: written by hand instead.
        data = rewrite_subject(data, str(subject))
    return Wire(data, international)


def _xoauth2(smtp: smtplib.SMTP, user: str, token: str) -> None:
    """SASL XOAUTH2 (Gmail, Microsoft 365): the token in the initial response.

    On a refused token the server answers 334 with an error; the client must send an empty line
    to get the final 535, which smtplib then raises as SMTPAuthenticationError.
    """
    initial = f"user={user}\x01auth=Bearer {token}\x01\x01"
    smtp.ehlo_or_helo_if_needed()
    smtp.auth(
        "XOAUTH2",
        lambda challenge=None: initial if challenge is None else "",
        initial_response_ok=True,
    )


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply


def _error_for(code: int, text: str, recipients: tuple[str, ...]) -> DeliveryError:
    if 500 <= code < 600:
        return PermanentDeliveryError(f"{code} {text}", code=code, recipients=recipients)
    # 4xx, and anything unexpected: waiting and trying again is the safe reading.
    return TemporaryDeliveryError(f"{code} {text}", code=code, recipients=recipients)


class SmtpSender:
    """Sends messages over one SMTP connection, opened on ``with`` and closed at its end."""

    def __init__(
        self,
        settings: SmtpSettings,
        password: str | Callable[[], str] | None,
        *,
        ssl_context: ssl.SSLContext | None = None,
        local_hostname: str | None = None,
    ) -> None:
        self.settings = settings
        self._password = password
        self._ssl_context = ssl_context
        self._local_hostname = local_hostname
        self._smtp: smtplib.SMTP | None = None

    def open(self) -> None:
        """Connect (TLS, STARTTLS or plain) and log in when a user is configured."""
        if self._smtp is not None:
            return
        s = self.settings
        context = self._ssl_context or ssl.create_default_context()
        smtp: smtplib.SMTP
        try:
            if s.security == "tls":
                smtp = smtplib.SMTP_SSL(
                    s.host,
                    s.port,
                    local_hostname=self._local_hostname,
                    timeout=s.timeout_seconds,
                    context=context,
                )
            else:
                smtp = smtplib.SMTP(
                    s.host, s.port, local_hostname=self._local_hostname, timeout=s.timeout_seconds
                )
        except smtplib.SMTPConnectError as exc:
            raise _error_for(exc.smtp_code, _text(exc.smtp_error), ()) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporaryDeliveryError(f"cannot connect to {s.host}:{s.port}: {exc}") from exc
        try:
            if s.security == "starttls":
                smtp.starttls(context=context)
            if s.user:
                secret = self._secret()
                if s.auth == "xoauth2":
                    _xoauth2(smtp, s.user, secret)
                else:
                    smtp.login(s.user, secret)
        except DeliveryError:
            smtp.close()
            raise
        except smtplib.SMTPAuthenticationError as exc:
            smtp.close()
            raise DeliveryError(
                f"SMTP login as {s.user} refused: {exc.smtp_code} {_text(exc.smtp_error)}",
                code=exc.smtp_code,
            ) from exc
        except smtplib.SMTPResponseException as exc:
            smtp.close()
            raise _error_for(exc.smtp_code, _text(exc.smtp_error), ()) from exc
        except (OSError, smtplib.SMTPException) as exc:
            smtp.close()
            raise TemporaryDeliveryError(f"SMTP session setup failed: {exc}") from exc
        self._smtp = smtp

    def _secret(self) -> str:
        if self._password is None or isinstance(self._password, str):
            return self._password or ""
        try:
            return self._password()
        except ConfigError as exc:
            # The token helper failed this time: the batch is retried later, like a lost server.
            raise TemporaryDeliveryError(f"SMTP login: {exc}") from exc

    def send(self, msg: EmailMessage, *, sender: str, recipients: Sequence[str]) -> SendResult:
        """Send ``msg`` to ``recipients``; partial refusals are in the result, not raised."""
        return self.send_wire(
            wire(msg, sender=sender, recipients=recipients), sender=sender, recipients=recipients
        )

    def send_wire(self, message: Wire, *, sender: str, recipients: Sequence[str]) -> SendResult:
        """Send a message already serialised by :func:`wire` (perhaps by a worker process)."""
        if not recipients:
            raise ValueError("no recipients")
        if self._smtp is None:
            # First use, or the connection was lost by an earlier send in this batch: one reopen.
            self.open()
        smtp = self._smtp
        assert smtp is not None
        rcpts = tuple(recipients)
        try:
            options = ["SMTPUTF8", "BODY=8BITMIME"] if message.international else []
            smtp.ehlo_or_helo_if_needed()
            if message.international and not smtp.has_extn("smtputf8"):
                raise smtplib.SMTPNotSupportedError(
                    "One or more source or delivery addresses require internationalized email "
                    "support, but the server does not advertise the required SMTPUTF8 capability"
                )
            refused = smtp.sendmail(sender, list(rcpts), message.data, mail_options=options)
        except smtplib.SMTPRecipientsRefused as exc:
            self._forget_if_closed()
            raise self._all_refused(exc.recipients) from exc
        except smtplib.SMTPNotSupportedError as exc:
            # The message needs SMTPUTF8 and the server lacks it: waiting will not change that.
            raise PermanentDeliveryError(f"SMTP: {exc}", recipients=rcpts) from exc
        except smtplib.SMTPServerDisconnected as exc:
            self._drop()
            raise TemporaryDeliveryError(f"SMTP connection lost: {exc}", recipients=rcpts) from exc
        except smtplib.SMTPResponseException as exc:
            # Sender refused or DATA refused; smtplib has closed the connection on a 421.
            self._forget_if_closed()
            raise _error_for(exc.smtp_code, _text(exc.smtp_error), rcpts) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            raise TemporaryDeliveryError(f"SMTP send failed: {exc}", recipients=rcpts) from exc
        refusals = tuple(
            Refusal(address, code, _text(text)) for address, (code, text) in refused.items()
        )
        accepted = tuple(r for r in rcpts if r not in refused)
        return SendResult(accepted=accepted, refused=refusals)

    def _all_refused(self, refused: dict[str, tuple[int, bytes]]) -> DeliveryError:
        refusals = [Refusal(a, code, _text(text)) for a, (code, text) in refused.items()]
        addresses = tuple(r.address for r in refusals)
        # Permanent only if every refusal is: a 4xx for anyone means trying again may help.
        worst = next((r for r in refusals if not 500 <= r.code < 600), refusals[0])
        return _error_for(worst.code, worst.text, addresses)

    def _forget_if_closed(self) -> None:
        if self._smtp is not None and self._smtp.sock is None:
            self._smtp = None

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()

    def close(self) -> None:
        """QUIT if the server still listens; always release the socket."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()

    def __enter__(self) -> SmtpSender:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
