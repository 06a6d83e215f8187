"""Did the receiving server authenticate the From domain? Read Authentication-Results (RFC 8601).

Only the topmost header counts: it is the one the receiving server added; lower ones arrived with
the message and anyone could have written them. The From domain passes when DKIM passed with a
signing domain (``header.d``) aligned with it, or SPF passed for an aligned ``smtp.mailfrom``
domain (relaxed alignment: the same domain or a subdomain, as DMARC allows). ``dmarc=pass`` also
counts. Pure: headers in, a verdict out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message
from email.utils import parseaddr

_RESULT = re.compile(r"\b(dkim|spf|dmarc)\s*=\s*(\w+)([^;]*)", re.IGNORECASE)
_PROP = re.compile(r"\b(header\.d|header\.i|smtp\.mailfrom|header\.from)\s*=\s*([^\s;]+)", re.I)


@dataclass(frozen=True)
class Verdict:
    authenticated: bool
    reason: str


def _aligned(domain: str, from_domain: str) -> bool:
    domain = domain.lower().strip().lstrip("@").split("@")[-1]
    return (
        domain == from_domain
        or domain.endswith("." + from_domain)
        or from_domain.endswith("." + domain)
    )


def check(headers: Message) -> Verdict:
    from_domain = parseaddr(str(headers.get("From", "")))[1].rpartition("@")[2].lower()
    if not from_domain:
        return Verdict(False, "the message has no From address")
    values = headers.get_all("Authentication-Results") or []
    if not values:
        return Verdict(False, "the receiving server added no Authentication-Results")
    top = " ".join(str(values[0]).split())
    for method, result, rest in _RESULT.findall(top):
        if result.lower() != "pass":
            continue
        props = {k.lower(): v for k, v in _PROP.findall(rest)}
        method = method.lower()
        if method == "dmarc":
            return Verdict(True, "dmarc=pass")
        if method == "dkim" and _aligned(
            props.get("header.d", props.get("header.i", "")), from_domain
        ):
            return Verdict(True, f"dkim=pass for {from_domain}")
        if method == "spf" and _aligned(props.get("smtp.mailfrom", ""), from_domain):
            return Verdict(True, f"spf=pass for {from_domain}")
    return Verdict(False, f"neither DKIM nor SPF passed for {from_domain}")
