"""Did our own border server authenticate the From domain? Read Authentication-Results (RFC 8601).

Which headers count: only those whose authserv-id is one of ``mail.authserv_ids`` — the names our
own receiving servers write (RFC 8601 section 5: a header with another id, or one that arrived with
the message, could have been written by anyone). Without configured ids, only the topmost header
counts (the one the last server added), which is weaker: a deployment that turns on
``require_authenticated_senders`` is asked for its ids.

How a header is read: comments ``( … )`` (nested, and possibly holding ``;``) are dropped and
quoted strings kept whole before the header is cut at ``;`` into the authserv-id and its results
``method=result ptype.property=value …``.

When the From domain passes: DMARC passed *for that domain* (``header.from`` equal to it); DKIM
passed with a signing domain ``header.d`` aligned with it; or SPF passed for an aligned
``smtp.mailfrom``. Alignment is DMARC's relaxed alignment (the same organisational domain is
approximated as "the same domain or a subdomain of one another"). Pure: headers in, a verdict out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from email.message import Message
from email.utils import getaddresses

MAX_HEADER_CHARS = 8_000


@dataclass(frozen=True)
class Verdict:
    authenticated: bool
    reason: str


@dataclass(frozen=True)
class Result:
    method: str
    result: str
    props: dict[str, str]


@dataclass(frozen=True)
class Header:
    authserv_id: str
    results: tuple[Result, ...]


def _without_comments(value: str) -> str:
    """``value`` with RFC 5322 comments removed (nested, escaped), quoted strings untouched."""
    out: list[str] = []
    depth = 0
    quoted = escaped = False
    for ch in value:
        if escaped:
            escaped = False
            if depth == 0:
                out.append(ch)
            continue
        if ch == "\\" and (quoted or depth):
            escaped = True
            if depth == 0:
                out.append(ch)
            continue
        if quoted:
            out.append(ch)
            if ch == '"':
                quoted = False
            continue
        if ch == "(":
            depth += 1
            continue
        if ch == ")" and depth:
            depth -= 1
            if depth == 0:
                out.append(" ")
            continue
        if depth:
            continue
        if ch == '"':
            quoted = True
        out.append(ch)
    return "".join(out)


def _split(value: str, separator: str) -> list[str]:
    """``value`` cut at ``separator`` outside quoted strings."""
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for ch in value:
        if escaped:
            escaped = False
        elif ch == "\\" and quoted:
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == separator and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return parts


def _tokens(value: str) -> list[str]:
    """Whitespace-separated tokens, a quoted string being one token (quotes removed), and
    ``a = b`` glued to ``a=b``."""
    words: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for ch in value:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\" and quoted:
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch.isspace() and not quoted:
            if current:
                words.append("".join(current))
                current = []
        else:
            current.append(ch)
    if current:
        words.append("".join(current))
    merged: list[str] = []
    for word in words:
        if merged and (word.startswith("=") or merged[-1].endswith("=")):
            merged[-1] += word
        else:
            merged.append(word)
    return merged


def parse_header(value: str) -> Header | None:
    """One Authentication-Results value read per RFC 8601, or None when it has no authserv-id."""
    parts = _split(_without_comments(value[:MAX_HEADER_CHARS]), ";")
    head = _tokens(parts[0])
    if not head:
        return None
    results: list[Result] = []
    for part in parts[1:]:
        tokens = _tokens(part)
        if not tokens or "=" not in tokens[0]:
            continue  # "none", or garbage
        method, _, result = tokens[0].partition("=")
        props: dict[str, str] = {}
        for token in tokens[1:]:
            key, eq, prop_value = token.partition("=")
            if eq and "." in key:
                props.setdefault(key.lower(), prop_value)
        results.append(Result(method.split("/")[0].lower(), result.lower(), props))
    return Header(head[0].lower(), tuple(results))


def _domain(value: str) -> str:
    return value.lower().strip().strip("<>").rpartition("@")[2].rstrip(".")


def _aligned(domain: str, from_domain: str) -> bool:
    domain = _domain(domain)
    return bool(domain) and (
        domain == from_domain
        or domain.endswith("." + from_domain)
        or from_domain.endswith("." + domain)
    )


def trusted_headers(headers: Message, authserv_ids: Iterable[str]) -> list[Header]:
    """The Authentication-Results headers to believe: those of our own servers (by id), else
    only the topmost one."""
    values = [str(v) for v in headers.get_all("Authentication-Results") or []]
    parsed = [h for h in (parse_header(v) for v in values) if h is not None]
    ids = {i.lower() for i in authserv_ids}
    if ids:
        return [h for h in parsed if h.authserv_id in ids]
    return parsed[:1]


def check(headers: Message, authserv_ids: Iterable[str] = ()) -> Verdict:
    addresses = [a for _, a in getaddresses([str(v) for v in headers.get_all("From") or []]) if a]
    if len(addresses) != 1:
        return Verdict(False, "the message has no single From address")
    from_domain = _domain(addresses[0])
    if not from_domain:
        return Verdict(False, "the message has no From domain")
    trusted = trusted_headers(headers, authserv_ids)
    if not trusted:
        return Verdict(False, "no Authentication-Results from our own receiving server")
    for header in trusted:
        for found in header.results:
            if found.result != "pass":
                continue
            if (
                found.method == "dmarc"
                and _domain(found.props.get("header.from", "")) == from_domain
            ):
                return Verdict(True, f"dmarc=pass for {from_domain}")
            signer = found.props.get("header.d") or found.props.get("header.i", "")
            if found.method == "dkim" and _aligned(signer, from_domain):
                return Verdict(True, f"dkim=pass for {from_domain}")
            if found.method == "spf" and _aligned(
                found.props.get("smtp.mailfrom", ""), from_domain
            ):
                return Verdict(True, f"spf=pass for {from_domain}")
    return Verdict(False, f"neither DMARC, DKIM nor SPF passed for {from_domain}")
