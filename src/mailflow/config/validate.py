"""Read untyped TOML/CSV values into typed ones, collecting every problem instead of raising.

:class:`Table` wraps one table of parsed data: each getter checks a key's type and range, records
a :class:`~mailflow.errors.ConfigProblem` (with the key path and line) when the value is wrong and
returns a harmless default so reading can go on and find the next problem. :meth:`Table.finish`
reports the keys nobody asked for, with a "did you mean" hint. The small value checks (addresses,
times, weekdays, time zones) live here too so the people loader can share them.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mailflow.config.schema import WEEKDAYS, Secret, Weekday
from mailflow.errors import ConfigProblem

T = TypeVar("T", bound=str)

LOCALES = ("en", "zh_CN", "zh_TW")
_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$"
)
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _nowhere(_key: str) -> int | None:
    return None


class Problems:
    """Collects problems for one source file; ``locate`` maps a key path to its line.

    With an ``anchor`` the problem's key is the anchor and the path goes into the message: a
    people file reports ``people.file: row 4: email: ...`` because the key path the person wrote
    in the main config is ``people.file``, while the row is what they must look at.
    """

    def __init__(
        self,
        source: str | None,
        locate: Callable[[str], int | None] = _nowhere,
        *,
        anchor: str | None = None,
        items: list[ConfigProblem] | None = None,
    ) -> None:
        self.source = source
        self.locate = locate
        self.anchor = anchor
        self.items: list[ConfigProblem] = [] if items is None else items

    def add(self, path: str, message: str) -> None:
        line = self.locate(path)
        if self.anchor is None:
            self.items.append(ConfigProblem(path, message, line, self.source))
        else:
            self.items.append(ConfigProblem(self.anchor, f"{path}: {message}", line, self.source))

    def at_line(self, line: int) -> Problems:
        """A view that adds to the same list but reports every problem on ``line``."""
        return Problems(self.source, lambda _key: line, anchor=self.anchor, items=self.items)


def type_name(value: object) -> str:
    """The TOML name of a parsed value's type, for messages."""
    # Order matters: bool before int, datetime before date (each is a subclass of the other).
    names: list[tuple[type, str]] = [
        (bool, "a boolean"), (int, "an integer"), (float, "a float"), (str, "a string"),
        (list, "an array"), (dict, "a table"), (datetime, "a date-time"), (date, "a date"),
        (time, "a time"),
    ]  # fmt: skip
    return next((name for kind, name in names if isinstance(value, kind)), type(value).__name__)


def suggest(word: str, choices: list[str]) -> str:
    """' ; did you mean `x`?' when a choice is close to ``word``, else ''."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean `{close[0]}`?" if close else ""


def email_problem(value: str) -> str | None:
    if not _EMAIL.match(value):
        return f"{value!r} is not a valid email address"
    return None


def timezone_problem(name: str) -> str | None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {name!r}; use an IANA name such as 'Asia/Shanghai' or 'UTC'"
    return None


def is_loopback(host: str) -> bool:
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_weekday(value: str) -> Weekday | None:
    """``mon``..``sun`` or a full English day name, any case."""
    word = value.strip().lower()
    for short, full in zip(WEEKDAYS, _FULL_DAY_NAMES, strict=True):
        if word in (short, full):
            return short
    return None


class Table:
    """One table of parsed data, read key by key; see the module docstring."""

    def __init__(
        self, data: Mapping[str, object], path: str, problems: Problems, *, sep: str = "."
    ) -> None:
        self.data = data
        self.path = path
        self.problems = problems
        self.sep = sep
        self._known: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.path}{self.sep}{name}" if self.path else name

    def report(self, name: str, message: str) -> None:
        self.problems.add(self.key(name), message)

    def has(self, name: str) -> bool:
        self._known.add(name)
        return name in self.data

    def raw(self, name: str, kinds: tuple[type, ...], expected: str) -> object | None:
        """The value if it has one of ``kinds``; None (with a problem if present) otherwise."""
        self._known.add(name)
        if name not in self.data:
            return None
        value = self.data[name]
        # bool is a subclass of int, but `port = true` is a mistake, not the number 1.
        if isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds):
            return value
        self.report(name, f"expected {expected}, got {type_name(value)}")
        return None

    def need_text(self, name: str) -> str:
        value = self.text(name, None)
        if value is None and name not in self.data:
            self.report(name, "is required but missing")
        return value or ""

    def text(self, name: str, default: str | None, *, blank_is_none: bool = False) -> str | None:
        """A stripped string; an empty one is a problem unless ``blank_is_none`` ("" = unset)."""
        value = self.raw(name, (str,), "a string")
        if not isinstance(value, str):
            return default
        if not value.strip():
            if not blank_is_none:
                self.report(name, "must not be empty")
                return default
            return None
        return value.strip()

    def integer(self, name: str, default: int, *, low: int = 1, high: int | None = None) -> int:
        value = self.raw(name, (int,), "an integer")
        if not isinstance(value, int):
            return default
        if value < low or (high is not None and value > high):
            bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
            self.report(name, f"{value} is out of range: must be {bounds}")
            return default
        return value

    def number(self, name: str, default: float) -> float:
        value = self.raw(name, (int, float), "a number")
        if not isinstance(value, int | float):
            return default
        if value <= 0:
            self.report(name, f"{value} is out of range: must be greater than 0")
            return default
        return float(value)

    def flag(self, name: str, default: bool) -> bool:
        value = self.raw(name, (bool,), "a boolean (true or false)")
        return value if isinstance(value, bool) else default

    def choice(self, name: str, options: tuple[T, ...], default: T) -> T:
        value = self.text(name, None)
        if value is None:
            return default
        for option in options:
            if option.lower() == value.lower():
                return option
        allowed = ", ".join(options)
        self.report(name, f"{value!r} is not one of {allowed}{suggest(value, list(options))}")
        return default

    def clock(self, name: str, default: time | None, *, optional: bool = False) -> time | None:
        """A time of day written "HH:MM" (or a TOML time); "" means "off" when ``optional``."""
        value = self.raw(name, (str, time), 'a time "HH:MM"')
        if isinstance(value, time):
            return value
        if not isinstance(value, str):
            return default
        if optional and not value.strip():
            return None
        match = _HHMM.match(value.strip())
        if match is None:
            off = ' (or "" for off)' if optional else ""
            self.report(name, f'{value!r} is not a time of day "HH:MM"{off}')
            return default
        return time(int(match.group(1)), int(match.group(2)))

    def weekday(
        self, name: str, default: Weekday | None, *, optional: bool = False
    ) -> Weekday | None:
        value = self.raw(name, (str,), "a weekday name")
        if not isinstance(value, str):
            return default
        if optional and not value.strip():
            return None
        day = parse_weekday(value)
        if day is None:
            self.report(
                name, f"{value!r} is not a weekday; use mon, tue, wed, thu, fri, sat or sun"
            )
            return default
        return day

    def items(self, name: str) -> list[tuple[str, object]]:
        """The elements of an array as (key path, value) pairs."""
        value = self.raw(name, (list,), "an array")
        if not isinstance(value, list):
            return []
        return [(f"{self.key(name)}[{i}]", item) for i, item in enumerate(value)]

    def dates(self, name: str) -> tuple[date, ...]:
        """An array of dates, each a TOML date or a "YYYY-MM-DD" string."""
        found: list[date] = []
        for key, item in self.items(name):
            if isinstance(item, date) and not isinstance(item, datetime):
                found.append(item)
            elif not isinstance(item, str) or not _ISO_DATE.match(item):
                self.problems.add(key, f"{item!r} is not a date; write it as YYYY-MM-DD")
            else:
                try:
                    found.append(date.fromisoformat(item))
                except ValueError:
                    self.problems.add(key, f"{item!r} is not a date: that day does not exist")
        return tuple(found)

    def table(self, name: str) -> Table:
        value = self.raw(name, (dict,), "a table")
        data: Mapping[str, object] = value if isinstance(value, dict) else {}
        return Table(data, self.key(name), self.problems)

    def tables(self, name: str) -> list[Table]:
        """An array of tables, ``[[name]]``."""
        result: list[Table] = []
        for key, item in self.items(name):
            if isinstance(item, dict):
                result.append(Table(item, key, self.problems))
            else:
                self.problems.add(key, f"expected a table, got {type_name(item)}")
        return result

    def file_path(self, name: str, base_dir: Path) -> Path | None:
        """A path relative to ``base_dir`` (the config file's directory); "" means unset."""
        value = self.text(name, None, blank_is_none=True)
        return None if value is None else base_dir / Path(value).expanduser()

    def secret(self, name: str, base_dir: Path, *, needed_for: str | None = None) -> Secret:
        """``<name>_env``, ``<name>_file`` or ``<name>_command``; ``<name>`` itself (a secret
        inline) is an error.

        With ``needed_for`` one of them must be given; the text says why.
        """
        secret_key = self.key(name)
        inline = self.has(name)
        if inline:
            self.report(
                name,
                f"never put a secret in the file; use {name}_env (an environment variable), "
                f"{name}_file (a file readable only by mailflow) or {name}_command",
            )
        env = self.text(f"{name}_env", None, blank_is_none=True)
        file = self.file_path(f"{name}_file", base_dir)
        command = self._command(f"{name}_command")
        if env is not None and not _ENV_NAME.match(env):
            self.report(f"{name}_env", f"{env!r} is not an environment variable name")
        given = [k for k, v in (("env", env), ("file", file), ("command", command)) if v]
        if len(given) > 1:
            self.report(
                f"{name}_{given[-1]}",
                f"{' and '.join(f'{name}_{k}' for k in given)} are mutually exclusive; keep one",
            )
            file = file if env is None else None
            command = None
        if needed_for is not None and not given and not inline:
            self.report(name, f"set {name}_env, {name}_file or {name}_command: {needed_for}")
        return Secret(key=secret_key, env=env, file=file, command=command)

    def _command(self, name: str) -> tuple[str, ...] | None:
        """A command as a list of strings (run without a shell); [] or absent means unset."""
        value = self.raw(name, (list,), "a list of strings, the program and its arguments")
        if not isinstance(value, list) or not value:
            return None
        if not all(isinstance(part, str) and part for part in value):
            self.report(name, "must be a list of non-empty strings: the program and its arguments")
            return None
        return tuple(value)

    def finish(self) -> None:
        """Report every key that no getter asked for."""
        known = sorted(self._known)
        for name in self.data:
            if name not in self._known:
                self.report(name, f"unknown key{suggest(name, known)}")
