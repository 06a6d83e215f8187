"""An mbox file or a Maildir as a read-only mailbox for the inbound pipeline (``mailflow import``).

Messages are numbered 1..N in archive order; the "UIDVALIDITY" is derived from the archive's path
and size, so a changed archive is rescanned (records keyed by Message-ID keep already-handled
messages from being applied twice). Moving and flagging do nothing: an archive is never changed.
"""

from __future__ import annotations

import hashlib
import mailbox
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from mailflow.errors import MailboxError


@dataclass(frozen=True)
class ArchivedMessage:
    uid: int
    raw: bytes


class ArchiveMailbox:
    def __init__(self, path: Path) -> None:
        self.path = path
        if path.is_dir():
            if not (path / "cur").is_dir() and not (path / "new").is_dir():
                raise MailboxError(f"{path} is a folder but not a Maildir (no cur/ or new/)")
            self._box: mailbox.Mailbox[mailbox.Message] = mailbox.Maildir(path, create=False)
        elif path.is_file():
            self._box = mailbox.mbox(path, create=False)
        else:
            raise MailboxError(f"{path} does not exist")
        self._keys = sorted(self._box.keys()) if path.is_dir() else list(self._box.keys())

    def __len__(self) -> int:
        return len(self._keys)

    def select(self, folder: str) -> int:
        stat = self.path.stat()
        digest = hashlib.sha256(f"{self.path.resolve()}:{stat.st_size}".encode()).digest()
        return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF

    def uids_after(self, last_uid: int) -> list[int]:
        return list(range(last_uid + 1, len(self._keys) + 1))

    def fetch(self, uids: Sequence[int]) -> Iterator[ArchivedMessage]:
        for uid in uids:
            yield ArchivedMessage(uid, self._box.get_bytes(self._keys[uid - 1]))

    def move(self, uids: Sequence[int], folder: str) -> None:
        """Archives are read-only: filing is recorded in the DB only."""

    def flag(self, uids: Sequence[int], flag: str) -> None:
        """Archives are read-only."""

    def close(self) -> None:
        self._box.close()
