"""Optional parts are extras: a config that needs one that is not installed says which."""

from __future__ import annotations

import dataclasses
import sys
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from mailflow.clock import SteppingClock
from mailflow.config.schema import Config, MetricsSettings
from mailflow.daemon import _start_metrics
from mailflow.errors import ConfigError

CLOCK = SteppingClock(datetime(2026, 1, 1, tzinfo=UTC))


def no_sessions() -> Session:
    raise AssertionError("the endpoint is never started in these tests")


def test_metrics_without_prometheus_client_is_a_config_error(
    app_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = dataclasses.replace(app_config, metrics=MetricsSettings(port=9464))
    # As if the metrics extra were not installed: importing the module fails on its library.
    monkeypatch.setitem(sys.modules, "mailflow.metrics", None)
    with pytest.raises(ConfigError) as raised:
        _start_metrics(config, no_sessions, CLOCK)
    [problem] = raised.value.problems
    assert problem.key == "metrics.port" and "mailflow[metrics]" in problem.message


def test_metrics_off_needs_nothing(app_config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "mailflow.metrics", None)
    off = dataclasses.replace(app_config, metrics=MetricsSettings(port=0))
    assert _start_metrics(off, no_sessions, CLOCK) is None
