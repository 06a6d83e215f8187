"""Which login secrets the daemon reads once and which at every connection."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailflow.config.schema import Secret
from mailflow.daemon import _login_secret
from mailflow.errors import ConfigError


def test_a_password_is_read_once_at_start(tmp_path: Path) -> None:
    stored = tmp_path / "pw"
    stored.write_text("hunter2\n", encoding="utf-8")
    assert _login_secret(Secret("imap.password", file=stored), "password") == "hunter2"


def test_a_token_is_read_again_at_every_login(tmp_path: Path) -> None:
    stored = tmp_path / "token"
    stored.write_text("token-1", encoding="utf-8")
    secret = _login_secret(Secret("imap.password", file=stored), "xoauth2")
    assert callable(secret) and secret() == "token-1"
    stored.write_text("token-2", encoding="utf-8")  # another program refreshed it
    assert secret() == "token-2"
    helper = _login_secret(Secret("smtp.password", command=("echo", "t")), "password")
    assert callable(helper) and helper() == "t"


def test_a_missing_secret_still_stops_the_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"imap\.password: cannot read"):
        _login_secret(Secret("imap.password", file=tmp_path / "absent"), "xoauth2")
