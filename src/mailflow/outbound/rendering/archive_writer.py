"""Write an archive's files to a folder or a zip, the same bytes every time.

The caller hands entries (relative path, bytes) in sorted order; both sinks put them under one
root folder (``跨部门协作-<project>``). A zip gets a fixed timestamp (1980-01-01), fixed
permissions and a fixed compression level, so the same database gives a byte-identical file. Both
write to a temporary name beside the target and move it into place at the end: a reader never
sees half an archive, and an interrupted run leaves the last good one.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType

ARCHIVE_PREFIX = "跨部门协作-"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


def safe_name(text: str, limit: int = 80) -> str:
    """``text`` usable as a file name on Windows, macOS and Linux: no separators, reserved
    characters or control characters, no leading or trailing dots and spaces."""
    clean = _UNSAFE.sub("_", " ".join(text.split())).strip(" .")
    return clean[:limit].rstrip(" .") or "_"


def archive_root(project: str) -> str:
    return ARCHIVE_PREFIX + safe_name(project)


class ArchiveSink:
    """Where entries go: a folder (``target`` is its parent) or a zip file (``target``)."""

    def __init__(self, target: Path, root: str) -> None:
        self.root = root
        self.is_zip = target.suffix.lower() == ".zip"
        self.path = target if self.is_zip else target / root
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Unique per writer: two replicas archiving the same project at once each write their
        # own temporary file and the last move wins, with the same bytes.
        self._tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}-{secrets.token_hex(4)}")
        self._zip: zipfile.ZipFile | None = None
        if self.is_zip:
            self._tmp.unlink(missing_ok=True)
            self._zip = zipfile.ZipFile(self._tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6)
        else:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp.mkdir()

    def put(self, name: str, data: bytes) -> None:
        if self._zip is not None:
            info = zipfile.ZipInfo(f"{self.root}/{name}", date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            self._zip.writestr(info, data, compresslevel=6)
            return
        path = self._tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def put_chunks(self, name: str, chunks: Iterable[bytes]) -> None:
        """An entry written as it is produced, never whole in memory."""
        if self._zip is not None:
            info = zipfile.ZipInfo(f"{self.root}/{name}", date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            with self._zip.open(info, "w") as out:
                for block in _blocks(chunks):
                    out.write(block)
            return
        path = self._tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            for block in _blocks(chunks):
                out.write(block)

    def __enter__(self) -> ArchiveSink:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._zip is not None:
            self._zip.close()
        if kind is not None:
            if self.is_zip:
                self._tmp.unlink(missing_ok=True)
            else:
                shutil.rmtree(self._tmp, ignore_errors=True)
            return
        if self.is_zip:
            self._tmp.replace(self.path)
            return
        old = self.path.with_name(f"{self._tmp.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        if self.path.exists():
            self.path.rename(old)
        self._tmp.rename(self.path)
        shutil.rmtree(old, ignore_errors=True)


def _blocks(chunks: Iterable[bytes], size: int = 1 << 16) -> Iterator[bytes]:
    """Small pieces (a template's output) gathered into blocks, so each write is worth its call."""
    waiting: list[bytes] = []
    held = 0
    for chunk in chunks:
        waiting.append(chunk)
        held += len(chunk)
        if held >= size:
            yield b"".join(waiting)
            waiting, held = [], 0
    if waiting:
        yield b"".join(waiting)
