"""Read a bounce that is not a standard DSN: the notice text of Exim, qmail, Sendmail, Exchange…

Non-standard bounces say what failed in prose. This module finds that prose (the message's own
text parts, cut where the returned original message starts), decides whether it reports a failed
or a delayed delivery, and picks the failed addresses out of it: first from the line shapes MTAs
use for recipients (``<addr>:``, ``<addr>...``, a line holding only the address, ``RCPT TO:<addr>``,
``Recipient: addr``), then from any address the notice names that is not the mail system's own.
"""

from __future__ import annotations

import codecs
import re
import textwrap
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser

from mailflow.inbound.reading.addresses import (
    ADDRESS,
    clean_address,
    find_addresses,
    is_role_address,
)
from mailflow.inbound.reading.mailtext import decode_bytes, html_to_text

# Where the returned copy of the original message starts, in the wording of common MTAs.
_ORIGINAL = re.compile(
    r"^\s*[-=*_]{3,}[^\n]*?(?:original|returned|unsent|undelivered|rejected|bounced|attached)"
    r"\s+(?:message|mail|e-?mail|headers)"
    r"|^[^\n]*(?:this is a copy of the message|below this line is a copy of the message"
    r"|original message follow|message headers? follow|included is a copy|original message headers"
    r"|start of returned message|original message as received)"
    r"|^\s*original message\s*:?\s*$"
    r"|^\s*[-=*_]{3,}[^\n]*?(?:元のメッセージ|原始邮件|原邮件|原始郵件|原始信件)"
    r"|^content-type:\s*message/rfc822"
    r"|^(?:received|return-path|delivered-to|dkim-signature|x-received|arc-seal)\s*:",
    re.IGNORECASE | re.MULTILINE,
)
# Words of a failed delivery, in the languages of the MTAs and providers seen in practice.
FAILURE = re.compile(
    r"could ?n[o']t be delivered|could not deliver|unable to deliver|not be delivered"
    r"|was not delivered|wasn't able to deliver|not able to be\s+delivered|undeliverable"
    r"|undelivered|non[- ]?delivery|delivery (?:has )?failed|delivery failure|failed permanently"
    r"|permanent (?:fatal )?error|fatal errors?|delivery to the following recipient|did not reach"
    r"|returned mail|returning message|message (?:was )?(?:rejected|bounced|blocked)|user unknown"
    r"|unknown user|no such (?:user|recipient|address|mailbox)|does ?n[o']t exist"
    r"|address(?:es)? (?:rejected|failed)|failed addresses|had delivery (?:errors|problems)"
    r"|mailbox (?:is )?(?:full|unavailable|not found|disabled)|over ?quota|quota exceeded"
    r"|\b5\d\d[ -]|\b5\.\d{1,3}\.\d{1,3}\b|recipient rejected|rejected your message"
    r"|unzustellbar|nicht zugestellt|non remis|n'a pas pu|no (?:pudo|se pudo) ser entregado"
    r"|配信できません|配送できません|送信できません|届きません|届けられません|宛先不明|存在しません"
    r"|エラー|未達|退信|退回|无法投递|投递失败|无法送达|未能送达|发送失败|递送失败|無法傳遞|傳送失敗"
    r"|無法投遞|投遞失敗|不存在",
    re.IGNORECASE | re.MULTILINE,
)
# What else a mail system's own notice says when it failed; enough once the sender is known to
# be a mail system (MAILER-DAEMON, a DSN, a bounce subject), too vague for anything else.
FAILURE_LOOSE = re.compile(
    r"\bfail|\berror|\baborted\b|\brejected\b|\bexpired\b|unknown host|host unknown"
    r"|\b[45]\d\d\b|\bproblem",
    re.IGNORECASE,
)
# Words of a warning: delivery is late but still being retried.
DELAY = re.compile(
    r"\bdelayed\b|\bdelay\)|still (?:being )?(?:re)?tr(?:y|ied|ying)|will (?:continue to |keep )?"
    r"(?:re)?try|continue to (?:attempt|try)|attempts will continue|will continue to be made"
    r"|\bpostponed\b|has not yet been delivered|not (?:yet )?been delivered yet"
    r"|is a warning|warning only|do not need to (?:re-?send|take any action)|no action is required"
    r"|warning: message|warning\W+could not send|could not send (?:mail|message) for (?:the )?past"
    r"|delivery (?:is )?delayed|will be retried|temporarily deferred|遅延|延迟|延遲",
    re.IGNORECASE,
)
# Words of a mail system that has stopped trying: these win over any delay word in a diagnostic.
GIVEN_UP = re.compile(
    r"permanent (?:fatal )?error|given up|giving up|not going to try again|will not (?:re)?try"
    r"|failed permanently|permanent failure|won't (?:re)?try|no further attempts",
    re.IGNORECASE,
)
_SEVEN_BIT = ("iso2022", "utf_7")
_MAX_PARTS = 200
_HEADERS = HeaderParser()
_HEADER_START = re.compile(r"^[A-Za-z-]+\s*:")
# "<a@host> (expanded from <a@domain>)": the alias the sender wrote is the address to report.
_EXPANDED = re.compile(
    rf"<?({ADDRESS.pattern})>?\s*\(expanded from:?\s*<?({ADDRESS.pattern})>?\s*\)",
    re.ASCII | re.IGNORECASE,
)
# Lines that restate the original's headers ("To: list@…" in Exchange's "Your message" block).
_RESTATED = re.compile(r"^\s*>?\s*(?:to|cc|from|sent|date|subject|message-id|reply-to)\s*:", re.I)
_SENDER_BEFORE = re.compile(r"\b(?:from|sender)\s*:?\s*[<\"']?$", re.IGNORECASE)
_RECEIVED_FOR = re.compile(rf"\bfor\s+<({ADDRESS.pattern})>", re.ASCII | re.IGNORECASE)
_STATUS_TEXT = re.compile(r"(?<![\d.])([45])\.(\d{1,3})\.(\d{1,3})(?![\d.])")
_LINE_SHAPES = (
    # qmail and Postfix: "<addr>:" opens the recipient's paragraph.
    re.compile(rf"^\s*<({ADDRESS.pattern})>\s*:", re.ASCII),
    # Sendmail: "<addr>... User unknown"; also a bare "addr ...".
    re.compile(rf"^\s*<?({ADDRESS.pattern})>?\s*\.\.\.", re.ASCII),
    # Exim, Gmail, Exchange: a line holding only the address (maybe bulleted, or "on <date>").
    re.compile(
        rf"^\s*[*-]?\s*[<\"']?({ADDRESS.pattern})[>\"']?\s*(?:[;,:]?\s*$|\s+on\s+\w)", re.ASCII
    ),
    # SMTP transcripts name the recipient in the RCPT command.
    re.compile(rf"RCPT\s+TO\s*:?\s*<?\s*({ADDRESS.pattern})", re.ASCII | re.IGNORECASE),
    # Some notices label it: "Recipient: addr", "宛先: addr", "收件人：addr".
    re.compile(
        rf"^\s*(?:failed |final |original |intended |invalid |unknown )?"
        rf"(?:recipient(?:s|\(s\))?(?: address(?:es)?)?|address(?:es)?|e-?mail address|宛先|受信者"
        rf"|收件人|收件者|收信人)\s*[:：]\s*<?\s*(?:rfc822;\s*)?({ADDRESS.pattern})",
        re.ASCII | re.IGNORECASE,
    ),
)


@dataclass(frozen=True)
class Notice:
    """The mail system's own words, and the headers of the returned message when it is there."""

    text: str
    original: Message | None


def part_text(part: Message) -> str:
    """A text part's text; 7-bit encodings (ISO-2022-JP, UTF-7) decode by their label first."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset()
    try:
        codec = codecs.lookup(charset).name if charset else None
    except (LookupError, ValueError):  # a NUL in the name raises ValueError
        codec = None
    if codec is None and b"\x1b$" in payload:
        codec = "iso2022_jp"
    if codec is not None and codec.startswith(_SEVEN_BIT):
        try:
            return payload.decode(codec)
        except UnicodeDecodeError:
            pass
    text = decode_bytes(payload, charset)
    return html_to_text(text) if part.get_content_subtype() == "html" else text


def _text_of(part: Message) -> str:
    if part.get_content_maintype() == "multipart":
        # A multipart part whose boundary the parser could not read keeps its body as text.
        payload = part.get_payload()
        return payload if isinstance(payload, str) else ""
    return part_text(part)


def _parts(message: Message) -> tuple[list[Message], list[Message]]:
    """The message's own text parts (not attached messages) and its attached originals."""
    texts: list[Message] = []
    originals: list[Message] = []
    stack = [message]
    seen = 0
    while stack and seen < _MAX_PARTS:
        part = stack.pop()
        seen += 1
        content_type = part.get_content_type()
        try:
            children = part.get_payload()
        except (ValueError, LookupError):  # a charset label with a NUL in it, say
            continue
        if part.get_content_maintype() == "multipart" and isinstance(children, list):
            stack.extend(reversed([c for c in children if isinstance(c, Message)]))
        elif content_type in {"message/rfc822", "message/global", "text/rfc822-headers"}:
            originals.append(part)
        elif part.get_content_maintype() in {"text", "multipart"}:
            texts.append(part)
    return texts, originals


def _original_headers(part: Message) -> Message | None:
    if part.get_content_type() == "text/rfc822-headers":
        return _HEADERS.parsestr(part_text(part), headersonly=True)
    children = part.get_payload()
    if isinstance(children, list) and children and isinstance(children[0], Message):
        return children[0]
    return None


def _inline_headers(text: str) -> Message:
    """The header block of an original quoted inline, after separator lines and ``>`` marks."""
    lines = textwrap.dedent(re.sub(r"(?m)^> ?", "", text)).splitlines()
    start = next((i for i, line in enumerate(lines) if _HEADER_START.match(line)), len(lines))
    return _HEADERS.parsestr("\n".join(lines[start:]), headersonly=True)


def read_notice(message: Message) -> Notice:
    """What the mail system wrote, without the returned original, and that original's headers."""
    texts, originals = _parts(message)
    plain = [p for p in texts if p.get_content_subtype() != "html"]
    kept: list[str] = []
    original = next((h for p in originals if (h := _original_headers(p)) is not None), None)
    for part in plain or texts[:1]:
        text = _text_of(part)
        cut = _ORIGINAL.search(text)
        if cut is None:
            kept.append(text)
            continue
        kept.append(text[: cut.start()])
        if original is None:
            # The original is quoted inline: its header block starts after the marker line.
            rest = text[cut.start() :]
            if not _HEADER_START.match(cut.group(0)):
                rest = rest.partition("\n")[2]
            original = _inline_headers(rest)
        break
    return Notice("\n".join(kept), original)


def original_recipients(notice: Notice) -> list[str]:
    """Who the returned original was for: its To and Cc, and its envelope ``for <…>`` lines."""
    if notice.original is None:
        return []
    # Raw values: the header registry of ``policy.default`` may raise on a mangled address.
    items = [(k.lower(), str(v)) for k, v in notice.original.raw_items()]
    fields = [v for k, v in items if k in {"to", "cc", "delivered-to", "x-original-to"}]
    envelope = [m.group(1) for k, v in items if k == "received" for m in _RECEIVED_FOR.finditer(v)]
    return find_addresses(" ".join([*envelope, *fields]))


def status_in(text: str) -> str | None:
    """The first failure status code (``5.1.1``, ``4.2.2``) a notice prints, if any."""
    found = _STATUS_TEXT.search(text)
    return ".".join(found.groups()) if found else None


def _expand(addresses: list[str], text: str) -> list[str]:
    aliases = {m.group(1).lower(): m.group(2).lower() for m in _EXPANDED.finditer(text)}
    return list(dict.fromkeys(aliases.get(a, a) for a in addresses))


def shaped_recipients(text: str) -> list[str]:
    """Addresses standing where MTAs print failed recipients, in order of appearance."""
    found: dict[str, None] = {}
    for line in text.splitlines():
        for shape in _LINE_SHAPES:
            for match in shape.finditer(line):
                found.setdefault(clean_address(match.group(1)), None)
    return _expand(list(found), text)


def _prose_addresses(text: str) -> list[str]:
    """Addresses in prose, except a sender's ("not accepting mail from <addr>")."""
    found: dict[str, None] = {}
    for match in ADDRESS.finditer(text):
        if not _SENDER_BEFORE.search(text, max(0, match.start() - 16), match.start()):
            found.setdefault(clean_address(match.group(0)), None)
    return list(found)


def failed_recipients(
    text: str, system: set[str], excluded: set[str], original: list[str]
) -> list[str]:
    """The failed addresses a notice names.

    Addresses standing where recipients stand are taken unless they are the mail system's own
    (``system``). Otherwise any address the notice names, leaving out the bounce's own header
    addresses (``excluded``), role addresses such as postmaster and restated original headers;
    when some of those were recipients of the ``original`` message, only those.
    """
    shaped = [a for a in shaped_recipients(text) if a not in system]
    if shaped:
        return shaped
    prose = "\n".join(line for line in text.splitlines() if not _RESTATED.match(line))
    named = [a for a in _prose_addresses(prose) if a not in excluded and not is_role_address(a)]
    among_original = [a for a in named if a in original]
    if among_original:
        return among_original
    if original and len(named) > 2:
        # Many addresses, none of them one the returned message was sent to: the notice is
        # explaining (examples, alternatives to try), not naming who failed.
        return []
    return named
