"""``mailflow demo``: one whole meeting cycle on a throwaway loopback mail stack, in under a minute.

The daemon's three jobs (poll the inbox, plan due mail, send the outbox) run by hand at the time
of a :class:`~mailflow.clock.SteppingClock`, the way the end-to-end tests drive them: the clock
jumps hour by hour through a week of the story in :mod:`mailflow.dev.demo_scenario`, so reminders,
escalations and the digest come when the rules say, and nobody sleeps. Every mail really goes
through the SMTP relay into Dovecot and is read back over IMAP (:mod:`mailflow.dev.demo_mail`); each
step is printed as it happens, and at the end every mail is written as ``.eml`` to the output
folder. The mail stack and the SQLite database live in a temporary directory, removed at the end.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from mailflow.adapters.imap import ImapMailbox
from mailflow.adapters.smtp import SmtpSender
from mailflow.clock import SteppingClock
from mailflow.config.schema import (
    ArchiveSettings,
    CalendarSettings,
    Config,
    DatabaseSettings,
    DigestSettings,
    MailSettings,
    PeopleSettings,
    ScheduleSettings,
    Secret,
)
from mailflow.dev.demo_mail import Mailboxes, Received, clear_output, write_all
from mailflow.dev.demo_scenario import PEOPLE, ZONE, Act, acts
from mailflow.dev.devstack import BOT, DOMAIN, MailStack
from mailflow.inbound.pipeline import InboundPipeline, Mailbox
from mailflow.outbound.delivery.flush import OutboxFlusher
from mailflow.planning import Planner
from mailflow.tracker import db

LANGUAGES = ("en", "zh")


@dataclass
class Step:
    """One act of the story and the mails it produced."""

    act: Act
    mails: list[Received] = field(default_factory=list)


@dataclass(frozen=True)
class DemoResult:
    out: Path
    steps: list[Step]
    files: list[Path]


def demo_config(stack: MailStack, workdir: Path) -> Config:
    """The demo's configuration: the stack's bot mailbox, SQLite, China's business days."""
    token_file = workdir / "token-secret"
    token_file.write_text("demo-token-secret", encoding="utf-8")
    return Config(
        mail=MailSettings(
            domain=DOMAIN,
            bot_address=BOT,
            token_secret=Secret("mail.token_secret", file=token_file),
        ),
        imap=stack.imap_settings(),
        smtp=stack.smtp_settings(),
        database=DatabaseSettings(url=f"sqlite:///{workdir / 'mailflow.db'}"),
        schedule=ScheduleSettings(
            timezone=ZONE,
            calendar=CalendarSettings(country="CN"),
            # Friday evening rather than the default Monday morning: a week that starts on a
            # Monday after 08:00 would otherwise open with an empty digest.
            digest=DigestSettings(weekly_day="fri", weekly_time=time(17, 0)),
        ),
        people=PeopleSettings(people=PEOPLE),
        # The project's archive (归档) at close: in the throwaway folder; Alice gets it mailed.
        archive=ArchiveSettings(dir=workdir / "archives"),
    )


def hours_between(start: datetime, end: datetime) -> Iterator[datetime]:
    """Every whole hour after ``start`` and before ``end``: the moments the clock stops at."""
    at = start.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    while at < end:
        yield at
        at += timedelta(hours=1)


class DemoRun:
    """The daemon's jobs, the clock and the mailboxes of one demo."""

    def __init__(
        self, config: Config, stack: MailStack, sessions: sessionmaker[Session], console: Console
    ) -> None:
        self.stack, self.console = stack, console
        self.clock = SteppingClock(acts("en")[0].at)
        self.pipeline = InboundPipeline(config, sessions, self.clock)
        self.planner = Planner(config, sessions, self.clock)
        self.flusher = OutboxFlusher(
            config, sessions, self.clock, lambda: SmtpSender(config.smtp, None), worker="demo"
        )
        self.boxes = Mailboxes(stack, sessions, tuple(p.email for p in PEOPLE))
        self.zone = ZoneInfo(ZONE)

    def play(self, story: list[Act], mailbox: Mailbox) -> list[Step]:
        steps = []
        ends = [act.at for act in story[1:]] + [story[-1].at + timedelta(seconds=1)]
        for number, (act, end) in enumerate(zip(story, ends, strict=True), start=1):
            step = Step(act)
            steps.append(step)
            self.clock.set(act.at)
            when = act.at.astimezone(self.zone)
            self.console.print(
                f"\n[bold cyan]{number}. {escape(act.title)}[/]  [dim]{when:%a %d %b %H:%M}"
                f" · {escape(act.says)}[/]"
            )
            for outgoing in act.mails(self.boxes.newest):
                self.boxes.labels[str(outgoing.message["Message-ID"])] = outgoing.label
                self.stack.send(outgoing.message, outgoing.sender, [BOT])
            step.mails += self._tick(mailbox)
            for at in hours_between(act.at, end):
                self.clock.set(at)
                step.mails += self._tick(mailbox)
        return steps

    def _tick(self, mailbox: Mailbox) -> list[Received]:
        """The daemon's three jobs once at the clock's time; prints and returns what arrived."""
        polled = self.pipeline.poll(mailbox)
        self.planner.plan()
        flushed = self.flusher.flush()
        if not polled.fetched and not flushed.sent:
            return []
        new = self.boxes.read_new()
        when = self.clock.now().astimezone(self.zone)
        for item in new:
            sender = item.message["From"].addresses[0].username if item.message["From"] else "?"
            recipient = item.recipient.partition("@")[0]
            # A person's mail is labelled "<what>-from-<sender>"; the sender has its own column.
            kind = item.kind.partition("-from-")[0].replace("_", " ")
            self.console.print(
                f"   {when:%a %H:%M}  {sender:>5} → {recipient:<5}  [green]{kind:<16}[/]"
                f" {escape(item.subject)}",
                overflow="ellipsis",
                no_wrap=True,
            )
        return new


def summary(steps: list[Step]) -> Table:
    table = Table(title="what happened")
    table.add_column("step")
    table.add_column("mails", justify="right")
    table.add_column("recipients")
    for number, step in enumerate(steps, start=1):
        recipients = sorted({m.recipient.partition("@")[0] for m in step.mails})
        table.add_row(f"{number}. {step.act.title}", str(len(step.mails)), ", ".join(recipients))
    total = sum(len(step.mails) for step in steps)
    table.add_row("[bold]total[/]", f"[bold]{total}[/]", "")
    return table


def run_demo(out: Path, *, lang: str = "en", console: Console | None = None) -> DemoResult:
    """Play the story and write its mails to ``out``; raises DevStackError without Dovecot."""
    console = console or Console()
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}")
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    clear_output(out)
    story = acts(lang)
    with tempfile.TemporaryDirectory(prefix="mailflow-demo-") as work, MailStack() as stack:
        console.print(
            f"[bold]mailflow demo[/]: a loopback mail stack on {stack.host} "
            f"(IMAP {stack.imap_port}, SMTP {stack.smtp_port}), a SQLite database, and a clock "
            "that steps through a working week in Shanghai, March 2025"
        )
        config = demo_config(stack, Path(work))
        engine = db.make_engine(config.database.url)
        try:
            db.upgrade(engine)
            run = DemoRun(config, stack, db.make_session_factory(engine), console)
            with ImapMailbox(config.imap, stack.password) as mailbox:
                mailbox.ensure_folders()
                steps = run.play(story, mailbox)
            received = run.boxes.received
        finally:
            engine.dispose()
    files = write_all(received, out)
    console.print()
    console.print(summary(steps))
    digest = next((f for f in files if f.suffix == ".html"), None)
    console.print(
        f"\n[bold]{len(received)} mails[/] written to [bold]{out}[/] as NN-recipient-kind.eml "
        "(open them in any mail client)"
        + (f"; the digest also as [bold]{digest.name}[/] for a browser" if digest else "")
        + ".\nNext: scripts/serve-local runs the daemon itself against a loopback mail stack."
    )
    return DemoResult(out, steps, files)
