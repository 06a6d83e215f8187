"""Find the people named at the start of a minutes item or a reply: ``@bob``, ``张伟``, ``财务部``.

Pure: text and the people :class:`~mailflow.domain.directory.Directory` in, people out. A name is
recognised, in this order, as an ``@mention`` (``@bob``, ``@张伟``), an email address, the longest
directory name, alias or department the text starts with (``张伟准备预算`` starts with ``张伟``;
an ASCII name must end at a word boundary, so alias ``al`` does not match ``all``), or the first
word when the directory resolves it (a local part such as ``bob``). Several names joined by
``,`` ``、`` ``/`` ``&`` ``and`` ``和`` make a *run*; an item with a run of two is refused, not
guessed. Close matches for an unknown name come from :mod:`difflib`, enough for a directory of
people (it is not a search engine).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from mailflow.config.schema import Person
from mailflow.domain.directory import Directory, Resolution, is_head, normalise
from mailflow.domain.problem_messages import is_chinese

_MENTION = re.compile(r"@[^\s,，、;；:：()（）<>\[\]【】]+")
_EMAIL = re.compile(r"<?(?:mailto:)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+>?")
_WORD = re.compile(r"[^\s,，、;；:：()（）]+")
_JOINER = re.compile(r"\s*(?:,|，|、|/|&|\+|\band\b|和|与|及)\s*", re.IGNORECASE)
_ASIDE = re.compile(r"\s*[(（]\s*([^)）]+?)\s*[)）]")
_CJK_NAME = re.compile(r"[\u3400-\u9fff·]{2,3}")
_TRAILING_PUNCT = ".。,，!！?？"


@dataclass(frozen=True)
class Named:
    """A token as written and how the directory resolved it."""

    raw: str
    resolution: Resolution

    @property
    def person(self) -> Person | None:
        return self.resolution.person


class People:
    """A directory plus the words to look for at the start of a line, longest first."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        terms: set[str] = set()
        for person in directory:
            terms.add(normalise(person.name))
            terms.update(normalise(alias) for alias in person.aliases)
            if person.department and is_head(person):
                terms.add(normalise(person.department))
        self._terms = sorted((t for t in terms if t), key=len, reverse=True)
        self._vocabulary = sorted(terms | {normalise(p.email.partition("@")[0]) for p in directory})

    def resolve(self, token: str) -> Named:
        return Named(token, self.directory.resolve(token.rstrip(_TRAILING_PUNCT)))

    def one(self, text: str, *, loose: bool = True) -> tuple[Named, int] | None:
        """The name ``text`` starts with and its length, or None (see the module docstring).

        ``loose`` also accepts a first word the directory resolves otherwise (a local part).
        A shared name followed by a department in brackets (``王伟（研发部）``) is that
        department's person: Chinese minutes tell namesakes apart this way; the bracket is
        part of the name whenever it names the person's department.
        """
        found = self._one(text, loose=loose)
        if found is None or found[0].resolution.status == "unknown":
            return found
        named, length = found
        aside = _ASIDE.match(text, length)
        if aside is None:
            return found
        wanted = normalise(aside.group(1))
        match = [p for p in named.resolution.candidates if normalise(p.department or "") == wanted]
        if len(match) != 1:
            return found
        resolution = Resolution(named.raw, "found", match[0], (match[0],), named.resolution.via)
        return Named(text[: aside.end()].strip(), resolution), aside.end()

    def _one(self, text: str, *, loose: bool) -> tuple[Named, int] | None:
        for pattern in (_MENTION, _EMAIL):
            match = pattern.match(text)
            if match:
                raw = match.group().rstrip(_TRAILING_PUNCT)
                return self.resolve(raw.strip("<>")), len(raw)
        word_match = _WORD.match(text)
        word = word_match.group() if word_match else ""
        folded = text.casefold()
        for term in self._terms:
            if folded.startswith(term) and _ends_word(text, len(term)):
                # A short Chinese word that is longer than the term is a different name
                # (张伟明 is not 张伟), not the term followed by the task.
                if _CJK_NAME.fullmatch(word) and len(word) > len(term):
                    break
                return self.resolve(text[: len(term)]), len(term)
        if word and loose:
            named = self.resolve(word)
            if named.resolution.status != "unknown":
                return named, len(word.rstrip(_TRAILING_PUNCT))
        return None

    def run(self, text: str) -> tuple[list[Named], str]:
        """The names ``text`` starts with, joined by ``,``/``、``/``and``…, and the rest."""
        names: list[Named] = []
        rest = text.lstrip()
        while True:
            found = self.one(rest)
            if found is None:
                break
            named, length = found
            names.append(named)
            rest = rest[length:]
            joiner = _JOINER.match(rest)
            if joiner is not None and self.one(rest[joiner.end() :]) is not None:
                rest = rest[joiner.end() :]
            elif rest[:1].isspace() and self.one(rest.lstrip(), loose=False) is not None:
                # "@bob @alice …", "张伟 李娜 …": names side by side are a run too.
                rest = rest.lstrip()
            else:
                break
        return names, rest.strip()

    def mentions(self, text: str) -> tuple[list[Named], str]:
        """Every ``@mention`` and address in ``text`` (``Book it @emma by 3/12``), and the rest."""
        names: list[Named] = []
        kept: list[str] = []
        for word in text.split():
            if _is_address(word):
                names.append(self.resolve(_bare(word)))
            else:
                kept.append(word)
        return names, " ".join(kept)

    def leading_word(self, text: str) -> str | None:
        """The first word of ``text`` when it looks like a name the directory does not know.

        That is an ``@mention`` or address, a two- or three-character Chinese word, or a word
        close to a known name (a typo); a verb such as "Prepare" is not.
        """
        match = _MENTION.match(text) or _EMAIL.match(text) or _WORD.match(text)
        if match is None:
            return None
        word = match.group().rstrip(_TRAILING_PUNCT)
        if word.startswith("@") or "@" in word or _CJK_NAME.fullmatch(word) or self.closest(word):
            return word
        return None

    def closest(self, token: str) -> list[Person]:
        """Up to three people whose name, alias or local part is close to ``token``."""
        word = normalise(token.removeprefix("@").partition("@")[0])
        cutoff = 0.5 if is_chinese(word) else 0.6
        people: list[Person] = []
        for term in difflib.get_close_matches(word, self._vocabulary, n=3, cutoff=cutoff):
            resolution = self.directory.resolve(term)
            for person in resolution.candidates:
                if person not in people:
                    people.append(person)
        return people[:3]

    def suggestion(self, token: str, line: str) -> str:
        """ "Did you mean @bob (Bob Smith)? " for an unknown ``token``, or ""."""
        close = self.closest(token)
        if not close:
            return ""
        listed = ", ".join(describe(person) for person in close)
        return f"你是指 {listed} 吗？" if is_chinese(line) else f"Did you mean {listed}? "


def _bare(word: str) -> str:
    return word.rstrip(",，、;；" + _TRAILING_PUNCT).strip("<>")


def _is_address(word: str) -> bool:
    bare = _bare(word)
    return bool(_MENTION.fullmatch(bare) or _EMAIL.fullmatch(bare))


def describe(person: Person) -> str:
    """A person as a reader can tell them apart: ``@alias (Name)`` or ``Name <email>``."""
    if person.aliases:
        return f"@{person.aliases[0]} ({person.name})"
    return f"{person.name} <{person.email}>"


def _ends_word(text: str, length: int) -> bool:
    """Whether an ASCII term of ``length`` ends at a word boundary in ``text``."""
    if length >= len(text) or not text[length - 1].isascii():
        return True
    follower = text[length]
    return not (follower.isascii() and (follower.isalnum() or follower in "_.@-"))
