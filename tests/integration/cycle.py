"""The daemon's three jobs run by hand at a stepping clock's time, for end-to-end tests."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage

from sqlalchemy.orm import Session, sessionmaker

from mailflow.adapters.imap import ImapMailbox
from mailflow.adapters.smtp import SmtpSender
from mailflow.config.schema import Config
from mailflow.dev.devstack import MailStack
from mailflow.inbound.pipeline import InboundPipeline, PollResult
from mailflow.outbound.flush import OutboxFlusher
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
