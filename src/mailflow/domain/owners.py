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

import copy
import difflib
import re
import weakref
from dataclasses import dataclass

from mailflow.config.schema import Person
from mailflow.domain.directory import Directory, Resolution, department_words, normalise
from mailflow.domain.problem_messages import is_chinese
from mailflow.text_forms import simplified

_MENTION = re.compile(r"@[^\s,，、;；:：()（）<>\[\]【】]+")
_EMAIL = re.compile(r"<?(?:mailto:)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+>?")
_WORD = re.compile(r"[^\s,，、;；:：()（）]+")
_JOINER = re.compile(r"\s*(?:,|，|、|/|&|\+|\band\b|和|与|及)\s*", re.IGNORECASE)
_ASIDE = re.compile(r"\s*[(（]\s*([^)）]+?)\s*[)）]")
_ME_WORDS = frozenset({"我", "本人"})
_ME_PATTERN = "本人|我(?![们方司部行院校厂国市省])"
_FROM = re.compile(r"\s+(?:from|of|in)\s+(?:the\s+)?([\w&]+(?:\s+team)?)\b", re.IGNORECASE)
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

    me: Person | None = None  # who wrote the text: 我 / 本人 name them

    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        terms = {t for t in directory.terms() if t}
        self._terms = sorted(terms, key=len, reverse=True)
        self._by_first: dict[str, list[str]] = {}
        for term in self._terms:
            self._by_first.setdefault(term[:1], []).append(term)
        self._vocabulary = sorted(directory.terms(names_only=True))
        running = sorted(directory.terms(in_running_text=True), key=len, reverse=True)
        self._anywhere = _terms_regex([t for t in running if t])

    def written_by(self, sender: str | None) -> People:
        """These people as read in a text ``sender`` wrote: 我 and 本人 are the sender."""
        person = self.directory.by_email(sender) if sender else None
        if person is None:
            return self
        view = copy.copy(self)
        view.me = person
        return view

    def find_all(self, text: str) -> list[tuple[int, int, Named]]:
        """Every name, ``@mention`` and address in ``text`` that the directory resolves (found
        or ambiguous), as (start, end, named), left to right and not overlapping."""
        found: list[tuple[int, int, Named]] = []
        view = simplified(text)
        for match in _MENTION_OR_EMAIL.finditer(view):
            raw = match.group().rstrip(_TRAILING_PUNCT)
            start, end = match.start(), match.start() + len(raw)
            named = self.resolve(text[start:end].strip("<>"))
            longer = self._anywhere.match(view, start + 1) if raw.startswith("@") else None
            if longer is not None and longer.end() > end:
                # "@Hu Bin please …", "@Carol King": a mention of a name with a space in it.
                wider = self.resolve("@" + text[start + 1 : longer.end()])
                if wider.resolution.status != "unknown":
                    named, end = wider, longer.end()
            if named.resolution.status != "unknown":
                found.append((start, end, named))
        opening = self.one(text.lstrip())
        if opening is not None and opening[0].resolution.status != "unknown":
            # "Finance to confirm …": a department's loose name counts where a line starts.
            start = len(text) - len(text.lstrip())
            if not any(s <= start < e for s, e, _ in found):
                found.append((start, start + opening[1], opening[0]))
        taken = [(start, end) for start, end, _ in found]
        for match in self._anywhere.finditer(view):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue
            taken.append((start, end))
            named = self.resolve(text[start:end])
            if named.resolution.status != "unknown":
                named, end = _with_aside(named, text, start, end)
                aside = _ASIDE.match(text, end) if named.resolution.found else None
                if aside is not None and len(aside.group(1)) <= 15:
                    end = aside.end()  # "Emma（总部市场部）：…": a remark goes with the name
                taken[-1] = (start, end)
                found.append((start, end, named))
        return _merged(sorted(found, key=lambda hit: hit[0]))

    def resolve(self, token: str) -> Named:
        if token in _ME_WORDS:
            if self.me is None:
                return Named(token, Resolution(token, "unknown"))
            return Named(token, Resolution(token, "found", self.me, (self.me,), "name"))
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
        return _with_aside(found[0], text, 0, found[1])

    def _one(self, text: str, *, loose: bool) -> tuple[Named, int] | None:
        for pattern in (_MENTION, _EMAIL):
            match = pattern.match(text)
            if match:
                raw = match.group().rstrip(_TRAILING_PUNCT)
                return self.resolve(raw.strip("<>")), len(raw)
        word_match = _WORD.match(text)
        word = word_match.group() if word_match else ""
        folded = simplified(text).casefold()
        for term in self._by_first.get(folded[:1], ()):  # longest first
            if folded.startswith(term) and _ends_word(text, len(term)):
                # A short Chinese word that is longer than the term is a different name
                # (张伟明 is not 张伟), not the term followed by the task.
                if _CJK_NAME.fullmatch(word) and len(word) > len(term):
                    break
                named = self.resolve(text[: len(term)])
                if named.resolution.status == "unknown":
                    continue  # "It was agreed": a word that names someone only in capitals
                return named, len(term)
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


_MENTION_OR_EMAIL = re.compile(rf"{_EMAIL.pattern}|{_MENTION.pattern}")


def _terms_regex(terms: list[str]) -> re.Pattern[str]:
    """One regex finding any of ``terms`` anywhere, longest first: a Latin-script term only as
    whole words in ASCII ("请Grace于…" names Grace, "Graceful" does not), plus 我/本人.

    The terms are laid out as a trie (``张(?:伟|丽)`` rather than ``张伟|张丽``): Python's regex
    engine tries an alternation branch by branch at every position, so a directory of a few
    hundred people made each sentence cost a millisecond; the trie makes it a few microseconds.
    """
    latin = [t for t in terms if t[:1].isascii() and t[:1].isalnum()]
    other = [t for t in terms if not (t[:1].isascii() and t[:1].isalnum())]
    branches = [_ME_PATTERN]
    if other:
        branches.insert(0, _trie(other))
    if latin:
        # A term ending in a letter or digit must end a word; "r&d" ends in one too.
        branches.insert(0, rf"(?<![A-Za-z0-9_.])(?:{_trie(latin)})(?![A-Za-z0-9_@-])")
    return re.compile("|".join(branches), re.IGNORECASE)


def _trie(words: list[str]) -> str:
    """A regex matching any of ``words``, preferring the longest (spaces match any run)."""
    root: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:  # type: ignore[type-arg]
        ends = "" in node
        edges = sorted((c for c in node if c), key=lambda c: -_depth(node[c]))
        parts = [(r"\s+" if c == " " else re.escape(c)) + emit(node[c]) for c in edges]
        if not parts:
            return ""
        body = parts[0] if len(parts) == 1 and not ends else "(?:" + "|".join(parts) + ")"
        return body + ("?" if ends else "")

    return emit(root)


def _depth(node: dict[str, dict]) -> int:  # type: ignore[type-arg]
    return 1 + max((_depth(child) for child in node.values()), default=0)


def _merged(hits: list[tuple[int, int, Named]]) -> list[tuple[int, int, Named]]:
    """A department written right before one of its people (``市场部李娜``, ``人事部刘洋``) is
    that person, not a second name."""
    merged: list[tuple[int, int, Named]] = []
    for start, end, named in hits:
        if merged:
            before_start, before_end, before = merged[-1]
            if before_end == start and before.resolution.via == "department":
                words = _department_words(before)
                inside = [
                    p for p in named.resolution.candidates if normalise(p.department or "") in words
                ]
                if len(inside) == 1:
                    # 研发部陈工: the department tells the namesakes apart.
                    resolution = Resolution(named.raw, "found", inside[0], (inside[0],), "name")
                    merged[-1] = (before_start, end, Named(named.raw, resolution))
                    continue
        merged.append((start, end, named))
    return merged


def _department_words(named: Named) -> set[str]:
    head = named.person
    return {normalise(head.department)} if head is not None and head.department else set()


def _with_aside(named: Named, text: str, start: int, end: int) -> tuple[Named, int]:
    """``named`` told apart by the department after it (``王伟（研发部）``, "Wang Wei from
    HR"), with those words taken into the name; else unchanged."""
    aside = _ASIDE.match(text, end) or _FROM.match(text, end)
    if aside is None or not named.resolution.ambiguous:
        return named, end
    wanted = normalise(aside.group(1))
    match = [
        p
        for p in named.resolution.candidates
        if p.department and wanted in department_words(p.department)
    ]
    if len(match) != 1:
        return named, end
    resolution = Resolution(named.raw, "found", match[0], (match[0],), named.resolution.via)
    return Named(text[start : aside.end()].strip(), resolution), aside.end()


_PEOPLE: weakref.WeakKeyDictionary[Directory, People] = weakref.WeakKeyDictionary()


def people_of(directory: Directory) -> People:
    """The :class:`People` of ``directory``, built once per directory (its patterns cost)."""
    found = _PEOPLE.get(directory)
    if found is None:
        found = _PEOPLE[directory] = People(directory)
    return found


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
