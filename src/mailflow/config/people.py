"""Load and check the people directory: who is who, in which department, reporting to whom.

People come from a CSV or TOML file (``[people] file``) and/or inline ``[[people.person]]``
tables in the main config. Each person is validated against the :class:`Person` dataclass
(:func:`read_person`); :func:`check_people` then checks the directory as a whole (duplicate
addresses and aliases, unknown or looping managers, two heads for one department). Problems
carry the key path and the line, e.g.
``people.csv:5: people.file: row 5: email: 'bob@' is not a valid email address``.

CSV: a header row ``email,name,aliases,department,role,manager,locale,timezone`` (only email and
name are required); aliases are separated by ``;`` or ``|``; a row whose first cell starts with
``#`` is a comment. "Row N" is the line the row starts on, so with nothing above the header it
matches a spreadsheet's row numbers (the header is row 1). Files are UTF-8, with or without a
byte-order mark.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mailflow.config.fields import email_problem, problem, suggest, type_name
from mailflow.config.locate import key_lines, syntax_error
from mailflow.config.person import Person, is_head
from mailflow.config.report import Problems, key_path
from mailflow.errors import ConfigError, ConfigProblem

if TYPE_CHECKING:
    from pydantic import TypeAdapter, ValidationInfo

COLUMNS = ("email", "name", "aliases", "department", "role", "manager", "locale", "timezone")
REQUIRED_COLUMNS = ("email", "name")
_ALIAS_SPLIT = re.compile(r"[;|]")


@dataclass(frozen=True)
class PersonRecord:
    """A person together with where they were written, so later checks can point there."""

    person: Person
    report: Callable[[str, str], None]  # (field, message), at the person's place
    label: str  # how another problem refers to this person: "row 3 of people.csv"


@cache
def _person_adapter() -> TypeAdapter[Person]:
    # Imported on first use, like every use of pydantic here (see fields.Check).
    from pydantic import TypeAdapter

    return TypeAdapter(Person)


def read_person(
    data: object, problems: Problems, at: str, label: str, *, sep: str = "."
) -> PersonRecord | None:
    """One person's fields, written at ``at`` (``row 3``, ``person[0]``); each bad value is
    reported there and the person left out."""
    adapter = _person_adapter()
    from pydantic import ValidationError

    try:
        person = adapter.validate_python(data)
    except ValidationError as exc:
        problems.report_errors(exc, Person, prefix=at, sep=sep)
        return None

    def report(field: str, message: str) -> None:
        problems.add(key_path([field], at, sep), message)

    return PersonRecord(person, report, label)


def read_people_file(path: Path, problems: list[ConfigProblem]) -> list[PersonRecord]:
    """Read a .csv or .toml people file; problems (keyed ``people.file``) go to ``problems``."""
    collector = Problems(str(path), anchor="people.file", items=problems)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        problems.append(ConfigProblem("people.file", f"cannot read {path}: {exc.strerror}"))
        return []
    except UnicodeDecodeError as exc:
        collector.add("(file)", f"not UTF-8 text (byte {exc.start}); save it as UTF-8")
        return []
    if path.suffix.lower() == ".csv":
        return _read_csv(text, path.name, collector)
    if path.suffix.lower() == ".toml":
        return _read_toml(text, path.name, collector)
    problems.append(ConfigProblem("people.file", f"{path.name}: use a .csv or a .toml file"))
    return []


def _read_toml(text: str, file_name: str, collector: Problems) -> list[PersonRecord]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, line = syntax_error(exc)
        collector.items.append(ConfigProblem("people.file", message, line, collector.source))
        return []
    collector.locate = key_lines(text).find
    people = data.get("person", [])
    records: list[PersonRecord] = []
    if not isinstance(people, list):
        collector.add("person", f"expected an array, got {type_name(people)}")
        people = []
    for i, table in enumerate(people):
        at = f"person[{i}]"
        if (record := read_person(table, collector, at, f"{at} of {file_name}")) is not None:
            records.append(record)
    for name in data.keys() - {"person"}:
        collector.add(name, f"unknown key{suggest(name, ['person'])}")
    return records


def _read_csv(text: str, file_name: str, collector: Problems) -> list[PersonRecord]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    records: list[PersonRecord] = []
    start = 1
    for row in reader:
        row_number, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue
        view = collector.at_line(row_number)
        if header is None:
            header = _csv_header(row, row_number, view)
            continue
        if any(cell.strip() for cell in row[len(header) :]):
            view.add(f"row {row_number}", "has more cells than the header")
        cells = {
            column: cell.strip() for column, cell in zip(header, row, strict=False) if cell.strip()
        }
        data: dict[str, object] = {k: v for k, v in cells.items() if k in COLUMNS}
        if "aliases" in cells:
            data["aliases"] = [a for a in _ALIAS_SPLIT.split(cells["aliases"]) if a.strip()]
        at = f"row {row_number}"
        if (record := read_person(data, view, at, f"{at} of {file_name}", sep=": ")) is not None:
            records.append(record)
    if header is None:
        collector.add("(file)", f"no header row; the first row must be {','.join(COLUMNS)}")
    return records


def _csv_header(row: list[str], row_number: int, view: Problems) -> list[str]:
    header = [cell.strip().lower() for cell in row]
    for column in header:
        if column and column not in COLUMNS:
            view.add(
                f"row {row_number}", f"unknown column {column!r}{suggest(column, list(COLUMNS))}"
            )
    for column in REQUIRED_COLUMNS:
        if column not in header:
            view.add(f"row {row_number}", f"the header has no {column!r} column")
    return header


def check_people(records: Sequence[PersonRecord]) -> None:
    """Checks across people; each problem is reported at the person it concerns."""
    by_email: dict[str, PersonRecord] = {}
    by_alias: dict[str, PersonRecord] = {}
    heads: dict[str, PersonRecord] = {}
    for record in records:
        person = record.person
        if not person.email:
            continue
        if person.email in by_email:
            record.report(
                "email", f"{person.email} is already used by {by_email[person.email].label}"
            )
        by_email.setdefault(person.email, record)
        for alias in person.aliases:
            other = by_alias.setdefault(alias.casefold(), record)
            if other is not record:
                record.report("aliases", f"alias {alias!r} is already used by {other.label}")
        if is_head(person) and person.department:
            department = person.department.casefold()
            other = heads.setdefault(department, record)
            if other is not record:
                record.report(
                    "role", f"{person.department!r} already has a head ({other.label}); keep one"
                )
    for record in records:
        _check_manager(record, by_email)


def _check_manager(record: PersonRecord, by_email: dict[str, PersonRecord]) -> None:
    manager = record.person.manager
    if manager is None or email_problem(manager):
        return
    if manager == record.person.email:
        record.report("manager", "a person cannot be their own manager")
        return
    if manager not in by_email:
        record.report("manager", f"{manager} is not in the people directory")
        return
    # Escalation walks up the manager chain, so a loop would escalate forever. Report each loop
    # once, at its member with the alphabetically first address.
    chain = [record.person.email]
    current: str | None = manager
    while current is not None and current in by_email and current not in chain:
        chain.append(current)
        current = by_email[current].person.manager
    if current == record.person.email and min(chain) == record.person.email:
        record.report("manager", "the manager chain loops: " + " → ".join([*chain, current]))


def load_people(path: Path) -> tuple[Person, ...]:
    """Read and check one people file on its own; raises ConfigError listing every problem."""
    problems: list[ConfigProblem] = []
    records = read_people_file(path, problems)
    check_people(records)
    if problems:
        raise ConfigError(problems)
    return tuple(record.person for record in records)


def people_file(file: Path | None, info: ValidationInfo) -> Path | None:
    """``[people] file``: read it; its people wait in the context for :func:`directory`.

    Mistakes in the file are reported on that file's own lines; the file itself (its type, its
    absence) on the ``file =`` line of the config.
    """
    if file is None:
        return None
    if file.suffix.lower() not in (".csv", ".toml"):
        raise problem(f"{file.name}: use a .csv or a .toml file")
    if not file.is_file():
        raise problem(f"{file} does not exist")
    context = _context(info)
    context["people_file"] = read_people_file(file, context["problems"].items)
    return file


def directory(inline: tuple[Person, ...], info: ValidationInfo) -> tuple[Person, ...]:
    """The people of the file and the inline ``[[people.person]]``, checked together.

    The file is the directory and inline people are additions to it, so a clash is reported at
    the inline entry.
    """
    context = _context(info)
    problems: Problems = context["problems"]
    records: list[PersonRecord] = context.pop("people_file", [])
    for i, person in enumerate(inline):
        at = f"people.person[{i}]"
        records.append(PersonRecord(person, _reporter(problems, at), at))
    check_people(records)
    return tuple(record.person for record in records)


def _reporter(problems: Problems, at: str) -> Callable[[str, str], None]:
    return lambda field, message: problems.add(f"{at}.{field}", message)


def _context(info: ValidationInfo) -> dict[str, Any]:
    """The validation's context; a fresh one (problems kept nowhere) when called without."""
    context: dict[str, Any] = info.context if isinstance(info.context, dict) else {}
    context.setdefault("problems", Problems(None))
    return context
