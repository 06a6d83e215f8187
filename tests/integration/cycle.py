"""The daemon's three jobs run by hand at a stepping clock's time, for end-to-end tests."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage

from sqlalchemy.orm import Session, sessionmaker

from mailflow.adapters.imap import ImapMailbox
from mailflow.adapters.smtp import SmtpSender
from mailflow.config.schema import Config
from mailflow.dev.devstack import BOT, MailStack
from mailflow.inbound.pipeline import InboundPipeline, PollResult
from mailflow.outbound.delivery.flush import OutboxFlusher
from mailflow.planning import Planner
from tests.conftest import SteppingClock


class Cycle:
    """The daemon's three jobs, run by hand at the stepping clock's time."""

    def __init__(
        self,
        config: Config,
        stack: MailStack,
        sessions: sessionmaker[Session],
        clock: SteppingClock,
    ) -> None:
        self.config, self.stack, self.sessions, self.clock = config, stack, sessions, clock
        self.pipeline = InboundPipeline(config, sessions, clock)
        self.planner = Planner(config, sessions, clock)
        self.flusher = OutboxFlusher(
            config, sessions, clock, lambda: SmtpSender(config.smtp, None), worker="t:1"
        )

    def run(self) -> PollResult:
        with ImapMailbox(self.config.imap, self.stack.password) as mailbox:
            mailbox.ensure_folders()
            result = self.pipeline.poll(mailbox)
        self.planner.plan()
        self.flusher.flush()
        return result

    def inbox(self, user: str) -> list[EmailMessage]:
        found = []
        for raw in self.stack.messages(user):
            msg = message_from_bytes(raw, policy=policy.default)
            assert isinstance(msg, EmailMessage)
            found.append(msg)
        return found


def reply(to: EmailMessage, sender: str, body: str) -> EmailMessage:
    """A reply as a mail client writes it: to the Reply-To, "Re:" subject, thread headers."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = str(to["Reply-To"] or BOT)
    msg["Subject"] = f"Re: {to['Subject']}"
    msg["In-Reply-To"] = str(to["Message-ID"])
    msg["References"] = f"{to['References'] or ''} {to['Message-ID']}".strip()
    msg["Message-ID"] = f"<{abs(hash((sender, body, str(to['Message-ID']))))}@example.test>"
    msg.set_content(body)
    return msg


def text(msg: EmailMessage) -> str:
    """The plain-text body of ``msg``."""
    body = msg.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def latest(cycle: Cycle, person: str, word: str) -> EmailMessage:
    """The newest mail to ``person`` with ``word`` in its subject."""
    found = [m for m in cycle.inbox(person) if word in str(m["Subject"])]
    assert found, f"no mail to {person} with {word!r} in its subject"
    return found[-1]
