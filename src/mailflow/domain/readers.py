"""Who reads a mail: the people directory, and each reader's language and time zone.

Every mail mailflow writes is in its reader's locale and shows times in their zone, falling back
to ``mail.default_locale`` and ``schedule.timezone`` for people not in the directory. The
directory is built once per set of people, not once per mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from mailflow.config.schema import Config, Person
from mailflow.domain.directory import Directory


@dataclass(frozen=True)
class Reader:
    locale: str
    timezone: str


@lru_cache(maxsize=8)
def _directory(people: tuple[Person, ...], aliases: tuple[tuple[str, str], ...]) -> Directory:
    return Directory(people, aliases)


# The people tuple last asked about and its directory: looking the tuple up in the cache above
# hashes every Person in it, which for a few hundred people cost more than the lookup it served
# (measured per inbound reply). The same tuple object is the common case, so it is checked first.
_last: tuple[tuple[Person, ...], tuple[tuple[str, str], ...], Directory] | None = None


def directory_of(config: Config) -> Directory:
    global _last
    people, aliases = config.people.people, config.mail.alias_domains
    last = _last
    if last is not None and last[0] is people and last[1] is aliases:
        return last[2]
    directory = _directory(people, aliases)
    _last = (people, aliases, directory)
    return directory


def reader(config: Config, email: str) -> Reader:
    person = directory_of(config).by_email(email)
    return Reader(
        locale=(person.locale if person else None) or config.mail.default_locale,
        timezone=(person.timezone if person else None) or config.schedule.timezone,
    )
