"""Remove quoted and forwarded mail from the text of a reply, keeping every line the person wrote.

The rule, in the order the lines are read:

- a line quoted with ``>`` is old text, wherever it stands, and so are the unmarked lines a
  client's re-wrapping broke off a ``>`` line: they sit between ``>`` lines and continue a full
  one (:func:`_continuation_end`);
- an attribution ("On … wrote:") followed by ``>`` lines is dropped with them, and the reading goes
  on below the quote: bottom-posted and interleaved answers are new text;
- an attribution followed by unmarked text, a separator ("-----Original Message-----", Outlook's
  underscores) or a header block ("From:/Sent:/To:") starts old text that runs to the end, since
  nothing marks where it would stop;
- a forward with nothing written above it ("---------- Forwarded message ----------" at the top)
  is what the sender chose to send: only its header block is dropped and its body is read.
"""

from __future__ import annotations

import re
import unicodedata

from mailflow.inbound.understanding.replies.reply_markers import (
    attribution_end,
    is_block_lead,
    is_header_field,
    is_quoted,
    opens_header_block,
    quote_follows,
    separator_kind,
)
from mailflow.inbound.understanding.replies.reply_words import MID_PHRASE

# Clients wrap at 66 to 80 columns: a line this wide with the next word added was wrapped.
_WRAP_WIDTH = 66
_MIN_FULL = 48  # columns; a shorter line ended where its writer ended it
_STOPS = frozenset(".?!:;。？！：；")
_ENDS_MID_PHRASE = re.compile(rf"\s(?:{MID_PHRASE})$", re.IGNORECASE)


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` with any of the three line endings (CRLF, CR, LF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def strip_quotes(text: str) -> str:
    """The lines of ``text`` that are not quoted, forwarded or attributions of either."""
    lines = split_lines(text)
    kept: list[str] = []
    gap = False  # something was removed since the last kept line
    index = 0
    while index < len(lines):
        line = lines[index]
        if is_quoted(line):
            gap, index = True, index + 1
            continue
        if index and line.strip() and is_quoted(lines[index - 1]):
            run_end = _continuation_end(lines, index)
            if run_end is not None:
                gap, index = True, run_end
                continue
        end = attribution_end(lines, index)
        if end is not None:
            below = _next_text(lines, end + 1)
            if below is None or not is_quoted(lines[below]):
                break
            gap, index = True, end + 1
            continue
        kind = separator_kind(line, _following(lines, index) if "-" in line else "")
        if kind is None and opens_header_block(lines, index):
            kind = "reply"
            if kept and kept[-1].strip() and is_block_lead(kept[-1]):
                kept.pop()  # "Message du 03/03/25 10:00" heads the block
        if kind == "forward" and not any(k.strip() for k in kept):
            gap, index = True, _after_forward_header(lines, index)
            continue
        if kind is not None:
            break
        if gap and line.strip():
            # One blank line stands where the quote was, so the answers around it stay apart.
            while kept and not kept[-1].strip():
                kept.pop()
            if kept:
                kept.append("")
            gap = False
        if not gap:
            kept.append(line)
        index += 1
    return "\n".join(kept)


def forwarded_text(text: str, *, with_header: bool = False) -> str:
    """The body of the message forwarded in ``text`` (after its separator and header block;
    with ``with_header``, from the separator on), or "" when ``text`` forwards nothing."""
    lines = split_lines(text)
    for index, line in enumerate(lines):
        kind = separator_kind(line, _following(lines, index) if "-" in line else "")
        if kind is None and opens_header_block(lines, index):
            kind = "reply"
        if kind is not None:
            if with_header:
                start = index
            elif kind == "forward":
                start = _after_forward_header(lines, index)
            else:
                start = _after_header_block(lines, index)
            return "\n".join(lines[start:])
    return ""


def _after_header_block(lines: list[str], start: int) -> int:
    index = start
    while index < len(lines) and lines[index].strip():
        index += 1
    return index


def _next_text(lines: list[str], start: int) -> int | None:
    for index in range(start, len(lines)):
        if lines[index].strip():
            return index
    return None


def _after_forward_header(lines: list[str], separator: int) -> int:
    """The index of the first line of a forwarded body, past its separator and header fields."""
    index = separator + 1
    first = _next_text(lines, index)
    if first is None or not is_header_field(lines[first]):
        return index
    # The header runs to the first blank line; a long subject or recipient list may wrap.
    index = first
    while index < len(lines) and lines[index].strip():
        index += 1
    return index


def _following(lines: list[str], index: int) -> str:
    """The first non-blank line after ``index`` within two lines, or ""."""
    for line in lines[index + 1 : index + 3]:
        if line.strip():
            return line
    return ""


def _continuation_end(lines: list[str], start: int) -> int | None:
    """The end of the unmarked lines from ``start`` that a client broke off the ``>`` line above
    when it re-wrapped the quote, or None when they are the person's own (an interleaved answer).

    Each line of the run continues a *full* line (one that could not take its next word within
    the wrap width); after a question it never does (that is an answer), after a sentence only
    in lower case or as a full line itself (a short line there is an answer too); and a ``>``
    line follows the run, so the quote goes on after it — or the ``>`` line stopped mid-phrase
    ("… the open question on the" / "regional accruals"), which no answer continues.
    """
    previous, index = lines[start - 1], start
    while index < len(lines) and lines[index].strip() and not is_quoted(lines[index]):
        if not _wrapped(previous, lines[index]):
            return None
        previous, index = lines[index], index + 1
    if index < len(lines) and is_quoted(lines[index]):
        return index
    if quote_follows(lines, index - 1):
        return index
    cut_mid_phrase = _ENDS_MID_PHRASE.search(lines[start - 1].rstrip()) is not None
    return index if cut_mid_phrase and index - start <= 2 else None


def _wrapped(line: str, following: str) -> bool:
    """Whether ``following`` was broken off the end of ``line`` by a wrap at 66-80 columns."""
    text, first = line.rstrip(), following.split()[0]
    width = _width(text)
    if width < _MIN_FULL or width + 1 + _width(first) <= _WRAP_WIDTH:
        return False
    if text[-1] in _STOPS:
        return first[0].islower() or (text[-1] in ".。" and _width(following) >= _MIN_FULL)
    return True


def _width(text: str) -> int:
    """Display columns of ``text``: East Asian wide characters take two."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
