"""Outbox payloads: every kind typed and versioned, and rows written before versions still render.

``tests/data/outbox/v0_payloads.json`` holds one stored payload per outbox kind (and a few
variants) exactly as the code before typed payloads wrote them, without ``"v"``, each with the
fingerprint of the mail that code rendered from it. A row planned before an upgrade and sent after
it must give the same mail, byte for byte apart from the random MIME boundaries, and so must the
row re-encoded as the kind's current version.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

import tests.screenshots as shots
from mailflow.outbound.delivery.registry import RENDERERS, render
from mailflow.outbound.rendering.compose import RenderError

DATA = Path(__file__).parents[1] / "data" / "outbox" / "v0_payloads.json"
ROWS: list[dict[str, Any]] = json.loads(DATA.read_text(encoding="utf-8"))


def fingerprint(msg: EmailMessage) -> str:
    """The mail as a client reads it: every header but the boundaries, every part decoded."""
    seen: list[object] = [(k, str(v)) for k, v in msg.items() if k.lower() != "content-type"]
    for part in msg.walk():
        if part.is_multipart():
            seen.append(part.get_content_type())
            continue
        raw = part.get_payload(decode=True)
        assert raw is None or isinstance(raw, bytes)
        seen.append((part.get_content_type(), raw, part.get_filename(), part.get_params()))
    return hashlib.sha256(repr(seen).encode("utf-8")).hexdigest()


def render_stored(row: dict[str, Any], payload: dict[str, Any]) -> str:
    ctx = shots._context(shots.WORDS["en"], datetime.fromisoformat(row["now"]))
    return fingerprint(render(ctx, row["kind"], [row["to"]], payload))


def _typed() -> dict[str, Any]:
    """Each kind's payload class, by kind."""
    from mailflow.outbound.kinds.answers.answer_data import (
        AcceptanceRequest,
        Answer,
        AtRiskPrompt,
        DailyUpdate,
        RequestAssignment,
    )
    from mailflow.outbound.kinds.digest.digest_payloads import DigestDetails, DigestPayload
    from mailflow.outbound.kinds.items.escalation_mail import Escalation
    from mailflow.outbound.kinds.items.followup_data import (
        ItemReminder,
        WeeklyNudge,
        WeeklyProgress,
    )
    from mailflow.outbound.kinds.items.items_data import ItemAssignment, ItemReceipt
    from mailflow.outbound.kinds.meetings.notice_mail import NoticePayload
    from mailflow.outbound.kinds.meetings.receipt_data import Receipt
    from mailflow.outbound.kinds.minutes.minutes_data import (
        MinutesReceipt,
        MinutesReminder,
        MinutesSkeleton,
    )
    from mailflow.outbound.kinds.minutes.official_minutes_data import OfficialMinutes
    from mailflow.outbound.kinds.projects.retro_report import (
        ArchiveReady,
        RetroReport,
        RetroRequest,
    )
    from mailflow.outbound.rendering.compose import PlainMessage

    classes: tuple[Any, ...] = (
        *(Answer, AcceptanceRequest, AtRiskPrompt, DailyUpdate, RequestAssignment),
        *(PlainMessage, NoticePayload, Receipt, DigestPayload, DigestDetails, Escalation),
        *(ItemReminder, WeeklyProgress, WeeklyNudge, ItemAssignment, ItemReceipt),
        *(MinutesSkeleton, MinutesReminder, MinutesReceipt, OfficialMinutes),
        *(RetroRequest, RetroReport, ArchiveReady),
    )
    return {cls.KIND: cls for cls in classes}


def test_every_kind_has_a_typed_payload_and_an_old_row() -> None:
    assert set(_typed()) == set(RENDERERS)
    assert {row["kind"] for row in ROWS} == set(RENDERERS)
    # The retrospective mails were answers with more fields, and carried the answer's "v": 1.
    retro = {"retro_request", "retro_report", "archive_ready"}
    assert all("v" not in row["payload"] for row in ROWS if row["kind"] not in retro)


@pytest.mark.parametrize("row", ROWS, ids=lambda row: str(row["kind"]))
def test_a_row_written_before_versions_renders_as_it_did(row: dict[str, Any]) -> None:
    assert render_stored(row, row["payload"]) == row["rendered"]


@pytest.mark.parametrize("row", ROWS, ids=lambda row: str(row["kind"]))
def test_the_same_row_written_now_renders_the_same_mail(row: dict[str, Any]) -> None:
    kind = _typed()[row["kind"]]
    payload = kind.from_json(row["payload"])
    stored = json.loads(json.dumps(payload.to_json()))

    assert stored["v"] == kind.VERSION == 1
    assert kind.from_json(stored) == payload, "to_json and from_json are inverses"
    assert render_stored(row, stored) == row["rendered"]


@pytest.mark.parametrize("kind", sorted(RENDERERS))
def test_a_payload_from_a_newer_mailflow_is_parked_with_the_reason(kind: str) -> None:
    row = next(row for row in ROWS if row["kind"] == kind)
    with pytest.raises(RenderError, match="payload is malformed: v: version 2 is newer"):
        render_stored(row, {**row["payload"], "v": 2})


@pytest.mark.parametrize(
    ("kind", "damage", "reason"),
    [
        ("message", {"text": None}, "message payload is malformed: text: expected text"),
        ("notice", {"kind": "postpone"}, "notice payload is malformed: kind: 'postpone'"),
        ("notice", {"attendee": {"name": "x"}}, "attendee.email: expected text"),
        ("retro_report", {"pack": [1]}, "retrospective payload is malformed: pack:"),
        ("archive_ready", {"attach": "yes"}, "attach: expected true or false"),
        ("answer", {"subject": 5}, "answer payload is malformed: subject: expected text"),
        ("acceptance_request", {"paragraphs": "p"}, "answer payload is malformed: paragraphs"),
        ("receipt", {"outcome": "maybe"}, "receipt payload is malformed: ValueError"),
        ("escalation", {"item": None}, "escalation payload is malformed: item: expected an"),
        ("digest", {"period": "monthly"}, "digest payload is malformed: ValueError"),
    ],
)
def test_a_payload_that_does_not_fit_names_what_is_wrong(
    kind: str, damage: dict[str, object], reason: str
) -> None:
    row = next(row for row in ROWS if row["kind"] == kind)
    with pytest.raises(RenderError) as failed:
        render_stored(row, {**row["payload"], **damage})
    assert reason in str(failed.value)
