"""Read the TOML configuration into a :class:`~mailflow.config.schema.Config`, or say what is wrong.

Every problem is collected before anything is raised, so one run of ``mailflow config check``
lists them all, each with its key path (``imap.port``, ``schedule.calendar.extra_holidays[2]``)
and line. Relative paths are resolved against the config file's directory. Secrets are located
(``password_env`` / ``password_file``) but never read here: the variable may be unset on the
machine that checks the file, and a secret read early is a secret that can leak into a log.

The checks are declared on the dataclasses of :mod:`mailflow.config.schema` and run by pydantic v2
(chosen over msgspec because it collects every error with its location, runs our own validators
with our own messages, lets a check read the keys above it and takes a context; see
docs/decisions.md). This module only shapes the file's data for them (:func:`_shape`) and turns
their errors into problems (:mod:`mailflow.config.report`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from mailflow.config.locate import KeyLines, key_lines, syntax_error
from mailflow.config.report import Problems, file_keys
from mailflow.config.schema import Config
from mailflow.config.secret import Secret
from mailflow.errors import ConfigError, ConfigProblem


def load_config(path: Path) -> Config:
    """Read and validate ``path``; raises ConfigError listing every problem found."""
    config, problems = _read(path)
    if problems or config is None:
        raise ConfigError(problems)
    return config


def check_config(path: Path) -> list[ConfigProblem]:
    """Every problem in ``path`` (and in the people file it names); empty when it is valid."""
    return _read(path)[1]


def config_from_mapping(
    data: Mapping[str, object], *, source: str | None = None, base_dir: Path
) -> Config:
    """Validate already-parsed data (tests, generated configs); raises ConfigError."""
    config, problems = _build(data, KeyLines(), source, base_dir)
    if problems or config is None:
        raise ConfigError(problems)
    return replace(config, source=Path(source)) if source else config


def _read(path: Path) -> tuple[Config | None, list[ConfigProblem]]:
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        return None, [ConfigProblem("(file)", f"cannot read: {exc.strerror}", None, source)]
    except UnicodeDecodeError as exc:
        return None, [ConfigProblem("(file)", f"not UTF-8 (byte {exc.start})", None, source)]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, line = syntax_error(exc)
        return None, [ConfigProblem("(file)", message, line, source)]
    resolved = path.resolve()
    config, problems = _build(data, key_lines(text), source, resolved.parent)
    return (config and replace(config, source=resolved)), problems


def _build(
    data: Mapping[str, object], lines: KeyLines, source: str | None, base_dir: Path
) -> tuple[Config | None, list[ConfigProblem]]:
    problems = Problems(source, lines.find)
    config: Config | None = None
    try:
        config = _adapter().validate_python(
            _shape(Config, data, ""), context={"base_dir": base_dir, "problems": problems}
        )
    except ValidationError as exc:
        problems.report_errors(exc, Config)
    # Problems come out in reading order; a person fixes a file top to bottom, and the main file
    # before the people file it names.
    problems.items.sort(key=lambda p: (p.source != source, p.source or "", p.line or 1 << 30))
    return config, problems.items


@cache
def _adapter() -> TypeAdapter[Config]:
    # Built on first use: compiling the validators takes a moment that `--help` should not pay.
    return TypeAdapter(Config)


def _shape(table: type, data: Mapping[str, object], path: str) -> dict[str, object]:
    """``data`` as the dataclasses take it, written as the file writes it.

    A key the file names otherwise than the field (:class:`~mailflow.config.fields.FileName`) is
    renamed. A table left out is an empty table (its keys take their defaults, and a required one is
    reported as missing in it). A secret's ``<name>_env``, ``<name>_file`` and ``<name>_command``
    are gathered under ``<name>`` with the key path the :class:`Secret` will carry; ``<name>``
    itself, a secret written inline, is replaced by whether it was there, so it is never echoed.
    """
    shaped = dict(data)
    for name, holds in file_keys(table).items():
        key = f"{path}.{name}" if path else name
        if holds.field not in (None, name) and name in shaped:
            shaped[holds.field] = shaped.pop(name)  # [[people.person]] fills PeopleSettings.people
        if holds.table is Secret:
            written: dict[str, Any] = {"name": name, "key": key, "inline": name in shaped}
            for end in ("env", "file", "command"):
                if f"{name}_{end}" in shaped:
                    written[end] = shaped.pop(f"{name}_{end}")
            shaped[name] = written
        elif holds.table is not None and not holds.array:
            value = shaped.setdefault(name, {})
            if isinstance(value, Mapping):
                shaped[name] = _shape(holds.table, value, key)
    return shaped
