"""Remove the signature and the mobile-client footer from the new text of a reply, and tidy it.

A signature starts at the "-- " delimiter (also written "--") when what follows is short enough to
be one; a footer starts at a line a mail app adds under the text: "Sent from my iPhone",
"Von Outlook für Android gesendet", "iPhoneから送信", "发自我的华为手机", "Get Outlook for iOS" — a
short line that begins with a "sent" word followed by a preposition or a device ("Lähetetty
iPhonesta"), or ends with one after a device ("iPhone'umdan gönderildi"), or names the Outlook app
for a phone. Both run to the end: they are read after the quotes are gone, so nothing the person
wrote follows them. Lines made only of separator characters ("-----", "____", "ᐧ") left at the end
are removed too, as are blank lines at either end and whitespace at the end of every line.
"""

from __future__ import annotations

import re

from mailflow.inbound.understanding.replies.reply_words import (
    BRAND,
    DEVICE,
    FOOTER_LEAD,
    FOOTER_TAIL,
)

_MAX_SIGNATURE_LINES = 15  # more text than this under "--" is not a signature
_MAX_FOOTER_WORDS = 9

# "Sent from my iPhone" in the languages seen; the device or app names keep prose out.
_SENT_FROM = re.compile(
    r"^[(<\s]*(?:sent|envoy[ée]|enviado|inviato|verzonden|skickat|sendt|wysłane|отправлено"
    r"|надіслано)\s+(?:from|with|via|using|by|on|depuis|de|avec|desde|do|da|dal|vanaf|met|från"
    r"|fra|med|z|с|з|із)\b.{0,80}$",
    re.IGNORECASE,
)
_OLD_DEVICE = re.compile(
    r"\b(?:my|mon|ma|mi|meu|mijn|min|mio|mój|moego|моего|мого|iphone|ipad|ipod|android|mobile"
    r"|phone|cell|tablet|device|outlook|mail|mailbox|airmail|yahoo|blackberry|samsung|galaxy"
    r"|huawei|xiaomi|windows|gmail|spark|sparrow|protonmail|k-9|newton|edison|superhuman)\b",
    re.IGNORECASE,
)
_FOOTERS = re.compile(
    r"^[(<\s]*(?:von meinem .{1,40} gesendet|gesendet von meinem\b|diese nachricht wurde von"
    r" meinem .{1,60} gesendet|get (?:\[)?outlook for|enviado (?:desde|do) (?:mi|meu)\b"
    r"|verstuurd vanaf mijn\b|iphoneから送信|ipadから送信)",
    re.IGNORECASE,
)
# A "sent" word, then a preposition, a possessive or the device itself; a device must be named.
_LEAD = re.compile(
    rf"^[(<\[\s*_-]*(?:{FOOTER_LEAD})\s*(?:(?:from|with|via|using|on|by|de|depuis|avec|à partir de"
    r"|desde|des de|des del|do|da|dal|vanaf|met|mit|från|fra|med|z|ze|с|со|з|із|из|de pe|din"
    r"|من|מה-?)\b|我的|(?:my|mon|ma|mi|meu|mijn|min|mio|mój|mein|meinem)\b"
    rf"|(?:{BRAND}))",
    re.IGNORECASE,
)
_TAIL = re.compile(rf"(?:{FOOTER_TAIL})\s*[.。!]?[)>\]\s]*$", re.IGNORECASE)
_DEVICE = re.compile(DEVICE, re.IGNORECASE)
_OUTLOOK_APP = re.compile(r"outlook.{0,24}(?:ios|android)|(?:ios|android).{0,24}outlook", re.I)
_LINKS = re.compile(r"<?https?://\S+>?|\[|\]\(\S*\)")
_DELIMITER_ONLY = re.compile(r"^\s*[-_=*#~+•·ᐧ—–━─＝]+\s*$")


def is_footer(line: str) -> bool:
    """Whether ``line`` is a mail client's footer ("Sent from my iPhone", "发自我的华为手机")."""
    if len(line) > 300:
        return False
    text = _LINKS.sub(" ", line).strip() if "http" in line or "[" in line else line.strip()
    if not text or len(text) > 100:
        return False
    if _FOOTERS.match(text):
        return True
    if _SENT_FROM.match(text) is not None and _OLD_DEVICE.search(text) is not None:
        return True
    if len(text.split()) > _MAX_FOOTER_WORDS:
        return False
    if _OUTLOOK_APP.search(text):
        return True
    if _LEAD.match(text) is None and _TAIL.search(text) is None:
        return False
    return _DEVICE.search(text) is not None


def strip_signature(text: str) -> str:
    """``text`` without its signature or client footer, and without blank or separator ends."""
    lines = [line.rstrip() for line in text.split("\n")]
    below = sum(1 for line in lines if line)  # non-blank lines from the current one down
    for index, line in enumerate(lines):
        below -= bool(line)
        if line.strip() == "--" and below <= _MAX_SIGNATURE_LINES:
            lines = lines[:index]
            break
        if line and is_footer(line):
            lines = lines[:index]
            break
    return "\n".join(tidy(lines))


def tidy(lines: list[str]) -> list[str]:
    """``lines`` without blank or separator lines at the end and blank lines at the start."""
    end = len(lines)
    while end and (not lines[end - 1].strip() or _DELIMITER_ONLY.match(lines[end - 1])):
        end -= 1
    start = 0
    while start < end and not lines[start].strip():
        start += 1
    return lines[start:end]
