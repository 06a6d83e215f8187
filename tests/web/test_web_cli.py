"""``mailflow web`` refuses to start without a key, never migrates, and prints links."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from mailflow.cli import main
from mailflow.domain.board_links import read_link
from mailflow.tracker.db import upgrade
from tests.conftest import offline_config_text


def write_config(tmp_path: Path, web: str) -> Path:
    path = tmp_path / "mailflow.toml"
    path.write_text(offline_config_text(tmp_path / "tracker.db", web), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "web",
    [
        "",
        '[web]\nsecret_key_env = "MAILFLOW_TEST_WEB_KEY"\n',
    ],
)
def test_web_without_a_key_names_web_secret_key(
    tmp_path: Path, web: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAILFLOW_TEST_WEB_KEY", "  ")
    result = CliRunner().invoke(main, ["web", "--config", str(write_config(tmp_path, web))])
    assert result.exit_code == 2
    assert "web.secret_key" in result.output


def test_web_never_migrates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAILFLOW_TEST_WEB_KEY", "k" * 32)
    config = write_config(tmp_path, '[web]\nsecret_key_env = "MAILFLOW_TEST_WEB_KEY"\n')
    result = CliRunner().invoke(main, ["web", "--config", str(config)])
    assert result.exit_code == 2 and "mailflow db upgrade" in result.output
    assert not (tmp_path / "tracker.db").exists()


def test_web_link_prints_a_signed_link(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import UTC, datetime, timedelta

    monkeypatch.setenv("MAILFLOW_TEST_WEB_KEY", "k" * 32)
    web = (
        '[web]\nbase_url = "https://board.example.test"\nsecret_key_env = "MAILFLOW_TEST_WEB_KEY"\n'
    )
    upgrade(f"sqlite:///{tmp_path / 'tracker.db'}")
    config = write_config(tmp_path, web)
    result = CliRunner().invoke(main, ["web", "link", "--config", str(config), "Bob@example.test"])
    assert result.exit_code == 0, result.output
    url = result.output.strip()
    assert url.startswith("https://board.example.test/b/") and url.endswith("/")
    token = url.removeprefix("https://board.example.test/b/").rstrip("/")
    link = read_link("k" * 32, token, "board", datetime.now(UTC), timedelta(days=30))
    assert link.email == "bob@example.test"


def test_web_without_the_extra_says_which(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setenv("MAILFLOW_TEST_WEB_KEY", "k" * 32)
    # As if the web extra were not installed: importing uvicorn fails.
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    config = write_config(tmp_path, '[web]\nsecret_key_env = "MAILFLOW_TEST_WEB_KEY"\n')
    result = CliRunner().invoke(main, ["web", "--config", str(config)])
    assert result.exit_code == 2 and "mailflow[web]" in result.output
