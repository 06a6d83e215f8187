"""Load and check the people directory: who is who, in which department, reporting to whom.

People come from a CSV or TOML file (``[people] file``) and/or inline ``[[people.person]]``
tables in the main config. Each person is read by :func:`person_from_table`; :func:`check_people`
then checks the directory as a whole (duplicate addresses and aliases, unknown or looping
managers, two heads for one department). Problems carry the key path and the line, e.g.
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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mailflow.config.locate import key_lines, syntax_error
from mailflow.config.schema import Person, is_head
from mailflow.config.validate import (
    LOCALES,
    Problems,
    Table,
    email_problem,
    suggest,
    timezone_problem,
    type_name,
)
from mailflow.errors import ConfigError, ConfigProblem

COLUMNS = ("email", "name", "aliases", "department", "role", "manager", "locale", "timezone")
REQUIRED_COLUMNS = ("email", "name")
_ALIAS_SPLIT = re.compile(r"[;|]")


@dataclass(frozen=True)
class PersonRecord:
    """A person together with where they were written, so later checks can point there."""

    person: Person
    table: Table
    label: str  # how another problem refers to this person: "row 3 of people.csv"

    def report(self, field: str, message: str) -> None:
        self.table.report(field, message)


def person_from_table(table: Table, label: str | None = None) -> PersonRecord:
    """Read one person's fields, reporting each bad value at ``table``'s location."""
    email = table.need_text("email")
    if email and (problem := email_problem(email)):
        table.report("email", problem)
    name = table.need_text("name")
    aliases = _aliases(table)
    department = table.text("department", None, blank_is_none=True)
    role = table.text("role", None, blank_is_none=True)
    manager = table.text("manager", None, blank_is_none=True)
    if manager is not None and (problem := email_problem(manager)):
        table.report("manager", problem)
    locale = _locale(table)
    timezone = table.text("timezone", None, blank_is_none=True)
    if timezone is not None and (problem := timezone_problem(timezone)):
        table.report("timezone", problem)
    table.finish()
    person = Person(
        email=email.lower(),
        name=" ".join(name.split()),
        aliases=aliases,
        department=department,
        role=role,
        manager=manager.lower() if manager else None,
        locale=locale,
        timezone=timezone,
    )
    return PersonRecord(person, table, label or table.path)


def _locale(table: Table) -> str | None:
    """The person's locale as mailflow names it; "zh-TW" and "zh_tw" are read as zh_TW."""
    written = table.text("locale", None, blank_is_none=True)
    if written is None:
        return None
    known = {locale.lower(): locale for locale in LOCALES}
    locale = known.get(written.strip().replace("-", "_").lower())
    if locale is None:
        table.report("locale", f"{written!r} is not one of {', '.join(LOCALES)}")
    return locale


def _aliases(table: Table) -> tuple[str, ...]:
    """Aliases without a leading "@"; one word each because minutes write them as ``@bob``."""
    result: list[str] = []
    for key, item in table.items("aliases"):
        if not isinstance(item, str):
            table.problems.add(key, f"expected a string, got {type_name(item)}")
            continue
        alias = item.strip().removeprefix("@").removeprefix("＠")
        if not alias or any(ch.isspace() or ch == "@" for ch in alias):
            table.problems.add(key, f"{item!r} is not an alias: use one word without spaces or @")
        elif alias.casefold() not in (a.casefold() for a in result):
            result.append(alias)
    return tuple(result)


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
    root = Table(data, "", collector)
    records = [person_from_table(t, f"{t.path} of {file_name}") for t in root.tables("person")]
    root.finish()
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
        table = Table(data, f"row {row_number}", view, sep=": ")
        records.append(person_from_table(table, f"row {row_number} of {file_name}"))
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
