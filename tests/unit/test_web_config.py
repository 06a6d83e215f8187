"""``[web]``: the board's defaults, the example, and each mistake reported by key."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailflow.config.load import config_from_mapping, load_config
from mailflow.errors import ConfigError
from tests.unit.test_config import EXAMPLE, minimal, with_values


def problems_of(**values: object) -> list[tuple[str, str]]:
    try:
        config_from_mapping(with_values(**values), base_dir=Path("/srv"))
    except ConfigError as exc:
        return [(p.key, p.message) for p in exc.problems]
    return []


def test_the_defaults_and_the_example() -> None:
    web = config_from_mapping(minimal(), base_dir=Path("/srv")).web
    assert (web.base_url, web.host, web.port) == ("", "127.0.0.1", 8080)
    assert (web.link_days, web.trusted_user_header, web.rate_limit_per_minute) == (30, "", 120)
    assert web.secret_key.env is None and web.secret_key.file is None
    example = load_config(EXAMPLE).web
    assert example.secret_key.key == "web.secret_key"
    assert example.secret_key.env == "MAILFLOW_WEB_SECRET"


def test_every_key_is_read() -> None:
    data = with_values(
        **{
            "web.base_url": "https://board.example.org/mailflow/",
            "web.host": "0.0.0.0",
            "web.port": 8443,
            "web.secret_key_file": "web.key",
            "web.link_days": 7,
            "web.trusted_user_header": "X-Forwarded-Email",
            "web.rate_limit_per_minute": 10,
        }
    )
    web = config_from_mapping(data, base_dir=Path("/srv")).web
    # The trailing slash is dropped so links are built as base_url + "/path".
    assert web.base_url == "https://board.example.org/mailflow"
    assert (web.host, web.port) == ("0.0.0.0", 8443)
    assert (web.link_days, web.rate_limit_per_minute) == (7, 10)
    assert web.secret_key.file == Path("/srv/web.key")
    assert web.trusted_user_header == "X-Forwarded-Email"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("base_url", "board.example.org", "'board.example.org' is not an http:// or https:// URL"),
        ("base_url", "ftp://board.example.org", "is not an http:// or https:// URL"),
        ("base_url", "https://board.example.org/?a=1", "must not have a query (?...) or fragment"),
        ("base_url", 1, "expected a string, got an integer"),
        ("host", "", "must not be empty"),
        ("port", 0, "0 is out of range: must be between 1 and 65535"),
        ("port", 65536, "65536 is out of range: must be between 1 and 65535"),
        ("port", True, "expected an integer, got a boolean"),
        ("link_days", 0, "0 is out of range: must be between 1 and 366"),
        ("link_days", 367, "367 is out of range: must be between 1 and 366"),
        ("trusted_user_header", "X Forwarded", "'X Forwarded' is not an HTTP header name"),
        ("rate_limit_per_minute", 0, "0 is out of range: must be at least 1"),
        ("secret_key", "hunter2", "never put a secret in the file; use secret_key_env"),
        ("secret_key_env", "1BAD", "'1BAD' is not an environment variable name"),
        ("prot", 1, "unknown key; did you mean `port`?"),
    ],
)
def test_a_mistake_is_reported_by_key(key: str, value: object, message: str) -> None:
    [(where, said)] = problems_of(**{f"web.{key}": value})
    assert where == f"web.{key}"
    assert said.startswith(message) or message in said


def test_env_and_file_are_mutually_exclusive() -> None:
    found = problems_of(**{"web.secret_key_env": "WEB_SECRET", "web.secret_key_file": "web.key"})
    exclusive = "secret_key_env and secret_key_file are mutually exclusive; keep one"
    assert found == [("web.secret_key_file", exclusive)]
