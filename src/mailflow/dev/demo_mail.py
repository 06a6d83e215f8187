"""What the demo's people received: every mailbox read back over IMAP, named and written to disk.

Each read fetches only what arrived since the last one (UIDs above the last seen, per folder), so
the demo can show mail as it comes. A copy is named ``NN-recipient-kind.eml`` in the order it
arrived: the outbox kind of the bot's mail (found by its Message-ID), or the label the demo gave a
person's mail to the bot (``-from-<sender>`` added).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy.orm import Session

from mailflow.config.schema import Folders
from mailflow.dev.devstack import BOT, MailStack
from mailflow.tracker import mail_log_repo

OUTPUT_PATTERNS = ("[0-9][0-9]-*.eml", "[0-9][0-9]-*.html")


@dataclass(frozen=True)
class Received:
    """One copy of a mail in one mailbox, in the order the demo saw it arrive."""

    number: int
    recipient: str
    kind: str
    message: EmailMessage
    raw: bytes

    @property
    def name(self) -> str:
        return f"{self.number:02d}-{self.recipient.partition('@')[0]}-{self.kind.replace('_', '-')}"

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")


def parse(raw: bytes) -> EmailMessage:
    msg = message_from_bytes(raw, policy=policy.default)
    if not isinstance(msg, EmailMessage):  # pragma: no cover - policy.default always gives one
        raise TypeError("not an EmailMessage")
    return msg


class Mailboxes:
    """Reads every person's inbox and the bot's folders, remembering what it has already read."""

    def __init__(
        self, stack: MailStack, sessions: Callable[[], Session], people: tuple[str, ...]
    ) -> None:
        self._stack = stack
        self._sessions = sessions
        folders = Folders()
        # The bot's copies of people's mail end up processed, quarantined or left in the inbox.
        self._watched = [(BOT, f) for f in (folders.inbox, folders.processed, folders.quarantine)]
        self._watched += [(person, "INBOX") for person in people]
        self._last_uid: dict[tuple[str, str], int] = {}
        # Message-ID → the label of a mail a person sent, set by the demo before sending it.
        self.labels: dict[str, str] = {}
        self.received: list[Received] = []

    def read_new(self) -> list[Received]:
        """Everything that arrived since the last call: people's mail first, then the bot's."""
        found = [
            (user, parse(raw), raw)
            for user, folder in self._watched
            for raw in self._fetch(user, folder)
        ]
        rows = self._outbox_rows([str(msg["Message-ID"] or "") for _, msg, _ in found])
        new = []
        for user, msg, raw in sorted(found, key=lambda entry: self._order(entry[1], rows)):
            message_id = str(msg["Message-ID"] or "")
            if message_id in self.labels:
                sender = msg["From"].addresses[0].username if msg["From"] else "unknown"
                kind = f"{self.labels[message_id]}-from-{sender}"
            else:
                kind = rows.get(message_id, (0, "mail"))[1]
            item = Received(len(self.received) + 1, user, kind, msg, raw)
            self.received.append(item)
            new.append(item)
        return new

    def newest(self, user: str, kind: str) -> EmailMessage:
        """The newest mail of outbox ``kind`` that ``user`` received (the demo's people reply)."""
        for item in reversed(self.received):
            if item.recipient == user and item.kind == kind:
                return item.message
        raise LookupError(f"{user} has received no {kind} mail")

    def _fetch(self, user: str, folder: str) -> list[bytes]:
        last = self._last_uid.get((user, folder), 0)
        with self._stack.imap(user) as client:
            if not client.folder_exists(folder):
                return []
            client.select_folder(folder, readonly=True)
            uids = sorted(uid for uid in client.search(["UID", f"{last + 1}:*"]) if uid > last)
            if not uids:
                return []
            fetched = client.fetch(uids, [b"BODY.PEEK[]"])
        self._last_uid[(user, folder)] = uids[-1]
        return [fetched[uid][b"BODY[]"] for uid in uids if uid in fetched]

    def _order(self, msg: EmailMessage, rows: dict[str, tuple[int, str]]) -> tuple[int, int]:
        # People's mail caused what the bot sent in the same step, so it comes first; the bot's
        # mail follows in the order the outbox planned it.
        message_id = str(msg["Message-ID"] or "")
        if message_id in self.labels:
            return (0, list(self.labels).index(message_id))
        return (1, rows.get(message_id, (0, ""))[0])

    def _outbox_rows(self, message_ids: list[str]) -> dict[str, tuple[int, str]]:
        """Message-ID → (outbox row id, kind) for the bot's mails among ``message_ids``."""
        wanted = [m for m in message_ids if m and m not in self.labels]
        if not wanted:
            return {}
        with self._sessions() as session:
            rows = mail_log_repo.outbox_rows_by_message_id(session, wanted)
            return {message_id: (sent.row_id or 0, sent.kind) for message_id, sent in rows.items()}


def html_body(msg: EmailMessage) -> str | None:
    part = msg.get_body(("html",))
    return None if part is None else str(part.get_content())


def clear_output(out: Path) -> None:
    """Remove the files an earlier demo wrote to ``out``; nothing else there is touched."""
    for pattern in OUTPUT_PATTERNS:
        for old in out.glob(pattern):
            old.unlink()


def write_all(received: list[Received], out: Path) -> list[Path]:
    """Each mail as ``.eml`` (exactly the bytes read over IMAP); each digest also as ``.html``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for item in received:
        path = out / f"{item.name}.eml"
        path.write_bytes(item.raw)
        written.append(path)
        html = html_body(item.message) if item.kind == "digest" else None
        if html is not None:
            page = out / f"{item.name}.html"
            page.write_text(html, encoding="utf-8")
            written.append(page)
    return written
