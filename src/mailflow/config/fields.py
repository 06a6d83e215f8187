"""The value types of config keys: pydantic validators that say what is wrong in our words.

Each validator here checks one kind of value (an integer in a range, a time of day, a path beside
the config file, a secret's location) and, when it is wrong, raises :func:`problem` with the
message a person reads in ``mailflow config check`` ("99999 is out of range: must be between 1
and 65535"). :mod:`mailflow.config.schema` attaches them to the dataclass fields with
``Annotated``; :mod:`mailflow.config.report` adds the key path and the line.

A check that needs another key of the same table reads it from ``info.data``: the keys declared
above it, already validated (a key that failed is absent, and the check is skipped). Every
default is validated too (``validate_default``), so a check on a key the file leaves out still
runs. The validation context carries ``base_dir``, the config file's directory.

Validators are attached as :class:`Check` metadata rather than pydantic's own classes, so that
importing the schema does not import pydantic; only validating a file does.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from pydantic import ValidationInfo, ValidatorFunctionWrapHandler
    from pydantic_core import PydanticCustomError

T = TypeVar("T")

# pydantic's config of every table of the file: an unknown key is a mistake, and a key left out
# still gets its checks.
TABLE: dict[str, Any] = {"extra": "forbid", "validate_default": True}

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LOCALES = ("en", "zh_CN", "zh_TW")
_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$"
)
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def table(cls: type[T]) -> type[T]:
    """Mark a dataclass as a table of the file (:data:`TABLE`)."""
    setattr(cls, "__pydantic_config__", TABLE)  # noqa: B010 (pydantic reads this attribute)
    return cls


class Check:
    """A validator in a field's ``Annotated`` metadata, run by pydantic as a ``mode`` validator
    (plain: instead of pydantic's own; after, before or wrap: around it) when a file is validated.

    pydantic is imported only then: it costs ~0.1 s, which `mailflow --help` and every process
    that merely names a Config should not pay.
    """

    def __init__(self, mode: Literal["plain", "before", "after", "wrap"], func: Any) -> None:
        self.mode = mode
        self.func = func

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        import pydantic

        kind = {
            "plain": pydantic.PlainValidator,
            "before": pydantic.BeforeValidator,
            "after": pydantic.AfterValidator,
            "wrap": pydantic.WrapValidator,
        }[self.mode]
        return kind(self.func).__get_pydantic_core_schema__(source, handler)


class FileName:
    """Field metadata: the key the file writes for this field (``person`` for ``people``)."""

    def __init__(self, name: str) -> None:
        self.name = name


def problem(message: str, at: str | None = None) -> PydanticCustomError:
    """A validation error with our message; ``at`` names the key it concerns when that is not the
    key being validated (a sibling such as ``password_env``, or an element such as ``weekend[1]``).
    """
    from pydantic_core import PydanticCustomError

    return PydanticCustomError("config", "{message}", {"message": message, "at": at})


def type_name(value: object) -> str:
    """The TOML name of a parsed value's type, for messages."""
    # Order matters: bool before int, datetime before date (each is a subclass of the other).
    names: list[tuple[type, str]] = [
        (bool, "a boolean"), (int, "an integer"), (float, "a float"), (str, "a string"),
        (list, "an array"), (dict, "a table"), (datetime, "a date-time"), (date, "a date"),
        (time, "a time"),
    ]  # fmt: skip
    return next((name for kind, name in names if isinstance(value, kind)), type(value).__name__)


def mistyped(value: object, expected: str, at: str | None = None) -> PydanticCustomError:
    return problem(f"expected {expected}, got {type_name(value)}", at)


def suggest(word: str, choices: Sequence[str]) -> str:
    """' ; did you mean `x`?' when a choice is close to ``word``, else ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean `{close[0]}`?" if close else ""


def email_problem(value: str) -> str | None:
    return None if _EMAIL.match(value) else f"{value!r} is not a valid email address"


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


def base_dir(info: ValidationInfo) -> Path:
    """The directory relative paths start from: the config file's."""
    return Path((info.context or {}).get("base_dir", "."))


def text(value: object, *, blank: bool = False, at: str | None = None) -> str | None:
    """A stripped string; an empty one is a problem unless ``blank`` ("" then means unset)."""
    if value is None and blank:
        return None
    if not isinstance(value, str):
        raise mistyped(value, "a string", at)
    if not value.strip() and not blank:
        raise problem("must not be empty", at)
    return value.strip() or None


Text = Check("plain", lambda value: text(value) or "")
OptionalText = Check("plain", lambda value: text(value, blank=True))


def between(low: int = 1, high: int | None = None) -> Check:
    """An integer from ``low`` to ``high`` (no upper bound when None)."""

    def check(value: object) -> int:
        # bool is a subclass of int, but `port = true` is a mistake, not the number 1.
        if not isinstance(value, int) or isinstance(value, bool):
            raise mistyped(value, "an integer")
        if value < low or (high is not None and value > high):
            bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise problem(f"{value} is out of range: must be {bounds}")
        return value

    return Check("plain", check)


def _positive(value: object) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise mistyped(value, "a number")
    if value <= 0:
        raise problem(f"{value} is out of range: must be greater than 0")
    return float(value)


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise mistyped(value, "a boolean (true or false)")
    return value


Positive = Check("plain", _positive)
Flag = Check("plain", _flag)


def one_of(options: Sequence[str]) -> Check:
    """One of ``options``, in any case; the option as it is spelled there."""

    def check(value: object) -> str:
        written = text(value) or ""
        for option in options:
            if option.lower() == written.lower():
                return option
        allowed = ", ".join(options)
        raise problem(f"{written!r} is not one of {allowed}{suggest(written, options)}")

    return Check("plain", check)


def clock(*, optional: bool = False) -> Check:
    """A time of day written "HH:MM" (or a TOML time); "" means "off" when ``optional``."""

    def check(value: object) -> time | None:
        if isinstance(value, time) or (value is None and optional):
            return value
        if not isinstance(value, str):
            raise mistyped(value, 'a time "HH:MM"')
        if optional and not value.strip():
            return None
        match = _HHMM.match(value.strip())
        if match is None:
            off = ' (or "" for off)' if optional else ""
            raise problem(f'{value!r} is not a time of day "HH:MM"{off}')
        return time(int(match.group(1)), int(match.group(2)))

    return Check("plain", check)


def _weekday(value: object, at: str | None = None) -> Weekday:
    day = parse_weekday(value) if isinstance(value, str) else None
    if day is None:
        raise problem(f"{value!r} is not a weekday; use mon, tue, wed, thu, fri, sat or sun", at)
    return day


def weekday(*, optional: bool = False) -> Check:
    """``mon``..``sun`` or a full English day name, any case; "" means "off" when ``optional``."""

    def check(value: object) -> Weekday | None:
        if value is None and optional:
            return None
        if not isinstance(value, str):
            raise mistyped(value, "a weekday name")
        return None if optional and not value.strip() else _weekday(value)

    return Check("plain", check)


# An element of an array of weekdays.
WeekdayItem = Check("plain", _weekday)


def _iso_date(value: object) -> date:
    """A TOML date or a "YYYY-MM-DD" string."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise problem(f"{value!r} is not a date; write it as YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise problem(f"{value!r} is not a date: that day does not exist") from None


IsoDate = Check("plain", _iso_date)


def _refused(says: Callable[[str], str | None]) -> Check:
    """A text (or None, unset) that ``says`` has nothing against."""

    def check(value: str | None) -> str | None:
        if value is not None and (said := says(value)):
            raise problem(said)
        return value

    return Check("after", check)


Email = _refused(email_problem)
Zone = _refused(timezone_problem)
Lower = Check("after", lambda value: value.lower() if isinstance(value, str) else value)


def relative_path(default: str | None = None) -> Check:
    """A path relative to the config file's directory; "" (or unset) means ``default``."""

    def check(value: object, info: ValidationInfo) -> Path | None:
        written = text(str(value) if isinstance(value, Path) else value, blank=True) or default
        return None if written is None else base_dir(info) / Path(written).expanduser()

    return Check("plain", check)


def _not_in_file(value: object) -> object:
    if value is not None:
        raise problem("unknown key")
    return value


# A field set by the loader, never written in the file (Config.source).
NotInFile = Check("plain", _not_in_file)


def checked(test: Callable[[Any, dict[str, Any]], str | None], at: str | None = None) -> Check:
    """A check of a value against the keys above it: ``test(value, data)`` says what is wrong."""

    def check(value: Any, info: ValidationInfo) -> Any:
        if (said := test(value, info.data)) is not None:
            raise problem(said, at)
        return value

    return Check("after", check)


def later_than(other: str) -> Check:
    return checked(
        lambda value, data: (
            f"must be later than {other}"
            if data.get(other) is not None and value is not None and value <= data[other]
            else None
        )
    )


def longer_than(other: str) -> Check:
    # A lease or claim renewed between network calls must outlast one slow call.
    return checked(
        lambda value, data: (
            f"{value} must be longer than {other} ({data[other]:g})"
            if other in data and value <= data[other]
            else None
        )
    )


def _no_repeats(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
    items = handler(value)
    for index, item in enumerate(items):
        if item in items[:index]:
            raise problem(f"{value[index]!r} is listed twice", f"{info.field_name}[{index}]")
    return items


# An array whose elements must differ (after each is read: "sat" and "Saturday" are one day).
NoRepeats = Check("wrap", _no_repeats)
