"""Remove quoted and forwarded mail from the text of a reply, keeping every line the person wrote.

The rule, in the order the lines are read:

- a line quoted with ``>`` is old text, wherever it stands;
- an attribution ("On … wrote:") followed by ``>`` lines is dropped with them, and the reading goes
  on below the quote: bottom-posted and interleaved answers are new text;
- an attribution followed by unmarked text, a separator ("-----Original Message-----", Outlook's
  underscores) or a header block ("From:/Sent:/To:") starts old text that runs to the end, since
  nothing marks where it would stop;
- a forward with nothing written above it ("---------- Forwarded message ----------" at the top)
  is what the sender chose to send: only its header block is dropped and its body is read.
"""

from __future__ import annotations

from mailflow.inbound.reply_markers import (
    attribution_end,
    is_header_field,
    is_quoted,
    opens_header_block,
    separator_kind,
)


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
        end = attribution_end(lines, index)
        if end is not None:
            below = _next_text(lines, end + 1)
            if below is None or not is_quoted(lines[below]):
                break
            gap, index = True, end + 1
            continue
        kind = separator_kind(line)
        if kind is None and opens_header_block(lines, index):
            kind = "reply"
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
        kind = separator_kind(line)
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
