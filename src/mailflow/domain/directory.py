"""Answer "who is this?" for what people write in mail: addresses, @aliases, names, departments.

The minutes parser (``ACTION: @bob ...``), attendee lists and escalation all ask a
:class:`Directory`. It is pure: built from the validated people of the configuration, no I/O.

How :meth:`Directory.resolve` reads a token, first rule that matches wins:

1. An address (``bob@example.com``, ``Bob <bob@example.com>``, ``mailto:...``): that person.
2. Otherwise, with any leading ``@`` removed, the token is compared (Unicode NFKC, case-insensitive,
   whitespace collapsed; Chinese names therefore match exactly) with, in order of precedence,
   a person's aliases, their full name, the local part of their address, a department name,
   which means that department's head, the given name of a Latin-script name ("Carol" for Carol
   King), and a Chinese surname with a title: 王总, 张经理, 陈总监 among the department heads,
   李工, 小李, 老王 among everyone, and a Chinese name in pinyin as colleagues abroad write it
   (``Sun Li``, ``Li Sun``, ``Chen Zhiming``). The first rule with any match decides: one person
   is *found*, several are *ambiguous* (the candidates are listed so the caller can ask back).

A department is also found under the words people use for it: without its 部 (``财务``), as
``财务部门``, followed by a title (``市场部经理``, ``财务部负责人``, ``the finance team``), and by
its common English name when the directory's name is Chinese (``Finance``, ``HR``, ``R&D``:
:data:`DEPARTMENT_NAMES`). Traditional characters compare as Simplified ones (陳志明 is 陈志明).

A department's head is the person of that department whose role is one of :data:`HEAD_ROLES`
("head", "负责人", ...); the people loader reports a department with two heads. A person's
executive is their ``manager`` if set, else the head of their department (unless they are that
head).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Literal

from pypinyin import lazy_pinyin

from mailflow.config.schema import HEAD_ROLES as HEAD_ROLES
from mailflow.config.schema import Person
from mailflow.config.schema import is_head as is_head
from mailflow.domain.identity import Identities
from mailflow.text_forms import normalise as normalise

Status = Literal["found", "ambiguous", "unknown"]
Via = Literal["email", "alias", "name", "local part", "department", "given name", "title", "pinyin"]
# The common names of departments, by the stem of their Chinese name (the name without 部/处/…).
DEPARTMENT_NAMES: dict[str, tuple[str, ...]] = {
    "财务": ("finance", "accounting", "fin"),
    "市场": ("marketing", "mkt"),
    "研发": ("r&d", "rd", "engineering", "dev", "development", "tech", "technology"),
    "技术": ("engineering", "tech", "technology"),
    "人事": ("hr", "human resources", "people"),
    "人力资源": ("hr", "human resources", "people"),
    "行政": ("admin", "administration", "facilities"),
    "销售": ("sales",),
    "采购": ("procurement", "purchasing"),
    "法务": ("legal",),
    "信息": ("it",),
    "产品": ("product", "pm"),
    "客服": ("customer service", "cs", "support", "customer support"),
    "质量": ("qa", "quality", "quality assurance"),
    "运营": ("operations", "ops"),
    "总经办": ("ceo office", "gm office"),
}
# Short names that are also words ("it was agreed"): a department only when written in capitals.
_CAPITALS_ONLY = frozenset({"it", "hr", "qa", "cs", "pm", "rd", "dev", "fin", "mkt", "ops"})
# What may follow a department's name and still mean its head: 市场部经理, the finance team.
DEPARTMENT_TITLES = (
    *("经理", "总监", "负责人", "主管", "部长", "领导", "老大", "主任", "同事", "团队", "同学"),
    *("head", "lead", "manager", "team", "dept", "department", "group", "folks", "director"),
)
_DEPARTMENT_SUFFIX = ("部门", "部", "处", "中心", "组", "科", "室", "办")
# Titles after a surname: 王总 is a department head (a boss); 张经理, 李工, 小李 anyone.
SENIOR_TITLES = ("总", "总经理", "董事长", "老板")
OTHER_TITLES: tuple[str, ...] = ("经理", "总监", "主任", "部长", "主管", "工", "老师", "姐", "哥")
OTHER_TITLES += ("师傅", "博士", "律师", "会计")


@dataclass(frozen=True)
class Resolution:
    """What a token names: one person, several candidates, or nobody."""

    token: str
    status: Status
    person: Person | None = None
    candidates: tuple[Person, ...] = ()
    via: Via | None = None  # which rule matched, for messages such as "matched by alias"

    @property
    def found(self) -> bool:
        return self.status == "found"

    @property
    def ambiguous(self) -> bool:
        return self.status == "ambiguous"


def department_words(department: str) -> set[str]:
    """Every way people write ``department`` (normalised): 财务部, 财务, 财务部门, Finance…"""
    name = normalise(department)
    stem = name
    for suffix in _DEPARTMENT_SUFFIX:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            stem = name[: -len(suffix)]
            break
    words = {name}
    if stem != name:
        words |= {stem, stem + "部门"}
    words.update(DEPARTMENT_NAMES.get(stem, ()))
    return words


def surname(person: Person) -> str | None:
    """The surname of a Chinese name of two or three characters (its first character)."""
    name = normalise(person.name)
    if 2 <= len(name) <= 3 and all("\u3400" <= ch <= "\u9fff" for ch in name):
        return name[0]
    return None


# Surnames pypinyin reads with their everyday sound rather than the surname's.
_SURNAME_SOUNDS = {"曾": "zeng", "单": "shan", "解": "xie", "查": "zha", "仇": "qiu", "区": "ou"}
_SURNAME_SOUNDS |= {"朴": "piao", "覃": "qin", "缪": "miao", "盖": "ge", "乐": "yue", "柏": "bai"}


def pinyin_names(person: Person) -> set[str]:
    """How a Chinese name is written in pinyin: 孙丽 → sun li, li sun; 陈志明 → chen zhiming,
    zhiming chen, chen zhi-ming (lower case)."""
    family = surname(person)
    if family is None:
        return set()
    name = normalise(person.name)
    syllables = lazy_pinyin(name)
    if len(syllables) != len(name) or not all(s.isascii() and s.isalpha() for s in syllables):
        return set()
    first = _SURNAME_SOUNDS.get(family, syllables[0])
    rest = syllables[1:]
    forms: set[str] = set()
    for given in {"".join(rest), "-".join(rest), " ".join(rest)}:
        forms |= {f"{first} {given}", f"{given} {first}"}
    return {form.replace("v", "u") for form in forms} | forms


def given_names(person: Person) -> set[str]:
    """The first word of each Latin-script name or alias of two words or more ("carol" for
    Carol King, "grace" for a 林美玲 known as Grace Lin), and the two-character given name of
    a three-character Chinese name (美玲), as colleagues call each other."""
    found = set()
    for name in (person.name, *person.aliases):
        words = normalise(name).split()
        if len(words) >= 2 and words[0].isascii() and words[0].isalpha():
            found.add(words[0])
    if surname(person) is not None and len(normalise(person.name)) == 3:
        found.add(normalise(person.name)[1:])
    return found


class Directory:
    """The organisation's people, indexed for lookup; see the module docstring for the rules."""

    def __init__(self, people: Iterable[Person], aliases: Iterable[tuple[str, str]] = ()) -> None:
        self._people = tuple(people)
        self.identities = Identities(aliases)
        self._by_email: dict[str, Person] = {}
        self._indexes: dict[Via, dict[str, list[Person]]] = {
            "alias": {},
            "name": {},
            "local part": {},
            "department": {},
            "given name": {},
            "title": {},
            "pinyin": {},
        }
        # Department words too loose to be read as a name in running text ("财务报表", "sales").
        self._loose: set[str] = set()
        for person in self._people:
            self._by_email.setdefault(self.identities.canonical(person.email), person)
            for alias in person.aliases:
                self._add("alias", alias, person)
            self._add("name", person.name, person)
            self._add("local part", person.email.partition("@")[0], person)
            if person.department and is_head(person):
                for word in department_words(person.department):
                    self._add("department", word, person)
                    if word != normalise(person.department):
                        self._loose.add(word)
                    for title in DEPARTMENT_TITLES:
                        joiner = " " if word.isascii() else ""
                        self._add("department", f"{word}{joiner}{title}", person)
                        if word.isascii():
                            self._add("department", f"the {word} {title}", person)
            for given in given_names(person):
                self._add("given name", given, person)
            for form in pinyin_names(person):
                self._add("pinyin", form, person)
            family = surname(person)
            if family is not None:
                titles = OTHER_TITLES + (SENIOR_TITLES if is_head(person) else ())
                for title in titles:
                    self._add("title", family + title, person)
                self._add("title", "小" + family, person)
                self._add("title", "老" + family, person)

    def _add(self, via: Via, word: str, person: Person) -> None:
        found = self._indexes[via].setdefault(normalise(word), [])
        if person not in found:
            found.append(person)

    def __iter__(self) -> Iterator[Person]:
        return iter(self._people)

    def __len__(self) -> int:
        return len(self._people)

    def by_email(self, address: str) -> Person | None:
        """The person with this address (case-insensitive, alias domains too), or None."""
        return self._by_email.get(self.identities.canonical(address))

    def resolve(self, token: str) -> Resolution:
        """Who ``token`` names: an address, ``@alias``, alias, name or department."""
        text = unicodedata.normalize("NFKC", token).strip()
        address = _address(text)
        if address is not None:
            person = self.by_email(address)
            if person is None:
                return Resolution(token, "unknown")
            return Resolution(token, "found", person, (person,), "email")
        word = normalise(text.removeprefix("@"))
        capitals = not (word in _CAPITALS_ONLY and not text.removeprefix("@").isupper())
        for via, index in self._indexes.items():
            if via == "department" and not capitals:
                continue
            matches = index.get(word, [])
            if len(matches) == 1:
                return Resolution(token, "found", matches[0], (matches[0],), via)
            if matches:
                return Resolution(token, "ambiguous", None, tuple(matches), via)
        return Resolution(token, "unknown")

    def terms(self, *, in_running_text: bool = False, names_only: bool = False) -> set[str]:
        """Every name, alias, department word and title form the directory resolves; with
        ``in_running_text``, without the department words too loose to find inside a sentence
        (the stem ``财务``, a bare ``Sales``); with ``names_only``, only names, aliases and
        local parts (what a typo is compared with)."""
        if names_only:
            wanted: tuple[Via, ...] = ("alias", "name", "local part")
            return {word for via in wanted for word in self._indexes[via]}
        words = {word for index in self._indexes.values() for word in index}
        return words - self._loose if in_running_text else words

    def department_head(self, department: str) -> Person | None:
        """The head of ``department`` (name compared like a token), or None if it has not one."""
        heads = self._indexes["department"].get(normalise(department), [])
        return heads[0] if len(heads) == 1 else None

    def executive_of(self, person: Person) -> Person | None:
        """Where ``person``'s overdue work escalates: their manager, else their department head."""
        if person.manager:
            return self.by_email(person.manager)
        head = self.department_head(person.department) if person.department else None
        return head if head is not None and head.email != person.email else None

    def management_chain(self, person: Person) -> tuple[Person, ...]:
        """``executive_of`` repeated upwards, nearest first; stops at the top or at a loop."""
        chain: list[Person] = []
        seen = {person.email}
        current = self.executive_of(person)
        while current is not None and current.email not in seen:
            chain.append(current)
            seen.add(current.email)
            current = self.executive_of(current)
        return tuple(chain)


def _address(text: str) -> str | None:
    """The address in ``text`` if it is one (bare, ``mailto:`` or ``Name <addr>``), else None."""
    if "<" in text and text.endswith(">"):
        text = parseaddr(text)[1]
    text = text.removeprefix("mailto:")
    local, at, domain = text.partition("@")
    if at and local and "." in domain and " " not in text:
        return text
    return None
