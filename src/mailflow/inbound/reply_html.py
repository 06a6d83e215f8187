"""Turn the HTML body of a reply into text, keeping its line structure and marking its quotes.

Mail clients wrap what they quote in containers, and those are more reliable than any text rule:

- ``<blockquote>`` (Gmail ``gmail_quote``, Apple ``type=cite``, Thunderbird, webmails) and Yahoo's
  ``yahoo_quoted`` become ``>`` lines, so the text rules drop them and keep the answers written
  between them; Gmail's indent (a blockquote with ``border:none``) stays plain text;
- the start of an unmarked quote ends the text: Outlook's ``border-top`` separator above the
  "From:/Sent:" block (desktop, BlackBerry, Windows Mail), ``divRplyFwdMsg`` and ``appendonsend``
  (Outlook on the web), ``OLK_SRC_BODY_SECTION`` (Outlook for Mac), Hotmail's and Zimbra's ``<hr>``;
- hidden elements, styles, scripts and signature containers are left out.

Outlook's Word HTML (``WordSection1``, ``<p class=MsoNormal>``, ``<o:p>&nbsp;</o:p>``) needs
nothing special: every block is a line, and a paragraph of only a no-break space is a blank line.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = frozenset(
    {"p", "div", "li", "tr", "table", "ul", "ol", "dl", "dd", "dt", "pre", "blockquote"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header", "footer", "center"}
    | {"address", "form", "fieldset", "tbody", "thead", "tfoot", "hr"}
)
_VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr"})
_HIDDEN = frozenset({"script", "style", "head", "title", "template", "noscript", "xml"})
_CUT_IDS = frozenset(
    {"divrplyfwdmsg", "x_divrplyfwdmsg", "appendonsend", "olk_src_body_section", "zwchr"}
    | {"stopspelling", "_persistentheader", "_originalcontent"}
    | {"mail-editor-reference-message-container"}
)
_CUT_CLASSES = frozenset({"outlookmessageheader", "x_outlookmessageheader"})
_QUOTE_CLASSES = frozenset({"yahoo_quoted", "protonmail_quote"})
_SIGNATURE_CLASSES = frozenset({"gmail_signature", "moz-signature", "x_gmail_signature"})
_SIGNATURE_IDS = frozenset({"signature", "applemailsignature", "x_signature"})
_TOP_BORDER = re.compile(
    r"border-top(?:-style)?\s*:\s*solid|border-style\s*:\s*solid\s+none\s+none", re.IGNORECASE
)
_NO_BORDER = re.compile(r"border\s*:\s*none", re.IGNORECASE)
_NOT_DISPLAYED = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)

# What an open element does to the text inside it.
_PLAIN, _QUOTE, _SKIP, _PRE = "", "quote", "skip", "pre"


class _ReplyText(HTMLParser):
    """Collects the lines of an HTML reply, ``>``-prefixed inside quotes, until a quote cut."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._buffer: list[str] = []
        self._open: list[tuple[str, str]] = []  # (tag, role) of the elements still open
        self._open_count: dict[str, int] = {}  # how many of each tag are open
        self._depth = {_QUOTE: 0, _SKIP: 0, _PRE: 0}
        self._cells = 0
        self.stopped = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.stopped:
            return
        values = {name: (value or "") for name, value in attrs}
        if not (self._depth[_QUOTE] or self._depth[_SKIP]) and _cuts(tag, values):
            # Everything from here on is the quoted message; a cut inside a quote changes nothing.
            self._flush()
            self.stopped = True
            return
        if tag in _BLOCKS:
            self._flush()
        if tag == "br":
            self._flush(force=True)
        elif tag in {"td", "th"}:
            if self._cells:
                self._buffer.append(" ")
            self._cells += 1
        elif tag == "li":
            self._buffer.append("- ")
        if tag not in _VOID:
            role = _role(tag, values)
            self._open.append((tag, role))
            self._open_count[tag] = self._open_count.get(tag, 0) + 1
            if role:
                self._depth[role] += 1

    def handle_endtag(self, tag: str) -> None:
        # An end tag nothing opened is ignored at once, so unbalanced HTML costs no search.
        if self.stopped or not self._open_count.get(tag):
            return
        position = len(self._open) - 1
        while self._open[position][0] != tag:
            position -= 1
        if tag in _BLOCKS:
            self._flush()
        for closed, role in self._open[position:]:
            self._open_count[closed] -= 1
            if role:
                self._depth[role] -= 1
        del self._open[position:]

    def handle_data(self, data: str) -> None:
        if self.stopped or self._depth[_SKIP]:
            return
        if not self._depth[_PRE]:
            self._buffer.append(data)
            return
        first, *rest = data.split("\n")
        self._buffer.append(first)
        for piece in rest:
            self._flush(force=True)
            self._buffer.append(piece)

    def _flush(self, force: bool = False) -> None:
        raw = "".join(self._buffer)
        self._buffer = []
        self._cells = 0
        if self._depth[_PRE]:
            text = raw.replace("\xa0", " ").rstrip()
        else:
            text = " ".join(raw.replace("\xa0", " ").split())
        # A block holding only a no-break space is how Outlook and Gmail write an empty line.
        if not text and not force and "\xa0" not in raw:
            return
        prefix = "> " * self._depth[_QUOTE]
        line = (prefix + text).rstrip()
        if line or (self.lines and self.lines[-1]):
            self.lines.append(line)


def _classes(values: dict[str, str]) -> set[str]:
    return set(values.get("class", "").lower().split())


def _cuts(tag: str, values: dict[str, str]) -> bool:
    if values.get("id", "").lower() in _CUT_IDS or _classes(values) & _CUT_CLASSES:
        return True
    return tag in {"div", "p"} and bool(_TOP_BORDER.search(values.get("style", "")))


def _role(tag: str, values: dict[str, str]) -> str:
    style = values.get("style", "")
    if tag in _HIDDEN or _NOT_DISPLAYED.search(style):
        return _SKIP
    if _classes(values) & _SIGNATURE_CLASSES or values.get("id", "").lower() in _SIGNATURE_IDS:
        return _SKIP
    if values.get("data-smartmail") == "gmail_signature":
        return _SKIP
    if tag == "pre":
        return _PRE
    if tag == "blockquote":
        # Gmail's "indent" is a blockquote without a border: the person's own text, not a quote.
        cited = values.get("type", "").lower() == "cite" or "quote" in values.get("class", "")
        return _PLAIN if _NO_BORDER.search(style) and not cited else _QUOTE
    return _QUOTE if _classes(values) & _QUOTE_CLASSES else _PLAIN


def html_reply_text(html: str) -> str:
    """The text of an HTML reply: a line per block, quotes as ``>`` lines, unmarked quotes cut."""
    parser = _ReplyText()
    parser.feed(html)
    parser.close()
    parser._flush()
    return "\n".join(parser.lines).strip("\n")
