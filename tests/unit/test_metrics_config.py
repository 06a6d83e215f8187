"""``[metrics] port``: off by default, any port 1–65535 when set, a mistake reported by key."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailflow.config.load import config_from_mapping, load_config
from mailflow.errors import ConfigError
from tests.unit.test_config import EXAMPLE, minimal, with_values


def test_off_by_default_and_in_the_example() -> None:
    assert config_from_mapping(minimal(), base_dir=Path("/srv")).metrics.port == 0
    assert load_config(EXAMPLE).metrics.port == 0


def test_a_port_turns_it_on() -> None:
    data = with_values(**{"metrics.port": 9464})
    assert config_from_mapping(data, base_dir=Path("/srv")).metrics.port == 9464


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (70000, "between 0 and 65535"),
        (-1, "between 0 and 65535"),
        ("9464", "an integer"),
    ],
)
def test_a_wrong_port_is_reported_by_key(value: object, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_mapping(with_values(**{"metrics.port": value}), base_dir=Path("/srv"))
    [problem] = caught.value.problems
    assert problem.key == "metrics.port" and message in problem.message


def test_an_unknown_key_is_reported() -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_mapping(with_values(**{"metrics.prot": 1}), base_dir=Path("/srv"))
    assert [p.key for p in caught.value.problems] == ["metrics.prot"]
