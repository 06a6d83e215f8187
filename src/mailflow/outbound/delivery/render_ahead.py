"""Rendering ahead: a batch of outbox rows turned into wire bytes, in worker processes.

Rendering a notice (jinja2, the invite with icalendar, the MIME tree serialised) costs about as
much CPU as the SMTP server takes to accept it. While the flusher sends one batch, a worker
(:mod:`mailflow.workers`, ``smtp.render_workers``) renders the next; a batch that is not full (the
last of a flush, or a few answers to replies) is rendered in the daemon, where it waits for no
process to start. A worker that fails costs nothing but the time: the batch is rendered in the
daemon, with the same result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from mailflow.adapters.smtp import Wire, wire
from mailflow.config.schema import Config
from mailflow.outbound.delivery.registry import render
from mailflow.outbound.rendering.compose import RenderContext, RenderError
from mailflow.outbound.rendering.payload_fields import JSONObject
from mailflow.workers import WorkerPool


@dataclass(frozen=True)
class ToRender:
    """What rendering one claimed row needs; its Message-ID is already recorded."""

    kind: str
    recipients: list[str]
    payload: JSONObject  # as the row stores it: read and checked by the kind's payload class
    message_id: str
    meeting_id: int | None = None  # the row's meeting: its board link


# A row rendered for the wire, or why it cannot be rendered (a RenderError's message).
Rendered = Wire | str


def render_rows(rows: Sequence[ToRender], config: Config, now: datetime) -> list[Rendered]:
    """Render and serialise each row as it will be sent (pure: no database, no network)."""
    ctx = RenderContext(config, now)
    done: list[Rendered] = []
    for row in rows:
        try:
            row_ctx = replace(ctx, meeting_id=row.meeting_id) if row.meeting_id else ctx
            msg = render(row_ctx, row.kind, row.recipients, row.payload)
        except RenderError as exc:
            done.append(str(exc))
            continue
        msg["Message-ID"] = row.message_id
        done.append(wire(msg, sender=config.mail.bot_address, recipients=row.recipients))
    return done


class Renderer:
    """Renders batches in worker processes when it pays, else in the daemon; results in order."""

    def __init__(self, config: Config, workers: int, *, batch_size: int) -> None:
        self._config = config
        self._batch_size = batch_size
        self._pool = WorkerPool("render", workers, preload=[__name__])

    def submit(self, now: datetime, rows: Sequence[ToRender]) -> Callable[[], list[Rendered]]:
        """Start rendering ``rows``; calling the result waits for them."""
        rows = list(rows)
        if len(rows) < self._batch_size:
            return lambda: render_rows(rows, self._config, now)
        waiting = self._pool.split(render_rows, rows, self._config, now)

        def rendered() -> list[Rendered]:
            parts = waiting()
            if parts is None:
                return render_rows(rows, self._config, now)
            return [one for part in parts for one in part]

        return rendered

    def worker_peak_kib(self) -> int:
        return self._pool.peak_rss_kib()

    def close(self) -> None:
        self._pool.close()
