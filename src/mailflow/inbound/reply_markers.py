"""Recognise the lines that open quoted or forwarded mail, in the clients and languages seen.

Three kinds of marker, each a pure function of the text's lines:

- an *attribution*: "On … wrote:", "Le … a écrit :", "Am … schrieb:", "在 …，X 写道：",
  "X 于 … 写道：", Gmail's "2016-10-24 15:36 GMT+02:00 Name <addr>:", wrapped over up to six lines;
- a *separator*: "-----Original Message-----", "----- 原始邮件 -----", "---------- Forwarded message
  ---------", "Begin forwarded message:", Outlook's line of underscores;
- a *header block*: Outlook's "From:/Sent:/To:/Subject:" lines in any language ("De :/Envoyé :",
  "Von:/Gesendet:", "发件人：/发送时间："), also bold ("*From:*") after conversion from HTML.
"""

from __future__ import annotations

import re
from typing import Literal

SeparatorKind = Literal["reply", "forward"]

# The verb of an attribution line, per language; the line ends with it and a colon.
_WROTE = (
    r"wrote|writes|a [ée]crit|schrieb|escribi[óo]|ha escrito|scrisse|ha scritto|escreveu"
    r"|geschreven|schreef|skrev(?: följande)?|kirjoitti|napisa[łl](?:\(a\)|a)?|написал[аи]?"
    r"|написал\(а\)|написав|пише[тш]?|yazdı|írta|napsal[a]?|napisao|έγραψε|님이 작성"
    r"|写道|寫道|写到|寫到|來信"
)
_WROTE_AT_END = re.compile(rf"(?:{_WROTE})\s*(?:[:：]|-{{2,}})\s*$", re.IGNORECASE)
# German Gmail and Lotus Notes put the date after the verb, but always after an address too:
# "X <x@y> schrieb am Fr., 28. Apr. 2017 um 11:53 Uhr:", "X/ORG@ORG wrote on 03/01/2025 10:00 AM:".
_WROTE_ON = re.compile(
    r"@.*\b(?:schrieb am|wrote on|a [ée]crit le|escribi[óo] el|ha scritto il)\b.*[:：]\s*$",
    re.IGNORECASE,
)
# Gmail and webmails in several languages end with the address: "… 14:41, Name <a@b.c>:".
_ADDRESS_AT_END = re.compile(r"@\S*\s*>+\s*[:：]\s*$")
_CLOCK = re.compile(r"\d{1,2}[:.]\d{2}")
_WROTE_ANYWHERE = re.compile(rf"(?:{_WROTE})", re.IGNORECASE)
# Gmail's old attribution without a verb or colon: "2013/7/20 Name <a@b.c>", "… GMT+01:00 Name".
_DATE_NAME = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s.*(?:GMT[+-]\d|<\S+@\S+>)")

# How the first line of a wrapped attribution begins: a date-like opener word, a digit, an
# angle-bracketed address or a trailing "<" (the address was wrapped to the next line).
_OPENS = re.compile(
    r"^[-*\s]*(?:(?:on|le|am|el|em|op|il|den|dnia|w dniu|at|quoting|citando|zitat von|pe|på|dne)"
    r"\s.*\d|\d|在|于)"
    r"|<\S+@\S+>|<\s*$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?:[^\W\d_]{4,}\.|[!?。！？])\s*$")
_DIGIT_OR_AT = re.compile(r"\d|@")
_ADDRESS_PIECE = re.compile(r"[<>@]")
_MAX_ATTRIBUTION = 320  # characters; a longer "sentence" is prose, not a client's attribution
_WINDOW = 6  # lines an attribution may be wrapped over (blank lines included)

# "-----Original Message-----" and its translations: a short phrase between dashes that names the
# original or a forwarded message (QQ Mail writes only "Original").
_DASHED = re.compile(r"^\s*[*_]*\s*-{2,}\s*(?P<phrase>[^-\s][^\n]{0,60}?)\s*-{2,}\s*[*_]*\s*$")
_ORIGINAL_WORD = re.compile(
    r"original|origine|ursprüngliche|ursprungligt|oorspronkelijk|opprinnelig|oprindelig"
    r"|oryginalna|исходное|оригінальне|původní|eredeti|alkuperäinen|原始|原邮件|原郵件"
    r"|元のメッセージ|원본",
    re.IGNORECASE,
)
_FORWARD_WORD = re.compile(
    r"forward|weitergeleitet|transf[ée]r|r[ée]exp[ée]di|reenviad|inoltrat|doorgestuurd|encaminhad"
    r"|reencaminhad|vidarebefordra|videresend|przekazan|пересл|пересыл|переслан|转发|轉寄|轉發"
    r"|転送|전달",
    re.IGNORECASE,
)
_BEGIN_FORWARD = re.compile(
    r"^\s*(?:begin forwarded message|d[ée]but du message r[ée]exp[ée]di[ée]"
    r"|anfang der weitergeleiteten (?:nachricht|e-mail)|inizio messaggio inoltrato"
    r"|comienzo del mensaje reenviado|inicio del mensaje reenviado|begin doorgestuurd bericht"
    r"|in[íi]cio da mensagem (?:re)?encaminhada|vidarebefordrat brev|videresendt melding"
    r"|以下是转发的邮件|开始转发的邮件|以下為轉寄的郵件|転送されたメッセージ)\s*[:：]?\s*$",
    re.IGNORECASE,
)
_UNDERSCORES = re.compile(r"^\s*_{10,}\s*$")

# Header field names of a quoted message, per language. Sender names open a block; the "strong"
# names (sender, sent, subject) are what tells a header block from a list someone typed.
_FROM = (
    r"from|de|von|van|da|från|fra|od|от|від|lähettäjä|kimden|feladó|发件人|發件人|寄件者|寄件人"
    r"|差出人|보낸 사람"
)
_STRONG = (
    rf"{_FROM}|sent|envoy[ée]|gesendet|enviado|enviada|inviato|verzonden|skickat|sendt|wysłano"
    r"|отправлено|надіслано|发送时间|發送時間|傳送時間|寄件日期|送信日時|보낸 날짜"
    r"|subject|objet|betreff|onderwerp|oggetto|asunto|assunto|ämne|emne|temat|тема|主题|主題|主旨"
    r"|件名|제목"
)
_OTHER = (
    r"date|to|cc|bcc|reply-to|reply to|à|a|an|datum|aan|data|risposta|fecha|para|till|til|do"
    r"|дата|кому|копия|日期|收件人|收件者|抄送|副本|宛先|받는 사람|参照"
)
_FIELD = re.compile(rf"^\s*[*_]*\s*(?P<key>{_STRONG}|{_OTHER})\s*[*_]*\s*[:：]", re.IGNORECASE)
_FROM_FIELD = re.compile(rf"^\s*[*_]*\s*(?:{_FROM})\s*[*_]*\s*[:：]", re.IGNORECASE)
_STRONG_FIELD = re.compile(rf"^\s*[*_]*\s*(?:{_STRONG})\s*[*_]*\s*[:：]", re.IGNORECASE)
# Chinese and Japanese clients' sender field is never typed by hand: one such line is enough.
_CJK_SENDER = re.compile(r"^\s*[*_]*\s*(?:发件人|發件人|寄件者|寄件人|差出人)\s*[*_]*\s*[:：]")
_ADDRESS = re.compile(r"@|mailto:", re.IGNORECASE)
_BLOCK_WINDOW = 6


def is_quoted(line: str) -> bool:
    """Whether ``line`` is quoted with ``>`` (any depth, any indentation)."""
    return line.lstrip().startswith(">")


def attribution_end(lines: list[str], start: int) -> int | None:
    """The last line of an attribution ("On … wrote:") beginning at ``start``, or None."""
    first = lines[start].strip()
    if not first or first.startswith(">") or len(first) > _MAX_ATTRIBUTION:
        return None
    if _DIGIT_OR_AT.search(first) and _ends_attribution(first):
        return start
    if _DATE_NAME.match(first) and len(first) <= 150:
        return start
    if not _OPENS.search(first) or _SENTENCE_END.search(first):
        return None
    joined, blank = first, False
    for index in range(start + 1, min(len(lines), start + _WINDOW)):
        line = lines[index].strip()
        if not line:
            blank = True
            continue
        # A wrapped attribution may continue on a line the client took for a quote ("> wrote:"),
        # and past blank lines only with the pieces of a wrapped address ("<", "mailto:…>").
        if (line.startswith(">") and len(line) > 20) or (blank and not _ADDRESS_PIECE.search(line)):
            return None
        if _OPENS.match(line) and not line.startswith("<"):
            return None
        joined = f"{joined} {line}"
        if len(joined) > _MAX_ATTRIBUTION:
            return None
        if _ends_attribution(joined):
            return index
    return None


def _ends_attribution(text: str) -> bool:
    # Every attribution ends with a colon (or Zoho's dashes): most lines are out at this test.
    if not text.endswith((":", "：", "-")):
        return False
    if _WROTE_AT_END.search(text) or _WROTE_ON.search(text):
        return True
    return bool(_ADDRESS_AT_END.search(text)) and bool(
        _CLOCK.search(text) or _WROTE_ANYWHERE.search(text)
    )


def separator_kind(line: str) -> SeparatorKind | None:
    """``"forward"`` or ``"reply"`` when ``line`` separates the new text from an older message."""
    if _BEGIN_FORWARD.match(line):
        return "forward"
    match = _DASHED.match(line)
    if match is not None and len(match.group("phrase").split()) <= 4:
        if _FORWARD_WORD.search(match.group("phrase")):
            return "forward"
        if _ORIGINAL_WORD.search(match.group("phrase")):
            return "reply"
    if _UNDERSCORES.match(line):
        return "reply"
    return None


def is_header_field(line: str) -> bool:
    """Whether ``line`` looks like a field of a quoted message's header ("Subject: …")."""
    return _FIELD.match(line) is not None


def opens_header_block(lines: list[str], start: int) -> bool:
    """Whether a quoted message's header block ("From:", "Sent:", "To:", …) begins at ``start``."""
    line = lines[start]
    if _CJK_SENDER.match(line):
        return True
    if not _FIELD.match(line):
        return False
    following = [n for n in lines[start + 1 : start + _BLOCK_WINDOW] if _FIELD.match(n)]
    fields = [line, *following]
    strong = any(_STRONG_FIELD.match(field) for field in following)
    # "From: <address>" and one more field is Outlook's short block; a typed "From: team" and
    # "To: all" is not a header unless a sent time or subject follows.
    if _FROM_FIELD.match(line) and following and (strong or _ADDRESS.search(line)):
        return True
    keys = {_key(field) for field in fields}
    return len(fields) >= 3 and len(keys) >= 2 and (strong or _STRONG_FIELD.match(line) is not None)


def _key(line: str) -> str:
    match = _FIELD.match(line)
    return match.group("key").casefold() if match else ""
