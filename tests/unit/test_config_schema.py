"""The declarative schema: what pydantic checks, what it leaves alone, and how it reports."""

# The case table keeps one case per line (`# fmt: skip`) so it reads as a table.
# ruff: noqa: E501

from __future__ import annotations

from pathlib import Path

import pytest

from mailflow.config.load import config_from_mapping
from mailflow.config.schema import Config, ImapSettings, Person, ScheduleSettings
from mailflow.errors import ConfigError
from tests.unit.test_config import minimal, with_values


def problems_of(data: dict[str, object]) -> list[tuple[str, str]]:
    with pytest.raises(ConfigError) as caught:
        config_from_mapping(data, base_dir=Path("/srv"))
    return [(p.key, p.message) for p in caught.value.problems]


def test_objects_built_in_code_are_plain_dataclasses_and_not_checked() -> None:
    # Tests and the demo build these directly; only a file is validated.
    imap = ImapSettings(host="", port=0, security="tls", user="")
    assert imap.port == 0 and imap.password.key == ""
    assert ScheduleSettings(timezone="Nowhere/Else").timezone == "Nowhere/Else"
    assert Person(email="Not An Address", name="x").email == "Not An Address"


@pytest.mark.parametrize(
    ("values", "key", "message"),
    [
        ({"schedule.calendar": {"contry": "CN"}}, "schedule.calendar.contry", "unknown key; did you mean `country`?"),
        ({"imap.pasword_env": "PW"}, "imap.pasword_env", "unknown key; did you mean `password_env`?"),
        ({"web.secret_key_fle": "k"}, "web.secret_key_fle", "unknown key; did you mean `secret_key_file`?"),
        ({"people.person": [{"email": "a@example.com", "name": "A", "emial": "b"}]}, "people.person[0].emial", "unknown key; did you mean `email`?"),
        ({"people.persons": []}, "people.persons", "unknown key; did you mean `person`?"),
        ({"source": "elsewhere.toml"}, "source", "unknown key"),
    ],
)  # fmt: skip
def test_unknown_keys_are_found_at_any_depth_with_a_suggestion(
    values: dict[str, object], key: str, message: str
) -> None:
    assert problems_of(with_values(**values)) == [(key, message)]


def test_a_wrong_value_is_reported_once_not_again_by_the_checks_that_read_it() -> None:
    # The bot's address is compared with the domain only when the domain is valid.
    assert problems_of(with_values(**{"mail.domain": "not a domain"})) == [
        ("mail.domain", "'not a domain' is not a domain name")
    ]
    # A table that is not a table is one problem, not one per key it should have had.
    data = {**minimal(), "mail": "example.com"}
    assert problems_of(data) == [("mail", "expected a table, got a string")]


def test_a_secret_written_inline_is_refused_and_never_echoed() -> None:
    data = with_values(**{"smtp.password": "hunter2", "smtp.user": "bot"})
    [(key, message)] = problems_of(data)
    assert key == "smtp.password" and "never put a secret in the file" in message
    assert "hunter2" not in message


def test_the_loaded_config_is_the_frozen_dataclass() -> None:
    config = config_from_mapping(minimal(), base_dir=Path("/srv"))
    assert type(config) is Config
    assert config.imap.password.key == "imap.password"
    assert config.web.secret_key.key == "web.secret_key"
    with pytest.raises(AttributeError):
        config.imap.port = 1  # type: ignore[misc]
