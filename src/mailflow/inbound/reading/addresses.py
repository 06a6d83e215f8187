"""Find mail addresses in free text, as machine-written notices print them.

Bounce and report texts print addresses bare, in angle brackets, after ``rfc822;`` or inside
SMTP transcripts. The pattern is deliberately lenient on the local part (some Japanese mobile
carriers allow leading and repeated dots) and strict on the domain (a dotted host name or an
address literal), so host names, message IDs without a dot and prose are not taken for addresses.
"""

from __future__ import annotations

import re

# The first character excludes the apostrophe so that 'user@example.com' in prose loses its quote.
_LOCAL = r"[\w!#$%&*+/=?^`{|}~.-][\w!#$%&'*+/=?^`{|}~.-]*|\"[^\"\r\n]{1,64}\""
_DOMAIN = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]"
_LITERAL = r"\[[0-9.]{7,15}\]"
ADDRESS = re.compile(
    rf"(?<![\w!#$%&*+/=?^`{{|}}~.@-])(?:{_LOCAL})@(?:{_DOMAIN}|{_LITERAL})(?![\w-]|\.[A-Za-z0-9])",
    re.ASCII,
)
# Role mailboxes a notice names as whom to contact, rather than as whom it failed to reach.
_ROLE_LOCAL = re.compile(
    r"^(?:mailer-?daemon|mail-?daemon|postmaster|post_master|poostmaster|mail\.delivery\.system"
    r"|double-bounce|(?:no|do-?not)-?reply|abuse)$",
    re.IGNORECASE,
)

# Exchange and X.400 gateways glue a type to the address: "SMTP=user@example.com".
_TYPE_PREFIX = re.compile(r"^(?:smtp|rfc822)[=:]", re.IGNORECASE)


def clean_address(address: str) -> str:
    """An address as found, lowercased and without a gateway's type prefix."""
    return _TYPE_PREFIX.sub("", address).lower()


def find_addresses(text: str) -> list[str]:
    """Every address in ``text``, lowercased, in order of first appearance, without repeats."""
    found: dict[str, None] = {}
    for match in ADDRESS.finditer(text):
        found.setdefault(clean_address(match.group(0)), None)
    return list(found)


def find_address(text: str) -> str | None:
    """The first address in ``text``, lowercased; None when there is none."""
    match = ADDRESS.search(text)
    return clean_address(match.group(0)) if match else None


def is_address(text: str) -> bool:
    """Whether ``text`` is exactly one address (what a report must name as a failed recipient)."""
    return ADDRESS.fullmatch(text) is not None


def is_role_address(address: str) -> bool:
    """A mail system's kind of address (MAILER-DAEMON, postmaster…), not taken from prose."""
    return _ROLE_LOCAL.match(address.partition("@")[0]) is not None
