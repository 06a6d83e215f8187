"""Remove the closing of a letter and the name block under it, which no "--" marks.

"Regards,\\nJohn\\nCEO, Example Corp", "Best,\\nJohn", "此致\\n敬礼\\n张伟",
"谢谢！\\n张伟\\n市场部经理 | 电话 …" end a reply but are not what the person answered. The rule,
read from the end of the text:

- a *closing* is a line that is only a closing phrase
  (:data:`~mailflow.inbound.understanding.replies.reply_words.VALEDICTION` or
  :data:`~mailflow.inbound.understanding.replies.reply_words.GRATITUDE`), its punctuation, and
  perhaps a name ("Thanks, Anna"); "Thanks, I will send it Friday" is a sentence, not a closing;
- below it stands a *name block*: a name first (capitalised words, a CJK name), then at most a
  few short lines (title, company, phone, address) — no question, no sentence;
- thanks alone on the last line stay ("Accept\\n\\nThanks!" may be the whole answer); a
  valediction alone goes ("Cordialement");
- something must stand above the closing: a reply that is only "Thanks,\\nAnna" is kept whole;
- a legal notice paragraph at the very end ("CONFIDENTIALITY NOTICE: …", "本邮件及其附件…") goes
  first, so the closing above it is found.

With the sender known (:class:`Sender`), the sender's own name alone under the text ("Rob"),
and the sender's address alone on the last line (Foxmail's default signature), go too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from mailflow.inbound.understanding.replies.reply_words import (
    DISCLAIMER,
    GRATITUDE,
    LEGAL,
    VALEDICTION,
)

# Matched against the lower-cased line (a case-insensitive match of so many phrases is slow).
# Two languages side by side ("Viele Grüße / Best regards") are one closing.
_CLOSING = re.compile(
    rf"^[-–—~\s]*(?:(?P<valediction>{VALEDICTION})|(?P<thanks>{GRATITUDE}))(?![^\W\d_])"
    rf"(?:\s*[/|]\s*(?:{VALEDICTION}|{GRATITUDE})(?![^\W\d_]))?"
    r"\s*[,，.。!！~～:;…、،؛]*\s*(?P<name>.*?)\s*$"
)
_MAX_BLOCK = 8  # non-blank lines under a closing
_MAX_CLOSING = 60  # characters of a closing line, a name beside it included
_MAX_SEARCH = 12  # lines from the end where a closing may stand
_PARTICLES = frozenset(
    {"van", "von", "de", "der", "den", "da", "di", "du", "la", "le", "del", "dos", "das", "bin"}
    | {"al", "el", "y", "e", "ter", "ten", "zu", "af", "av"}
)
_NAME_TRIM = " \t-–—~/*_.,，、"
_DISCLAIMER = re.compile(rf"^[\s*_\[(-]*(?:{DISCLAIMER})", re.IGNORECASE)
_LEGAL = re.compile(LEGAL, re.IGNORECASE)
_DISCLAIMER_REACH = 25  # lines from the end where a legal notice may start
_SENTENCE = re.compile(r"[?？!！]\s*$")
_SYMBOLS = re.compile(r"[^\w\s.'’()（）-]")


@dataclass(frozen=True)
class Sender:
    """Who sent the reply: the display name and the address of its From header."""

    name: str
    address: str


def strip_sign_off(
    lines: list[str], sender: Sender | Callable[[], Sender | None] | None = None
) -> list[str]:
    """``lines`` (trailing blank lines already gone) without the closing and the name block.

    ``sender`` may be a function: it is called only when the last line could be the sender's.
    """
    lines = _without_closing(_without_disclaimer(lines))
    if sender is None or not lines:
        return lines
    last = lines[-1]
    if "@" not in last and not any(is_name(line) for line in lines[-5:] if line.strip()):
        return lines
    known = sender() if callable(sender) else sender
    return lines if known is None else _without_sender(lines, known)


def _without_disclaimer(lines: list[str]) -> list[str]:
    """``lines`` without a legal notice paragraph at the end ("CONFIDENTIALITY NOTICE: …")."""
    first_text = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    for index in range(max(first_text + 1, len(lines) - _DISCLAIMER_REACH), len(lines)):
        above = lines[index - 1].strip()
        starts = (not above or not above.strip("-_=*")) and _DISCLAIMER.match(lines[index])
        if starts and _LEGAL.search(" ".join(lines[index:])):
            return _trimmed(lines[:index])
    return lines


def _without_closing(lines: list[str]) -> list[str]:
    """``lines`` without a closing and the name block under it (see the module docstring)."""
    first_text = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    for index in range(max(first_text + 1, len(lines) - _MAX_SEARCH), len(lines)):
        line = lines[index]
        if not line or len(line) > _MAX_CLOSING or line.count(" ") > 6:
            continue
        # "İyi çalışmalar": lower() turns the Turkish dotted capital I into "i" and a dot above.
        match = _CLOSING.match(line.lower().replace("i\u0307", "i"))
        if match is None:
            continue
        name = line.strip()[len(line.strip()) - len(match["name"]) :] if match["name"] else ""
        name = _SYMBOLS.sub("", name).strip()  # "Thanks! 🙏"
        below = [line for line in lines[index + 1 :] if line.strip()]
        if name and not is_name(name):
            continue
        if not below and not name and not match["valediction"]:
            continue  # "Thanks!" alone: perhaps the whole answer
        if _is_block(below, need_name=not name and bool(below)):
            return _trimmed(lines[:index])
    return lines


def _without_sender(lines: list[str], sender: Sender) -> list[str]:
    """``lines`` without the sender's own address, or name (and title lines), at the end."""
    first_text = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    own_address = sender.address.casefold()
    last = lines[-1].strip(" <>\t").casefold()
    if own_address and len(lines) > first_text + 1 and last == own_address:
        lines = _trimmed(lines[:-1])  # Foxmail signs with the sender's address
    for index in range(max(first_text + 1, len(lines) - 5), len(lines)):
        line = lines[index]
        if not line.strip() or not is_name(line) or not _names_sender(line, sender.name):
            continue
        if _is_block([n for n in lines[index + 1 :] if n.strip()], need_name=False, limit=4):
            return _trimmed(lines[:index])
    return lines


def _is_block(lines: list[str], *, need_name: bool, limit: int = _MAX_BLOCK) -> bool:
    """Whether ``lines`` (non-blank) are a name block: a name, then short non-sentences."""
    if len(lines) > limit or (need_name and not (lines and is_name(lines[0]))):
        return False
    for line in lines:
        text = line.strip()
        words = text.split()
        if len(text) > 100 or _SENTENCE.search(text) or len(words) > 12:
            return False
        if text.endswith(".") and len(words) >= 5:
            return False
    return True


def is_name(line: str) -> bool:
    """Whether ``line`` reads as a person's name: "John", "Jan de Vries", "张伟", "이서연 드림"."""
    text = line.strip().strip(_NAME_TRIM)
    if not text or len(text) > 40 or any(c.isdigit() or c in "@:：<>[]|" for c in text):
        return False
    words = text.split()
    if len(words) > 4:
        return False
    if len(words) == 1 and text.isascii() and text.isupper() and len(text) > 1:
        return False  # DONE, OK, CONFIRM: a command, not a name
    if len(words) == 1 and text.isalpha() and text.islower():
        return len(text) <= 15
    # Capitalised words (or words of a script without case), and the particles of names.
    if any(word[0].islower() and word.casefold() not in _PARTICLES for word in words):
        return False
    return all(_letters(word) for word in words)


def _letters(word: str) -> bool:
    return all(c.isalpha() or c in ".'’-()（）" for c in word)


def _names_sender(line: str, sender_name: str) -> bool:
    """Whether ``line`` is the sender's name or part of it ("Rob" for "Rob Stark")."""
    wanted = _fold(sender_name)
    text = _fold(line.strip().strip(_NAME_TRIM))
    if not wanted or not text:
        return False
    if text == wanted:
        return True
    if not text.isascii() and " " not in text:
        return len(text) >= 2 and text in wanted.replace(" ", "")  # 张伟 in "张伟 (市场部)"
    tokens = set(wanted.replace(",", " ").split())
    return all(word in tokens for word in text.split())


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def _trimmed(lines: list[str]) -> list[str]:
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    return lines[:end]
