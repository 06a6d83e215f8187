"""The payload of an answer (outbox kinds ``answer``, ``acceptance_request``, ``at_risk_prompt``,
``daily_update`` …) as a typed, versioned value, checked when it is read back.

An outbox row outlives the code that wrote it (a row planned before an upgrade is sent after it),
so reading is strict about types and lenient about age: a row without ``"v"`` is version 0 (the
same fields, written before versions were recorded). A row that does not fit raises
:class:`PayloadError` naming the field, and the flusher parks the row with that reason.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

VERSION = 1


class PayloadError(ValueError):
    """A stored payload does not fit its kind: which field, and what is wrong with it."""


def _text(data: Mapping[str, Any], key: str, *, optional: bool = False) -> str | None:
    value = data.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise PayloadError(f"{key}: expected text, not {type(value).__name__}")
    return value


def _texts(value: object, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise PayloadError(f"{key}: expected a list of texts")
    return tuple(value)


@dataclass(frozen=True)
class AnswerTable:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def to_json(self) -> dict[str, Any]:
        return {"headers": list(self.headers), "rows": [list(r) for r in self.rows]}

    @classmethod
    def from_json(cls, data: object) -> AnswerTable:
        if not isinstance(data, Mapping):
            raise PayloadError("table: expected an object")
        rows = data.get("rows")
        if not isinstance(rows, list):
            raise PayloadError("table.rows: expected a list")
        return cls(
            _texts(data.get("headers"), "table.headers"),
            tuple(_texts(row, f"table.rows[{n}]") for n, row in enumerate(rows)),
        )


@dataclass(frozen=True)
class AnswerFile:
    filename: str
    content_type: str
    data: bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "data": base64.b64encode(self.data).decode(),
        }

    @classmethod
    def from_json(cls, data: object, where: str) -> AnswerFile:
        if not isinstance(data, Mapping):
            raise PayloadError(f"{where}: expected an object")
        encoded = _text(data, "data") or ""
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise PayloadError(f"{where}.data: not base64 ({exc})") from exc
        kind = _text(data, "content_type") or ""
        if "/" not in kind:
            raise PayloadError(f"{where}.content_type: {kind!r} is not a MIME type")
        return cls(_text(data, "filename") or "", kind, raw)


@dataclass(frozen=True)
class Answer:
    """A short mail to one person: paragraphs, maybe a table and files, threaded or not."""

    locale: str
    subject: str
    paragraphs: tuple[str, ...]
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    table: AnswerTable | None = None
    attachments: tuple[AnswerFile, ...] = ()

    def to_json(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "v": VERSION,
            "locale": self.locale,
            "subject": self.subject,
            "paragraphs": list(self.paragraphs),
            "in_reply_to": self.in_reply_to,
            "references": list(self.references),
            "table": self.table.to_json() if self.table is not None else None,
        }
        if self.attachments:
            payload["attachments"] = [f.to_json() for f in self.attachments]
        return payload

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Answer:
        version = data.get("v", 0)
        if version not in (0, VERSION):
            raise PayloadError(f"v: version {version!r} is newer than this mailflow reads")
        table = data.get("table")
        files = data.get("attachments") or []
        if not isinstance(files, list):
            raise PayloadError("attachments: expected a list")
        return cls(
            locale=_text(data, "locale") or "",
            subject=_text(data, "subject") or "",
            paragraphs=_texts(data.get("paragraphs"), "paragraphs"),
            in_reply_to=_text(data, "in_reply_to", optional=True),
            references=_texts(data.get("references"), "references"),
            table=AnswerTable.from_json(table) if table is not None else None,
            attachments=tuple(
                AnswerFile.from_json(f, f"attachments[{n}]") for n, f in enumerate(files)
            ),
        )


def table_of(table: tuple[Sequence[str], Sequence[Sequence[str]]] | None) -> AnswerTable | None:
    if table is None:
        return None
    return AnswerTable(tuple(table[0]), tuple(tuple(row) for row in table[1]))
