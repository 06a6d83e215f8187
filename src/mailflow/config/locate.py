"""Find the line on which each key of a TOML document is written.

``tomllib`` returns plain dicts without positions, so a problem such as "imap.port: out of range"
could not say where to look. :func:`key_lines` scans the text once more and maps every dotted key
path (``imap.port``, ``people.person[2].email``, ``schedule.calendar.extra_holidays[1]``) to the
line where it starts. It assumes the text already parsed with ``tomllib``: it is a locator, not a
validator, and it only needs to be good enough to point a person at the right line.
"""

from __future__ import annotations

import bisect
import contextlib
import re
import tomllib

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_DECODE_POSITION = re.compile(r"\s*\(at line (\d+), column \d+\)")


def syntax_error(exc: tomllib.TOMLDecodeError) -> tuple[str, int | None]:
    """A tomllib error as (message without the position, line), for a ConfigProblem."""
    # Python 3.11's TOMLDecodeError has no lineno attribute; the position is only in the text.
    match = _DECODE_POSITION.search(str(exc))
    message = f"not valid TOML: {_DECODE_POSITION.sub('', str(exc))}"
    return message, int(match.group(1)) if match else None


class KeyLines:
    """Line numbers (1-based) of the keys, tables and array elements of one TOML document."""

    def __init__(self, lines: dict[str, int] | None = None) -> None:
        self._lines = dict(lines or {})

    def find(self, key: str) -> int | None:
        """The line of ``key``, else of its nearest written ancestor, else None.

        A missing required key has no line of its own; pointing at its table header is the next
        best help.
        """
        while key:
            if key in self._lines:
                return self._lines[key]
            key = _parent(key)
        return None

    def __contains__(self, key: object) -> bool:
        return key in self._lines


def _parent(key: str) -> str:
    """``a.b[2]`` → ``a.b`` → ``a`` → ``""``."""
    if key.endswith("]") and "[" in key:
        return key[: key.rindex("[")]
    return key.rpartition(".")[0]


def key_lines(text: str) -> KeyLines:
    """Scan ``text`` (a valid TOML document) and return where each key path is written."""
    scanner = _Scanner(text)
    # Errors are only reachable on text tomllib would reject; keep what was found so far.
    with contextlib.suppress(IndexError, ValueError):
        scanner.document()
    return KeyLines(scanner.lines)


class _Scanner:
    """A tiny recursive-descent walk over TOML that records positions instead of values."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.lines: dict[str, int] = {}
        self._newlines = [i for i, ch in enumerate(text) if ch == "\n"]
        self._table_arrays: dict[str, int] = {}

    def line(self) -> int:
        return bisect.bisect_right(self._newlines, self.pos - 1) + 1

    def record(self, key: str) -> None:
        self.lines.setdefault(key, self.line())

    def peek(self, n: int = 1) -> str:
        return self.text[self.pos : self.pos + n]

    def skip_blank(self, *, newlines: bool) -> None:
        """Skip spaces, tabs, comments and (when allowed) newlines."""
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch in " \t\r" or (newlines and ch == "\n"):
                self.pos += 1
            elif ch == "#":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            else:
                return

    def document(self) -> None:
        prefix = ""
        while True:
            self.skip_blank(newlines=True)
            if self.pos >= len(self.text):
                return
            if self.peek(2) == "[[":
                self.pos += 2
                prefix = self.header(array=True)
            elif self.peek() == "[":
                self.pos += 1
                prefix = self.header(array=False)
            else:
                start = self.pos
                self.key_value(prefix)
                if self.pos == start:
                    raise ValueError("the scanner made no progress")

    def header(self, *, array: bool) -> str:
        """Read a ``[table]`` or ``[[array]]`` header and return the key path it opens."""
        parts = self.key()
        self.pos = self.text.index("]]" if array else "]", self.pos) + (2 if array else 1)
        path = ""
        for i, part in enumerate(parts):
            path = f"{path}.{part}" if path else part
            if i == len(parts) - 1 and array:
                self.record(path)
                index = self._table_arrays.get(path, 0)
                self._table_arrays[path] = index + 1
                path = f"{path}[{index}]"
            elif path in self._table_arrays:
                # A sub-table of an array of tables belongs to its latest element.
                path = f"{path}[{self._table_arrays[path] - 1}]"
        self.record(path)
        return path

    def key(self) -> list[str]:
        """Read a (possibly dotted, possibly quoted) key."""
        parts: list[str] = []
        while True:
            self.skip_blank(newlines=False)
            quote = self.peek()
            if quote in "\"'":
                end = self.pos + 1
                while self.text[end] != quote:
                    end += 2 if quote == '"' and self.text[end] == "\\" else 1
                parts.append(self.text[self.pos + 1 : end])
                self.pos = end + 1
            else:
                match = _BARE_KEY.match(self.text, self.pos)
                if match is None:
                    return parts
                parts.append(match.group())
                self.pos = match.end()
            self.skip_blank(newlines=False)
            if self.peek() != ".":
                return parts
            self.pos += 1

    def key_value(self, prefix: str) -> None:
        path = prefix
        for part in self.key():
            path = f"{path}.{part}" if path else part
            self.record(path)
        self.skip_blank(newlines=False)
        self.pos += 1  # the "=" sign
        self.skip_blank(newlines=False)
        self.value(path)

    def value(self, path: str) -> None:
        for quote in ('"""', "'''"):
            if self.peek(3) == quote:
                self.string(quote)
                return
        ch = self.peek()
        if ch in "\"'":
            self.string(ch)
        elif ch == "[":
            self.array(path)
        elif ch == "{":
            self.inline_table(path)
        else:
            # Numbers, booleans, dates and times: they end at a delimiter. A date-time may contain
            # a space, so a space alone does not end the value.
            while self.pos < len(self.text) and self.text[self.pos] not in ",]}\n#":
                self.pos += 1

    def string(self, quote: str) -> None:
        self.pos += len(quote)
        while self.pos < len(self.text):
            if quote[0] == '"' and self.text[self.pos] == "\\":
                self.pos += 2
            elif self.text.startswith(quote, self.pos):
                self.pos += len(quote)
                # A multi-line string may end with up to two extra quotes inside it.
                while len(quote) == 3 and self.peek() == quote[0]:
                    self.pos += 1
                return
            else:
                self.pos += 1

    def array(self, path: str) -> None:
        self.pos += 1
        index = 0
        while True:
            self.skip_blank(newlines=True)
            if self.pos >= len(self.text) or self.peek() == "]":
                self.pos += 1
                return
            element = f"{path}[{index}]"
            self.record(element)
            self.value(element)
            self.skip_blank(newlines=True)
            if self.peek() == ",":
                self.pos += 1
                index += 1

    def inline_table(self, path: str) -> None:
        self.pos += 1
        while True:
            self.skip_blank(newlines=True)
            if self.pos >= len(self.text) or self.peek() == "}":
                self.pos += 1
                return
            if self.peek() == ",":
                self.pos += 1
                continue
            self.key_value(path)
