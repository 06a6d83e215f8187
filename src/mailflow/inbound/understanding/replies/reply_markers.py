"""Recognise the lines that open quoted or forwarded mail, in the clients and languages seen.

Three kinds of marker, each a pure function of the text's lines (the words per language are in
:mod:`~mailflow.inbound.understanding.replies.reply_words`):

- an *attribution*: "On … wrote:", "Am … schrieb Anna:", "Le … a écrit :", "在 …，X 写道：",
  "X 于 … 写道：", Gmail's "2016-10-24 15:36 GMT+02:00 Name <addr>:", wrapped over up to six lines.
  It ends with a colon and names a writer (a verb, or an address and a time); a weaker one — no
  date, or no colon at all ("On Mon, 3 Mar 2025, John wrote") — counts only right above ``>`` lines;
- a *separator*: "-----Original Message-----", "----- 原始邮件 -----", "---------- Forwarded message
  ---------", "Begin forwarded message:", Outlook's line of underscores, or any short dashed phrase
  right above a sender, sent or subject field ("---- Replied Message ----");
- a *header block*: Outlook's "From:/Sent:/To:/Subject:" lines in any language ("De :/Envoyé :",
  "Von:/Gesendet:", "发件人：/发送时间：", NetEase's "| 发件人 | … |"), also bold after HTML.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from mailflow.inbound.understanding.replies.reply_words import (
    FORWARD,
    FROM,
    ORIGINAL,
    OTHER,
    STRONG,
    WROTE,
)

SeparatorKind = Literal["reply", "forward"]


def _alternatives(alternation: str) -> list[str]:
    """The top-level alternatives of a regular expression (``|`` inside groups stays)."""
    words, depth, start = [], 0, 0
    for index, char in enumerate(alternation):
        if char == "(" and alternation[index - 1 : index] != "\\":
            depth += 1
        elif char == ")" and alternation[index - 1 : index] != "\\":
            depth -= 1
        elif char == "|" and depth == 0:
            words.append(alternation[start:index])
            start = index + 1
    return [*words, alternation[start:]]


def _verbs(alternation: str) -> str:
    """``alternation`` with a word boundary after the words of scripts that separate words.

    The boundary before them is checked by :func:`_verb`, and the pattern is matched without
    IGNORECASE against lower-cased text: so every alternative starts with a plain letter, and the
    regular-expression engine skips, in C, to the places where one of those letters stands
    (ten times faster than trying every verb at every character).
    """
    words = []
    for word in _alternatives(alternation):
        cjk = unicodedata.name(word[0], "").startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL"))
        words.append(word if cjk else rf"{word}(?![^\W\d_])")
    return "|".join(words)


_WROTE_ANYWHERE = re.compile(_verbs(WROTE))
# After the verb: nothing but the colon, or a name ("Am … schrieb Anna Müller:", "كتب Omar:").
_NAME_AFTER = re.compile(r"[^\d:：<>@()\[\]]{0,60}")
_VERB_REACH = 170  # characters from the end of an attribution within which its verb stands
# Gmail and webmails in several languages end with the address: "… 14:41, Name <a@b.c>:".
_ADDRESS_AT_END = re.compile(r"@\S*\s*[>)\]]+\s*[:：]\s*$")
# An address as clients write it in an attribution: in brackets ("<a@b.c>", "[mailto:a@b.c]").
_ADDRESS = re.compile(r"[<\[(]\s*(?:mailto:)?[\w.+-]+@[\w-]+\.[\w.-]+\s*[>\])]", re.IGNORECASE)
_CLOCK = re.compile(r"(?<![\d.])\d{1,2}[:.]\d{2}(?![\d.])")  # 10:00, 10.00; not 192.0.2.22
_DIGIT = re.compile(r"\d")
# Gmail's old attribution without a verb or colon: "2013/7/20 Name <a@b.c>", "… GMT+01:00 Name".
_DATE_NAME = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s.*(?:GMT[+-]\d|<\S+@\S+>)")

# How the first line of a wrapped attribution begins: a date-like opener word, a digit early on,
# an angle-bracketed address or a trailing "<" (the address was wrapped to the next line).
_OPENS = re.compile(
    r"^[-*\s]*(?:(?:on|le|am|el|em|op|il|den|dnia|w dniu|at|quoting|citando|zitat von|pe|på|dne"
    r"|في|vào|pada|în|στις)\s.*\d|[^\d\n]{0,24}\d|在|于)",
    re.IGNORECASE,
)
_BRACKETED_ADDRESS = re.compile(r"<\S+@\S+>")
# A line that begins an attribution of its own: it cannot continue the one above it.
_STARTS_ANOTHER = re.compile(
    r"^[-*\s]*(?:(?:on|le|am|el|em|op|il|den|dnia|w dniu|at|quoting|citando|zitat von|pe|på|dne)"
    r"\s.*\d|在|于)|^<\S+@\S+>",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?:[^\W\d_]{4,}\.|[!?。！？])\s*$")
# What may continue an attribution past a blank line: the rest of a wrapped address.
_ADDRESS_PIECE = re.compile(r"[<>\[]|mailto:|[\w.+-]+@", re.IGNORECASE)
_MAX_ATTRIBUTION = 320  # characters; a longer "sentence" is prose, not a client's attribution
_WINDOW = 6  # lines an attribution may be wrapped over (blank lines included)
# Marks that steer right-to-left text (Gmail's Arabic and Hebrew attributions) and BOMs.
_INVISIBLE = dict.fromkeys(
    [0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0xFEFF]
)

_DASHED = re.compile(r"^\s*[*_]*\s*-{2,}\s*(?P<phrase>[^-\s][^\n]{0,60}?)\s*-{2,}\s*[*_]*\s*$")
_ORIGINAL_WORD = re.compile(ORIGINAL, re.IGNORECASE)
_FORWARD_WORD = re.compile(FORWARD, re.IGNORECASE)
_BEGIN_FORWARD = re.compile(
    r"^\s*(?:begin forwarded message|d[ée]but du message r[ée]exp[ée]di[ée]"
    r"|anfang der weitergeleiteten (?:nachricht|e-mail)|inizio messaggio inoltrato"
    r"|comienzo del mensaje reenviado|inicio del mensaje reenviado|begin doorgestuurd bericht"
    r"|in[íi]cio da mensagem (?:re)?encaminhada|vidarebefordrat brev|videresendt melding"
    r"|以下是转发的邮件|开始转发的邮件|以下為轉寄的郵件|転送されたメッセージ)\s*[:：]?\s*$",
    re.IGNORECASE,
)
_UNDERSCORES = re.compile(r"^\s*_{10,}\s*$")

# A header field: the name, then a colon, or a table cell ("| 发件人 | … |", NetEase Mail Master).
_LEAD = r"^\s*+\|?+\s*+[*_]*+\s*+"
_END = r"\s*+[*_]*+\s*+(?:[:：]|\|)"
_FIELD = re.compile(rf"{_LEAD}(?P<key>{STRONG}|{OTHER}){_END}", re.IGNORECASE)
_FROM_FIELD = re.compile(rf"{_LEAD}(?:{FROM}){_END}", re.IGNORECASE)
_STRONG_FIELD = re.compile(rf"{_LEAD}(?:{STRONG}){_END}", re.IGNORECASE)
# Chinese and Japanese clients' sender field is never typed by hand: one such line is enough.
_CJK_SENDER = re.compile(
    r"^\s*+\|?+\s*+[*_]*+\s*+(?:发件人|發件人|寄件者|寄件人|差出人)\s*[*_]*\s*[:：|]"
)
_MAIL_ADDRESS = re.compile(r"@|mailto:", re.IGNORECASE)
_BLOCK_WINDOW = 6
# A line that heads a header block from above: "Message du 03/03/25 10:00" (Orange, SFR).
_BLOCK_LEAD = re.compile(
    r"^\s*>?\s*[^\W\d_][^:：.!?。]{0,30}\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}.{0,12}$"
)


def clean(line: str) -> str:
    """``line`` without the invisible direction marks some clients wrap names in, stripped."""
    if line.isascii():
        return line.strip()
    return line.translate(_INVISIBLE).strip()


def is_quoted(line: str) -> bool:
    """Whether ``line`` is quoted with ``>`` (any depth, any indentation)."""
    return line.lstrip().startswith(">")


def quote_follows(lines: list[str], index: int) -> bool:
    """Whether the first non-blank line after ``index`` (within two lines) is a ``>`` quote."""
    for following in lines[index + 1 : index + 4]:
        if following.strip():
            return is_quoted(following)
    return False


def attribution_end(lines: list[str], start: int) -> int | None:
    """The last line of an attribution ("On … wrote:") beginning at ``start``, or None."""
    first = lines[start]
    if not first or len(first) > _MAX_ATTRIBUTION:
        return None
    first = clean(first)
    if not first or first[0] == ">":
        return None
    if _ends_attribution(first, lines, start):
        return start
    if first[0].isdigit() and len(first) <= 150 and _DATE_NAME.match(first):
        return start
    opens = _OPENS.match(first) or first.endswith("<") or _BRACKETED_ADDRESS.search(first)
    if not opens or _SENTENCE_END.search(first):
        return None
    joined, blank = first, False
    for index in range(start + 1, min(len(lines), start + _WINDOW)):
        line = clean(lines[index])
        if not line:
            blank = True
            continue
        # A wrapped attribution may continue on a line the client took for a quote ("> wrote:"),
        # and past blank lines only with the pieces of a wrapped address ("<", "mailto:…>").
        if (line.startswith(">") and len(line) > 20) or (blank and not _ADDRESS_PIECE.match(line)):
            return None
        if _STARTS_ANOTHER.match(line) and not line.startswith("<") and not line[0].isdigit():
            return None
        joined = f"{joined} {line}"
        if len(joined) > _MAX_ATTRIBUTION:
            return None
        if _ends_attribution(joined, lines, index):
            # A dated attribution of its own on this line starts here, under the person's text.
            alone = _DIGIT.search(line) is not None and _ends_attribution(line, lines, index)
            return None if alone else index
    return None


def _ends_attribution(text: str, lines: list[str], index: int) -> bool:
    """Whether ``text`` (one line, or a wrapped one joined, ending at ``lines[index]``) is a
    complete attribution: a verb and a date, or an address and a time, then a colon."""
    last = text[-1]
    colon = last in ":：-"
    if not colon and not (last.isalpha() and quote_follows(lines, index)):
        return False
    lower = text.lower()
    verb = _verb(lower)
    dated = _DIGIT.search(text) is not None
    if not colon:
        # No colon: only "… wrote" with a date, right above the quote it introduces.
        return verb is not None and dated and not lower[verb.end() :].strip()
    if verb is None:
        # A language without its verb here: an address and a time still name a writer, at the
        # end ("… 10:00, Name <a@b.c>:") or right above the quote.
        if _CLOCK.search(text) is None:
            return False
        return bool(
            _ADDRESS_AT_END.search(text) or (_ADDRESS.search(text) and quote_follows(lines, index))
        )
    after = lower[verb.end() :].strip().rstrip(":：- \t")
    if _NAME_AFTER.fullmatch(after):
        return dated or "@" in text or quote_follows(lines, index)
    return dated and bool(_ADDRESS.search(text) or quote_follows(lines, index))


def _verb(text: str) -> re.Match[str] | None:
    """The first attribution verb near the end of ``text`` (lower case) that starts a word."""
    position = max(0, len(text) - _VERB_REACH)
    while (found := _WROTE_ANYWHERE.search(text, position)) is not None:
        before = text[found.start() - 1 : found.start()]
        if not before.isalpha() or _unspaced(found.group()[0]):
            return found
        position = found.start() + 1
    return None


def _unspaced(char: str) -> bool:
    """Whether ``char`` is of a script written without spaces (kana, CJK, Hangul)."""
    return "\u3040" <= char <= "\u9fff" or "\uac00" <= char <= "\ud7af"


def separator_kind(line: str, following: str = "") -> SeparatorKind | None:
    """``"forward"`` or ``"reply"`` when ``line`` separates the new text from an older message.

    ``following`` is the next non-blank line: a short dashed phrase right above a sender, sent
    or subject field is a separator in any language ("---- Replied Message ----").
    """
    if "-" not in line and "_" not in line and not _BEGIN_FORWARD.match(line):
        return None
    if _BEGIN_FORWARD.match(line):
        return "forward"
    match = _DASHED.match(line.replace("&nbsp;", " "))
    if match is not None and len(match.group("phrase").split()) <= 4:
        if _FORWARD_WORD.search(match.group("phrase")):
            return "forward"
        if _ORIGINAL_WORD.search(match.group("phrase")):
            return "reply"
        if following and _STRONG_FIELD.match(following):
            return "reply"
    if _UNDERSCORES.match(line):
        return "reply"
    return None


def is_header_field(line: str) -> bool:
    """Whether ``line`` looks like a field of a quoted message's header ("Subject: …")."""
    return _FIELD.match(line) is not None


def is_block_lead(line: str) -> bool:
    """Whether ``line`` heads a header block from above ("Message du 03/03/25 10:00")."""
    return len(line) <= 60 and _BLOCK_LEAD.match(line) is not None


def opens_header_block(lines: list[str], start: int) -> bool:
    """Whether a quoted message's header block ("From:", "Sent:", "To:", …) begins at ``start``."""
    line = lines[start]
    if not _may_be_field(line):
        return False
    if _CJK_SENDER.match(line):
        return True
    if not _FIELD.match(line):
        return False
    following = [n for n in lines[start + 1 : start + _BLOCK_WINDOW] if _FIELD.match(n)]
    fields = [line, *following]
    strong = any(_STRONG_FIELD.match(field) for field in following)
    # "From: <address>" and one more field is Outlook's short block; a typed "From: team" and
    # "To: all" is not a header unless a sent time or subject follows.
    if _FROM_FIELD.match(line) and following and (strong or _MAIL_ADDRESS.search(line)):
        return True
    keys = {_key(field) for field in fields}
    return len(fields) >= 3 and len(keys) >= 2 and (strong or _STRONG_FIELD.match(line) is not None)


def _may_be_field(line: str) -> bool:
    """A quick test that rules out most lines: a field's colon (or cell bar) comes early."""
    head = line[:48]
    return ":" in head or "：" in head or "|" in head


def _key(line: str) -> str:
    match = _FIELD.match(line)
    return match.group("key").casefold() if match else ""
