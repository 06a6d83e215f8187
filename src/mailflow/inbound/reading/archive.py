"""An mbox file or a Maildir as a read-only mailbox for the inbound pipeline (``mailflow import``).

Messages are numbered 1..N in archive order; the "UIDVALIDITY" is derived from the archive's path
and size, so a changed archive is rescanned (records keyed by Message-ID keep already-handled
messages from being applied twice). Moving and flagging do nothing: an archive is never changed.
"""

from __future__ import annotations

import hashlib
import mailbox
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from mailflow.errors import MailboxError


@dataclass(frozen=True)
class ArchivedMessage:
    uid: int
    raw: bytes


class ArchiveMailbox:
    """A Maildir folder or an mbox file, refused clearly when it is neither.

    A Maildir's entries are read only when they are regular files (a FIFO or a device in ``cur/``
    would block ``import`` for good, a symlink could point anywhere); an mbox must start with its
    ``From `` separator line, so a PDF, a single ``.eml`` or an empty file is an error, not "nothing
    new".
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._files: list[Path] = []
        self.skipped: list[str] = []
        if path.is_dir():
            if not (path / "cur").is_dir() and not (path / "new").is_dir():
                raise MailboxError(f"{path} is a folder but not a Maildir (no cur/ or new/)")
            self._files = self._maildir_files(path)
            self._box: mailbox.Mailbox[mailbox.Message] | None = None
            self._keys: list[str] = [str(f) for f in self._files]
            return
        if not path.exists():
            raise MailboxError(f"{path} does not exist")
        mode = path.stat().st_mode
        if not stat.S_ISREG(mode):
            raise MailboxError(f"{path} is not a regular file (a FIFO, a device or a socket)")
        _check_mbox(path)
        self._box = mailbox.mbox(path, create=False)
        self._keys = list(self._box.keys())
        if not self._keys:
            raise MailboxError(f"{path} holds no message: it is not an mbox file")

    def _maildir_files(self, path: Path) -> list[Path]:
        found: list[Path] = []
        for sub in ("new", "cur"):
            folder = path / sub
            if not folder.is_dir():
                continue
            for entry in sorted(os.scandir(folder), key=lambda e: e.name):
                if entry.name.startswith("."):
                    continue
                if entry.is_symlink() or not entry.is_file(follow_symlinks=False):
                    self.skipped.append(f"{sub}/{entry.name}")
                    continue
                found.append(Path(entry.path))
        return found

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
            if self._box is None:
                yield ArchivedMessage(uid, self._files[uid - 1].read_bytes())
            else:
                yield ArchivedMessage(uid, self._box.get_bytes(self._keys[uid - 1]))

    def sizes(self, uids: Sequence[int]) -> dict[int, int]:
        """Each message's size in bytes (for the pipeline's batch byte budget)."""
        if self._box is None:
            return {uid: self._files[uid - 1].stat().st_size for uid in uids}
        return {}

    def move(self, uids: Sequence[int], folder: str) -> None:
        """Archives are read-only: filing is recorded in the DB only."""

    def flag(self, uids: Sequence[int], flag: str) -> None:
        """Archives are read-only."""

    def close(self) -> None:
        if self._box is not None:
            self._box.close()


def _check_mbox(path: Path) -> None:
    """An mbox file starts with a ``From `` line (blank lines before it are tolerated)."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    if not head.strip():
        raise MailboxError(f"{path} is empty: there is nothing to import")
    if not head.lstrip(b"\r\n").startswith(b"From "):
        raise MailboxError(
            f'{path} is not an mbox file (it does not start with a "From " line); import '
            "reads an mbox file or a Maildir folder — put a single .eml into a Maildir's new/"
        )
