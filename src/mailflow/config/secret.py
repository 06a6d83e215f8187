"""Where a secret lives (an environment variable, a file or a command), never its value.

A :class:`Secret` is located when the config is loaded (:func:`secret`, the validator of a secret
field) and read only when it is used: the variable may be unset on the machine that checks the
file, and a secret read early can leak into a log.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mailflow.config.fields import Check, base_dir, mistyped, problem, text

if TYPE_CHECKING:
    from pydantic import ValidationInfo
from mailflow.errors import ConfigError, ConfigProblem

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Secret:
    """Where a password lives: an environment variable, a file or a command's output, never the
    config itself.

    A command (``password_command``) is how mail clients fetch an OAuth2 access token (mutt's
    ``oauthbearer_refresh_command``, msmtp's ``passwordeval``): a helper such as ``oama`` or
    ``gcloud auth print-access-token`` prints a fresh one each time it is run.
    """

    key: str
    env: str | None = None
    file: Path | None = None
    command: tuple[str, ...] | None = None

    def reveal(self) -> str:
        """The secret's value. Raises ConfigError naming the key when it cannot be read."""
        if self.env is not None:
            value = os.environ.get(self.env)
            if value is None:
                raise ConfigError(
                    [ConfigProblem(self.key, f"environment variable {self.env} is not set")]
                )
            return value
        if self.file is not None:
            try:
                return self.file.read_text(encoding="utf-8").rstrip("\r\n")
            except OSError as exc:
                raise ConfigError(
                    [ConfigProblem(self.key, f"cannot read {self.file}: {exc.strerror}")]
                ) from exc
        if self.command is not None:
            return self._run()
        return ""

    @property
    def fresh(self) -> bool:
        """Read again at every login (a command's token expires); env and files once at start."""
        return self.command is not None

    def _run(self) -> str:
        assert self.command is not None
        try:
            done = subprocess.run(
                self.command, capture_output=True, text=True, timeout=60, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ConfigError(
                [ConfigProblem(self.key, f"command {self.command[0]!r} failed: {exc}")]
            ) from exc
        value = done.stdout.strip()
        if done.returncode != 0 or not value:
            # The helper's own message, never its output: that would be the secret.
            said = (done.stderr.strip().splitlines() or ["no output"])[-1][:200]
            raise ConfigError(
                [
                    ConfigProblem(
                        self.key,
                        f"command {self.command[0]!r} exited {done.returncode}: {said}",
                    )
                ]
            )
        return value

    def __repr__(self) -> str:  # never print the value, only where it comes from
        where = f"file={str(self.file) if self.file else None!r}"
        if self.command is not None:
            where += f", command={self.command[0]!r}"
        return f"Secret(env={self.env!r}, {where})"


NO_SECRET = Secret(key="")


def secret(needed_for: str | None = None) -> Check:
    """Where a secret is: ``<name>_env``, ``<name>_file`` or ``<name>_command``, gathered by the
    loader under ``<name>`` with the secret's key path. ``<name>`` itself (the secret inline) is a
    mistake. With ``needed_for`` one of them must be given; the text says why.
    """

    def check(value: object, info: ValidationInfo) -> Secret:
        if not isinstance(value, dict):
            return value if isinstance(value, Secret) else NO_SECRET
        name = value["name"]
        if value["inline"]:
            raise problem(
                f"never put a secret in the file; use {name}_env (an environment variable), "
                f"{name}_file (a file readable only by mailflow) or {name}_command"
            )
        env = text(value.get("env"), blank=True, at=f"{name}_env")
        if env is not None and not _ENV_NAME.match(env):
            raise problem(f"{env!r} is not an environment variable name", f"{name}_env")
        file = text(value.get("file"), blank=True, at=f"{name}_file")
        command = _command(value.get("command"), f"{name}_command")
        given = [k for k, v in (("env", env), ("file", file), ("command", command)) if v]
        if len(given) > 1:
            keys = " and ".join(f"{name}_{k}" for k in given)
            raise problem(f"{keys} are mutually exclusive; keep one", f"{name}_{given[-1]}")
        if needed_for is not None and not given:
            raise problem(f"set {name}_env, {name}_file or {name}_command: {needed_for}")
        path = None if file is None else base_dir(info) / Path(file).expanduser()
        return Secret(key=value["key"], env=env, file=path, command=command)

    return Check("plain", check)


def _command(value: object, at: str) -> tuple[str, ...] | None:
    """A command as a list of strings (run without a shell); [] or absent means unset."""
    if value is None or value == []:
        return None
    if not isinstance(value, list):
        raise mistyped(value, "a list of strings, the program and its arguments", at)
    if not all(isinstance(part, str) and part for part in value):
        raise problem("must be a list of non-empty strings: the program and its arguments", at)
    return tuple(value)
