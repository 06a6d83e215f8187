"""Remove the signature and the mobile-client footer from the new text of a reply, and tidy it.

A signature starts at the "-- " delimiter (also written "--") when what follows is short enough to
be one; a footer starts at a line such as "Sent from my iPhone", "发自我的iPhone", "Get Outlook for
iOS". Both run to the end: they are read after the quotes are gone, so nothing the person wrote
follows them. Lines made only of separator characters ("-----", "____", "ᐧ") left at the end are
removed too, as are blank lines at either end and whitespace at the end of every line.
"""

from __future__ import annotations

import re

_MAX_SIGNATURE_LINES = 15  # more text than this under "--" is not a signature

# "Sent from my iPhone" in the languages seen; the device or app names keep prose out.
_SENT_FROM = re.compile(
    r"^[(<\s]*(?:sent|envoy[ée]|enviado|inviato|verzonden|skickat|sendt|wysłane|отправлено"
    r"|надіслано)\s+(?:from|with|via|using|by|on|depuis|de|avec|desde|do|da|dal|vanaf|met|från"
    r"|fra|med|z|с|з|із)\b.{0,80}$",
    re.IGNORECASE,
)
_DEVICE = re.compile(
    r"\b(?:my|mon|ma|mi|meu|mijn|min|mio|mój|moego|моего|мого|iphone|ipad|ipod|android|mobile"
    r"|phone|cell|tablet|device|outlook|mail|mailbox|airmail|yahoo|blackberry|samsung|galaxy"
    r"|huawei|xiaomi|windows|gmail|spark|sparrow|protonmail|k-9|newton|edison|superhuman)\b",
    re.IGNORECASE,
)
_FOOTERS = re.compile(
    r"^[(<\s]*(?:von meinem .{1,40} gesendet|gesendet von meinem\b|diese nachricht wurde von"
    r" meinem .{1,60} gesendet|get (?:\[)?outlook for|enviado (?:desde|do) (?:mi|meu)\b"
    r"|verstuurd vanaf mijn\b"
    r"|(?:发自|来自|寄自|從|从)(?:我的)?\s*\S{0,12}?\s*(?:iphone|ipad|android|手机|手機|客户端|客戶端"
    r"|邮箱|郵箱|华为|華為|小米|outlook|荣耀|vivo|oppo|mac)"
    r"|iphoneから送信|ipadから送信)",
    re.IGNORECASE,
)
_DELIMITER_ONLY = re.compile(r"^\s*[-_=*#~+•·ᐧ—–]+\s*$")


def is_footer(line: str) -> bool:
    """Whether ``line`` is a mail client's footer ("Sent from my iPhone", "发自我的华为手机")."""
    if len(line) > 300:
        return False
    text = re.sub(r"<?https?://\S+>?|\[|\]\(\S*\)", " ", line).strip()
    if not text or len(text) > 100:
        return False
    if _FOOTERS.match(text):
        return True
    return _SENT_FROM.match(text) is not None and _DEVICE.search(text) is not None


def strip_signature(text: str) -> str:
    """``text`` without its signature or client footer, and without blank or separator ends."""
    lines = [line.rstrip() for line in text.split("\n")]
    below = sum(1 for line in lines if line)  # non-blank lines from the current one down
    for index, line in enumerate(lines):
        below -= bool(line)
        if line.strip() == "--" and below <= _MAX_SIGNATURE_LINES:
            lines = lines[:index]
            break
        if is_footer(line):
            lines = lines[:index]
            break
    while lines and (not lines[-1] or _DELIMITER_ONLY.match(lines[-1])):
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    return "\n".join(lines)
