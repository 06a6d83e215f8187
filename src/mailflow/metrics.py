"""The opt-in Prometheus endpoint: ``/metrics`` on 127.0.0.1 at ``metrics.port``.

A custom collector reads the figures from the tracker at each scrape
(:func:`mailflow.tracker.ops_report.ops_figures`), so the daemon keeps no metric state and
every replica on one database reports the same numbers. Served by ``prometheus_client``'s own
threaded HTTP server; the daemon starts it with :func:`start_metrics` and stops it on shutdown.

Metrics (all prefixed ``mailflow_``): ``inbound_messages_total{kind,outcome}``,
``outbox_rows{status}``, ``outbox_oldest_unsent_age_seconds``, ``outbox_oldest_due_age_seconds``,
``inbox_unprocessed_messages``, ``inbox_oldest_unprocessed_age_seconds``,
``last_poll_timestamp_seconds``, ``last_send_timestamp_seconds``, ``escalations_open``, and
``database_up`` (0 when the scrape could not read the database).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session

from mailflow.clock import Clock
from mailflow.config.schema import Config
from mailflow.errors import ConfigError, ConfigProblem, StorageError
from mailflow.tracker.ops_report import OpsFigures, ops_figures
from mailflow.tracker.transactions import ONCE, in_transaction

log = logging.getLogger("mailflow.metrics")

HOST = "127.0.0.1"


def _age(now: datetime, since: datetime | None) -> float:
    return max(0.0, (now - since).total_seconds()) if since is not None else 0.0


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"mailflow_{name}", documentation, value=value)


class TrackerCollector(Collector):
    """Turns one read of the tracker into metric families, at every scrape."""

    def __init__(self, sessions: Callable[[], Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def collect(self) -> Iterator[Metric]:
        now = self._clock.now()
        try:
            figures = in_transaction(
                self._sessions, lambda session: ops_figures(session, now), retry=ONCE
            )
        except StorageError as exc:
            # A scrape that fails as a whole hides every other figure; one that says "the database
            # is down" can be alerted on.
            log.warning("metrics: the database could not be read: %s", exc)
            yield _gauge("database_up", "1 when the last scrape could read the tracker DB.", 0)
            return
        yield _gauge("database_up", "1 when the last scrape could read the tracker DB.", 1)
        yield from self._families(figures, now)

    def _families(self, figures: OpsFigures, now: datetime) -> Iterator[Metric]:
        inbound = CounterMetricFamily(
            "mailflow_inbound_messages",
            "Inbound messages recorded, by classified kind and outcome.",
            labels=["kind", "outcome"],
        )
        for (kind, outcome), count in sorted(figures.inbound.items()):
            inbound.add_metric([kind, outcome], count)
        yield inbound
        outbox = GaugeMetricFamily(
            "mailflow_outbox_rows", "Outbox rows by status.", labels=["status"]
        )
        for status, count in sorted(figures.outbox.items()):
            outbox.add_metric([status], count)
        yield outbox
        yield _gauge(
            "outbox_oldest_unsent_age_seconds",
            "Age of the oldest pending or sending outbox row (held ones included); 0 when none.",
            _age(now, figures.oldest_unsent_at),
        )
        yield _gauge(
            "outbox_oldest_due_age_seconds",
            "How long the longest-waiting outbox row has been due and not sent; 0 when none.",
            _age(now, figures.oldest_due_at),
        )
        yield _gauge(
            "inbox_unprocessed_messages",
            "Messages the current poll has fetched or will fetch and not yet handled.",
            figures.unprocessed,
        )
        yield _gauge(
            "inbox_oldest_unprocessed_age_seconds",
            "How long the current inbox backlog has waited (at least); 0 when there is none.",
            _age(now, figures.unprocessed_since),
        )
        for name, at in (("poll", figures.last_poll), ("send", figures.last_send)):
            if at is not None:
                yield _gauge(
                    f"last_{name}_timestamp_seconds",
                    f"Unix time of the last successful {name}.",
                    at.timestamp(),
                )
        yield _gauge(
            "escalations_open",
            "Open action items escalated beyond their owner (level 2 or 3).",
            figures.open_escalations,
        )


class MetricsServer:
    """The HTTP endpoint; ``port`` is the one actually bound (useful when asked for port 0)."""

    def __init__(self, server: WSGIServer, thread: threading.Thread) -> None:
        self._server = server
        self._thread = thread
        self.port = int(server.server_address[1])

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def serve_metrics(sessions: Callable[[], Session], clock: Clock, port: int) -> MetricsServer:
    """Serve ``/metrics`` on 127.0.0.1:``port`` (0: any free port) in a daemon thread."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(TrackerCollector(sessions, clock))
    try:
        server, thread = start_http_server(port, addr=HOST, registry=registry)
    except OSError as exc:
        raise ConfigError(
            [ConfigProblem("metrics.port", f"cannot listen on {HOST}:{port}: {exc.strerror}")]
        ) from exc
    metrics = MetricsServer(server, thread)
    log.info("metrics on http://%s:%d/metrics", HOST, metrics.port)
    return metrics


def start_metrics(
    config: Config, sessions: Callable[[], Session], clock: Clock
) -> MetricsServer | None:
    """The endpoint when ``metrics.port`` is set; None when it is 0 (off)."""
    if not config.metrics.port:
        return None
    return serve_metrics(sessions, clock, config.metrics.port)
