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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Self

from mailflow.outbound.rendering.payload_fields import (
    JSONObject,
    PayloadError,
    StoredJSON,
    obj,
    opt_text,
    text,
    texts,
    version,
)

__all__ = [
    "AcceptanceRequest",
    "Answer",
    "AnswerFile",
    "AnswerTable",
    "AtRiskPrompt",
    "DailyUpdate",
    "PayloadError",
    "RequestAssignment",
    "table_of",
]

VERSION = 1


@dataclass(frozen=True)
class AnswerTable:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def to_json(self) -> JSONObject:
        return {"headers": list(self.headers), "rows": [list(r) for r in self.rows]}

    @classmethod
    def from_json(cls, value: object) -> AnswerTable:
        data = obj(value, "table")
        rows = data.get("rows")
        if not isinstance(rows, list):
            raise PayloadError("table.rows: expected a list")
        return cls(
            texts(data.get("headers"), "table.headers"),
            tuple(texts(row, f"table.rows[{n}]") for n, row in enumerate(rows)),
        )


@dataclass(frozen=True)
class AnswerFile:
    filename: str
    content_type: str
    data: bytes

    def to_json(self) -> JSONObject:
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "data": base64.b64encode(self.data).decode(),
        }

    @classmethod
    def from_json(cls, value: object, where: str) -> AnswerFile:
        data = obj(value, where)
        encoded = text(data, "data")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise PayloadError(f"{where}.data: not base64 ({exc})") from exc
        kind = text(data, "content_type")
        if "/" not in kind:
            raise PayloadError(f"{where}.content_type: {kind!r} is not a MIME type")
        return cls(text(data, "filename"), kind, raw)


@dataclass(frozen=True)
class Answer:
    """A short mail to one person: paragraphs, maybe a table and files, threaded or not.

    Outbox kind ``answer``; the subclasses below are the same mail under a kind of its own, so a
    reply to it is read for what it answers.
    """

    KIND: ClassVar[str] = "answer"
    VERSION: ClassVar[int] = VERSION

    locale: str
    subject: str
    paragraphs: tuple[str, ...]
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    table: AnswerTable | None = None
    attachments: tuple[AnswerFile, ...] = ()

    def to_json(self) -> JSONObject:
        payload: JSONObject = {
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
    def from_json(cls, data: StoredJSON) -> Self:
        version(data, VERSION)
        table = data.get("table")
        files = data.get("attachments") or []
        if not isinstance(files, list):
            raise PayloadError("attachments: expected a list")
        return cls(
            locale=text(data, "locale"),
            subject=text(data, "subject"),
            paragraphs=texts(data.get("paragraphs"), "paragraphs"),
            in_reply_to=opt_text(data, "in_reply_to"),
            references=texts(data.get("references"), "references"),
            table=AnswerTable.from_json(table) if table is not None else None,
            attachments=tuple(
                AnswerFile.from_json(f, f"attachments[{n}]") for n, f in enumerate(files)
            ),
        )


@dataclass(frozen=True)
class AcceptanceRequest(Answer):
    """Asks the acceptor to accept a finished item: a reply to it is read as a verdict."""

    KIND: ClassVar[str] = "acceptance_request"


@dataclass(frozen=True)
class AtRiskPrompt(Answer):
    """Asks an owner about an item at risk: a reply to it is read as the answer."""

    KIND: ClassVar[str] = "at_risk_prompt"


@dataclass(frozen=True)
class DailyUpdate(Answer):
    """The daily update request: a reply to it is read as the day's report."""

    KIND: ClassVar[str] = "daily_update"


@dataclass(frozen=True)
class RequestAssignment(Answer):
    """A collaboration request to its receiver: a reply to it is read as commands on it."""

    KIND: ClassVar[str] = "request_assignment"


def table_of(table: tuple[Sequence[str], Sequence[Sequence[str]]] | None) -> AnswerTable | None:
    if table is None:
        return None
    return AnswerTable(tuple(table[0]), tuple(tuple(row) for row in table[1]))
